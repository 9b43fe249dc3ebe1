//! Logs, traces and metrics (see `docs/operations.md`).
//!
//! - **Logs**: `tracing` lines on stderr, filtered by `RUST_LOG` (default
//!   `info`), human-readable by default or one JSON object per line
//!   (`--log-format json` / `SAMVERKAN_LOG_FORMAT=json`). A line written
//!   while a request is handled carries the request's trace id (in the
//!   request span's fields; in JSON also as a top-level `trace_id`).
//! - **Traces and metrics**: exported with OTLP over HTTP/protobuf when the
//!   standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or the per-signal
//!   `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `…_METRICS_ENDPOINT`) is set. The
//!   other standard variables apply (`OTEL_SERVICE_NAME`,
//!   `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_HEADERS`,
//!   `OTEL_EXPORTER_OTLP_TIMEOUT`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`,
//!   `OTEL_METRIC_EXPORT_INTERVAL`, `OTEL_SDK_DISABLED`,
//!   `OTEL_TRACES_EXPORTER=none`, `OTEL_METRICS_EXPORTER=none`).
//!   Which spans are exported: `SAMVERKAN_TRACES_FILTER` (`RUST_LOG`
//!   syntax, default `info`).
//!
//! With no endpoint set nothing is installed: no OpenTelemetry layer, no
//! meter provider (the instruments in the other crates are no-ops), no
//! exporter thread, no connection.
//!
//! The W3C trace-context propagator is installed either way, so the trace
//! id of a caller's `traceparent` still reaches logs and event metadata.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry::KeyValue;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{BatchSpanProcessor, SdkTracerProvider};
use opentelemetry_sdk::Resource;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::filter::{filter_fn, EnvFilter, LevelFilter};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, Registry};

/// How log lines look.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Human,
    /// One JSON object per line.
    Json,
}

impl LogFormat {
    /// `SAMVERKAN_LOG_FORMAT` (`human` or `json`); human when unset or unknown.
    pub fn from_env() -> Self {
        match std::env::var("SAMVERKAN_LOG_FORMAT") {
            Ok(v) if v.trim().eq_ignore_ascii_case("json") => LogFormat::Json,
            _ => LogFormat::Human,
        }
    }
}

/// What the OpenTelemetry environment variables ask for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OtlpSettings {
    pub traces: bool,
    pub metrics: bool,
}

impl OtlpSettings {
    /// Read the standard variables through `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let set = |name: &str| var(name).is_some_and(|v| !v.trim().is_empty());
        let is = |name: &str, value: &str| var(name).is_some_and(|v| v.trim().eq_ignore_ascii_case(value));
        if is("OTEL_SDK_DISABLED", "true") {
            return Self::default();
        }
        let common = set("OTEL_EXPORTER_OTLP_ENDPOINT");
        Self {
            traces: (common || set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) && !is("OTEL_TRACES_EXPORTER", "none"),
            metrics: (common || set("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")) && !is("OTEL_METRICS_EXPORTER", "none"),
        }
    }

    /// From the process environment.
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }
}

/// The installed providers. Call [`Telemetry::shutdown`] before the process
/// exits: it exports what is still buffered.
#[derive(Default)]
pub struct Telemetry {
    tracer_provider: Option<SdkTracerProvider>,
    meter_provider: Option<SdkMeterProvider>,
}

impl fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Telemetry")
            .field("traces", &self.tracer_provider.is_some())
            .field("metrics", &self.meter_provider.is_some())
            .finish()
    }
}

impl Telemetry {
    /// Whether spans are exported.
    pub fn traces_enabled(&self) -> bool {
        self.tracer_provider.is_some()
    }

    /// Whether metrics are exported.
    pub fn metrics_enabled(&self) -> bool {
        self.meter_provider.is_some()
    }

