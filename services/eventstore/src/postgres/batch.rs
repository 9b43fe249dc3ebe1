//! Judging one batch of appends under the log-head lock, in memory: which
//! appends are retries, which are refused, and the rows (positions
//! `head+1..head+n`, in queue order) the accepted ones insert.
//!
//! The writer reads, under the lock, the current version of every stream the
//! batch touches and every stored event carrying one of the batch's ids;
//! nothing else can change them until the commit, so refusing here is as
//! good as refusing in SQL, and no savepoint is needed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{AppendResult, EventMetadata, ExpectedVersion, NewEvent, StoreError};

/// Where a stored (or earlier accepted) event id sits.
#[derive(Debug, Clone)]
pub(crate) struct Placed {
    pub stream: String,
    pub version: u64,
    pub position: u64,
}

/// One row to insert, borrowing the append's event.
pub(crate) struct Row<'a> {
    pub position: u64,
    pub stream: &'a str,
    pub version: u64,
    pub id: Uuid,
    pub event_type: &'a str,
    pub schema_version: u32,
    pub data: &'a [u8],
    pub metadata: &'a EventMetadata,
    pub recorded_at: DateTime<Utc>,
}

/// An append as the batch sees it.
pub(crate) struct Append<'a> {
    pub stream: &'a str,
    pub expected: ExpectedVersion,
    pub events: &'a [NewEvent],
}

pub(crate) struct Plan<'a> {
    pub results: Vec<Result<AppendResult, StoreError>>,
    pub rows: Vec<Row<'a>>,
    /// The head after the accepted appends.
    pub head: u64,
}

/// Judges `appends` in order against the stored state read under the lock:
/// `versions` holds each touched stream's last version (absent: no events),
/// `placed` every stored event with one of the batch's ids.
pub(crate) fn plan<'a>(
    appends: &[Append<'a>],
    mut head: u64,
    mut versions: HashMap<String, u64>,
    mut placed: HashMap<Uuid, Placed>,
    now: DateTime<Utc>,
) -> Plan<'a> {
    let mut results = Vec::with_capacity(appends.len());
    let mut rows = Vec::new();
    for append in appends {
        let result = judge(append, &versions, &placed);
        match result {
            Judged::Done(r) => results.push(r),
            Judged::Accept { first_version } => {
                let mut last = (first_version, head);
                for (i, e) in append.events.iter().enumerate() {
                    head += 1;
                    let version = first_version + i as u64;
                    last = (version, head);
                    placed.insert(
                        e.id,
                        Placed {
                            stream: append.stream.to_owned(),
                            version,
                            position: head,
                        },
                    );
                    rows.push(Row {
                        position: head,
                        stream: append.stream,
                        version,
                        id: e.id,
                        event_type: &e.event_type,
                        schema_version: e.schema_version,
                        data: &e.data,
                        metadata: &e.metadata,
                        recorded_at: now,
                    });
                }
                versions.insert(append.stream.to_owned(), last.0);
                results.push(Ok(AppendResult {
                    next_expected_version: last.0,
                    position: last.1,
                    written: true,
                }));
            }
        }
    }
    Plan { results, rows, head }
}

enum Judged {
    Done(Result<AppendResult, StoreError>),
    Accept { first_version: u64 },
}

