//! The KurrentDB/EventStoreDB backend, over the official gRPC client.
//!
//! Mapping (see `docs/eventstore.md`):
//! - a stream is a KurrentDB stream of the same name; our version is its
//!   revision, our position the `$all` commit position;
//! - `ExpectedVersion::{Any, NoStream, Exact(n)}` → `StreamState::{Any,
//!   NoStream, StreamRevision(n)}`;
//! - the event id, type and JSON body go as they are (content type
//!   `application/json`); our metadata plus the schema version go as the
//!   event's custom metadata, a JSON object;
//! - `$all` reads and subscriptions exclude system events (`$`-prefixed
//!   types, and `$`-prefixed streams) and the companion streams' events
//!   (types `samverkan.chain.*`);
//! - the hash chain lives in the companion streams `samverkan-chain` (a
//!   link per log event) and `samverkan-checkpoints` (`chain.rs`, `links.rs`).

use futures::stream::BoxStream;
use kurrentdb::{
    AppendToStreamOptions, Client, ClientSettings, CurrentRevision, EventData, Position, ReadAllOptions,
    ReadStreamOptions, RetryOptions, StreamPosition, StreamState, SubscribeToAllOptions, Subscription,
};

use crate::validate::{does_not_continue, validate_append, validate_import};
use crate::{AppendResult, Direction, EventStore, ExpectedVersion, NewEvent, RecordedEvent, StoreError};

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("kurrentdb: {e}"))
}

mod chain;
mod convert;
pub mod links;

use convert::{all_position, compare_ids, convert, stream_state, user_events_filter, StoredMetadata};

/// The KurrentDB backend. Cheap to clone.
#[derive(Clone)]
pub struct KurrentStore {
    client: Client,
    chain: std::sync::Arc<chain::ChainStreams>,
}

impl std::fmt::Debug for KurrentStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KurrentStore").finish_non_exhaustive()
    }
}

impl KurrentStore {
    /// Connects to the server at `connection_string`, e.g.
    /// `kurrentdb://admin:changeit@localhost:2113?tls=false`. The client
    /// connects lazily: a wrong address shows on the first call. Must be
    /// called inside a Tokio runtime.
    pub fn connect(connection_string: &str) -> Result<Self, StoreError> {
        let settings: ClientSettings = connection_string
            .parse()
            .map_err(|e| StoreError::Backend(format!("invalid KurrentDB connection string: {e}")))?;
        let handle = tokio::runtime::Handle::try_current()
            .map_err(|_| StoreError::Backend("KurrentStore::connect needs a Tokio runtime".into()))?;
        let client = Client::with_runtime_handle(handle, settings).map_err(backend)?;
        Ok(Self {
            client,
            chain: std::sync::Arc::default(),
        })
    }

    /// The same server with the chain kept in other companion streams (for
    /// tests that tamper with a chain of their own). Such a chain links the
    /// whole of `$all`, like the default one.
    #[doc(hidden)]
    pub fn with_chain_streams(mut self, links: &str, checkpoints: &str) -> Self {
        self.chain = std::sync::Arc::new(chain::ChainStreams {
            links: links.into(),
            checkpoints: checkpoints.into(),
        });
        self
    }

