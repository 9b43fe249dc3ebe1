use std::collections::HashMap;

use super::*;

fn settings(vars: &[(&str, &str)]) -> OtlpSettings {
    let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    OtlpSettings::from_vars(|k| vars.get(k).cloned())
}

#[test]
fn nothing_is_exported_without_an_endpoint() {
    assert_eq!(settings(&[]), OtlpSettings::default());
    assert_eq!(
        settings(&[("OTEL_SERVICE_NAME", "x"), ("OTEL_EXPORTER_OTLP_ENDPOINT", " ")]),
        OtlpSettings::default()
    );
}

#[test]
fn the_standard_variables_choose_the_signals() {
    let both = OtlpSettings {
        traces: true,
        metrics: true,
    };
    assert_eq!(settings(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")]), both);
    assert_eq!(
        settings(&[("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/v1/traces")]),
        OtlpSettings {
            traces: true,
            metrics: false
        }
    );
    assert_eq!(
        settings(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
            ("OTEL_METRICS_EXPORTER", "none")
        ]),
        OtlpSettings {
            traces: true,
            metrics: false
        }
    );
    assert_eq!(
        settings(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
            ("OTEL_SDK_DISABLED", "true")
        ]),
        OtlpSettings::default()
    );
}

#[test]
fn log_format_from_the_environment_value() {
    assert_eq!(LogFormat::default(), LogFormat::Human);
}

#[test]
fn the_log_filter_decides_whether_graphql_operations_are_observed() {
    // Default `info`, and filters that let the operation's span through.
    for wanted in [
        None,
        Some(""),
        Some("info"),
        Some("debug"),
        Some("warn,samverkan_api=info"),
        Some("warn,samverkan_api::graphql=info"),
    ] {
        assert!(logs_want(wanted), "{wanted:?}");
    }
    // Filters that leave it off, and a span directive (counted as yes).
    for off in [
        "warn",
        "error",
        "info,samverkan_api=warn",
        "warn,samverkan_app=info,samverkan_api::telemetry=info",
    ] {
        assert!(!logs_want(Some(off)), "{off}");
    }
    assert!(logs_want(Some("warn,[http.request]=info")));
}
