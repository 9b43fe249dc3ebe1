use std::process::Command;

use crate::helpers::BIN;

#[test]
fn schema_prints_the_checked_in_sdl() {
    let out = Command::new(BIN).arg("schema").output().expect("run samverkan schema");
    assert!(out.status.success());
    let checked_in = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/schema.graphql"))
        .expect("schema/schema.graphql");
    assert_eq!(String::from_utf8_lossy(&out.stdout), checked_in);
}

#[test]
fn seed_loads_the_demo_once_and_exits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let seed = || {
        Command::new(BIN)
            .arg("seed")
            .arg("--data-dir")
            .arg(dir.path())
            .env("RUST_LOG", "warn")
            .env_remove("SAMVERKAN_STORE_URL")
            .output()
            .expect("run samverkan seed")
    };
    let first = seed();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let text = String::from_utf8_lossy(&first.stdout);
    assert!(text.starts_with("demo data:"), "{text}");
    assert!(text.contains("SE-1487"), "{text}");
    assert!(dir.path().join("events.sqlite").exists());
    let second = seed();
    assert!(second.status.success());
    assert!(String::from_utf8_lossy(&second.stdout).contains(" 0 events appended"));
}

#[test]
fn bad_configuration_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        Command::new(BIN)
            .arg("serve")
            .arg("--data-dir")
            .arg(dir.path())
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "off")
            .output()
            .expect("run samverkan serve")
    };

    let out = run(&["--store-url", "postgres://localhost/x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported store URL scheme `postgres`"));

    #[cfg(not(feature = "kurrentdb"))]
    {
        let out = run(&["--store-url", "kurrentdb://admin:secret@localhost:2113?tls=false"]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--features kurrentdb"), "{err}");
        assert!(!err.contains("secret"), "credentials are never printed: {err}");
    }

    let out = run(&["--insecure-dev-auth=false"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("authenticator"));

    let out = Command::new(BIN)
        .args(["serve", "--listen", "not an address"])
        .arg("--data-dir")
        .arg(dir.path())
        .env("RUST_LOG", "off")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen on"));
}
