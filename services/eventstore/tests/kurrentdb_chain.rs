//! The hash chain of the KurrentDB backend (companion streams), against a
//! real server when one is given: `SAMVERKAN_KURRENTDB_URL=kurrentdb://localhost:2113?tls=false
//! cargo test -p samverkan-eventstore --features kurrentdb --test kurrentdb_chain`.
//! Without the variable the test is skipped (as `kurrentdb_conformance`):
//! there is no KurrentDB server on the build machines, so this path is
//! tested only where one is given. The chain here lives in companion
//! streams of its own (uuid-named), so tampering with it leaves the
//! server's real chain alone; it links the whole of `$all`, as the real one.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed expectation fails the run

#[cfg(not(feature = "kurrentdb"))]
#[test]
fn kurrentdb_chain() {
    match std::env::var("SAMVERKAN_KURRENTDB_URL") {
        Ok(_) => panic!(
            "SAMVERKAN_KURRENTDB_URL is set but this test binary was built without the `kurrentdb` feature: \
             run `cargo test --workspace --features samverkan-eventstore/kurrentdb`"
        ),
        Err(_) => println!("skipped: SAMVERKAN_KURRENTDB_URL not set (and built without the kurrentdb feature)"),
    }
}

#[cfg(feature = "kurrentdb")]
mod server {
    use chrono::{DateTime, Utc};
    use ed25519_dalek::Signer;
    use samverkan_eventstore::chain::{checkpoint_message, hex, ChainedEvent, Checkpoint, Finding, Verifier};
    use samverkan_eventstore::conformance::event;
    use samverkan_eventstore::kurrent::links::{LinkRecord, LINK_TYPE};
    use samverkan_eventstore::{EventStore, ExpectedVersion, KurrentStore, StoreError};
    use uuid::Uuid;

    fn store() -> Option<(KurrentStore, String)> {
        let Ok(url) = std::env::var("SAMVERKAN_KURRENTDB_URL") else {
            println!("skipped: SAMVERKAN_KURRENTDB_URL not set");
            return None;
        };
        let ns = format!("kchain-{}", Uuid::new_v4().simple());
        let store = KurrentStore::connect(&url)
            .expect("connect to KurrentDB")
            .with_chain_streams(&format!("{ns}-links"), &format!("{ns}-checkpoints"));
        Some((store, ns))
    }

