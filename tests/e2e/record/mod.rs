//! The public record's tamper evidence through the real binary: `serve
//! --demo` signs a checkpoint of the chain, `eventProof` proves one event
//! against it (and keeps drafts to those who may read them), `samverkan
//! verify` and the independent Python verifier
//! (`infra/scripts/verify_chain.py`) accept the untouched store and locate
//! each kind of tampering — one byte of a body changed in the SQLite file,
//! an event dropped, two events reordered, a checkpoint forged, the links
//! recomputed after a change — and the chain survives `samverkan migrate`
//! into PostgreSQL bit for bit.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use samverkan_eventstore::chain::{checkpoint_message, event_digest, from_hex, link, EventFields};
use samverkan_eventstore::{EventMetadata, RecordedEvent};
use serde_json::{json, Value};

use crate::helpers::{python_with, spawn, BIN};

mod damage;
mod forge;

use forge::{forged_signature, relink, resign_with};

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("RUST_LOG", "off")
        .env_remove("SAMVERKAN_STORE_URL")
        .env_remove("SAMVERKAN_DATA_DIR")
        .output()
        .expect("run samverkan")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn public_key(dir: &Path) -> String {
    let out = run(&["keys", "--data-dir", dir.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let line = stdout.lines().next().expect("a line");
    line.rsplit(' ').next().expect("the key").trim().to_string()
}

/// A Python with the `cryptography` package (for `verify_chain.py`).
pub(crate) fn python() -> Option<PathBuf> {
    python_with(
        "cryptography",
        "verify-chain-venv",
        "infra/scripts/requirements-verify.txt",
    )
}

pub(crate) fn python_verify(py: &Path, export: &Path, key: &str, checkpoints: &[&Path]) -> Output {
    let mut command = Command::new(py);
    command
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/scripts/verify_chain.py"))
        .arg(export)
        .args(["--public-key", key]);
    for file in checkpoints {
        command.arg("--checkpoint").arg(file);
    }
    command.output().expect("run verify_chain.py")
}

/// `samverkan verify` on `args` with an export to `export`; then the Python
/// verifier on the export. Both must agree: `None` = sound, else the
/// `broken: position P: KIND` line of each.
fn verify_both(py: Option<&Path>, args: &[&str], export: &Path, key: &str) -> (Output, Option<Output>) {
    let mut all = vec!["verify"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--public-key", key, "--export", export.to_str().expect("utf-8")]);
    let ours = run(&all);
    let theirs = py.map(|py| python_verify(py, export, key, &[]));
    (ours, theirs)
}

fn broken_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.starts_with("broken: "))
        .unwrap_or_default()
        .to_string()
}

/// Both verifiers report the first broken link at `position`, of `kind`.
fn assert_broken(py: Option<&Path>, dir: &Path, position: u64, kind: &str, key: &str) {
    let export = dir.join("export.jsonl");
    let (ours, theirs) = verify_both(py, &["--data-dir", dir.to_str().expect("utf-8")], &export, key);
    assert!(!ours.status.success(), "verify must fail: {}", text(&ours));
    let want = format!("broken: position {position}: {kind}: ");
    assert!(
        broken_line(&ours).starts_with(&want),
        "samverkan verify: {}",
        text(&ours)
    );
    if let Some(theirs) = theirs {
        assert_eq!(theirs.status.code(), Some(1), "verify_chain.py: {}", text(&theirs));
        assert!(
            broken_line(&theirs).starts_with(&want),
            "verify_chain.py: {}",
            text(&theirs)
        );
    }
}

fn assert_sound(py: Option<&Path>, args: &[&str], export: &Path, key: &str) -> String {
    let (ours, theirs) = verify_both(py, args, export, key);
    assert!(ours.status.success(), "samverkan verify: {}", text(&ours));
    let stdout = String::from_utf8_lossy(&ours.stdout).to_string();
    assert!(stdout.contains("checkpoints: 1 verified"), "{stdout}");
    // The export holds every body (drafts too): its owner's alone.
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(export).expect("export").permissions().mode();
        assert_eq!(mode & 0o077, 0, "the export has mode {mode:o}");
    }
    let head = stdout.lines().next().unwrap_or_default().to_string();
    if let Some(theirs) = theirs {
        assert!(theirs.status.success(), "verify_chain.py: {}", text(&theirs));
        // The same head and link, computed independently.
        assert_eq!(
            String::from_utf8_lossy(&theirs.stdout).lines().next(),
            Some(head.as_str())
        );
    }
    head
}

