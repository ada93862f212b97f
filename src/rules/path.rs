//! JSONPath compiled at load into a closed set of typed steps, evaluated over a canonical tree.
//!
//! jsonpath-rust parses the paths of the rule files (RFC 9535 syntax); this module turns its
//! syntax tree into a [`Path`]: a list of [`Step`]s from a closed set (a member by name, a union,
//! the member/item wildcard, an index, a slice, `..`, and filters that test a node's existence
//! or compare it with a literal or another node). A path that uses anything else (a function
//! such as `length()`, a filter inside a filter's query) is refused when the rule loads, so the
//! loader can point at it in the rule file.
//!
//! Evaluation walks node ids of a [`Tree`] (see `policy.rs`) into buffers that the caller
//! reuses ([`Scratch`]): no step allocates. The order of the results is jsonpath-rust's: a
//! union applies each of its selectors to every current node in turn, and `..` visits a node
//! before its descendants.

use jsonpath_rust::parser::model::{
    Comparable, Comparison, Filter as JpFilter, FilterAtom, JpQuery, Literal as JpLiteral, Segment, Selector,
    SingularQuery, SingularQuerySegment, Test,
};
use jsonpath_rust::parser::parse_json_path;

use serde::{Deserialize, Serialize};

use super::hash::FastMap;

use crate::policy::{Kind, NodeId, NodeRef, Tree};

/// A compiled JSONPath query.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Path {
    pub text: String,
    steps: Vec<Step>,
    /// The same number for paths with the same text in one rule set (a cache key)...
    pub(crate) slot: usize,
    /// ...numbered by the rule-set load `set` (0: not numbered, never cached). A snapshot's
    /// paths take the number of the load that reads it.
    #[serde(skip, default = "super::snapshot::load_number")]
    pub(crate) set: usize,
}

