//! The canonical form of a policy document: a tree of nodes that carries its spans.
//!
//! IAM accepts many spellings of one policy (a single statement object or a list, a string or a
//! list of actions, `"Principal": "*"`, condition keys in any case). Rules are easier to write,
//! and harder to get wrong, against one shape; diagnostics must still point at what the user
//! wrote. So every document is turned into a canonical [`Tree`] whose nodes know the bytes they
//! came from.
//!
//! Canonical form:
//! - `Statement` is always a list of statements;
//! - `Action`, `NotAction`, `Resource`, `NotResource`, each `Principal` / `NotPrincipal` entry,
//!   and each condition value are always lists;
//! - `"Principal": "*"` (any string principal) becomes `{"AWS": ["*"]}`;
//! - condition keys are folded to lower case (IAM compares them case-insensitively); the key as
//!   written stays available through [`NodeRef::written_key`];
//! - a repeated key keeps its first position and its last value (what AWS keeps).
//!
//! The tree: every node lives in one arena (`Vec`) and is named by a [`NodeId`]; a container's
//! children are a contiguous run of ids in a second `Vec`; every string (values, numbers' text,
//! keys) is a range of one string pool, and the keys rules look up (`Statement`, `Effect`,
//! `Action`, ...) are stored once per document. A node knows its value span and, for an object
//! member, its key span, both already in the file's bytes, and its parent and position. So a
//! rule walks node ids without allocating; a JSON pointer (the location of a finding) is built
//! by walking up the parents, only for a finding; lines and columns are computed by the report.
//!
//! A tree is built from a parsed `json::Node` tree, or, for a file that is one policy document
//! ([`parse_whole`]), straight from the parser as it reads the text: the same nodes in the same
//! order, without the whole document held twice.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::Value;

use crate::json::{self, DuplicateKey, Scalar, SyntaxError};
use crate::source::Span;

/// What kind of policy a document is, which decides the rules that see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// An SES identity (sending-authorization) policy.
    SesIdentityPolicy,
    /// An IAM role trust policy (its statements allow `sts:AssumeRole*`).
    RoleTrustPolicy,
    /// Any other policy: an S3 bucket policy, an IAM permissions policy, ...
    Unrelated,
    /// Text that should hold a policy but could not be parsed into one.
    Unparsed,
    /// Not a policy: a user pool and the identity policies it depends on, for the
    /// cross-resource rules (`extract/pools.rs`).
    UserPool,
}

/// What the container says about the documents it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextHint {
    /// The container only holds SES identity policies (an SES CLI export, a Terraform
    /// `aws_ses_identity_policy`).
    SesIdentityPolicy,
    /// Nothing is known: classify by content.
    Unknown,
    /// The container holds no SES identity policy (an SNS topic policy, an IAM role): classify
    /// by content, but never as an SES identity policy.
    NotSesIdentityPolicy,
    /// A pool document built by `extract/pools.rs` (not a policy).
    UserPool,
}

/// Names a node of a [`Tree`].
pub type NodeId = u32;

/// The JSON type of a canonical node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// A range of a tree's string pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Str {
    start: u32,
    len: u32,
}

/// No string: a node that is not an object member.
const NO_STR: Str = Str {
    start: u32::MAX,
    len: 0,
};

/// No node: the parent of the root.
const NO_NODE: NodeId = NodeId::MAX;

/// A span stored in half the room of a [`Span`]: a tree of a large policy holds millions. Offsets
/// past 4 GiB (beyond any `--max-file-size` that makes sense) are clamped.
#[derive(Debug, Clone, Copy, Default)]
struct Bytes {
    start: u32,
    end: u32,
}

impl From<Span> for Bytes {
    fn from(span: Span) -> Self {
        let clamp = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX);
        Bytes {
            start: clamp(span.start),
            end: clamp(span.end),
        }
    }
}

impl From<Bytes> for Span {
    fn from(bytes: Bytes) -> Self {
        Span::new(bytes.start as usize, bytes.end as usize)
    }
}

#[derive(Debug, Clone)]
struct Node {
    /// The value's bytes in the file.
    value: Bytes,
    /// The key's bytes in the file, when `written` is set.
    key_span: Bytes,
    /// A string's or number's text; a container's children (start and length in `children`).
    data: Str,
    /// The key the node is stored under in the canonical form (`NO_STR` outside objects).
    key: Str,
    /// The key as written in the file (`NO_STR` for items and for the synthesized `AWS` of
    /// `"Principal": "*"`).
    written: Str,
    parent: NodeId,
    /// The position among the parent's children.
    index: u32,
    kind: Kind,
    /// A boolean's value.
    truth: bool,
}

/// The canonical form of one document: an arena of nodes with their spans (module docs).
#[derive(Debug, Clone, Default)]
pub struct Tree {
    nodes: Vec<Node>,
    children: Vec<NodeId>,
    pool: String,
    /// No string of the tree holds an unknown part (see `unknown.rs`): rules need not look for
    /// one in each value they test. `false` until the tree is complete.
    known: bool,
}

/// Keys stored once per document rather than once per use.
const COMMON_KEYS: [&str; 20] = [
    "Version",
    "Id",
    "Statement",
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
    "AWS",
    "Service",
    "StringEquals",
    "ArnLike",
    "ArnEquals",
    "StringLike",
    "aws:sourceaccount",
    "aws:sourcearn",
];

/// The position of `key` in [`COMMON_KEYS`] (a `match`: compiled to a test of the length, then
/// of the text, where a search compares with each key in turn).
fn common_key(key: &str) -> Option<usize> {
    let i = match key {
        "Version" => 0,
        "Id" => 1,
        "Statement" => 2,
        "Sid" => 3,
        "Effect" => 4,
        "Principal" => 5,
        "NotPrincipal" => 6,
        "Action" => 7,
        "NotAction" => 8,
        "Resource" => 9,
        "NotResource" => 10,
        "Condition" => 11,
        "AWS" => 12,
        "Service" => 13,
        "StringEquals" => 14,
        "ArnLike" => 15,
        "ArnEquals" => 16,
        "StringLike" => 17,
        "aws:sourceaccount" => 18,
        "aws:sourcearn" => 19,
        _ => return None,
    };
    Some(i)
}