fn judge(append: &Append<'_>, versions: &HashMap<String, u64>, placed: &HashMap<Uuid, Placed>) -> Judged {
    let in_stream = |id: &Uuid| placed.get(id).filter(|p| p.stream == append.stream);
    let conflict = || {
        Judged::Done(Err(StoreError::IdConflict {
            stream: append.stream.to_owned(),
        }))
    };
    // Idempotency: the first id in the stream and the stored events from
    // there on carrying exactly our ids is a retry, answered with the
    // original result; any other overlap with the stream is a conflict.
    if let Some(first) = in_stream(&append.events[0].id) {
        let retry = append
            .events
            .iter()
            .enumerate()
            .all(|(i, e)| in_stream(&e.id).map(|p| p.version) == Some(first.version + i as u64));
        let last = append.events.last().and_then(|e| in_stream(&e.id));
        return match last {
            Some(last) if retry => Judged::Done(Ok(AppendResult {
                next_expected_version: last.version,
                position: last.position,
                written: false,
            })),
            _ => conflict(),
        };
    }
    if append.events[1..].iter().any(|e| in_stream(&e.id).is_some()) {
        return conflict();
    }
    // Event ids are unique across the store.
    if let Some((id, p)) = append.events.iter().find_map(|e| placed.get(&e.id).map(|p| (e.id, p))) {
        return Judged::Done(Err(StoreError::DuplicateEventId {
            id,
            stream: p.stream.clone(),
        }));
    }
    let current = versions.get(append.stream).copied();
    let ok = match append.expected {
        ExpectedVersion::Any => true,
        ExpectedVersion::NoStream => current.is_none(),
        ExpectedVersion::Exact(n) => current == Some(n),
    };
    if !ok {
        return Judged::Done(Err(StoreError::WrongExpectedVersion {
            stream: append.stream.to_owned(),
            expected: append.expected,
            actual: current,
        }));
    }
    Judged::Accept {
        first_version: current.map_or(0, |c| c + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::event;

    fn append<'a>(stream: &'a str, expected: ExpectedVersion, events: &'a [NewEvent]) -> Append<'a> {
        Append {
            stream,
            expected,
            events,
        }
    }

    #[test]
    fn one_batch_judges_appends_in_order() {
        let a = vec![event("A", serde_json::json!({})), event("A", serde_json::json!({}))];
        let b = vec![event("B", serde_json::json!({}))];
        let c = vec![event("C", serde_json::json!({}))];
        let appends = [
            append("s", ExpectedVersion::NoStream, &a),
            // A retry of the first, in the same batch.
            append("s", ExpectedVersion::NoStream, &a),
            // Loses to the first.
            append("s", ExpectedVersion::NoStream, &b),
            append("s", ExpectedVersion::Exact(1), &b),
            // Reuses an id of stream `s`.
            append("t", ExpectedVersion::Any, &a[1..]),
            append("t", ExpectedVersion::Any, &c),
        ];
        let plan = plan(&appends, 10, HashMap::new(), HashMap::new(), Utc::now());
        let positions: Vec<u64> = plan.rows.iter().map(|r| r.position).collect();
        assert_eq!(positions, vec![11, 12, 13, 14], "dense after the head, in order");
        assert_eq!(plan.head, 14);
        let r = &plan.results;
        assert!(matches!(
            r[0],
            Ok(AppendResult {
                written: true,
                position: 12,
                next_expected_version: 1
            })
        ));
        assert!(matches!(
            r[1],
            Ok(AppendResult {
                written: false,
                position: 12,
                next_expected_version: 1
            })
        ));
        assert!(matches!(
            r[2],
            Err(StoreError::WrongExpectedVersion { actual: Some(1), .. })
        ));
        assert!(matches!(
            r[3],
            Ok(AppendResult {
                written: true,
                position: 13,
                next_expected_version: 2
            })
        ));
        assert!(matches!(&r[4], Err(StoreError::DuplicateEventId { stream, .. }) if stream == "s"));
        assert!(matches!(
            r[5],
            Ok(AppendResult {
                written: true,
                position: 14,
                next_expected_version: 0
            })
        ));
    }

    #[test]
    fn stored_state_decides_retries_and_conflicts() {
        let a = vec![event("A", serde_json::json!({})), event("A", serde_json::json!({}))];
        let placed: HashMap<Uuid, Placed> = a
            .iter()
            .enumerate()
            .map(|(i, e)| {
                (
                    e.id,
                    Placed {
                        stream: "s".into(),
                        version: 3 + i as u64,
                        position: 40 + i as u64,
                    },
                )
            })
            .collect();
        let versions = HashMap::from([("s".to_string(), 9)]);
        let extra = [a[0].clone(), event("A", serde_json::json!({}))];
        let appends = [
            append("s", ExpectedVersion::Exact(2), &a),
            append("s", ExpectedVersion::Any, &extra),
        ];
        let plan = plan(&appends, 50, versions, placed, Utc::now());
        assert!(plan.rows.is_empty());
        assert!(matches!(
            plan.results[0],
            Ok(AppendResult {
                written: false,
                position: 41,
                next_expected_version: 4
            })
        ));
        assert!(matches!(plan.results[1], Err(StoreError::IdConflict { .. })));
    }
}
