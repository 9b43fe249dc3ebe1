//! The command table rendered for the docs: the write-permission matrix of
//! `docs/security.md` and the list of mutations of `docs/graphql.md`, each
//! between `<!-- generated: NAME -->` and `<!-- end generated: NAME -->`.
//! A test fails when the checked-in docs differ from what this renders.

use super::CommandRow;

/// The marker name of the matrix in `docs/security.md`.
pub const SECURITY_MATRIX: &str = "command-permissions";
/// The marker name of the mutation list in `docs/graphql.md`.
pub const MUTATION_LIST: &str = "mutations";

/// `rows` grouped by `key`, in the order each key first appears.
fn grouped<K: PartialEq>(rows: &[CommandRow], key: impl Fn(&CommandRow) -> K) -> Vec<(K, Vec<String>)> {
    let mut groups: Vec<(K, Vec<String>)> = vec![];
    for row in rows {
        let name = format!("`{}`", row.graphql_name());
        let k = key(row);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, names)) => names.push(name),
            None => groups.push((k, vec![name])),
        }
    }
    groups
}

/// The write-permission matrix: one row per context and rule.
pub fn security_matrix(rows: &[CommandRow]) -> String {
    let mut out = String::from(
        "| command | admin | coordinator of the consortium | officer of the municipality | reader |\n\
         |---------|:-----:|:-----------------------------:|:---------------------------:|:------:|\n",
    );
    for ((_, rule), names) in grouped(rows, |r| (r.context, r.rule)) {
        out.push_str(&format!("| {} | {} |\n", names.join(", "), rule.cells().join(" | ")));
    }
    out
}

/// The mutations, one row per context.
pub fn mutation_list(rows: &[CommandRow]) -> String {
    let mut out = String::from("| aggregate | mutations |\n|-----------|-----------|\n");
    for (context, names) in grouped(rows, |r| r.context) {
        out.push_str(&format!("| {context} | {} |\n", names.join(", ")));
    }
    out
}

/// `doc` with the text between the markers named `name` replaced by
/// `generated`; `None` when the markers are missing.
pub fn splice(doc: &str, name: &str, generated: &str) -> Option<String> {
    let begin = format!("<!-- generated: {name} -->\n");
    let end = format!("<!-- end generated: {name} -->");
    let start = doc.find(&begin)? + begin.len();
    let stop = start + doc[start..].find(&end)?;
    Some(format!("{}{generated}{}", &doc[..start], &doc[stop..]))
}

#[cfg(test)]
mod tests {
    use samverkan_domain::Rule;

    use super::*;

    #[test]
    fn names_derive_from_the_table_line() {
        let row = CommandRow {
            field: "sign_twin_town_agreement",
            context: "municipality",
            rule: Rule::OwnMunicipality,
            domain_name: |_, _| Ok("SignTwinTownAgreement"),
        };
        assert_eq!(row.graphql_name(), "signTwinTownAgreement");
        assert_eq!(row.command_type(), "SignTwinTownAgreement");
    }

    #[test]
    fn splicing_replaces_only_between_the_markers() {
        let doc = "a\n<!-- generated: x -->\nold\n<!-- end generated: x -->\nb\n";
        assert_eq!(
            splice(doc, "x", "new\n").as_deref(),
            Some("a\n<!-- generated: x -->\nnew\n<!-- end generated: x -->\nb\n")
        );
        assert_eq!(splice(doc, "y", "new\n"), None);
    }
}
