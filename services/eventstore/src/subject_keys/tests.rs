#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure is the test failing

use chrono::{TimeZone, Utc};

use super::*;

async fn lifecycle(store: &dyn SubjectKeyStore) {
    let t = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
    assert_eq!(store.get("anna").await.unwrap(), KeyState::Absent);
    assert_eq!(
        store.create("anna", [7; 32], t).await.unwrap(),
        KeyState::Present([7; 32])
    );
    // A second create keeps the first key.
    assert_eq!(
        store.create("anna", [9; 32], t).await.unwrap(),
        KeyState::Present([7; 32])
    );
    assert!(store.destroy("anna", t).await.unwrap());
    assert_eq!(store.get("anna").await.unwrap(), KeyState::Destroyed(t));
    // No new key for an erased subject; destroying again changes nothing.
    assert_eq!(store.create("anna", [9; 32], t).await.unwrap(), KeyState::Destroyed(t));
    assert!(!store.destroy("anna", t).await.unwrap());
    // A subject without a key gets a tombstone.
    assert!(!store.destroy("bo", t).await.unwrap());
    assert_eq!(store.create("bo", [1; 32], t).await.unwrap(), KeyState::Destroyed(t));
}

#[tokio::test]
async fn sqlite_keys_are_kept_destroyed_for_good_and_overwritten_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("subject-keys.sqlite");
    let store = SqliteSubjectKeys::open(&path).unwrap();
    lifecycle(&store).await;
    let key = [0xA5u8; 32];
    store.create("cecilia", key, Utc::now()).await.unwrap();
    drop(store);
    let reopened = SqliteSubjectKeys::open(&path).unwrap();
    assert_eq!(reopened.get("cecilia").await.unwrap(), KeyState::Present(key));
    assert!(std::fs::read(&path).unwrap().windows(32).any(|w| w == key));
    reopened.destroy("cecilia", Utc::now()).await.unwrap();
    drop(reopened);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(32).any(|w| w == key),
            "a destroyed key is still in a file"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

#[tokio::test]
async fn postgres_keys_are_kept_and_destroyed_for_good() {
    let Some(server) = crate::pg_testing::PgServer::shared_or_skip() else {
        return;
    };
    let store = crate::PgStore::connect(&server.fresh_database("subject_keys"))
        .await
        .unwrap();
    let keys = store.subject_keys().await.unwrap();
    lifecycle(&keys).await;
    // A second server on the same database sees the same keys.
    let again = store.subject_keys().await.unwrap();
    assert_eq!(again.get("anna").await.unwrap(), keys.get("anna").await.unwrap());
}