impl Tree {
    /// The root node (every tree has one).
    pub fn root(&self) -> NodeRef<'_> {
        NodeRef { tree: self, id: 0 }
    }

    /// The node `id` (an id this tree handed out).
    pub fn node(&self, id: NodeId) -> NodeRef<'_> {
        NodeRef { tree: self, id }
    }

    /// How many nodes the arena holds.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    fn str(&self, s: Str) -> &str {
        if s.start == u32::MAX {
            return "";
        }
        let start = s.start as usize;
        self.pool.get(start..start + s.len as usize).unwrap_or_default()
    }

    /// Adds `text` to the pool. A pool past 4 GiB cannot be addressed: its strings read as empty.
    fn push_str(&mut self, text: &str) -> Str {
        let start = self.pool.len();
        match (u32::try_from(start), u32::try_from(text.len())) {
            (Ok(s), Ok(len)) if u32::try_from(start + text.len()).is_ok() => {
                self.pool.push_str(text);
                Str { start: s, len }
            }
            _ => Str { start: 0, len: 0 },
        }
    }

    fn push_node(&mut self, value: Span, parent: NodeId, index: u32) -> NodeId {
        let id = NodeId::try_from(self.nodes.len()).unwrap_or(NO_NODE - 1);
        self.nodes.push(Node {
            value: value.into(),
            key_span: Bytes::default(),
            data: NO_STR,
            key: NO_STR,
            written: NO_STR,
            parent,
            index,
            kind: Kind::Null,
            truth: false,
        });
        id
    }

    fn at(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id as usize)
    }

    fn children_of(&self, id: NodeId) -> &[NodeId] {
        match self.at(id) {
            Some(n) if matches!(n.kind, Kind::Array | Kind::Object) => {
                let start = n.data.start as usize;
                self.children
                    .get(start..start + n.data.len as usize)
                    .unwrap_or_default()
            }
            _ => &[],
        }
    }

    /// A tree of a plain JSON value (a document's facts); its spans are empty.
    pub fn from_value(value: &Value) -> Tree {
        let mut tree = Tree::default();
        let mut stack = Vec::new();
        let root = tree.push_node(Span::default(), NO_NODE, 0);
        tree.fill_from_value(root, value, &mut stack);
        tree.known = !crate::unknown::is_partly_unknown(&tree.pool);
        tree
    }

    /// Whether no string of the tree holds an unknown part.
    pub fn is_known(&self) -> bool {
        self.known
    }

    fn fill_from_value(&mut self, id: NodeId, value: &Value, stack: &mut Vec<NodeId>) {
        let (kind, data, truth) = match value {
            Value::Null => (Kind::Null, NO_STR, false),
            Value::Bool(b) => (Kind::Bool, NO_STR, *b),
            Value::Number(n) => (Kind::Number, self.push_str(&n.to_string()), false),
            Value::String(s) => (Kind::String, self.push_str(s), false),
            Value::Array(items) => {
                let mark = stack.len();
                for (i, item) in items.iter().enumerate() {
                    let child = self.push_node(Span::default(), id, i as u32);
                    self.fill_from_value(child, item, stack);
                    stack.push(child);
                }
                (Kind::Array, self.take_children(stack, mark), false)
            }
            Value::Object(map) => {
                let mark = stack.len();
                for (i, (key, item)) in map.iter().enumerate() {
                    let child = self.push_node(Span::default(), id, i as u32);
                    let key = self.push_str(key);
                    if let Some(node) = self.nodes.get_mut(child as usize) {
                        node.key = key;
                        node.written = key;
                    }
                    self.fill_from_value(child, item, stack);
                    stack.push(child);
                }
                (Kind::Object, self.take_children(stack, mark), false)
            }
        };
        if let Some(node) = self.nodes.get_mut(id as usize) {
            node.kind = kind;
            node.data = data;
            node.truth = truth;
        }
    }

    /// Moves the ids pushed on `stack` since `mark` to the children list.
    fn take_children(&mut self, stack: &mut Vec<NodeId>, mark: usize) -> Str {
        let start = self.children.len();
        self.children.extend(stack.drain(mark..));
        Str {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(self.children.len() - start).unwrap_or(0),
        }
    }

    /// The document as a `serde_json::Value` (tests, messages that show a whole value).
    pub fn to_value(&self) -> Value {
        self.root().to_value()
    }

    /// Rewrites every span of the tree.
    fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        for node in &mut self.nodes {
            node.value = f(node.value.into()).into();
            if node.written != NO_STR {
                node.key_span = f(node.key_span.into()).into();
            }
        }
    }
}

impl serde::Serialize for Tree {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

/// A node of a tree, for reading.
#[derive(Debug, Clone, Copy)]
pub struct NodeRef<'t> {
    tree: &'t Tree,
    id: NodeId,
}

impl<'t> NodeRef<'t> {
    pub fn id(self) -> NodeId {
        self.id
    }

    pub fn tree(self) -> &'t Tree {
        self.tree
    }

    fn node(self) -> Option<&'t Node> {
        self.tree.at(self.id)
    }

    pub fn kind(self) -> Kind {
        self.node().map_or(Kind::Null, |n| n.kind)
    }

    pub fn is_container(self) -> bool {
        matches!(self.kind(), Kind::Array | Kind::Object)
    }

    /// The string's text, for a string node.
    pub fn as_str(self) -> Option<&'t str> {
        let node = self.node()?;
        (node.kind == Kind::String).then(|| self.tree.str(node.data))
    }

    pub fn as_bool(self) -> Option<bool> {
        let node = self.node()?;
        (node.kind == Kind::Bool).then_some(node.truth)
    }

    /// A number's text as written.
    pub fn number_text(self) -> Option<&'t str> {
        let node = self.node()?;
        (node.kind == Kind::Number).then(|| self.tree.str(node.data))
    }

    /// A number's value as a float (JSONPath comparisons).
    pub fn as_f64(self) -> Option<f64> {
        serde_json::from_str::<serde_json::Number>(self.number_text()?)
            .ok()?
            .as_f64()
    }

    /// The children of an array or object, in order (none for a scalar).
    pub fn children(self) -> impl ExactSizeIterator<Item = NodeRef<'t>> + 't {
        let tree = self.tree;
        tree.children_of(self.id).iter().map(move |&id| NodeRef { tree, id })
    }

    /// The child ids of an array or object.
    pub fn child_ids(self) -> &'t [NodeId] {
        self.tree.children_of(self.id)
    }

    /// The member stored under `key` in the canonical form, for an object.
    pub fn get(self, key: &str) -> Option<NodeRef<'t>> {
        if self.kind() != Kind::Object {
            return None;
        }
        // Most members differ in length from the key sought: compare lengths before text.
        let tree = self.tree;
        self.children().find(|c| {
            c.node()
                .is_some_and(|n| n.key != NO_STR && n.key.len as usize == key.len() && tree.str(n.key) == key)
        })
    }

    /// The item at `index`, for an array.
    pub fn item(self, index: usize) -> Option<NodeRef<'t>> {
        if self.kind() != Kind::Array {
            return None;
        }
        let id = *self.child_ids().get(index)?;
        Some(NodeRef { tree: self.tree, id })
    }

    /// The key the node is stored under in the canonical form (folded for condition keys).
    pub fn key(self) -> Option<&'t str> {
        let node = self.node()?;
        (node.key != NO_STR).then(|| self.tree.str(node.key))
    }

    /// The key as written in the file, for a member the file holds.
    pub fn written_key(self) -> Option<&'t str> {
        let node = self.node()?;
        (node.written != NO_STR).then(|| self.tree.str(node.written))
    }

    /// The value's bytes in the file.
    pub fn value_span(self) -> Span {
        self.node().map_or_else(Span::default, |n| n.value.into())
    }

    /// The key's bytes in the file, for a member the file holds.
    pub fn key_span(self) -> Option<Span> {
        let node = self.node()?;
        (node.written != NO_STR).then_some(node.key_span.into())
    }

    pub fn parent(self) -> Option<NodeRef<'t>> {
        let node = self.node()?;
        (node.parent != NO_NODE).then_some(NodeRef {
            tree: self.tree,
            id: node.parent,
        })
    }

    /// The position among the parent's children.
    pub fn index(self) -> usize {
        self.node().map_or(0, |n| n.index as usize)
    }

    /// The node's JSON pointer (RFC 6901) in the canonical document.
    pub fn pointer(self) -> String {
        let mut tokens: Vec<NodeRef> = Vec::new();
        let mut at = self;
        while let Some(parent) = at.parent() {
            tokens.push(at);
            at = parent;
        }
        let mut pointer = String::new();
        for node in tokens.iter().rev() {
            pointer.push('/');
            match node.key() {
                Some(key) if key.contains(['~', '/']) => {
                    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                }
                Some(key) => pointer.push_str(key),
                None => pointer.push_str(&node.index().to_string()),
            }
        }
        pointer
    }

    /// The node as a `serde_json::Value`.
    pub fn to_value(self) -> Value {
        match self.kind() {
            Kind::Null => Value::Null,
            Kind::Bool => Value::Bool(self.as_bool().unwrap_or_default()),
            Kind::Number => serde_json::from_str(self.number_text().unwrap_or_default()).unwrap_or(Value::Null),
            Kind::String => Value::String(self.as_str().unwrap_or_default().to_string()),
            Kind::Array => Value::Array(self.children().map(NodeRef::to_value).collect()),
            Kind::Object => Value::Object(
                self.children()
                    .map(|c| (c.key().unwrap_or_default().to_string(), c.to_value()))
                    .collect(),
            ),
        }
    }

    /// JSON equality, as `serde_json::Value` has it (object members in any order).
    pub fn same_value(self, other: NodeRef) -> bool {
        match (self.kind(), other.kind()) {
            (Kind::Null, Kind::Null) => true,
            (Kind::Bool, Kind::Bool) => self.as_bool() == other.as_bool(),
            (Kind::String, Kind::String) => self.as_str() == other.as_str(),
            (Kind::Number, Kind::Number) => {
                let number = |n: NodeRef| serde_json::from_str::<serde_json::Number>(n.number_text()?).ok();
                number(self) == number(other)
            }
            (Kind::Array, Kind::Array) => {
                self.children().len() == other.children().len()
                    && self.children().zip(other.children()).all(|(a, b)| a.same_value(b))
            }
            (Kind::Object, Kind::Object) => {
                self.children().len() == other.children().len()
                    && self
                        .children()
                        .all(|a| a.key().and_then(|k| other.get(k)).is_some_and(|b| a.same_value(b)))
            }
            _ => false,
        }
    }
}