    /// The underlying client, for what the port does not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn event_data(event: &NewEvent) -> Result<EventData, StoreError> {
        let meta = StoredMetadata {
            schema_version: event.schema_version,
            metadata: event.metadata.clone(),
            recorded_at: None,
        };
        Self::to_event_data(event.id, &event.event_type, &event.data, &meta)
    }

    /// An imported event, its original recorded time in the metadata.
    fn imported_data(event: &RecordedEvent) -> Result<EventData, StoreError> {
        let meta = StoredMetadata {
            schema_version: event.schema_version,
            metadata: event.metadata.clone(),
            recorded_at: Some(event.recorded_at),
        };
        Self::to_event_data(event.id, &event.event_type, &event.data, &meta)
    }

    fn to_event_data(
        id: uuid::Uuid,
        event_type: &str,
        data: &[u8],
        meta: &StoredMetadata,
    ) -> Result<EventData, StoreError> {
        // The body is validated JSON; send it byte for byte.
        let text = std::str::from_utf8(data).map_err(|_| StoreError::InvalidAppend("the body is not UTF-8".into()))?;
        let raw = serde_json::value::RawValue::from_string(text.to_owned())
            .map_err(|e| StoreError::InvalidAppend(format!("the body is not JSON: {e}")))?;
        EventData::json(event_type, &raw)
            .and_then(|d| d.metadata_as_json(meta))
            .map(|d| d.id(id))
            .map_err(|e| StoreError::InvalidAppend(e.to_string()))
    }

    /// The newest user event of `$all`, if any.
    async fn newest_event(&self) -> Result<Option<RecordedEvent>, StoreError> {
        let options = ReadAllOptions::default()
            .position(StreamPosition::End)
            .backwards()
            .filter(user_events_filter())
            .max_count(16);
        let mut read = self.client.read_all(&options).await.map_err(backend)?;
        while let Some(e) = read.next().await.map_err(backend)? {
            if let Some(e) = convert(&e)? {
                return Ok(Some(e));
            }
        }
        Ok(None)
    }

    /// Reads up to `count` events of `stream` from `from` forwards; a
    /// missing or deleted stream reads as empty.
    async fn read_range(
        &self,
        stream: &str,
        direction: Direction,
        from: Option<u64>,
        count: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        if count == 0 {
            return Ok(Vec::new());
        }
        let position = match (direction, from) {
            (_, Some(v)) => StreamPosition::Position(v),
            (Direction::Forwards, None) => StreamPosition::Start,
            (Direction::Backwards, None) => StreamPosition::End,
        };
        // `position` picks a direction for Start/End; set ours after it.
        let options = ReadStreamOptions::default().position(position).max_count(count);
        let options = match direction {
            Direction::Forwards => options.forwards(),
            Direction::Backwards => options.backwards(),
        };
        let mut read = match self.client.read_stream(stream, &options).await {
            Ok(r) => r,
            Err(kurrentdb::Error::ResourceNotFound | kurrentdb::Error::ResourceDeleted) => return Ok(Vec::new()),
            Err(e) => return Err(backend(e)),
        };
        let mut out = Vec::new();
        loop {
            match read.next().await {
                Ok(Some(e)) => {
                    if let Some(e) = convert(&e)? {
                        out.push(e);
                    }
                }
                Ok(None) => break,
                Err(kurrentdb::Error::ResourceNotFound | kurrentdb::Error::ResourceDeleted) => break,
                Err(e) => return Err(backend(e)),
            }
        }
        Ok(out)
    }

    /// Up to `max` user events of `$all` after `after`.
    async fn read_all_events(&self, after: Option<u64>, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        // Reading `$all` from a position includes it: ask for one more.
        let options = ReadAllOptions::default()
            .position(all_position(after))
            .forwards()
            .filter(user_events_filter())
            .max_count(max.saturating_add(1));
        let mut read = self.client.read_all(&options).await.map_err(backend)?;
        let floor = after.unwrap_or(0);
        let mut out = Vec::with_capacity(max.min(4096));
        while out.len() < max {
            match read.next().await.map_err(backend)? {
                Some(e) => {
                    if let Some(e) = convert(&e)? {
                        if after.is_none() || e.position > floor {
                            out.push(e);
                        }
                    }
                }
                None => break,
            }
        }
        Ok(out)
    }

    /// If the events' ids are already in the stream at `at`, the original
    /// result; if only some are, `IdConflict`; if none, `None`.
    async fn find_retry(&self, stream: &str, at: u64, events: &[NewEvent]) -> Result<Option<AppendResult>, StoreError> {
        let stored = self
            .read_range(stream, Direction::Forwards, Some(at), events.len())
            .await?;
        compare_ids(stream, &stored, events)
    }
}

