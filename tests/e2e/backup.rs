//! The embedded store's online backup as docs/operations.md ("Backups")
//! tells it: `sqlite3 … ".backup '…'"` and `VACUUM INTO` on the live
//! WAL-mode file while the server runs, then the documented restore.

use std::path::Path;
use std::process::Command;

use samverkan_eventstore::SqliteStore;
use serde_json::json;

use crate::helpers::spawn;
use crate::migrate::{dashboard, envelopes, settled_head, sqlite_url, whole_log};

/// `sqlite3` with the given arguments; `None` if the tool is missing
/// outside CI (.ci/run installs it, and under CI a missing tool fails).
fn sqlite3(args: &[&str]) -> Option<std::process::Output> {
    match Command::new("sqlite3").args(args).output() {
        Ok(out) => Some(out),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "sqlite3 is missing (`apt-get install sqlite3`; .ci/run installs it)"
            );
            println!("skipped: the sqlite3 command-line tool is not installed");
            None
        }
        Err(e) => panic!("cannot run sqlite3: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_backups_of_the_live_store_are_consistent_and_restore() {
    let work = tempfile::tempdir().expect("temp dir");
    let data = work.path().join("data");
    let live = data.join("events.sqlite");
    let server = spawn(&data, &["--demo"]);
    let head = settled_head(&server).await;
    let before = dashboard(&server, None).await;
    let wal = Path::new(&format!("{}-wal", live.display())).to_path_buf();
    assert!(
        std::fs::metadata(&wal).map(|m| m.len() > 0).unwrap_or(false),
        "the newest commits are in the WAL while the server runs"
    );

    // Both documented commands, on the live file.
    let dot_backup = work.path().join("backup-dot.sqlite");
    let vacuum = work.path().join("backup-vacuum.sqlite");
    let live_arg = live.display().to_string();
    let Some(out) = sqlite3(&[&live_arg, &format!(".backup '{}'", dot_backup.display())]) else {
        return;
    };
    assert!(
        out.status.success(),
        ".backup: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = sqlite3(&[&live_arg, &format!("VACUUM INTO '{}'", vacuum.display())]).expect("sqlite3");
    assert!(
        out.status.success(),
        "VACUUM INTO: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The server goes on writing after a backup.
    let answer = server
        .gql(
            r#"mutation($id: UUID!) { registerMunicipality(commandId: $id, input: {code: "SE-2580", name: "Luleå"}) { position } }"#,
            json!({ "id": uuid::Uuid::new_v4() }),
        )
        .await;
    assert!(answer["errors"].is_null(), "{answer}");
    server.terminate();

    let log = envelopes(&whole_log(&sqlite_url(&live)).await);
    for backup in [&dot_backup, &vacuum] {
        let report = SqliteStore::check_file(backup).expect("a healthy store file");
        let copy = envelopes(&whole_log(&sqlite_url(backup)).await);
        assert!(
            report.head_position >= Some(head),
            "{}: holds what was acknowledged",
            backup.display()
        );
        assert_eq!(
            copy[..],
            log[..copy.len()],
            "{}: a beginning of the live log",
            backup.display()
        );
        assert!(copy.len() < log.len(), "the later mutation is not in it");
    }

    // Restore as documented: replace the file, drop the WAL, the shared
    // memory, the snapshot and the checkpoint; start.
    std::fs::copy(&vacuum, &live).expect("restore");
    for derived in [
        format!("{}-wal", live.display()),
        format!("{}-shm", live.display()),
        data.join("projections.snapshot.json").display().to_string(),
        data.join("process-manager.checkpoint").display().to_string(),
    ] {
        let _ = std::fs::remove_file(derived);
    }
    let server = spawn(&data, &[]);
    settled_head(&server).await;
    assert_eq!(
        dashboard(&server, None).await,
        before,
        "the restored store serves what it did"
    );
    server.terminate();
}
