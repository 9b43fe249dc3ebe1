//! The command handler's aggregate cache and per-stream queue, through the
//! real handler over the real embedded store on disk: a cached aggregate
//! decides as a freshly folded one; an entry gone stale (another handler,
//! as another process would, appended) is caught by the expected version on
//! append and refreshed; a refusal on cached state is checked against the
//! stream before it stands; "already applied?" comes from the store's index
//! by event id, also after a restart, and also when only the append finds
//! the command's ids stored; concurrent commands on one aggregate
//! without an expected version all succeed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed expectation fails the run

use std::path::Path;
use std::sync::Arc;

use chrono::{Days, NaiveDate};
use samverkan_app::demo::{self, ids};
use samverkan_app::{AppError, CommandContext, CommandOutcome, Commands};
use samverkan_domain::project::{Project, ProjectCommand, ProjectStatus};
use samverkan_domain::testing::fixtures::ms;
use samverkan_domain::{Decider, DomainEvent, ProjectId, Role};
use samverkan_eventstore::{Direction, EventMetadata, EventStore, ExpectedVersion, NewEvent, SqliteStore};
use uuid::Uuid;

fn open(path: &Path) -> Arc<dyn EventStore> {
    Arc::new(SqliteStore::open(path).expect("open the store"))
}

fn ctx(id: Uuid) -> CommandContext {
    CommandContext::new(id).by("test-admin", Role::Admin)
}

/// The demo's first active project and a day inside its period.
async fn active_project(commands: &Commands) -> (ProjectId, NaiveDate) {
    for id in [ids::v6_skills_project(), ids::arko_project(), ids::erasmus_project()] {
        let (state, _) = commands.load::<Project>(&id).await.unwrap();
        if state.status == ProjectStatus::Active {
            let start = state.period.expect("a period").start;
            return (id, start.checked_add_days(Days::new(1)).unwrap());
        }
    }
    panic!("the demo has no active project");
}

fn plan(milestone: &str, due: NaiveDate) -> ProjectCommand {
    ProjectCommand::PlanMilestone {
        milestone: ms(milestone),
        title: format!("Milestone {milestone}"),
        due,
    }
}

/// What a caller sees of an answer: the outcome, or the error's sentence.
fn seen(result: &Result<CommandOutcome, AppError>) -> String {
    match result {
        Ok(o) => format!("ok v{} p{} +{} {:?}", o.version, o.position, o.appended, o.event_types),
        Err(e) => format!("error: {e}"),
    }
}

#[tokio::test]
async fn a_cached_aggregate_decides_as_a_freshly_folded_one() {
    let dir = tempfile::tempdir().unwrap();
    // Two identical stores with the demo: on one a single handler (its
    // cache warm from loading the demo), on the other a new handler for
    // every command (each folds the stream from the start).
    let warm_store = open(&dir.path().join("warm.sqlite"));
    let fresh_store = open(&dir.path().join("fresh.sqlite"));
    let warm = Commands::new(warm_store.clone());
    demo::load(&warm).await.unwrap();
    demo::load(&Commands::new(fresh_store.clone())).await.unwrap();
    assert!(warm.cached_aggregates() > 10, "loading the demo filled the cache");
    let (project, day) = active_project(&warm).await;
    let later = day.checked_add_days(Days::new(30)).unwrap();

    let first = Uuid::new_v4();
    let script: Vec<(Uuid, ProjectCommand)> = vec![
        (first, plan("cache-1", day)),
        (Uuid::new_v4(), plan("cache-1", day)), // duplicate milestone
        (
            Uuid::new_v4(),
            ProjectCommand::RescheduleMilestone {
                milestone: ms("cache-1"),
                new_due: later,
                reason: "Delayed".into(),
            },
        ),
        (first, plan("cache-1", day)),     // a retry: the original outcome
        (first, plan("cache-other", day)), // the id reused for another command
        (
            Uuid::new_v4(),
            ProjectCommand::AchieveMilestone {
                milestone: ms("cache-1"),
                achieved_on: later,
            },
        ),
        (
            Uuid::new_v4(),
            ProjectCommand::CancelMilestone {
                milestone: ms("cache-1"),
                reason: "Too late".into(),
            },
        ), // already achieved
        (Uuid::new_v4(), plan("cache-2", later)),
        (
            Uuid::new_v4(),
            ProjectCommand::CancelMilestone {
                milestone: ms("cache-2"),
                reason: "Not needed".into(),
            },
        ),
        (
            Uuid::new_v4(),
            ProjectCommand::AchieveMilestone {
                milestone: ms("cache-2"),
                achieved_on: later,
            },
        ), // cancelled
        (
            Uuid::new_v4(),
            plan("cache-3", NaiveDate::from_ymd_opt(1990, 1, 1).unwrap()),
        ), // outside the period
    ];
    let mut errors = 0;
    for (id, command) in script {
        let cached = warm.execute::<Project>(&project, command.clone(), &ctx(id)).await;
        let folded = Commands::new(fresh_store.clone())
            .execute::<Project>(&project, command, &ctx(id))
            .await;
        assert_eq!(seen(&cached), seen(&folded));
        errors += usize::from(cached.is_err());
    }
    assert_eq!(errors, 5, "the script exercises refusals too");
    // The same state in the cache, folded afresh, and on the other store.
    let (cached, cached_version) = warm.load::<Project>(&project).await.unwrap();
    let (folded, folded_version) = Commands::new(warm_store.clone())
        .load::<Project>(&project)
        .await
        .unwrap();
    let (other, other_version) = Commands::new(fresh_store).load::<Project>(&project).await.unwrap();
    assert_eq!((&cached, cached_version), (&folded, folded_version));
    assert_eq!((&cached, cached_version), (&other, other_version));
}

