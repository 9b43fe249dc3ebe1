//! The log the read models keep: every applied event, compact. An entry is a
//! fixed-size record (position, time, business date, interned type, actor,
//! role, application and subjects) in chunked storage; the event itself is
//! kept in its compact form (MessagePack with field names, at its current
//! schema version: about 0.7× the JSON the store gives, ids as 16 bytes,
//! see [`AnyEvent::write_compact`]) and decoded again only when a timeline
//! line or an as-of refold needs it, which reads one subject's or one
//! entity's entries. The decoded event is never kept: it costs several
//! times its compact form.

mod chunks;
mod describe;

use std::hash::Hash;

use chrono::{DateTime, NaiveDate, Utc};
use samverkan_domain::{AnyEvent, ApplicationId, ConsortiumCode, MunicipalityCode};
use serde::{Deserialize, Serialize};

use self::chunks::{Chunks, Place};
pub use self::describe::business_date;
pub(crate) use self::describe::{consortium_key, municipality_key, strategy_keys, summarize};
use super::model::HashMap;
use super::views::Recorded;

/// A decoded event with its place in the log (decoded for the fold, not kept).
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub at: Recorded,
    pub event: AnyEvent,
}

/// What an event concerns: a municipality or a consortium.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Subject {
    Municipality(MunicipalityCode),
    Consortium(ConsortiumCode),
}

impl Subject {
    /// Parse `municipality:SE-1487` or `consortium:V6`.
    pub fn parse(s: &str) -> Option<Subject> {
        match s.split_once(':')? {
            ("municipality", c) => MunicipalityCode::parse(c).ok().map(Subject::Municipality),
            ("consortium", c) => ConsortiumCode::parse(c).ok().map(Subject::Consortium),
            _ => None,
        }
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Municipality(m) => write!(f, "municipality:{m}"),
            Subject::Consortium(c) => write!(f, "consortium:{c}"),
        }
    }
}

/// One applied event in log order, as the log keeps it (48 bytes, no
/// allocation of its own; read its parts through [`Log`]).
#[derive(Debug, Clone, Copy)]
pub struct LogEntry {
    position: u64,
    /// Recorded at, in nanoseconds since the epoch, UTC (both stores record
    /// whole microseconds, always within the years 1677–2262 this covers).
    recorded_at: i64,
    data: Place,
    /// The date the event's decision gives it ([`business_date`]).
    pub business_date: Option<NaiveDate>,
    /// Actor and role, interned as a pair (few pairs, one id).
    who: u32,
    application: u32,
    /// Index of the first subject id (see [`Chunks::index`]).
    subjects: u32,
    data_len: u32,
    kind: u16,
    subject_count: u16,
}

// A million events cost 48 MB of entries: keep it so.
const _: () = assert!(std::mem::size_of::<LogEntry>() == 48);

impl LogEntry {
    /// Position and recording time.
    pub fn at(&self) -> Recorded {
        Recorded {
            position: self.position,
            recorded_at: DateTime::from_timestamp_nanos(self.recorded_at),
        }
    }

    pub fn position(&self) -> u64 {
        self.position
    }
}

/// No interned value (`None`).
const NONE: u32 = u32::MAX;

/// Values stored once, named by their index.
#[derive(Debug)]
struct Interner<T> {
    values: Vec<T>,
    index: HashMap<T, u32>,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Self {
            values: vec![],
            index: HashMap::default(),
        }
    }
}

impl<T: Hash + Eq> Interner<T> {
    fn id<Q>(&mut self, value: &Q) -> u32
    where
        T: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized + ToOwned<Owned = T>,
    {
        if let Some(&id) = self.index.get(value) {
            return id;
        }
        let id = self.values.len() as u32;
        self.values.push(value.to_owned());
        self.index.insert(value.to_owned(), id);
        id
    }

    fn get(&self, id: u32) -> Option<&T> {
        self.values.get(id as usize)
    }
}

