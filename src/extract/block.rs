//! A code block of a document (Markdown, reStructuredText): its text, decoded out of the document
//! with the place of every byte ([`Decoded`]), read as the format its language or its content
//! says, by the readers of those formats. A JSON block is a policy file (or a CLI export), an HCL
//! block a Terraform snippet, a YAML block a template, a shell block a script's calls. Every
//! span is mapped back to the document's bytes, and every document is labelled with the block.
//!
//! Documents are full of examples that are not policies, and of policies cut short (`...`): a
//! block that does not parse is reported only when it is evidently meant as a policy
//! ([`evidently_policy`]).

use std::path::{Path, PathBuf};

use crate::policy::PolicyDocument;
use crate::source::Span;

use super::embedded::Decoded;
use super::unit::{Extracted, UnitText};
use super::{cloudformation, format, json_file, shell, terraform};

/// The closing note's name for a document's code block that seslint does not read.
const UNREAD_BLOCK: &str = "a code block in a language seslint does not read";

/// One code block of a document.
pub struct Block {
    /// The block's text, mapped to the document.
    pub text: Decoded,
    /// The language it is marked with (a fence's info string, a directive's argument), lower
    /// case; empty when unmarked.
    pub language: String,
    /// How the document opens it (```` ```json ````, `.. code-block:: json`, `::`), for its label.
    pub opener: String,
    /// The whole block in the document, fence or directive included.
    pub span: Span,
    /// The 1-based line of its opener.
    pub line: usize,
}

/// What a block holds, by its language or its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    Json,
    Terraform,
    Yaml,
    Shell,
}

fn by_name(language: &str) -> Option<Language> {
    Some(match language {
        "json" | "jsonc" | "json5" => Language::Json,
        "hcl" | "terraform" | "tf" => Language::Terraform,
        "yaml" | "yml" => Language::Yaml,
        "sh" | "bash" | "shell" | "zsh" | "console" | "shell-session" | "shellsession" | "sh-session" => {
            Language::Shell
        }
        _ => return None,
    })
}

fn by_content(text: &str) -> Option<Language> {
    let trimmed = text.trim_start();
    if trimmed.starts_with(['{', '[']) {
        Some(Language::Json)
    } else if shell::may_hold_call(text) && text.contains("aws ") {
        Some(Language::Shell)
    } else if cloudformation::is_template(Path::new("block.yaml"), text.as_bytes()) {
        Some(Language::Yaml)
    } else if text.contains("resource \"") || text.contains("data \"") {
        Some(Language::Terraform)
    } else {
        None
    }
}

/// The documents of a document's code blocks, which `blocks` finds; nothing, without parsing,
/// when the document names nothing a policy is made of. A block marked with a language seslint
/// does not read (TypeScript, Python; not plain text) that mentions what an SES identity policy is made of is named in
/// the closing note, so that "no findings" never means "not looked at".
pub fn read_document(text: &str, blocks: fn(&str) -> Vec<Block>) -> Extracted {
    let mut out = Extracted::default();
    if !may_hold_policy(text) && !format::may_hold_ses_policy(text.as_bytes()) {
        return out;
    }
    for (index, block) in blocks(text).iter().enumerate() {
        let block_text = block.text.text.as_str();
        let plain = matches!(
            block.language.as_str(),
            "" | "text" | "txt" | "plain" | "plaintext" | "none" | "output" | "log"
        );
        if !plain && language(block).is_none() && format::may_hold_ses_policy(block_text.as_bytes()) {
            out.unread = Some(UNREAD_BLOCK);
        }
        out.documents.extend(read(block, index + 1));
    }
    out
}

/// What a block holds, by its language or else its content.
fn language(block: &Block) -> Option<Language> {
    by_name(&block.language).or_else(|| by_content(&block.text.text))
}

/// The documents of the `number`th block (1-based), with spans and labels in the document.
fn read(block: &Block, number: usize) -> Vec<PolicyDocument> {
    let text = block.text.text.as_str();
    let language = language(block);
    let mut documents = match language {
        Some(Language::Json) => json_file::extract(text),
        Some(Language::Terraform) => {
            let unit = UnitText::new(vec![(PathBuf::from("block.tf"), text.to_string())]);
            // A `file(...)` of a snippet leads nowhere: only what the block holds is read.
            terraform::extract_module(Path::new(""), &unit).documents
        }
        Some(Language::Yaml) if cloudformation::is_template(Path::new("block.yaml"), text.as_bytes()) => {
            cloudformation::extract(text).unwrap_or_default()
        }
        Some(Language::Shell) => shell::extract(text, None).documents,
        Some(Language::Yaml) | None => Vec::new(),
    };
    // A call that puts an identity policy says what its text is meant to be.
    let broken = documents
        .iter()
        .any(|d| !d.syntax_errors.is_empty() || !d.file_errors.is_empty());
    if broken && language != Some(Language::Shell) && !evidently_policy(text) {
        return Vec::new();
    }
    let prefix = format!("block {number} (line {}, {})", block.line, block.opener);
    for document in &mut documents {
        document.label = if document.label.is_empty() {
            prefix.clone()
        } else {
            format!("{prefix}: {}", document.label)
        };
        document.map_spans(&|span| block.text.span(span));
    }
    documents
}

/// Whether a document may hold a policy or a call, by a byte search (most READMEs are not
/// parsed at all).
pub fn may_hold_policy(text: &str) -> bool {
    let bytes = text.as_bytes();
    [&b"Statement"[..], b"statement", b"identity-policy", b"Policies"]
        .iter()
        .any(|marker| memchr::memmem::find(bytes, marker).is_some())
}

/// Whether text is evidently meant as an SES or Cognito policy: it names `Statement` and an
/// `ses:` action or a Cognito principal. Only then is a block that does not parse reported.
pub fn evidently_policy(text: &str) -> bool {
    let bytes = text.as_bytes();
    let statement =
        memchr::memmem::find(bytes, b"Statement").is_some() || memchr::memmem::find(bytes, b"statement").is_some();
    let ses_action = memchr::memmem::find_iter(bytes, b"ses:")
        .chain(memchr::memmem::find_iter(bytes, b"SES:"))
        .any(|at| at == 0 || !bytes[at - 1].is_ascii_alphanumeric());
    statement && (ses_action || memchr::memmem::find(bytes, b"cognito-idp").is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidently_a_policy() {
        assert!(evidently_policy(r#"{"Statement": [{"Action": "ses:SendEmail", ...}]}"#));
        assert!(evidently_policy(
            r#"{"Statement": [{"Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:cognito-idp:..."}}}]}"#
        ));
        assert!(!evidently_policy(r#"{"Statement": [{"Action": "s3:GetObject", ...}]}"#));
        assert!(!evidently_policy(
            r#"{"steps": ["uses: actions/checkout"], "Statement": 1"#
        ));
        assert!(!evidently_policy(r#"{"Action": "ses:SendEmail""#));
    }

    #[test]
    fn languages_by_name_and_content() {
        assert_eq!(by_name("jsonc"), Some(Language::Json));
        assert_eq!(by_name("console"), Some(Language::Shell));
        assert_eq!(by_name("python"), None);
        assert_eq!(by_content("\n  {\"a\": 1}"), Some(Language::Json));
        assert_eq!(
            by_content("$ aws ses put-identity-policy --policy '{}'"),
            Some(Language::Shell)
        );
        assert_eq!(
            by_content("resource \"aws_ses_identity_policy\" \"p\" {}"),
            Some(Language::Terraform)
        );
        assert_eq!(by_content("npm install"), None);
    }
}
