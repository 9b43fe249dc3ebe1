#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failure is the test failing

use samverkan_eventstore::subject_keys::SqliteSubjectKeys;

use super::*;

fn keyring(dir: &std::path::Path) -> Keyring {
    Keyring::new(Arc::new(SqliteSubjectKeys::open(dir.join("keys.sqlite")).unwrap()))
}

#[tokio::test]
async fn sealed_values_open_until_the_key_is_destroyed_and_never_again() {
    let dir = tempfile::tempdir().unwrap();
    let ring = keyring(dir.path());
    let anna = SubjectId::parse("person-anna").unwrap();
    let command = Uuid::new_v4();
    let now = Utc::now();
    let name = ring.seal(&anna, command, "name", "Anna Andersson", now).await.unwrap();
    assert!(!name.sealed.contains("Anna"));
    // The same command seals the same bytes (a retry keeps its fingerprint);
    // another command or value seals others.
    assert_eq!(
        ring.seal(&anna, command, "name", "Anna Andersson", now).await.unwrap(),
        name
    );
    assert_ne!(
        ring.seal(&anna, Uuid::new_v4(), "name", "Anna Andersson", now)
            .await
            .unwrap(),
        name
    );
    assert_ne!(ring.seal(&anna, command, "name", "Anna Berg", now).await.unwrap(), name);
    assert_eq!(
        ring.open(&name, "name").await.unwrap(),
        Opened::Value("Anna Andersson".into())
    );
    // A fresh keyring on the same key store (a restart) opens it too.
    assert_eq!(
        keyring(dir.path()).open(&name, "name").await.unwrap(),
        Opened::Value("Anna Andersson".into())
    );
    // Moved to another field or subject, it does not open.
    assert_eq!(ring.open(&name, "email").await.unwrap(), Opened::Erased);
    let bo = SubjectId::parse("person-bo").unwrap();
    ring.seal(&bo, command, "name", "Bo", now).await.unwrap();
    let moved = Sealed {
        subject: bo.clone(),
        sealed: name.sealed.clone(),
    };
    assert_eq!(ring.open(&moved, "name").await.unwrap(), Opened::Erased);

    assert!(ring.destroy(&anna, now).await.unwrap());
    assert_eq!(ring.open(&name, "name").await.unwrap(), Opened::Erased);
    assert_eq!(keyring(dir.path()).open(&name, "name").await.unwrap(), Opened::Erased);
    assert!(matches!(
        ring.seal(&anna, Uuid::new_v4(), "name", "Anna", now).await,
        Err(PersonalError::Erased { .. })
    ));
    // Bo is untouched.
    let bo_name = ring.seal(&bo, command, "name", "Bo", now).await.unwrap();
    assert_eq!(ring.open(&bo_name, "name").await.unwrap(), Opened::Value("Bo".into()));
}
