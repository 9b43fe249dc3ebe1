//! Traces and metrics of the API (see `docs/operations.md`).
//!
//! - [`trace_layer`]: the `tower-http` trace layer. One server span per HTTP
//!   request, continuing the caller's W3C `traceparent` (through the global
//!   propagator), with method, route and status, and a `trace_id` field so
//!   that every log line of the request carries the trace id.
//! - [`http_metrics`]: `samverkan.http.requests` and `samverkan.http.duration`
//!   by route, method and status.
//! - [`GraphqlTelemetry`]: the async-graphql extension that opens one span per
//!   operation (`graphql.operation.name`, `graphql.operation.type`; never the
//!   variables), counts `samverkan.graphql.requests` / times
//!   `samverkan.graphql.duration` by operation, and counts refused commands
//!   (`samverkan.commands{outcome="forbidden"}`).
//!
//! Everything goes through the `tracing` and OpenTelemetry *APIs*: with no
//! subscriber layer and no meter provider installed (the server without
//! `OTEL_EXPORTER_OTLP_ENDPOINT`), spans are plain `tracing` spans and the
//! instruments are no-ops. Then nothing is spent on them per request: a
//! span no subscriber wants is not named or linked to the caller's trace,
//! and metrics are built only after [`record_metrics`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextRequest,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection};
use async_graphql::{Response as GraphqlResponse, ServerResult, Value, Variables};
use axum::extract::{MatchedPath, Request};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use opentelemetry::metrics::{Counter, Histogram};
use opentelemetry::propagation::Extractor;
use opentelemetry::trace::TraceContextExt;
use opentelemetry::KeyValue;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::field::Empty;
use tracing::{Instrument, Span};
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The trace id (32 lowercase hex digits) of the current span, when an
/// OpenTelemetry layer is installed and the span belongs to a valid trace.
pub fn current_trace_id() -> Option<String> {
    let cx = Span::current().context();
    let span = cx.span();
    let sc = span.span_context();
    sc.is_valid().then(|| sc.trace_id().to_string())
}

/// Reads W3C trace context headers from an axum header map.
struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

/// The HTTP layer's trace layer: see the module documentation.
pub fn trace_layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, HttpMakeSpan, (), HttpOnResponse> {
    TraceLayer::new_for_http()
        .make_span_with(HttpMakeSpan)
        .on_request(())
        .on_response(HttpOnResponse)
}

/// One `INFO` span per request, named `METHOD /route` for OpenTelemetry.
#[derive(Debug, Clone, Copy)]
pub struct HttpMakeSpan;

impl<B> MakeSpan<B> for HttpMakeSpan {
    fn make_span(&mut self, request: &axum::http::Request<B>) -> Span {
        let method = request.method().as_str();
        let route = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
        let span = tracing::info_span!(
            "http.request",
            otel.name = Empty,
            otel.kind = "server",
            otel.status_code = Empty,
            http.request.method = method,
            http.route = route,
            url.path = request.uri().path(),
            http.response.status_code = Empty,
            trace_id = Empty,
        );
        // No subscriber wants the span (`RUST_LOG` below `info` and no
        // OpenTelemetry layer): nothing to name, continue or correlate.
        if span.is_disabled() {
            return span;
        }
        let name = match route {
            Some(route) => format!("{method} {route}"),
            None => method.to_owned(),
        };
        span.record("otel.name", name.as_str());
        // Continue the caller's trace (`traceparent`), if it sent one.
        let parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&HeaderExtractor(request.headers())));
        let _ = span.set_parent(parent.clone());
        // The trace id this request's spans are exported under; without an
        // OpenTelemetry layer, the caller's (so logs still correlate).
        let own = span.context();
        let trace_id = [
            own.span().span_context().trace_id(),
            parent.span().span_context().trace_id(),
        ]
        .into_iter()
        .find(|t| *t != opentelemetry::trace::TraceId::INVALID);
        if let Some(t) = trace_id {
            span.record("trace_id", tracing::field::display(t));
        }
        span
    }
}

/// Records the status on the request's span.
#[derive(Debug, Clone, Copy)]
pub struct HttpOnResponse;

impl<B> OnResponse<B> for HttpOnResponse {
    fn on_response(self, response: &axum::http::Response<B>, latency: Duration, span: &Span) {
        let status = response.status();
        span.record("http.response.status_code", i64::from(status.as_u16()));
        if status.is_server_error() {
            span.record("otel.status_code", "ERROR");
        }
        tracing::debug!(
            status = status.as_u16(),
            latency_ms = latency.as_secs_f64() * 1e3,
            "request finished"
        );
    }
}

struct Instruments {
    http_requests: Counter<u64>,
    http_duration: Histogram<f64>,
    graphql_requests: Counter<u64>,
    graphql_duration: Histogram<f64>,
    commands: Counter<u64>,
}

