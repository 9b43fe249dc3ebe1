//! What a command costs the store, and what "now" is: the API reads no
//! stream to find an owner (the command handler's one load names it; a
//! command on an aggregate in the handler's cache reads none), and the
//! server clock is the one `ApiState` was given.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::stream::BoxStream;
use samverkan_api::{JwtAuthenticator, Secret};
use samverkan_eventstore::{AppendResult, Direction, EventStore, ExpectedVersion, NewEvent, RecordedEvent, StoreError};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{coordinator, officer, spawn_app_over, TestApp, TEST_SECRET};

/// The real store, counting `read_stream` calls per stream.
struct CountingStore {
    inner: Arc<dyn EventStore>,
    reads: Mutex<HashMap<String, usize>>,
}

impl CountingStore {
    fn reads_of(&self, stream: &str) -> usize {
        self.reads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(stream)
            .copied()
            .unwrap_or(0)
    }
}

#[async_trait::async_trait]
impl EventStore for CountingStore {
    async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError> {
        self.inner.append(stream, expected, events).await
    }

    async fn read_stream(
        &self,
        stream: &str,
        direction: Direction,
        from: Option<u64>,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        *self
            .reads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(stream.to_string())
            .or_default() += 1;
        self.inner.read_stream(stream, direction, from, max).await
    }

    async fn read_all(&self, after: Option<u64>, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.inner.read_all(after, max).await
    }

    async fn find_event(&self, id: Uuid) -> Result<Option<RecordedEvent>, StoreError> {
        self.inner.find_event(id).await
    }

    async fn head_position(&self) -> Result<Option<u64>, StoreError> {
        self.inner.head_position().await
    }

    fn subscribe_all(&self, after: Option<u64>) -> BoxStream<'static, Result<RecordedEvent, StoreError>> {
        self.inner.subscribe_all(after)
    }

    async fn import(&self, events: Vec<RecordedEvent>) -> Result<(), StoreError> {
        self.inner.import(events).await
    }
}

fn authenticator() -> Arc<JwtAuthenticator> {
    Arc::new(JwtAuthenticator::hs256(&Secret::new(TEST_SECRET), "samverkan", "samverkan").expect("authenticator"))
}

async fn counted_app() -> (TestApp, Arc<CountingStore>) {
    let counting: Arc<Mutex<Option<Arc<CountingStore>>>> = Arc::default();
    let keep = counting.clone();
    let app = spawn_app_over(
        authenticator(),
        move |inner| {
            let store = Arc::new(CountingStore {
                inner,
                reads: Mutex::default(),
            });
            *keep.lock().unwrap_or_else(|p| p.into_inner()) = Some(store.clone());
            store
        },
        None,
    )
    .await;
    let store = counting
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
        .expect("the wrapped store");
    (app, store)
}

const ADOPT: &str = r#"mutation($id: UUID!, $s: UUID!) { adoptStrategy(commandId: $id, input: {strategyId: $s,
    decision: {body: COUNCIL, date: "2024-02-12"}, validity: {start: "2024-01-01", end: "2028-12-31"}}) { version } }"#;