/// One policy document found in a file.
#[derive(Debug, Clone)]
pub struct PolicyDocument {
    /// Where in its container the document lives (`Policies.cognito`); empty for a whole file.
    pub label: String,
    pub context: Context,
    /// The canonical document with its spans; `None` when the text could not be parsed.
    pub canonical: Option<Tree>,
    /// The document's text in the file (for a policy inside a JSON string: the string literal).
    pub span: Span,
    /// The size of the policy text as AWS receives it, in bytes.
    pub size_bytes: usize,
    /// Syntax errors, with spans in the file.
    pub syntax_errors: Vec<SyntaxError>,
    /// Errors in the syntax of the file that holds the policy (Terraform that does not parse),
    /// as opposed to the policy's own JSON: the file's policies could not be read at all.
    pub file_errors: Vec<SyntaxError>,
    /// Repeated keys, with spans in the file.
    pub duplicate_keys: Vec<DuplicateKey>,
    /// What the container knows about the document beyond its text (README: "Facts"), for
    /// rules' `fact` clauses; `null` when nothing is known.
    pub facts: Value,
    /// How the policy is written in its file, for fixes (`Opaque`: no fix is offered).
    pub syntax: crate::fix::Syntax,
}

/// The statement keys that hold a list of strings in canonical form.
const LIST_KEYS: [&str; 4] = ["Action", "NotAction", "Resource", "NotResource"];

impl PolicyDocument {
    /// Builds a document from a parsed JSON value. `errors` and `duplicate_keys` are the parse
    /// problems inside it; `map_span` translates spans of the parsed text into spans of the
    /// file (the identity for a whole file; an [`json::OffsetMap`] for a string).
    pub fn new(
        label: String,
        hint: ContextHint,
        root: Option<&json::Node>,
        problems: (&[SyntaxError], &[DuplicateKey]),
        span: Span,
        size_bytes: usize,
        map_span: &dyn Fn(Span) -> Span,
    ) -> Self {
        let canonical = root.map(|root| {
            let mut builder = Builder::new(map_span, root);
            let id = builder.tree.push_node(map_span(root.span), NO_NODE, 0);
            builder.convert(id, root, Role::Document);
            builder.done()
        });
        PolicyDocument::assemble(label, hint, canonical, problems, span, size_bytes, map_span)
    }

    /// A whole file that is one policy document, parsed straight into its canonical tree
    /// ([`parse_whole`]); `problems` are the parse problems inside it. Spans are the file's own.
    pub fn from_whole(
        whole: Whole,
        label: String,
        hint: ContextHint,
        problems: (&[SyntaxError], &[DuplicateKey]),
    ) -> Self {
        let canonical = Some((whole.tree, whole.folded_duplicates));
        PolicyDocument::assemble(label, hint, canonical, problems, whole.span, whole.span.len(), &|s| s)
    }

    /// A document of its canonical tree (with the condition keys repeated in another case) and
    /// its parse problems, spans mapped by `map_span`.
    fn assemble(
        label: String,
        hint: ContextHint,
        canonical: Option<(Tree, Vec<DuplicateKey>)>,
        problems: (&[SyntaxError], &[DuplicateKey]),
        span: Span,
        size_bytes: usize,
        map_span: &dyn Fn(Span) -> Span,
    ) -> Self {
        let (errors, duplicates) = problems;
        let syntax_errors = errors
            .iter()
            .map(|e| SyntaxError {
                span: map_span(e.span),
                ..e.clone()
            })
            .collect();
        let mut duplicate_keys = duplicates
            .iter()
            .map(|d| DuplicateKey {
                key: d.key.clone(),
                first: map_span(d.first),
                second: map_span(d.second),
            })
            .collect::<Vec<_>>();
        let canonical = canonical.map(|(tree, mut folded)| {
            duplicate_keys.append(&mut folded);
            tree
        });
        let context = match &canonical {
            None => Context::Unparsed,
            Some(_) if hint == ContextHint::SesIdentityPolicy => Context::SesIdentityPolicy,
            Some(_) if hint == ContextHint::UserPool => Context::UserPool,
            Some(tree) => match classify(tree.root()) {
                Context::SesIdentityPolicy if hint == ContextHint::NotSesIdentityPolicy => Context::Unrelated,
                context => context,
            },
        };
        PolicyDocument {
            label,
            context,
            canonical,
            span,
            size_bytes,
            syntax_errors,
            file_errors: Vec::new(),
            duplicate_keys,
            facts: Value::Null,
            syntax: crate::fix::Syntax::Opaque,
        }
    }

    /// A whole text parsed as one policy of the kind `hint` says (a rule's example, a snippet):
    /// spans are the text's own.
    pub fn from_json(text: &str, hint: ContextHint) -> PolicyDocument {
        let parsed = json::parse(text);
        let problems = (&parsed.errors[..], &parsed.duplicate_keys[..]);
        PolicyDocument::new(
            String::new(),
            hint,
            parsed.root.as_ref(),
            problems,
            Span::new(0, text.len()),
            text.len(),
            &|s| s,
        )
    }

