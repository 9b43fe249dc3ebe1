//! The command/role matrix of `docs/security.md` and the list of mutations
//! of `docs/graphql.md` are generated from the command table
//! (`samverkan_api::command::commands()`), and the table names every
//! mutation of the served schema. Regenerate the docs with
//! `UPDATE_DOCS=1 cargo test -p samverkan-api --test api command_docs`.

use std::path::PathBuf;

use samverkan_api::command::docs::{mutation_list, security_matrix, splice, MUTATION_LIST, SECURITY_MATRIX};
use samverkan_api::command::{commands, CommandRow};

fn doc(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs").join(name)
}

fn check(file: &str, marker: &str, render: fn(&[CommandRow]) -> String) {
    let path = doc(file);
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = splice(&on_disk, marker, &render(&commands())).unwrap_or_else(|| {
        panic!("docs/{file} lacks the markers `<!-- generated: {marker} -->` … `<!-- end generated: {marker} -->`")
    });
    if std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write the doc");
        return;
    }
    assert!(
        on_disk == generated,
        "docs/{file} differs from the command table; run UPDATE_DOCS=1 cargo test -p samverkan-api --test api command_docs"
    );
}

#[test]
fn the_security_matrix_is_the_command_table() {
    check("security.md", SECURITY_MATRIX, security_matrix);
}

#[test]
fn the_list_of_mutations_is_the_command_table() {
    check("graphql.md", MUTATION_LIST, mutation_list);
}

#[test]
fn the_table_names_every_mutation_of_the_schema_once() {
    let sdl = samverkan_api::sdl();
    let start = sdl.find("type Mutation {").expect("a Mutation type");
    let body = &sdl[start..start + sdl[start..].find("\n}").expect("its end")];
    let served: Vec<&str> = body
        .lines()
        .filter_map(|l| l.strip_prefix('\t'))
        .filter_map(|l| l.split_once("(commandId:").map(|(name, _)| name))
        .collect();
    let table: Vec<String> = commands().iter().map(CommandRow::graphql_name).collect();
    assert_eq!(served, table, "the served mutations, in order, are the table's");
    assert_eq!(table.len(), 44);
}
