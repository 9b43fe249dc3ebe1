//! Observability end to end: a real `samverkan serve` exports its traces and
//! metrics with OTLP/HTTP (protobuf) to a receiver started inside the test,
//! and the events a request appends carry the id of the exported trace.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use opentelemetry_proto::tonic::collector::metrics::v1::{ExportMetricsServiceRequest, ExportMetricsServiceResponse};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::metrics::v1::{metric, number_data_point, Metric};
use opentelemetry_proto::tonic::trace::v1::{span::SpanKind, Span};
use prost::Message;
use samverkan_eventstore::{Direction, EventStore, SqliteStore};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{spawn_with_env, Server};

/// What the receiver got.
#[derive(Default)]
struct Received {
    /// Spans with their resource's `service.name`.
    spans: Vec<(String, Span)>,
    metrics: Vec<Metric>,
    /// Problems with the requests themselves (wrong content type, encoding…).
    problems: Vec<String>,
}

type Shared = Arc<Mutex<Received>>;

fn check_headers(headers: &HeaderMap, received: &Shared) {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let encoding = headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok());
    if content_type != Some("application/x-protobuf") || encoding.is_some() {
        received
            .lock()
            .unwrap()
            .problems
            .push(format!("content-type {content_type:?}, content-encoding {encoding:?}"));
    }
}

fn protobuf(body: Vec<u8>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/x-protobuf")], body)
}

async fn traces(State(received): State<Shared>, headers: HeaderMap, body: Bytes) -> axum::response::Response {
    check_headers(&headers, &received);
    let Ok(request) = ExportTraceServiceRequest::decode(body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let mut r = received.lock().unwrap();
    for resource_spans in request.resource_spans {
        let service = resource_spans
            .resource
            .as_ref()
            .and_then(|r| string_attr(&r.attributes, "service.name"))
            .unwrap_or_default();
        for scope in resource_spans.scope_spans {
            r.spans.extend(scope.spans.into_iter().map(|s| (service.clone(), s)));
        }
    }
    protobuf(ExportTraceServiceResponse::default().encode_to_vec()).into_response()
}

async fn metrics(State(received): State<Shared>, headers: HeaderMap, body: Bytes) -> axum::response::Response {
    check_headers(&headers, &received);
    let Ok(request) = ExportMetricsServiceRequest::decode(body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let mut r = received.lock().unwrap();
    for resource_metrics in request.resource_metrics {
        for scope in resource_metrics.scope_metrics {
            r.metrics.extend(scope.metrics);
        }
    }
    protobuf(ExportMetricsServiceResponse::default().encode_to_vec()).into_response()
}

/// An OTLP/HTTP receiver on 127.0.0.1 (a random port).
async fn start_receiver() -> (SocketAddr, Shared) {
    let received = Shared::default();
    let app = Router::new()
        .route("/v1/traces", post(traces))
        .route("/v1/metrics", post(metrics))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, received)
}

fn string_attr(attributes: &[KeyValue], key: &str) -> Option<String> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
            AnyValue::StringValue(s) => Some(s.clone()),
            _ => None,
        })
}

fn int_attr(attributes: &[KeyValue], key: &str) -> Option<i64> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
            AnyValue::IntValue(i) => Some(*i),
            _ => None,
        })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn gql(server: &Server, token: &str, traceparent: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = reqwest::Client::new()
        .post(&server.url)
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(tp) = traceparent {
        request = request.header("traceparent", tp);
    }
    request
        .send()
        .await
        .expect("POST /graphql")
        .json()
        .await
        .expect("JSON answer")
}

