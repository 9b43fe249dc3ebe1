//! The write side's one path. Every mutation is one line of a context's
//! command table (`<context>/mutation.rs`, the [`command_table!`] macro);
//! its input implements [`CommandInput`] next to its struct. Each runs
//! [`run`]: build the domain command → execute (the command handler loads the
//! aggregate once, checks the caller against its owner, decides, appends) →
//! wait for the read models → read the changed entity back.
//!
//! Every mutation takes `commandId: UUID!` (idempotency: a retry with the same
//! id appends nothing and answers the same `position`) and `expectedVersion:
//! Int` (optimistic concurrency: the aggregate's current version, `-1` for
//! "must not exist yet"; a mismatch is `CONFLICT`).

pub mod docs;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use async_graphql::{Context, MergedObject};
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use samverkan_app::{CommandContext, CommandOutcome, Projections, ReadModels};
use samverkan_domain::{Aggregate, Decider, Rule};
use samverkan_eventstore::ExpectedVersion;
use uuid::Uuid;

use crate::application::mutation::ApplicationMutation;
use crate::consortium::mutation::ConsortiumMutation;
use crate::context::{meta, principal, state};
use crate::error::ApiError;
use crate::municipality::mutation::MunicipalityMutation;
use crate::programme::mutation::ProgrammeMutation;
use crate::project::mutation::ProjectMutation;
use crate::strategy::mutation::StrategyMutation;

/// One mutation per domain command. Each takes `commandId` (a retry with the
/// same id appends nothing and answers the same position) and optionally
/// `expectedVersion` (the aggregate's current version, `-1` for a new one; a
/// mismatch is `CONFLICT`), and answers the global `position`, the stream
/// `version` and the changed entity.
#[derive(MergedObject, Default)]
pub struct Mutation(
    MunicipalityMutation,
    ConsortiumMutation,
    StrategyMutation,
    ProjectMutation,
    ApplicationMutation,
    ProgrammeMutation,
);

/// Every command, in schema order: the one table the docs are generated from.
pub fn commands() -> Vec<CommandRow> {
    [
        MunicipalityMutation::COMMANDS,
        ConsortiumMutation::COMMANDS,
        StrategyMutation::COMMANDS,
        ProjectMutation::COMMANDS,
        ApplicationMutation::COMMANDS,
        ProgrammeMutation::COMMANDS,
    ]
    .concat()
}

/// The server's clock: what "now" is for commands that need it (e.g. a
/// submission before its deadline). Injected through [`ApiState`](crate::ApiState).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The aggregate id a [`CommandInput`] addresses.
pub type IdOf<I> = <<I as CommandInput>::Aggregate as Aggregate>::Id;
/// The domain command a [`CommandInput`] becomes.
pub type CommandOf<I> = <<I as CommandInput>::Aggregate as Decider>::Command;

/// A GraphQL command input: which aggregate it addresses, which row of the
/// write-permission matrix it falls under, and how it becomes the domain
/// command. Who owns the addressed aggregate is the domain's answer
/// ([`Aggregate::target`]), checked by the command handler.
pub trait CommandInput: Send + Sized {
    type Aggregate: Aggregate;
    /// Its row in the write-permission matrix (`docs/security.md`).
    const RULE: Rule;
    /// The addressed aggregate's id and the domain command.
    fn command(self, server: &Filled<'_>) -> Result<(IdOf<Self>, CommandOf<Self>), ApiError>;
    /// Seal the input's personal data under its data subject's key, before
    /// [`CommandInput::command`] (default: the input holds none). [`run`]
    /// always seals first; an input that holds personal data builds, unsealed,
    /// a command the domain refuses (`not_sealed`), so plain personal data
    /// never reaches the domain or the log.
    fn seal<'a>(&'a mut self, _sealer: Sealer<'a>) -> BoxFuture<'a, Result<(), ApiError>> {
        Box::pin(async { Ok(()) })
    }
}

/// What [`CommandInput::seal`] needs: the keyring, and the command's id and
/// clock reading (a retry seals to the same bytes).
#[derive(Clone, Copy)]
pub struct Sealer<'a> {
    pub keyring: Option<&'a samverkan_app::Keyring>,
    pub command_id: Uuid,
    pub now: DateTime<Utc>,
}

/// What the server fills into a command rather than the caller: the id of a
/// new aggregate, the clock's "now", an identity looked up on the read models.
pub struct Filled<'a> {
    command_id: Uuid,
    now: DateTime<Utc>,
    projections: &'a Projections,
}

