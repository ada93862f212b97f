//! Markdown documents (`.md`, `.markdown`, `.mdx`): runbooks, READMEs and design documents
//! whose code blocks hold policies, Terraform snippets, templates and CLI calls.
//!
//! A CommonMark parser (pulldown-cmark) finds the fenced (```` ``` ````, `~~~`) and indented
//! code blocks, also inside list items and block quotes; its offset iterator gives each line of a
//! block with its bytes in the file, without the container's indentation and `>` markers, so that
//! the block's text is a [`Decoded`] whose spans land on the document. Each block is read by
//! `block.rs`.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::source::{LineIndex, Span};

use super::block::{self, Block};
use super::embedded::Decoded;
use super::unit::Extracted;

/// The documents of every code block.
pub fn extract(text: &str) -> Extracted {
    block::read_document(text, blocks)
}

/// The code blocks of a document, in order.
pub fn blocks(text: &str) -> Vec<Block> {
    let lines = LineIndex::new(text);
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let (language, opener) = match kind {
                    CodeBlockKind::Fenced(info) => {
                        let language = info.split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
                        (language, format!("{}{}", fence(text, range.start), info.trim()))
                    }
                    CodeBlockKind::Indented => (String::new(), "indented".to_string()),
                };
                current = Some(Block {
                    text: Decoded::new(Span::new(range.start, range.end)),
                    language,
                    opener,
                    span: Span::new(range.start, range.end),
                    line: lines.position(range.start).line,
                });
            }
            Event::Text(content) => {
                if let Some(block) = &mut current {
                    let source = text.get(range.clone()).unwrap_or_default();
                    if source == &*content {
                        block.text.push_source(source, range.start);
                    } else {
                        // Text the parser made (a tab's columns as spaces): it stands for its range.
                        block.text.push_opaque(&content, Span::new(range.start, range.end));
                    }
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

/// The fence (```` ``` ````, `~~~~`) of a fenced block that starts at `start`.
fn fence(text: &str, start: usize) -> &str {
    let rest = text.get(start..).unwrap_or_default();
    let Some(at) = rest.find(['`', '~']) else {
        return "```";
    };
    let mark = rest[at..].chars().next().unwrap_or('`');
    let len = rest[at..].chars().take_while(|&c| c == mark).count();
    &rest[at..at + len]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_in_lists_and_quotes_map_to_the_file() {
        let text = "# Setup\n\n1. Attach:\n\n   ```json\n   {\"Sid\": \"a\",\n    \"x\": 1}\n   ```\n\n> ~~~\n> {\"Sid\": \"b\"}\n> ~~~\n\n    indented {\"Sid\": \"c\"}\n";
        let found = blocks(text);
        let summary: Vec<(&str, &str, usize)> = found
            .iter()
            .map(|b| (b.opener.as_str(), b.text.text.as_str(), b.line))
            .collect();
        assert_eq!(
            summary,
            [
                ("```json", "{\"Sid\": \"a\",\n \"x\": 1}\n", 5),
                ("~~~", "{\"Sid\": \"b\"}\n", 10),
                ("indented", "indented {\"Sid\": \"c\"}\n", 14),
            ]
        );
        for block in &found {
            for needle in ["\"a\"", "\"x\"", "\"b\"", "\"c\""] {
                if let Some(at) = block.text.text.find(needle) {
                    let span = block.text.span(Span::new(at, at + needle.len()));
                    assert_eq!(&text[span.start..span.end], needle);
                }
            }
        }
    }
}
