//! The hash chain of a KurrentDB store, on the server: writing links to the
//! companion stream right after the store's own appends, reading the chain
//! back, and the checkpoints (see `links.rs` for the records and
//! `docs/eventstore.md`, "Tamper evidence").

use kurrentdb::{AppendToStreamOptions, EventData, ReadStreamOptions, StreamPosition, StreamState};

use super::links::{build_links, ordered_checkpoints, pair, CheckpointRecord, LinkRecord, CHECKPOINT_TYPE, LINK_TYPE};
use super::{backend, KurrentStore};
use crate::chain::{ChainHead, ChainedEvent, Checkpoint, Hash, GENESIS};
use crate::StoreError;

/// Log events linked per write to the chain stream.
const LINK_STEP: usize = 500;
/// How often a writer re-reads the chain's tip after another writer
/// extended it first, before leaving the rest to the next append.
const LINK_RACES: usize = 8;

/// The companion streams a store keeps its chain in.
#[derive(Debug, Clone)]
pub struct ChainStreams {
    pub links: String,
    pub checkpoints: String,
}

impl Default for ChainStreams {
    fn default() -> Self {
        ChainStreams {
            links: super::links::CHAIN_STREAM.into(),
            checkpoints: super::links::CHECKPOINT_STREAM.into(),
        }
    }
}

fn corrupt(stream: &str, reason: String) -> StoreError {
    StoreError::Corrupt {
        path: format!("kurrentdb stream `{stream}`"),
        reason,
    }
}