    /// Whether the document counts as a policy checked (a pool document does not).
    pub fn is_policy(&self) -> bool {
        self.canonical.is_some() && self.context != Context::UserPool
    }

    /// Rewrites every span the document carries (its nodes, syntax errors, repeated keys and its
    /// own span): for a document built on decoded text (a code block, a template) that moves
    /// into the file's bytes.
    pub fn map_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        if let Some(tree) = &mut self.canonical {
            tree.map_spans(f);
        }
        for error in self.syntax_errors.iter_mut().chain(&mut self.file_errors) {
            error.span = f(error.span);
        }
        for duplicate in &mut self.duplicate_keys {
            duplicate.first = f(duplicate.first);
            duplicate.second = f(duplicate.second);
        }
        self.span = f(self.span);
    }

    /// The statements of the canonical document, in order.
    pub fn statements(&self) -> impl Iterator<Item = NodeRef<'_>> {
        self.canonical
            .as_ref()
            .and_then(|tree| tree.root().get("Statement"))
            .filter(|s| s.kind() == Kind::Array)
            .into_iter()
            .flat_map(NodeRef::children)
    }
}

/// Whether a JSON object is a policy document: it has `Statement`, or an IAM `Version` (so
/// that a misspelled `Statement` is reported rather than skipped).
pub fn is_policy_document(node: &json::Node) -> bool {
    node.get("Statement").is_some()
        || node
            .get("Version")
            .and_then(|v| v.value.as_str())
            .is_some_and(|v| v == "2012-10-17" || v == "2008-10-17")
}

/// What a canonical node is in the policy grammar, which decides how it is canonicalized.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Document,
    Statement,
    List,
    Principal,
    Condition,
    ConditionOperator,
    Other,
}

/// The role of the member `key` of an object whose role is `role`.
fn member_role(role: Role, key: &str) -> Role {
    match (role, key) {
        (Role::Document, "Statement") => Role::Statement,
        (Role::Statement, k) if LIST_KEYS.contains(&k) => Role::List,
        (Role::Statement, "Principal" | "NotPrincipal") => Role::Principal,
        (Role::Statement, "Condition") => Role::Condition,
        (Role::Principal, _) => Role::List,
        (Role::Condition, _) => Role::ConditionOperator,
        (Role::ConditionOperator, _) => Role::List,
        _ => Role::Other,
    }
}

/// Builds a [`Tree`] from a parsed document.
struct Builder<'a> {
    tree: Tree,
    /// Condition keys repeated in another case (`aws:SourceArn`, `AWS:SourceArn`), file spans.
    folded_duplicates: Vec<DuplicateKey>,
    map_span: &'a dyn Fn(Span) -> Span,
    /// Child ids of the containers being built, innermost last.
    stack: Vec<NodeId>,
    /// The pool ranges of [`COMMON_KEYS`].
    common: [Str; COMMON_KEYS.len()],
}

impl<'a> Builder<'a> {
    fn new(map_span: &'a dyn Fn(Span) -> Span, root: &json::Node) -> Self {
        // Sized once from the parse, so that a large document is not copied as its arena grows
        // (pages reserved and never used are not memory the process holds). Canonicalizing at
        // most doubles the nodes (a list around each single value).
        let (nodes, text) = measure(root);
        Builder::sized(map_span, nodes * 2 + 1, text + 256)
    }

    /// A builder whose arena has room for `nodes` nodes and `text` bytes of strings.
    fn sized(map_span: &'a dyn Fn(Span) -> Span, nodes: usize, text: usize) -> Self {
        let mut tree = Tree {
            nodes: Vec::with_capacity(nodes),
            children: Vec::with_capacity(nodes),
            pool: String::with_capacity(text),
            known: false,
        };
        let common = COMMON_KEYS.map(|k| tree.push_str(k));
        Builder {
            tree,
            folded_duplicates: Vec::new(),
            map_span,
            stack: Vec::new(),
            common,
        }
    }

    /// The pool range of `key`, stored once when it is a common key.
    fn key_str(&mut self, key: &str) -> Str {
        match common_key(key) {
            Some(i) => self.common[i],
            None => self.tree.push_str(key),
        }
    }

    /// A new child of `parent` at the next position, with its value span in the parsed text.
    fn child(&mut self, parent: NodeId, mark: usize, span: Span) -> NodeId {
        let index = u32::try_from(self.stack.len() - mark).unwrap_or(u32::MAX);
        let id = self.tree.push_node((self.map_span)(span), parent, index);
        self.stack.push(id);
        id
    }

    fn set(&mut self, id: NodeId, kind: Kind, data: Str, truth: bool) {
        if let Some(node) = self.tree.nodes.get_mut(id as usize) {
            node.kind = kind;
            node.data = data;
            node.truth = truth;
        }
    }

    fn finish(&mut self, id: NodeId, kind: Kind, mark: usize) {
        let data = self.tree.take_children(&mut self.stack, mark);
        self.set(id, kind, data, false);
    }

    fn convert(&mut self, id: NodeId, node: &json::Node, role: Role) {
        match (&node.value, role) {
            (json::Value::Object(members), _) => self.convert_object(id, members, role),
            (json::Value::Array(items), Role::Document | Role::Statement | Role::Other | Role::List) => {
                let item_role = if matches!(role, Role::List) { Role::Other } else { role };
                let mark = self.stack.len();
                for item in items {
                    let child = self.child(id, mark, item.span);
                    self.convert(child, item, item_role);
                }
                self.finish(id, Kind::Array, mark);
            }
            (_, Role::List) => {
                // A single value stands for a one-element list.
                let mark = self.stack.len();
                let child = self.child(id, mark, node.span);
                self.convert(child, node, Role::Other);
                self.finish(id, Kind::Array, mark);
            }
            (json::Value::String(_), Role::Principal) => {
                // "Principal": "*" means {"AWS": ["*"]}.
                let mark = self.stack.len();
                let child = self.child(id, mark, node.span);
                let aws = self.key_str("AWS");
                if let Some(n) = self.tree.nodes.get_mut(child as usize) {
                    n.key = aws;
                }
                self.convert(child, node, Role::List);
                self.finish(id, Kind::Object, mark);
            }
            (value, _) => self.scalar(id, value),
        }
    }

    /// The finished tree, with the condition keys repeated in another case.
    fn done(mut self) -> (Tree, Vec<DuplicateKey>) {
        self.tree.nodes.shrink_to_fit();
        self.tree.children.shrink_to_fit();
        self.tree.pool.shrink_to_fit();
        self.tree.known = !crate::unknown::is_partly_unknown(&self.tree.pool);
        (self.tree, self.folded_duplicates)
    }

    fn scalar(&mut self, id: NodeId, value: &json::Value) {
        match value {
            json::Value::Null => self.put(id, Scalar::Null),
            json::Value::Bool(b) => self.put(id, Scalar::Bool(*b)),
            json::Value::Number(n) => self.put(id, Scalar::Number(n)),
            json::Value::String(s) => self.put(id, Scalar::String(Cow::Borrowed(s))),
            // Containers in a place that takes a scalar (`"Principal": [...]`) become null.
            json::Value::Array(_) | json::Value::Object(_) => self.set(id, Kind::Null, NO_STR, false),
        }
    }

