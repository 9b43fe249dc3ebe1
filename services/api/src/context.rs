//! What resolvers need from the request context: the state, the caller, the
//! request's trace context, and read access to the models (optionally after
//! waiting for a position: read-your-writes).

use async_graphql::Context;
use chrono::{DateTime, Utc};
use samverkan_app::projections::{AsOf, Visible};
use samverkan_app::ReadModels;
use uuid::Uuid;

use crate::auth::Principal;
use crate::error::{ApiError, ErrorCode};
use crate::scalars::Position;
use crate::visibility::Viewer;
use crate::ApiState;

/// Per-request facts from the HTTP layer, recorded in event metadata.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// The W3C trace id of the request (from a `traceparent` header).
    pub trace_id: Option<String>,
    /// The conversation id (from an `X-Correlation-Id` header holding a UUID).
    pub correlation_id: Option<Uuid>,
}

impl RequestMeta {
    /// Read `traceparent` (`00-<32 hex trace id>-<16 hex span id>-<flags>`)
    /// and `x-correlation-id` from request headers.
    pub fn from_headers(headers: &axum::http::HeaderMap) -> Self {
        let trace_id = headers.get("traceparent").and_then(|v| v.to_str().ok()).and_then(|tp| {
            let mut parts = tp.trim().split('-');
            let (_version, trace) = (parts.next()?, parts.next()?);
            let valid =
                trace.len() == 32 && trace.bytes().all(|b| b.is_ascii_hexdigit()) && trace.bytes().any(|b| b != b'0');
            valid.then(|| trace.to_ascii_lowercase())
        });
        let correlation_id = headers
            .get("x-correlation-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|s| Uuid::parse_str(s.trim()).ok());
        Self {
            trace_id,
            correlation_id,
        }
    }
}

pub(crate) fn state<'a>(ctx: &Context<'a>) -> Result<&'a ApiState, ApiError> {
    ctx.data::<ApiState>()
        .map_err(|_| ApiError::internal("internal error: the API state is missing"))
}

/// The authenticated caller; `UNAUTHENTICATED` if the request has none.
pub(crate) fn principal<'a>(ctx: &Context<'a>) -> Result<&'a Principal, ApiError> {
    ctx.data::<Principal>()
        .map_err(|_| ApiError::unauthenticated("authentication required"))
}

pub(crate) fn meta<'a>(ctx: &Context<'a>) -> Option<&'a RequestMeta> {
    ctx.data_opt::<RequestMeta>()
}

/// "As of" for a query: a past instant, or `now` (the server's clock).
pub(crate) fn as_of(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> AsOf {
    match at {
        Some(t) => AsOf::past(t),
        None => AsOf::now(now),
    }
}

/// What time it is, by the clock in the [`ApiState`] (never read directly in resolvers).
pub(crate) fn now(ctx: &Context<'_>) -> Result<DateTime<Utc>, ApiError> {
    Ok((state(ctx)?.clock)())
}

/// Run `f` on the read models, after waiting (up to the configured time,
/// 2 s by default) until they include `at_least`. If they do not get there
/// in time the answer is a `NOT_READY` error (never a stale answer).
pub(crate) async fn read<R>(
    ctx: &Context<'_>,
    at_least: Option<Position>,
    f: impl FnOnce(&ReadModels) -> R,
) -> Result<R, ApiError> {
    principal(ctx)?;
    let state = state(ctx)?;
    if let Some(Position(p)) = at_least {
        if !state.projections.wait_for(p, state.limits.read_wait).await {
            let current = state.projections.position();
            let mut err = ApiError::new(
                ErrorCode::NotReady,
                format!(
                    "the read models have not reached position {p} yet (at {}); retry",
                    current.map_or("the start".to_string(), |c| c.to_string())
                ),
            );
            if let Some(c) = current {
                err = err.with("position", c);
            }
            return Err(err);
        }
    }
    let models = state.projections.read();
    Ok(f(&models))
}

/// [`read`] on the read models as the caller sees them: every report and
/// list of applications leaves out the drafts the caller may not read
/// (`crate::visibility`).
pub(crate) async fn read_seen<R>(
    ctx: &Context<'_>,
    at_least: Option<Position>,
    f: impl FnOnce(Visible<'_>) -> R,
) -> Result<R, ApiError> {
    let viewer = Viewer::new(principal(ctx)?);
    read(ctx, at_least, |m| f(m.seen_by(&viewer))).await
}
