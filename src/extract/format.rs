//! The one place that decides what format a file is in, by its name and, where the name does not
//! say, by its first bytes.
//!
//! It also holds every content sniff: whether bytes look like a policy in JSON, in Terraform, or
//! like an SES identity policy in a format seslint does not read.
//!
//! A file is read by what it is: a file named on the command line is not parsed as JSON just
//! because it was named (a pre-commit hook names every staged YAML and TypeScript file). Formats
//! seslint reads go to their extractor; a format it does not read yet gives no finding, and when
//! its bytes mention what SES identity policies are made of, the run names it in a closing note
//! ([`may_hold_ses_policy`]), so that "no findings" never means "not looked at".

use std::path::Path;

/// What a file is, for seslint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A JSON file: a policy, a CLI export, a Terraform plan, JSON with policies nested in it.
    Json,
    /// A Terraform file, HCL (`.tf`) or JSON (`.tf.json`): read a module (a directory) at a time.
    Terraform,
    /// A YAML file (`.yaml`, `.yml`) or a `.template` file: read when it is a CloudFormation
    /// template (SAM, Serverless); other YAML (a workflow, a manifest) is only sniffed, as
    /// [`Unread::Yaml`].
    Template,
    /// A Markdown document: its code blocks.
    Markdown,
    /// A reStructuredText document: its literal and code blocks, also in grid-table cells.
    ReStructuredText,
    /// A shell script: its AWS CLI calls that put an SES identity policy.
    Shell,
    /// TypeScript or JavaScript (`.ts`, `.mts`, `.cts`, `.js`, `.mjs`, `.cjs`): CDK stacks and
    /// `serverless.ts`, parsed only when a byte search finds a policy's marks
    /// ([`script_may_hold_policy`]) and the file is not a bundle ([`MAX_SCRIPT_SIZE`]).
    /// Declaration files (`.d.ts`) and dependencies (`node_modules`) are not looked at.
    Script,
    /// A format seslint does not read yet: only sniffed for SES policies.
    Unread(Unread),
    /// Anything else (a lock file, an image, a TOML file): not looked at.
    Other,
}

/// The formats seslint knows to hold policies but does not read yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unread {
    /// YAML that is not a CloudFormation template.
    Yaml,
    /// JSX and TSX.
    JavaScript,
    /// TypeScript/JavaScript over [`MAX_SCRIPT_SIZE`]: a bundle or generated code.
    Bundle,
}

impl Unread {
    /// The format's name, as the closing note says it.
    pub fn name(self) -> &'static str {
        match self {
            Unread::Yaml => "YAML (not a CloudFormation template)",
            Unread::JavaScript => "TypeScript/JavaScript",
            Unread::Bundle => "TypeScript/JavaScript over 512 KiB, not parsed",
        }
    }
}

