//! Samverkan's GraphQL API: the async-graphql schema (queries, one mutation
//! per command, subscriptions), the authentication seam, and the axum router
//! that serves it.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # async fn example(store: Arc<dyn samverkan_eventstore::EventStore>) {
//! use samverkan_api::{router, ApiState, JwtAuthenticator, Secret};
//! use samverkan_app::Projections;
//!
//! let projections = Projections::new(None);
//! projections.start(store.clone());
//! let secret = Secret::new(std::fs::read("hs256.key").unwrap());
//! let auth = JwtAuthenticator::hs256(&secret, "samverkan", "samverkan").unwrap();
//! let app = router(ApiState::new(store, projections, Arc::new(auth)));
//! # let _ = app;
//! # }
//! ```
//!
//! The guide for clients is `docs/graphql.md`; the served schema is checked
//! in as `schema/schema.graphql`.

pub mod application;
pub mod auth;
pub mod command;
pub mod consortium;
mod context;
mod document;
pub mod error;
mod graphiql;
mod http;
pub mod inputs;
mod introspection;
pub mod jwt;
mod lru;
pub mod municipality;
pub mod open_data;
pub mod pagination;
pub mod programme;
pub mod project;
pub mod proof;
mod query;
pub mod reports;
pub mod scalars;
pub mod shared;
pub mod strategy;
mod subscription;
pub mod telemetry;
mod visibility;
mod web;
mod ws;

use std::sync::Arc;
use std::time::Duration;

use async_graphql::Schema;
use samverkan_app::{Commands, Projections};
use samverkan_eventstore::EventStore;

pub use auth::{
    authorize_command, may_read_draft, AuthError, Authenticator, CommandTarget, DevAuthenticator, Principal, Role,
};
pub use command::{Clock, Mutation};
pub use context::RequestMeta;
pub use error::{ApiError, ErrorCode};
pub use http::router;
pub use jwt::{JwtAuthenticator, Secret, TokenSpec};
pub use query::Query;
pub use subscription::Subscription;

/// Every GraphQL output type in one place, wherever its context keeps it.
pub mod types {
    pub use crate::application::types::*;
    pub use crate::consortium::types::*;
    pub use crate::municipality::types::*;
    pub use crate::programme::inputs::{CapBasis, RuleKindName, Severity};
    pub use crate::programme::types::*;
    pub use crate::project::types::*;
    pub use crate::reports::dashboard::{
        Dashboard, FundingLine, GoalLine, Handover, InheritedCommitment, MembershipLine, ProjectLine, ProjectRef,
        StrategyLine, StrategyRef, TermBody, TermOfOffice,
    };
    pub use crate::reports::follow_up::{FollowUpReport, KeyCount, ReportMilestone, ReportProject};
    pub use crate::reports::overview::{ConsortiumOverview, MemberCoFinancing, StatusCount};
    pub use crate::reports::timeline::TimelineEntry;
    pub use crate::shared::types::*;
    pub use crate::strategy::types::*;
}

/// The schema type.
pub type ApiSchema = Schema<Query, Mutation, Subscription>;

/// Limits and waits of the API.
#[derive(Debug, Clone)]
pub struct Limits {
    /// How long a query with `atLeastPosition` (and a mutation, before reading
    /// the changed entity) waits for the read models.
    pub read_wait: Duration,
    /// How far the read models may lag the store's head for `/readyz` (as a wait).
    pub ready_slack: Duration,
    /// Maximum query depth (fields nested in fields).
    pub max_depth: usize,
    /// Maximum query complexity (number of fields, each counted once).
    pub max_complexity: usize,
    /// Maximum number of mutation fields (commands) in one request.
    pub max_mutations: usize,
    /// Maximum request body in bytes.
    pub body_limit: usize,
    /// Maximum time to answer an HTTP request.
    pub request_timeout: Duration,
    /// Maximum `first`/`last` of a list.
    pub max_page_size: usize,
    /// Maximum size of one websocket message (and frame) in bytes.
    pub ws_max_message_bytes: usize,
    /// Maximum number of subscriptions running at once on one websocket connection.
    pub ws_max_subscriptions: usize,
    /// How long a websocket may stay open without a successful `connection_init`.
    pub ws_init_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            read_wait: Duration::from_secs(2),
            ready_slack: Duration::from_secs(1),
            max_depth: 16,
            max_complexity: 2_000,
            max_mutations: 25,
            body_limit: 256 * 1024,
            request_timeout: Duration::from_secs(10),
            max_page_size: 500,
            ws_max_message_bytes: 64 * 1024,
            ws_max_subscriptions: 32,
            ws_init_timeout: Duration::from_secs(10),
        }
    }
}

/// Mints the demo's sign-in tokens: (label, token).
pub type DemoTokens = Arc<dyn Fn() -> Vec<(String, String)> + Send + Sync>;

