use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{data, spawn, spawn_with_env};

#[tokio::test]
async fn serve_answers_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(dir.path(), &[]);
    assert!(server.url.starts_with("http://127.0.0.1:"), "{}", server.url);
    assert!(!server.url.contains(":0/"), "the real port is printed: {}", server.url);

    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .expect("GET /healthz");
    assert_eq!(health.status(), 200);

    let registered = server
        .gql(
            "mutation($id: UUID!) { registerMunicipality(commandId: $id, input: {code: \"SE-1487\", name: \"Vänersborg\"}) { position version } }",
            json!({ "id": Uuid::new_v4() }),
        )
        .await;
    let position = data(&registered)["registerMunicipality"]["position"].clone();
    let answer = server
        .gql(
            "query($p: Position) { municipality(code: \"SE-1487\", atLeastPosition: $p) { name } }",
            json!({ "p": position }),
        )
        .await;
    assert_eq!(data(&answer)["municipality"]["name"], "Vänersborg");

    let ready = reqwest::get(format!("{}/readyz", server.base))
        .await
        .expect("GET /readyz");
    assert_eq!(ready.status(), 200);
    let graphiql = reqwest::get(&server.url).await.expect("GET /graphql");
    assert_eq!(graphiql.status(), 200);
    assert!(graphiql.text().await.expect("html").contains("graphiql"));

    let stderr = server.stderr_text();
    let status = server.terminate();
    assert!(status.success(), "exit status {status:?}; stderr:\n{stderr}");
    assert!(
        dir.path().join("projections.snapshot.json").exists(),
        "a snapshot is saved on shutdown"
    );
    assert!(dir.path().join("events.sqlite").exists());
}