#[async_trait::async_trait]
impl EventStore for KurrentStore {
    async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError> {
        validate_append(stream, &events)?;
        // Where the events would go, if known.
        let at = match expected {
            ExpectedVersion::NoStream => Some(0),
            ExpectedVersion::Exact(n) => n.checked_add(1),
            ExpectedVersion::Any => None,
        };
        // KurrentDB dedupes a retry itself but answers it like a fresh write;
        // look first so a retry reports `written = false` and the original
        // position.
        match at {
            Some(at) => {
                if let Some(done) = self.find_retry(stream, at, &events).await? {
                    return Ok(done);
                }
            }
            None => {
                // With Any the place is unknown; catch the common case of a
                // retry right after the first attempt: our ids at the end.
                let mut tail = self
                    .read_range(stream, Direction::Backwards, None, events.len())
                    .await?;
                tail.reverse();
                if tail.len() == events.len() && tail.iter().zip(&events).all(|(s, e)| s.id == e.id) {
                    if let Some(last) = tail.last() {
                        return Ok(AppendResult {
                            next_expected_version: last.version,
                            position: last.position,
                            written: false,
                        });
                    }
                }
            }
        }

        let data = events.iter().map(Self::event_data).collect::<Result<Vec<_>, _>>()?;
        let options = AppendToStreamOptions::default().stream_state(stream_state(expected));
        match self.client.append_to_stream(stream, &options, data).await {
            Ok(result) => {
                // Link the new events (and any a writer left unlinked).
                self.link_after_write().await;
                if result.position == Position::start() {
                    // The server reports no position for a write it deduped.
                    let last = self
                        .read_range(stream, Direction::Forwards, Some(result.next_expected_version), 1)
                        .await?;
                    if let Some(last) = last.first().filter(|e| Some(&e.id) == events.last().map(|l| &l.id)) {
                        return Ok(AppendResult {
                            next_expected_version: last.version,
                            position: last.position,
                            written: false,
                        });
                    }
                }
                Ok(AppendResult {
                    next_expected_version: result.next_expected_version,
                    position: result.position.commit,
                    written: true,
                })
            }
            Err(kurrentdb::Error::WrongExpectedVersion { current, .. }) => {
                // A concurrent identical append may have won the race.
                if let Some(at) = at {
                    if let Some(done) = self.find_retry(stream, at, &events).await? {
                        return Ok(done);
                    }
                }
                Err(StoreError::WrongExpectedVersion {
                    stream: stream.to_owned(),
                    expected,
                    actual: match current {
                        CurrentRevision::Current(v) => Some(v),
                        CurrentRevision::NoStream => None,
                    },
                })
            }
            Err(kurrentdb::Error::ResourceDeleted) => {
                Err(StoreError::InvalidAppend(format!("stream `{stream}` is deleted")))
            }
            Err(e) => Err(backend(e)),
        }
    }

    /// KurrentDB has no transaction across streams: the whole batch is
    /// checked first (each stream's current revision, the newest recorded
    /// time), then each run of consecutive events of one stream is appended
    /// with the revision it must follow. A writer racing the import can
    /// make a later run fail after earlier ones were written; what is
    /// written is then still a prefix of the batch, in order (so
    /// `samverkan migrate` resumes from it). Positions are the server's
    /// (not dense); the original recorded time travels in the metadata.
    async fn import(&self, events: Vec<RecordedEvent>) -> Result<(), StoreError> {
        validate_import(&events)?;
        let Some(first) = events.first() else {
            return Ok(());
        };
        if let Some(newest) = self.newest_event().await? {
            if first.recorded_at < newest.recorded_at {
                return Err(StoreError::InvalidAppend(format!(
                    "event {} was recorded at {}, before the newest event of this store: an import must \
                     continue the log, so recorded times must not go back; nothing of the import was written",
                    first.id, first.recorded_at
                )));
            }
        }
        let mut current: std::collections::HashMap<&str, Option<u64>> = std::collections::HashMap::new();
        for e in &events {
            let version = match current.get(e.stream.as_str()) {
                Some(v) => *v,
                None => self
                    .read_range(&e.stream, Direction::Backwards, None, 1)
                    .await?
                    .first()
                    .map(|last| last.version),
            };
            if e.version != version.map_or(0, |v| v + 1) {
                return Err(does_not_continue(e, version));
            }
            current.insert(&e.stream, Some(e.version));
        }
        let mut rest = events.as_slice();
        while let Some(first) = rest.first() {
            let run = rest.iter().take_while(|e| e.stream == first.stream).count();
            let (chunk, tail) = rest.split_at(run);
            let data = chunk.iter().map(Self::imported_data).collect::<Result<Vec<_>, _>>()?;
            let expected = match first.version {
                0 => StreamState::NoStream,
                v => StreamState::StreamRevision(v - 1),
            };
            let options = AppendToStreamOptions::default().stream_state(expected);
            match self
                .client
                .append_to_stream(first.stream.as_str(), &options, data)
                .await
            {
                Ok(_) => {}
                Err(kurrentdb::Error::WrongExpectedVersion { .. }) => {
                    self.link_after_write().await;
                    return Err(StoreError::InvalidAppend(format!(
                        "stream `{}` changed while importing (another writer appended to it): event {} no \
                         longer continues it; the events of the import before it are written",
                        first.stream, first.id
                    )));
                }
                Err(e) => {
                    self.link_after_write().await;
                    return Err(backend(e));
                }
            }
            rest = tail;
        }
        self.link_after_write().await;
        Ok(())
    }