    /// Flush and stop the exporters (blocking, bounded by the exporters'
    /// timeouts). Call it from a blocking context (`spawn_blocking`) while
    /// the Tokio runtime is still running: the exports use it.
    pub fn shutdown(self) {
        if let Some(p) = self.tracer_provider {
            if let Err(e) = p.shutdown_with_timeout(Duration::from_secs(5)) {
                eprintln!("warning: exporting the last spans failed: {e}");
            }
        }
        if let Some(p) = self.meter_provider {
            if let Err(e) = p.shutdown_with_timeout(Duration::from_secs(5)) {
                eprintln!("warning: exporting the last metrics failed: {e}");
            }
        }
    }

    /// [`Telemetry::shutdown`] from async code.
    pub async fn shutdown_async(self) {
        if self.tracer_provider.is_none() && self.meter_provider.is_none() {
            return;
        }
        let _ = tokio::task::spawn_blocking(move || self.shutdown()).await;
    }
}

/// Whether this process exports metrics (set by [`init`]): the server then
/// samples the projection lag.
static METRICS_EXPORTED: AtomicBool = AtomicBool::new(false);

/// See [`METRICS_EXPORTED`].
pub fn metrics_exported() -> bool {
    METRICS_EXPORTED.load(Ordering::Relaxed)
}

/// [`init`] for a command line: `serve` and `seed` export (when configured);
/// `serve --log-format` chooses the log format, else `SAMVERKAN_LOG_FORMAT`.
pub fn init_for(command: &crate::cli::Command) -> Telemetry {
    match command {
        crate::cli::Command::Serve(args) => init(args.log_format, true),
        crate::cli::Command::Seed(_) => init(LogFormat::from_env(), true),
        _ => init(LogFormat::from_env(), false),
    }
}

/// Install the global subscriber (logs, and the OpenTelemetry layer when
/// traces are exported), the global meter provider (when metrics are
/// exported) and the W3C trace-context propagator. `export: false` never
/// exports (commands that do not serve). Later calls install nothing.
pub fn init(format: LogFormat, export: bool) -> Telemetry {
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let settings = if export {
        OtlpSettings::from_env()
    } else {
        OtlpSettings::default()
    };
    let mut problems = Vec::new();
    let runtime = tokio::runtime::Handle::try_current().ok();
    if runtime.is_none() && (settings.traces || settings.metrics) {
        problems.push("no Tokio runtime to export on; telemetry export is off".to_string());
    }
    let resource = resource();

    let tracer_provider = match (&runtime, settings.traces) {
        (Some(rt), true) => match tracer_provider(rt, resource.clone()) {
            Ok(p) => Some(p),
            Err(e) => {
                problems.push(format!("cannot export traces: {e}"));
                None
            }
        },
        _ => None,
    };
    let meter_provider = match (&runtime, settings.metrics) {
        (Some(rt), true) => match meter_provider(rt, resource) {
            Ok(p) => {
                opentelemetry::global::set_meter_provider(p.clone());
                Some(p)
            }
            Err(e) => {
                problems.push(format!("cannot export metrics: {e}"));
                None
            }
        },
        _ => None,
    };

    let mut layers: Vec<Box<dyn Layer<Registry> + Send + Sync>> = vec![
        // Remembers each request's trace id for the log lines (only looks at
        // spans that have a `trace_id` field: the HTTP request span).
        TraceIdLayer
            .with_filter(
                filter_fn(|m| m.is_span() && m.fields().field("trace_id").is_some())
                    .with_max_level_hint(LevelFilter::INFO),
            )
            .boxed(),
        log_layer(format),
    ];
    if let Some(provider) = &tracer_provider {
        let filter = std::env::var("SAMVERKAN_TRACES_FILTER")
            .ok()
            .and_then(|f| EnvFilter::try_new(f).ok())
            .unwrap_or_else(|| EnvFilter::new("info"));
        layers.push(
            tracing_opentelemetry::layer()
                .with_tracer(provider.tracer("samverkan"))
                .with_tracked_inactivity(false)
                .with_filter(filter)
                .boxed(),
        );
    }
    // A subscriber installed already (tests) stays.
    let _ = tracing_subscriber::registry()
        .with(layers)
        .with(filter_fn(|m| !carries_payloads(m)))
        .try_init();
    for p in problems {
        tracing::error!("{p}");
    }
    METRICS_EXPORTED.store(meter_provider.is_some(), Ordering::Relaxed);
    if tracer_provider.is_some() || meter_provider.is_some() {
        tracing::info!(
            traces = tracer_provider.is_some(),
            metrics = meter_provider.is_some(),
            "exporting telemetry with OTLP/HTTP"
        );
    }
    Telemetry {
        tracer_provider,
        meter_provider,
    }
}

