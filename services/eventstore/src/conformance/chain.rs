//! Tamper evidence: every event gets the link the spec gives
//! ([`crate::chain`]), whoever wrote it (concurrent appends, imports), and
//! checkpoints are recorded only for links the log has.

use super::*;
use crate::chain::{checkpoint_message, next_link, Checkpoint, EventFields, Verifier};

/// Every link of the store's whole log, walked from the start.
pub async fn whole_chain(store: &Store) -> Vec<crate::chain::ChainedEvent> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let batch = store.read_chain(after, 1000).await.expect("read_chain");
        let Some(last) = batch.last() else { break };
        after = Some(last.event.position);
        out.extend(batch);
    }
    out
}

/// Fixed events (ids derived from `ns`, times from `base` on, 1,001 µs
/// apart), for imports whose links a test can predict.
pub fn known_events(ns: &str, n: u64, base: DateTime<Utc>) -> Vec<RecordedEvent> {
    (0..n)
        .map(|i| {
            let stream = format!("{ns}-{}", i % 3);
            let mut e = import::recorded(
                &stream,
                i / 3,
                "Known",
                format!("{{\"i\":{i},\"text\":\"ä\\u00e9\"}}").as_bytes(),
                base + chrono::Duration::microseconds(i64::try_from(i).expect("small") * 1001),
            );
            e.id = Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("{ns}/{i}").as_bytes());
            if i % 2 == 0 {
                e.metadata = EventMetadata {
                    actor: Some(format!("actor-{i}")),
                    actor_role: Some("officer:SE-1494".into()),
                    causation_id: Some(Uuid::from_u128(u128::from(i) + 1)),
                    correlation_id: Some(Uuid::from_u128(u128::from(i) + 2)),
                    trace_id: Some("0af7651916cd43dd8448eb211c80319c".into()),
                    command_fingerprint: Some(format!("sha256:{i:064x}")),
                };
            }
            e
        })
        .collect()
}

/// Links of events appended concurrently and imported are the spec's: the
/// whole log verifies from the genesis, the head agrees, and an import's
/// links are exactly those computed from the tip before it.
pub async fn chain_links_every_event(store: Store, ns: &str) {
    assert!(store.keeps_chain());
    let mut tasks = Vec::new();
    for w in 0..8 {
        let store = store.clone();
        let stream = format!("{ns}-w{w}");
        tasks.push(tokio::spawn(async move {
            for round in 0..5u64 {
                let expected = if round == 0 {
                    ExpectedVersion::NoStream
                } else {
                    ExpectedVersion::Exact(round * 2 - 1)
                };
                let events = vec![
                    event("Chained", serde_json::json!({"w": w, "round": round})),
                    event("Chained", serde_json::json!({"w": w, "round": round, "second": true})),
                ];
                store.append(&stream, expected, events).await.expect("append");
            }
        }));
    }
    for t in tasks {
        t.await.expect("writer task");
    }

    let before = store.chain_head().await.expect("chain_head").expect("a head");
    let now = DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).expect("now");
    let known = known_events(ns, 7, now);
    store.import(known.clone()).await.expect("import");
    let after = whole_chain(&store).await;
    let imported: Vec<_> = after.iter().filter(|e| e.event.position > before.position).collect();
    assert_eq!(imported.len(), known.len());
    let mut prev = before.hash;
    for (got, original) in imported.iter().zip(&known) {
        let mut expected = original.clone();
        expected.position = got.event.position;
        prev = next_link(&prev, &EventFields::from(&expected));
        assert_eq!(got.hash, Some(prev), "position {}", got.event.position);
    }

    let mut verifier = Verifier::new(Vec::new(), None);
    if !store.dense_positions() {
        verifier = verifier.sparse_positions();
    }
    for e in &after {
        verifier.push(e).unwrap_or_else(|f| panic!("the chain breaks: {f}"));
    }
    let report = verifier.finish().expect("no checkpoints to miss");
    let head = store.chain_head().await.expect("chain_head").expect("a head");
    assert_eq!(report.head, Some(head));
    let ours = after.iter().filter(|e| e.event.stream.starts_with(ns)).count();
    assert_eq!(ours, 8 * 10 + 7);
}

/// A signed checkpoint of the head is recorded once and read back; one
/// naming a link the log does not have is refused and not recorded.
pub async fn checkpoints_are_recorded(store: Store, ns: &str) {
    store
        .append(
            &format!("{ns}-s"),
            ExpectedVersion::NoStream,
            vec![event("Checked", serde_json::json!({}))],
        )
        .await
        .expect("append");
    let head = store.chain_head().await.expect("chain_head").expect("a head");
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let signed_at = DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).expect("now");
    let sign = |position: u64, hash: crate::chain::Hash| {
        use ed25519_dalek::Signer;
        Checkpoint {
            position,
            hash,
            signed_at,
            key: key.verifying_key().to_bytes(),
            signature: key.sign(&checkpoint_message(position, &hash, signed_at)).to_bytes(),
        }
    };
    let good = sign(head.position, head.hash);
    assert!(good.signature_valid());
    store.record_checkpoint(good).await.expect("record");
    // Again (another process signing the same head): ignored, no error.
    store.record_checkpoint(good).await.expect("record twice");
    let mut wrong_hash = head.hash;
    wrong_hash[0] ^= 1;
    let forged = sign(head.position, wrong_hash);
    assert!(matches!(
        store.record_checkpoint(forged).await,
        Err(StoreError::InvalidAppend(_))
    ));
    let beyond = sign(head.position + 1000, head.hash);
    assert!(matches!(
        store.record_checkpoint(beyond).await,
        Err(StoreError::InvalidAppend(_))
    ));

    assert_eq!(store.last_checkpoint().await.expect("last"), Some(good));
    assert_eq!(store.checkpoints(head.position, 10).await.expect("from"), vec![good]);
    assert!(store
        .checkpoints(head.position + 1, 10)
        .await
        .expect("after")
        .is_empty());

    let all = store.checkpoints(0, usize::MAX).await.expect("all");
    let mut verifier = Verifier::new(all, Some(vec![key.verifying_key().to_bytes()]));
    if !store.dense_positions() {
        verifier = verifier.sparse_positions();
    }
    for e in whole_chain(&store).await {
        verifier.push(&e).unwrap_or_else(|f| panic!("the chain breaks: {f}"));
    }
    let report = verifier.finish().expect("sound");
    assert!(report.checkpoints >= 1);
    assert_eq!(report.last_checkpoint, Some(head.position));
}
