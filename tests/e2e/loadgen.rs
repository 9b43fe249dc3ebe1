//! `samverkan loadgen` through the real binary, at a tiny scale: it starts
//! the server, drives every workload beside its yardsticks, prints the
//! table without errors and leaves nothing behind.

use std::process::Command;

use crate::helpers::BIN;

#[test]
fn loadgen_runs_every_workload_and_cleans_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(BIN)
        .args([
            "loadgen",
            "--connections",
            "4",
            "--seconds",
            "0.3",
            "--mutations",
            "60",
            "--projects",
            // Two sets of 7: more than the demo's active projects.
            "7",
        ])
        .args(["--grow", "2", "--dir"])
        .arg(dir.path())
        .env("RUST_LOG", "warn")
        .output()
        .expect("run samverkan loadgen");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    for row in [
        "| GraphQL dashboard |",
        "| GraphQL consortium overview |",
        "| GraphQL yearly follow-up |",
        "| bare axum handler, same bytes as dashboard",
        "| store yardstick: 4 writers",
        // The short set is registered projects (one event each), which
        // grow by 2 × ⌈60 / 7⌉ = 18 events: the long ones are made 2 × 19.
        "| (grew 7 project streams to 38 events:",
        "| planMilestone, one per grown stream (the aggregate cache refreshes its 7 entries) | 7 | 0 |",
        "| planMilestone, 7 projects, short streams, run 1 | 60 | 0 |",
        "| planMilestone, 7 projects, long streams, run 1 | 60 | 0 |",
        "| planMilestone, 7 projects, long streams, run 2 | 60 | 0 |",
        "| planMilestone, 7 projects, short streams, run 2 | 60 | 0 |",
        "| planMilestone, 7 projects, long streams, the first snapshot (whole log) written meanwhile | 60 | 0 |",
        "| planMilestone, 7 projects, long streams, the next snapshot (appended) written meanwhile | 60 | 0 |",
        "CONFLICT answers: 0",
        "long/short rate (both runs of each):",
    ] {
        assert!(text.contains(row), "no `{row}` in:\n{text}");
    }
    assert!(!text.contains("first error"), "{text}");
    // The first snapshot holds the whole log; the next one appends only
    // what was applied since (the commands of one run and their follow-ups).
    let entries = |how: &str| -> u64 {
        let line = text
            .lines()
            .find(|l| l.contains("snapshot written in") && l.ends_with(how))
            .unwrap_or_else(|| panic!("no `{how}` snapshot line in:\n{text}"));
        let (_, rest) = line.split_once(": ").expect("the counts");
        rest.split(' ').next().and_then(|n| n.parse().ok()).expect("a count")
    };
    let (whole, appended) = (entries("whole"), entries("appended"));
    assert!(whole > 300, "the demo and the grown streams: {whole}\n{text}");
    assert!(
        (1..whole / 4).contains(&appended),
        "appended {appended} of {whole} entries\n{text}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("the dir").count(),
        0,
        "the scratch directory is removed"
    );
}
