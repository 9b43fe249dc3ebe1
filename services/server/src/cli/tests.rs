use clap::{CommandFactory, Parser};

use super::*;

#[test]
fn the_command_line_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn serve_defaults_and_flags() {
    let cli = Cli::try_parse_from(["samverkan", "serve"]).unwrap();
    let Command::Serve(a) = cli.command else {
        panic!("serve")
    };
    assert_eq!(a.listen, "127.0.0.1:8080");
    assert_eq!(a.data.data_dir, PathBuf::from("./data"));
    assert!(!a.insecure_dev_auth && !a.demo && a.data.store_url.is_none());
    assert_eq!(a.auth.jwt_issuer, None);
    assert_eq!(a.auth.jwt_audience, "samverkan");
    assert!(a.auth.jwks_url.is_none() && a.auth.oidc_issuer.is_none());
    assert_eq!((a.auth.jwks_refresh_secs, a.auth.jwks_min_refresh_gap_secs), (300, 30));
    assert!(a.auth.jwt_hs256_secret_file.is_none() && a.auth.jwt_public_key_pem.is_none());

    let cli = Cli::try_parse_from([
        "samverkan",
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--demo",
        "--insecure-dev-auth",
        "--data-dir",
        "/tmp/x",
    ])
    .unwrap();
    let Command::Serve(a) = cli.command else {
        panic!("serve")
    };
    assert!(a.demo && a.insecure_dev_auth);
    assert_eq!(a.listen, "127.0.0.1:0");

    // The insecure mode and real keys exclude each other.
    assert!(Cli::try_parse_from([
        "samverkan",
        "serve",
        "--insecure-dev-auth",
        "--jwt-hs256-secret-file",
        "/tmp/k"
    ])
    .is_err());
    assert!(Cli::try_parse_from([
        "samverkan",
        "serve",
        "--insecure-dev-auth",
        "--jwks-url",
        "http://idp/keys"
    ])
    .is_err());
    // One identity provider: a JWKS URL or an OIDC issuer.
    assert!(Cli::try_parse_from([
        "samverkan",
        "serve",
        "--jwks-url",
        "http://idp/keys",
        "--oidc-issuer",
        "http://idp"
    ])
    .is_err());
    let cli = Cli::try_parse_from([
        "samverkan",
        "serve",
        "--oidc-issuer",
        "https://login.example.se/tenant/v2.0",
        "--jwks-refresh-secs",
        "60",
        "--jwks-min-refresh-gap-secs",
        "1",
    ])
    .unwrap();
    let Command::Serve(a) = cli.command else {
        panic!("serve")
    };
    assert_eq!(
        a.auth.oidc_issuer.as_deref(),
        Some("https://login.example.se/tenant/v2.0")
    );
    assert_eq!((a.auth.jwks_refresh_secs, a.auth.jwks_min_refresh_gap_secs), (60, 1));
    assert!(Cli::try_parse_from(["samverkan", "serve", "--jwks-refresh-secs", "0"]).is_err());
}

#[test]
fn connection_limit_flags() {
    let cli = Cli::try_parse_from(["samverkan", "serve"]).unwrap();
    let Command::Serve(a) = cli.command else {
        panic!("serve")
    };
    assert_eq!(
        crate::listener::ConnectionLimits::from(a.connections),
        crate::listener::ConnectionLimits::default()
    );
    let cli = Cli::try_parse_from([
        "samverkan",
        "serve",
        "--header-read-timeout-secs",
        "1",
        "--max-connections",
        "20",
        "--max-connections-per-peer",
        "0",
    ])
    .unwrap();
    let Command::Serve(a) = cli.command else {
        panic!("serve")
    };
    let limits = crate::listener::ConnectionLimits::from(a.connections);
    assert_eq!(limits.header_read_timeout, std::time::Duration::from_secs(1));
    assert_eq!((limits.max_connections, limits.max_connections_per_peer), (20, 0));
    assert!(Cli::try_parse_from(["samverkan", "serve", "--header-read-timeout-secs", "0"]).is_err());
    assert!(Cli::try_parse_from(["samverkan", "serve", "--max-connections", "0"]).is_err());
}

#[test]
fn verify_keys_and_checkpoint_flags() {
    let cli = Cli::try_parse_from([
        "samverkan",
        "verify",
        "--store-url",
        "postgres://u@h/db",
        "--public-key",
        "aa",
        "--public-key",
        "bb",
        "--export",
        "/tmp/x.jsonl",
    ])
    .unwrap();
    let Command::Verify(v) = cli.command else {
        panic!("verify")
    };
    assert_eq!(v.public_key, ["aa", "bb"]);
    assert_eq!(v.export, Some(PathBuf::from("/tmp/x.jsonl")));
    assert_eq!(v.data.store_url.as_deref(), Some("postgres://u@h/db"));
    let cli = Cli::try_parse_from(["samverkan", "keys", "--data-dir", "/tmp/d"]).unwrap();
    let Command::Keys(k) = cli.command else { panic!("keys") };
    assert_eq!(k.data_dir, PathBuf::from("/tmp/d"));
    let cli = Cli::try_parse_from(["samverkan", "serve"]).unwrap();
    let Command::Serve(a) = cli.command else {
        panic!("serve")
    };
    assert_eq!(
        (a.checkpoints.checkpoint_every, a.checkpoints.checkpoint_interval_secs),
        (1000, 86_400)
    );
    assert!(Cli::try_parse_from(["samverkan", "serve", "--checkpoint-every", "0"]).is_err());
}

#[test]
fn token_flags() {
    let cli = Cli::try_parse_from([
        "samverkan",
        "token",
        "--role",
        "officer",
        "--municipality",
        "SE-1494",
        "--ttl-hours",
        "2",
    ])
    .unwrap();
    let Command::Token(t) = cli.command else {
        panic!("token")
    };
    assert_eq!(t.role, RoleArg::Officer);
    assert_eq!(t.municipality.as_deref(), Some("SE-1494"));
    assert_eq!(t.ttl_hours, 2);
    assert!(Cli::try_parse_from(["samverkan", "token", "--role", "king"]).is_err());
    assert!(Cli::try_parse_from(["samverkan", "token", "--role", "admin", "--ttl-hours", "0"]).is_err());
}

#[test]
fn a_public_url_is_absolute_http_or_https_without_query() {
    assert_eq!(
        super::parse_public_url("https://data.example.se/").unwrap(),
        "https://data.example.se"
    );
    assert_eq!(
        super::parse_public_url("http://127.0.0.1:8080/samverkan").unwrap(),
        "http://127.0.0.1:8080/samverkan"
    );
    for bad in [
        "data.example.se",
        "ftp://x",
        "https://",
        "https:///x",
        "https://x/?a=1",
        "https://x/#f",
    ] {
        assert!(super::parse_public_url(bad).is_err(), "{bad}");
    }
}
