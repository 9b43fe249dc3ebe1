//! zero2prod style: build the application in the test process on port 0.

use std::time::Duration;

use samverkan_server::{Application, AuthSettings, Settings};

fn settings(dir: &std::path::Path) -> Settings {
    Settings {
        data_dir: dir.to_path_buf(),
        store_url: None,
        listen: "127.0.0.1:0".into(),
        demo: false,
        open_data: None,
        auth: AuthSettings::default(),
        snapshot_every: Duration::from_millis(200),
        shutdown_grace: Duration::from_secs(5),
        connections: Default::default(),
        checkpoints: Default::default(),
    }
}

#[tokio::test]
async fn application_builds_on_port_0_serves_and_stops() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = Application::build(settings(dir.path())).await.expect("build");
    let port = app.port();
    assert_ne!(port, 0);
    assert_eq!(app.graphiql_url(), format!("http://127.0.0.1:{port}/graphql"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));

    let health = reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .expect("GET /healthz");
    assert_eq!(health.status(), 200);
    let ready = reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
        .await
        .expect("GET /readyz");
    assert_eq!(ready.status(), 200);

    let _ = stop.send(());
    running.await.expect("join").expect("clean stop");
    assert!(dir.path().join("projections.snapshot.json").exists());
}

#[tokio::test]
async fn the_application_verifies_tokens_with_its_development_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = Application::build(settings(dir.path())).await.expect("build");
    assert!(
        dir.path().join("dev-jwt.key").exists(),
        "the development key is created"
    );
    let token = app
        .minter()
        .expect("a minter for the development key")
        .mint(
            "tester",
            vec![samverkan_api::Role::Reader(None)],
            Duration::from_secs(60),
        )
        .expect("mint");
    let url = app.graphiql_url();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let body = serde_json::json!({ "query": "{ readModelPosition }" });
    let anonymous = client.post(&url).json(&body).send().await.expect("POST");
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        anonymous
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    let ok = client
        .post(&url)
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(ok.status(), 200);
    let _ = stop.send(());
    running.await.expect("join").expect("clean stop");
}

#[tokio::test]
async fn a_second_server_on_the_same_port_fails_to_build() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = Application::build(settings(dir.path())).await.expect("build");
    let other = tempfile::tempdir().expect("tempdir");
    let mut s = settings(other.path());
    s.listen = first.local_addr().to_string();
    let err = Application::build(s).await.err().expect("the port is taken");
    assert!(format!("{err:#}").contains("cannot listen on"), "{err:#}");
}