/// One step of a compiled path: what it does to each current node.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Step {
    /// The member with this (canonical) key.
    Name(Box<str>),
    /// Every member of an object, every item of an array.
    Wildcard,
    /// The item at this position (negative: from the end).
    Index(i64),
    /// Items `start..end` by `step`, as RFC 9535 defines slices.
    Slice(Option<i64>, Option<i64>, Option<i64>),
    /// The members or items for which the filter holds.
    Filter(Box<Filter>),
    /// Each step applied to all current nodes in turn, the results one after the other.
    Union(Vec<Step>),
    /// A union of many distinct names (`$.Condition['StringEquals', ...]`): each member's key is
    /// looked up once in `index` (name -> position in the union) rather than every name searched.
    Names(#[serde(serialize_with = "super::snapshot::sorted_map")] FastMap<Box<str>, usize>),
    /// The step applied to every node and all its descendants, a node before its descendants.
    Descendant(Box<Step>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
enum Filter {
    Or(Vec<Filter>),
    And(Vec<Filter>),
    Not(Box<Filter>),
    /// The query selects something.
    Exists(Query),
    Compare(Op, Operand, Operand),
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
enum Op {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
enum Operand {
    Literal(Literal),
    /// A singular query: at most one node.
    Query(Query),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
enum Literal {
    Number(f64),
    String(Box<str>),
    Bool(bool),
    Null,
}

/// A query inside a filter: from the tested node (`@`) or from the unit (`$`).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Query {
    from_root: bool,
    steps: Vec<Step>,
}

/// Buffers a path evaluation reuses; keep one per thread (or per document) and pass it along.
#[derive(Debug, Default)]
pub struct Scratch {
    current: Vec<NodeId>,
    next: Vec<NodeId>,
    descendants: Vec<NodeId>,
    stack: Vec<NodeId>,
    /// (position in a union, position of the node it came from, member) for [`Step::Names`].
    named: Vec<(usize, usize, NodeId)>,
}

/// Unions of more names than this are looked up by hashing.
const NAMES_FROM: usize = 4;

impl Path {
    /// Parses `text` with jsonpath-rust and compiles it; an error says what is wrong or
    /// unsupported.
    pub fn compile(text: &str) -> Result<Path, String> {
        let query = parse_json_path(text).map_err(|e| e.to_string())?;
        Ok(Path {
            text: text.to_string(),
            steps: compile_query(&query)?,
            slot: 0,
            set: 0,
        })
    }

    /// The root path `$`.
    pub fn root() -> Path {
        Path {
            text: "$".to_string(),
            steps: Vec::new(),
            slot: 0,
            set: 0,
        }
    }

    /// Appends to `out` the nodes the path selects from `start`, in jsonpath-rust's order.
    pub fn select_into(&self, tree: &Tree, start: NodeId, scratch: &mut Scratch, out: &mut Vec<NodeId>) {
        let mut current = std::mem::take(&mut scratch.current);
        let mut next = std::mem::take(&mut scratch.next);
        current.clear();
        current.push(start);
        for step in &self.steps {
            next.clear();
            apply(step, tree, start, &current, &mut next, scratch);
            std::mem::swap(&mut current, &mut next);
        }
        out.extend_from_slice(&current);
        scratch.current = current;
        scratch.next = next;
    }

    /// The nodes the path selects from `start` (tests and one-off uses; it allocates).
    pub fn select(&self, tree: &Tree, start: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        self.select_into(tree, start, &mut Scratch::default(), &mut out);
        out
    }
}

fn compile_query(query: &JpQuery) -> Result<Vec<Step>, String> {
    query.segments.iter().map(|s| compile_segment(s, true)).collect()
}

/// `filters`: whether filters may appear (not inside a filter's own queries).
fn compile_segment(segment: &Segment, filters: bool) -> Result<Step, String> {
    match segment {
        Segment::Selector(selector) => compile_selector(selector, filters),
        Segment::Selectors(selectors) if selectors.len() == 1 => compile_selector(&selectors[0], filters),
        Segment::Selectors(selectors) if selectors.is_empty() => Err("an empty selector list".into()),
        Segment::Selectors(selectors) if selectors.len() > NAMES_FROM && distinct_names(selectors).is_some() => {
            let names = distinct_names(selectors).unwrap_or_default();
            Ok(Step::Names(
                names.into_iter().enumerate().map(|(i, n)| (n, i)).collect(),
            ))
        }
        Segment::Selectors(selectors) => Ok(Step::Union(
            selectors
                .iter()
                .map(|s| compile_selector(s, filters))
                .collect::<Result<_, _>>()?,
        )),
        Segment::Descendant(inner) => match inner.as_ref() {
            Segment::Descendant(_) => Err("`..` directly after `..` is not supported".into()),
            inner => Ok(Step::Descendant(Box::new(compile_segment(inner, filters)?))),
        },
    }
}

/// The names of a union that holds only names, each once.
fn distinct_names(selectors: &[Selector]) -> Option<Vec<Box<str>>> {
    let mut names: Vec<Box<str>> = Vec::with_capacity(selectors.len());
    for selector in selectors {
        match selector {
            Selector::Name(name) if !names.iter().any(|n| **n == **name) => names.push(name.as_str().into()),
            _ => return None,
        }
    }
    Some(names)
}

fn compile_selector(selector: &Selector, filters: bool) -> Result<Step, String> {
    Ok(match selector {
        Selector::Name(name) => Step::Name(name.as_str().into()),
        Selector::Wildcard => Step::Wildcard,
        Selector::Index(i) => Step::Index(*i),
        Selector::Slice(start, end, step) => Step::Slice(*start, *end, *step),
        Selector::Filter(_) if !filters => {
            return Err("a filter inside a filter's query is not supported".into());
        }
        Selector::Filter(filter) => Step::Filter(Box::new(compile_filter(filter)?)),
    })
}

fn compile_filter(filter: &JpFilter) -> Result<Filter, String> {
    Ok(match filter {
        JpFilter::Or(items) => Filter::Or(items.iter().map(compile_filter).collect::<Result<_, _>>()?),
        JpFilter::And(items) => Filter::And(items.iter().map(compile_filter).collect::<Result<_, _>>()?),
        JpFilter::Atom(FilterAtom::Filter { expr, not }) => negate(compile_filter(expr)?, *not),
        JpFilter::Atom(FilterAtom::Test { expr, not }) => {
            let query = match expr.as_ref() {
                Test::RelQuery(segments) => Query {
                    from_root: false,
                    steps: segments
                        .iter()
                        .map(|s| compile_segment(s, false))
                        .collect::<Result<_, _>>()?,
                },
                Test::AbsQuery(query) => Query {
                    from_root: true,
                    steps: query
                        .segments
                        .iter()
                        .map(|s| compile_segment(s, false))
                        .collect::<Result<_, _>>()?,
                },
                Test::Function(f) => return Err(unsupported_function(&f.to_string())),
            };
            negate(Filter::Exists(query), *not)
        }
        JpFilter::Atom(FilterAtom::Comparison(comparison)) => {
            let (op, (left, right)) = match comparison.as_ref() {
                Comparison::Eq(..) => (Op::Eq, comparison.vals()),
                Comparison::Ne(..) => (Op::Ne, comparison.vals()),
                Comparison::Lt(..) => (Op::Lt, comparison.vals()),
                Comparison::Lte(..) => (Op::Lte, comparison.vals()),
                Comparison::Gt(..) => (Op::Gt, comparison.vals()),
                Comparison::Gte(..) => (Op::Gte, comparison.vals()),
            };
            Filter::Compare(op, operand(left)?, operand(right)?)
        }
    })
}

fn negate(filter: Filter, not: bool) -> Filter {
    if not {
        Filter::Not(Box::new(filter))
    } else {
        filter
    }
}

fn unsupported_function(text: &str) -> String {
    format!(
        "the function in `{text}` is not supported; filters may test that a query selects \
         something or compare a node with a literal or another node"
    )
}

fn operand(comparable: &Comparable) -> Result<Operand, String> {
    Ok(match comparable {
        Comparable::Literal(literal) => Operand::Literal(match literal {
            JpLiteral::Int(i) => Literal::Number(*i as f64),
            JpLiteral::Float(f) if f.is_finite() => Literal::Number(*f),
            JpLiteral::Float(_) | JpLiteral::Null => Literal::Null,
            JpLiteral::String(s) => Literal::String(s.as_str().into()),
            JpLiteral::Bool(b) => Literal::Bool(*b),
        }),
        Comparable::Function(f) => return Err(unsupported_function(&f.to_string())),
        Comparable::SingularQuery(query) => {
            let (from_root, segments) = match query {
                SingularQuery::Current(segments) => (false, segments),
                SingularQuery::Root(segments) => (true, segments),
            };
            let steps = segments
                .iter()
                .map(|s| match s {
                    SingularQuerySegment::Index(i) => Step::Index(*i),
                    SingularQuerySegment::Name(n) => Step::Name(n.as_str().into()),
                })
                .collect();
            Operand::Query(Query { from_root, steps })
        }
    })
}

/// Applies one step to each node of `current`, appending what it selects to `next`.
fn apply(step: &Step, tree: &Tree, root: NodeId, current: &[NodeId], next: &mut Vec<NodeId>, scratch: &mut Scratch) {
    match step {
        Step::Name(name) => {
            next.extend(
                current
                    .iter()
                    .filter_map(|&id| tree.node(id).get(name.as_ref()))
                    .map(NodeRef::id),
            );
        }
        Step::Wildcard => {
            for &id in current {
                next.extend_from_slice(tree.node(id).child_ids());
            }
        }
        Step::Index(i) => {
            for &id in current {
                if let Some(child) = index(tree.node(id), *i) {
                    next.push(child);
                }
            }
        }
        Step::Slice(start, end, by) => {
            for &id in current {
                slice(tree.node(id), *start, *end, *by, next);
            }
        }
        Step::Filter(filter) => {
            for &id in current {
                let node = tree.node(id);
                if node.is_container() {
                    next.extend(
                        node.child_ids()
                            .iter()
                            .copied()
                            .filter(|&c| filter.holds(tree, root, c)),
                    );
                }
            }
        }
        Step::Union(steps) => {
            for step in steps {
                apply(step, tree, root, current, next, scratch);
            }
        }
        Step::Names(index) => {
            // Union order: by name, then by the node the member belongs to.
            let mut named = std::mem::take(&mut scratch.named);
            named.clear();
            for (from, &id) in current.iter().enumerate() {
                let node = tree.node(id);
                if node.kind() != Kind::Object {
                    continue;
                }
                for member in node.children() {
                    if let Some(&at) = member.key().and_then(|k| index.get(k)) {
                        named.push((at, from, member.id()));
                    }
                }
            }
            named.sort_unstable();
            next.extend(named.iter().map(|&(_, _, id)| id));
            scratch.named = named;
        }
        Step::Descendant(inner) => {
            let mut all = std::mem::take(&mut scratch.descendants);
            let mut stack = std::mem::take(&mut scratch.stack);
            all.clear();
            for &id in current {
                stack.clear();
                stack.push(id);
                while let Some(at) = stack.pop() {
                    all.push(at);
                    stack.extend(tree.node(at).child_ids().iter().rev());
                }
            }
            scratch.stack = stack;
            // `inner` is never a descendant step itself, so it does not use `descendants`.
            apply(inner, tree, root, &all, next, scratch);
            scratch.descendants = all;
        }
    }
}

fn index(node: NodeRef, i: i64) -> Option<NodeId> {
    if node.kind() != Kind::Array {
        return None;
    }
    let items = node.child_ids();
    let at = if i >= 0 {
        usize::try_from(i).ok()?
    } else {
        items.len().checked_sub(usize::try_from(i.unsigned_abs()).ok()?)?
    };
    items.get(at).copied()
}

/// RFC 9535 slices, as jsonpath-rust computes them.
fn slice(node: NodeRef, start: Option<i64>, end: Option<i64>, step: Option<i64>, out: &mut Vec<NodeId>) {
    if node.kind() != Kind::Array {
        return;
    }
    let items = node.child_ids();
    let len = items.len() as i64;
    let norm = |i: i64| if i >= 0 { i } else { len + i };
    let mut push = |i: i64| {
        if let Some(&id) = usize::try_from(i).ok().and_then(|i| items.get(i)) {
            out.push(id);
        }
    };
    match step.unwrap_or(1) {
        by if by > 0 => {
            let lower = norm(start.unwrap_or(0)).clamp(0, len);
            let upper = norm(end.unwrap_or(len)).clamp(0, len);
            let mut i = lower;
            while i < upper {
                push(i);
                i = i.saturating_add(by);
            }
        }
        by if by < 0 => {
            let lower = norm(end.unwrap_or(-len - 1)).clamp(-1, len - 1);
            let upper = norm(start.unwrap_or(len - 1)).clamp(-1, len - 1);
            let mut i = upper;
            while lower < i {
                push(i);
                i = i.saturating_add(by);
            }
        }
        _ => {}
    }
}

/// What one side of a comparison stands for.
enum Side<'t> {
    Literal(&'t Literal),
    Node(NodeRef<'t>),
    Nothing,
}

impl Filter {
    fn holds(&self, tree: &Tree, root: NodeId, item: NodeId) -> bool {
        match self {
            Filter::Or(items) => items.iter().any(|f| f.holds(tree, root, item)),
            Filter::And(items) => items.iter().all(|f| f.holds(tree, root, item)),
            Filter::Not(inner) => !inner.holds(tree, root, item),
            Filter::Exists(query) => query.selects_any(tree, root, item),
            Filter::Compare(op, left, right) => {
                let left = left.side(tree, root, item);
                let right = right.side(tree, root, item);
                match op {
                    Op::Eq => equal(&left, &right),
                    Op::Ne => !equal(&left, &right),
                    Op::Lt => less(&left, &right),
                    Op::Lte => less(&left, &right) || equal(&left, &right),
                    Op::Gt => less(&right, &left),
                    Op::Gte => less(&right, &left) || equal(&left, &right),
                }
            }
        }
    }
}

impl Operand {
    fn side<'t>(&'t self, tree: &'t Tree, root: NodeId, item: NodeId) -> Side<'t> {
        match self {
            Operand::Literal(literal) => Side::Literal(literal),
            Operand::Query(query) => {
                let mut at = tree.node(if query.from_root { root } else { item });
                for step in &query.steps {
                    let next = match step {
                        Step::Name(name) => at.get(name.as_ref()),
                        Step::Index(i) => index(at, *i).map(|id| tree.node(id)),
                        // Singular queries hold only names and indexes.
                        _ => None,
                    };
                    match next {
                        Some(node) => at = node,
                        None => return Side::Nothing,
                    }
                }
                Side::Node(at)
            }
        }
    }
}

impl Query {
    fn selects_any(&self, tree: &Tree, root: NodeId, item: NodeId) -> bool {
        let start = if self.from_root { root } else { item };
        // Names and indexes (`@.Action`) lead to at most one node: no buffer needed.
        let mut at = tree.node(start);
        let mut singular = true;
        for step in &self.steps {
            let next = match step {
                Step::Name(name) => at.get(name.as_ref()),
                Step::Index(i) => index(at, *i).map(|id| tree.node(id)),
                _ => {
                    singular = false;
                    break;
                }
            };
            match next {
                Some(node) => at = node,
                None => return false,
            }
        }
        if singular {
            return true;
        }
        // Other queries (`@.*`, `@..x`) need buffers; filters are rare, so they are made here.
        let path = Path {
            text: String::new(),
            steps: self.steps.clone(),
            slot: 0,
            set: 0,
        };
        !path.select(tree, start).is_empty()
    }
}

fn number(side: &Side) -> Option<f64> {
    match side {
        Side::Literal(Literal::Number(n)) => Some(*n),
        Side::Node(node) => node.as_f64(),
        _ => None,
    }
}

fn text<'a>(side: &'a Side) -> Option<&'a str> {
    match side {
        Side::Literal(Literal::String(s)) => Some(s),
        Side::Node(node) => node.as_str(),
        _ => None,
    }
}

/// jsonpath-rust's equality: numbers as floats, anything else as JSON values.
fn equal(left: &Side, right: &Side) -> bool {
    if let (Some(a), Some(b)) = (number(left), number(right)) {
        return (a - b).abs() < f64::EPSILON;
    }
    match (left, right) {
        (Side::Nothing, Side::Nothing) => true,
        (Side::Nothing, _) | (_, Side::Nothing) => false,
        (Side::Node(a), Side::Node(b)) => a.same_value(*b),
        (Side::Literal(literal), Side::Node(node)) | (Side::Node(node), Side::Literal(literal)) => match literal {
            Literal::String(s) => node.as_str() == Some(s),
            Literal::Bool(b) => node.as_bool() == Some(*b),
            Literal::Null => node.kind() == Kind::Null,
            Literal::Number(_) => false,
        },
        (Side::Literal(a), Side::Literal(b)) => match (a, b) {
            (Literal::String(a), Literal::String(b)) => a == b,
            (Literal::Bool(a), Literal::Bool(b)) => a == b,
            (Literal::Null, Literal::Null) => true,
            _ => false,
        },
    }
}

/// jsonpath-rust's order: numbers as floats, strings by their bytes, nothing else.
fn less(left: &Side, right: &Side) -> bool {
    if matches!(left, Side::Nothing) || matches!(right, Side::Nothing) {
        return false;
    }
    if let (Some(a), Some(b)) = (number(left), number(right)) {
        return a < b;
    }
    match (text(left), text(right)) {
        (Some(a), Some(b)) => a < b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{ContextHint, PolicyDocument};

    fn tree(text: &str) -> Tree {
        PolicyDocument::from_json(text, ContextHint::Unknown).canonical.unwrap()
    }

    /// What jsonpath-rust selects on the same document, as JSON pointers.
    fn reference(path: &str, value: &serde_json::Value) -> Vec<String> {
        let query = parse_json_path(path).unwrap();
        jsonpath_rust::query::js_path_process(&query, value)
            .unwrap()
            .into_iter()
            .map(|r| pointer_of(&r.path))
            .collect()
    }

    /// `$['a'][0]` as `/a/0` (keys here hold no quotes or escapes).
    fn pointer_of(normalized: &str) -> String {
        normalized
            .trim_start_matches('$')
            .split('[')
            .skip(1)
            .map(|t| format!("/{}", t.trim_end_matches(']').trim_matches('\'')))
            .collect()
    }

    #[test]
    fn selections_match_jsonpath_rust() {
        let text = r#"{"Version": "2012-10-17", "Statement": [
            {"Sid": "a", "Effect": "Allow", "Principal": {"AWS": "*", "Service": ["x", "y"]},
             "Action": ["ses:SendEmail", "ses:SendRawEmail", "ses:*"], "Resource": "r",
             "Condition": {"StringEquals": {"aws:SourceAccount": "1", "n": 5}, "ArnLike": {"aws:SourceArn": ["p", "q"]}}},
            {"Effect": "Deny", "NotAction": "x", "Sid": "b", "n": 5.0},
            {"Effect": "Allow", "Principal": "*"}]}"#;
        let tree = tree(text);
        let value = tree.to_value();
        for path in [
            "$",
            "$.Statement[*].Sid",
            "$.Statement[*].*",
            "$..*",
            "$.Statement[0].Condition.*['aws:sourcearn'][*]",
            "$.Statement[0]['Action','NotAction'][*]",
            "$.Statement[*]['Principal','NotPrincipal'].*[*]",
            "$.Statement[0].Action[1:]",
            "$.Statement[0].Action[::-1]",
            "$.Statement[0].Action[-1]",
            "$.Statement[?!@.Action && !@.NotAction].Sid",
            "$.Statement[?!@.Action && !@.NotAction && !@.Sid]",
            "$.Statement[*].Principal.AWS[?@ == '*']",
            "$.Statement[?@.Effect == 'Allow' || @.n == 5]",
            "$.Statement[?@.n >= 5].Sid",
            "$.Statement[?@.Effect != 'Deny'].Sid",
            "$.Statement[?@.Sid < 'b'].Sid",
            "$..[?@ == 'x']",
            "$.Statement[?@.*]",
            "$.Statement[?$.Version == '2012-10-17'].Effect",
            "$['Statement','Version']",
            "$.Statement[*].Condition.*.*[*]",
            "$.Statement[*].Condition['ArnLike','StringLike','x','y','StringEquals'].*",
            "$.Statement[*]['Sid','Effect','Action','x','Resource','Principal']",
        ] {
            let compiled = Path::compile(path).unwrap();
            let ours: Vec<String> = compiled
                .select(&tree, 0)
                .into_iter()
                .map(|id| tree.node(id).pointer())
                .collect();
            assert_eq!(ours, reference(path, &value), "{path}");
        }
    }

    #[test]
    fn unsupported_paths_are_errors() {
        assert!(Path::compile("$.[").is_err());
        let error = Path::compile("$.Action[?length(@) > 1]").unwrap_err();
        assert!(error.contains("not supported"), "{error}");
        assert!(Path::compile("$.Statement[?@.Action[?@ == 'x']]").is_err());
    }

    #[test]
    fn root_selects_the_value_itself() {
        let tree = tree(r#"{"a": 1}"#);
        assert_eq!(Path::root().select(&tree, 0), vec![0]);
    }
}
