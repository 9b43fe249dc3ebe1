//! `samverkan verify` on damaged and older store files, through the real
//! binary: a row whose columns cannot be decoded is reported at its
//! position (and the walk goes on past it); a store whose newest link is
//! damaged, which the server refuses to open, still opens for `verify` and
//! is reported at that position; an older-format file is checked as an
//! upgraded copy and not a byte of it is written.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::{broken_line, copy_of, public_key, python, python_verify, run, sqlite, text};
use crate::helpers::spawn;

/// The store file's bytes (and its WAL's, if any), hashed.
fn fingerprint(dir: &Path) -> Vec<u8> {
    let mut h = Sha256::new();
    for f in ["events.sqlite", "events.sqlite-wal"] {
        if let Ok(bytes) = std::fs::read(dir.join(f)) {
            h.update(&bytes);
        }
    }
    h.finalize().to_vec()
}

fn verify(dir: &Path, key: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "verify",
        "--data-dir",
        dir.to_str().expect("utf-8"),
        "--public-key",
        key,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_reports_unreadable_rows_and_damaged_heads_at_their_position_and_never_writes_the_file() {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path().join("served");
    let server = spawn(&dir, &["--demo"]);
    let key = public_key(&dir);
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    let head: i64 = sqlite(&dir)
        .query_row("SELECT max(position) FROM events", [], |r| r.get(0))
        .expect("a head");
    let py = python();

    // (a) A row whose body column is not bytes (an integer): it cannot be
    // decoded, so `verify` names its position; the export holds the rest.
    let d = copy_of(&dir, &work.path().join("unreadable"));
    sqlite(&d)
        .execute("UPDATE events SET data = 42 WHERE position = 25", [])
        .expect("tamper");
    let before = fingerprint(&d);
    let export = work.path().join("unreadable.jsonl");
    let out = verify(&d, &key, &["--export", export.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        broken_line(&out).starts_with("broken: position 25: unreadable row: "),
        "{}",
        text(&out)
    );
    assert_eq!(fingerprint(&d), before, "verify wrote to the store file");
    let exported = std::fs::read_to_string(&export).expect("the export");
    let positions: Vec<u64> = exported
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON"))
        .filter(|v| v["kind"] == "event")
        .map(|v| v["position"].as_u64().expect("a position"))
        .collect();
    assert!(!positions.contains(&25), "the unreadable row cannot be exported");
    assert_eq!(
        positions.len(),
        usize::try_from(head - 1).expect("fits"),
        "every other row is exported"
    );
    if let Some(py) = py.as_deref() {
        // The independent verifier sees the gap where the row was.
        let theirs = python_verify(py, &export, &key, &[]);
        assert_eq!(theirs.status.code(), Some(1), "{}", text(&theirs));
        assert!(
            broken_line(&theirs).starts_with("broken: position 25: missing position: "),
            "{}",
            text(&theirs)
        );
    }

    // (b) The newest event's link damaged (three bytes): the server will not
    // open the file to append to it, but `verify` does and names the position.
    let d = copy_of(&dir, &work.path().join("damaged-head"));
    sqlite(&d)
        .execute("UPDATE events SET chain_hash = x'000102' WHERE position = ?1", [head])
        .expect("tamper");
    let before = fingerprint(&d);
    let out = verify(&d, &key, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        broken_line(&out).starts_with(&format!(
            "broken: position {head}: hash mismatch: the stored link is missing"
        )),
        "{}",
        text(&out)
    );
    assert_eq!(fingerprint(&d), before, "verify wrote to the store file");
    let seed = run(&["seed", "--data-dir", d.to_str().expect("utf-8")]);
    assert!(!seed.status.success(), "the writer still refuses it: {}", text(&seed));
    assert!(text(&seed).contains(&format!("position {head}")), "{}", text(&seed));

    // (c) A file of the older format 2 (no links, no checkpoints yet): it is
    // checked as an upgraded copy; the file itself stays format 2, byte for byte.
    let d = copy_of(&dir, &work.path().join("format-2"));
    sqlite(&d)
        .execute_batch("ALTER TABLE events DROP COLUMN chain_hash; DROP TABLE checkpoints; PRAGMA user_version = 2;")
        .expect("back to format 2");
    let before = fingerprint(&d);
    let out = verify(&d, &key, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("older format 2"), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with(&format!("verified: {head} events, head at position {head}")),
        "{}",
        text(&out)
    );
    assert_eq!(fingerprint(&d), before, "verify upgraded the store file in place");
    let version: i64 = sqlite(&d)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version");
    assert_eq!(version, 2);
    // The sound store is opened read-only as well: verifying writes nothing.
    let d = copy_of(&dir, &work.path().join("sound"));
    let before = fingerprint(&d);
    let out = verify(&d, &key, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(fingerprint(&d), before, "verify wrote to a sound store file");
}
