//! The workloads: the GraphQL bodies, the bare yardsticks (an axum handler
//! returning the same bytes; the store's own concurrent appends) and growing
//! the projects' streams between the short- and the long-stream runs.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use axum::body::Bytes;
use axum::routing::post;
use axum::Router;
use chrono::NaiveDate;
use samverkan_domain::project::{Project, ProjectCommand};
use samverkan_domain::{Decider, DomainEvent, MilestoneId, ProjectId};
use samverkan_eventstore::{Direction, EventMetadata, EventStore, ExpectedVersion, NewEvent, SqliteStore};
use serde_json::{json, Value};
use uuid::Uuid;

use super::client::{post_once, Target};

/// The web app's own queries (`services/api/assets/web/views.js`), so the
/// load is what a person's browser sends.
const VIEWS_JS: &str = include_str!("../../../api/assets/web/views.js");

/// The text of `export const <name> = `…`;` in the web app's views.
pub fn web_query(name: &str) -> anyhow::Result<&'static str> {
    let marker = format!("export const {name} = `");
    let start = VIEWS_JS
        .find(&marker)
        .with_context(|| format!("the web app defines no {name}"))?
        + marker.len();
    let len = VIEWS_JS[start..].find('`').context("unterminated query text")?;
    Ok(&VIEWS_JS[start..start + len])
}

/// A GraphQL request body.
pub fn graphql_body(query: &str, variables: &Value) -> Bytes {
    Bytes::from(json!({ "query": query, "variables": variables }).to_string())
}

/// A project the mutations plan milestones in.
#[derive(Debug, Clone)]
pub struct TargetProject {
    pub id: Uuid,
    /// A date inside the project's period.
    pub due: NaiveDate,
}

/// The active projects of the served data, at most `max`.
pub async fn active_projects(target: &Target, max: usize) -> anyhow::Result<Vec<TargetProject>> {
    let query = "{ projects(first: 100) { edges { node { id status period { start end } } } } }";
    let (status, bytes) = post_once(target, graphql_body(query, &json!({}))).await?;
    let v: Value = serde_json::from_slice(&bytes).context("the projects answer is not JSON")?;
    if !status.is_success() || v.get("errors").is_some() {
        bail!("listing the projects failed: {status} {v}");
    }
    let mut out = Vec::new();
    for edge in v["data"]["projects"]["edges"].as_array().into_iter().flatten() {
        let node = &edge["node"];
        if node["status"] != "ACTIVE" {
            continue;
        }
        let id = node["id"].as_str().and_then(|s| s.parse().ok());
        let due = node["period"]["start"].as_str().and_then(|s| s.parse().ok());
        if let (Some(id), Some(due)) = (id, due) {
            out.push(TargetProject { id, due });
        }
        if out.len() == max {
            break;
        }
    }
    if out.is_empty() {
        bail!("the served data has no active project to plan milestones in");
    }
    Ok(out)
}

/// The codes of the served data's municipalities (at most 100) that have a
/// dashboard, for a query workload that asks about a different one each
/// request.
pub async fn municipality_codes(target: &Target) -> anyhow::Result<Vec<String>> {
    let query = "{ municipalities(first: 100) { edges { node { code } } } }";
    let (status, bytes) = post_once(target, graphql_body(query, &json!({}))).await?;
    let v: Value = serde_json::from_slice(&bytes).context("the municipalities answer is not JSON")?;
    if !status.is_success() || v.get("errors").is_some() {
        bail!("listing the municipalities failed: {status} {v}");
    }
    let codes: Vec<String> = v["data"]["municipalities"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["code"].as_str().map(str::to_string))
        .collect();
    // Only those with a dashboard today (a code the register lists may be
    // one no longer valid today).
    let mut usable = Vec::new();
    for code in codes {
        let body = graphql_body(query_dashboard_today(), &json!({ "m": code }));
        let (status, bytes) = post_once(target, body).await?;
        if status.is_success() && !String::from_utf8_lossy(&bytes).contains("\"errors\":[") {
            usable.push(code);
        }
    }
    if usable.is_empty() {
        bail!("the served data has no municipality with a dashboard");
    }
    Ok(usable)
}

