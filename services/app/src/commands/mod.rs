use std::sync::{Arc, LazyLock};

use opentelemetry::metrics::Counter;
use opentelemetry::KeyValue;
use samverkan_domain::{authorize, Aggregate, Decider, DomainError, DomainEvent, Refused, Role};
use samverkan_eventstore::{
    Direction, EventMetadata, EventStore, ExpectedVersion, NewEvent, RecordedEvent, StoreError,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// How many times a command is re-decided on fresh state after a version conflict.
const MAX_ATTEMPTS: usize = 16;
const READ_BATCH: usize = 1024;

mod facts;

/// `samverkan.commands`: handled commands by type and outcome. Taken from the
/// global meter provider on first use (a no-op when none is installed).
static COMMANDS: LazyLock<Counter<u64>> = LazyLock::new(|| {
    opentelemetry::global::meter("samverkan")
        .u64_counter("samverkan.commands")
        .with_description("Commands handled, by command type and outcome")
        .build()
});

/// The outcome label of a handled command (metrics and the `command` span).
fn outcome_label(result: &Result<CommandOutcome, AppError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(AppError::Forbidden(_)) => "forbidden",
        Err(AppError::Conflict(_) | AppError::CommandIdReused(_)) => "conflict",
        Err(AppError::Domain(DomainError::NotFound { .. })) => "not_found",
        Err(AppError::Domain(_)) => "validation",
        Err(AppError::Decode(_) | AppError::Store(_)) => "error",
    }
}

/// Who sends a command and in which conversation.
#[derive(Debug, Clone, Default)]
pub struct CommandContext {
    /// The command id: event ids are derived from it, so a retried command appends nothing new.
    pub command_id: Uuid,
    /// When set, the aggregate must be at exactly this version (0-based; `-1`/None: no check).
    pub expected_version: Option<ExpectedVersion>,
    pub actor: Option<String>,
    /// The role recorded as `actor_role` for a caller that is not checked
    /// (`roles: None`).
    pub actor_role: Option<Role>,
    /// `Some`: a caller from outside holding these roles. After loading the
    /// aggregate and before deciding, the command is checked against the
    /// aggregate's owner ([`Aggregate::target`]); the role that allows it is
    /// recorded as `actor_role`, and none is [`AppError::Forbidden`].
    /// `None`: an in-process caller (a loader, the process manager, a test)
    /// acting with the server's authority: not checked.
    pub roles: Option<Vec<Role>>,
    pub correlation_id: Option<Uuid>,
    pub trace_id: Option<String>,
}

impl CommandContext {
    pub fn new(command_id: Uuid) -> Self {
        Self {
            command_id,
            ..Self::default()
        }
    }
    /// An in-process caller, recorded as `actor` with `role` (not checked).
    pub fn by(mut self, actor: &str, role: Role) -> Self {
        self.actor = Some(actor.to_string());
        self.actor_role = Some(role);
        self
    }

    /// The role to record for a command on `target`: the one of the
    /// caller's roles that allows it, or the unchecked caller's own.
    fn role_for(&self, target: &samverkan_domain::CommandTarget) -> Result<Option<&Role>, Refused> {
        match &self.roles {
            None => Ok(self.actor_role.as_ref()),
            Some(roles) => authorize(self.actor.as_deref().unwrap_or_default(), roles, target).map(Some),
        }
    }
}

/// A folded stream: the state, its version, and what the command being
/// handled already wrote there (or that its id was used for another command).
type Loaded<A> = (
    <A as Decider>::State,
    Option<u64>,
    Result<Option<CommandOutcome>, AppError>,
);

