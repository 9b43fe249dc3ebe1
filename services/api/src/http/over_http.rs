//! GraphQL over HTTP as the spec says
//! (<https://graphql.github.io/graphql-over-http/draft/>), checked by the
//! `graphql-http` audits (`tests/graphql-http-audit/`).
//!
//! - **Response media type** from `Accept`: `application/graphql-response+json`
//!   or `application/json` (also for `*/*`, `application/*` and no `Accept`),
//!   the one with the highest `q` (the first listed on a tie); none of them is
//!   `406`.
//! - **Requests**: `POST` with `Content-Type: application/json` (charset, if
//!   given, `utf-8`; anything else is `415`), or `GET` with the parameters in
//!   the query string (`variables` and `extensions` as JSON). `GET` runs
//!   queries only: a mutation is `405` with `Allow: POST`.
//! - **Parameters**: `query` a string, `operationName` a string or null,
//!   `variables` and `extensions` maps or null; anything else is `400`.
//! - **Status**: a request the server could not execute (a parse or
//!   validation failure, an unknown operation, unusable variables) answers
//!   `400` under `application/graphql-response+json` and `200` under
//!   `application/json`; both without a `data` entry. Once execution started
//!   the answer is `200` with `data` (perhaps null, with `errors`).
//!
//! Every request needs a bearer token: a well-formed request without one is `401`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition, OperationType};
use async_graphql::{ServerError, Value, Variables};
use axum::body::Bytes;
use axum::extract::{FromRequest, Query, Request};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::caches::{self, Cached, ResponseKey};
use super::{authenticate, error_response, too_large, unauthenticated, AppContext};
use crate::context::RequestMeta;
use crate::error::ErrorCode;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The media type of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MediaType {
    /// `application/graphql-response+json`: the status code tells whether the
    /// request was executed.
    GraphqlResponseJson,
    /// `application/json`: `200` for every well-formed request.
    Json,
}

impl MediaType {
    fn header_value(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            MediaType::GraphqlResponseJson => GRAPHQL_RESPONSE_JSON,
            MediaType::Json => JSON,
        })
    }
}

/// Split a header value like `type/subtype; a=b; q=0.5` into the lowercased
/// essence and the parameters (names lowercased, values unquoted).
fn media_range(item: &str) -> (String, Vec<(String, String)>) {
    let mut parts = item.split(';');
    let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let params = parts
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((k.trim().to_ascii_lowercase(), v.trim().trim_matches('"').to_string()))
        })
        .collect();
    (essence, params)
}

fn charset_is_utf8(params: &[(String, String)]) -> bool {
    params
        .iter()
        .filter(|(k, _)| k == "charset")
        .all(|(_, v)| v.eq_ignore_ascii_case("utf-8") || v.eq_ignore_ascii_case("utf8"))
}

/// The response media type the `Accept` header asks for; `None` when it
/// accepts neither JSON type.
pub(crate) fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let values: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let items: Vec<&str> = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .collect();
    if items.is_empty() {
        return Some(MediaType::Json);
    }
    let mut best: Option<(f32, MediaType)> = None;
    for item in items {
        let (essence, params) = media_range(item);
        let media = match essence.as_str() {
            GRAPHQL_RESPONSE_JSON => MediaType::GraphqlResponseJson,
            JSON | "application/*" | "*/*" => MediaType::Json,
            _ => continue,
        };
        if !charset_is_utf8(&params) {
            continue;
        }
        let q = params
            .iter()
            .find(|(k, _)| k == "q")
            .map_or(Some(1.0), |(_, v)| v.parse::<f32>().ok())
            .unwrap_or(0.0);
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, media));
        }
    }
    best.map(|(_, media)| media)
}

/// Whether a `GET /graphql` is a GraphQL request (rather than a browser
/// opening GraphiQL): it has a query string and does not ask for HTML.
pub(crate) fn is_graphql_get(request: &Request) -> bool {
    let has_query = request.uri().query().is_some_and(|q| !q.is_empty());
    let wants_html = request
        .headers()
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(media_range)
        .any(|(essence, params)| {
            essence == "text/html"
                && !params
                    .iter()
                    .any(|(k, v)| k == "q" && v.parse::<f32>().is_ok_and(|q| q <= 0.0))
        });
    has_query && !wants_html
}