/// Events that print websocket frames and messages as they travel: a
/// `connection_init` frame holds the bearer token. They are dropped before
/// any layer sees them, whatever `RUST_LOG` says (the libraries log through
/// the `log` crate, bridged into tracing, at `trace` and `debug`).
fn carries_payloads(m: &tracing::Metadata<'_>) -> bool {
    let target = m.target();
    let library = ["tungstenite", "tokio_tungstenite"]
        .iter()
        .any(|t| target == *t || target.strip_prefix(t).is_some_and(|rest| rest.starts_with("::")));
    library && *m.level() >= tracing::Level::DEBUG
}

/// The log layer: `RUST_LOG` (default `info`); the HTTP request span is
/// always on so that every line of a request shows its trace id.
fn log_layer(format: LogFormat) -> Box<dyn Layer<Registry> + Send + Sync> {
    let mut filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let level = filter
        .max_level_hint()
        .unwrap_or(LevelFilter::TRACE)
        .max(LevelFilter::INFO);
    if let Ok(d) = format!("samverkan_api::telemetry={level}").parse() {
        filter = filter.add_directive(d);
    }
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    match format {
        LogFormat::Human => tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(ansi)
            .fmt_fields(HumanFields)
            .with_filter(filter)
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_writer(std::io::stderr)
            .event_format(JsonWithTraceId(
                tracing_subscriber::fmt::format()
                    .json()
                    .with_current_span(false)
                    .with_span_list(true),
            ))
            .with_filter(filter)
            .boxed(),
    }
}

/// `service.name` (default `samverkan`, or `OTEL_SERVICE_NAME`, or
/// `service.name` in `OTEL_RESOURCE_ATTRIBUTES`) and `service.version`.
fn resource() -> Resource {
    let named = std::env::var("OTEL_SERVICE_NAME").is_ok_and(|v| !v.trim().is_empty())
        || std::env::var("OTEL_RESOURCE_ATTRIBUTES").is_ok_and(|v| v.contains("service.name="));
    let mut builder = Resource::builder().with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")));
    if !named {
        builder = builder.with_service_name("samverkan");
    }
    builder.build()
}

fn tracer_provider(
    runtime: &tokio::runtime::Handle,
    resource: Resource,
) -> Result<SdkTracerProvider, opentelemetry_otlp::ExporterBuildError> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_http_client(RuntimeHttpClient::new(runtime.clone()))
        .build()?;
    Ok(SdkTracerProvider::builder()
        .with_span_processor(BatchSpanProcessor::builder(exporter).build())
        .with_resource(resource)
        .build())
}

fn meter_provider(
    runtime: &tokio::runtime::Handle,
    resource: Resource,
) -> Result<SdkMeterProvider, opentelemetry_otlp::ExporterBuildError> {
    let exporter = opentelemetry_otlp::MetricExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_http_client(RuntimeHttpClient::new(runtime.clone()))
        .build()?;
    Ok(SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter).build())
        .with_resource(resource)
        .build())
}

/// The exporters' HTTP client. The SDK exports from its own threads (with
/// a plain `block_on`); the hyper client needs Tokio, so each request runs
/// as a task on the server's runtime and the exporter thread waits for it.
#[derive(Debug, Clone)]
struct RuntimeHttpClient {
    runtime: tokio::runtime::Handle,
    client: opentelemetry_http::hyper::HyperClient,
}

impl RuntimeHttpClient {
    fn new(runtime: tokio::runtime::Handle) -> Self {
        let timeout = std::env::var("OTEL_EXPORTER_OTLP_TIMEOUT")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .map_or(Duration::from_secs(10), Duration::from_millis);
        Self {
            runtime,
            client: opentelemetry_http::hyper::HyperClient::with_default_connector(timeout, None),
        }
    }
}

