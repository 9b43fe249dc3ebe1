//! The event catalogue, generated from the code: a JSON Schema per event type
//! (`schema/events/<Type>.json`) and the Markdown catalogue (`docs/events.md`).
//! Tests fail when the checked-in files differ from what this module generates.

use serde_json::Value;

use crate::{AnyEvent, EventSpec};

/// `(file name, pretty JSON)` for every event type.
pub fn json_schemas() -> Vec<(String, String)> {
    AnyEvent::catalogue()
        .into_iter()
        .map(|spec| {
            let mut schema = spec.schema.to_value();
            if let Some(obj) = schema.as_object_mut() {
                obj.insert("x-event-type".into(), Value::from(spec.name));
                obj.insert("x-schema-version".into(), Value::from(spec.version));
                obj.insert("x-aggregate".into(), Value::from(spec.aggregate));
            }
            let text = serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n";
            (format!("{}.json", spec.name), text)
        })
        .collect()
}

fn description(v: &Value) -> String {
    v.get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .replace('\n', " ")
}

fn type_of(v: &Value) -> String {
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("`{name}`");
    }
    if let Some(any) = v.get("anyOf").and_then(Value::as_array) {
        let parts: Vec<String> = any
            .iter()
            .filter(|x| x.get("type") != Some(&Value::from("null")))
            .map(type_of)
            .collect();
        return format!("{} (optional)", parts.join(" | "));
    }
    match v.get("type") {
        Some(Value::String(t)) if t == "array" => {
            format!("list of {}", v.get("items").map(type_of).unwrap_or_default())
        }
        Some(Value::String(t)) => {
            let fmt = v
                .get("format")
                .and_then(Value::as_str)
                .map(|f| format!(" ({f})"))
                .unwrap_or_default();
            format!("{t}{fmt}")
        }
        Some(Value::Array(ts)) => {
            let ts: Vec<&str> = ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect();
            let fmt = v
                .get("format")
                .and_then(Value::as_str)
                .map(|f| format!(" ({f})"))
                .unwrap_or_default();
            format!("{}{fmt} (optional)", ts.join(" | "))
        }
        _ => "value".into(),
    }
}

fn render_event(out: &mut String, spec: &EventSpec) {
    let schema = spec.schema.clone().to_value();
    out.push_str(&format!(
        "### `{}` (v{})\n\n{}\n\n",
        spec.name,
        spec.version,
        description(&schema)
    ));
    out.push_str("| field | type | meaning |\n|---|---|---|\n");
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            out.push_str(&format!("| `{}` | {} | {} |\n", name, type_of(prop), description(prop)));
        }
    }
    out.push('\n');
}

/// The Markdown event catalogue.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Event catalogue\n\n\
         Generated from the code by `samverkan_domain::catalogue::markdown()`; the test\n\
         `catalogue_is_up_to_date` fails when this file differs (regenerate with\n\
         `UPDATE_CATALOGUE=1 cargo test -p samverkan-domain --test catalogue`).\n\n\
         Every event is stored as readable JSON (the fields below) in the stream of its\n\
         aggregate (`<aggregate>-<id>`), with an envelope holding its type name, schema\n\
         version, stream version, global position, recorded time and metadata (actor,\n\
         actor role, correlation id, causation id = the command id, trace id, command\n\
         fingerprint). The JSON\n\
         Schema of each event is in `schema/events/<Type>.json`. Older schema versions\n\
         are upcast on read (see `MunicipalityRegistered` v1 → v2); events newer than the\n\
         running build are refused by the aggregates and skipped by projections.\n\n\
         Shared value types: `MunicipalityCode` (`SE-1487`), `ConsortiumCode` (`V6`),\n\
         `Money` (`{\"amount_minor\": 150000, \"currency\": \"SEK\"}`, integer minor units,\n\
         never negative), `Period` (`{\"start\": \"2024-02-12\", \"end\": \"2028-12-31\"}`,\n\
         `end: null` = until further notice), `Decision` (body, date, paragraph, case\n\
         number), dates as `YYYY-MM-DD`, instants as RFC 3339 UTC.\n",
    );
    let all = AnyEvent::catalogue();
    for aggregate in [
        "municipality",
        "consortium",
        "strategy",
        "project",
        "application",
        "programme",
        "calendar",
    ] {
        out.push_str(&format!("\n## Aggregate `{aggregate}` (stream `{aggregate}-<id>`)\n\n"));
        for spec in all.iter().filter(|s| s.aggregate == aggregate) {
            render_event(&mut out, spec);
        }
    }
    out
}