/// A copy of the stopped server's store file and key in a fresh directory.
fn copy_of(from: &Path, to: &Path) -> PathBuf {
    std::fs::create_dir_all(to).expect("mkdir");
    for f in ["events.sqlite", "checkpoint-ed25519.key"] {
        std::fs::copy(from.join(f), to.join(f)).expect("copy");
    }
    to.to_path_buf()
}

fn sqlite(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("events.sqlite")).expect("open the store file")
}

async fn proof_of(server: &crate::helpers::Server, token: &str, id: &str) -> Value {
    server
        .gql_as(
            token,
            r#"query($id: UUID!) { checkpointKey eventProof(id: $id) {
                 event { position stream version id eventType schemaVersion body actor actorRole causationId
                         correlationId traceId commandFingerprint recordedAtMicros }
                 digest previousLink link segment { position digest link }
                 checkpoint { position link signedAtMicros publicKey signature } verified } }"#,
            json!({ "id": id }),
        )
        .await
}

/// Checks a proof as an auditor would, with nothing but the answer and the key.
fn check_proof(proof: &Value, key: &str) {
    let e = &proof["event"];
    let opt = |v: &Value| v.as_str().map(str::to_string);
    let uuid = |v: &Value| v.as_str().map(|s| uuid::Uuid::parse_str(s).expect("a uuid"));
    let event = RecordedEvent {
        id: uuid(&e["id"]).expect("id"),
        stream: e["stream"].as_str().expect("stream").to_string(),
        version: e["version"].as_u64().expect("version"),
        position: e["position"].as_u64().expect("position"),
        event_type: e["eventType"].as_str().expect("type").to_string(),
        schema_version: u32::try_from(e["schemaVersion"].as_u64().expect("schema")).expect("u32"),
        data: e["body"].as_str().expect("body").as_bytes().to_vec(),
        metadata: EventMetadata {
            actor: opt(&e["actor"]),
            actor_role: opt(&e["actorRole"]),
            causation_id: uuid(&e["causationId"]),
            correlation_id: uuid(&e["correlationId"]),
            trace_id: opt(&e["traceId"]),
            command_fingerprint: opt(&e["commandFingerprint"]),
        },
        recorded_at: chrono::DateTime::from_timestamp_micros(
            e["recordedAtMicros"]
                .as_str()
                .expect("micros")
                .parse()
                .expect("an integer"),
        )
        .expect("an instant"),
    };
    let hash = |v: &Value| from_hex::<32>(v.as_str().expect("hex")).expect("32 bytes");
    let digest = event_digest(&EventFields::from(&event));
    assert_eq!(digest, hash(&proof["digest"]));
    let mut running = link(&hash(&proof["previousLink"]), &digest);
    assert_eq!(running, hash(&proof["link"]));
    for l in proof["segment"].as_array().expect("segment") {
        running = link(&running, &hash(&l["digest"]));
        assert_eq!(running, hash(&l["link"]));
    }
    let cp = &proof["checkpoint"];
    assert_eq!(running, hash(&cp["link"]), "the segment reaches the checkpoint");
    assert_eq!(cp["publicKey"].as_str(), Some(key));
    let signed_at =
        chrono::DateTime::from_timestamp_micros(cp["signedAtMicros"].as_str().expect("micros").parse().expect("int"))
            .expect("an instant");
    let message = checkpoint_message(cp["position"].as_u64().expect("position"), &running, signed_at);
    let key = ed25519_dalek::VerifyingKey::from_bytes(&from_hex::<32>(key).expect("key")).expect("a key");
    let signature = from_hex::<64>(cp["signature"].as_str().expect("hex")).expect("64 bytes");
    key.verify_strict(&message, &ed25519_dalek::Signature::from_bytes(&signature))
        .expect("the checkpoint's signature verifies");
    assert_eq!(proof["verified"], json!(true));
}

