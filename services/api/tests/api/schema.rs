//! The checked-in SDL (`schema/schema.graphql`) must be the served schema.
//! Regenerate it with `UPDATE_SCHEMA=1 cargo test -p samverkan-api --test api schema`.

use std::path::PathBuf;

fn checked_in() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema/schema.graphql")
}

#[test]
fn the_checked_in_schema_is_the_served_schema() {
    let served = samverkan_api::sdl();
    let path = checked_in();
    if std::env::var_os("UPDATE_SCHEMA").is_some_and(|v| v == "1") {
        std::fs::write(&path, &served).expect("write schema/schema.graphql");
        return;
    }
    let file = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        file == served,
        "schema/schema.graphql is out of date: regenerate it with `UPDATE_SCHEMA=1 cargo test -p samverkan-api --test api schema` and review the diff"
    );
}
