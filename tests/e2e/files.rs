//! The data directory and its files are the server user's alone (0700/0600),
//! whatever the umask.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use uuid::Uuid;

use crate::helpers::{data, mint_token, spawn, BIN};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// Every file in `dir`, with its mode; none may be open to the group or others.
fn assert_files_private(dir: &Path) -> Vec<String> {
    let mut names = vec![];
    for entry in std::fs::read_dir(dir).expect("read the data directory") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        // A temporary file (`<file>.tmp`, created 0600) may be renamed
        // between the listing and the look at its mode: it is gone, not open.
        let m = match std::fs::metadata(entry.path()) {
            Ok(meta) => meta.permissions().mode() & 0o7777,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && name.ends_with(".tmp") => continue,
            Err(e) => panic!("{name}: {e}"),
        };
        assert_eq!(m & 0o077, 0, "{name} has mode {m:04o}");
        names.push(name);
    }
    names.sort();
    names
}

/// Stop the server (it must exit 0) and return its log once the pipe is drained.
fn stderr_after_exit(server: crate::helpers::Server) -> String {
    let stderr = server.stderr.clone();
    assert!(server.terminate().success());
    // The reader thread sees the end of the pipe shortly after the exit.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut last = String::new();
    while Instant::now() < deadline {
        let now = stderr.lock().map(|s| s.clone()).unwrap_or_default();
        if !now.is_empty() && now == last {
            break;
        }
        last = now;
        std::thread::sleep(Duration::from_millis(100));
    }
    last
}

/// `samverkan serve --demo` under umask 000 (so that only the server's own
/// modes protect its files); returns the child and its GraphQL URL.
fn serve_with_umask_000(data_dir: &Path) -> (Child, String) {
    let mut child = Command::new("sh")
        .args([
            "-c",
            "umask 000 && exec \"$0\" \"$@\"",
            BIN,
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        .env_remove("SAMVERKAN_STORE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start samverkan");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    let url = loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the server prints its URL");
        if let Some(url) = line.strip_prefix("GraphiQL: ") {
            break url.trim().to_string();
        }
    };
    (child, url)
}

#[tokio::test]
async fn the_data_directory_and_every_file_in_it_are_private_even_with_umask_000() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("data");
    let (mut child, url) = serve_with_umask_000(&dir);
    let admin = mint_token(&dir, None, &["--role", "admin"]);
    let r: serde_json::Value = reqwest::Client::new()
        .post(&url)
        .bearer_auth(&admin)
        .json(&json!({
            "query": r#"mutation($id: UUID!) { registerProject(commandId: $id, input: {
                title: "Filer", lead: {municipality: "SE-1494"}, programme: {kind: ERASMUS_PLUS, name: "Erasmus+"},
                financing: {budget: {amountMinor: 100, currency: EUR}, grant: {amountMinor: 0, currency: EUR}, coFinancing: {amountMinor: 0, currency: EUR}},
                period: {start: "2025-03-01", end: "2026-02-28"}}) { position } }"#,
            "variables": { "id": Uuid::new_v4() },
        }))
        .send()
        .await
        .expect("POST")
        .json()
        .await
        .expect("JSON");
    data(&r);

    // While it runs: the store with its WAL and shared memory, the key.
    assert_eq!(mode(&dir), 0o700);
    let running = assert_files_private(&dir);
    for name in ["dev-jwt.key", "events.sqlite", "events.sqlite-wal", "events.sqlite-shm"] {
        assert!(running.iter().any(|n| n == name), "{name} missing: {running:?}");
    }

    // After a clean shutdown: the snapshot too.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    assert!(child.wait().expect("wait").success());
    assert_eq!(mode(&dir), 0o700);
    let stopped = assert_files_private(&dir);
    for name in ["dev-jwt.key", "events.sqlite", "projections.snapshot.json"] {
        assert!(stopped.iter().any(|n| n == name), "{name} missing: {stopped:?}");
    }
}

#[tokio::test]
async fn store_files_left_open_by_an_older_version_are_made_private() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("data");
    let seeded = Command::new(BIN)
        .args(["seed", "--data-dir"])
        .arg(&dir)
        .env("RUST_LOG", "off")
        .output()
        .expect("samverkan seed");
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    // As an older version (or a careless copy) left them.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    for name in [
        "events.sqlite",
        "projections.snapshot.json",
        "process-manager.checkpoint",
    ] {
        let path = dir.join(name);
        if name == "events.sqlite" || path.exists() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }

    let server = spawn(&dir, &[]);
    assert_eq!(mode(&dir.join("events.sqlite")), 0o600);
    let log = stderr_after_exit(server);
    assert!(
        log.contains("the event store file was readable by other users"),
        "{log}"
    );
    // The directory is left as it was (it may be shared on purpose, see the
    // next test); the snapshot and the checkpoint are rewritten private.
    assert_eq!(mode(&dir), 0o755);
    assert_files_private(&dir);
}

#[tokio::test]
async fn an_open_data_directory_is_warned_about() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let server = spawn(&dir, &[]);
    let log = stderr_after_exit(server);
    assert!(log.contains("the data directory is open to other users"), "{log}");
    assert_eq!(mode(&dir), 0o755);
    assert_files_private(&dir);
}