    fn put(&mut self, id: NodeId, value: Scalar<'_>) {
        match value {
            Scalar::Null => self.set(id, Kind::Null, NO_STR, false),
            Scalar::Bool(b) => self.set(id, Kind::Bool, NO_STR, b),
            Scalar::Number(n) => {
                // A number serde_json cannot hold (1e400) is kept as a string.
                let kind = if serde_json::from_str::<serde_json::Number>(n).is_ok() {
                    Kind::Number
                } else {
                    Kind::String
                };
                let data = self.tree.push_str(n);
                self.set(id, kind, data, false);
            }
            Scalar::String(s) => {
                // `${...}` (a Terraform reference, an IAM policy variable) cannot be known statically.
                let data = match crate::unknown::substitute(&s) {
                    Some(known) => self.tree.push_str(&known),
                    None => self.tree.push_str(&s),
                };
                self.set(id, Kind::String, data, false);
            }
        }
    }

    fn convert_object(&mut self, id: NodeId, members: &[json::Member], role: Role) {
        let mark = self.stack.len();
        // Members by canonical key, for objects too large to search.
        let mut index: Option<HashMap<String, usize>> = None;
        for member in members {
            let member_role = member_role(role, &member.key);
            let written = self.key_str(&member.key);
            let key = match role {
                Role::ConditionOperator => self.folded_key(&member.key, written),
                _ => written,
            };
            // A repeated key keeps its first position and takes the last value.
            let position = self.find_member(mark, &mut index, key);
            let child = match position {
                Some(at) => {
                    let child = self.tree.push_node((self.map_span)(member.value.span), id, at as u32);
                    let earlier = self.stack[mark + at];
                    if matches!(role, Role::ConditionOperator) {
                        self.note_case_folded_repeat(earlier, &member.key, member.key_span);
                    }
                    self.stack[mark + at] = child;
                    child
                }
                None => self.child(id, mark, member.value.span),
            };
            let key_span = (self.map_span)(member.key_span);
            if let Some(n) = self.tree.nodes.get_mut(child as usize) {
                n.key = key;
                n.written = written;
                n.key_span = key_span.into();
            }
            if matches!((role, member_role), (Role::Document, Role::Statement)) {
                self.convert_statements(child, &member.value);
            } else {
                self.convert(child, &member.value, member_role);
            }
        }
        self.finish(id, Kind::Object, mark);
    }

    /// The lower-case form of a condition key, stored only when it differs from `written`.
    fn folded_key(&mut self, key: &str, written: Str) -> Str {
        if !key.is_ascii() {
            let lower = key.to_lowercase();
            return if lower == key { written } else { self.key_str(&lower) };
        }
        if !key.bytes().any(|b| b.is_ascii_uppercase()) {
            return written;
        }
        let common = COMMON_KEYS
            .iter()
            .position(|k| k.eq_ignore_ascii_case(key) && !k.bytes().any(|b| b.is_ascii_uppercase()));
        if let Some(i) = common {
            return self.common[i];
        }
        let start = self.tree.pool.len();
        let folded = self.tree.push_str(key);
        // ASCII lower-casing keeps the pool valid UTF-8.
        if let Some(added) = self.tree.pool.get_mut(start..) {
            added.make_ascii_lowercase();
        }
        folded
    }

    /// The position of the member stored under `key` among the children built since `mark`.
    fn find_member(&self, mark: usize, index: &mut Option<HashMap<String, usize>>, key: Str) -> Option<usize> {
        const INDEX_FROM: usize = 16;
        let text = self.tree.str(key);
        let members = &self.stack[mark..];
        if index.is_none() && members.len() >= INDEX_FROM {
            let map = members
                .iter()
                .enumerate()
                .map(|(i, &c)| (self.tree.node(c).key().unwrap_or_default().to_string(), i))
                .collect();
            *index = Some(map);
        }
        match index {
            Some(map) => {
                let found = map.get(text).copied();
                if found.is_none() {
                    map.insert(text.to_string(), members.len());
                }
                found
            }
            None => members.iter().position(|&c| self.tree.node(c).key() == Some(text)),
        }
    }

    /// `aws:SourceArn` and `AWS:SourceArn` are one key to IAM: a repeat in another case is a
    /// duplicate key. (Exact repeats are reported by the parser already.) `earlier` is the last
    /// member before `member` with the same folded key.
    fn note_case_folded_repeat(&mut self, earlier: NodeId, key: &str, key_span: Span) {
        let earlier = self.tree.node(earlier);
        if earlier.written_key().is_some_and(|k| k != key) {
            let first = earlier.key_span().unwrap_or_default();
            self.folded_duplicates.push(DuplicateKey {
                key: key.to_string(),
                first,
                second: (self.map_span)(key_span),
            });
        }
    }

    /// `Statement` holds a list of statements; a single statement object stands for a list of one.
    fn convert_statements(&mut self, id: NodeId, node: &json::Node) {
        match &node.value {
            json::Value::Object(_) => {
                let mark = self.stack.len();
                let child = self.child(id, mark, node.span);
                self.convert(child, node, Role::Statement);
                self.finish(id, Kind::Array, mark);
            }
            _ => self.convert(id, node, Role::Statement),
        }
    }
}

/// A whole file that is one policy document, parsed straight into its canonical tree.
pub struct Whole {
    tree: Tree,
    /// Condition keys repeated in another case.
    folded_duplicates: Vec<DuplicateKey>,
    /// The document's bytes (the root object).
    pub span: Span,
    pub errors: Vec<SyntaxError>,
    pub duplicate_keys: Vec<DuplicateKey>,
}

/// Parses `text` straight into the canonical tree, without a [`json::Node`] tree in between: a
/// large policy is then held once, and its strings are not copied twice. Gives `None` (the
/// caller parses the text into a `json::Node` tree and looks inside) unless the text parses and
/// its root is an object that [`is_policy_document`] accepts; the parse also stops, giving
/// `None`, at a root key for which `container` says that the file may be a container of
/// policies rather than one.
pub fn parse_whole(text: &str, container: &dyn Fn(&str) -> bool) -> Option<Whole> {
    fn same(span: Span) -> Span {
        span
    }
    // A generous guess, from the text, of the room the tree takes: pages reserved and never used
    // are not memory the process holds, and the arena is not copied as it grows.
    let mut sink = Direct {
        builder: Builder::sized(&same, text.len() / 8 + 16, text.len() + 256),
        frames: Vec::new(),
        discard: 0,
        discarded: NO_NODE,
        raw_key: String::new(),
        container,
        declined: false,
        statement: false,
        version: false,
        version_next: false,
        root: None,
    };
    let (complete, errors, duplicate_keys) = json::parse_into(text, &mut sink);
    let policy = sink.statement || sink.version;
    match sink.root {
        Some(span) if complete && !sink.declined && policy => {
            let (tree, folded_duplicates) = sink.builder.done();
            Some(Whole {
                tree,
                folded_duplicates,
                span,
                errors,
                duplicate_keys,
            })
        }
        _ => None,
    }
}

