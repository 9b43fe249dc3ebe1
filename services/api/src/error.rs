//! API errors: every error a client sees carries a stable `extensions.code`
//! (and for `VALIDATION` an `extensions.rule`; some others carry one too).
//!
//! | code              | meaning                                                        |
//! |-------------------|----------------------------------------------------------------|
//! | `VALIDATION`      | bad input or a broken business rule; `rule` names it           |
//! | `NOT_FOUND`       | the addressed entity does not exist (as of the asked instant)  |
//! | `CONFLICT`        | `expectedVersion` did not match, or the stream kept changing;  |
//! |                   | rule `command_id_reused`: the command id was used for another  |
//! |                   | command                                                        |
//! | `UNAUTHENTICATED` | no or invalid credentials                                      |
//! | `FORBIDDEN`       | the caller's roles do not allow the command                    |
//! | `NOT_READY`       | the read models did not reach `atLeastPosition` in time        |
//! | `INTERNAL`        | a server-side failure (details in the server log only)         |
//!
//! `ApiError` deliberately does not implement `Display`: async-graphql turns
//! every `Display` type into an error *without* a code, so the only way from
//! an `ApiError` to a GraphQL error is the `From` impl below, which sets the
//! code. Errors that still arrive without a code (from async-graphql itself
//! or from a stray `?`) are classified by [`ErrorCodes`].

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest, NextRequest, NextSubscribe,
    NextValidation,
};
use async_graphql::futures_util::stream::BoxStream;
use async_graphql::futures_util::StreamExt;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Value, Variables};
use samverkan_app::AppError;
use samverkan_domain::DomainError;

/// The stable error codes (`extensions.code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Validation,
    NotFound,
    Conflict,
    Unauthenticated,
    Forbidden,
    NotReady,
    Internal,
}