/// Everything the API needs, cheap to clone.
#[derive(Clone)]
pub struct ApiState {
    pub store: Arc<dyn EventStore>,
    pub commands: Commands,
    pub projections: Arc<Projections>,
    pub authenticator: Arc<dyn Authenticator>,
    pub limits: Limits,
    /// What "now" is for commands (e.g. a submission before its deadline).
    pub clock: Clock,
    /// The demo's sign-in tokens (label, token), minted for each call and
    /// served at `GET /demo/tokens` for the web app's sign-in page; `None`
    /// (404) unless `serve --demo`.
    pub demo_tokens: Option<DemoTokens>,
    /// The Ed25519 public key that signs the log's checkpoints, published
    /// by `checkpointKey` (`None`: the store keeps no chain).
    pub checkpoint_key: Option<[u8; 32]>,
    /// Open data (`GET /open-data/…`, no token); `None` (404) unless
    /// `serve --publish-open-data`.
    pub open_data: Option<open_data::OpenData>,
    /// Seals and opens personal data per data subject (contact persons);
    /// `None`: no key store, and no personal data can be recorded.
    pub keyring: Option<samverkan_app::Keyring>,
}

impl ApiState {
    /// State over a store and running projections, with default limits.
    pub fn new(
        store: Arc<dyn EventStore>,
        projections: Arc<Projections>,
        authenticator: Arc<dyn Authenticator>,
    ) -> Self {
        Self {
            commands: Commands::new(store.clone()),
            store,
            projections,
            authenticator,
            limits: Limits::default(),
            clock: Arc::new(chrono::Utc::now),
            demo_tokens: None,
            checkpoint_key: None,
            open_data: None,
            keyring: None,
        }
    }

    /// Seal and open personal data with `keyring`.
    pub fn with_keyring(mut self, keyring: samverkan_app::Keyring) -> Self {
        self.keyring = Some(keyring);
        self
    }

    /// Publish the open-data catalogue and distributions (`open_data`).
    pub fn with_open_data(mut self, config: open_data::OpenData) -> Self {
        self.open_data = Some(config);
        self
    }

    /// Publish `key` as the checkpoint signing key (`checkpointKey`).
    pub fn with_checkpoint_key(mut self, key: [u8; 32]) -> Self {
        self.checkpoint_key = Some(key);
        self
    }

    /// Offer the tokens `mint` makes at `GET /demo/tokens` (demo mode only).
    pub fn with_demo_tokens(mut self, mint: impl Fn() -> Vec<(String, String)> + Send + Sync + 'static) -> Self {
        self.demo_tokens = Some(Arc::new(mint));
        self
    }

    /// Handle commands with `commands` (a handler over the same store), so
    /// that the API shares its aggregate cache and per-stream queue with the
    /// rest of the process (the process manager, the demo loader).
    pub fn with_commands(mut self, commands: Commands) -> Self {
        self.commands = commands;
        self
    }

    /// Use `clock` for what "now" is in commands (the system clock by default).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

fn schema_builder() -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(Query::default(), Mutation::default(), Subscription)
        // Outermost, so that it sees the final errors (with their codes).
        .extension(telemetry::GraphqlTelemetry)
        .extension(error::ErrorCodes)
        // Tells the HTTP handler whether the request got as far as execution.
        .extension(http::MarkExecution)
}

/// The executable schema over `state`, with depth and complexity limits.
pub fn build_schema(state: ApiState) -> ApiSchema {
    limited(schema_builder(), state)
}

/// The same schema without extensions (no telemetry, no error codes, no
/// checks before validation): only for queries that passed those checks and
/// that nobody traces; a query refused before execution is asked again of
/// [`build_schema`]'s, so its errors get their codes and rules (see
/// `http/over_http.rs`).
pub(crate) fn build_plain_schema(state: ApiState) -> ApiSchema {
    limited(
        Schema::build(Query::default(), Mutation::default(), Subscription),
        state,
    )
}

/// [`build_schema`]'s schema with async-graphql's fast validation, for a
/// document that already passed the whole validation (see
/// [`build_validated_schema`]; the same rule for its answers with errors).
pub(crate) fn build_validated_full_schema(state: ApiState) -> ApiSchema {
    limited(
        schema_builder().validation_mode(async_graphql::ValidationMode::Fast),
        state,
    )
}

/// [`build_plain_schema`]'s schema with async-graphql's fast validation
/// (only fragment cycles, depth and complexity): for a document that already
/// passed the whole validation on the plain schema (`http/caches.rs`), so
/// the rules that read the document alone need not run again. An answer of
/// it with any error is not used: the query is asked again of
/// [`build_schema`]'s, where every rule runs with these variables.
pub(crate) fn build_validated_schema(state: ApiState) -> ApiSchema {
    limited(
        Schema::build(Query::default(), Mutation::default(), Subscription)
            .validation_mode(async_graphql::ValidationMode::Fast),
        state,
    )
}

fn limited(builder: async_graphql::SchemaBuilder<Query, Mutation, Subscription>, state: ApiState) -> ApiSchema {
    let limits = state.limits.clone();
    builder
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .data(state)
        .finish()
}

/// The schema in SDL, as checked in at `schema/schema.graphql`.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}
