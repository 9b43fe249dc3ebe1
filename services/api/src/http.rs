//! The axum router: GraphQL over HTTP and websockets, GraphiQL, health checks.
//!
//! | route              | what                                                    |
//! |--------------------|---------------------------------------------------------|
//! | `POST /graphql`    | queries and mutations (`application/json`)              |
//! | `GET /graphql`     | GraphiQL; with `?query=`, a query; a websocket upgrade  |
//! |                    | here is a subscription                                  |
//! | `GET /graphql/assets/…` | GraphiQL's embedded scripts and styles (`graphiql.rs`) |
//! | `GET /graphql/ws`  | subscriptions (`graphql-transport-ws`, `graphql-ws`)     |
//! | `GET /healthz`     | the process is alive                                    |
//! | `GET /readyz`      | the store answers and the read models are caught up     |
//! | `GET /register/{code}.csv`, `.json` | a municipality's register of decisions (bearer token) |
//! | `GET /.well-known/samverkan/checkpoint-key` | the checkpoints' Ed25519 public key (open) |
//! | `GET /open-data/{file}` | DCAT-AP-SE catalogue and distributions (open; 404 unless published; `open_data.rs`) |
//!
//! GraphQL over HTTP (media types, status codes, parameters): see `over_http`.

use std::time::Duration;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use axum::extract::rejection::QueryRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::auth::{AuthError, Principal};
use crate::context::RequestMeta;
use crate::error::ErrorCode;
use crate::{build_schema, ApiSchema, ApiState};

mod caches;
mod over_http;
pub(crate) use over_http::MarkExecution;

/// What every handler gets: one shared value, so that the clone axum makes
/// for each request is one reference count, not one per part (cloning the
/// parts was a twentieth of a cached query's time).
#[derive(Clone)]
struct AppContext(std::sync::Arc<Shared>);