/// The format a file's name says, if it says one. `None` for a name with no known extension
/// (`policy`, `Dockerfile`, `deploy`), whose content decides.
pub fn by_name(path: &Path) -> Option<Format> {
    let name = file_name(path)?;
    let ends_with = |suffix: &str| {
        name.len() >= suffix.len()
            && name.as_bytes()[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    if ends_with(".tf") || ends_with(".tf.json") {
        return Some(Format::Terraform);
    }
    let (_, extension) = name.rsplit_once('.')?;
    let mut lower = [0u8; 8];
    let extension = match lower.get_mut(..extension.len()) {
        Some(lower) => {
            lower.copy_from_slice(extension.as_bytes());
            lower.make_ascii_lowercase();
            std::str::from_utf8(lower).unwrap_or_default()
        }
        // Longer than any extension below.
        None => "",
    };
    let format = match extension {
        "json" => Format::Json,
        "yaml" | "yml" | "template" => Format::Template,
        "ts" | "mts" | "cts" | "js" | "mjs" | "cjs" if is_declaration_or_dependency(path, &ends_with) => Format::Other,
        "ts" | "mts" | "cts" | "js" | "mjs" | "cjs" => Format::Script,
        "tsx" | "jsx" => Format::Unread(Unread::JavaScript),
        "md" | "markdown" | "mdx" => Format::Markdown,
        "rst" => Format::ReStructuredText,
        "sh" | "bash" | "zsh" => Format::Shell,
        _ => Format::Other,
    };
    Some(format)
}

/// The name of the file at `path`, as `Path::file_name` gives it. Asked several times for every
/// file of a run: a UTF-8 path is cut at its last separator, without `Path`'s parsing of every
/// component or an allocation.
fn file_name(path: &Path) -> Option<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    if let Some(text) = path.to_str() {
        let bytes = text.as_bytes();
        // Separators are ASCII (`/`, and `\` on Windows): the name starts after the last one.
        let last = match std::path::MAIN_SEPARATOR {
            '/' => memchr::memrchr(b'/', bytes),
            _ => memchr::memrchr2(b'/', b'\\', bytes),
        };
        let name = &text[last.map_or(0, |at| at + 1)..];
        if !matches!(name, "" | "." | "..") {
            return Some(Cow::Borrowed(name));
        }
    }
    path.file_name().map(|name| name.to_string_lossy())
}

/// A TypeScript declaration file (`.d.ts`, `.d.mts`, `.d.cts`: types, never values) or a file of a
/// package's dependencies (`node_modules`, not the repository's own code). `ends_with` tests the
/// file's name, in any case.
fn is_declaration_or_dependency(path: &Path, ends_with: &dyn Fn(&str) -> bool) -> bool {
    [".d.ts", ".d.mts", ".d.cts"].iter().any(|suffix| ends_with(suffix))
        || path.components().any(|c| c.as_os_str() == "node_modules")
}

/// TypeScript/JavaScript larger than this is a bundle or generated code, not a stack someone
/// wrote: it is not parsed (only sniffed, like a format seslint does not read).
pub const MAX_SCRIPT_SIZE: usize = 512 << 10;

/// Whether TypeScript/JavaScript mentions what the shapes seslint reads there are made of
/// (`cdk/`): IAM's `PolicyStatement` / `PolicyDocument` or a `Statement` key, an SES identity
/// policy call (`putIdentityPolicy`, `EmailIdentityPolicy`, in any case), Cognito's email
/// principal, or CloudFormation written as objects (`AWS::IAM::Role`, a user pool's
/// `EmailConfiguration`). A file without them (most of a repository's code) is not parsed.
pub fn script_may_hold_policy(bytes: &[u8]) -> bool {
    const MARKERS: [&[u8]; 5] = [
        b"Statement",
        b"PolicyDocument",
        b"email.cognito-idp",
        b"AWS::IAM::Role",
        b"EmailConfiguration",
    ];
    MARKERS
        .iter()
        .any(|marker| memchr::memmem::find(bytes, marker).is_some())
        || contains_ignoring_case(bytes, b"identitypolicy")
}

/// The format of a file named on the command line (or read from standard input): by its name,
/// else by its first bytes: JSON structure (`{` or `[` first) or a shell script's `#!` line.
pub fn of(path: &Path, bytes: &[u8]) -> Format {
    if let Some(format) = by_name(path) {
        return format;
    }
    let text = strip_bom(bytes);
    if is_shell_script(text) {
        return Format::Shell;
    }
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => Format::Json,
        _ => Format::Other,
    }
}

impl Format {
    /// Whether seslint reads the format (a template only when it is one).
    pub fn is_read(self) -> bool {
        !matches!(self, Format::Unread(_) | Format::Other)
    }
}

/// Whether a walked file is worth opening: formats seslint reads, and the ones it sniffs.
pub fn is_walked(path: &Path) -> bool {
    by_name(path).is_some_and(|format| format != Format::Other)
}

