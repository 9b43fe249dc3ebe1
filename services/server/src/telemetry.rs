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
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::filter::{filter_fn, EnvFilter, LevelFilter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, Registry};

mod logs;
mod otlp;

use logs::{carries_payloads, log_layer, TraceIdLayer};
use otlp::{meter_provider, resource, tracer_provider};

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
                samverkan_api::telemetry::record_metrics();
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
    let installed = tracing_subscriber::registry()
        .with(layers)
        .with(filter_fn(|m| !carries_payloads(m)))
        .try_init()
        .is_ok();
    if installed {
        samverkan_api::telemetry::operation_spans_wanted(tracer_provider.is_some() || logs_want_operation_spans());
    }
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

/// Whether `RUST_LOG` (default `info`) lets the log layer take the GraphQL
/// operation's `INFO` span (then log lines written inside an operation name
/// it). A filter with span or field directives counts as yes.
fn logs_want_operation_spans() -> bool {
    logs_want(std::env::var("RUST_LOG").ok().as_deref())
}

fn logs_want(rust_log: Option<&str>) -> bool {
    match rust_log.map(str::trim).filter(|f| !f.is_empty()) {
        None => true,
        Some(filter) if filter.contains(['[', '{']) => true,
        Some(filter) => filter.parse::<tracing_subscriber::filter::Targets>().map_or(true, |t| {
            t.would_enable(samverkan_api::telemetry::OPERATION_TARGET, &tracing::Level::INFO)
        }),
    }
}

#[cfg(test)]
mod tests;