fn query_dashboard_today() -> &'static str {
    "query($m: MunicipalityCode!) { dashboard(municipality: $m) { today } }"
}

/// The n-th dashboard request of the uncached workload: the municipalities
/// in turn, and a variable the operation does not declare (ignored by the
/// execution) numbering the request, so that no two requests have the same
/// bytes and none is answered from the response cache.
pub fn uncached_dashboard_body(query: &str, codes: &[String], n: u64) -> Bytes {
    let code = &codes[(n % codes.len() as u64) as usize];
    graphql_body(query, &json!({ "m": code, "loadgenRequest": n }))
}

const REGISTER_PROJECT: &str = "mutation Register($c: UUID!, $t: String!) { registerProject(commandId: $c, input: { \
     title: $t, lead: { municipality: \"SE-1494\" }, programme: { kind: ERASMUS_PLUS, name: \"Erasmus+\" }, \
     financing: { budget: { amountMinor: 100000, currency: EUR }, grant: { amountMinor: 0, currency: EUR }, \
     coFinancing: { amountMinor: 0, currency: EUR } }, period: { start: \"2025-03-01\", end: \"2027-02-28\" } }) { project { id } } }";

/// Register projects through the API (not timed) until there are `wanted`
/// active ones, so that the mutations spread over as many streams as the
/// store's yardstick has writers.
pub async fn register_projects(
    target: &Target,
    mut projects: Vec<TargetProject>,
    wanted: usize,
) -> anyhow::Result<Vec<TargetProject>> {
    let mut n = 0;
    while projects.len() < wanted {
        n += 1;
        let variables = json!({ "c": Uuid::new_v4(), "t": format!("Load-generator project {n}") });
        let (status, bytes) = post_once(target, graphql_body(REGISTER_PROJECT, &variables)).await?;
        let v: Value = serde_json::from_slice(&bytes).context("the registerProject answer is not JSON")?;
        if !status.is_success() || v.get("errors").is_some() {
            bail!("registering a project failed: {status} {v}");
        }
        let id = v["data"]["registerProject"]["project"]["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .context("registerProject answered no id")?;
        let due = NaiveDate::from_ymd_opt(2025, 3, 1).context("a valid date")?;
        projects.push(TargetProject { id, due });
    }
    Ok(projects)
}

const PLAN_MILESTONE: &str = "mutation Plan($c: UUID!, $i: PlanMilestoneInput!) { \
     planMilestone(commandId: $c, input: $i) { version position } }";

/// The n-th `planMilestone` of a run: a new command id and milestone each
/// time, round-robin over the projects.
pub fn plan_milestone_body(run: &str, projects: &[TargetProject], n: u64) -> Bytes {
    let p = &projects[(n % projects.len() as u64) as usize];
    let variables = json!({
        "c": Uuid::new_v4(),
        "i": {
            "projectId": p.id,
            "milestoneId": format!("{run}-{n}"),
            "title": format!("Load-generator milestone {n}"),
            "due": p.due,
        }
    });
    graphql_body(PLAN_MILESTONE, &variables)
}

/// The number of events in the longest of the projects' streams.
pub async fn longest_stream(store: &Arc<dyn EventStore>, projects: &[TargetProject]) -> anyhow::Result<u64> {
    let mut longest = 0;
    for p in projects {
        let stream = format!("project-{}", p.id);
        let last = store.read_stream(&stream, Direction::Backwards, None, 1).await?;
        longest = longest.max(last.first().map_or(0, |e| e.version + 1));
    }
    Ok(longest)
}

/// Grow every project's stream to `to_length` events, not through the API
/// (it is not measured): `PlanMilestone` decided on the folded state and
/// appended in batches at the exact version. Returns the number of events
/// appended and the global position of the last one.
pub async fn grow_streams(
    store: &Arc<dyn EventStore>,
    projects: &[TargetProject],
    to_length: u64,
) -> anyhow::Result<(u64, Option<u64>)> {
    let mut appended = 0;
    let mut last = None;
    for p in projects {
        let id = ProjectId::new(p.id);
        let stream = format!("project-{}", p.id);
        let (mut state, mut version) = samverkan_app::Commands::new(store.clone()).load::<Project>(&id).await?;
        let length = version.map_or(0, |v| v + 1);
        let mut missing = to_length.saturating_sub(length);
        let mut n = 0u64;
        while missing > 0 {
            let mut batch = Vec::new();
            while batch.len() < 500 && missing > 0 {
                let command = ProjectCommand::PlanMilestone {
                    milestone: MilestoneId::parse(&format!("grown-{n}"))?,
                    title: format!("Grown milestone {n}"),
                    due: p.due,
                };
                n += 1;
                for event in Project::decide(&state, &command)? {
                    batch.push(NewEvent {
                        id: Uuid::new_v4(),
                        event_type: event.event_type().to_string(),
                        schema_version: event.schema_version(),
                        data: serde_json::to_vec(&event.to_json())?,
                        metadata: EventMetadata {
                            actor: Some("loadgen".into()),
                            ..EventMetadata::default()
                        },
                    });
                    state = Project::evolve(state, &event);
                    missing = missing.saturating_sub(1);
                }
            }
            let expected = version.map_or(ExpectedVersion::NoStream, ExpectedVersion::Exact);
            appended += batch.len() as u64;
            let r = store.append(&stream, expected, batch).await?;
            version = Some(r.next_expected_version);
            last = Some(r.position);
        }
    }
    Ok((appended, last))
}

/// A bare axum server answering `POST /bare/<name>` with `bytes` (what the
/// real server answered for the same request), on port 0.
pub async fn bare_server(answers: Vec<(String, Bytes)>) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let mut router = Router::new();
    for (name, bytes) in answers {
        router = router.route(
            &format!("/bare/{name}"),
            post(move |_body: Bytes| {
                let bytes = bytes.clone();
                async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], bytes) }
            }),
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((addr, task))
}