/// A container being built by [`Direct`].
struct Frame {
    id: NodeId,
    /// An object's role; an array's items' role.
    role: Role,
    object: bool,
    /// Where the container's children start on the builder's stack.
    mark: usize,
    /// Members by canonical key, for objects too large to search.
    index: Option<HashMap<String, usize>>,
    next: Option<Next>,
    /// The list made around this object (`Statement` holding one statement): its id and mark.
    wrap: Option<(NodeId, usize)>,
}

/// An object member's key, read before its value.
struct Next {
    written: Str,
    key: Str,
    span: Span,
    role: Role,
}

/// A [`json::Sink`] that does what [`Builder::convert`] does to a `json::Node` tree, as the
/// parser reads the text: nodes are made in the same order, so the tree is the same.
struct Direct<'a> {
    builder: Builder<'a>,
    frames: Vec<Frame>,
    /// The nesting depth inside a value the canonical form drops (an array where a principal
    /// or a condition goes becomes null), and that null's node.
    discard: usize,
    discarded: NodeId,
    /// The key as written of the next member of a condition operator (case-folded repeats).
    raw_key: String,
    container: &'a dyn Fn(&str) -> bool,
    /// The root is not an object, or a container key stopped the parse.
    declined: bool,
    /// The root has a `Statement`, or its (last) `Version` is an IAM version.
    statement: bool,
    version: bool,
    /// The next value is the root's `Version`.
    version_next: bool,
    /// The root object's span, once closed.
    root: Option<Span>,
}

impl Direct<'_> {
    /// Makes the node of the next value, as `Builder::convert` and `convert_object` make it:
    /// gives its id, its role, and whether it is the document's `Statement`.
    fn place(&mut self, span: Span) -> (NodeId, Role, bool) {
        let builder = &mut self.builder;
        let Some(frame) = self.frames.last_mut() else {
            return (builder.tree.push_node(span, NO_NODE, 0), Role::Document, false);
        };
        if !frame.object {
            return (builder.child(frame.id, frame.mark, span), frame.role, false);
        }
        // The parser hands a key before each member's value.
        let Some(next) = frame.next.take() else {
            return (builder.child(frame.id, frame.mark, span), Role::Other, false);
        };
        let position = builder.find_member(frame.mark, &mut frame.index, next.key);
        let child = match position {
            Some(at) => {
                let child = builder.tree.push_node(span, frame.id, at as u32);
                let earlier = builder.stack[frame.mark + at];
                if frame.role == Role::ConditionOperator {
                    builder.note_case_folded_repeat(earlier, &self.raw_key, next.span);
                }
                builder.stack[frame.mark + at] = child;
                child
            }
            None => builder.child(frame.id, frame.mark, span),
        };
        if let Some(n) = builder.tree.nodes.get_mut(child as usize) {
            n.key = next.key;
            n.written = next.written;
            n.key_span = next.span.into();
        }
        let statements = frame.role == Role::Document && next.role == Role::Statement;
        (child, next.role, statements)
    }

    fn set_span(&mut self, id: NodeId, span: Span) {
        if let Some(node) = self.builder.tree.nodes.get_mut(id as usize) {
            node.value = span.into();
        }
    }

    /// Opens a container at `start`: `object` or array.
    fn open(&mut self, start: usize, object: bool) {
        if self.discard > 0 {
            self.discard += 1;
            return;
        }
        if self.frames.is_empty() && !object {
            // The caller looks inside a root array.
            self.declined = true;
        }
        if self.declined {
            self.discard = 1;
            return;
        }
        if std::mem::take(&mut self.version_next) {
            self.version = false;
        }
        let span = Span::new(start, start);
        let (id, role, statements) = self.place(span);
        let mark = self.builder.stack.len();
        let frame = |id, role, mark, wrap| Frame {
            id,
            role,
            object,
            mark,
            index: None,
            next: None,
            wrap,
        };
        if object && statements {
            // A single statement stands for a list of one.
            let child = self.builder.child(id, mark, span);
            let inner = self.builder.stack.len();
            self.frames.push(frame(child, Role::Statement, inner, Some((id, mark))));
        } else if object {
            self.frames.push(frame(id, role, mark, None));
        } else {
            let role = if statements { Role::Statement } else { role };
            match role {
                Role::Document | Role::Statement | Role::Other => self.frames.push(frame(id, role, mark, None)),
                Role::List => self.frames.push(frame(id, Role::Other, mark, None)),
                // Null: the items are not part of the canonical form.
                Role::Principal | Role::Condition | Role::ConditionOperator => {
                    self.builder.set(id, Kind::Null, NO_STR, false);
                    self.discard = 1;
                    self.discarded = id;
                }
            }
        }
    }

    fn close(&mut self, span: Span) {
        if self.discard > 0 {
            self.discard -= 1;
            if self.discard == 0 && self.discarded != NO_NODE {
                let id = std::mem::replace(&mut self.discarded, NO_NODE);
                self.set_span(id, span);
            }
            return;
        }
        let Some(frame) = self.frames.pop() else {
            return;
        };
        self.set_span(frame.id, span);
        let kind = if frame.object { Kind::Object } else { Kind::Array };
        self.builder.finish(frame.id, kind, frame.mark);
        if let Some((list, mark)) = frame.wrap {
            self.set_span(list, span);
            self.builder.finish(list, Kind::Array, mark);
        }
        if self.frames.is_empty() {
            self.root = Some(span);
        }
    }
}

impl json::Sink for Direct<'_> {
    fn scalar(&mut self, value: Scalar<'_>, span: Span) {
        if self.discard > 0 {
            return;
        }
        if self.frames.is_empty() {
            self.declined = true;
            return;
        }
        if std::mem::take(&mut self.version_next) {
            self.version = matches!(&value, Scalar::String(v) if v == "2012-10-17" || v == "2008-10-17");
        }
        // The document's `Statement` holding a scalar is kept as it is.
        let (id, role, _) = self.place(span);
        let builder = &mut self.builder;
        match (role, &value) {
            (Role::List, _) => {
                // A single value stands for a one-element list.
                let mark = builder.stack.len();
                let child = builder.child(id, mark, span);
                builder.put(child, value);
                builder.finish(id, Kind::Array, mark);
            }
            (Role::Principal, Scalar::String(_)) => {
                // "Principal": "*" means {"AWS": ["*"]}.
                let mark = builder.stack.len();
                let child = builder.child(id, mark, span);
                let aws = builder.key_str("AWS");
                if let Some(n) = builder.tree.nodes.get_mut(child as usize) {
                    n.key = aws;
                }
                let inner = builder.stack.len();
                let item = builder.child(child, inner, span);
                builder.put(item, value);
                builder.finish(child, Kind::Array, inner);
                builder.finish(id, Kind::Object, mark);
            }
            _ => builder.put(id, value),
        }
    }

    fn open_array(&mut self, start: usize) {
        self.open(start, false);
    }

    fn close_array(&mut self, span: Span) {
        self.close(span);
    }

    fn open_object(&mut self, start: usize) {
        self.open(start, true);
    }

    fn key(&mut self, key: &str, span: Span) -> bool {
        if self.declined {
            return false;
        }
        if self.discard > 0 {
            return true;
        }
        let Some(role) = self.frames.last().map(|f| f.role) else {
            return true;
        };
        if self.frames.len() == 1 {
            if (self.container)(key) {
                self.declined = true;
                return false;
            }
            self.statement |= key == "Statement";
            self.version_next = key == "Version";
        }
        let written = self.builder.key_str(key);
        let folded = match role {
            Role::ConditionOperator => {
                self.raw_key.clear();
                self.raw_key.push_str(key);
                self.builder.folded_key(key, written)
            }
            _ => written,
        };
        if let Some(frame) = self.frames.last_mut() {
            frame.next = Some(Next {
                written,
                key: folded,
                span,
                role: member_role(role, key),
            });
        }
        true
    }

    fn close_object(&mut self, span: Span) {
        self.close(span);
    }
}

