//! What a document may cost, checked right after parsing and before
//! async-graphql validates it.
//!
//! async-graphql's validation and complexity rules expand fragments each time
//! they are spread, so a small document whose fragments spread each other
//! twice, thirty levels deep, asks them for 2³⁰ fields and keeps a worker
//! busy for a minute. Here every fragment is counted once (memoised), so the
//! check is linear in the document's size, and a document is refused when its
//! fully expanded selections exceed the complexity limit — the complexity rule
//! would refuse it anyway, only much later.
//!
//! The same walk counts the root fields of mutations: each is a command, and a
//! request runs at most [`crate::Limits::max_mutations`] of them.

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{Value as ConstValue, Variables};

use crate::error::ApiError;

/// Size of a selection set with its fragments expanded.
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    /// Fields selected, at any depth.
    fields: u64,
    /// Selections of any kind (fields, spreads, inline fragments) a walk visits.
    selections: u64,
    /// Root fields (the commands of a mutation).
    roots: u64,
}

impl Size {
    fn add(self, other: Size) -> Size {
        Size {
            fields: self.fields.saturating_add(other.fields),
            selections: self.selections.saturating_add(other.selections),
            roots: self.roots.saturating_add(other.roots),
        }
    }
}

/// Counts of one document, every fragment counted once.
struct Counter<'d> {
    doc: &'d ExecutableDocument,
    /// Size per fragment, once computed.
    memo: HashMap<&'d str, Size>,
    /// Fragments being expanded, to find cycles.
    expanding: Vec<&'d str>,
    /// The first fragment found spreading itself.
    cycle: Option<&'d str>,
}

impl<'d> Counter<'d> {
    fn new(doc: &'d ExecutableDocument) -> Self {
        Self {
            doc,
            memo: HashMap::new(),
            expanding: Vec::new(),
            cycle: None,
        }
    }

    fn set(&mut self, set: &'d SelectionSet) -> Size {
        let mut total = Size::default();
        for item in &set.items {
            let here = match &item.node {
                Selection::Field(f) => {
                    let inner = self.set(&f.node.selection_set.node);
                    Size {
                        fields: inner.fields.saturating_add(1),
                        selections: inner.selections.saturating_add(1),
                        roots: 1,
                    }
                }
                Selection::InlineFragment(i) => {
                    let inner = self.set(&i.node.selection_set.node);
                    Size {
                        selections: inner.selections.saturating_add(1),
                        ..inner
                    }
                }
                Selection::FragmentSpread(s) => {
                    let inner = self.fragment(s.node.fragment_name.node.as_str());
                    Size {
                        selections: inner.selections.saturating_add(1),
                        ..inner
                    }
                }
            };
            total = total.add(here);
        }
        total
    }

    fn fragment(&mut self, name: &'d str) -> Size {
        if let Some(size) = self.memo.get(name) {
            return *size;
        }
        if self.expanding.contains(&name) {
            self.cycle.get_or_insert(name);
            return Size::default();
        }
        let Some((key, fragment)) = self.doc.fragments.iter().find(|(n, _)| n.as_str() == name) else {
            // Unknown: validation reports it.
            return Size::default();
        };
        self.expanding.push(key.as_str());
        let size = self.set(&fragment.node.selection_set.node);
        self.expanding.pop();
        self.memo.insert(key.as_str(), size);
        size
    }
}

fn shown(n: u64) -> String {
    if n == u64::MAX {
        "more than 18 quintillion".to_string()
    } else {
        n.to_string()
    }
}

/// Refuse a document with a fragment that spreads itself, one that selects
/// more than `max_fields` fields (or visits ten times as many selections) once
/// its fragments are expanded, or a mutation that runs more than
/// `max_mutations` commands.
pub(crate) fn check(doc: &ExecutableDocument, max_fields: usize, max_mutations: usize) -> Result<(), ApiError> {
    let mut counter = Counter::new(doc);
    // Every fragment, also those no operation uses (validation walks them too).
    for (name, _) in doc.fragments.iter() {
        counter.fragment(name.as_str());
    }
    if let Some(name) = counter.cycle {
        return Err(ApiError::validation(
            "fragment_cycle",
            format!("fragment `{name}` spreads itself (directly or through other fragments)"),
        ));
    }
    let max_selections = (max_fields as u64).saturating_mul(10);
    for (_, op) in doc.operations.iter() {
        let size = counter.set(&op.node.selection_set.node);
        if size.fields > max_fields as u64 || size.selections > max_selections {
            return Err(ApiError::validation(
                "query_too_complex",
                format!(
                    "the document selects {} fields ({} selections) once its fragments are expanded; at most {max_fields} fields are allowed per request",
                    shown(size.fields),
                    shown(size.selections)
                ),
            ));
        }
        if op.node.ty == OperationType::Mutation && size.roots > max_mutations as u64 {
            return Err(ApiError::validation(
                "too_many_mutations",
                format!(
                    "the document runs {} mutations; at most {max_mutations} are allowed per request",
                    size.roots
                ),
            ));
        }
    }
    Ok(())
}

