//! zero2prod style: build the application in the test process on port 0.

use std::time::Duration;

use samverkan_server::{Application, Settings};

fn settings(dir: &std::path::Path) -> Settings {
    Settings {
        data_dir: dir.to_path_buf(),
        store_url: None,
        listen: "127.0.0.1:0".into(),
        demo: false,
        insecure_dev_auth: true,
        snapshot_every: Duration::from_millis(200),
        shutdown_grace: Duration::from_secs(5),
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
async fn a_second_server_on_the_same_port_fails_to_build() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = Application::build(settings(dir.path())).await.expect("build");
    let other = tempfile::tempdir().expect("tempdir");
    let mut s = settings(other.path());
    s.listen = first.local_addr().to_string();
    let err = Application::build(s).await.err().expect("the port is taken");
    assert!(format!("{err:#}").contains("cannot listen on"), "{err:#}");
}