#[tokio::test]
async fn a_stale_entry_is_caught_by_the_expected_version_and_refreshed() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("events.sqlite"));
    // Two handlers on one store: each has its own cache, as two server
    // processes on one database have.
    let a = Commands::new(store.clone());
    let b = Commands::new(store.clone());
    demo::load(&a).await.unwrap();
    let (project, day) = active_project(&a).await;
    let go = |h: &Commands, c: ProjectCommand| {
        let h = h.clone();
        async move { h.execute::<Project>(&project, c, &ctx(Uuid::new_v4())).await }
    };
    let mine = go(&a, plan("stale-1", day)).await.unwrap();

    // B appends behind A's back: A's cache is one event behind.
    let theirs = go(&b, plan("stale-2", day)).await.unwrap();
    assert_eq!(theirs.version, mine.version + 1);

    // On its cached state A would plan stale-2 again; the append at A's
    // version is refused by the store, A catches up and decides again.
    match go(&a, plan("stale-2", day)).await {
        Err(AppError::Domain(e)) => assert_eq!(e.rule(), "duplicate_milestone", "{e}"),
        other => panic!("expected the duplicate milestone, got {other:?}"),
    }
    // B plans stale-3; A's refusal on stale state ("no such milestone") is
    // checked against the stream before it stands, and the command succeeds.
    go(&b, plan("stale-3", day)).await.unwrap();
    let achieved = go(
        &a,
        ProjectCommand::AchieveMilestone {
            milestone: ms("stale-3"),
            achieved_on: day,
        },
    )
    .await
    .unwrap();
    assert_eq!(achieved.appended, 1);
    assert_eq!(achieved.version, theirs.version + 2);

    // A pinned version other than the cached one is decided on the stream as it is.
    let moved = go(&b, plan("stale-4", day)).await.unwrap();
    let pinned = CommandContext {
        expected_version: Some(ExpectedVersion::Exact(moved.version)),
        ..ctx(Uuid::new_v4())
    };
    let r = a.execute::<Project>(&project, plan("stale-4", day), &pinned).await;
    match r {
        Err(AppError::Domain(e)) => assert_eq!(e.rule(), "duplicate_milestone", "{e}"),
        other => panic!("expected the duplicate milestone, got {other:?}"),
    }
    // And a pinned version that is no longer current is a conflict, as before.
    let stale_pin = CommandContext {
        expected_version: Some(ExpectedVersion::Exact(achieved.version)),
        ..ctx(Uuid::new_v4())
    };
    assert!(matches!(
        a.execute::<Project>(&project, plan("stale-5", day), &stale_pin).await,
        Err(AppError::Conflict(_))
    ));

    // Both caches end where the stream is.
    let (sa, va) = a.load::<Project>(&project).await.unwrap();
    let (sb, vb) = b.load::<Project>(&project).await.unwrap();
    let (sf, vf) = Commands::new(store).load::<Project>(&project).await.unwrap();
    assert_eq!((&sa, va), (&sf, vf));
    assert_eq!((&sb, vb), (&sf, vf));
    assert!(sa.milestones.contains_key(&ms("stale-4")) && !sa.milestones.contains_key(&ms("stale-5")));
}

#[tokio::test]
async fn a_replay_answers_the_original_outcome_from_the_index_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.sqlite");
    let store = open(&path);
    let commands = Commands::new(store.clone());
    demo::load(&commands).await.unwrap();
    let (project, day) = active_project(&commands).await;
    let middle = Uuid::new_v4();
    let mut original = None;
    for i in 0..40 {
        let id = if i == 20 { middle } else { Uuid::new_v4() };
        let o = commands
            .execute::<Project>(&project, plan(&format!("replay-{i}"), day), &ctx(id))
            .await
            .unwrap();
        if i == 20 {
            original = Some(o);
        }
    }
    let original = original.unwrap();
    drop((commands, store));

    let store = open(&path);
    let head = store.head_position().await.unwrap();
    let commands = Commands::new(store.clone());
    let replay = commands
        .execute::<Project>(&project, plan("replay-20", day), &ctx(middle))
        .await
        .unwrap();
    assert_eq!(
        replay,
        CommandOutcome {
            appended: 0,
            ..original
        },
        "the outcome of the 21st of 40 commands, not of the stream's end"
    );
    assert!(matches!(
        commands
            .execute::<Project>(&project, plan("replay-other", day), &ctx(middle))
            .await,
        Err(AppError::CommandIdReused(_))
    ));
    assert_eq!(store.head_position().await.unwrap(), head, "nothing appended");
    // The stream holds the command's event once.
    let events = store
        .read_stream(&format!("project-{project}"), Direction::Forwards, Some(0), 10_000)
        .await
        .unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.id == samverkan_app::event_id(middle, 0))
            .count(),
        1
    );
}

