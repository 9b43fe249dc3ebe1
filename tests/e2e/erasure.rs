//! Personal data erased without breaking the proof, through the real binary
//! (`serve --demo`): contact persons named on two projects of ARKO's Interreg
//! Aurora applications (rule set with `records_retained`, 7 years) are
//! readable through GraphQL but never stored in plain text; `eraseSubject`
//! is refused for a non-administrator, while the project runs, before the
//! retention date, without a diarienummer, for a decision in the future and
//! for an unknown subject; after the retention date it erases the contact:
//! the fields read as erased, the key is destroyed (its bytes gone from
//! every file), the other contact is untouched, a retry appends nothing,
//! `samverkan verify` and the Python verifier still pass, the export holds
//! no plain text, and a
//! rebuild of the read models (snapshot removed) gives the same erased view.
//! Once on the embedded store (keys in `subject-keys.sqlite`), once on
//! PostgreSQL (keys in the database's `samverkan_subject_keys`).

use std::path::Path;
use std::process::Command;

use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use samverkan_eventstore::pg_testing::PgServer;

use crate::helpers::{data, spawn, Server, BIN};
use crate::programme_payment::{approved_for, open_call};
use crate::programme_rules::ok;

const CONTACTS: &str = "contacts(includeReplaced: true) { subject municipality role name email phone assignedOn erased erasure { erasedOn retainedUntil decision { caseNumber date } } }";

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// (code, rule, message) of a refused mutation.
async fn refusal(
    server: &Server,
    token: &str,
    field: &str,
    input_type: &str,
    input: Value,
) -> (String, String, String) {
    let query = format!(
        "mutation($id: UUID!, $input: {input_type}!) {{ {field}(commandId: $id, input: $input) {{ position }} }}"
    );
    let body = server
        .gql_as(token, &query, json!({ "id": Uuid::new_v4(), "input": input }))
        .await;
    let e = &body["errors"][0];
    assert!(e.is_object(), "expected a refusal, got {body:#}");
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    (
        text(&e["extensions"]["code"]),
        text(&e["extensions"]["rule"]),
        text(&e["message"]),
    )
}

/// `eraseSubject` as `token`, refused: (code, rule, message).
async fn erase_refused(server: &Server, token: &str, subject: &str, decision: Value) -> (String, String, String) {
    refusal(
        server,
        token,
        "eraseSubject",
        "EraseSubjectInput",
        json!({ "subject": subject, "decision": decision }),
    )
    .await
}

async fn project(server: &Server, token: &str, id: &str) -> Value {
    let body = server
        .gql_as(
            token,
            &format!("query($id: UUID!) {{ project(id: $id) {{ status closedOn retention {{ yearsAfterClosing retainedUntil source }} erasures {{ subject erasedOn }} {CONTACTS} }} }}"),
            json!({ "id": id }),
        )
        .await;
    data(&body)["project"].clone()
}

fn gallring(case: Option<&str>, date: NaiveDate) -> Value {
    json!({ "body": "EXECUTIVE_BOARD", "date": date.to_string(), "paragraph": "§ 41", "caseNumber": case })
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_holding(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut hits = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    hits.push(path.display().to_string());
                }
            }
        }
    }
    hits
}

/// Where the server keeps the personal-data keys.
enum Keys {
    /// `subject-keys.sqlite` in the data directory.
    File,
    /// The table in a PostgreSQL database (its URL and name).
    Postgres(&'static PgServer, String, String),
}

impl Keys {
    /// The subject's key, `None` once destroyed.
    fn of(&self, dir: &Path, subject: &str) -> Option<Vec<u8>> {
        match self {
            Keys::File => {
                let db = rusqlite::Connection::open(dir.join("subject-keys.sqlite")).unwrap();
                db.query_row("SELECT key FROM subject_keys WHERE subject = ?1", [subject], |r| {
                    r.get(0)
                })
                .unwrap()
            }
            Keys::Postgres(pg, _, db) => {
                let sql = format!(
                    "SELECT coalesce(encode(key, 'hex'), '') FROM samverkan_subject_keys WHERE subject = '{subject}'"
                );
                let hex = pg.psql(db, &sql).unwrap();
                (!hex.is_empty()).then(|| hex.into_bytes())
            }
        }
    }