impl ErrorCode {
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorCode::Validation => "VALIDATION",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotReady => "NOT_READY",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

/// An error on its way to the client.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// For `VALIDATION`: the broken rule, e.g. `negative_amount`; for
    /// `CONFLICT`: `command_id_reused` when the command id was used for another command.
    pub rule: Option<&'static str>,
    /// Further extensions (e.g. `position` for `NOT_READY`).
    pub extra: Vec<(&'static str, Value)>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            rule: None,
            extra: vec![],
        }
    }
    pub fn validation(rule: &'static str, message: impl Into<String>) -> Self {
        Self {
            rule: Some(rule),
            ..Self::new(ErrorCode::Validation, message)
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            rule: Some("not_found"),
            ..Self::new(ErrorCode::NotFound, message)
        }
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
    pub fn with(mut self, key: &'static str, value: impl Into<Value>) -> Self {
        self.extra.push((key, value.into()));
        self
    }

    /// Write code, rule and extras into a set of extensions.
    fn write(&self, ext: &mut async_graphql::ErrorExtensionValues) {
        ext.set("code", self.code.as_str());
        if let Some(rule) = self.rule {
            ext.set("rule", rule);
        }
        for (k, v) in &self.extra {
            ext.set(*k, v.clone());
        }
    }

    fn into_server_error(self, mut err: ServerError) -> ServerError {
        err.message = self.message.clone();
        self.write(err.extensions.get_or_insert_with(Default::default));
        err
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        let mut ext = async_graphql::ErrorExtensionValues::default();
        e.write(&mut ext);
        async_graphql::Error {
            message: e.message,
            source: None,
            extensions: Some(ext),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        if e.is_not_found() {
            ApiError::not_found(e.to_string())
        } else {
            ApiError::validation(e.rule(), e.to_string())
        }
    }
}

impl From<&AppError> for ApiError {
    fn from(e: &AppError) -> Self {
        match e {
            AppError::Domain(d) => d.clone().into(),
            AppError::Forbidden(refused) => ApiError::forbidden(refused.to_string()),
            AppError::Conflict(m) => ApiError::new(ErrorCode::Conflict, m.clone()),
            AppError::CommandIdReused(m) => ApiError {
                rule: Some("command_id_reused"),
                ..ApiError::new(ErrorCode::Conflict, m.clone())
            },
            AppError::Decode(_) | AppError::Store(_) => {
                tracing::error!(error = %e, "command failed in the store");
                ApiError::internal("internal error: the event store failed; see the server log")
            }
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError::from(&e)
    }
}

/// Give a code to an error that has none: async-graphql's own errors (bad
/// input values, unknown fields) and errors converted through `Display`.
fn classify(err: ServerError) -> ServerError {
    if err.extensions.as_ref().is_some_and(|e| e.get("code").is_some()) {
        return err;
    }
    let api = if let Some(app) = err.source::<AppError>() {
        ApiError::from(app)
    } else if let Some(domain) = err.source::<DomainError>() {
        ApiError::from(domain.clone())
    } else {
        ApiError::validation("invalid_input", err.message.clone())
    };
    api.into_server_error(err)
}

/// Longest error message sent (bytes); longer ones are cut at a character
/// boundary with `…`: messages may quote the client's input.
pub const MAX_ERROR_MESSAGE_BYTES: usize = 512;
/// Most errors in one response; the rest are counted in a last error.
pub const MAX_ERRORS: usize = 50;

/// Code every error, and keep the answer small: a response is never much
/// larger than its request because every field quoted the same big input.
pub(crate) fn bounded(errors: Vec<ServerError>) -> Vec<ServerError> {
    let total = errors.len();
    let mut out: Vec<ServerError> = errors
        .into_iter()
        .take(MAX_ERRORS)
        .map(|e| {
            let mut e = classify(e);
            e.message = plain(e.message);
            if e.message.len() > MAX_ERROR_MESSAGE_BYTES {
                let mut end = MAX_ERROR_MESSAGE_BYTES;
                while !e.message.is_char_boundary(end) {
                    end -= 1;
                }
                e.message.truncate(end);
                e.message.push('…');
            }
            e
        })
        .collect();
    if total > MAX_ERRORS {
        let more = ApiError::validation(
            "too_many_errors",
            format!("{} more errors were left out of this response", total - MAX_ERRORS),
        );
        let err = ServerError::new(more.message.clone(), None);
        out.push(more.into_server_error(err));
    }
    out
}

/// The parser's multi-line excerpt (` --> 1:3`, the line, a caret, `= expected
/// selection`) as one sentence: "the document does not parse at line 1,
/// column 3: expected selection".
fn syntax_sentence(message: &str) -> String {
    let at = message
        .split_once("--> ")
        .and_then(|(_, rest)| rest.lines().next())
        .and_then(|pos| pos.trim().split_once(':'))
        .map(|(line, column)| format!(" at line {line}, column {column}"))
        .unwrap_or_default();
    let what = message
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("= "))
        .map(str::trim)
        .unwrap_or("");
    if what.is_empty() && at.is_empty() {
        return format!(
            "the document does not parse: {}",
            message.lines().next().unwrap_or_default()
        );
    }
    let what = if what.is_empty() {
        String::new()
    } else {
        format!(": {what}")
    };
    format!("the document does not parse{at}{what}")
}

/// async-graphql's own wordings that are not plain sentences, and ours.
const PLAIN: &[(&str, &str)] = &[
    (
        "Oneof input objects requires have exactly one field",
        "give exactly one of its fields (it is a one-of input)",
    ),
    (
        "Oneof Input Objects require that exactly one field must be supplied and that field must not be null",
        "give exactly one of its fields, and not null (it is a one-of input)",
    ),
];

fn plain(message: String) -> String {
    PLAIN.iter().fold(
        message,
        |m, (from, to)| {
            if m.contains(from) {
                m.replace(from, to)
            } else {
                m
            }
        },
    )
}

/// The async-graphql extension that puts a code on every error.
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        response.errors = bounded(response.errors);
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream)
            .map(|mut response| {
                response.errors = bounded(response.errors);
                response
            })
            .boxed()
    }

    /// Parse the document here, and bound what it may cost, before
    /// async-graphql's own checks walk it: they expand every fragment spread
    /// again (a fragment bomb would keep them busy for minutes).
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: async_graphql::Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<async_graphql::Request> {
        let defaults = crate::Limits::default();
        let limits = ctx.data_opt::<crate::ApiState>().map_or(&defaults, |s| &s.limits);
        // A syntax error is reported (with its rule) by `parse_query` below.
        // Nesting first, in one pass over the text: parsing and every later
        // stage recurse, and thousands of `[` would overflow the stack.
        crate::document::check_nesting(&request.query).map_err(|e| {
            let err = ServerError::new(e.message.clone(), None);
            e.into_server_error(err)
        })?;
        let variables = std::mem::take(&mut request.variables);
        let checked = match request.parsed_query() {
            Ok(document) => crate::document::check(document, limits.max_complexity, limits.max_mutations)
                .and_then(|()| crate::document::check_inputs(document, &variables)),
            Err(_) => Ok(()),
        };
        request.variables = variables;
        {
            checked.map_err(|e| {
                let err = ServerError::new(e.message.clone(), None);
                e.into_server_error(err)
            })?;
        }
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await.map_err(|e| {
            let msg = e.message.clone();
            // The parser refuses documents nested deeper than it recurses.
            let (rule, msg) = if msg.contains("recursion depth") || msg.contains("recursion limit") {
                ("query_too_deep", msg)
            } else {
                ("graphql_syntax", syntax_sentence(&msg))
            };
            ApiError::validation(rule, msg).into_server_error(e)
        })?;
        // Introspection escapes the complexity limit: cap it here.
        crate::introspection::check(&document).map_err(|e| {
            let err = ServerError::new(e.message.clone(), None);
            e.into_server_error(err)
        })?;
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| {
                    let rule = match e.message.as_str() {
                        "Query is nested too deep." => "query_too_deep",
                        "Query is too complex." => "query_too_complex",
                        _ => "graphql_validation",
                    };
                    let msg = e.message.clone();
                    ApiError::validation(rule, msg).into_server_error(e)
                })
                .collect()
        })
    }
}
