//! A cap on the cost of introspection. async-graphql's complexity limit does
//! not count introspection fields, so a document could ask for the whole
//! schema hundreds of times (aliases) at the price of one field. Any
//! authenticated caller may introspect (GraphiQL needs it, and the schema is
//! public in `schema/schema.graphql`), but a document may hold at most
//! [`MAX_ROOTS`] `__schema`/`__type` fields selecting at most [`MAX_FIELDS`]
//! fields in all (fragments expanded). GraphiQL's introspection query uses
//! one root and about 150 fields.

use std::collections::HashSet;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

use crate::error::ApiError;

/// Most `__schema`/`__type` fields in one document.
pub const MAX_ROOTS: usize = 4;
/// Most fields selected inside them, in all.
pub const MAX_FIELDS: usize = 600;
/// Most selections looked at while checking (fragments can multiply them).
const MAX_VISITS: usize = 20_000;

struct Walk<'d> {
    doc: &'d ExecutableDocument,
    roots: usize,
    fields: usize,
    visits: usize,
}

enum Stop {
    TooCostly,
}

impl<'d> Walk<'d> {
    fn visit(&mut self) -> Result<(), Stop> {
        self.visits += 1;
        if self.visits > MAX_VISITS || self.roots > MAX_ROOTS || self.fields > MAX_FIELDS {
            Err(Stop::TooCostly)
        } else {
            Ok(())
        }
    }

    /// The root selections of an operation (introspection fields live there).
    fn root(&mut self, set: &'d SelectionSet, stack: &mut Vec<&'d str>) -> Result<(), Stop> {
        for item in &set.items {
            self.visit()?;
            match &item.node {
                Selection::Field(f) => {
                    let name = f.node.name.node.as_str();
                    if name == "__schema" || name == "__type" {
                        self.roots += 1;
                        self.inner(&f.node.selection_set.node, stack)?;
                    }
                }
                Selection::InlineFragment(i) => self.root(&i.node.selection_set.node, stack)?,
                Selection::FragmentSpread(s) => {
                    if let Some((name, fragment)) = self.fragment(s.node.fragment_name.node.as_str(), stack) {
                        stack.push(name);
                        self.root(&fragment.selection_set.node, stack)?;
                        stack.pop();
                    }
                }
            }
        }
        Ok(())
    }

    /// Everything selected inside an introspection field.
    fn inner(&mut self, set: &'d SelectionSet, stack: &mut Vec<&'d str>) -> Result<(), Stop> {
        for item in &set.items {
            self.visit()?;
            match &item.node {
                Selection::Field(f) => {
                    self.fields += 1;
                    self.inner(&f.node.selection_set.node, stack)?;
                }
                Selection::InlineFragment(i) => self.inner(&i.node.selection_set.node, stack)?,
                Selection::FragmentSpread(s) => {
                    if let Some((name, fragment)) = self.fragment(s.node.fragment_name.node.as_str(), stack) {
                        stack.push(name);
                        self.inner(&fragment.selection_set.node, stack)?;
                        stack.pop();
                    }
                }
            }
        }
        Ok(())
    }

    /// A fragment to expand, unless unknown or already being expanded (a
    /// cycle: validation reports it).
    fn fragment(
        &self,
        name: &str,
        stack: &[&'d str],
    ) -> Option<(&'d str, &'d async_graphql::parser::types::FragmentDefinition)> {
        if stack.contains(&name) {
            return None;
        }
        self.doc
            .fragments
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(n, f)| (n.as_str(), &f.node))
    }
}

/// Refuse a document whose introspection is too costly.
pub(crate) fn check(doc: &ExecutableDocument) -> Result<(), ApiError> {
    let mut walk = Walk {
        doc,
        roots: 0,
        fields: 0,
        visits: 0,
    };
    let mut seen = HashSet::new();
    for (_, op) in doc.operations.iter() {
        // The same operation is never walked twice.
        if !seen.insert(op.pos) {
            continue;
        }
        if walk.root(&op.node.selection_set.node, &mut vec![]).is_err() {
            return Err(ApiError::validation(
                "introspection_too_costly",
                format!(
                    "introspection is limited to {MAX_ROOTS} `__schema`/`__type` fields selecting {MAX_FIELDS} fields per request"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn ok(q: &str) -> bool {
        check(&parse_query(q).unwrap()).is_ok()
    }

    #[test]
    fn ordinary_and_graphiql_documents_pass() {
        assert!(ok("{ municipalities { totalCount } }"));
        assert!(ok("{ __schema { types { name fields { name } } } }"));
        assert!(ok(
            "query { ...F } fragment F on Query { __type(name: \"Money\") { name } }"
        ));
    }

    #[test]
    fn many_roots_or_fields_are_refused() {
        let roots: Vec<String> = (0..10)
            .map(|i| format!("a{i}: __schema {{ types {{ name }} }}"))
            .collect();
        assert!(!ok(&format!("{{ {} }}", roots.join(" "))));
        let fields: Vec<String> = (0..700).map(|i| format!("n{i}: name")).collect();
        assert!(!ok(&format!("{{ __schema {{ types {{ {} }} }} }}", fields.join(" "))));
        // Fragments are expanded, and cycles do not loop.
        let spread = "{ __schema { ...A } } fragment A on __Schema { types { ...B ...B ...B } } fragment B on __Type { \
             fields { ...C ...C ...C } } fragment C on __Field { a: name b: name c: name d: name e: name f: name g: name h: name \
             i: name j: name k: name l: name m: name n: name o: name p: name q: name r: name s: name t: name u: name v: name \
             w: name x: name y: name z: name aa: name ab: name ac: name ad: name ae: name af: name ag: name ah: name ai: name \
             aj: name ak: name al: name am: name an: name ao: name ap: name aq: name ar: name as: name at: name au: name av: name \
             aw: name ax: name ay: name az: name ba: name bb: name bc: name bd: name be: name bf: name bg: name bh: name bi: name \
             bj: name bk: name bl: name bm: name bn: name bo: name bp: name bq: name br: name bs: name bt: name bu: name bv: name }";
        assert!(!ok(spread));
        assert!(ok(
            "{ __schema { ...A } } fragment A on __Schema { ...A types { name } }"
        ));
    }
}
