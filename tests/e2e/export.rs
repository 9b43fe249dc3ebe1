//! `samverkan export` / `samverkan import` through the real binary: the
//! demo's log as CloudEvents JSON Lines, imported into an empty store with
//! the same chain (the export of the import is the same file byte for
//! byte, `verify` agrees on the head); a changed export is refused before
//! anything is written; a non-empty target is refused.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::helpers::{spawn, BIN};

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run samverkan")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The `verified: …` line of `samverkan verify`.
fn verified(dir: &Path, key: &str) -> String {
    let out = run(&["verify", "--data-dir", s(dir), "--public-key", key]);
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.starts_with("verified: "))
        .expect("a verified line")
        .to_string()
}

#[tokio::test]
async fn the_log_exports_as_cloudevents_and_imports_with_the_chain_bit_for_bit() {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path().join("served");
    let server = spawn(&dir, &["--demo"]);
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    let keys = run(&["keys", "--data-dir", s(&dir)]);
    let key = String::from_utf8_lossy(&keys.stdout)
        .lines()
        .next()
        .and_then(|l| l.rsplit(' ').next())
        .expect("the key")
        .trim()
        .to_string();

    let export = work.path().join("log.jsonl");
    let out = run(&["export", "--data-dir", s(&dir), "--output", s(&export)]);
    assert!(out.status.success(), "{}", text(&out));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&export).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the export holds every body");
    }
    let original = std::fs::read(&export).expect("read the export");
    let lines: Vec<Value> = String::from_utf8(original.clone())
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let events: Vec<&Value> = lines
        .iter()
        .filter(|l| l["type"] != "se.samverkan.chain.checkpoint")
        .collect();
    assert!(events.len() > 100, "the demo's log: {}", events.len());
    assert!(lines.len() > events.len(), "the signed checkpoints follow the events");
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["specversion"], "1.0");
        assert_eq!(e["position"].as_u64(), Some(i as u64 + 1));
        assert!(e["type"].as_str().unwrap().starts_with("se.samverkan."), "{e}");
        assert_eq!(
            e["source"].as_str().unwrap(),
            format!("/samverkan/streams/{}", e["subject"].as_str().unwrap())
        );
        uuid::Uuid::parse_str(e["id"].as_str().unwrap()).expect("the event id");
        assert!(e["data"].is_object(), "the body as JSON: {e}");
        assert_eq!(e["chainlink"].as_str().map(str::len), Some(64));
    }
    let adopted = events
        .iter()
        .find(|e| e["type"] == "se.samverkan.StrategyAdopted")
        .expect("a strategy adoption");
    assert!(adopted["data"]["decision"]["date"].is_string(), "{adopted}");

    // Into an empty store: the same chain, the same export.
    let copy = work.path().join("imported");
    let out = run(&["import", "--data-dir", s(&copy), s(&export)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("chain: identical to the export's"),
        "{}",
        text(&out)
    );
    assert_eq!(verified(&copy, &key), verified(&dir, &key));
    let again = work.path().join("again.jsonl");
    let out = run(&["export", "--data-dir", s(&copy), "--output", s(&again)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        std::fs::read(&again).expect("read") == original,
        "the export of the import is the same file"
    );

    // Into an empty PostgreSQL database too: the same export back.
    if let Some(pg) = samverkan_eventstore::pg_testing::PgServer::shared_or_skip() {
        let url = pg.fresh_database("import");
        let scratch = work.path().join("pg");
        let out = run(&["import", "--data-dir", s(&scratch), "--store-url", &url, s(&export)]);
        assert!(out.status.success(), "{}", text(&out));
        assert!(
            text(&out).contains("chain: identical to the export's"),
            "{}",
            text(&out)
        );
        let from_pg = work.path().join("pg.jsonl");
        let out = run(&[
            "export",
            "--data-dir",
            s(&scratch),
            "--store-url",
            &url,
            "-o",
            s(&from_pg),
        ]);
        assert!(out.status.success(), "{}", text(&out));
        assert!(
            std::fs::read(&from_pg).expect("read") == original,
            "PostgreSQL gives the same export"
        );
    }

    // Not into a store that has events.
    let out = run(&["import", "--data-dir", s(&copy), s(&export)]);
    assert!(!out.status.success());
    assert!(text(&out).contains("not empty"), "{}", text(&out));

    // A changed body is refused before anything is written.
    let changed = work.path().join("changed.jsonl");
    let mut text_lines: Vec<String> = String::from_utf8(original)
        .expect("utf-8")
        .lines()
        .map(str::to_string)
        .collect();
    let at = text_lines
        .iter()
        .position(|l| l.contains("\"se.samverkan.StrategyAdopted\""))
        .expect("an adoption");
    let mut line: Value = serde_json::from_str(&text_lines[at]).expect("json");
    line["data"]["decision"]["date"] = Value::from("1999-01-01");
    text_lines[at] = line.to_string();
    std::fs::write(&changed, text_lines.join("\n") + "\n").expect("write");
    let target = work.path().join("refused");
    let out = run(&["import", "--data-dir", s(&target), s(&changed)]);
    assert!(!out.status.success(), "{}", text(&out));
    let position = line["position"].as_u64().unwrap();
    assert!(
        text(&out).contains(&format!("position {position}: the event's fields give the link")),
        "{}",
        text(&out)
    );
    let out = run(&["export", "--data-dir", s(&target)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(out.stdout.is_empty(), "nothing was imported: {}", text(&out));
}
