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