/// The number of nodes of a parsed value and the bytes of its strings and keys.
fn measure(root: &json::Node) -> (usize, usize) {
    let (mut nodes, mut text) = (0, 0);
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        nodes += 1;
        match &node.value {
            json::Value::String(s) | json::Value::Number(s) => text += s.len(),
            json::Value::Array(items) => stack.extend(items),
            json::Value::Object(members) => {
                for member in members {
                    text += member.key.len();
                    stack.push(&member.value);
                }
            }
            json::Value::Null | json::Value::Bool(_) => {}
        }
    }
    (nodes, text)
}

/// Decides from its content what a document found in a bare file is.
///
/// An SES identity policy is resource-based (its statements name a principal) and names an
/// `ses:` action or an SES identity ARN among its actions and resources. A policy without
/// principals is an IAM permissions policy, even when it grants `ses:SendEmail`: it is not
/// attached to an SES identity.
fn classify(document: NodeRef) -> Context {
    let statements: Vec<NodeRef> = match document.get("Statement") {
        Some(list) if list.kind() == Kind::Array => list.children().collect(),
        _ => Vec::new(),
    };
    let objects = || statements.iter().copied().filter(|s| s.kind() == Kind::Object);
    let key_has = |key: &str, part: &str| {
        key.as_bytes()
            .windows(part.len())
            .any(|w| w.eq_ignore_ascii_case(part.as_bytes()))
    };
    let names_principal = objects().any(|s| {
        s.children().any(|m| {
            m.key()
                .is_some_and(|k| key_has(k, "principal") || key_has(k, "principle"))
        })
    });
    // Where an identity policy names SES: its actions and its resource. (An SNS topic policy may
    // name an SES identity in a condition; that does not make it an identity policy.) Without
    // statements (a misspelled `Statement`), anywhere.
    let mut strings = Vec::new();
    if statements.is_empty() {
        collect_strings(document, &mut strings);
    }
    for statement in objects() {
        for member in statement.children() {
            let key = member.key().unwrap_or_default();
            if key_has(key, "action") || key_has(key, "resource") {
                collect_strings(member, &mut strings);
            }
        }
    }
    let names_ses = strings.iter().any(|s| {
        let s = s.trim().to_ascii_lowercase();
        s.starts_with("ses:") || is_ses_identity_arn(&s)
    });
    // With no statements (a misspelled `Statement`) there is no principal to look for.
    if names_ses && (names_principal || statements.is_empty()) {
        return Context::SesIdentityPolicy;
    }
    let assumes_role = statements.iter().any(|s| {
        s.get("Action")
            .filter(|a| a.kind() == Kind::Array)
            .into_iter()
            .flat_map(NodeRef::children)
            .filter_map(NodeRef::as_str)
            .any(|a| a.trim().to_ascii_lowercase().starts_with("sts:assumerole"))
    });
    if assumes_role && names_principal {
        Context::RoleTrustPolicy
    } else {
        Context::Unrelated
    }
}

fn is_ses_identity_arn(lowercase: &str) -> bool {
    crate::rules::schema::arn_fields(lowercase)
        .is_some_and(|[_, service, _, _, resource]| service == "ses" && resource.starts_with("identity/"))
}