    async fn whole_chain(store: &KurrentStore) -> Vec<ChainedEvent> {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let batch = store.read_chain(after, 500).await.expect("read_chain");
            let Some(last) = batch.last() else { break };
            after = Some(last.event.position);
            out.extend(batch);
        }
        out
    }

    fn verify(
        chain: &[ChainedEvent],
        checkpoints: Vec<Checkpoint>,
    ) -> Result<samverkan_eventstore::chain::ChainReport, Finding> {
        let mut verifier = Verifier::new(checkpoints, None).sparse_positions();
        for e in chain {
            verifier.push(e)?;
        }
        verifier.finish()
    }

    fn sign(key: &ed25519_dalek::SigningKey, position: u64, hash: [u8; 32]) -> Checkpoint {
        let signed_at = DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).expect("now");
        Checkpoint {
            position,
            hash,
            signed_at,
            key: key.verifying_key().to_bytes(),
            signature: key.sign(&checkpoint_message(position, &hash, signed_at)).to_bytes(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn appends_are_linked_verified_checkpointed_and_tampering_shows() {
        let Some((store, ns)) = store() else { return };
        assert!(store.keeps_chain());
        let stream = format!("{ns}-s");
        let first = event("Linked", serde_json::json!({"n": 1}));
        let first_id = first.id;
        store
            .append(&stream, ExpectedVersion::NoStream, vec![first])
            .await
            .expect("append");
        let done = store
            .append(
                &stream,
                ExpectedVersion::Exact(0),
                vec![
                    event("Linked", serde_json::json!({"n": 2})),
                    event("Linked", serde_json::json!({"n": 3})),
                ],
            )
            .await
            .expect("append");

        // The chain covers the whole log up to our last event and verifies.
        let chain = whole_chain(&store).await;
        let ours: Vec<_> = chain.iter().filter(|e| e.event.stream == stream).collect();
        assert_eq!(ours.len(), 3);
        assert!(ours.iter().all(|e| e.hash.is_some()));
        let report = verify(&chain, Vec::new()).unwrap_or_else(|f| panic!("the chain breaks: {f}"));
        let head = store.chain_head().await.expect("chain_head").expect("a head");
        assert_eq!(report.head, Some(head));
        assert!(head.position >= done.position);

        // The companion streams' events are nowhere in `$all` reads.
        let all = store.read_all(None, usize::MAX).await.expect("read_all");
        let companions = [
            format!("{ns}-links"),
            format!("{ns}-checkpoints"),
            "samverkan-chain".to_string(),
            "samverkan-checkpoints".to_string(),
        ];
        assert!(all
            .iter()
            .all(|e| !e.event_type.starts_with("samverkan.chain.") && !companions.contains(&e.stream)));
        assert_eq!(all.iter().filter(|e| e.stream == stream).count(), 3);

        // find_event finds a linked event (through the link stream).
        let found = store.find_event(first_id).await.expect("find_event").expect("found");
        assert_eq!((found.stream.as_str(), found.version), (stream.as_str(), 0));
        assert_eq!(store.find_event(Uuid::new_v4()).await.expect("find_event"), None);

        // The link before our second event is our first event's.
        let second = ours[1];
        assert_eq!(
            store.previous_link(second.event.position).await.expect("previous"),
            ours[0].hash.expect("a link")
        );

        // A checkpoint of the head: recorded once, read back, verified;
        // a forged one is refused.
        let key = ed25519_dalek::SigningKey::from_bytes(&[11; 32]);
        let good = sign(&key, head.position, head.hash);
        store.record_checkpoint(good).await.expect("record");
        store.record_checkpoint(good).await.expect("record again: ignored");
        let mut wrong = head.hash;
        wrong[0] ^= 1;
        assert!(matches!(
            store.record_checkpoint(sign(&key, head.position, wrong)).await,
            Err(StoreError::InvalidAppend(_))
        ));
        assert_eq!(store.last_checkpoint().await.expect("last"), Some(good));
        assert_eq!(store.checkpoints(head.position, 10).await.expect("from"), vec![good]);
        assert!(store
            .checkpoints(head.position + 1, 10)
            .await
            .expect("after")
            .is_empty());
        let report = verify(&whole_chain(&store).await, vec![good]).unwrap_or_else(|f| panic!("breaks: {f}"));
        assert_eq!(report.last_checkpoint, Some(head.position));

        // Tampering: an event written around the store (no link), then a
        // forged link for it in the companion stream.
        let raw_stream = format!("{ns}-raw");
        let raw_id = Uuid::new_v4();
        let raw = kurrentdb::EventData::json("Sneaked", &serde_json::json!({"n": 4}))
            .expect("json")
            .id(raw_id);
        let written = store
            .client()
            .append_to_stream(raw_stream.as_str(), &Default::default(), raw)
            .await
            .expect("raw append");
        // Unlinked, it is the unsigned tail: not in the chain.
        let tail = whole_chain(&store).await;
        assert!(tail.iter().all(|e| e.event.id != raw_id));
        assert!(store.head_position().await.expect("head").expect("a head") > head.position);

        let tip = store
            .client()
            .read_stream(
                format!("{ns}-links"),
                &kurrentdb::ReadStreamOptions::default().backwards().max_count(1),
            )
            .await
            .expect("read links")
            .next()
            .await
            .expect("a link")
            .expect("a link")
            .get_original_event()
            .revision;
        let forged = LinkRecord {
            position: written.position.commit,
            event_id: raw_id,
            stream: raw_stream.clone(),
            version: 0,
            hash: hex(&[0xab; 32]),
        };
        store
            .client()
            .append_to_stream(
                format!("{ns}-links"),
                &kurrentdb::AppendToStreamOptions::default().stream_state(kurrentdb::StreamState::StreamRevision(tip)),
                kurrentdb::EventData::json(LINK_TYPE, &forged).expect("json"),
            )
            .await
            .expect("forged link");
        let finding = verify(&whole_chain(&store).await, vec![good]).expect_err("the forged link shows");
        assert_eq!(finding.kind(), "hash mismatch");
        assert_eq!(finding.position(), written.position.commit);
    }
}
