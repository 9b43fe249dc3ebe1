//! The public record's proofs: `eventProof(id)` gives any caller what an
//! auditor needs to check one event against a signed checkpoint without the
//! whole log — the event's canonical fields, its link, the digests and links
//! of the events after it up to the checkpoint, and the checkpoint — and
//! `checkpointKey` the Ed25519 key the checkpoints are signed with
//! (docs/eventstore.md, "Tamper evidence"; docs/security.md).
//!
//! What a proof reveals: the event itself (only if the caller may read it:
//! events of an application that is still a draft are proved only to the
//! viewers who may read the draft, everyone else gets `NOT_FOUND`, as for an
//! unknown id), and for the other events of the segment only their
//! positions, digests and links — SHA-256 values over fields that include a
//! random event id, which say nothing about the bodies.

use async_graphql::{Context, Object, Result, SimpleObject};
use samverkan_domain::ApplicationId;
use samverkan_eventstore::chain::{event_digest, hex, link, Checkpoint, EventFields};
use samverkan_eventstore::{EventStore, RecordedEvent, StoreError};
use uuid::Uuid;

use crate::context::{read_seen, state};
use crate::error::ApiError;
use crate::scalars::{DateTime, Position};

/// Most events a proof's segment holds (a checkpoint is signed every 1,000
/// events by default).
const MAX_SEGMENT: usize = 20_000;

/// An event's fields as its digest covers them (docs/eventstore.md).
#[derive(SimpleObject, Clone, Debug)]
pub struct ProofEvent {
    pub position: Position,
    pub stream: String,
    /// The 0-based version in its stream.
    pub version: u64,
    pub id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    /// The body, UTF-8 JSON text exactly as stored (its UTF-8 bytes are digested).
    pub body: String,
    pub actor: Option<String>,
    pub actor_role: Option<String>,
    pub causation_id: Option<Uuid>,
    pub correlation_id: Option<Uuid>,
    pub trace_id: Option<String>,
    pub command_fingerprint: Option<String>,
    pub recorded_at: DateTime,
    /// The recorded time in microseconds since the Unix epoch (what is digested), as a decimal string.
    pub recorded_at_micros: String,
}

/// One later event of a proof's segment: its position, digest and link.
#[derive(SimpleObject, Clone, Debug)]
pub struct ProofLink {
    pub position: Position,
    /// SHA-256 of the event's canonical encoding, hex.
    pub digest: String,
    /// The link: SHA-256(previous link || digest), hex.
    pub link: String,
}

/// A signed checkpoint of the log.
#[derive(SimpleObject, Clone, Debug)]
pub struct SignedCheckpoint {
    pub position: Position,
    /// The chain's link at that position, hex.
    pub link: String,
    pub signed_at: DateTime,
    /// The signing time in microseconds since the Unix epoch (part of the signed message), as a decimal string.
    pub signed_at_micros: String,
    /// The Ed25519 public key that signed, hex.
    pub public_key: String,
    /// The Ed25519 signature over `SVKE-CHECKPOINT-1 || position || link || signedAtMicros`, hex.
    pub signature: String,
}

impl From<&Checkpoint> for SignedCheckpoint {
    fn from(cp: &Checkpoint) -> Self {
        Self {
            position: Position(cp.position),
            link: hex(&cp.hash),
            signed_at: cp.signed_at.into(),
            signed_at_micros: cp.signed_at.timestamp_micros().to_string(),
            public_key: hex(&cp.key),
            signature: hex(&cp.signature),
        }
    }
}

/// What an auditor needs to check one event against a signed checkpoint.
#[derive(SimpleObject, Clone, Debug)]
pub struct EventProof {
    pub event: ProofEvent,
    /// SHA-256 of the event's canonical encoding, hex.
    pub digest: String,
    /// The link of the event before it (64 zeros for the first event), hex.
    pub previous_link: String,
    /// The event's link: SHA-256(previousLink || digest), hex.
    pub link: String,
    /// The events after it up to the checkpoint (or, with no checkpoint
    /// yet, up to the head of the log), in order.
    pub segment: Vec<ProofLink>,
    /// The first checkpoint at or after the event; `null` while none
    /// covers it yet (checkpoints are signed every N events and daily).
    pub checkpoint: Option<SignedCheckpoint>,
    /// Whether the server's own check of this proof passed (the links
    /// follow from the fields and reach the checkpoint, whose signature
    /// verifies); an auditor checks it for herself.
    pub verified: bool,
}

fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Unsupported(msg) => ApiError::validation("no_hash_chain", msg),
        e => ApiError::internal(format!("reading the log failed: {e}")),
    }
}