fn collect_strings<'t>(node: NodeRef<'t>, out: &mut Vec<&'t str>) {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match node.kind() {
            Kind::String => out.extend(node.as_str()),
            Kind::Array | Kind::Object => stack.extend(node.children()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The tree, repeated keys and errors of a text parsed straight into its canonical tree,
    /// and of the same text parsed into a `json::Node` tree first (the pool's layout included).
    fn both_ways(text: &str) -> (String, String) {
        let whole = parse_whole(text, &|_| false).expect("a policy document");
        let problems = (whole.errors.clone(), whole.duplicate_keys.clone());
        let direct = PolicyDocument::from_whole(whole, String::new(), ContextHint::Unknown, (&problems.0, &problems.1));
        let via_nodes = PolicyDocument::from_json(text, ContextHint::Unknown);
        let show = |d: &PolicyDocument| {
            format!(
                "{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
                d.canonical, d.duplicate_keys, d.syntax_errors, d.context, d.span
            )
        };
        (show(&direct), show(&via_nodes))
    }

    #[test]
    fn common_key_finds_each_common_key() {
        for (i, key) in COMMON_KEYS.iter().enumerate() {
            assert_eq!(common_key(key), Some(i));
        }
        assert_eq!(common_key("aws:SourceArn"), None);
    }

    #[test]
    fn parsing_straight_into_the_tree_builds_the_same_tree() {
        let many: Vec<String> = (0..20).map(|i| format!("\"k{}\": {i}", i % 17)).collect();
        let texts = [
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"S0","Effect":"Allow","Principal":{"Service":"email.cognito-idp.amazonaws.com"},"Action":["ses:SendEmail","ses:SendRawEmail"],"Resource":"arn:aws:ses:us-east-1:111111111111:identity/example.com","Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"},"ArnLike":{"aws:SourceArn":"arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_P0"}}}]}"#.to_string(),
            r#"{"Statement": {"Principal": "*", "NotPrincipal": "x", "Action": "ses:*", "NotResource": ["a", 1, null, true, {"o": [1]}],
               "Condition": {"StringEquals": {"aws:SourceArn": "a", "AWS:SourceArn": ["b"], "aws:sourcearn": "c", "Über": 1, "ÜBER": 2},
                             "ArnLike": [1, {"x": [2]}], "Bool": {"K": {"nested": "v"}}},
               "Resource": {"a": [1, {"b": 2}]}}}"#.to_string(),
            r#"{"Statement": [{"Principal": [1, [2, {"a": 3}]], "Condition": [{"a": 1}]}, {"Principal": {"AWS": "arn", "Service": ["s", "t"], "Federated": 3, "CanonicalUser": [[1]]}}], "Statement": [[{"Effect": "Deny"}], 5, "s"], "Version": "2008-10-17"}"#.to_string(),
            r#"{"Statement": 5, "Version": "2012-10-17", "Id": {"a": 1, "a": 2}}"#.to_string(),
            r#"{"Version": "2012-10-17", "Statement": null, "Extra": [1e400, -0.5e+3, "${aws:username}", "$${aws:username}", "a\"b\u00e9\ud83d\ude00"]}"#.to_string(),
            "{\"Statement\": [{\"Sid\": \"x\",}, // note\n {\"Action\": \"raw\tline\"},], \"Version\": \"x\"}".to_string(),
            format!("{{\"Statement\": [{{{}, \"Condition\": {{\"StringLike\": {{{}}}}}}}]}}", many.join(", "), many.join(", ")),
            format!("{{{}, \"Statement\": [], \"k3\": [1]}}", many.join(", ")),
            r#"{"Version": {"a": 1}, "Statement": {}, "Version": "2012-10-17"}"#.to_string(),
            r#"{"Version": "2012-10-17"}"#.to_string(),
            r#"{"Statement": "${var.policy}"}"#.to_string(),
        ];
        for text in &texts {
            let (direct, via_nodes) = both_ways(text);
            assert_eq!(direct, via_nodes, "{text}");
        }
    }

    #[test]
    fn parsing_straight_into_the_tree_leaves_other_files_to_the_caller() {
        let container = |key: &str| key == "Policies";
        for text in [
            "[{\"Statement\": []}]",
            "\"Statement\"",
            "{\"Role\": {\"Statement\": []}}",
            "{\"Version\": \"2012-10-18\"}",
            "{\"Version\": \"2012-10-17\", \"Version\": 1}",
            "{\"Statement\": [], \"Policies\": {\"a\": \"{}\"}}",
            "{\"Statement\": [1, 2",
            "",
        ] {
            assert!(parse_whole(text, &container).is_none(), "{text}");
        }
    }

    fn document(text: &str) -> PolicyDocument {
        PolicyDocument::from_json(text, ContextHint::Unknown)
    }

    /// The node at a canonical JSON pointer.
    fn at<'t>(tree: &'t Tree, pointer: &str) -> NodeRef<'t> {
        let mut node = tree.root();
        for token in pointer.split('/').skip(1) {
            node = match token.parse::<usize>() {
                Ok(i) if node.kind() == Kind::Array => node.item(i),
                _ => node.get(token),
            }
            .unwrap_or_else(|| panic!("no node at {pointer}"));
        }
        assert_eq!(node.pointer(), pointer);
        node
    }

    fn source<'a>(doc: &PolicyDocument, text: &'a str, pointer: &str) -> &'a str {
        let span = at(doc.canonical.as_ref().unwrap(), pointer).value_span();
        &text[span.start..span.end]
    }

    #[test]
    fn single_values_become_lists_and_keep_their_spans() {
        let text = r#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "ses:SendEmail",
            "Resource": "arn:aws:ses:us-east-1:111111111111:identity/example.com",
            "Condition": {"StringEquals": {"AWS:SourceAccount": "111111111111"}}}}"#;
        let doc = document(text);
        let canonical = doc.canonical.as_ref().unwrap().to_value();
        assert_eq!(canonical["Statement"][0]["Action"], json!(["ses:SendEmail"]));
        assert_eq!(canonical["Statement"][0]["Principal"], json!({"AWS": ["*"]}));
        assert_eq!(
            canonical["Statement"][0]["Condition"],
            json!({"StringEquals": {"aws:sourceaccount": ["111111111111"]}})
        );
        assert_eq!(source(&doc, text, "/Statement/0/Action/0"), "\"ses:SendEmail\"");
        assert_eq!(source(&doc, text, "/Statement/0/Principal/AWS/0"), "\"*\"");
        let key = at(
            doc.canonical.as_ref().unwrap(),
            "/Statement/0/Condition/StringEquals/aws:sourceaccount",
        );
        assert_eq!(key.written_key(), Some("AWS:SourceAccount"));
        let key_span = key.key_span().unwrap();
        assert_eq!(&text[key_span.start..key_span.end], "\"AWS:SourceAccount\"");
        assert!(source(&doc, text, "/Statement/0").starts_with("{\"Effect\""));
    }

    #[test]
    fn repeated_keys_keep_the_first_place_and_the_last_value() {
        let text = r#"{"Statement": [{"Effect": "Deny", "Sid": "a", "Effect": "Allow",
            "Condition": {"StringEquals": {"aws:SourceArn": "x", "AWS:SOURCEARN": "y"}}}]}"#;
        let doc = document(text);
        let tree = doc.canonical.as_ref().unwrap();
        assert_eq!(
            tree.to_value(),
            json!({"Statement": [{"Effect": "Allow", "Sid": "a",
                "Condition": {"StringEquals": {"aws:sourcearn": ["y"]}}}]})
        );
        assert_eq!(source(&doc, text, "/Statement/0/Effect"), "\"Allow\"");
        let folded = &doc.duplicate_keys.last().unwrap();
        assert_eq!(folded.key, "AWS:SOURCEARN");
        assert_eq!(&text[folded.first.start..folded.first.end], "\"aws:SourceArn\"");
    }

    #[test]
    fn large_objects_keep_every_key_once() {
        let members: Vec<String> = (0..100).map(|i| format!("\"k{}\": {i}", i % 40)).collect();
        let text = format!("{{\"Statement\": [{{{}}}]}}", members.join(", "));
        let doc = document(&text);
        let statement = doc.statements().next().unwrap();
        assert_eq!(statement.children().len(), 40);
        assert_eq!(statement.get("k3").unwrap().number_text(), Some("83"));
        assert_eq!(statement.get("k3").unwrap().index(), 3);
    }

    #[test]
    fn canonicalization_is_idempotent() {
        let text = r#"{"Statement": [{"Effect": "Allow", "Principal": {"Service": "x"}, "Action": ["a"],
            "Condition": {"StringEquals": {"k": "v"}}}]}"#;
        let once = document(text).canonical.unwrap().to_value();
        let again = document(&once.to_string()).canonical.unwrap().to_value();
        assert_eq!(once, again);
    }

    #[test]
    fn map_spans_moves_every_span() {
        let text = r#"{"Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "ses:SendEmail",}]}"#;
        let mut doc = document(text);
        let before = document(text);
        doc.map_spans(&|s| Span::new(s.start + 100, s.end + 100));
        let moved = |s: Span| Span::new(s.start + 100, s.end + 100);
        assert_eq!(doc.span, moved(before.span));
        assert_eq!(doc.syntax_errors[0].span, moved(before.syntax_errors[0].span));
        assert_eq!(doc.duplicate_keys[0].first, moved(before.duplicate_keys[0].first));
        assert_eq!(doc.duplicate_keys[0].second, moved(before.duplicate_keys[0].second));
        let (tree, old) = (doc.canonical.as_ref().unwrap(), before.canonical.as_ref().unwrap());
        for id in 0..tree.len() as NodeId {
            let (node, was) = (tree.node(id), old.node(id));
            assert_eq!(node.value_span(), moved(was.value_span()));
            assert_eq!(node.key_span(), was.key_span().map(moved));
        }
        let action = at(tree, "/Statement/0/Action/0").value_span();
        assert_eq!(&text[action.start - 100..action.end - 100], "\"ses:SendEmail\"");
    }

    #[test]
    fn classifies_by_content() {
        let ses =
            r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "ses:SendEmail"}]}"#;
        let iam = r#"{"Statement": [{"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}]}"#;
        let s3 = r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]}"#;
        let trust = r#"{"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#;
        assert_eq!(document(ses).context, Context::SesIdentityPolicy);
        assert_eq!(document(iam).context, Context::Unrelated);
        assert_eq!(document(s3).context, Context::Unrelated);
        assert_eq!(document(trust).context, Context::RoleTrustPolicy);
        assert_eq!(document("{\"Statement\": [").context, Context::Unparsed);
    }
}