/// Histogram buckets for durations in seconds (OpenTelemetry's HTTP advice).
const SECONDS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// Created on first use, from the global meter provider in force then (the
/// server installs its provider before it serves anything).
static INSTRUMENTS: LazyLock<Instruments> = LazyLock::new(|| {
    let meter = opentelemetry::global::meter("samverkan");
    Instruments {
        http_requests: meter
            .u64_counter("samverkan.http.requests")
            .with_description("HTTP requests answered, by route, method and status")
            .build(),
        http_duration: meter
            .f64_histogram("samverkan.http.duration")
            .with_unit("s")
            .with_description("Time to answer an HTTP request, by route, method and status")
            .with_boundaries(SECONDS.to_vec())
            .build(),
        graphql_requests: meter
            .u64_counter("samverkan.graphql.requests")
            .with_description("GraphQL operations executed, by operation name, type and outcome")
            .build(),
        graphql_duration: meter
            .f64_histogram("samverkan.graphql.duration")
            .with_unit("s")
            .with_description("Time to execute a GraphQL operation, by operation name, type and outcome")
            .with_boundaries(SECONDS.to_vec())
            .build(),
        commands: meter
            .u64_counter("samverkan.commands")
            .with_description("Commands handled, by command type and outcome")
            .build(),
    }
});

/// Whether a meter provider was installed (see [`record_metrics`]).
static METRICS: AtomicBool = AtomicBool::new(false);

/// Measure from now on: called by whoever installs the global meter
/// provider (the server, with `OTEL_EXPORTER_OTLP_ENDPOINT`). Until then the
/// instruments would be no-ops, and the middleware and the GraphQL extension
/// skip building their attributes.
pub fn record_metrics() {
    METRICS.store(true, Ordering::Relaxed);
}

fn metrics_recorded() -> bool {
    METRICS.load(Ordering::Relaxed)
}

/// The target of the GraphQL operation's span: apart from this module's,
/// which the server's log layer always enables for the HTTP request span
/// (every log line shows its trace id), so that `RUST_LOG=warn` leaves the
/// operation's span off.
pub const OPERATION_TARGET: &str = "samverkan_api::graphql";

/// Whether the installed subscriber wants the operation's span, as its
/// installer knows it: 0 not said (ask `tracing`), 1 no, 2 yes.
static SPANS_WANTED: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Say whether the subscriber just installed wants the GraphQL operation's
/// `INFO` span (target [`OPERATION_TARGET`]): the server knows from its log
/// filter and whether it exports traces. `tracing`'s own answer cannot be
/// used there: a subscriber with per-layer filters answers "enabled" for
/// every span.
pub fn operation_spans_wanted(wanted: bool) {
    SPANS_WANTED.store(if wanted { 2 } else { 1 }, Ordering::Relaxed);
}

/// Whether anyone observes GraphQL operations: metrics are recorded, or a
/// subscriber wants the operation's `INFO` span ([`GraphqlTelemetry`]).
pub(crate) fn operations_observed() -> bool {
    metrics_recorded()
        || match SPANS_WANTED.load(Ordering::Relaxed) {
            1 => false,
            2 => true,
            _ => tracing::span_enabled!(target: OPERATION_TARGET, tracing::Level::INFO),
        }
}

/// The axum middleware counting and timing requests by route.
pub async fn http_metrics(request: Request, next: Next) -> Response {
    if !metrics_recorded() {
        return next.run(request).await;
    }
    let start = Instant::now();
    let route: Arc<str> = match request.extensions().get::<MatchedPath>() {
        Some(p) => Arc::from(p.as_str()),
        None => Arc::from("unmatched"),
    };
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    let attributes = [
        KeyValue::new("http.route", route),
        KeyValue::new("http.request.method", method),
        KeyValue::new("http.response.status_code", i64::from(response.status().as_u16())),
    ];
    let m = &*INSTRUMENTS;
    m.http_requests.add(1, &attributes);
    m.http_duration.record(start.elapsed().as_secs_f64(), &attributes);
    response
}

/// The async-graphql extension: one span and one measurement per operation.
pub struct GraphqlTelemetry;

impl ExtensionFactory for GraphqlTelemetry {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GraphqlTelemetryExtension::default())
    }
}

/// An operation of the request's document.
struct Operation {
    name: Option<String>,
    kind: &'static str,
    /// Root fields: (response key, field name).
    root_fields: Vec<(String, String)>,
}

#[derive(Default)]
struct GraphqlTelemetryExtension {
    operations: Mutex<Vec<Operation>>,
    /// (name, type) of the executed operation.
    chosen: Mutex<Option<(String, &'static str)>>,
}

fn kind(ty: OperationType) -> &'static str {
    match ty {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    }
}

fn operations_of(doc: &ExecutableDocument) -> Vec<Operation> {
    doc.operations
        .iter()
        .map(|(name, op)| Operation {
            name: name.map(|n| n.to_string()),
            kind: kind(op.node.ty),
            root_fields: op
                .node
                .selection_set
                .node
                .items
                .iter()
                .filter_map(|s| match &s.node {
                    Selection::Field(f) => {
                        let name = f.node.name.node.to_string();
                        let key = f
                            .node
                            .alias
                            .as_ref()
                            .map_or_else(|| name.clone(), |a| a.node.to_string());
                        Some((key, name))
                    }
                    _ => None,
                })
                .collect(),
        })
        .collect()
}