#[tokio::test]
async fn demo_data_loads_once_and_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let query =
        "{ municipalities(first: 100) { totalCount } consortia { edges { node { code } } } strategies { totalCount } }";

    let first = spawn(dir.path(), &["--demo"]);
    let out = first.stdout_text();
    assert!(out.contains("Demo data:"), "{out}");
    assert!(!out.contains(" 0 events appended"), "the first load appends: {out}");
    let before: Value = first.gql(query, json!({})).await;
    let counts = data(&before).clone();
    assert!(counts["municipalities"]["totalCount"].as_u64().expect("count") >= 3);

    // The demo prints a V6 coordinator's and a Lidköping officer's token, and a curl example.
    let printed = |label: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(label))
            .map(|t| t.trim().to_string())
            .unwrap_or_else(|| panic!("no `{label}` line: {out}"))
    };
    let coordinator = printed("Coordinator token (V6):");
    let officer = printed("Officer token (SE-1494):");
    assert!(out.contains("curl"), "{out}");
    let dashboard = first
        .gql_as(
            &officer,
            r#"{ dashboard(municipality: "SE-1494") { municipality { name } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data(&dashboard)["dashboard"]["municipality"]["name"], "Lidköping");
    let sign = r#"mutation($id: UUID!, $m: MunicipalityCode!) { signTwinTownAgreement(commandId: $id, input: {municipality: $m,
        partner: {name: "Testort", country: "FI"}, since: "2020-01-01", decision: {body: COUNCIL, date: "2020-01-01"}}) { position } }"#;
    let forbidden = first
        .gql_as(&officer, sign, json!({ "id": Uuid::new_v4(), "m": "SE-1487" }))
        .await;
    assert_eq!(
        forbidden["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{forbidden:#}"
    );
    let forbidden = first
        .gql_as(&coordinator, sign, json!({ "id": Uuid::new_v4(), "m": "SE-1494" }))
        .await;
    assert_eq!(
        forbidden["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{forbidden:#}"
    );
    let overview = first
        .gql_as(
            &coordinator,
            r#"{ consortiumOverview(consortium: "V6") { consortium { name } } }"#,
            json!({}),
        )
        .await;
    data(&overview);
    let (status, anonymous) = first.post(None, json!({ "query": query })).await;
    assert_eq!(status, 401);
    assert_eq!(anonymous["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert!(first.terminate().success());

    let second = spawn(dir.path(), &["--demo"]);
    let out = second.stdout_text();
    assert!(
        out.contains(" 0 events appended"),
        "loading twice changes nothing: {out}"
    );
    let after: Value = second.gql(query, json!({})).await;
    assert_eq!(data(&after), &counts);
    // The development key is kept: tokens of the first run still work.
    let again = second
        .gql_as(&officer, r#"{ municipality(code: "SE-1494") { name } }"#, json!({}))
        .await;
    assert_eq!(data(&again)["municipality"]["name"], "Lidköping");
    assert!(second.terminate().success());
}

/// The `Try:` line `serve --demo` prints is a command a newcomer can paste:
/// it carries its own token and shows a follow-up that is due and a
/// co-financing decision that is owed.
#[tokio::test]
async fn the_printed_curl_works_as_pasted_and_shows_something() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(dir.path(), &["--demo"]);
    let out = server.stdout_text();
    let start = out.find("Try: ").unwrap_or_else(|| panic!("no Try line: {out}"));
    let command: String = out[start + "Try: ".len()..]
        .lines()
        .take(2)
        .map(|l| l.trim_end_matches('\\').trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(!command.contains("$TOKEN"), "{command}");
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(&command)
        .output()
        .expect("run the printed command");
    assert!(
        output.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer: Value = serde_json::from_slice(&output.stdout).expect("JSON answer");
    let answer = data(&answer);
    let strategies = answer["lidkoping"]["strategiesInForce"].as_array().expect("strategies");
    assert!(
        strategies
            .iter()
            .any(|s| s["followUpOverdue"] == true || s["nextFollowUpDue"].is_string()),
        "{answer:#}"
    );
    assert!(
        !answer["skara"]["actionList"]
            .as_array()
            .expect("action list")
            .is_empty(),
        "{answer:#}"
    );
    assert!(server.terminate().success());
}

/// Killed (SIGKILL) while it snapshots the read models every 0.2 s under a
/// stream of commands: the restarted server loads the snapshot and, from the
/// log, shows every command it acknowledged, none twice.
#[tokio::test]
async fn killed_while_it_snapshots_every_fifth_of_a_second_it_restarts_with_every_acknowledged_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(dir.path(), &["--snapshot-every", "0.2"]);
    let register = "mutation($id: UUID!, $c: MunicipalityCode!, $n: String!) { registerMunicipality(commandId: $id, input: {code: $c, name: $n}) { position } }";
    let snapshot = dir.path().join("projections.snapshot.json");
    let mut acknowledged = 0u64;
    let mut last = Value::Null;
    let mut sizes = vec![];
    let started = std::time::Instant::now();
    // Codes SE-9000 … SE-9899: at most 900 commands.
    while started.elapsed() < std::time::Duration::from_millis(2500) && acknowledged < 900 {
        let answer = server
            .gql(
                register,
                json!({ "id": Uuid::new_v4(), "c": format!("SE-9{acknowledged:03}"), "n": format!("Kommun {acknowledged}") }),
            )
            .await;
        last = data(&answer)["registerMunicipality"]["position"].clone();
        acknowledged += 1;
        // Spread over the 2.5 s: several snapshots come and go meanwhile.
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        if let Ok(m) = std::fs::metadata(&snapshot) {
            if sizes.last() != Some(&m.len()) {
                sizes.push(m.len());
            }
        }
    }
    assert!(acknowledged > 20, "{acknowledged} commands");
    assert!(
        sizes.len() >= 3 && sizes.windows(2).any(|w| w[1] > w[0]),
        "snapshots were written and appended to while commands arrived: {sizes:?}"
    );
    drop(server); // SIGKILL

    let again = spawn_with_env(dir.path(), &[], &[("RUST_LOG", "warn,samverkan_app=info")]);
    let answer = again
        .gql(
            "query($p: Position) { municipalities(first: 1, atLeastPosition: $p) { totalCount } }",
            json!({ "p": last }),
        )
        .await;
    assert_eq!(
        data(&answer)["municipalities"]["totalCount"].as_u64(),
        Some(acknowledged),
        "every acknowledged registration, none twice"
    );
    let stderr = again.stderr_text();
    assert!(stderr.contains("projection snapshot loaded"), "{stderr}");
}