/// Most brackets (`{`, `[`, `(`) open at once anywhere in a document. The
/// parser and async-graphql's later stages recurse into nested selections
/// and values; a document of a few thousand `[` overflows a worker's stack
/// and aborts the process. No honest document nests more than a few dozen
/// (16 fields deep with their arguments).
pub const MAX_NESTING: usize = 64;

/// Refuse a document that nests brackets deeper than [`MAX_NESTING`],
/// found by one pass over the text (strings, block strings and comments
/// skipped), before anything parses or recurses.
pub(crate) fn check_nesting(query: &str) -> Result<(), ApiError> {
    let bytes = query.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") { 4 } else { 1 };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > MAX_NESTING {
                    return Err(ApiError::validation(
                        "query_too_deep",
                        format!("the document nests brackets more than {MAX_NESTING} deep"),
                    ));
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Most bytes in one string of an input (a title, a description, a code).
pub const MAX_INPUT_STRING_BYTES: usize = 16 * 1024;
/// Most items in one list of an input (topics, goals, partners).
pub const MAX_INPUT_LIST_ITEMS: usize = 1_000;

/// The first input value over a limit, as an error.
fn input_error(path: &str, what: InputExcess) -> ApiError {
    match what {
        InputExcess::String(bytes) => ApiError::validation(
            "input_too_long",
            format!(
                "the input `{path}` is {bytes} bytes long; a string may hold at most {MAX_INPUT_STRING_BYTES} bytes"
            ),
        ),
        InputExcess::List(items) => ApiError::validation(
            "input_too_many_items",
            format!("the input `{path}` has {items} items; a list may hold at most {MAX_INPUT_LIST_ITEMS}"),
        ),
    }
}

enum InputExcess {
    String(usize),
    List(usize),
}

fn const_excess(value: &ConstValue, path: &mut String) -> Option<InputExcess> {
    match value {
        ConstValue::String(s) if s.len() > MAX_INPUT_STRING_BYTES => Some(InputExcess::String(s.len())),
        ConstValue::List(items) if items.len() > MAX_INPUT_LIST_ITEMS => Some(InputExcess::List(items.len())),
        ConstValue::List(items) => items.iter().find_map(|v| const_excess(v, path)),
        ConstValue::Object(fields) => fields.iter().find_map(|(k, v)| {
            let len = path.len();
            path.push('.');
            path.push_str(bounded_name(k.as_str()));
            let found = const_excess(v, path);
            if found.is_none() {
                path.truncate(len);
            }
            found
        }),
        _ => None,
    }
}

/// Names come from the client: keep them short in messages.
fn bounded_name(name: &str) -> &str {
    match name.char_indices().nth(64) {
        Some((i, _)) => &name[..i],
        None => name,
    }
}

fn arguments_excess(set: &SelectionSet) -> Option<(String, InputExcess)> {
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                for (name, value) in &f.node.arguments {
                    let mut path = bounded_name(name.node.as_str()).to_string();
                    // Variables inside are checked on their own.
                    let literal = value
                        .node
                        .clone()
                        .into_const_with(|_| Ok::<_, std::convert::Infallible>(ConstValue::Null));
                    let Ok(literal) = literal;
                    if let Some(found) = const_excess(&literal, &mut path) {
                        return Some((path, found));
                    }
                }
                if let Some(found) = arguments_excess(&f.node.selection_set.node) {
                    return Some(found);
                }
            }
            Selection::InlineFragment(i) => {
                if let Some(found) = arguments_excess(&i.node.selection_set.node) {
                    return Some(found);
                }
            }
            // Fragments are walked once each, below.
            Selection::FragmentSpread(_) => {}
        }
    }
    None
}