/// Entries per chunk of the entry store.
const ENTRIES: usize = 16_384;
/// Bytes per chunk of the event store (a longer event gets a chunk of its own).
const BYTES: usize = 1 << 20;
/// Subject ids per chunk.
const SUBJECTS: usize = 65_536;

/// Every applied event in log order (see the module's documentation).
#[derive(Debug)]
pub struct Log {
    /// Names this log: a snapshot copier notices that the models were replaced.
    generation: u64,
    entries: Chunks<LogEntry, ENTRIES>,
    data: Chunks<u8, BYTES>,
    subject_ids: Chunks<u32, SUBJECTS>,
    subjects: Interner<Subject>,
    /// Event type and schema version of the kept compact form.
    kinds: Interner<(&'static str, u32)>,
    /// Actors and roles.
    names: Interner<String>,
    /// Actor and role pairs (ids in `names`).
    who: Interner<(u32, u32)>,
    applications: Interner<ApplicationId>,
    /// Where an event is encoded before it is copied into `data`.
    scratch: Vec<u8>,
}

impl Default for Log {
    fn default() -> Self {
        static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Self {
            generation: GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            entries: Chunks::default(),
            data: Chunks::default(),
            subject_ids: Chunks::default(),
            subjects: Interner::default(),
            kinds: Interner::default(),
            names: Interner::default(),
            who: Interner::default(),
            applications: Interner::default(),
            scratch: vec![],
        }
    }
}

/// Entry by entry, as decoded: position, recorded at, event type, schema
/// version, the event as JSON, actor, actor role, subjects (for tests that
/// compare whole models).
impl Serialize for Log {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for i in 0..self.len() as u32 {
            let Some(e) = self.get(i) else { break };
            let (t, v, data) = self.raw(e);
            let event = AnyEvent::from_compact(t, v, data).map_err(serde::ser::Error::custom)?;
            let json = event.encode().2;
            let subjects: Vec<String> = self.subjects(e).map(Subject::to_string).collect();
            seq.serialize_element(&(
                e.position,
                e.at().recorded_at,
                t,
                v,
                json,
                self.actor(e),
                self.actor_role(e),
                subjects,
            ))?;
        }
        seq.end()
    }
}

/// An event to append: its decoded form (for the facts the entry keeps) and,
/// when it was read from a snapshot, the compact form it had there (else it
/// is encoded from the decoded event).
pub(crate) struct Append<'a> {
    pub at: Recorded,
    pub event: &'a AnyEvent,
    pub compact: Option<&'a [u8]>,
    pub actor: Option<&'a str>,
    pub actor_role: Option<&'a str>,
    pub subjects: &'a [Subject],
}

impl Log {
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// Entries in the log.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }

    /// Bytes the log holds on the heap (its chunks; the interned names and
    /// subjects are few and not counted).
    pub fn heap_bytes(&self) -> usize {
        self.entries.heap_bytes() + self.data.heap_bytes() + self.subject_ids.heap_bytes()
    }

    /// The `i`-th entry.
    pub fn get(&self, i: u32) -> Option<&LogEntry> {
        self.entries.get(i as usize)
    }

    /// Append an entry; returns its index.
    pub(crate) fn push(&mut self, a: Append<'_>) -> u32 {
        let index = self.entries.len() as u32;
        let mut name = |s: Option<&str>| s.map_or(NONE, |s| self.names.id(s));
        let pair = (name(a.actor), name(a.actor_role));
        let who = self.who.id(&pair);
        let ids: Vec<u32> = a.subjects.iter().map(|s| self.subjects.id(s)).collect();
        let application = match a.event {
            AnyEvent::Application(e) => self.applications.id(&e.application()),
            _ => NONE,
        };
        let data = match a.compact {
            Some(data) => data,
            None => {
                self.scratch.clear();
                a.event.write_compact(&mut self.scratch);
                &self.scratch
            }
        };
        let subjects = self.subject_ids.push_slice(&ids);
        let entry = LogEntry {
            position: a.at.position,
            recorded_at: a
                .at
                .recorded_at
                .timestamp_nanos_opt()
                .unwrap_or(if a.at.recorded_at.timestamp() < 0 {
                    i64::MIN
                } else {
                    i64::MAX
                }),
            business_date: business_date(a.event),
            kind: self.kinds.id(&(a.event.event_type(), a.event.schema_version())) as u16,
            subject_count: ids.len() as u16,
            who,
            application,
            subjects: self.subject_ids.index(subjects),
            data: self.data.push_slice(data),
            data_len: data.len() as u32,
        };
        self.entries.push(entry);
        index
    }