/// The result of a handled command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutcome {
    pub stream: String,
    /// Version of the aggregate's last event after the command.
    pub version: u64,
    /// Global position of the command's last event: ask read models for at least this.
    pub position: u64,
    /// Number of events the command appended (0 for an idempotent retry).
    pub appended: usize,
    /// Event types the command produced.
    pub event_types: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// None of the caller's roles allows the command; nothing was appended.
    #[error(transparent)]
    Forbidden(#[from] Refused),
    #[error("conflict: {0}")]
    Conflict(String),
    /// The command id was already used for a different command (on this or
    /// another stream); nothing was appended. A plain sentence.
    #[error("{0}")]
    CommandIdReused(String),
    #[error("stored event could not be read: {0}")]
    Decode(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::WrongExpectedVersion { .. } | StoreError::IdConflict { .. } => {
                AppError::Conflict(e.to_string())
            }
            // Event ids are derived from command ids.
            // The message names neither the stream nor the event: the first
            // use may be another caller's (a draft they may not see).
            StoreError::DuplicateEventId { .. } => {
                tracing::debug!(error = %e, "a command id was reused");
                AppError::CommandIdReused(
                    "the command id was already used for a different command; send every new command with a new command id"
                        .to_string(),
                )
            }
            other => AppError::Store(other),
        }
    }
}

/// Deterministic event id: the n-th event of a command.
pub fn event_id(command_id: Uuid, index: usize) -> Uuid {
    Uuid::new_v5(&command_id, format!("event-{index}").as_bytes())
}

/// The command's fingerprint, stored with its events: SHA-256 over the
/// command's name, its target stream and its canonical JSON (serde of the
/// domain command: fields in declaration order, sets and maps ordered; what
/// the server fills in, like `now`, is skipped). Same command, same
/// fingerprint: that is how a retry is told from another command sent under
/// a used command id.
pub fn fingerprint<A: Aggregate>(id: &A::Id, command: &A::Command) -> String {
    let mut hash = Sha256::new();
    hash.update(b"samverkan-command-v1\n");
    hash.update(A::command_name(command).as_bytes());
    hash.update(b"\n");
    hash.update(A::stream_name(id).as_bytes());
    hash.update(b"\n");
    match serde_json::to_vec(command) {
        Ok(json) => hash.update(&json),
        // Not expected (no map with non-string keys in a command); still deterministic.
        Err(_) => hash.update(format!("{command:?}").as_bytes()),
    }
    format!("sha256:{:x}", hash.finalize())
}

/// The answer to a command id used before for a different command.
fn reused(command_id: Uuid, earlier: &RecordedEvent) -> AppError {
    // Where it was used stays in the server log: the first use may be
    // another caller's, on a stream they may not see.
    tracing::debug!(%command_id, stream = %earlier.stream, event_type = %earlier.event_type, "a command id was reused");
    AppError::CommandIdReused(format!(
        "command id {command_id} was already used for a different command; send every new command with a new command id"
    ))
}

/// The command handler.
#[derive(Clone)]
pub struct Commands {
    store: Arc<dyn EventStore>,
}

impl Commands {
    pub fn new(store: Arc<dyn EventStore>) -> Self {
        Self { store }
    }

    pub fn store(&self) -> &Arc<dyn EventStore> {
        &self.store
    }

    /// Fold an aggregate's stream: its state and the version of its last event.
    pub async fn load<A: Aggregate>(&self, id: &A::Id) -> Result<(A::State, Option<u64>), AppError> {
        let (state, version, _) = self.load_checking::<A>(id, None).await?;
        Ok((state, version))
    }

    /// Whether the caller of `ctx` may send `command` (one load of the
    /// stream), without deciding it: for a command refused for another
    /// reason, so that a caller who may not send it learns only that.
    pub async fn authorize<A: Aggregate>(
        &self,
        id: &A::Id,
        command: &A::Command,
        ctx: &CommandContext,
    ) -> Result<(), AppError> {
        let (state, _) = self.load::<A>(id).await?;
        ctx.role_for(&A::target(id, &state, command))?;
        Ok(())
    }