fn proof_event(e: &RecordedEvent) -> ProofEvent {
    let m = &e.metadata;
    ProofEvent {
        position: Position(e.position),
        stream: e.stream.clone(),
        version: e.version,
        id: e.id,
        event_type: e.event_type.clone(),
        schema_version: e.schema_version,
        body: String::from_utf8_lossy(&e.data).into_owned(),
        actor: m.actor.clone(),
        actor_role: m.actor_role.clone(),
        causation_id: m.causation_id,
        correlation_id: m.correlation_id,
        trace_id: m.trace_id.clone(),
        command_fingerprint: m.command_fingerprint.clone(),
        recorded_at: e.recorded_at.into(),
        recorded_at_micros: e.recorded_at.timestamp_micros().to_string(),
    }
}

/// The application an event's stream belongs to, if it is one's.
fn application_of(stream: &str) -> Option<ApplicationId> {
    stream
        .strip_prefix("application-")
        .and_then(|id| Uuid::parse_str(id).ok())
        .map(ApplicationId)
}

/// Builds the proof for `event` from the store.
async fn build(store: &dyn EventStore, event: &RecordedEvent) -> Result<EventProof, ApiError> {
    let p = event.position;
    let previous = store.previous_link(p).await.map_err(store_error)?;
    let checkpoint = store.checkpoints(p, 1).await.map_err(store_error)?.into_iter().next();
    let digest = event_digest(&EventFields::from(event));
    let own = link(&previous, &digest);
    let end = match &checkpoint {
        Some(cp) => cp.position,
        None => store.chain_head().await.map_err(store_error)?.map_or(p, |h| h.position),
    };
    let mut segment = Vec::new();
    let mut after = p;
    let mut running = own;
    let mut sound = true;
    while after < end && segment.len() < MAX_SEGMENT {
        let want = usize::try_from(end - after).unwrap_or(usize::MAX).min(1000);
        let batch = store.read_chain(Some(after), want).await.map_err(store_error)?;
        let Some(last) = batch.last() else { break };
        after = last.event.position;
        for e in batch.iter().filter(|e| e.event.position <= end) {
            let d = event_digest(&EventFields::from(&e.event));
            running = link(&running, &d);
            sound &= e.hash == Some(running);
            segment.push(ProofLink {
                position: Position(e.event.position),
                digest: hex(&d),
                link: hex(&running),
            });
        }
    }
    let verified = match &checkpoint {
        Some(cp) => sound && cp.signature_valid() && cp.hash == running && after.max(p) == cp.position,
        None => false,
    };
    Ok(EventProof {
        event: proof_event(event),
        digest: hex(&digest),
        previous_link: hex(&previous),
        link: hex(&own),
        segment,
        checkpoint: checkpoint.as_ref().map(SignedCheckpoint::from),
        verified,
    })
}

#[derive(Default)]
pub struct ProofQuery;

#[Object]
impl ProofQuery {
    /// The Ed25519 public key (hex) the server signs the log's checkpoints
    /// with; `null` when the store keeps no hash chain. Compare it with the
    /// one the organisation publishes (and `samverkan keys` prints).
    async fn checkpoint_key(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        crate::context::principal(ctx)?;
        Ok(state(ctx)?.checkpoint_key.as_ref().map(|k| hex(k)))
    }

    /// A proof that the event with this id is in the log unaltered: its
    /// canonical fields, its link, the chain from it to the next signed
    /// checkpoint and that checkpoint (docs/eventstore.md, "Tamper
    /// evidence", says how to check it). For any caller who may read the
    /// event: an event of an unsubmitted application the caller may not
    /// read is `NOT_FOUND`, like an unknown id. Answers from the store, not
    /// the read models (no time axis applies).
    async fn event_proof(&self, ctx: &Context<'_>, id: Uuid) -> Result<EventProof> {
        let store = state(ctx)?.store.clone();
        let not_found = || ApiError::not_found(format!("no event with id {id}"));
        let event = store.find_event(id).await.map_err(store_error)?.ok_or_else(not_found)?;
        if let Some(application) = application_of(&event.stream) {
            // Judged on read models that include the event (else NOT_READY),
            // and closed for an application they do not know: the event's
            // body is never shown on the strength of a lagging read model.
            let at = Some(Position(event.position));
            let visible = read_seen(ctx, at, |seen| seen.may_see_known_id(&application)).await?;
            if !visible {
                return Err(not_found().into());
            }
        } else {
            crate::context::principal(ctx)?;
        }
        if !store.keeps_chain() {
            return Err(store_error(StoreError::Unsupported(
                "this event store keeps no hash chain: there is no proof to give".into(),
            ))
            .into());
        }
        // A checkpoint may be signed at any moment: never from the response cache.
        ctx.insert_http_header("cache-control", "no-store");
        Ok(build(store.as_ref(), &event).await?)
    }
}