/// The store's own append rate: `writers` concurrent writers, each on its
/// own stream, one `MilestonePlanned`-sized event per append at the exact
/// version, on a fresh embedded store in `dir`, for `duration`.
pub async fn store_appends(dir: &Path, writers: usize, duration: Duration) -> anyhow::Result<(u64, Duration)> {
    let store = Arc::new(SqliteStore::open(dir.join("yardstick.sqlite"))?);
    let data = serde_json::to_vec(&json!({
        "project": Uuid::new_v4(), "milestone": "yardstick-0",
        "title": "Load-generator milestone 0", "due": "2025-01-01",
    }))?;
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::new();
    for w in 0..writers {
        let (store, data) = (store.clone(), data.clone());
        tasks.push(tokio::spawn(async move {
            let stream = format!("yardstick-{w}");
            let mut expected = ExpectedVersion::NoStream;
            let mut n = 0u64;
            while Instant::now() < deadline {
                let event = NewEvent {
                    id: Uuid::new_v4(),
                    event_type: "MilestonePlanned".into(),
                    schema_version: 1,
                    data: data.clone(),
                    metadata: EventMetadata {
                        actor: Some("user:loadgen".into()),
                        actor_role: Some("admin".into()),
                        causation_id: Some(Uuid::new_v4()),
                        correlation_id: Some(Uuid::new_v4()),
                        trace_id: None,
                        command_fingerprint: Some(format!("sha256:{}", "ab".repeat(32))),
                    },
                };
                let r = store.append(&stream, expected, vec![event]).await?;
                expected = ExpectedVersion::Exact(r.next_expected_version);
                n += 1;
            }
            anyhow::Ok(n)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await??;
    }
    Ok((total, start.elapsed()))
}