impl KurrentStore {
    /// Up to `count` events of a companion stream from `from` (revision),
    /// as (revision, body); a missing stream reads as empty.
    async fn read_companion(
        &self,
        stream: &str,
        from: StreamPosition<u64>,
        backwards: bool,
        count: usize,
    ) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let options = ReadStreamOptions::default().position(from).max_count(count);
        let options = if backwards {
            options.backwards()
        } else {
            options.forwards()
        };
        let mut read = match self.client.read_stream(stream, &options).await {
            Ok(r) => r,
            Err(kurrentdb::Error::ResourceNotFound) => return Ok(Vec::new()),
            Err(e) => return Err(backend(e)),
        };
        let mut out = Vec::new();
        loop {
            match read.next().await {
                Ok(Some(e)) => {
                    if let Some(e) = e.event.as_ref() {
                        out.push((e.revision, e.data.to_vec()));
                    }
                }
                Ok(None) | Err(kurrentdb::Error::ResourceNotFound) => break,
                Err(e) => return Err(backend(e)),
            }
        }
        Ok(out)
    }

    /// The link stream's last revision and record.
    async fn chain_tip(&self) -> Result<Option<(u64, LinkRecord)>, StoreError> {
        let stream = &self.chain.links;
        let last = self.read_companion(stream, StreamPosition::End, true, 1).await?;
        match last.into_iter().next() {
            None => Ok(None),
            Some((revision, body)) => {
                let record = LinkRecord::from_json(&body).map_err(|r| corrupt(stream, r))?;
                Ok(Some((revision, record)))
            }
        }
    }

    /// The link record at `revision`.
    async fn link_at(&self, revision: u64) -> Result<Option<LinkRecord>, StoreError> {
        let stream = &self.chain.links;
        let got = self
            .read_companion(stream, StreamPosition::Position(revision), false, 1)
            .await?;
        got.into_iter()
            .next()
            .filter(|(r, _)| *r == revision)
            .map(|(_, body)| LinkRecord::from_json(&body).map_err(|r| corrupt(stream, r)))
            .transpose()
    }

    /// The revision of the first link at or after `position` (binary search:
    /// links are in position order), and the tip; `None` when no link is.
    async fn first_link_from(&self, position: u64) -> Result<Option<(u64, LinkRecord)>, StoreError> {
        let Some((last, tip)) = self.chain_tip().await? else {
            return Ok(None);
        };
        if tip.position < position {
            return Ok(None);
        }
        let (mut lo, mut hi) = (0u64, last);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.link_at(mid).await? {
                Some(l) if l.position < position => lo = mid + 1,
                _ => hi = mid,
            }
        }
        Ok(Some((lo, tip)))
    }

    /// Links every event of `$all` after the chain's tip. Only one writer
    /// extends the chain: each write expects the tip it read, and a writer
    /// that loses the race re-reads it and goes on from there.
    pub(super) async fn extend_chain(&self) -> Result<(), StoreError> {
        let mut races = 0;
        loop {
            let tip = self.chain_tip().await?;
            let prev: Hash = match &tip {
                None => GENESIS,
                Some((_, l)) => l
                    .link()
                    .ok_or_else(|| corrupt(&self.chain.links, "the last link is not 32 bytes of hex".into()))?,
            };
            let after = tip.as_ref().map(|(_, l)| l.position);
            let events = self.read_all_events(after, LINK_STEP).await?;
            if events.is_empty() {
                return Ok(());
            }
            let data = build_links(prev, &events)
                .iter()
                .map(|l| EventData::json(LINK_TYPE, l).map(|d| d.id(l.link_event_id())))
                .collect::<Result<Vec<_>, _>>()
                .map_err(backend)?;
            let expected = tip.map_or(StreamState::NoStream, |(r, _)| StreamState::StreamRevision(r));
            let options = AppendToStreamOptions::default().stream_state(expected);
            match self
                .client
                .append_to_stream(self.chain.links.as_str(), &options, data)
                .await
            {
                Ok(_) if events.len() < LINK_STEP => return Ok(()),
                Ok(_) => races = 0,
                Err(kurrentdb::Error::WrongExpectedVersion { .. }) if races < LINK_RACES => races += 1,
                Err(kurrentdb::Error::WrongExpectedVersion { .. }) => return Ok(()),
                Err(e) => return Err(backend(e)),
            }
        }
    }

    /// Links what is unlinked; a failure is logged, not returned: the
    /// events are written, and the next append links them.
    pub(super) async fn link_after_write(&self) {
        if let Err(e) = self.extend_chain().await {
            tracing::warn!(error = %e, "could not link the new events in the chain stream; the next append will");
        }
    }

    pub(super) async fn chain_events(&self, after: Option<u64>, max: usize) -> Result<Vec<ChainedEvent>, StoreError> {
        let events = self.read_all_events(after, max).await?;
        let Some(first) = events.first() else {
            return Ok(Vec::new());
        };
        let Some((from, tip)) = self.first_link_from(first.position).await? else {
            return Ok(Vec::new());
        };
        let stream = &self.chain.links;
        let links = self
            .read_companion(stream, StreamPosition::Position(from), false, max.max(1))
            .await?
            .into_iter()
            .map(|(_, body)| LinkRecord::from_json(&body).map_err(|r| corrupt(stream, r)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(pair(events, &links, Some(tip.position)))
    }

    /// The linked event with this id: the link stream is scanned newest
    /// first for it, then the event read from its stream.
    pub(super) async fn find_linked(&self, id: uuid::Uuid) -> Result<Option<crate::RecordedEvent>, StoreError> {
        let stream = &self.chain.links;
        let mut from = StreamPosition::End;
        loop {
            let batch = self.read_companion(stream, from, true, 1000).await?;
            let Some((oldest, _)) = batch.last() else {
                return Ok(None);
            };
            let oldest = *oldest;
            for (_, body) in &batch {
                let link = LinkRecord::from_json(body).map_err(|r| corrupt(stream, r))?;
                if link.event_id == id {
                    let found = self
                        .read_range(&link.stream, crate::Direction::Forwards, Some(link.version), 1)
                        .await?;
                    return Ok(found.into_iter().next().filter(|e| e.id == id));
                }
            }
            match oldest.checked_sub(1) {
                Some(next) => from = StreamPosition::Position(next),
                None => return Ok(None),
            }
        }
    }

    pub(super) async fn head_link(&self) -> Result<Option<ChainHead>, StoreError> {
        let Some((_, tip)) = self.chain_tip().await? else {
            return Ok(None);
        };
        let hash = tip
            .link()
            .ok_or_else(|| corrupt(&self.chain.links, "the last link is not 32 bytes of hex".into()))?;
        Ok(Some(ChainHead {
            position: tip.position,
            hash,
        }))
    }

    /// The number of links after `position`: revisions count them.
    pub(super) async fn linked_after(&self, position: u64) -> Result<u64, StoreError> {
        let Some(from) = position.checked_add(1) else {
            return Ok(0);
        };
        Ok(match self.first_link_from(from).await? {
            None => 0,
            Some((first, _)) => match self.chain_tip().await? {
                Some((last, _)) => (last + 1).saturating_sub(first),
                None => 0,
            },
        })
    }

    /// The link just before `position`: the last link whose position is
    /// lower (the chain's order, whatever the gaps between positions).
    pub(super) async fn link_before(&self, position: u64) -> Result<Hash, StoreError> {
        let revision = match self.first_link_from(position).await? {
            Some((0, _)) => return Ok(GENESIS),
            Some((r, _)) => r - 1,
            None => match self.chain_tip().await? {
                Some((r, _)) => r,
                None => return Ok(GENESIS),
            },
        };
        Ok(self.link_at(revision).await?.and_then(|l| l.link()).unwrap_or(GENESIS))
    }

    /// Every checkpoint event, with the stream's last revision.
    async fn all_checkpoints(&self) -> Result<(Vec<Checkpoint>, Option<u64>), StoreError> {
        let stream = &self.chain.checkpoints;
        let mut out = Vec::new();
        let mut last = None;
        let mut from = StreamPosition::Start;
        loop {
            let batch = self.read_companion(stream, from, false, 1000).await?;
            let Some((tail, _)) = batch.last() else { break };
            let next = tail + 1;
            for (revision, body) in batch {
                out.push(CheckpointRecord::parse(&body).map_err(|r| corrupt(stream, r))?);
                last = Some(revision);
            }
            from = StreamPosition::Position(next);
        }
        Ok((out, last))
    }

    pub(super) async fn read_checkpoints(&self, from: u64, max: usize) -> Result<Vec<Checkpoint>, StoreError> {
        let (all, _) = self.all_checkpoints().await?;
        Ok(ordered_checkpoints(all)
            .into_iter()
            .filter(|c| c.position >= from)
            .take(max)
            .collect())
    }

    pub(super) async fn newest_checkpoint(&self) -> Result<Option<Checkpoint>, StoreError> {
        let (all, _) = self.all_checkpoints().await?;
        Ok(ordered_checkpoints(all).pop())
    }

    pub(super) async fn add_checkpoint(&self, cp: Checkpoint) -> Result<(), StoreError> {
        let linked = match self.first_link_from(cp.position).await? {
            Some((revision, _)) => self.link_at(revision).await?,
            None => None,
        };
        if linked
            .as_ref()
            .filter(|l| l.position == cp.position)
            .and_then(|l| l.link())
            != Some(cp.hash)
        {
            return Err(StoreError::InvalidAppend(format!(
                "the checkpoint names position {} with a link the chain does not have there",
                cp.position
            )));
        }
        let record = CheckpointRecord::from(&cp);
        for _ in 0..LINK_RACES {
            let (all, last) = self.all_checkpoints().await?;
            if all.iter().any(|c| c.position == cp.position) {
                return Ok(());
            }
            let expected = last.map_or(StreamState::NoStream, StreamState::StreamRevision);
            let options = AppendToStreamOptions::default().stream_state(expected);
            let data = EventData::json(CHECKPOINT_TYPE, &record)
                .map_err(backend)?
                .id(record.event_id());
            match self
                .client
                .append_to_stream(self.chain.checkpoints.as_str(), &options, data)
                .await
            {
                Ok(_) => return Ok(()),
                Err(kurrentdb::Error::WrongExpectedVersion { .. }) => continue,
                Err(e) => return Err(backend(e)),
            }
        }
        Err(StoreError::Backend(format!(
            "kurrentdb: the checkpoint stream `{}` kept changing while recording a checkpoint",
            self.chain.checkpoints
        )))
    }
}