impl std::ops::Deref for AppContext {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// [`AppContext`]'s parts.
struct Shared {
    state: ApiState,
    schema: ApiSchema,
    /// The same schema without extensions, for queries nobody traces
    /// (`over_http::plain_path`).
    plain_schema: ApiSchema,
    /// The plain schema with fast validation, for documents that passed the
    /// whole validation before (`over_http::execute`).
    validated_schema: ApiSchema,
    /// The full schema with fast validation, the same way.
    validated_full_schema: ApiSchema,
    /// Parsed documents and query responses (`caches.rs`).
    caches: std::sync::Arc<caches::Caches>,
}

/// The whole HTTP API, ready to serve (or to call with `oneshot` in tests).
pub fn router(state: ApiState) -> Router {
    let schema = build_schema(state.clone());
    let plain_schema = crate::build_plain_schema(state.clone());
    let validated_schema = crate::build_validated_schema(state.clone());
    let validated_full_schema = crate::build_validated_full_schema(state.clone());
    let limits = state.limits.clone();
    let ctx = AppContext(std::sync::Arc::new(Shared {
        state,
        schema,
        plain_schema,
        validated_schema,
        validated_full_schema,
        caches: std::sync::Arc::default(),
    }));
    Router::new()
        .route("/graphql", get(graphiql_or_subscription).post(graphql))
        .route("/graphql/ws", get(subscription))
        .merge(crate::graphiql::asset_routes())
        .merge(crate::web::routes(ctx.state.demo_tokens.clone()))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/register/{file}", get(register))
        .route("/.well-known/samverkan/checkpoint-key", get(checkpoint_key))
        .route("/open-data/{file}", get(open_data))
        .with_state(ctx)
        .layer(RequestBodyLimitLayer::new(limits.body_limit))
        .layer(axum::middleware::from_fn_with_state(
            limits.body_limit,
            declared_body_limit,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(axum::middleware::from_fn(crate::telemetry::http_metrics))
        .layer(crate::telemetry::trace_layer())
}

/// A GraphQL-shaped error body with a code, for a request that was not
/// executed (so without `data`).
fn error_response(status: StatusCode, code: ErrorCode, rule: Option<&str>, message: &str) -> Response {
    let mut extensions = json!({ "code": code.as_str() });
    if let Some(rule) = rule {
        extensions["rule"] = json!(rule);
    }
    (
        status,
        Json(json!({ "errors": [{ "message": message, "extensions": extensions }] })),
    )
        .into_response()
}

/// A body whose declared `Content-Length` is over the limit gets the JSON 413
/// (`RequestBodyLimitLayer` would answer it in plain text); a body without one
/// is cut by that layer while it is read.
async fn declared_body_limit(State(limit): State<usize>, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large();
    }
    next.run(request).await
}

fn too_large() -> Response {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::Validation,
        Some("payload_too_large"),
        "the request body is too large",
    )
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Authenticate with the bearer token, if any (another scheme counts as no token).
fn authenticate(state: &ApiState, headers: &HeaderMap) -> Result<Principal, AuthError> {
    state.authenticator.authenticate(bearer(headers))
}

fn unauthenticated(e: &AuthError) -> Response {
    let mut response = error_response(
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
        None,
        &e.to_string(),
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

async fn graphql(State(ctx): State<AppContext>, request: Request) -> Response {
    over_http::post(ctx, request).await
}

async fn graphiql_or_subscription(State(ctx): State<AppContext>, request: Request) -> Response {
    let upgrade = request
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if upgrade {
        subscription(State(ctx), request).await
    } else if over_http::is_graphql_get(&request) {
        over_http::get(ctx, request).await
    } else {
        crate::graphiql::page()
    }
}

async fn subscription(State(ctx): State<AppContext>, request: Request) -> Response {
    let (mut parts, _body) = request.into_parts();
    let Some(protocol) = crate::ws::protocol(&parts.headers) else {
        return error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::Validation,
            Some("websocket_protocol"),
            "use the `graphql-transport-ws` (or `graphql-ws`) websocket subprotocol",
        );
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    // The token comes in the `connection_init` payload, or else from the
    // upgrade request's header (see `ws.rs`).
    let header_token = bearer(&parts.headers).map(str::to_string);
    let meta = RequestMeta::from_headers(&parts.headers);
    let (state, schema) = (ctx.state.clone(), ctx.schema.clone());
    let max = state.limits.ws_max_message_bytes;
    upgrade
        .max_message_size(max)
        .max_frame_size(max)
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| crate::ws::serve(socket, schema, protocol, state, header_token, meta))
}

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD` of a register download.
#[derive(serde::Deserialize)]
struct RegisterParams {
    from: Option<String>,
    to: Option<String>,
}

/// `GET /register/{code}.csv` or `.json`: the municipality's register of
/// decisions as the caller sees it (`reports::register`).
async fn register(
    State(ctx): State<AppContext>,
    Path(file): Path<String>,
    params: Result<Query<RegisterParams>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    use crate::reports::register::{download, parse_day, parse_file};
    let principal = match authenticate(&ctx.state, &headers) {
        Ok(p) => p,
        Err(e) => return unauthenticated(&e),
    };
    let answer = (|| {
        let Query(params) = params.map_err(|e| {
            crate::error::ApiError::validation("invalid_query", format!("the query string is not valid: {e}"))
        })?;
        let (code, format) = parse_file(&file)?;
        let from = parse_day("from", params.from.as_deref())?;
        let to = parse_day("to", params.to.as_deref())?;
        let viewer = crate::visibility::Viewer::new(&principal);
        let models = ctx.state.projections.read();
        if models.municipality(&code, None).is_none() {
            return Err(crate::error::ApiError::not_found(format!("no municipality {code}")));
        }
        let lines = models.seen_by(&viewer).register(&code, from, to, None);
        download(&code, format, &lines)
    })();
    answer.unwrap_or_else(|e| {
        let status = match e.code {
            ErrorCode::Validation => StatusCode::BAD_REQUEST,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        error_response(status, e.code, e.rule, &e.message)
    })
}

/// `GET /open-data/{file}` (no token: see docs/security.md); 404 unless
/// the server publishes open data.
async fn open_data(State(ctx): State<AppContext>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    let answer = match &ctx.state.open_data {
        None => Err(crate::error::ApiError::not_found(
            "this server does not publish open data (serve --publish-open-data)",
        )),
        Some(config) => crate::open_data::serve(config, &ctx.state.projections.read(), &file, &headers),
    };
    answer.unwrap_or_else(|e| {
        let status = match e.code {
            ErrorCode::Validation => StatusCode::BAD_REQUEST,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        error_response(status, e.code, e.rule, &e.message)
    })
}

/// The public key the server signs the log's checkpoints with, for anyone
/// to fetch and compare with what the organisation publishes (no token: the
/// key is public).
async fn checkpoint_key(State(ctx): State<AppContext>) -> Response {
    match ctx.state.checkpoint_key {
        Some(key) => {
            let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
            Json(json!({ "algorithm": "Ed25519", "publicKey": hex })).into_response()
        }
        None => error_response(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            None,
            "this store keeps no hash chain, so there are no signed checkpoints",
        ),
    }
}

async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "alive" }))
}

/// Ready when the store answers and the read models reach the store's head
/// within the configured slack (default 1 s).
async fn readyz(State(ctx): State<AppContext>) -> Response {
    let state = &ctx.state;
    let head = match tokio::time::timeout(Duration::from_secs(2), state.store.head_position()).await {
        Ok(Ok(head)) => head,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: the event store failed");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "store_unavailable" })),
            )
                .into_response();
        }
        Err(_) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "store_timeout" })),
            )
                .into_response()
        }
    };
    let caught_up = match head {
        None => true,
        Some(h) => state.projections.wait_for(h, state.limits.ready_slack).await,
    };
    let body = json!({ "head": head, "position": state.projections.position() });
    if caught_up {
        (StatusCode::OK, Json(json!({ "status": "ready", "log": body }))).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "catching_up", "log": body })),
        )
            .into_response()
    }
}
