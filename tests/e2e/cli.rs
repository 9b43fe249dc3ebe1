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

    let out = run(&["--store-url", "mysql://localhost/x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported store URL scheme `mysql`"));

    // A PostgreSQL URL where no server listens: a sentence naming the
    // database (not the password), exit status 1.
    let out = run(&[
        "--store-url",
        "postgres://app:hunter2@127.0.0.1:1/samverkan?connect_timeout=5",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot open the event store in the PostgreSQL database `samverkan` on 127.0.0.1:1"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    #[cfg(not(feature = "kurrentdb"))]
    {
        let out = run(&["--store-url", "kurrentdb://admin:secret@localhost:2113?tls=false"]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--features kurrentdb"), "{err}");
        assert!(!err.contains("secret"), "credentials are never printed: {err}");
    }

    // Unusable keys: a clear error, and never the secret itself.
    let missing = dir.path().join("no-such-secret");
    let out = run(&["--jwt-hs256-secret-file", missing.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the HS256 secret file"));
    let short = dir.path().join("short-secret");
    std::fs::write(&short, "hunter2-hunter2\n").expect("write");
    let out = run(&["--jwt-hs256-secret-file", short.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("at least 32"), "{err}");
    assert!(!err.contains("hunter2"), "secrets are never printed: {err}");
    let private = &crate::test_keys::fixture_path("rsa-test-private.pem");
    let out = run(&["--jwt-public-key-pem", private]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("private key"));
    let out = run(&["--jwks-file", private]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a JWKS document"));
    // The insecure mode is an explicit opt-in that excludes real keys.
    let out = run(&["--insecure-dev-auth", "--jwt-hs256-secret-file", "x"]);
    assert_eq!(out.status.code(), Some(2));

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

#[test]
fn token_mints_development_tokens_with_the_local_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token = |args: &[&str]| {
        Command::new(BIN)
            .arg("token")
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .env("RUST_LOG", "off")
            .env_remove("SAMVERKAN_JWT_HS256_SECRET_FILE")
            .output()
            .expect("run samverkan token")
    };
    let out = token(&["--role", "officer", "--municipality", "SE-1494", "--subject", "alice"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let jwt = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(jwt.split('.').count(), 3, "{jwt}");
    // The key is created on first use, readable by its owner only.
    let key = dir.path().join("dev-jwt.key");
    assert!(key.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).expect("key").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    for args in [
        &["--role", "admin"][..],
        &["--role", "coordinator", "--consortium", "V6"],
        &["--role", "reader"],
        &["--role", "reader", "--municipality", "SE-1487", "--ttl-hours", "1"],
    ] {
        let out = token(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for (args, message) in [
        (&["--role", "officer"][..], "needs --municipality"),
        (&["--role", "coordinator"], "needs --consortium"),
        (
            &["--role", "officer", "--municipality", "Lidköping"],
            "not a municipality code",
        ),
        (&["--role", "admin", "--consortium", "V6"], "admin token has no"),
    ] {
        let out = token(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(message), "{args:?}");
    }
}