    /// The `--data-dir` (and `--store-url`) arguments of the CLI.
    fn store_args<'a>(&'a self, dir: &'a Path) -> Vec<&'a str> {
        let mut args = vec!["--data-dir", dir.to_str().unwrap()];
        if let Keys::Postgres(_, url, _) = self {
            args.extend(["--store-url", url.as_str()]);
        }
        args
    }
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().expect("run samverkan")
}

#[tokio::test]
async fn contact_persons_are_sealed_and_erased_after_the_retention_period_with_the_chain_intact() {
    scenario(Keys::File).await;
}

#[tokio::test]
async fn on_postgresql_the_keys_are_kept_and_destroyed_in_the_database() {
    let Some(pg) = PgServer::shared_or_skip() else { return };
    let url = pg.fresh_database("erasure");
    let db = url.rsplit('/').next().unwrap().to_string();
    scenario(Keys::Postgres(pg, url, db)).await;
}

async fn scenario(keys: Keys) {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("data");
    let mut serve = keys.store_args(&dir)[2..].to_vec();
    serve.push("--demo");
    let server = spawn(&dir, &serve);
    let admin = server.admin_token.clone().unwrap();
    let arko = server.token("coordinator", Some("ARKO"));
    let today = Utc::now().date_naive();
    let closes = format!("{}T22:59:00Z", today + Duration::days(60));
    open_call(&server, &admin, "INTERREG-AURORA", &closes).await;
    let parties = [("SE-1784", 30_000), ("NO-3401", 30_000)];
    let budget = (100_000, 40_000, "EUR");
    // An old project (2012–2014) and one running now.
    let (_, old) = approved_for(
        &server,
        "ARKO",
        "INTERREG-AURORA",
        &closes,
        budget,
        &parties,
        (day("2012-01-01"), day("2014-12-31")),
    )
    .await;
    let (_, running) = approved_for(
        &server,
        "ARKO",
        "INTERREG-AURORA",
        &closes,
        budget,
        &parties,
        (today - Duration::days(100), today + Duration::days(300)),
    )
    .await;

    let assign = |project: &str, municipality: &str, name: &str, email: &str, on: NaiveDate| {
        json!({ "projectId": project, "municipality": municipality, "role": "projektledare",
                "name": name, "email": email, "phone": "+46 570 816 00", "assignedOn": on.to_string() })
    };
    ok(
        &server,
        &arko,
        "assignContactPerson",
        "AssignContactPersonInput",
        assign(
            &old,
            "SE-1784",
            "Anna Lindqvist",
            "anna.lindqvist@arvika.example",
            day("2012-02-01"),
        ),
        "version",
    )
    .await;
    ok(
        &server,
        &arko,
        "assignContactPerson",
        "AssignContactPersonInput",
        assign(
            &running,
            "NO-3401",
            "Ola Nordmann",
            "ola.nordmann@kongsvinger.example",
            today,
        ),
        "version",
    )
    .await;

    // Bad contact input changes nothing.
    for (input, rule) in [
        (assign(&old, "SE-1784", " ", "a@b.se", day("2012-02-01")), "blank_field"),
        (
            assign(&old, "SE-1784", "Anna", "not-an-address", day("2012-02-01")),
            "invalid_email",
        ),
        (
            assign(&old, "SE-1494", "Anna", "a@b.se", day("2012-02-01")),
            "not_a_participating_municipality",
        ),
        (
            assign(&old, "SE-1784", "Anna", "a@b.se", day("2011-02-01")),
            "outside_project_period",
        ),
    ] {
        let (_, got, message) = refusal(&server, &arko, "assignContactPerson", "AssignContactPersonInput", input).await;
        assert_eq!(got, rule, "{message}");
    }

    let p = project(&server, &arko, &old).await;
    let contacts = p["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 1, "{p:#}");
    let anna = contacts[0].clone();
    assert_eq!(anna["name"], "Anna Lindqvist", "{p:#}");
    assert_eq!(anna["email"], "anna.lindqvist@arvika.example");
    assert_eq!(anna["phone"], "+46 570 816 00");
    assert_eq!(anna["erased"], false);
    assert_eq!(p["retention"]["yearsAfterClosing"], 7, "{p:#}");
    assert!(p["retention"]["retainedUntil"].is_null(), "{p:#}");
    assert!(
        p["retention"]["source"].as_str().unwrap().contains("Interreg Nord"),
        "{p:#}"
    );
    let subject = anna["subject"].as_str().unwrap().to_string();
    let ola = project(&server, &arko, &running).await["contacts"][0].clone();
    assert_eq!(ola["name"], "Ola Nordmann");

    // The plain values are in no file of the data directory.
    for plain in ["Anna Lindqvist", "anna.lindqvist@arvika.example", "Ola Nordmann"] {
        assert_eq!(files_holding(&dir, plain.as_bytes()), Vec::<String>::new(), "{plain}");
    }
    let key = keys.of(&dir, &subject).expect("Anna's key is in the key store");

    let erase = |subject: &str, decision: Value| json!({ "subject": subject, "decision": decision });
    let decided = today - Duration::days(3);
    // Only an administrator erases.
    let (code, _, message) = erase_refused(&server, &arko, &subject, gallring(Some("KS 2026/77"), decided)).await;
    assert_eq!(code, "FORBIDDEN", "{message}");
    // The project still runs.
    let (_, rule, message) = erase_refused(&server, &admin, &subject, gallring(Some("KS 2026/77"), decided)).await;
    assert_eq!(rule, "project_still_running", "{message}");

    // Closed on 2014-12-31: kept until the end of 2021.
    ok(
        &server,
        &arko,
        "completeProject",
        "CompleteProjectInput",
        json!({ "projectId": old, "completedOn": "2014-12-31" }),
        "version",
    )
    .await;
    let p = project(&server, &arko, &old).await;
    assert_eq!(p["retention"]["retainedUntil"], "2021-12-31", "{p:#}");
    // The running project, closed today, is kept 7 years more.
    ok(
        &server,
        &arko,
        "completeProject",
        "CompleteProjectInput",
        json!({ "projectId": running, "completedOn": today.to_string() }),
        "version",
    )
    .await;
    let (_, rule, message) = erase_refused(
        &server,
        &admin,
        ola["subject"].as_str().unwrap(),
        gallring(Some("KS 2026/78"), decided),
    )
    .await;
    assert_eq!(rule, "retention_not_reached", "{message}");
    assert!(message.contains(&format!("{}-12-31", today.year() + 7)), "{message}");

    for (input, rule) in [
        (erase(&subject, gallring(None, decided)), "blank_field"),
        (
            erase(&subject, gallring(Some("KS 2026/77"), today + Duration::days(1))),
            "date_in_future",
        ),
        (erase("person-nobody", gallring(Some("KS 2026/77"), decided)), ""),
        (
            erase("not a subject!", gallring(Some("KS 2026/77"), decided)),
            "invalid_subject_id",
        ),
    ] {
        let (code, got, message) = refusal(&server, &admin, "eraseSubject", "EraseSubjectInput", input).await;
        if rule.is_empty() {
            assert_eq!(code, "NOT_FOUND", "{message}");
        } else {
            assert_eq!(got, rule, "{message}");
        }
    }
    assert_eq!(
        project(&server, &arko, &old).await["contacts"][0]["name"],
        "Anna Lindqvist"
    );

    // Erased on the gallringsbeslut; a retry with the same command id appends nothing.
    let command = Uuid::new_v4();
    let query = "mutation($id: UUID!, $input: EraseSubjectInput!) { eraseSubject(commandId: $id, input: $input) { position appended eventTypes } }";
    let input = erase(&subject, gallring(Some("KS 2026/77"), decided));
    let first = server
        .gql_as(&admin, query, json!({ "id": command, "input": input }))
        .await;
    assert_eq!(
        data(&first)["eraseSubject"]["eventTypes"],
        json!(["PersonalDataErased"]),
        "{first:#}"
    );
    let again = server
        .gql_as(&admin, query, json!({ "id": command, "input": input }))
        .await;
    assert_eq!(data(&again)["eraseSubject"]["appended"], 0, "{again:#}");
    assert_eq!(
        data(&again)["eraseSubject"]["position"],
        data(&first)["eraseSubject"]["position"]
    );
    let (_, rule, message) = erase_refused(&server, &admin, &subject, gallring(Some("KS 2026/77"), decided)).await;
    assert_eq!(rule, "subject_erased", "{message}");

    let check_erased = |p: &Value| {
        let anna = &p["contacts"][0];
        assert_eq!(anna["erased"], true, "{p:#}");
        assert!(
            anna["name"].is_null() && anna["email"].is_null() && anna["phone"].is_null(),
            "{p:#}"
        );
        assert_eq!(anna["role"], "projektledare");
        assert_eq!(anna["erasure"]["decision"]["caseNumber"], "KS 2026/77", "{p:#}");
        assert_eq!(anna["erasure"]["erasedOn"], today.to_string());
        assert_eq!(anna["erasure"]["retainedUntil"], "2021-12-31");
        assert_eq!(p["erasures"][0]["subject"], subject.as_str());
    };
    check_erased(&project(&server, &arko, &old).await);
    assert_eq!(
        project(&server, &arko, &running).await["contacts"][0]["name"],
        "Ola Nordmann"
    );
    // Named again under an erased subject? Impossible: every contact gets a new subject.

    // The process manager destroys the key right after the erasure is recorded.
    let mut destroyed = false;
    for _ in 0..100 {
        if keys.of(&dir, &subject).is_none() {
            destroyed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(destroyed, "the key was not destroyed");
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    if matches!(keys, Keys::File) {
        // (PostgreSQL keeps the old row version until VACUUM: docs/operations.md.)
        assert_eq!(
            files_holding(&dir, &key),
            Vec::<String>::new(),
            "the destroyed key's bytes"
        );
    }

    // The chain still verifies; the export holds the ciphertext only.
    let printed = run(&["keys", "--data-dir", dir.to_str().unwrap()]);
    let public = String::from_utf8_lossy(&printed.stdout)
        .lines()
        .next()
        .and_then(|l| l.rsplit(' ').next())
        .unwrap()
        .trim()
        .to_string();
    let chain = work.path().join("chain.jsonl");
    let mut verify = vec!["verify"];
    verify.extend(keys.store_args(&dir));
    verify.extend(["--public-key", &public, "--export", chain.to_str().unwrap()]);
    let verified = run(&verify);
    assert!(
        verified.status.success(),
        "{}{}",
        String::from_utf8_lossy(&verified.stdout),
        String::from_utf8_lossy(&verified.stderr)
    );
    // The independent verifier agrees.
    if let Some(py) = crate::record::python() {
        let theirs = crate::record::python_verify(&py, &chain, &public, &[]);
        assert!(
            theirs.status.success(),
            "verify_chain.py: {}{}",
            String::from_utf8_lossy(&theirs.stdout),
            String::from_utf8_lossy(&theirs.stderr)
        );
    }
    let export = work.path().join("log.jsonl");
    let mut args = vec!["export"];
    args.extend(keys.store_args(&dir));
    args.extend(["--output", export.to_str().unwrap()]);
    let out = run(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let exported = std::fs::read_to_string(&export).unwrap();
    assert!(exported.contains("PersonalDataErased") && exported.contains("ContactPersonAssigned"));
    assert!(!exported.contains("Anna Lindqvist") && !exported.contains("Ola Nordmann"));

    // Rebuilt from the log (no snapshot): the same erased view.
    let _ = std::fs::remove_file(dir.join("projections.snapshot.json"));
    let server = spawn(&dir, &keys.store_args(&dir)[2..]);
    let admin = server.admin_token.clone().unwrap_or(admin);
    check_erased(&project(&server, &admin, &old).await);
    assert_eq!(
        project(&server, &admin, &running).await["contacts"][0]["name"],
        "Ola Nordmann"
    );
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
}