/// The bytes after a UTF-8 byte order mark, if the text starts with one.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Whether the first line is a shell's `#!` line (`#!/bin/sh`, `#!/usr/bin/env bash`).
fn is_shell_script(text: &[u8]) -> bool {
    let Some(line) = text.strip_prefix(b"#!") else {
        return false;
    };
    let line = &line[..memchr::memchr(b'\n', line).unwrap_or(line.len())];
    let line = String::from_utf8_lossy(line);
    let mut words = line.split_whitespace();
    let program = words.next().unwrap_or_default();
    let program = program.rsplit('/').next().unwrap_or_default();
    let program = if program == "env" {
        words.find(|w| !w.starts_with('-')).unwrap_or_default()
    } else {
        program
    };
    matches!(program, "sh" | "bash" | "zsh" | "dash" | "ksh")
}

/// Whether JSON text looks like it was meant to hold a policy, by its structure: a `"Statement"`,
/// `"Version"` or `"Policies"` key, or a string value that starts with an `ses:` action (also
/// inside an escaped JSON string, as in CLI exports and plans). Used to decide whether text that
/// does not parse deserves a diagnostic (a broken `package.json` does not), and to skip parsing
/// the JSON files that name no policy element. The letters `ses:` elsewhere (`"uses: x"`) do not
/// count.
pub fn looks_like_policy(bytes: &[u8]) -> bool {
    const KEYS: [&[u8]; 3] = [b"Statement", b"Version", b"Policies"];
    let is_key = |start: usize, end: usize| {
        // `"Statement"`, or `\"Statement\"` inside a JSON string: a quote on both sides.
        let opened = bytes[..start].ends_with(b"\"");
        let rest = &bytes[end..];
        let rest = rest
            .strip_prefix(b"\\\"")
            .or_else(|| rest.strip_prefix(b"\""))
            .unwrap_or(b"");
        let colon = rest.iter().find(|b| !b.is_ascii_whitespace());
        opened && colon == Some(&b':')
    };
    let key = KEYS
        .iter()
        .any(|key| memchr::memmem::find_iter(bytes, key).any(|start| is_key(start, start + key.len())));
    key || [b"\"ses:", b"\"SES:"]
        .iter()
        .any(|action| memchr::memmem::find(bytes, *action).is_some())
}

/// Whether a `.tf` file may hold a policy, by a byte search (a large repository is not parsed
/// file by file for nothing).
pub fn terraform_may_hold_policy(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"policy").is_some()
}

/// Whether part of a file too large to read may hold a policy, in any format seslint reads (the
/// `--max-file-size` check scans the file in chunks with it).
pub fn may_hold_policy(window: &[u8]) -> bool {
    looks_like_policy(window) || terraform_may_hold_policy(window)
}

/// Whether a file in a format seslint does not read mentions what an SES identity policy or
/// Cognito's sending authorization is made of: the calls that put an identity policy
/// (`putIdentityPolicy`, `aws ses put-identity-policy`, `create-email-identity-policy`,
/// CloudFormation's and CDK's `EmailIdentityPolicy`), or Cognito's email principal.
pub fn may_hold_ses_policy(bytes: &[u8]) -> bool {
    const MARKERS: [&[u8]; 4] = [
        b"identitypolicy",
        b"identity-policy",
        b"identity_policy",
        b"email.cognito-idp",
    ];
    MARKERS.iter().any(|marker| contains_ignoring_case(bytes, marker))
}

