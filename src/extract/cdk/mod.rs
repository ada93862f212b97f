//! TypeScript and JavaScript that build infrastructure: CDK stacks and the Serverless
//! Framework's `serverless.ts`. Most CDK repositories do not commit `cdk.out`, so a pre-commit
//! hook or a CI step sees only the code; linting the code reports a problem at the line the
//! engineer wrote rather than in generated JSON.
//!
//! The file is parsed with oxc's parser (byte spans, TypeScript and JavaScript alike), on a stack
//! sized to the file, after a byte scan has bounded its nesting: hostile input can neither
//! overflow a stack nor hang. `walk.rs` gathers names, calls and literals;
//! `values.rs` says what an expression is known to be; `shapes.rs` reads the CDK's IAM classes;
//! `constructs.rs` turns constructs and CloudFormation written as objects into the resources
//! `cloudformation.rs` lints. Policies that belong to no construct (an object literal with a
//! `Statement`, a `new PolicyDocument`, a `new PolicyStatement` on its own) are classified by
//! content, as a bare JSON file is: an S3 bucket policy or a Lambda's permissions give nothing.
//!
//! Code that does not parse is not this tool's business: it gives no finding ([`NotRead`]).

mod constructs;
mod shapes;
mod values;
mod walk;

use std::fmt;
use std::path::Path;

use oxc_allocator::Allocator;
use oxc_ast::ast::{CallExpression, NewExpression, ObjectExpression, ObjectPropertyKind};
use oxc_parser::Parser;
use oxc_span::SourceType;

use super::cloudformation;
use super::shared::compact_size;
use crate::json::{Node, Value};
use crate::policy::{is_policy_document, ContextHint, PolicyDocument};
use values::{last_name, object_name, Reader};

/// The deepest bracket nesting parsed; real code nests a few dozen levels.
pub const MAX_NESTING: usize = 256;

/// The stack a file is parsed and read on, per byte of the file, and its least. The parser
/// recurses once per nested construct; the nesting scan bounds brackets, but not chains the scan
/// cannot tell from ordinary code (`!!!x`, `a = b = c`, `A<B<C>>`), which measured at most about
/// 500 bytes of stack per byte of input in a debug build (type arguments, three bytes a level).
/// When the thread has less left, the read runs on a stack segment of that size (mapped, not
/// touched: ordinary code uses a few hundred KB of it).
const STACK_PER_BYTE: usize = 1024;
const MIN_STACK: usize = 1 << 20;

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotRead {
    /// The parser could not make sense of the file.
    Syntax { message: String, offset: usize },
    /// Brackets nest deeper than [`MAX_NESTING`].
    TooDeep,
    /// The parser stopped without an answer.
    Aborted,
}

impl fmt::Display for NotRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotRead::Syntax { message, offset } => write!(f, "does not parse at byte {offset}: {message}"),
            NotRead::TooDeep => write!(f, "nests brackets deeper than {MAX_NESTING} levels"),
            NotRead::Aborted => write!(f, "could not be read"),
        }
    }
}

impl std::error::Error for NotRead {}

/// The policy documents of a TypeScript/JavaScript file, or why it could not be read.
pub fn extract(path: &Path, text: &str) -> Result<Vec<PolicyDocument>, NotRead> {
    if nesting(text.as_bytes()) > MAX_NESTING {
        return Err(NotRead::TooDeep);
    }
    let source_type = SourceType::from_path(path).unwrap_or_else(|_| SourceType::ts());
    let stack = MIN_STACK.max(text.len().saturating_mul(STACK_PER_BYTE));
    stacker::maybe_grow(stack, stack, || {
        // A panic in the parser is a file not read, not a run that stops.
        std::panic::catch_unwind(|| read(text, source_type)).unwrap_or(Err(NotRead::Aborted))
    })
}

/// The deepest nesting of `(`, `[`, `{` (counted in strings and comments too, which only errs
/// on the side of not parsing).
fn nesting(bytes: &[u8]) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0;
    for &b in bytes {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fn read(text: &str, source_type: SourceType) -> Result<Vec<PolicyDocument>, NotRead> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, text, source_type).parse();
    if let Some(error) = parsed.diagnostics.errors().next() {
        let offset = error.labels.first().map_or(0, |label| label.offset() as usize);
        return Err(NotRead::Syntax {
            message: error.message.to_string(),
            offset,
        });
    }
    if parsed.panicked {
        return Err(NotRead::Syntax {
            message: "the parser gave up".into(),
            offset: 0,
        });
    }
    let reader = Reader::new(text, walk::walk(&parsed.program.body));
    Ok(documents(&reader))
}

