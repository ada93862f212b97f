//! `json::parse` on arbitrary text, then `json::decode_string_literal` on every string literal
//! the parse found (keys and values).
//!
//! Asserts: every span of the tree, of the errors and of the duplicate keys lies in the text on
//! character boundaries; a string's span is its literal, quotes included; decoding the literal
//! again gives the value the parse gave; the offset map sends every decoded character boundary
//! into the literal, on character boundaries, in order, and the whole decoded text onto the
//! literal without its quotes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seslint::json::{self, Node, Value};
use seslint::source::Span;
use seslint_fuzz::check_span;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;
    let parsed = json::parse(text);
    for error in &parsed.errors {
        check_span(text, error.span, &format!("error {:?}", error.message));
    }
    for duplicate in &parsed.duplicate_keys {
        check_span(text, duplicate.first, &"first duplicate key");
        check_span(text, duplicate.second, &"second duplicate key");
        assert!(duplicate.first.start < duplicate.second.start, "duplicates in order");
    }
    let Some(root) = &parsed.root else {
        assert!(parsed.errors.iter().any(|e| e.fatal), "no root without a fatal error");
        return;
    };
    check_span(text, root.span, &"root");
    // Iterative walk: the parser accepts nesting far deeper than a recursive walk should risk.
    let mut stack: Vec<&Node> = vec![root];
    while let Some(node) = stack.pop() {
        check_span(text, node.span, &"node");
        match &node.value {
            Value::String(value) => check_literal(text, node.span, value),
            Value::Number(number) => assert_eq!(&text[node.span.start..node.span.end], number),
            Value::Array(items) => {
                for item in items {
                    assert!(node.span.start < item.span.start && item.span.end < node.span.end);
                    stack.push(item);
                }
            }
            Value::Object(members) => {
                for member in members {
                    check_span(text, member.key_span, &"key");
                    check_literal(text, member.key_span, &member.key);
                    assert!(member.key_span.end <= member.value.span.start, "key before value");
                    assert!(node.span.start < member.key_span.start && member.value.span.end < node.span.end);
                    stack.push(&member.value);
                }
            }
            Value::Null | Value::Bool(_) => {}
        }
    }
});

/// Checks the string literal at `literal`, which the parse decoded to `value`.
fn check_literal(text: &str, literal: Span, value: &str) {
    let source = &text[literal.start..literal.end];
    assert!(
        source.len() >= 2 && source.starts_with('"') && source.ends_with('"'),
        "a string's span is its quoted literal: {source:?}"
    );
    let (decoded, map) = json::decode_string_literal(text, literal);
    assert_eq!(decoded, value, "decoding the literal again gives the parsed value");
    let inner = Span::new(literal.start + 1, literal.end - 1);
    if !decoded.is_empty() {
        assert_eq!(
            map.span(Span::new(0, decoded.len())),
            inner,
            "the whole decoded text maps onto the literal without its quotes"
        );
    }
    let mut previous = inner.start;
    let boundaries = decoded.char_indices().map(|(i, _)| i).chain([decoded.len()]);
    for at in boundaries {
        for (which, offset) in [("start", map.start(at)), ("end", map.end(at))] {
            if decoded.is_empty() {
                // An empty literal has no pieces to map through.
                break;
            }
            assert!(
                inner.start <= offset && offset <= inner.end,
                "map.{which}({at}) = {offset} is outside the literal {}..{}",
                inner.start,
                inner.end
            );
            assert!(
                text.is_char_boundary(offset),
                "map.{which}({at}) = {offset} is inside a character"
            );
        }
        if !decoded.is_empty() {
            let start = map.start(at);
            assert!(start >= previous, "map.start is monotonic");
            previous = start;
        }
    }
    // Every decoded character maps to a non-empty piece of the literal.
    for (at, c) in decoded.char_indices() {
        let span = map.span(Span::new(at, at + c.len_utf8()));
        check_span(text, span, &format!("decoded {c:?} at {at}"));
        assert!(
            inner.start <= span.start && span.end <= inner.end && !span.is_empty(),
            "decoded {c:?} at {at} maps to {}..{}, outside the literal {}..{}",
            span.start,
            span.end,
            inner.start,
            inner.end
        );
    }
}