/// A case-insensitive search for an ASCII lower-case `needle`, for text that writes it in
/// another case (`PutIdentityPolicy`): the first byte in either case, then the rest compared.
fn contains_ignoring_case(haystack: &[u8], needle: &[u8]) -> bool {
    let (first, rest) = match needle.split_first() {
        Some(split) => split,
        None => return true,
    };
    memchr::memchr2_iter(*first, first.to_ascii_uppercase(), haystack).any(|at| {
        haystack
            .get(at + 1..at + 1 + rest.len())
            .is_some_and(|candidate| candidate.eq_ignore_ascii_case(rest))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_paths_last_components() {
        for path in [
            "a/b/policy.json",
            "policy.json",
            "./x.tf",
            "a//b.sh",
            "a/b/",
            "a/..",
            ".",
            "/",
            "",
            "a/b/.",
        ] {
            let path = Path::new(path);
            let expected = path.file_name().map(|n| n.to_string_lossy().into_owned());
            assert_eq!(file_name(path).map(|n| n.into_owned()), expected, "{path:?}");
        }
    }

    fn format(name: &str, text: &str) -> Format {
        of(Path::new(name), text.as_bytes())
    }

    #[test]
    fn names_decide_first() {
        assert_eq!(format("ci.yml", "{\"a\": 1}"), Format::Template);
        assert_eq!(format("stack.template", ""), Format::Template);
        assert_eq!(format("main.tf", ""), Format::Terraform);
        assert_eq!(format("main.TF.JSON", ""), Format::Terraform);
        assert_eq!(format("policy.json", "uses: x"), Format::Json);
        assert_eq!(format("stack.ts", ""), Format::Script);
        assert_eq!(format("serverless.CJS", ""), Format::Script);
        assert_eq!(format("stack.d.ts", ""), Format::Other);
        assert_eq!(format("node_modules/aws-cdk-lib/index.js", ""), Format::Other);
        assert_eq!(format("page.tsx", ""), Format::Unread(Unread::JavaScript));
        assert_eq!(format("notes.txt", "{}"), Format::Other);
        assert_eq!(format("Cargo.toml", "[package]"), Format::Other);
    }

    #[test]
    fn content_decides_without_an_extension() {
        assert_eq!(format("policy", "\u{feff}\n  {\"Statement\": []}"), Format::Json);
        assert_eq!(format("deploy", "#!/usr/bin/env -S bash -e\naws ses"), Format::Shell);
        assert_eq!(format("deploy", "#!/bin/sh\n"), Format::Shell);
        assert_eq!(format("README.MD", ""), Format::Markdown);
        assert_eq!(format("index.rst", ""), Format::ReStructuredText);
        assert_eq!(format("notes.mdx", ""), Format::Markdown);
        assert_eq!(format("setup.bash", ""), Format::Shell);
        assert_eq!(format("setup.zsh", "{"), Format::Shell);
        assert_eq!(format("run", "#!/usr/bin/python3\n"), Format::Other);
        assert_eq!(format("Dockerfile", "FROM debian"), Format::Other);
        assert_eq!(format("-", ""), Format::Other);
    }

    #[test]
    fn scripts_are_parsed_only_with_a_policy_marker() {
        assert!(script_may_hold_policy(b"new iam.PolicyStatement({})"));
        assert!(script_may_hold_policy(b"action: 'PutIdentityPolicyCommand'"));
        assert!(script_may_hold_policy(b"Type: 'AWS::IAM::Role'"));
        assert!(!script_may_hold_policy(
            b"export const handler = async () => ({ ok: true });"
        ));
        assert!(!script_may_hold_policy(b"new s3.Bucket(this, 'Assets')"));
    }

    #[test]
    fn ses_policy_markers_in_any_case() {
        assert!(may_hold_ses_policy(b"ses.putIdentityPolicy({ Policy })"));
        assert!(may_hold_ses_policy(b"aws ses put-identity-policy --identity x"));
        assert!(may_hold_ses_policy(b"Type: AWS::SES::EmailIdentityPolicy"));
        assert!(may_hold_ses_policy(
            b"new iam.ServicePrincipal(`email.cognito-idp.${suffix}`)"
        ));
        assert!(may_hold_ses_policy(b"resource \"aws_ses_identity_policy\""));
        assert!(!may_hold_ses_policy(b"uses: actions/checkout@v4\nses: 1"));
        assert!(!may_hold_ses_policy(b"policy"));
    }
}