    /// Fold the stream and, while at it, notice whether the command
    /// (`(command id, fingerprint)`) already wrote events there: the same
    /// fingerprint (or none, on events recorded before fingerprints) is an
    /// idempotent retry, another one is [`AppError::CommandIdReused`]
    /// (returned as the third value, so that the caller may check who asks first).
    async fn load_checking<A: Aggregate>(
        &self,
        id: &A::Id,
        command: Option<(Uuid, &str)>,
    ) -> Result<Loaded<A>, AppError> {
        let stream = A::stream_name(id);
        let mut state = A::State::default();
        let mut version = None;
        let mut previous: Option<CommandOutcome> = None;
        let mut reuse = None;
        let mut from = 0u64;
        loop {
            let batch = self
                .store
                .read_stream(&stream, Direction::Forwards, Some(from), READ_BATCH)
                .await?;
            let n = batch.len();
            for recorded in batch {
                let event = A::Event::from_json(&recorded.event_type, recorded.schema_version, &recorded.data)
                    .map_err(|e| AppError::Decode(e.to_string()))?;
                state = A::evolve(state, &event);
                version = Some(recorded.version);
                from = recorded.version + 1;
                if let Some((cid, fingerprint)) = command.filter(|_| reuse.is_none()) {
                    let index = previous.as_ref().map_or(0, |p| p.event_types.len());
                    if recorded.id == event_id(cid, index) {
                        if recorded
                            .metadata
                            .command_fingerprint
                            .as_deref()
                            .is_some_and(|stored| stored != fingerprint)
                        {
                            reuse = Some(reused(cid, &recorded));
                            continue;
                        }
                        let p = previous.get_or_insert_with(|| CommandOutcome {
                            stream: stream.clone(),
                            version: 0,
                            position: 0,
                            appended: 0,
                            event_types: vec![],
                        });
                        p.version = recorded.version;
                        p.position = recorded.position;
                        p.event_types.push(recorded.event_type.clone());
                    }
                }
            }
            if n < READ_BATCH {
                break;
            }
        }
        let previous = match reuse {
            Some(err) => Err(err),
            None => Ok(previous),
        };
        Ok((state, version, previous))
    }