/// A request error (before execution): a status, a rule and a message, in the
/// response's media type, without `data`.
fn reject(media: MediaType, status: StatusCode, rule: &str, message: &str) -> Response {
    let mut response = error_response(status, ErrorCode::Validation, Some(rule), message);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, media.header_value());
    response
}

fn malformed(media: MediaType, message: &str) -> Response {
    reject(media, StatusCode::BAD_REQUEST, "malformed_request", message)
}

fn not_acceptable() -> Response {
    error_response(
        StatusCode::NOT_ACCEPTABLE,
        ErrorCode::Validation,
        Some("not_acceptable"),
        "the response is `application/graphql-response+json` or `application/json`: accept one of them",
    )
}

/// The parameters of a GraphQL request, checked.
struct Params {
    query: String,
    operation_name: Option<String>,
    variables: Option<serde_json::Map<String, serde_json::Value>>,
    extensions: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Params {
    /// From a `POST` body (a JSON object).
    fn from_json(body: serde_json::Value) -> Result<Params, String> {
        let serde_json::Value::Object(mut body) = body else {
            return Err("the body must be a JSON object with a `query` (batches are not supported)".into());
        };
        let query = match body.remove("query") {
            Some(serde_json::Value::String(q)) => q,
            None | Some(serde_json::Value::Null) => return Err("the request has no `query`".into()),
            Some(_) => return Err("`query` must be a string".into()),
        };
        let operation_name = match body.remove("operationName") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(name)) => Some(name),
            Some(_) => return Err("`operationName` must be a string or null".into()),
        };
        Ok(Params {
            query,
            operation_name,
            variables: map_param("variables", body.remove("variables"))?,
            extensions: map_param("extensions", body.remove("extensions"))?,
        })
    }

    /// From a `GET` query string (`variables` and `extensions` JSON-encoded).
    fn from_query_string(pairs: Vec<(String, String)>) -> Result<Params, String> {
        let mut map: HashMap<String, String> = HashMap::new();
        for (k, v) in pairs {
            if map.contains_key(&k) {
                return Err(format!("the parameter `{k}` is given twice"));
            }
            map.insert(k, v);
        }
        let query = map.remove("query").ok_or("the request has no `query`")?;
        let json = |name: &str, value: Option<String>| -> Result<_, String> {
            match value.filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => {
                    let v = serde_json::from_str(&v).map_err(|e| format!("`{name}` is not JSON: {e}"))?;
                    map_param(name, Some(v))
                }
            }
        };
        Ok(Params {
            query,
            operation_name: map.remove("operationName").filter(|n| !n.is_empty()),
            variables: json("variables", map.remove("variables"))?,
            extensions: json("extensions", map.remove("extensions"))?,
        })
    }
}

fn map_param(
    name: &str,
    value: Option<serde_json::Value>,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, String> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(format!("`{name}` must be a map (a JSON object) or null")),
    }
}

/// The operation a document selects (by `operationName`, or its only one).
fn selected_operation<'d>(
    document: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'d OperationDefinition> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next().map(|op| &op.node),
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// Variables of a non-null type without a default that the request does
/// not give: a variable coercion failure, so a request error (async-graphql
/// would only notice during execution, when a resolver reads the variable).
fn missing_variables(operation: &OperationDefinition, variables: &Variables) -> Vec<ServerError> {
    operation
        .variable_definitions
        .iter()
        .filter(|d| d.node.default_value().is_none())
        // (an explicit null is a validation error: "Invalid value for argument")
        .filter(|d| variables.get(&d.node.name.node).is_none())
        .map(|d| {
            let message = format!(
                "Variable \"${}\" of required type \"{}\" was not provided.",
                d.node.name.node, d.node.var_type.node
            );
            let mut error = ServerError::new(message, Some(d.pos));
            let mut ext = async_graphql::ErrorExtensionValues::default();
            ext.set("code", ErrorCode::Validation.as_str());
            ext.set("rule", "invalid_input");
            error.extensions = Some(ext);
            error
        })
        .collect()
}

