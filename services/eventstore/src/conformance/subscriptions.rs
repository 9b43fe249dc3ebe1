//! Catch-up subscriptions on the global log.

use super::*;

/// A subscription from before the case's first event, started while the log
/// already holds some of them and kept open while 8 writers append
/// concurrently, sees each event exactly once, in log order.
pub async fn subscription_sees_everything_once(store: Store, ns: &str) {
    const WRITERS: usize = 8;
    const APPENDS: usize = 40;
    let start = store.head_position().await.expect("head");
    let mut expected: HashSet<Uuid> = HashSet::new();
    for i in 0..20 {
        let e = event("Before", serde_json::json!({ "i": i }));
        expected.insert(e.id);
        store
            .append(&format!("{ns}-before"), ExpectedVersion::Any, vec![e])
            .await
            .expect("append");
    }

    let mut sub = store.subscribe_all(start);
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        let stream = format!("{ns}-w{w}");
        writers.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..APPENDS {
                // Alternate single and double appends.
                let events: Vec<NewEvent> = (0..(1 + i % 2))
                    .map(|k| event("Live", serde_json::json!({ "w": w, "i": i, "k": k })))
                    .collect();
                ids.extend(events.iter().map(|e| e.id));
                let expected = if i == 0 {
                    ExpectedVersion::NoStream
                } else {
                    ExpectedVersion::Any
                };
                store.append(&stream, expected, events).await.expect("writer append");
                tokio::task::yield_now().await;
            }
            ids
        }));
    }

    // Read while the writers run.
    let total_live = WRITERS * (APPENDS + APPENDS / 2);
    let total = expected.len() + total_live;
    let mut seen: HashSet<Uuid> = HashSet::new();
    let mut last_position: Option<u64> = start;
    let mut last_version: HashMap<String, u64> = HashMap::new();
    let mut ours = 0;
    while ours < total {
        let e = next_event(&mut sub, "catch-up/live subscription").await;
        if let Some(p) = last_position {
            assert!(e.position > p, "positions strictly increase: {} after {p}", e.position);
        }
        last_position = Some(e.position);
        if !e.stream.starts_with(ns) {
            continue;
        }
        ours += 1;
        assert!(seen.insert(e.id), "event {} delivered twice", e.id);
        if let Some(prev) = last_version.insert(e.stream.clone(), e.version) {
            assert_eq!(
                e.version,
                prev + 1,
                "stream {} delivered in order without gaps",
                e.stream
            );
        } else {
            assert_eq!(e.version, 0, "stream {} starts at version 0", e.stream);
        }
    }
    for w in writers {
        expected.extend(w.await.expect("writer task"));
    }
    assert_eq!(seen, expected, "every event exactly once");

    // Still live: one more event arrives.
    let late = event("Late", serde_json::json!({}));
    let r = store
        .append(&format!("{ns}-late"), ExpectedVersion::NoStream, vec![late.clone()])
        .await
        .expect("append");
    loop {
        let e = next_event(&mut sub, "after catching up").await;
        assert!(!seen.contains(&e.id), "no duplicate after catching up");
        if e.id == late.id {
            assert_eq!(e.position, r.position);
            break;
        }
    }
}

/// A subscription from a position in the middle starts right after it.
pub async fn subscription_from_the_middle(store: Store, ns: &str) {
    let stream = format!("{ns}-mid");
    let mut results = Vec::new();
    let mut ids = Vec::new();
    for i in 0..10 {
        let e = event("M", serde_json::json!({ "i": i }));
        ids.push(e.id);
        results.push(
            store
                .append(&stream, ExpectedVersion::Any, vec![e])
                .await
                .expect("append"),
        );
    }
    let mut sub = store.subscribe_all(Some(results[4].position));
    let mut got = Vec::new();
    while got.len() < 5 {
        let e = next_event(&mut sub, "subscription from the middle").await;
        assert!(e.position > results[4].position, "only events after the given position");
        if e.stream == stream {
            got.push(e.id);
        }
    }
    assert_eq!(got, ids[5..].to_vec());

    // ... and goes on live.
    let e = event("M", serde_json::json!({ "i": 10 }));
    store
        .append(&stream, ExpectedVersion::Exact(9), vec![e.clone()])
        .await
        .expect("append");
    loop {
        let got = next_event(&mut sub, "live after the middle").await;
        if got.stream == stream {
            assert_eq!(got.id, e.id);
            assert_eq!(got.version, 10);
            break;
        }
    }
}