/// `adoptStrategy` → `AdoptStrategy`: the command type a mutation field runs.
fn command_type(field: &str) -> String {
    let mut chars = field.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn has_code(error: &async_graphql::ServerError, code: &str) -> bool {
    error
        .extensions
        .as_ref()
        .and_then(|x| x.get("code"))
        .is_some_and(|c| matches!(c, Value::String(s) if s == code))
}

/// Names chosen by clients become metric attributes: keep them bounded.
fn bounded(name: &str) -> String {
    name.chars().take(64).collect()
}

impl GraphqlTelemetryExtension {
    fn lock_operations(&self) -> std::sync::MutexGuard<'_, Vec<Operation>> {
        self.operations.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for GraphqlTelemetryExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> GraphqlResponse {
        let span = tracing::info_span!(
            target: OPERATION_TARGET,
            "graphql.operation",
            otel.status_code = Empty,
            graphql.operation.name = Empty,
            graphql.operation.type = Empty,
            graphql.errors = Empty,
        );
        let start = Instant::now();
        let response = next.run(ctx).instrument(span.clone()).await;
        let elapsed = start.elapsed().as_secs_f64();

        let (name, kind) = self
            .chosen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .unwrap_or_else(|| ("unknown".to_owned(), "unknown"));
        if !response.errors.is_empty() {
            span.record("graphql.errors", response.errors.len() as i64);
            if response.errors.iter().any(|e| has_code(e, "INTERNAL")) {
                span.record("otel.status_code", "ERROR");
            }
        }
        if !metrics_recorded() {
            return response;
        }
        let outcome = if response.errors.is_empty() { "ok" } else { "error" };
        let attributes = [
            KeyValue::new("graphql.operation.name", name),
            KeyValue::new("graphql.operation.type", kind),
            KeyValue::new("outcome", outcome),
        ];
        let m = &*INSTRUMENTS;
        m.graphql_requests.add(1, &attributes);
        m.graphql_duration.record(elapsed, &attributes);

        // Commands refused by authorization (the command handler does not
        // count them): counted here, by the mutation field they were sent to.
        if kind == "mutation" {
            let forbidden = response.errors.iter().filter(|e| has_code(e, "FORBIDDEN"));
            let operations = self.lock_operations();
            for error in forbidden {
                let Some(async_graphql::PathSegment::Field(key)) = error.path.first() else {
                    continue;
                };
                let field = operations
                    .iter()
                    .filter(|o| o.kind == "mutation")
                    .flat_map(|o| o.root_fields.iter())
                    .find(|(k, _)| k == key)
                    .map_or(key.as_str(), |(_, f)| f.as_str());
                m.commands.add(
                    1,
                    &[
                        KeyValue::new("command", command_type(field)),
                        KeyValue::new("outcome", "forbidden"),
                    ],
                );
            }
        }
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        *self.lock_operations() = operations_of(&doc);
        Ok(doc)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> GraphqlResponse {
        let chosen = {
            let operations = self.lock_operations();
            let op = match operation_name {
                Some(wanted) => operations.iter().find(|o| o.name.as_deref() == Some(wanted)),
                None => operations.first(),
            };
            op.map(|o| {
                (
                    o.name.as_deref().map_or_else(|| "anonymous".to_owned(), bounded),
                    o.kind,
                )
            })
        };
        if let Some((name, kind)) = &chosen {
            // The request hook's span is the current one here.
            let span = Span::current();
            span.record("graphql.operation.name", name.as_str());
            span.record("graphql.operation.type", *kind);
            // Started already (entered before parsing): rename it directly.
            span.context().span().update_name(format!("{kind} {name}"));
        }
        *self.chosen.lock().unwrap_or_else(|p| p.into_inner()) = chosen;
        next.run(ctx, operation_name).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutation_fields_name_their_command_type() {
        assert_eq!(command_type("adoptStrategy"), "AdoptStrategy");
        assert_eq!(command_type("inviteCoApplicant"), "InviteCoApplicant");
        assert_eq!(command_type(""), "");
    }

    #[test]
    fn operations_are_read_from_the_document() {
        let doc = async_graphql::parser::parse_query(
            "mutation Adopt { a: adoptStrategy(input: {}) { position } } query Q { municipalities { totalCount } }",
        )
        .unwrap();
        let ops = operations_of(&doc);
        let adopt = ops.iter().find(|o| o.name.as_deref() == Some("Adopt")).unwrap();
        assert_eq!(adopt.kind, "mutation");
        assert_eq!(adopt.root_fields, vec![("a".to_owned(), "adoptStrategy".to_owned())]);
        let q = ops.iter().find(|o| o.name.as_deref() == Some("Q")).unwrap();
        assert_eq!(q.kind, "query");
        assert_eq!(bounded(&"x".repeat(100)).len(), 64);
    }
}