/// A new command is not looked up before its append (the append checks its
/// ids): here the events of its id were stored behind the cache's back (as
/// by another process), so only the append finds them and the index answers.
#[tokio::test]
async fn a_command_whose_ids_only_the_append_finds_is_answered_from_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("events.sqlite"));
    let commands = Commands::new(store.clone());
    demo::load(&commands).await.unwrap();
    let (project, day) = active_project(&commands).await;
    let stream = format!("project-{project}");
    let (mut state, mut version) = commands.load::<Project>(&project).await.unwrap();
    let mut store_behind_the_cache = |id: Uuid, milestone: &str, fingerprint: Option<String>| {
        let event = Project::decide(&state, &plan(milestone, day)).unwrap().remove(0);
        state = Project::evolve(state.clone(), &event);
        let expected = ExpectedVersion::Exact(version.unwrap());
        version = Some(version.unwrap() + 1);
        let new = NewEvent {
            id: samverkan_app::event_id(id, 0),
            event_type: event.event_type().to_string(),
            schema_version: event.schema_version(),
            data: serde_json::to_vec(&event.to_json()).unwrap(),
            metadata: EventMetadata {
                causation_id: Some(id),
                command_fingerprint: fingerprint,
                ..EventMetadata::default()
            },
        };
        (store.clone(), stream.clone(), expected, new)
    };
    // Recorded before fingerprints (none): a retry, answered with the stored outcome.
    let retried = Uuid::new_v4();
    let (s, name, expected, new) = store_behind_the_cache(retried, "behind-1", None);
    let stored = s.append(&name, expected, vec![new]).await.unwrap();
    let again = commands
        .execute::<Project>(&project, plan("ahead-1", day), &ctx(retried))
        .await
        .unwrap();
    assert_eq!(
        (again.appended, again.version, again.position),
        (0, stored.next_expected_version, stored.position)
    );
    // Another command's fingerprint: the id was reused.
    let reused = Uuid::new_v4();
    let (s, name, expected, new) =
        store_behind_the_cache(reused, "behind-2", Some(format!("sha256:{}", "0".repeat(64))));
    let stored = s.append(&name, expected, vec![new]).await.unwrap();
    let head = store.head_position().await.unwrap();
    assert!(matches!(
        commands
            .execute::<Project>(&project, plan("ahead-2", day), &ctx(reused))
            .await,
        Err(AppError::CommandIdReused(_))
    ));
    assert_eq!(store.head_position().await.unwrap(), head, "nothing appended");
    // And the handler goes on from the stream as it is.
    let next = commands
        .execute::<Project>(&project, plan("ahead-3", day), &ctx(Uuid::new_v4()))
        .await
        .unwrap();
    assert_eq!((next.appended, next.version), (1, stored.next_expected_version + 1));
    let (fresh, _) = Commands::new(store).load::<Project>(&project).await.unwrap();
    assert!(["behind-1", "behind-2", "ahead-3"]
        .iter()
        .all(|m| fresh.milestones.contains_key(&ms(m))));
    assert!(!fresh.milestones.contains_key(&ms("ahead-1")) && !fresh.milestones.contains_key(&ms("ahead-2")));
}

#[tokio::test]
async fn concurrent_commands_on_one_aggregate_without_expected_version_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("events.sqlite"));
    let commands = Commands::new(store.clone());
    demo::load(&commands).await.unwrap();
    let (project, day) = active_project(&commands).await;
    let (_, before) = commands.load::<Project>(&project).await.unwrap();
    const N: usize = 48;
    let tasks: Vec<_> = (0..N)
        .map(|i| {
            let (commands, project) = (commands.clone(), project);
            tokio::spawn(async move {
                commands
                    .execute::<Project>(&project, plan(&format!("together-{i}"), day), &ctx(Uuid::new_v4()))
                    .await
            })
        })
        .collect();
    let mut versions = Vec::new();
    for t in tasks {
        let o = t.await.unwrap().expect("no command answers CONFLICT");
        assert_eq!(o.appended, 1);
        versions.push(o.version);
    }
    versions.sort_unstable();
    let first = before.unwrap() + 1;
    assert_eq!(
        versions,
        (first..first + N as u64).collect::<Vec<_>>(),
        "one after the other"
    );
    let (state, _) = Commands::new(store).load::<Project>(&project).await.unwrap();
    assert_eq!(
        state
            .milestones
            .keys()
            .filter(|k| k.as_str().starts_with("together-"))
            .count(),
        N
    );
}