fn subscription_over_http() -> ServerError {
    let mut error = ServerError::new(
        "subscriptions run over the websocket at /graphql/ws (graphql-transport-ws), not over HTTP",
        None,
    );
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", ErrorCode::Validation.as_str());
    ext.set("rule", "subscription_over_http");
    error.extensions = Some(ext);
    error
}

/// `POST /graphql`.
pub(crate) async fn post(ctx: AppContext, request: Request) -> Response {
    let Some(media) = negotiate(request.headers()) else {
        return not_acceptable();
    };
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| media_range(v.to_str().unwrap_or("")));
    match content_type {
        Some((essence, params)) if essence == JSON && charset_is_utf8(&params) => {}
        _ => {
            let mut response = reject(
                media,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the request as `Content-Type: application/json` (UTF-8)",
            );
            response
                .headers_mut()
                .insert(HeaderName::from_static("accept-post"), HeaderValue::from_static(JSON));
            return response;
        }
    }
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let body = match Bytes::from_request(Request::new(body), &()).await {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => return with_media(too_large(), media),
        Err(rejection) => return malformed(media, &format!("the body could not be read: {rejection}")),
    };
    if body.is_empty() {
        return malformed(media, "the request has no body");
    }
    let authenticated = authenticate(&ctx.state, &headers).map(|p| {
        let key = response_key(&ctx, "POST", &body, &p, media);
        (p, key)
    });
    // The same bytes as a cached query's: answered before they are parsed.
    if let Some(hit) = authenticated
        .as_ref()
        .ok()
        .and_then(|(_, key)| cached(&ctx, key, media, &headers))
    {
        return hit;
    }
    let params = match serde_json::from_slice(&body) {
        Ok(json) => Params::from_json(json),
        Err(e) => Err(format!("the body is not JSON: {e}")),
    };
    let params = match params {
        Ok(params) => params,
        Err(message) => return malformed(media, &format!("not a GraphQL request: {message}")),
    };
    let (principal, key) = match authenticated {
        Ok(authenticated) => authenticated,
        Err(e) => return with_media(unauthenticated(&e), media),
    };
    execute(&ctx, media, &headers, principal, params, None, key).await
}

