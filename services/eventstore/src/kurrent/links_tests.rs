use super::*;
use crate::chain::{checkpoint_message, Verifier, GENESIS};
use crate::EventMetadata;

fn recorded(stream: &str, version: u64, position: u64, micros: i64) -> RecordedEvent {
    RecordedEvent {
        id: Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("{stream}/{version}").as_bytes()),
        stream: stream.into(),
        version,
        position,
        event_type: "Happened".into(),
        schema_version: 1,
        data: format!("{{\"v\":{version}}}").into_bytes(),
        metadata: EventMetadata {
            actor: Some("dev-admin".into()),
            ..EventMetadata::default()
        },
        recorded_at: DateTime::from_timestamp_micros(micros).expect("a time"),
    }
}

/// Four events at sparse commit positions, as KurrentDB gives them.
fn log() -> Vec<RecordedEvent> {
    vec![
        recorded("a", 0, 1_000, 10),
        recorded("b", 0, 1_480, 20),
        recorded("a", 1, 2_210, 30),
        recorded("a", 2, 2_900, 40),
    ]
}

#[test]
fn link_events_round_trip_and_chain_like_the_spec() {
    let events = log();
    let links = build_links(GENESIS, &events);
    assert_eq!(links.len(), 4);
    let mut prev = GENESIS;
    for (l, e) in links.iter().zip(&events) {
        prev = next_link(&prev, &EventFields::from(e));
        assert_eq!(l.link(), Some(prev));
        assert_eq!(
            (l.position, l.event_id, l.stream.as_str(), l.version),
            (e.position, e.id, e.stream.as_str(), e.version)
        );
        let back = LinkRecord::from_json(&l.to_json()).expect("parses");
        assert_eq!(&back, l);
    }
    let json: serde_json::Value = serde_json::from_slice(&links[0].to_json()).expect("json");
    assert_eq!(json["position"], 1_000);
    assert_eq!(json["eventId"], events[0].id.to_string());
    assert_eq!(json["hash"], hex(&links[0].link().expect("a link")));
    // The link event's id is fixed by the event's: a retried write dedupes.
    assert_eq!(
        links[0].link_event_id(),
        build_links(GENESIS, &events[..1])[0].link_event_id()
    );
    assert_ne!(links[0].link_event_id(), links[1].link_event_id());
    assert!(LinkRecord::from_json(b"{\"position\":1}").is_err());
}

#[test]
fn paired_events_verify_with_sparse_positions() {
    let events = log();
    let links = build_links(GENESIS, &events);
    let chained = pair(events.clone(), &links, Some(2_900));
    assert_eq!(chained.len(), 4);
    let mut verifier = Verifier::new(Vec::new(), None).sparse_positions();
    for e in &chained {
        verifier.push(e).expect("sound");
    }
    let report = verifier.finish().expect("sound");
    assert_eq!(report.events, 4);
    assert_eq!(report.head.map(|h| h.position), Some(2_900));
    assert_eq!(report.head.map(|h| h.hash), links[3].link());
    // The dense verifier (SQLite, PostgreSQL) would call the jump a gap.
    let mut dense = Verifier::new(Vec::new(), None);
    assert!(matches!(
        dense.push(&chained[0]),
        Err(crate::chain::Finding::MissingPosition { .. })
    ));
}

#[test]
fn the_unsigned_tail_is_left_out_and_a_later_read_continues() {
    let events = log();
    let links = build_links(GENESIS, &events[..2]);
    // The chain's head is the second event: the last two are the tail.
    let chained = pair(events.clone(), &links, Some(1_480));
    assert_eq!(
        chained.iter().map(|c| c.event.position).collect::<Vec<_>>(),
        vec![1_000, 1_480]
    );
    assert!(chained.iter().all(|c| c.hash.is_some()));
    // No link at all after the read's start: nothing (all tail).
    assert!(pair(events[2..].to_vec(), &[], Some(1_480)).is_empty());
}

#[test]
fn a_gap_or_a_foreign_link_is_no_link_and_a_dropped_event_breaks_the_next() {
    let events = log();
    let links = build_links(GENESIS, &events);
    // An event the links pass over (written around the store, never linked).
    let mut with_gap = links.clone();
    with_gap.remove(1);
    let chained = pair(events.clone(), &with_gap, Some(2_900));
    assert_eq!(chained.len(), 4);
    assert_eq!(chained[1].hash, None);
    let mut verifier = Verifier::new(Vec::new(), None).sparse_positions();
    verifier.push(&chained[0]).expect("first is sound");
    let finding = verifier.push(&chained[1]).expect_err("the gap shows");
    assert_eq!(finding.kind(), "hash mismatch");
    assert_eq!(finding.position(), 1_480);

    // A link naming the position but another event: no link for this one.
    let mut foreign = links.clone();
    foreign[2].event_id = Uuid::new_v4();
    assert_eq!(pair(events.clone(), &foreign, Some(2_900))[2].hash, None);

    // An event dropped from the log: its link is skipped, the next one's
    // link no longer follows from the one before.
    let mut dropped = events.clone();
    dropped.remove(1);
    let chained = pair(dropped, &links, Some(2_900));
    assert_eq!(chained.len(), 3);
    let mut verifier = Verifier::new(Vec::new(), None).sparse_positions();
    verifier.push(&chained[0]).expect("first is sound");
    let finding = verifier.push(&chained[1]).expect_err("the drop shows");
    assert_eq!(finding.kind(), "hash mismatch");
    assert_eq!(finding.position(), 2_210);

    // A tampered link hash.
    let mut tampered = links;
    tampered[3].hash = hex(&[9; 32]);
    let chained = pair(events, &tampered, Some(2_900));
    let mut verifier = Verifier::new(Vec::new(), None).sparse_positions();
    let err = chained.iter().find_map(|e| verifier.push(e).err()).expect("found");
    assert_eq!((err.kind(), err.position()), ("hash mismatch", 2_900));
}

#[test]
fn checkpoint_events_round_trip_and_order() {
    use ed25519_dalek::Signer;
    let key = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
    let at = DateTime::from_timestamp_micros(1_700_000_000_123_456).expect("a time");
    let sign = |position: u64, hash: Hash| Checkpoint {
        position,
        hash,
        signed_at: at,
        key: key.verifying_key().to_bytes(),
        signature: key.sign(&checkpoint_message(position, &hash, at)).to_bytes(),
    };
    let cp = sign(2_900, [5; 32]);
    let record = CheckpointRecord::from(&cp);
    let back = CheckpointRecord::parse(&record.to_json()).expect("parses");
    assert_eq!(back, cp);
    assert!(back.signature_valid());
    let mut short = record.clone();
    short.signature.truncate(10);
    assert!(CheckpointRecord::parse(&short.to_json()).is_err());
    assert_ne!(
        record.event_id(),
        CheckpointRecord::from(&sign(1_000, [5; 32])).event_id()
    );

    let a = sign(1_000, [1; 32]);
    let b = sign(2_210, [2; 32]);
    let again = sign(1_000, [7; 32]);
    assert_eq!(ordered_checkpoints(vec![b, a, again]), vec![a, b]);
}

#[test]
fn the_filter_leaves_out_system_and_companion_types() {
    assert!(is_companion_type(LINK_TYPE));
    assert!(is_companion_type(CHECKPOINT_TYPE));
    assert!(!is_companion_type("ApplicationSubmitted"));
    assert_eq!(user_event_type_regex(), "^(?!\\$)(?!samverkan\\.chain\\.).+");
}