    /// Handle one command: load, decide, append at the expected version.
    ///
    /// - A retry (same command id, same command) appends nothing and returns the same outcome.
    /// - The same command id with a different command, on this stream or any
    ///   other, is [`AppError::CommandIdReused`]; nothing is appended.
    /// - On a version conflict the command is re-decided on fresh state (unless the
    ///   caller pinned `expected_version`, which then is a `Conflict`).
    ///
    /// Runs in a `command` span (command type, stream, command id, outcome,
    /// events appended) and counts `samverkan.commands{command, outcome}`.
    #[tracing::instrument(
        name = "command",
        skip_all,
        fields(
            command = A::command_name(&command),
            stream = %A::stream_name(id),
            command.id = %ctx.command_id,
            outcome = tracing::field::Empty,
            appended = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
        )
    )]
    pub async fn execute<A: Aggregate>(
        &self,
        id: &A::Id,
        command: A::Command,
        ctx: &CommandContext,
    ) -> Result<CommandOutcome, AppError> {
        let name = A::command_name(&command);
        let result = self.decide_and_append::<A>(id, command, ctx).await;
        let outcome = outcome_label(&result);
        let span = tracing::Span::current();
        span.record("outcome", outcome);
        match &result {
            Ok(o) => {
                span.record("appended", o.appended as i64);
            }
            Err(AppError::Decode(_) | AppError::Store(_)) => {
                span.record("otel.status_code", "ERROR");
            }
            Err(_) => {}
        }
        // Refusals are counted by the API, which alone sends checked callers.
        if !matches!(result, Err(AppError::Forbidden(_))) {
            COMMANDS.add(1, &[KeyValue::new("command", name), KeyValue::new("outcome", outcome)]);
        }
        result
    }

    async fn decide_and_append<A: Aggregate>(
        &self,
        id: &A::Id,
        mut command: A::Command,
        ctx: &CommandContext,
    ) -> Result<CommandOutcome, AppError> {
        let stream = A::stream_name(id);
        let fingerprint = fingerprint::<A>(id, &command);
        let check = Some((ctx.command_id, fingerprint.as_str()));
        for attempt in 0..MAX_ATTEMPTS {
            let (state, version, previous) = self.load_checking::<A>(id, check).await?;
            let role = ctx.role_for(&A::target(id, &state, &command))?;
            if let Some(need) = A::needs(id, &state, &command) {
                A::supply(&mut command, self.facts(need).await?);
            }
            if let Some(outcome) = previous? {
                return Ok(outcome);
            }
            if attempt == 0 {
                // Used on another stream? (Even if this command would append
                // nothing or be refused; the append below checks it again.)
                if let Some(earlier) = self.store.find_event(event_id(ctx.command_id, 0)).await? {
                    if earlier.stream != stream {
                        return Err(reused(ctx.command_id, &earlier));
                    }
                }
            }
            let decided = A::decide(&state, &command);
            let events = match decided {
                Ok(events) => events,
                Err(err) => return Err(add_id(err, id).into()),
            };
            if events.is_empty() {
                return Ok(CommandOutcome {
                    stream,
                    version: version.unwrap_or(0),
                    position: 0,
                    appended: 0,
                    event_types: vec![],
                });
            }
            let expected = match (ctx.expected_version, version) {
                (Some(pinned), _) => pinned,
                (None, None) => ExpectedVersion::NoStream,
                (None, Some(v)) => ExpectedVersion::Exact(v),
            };
            let event_types: Vec<String> = events.iter().map(|e| e.event_type().to_string()).collect();
            let new_events = events
                .iter()
                .enumerate()
                .map(|(i, e)| NewEvent {
                    id: event_id(ctx.command_id, i),
                    event_type: e.event_type().to_string(),
                    schema_version: e.schema_version(),
                    data: serde_json::to_vec(&e.to_json()).unwrap_or_default(),
                    metadata: EventMetadata {
                        actor: ctx.actor.clone(),
                        actor_role: role.map(Role::to_string),
                        causation_id: Some(ctx.command_id),
                        correlation_id: Some(ctx.correlation_id.unwrap_or(ctx.command_id)),
                        trace_id: ctx.trace_id.clone(),
                        command_fingerprint: Some(fingerprint.clone()),
                    },
                })
                .collect();
            match self.store.append(&stream, expected, new_events).await {
                Ok(r) => {
                    let appended = if r.written { event_types.len() } else { 0 };
                    return Ok(CommandOutcome {
                        stream,
                        version: r.next_expected_version,
                        position: r.position,
                        appended,
                        event_types,
                    });
                }
                Err(StoreError::WrongExpectedVersion { .. })
                    if ctx.expected_version.is_none() && attempt + 1 < MAX_ATTEMPTS =>
                {
                    tracing::debug!(attempt, "version conflict, deciding again on fresh state");
                    // Jittered back-off so that contenders do not collide again in lockstep.
                    let jitter = u64::from(Uuid::new_v4().as_bytes()[0] % 4) + attempt as u64;
                    tokio::time::sleep(std::time::Duration::from_millis(jitter)).await;
                    continue;
                }
                Err(e) => {
                    // A concurrent retry of the same command may have won the race.
                    let (_, _, previous) = self.load_checking::<A>(id, check).await?;
                    if let Some(outcome) = previous? {
                        return Ok(outcome);
                    }
                    if let StoreError::DuplicateEventId { stream: other, .. } = &e {
                        // Used on another stream meanwhile.
                        return Err(AppError::CommandIdReused(format!(
                            "command id {} was already used for a different command (on `{other}`); \
                             send every new command with a new command id",
                            ctx.command_id
                        )));
                    }
                    return Err(e.into());
                }
            }
        }
        Err(AppError::Conflict(format!(
            "stream `{stream}` kept changing; gave up after {MAX_ATTEMPTS} attempts"
        )))
    }
}

/// Fill in the aggregate id for `NotFound`/`AlreadyExists` errors the pure decider cannot know.
fn add_id<I: std::fmt::Display>(err: DomainError, id: &I) -> DomainError {
    match err {
        DomainError::NotFound { aggregate, id: ref i } if i.is_empty() => DomainError::NotFound {
            aggregate,
            id: id.to_string(),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests;
