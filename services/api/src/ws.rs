//! The websocket side of subscriptions: authentication in `connection_init`,
//! clear closes for hostile or broken clients.
//!
//! | what happens                                    | graphql-transport-ws close        | graphql-ws (legacy)                 |
//! |-------------------------------------------------|-----------------------------------|-------------------------------------|
//! | missing or invalid token in `connection_init`   | `4403` `UNAUTHENTICATED: …`       | `connection_error` `UNAUTHENTICATED: …`, then close `4403` |
//! | no `connection_init` within the init timeout    | `4408` `Connection initialisation timeout` | same                       |
//! | `subscribe` before the acknowledgement          | `4401` `Unauthorized`             | same                                |
//! | a message larger than the limit                 | `1009` `message too large …`      | same                                |
//! | a message that is not JSON of the protocol      | `4400` `invalid message: …`       | same                                |
//! | more subscriptions than allowed on a connection | error item (`too_many_subscriptions`), the connection stays | same |
//! | `subscribe` with the id of a running subscription | `4409` `Subscriber for <id> already exists` | (not checked) |
//! | the token of `connection_init` expires (`exp` + leeway) | `4403` `Forbidden: UNAUTHENTICATED: the token has expired` | same |

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_graphql::http::{WebSocket as GraphQLStream, WebSocketProtocols, WsMessage};
use async_graphql::Data;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::http::HeaderMap;
use futures::{future, SinkExt, StreamExt};

use crate::context::RequestMeta;
use crate::subscription::SubscriptionSlots;
use crate::{ApiSchema, ApiState};

/// The subprotocol the client asked for (the first one we speak).
pub(crate) fn protocol(headers: &HeaderMap) -> Option<WebSocketProtocols> {
    headers
        .get_all(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| match p.trim() {
            "graphql-transport-ws" => Some(WebSocketProtocols::GraphQLWS),
            "graphql-ws" => Some(WebSocketProtocols::SubscriptionsTransportWS),
            _ => None,
        })
}

/// The bearer token of a `connection_init` payload:
/// `{"Authorization": "Bearer …"}`, `{"authorization": "Bearer …"}` or `{"token": "…"}`.
pub(crate) fn token_from_payload(payload: &serde_json::Value) -> Option<String> {
    ["Authorization", "authorization"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(|v| v.as_str()))
        .map(|v| {
            let v = v.trim();
            match v.split_once(' ') {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim().to_string(),
                _ => v.to_string(),
            }
        })
        .or_else(|| {
            payload
                .get("token")
                .and_then(|v| v.as_str())
                .map(|t| t.trim().to_string())
        })
}

/// A close frame; the reason is cut to the 123 bytes a close frame can carry.
fn close(code: u16, reason: &str) -> Message {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    Message::Close(Some(CloseFrame {
        code,
        reason: reason[..end].to_string().into(),
    }))
}

const UNAUTHENTICATED: &str = "UNAUTHENTICATED";