#[async_trait::async_trait]
impl HttpClient for RuntimeHttpClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let client = self.client.clone();
        self.runtime
            .spawn(async move { client.send_bytes(request).await })
            .await
            .map_err(|e| Box::new(e) as HttpError)?
    }
}

/// A request's trace id, kept in its span's extensions for the log lines.
struct TraceId(String);

/// Captures the `trace_id` field of spans into [`TraceId`].
struct TraceIdLayer;

struct TraceIdVisitor(Option<String>);

impl Visit for TraceIdVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "trace_id" {
            self.0 = Some(value.to_owned());
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "trace_id" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl<S> Layer<S> for TraceIdLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut visitor = TraceIdVisitor(None);
        attrs.record(&mut visitor);
        if let (Some(trace_id), Some(span)) = (visitor.0, ctx.span(id)) {
            span.extensions_mut().replace(TraceId(trace_id));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let mut visitor = TraceIdVisitor(None);
        values.record(&mut visitor);
        if let (Some(trace_id), Some(span)) = (visitor.0, ctx.span(id)) {
            span.extensions_mut().replace(TraceId(trace_id));
        }
    }
}

/// JSON lines with the request's trace id as a top-level `trace_id`.
struct JsonWithTraceId<F>(F);

impl<S, N, F> FormatEvent<S, N> for JsonWithTraceId<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let trace_id = ctx.event_scope().and_then(|scope| {
            scope
                .from_root()
                .find_map(|s| s.extensions().get::<TraceId>().map(|t| t.0.clone()))
        });
        let Some(trace_id) = trace_id else {
            return self.0.format_event(ctx, writer, event);
        };
        let mut line = String::new();
        self.0.format_event(ctx, Writer::new(&mut line), event)?;
        match line.strip_prefix('{') {
            // The id is 32 hex digits: nothing to escape.
            Some(rest) => write!(writer, "{{\"trace_id\":\"{trace_id}\",{rest}"),
            None => writer.write_str(&line),
        }
    }
}

/// Human field formatting without the `otel.*` fields (span naming hints
/// for the exporter, noise in a log line).
struct HumanFields;

struct HumanVisitor<'w> {
    writer: Writer<'w>,
    first: bool,
    result: fmt::Result,
}

impl HumanVisitor<'_> {
    fn write(&mut self, field: &Field, value: fmt::Arguments<'_>) {
        let name = field.name();
        if self.result.is_err() || name.starts_with("otel.") || name.starts_with("log.") {
            return;
        }
        let separator = if self.first { "" } else { " " };
        self.first = false;
        self.result = if name == "message" {
            write!(self.writer, "{separator}{value}")
        } else {
            write!(
                self.writer,
                "{separator}{}={value}",
                name.strip_prefix("r#").unwrap_or(name)
            )
        };
    }
}

impl Visit for HumanVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.write(field, format_args!("{value}"));
        } else {
            self.write(field, format_args!("{value:?}"));
        }
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.write(field, format_args!("{value}"));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.write(field, format_args!("{value:?}"));
    }
}

impl<'w> FormatFields<'w> for HumanFields {
    fn format_fields<R: tracing_subscriber::field::RecordFields>(&self, writer: Writer<'w>, fields: R) -> fmt::Result {
        let mut visitor = HumanVisitor {
            writer,
            first: true,
            result: Ok(()),
        };
        fields.record(&mut visitor);
        visitor.result
    }

    /// Fields recorded later are appended; skipped ones leave no stray space.
    fn add_fields(
        &self,
        current: &'w mut tracing_subscriber::fmt::FormattedFields<Self>,
        fields: &Record<'_>,
    ) -> fmt::Result {
        let mut extra = String::new();
        FormatFields::format_fields(self, Writer::new(&mut extra), fields)?;
        if !extra.is_empty() {
            if !current.fields.is_empty() {
                current.fields.push(' ');
            }
            current.fields.push_str(&extra);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
