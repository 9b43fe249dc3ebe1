//! A municipality's register of decisions (postlista-style diarium), as a
//! GraphQL query and as downloadable CSV and JSON (`GET /register/{code}.csv`,
//! `GET /register/{code}.json`). Both ask the same read-model query
//! ([`Visible::register`](samverkan_app::projections::Visible)) as the caller
//! sees it: drafts the caller may not read are left out.

use async_graphql::{ComplexObject, Context, Object, Result, SimpleObject};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use samverkan_app::projections::queries::register::{DecidedBy, RegisterEntry as Line};
use serde::Serialize;
use uuid::Uuid;

use crate::context::state;
use crate::error::ApiError;
use crate::query::At;
use crate::scalars::{Date, DateTime, MunicipalityCode, Position};
use crate::types::DecisionBody;

/// One decision in a municipality's register (diarium, postlista): its date,
/// case number (diarienummer) and paragraph, who decided, and the event that
/// records it.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct RegisterEntry {
    /// The decision's own date (business time).
    pub date: Date,
    /// Case number (diarienummer) of the municipality, or the funder's
    /// decision reference (Jems id, saksnummer); null when none was recorded.
    pub case_number: Option<String>,
    /// Paragraph in the minutes (`§ 12`), when recorded.
    pub paragraph: Option<String>,
    /// The municipality's deciding body (kommunfullmäktige, kommunstyrelsen,
    /// …); null for a funder's decision.
    pub body: Option<DecisionBody>,
    /// Who decided: the municipality's code, or the funder's name.
    pub decided_by: String,
    /// The event recording the decision, e.g. `StrategyAdopted`,
    /// `CoFinancingCommitted`, `FunderDecisionRecorded`.
    pub kind: String,
    /// A short human line.
    pub description: String,
    /// The recording event's global log position.
    pub position: Position,
    /// When the event was recorded (UTC).
    pub recorded_at: DateTime,
    /// The joint application the decision belongs to, if any.
    pub application: Option<Uuid>,
}

#[ComplexObject]
impl RegisterEntry {
    /// The recording event's id: give it to `eventProof` to verify this
    /// decision against a signed checkpoint.
    async fn event_id(&self, ctx: &Context<'_>) -> Result<Uuid> {
        Ok(event_id(ctx, self.position.0).await?)
    }
}

async fn event_id(ctx: &Context<'_>, position: u64) -> Result<Uuid, ApiError> {
    let store = &state(ctx)?.store;
    let events = store
        .read_all(Some(position.saturating_sub(1)), 1)
        .await
        .map_err(|e| ApiError::internal(format!("the event store failed: {e}")))?;
    match events.first() {
        Some(e) if e.position == position => Ok(e.id),
        _ => Err(ApiError::not_found(format!("no event at position {position}"))),
    }
}

/// The flat row of the CSV and JSON downloads.
#[derive(Serialize)]
struct Row<'a> {
    date: NaiveDate,
    case_number: Option<&'a str>,
    paragraph: Option<&'a str>,
    body: Option<&'static str>,
    decided_by: String,
    kind: &'a str,
    description: &'a str,
    position: u64,
    recorded_at: String,
    application: Option<String>,
}

fn body_name(body: samverkan_domain::DecisionBody) -> &'static str {
    use samverkan_domain::DecisionBody as B;
    match body {
        B::Council => "council",
        B::ExecutiveBoard => "executive_board",
        B::Committee => "committee",
        B::Official => "official",
        B::Board => "board",
    }
}

fn decided_by(d: &DecidedBy) -> (Option<samverkan_domain::DecisionBody>, String) {
    match d {
        DecidedBy::Municipality { code, body } => (Some(*body), code.to_string()),
        DecidedBy::Funder { name } => (None, name.clone()),
    }
}

impl From<&Line> for RegisterEntry {
    fn from(l: &Line) -> Self {
        let (body, by) = decided_by(&l.decided_by);
        RegisterEntry {
            date: l.date.into(),
            case_number: l.case_number.clone(),
            paragraph: l.paragraph.clone(),
            body: body.map(Into::into),
            decided_by: by,
            kind: l.kind.to_string(),
            description: l.description.clone(),
            position: Position(l.position),
            recorded_at: l.recorded_at.into(),
            application: l.application.map(|a| a.0),
        }
    }
}