/// Serve one upgraded connection until either side ends it.
pub(crate) async fn serve(
    socket: WebSocket,
    schema: ApiSchema,
    protocol: WebSocketProtocols,
    state: ApiState,
    header_token: Option<String>,
    meta: RequestMeta,
) {
    let (mut sink, stream) = socket.split();
    let limits = state.limits.clone();

    // Why the client's side ended, if it broke (too large, not a websocket frame).
    let broken: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let input = {
        let broken = broken.clone();
        stream
            .take_while(move |res| {
                if let Err(e) = res {
                    if let Ok(mut b) = broken.lock() {
                        *b = Some(e.to_string());
                    }
                }
                future::ready(res.is_ok())
            })
            .filter_map(|res| {
                future::ready(match res {
                    Ok(m @ (Message::Text(_) | Message::Binary(_))) => Some(m.into_data()),
                    _ => None,
                })
            })
    };
    // graphql-transport-ws: a `subscribe` whose id is still running closes
    // the connection with `4409` (the protocol's rule).
    let active: Arc<Mutex<HashSet<String>>> = Arc::new(Mutex::new(HashSet::new()));
    let duplicate: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let input = {
        let (active, duplicate) = (active.clone(), duplicate.clone());
        let tracks_ids = protocol == WebSocketProtocols::GraphQLWS;
        input.take_while(move |data| {
            let keep = !tracks_ids || track_incoming(data, &active, &duplicate);
            future::ready(keep)
        })
    };

    let refused = Arc::new(AtomicBool::new(false));
    // When the token of `connection_init` expires (seconds since the epoch).
    let expires_at: Arc<Mutex<Option<u64>>> = Arc::new(Mutex::new(None));
    let on_init = {
        let refused = refused.clone();
        let expires_at = expires_at.clone();
        let max_subscriptions = limits.ws_max_subscriptions;
        move |payload: serde_json::Value| async move {
            let token = token_from_payload(&payload).or(header_token);
            match state.authenticator.authenticate(token.as_deref()) {
                Ok(principal) => {
                    if let Ok(mut e) = expires_at.lock() {
                        *e = principal.expires_at;
                    }
                    let mut data = Data::default();
                    data.insert(principal);
                    data.insert(meta);
                    data.insert(SubscriptionSlots::new(max_subscriptions));
                    Ok(data)
                }
                Err(e) => {
                    refused.store(true, Ordering::SeqCst);
                    Err(async_graphql::Error::new(format!("{UNAUTHENTICATED}: {e}")))
                }
            }
        }
    };

    let messages = GraphQLStream::new(schema, input, protocol).on_connection_init(on_init);
    futures::pin_mut!(messages);

    let deadline = tokio::time::Instant::now() + limits.ws_init_timeout;
    let mut acknowledged = false;
    let mut expiry: Option<tokio::time::Instant> = None;
    loop {
        let next = if acknowledged {
            let Some(at) = expiry else {
                // Never expires (development authenticator).
                let Some(message) = messages.next().await else { break };
                if let WsMessage::Text(text) = &message {
                    track_outgoing(text, &active);
                }
                if !forward(&mut sink, message, &mut acknowledged).await {
                    return;
                }
                continue;
            };
            tokio::select! {
                next = messages.next() => next,
                () = tokio::time::sleep_until(at) => {
                    tracing::debug!("websocket closed: its token expired");
                    let _ = sink.send(close(4403, "Forbidden: UNAUTHENTICATED: the token has expired")).await;
                    let _ = sink.close().await;
                    return;
                }
            }
        } else {
            match tokio::time::timeout_at(deadline, messages.next()).await {
                Ok(next) => next,
                Err(_) => {
                    let _ = sink.send(close(4408, "Connection initialisation timeout")).await;
                    return;
                }
            }
        };
        let Some(message) = next else { break };
        if let WsMessage::Text(text) = &message {
            track_outgoing(text, &active);
        }
        let was_acknowledged = acknowledged;
        if !forward(&mut sink, message, &mut acknowledged).await {
            return;
        }
        if acknowledged && !was_acknowledged {
            let at = expires_at.lock().ok().and_then(|e| *e);
            expiry = at.map(instant_of);
        }
    }

    // The message stream ended: say why, if the client broke the protocol or
    // was refused (graphql-ws sends a `connection_error` and ends).
    let broken = broken.lock().ok().and_then(|mut b| b.take());
    let frame = if let Some(reason) = broken {
        tracing::debug!(%reason, "websocket input failed");
        if reason.to_ascii_lowercase().contains("too long") || reason.to_ascii_lowercase().contains("too big") {
            Some(close(
                1009,
                &format!("message too large (at most {} bytes)", limits.ws_max_message_bytes),
            ))
        } else {
            Some(close(1002, "websocket protocol error"))
        }
    } else if refused.load(Ordering::SeqCst) {
        Some(close(4403, "Forbidden: UNAUTHENTICATED"))
    } else {
        duplicate
            .lock()
            .ok()
            .and_then(|mut d| d.take())
            .map(|id| close(4409, &format!("Subscriber for {id} already exists")))
    };
    if let Some(frame) = frame {
        let _ = sink.send(frame).await;
    }
    let _ = sink.close().await;
}

/// Note the ids of `subscribe` and `complete` from the client; `false` (end
/// the input) when a `subscribe` reuses a running id.
fn track_incoming(data: &[u8], active: &Mutex<HashSet<String>>, duplicate: &Mutex<Option<String>>) -> bool {
    let Ok(message) = serde_json::from_slice::<serde_json::Value>(data) else {
        return true;
    };
    let (Some(kind), Some(id)) = (message["type"].as_str(), message["id"].as_str()) else {
        return true;
    };
    let Ok(mut ids) = active.lock() else { return true };
    match kind {
        "subscribe" if !ids.insert(id.to_string()) => {
            if let Ok(mut d) = duplicate.lock() {
                *d = Some(id.to_string());
            }
            false
        }
        "complete" => {
            ids.remove(id);
            true
        }
        _ => true,
    }
}

