use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use crate::helpers::{data, spawn};

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Open a `graphql-transport-ws` connection (without `connection_init`).
pub async fn open(url: &str) -> Socket {
    let mut request = url.into_client_request().expect("ws request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket connects");
    assert_eq!(
        response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok()),
        Some("graphql-transport-ws")
    );
    socket
}

/// Open a connection and authenticate with `token` in `connection_init`.
pub async fn connect(url: &str, token: &str) -> Socket {
    let mut socket = open(url).await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }),
    )
    .await;
    assert_eq!(next(&mut socket).await["type"], "connection_ack");
    socket
}

pub async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .expect("send");
}

/// The next JSON message (pings are answered by the library).
pub async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")
            .expect("open")
            .expect("frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(text.as_str()).expect("JSON message");
        }
    }
}

#[tokio::test]
async fn subscriptions_stream_timeline_entries_and_dashboards() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = spawn(dir.path(), &[]);
    let ws_base = server.base.replacen("http://", "ws://", 1);

    let admin = server.admin_token.clone().expect("admin token");
    let mut events = connect(&format!("{ws_base}/graphql/ws"), &admin).await;
    send(&mut events, json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { events(municipality: \"SE-1487\") { eventType position subjects actor } }" } })).await;
    // The same path as GraphiQL also upgrades.
    let mut dashboards = connect(&format!("{ws_base}/graphql"), &admin).await;
    send(&mut dashboards, json!({ "id": "d", "type": "subscribe", "payload": { "query": "subscription { dashboardChanged(municipality: \"SE-1487\") { municipality { name } twinTowns { partner { name } } } }" } })).await;
    // A bad subscription is an error message, not a dropped connection.
    send(
        &mut events,
        json!({ "id": "bad", "type": "subscribe", "payload": { "query": "subscription { events { eventType } }" } }),
    )
    .await;
    let bad = next(&mut events).await;
    assert_eq!(bad["id"], "bad");
    assert_eq!(bad["type"], "next", "{bad}");
    assert_eq!(
        bad["payload"]["errors"][0]["extensions"],
        json!({ "code": "VALIDATION", "rule": "one_subject_required" }),
        "{bad}"
    );
    assert_eq!(next(&mut events).await, json!({ "id": "bad", "type": "complete" }));
    // Give the server a moment to register both subscriptions.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let r = server
        .gql("mutation($id: UUID!) { registerMunicipality(commandId: $id, input: {code: \"SE-1487\", name: \"Vänersborg\"}) { position } }", json!({ "id": Uuid::new_v4() }))
        .await;
    let position = data(&r)["registerMunicipality"]["position"].clone();
    let entry = next(&mut events).await;
    assert_eq!(entry["type"], "next", "{entry}");
    assert_eq!(entry["id"], "1");
    let entry = &entry["payload"]["data"]["events"];
    assert_eq!(entry["eventType"], "MunicipalityRegistered");
    assert_eq!(entry["position"], position);
    assert_eq!(entry["subjects"], json!(["municipality:SE-1487"]));
    assert_eq!(entry["actor"], "dev-admin");
    let dashboard = next(&mut dashboards).await;
    assert_eq!(
        dashboard["payload"]["data"]["dashboardChanged"]["municipality"]["name"],
        "Vänersborg"
    );

    server
        .gql(
            r#"mutation($id: UUID!) { signTwinTownAgreement(commandId: $id, input: {municipality: "SE-1487", partner: {name: "Chobe District Council", country: "BW"},
                since: "2010-01-01", decision: {body: COUNCIL, date: "2010-01-01"}}) { position } }"#,
            json!({ "id": Uuid::new_v4() }),
        )
        .await;
    assert_eq!(
        next(&mut events).await["payload"]["data"]["events"]["eventType"],
        "TwinTownAgreementSigned"
    );
    let dashboard = next(&mut dashboards).await;
    assert_eq!(
        dashboard["payload"]["data"]["dashboardChanged"]["twinTowns"],
        json!([{ "partner": { "name": "Chobe District Council" } }])
    );

    send(&mut events, json!({ "id": "1", "type": "complete" })).await;
    let _ = events.close(None).await;
    let _ = dashboards.close(None).await;
    assert!(server.terminate().success());
}
