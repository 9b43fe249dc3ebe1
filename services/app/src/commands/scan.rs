//! The command path for stores without an index by event id (the KurrentDB
//! backend, whose `find_event` always answers `None`): every command folds
//! its stream from the start and, while at it, looks for events of its
//! command id. No aggregate cache: the scan reads the whole stream anyway.

use samverkan_domain::{Aggregate, DomainEvent};
use samverkan_eventstore::{Direction, StoreError};
use uuid::Uuid;

use super::{
    add_id, event_id, expected_version, fingerprint, new_events, reused, AppError, CommandContext, CommandOutcome,
    Commands, Loaded,
};
use super::{MAX_ATTEMPTS, READ_BATCH};

impl Commands {
    /// Fold the stream and, while at it, notice whether the command
    /// (`(command id, fingerprint)`) already wrote events there: the same
    /// fingerprint (or none, on events recorded before fingerprints) is an
    /// idempotent retry, another one is [`AppError::CommandIdReused`]
    /// (returned as the third value, so that the caller may check who asks first).
    pub(super) async fn load_checking<A: Aggregate>(
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

    pub(super) async fn decide_and_append_scanning<A: Aggregate>(
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
            let expected = expected_version(ctx, version);
            let event_types: Vec<String> = events.iter().map(|e| e.event_type().to_string()).collect();
            let new_events = new_events(&events, ctx, role, &fingerprint);
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
