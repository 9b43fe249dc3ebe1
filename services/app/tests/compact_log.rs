//! The read models keep every event in its compact form (MessagePack with
//! field names) instead of the store's JSON: each one must come back from it
//! exactly as the store's JSON decodes, for every event type the demo
//! writes, through the real store on disk; and a compact form of another
//! schema version is refused, not misread.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches: a failed expectation fails the run

use std::collections::BTreeSet;
use std::sync::Arc;

use samverkan_app::projections::rebuild;
use samverkan_app::{demo, Commands};
use samverkan_domain::{AnyEvent, EventDecodeError};
use samverkan_eventstore::{EventStore, SqliteStore};

#[tokio::test]
async fn every_demo_event_comes_back_from_its_compact_form_as_the_store_decodes_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn EventStore> = Arc::new(SqliteStore::open(dir.path().join("events.db")).expect("open the store"));
    demo::load(&Commands::new(store.clone())).await.expect("load the demo");
    let events = store.read_all(None, usize::MAX).await.expect("read the log");
    let models = rebuild(store.as_ref()).await.expect("rebuild");
    let log = models.log();
    assert_eq!(log.len(), events.len(), "every demo event is in the log");

    let (mut json, mut compact) = (0usize, 0usize);
    let mut types = BTreeSet::new();
    for (i, stored) in events.iter().enumerate() {
        let expected = AnyEvent::decode(&stored.event_type, stored.schema_version, &stored.data).expect("decode");
        let entry = log.get(i as u32).expect("entry");
        assert_eq!(entry.position(), stored.position);
        let (event_type, version, data) = log.raw(entry);
        assert_eq!(event_type, stored.event_type);
        assert_eq!(version, expected.schema_version(), "kept at the current version");
        assert_eq!(
            log.event(entry).as_ref(),
            Some(&expected),
            "event at position {} ({event_type}) comes back from its compact form",
            stored.position
        );
        json += stored.data.len();
        compact += data.len();
        types.insert(event_type);
    }
    assert!(
        types.len() >= 25,
        "the demo covers most event types ({} of them)",
        types.len()
    );
    assert!(
        compact < json,
        "the compact forms ({compact} bytes) are smaller than the JSON ({json} bytes)"
    );

    // The compact form has no upcasters: one of another schema version is refused.
    let entry = log.get(0).expect("first entry");
    let (event_type, version, data) = log.raw(entry);
    match AnyEvent::from_compact(event_type, version + 1, data) {
        Err(EventDecodeError::Malformed {
            version: v, message, ..
        }) => {
            assert_eq!(v, version + 1);
            assert!(message.contains("schema version"), "{message}");
        }
        other => panic!("a compact form of another version must be refused, got {other:?}"),
    }
    // Nor is the store's JSON taken for a compact form.
    let first = &events[0];
    assert!(AnyEvent::from_compact(&first.event_type, version, &first.data).is_err());
}
