use super::*;
use samverkan_eventstore::conformance::recorded;
use samverkan_eventstore::SqliteStore;

fn at(micros: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(1_700_000_000_000_000 + micros).expect("a time")
}

#[test]
fn the_digest_covers_every_field_but_the_position() {
    let e = recorded("s", 0, "T", br#"{"a":1}"#, at(0));
    let digest = |e: &RecordedEvent| {
        let mut d = LogDigest::default();
        d.add(e);
        d.finish().sha256
    };
    let base = digest(&e);
    assert_eq!(
        digest(&RecordedEvent {
            position: 1,
            ..e.clone()
        }),
        base
    );
    let changed = [
        RecordedEvent {
            stream: "t".into(),
            ..e.clone()
        },
        RecordedEvent {
            version: 1,
            ..e.clone()
        },
        RecordedEvent {
            id: uuid::Uuid::new_v4(),
            ..e.clone()
        },
        RecordedEvent {
            event_type: "U".into(),
            ..e.clone()
        },
        RecordedEvent {
            schema_version: 2,
            ..e.clone()
        },
        RecordedEvent {
            data: br#"{"a": 1}"#.to_vec(),
            ..e.clone()
        },
        RecordedEvent {
            metadata: samverkan_eventstore::EventMetadata {
                actor: Some("x".into()),
                ..Default::default()
            },
            ..e.clone()
        },
        RecordedEvent {
            recorded_at: at(1),
            ..e.clone()
        },
    ];
    for (i, c) in changed.iter().enumerate() {
        assert_ne!(digest(c), base, "change #{i} shows in the digest");
        assert!(!same_event(c, &e), "change #{i} makes another event");
    }
    // Field boundaries count: "ab"+"c" is not "a"+"bc".
    let a = recorded("ab", 0, "c", b"{}", at(0));
    let b = RecordedEvent {
        stream: "a".into(),
        event_type: "bc".into(),
        ..a.clone()
    };
    assert_ne!(digest(&a), digest(&b));
}

#[tokio::test]
async fn copies_resumes_and_refuses_a_foreign_target() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = SqliteStore::open(dir.path().join("source.sqlite")).expect("source");
    let batch: Vec<_> = (0..40)
        .map(|i| recorded(&format!("s-{}", i % 3), (i / 3) as u64, "T", b"{}", at(i)))
        .collect();
    source.import(batch.clone()).await.expect("fill the source");

    // A target holding the first 10 events: the copy resumes after them.
    let target = SqliteStore::open(dir.path().join("target.sqlite")).expect("target");
    target.import(batch[..10].to_vec()).await.expect("a beginning");
    let report = migrate(&source, &target, 7).await.expect("migrate");
    assert_eq!((report.already_there, report.copied), (10, 30));
    assert_eq!(report.source, report.target);
    assert_eq!(report.source, summarize(&source, 5).await.expect("summary"));
    assert_eq!(report.source.streams.get("s-0"), Some(&14));
    // Again: nothing to copy.
    let again = migrate(&source, &target, 1000).await.expect("again");
    assert_eq!((again.already_there, again.copied), (40, 0));

    // A target with other events is refused and left as it was.
    let foreign = SqliteStore::open(dir.path().join("foreign.sqlite")).expect("foreign");
    foreign
        .import(vec![recorded("other", 0, "T", b"{}", at(0))])
        .await
        .expect("other");
    let err = migrate(&source, &foreign, 10).await.expect_err("refused");
    assert!(err.to_string().contains("nothing was written"), "{err}");
    assert_eq!(summarize(&foreign, 10).await.expect("summary").events, 1);

    // A target holding more than the source is refused too.
    let short = source_prefix(&dir, &batch[..5]).await;
    let err = migrate(&short, &target, 10).await.expect_err("longer target");
    assert!(err.to_string().contains("more events than the source"), "{err}");
    assert_eq!(summarize(&target, 10).await.expect("summary").events, 40);
}

async fn source_prefix(dir: &tempfile::TempDir, events: &[RecordedEvent]) -> SqliteStore {
    let path = dir.path().join(format!("prefix-{}.sqlite", uuid::Uuid::new_v4()));
    let store = SqliteStore::open(path).expect("prefix store");
    store.import(events.to_vec()).await.expect("fill");
    store
}