impl Filled<'_> {
    /// An id for a new aggregate: the given one, or one derived from the
    /// command id (so that a retried command addresses the same aggregate).
    pub fn new_id(&self, given: Option<Uuid>, kind: &[u8]) -> Uuid {
        given.unwrap_or_else(|| Uuid::new_v5(&self.command_id, kind))
    }

    /// The command's id.
    pub fn command_id(&self) -> Uuid {
        self.command_id
    }

    /// The server clock's reading for this command.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Look something up on the read models as they are now.
    pub fn look_up<R>(&self, f: impl FnOnce(&ReadModels) -> R) -> R {
        f(&self.projections.read())
    }
}

/// A payload type: the command's outcome and the changed entity.
pub trait Answer: Sized {
    type Aggregate: Aggregate;
    type Entity;
    /// The payload's fields that need the entity: it is read back only when
    /// the mutation selects one of them (a view of a long project is not
    /// copied for a caller asking only for `position` and `version`).
    const ENTITY_FIELDS: &'static [&'static str];
    /// The entity after the command, from the read models.
    fn entity(models: &ReadModels, id: &<Self::Aggregate as Aggregate>::Id) -> Option<Self::Entity>;
    fn new(outcome: CommandOutcome, entity: Option<Self::Entity>) -> Self;
}

/// One row of a command table: the command's name (the GraphQL field in
/// snake case; the field is its camelCase, the command type its PascalCase)
/// and its permission rule.
#[derive(Debug, Clone, Copy)]
pub struct CommandRow {
    pub field: &'static str,
    /// The bounded context, as the docs name it (e.g. `strategy document`).
    pub context: &'static str,
    pub rule: Rule,
    /// The domain's name of the command an input value of this line becomes
    /// (checked against [`CommandRow::command_type`] by a test).
    pub domain_name: DomainName,
}

/// See [`CommandRow::domain_name`].
pub type DomainName = fn(async_graphql::Value, &Filled<'_>) -> Result<&'static str, String>;

/// The domain's name of the command `input` becomes.
pub fn domain_name<I: CommandInput + async_graphql::InputType>(
    input: async_graphql::Value,
    server: &Filled<'_>,
) -> Result<&'static str, String> {
    let input = I::parse(Some(input)).map_err(|e| e.into_server_error(Default::default()).message)?;
    let (_, command) = input.command(server).map_err(|e| format!("{e:?}"))?;
    Ok(<I::Aggregate as Aggregate>::command_name(&command))
}

impl CommandRow {
    /// `adopt_strategy` → `adoptStrategy`.
    pub fn graphql_name(&self) -> String {
        let pascal = self.command_type();
        let mut chars = pascal.chars();
        chars
            .next()
            .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
            .unwrap_or_default()
    }

    /// `adopt_strategy` → `AdoptStrategy`: the domain's command name and the
    /// telemetry label.
    pub fn command_type(&self) -> String {
        command_type(self.field)
    }
}