/// A subscription the server ended (`complete` or `error`) frees its id.
fn track_outgoing(text: &str, active: &Mutex<HashSet<String>>) {
    if !(text.contains("\"complete\"") || text.contains("\"error\"")) {
        return;
    }
    let Ok(message) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    if matches!(message["type"].as_str(), Some("complete" | "error")) {
        if let (Some(id), Ok(mut ids)) = (message["id"].as_str(), active.lock()) {
            ids.remove(id);
        }
    }
}

/// Send one message of async-graphql's to the client; `false` when the
/// connection is done (closed, or the client is gone).
async fn forward(
    sink: &mut futures::stream::SplitSink<WebSocket, Message>,
    message: WsMessage,
    acknowledged: &mut bool,
) -> bool {
    let outgoing = match message {
        WsMessage::Text(text) => {
            if !*acknowledged && text.contains("\"connection_ack\"") {
                *acknowledged = true;
            }
            Message::Text(legacy_error_with_code(text).into())
        }
        WsMessage::Close(code, reason) => translate_close(code, &reason),
    };
    let closing = matches!(outgoing, Message::Close(_));
    sink.send(outgoing).await.is_ok() && !closing
}

/// The runtime instant of a time in seconds since the Unix epoch.
fn instant_of(epoch_secs: u64) -> tokio::time::Instant {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let left = std::time::Duration::from_secs(epoch_secs).saturating_sub(now);
    tokio::time::Instant::now() + left
}

/// async-graphql closes with `1002` for several reasons; give each the code
/// of the graphql-transport-ws protocol.
fn translate_close(code: u16, reason: &str) -> Message {
    if reason.starts_with(UNAUTHENTICATED) {
        return close(4403, reason);
    }
    match code {
        1011 if reason.contains("handshake is not completed") => {
            close(4401, "Unauthorized: send connection_init first")
        }
        1002 => close(4400, &format!("invalid message: {reason}")),
        _ => close(code, reason),
    }
}

/// Legacy `graphql-ws` refusals are `connection_error` messages without an
/// error code: add `extensions.code`.
fn legacy_error_with_code(text: String) -> String {
    if !text.contains("\"connection_error\"") {
        return text;
    }
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(&text) else {
        return text;
    };
    let code = match value["payload"]["message"].as_str() {
        Some(m) if m.starts_with(UNAUTHENTICATED) => UNAUTHENTICATED,
        _ => "VALIDATION",
    };
    value["payload"]["extensions"] = serde_json::json!({ "code": code });
    value.to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tokens_come_from_the_init_payload() {
        assert_eq!(
            token_from_payload(&json!({"Authorization": "Bearer abc"})).as_deref(),
            Some("abc")
        );
        assert_eq!(
            token_from_payload(&json!({"authorization": "bearer  abc "})).as_deref(),
            Some("abc")
        );
        assert_eq!(token_from_payload(&json!({"token": "abc"})).as_deref(), Some("abc"));
        assert_eq!(token_from_payload(&json!({})), None);
        assert_eq!(token_from_payload(&json!("a string")), None);
    }

    #[test]
    fn close_reasons_fit_a_close_frame() {
        let long = "é".repeat(200);
        let Message::Close(Some(frame)) = close(4400, &long) else {
            panic!("close")
        };
        assert!(frame.reason.len() <= 123);
        let Message::Close(Some(frame)) = translate_close(1002, "UNAUTHENTICATED: the token has expired") else {
            panic!("close")
        };
        assert_eq!(frame.code, 4403);
    }

    #[test]
    fn legacy_refusals_get_a_code() {
        let text = json!({"type": "connection_error", "payload": {"message": "UNAUTHENTICATED: x"}}).to_string();
        let v: serde_json::Value = serde_json::from_str(&legacy_error_with_code(text)).unwrap();
        assert_eq!(v["payload"]["extensions"]["code"], "UNAUTHENTICATED");
    }
}
