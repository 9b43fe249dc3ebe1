//! Command ids through the real command handler over the real embedded
//! store on disk: the same id with the same command is a retry, with a
//! different command (on any stream) `CommandIdReused`, also after the
//! store file is reopened; events recorded before fingerprints count as
//! retries.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::path::Path;
use std::sync::Arc;

use samverkan_app::{event_id, AppError, CommandContext, CommandOutcome, Commands};
use samverkan_domain::municipality::{Municipality, MunicipalityCommand};
use samverkan_domain::testing::fixtures::m as code;
use samverkan_eventstore::{EventMetadata, EventStore, ExpectedVersion, NewEvent, SqliteStore};
use uuid::Uuid;

fn open(path: &Path) -> (Arc<dyn EventStore>, Commands) {
    let store: Arc<dyn EventStore> = Arc::new(SqliteStore::open(path).expect("open the store"));
    (store.clone(), Commands::new(store))
}

fn register(name: &str) -> MunicipalityCommand {
    MunicipalityCommand::Register {
        code: code("SE-1487"),
        name: name.into(),
        code_valid_from: None,
    }
}

async fn run(
    commands: &Commands,
    municipality: &str,
    command: MunicipalityCommand,
    id: Uuid,
) -> Result<CommandOutcome, AppError> {
    let ctx = CommandContext::new(id).by("test-admin", samverkan_domain::Role::Admin);
    commands
        .execute::<Municipality>(&code(municipality), command, &ctx)
        .await
}

fn assert_reused(result: Result<CommandOutcome, AppError>, id: Uuid) {
    match result {
        Err(AppError::CommandIdReused(message)) => assert!(
            message.starts_with(&format!("command id {id} was already used for a different command")),
            "{message}"
        ),
        other => panic!("expected CommandIdReused, got {other:?}"),
    }
}

#[tokio::test]
async fn a_reused_command_id_is_told_from_a_retry_on_disk_and_after_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("events.sqlite");
    let id = Uuid::new_v4();
    let (store, commands) = open(&path);
    let first = run(&commands, "SE-1487", register("Vänersborg"), id)
        .await
        .expect("first");
    assert_eq!(first.appended, 1);
    let head = store.head_position().await.expect("head");

    assert_reused(run(&commands, "SE-1487", register("Trollhättan"), id).await, id);
    let retry = run(&commands, "SE-1487", register("Vänersborg"), id)
        .await
        .expect("retry");
    assert_eq!(
        retry,
        CommandOutcome {
            appended: 0,
            ..first.clone()
        }
    );
    assert_eq!(store.head_position().await.expect("head"), head, "nothing appended");
    drop((store, commands));

    // The fingerprint is in the file: the same answers after a restart.
    let (store, commands) = open(&path);
    assert_reused(run(&commands, "SE-1487", register("Trollhättan"), id).await, id);
    let retry = run(&commands, "SE-1487", register("Vänersborg"), id)
        .await
        .expect("retry");
    assert_eq!(
        retry,
        CommandOutcome {
            appended: 0,
            ..first.clone()
        }
    );
    // Another stream: refused up front ...
    let other = MunicipalityCommand::Register {
        code: code("SE-1488"),
        name: "Trollhättan".into(),
        code_valid_from: None,
    };
    assert_reused(run(&commands, "SE-1488", other, id).await, id);
    assert_eq!(store.head_position().await.expect("head"), head, "nothing appended");
    let stored = store
        .find_event(event_id(id, 0))
        .await
        .expect("find")
        .expect("the event");
    assert_eq!(stored.stream, "municipality-SE-1487");
    assert!(
        stored
            .metadata
            .command_fingerprint
            .as_deref()
            .is_some_and(|f| f.starts_with("sha256:") && f.len() == 7 + 64),
        "{:?}",
        stored.metadata
    );
}

/// Events recorded before fingerprints existed carry none: a command under
/// their command id is answered as a retry, as before.
#[tokio::test]
async fn events_without_a_fingerprint_count_as_a_retry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, commands) = open(&dir.path().join("events.sqlite"));
    let id = Uuid::new_v4();
    let old = NewEvent {
        id: event_id(id, 0),
        event_type: "MunicipalityRegistered".into(),
        schema_version: 1,
        data: serde_json::to_vec(
            &serde_json::json!({ "code": "SE-1487", "name": "Vänersborg", "code_valid_from": null }),
        )
        .expect("json"),
        metadata: EventMetadata {
            causation_id: Some(id),
            ..EventMetadata::default()
        },
    };
    let written = store
        .append("municipality-SE-1487", ExpectedVersion::NoStream, vec![old])
        .await
        .expect("an event as older builds wrote it");
    let again = run(&commands, "SE-1487", register("Trollhättan"), id)
        .await
        .expect("a retry");
    assert_eq!((again.appended, again.position), (0, written.position));
    assert_eq!(again.event_types, vec!["MunicipalityRegistered".to_string()]);
}