/// `GET /graphql?query=…`: queries only.
pub(crate) async fn get(ctx: AppContext, request: Request) -> Response {
    let Some(media) = negotiate(request.headers()) else {
        return not_acceptable();
    };
    let raw = request.uri().query().unwrap_or_default().as_bytes();
    let authenticated = authenticate(&ctx.state, request.headers()).map(|p| {
        let key = response_key(&ctx, "GET", raw, &p, media);
        (p, key)
    });
    // The same query string as a cached query's: answered before it is parsed.
    if let Some(hit) = authenticated
        .as_ref()
        .ok()
        .and_then(|(_, key)| cached(&ctx, key, media, request.headers()))
    {
        return hit;
    }
    let params = match Query::<Vec<(String, String)>>::try_from_uri(request.uri()) {
        Ok(Query(pairs)) => Params::from_query_string(pairs),
        Err(e) => Err(format!("the query string is malformed: {e}")),
    };
    let params = match params {
        Ok(params) => params,
        Err(message) => return malformed(media, &format!("not a GraphQL request: {message}")),
    };
    let (principal, key) = match authenticated {
        Ok(authenticated) => authenticated,
        Err(e) => return with_media(unauthenticated(&e), media),
    };
    // Too deeply nested documents are not parsed here: the schema refuses them.
    let document = ctx.caches.document(&params.query, parse);
    let operation = document
        .as_ref()
        .and_then(|d| selected_operation(&d.document, params.operation_name.as_deref()));
    if operation.is_some_and(|op| op.ty == OperationType::Mutation) {
        let mut response = reject(
            media,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "a mutation must be sent with POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    execute(&ctx, media, request.headers(), principal, params, document, key).await
}

/// The response-cache key of a request (see `caches`).
fn response_key(
    ctx: &AppContext,
    method: &str,
    request: &[u8],
    principal: &crate::auth::Principal,
    media: MediaType,
) -> caches::Key {
    ResponseKey {
        method,
        request,
        principal,
        media: media.header_value().to_str().unwrap_or_default(),
        minute: (ctx.state.clock)().timestamp().div_euclid(60),
    }
    .hash()
}

/// The cached answer under `key`, if it was built at the read models' position now.
fn cached(ctx: &AppContext, key: &caches::Key, media: MediaType, headers: &HeaderMap) -> Option<Response> {
    let position = ctx.state.projections.position();
    let hit = ctx.caches.response(key, position)?;
    Some(caches::answer(media.header_value(), headers, &hit))
}

/// Parse a document the schema would parse (too deep a nesting: `None`,
/// the schema refuses it).
fn parse(query: &str) -> Option<ExecutableDocument> {
    crate::document::check_nesting(query)
        .ok()
        .and_then(|()| async_graphql::parser::parse_query(query).ok())
}

fn with_media(mut response: Response, media: MediaType) -> Response {
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, media.header_value());
    response
}

async fn execute(
    ctx: &AppContext,
    media: MediaType,
    headers: &HeaderMap,
    principal: crate::auth::Principal,
    params: Params,
    document: Option<caches::Parsed>,
    key: caches::Key,
) -> Response {
    let variables = params
        .variables
        .map(|v| Variables::from_json(serde_json::Value::Object(v)))
        .unwrap_or_default();
    // Parsed here to check the variables before execution (and then handed
    // over, not parsed twice); a document that does not parse is answered by
    // async-graphql (a `graphql_syntax` error).
    // Each distinct document is parsed once (see `caches`).
    let parsed = document.or_else(|| ctx.caches.document(&params.query, parse));
    let (validated, document_key) = parsed.as_ref().map_or((false, None), |p| (p.validated, Some(p.key)));
    let document = parsed.map(|p| p.document);
    let operation = document
        .as_ref()
        .and_then(|d| selected_operation(d, params.operation_name.as_deref()));
    let missing = match operation {
        // Subscriptions are not executed over HTTP.
        Some(op) if op.ty == OperationType::Subscription => vec![subscription_over_http()],
        Some(op) => missing_variables(op, &variables),
        None => vec![],
    };
    // A query's answer is kept in the response cache (see `caches`).
    let cache_key = (missing.is_empty() && operation.is_some_and(|op| op.ty == OperationType::Query)).then_some(key);
    let position = ctx.state.projections.position();
    let prepared = Prepared {
        query: params.query,
        operation_name: params.operation_name,
        variables,
        extensions: params.extensions,
        principal,
        meta: RequestMeta::from_headers(headers),
    };
    // A query that passes the checks the extensions make runs first on the
    // schema without extensions (see `plain_path`).
    let query = missing.is_empty() && operation.is_some_and(|op| op.ty == OperationType::Query);
    let plain = query
        && document
            .as_ref()
            .is_some_and(|d| plain_path(ctx, d, &prepared.variables));
    let (response, executed) = if !missing.is_empty() {
        (async_graphql::Response::from_errors(missing), false)
    } else {
        let mut document = document;
        let mut answered = None;
        if validated && query {
            // The document passed the whole validation before: only the
            // rules that depend on the variables could fail now, and an
            // answer without errors shows none did. One with any error is
            // asked again of the full schema (every rule, its codes). On
            // the full schema when its extensions observe the query.
            let schema = if plain {
                &ctx.validated_schema
            } else {
                &ctx.validated_full_schema
            };
            let response = schema.execute(prepared.clone().request(None, document.take())).await;
            if response.errors.is_empty() {
                answered = Some(response);
            }
        } else if plain {
            let request = prepared.clone().request(None, document.take());
            let mut response = ctx.plain_schema.execute(request).await;
            // Errors of resolvers (they have a path: the query was executed)
            // are bounded and classified as the `ErrorCodes` extension
            // would; any other error (validation, limits: nothing was
            // resolved) is asked again of the full schema, so it gets its
            // code and rule the one way.
            if response.errors.iter().all(|e| !e.path.is_empty()) {
                // Executed: the document passed the whole validation.
                if let Some(key) = &document_key {
                    ctx.caches.validated(key);
                }
                response.errors = crate::error::bounded(response.errors);
                answered = Some(response);
            }
        }
        match answered {
            Some(response) => (response, true),
            None => {
                let started = Arc::new(ExecutionStarted::default());
                let response = ctx
                    .schema
                    .execute(prepared.request(Some(started.clone()), document))
                    .await;
                let executed = started.0.load(Ordering::SeqCst);
                // Executed: the document passed the whole validation.
                if let Some(key) = document_key.as_ref().filter(|_| executed) {
                    ctx.caches.validated(key);
                }
                (response, executed)
            }
        }
    };

    let status = if executed || media == MediaType::Json {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut body = match serde_json::to_value(&response) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "a GraphQL response did not serialize");
            return error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                None,
                "internal error: see the server log",
            );
        }
    };
    // A request that was not executed has no `data` (GraphQL spec, "Response").
    if !executed {
        if let Some(body) = body.as_object_mut() {
            body.remove("data");
        }
    }
    let text = body.to_string();
    let cache_control = response
        .cache_control
        .value()
        .and_then(|v| HeaderValue::from_str(&v).ok())
        .filter(|_| response.is_ok());
    if let Some(key) = cache_key.filter(|_| executed && response.is_ok() && response.http_headers.is_empty()) {
        let cached = Cached {
            position,
            etag: caches::etag(text.as_bytes()),
            body: Bytes::from(text),
            cache_control,
        };
        // Kept only when the read models did not move while it was built.
        if ctx.state.projections.position() == position {
            ctx.caches.keep_response(key, cached.clone());
        }
        return caches::answer(media.header_value(), headers, &cached);
    }
    let mut http = (status, text).into_response();
    let h = http.headers_mut();
    h.insert(header::CONTENT_TYPE, media.header_value());
    h.insert(header::VARY, HeaderValue::from_static("accept"));
    if let Some(value) = cache_control {
        h.insert(header::CACHE_CONTROL, value);
    }
    h.extend(response.http_headers);
    http
}

