//! The command path: the aggregate from the cache (or folded once), the
//! caller checked, the command decided, the events appended at the cached
//! version; "was this command applied already?" answered from the store's
//! index by event id, not by reading the stream — and asked only when the
//! decision would append nothing or the store reports the command's event
//! ids as stored (a new command's append checks its ids in the same
//! transaction), so a new command costs no lookup.

use samverkan_domain::{Aggregate, DomainEvent};
use samverkan_eventstore::{Direction, ExpectedVersion, StoreError};
use uuid::Uuid;

use super::cache::Slot;
use super::{
    add_id, event_id, expected_version, fingerprint, new_events, reused, AppError, CommandContext, CommandOutcome,
    Commands,
};
use super::{MAX_ATTEMPTS, READ_BATCH};

/// What one attempt at a command came to.
enum Step<E> {
    /// The answer.
    Done(Result<CommandOutcome, AppError>),
    /// An answer given on cached state without appending (a refusal, a
    /// broken rule, nothing to do): it stands only if the state is current,
    /// so it is checked against the stream first.
    Unverified(Result<CommandOutcome, AppError>),
    /// Appended: the events and the outcome.
    Appended(CommandOutcome, Vec<E>),
    /// Someone else appended first (another process): catch up and decide again.
    Conflict,
}

impl Commands {
    /// Fold the events of `stream` after `version` into `state`.
    pub(super) async fn fold_from<A: Aggregate>(
        &self,
        stream: &str,
        mut state: A::State,
        mut version: Option<u64>,
    ) -> Result<(A::State, Option<u64>), AppError> {
        let mut from = version.map_or(0, |v| v + 1);
        loop {
            let batch = self
                .store
                .read_stream(stream, Direction::Forwards, Some(from), READ_BATCH)
                .await?;
            let n = batch.len();
            for recorded in batch {
                let event = A::Event::from_json(&recorded.event_type, recorded.schema_version, &recorded.data)
                    .map_err(|e| AppError::Decode(e.to_string()))?;
                state = A::evolve(state, &event);
                version = Some(recorded.version);
                from = recorded.version + 1;
            }
            if n < READ_BATCH {
                return Ok((state, version));
            }
        }
    }

    /// The outcome of command `command_id` if it was applied already, from
    /// the store's index by event id: its first event names the stream and
    /// carries the fingerprint; the rest follow it in the stream (one append).
    /// Used for another command (other fingerprint) or on another stream:
    /// [`AppError::CommandIdReused`].
    async fn applied(
        &self,
        stream: &str,
        command_id: Uuid,
        fingerprint: &str,
    ) -> Result<Option<CommandOutcome>, AppError> {
        let Some(first) = self.store.find_event(event_id(command_id, 0)).await? else {
            return Ok(None);
        };
        if first.stream != stream
            || first
                .metadata
                .command_fingerprint
                .as_deref()
                .is_some_and(|stored| stored != fingerprint)
        {
            return Err(reused(command_id, &first));
        }
        let mut outcome = CommandOutcome {
            stream: stream.to_string(),
            version: first.version,
            position: first.position,
            appended: 0,
            event_types: vec![first.event_type],
        };
        const FOLLOWING: usize = 8;
        loop {
            let batch = self
                .store
                .read_stream(stream, Direction::Forwards, Some(outcome.version + 1), FOLLOWING)
                .await?;
            let n = batch.len();
            for e in batch {
                if e.id != event_id(command_id, outcome.event_types.len()) {
                    return Ok(Some(outcome));
                }
                outcome.version = e.version;
                outcome.position = e.position;
                outcome.event_types.push(e.event_type);
            }
            if n < FOLLOWING {
                return Ok(Some(outcome));
            }
        }
    }