/// Poll until `ready` holds for what was received (or fail after 30 s).
async fn wait_for(received: &Shared, what: &str, ready: impl Fn(&Received) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if ready(&received.lock().unwrap()) {
            return;
        }
        if Instant::now() > deadline {
            let r = received.lock().unwrap();
            let names: Vec<&str> = r.spans.iter().map(|(_, s)| s.name.as_str()).collect();
            let metrics: std::collections::BTreeSet<&str> = r.metrics.iter().map(|m| m.name.as_str()).collect();
            panic!("{what}: not received in 30 s; spans {names:?}; metrics {metrics:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

const REGISTER: &str = "mutation RegisterFirst($id: UUID!, $name: String!) {
    registerMunicipality(commandId: $id, input: {code: \"SE-1111\", name: $name}) { position }
}";
const REGISTER_SECOND: &str = "mutation RegisterSecond($id: UUID!) {
    registerMunicipality(commandId: $id, input: {code: \"SE-2222\", name: \"Andraby\"}) { position }
}";
const LOOKUP: &str = "query Lookup { municipality(code: \"SE-1111\") { name } }";
/// The caller's trace: the server must continue it.
const CALLER_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

#[tokio::test]
async fn traces_and_metrics_reach_an_otlp_receiver_and_events_carry_the_trace_id() {
    let (addr, received) = start_receiver().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let endpoint = format!("http://{addr}");
    let server = spawn_with_env(
        dir.path(),
        &["--log-format", "json"],
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
            ("OTEL_SERVICE_NAME", "samverkan-e2e"),
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "300"),
            ("RUST_LOG", "info"),
        ],
    );
    let admin = server.admin_token.clone().expect("an admin token");
    let officer = server.token("officer", Some("SE-1494"));

    // A mutation continuing the caller's trace, one starting a new trace, a
    // query, a refused command and a broken rule.
    let secret_name = "Hemligby-variabelvärde";
    let first = gql(
        &server,
        &admin,
        Some(&format!("00-{CALLER_TRACE}-{CALLER_SPAN}-01")),
        REGISTER,
        json!({ "id": Uuid::new_v4(), "name": secret_name }),
    )
    .await;
    assert!(first["errors"].is_null(), "{first:#}");
    let second = gql(&server, &admin, None, REGISTER_SECOND, json!({ "id": Uuid::new_v4() })).await;
    assert!(second["errors"].is_null(), "{second:#}");
    let lookup = gql(&server, &admin, None, LOOKUP, json!({})).await;
    assert_eq!(lookup["data"]["municipality"]["name"], secret_name, "{lookup:#}");
    let refused = gql(
        &server,
        &officer,
        None,
        REGISTER_SECOND,
        json!({ "id": Uuid::new_v4() }),
    )
    .await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN", "{refused:#}");
    let again = gql(&server, &admin, None, REGISTER_SECOND, json!({ "id": Uuid::new_v4() })).await;
    assert_eq!(again["errors"][0]["extensions"]["code"], "VALIDATION", "{again:#}");

    wait_for(&received, "the spans of the first mutation", |r| {
        let names: Vec<&str> = r
            .spans
            .iter()
            .filter(|(_, s)| hex(&s.trace_id) == CALLER_TRACE)
            .map(|(_, s)| s.name.as_str())
            .collect();
        [
            "POST /graphql",
            "mutation RegisterFirst",
            "command",
            "eventstore.append",
        ]
        .iter()
        .all(|n| names.contains(n))
    })
    .await;
    wait_for(&received, "the query's and the second mutation's spans", |r| {
        ["query Lookup", "mutation RegisterSecond"]
            .iter()
            .all(|n| r.spans.iter().any(|(_, s)| s.name == *n))
    })
    .await;
    wait_for(&received, "the metrics", |r| {
        let names: Vec<&str> = r.metrics.iter().map(|m| m.name.as_str()).collect();
        [
            "samverkan.http.requests",
            "samverkan.http.duration",
            "samverkan.graphql.requests",
            "samverkan.graphql.duration",
            "samverkan.commands",
            "samverkan.store.appends",
            "samverkan.store.batch_size",
            "samverkan.projection.lag",
            "samverkan.subscriptions.live",
        ]
        .iter()
        .all(|n| names.contains(n))
    })
    .await;

    let stderr = server.stderr_text();
    let status = server.terminate();
    assert!(status.success(), "exit status {status:?}; stderr:\n{stderr}");

    let r = std::mem::take(&mut *received.lock().unwrap());
    assert!(r.problems.is_empty(), "{:?}", r.problems);

    // --- the first mutation's span tree, continuing the caller's trace ----
    let trace: Vec<&Span> = r
        .spans
        .iter()
        .filter(|(_, s)| hex(&s.trace_id) == CALLER_TRACE)
        .map(|(_, s)| s)
        .collect();
    assert!(
        r.spans.iter().all(|(service, _)| service == "samverkan-e2e"),
        "OTEL_SERVICE_NAME names the service"
    );
    let one = |name: &str| -> &Span {
        let found: Vec<&&Span> = trace.iter().filter(|s| s.name == name).collect();
        assert_eq!(found.len(), 1, "one `{name}` span in the trace: {found:#?}");
        found[0]
    };
    let http = one("POST /graphql");
    assert_eq!(http.kind, SpanKind::Server as i32);
    assert_eq!(
        hex(&http.parent_span_id),
        CALLER_SPAN,
        "the caller's span is the parent"
    );
    assert_eq!(string_attr(&http.attributes, "http.route").as_deref(), Some("/graphql"));
    assert_eq!(
        string_attr(&http.attributes, "http.request.method").as_deref(),
        Some("POST")
    );
    assert_eq!(
        int_attr(&http.attributes, "http.response.status_code"),
        Some(200),
        "{:#?}",
        http.attributes
    );

    let operation = one("mutation RegisterFirst");
    assert_eq!(
        operation.parent_span_id, http.span_id,
        "graphql.operation under the HTTP span"
    );
    assert_eq!(
        string_attr(&operation.attributes, "graphql.operation.name").as_deref(),
        Some("RegisterFirst")
    );
    assert_eq!(
        string_attr(&operation.attributes, "graphql.operation.type").as_deref(),
        Some("mutation")
    );

    let command = one("command");
    assert_eq!(
        command.parent_span_id, operation.span_id,
        "the command under the operation"
    );
    assert_eq!(
        string_attr(&command.attributes, "command").as_deref(),
        Some("RegisterMunicipality")
    );
    assert_eq!(string_attr(&command.attributes, "outcome").as_deref(), Some("ok"));
    assert_eq!(
        string_attr(&command.attributes, "stream").as_deref(),
        Some("municipality-SE-1111")
    );

    let append = one("eventstore.append");
    assert_eq!(append.parent_span_id, command.span_id, "the append under the command");
    assert_eq!(int_attr(&append.attributes, "events"), Some(1));
    assert!(
        trace
            .iter()
            .any(|s| s.name == "eventstore.read_stream" && s.parent_span_id == command.span_id),
        "the command reads its stream"
    );
    assert!(
        trace
            .iter()
            .any(|s| s.name == "projection.wait" && s.parent_span_id == operation.span_id),
        "the mutation waits for the read models"
    );

    // No variable value in any span.
    for (_, span) in &r.spans {
        for kv in &span.attributes {
            let text = format!("{:?}", kv.value);
            assert!(
                !text.contains("Hemligby"),
                "a variable value leaked into {}: {kv:?}",
                span.name
            );
        }
    }

    // --- the other operations ------------------------------------------
    let second_op = r
        .spans
        .iter()
        .map(|(_, s)| s)
        .find(|s| s.name == "mutation RegisterSecond")
        .expect("second mutation");
    let second_trace = hex(&second_op.trace_id);
    assert_ne!(second_trace, CALLER_TRACE);
    let second_http = r
        .spans
        .iter()
        .map(|(_, s)| s)
        .find(|s| s.span_id == second_op.parent_span_id)
        .expect("the second mutation's HTTP span");
    assert!(second_http.parent_span_id.is_empty(), "no traceparent: a new trace");
    let lookup_op = r
        .spans
        .iter()
        .map(|(_, s)| s)
        .find(|s| s.name == "query Lookup")
        .expect("query");
    assert_eq!(
        string_attr(&lookup_op.attributes, "graphql.operation.type").as_deref(),
        Some("query")
    );
    assert!(
        r.spans.iter().any(|(_, s)| s.name == "projection.apply"),
        "projection updates are traced"
    );

    // --- metrics ---------------------------------------------------------
    let sum_points = |name: &str| -> Vec<(HashMap<String, String>, i64)> {
        r.metrics
            .iter()
            .filter(|m| m.name == name)
            .flat_map(|m| match &m.data {
                Some(metric::Data::Sum(s)) => s.data_points.clone(),
                Some(metric::Data::Gauge(g)) => g.data_points.clone(),
                _ => vec![],
            })
            .map(|p| {
                let attributes = p
                    .attributes
                    .iter()
                    .filter_map(|kv| Some((kv.key.clone(), string_attr(std::slice::from_ref(kv), &kv.key)?)))
                    .collect();
                let value = match p.value {
                    Some(number_data_point::Value::AsInt(i)) => i,
                    Some(number_data_point::Value::AsDouble(d)) => d as i64,
                    None => 0,
                };
                (attributes, value)
            })
            .collect()
    };
    let commands = sum_points("samverkan.commands");
    let count = |outcome: &str| {
        commands
            .iter()
            .filter(|(a, _)| {
                a.get("command").map(String::as_str) == Some("RegisterMunicipality")
                    && a.get("outcome").map(String::as_str) == Some(outcome)
            })
            .map(|(_, v)| *v)
            .max()
            .unwrap_or(0)
    };
    assert!(count("ok") >= 2, "two registrations: {commands:?}");
    assert!(count("forbidden") >= 1, "the officer was refused: {commands:?}");
    assert!(count("validation") >= 1, "the municipality existed: {commands:?}");
    let graphql = sum_points("samverkan.graphql.requests");
    assert!(
        graphql.iter().any(
            |(a, v)| a.get("graphql.operation.name").map(String::as_str) == Some("Lookup")
                && a.get("graphql.operation.type").map(String::as_str) == Some("query")
                && *v >= 1
        ),
        "requests by operation: {graphql:?}"
    );
    let appends = sum_points("samverkan.store.appends");
    assert!(
        appends
            .iter()
            .any(|(a, v)| a.get("result").map(String::as_str) == Some("written") && *v >= 2),
        "{appends:?}"
    );
    let batch_sizes: u64 = r
        .metrics
        .iter()
        .filter(|m| m.name == "samverkan.store.batch_size")
        .flat_map(|m| match &m.data {
            Some(metric::Data::Histogram(h)) => h.data_points.iter().map(|p| p.count).collect(),
            _ => vec![],
        })
        .max()
        .unwrap_or(0);
    assert!(batch_sizes >= 2, "group commits are measured");

    // --- the events carry the exported trace's id ------------------------
    let store = SqliteStore::open(dir.path().join("events.sqlite")).expect("open the store");
    let trace_of = |events: Vec<samverkan_eventstore::RecordedEvent>| {
        assert_eq!(events.len(), 1);
        events[0].metadata.trace_id.clone()
    };
    let first_events = store
        .read_stream("municipality-SE-1111", Direction::Forwards, Some(0), 10)
        .await
        .expect("read");
    assert_eq!(trace_of(first_events).as_deref(), Some(CALLER_TRACE));
    let second_events = store
        .read_stream("municipality-SE-2222", Direction::Forwards, Some(0), 10)
        .await
        .expect("read");
    assert_eq!(
        trace_of(second_events),
        Some(second_trace),
        "the new trace's id is stored"
    );

    // --- JSON log lines carry the trace id -------------------------------
    let handled: Vec<Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["fields"]["message"] == "command handled")
        .collect();
    assert!(
        handled
            .iter()
            .any(|l| l["trace_id"] == CALLER_TRACE && l["level"] == "INFO"),
        "a JSON line of the first mutation with its trace id:\n{stderr}"
    );
}

#[tokio::test]
async fn without_an_endpoint_nothing_is_exported_and_logs_keep_the_callers_trace_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = spawn_with_env(
        dir.path(),
        &[],
        &[("RUST_LOG", "info"), ("OTEL_SERVICE_NAME", "samverkan-e2e")],
    );
    let admin = server.admin_token.clone().expect("an admin token");
    let answer = gql(
        &server,
        &admin,
        Some(&format!("00-{CALLER_TRACE}-{CALLER_SPAN}-01")),
        REGISTER,
        json!({ "id": Uuid::new_v4(), "name": "Spårlösby" }),
    )
    .await;
    assert!(answer["errors"].is_null(), "{answer:#}");
    // Stopped first, so that the log is read to its end (under load the
    // reader thread may not have the command's line yet).
    let status = server.stop();
    let stderr = server.stderr_text();
    assert!(status.success(), "{stderr}");
    assert!(!stderr.contains("exporting telemetry"), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("command handled"))
        .unwrap_or_else(|| panic!("a human log line for the command:\n{stderr}"));
    assert!(line.contains(&format!("trace_id={CALLER_TRACE}")), "{line}");
    assert!(!line.contains("otel."), "no exporter hints in human lines: {line}");

    let store = SqliteStore::open(dir.path().join("events.sqlite")).expect("open the store");
    let events = store
        .read_stream("municipality-SE-1111", Direction::Forwards, Some(0), 10)
        .await
        .expect("read");
    assert_eq!(events[0].metadata.trace_id.as_deref(), Some(CALLER_TRACE));
}