    /// The event's type and schema version, and its compact form.
    pub fn raw(&self, e: &LogEntry) -> (&'static str, u32, &[u8]) {
        let (t, v) = self.kinds.get(u32::from(e.kind)).copied().unwrap_or(("", 0));
        (t, v, self.data.slice(e.data, e.data_len as usize))
    }

    pub fn event_type(&self, e: &LogEntry) -> &'static str {
        self.raw(e).0
    }

    /// The event, decoded again from its compact form (it was decoded when
    /// applied, so this reads).
    pub fn event(&self, e: &LogEntry) -> Option<AnyEvent> {
        let (t, v, data) = self.raw(e);
        AnyEvent::from_compact(t, v, data).ok()
    }

    /// The `i`-th entry's event with its place in the log.
    pub fn stored(&self, i: u32) -> Option<Stored> {
        let e = self.get(i)?;
        Some(Stored {
            at: e.at(),
            event: self.event(e)?,
        })
    }

    pub fn actor(&self, e: &LogEntry) -> Option<&str> {
        let &(actor, _) = self.who.get(e.who)?;
        self.names.get(actor).map(String::as_str)
    }

    pub fn actor_role(&self, e: &LogEntry) -> Option<&str> {
        let &(_, role) = self.who.get(e.who)?;
        self.names.get(role).map(String::as_str)
    }

    /// The application an event belongs to (drafts are visible to fewer readers).
    pub fn application(&self, e: &LogEntry) -> Option<ApplicationId> {
        self.applications.get(e.application).copied()
    }

    /// What the event concerns.
    pub fn subjects<'a>(&'a self, e: &LogEntry) -> impl Iterator<Item = &'a Subject> + 'a {
        self.subject_ids
            .slice_at(e.subjects, usize::from(e.subject_count))
            .iter()
            .filter_map(|&id| self.subjects.get(id))
    }

    /// Whether the event's own date is after `valid_at` (it had not happened
    /// yet on that day). Events without a business date are never after.
    pub fn after_business_day(e: &LogEntry, valid_at: Option<NaiveDate>) -> bool {
        valid_at.is_some_and(|day| e.business_date.is_some_and(|d| d > day))
    }

    /// The timeline line for the `i`-th entry.
    pub fn timeline(&self, i: u32) -> Option<TimelineEntry> {
        let e = self.get(i)?;
        let event = self.event(e)?;
        Some(TimelineEntry {
            position: e.position,
            recorded_at: e.at().recorded_at,
            stream: describe::stream(&event),
            event_type: self.event_type(e).to_string(),
            actor: self.actor(e).map(str::to_string),
            actor_role: self.actor_role(e).map(str::to_string),
            summary: summarize(&event),
            subjects: self.subjects(e).map(Subject::to_string).collect(),
            application: self.application(e),
        })
    }
}

/// One line of a timeline, as queries and subscriptions return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub position: u64,
    pub recorded_at: DateTime<Utc>,
    pub stream: String,
    pub event_type: String,
    pub actor: Option<String>,
    pub actor_role: Option<String>,
    pub summary: String,
    /// Subjects the event concerns: `municipality:SE-1487`, `consortium:V6`.
    pub subjects: Vec<String>,
    /// For applications: the application id (drafts are visible to fewer readers).
    pub application: Option<ApplicationId>,
}

pub fn municipality_subject(m: &MunicipalityCode) -> String {
    format!("municipality:{m}")
}
pub fn consortium_subject(c: &ConsortiumCode) -> String {
    format!("consortium:{c}")
}