/// `adopt_strategy` → `AdoptStrategy`.
fn command_type(field: &str) -> String {
    field
        .split('_')
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// `expectedVersion` as the store takes it.
fn expected_version(given: Option<i32>) -> Result<Option<ExpectedVersion>, ApiError> {
    match given {
        None => Ok(None),
        Some(-1) => Ok(Some(ExpectedVersion::NoStream)),
        Some(v) if v >= 0 => Ok(Some(ExpectedVersion::Exact(v as u64))),
        Some(v) => Err(ApiError::validation(
            "invalid_expected_version",
            format!("expectedVersion {v} is invalid: use the current version (0 or more), or -1 for a new stream"),
        )),
    }
}

/// The one path of every mutation: build the domain command, execute it as
/// the caller (the handler checks the caller against the aggregate's owner),
/// wait for the read models to include it, and read the entity back.
pub async fn run<I, P>(ctx: &Context<'_>, command_id: Uuid, expected: Option<i32>, input: I) -> Result<P, ApiError>
where
    I: CommandInput,
    P: Answer<Aggregate = I::Aggregate>,
{
    let state = state(ctx)?;
    let who = principal(ctx)?;
    let server = Filled {
        command_id,
        now: (state.clock)(),
        projections: &state.projections,
    };
    let mut input = input;
    input
        .seal(Sealer {
            keyring: state.keyring.as_ref(),
            command_id,
            now: server.now,
        })
        .await?;
    let (id, command) = input.command(&server)?;
    let meta = meta(ctx);
    let mut cc = CommandContext {
        command_id,
        expected_version: None,
        actor: Some(who.subject.clone()),
        actor_role: None,
        roles: Some(who.roles.clone()),
        correlation_id: meta.and_then(|m| m.correlation_id),
        // The exported trace's id when tracing is on, else the caller's `traceparent`.
        trace_id: crate::telemetry::current_trace_id().or_else(|| meta.and_then(|m| m.trace_id.clone())),
    };
    cc.expected_version = match expected_version(expected) {
        Ok(v) => v,
        Err(invalid) => {
            // Who may not send the command hears only that.
            state.commands.authorize::<I::Aggregate>(&id, &command, &cc).await?;
            return Err(invalid);
        }
    };
    let outcome = state.commands.execute::<I::Aggregate>(&id, command, &cc).await?;
    let caught_up = state
        .projections
        .wait_for(outcome.position, state.limits.read_wait)
        .await;
    tracing::info!(stream = %outcome.stream, position = outcome.position, version = outcome.version, appended = outcome.appended, "command handled");
    let selection = ctx.look_ahead();
    let wanted = P::ENTITY_FIELDS.iter().any(|f| selection.field(f).exists());
    let entity = if caught_up && wanted {
        P::entity(&state.projections.read(), &id)
    } else {
        None
    };
    Ok(P::new(outcome, entity))
}

/// A payload type per aggregate: the outcome's fields and the changed entity
/// (`$field`, read back with `$read`).
macro_rules! payload {
    ($(#[$doc:meta])* $name:ident for $aggregate:ty, $field:ident: $ty:ty = $read:expr) => {
        $(#[$doc])*
        #[derive(async_graphql::SimpleObject)]
        pub struct $name {
            /// Global log position of the command's last event: pass it as
            /// `atLeastPosition` to read your own write.
            pub position: $crate::scalars::Position,
            /// Version (0-based) of the aggregate's stream after the command:
            /// pass it as `expectedVersion` to the next command.
            pub version: u64,
            /// Events appended by this call (0 when the command id was already handled).
            pub appended: u32,
            /// Types of the command's events, e.g. `StrategyAdopted`.
            pub event_types: Vec<String>,
            /// The entity after the command; null only when the read models did
            /// not reach `position` within the wait (then query with `atLeastPosition`).
            pub $field: Option<$ty>,
        }

        impl $crate::command::Answer for $name {
            type Aggregate = $aggregate;
            type Entity = $ty;
            const ENTITY_FIELDS: &'static [&'static str] = &[stringify!($field)];
            fn entity(
                models: &samverkan_app::ReadModels,
                id: &<$aggregate as samverkan_domain::Aggregate>::Id,
            ) -> Option<$ty> {
                let read: fn(&samverkan_app::ReadModels, &<$aggregate as samverkan_domain::Aggregate>::Id) -> Option<$ty> = $read;
                read(models, id)
            }
            fn new(outcome: samverkan_app::CommandOutcome, $field: Option<$ty>) -> Self {
                Self {
                    position: $crate::scalars::Position(outcome.position),
                    version: outcome.version,
                    appended: u32::try_from(outcome.appended).unwrap_or(u32::MAX),
                    event_types: outcome.event_types,
                    $field,
                }
            }
        }
    };
}
pub(crate) use payload;

/// A context's command table: one line per command, `field(Input) -> Payload;`
/// with its description. Generates the context's mutation object (one
/// resolver per line, each running [`run`]) and its [`CommandRow`]s
/// (`COMMANDS`), from which the docs are generated.
macro_rules! command_table {
    (
        $(#[$tdoc:meta])*
        $mutation:ident ($context:literal) {
            $( $(#[doc = $doc:literal])* $field:ident($input:ty) -> $payload:ty; )*
        }
    ) => {
        $(#[$tdoc])*
        #[derive(Default)]
        pub struct $mutation;

        impl $mutation {
            /// This context's commands, in schema order.
            pub const COMMANDS: &'static [$crate::command::CommandRow] = &[$(
                $crate::command::CommandRow {
                    field: stringify!($field),
                    context: $context,
                    rule: <$input as $crate::command::CommandInput>::RULE,
                    domain_name: $crate::command::domain_name::<$input>,
                },
            )*];
        }

        #[async_graphql::Object]
        impl $mutation {
            $(
                $(#[doc = $doc])*
                async fn $field(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                    command_id: uuid::Uuid,
                    expected_version: Option<i32>,
                    input: $input,
                ) -> async_graphql::Result<$payload> {
                    Ok($crate::command::run(ctx, command_id, expected_version, input).await?)
                }
            )*
        }
    };
}
pub(crate) use command_table;
