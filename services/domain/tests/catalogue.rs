//! The checked-in event schemas and catalogue must equal what the code generates.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::path::PathBuf;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn update() -> bool {
    std::env::var_os("UPDATE_CATALOGUE").is_some()
}

#[test]
fn event_schemas_are_up_to_date() {
    let dir = repo_root().join("schema/events");
    let generated = samverkan_domain::catalogue::json_schemas();
    if update() {
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
        for (name, text) in &generated {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    let mut stale = vec![];
    for (name, text) in &generated {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(on_disk) if on_disk == *text => {}
            _ => stale.push(name.clone()),
        }
    }
    let on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let extra: Vec<&String> = on_disk
        .iter()
        .filter(|f| !generated.iter().any(|(n, _)| n == *f))
        .collect();
    assert!(stale.is_empty() && extra.is_empty(), "schema/events differs from the code: stale {stale:?}, extra {extra:?}; run UPDATE_CATALOGUE=1 cargo test -p samverkan-domain --test catalogue");
    assert_eq!(generated.len(), 44, "one schema per event type");
}

#[test]
fn catalogue_is_up_to_date() {
    let path = repo_root().join("docs/events.md");
    let generated = samverkan_domain::catalogue::markdown();
    if update() {
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/events.md differs from the code; run UPDATE_CATALOGUE=1 cargo test -p samverkan-domain --test catalogue"
    );
    for spec in samverkan_domain::AnyEvent::catalogue() {
        assert!(generated.contains(&format!("### `{}`", spec.name)));
    }
}