#[tokio::test]
async fn a_command_reads_its_stream_once_whoever_sends_it() {
    let (app, store) = counted_app().await;
    app.register("SE-1487", "Vänersborg").await;
    app.register("SE-1494", "Lidköping").await;
    let strategy = Uuid::new_v4();
    let stream = format!("strategy-{strategy}");
    let vanersborg = officer("SE-1487");
    let r = app
        .gql_as(
            &vanersborg,
            r#"mutation($id: UUID!, $s: UUID!) { draftStrategy(commandId: $id, input: {strategyId: $s,
                municipality: "SE-1487", title: "Internationell strategi", kind: STRATEGY, owner: "Kommunfullmäktige",
                responsibleRole: "Kanslichef", followUpCadence: YEARLY, content: {}}) { version } }"#,
            json!({ "id": Uuid::new_v4(), "s": strategy }),
        )
        .await;
    assert_eq!(r.data()["draftStrategy"]["version"], 0);
    assert_eq!(store.reads_of(&stream), 1, "drafting reads the new stream once");

    // The owner (Vänersborg, from the state the handler holds anyway) is
    // not looked up: no read at all for an allowed command on the cached
    // aggregate (the append at the cached version checks it is current) …
    let adopt = Uuid::new_v4();
    let r = app
        .gql_as(&vanersborg, ADOPT, json!({ "id": adopt, "s": strategy }))
        .await;
    assert_eq!(r.data()["adoptStrategy"]["version"], 1);
    assert_eq!(store.reads_of(&stream), 1, "adopting the cached strategy reads nothing");

    // … and one for a refused one, which appends nothing: a refusal on
    // cached state stands after one read of what came after it.
    let head = app.head().await;
    let r = app
        .gql_as(
            &officer("SE-1494"),
            ADOPT,
            json!({ "id": Uuid::new_v4(), "s": strategy }),
        )
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    assert_eq!(store.reads_of(&stream), 2, "a refusal reads the stream once");
    assert_eq!(app.head().await, head);

    // The caller is checked before the command id: someone else's retry, or
    // someone else's command id with other input, is refused as such.
    let lidkoping = officer("SE-1494");
    let retry = app
        .gql_as(&lidkoping, ADOPT, json!({ "id": adopt, "s": strategy }))
        .await;
    assert_eq!(retry.code(), "FORBIDDEN");
    let repeal = r#"mutation($id: UUID!, $s: UUID!) { repealStrategy(commandId: $id, input: {strategyId: $s,
        decision: {body: COUNCIL, date: "2025-02-12"}}) { version } }"#;
    let reused = app
        .gql_as(&lidkoping, repeal, json!({ "id": adopt, "s": strategy }))
        .await;
    assert_eq!(reused.code(), "FORBIDDEN");
    let reused = app
        .gql_as(&vanersborg, repeal, json!({ "id": adopt, "s": strategy }))
        .await;
    assert_eq!(reused.rule(), "command_id_reused");
    // So is a malformed `expectedVersion`.
    let pinned = r#"mutation($id: UUID!, $s: UUID!) { repealStrategy(commandId: $id, expectedVersion: -7,
        input: {strategyId: $s, decision: {body: COUNCIL, date: "2025-02-12"}}) { version } }"#;
    let r = app
        .gql_as(&lidkoping, pinned, json!({ "id": Uuid::new_v4(), "s": strategy }))
        .await;
    assert_eq!(r.code(), "FORBIDDEN");
    let r = app
        .gql_as(&vanersborg, pinned, json!({ "id": Uuid::new_v4(), "s": strategy }))
        .await;
    assert_eq!(r.rule(), "invalid_expected_version");
    assert_eq!(app.head().await, head);
}

#[tokio::test]
async fn commands_take_now_from_the_injected_clock() {
    let late = "2031-01-01T00:00:00Z".parse().expect("instant");
    let app = spawn_app_over(authenticator(), |store| store, Some(Arc::new(move || late))).await;
    app.register("SE-1487", "Vänersborg").await;
    app.register("SE-1494", "Lidköping").await;
    app.consortium("V6", &["SE-1494", "SE-1487"]).await;
    let draft = |deadline: &str| {
        json!({ "id": Uuid::new_v4(), "input": {
            "consortium": "V6", "title": "Hållbar besöksnäring", "leadApplicant": "SE-1494",
            "programme": { "kind": "INTERREG", "name": "Interreg Sverige–Norge 2021–2027" }, "call": "Huvudprojekt",
            "deadline": deadline, "projectPeriod": { "start": "2031-09-01", "end": "2033-08-31" },
            "totalBudget": { "amountMinor": 600000000, "currency": "SEK" },
            "requested": { "amountMinor": 300000000, "currency": "SEK" } } })
    };
    let query = "mutation($id: UUID!, $input: DraftApplicationInput!) { draftApplication(commandId: $id, input: $input) { version } }";
    let v6 = coordinator("V6");
    // A deadline ahead of the system clock but behind the server's clock.
    let r = app.gql_as(&v6, query, draft("2030-06-30T22:00:00Z")).await;
    assert_eq!(r.code(), "VALIDATION");
    assert_eq!(r.rule(), "deadline_passed");
    let r = app.gql_as(&v6, query, draft("2031-02-15T22:59:00Z")).await;
    assert_eq!(r.data()["draftApplication"]["version"], 0);
}

#[tokio::test]
async fn reads_take_today_from_the_injected_clock() {
    let late = "2031-01-01T00:30:00Z".parse().expect("instant");
    let app = spawn_app_over(authenticator(), |store| store, Some(Arc::new(move || late))).await;
    app.register("SE-1487", "Vänersborg").await;
    let r = app
        .gql_as(
            &officer("SE-1487"),
            r#"{ dashboard(municipality: "SE-1487") { today validAt }
                 municipalities { validAt totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(r.data()["dashboard"]["today"], "2031-01-01");
    assert_eq!(r.data()["dashboard"]["validAt"], "2031-01-01");
    assert_eq!(r.data()["municipalities"]["validAt"], "2031-01-01");
    assert_eq!(r.data()["municipalities"]["totalCount"], 1);
}