    async fn read_stream(
        &self,
        stream: &str,
        direction: Direction,
        from: Option<u64>,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.read_range(stream, direction, from, max).await
    }

    async fn read_all(&self, after: Option<u64>, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.read_all_events(after, max).await
    }

    /// KurrentDB keeps event ids unique per stream only and has no index by
    /// event id: this backend looks the id up in the chain's link stream
    /// (newest first, a scan) and finds linked events only; the unsigned
    /// tail and ids it does not hold answer `None`. See `docs/eventstore.md`.
    async fn find_event(&self, id: uuid::Uuid) -> Result<Option<RecordedEvent>, StoreError> {
        self.find_linked(id).await
    }

    fn indexes_event_ids(&self) -> bool {
        false
    }

    fn keeps_chain(&self) -> bool {
        true
    }

    fn dense_positions(&self) -> bool {
        false
    }

    async fn read_chain(&self, after: Option<u64>, max: usize) -> Result<Vec<crate::chain::ChainedEvent>, StoreError> {
        self.chain_events(after, max).await
    }

    async fn chain_head(&self) -> Result<Option<crate::chain::ChainHead>, StoreError> {
        self.head_link().await
    }

    async fn chain_events_after(&self, position: u64) -> Result<u64, StoreError> {
        self.linked_after(position).await
    }

    async fn previous_link(&self, position: u64) -> Result<crate::chain::Hash, StoreError> {
        self.link_before(position).await
    }

    async fn record_checkpoint(&self, checkpoint: crate::chain::Checkpoint) -> Result<(), StoreError> {
        self.add_checkpoint(checkpoint).await
    }

    async fn checkpoints(&self, from: u64, max: usize) -> Result<Vec<crate::chain::Checkpoint>, StoreError> {
        self.read_checkpoints(from, max).await
    }

    async fn last_checkpoint(&self) -> Result<Option<crate::chain::Checkpoint>, StoreError> {
        self.newest_checkpoint().await
    }

    async fn head_position(&self) -> Result<Option<u64>, StoreError> {
        Ok(self.newest_event().await?.map(|e| e.position))
    }

    fn subscribe_all(&self, after: Option<u64>) -> BoxStream<'static, Result<RecordedEvent, StoreError>> {
        enum State {
            Start(Box<Client>, Option<u64>),
            Live(Box<Subscription>, Option<u64>),
            Done,
        }
        let start = State::Start(Box::new(self.client.clone()), after);
        Box::pin(futures::stream::unfold(start, |state| async move {
            let (mut sub, mut last) = match state {
                State::Done => return None,
                State::Live(sub, last) => (sub, last),
                State::Start(client, after) => {
                    let options = SubscribeToAllOptions::default()
                        .position(all_position(after))
                        .filter(user_events_filter())
                        .retry_options(RetryOptions::default().retry_limit(10));
                    (Box::new(client.subscribe_to_all(&options).await), after)
                }
            };
            loop {
                match sub.next().await {
                    Ok(resolved) => match convert(&resolved) {
                        Ok(Some(e)) => {
                            // The client resubscribes after a drop from the
                            // last event seen; never hand out one twice.
                            if last.is_some_and(|l| e.position <= l) {
                                continue;
                            }
                            last = Some(e.position);
                            return Some((Ok(e), State::Live(sub, last)));
                        }
                        Ok(None) => continue,
                        Err(e) => return Some((Err(e), State::Done)),
                    },
                    Err(e) => return Some((Err(backend(e)), State::Done)),
                }
            }
        }))
    }
}

#[cfg(test)]
mod tests;