    /// [`Commands::applied`] as the answer of an attempt, if it was applied
    /// already (or its id was used for another command).
    async fn applied_step<E>(&self, stream: &str, command_id: Uuid, fingerprint: &str) -> Option<Step<E>> {
        match self.applied(stream, command_id, fingerprint).await {
            Ok(None) => None,
            Ok(Some(outcome)) => Some(Step::Done(Ok(outcome))),
            Err(e) => Some(Step::Done(Err(e))),
        }
    }

    /// The aggregate as the command handler keeps it: from the cache when
    /// its slot is free, caught up with the stream (a reader that must not
    /// wait, e.g. for another command's facts, folds it afresh instead).
    pub(super) async fn load_current<A: Aggregate>(&self, stream: &str) -> Result<(A::State, Option<u64>), AppError> {
        match self.cache.try_lock(stream) {
            Some(mut slot) => {
                let (state, version) = slot.take::<A::State>().unwrap_or_default();
                let (state, version) = self.fold_from::<A>(stream, state, version).await?;
                slot.put(state.clone(), version);
                Ok((state, version))
            }
            None => self.fold_from::<A>(stream, A::State::default(), None).await,
        }
    }

    /// Handle one command on the cached aggregate, in its stream's queue.
    pub(super) async fn decide_and_append<A: Aggregate>(
        &self,
        id: &A::Id,
        mut command: A::Command,
        ctx: &CommandContext,
    ) -> Result<CommandOutcome, AppError> {
        if !self.store.indexes_event_ids() {
            return self.decide_and_append_scanning::<A>(id, command, ctx).await;
        }
        let stream = A::stream_name(id);
        let fingerprint = fingerprint::<A>(id, &command);
        // Our turn on this stream: held until the command is answered.
        let mut slot = self.cache.lock(&stream).await;
        // A pinned version other than the cached one is decided on the
        // stream as it is now, and so is one without any check.
        let mut refresh = match ctx.expected_version {
            Some(ExpectedVersion::Any) => true,
            Some(ExpectedVersion::Exact(v)) => slot.version::<A::State>() != Some(Some(v)),
            Some(ExpectedVersion::NoStream) | None => false,
        };
        for attempt in 0..MAX_ATTEMPTS {
            let (state, version, read) = self.current::<A>(&mut slot, &stream, refresh).await?;
            let step = self
                .attempt::<A>(id, &stream, &mut command, ctx, &fingerprint, &state, version, attempt)
                .await;
            match step {
                Step::Appended(outcome, events) => {
                    if outcome.appended == 0 {
                        // The store had these events already (a retry that
                        // raced): the cache cannot tell where it stands.
                        slot.clear();
                    } else {
                        let state = events.iter().fold(state, |s, e| A::evolve(s, e));
                        slot.put(state, Some(outcome.version));
                    }
                    return Ok(outcome);
                }
                Step::Done(result) => {
                    slot.put(state, version);
                    if result.is_err() && ctx.expected_version.is_some() {
                        slot.mark_stale();
                    }
                    return result;
                }
                Step::Unverified(result) => {
                    slot.put(state, version);
                    if read {
                        return result;
                    }
                    refresh = true;
                }
                Step::Conflict => {
                    slot.put(state, version);
                    refresh = true;
                    tracing::debug!(attempt, "version conflict, deciding again on the caught-up state");
                    // Jittered back-off so that other processes' contenders
                    // do not collide again in lockstep.
                    let jitter = u64::from(Uuid::new_v4().as_bytes()[0] % 4) + attempt as u64;
                    tokio::time::sleep(std::time::Duration::from_millis(jitter)).await;
                }
            }
        }
        slot.mark_stale();
        Err(AppError::Conflict(format!(
            "stream `{stream}` kept changing; gave up after {MAX_ATTEMPTS} attempts"
        )))
    }