/// The event id at `position`, and the id of an event of an application
/// that was never submitted (a draft).
fn ids(dir: &Path, position: i64) -> (String, String) {
    let conn =
        rusqlite::Connection::open_with_flags(dir.join("events.sqlite"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open read-only");
    let id = |sql: &str, p: &dyn rusqlite::ToSql| -> String {
        let bytes: Vec<u8> = conn.query_row(sql, [p], |r| r.get(0)).expect("an event");
        uuid::Uuid::from_slice(&bytes).expect("a uuid").to_string()
    };
    let public = id("SELECT event_id FROM events WHERE position = ?1", &position);
    let draft = id(
        "SELECT e.event_id FROM events e JOIN streams s ON s.stream_id = e.stream_id
          WHERE s.name LIKE ?1 AND e.stream_id NOT IN (
            SELECT stream_id FROM events WHERE event_type IN ('ApplicationSubmitted', 'ApplicationWithdrawn'))
          ORDER BY e.position LIMIT 1",
        &"application-%",
    );
    (public, draft)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_record_is_signed_proved_and_every_kind_of_tampering_is_located() {
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path().join("served");
    let server = spawn(&dir, &["--demo"]);
    let key = public_key(&dir);
    let admin = server.admin_token.clone().expect("an admin token");
    let (public, draft) = ids(&dir, 5);

    // The signer signs the demo's head right after start.
    let deadline = Instant::now() + Duration::from_secs(30);
    let answer = loop {
        let answer = proof_of(&server, &admin, &public).await;
        if answer["data"]["eventProof"]["checkpoint"].is_object() || Instant::now() > deadline {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(answer["data"]["checkpointKey"].as_str(), Some(key.as_str()), "{answer}");
    // The key is published on a well-known path too, without a token.
    let published: serde_json::Value = reqwest::get(format!("{}/.well-known/samverkan/checkpoint-key", server.base))
        .await
        .expect("GET the published key")
        .json()
        .await
        .expect("JSON");
    assert_eq!(published, json!({ "algorithm": "Ed25519", "publicKey": key }));
    let proof = &answer["data"]["eventProof"];
    assert_eq!(proof["event"]["position"], json!(5), "{answer}");
    check_proof(proof, &key);

    // Any caller gets public events' proofs; a draft's only who may read it.
    let reader = server.token("reader", None);
    check_proof(&proof_of(&server, &reader, &public).await["data"]["eventProof"], &key);
    let hidden = proof_of(&server, &reader, &draft).await;
    assert_eq!(
        hidden["errors"][0]["extensions"]["code"],
        json!("NOT_FOUND"),
        "{hidden}"
    );
    assert!(!hidden.to_string().contains("\"body\""), "{hidden}");
    check_proof(&proof_of(&server, &admin, &draft).await["data"]["eventProof"], &key);
    let unknown = proof_of(&server, &reader, &uuid::Uuid::new_v4().to_string()).await;
    assert_eq!(
        unknown["errors"][0]["extensions"]["code"],
        json!("NOT_FOUND"),
        "{unknown}"
    );
    let status = server.terminate();
    assert!(status.success(), "{status:?}");

    let py = python();
    let sound = assert_sound(
        py.as_deref(),
        &["--data-dir", dir.to_str().expect("utf-8")],
        &work.path().join("sound.jsonl"),
        &key,
    );
    assert!(sound.starts_with("verified: "), "{sound}");

    // One byte of a body changed in the file.
    let d = copy_of(&dir, &work.path().join("byte"));
    {
        let conn = sqlite(&d);
        let mut body: Vec<u8> = conn
            .query_row("SELECT data FROM events WHERE position = 20", [], |r| r.get(0))
            .expect("body");
        let at = body.iter().position(|b| b.is_ascii_alphabetic()).expect("a letter");
        body[at] ^= 0x20; // the same letter in the other case: still UTF-8 JSON
        conn.execute("UPDATE events SET data = ?1 WHERE position = 20", [&body])
            .expect("tamper");
    }
    assert_broken(py.as_deref(), &d, 20, "hash mismatch", &key);

    // An event dropped.
    let d = copy_of(&dir, &work.path().join("dropped"));
    sqlite(&d)
        .execute("DELETE FROM events WHERE position = 30", [])
        .expect("tamper");
    assert_broken(py.as_deref(), &d, 30, "missing position", &key);

    // Two events of one stream swapped (rows and links, positions kept).
    let d = copy_of(&dir, &work.path().join("reordered"));
    let (a, b) = {
        let conn = sqlite(&d);
        let (a, b): (i64, i64) = conn
            .query_row(
                "SELECT x.position, y.position FROM events x JOIN events y
                   ON y.stream_id = x.stream_id AND y.version = x.version + 1
                 WHERE x.position > 40 ORDER BY x.position LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("two events of one stream");
        conn.execute_batch(&format!(
            "UPDATE events SET position = -1 WHERE position = {a};
             UPDATE events SET position = {a} WHERE position = {b};
             UPDATE events SET position = {b} WHERE position = -1;"
        ))
        .expect("tamper");
        (a, b)
    };
    assert!(a < b);
    assert_broken(py.as_deref(), &d, u64::try_from(a).expect("positive"), "order", &key);

    // The checkpoint's signature forged (one bit), and one signed with another key.
    let d = copy_of(&dir, &work.path().join("forged"));
    let cp_position: i64 = sqlite(&d)
        .query_row("SELECT max(position) FROM checkpoints", [], |r| r.get(0))
        .expect("a checkpoint");
    sqlite(&d)
        .execute(
            "UPDATE checkpoints SET signature = ?1 WHERE position = ?2",
            rusqlite::params![forged_signature(&d, cp_position), cp_position],
        )
        .expect("tamper");
    let cp = u64::try_from(cp_position).expect("positive");
    assert_broken(py.as_deref(), &d, cp, "bad signature", &key);
    let d = copy_of(&dir, &work.path().join("other-key"));
    resign_with(&d, cp_position, &[9; 32]);
    assert_broken(py.as_deref(), &d, cp, "unknown key", &key);

    // A body changed and every link after it recomputed: only the signed
    // checkpoint still tells.
    let d = copy_of(&dir, &work.path().join("relinked"));
    {
        let conn = sqlite(&d);
        conn.execute(
            "UPDATE events SET data = CAST('{\"forged\":true}' AS BLOB) WHERE position = 12",
            [],
        )
        .expect("tamper");
        relink(&conn);
    }
    assert_broken(py.as_deref(), &d, cp, "checkpoint mismatch", &key);

    // The same rewrite with the store's checkpoints deleted: nothing in the
    // file contradicts it any more, but the checkpoints published before do.
    let d = copy_of(&dir, &work.path().join("rewritten"));
    {
        let conn = sqlite(&d);
        conn.execute(
            "UPDATE events SET data = CAST('{\"forged\":true}' AS BLOB) WHERE position = 12",
            [],
        )
        .expect("tamper");
        relink(&conn);
        conn.execute("DELETE FROM checkpoints", []).expect("tamper");
    }
    let path = d.to_str().expect("utf-8");
    let alone = run(&["verify", "--data-dir", path, "--public-key", &key]);
    assert!(alone.status.success(), "without the published copies: {}", text(&alone));
    let published = work.path().join("sound.jsonl");
    let held = run(&[
        "verify",
        "--data-dir",
        path,
        "--public-key",
        &key,
        "--checkpoint",
        published.to_str().expect("utf-8"),
    ]);
    assert!(!held.status.success(), "{}", text(&held));
    assert!(
        broken_line(&held).starts_with(&format!("broken: position {cp}: checkpoint mismatch: ")),
        "{}",
        text(&held)
    );
    // The independent verifier agrees: the rewritten log's export passes
    // alone, and fails at the published checkpoint's position given the
    // published copy (only the export's checkpoint lines, as published).
    if let Some(py) = py.as_deref() {
        let export = work.path().join("rewritten.jsonl");
        let exported = run(&[
            "verify",
            "--data-dir",
            path,
            "--public-key",
            &key,
            "--export",
            export.to_str().expect("utf-8"),
        ]);
        assert!(exported.status.success(), "{}", text(&exported));
        let copies = work.path().join("published-checkpoints.jsonl");
        let lines: String = std::fs::read_to_string(&published)
            .expect("the sound export")
            .lines()
            .filter(|l| serde_json::from_str::<Value>(l).is_ok_and(|v| v["kind"] == "checkpoint"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(!lines.is_empty(), "the sound export holds its checkpoints");
        std::fs::write(&copies, lines).expect("write the published copy");
        let alone = python_verify(py, &export, &key, &[]);
        assert!(alone.status.success(), "verify_chain.py alone: {}", text(&alone));
        let held = python_verify(py, &export, &key, &[&copies]);
        assert_eq!(held.status.code(), Some(1), "verify_chain.py: {}", text(&held));
        assert!(
            broken_line(&held).starts_with(&format!("broken: position {cp}: checkpoint mismatch: ")),
            "verify_chain.py: {}",
            text(&held)
        );
        // The sound log's export holds against the same copy.
        let sound = python_verify(py, &published, &key, &[&copies]);
        assert!(sound.status.success(), "verify_chain.py: {}", text(&sound));
        // A copy that is not JSON is refused (exit 2), not ignored.
        let bad = work.path().join("not-json.jsonl");
        std::fs::write(&bad, "{not json\n").expect("write");
        let refused = python_verify(py, &export, &key, &[&bad]);
        assert_eq!(refused.status.code(), Some(2), "verify_chain.py: {}", text(&refused));
    }
    // The sound store holds against its published checkpoints too.
    let sound_dir = copy_of(&dir, &work.path().join("sound-again"));
    let again = run(&[
        "verify",
        "--data-dir",
        sound_dir.to_str().expect("utf-8"),
        "--checkpoint",
        published.to_str().expect("utf-8"),
    ]);
    assert!(again.status.success(), "{}", text(&again));

    // Without a trusted key (no --public-key, no key file) the links are
    // walked, but nothing proves who signed: exit 2.
    let untrusted = copy_of(&dir, &work.path().join("untrusted"));
    std::fs::remove_file(untrusted.join("checkpoint-ed25519.key")).expect("rm key");
    let out = run(&["verify", "--data-dir", untrusted.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("unverified: "), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chain_survives_migrate_into_postgres_bit_for_bit_and_verifies_there() {
    let Some(pg) = samverkan_eventstore::pg_testing::PgServer::shared_or_skip() else {
        return;
    };
    let pg_url = pg.fresh_database("chain");
    let work = tempfile::tempdir().expect("temp dir");
    let dir = work.path().join("source");
    let server = spawn(&dir, &["--demo"]);
    let key = public_key(&dir);
    // Wait for the signer's first checkpoint, then stop.
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let out = run(&["verify", "--data-dir", dir.to_str().expect("utf-8")]);
        if String::from_utf8_lossy(&out.stdout).contains("checkpoints: 1 verified") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(server.terminate().success());

    let py = python();
    let sqlite_head = assert_sound(
        py.as_deref(),
        &["--data-dir", dir.to_str().expect("utf-8")],
        &work.path().join("sqlite.jsonl"),
        &key,
    );
    let out = run(&[
        "migrate",
        "--data-dir",
        dir.to_str().expect("utf-8"),
        "--from",
        "sqlite:events.sqlite",
        "--to",
        &pg_url,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("chain: identical on both"),
        "{}",
        text(&out)
    );
    let pg_head = assert_sound(
        py.as_deref(),
        &[
            "--store-url",
            &pg_url,
            "--data-dir",
            work.path().to_str().expect("utf-8"),
        ],
        &work.path().join("pg.jsonl"),
        &key,
    );
    assert_eq!(pg_head, sqlite_head, "the same head position and link in both stores");

    // The exports agree line for line: every event's fields and link.
    let lines = |f: &str| std::fs::read_to_string(work.path().join(f)).expect("export");
    assert_eq!(lines("pg.jsonl"), lines("sqlite.jsonl"));

    // A changed byte in PostgreSQL is found there too.
    pg.psql(
        pg_url.rsplit('/').next().expect("a database name"),
        "UPDATE events SET data = convert_to(replace(convert_from(data, 'UTF8'), 'a', 'b'), 'UTF8') WHERE position = 17",
    )
    .expect("tamper");
    let out = run(&["verify", "--store-url", &pg_url, "--public-key", &key]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        broken_line(&out).starts_with("broken: position 17: hash mismatch: "),
        "{}",
        text(&out)
    );
}
