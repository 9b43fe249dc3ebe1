//! Three `samverkan serve` processes on one PostgreSQL database (a
//! throw-away server the test starts): a command through one, read-your-
//! writes through another (`atLeastPosition`), a GraphQL subscription on
//! the third sees it live; an application approved through one becomes a
//! project exactly once, though all three process managers see the approval.
//! The replicas share an HS256 secret, so one token works on all three.

use std::time::Duration;

use serde_json::json;

use samverkan_eventstore::pg_testing::PgServer;
use samverkan_eventstore::{EventStore, PgStore};

use crate::helpers::{
    approval, assess_risks, co_financing, commit_co_financing, data, draft_application, form_v6, invite, join_v6,
    money, mutate_as, register_municipality, spawn, submit, Server,
};
use crate::subscriptions::{connect, next, send};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_on_one_postgres_database() {
    let Some(pg) = PgServer::shared_or_skip() else { return };
    let store_url = pg.fresh_database("replicas");
    let secrets = tempfile::tempdir().expect("tempdir");
    let secret_file = secrets.path().join("hs256.key");
    std::fs::write(&secret_file, "replicas-share-this-secret-0123456789-abcdef\n").expect("write secret");
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().expect("tempdir")).collect();
    let args = [
        "--store-url",
        store_url.as_str(),
        "--jwt-hs256-secret-file",
        secret_file.to_str().expect("path"),
    ];
    let replicas: Vec<Server> = dirs.iter().map(|d| spawn(d.path(), &args)).collect();
    let (a, b, c) = (&replicas[0], &replicas[1], &replicas[2]);
    let admin = a.admin_token.clone().expect("admin token");

    // A subscriber on C, from before the command.
    let mut socket = connect(&format!("{}/graphql/ws", c.base.replacen("http", "ws", 1)), &admin).await;
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { events(municipality: \"SE-1494\") { eventType position } }" } }),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    // A command through A; B answers with it at once when asked for that position.
    let registered = mutate_as(
        a,
        &admin,
        "registerMunicipality",
        "RegisterMunicipalityInput",
        json!({ "code": "SE-1494", "name": "Lidköping" }),
        "",
    )
    .await;
    let position = registered["position"].clone();
    let answer = b
        .gql(
            "query($p: Position) { municipality(code: \"SE-1494\", atLeastPosition: $p) { name } }",
            json!({ "p": position }),
        )
        .await;
    assert_eq!(
        data(&answer)["municipality"]["name"],
        "Lidköping",
        "read-your-writes on B"
    );
    let live = next(&mut socket).await;
    assert_eq!(live["type"], "next", "{live}");
    assert_eq!(live["payload"]["data"]["events"]["eventType"], "MunicipalityRegistered");
    assert_eq!(
        live["payload"]["data"]["events"]["position"], position,
        "C saw A's event live"
    );

    // A joint application, its steps spread over the three replicas.
    register_municipality(b, &admin, "SE-1495", "Skara").await;
    form_v6(c, &admin, "Turism").await;
    let coordinator = a.token("coordinator", Some("V6"));
    let lidkoping = a.token("officer", Some("SE-1494"));
    let skara = a.token("officer", Some("SE-1495"));
    for (server, code) in [(a, "SE-1494"), (b, "SE-1495")] {
        join_v6(server, &coordinator, code).await;
    }
    let draft = mutate_as(
        c,
        &coordinator,
        "draftApplication",
        "DraftApplicationInput",
        draft_application("Besöksnäring över tre repliker"),
        "application { id }",
    )
    .await;
    let app = draft["application"]["id"].as_str().expect("application id").to_string();
    invite(a, &coordinator, &app, "SE-1495").await;
    commit_co_financing(b, &skara, co_financing(&app, "SE-1495", 300_000, "KS 2026/41")).await;
    commit_co_financing(c, &lidkoping, co_financing(&app, "SE-1494", 700_000, "KS 2026/12")).await;
    assess_risks(a, &coordinator, &app).await;
    submit(b, &coordinator, &app).await;
    let approved = mutate_as(
        c,
        &coordinator,
        "approveApplication",
        "ApproveApplicationInput",
        approval(&app, money(2_000_000)),
        "application { projectId }",
    )
    .await;
    let project_id = approved["application"]["projectId"]
        .as_str()
        .expect("project id")
        .to_string();

    // Every replica's read model shows the project.
    for (name, server) in [("A", a), ("B", b), ("C", c)] {
        let mut found = false;
        for _ in 0..200 {
            let body = server
                .gql(
                    "query($id: UUID!) { project(id: $id) { title } }",
                    json!({ "id": project_id }),
                )
                .await;
            if body["data"]["project"]["title"] == "Besöksnäring över tre repliker" {
                found = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(found, "replica {name} never showed the registered project");
    }

    // Every process manager has handled the log up to its head (its
    // checkpoint file says so), the approval included; then count in the
    // log itself: one registration.
    let store = PgStore::connect(&store_url)
        .await
        .expect("connect to the shared database");
    let head = store.head_position().await.expect("head").expect("events");
    for (name, dir) in ["A", "B", "C"].iter().zip(&dirs) {
        let checkpoint = dir.path().join("process-manager.checkpoint");
        let mut reached = false;
        for _ in 0..300 {
            let at: Option<u64> = std::fs::read_to_string(&checkpoint)
                .ok()
                .and_then(|s| s.trim().parse().ok());
            if at.is_some_and(|p| p >= head) {
                reached = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            reached,
            "replica {name}'s process manager never reached position {head}"
        );
    }
    let log = store.read_all(None, usize::MAX).await.expect("read the log");
    let registrations: Vec<_> = log.iter().filter(|e| e.event_type == "ProjectRegistered").collect();
    assert_eq!(
        registrations.len(),
        1,
        "one registration across three process managers: {registrations:?}"
    );
    assert!(
        registrations[0].stream.contains(&project_id),
        "{}",
        registrations[0].stream
    );
    let positions: Vec<u64> = log.iter().map(|e| e.position).collect();
    assert_eq!(positions, (1..=log.len() as u64).collect::<Vec<_>>(), "positions dense");

    drop(socket);
    for server in replicas {
        assert!(server.terminate().success());
    }
}