/// Refuse a request whose inputs (variables or literal arguments) hold a
/// string over [`MAX_INPUT_STRING_BYTES`] or a list over
/// [`MAX_INPUT_LIST_ITEMS`], before anything runs.
pub(crate) fn check_inputs(doc: &ExecutableDocument, variables: &Variables) -> Result<(), ApiError> {
    for (name, value) in variables.iter() {
        let mut path = format!("${}", bounded_name(name.as_str()));
        if let Some(found) = const_excess(value, &mut path) {
            return Err(input_error(&path, found));
        }
    }
    // Default values of variables are inputs too.
    for (_, op) in doc.operations.iter() {
        for definition in &op.node.variable_definitions {
            if let Some(default) = &definition.node.default_value {
                let mut path = format!("${}", bounded_name(definition.node.name.node.as_str()));
                if let Some(found) = const_excess(&default.node, &mut path) {
                    return Err(input_error(&path, found));
                }
            }
        }
    }
    let sets = doc
        .operations
        .iter()
        .map(|(_, op)| &op.node.selection_set.node)
        .chain(doc.fragments.values().map(|f| &f.node.selection_set.node));
    for set in sets {
        if let Some((path, found)) = arguments_excess(set) {
            return Err(input_error(&path, found));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn bomb(levels: usize) -> String {
        let mut doc = String::from("query { municipalities { edges { node { ...F0 } } } }\n");
        doc.push_str("fragment F0 on Municipality { code name }\n");
        for i in 1..=levels {
            doc.push_str(&format!(
                "fragment F{i} on Municipality {{ ...F{p} ...F{p} }}\n",
                p = i - 1
            ));
        }
        doc.replace("...F0 } } } }", &format!("...F{levels} }} }} }} }}"))
    }

    #[test]
    fn a_fragment_bomb_is_counted_without_expanding_it() {
        let doc = parse_query(bomb(64)).unwrap();
        let err = check(&doc, 2000, 20).unwrap_err();
        assert_eq!(err.rule, Some("query_too_complex"));
        let small = parse_query(bomb(3)).unwrap();
        check(&small, 2000, 20).unwrap();
        // Spreads of unknown fragments select nothing but still multiply.
        let mut doc = String::from("query { ...F40 }\nfragment F0 on Query { ...X ...X }\n");
        for i in 1..=40 {
            doc.push_str(&format!("fragment F{i} on Query {{ ...F{p} ...F{p} }}\n", p = i - 1));
        }
        let err = check(&parse_query(doc).unwrap(), 2000, 20).unwrap_err();
        assert_eq!(err.rule, Some("query_too_complex"));
    }

    #[test]
    fn nesting_is_counted_in_one_pass_outside_strings_and_comments() {
        let deep = format!(
            "{{ municipality(code: {}1{}) {{ code }} }}",
            "[".repeat(900),
            "]".repeat(900)
        );
        assert_eq!(check_nesting(&deep).unwrap_err().rule, Some("query_too_deep"));
        let objects = format!("{{ a(x: {}1{}) }}", "{a:".repeat(100), "}".repeat(100));
        assert!(check_nesting(&objects).is_err());
        // Brackets in strings, block strings and comments do not count.
        let quoted = format!(
            "{{ a(x: \"{0}\\\"{0}\", y: \"\"\"{0}\\\"\"\"{0}\"\"\") # {0}\n }}",
            "[".repeat(200)
        );
        check_nesting(&quoted).unwrap();
        let fine = format!("{}{}", "{ a ".repeat(60), "}".repeat(60));
        check_nesting(&fine).unwrap();
    }

    #[test]
    fn mutations_are_counted_through_fragments() {
        let fields: Vec<String> = (0..5).map(|i| format!("m{i}: registerMunicipality")).collect();
        let doc = format!(
            "mutation {{ ...A ...A }} fragment A on Mutation {{ {} }}",
            fields.join(" ")
        );
        let doc = parse_query(doc).unwrap();
        assert!(check(&doc, 2000, 10).is_ok());
        assert_eq!(check(&doc, 2000, 9).unwrap_err().rule, Some("too_many_mutations"));
        // A cycle is refused at once, however it branches.
        let cycle = parse_query(
            "mutation { ...A } fragment A on Mutation { x ...B ...B } fragment B on Mutation { ...A ...A }",
        )
        .unwrap();
        assert_eq!(check(&cycle, 2000, 1000).unwrap_err().rule, Some("fragment_cycle"));
    }
}