/// What a GraphQL request carries into execution (kept whole to run a
/// query again on the full schema).
#[derive(Clone)]
struct Prepared {
    query: String,
    operation_name: Option<String>,
    variables: Variables,
    extensions: Option<serde_json::Map<String, serde_json::Value>>,
    principal: crate::auth::Principal,
    meta: RequestMeta,
}

impl Prepared {
    fn request(
        self,
        started: Option<Arc<ExecutionStarted>>,
        document: Option<ExecutableDocument>,
    ) -> async_graphql::Request {
        let mut request = async_graphql::Request::new(self.query)
            .variables(self.variables)
            .data(self.principal)
            .data(self.meta);
        if let Some(started) = started {
            request = request.data(started);
        }
        if let Some(name) = self.operation_name {
            request = request.operation_name(name);
        }
        for (k, v) in self.extensions.into_iter().flatten() {
            let v = Value::from_json(v).unwrap_or(Value::Null);
            request.extensions.0.insert(k, v);
        }
        if let Some(document) = document {
            request.set_parsed_query(document);
        }
        request
    }
}

/// Whether a query may run on the schema without extensions
/// (`ApiState::plain_schema`): nobody observes operations (no span wanted,
/// no metrics), and the document passes the checks the `ErrorCodes`
/// extension makes before async-graphql's own (nesting — checked when it
/// was parsed —, fields and fragments, inputs, introspection). The depth
/// and complexity limits and validation are the schema's, the same on both.
/// async-graphql 7 runs every field through the extensions' chain when any
/// is registered, which costs a boxed future per field.
fn plain_path(ctx: &AppContext, document: &ExecutableDocument, variables: &Variables) -> bool {
    let limits = &ctx.state.limits;
    !crate::telemetry::operations_observed()
        && crate::document::check(document, limits.max_complexity, limits.max_mutations).is_ok()
        && crate::document::check_inputs(document, variables).is_ok()
        && crate::introspection::check(document).is_ok()
}

/// Set (in the request's data) when async-graphql starts executing the
/// operation: parsing, validation and operation selection succeeded.
#[derive(Default)]
pub(crate) struct ExecutionStarted(AtomicBool);

/// The async-graphql extension that sets [`ExecutionStarted`].
pub(crate) struct MarkExecution;

impl ExtensionFactory for MarkExecution {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(MarkExecution)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for MarkExecution {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> async_graphql::Response {
        if let Some(started) = ctx.data_opt::<Arc<ExecutionStarted>>() {
            started.0.store(true, Ordering::SeqCst);
        }
        next.run(ctx, operation_name).await
    }
}

#[cfg(test)]
mod tests;