/// Every document of the file: the constructs' (through the template reader), then the
/// policies that belong to none.
fn documents(reader: &Reader) -> Vec<PolicyDocument> {
    let whole = crate::source::Span::new(0, reader.text.len());
    let mut documents = Vec::new();
    let resources = reader.resources();
    if !resources.is_empty() {
        let template = Node {
            value: Value::Object(resources),
            span: whole,
        };
        // No fixes are offered in TypeScript (see `extract::without_fixes`): the writer is moot.
        documents.extend(cloudformation::extract_resources(reader.text, &template, true));
    }
    documents.extend(standalone(reader));
    dedupe(documents)
}

/// A policy that may belong to no construct.
enum Candidate<'p, 'a> {
    /// `new PolicyDocument(...)`, `new PolicyStatement(...)`.
    New(&'p NewExpression<'a>),
    /// `PolicyDocument.fromJson(x)`, `PolicyStatement.fromJson(x)`.
    FromJson(&'p CallExpression<'a>),
    /// An object literal with a `Statement` or `Version` key, and the name it is stored under.
    Object(&'p ObjectExpression<'a>, Option<String>),
}

/// The policies no construct holds, classified by content; documents before statements, so
/// that the statements a document holds are not reported again on their own.
fn standalone(reader: &Reader) -> Vec<PolicyDocument> {
    let mut documents: Vec<(u32, Candidate)> = Vec::new();
    let mut statements: Vec<(u32, Candidate)> = Vec::new();
    for new in &reader.found.news {
        match last_name(&new.callee) {
            Some("PolicyDocument") => documents.push((new.span.start, Candidate::New(new))),
            Some("PolicyStatement") => statements.push((new.span.start, Candidate::New(new))),
            _ => {}
        }
    }
    for call in &reader.found.all_calls {
        match (object_name(&call.callee), last_name(&call.callee)) {
            (Some("PolicyDocument"), Some("fromJson")) => documents.push((call.span.start, Candidate::FromJson(call))),
            (Some("PolicyStatement"), Some("fromJson")) => {
                statements.push((call.span.start, Candidate::FromJson(call)))
            }
            _ => {}
        }
    }
    for (object, key) in &reader.found.objects {
        if has_policy_keys(object) {
            let name = key.as_ref().map(|(k, _)| k.clone());
            documents.push((object.span.start, Candidate::Object(object, name)));
        }
    }
    documents.sort_by_key(|(start, _)| *start);
    statements.sort_by_key(|(start, _)| *start);
    let mut found = Vec::new();
    for (start, candidate) in documents {
        if reader.is_consumed(start) {
            continue;
        }
        let (node, label) = match candidate {
            Candidate::New(new) => (reader.knowable(|| Some(reader.document(new, 0))), name(reader, start)),
            Candidate::FromJson(call) => (reader.knowable(|| from_json(reader, call)), name(reader, start)),
            Candidate::Object(object, name) => (reader.knowable(|| Some(reader.object_literal(object))), name),
        };
        if let ((Some(node), true), label) = ((node.0, node.1), label) {
            found.extend(is_policy_document(&node).then(|| document(node, label)));
        }
    }
    for (start, candidate) in statements {
        if reader.is_consumed(start) {
            continue;
        }
        let (node, ok) = reader.knowable(|| match candidate {
            Candidate::New(new) => Some(reader.statement(new, 0)),
            Candidate::FromJson(call) => from_json(reader, call),
            Candidate::Object(..) => None,
        });
        if let (Some(statement), true) = (node, ok) {
            let head = statement.span;
            let whole = shapes::document_node(head, head, vec![statement], head);
            found.push(document(whole, name(reader, start)));
        }
    }
    found
}

fn from_json(reader: &Reader, call: &CallExpression) -> Option<Node> {
    let argument = values::arguments(&call.arguments).next()?;
    Some(reader.value(argument, 0)).filter(|n| n.as_object().is_some())
}

fn name(reader: &Reader, start: u32) -> Option<String> {
    reader.found.names.get(&start).cloned()
}

/// A policy no construct holds: what it is depends on its content.
fn document(node: Node, label: Option<String>) -> PolicyDocument {
    let label = label
        .map(|l| l.trim_start_matches("this.").to_string())
        .unwrap_or_default();
    PolicyDocument::new(
        label,
        ContextHint::Unknown,
        Some(&node),
        (&[], &[]),
        node.span,
        compact_size(&node),
        &|s| s,
    )
}

/// Whether an object literal has a `Statement` or `Version` key (a policy document's).
fn has_policy_keys(object: &ObjectExpression) -> bool {
    object.properties.iter().any(|p| match p {
        ObjectPropertyKind::ObjectProperty(p) => {
            matches!(p.key.static_name().as_deref(), Some("Statement" | "Version"))
        }
        ObjectPropertyKind::SpreadProperty(_) => false,
    })
}

/// The same policy read twice (one object given to two calls) is linted once.
fn dedupe(documents: Vec<PolicyDocument>) -> Vec<PolicyDocument> {
    let mut seen = std::collections::HashSet::new();
    documents
        .into_iter()
        .filter(|d| d.canonical.is_none() || seen.insert((d.span.start, d.span.end, d.context as u8)))
        .collect()
}