fn row(l: &Line) -> Row<'_> {
    let (body, by) = decided_by(&l.decided_by);
    Row {
        date: l.date,
        case_number: l.case_number.as_deref(),
        paragraph: l.paragraph.as_deref(),
        body: body.map(body_name),
        decided_by: by,
        kind: l.kind,
        description: &l.description,
        position: l.position,
        recorded_at: l.recorded_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        application: l.application.map(|a| a.0.to_string()),
    }
}

#[derive(Default)]
pub struct RegisterQuery;

#[Object]
impl RegisterQuery {
    /// The register of decisions (diarium, postlista) of a municipality:
    /// every formal decision Samverkan holds that it took (strategies adopted,
    /// revised or repealed; twin-town agreements; co-financing committed,
    /// medfinansieringsintyg) or received (the funders' decisions on joint
    /// applications it is a party to), oldest first. `from`/`to` filter on
    /// the decision's own date (business time); `asOf` on recording time.
    /// The same lines download as CSV or JSON from `GET /register/{code}.csv`
    /// and `.json`. Drafts the caller may not read are left out.
    async fn register(
        &self,
        ctx: &Context<'_>,
        municipality: MunicipalityCode,
        #[graphql(desc = "Business time: decisions dated on or after this day.")] from: Option<Date>,
        #[graphql(desc = "Business time: decisions dated on or before this day.")] to: Option<Date>,
        #[graphql(desc = "Recording time: only what had been recorded by this instant.")] as_of: Option<DateTime>,
        at_least_position: Option<Position>,
    ) -> Result<Vec<RegisterEntry>> {
        let at = At::new(ctx, None, as_of, at_least_position)?;
        let code = municipality.0;
        let lines = at
            .read_seen(ctx, |seen| {
                seen.models()
                    .municipality(&code, at.as_of)
                    .map(|_| seen.register(&code, from.map(|d| d.0), to.map(|d| d.0), at.as_of))
            })
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no municipality {code}")))?;
        Ok(lines.iter().map(RegisterEntry::from).collect())
    }
}

/// What `GET /register/{file}` is asked for.
pub(crate) enum Format {
    Csv,
    Json,
}

/// Parses `SE-1784.csv` / `SE-1784.json`.
pub(crate) fn parse_file(file: &str) -> Result<(samverkan_domain::MunicipalityCode, Format), ApiError> {
    let (code, format) = match file.rsplit_once('.') {
        Some((c, "csv")) => (c, Format::Csv),
        Some((c, "json")) => (c, Format::Json),
        _ => {
            return Err(ApiError::validation(
                "register_format",
                "ask for `/register/{code}.csv` or `/register/{code}.json`",
            ))
        }
    };
    let code = samverkan_domain::MunicipalityCode::parse(code)
        .map_err(|e| ApiError::validation("municipality_code", e.to_string()))?;
    Ok((code, format))
}

/// Parses an optional `YYYY-MM-DD` query parameter.
pub(crate) fn parse_day(name: &'static str, value: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    value
        .map(|v| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                ApiError::validation(
                    "invalid_date",
                    format!("`{name}` must be a calendar date YYYY-MM-DD, not `{v}`"),
                )
            })
        })
        .transpose()
}

/// The download's body: CSV (RFC 4180, a header line, UTF-8) or a JSON array.
pub(crate) fn download(
    code: &samverkan_domain::MunicipalityCode,
    format: Format,
    lines: &[Line],
) -> Result<Response, ApiError> {
    let rows: Vec<Row<'_>> = lines.iter().map(row).collect();
    let (body, media) = match format {
        Format::Json => (
            serde_json::to_vec(&rows).map_err(|e| ApiError::internal(e.to_string()))?,
            "application/json",
        ),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            if rows.is_empty() {
                w.write_record(COLUMNS).map_err(|e| ApiError::internal(e.to_string()))?;
            }
            for r in &rows {
                w.serialize(r).map_err(|e| ApiError::internal(e.to_string()))?;
            }
            (
                w.into_inner().map_err(|e| ApiError::internal(e.to_string()))?,
                "text/csv; charset=utf-8; header=present",
            )
        }
    };
    let ext = match media {
        "application/json" => "json",
        _ => "csv",
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"register-{code}.{ext}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// The CSV columns, in order (the fields of [`Row`]).
const COLUMNS: [&str; 10] = [
    "date",
    "case_number",
    "paragraph",
    "body",
    "decided_by",
    "kind",
    "description",
    "position",
    "recorded_at",
    "application",
];