    /// The state to decide on, and whether it was just read from the store.
    async fn current<A: Aggregate>(
        &self,
        slot: &mut Slot,
        stream: &str,
        refresh: bool,
    ) -> Result<(A::State, Option<u64>, bool), AppError> {
        let stale = refresh || slot.is_stale();
        match slot.take::<A::State>() {
            Some((state, version)) if !stale => Ok((state, version, false)),
            cached => {
                let (state, version) = cached.unwrap_or_default();
                let (state, version) = self.fold_from::<A>(stream, state, version).await?;
                Ok((state, version, true))
            }
        }
    }

    /// One attempt: check the caller, fill in the facts, look for an
    /// earlier application, decide, append at `version`.
    #[allow(clippy::too_many_arguments)]
    async fn attempt<A: Aggregate>(
        &self,
        id: &A::Id,
        stream: &str,
        command: &mut A::Command,
        ctx: &CommandContext,
        fingerprint: &str,
        state: &A::State,
        version: Option<u64>,
        attempt: usize,
    ) -> Step<A::Event> {
        let role = match ctx.role_for(&A::target(id, state, command)) {
            Ok(role) => role,
            Err(refused) => return Step::Unverified(Err(refused.into())),
        };
        if let Some(need) = A::needs(id, state, command) {
            match self.facts(need).await {
                Ok(facts) => A::supply(command, facts),
                Err(e) => return Step::Done(Err(e)),
            }
        }
        // "Applied already?" is asked of the index only when the decision
        // would not append: a new command's append is its own check (event
        // ids are derived from the command id and unique in the store).
        let events = match A::decide(state, command) {
            Ok(events) if !events.is_empty() => events,
            decided => {
                if let Some(done) = self.applied_step(stream, ctx.command_id, fingerprint).await {
                    return done;
                }
                return Step::Unverified(match decided {
                    Ok(_) => Ok(CommandOutcome {
                        stream: stream.to_string(),
                        version: version.unwrap_or(0),
                        position: 0,
                        appended: 0,
                        event_types: vec![],
                    }),
                    Err(err) => Err(add_id(err, id).into()),
                });
            }
        };
        let expected = expected_version(ctx, version);
        let event_types: Vec<String> = events.iter().map(|e| e.event_type().to_string()).collect();
        let new_events = new_events(&events, ctx, role, fingerprint);
        match self.store.append(stream, expected, new_events).await {
            Ok(r) if r.written => Step::Appended(
                CommandOutcome {
                    stream: stream.to_string(),
                    version: r.next_expected_version,
                    position: r.position,
                    appended: event_types.len(),
                    event_types,
                },
                events,
            ),
            // The store holds events with these ids in this stream already:
            // a retry (same fingerprint: the first application's outcome) or
            // a reused command id (another fingerprint).
            Ok(_) => match self.applied(stream, ctx.command_id, fingerprint).await {
                Ok(Some(outcome)) => Step::Appended(outcome, Vec::new()),
                Ok(None) => Step::Done(Err(AppError::Conflict(format!(
                    "stream `{stream}` changed while command {} was answered; send it again",
                    ctx.command_id
                )))),
                Err(e) => Step::Done(Err(e)),
            },
            Err(StoreError::WrongExpectedVersion { .. })
                if ctx.expected_version.is_none() && attempt + 1 < MAX_ATTEMPTS =>
            {
                Step::Conflict
            }
            Err(e) => {
                // A concurrent retry of the same command (another process) may have won the race.
                match self.applied(stream, ctx.command_id, fingerprint).await {
                    Ok(Some(outcome)) => return Step::Done(Ok(outcome)),
                    Err(err @ AppError::CommandIdReused(_)) => return Step::Done(Err(err)),
                    _ => {}
                }
                if let StoreError::DuplicateEventId { stream: other, .. } = &e {
                    // Used on another stream meanwhile.
                    return Step::Done(Err(AppError::CommandIdReused(format!(
                        "command id {} was already used for a different command (on `{other}`); \
                         send every new command with a new command id",
                        ctx.command_id
                    ))));
                }
                Step::Done(Err(e.into()))
            }
        }
    }
}
