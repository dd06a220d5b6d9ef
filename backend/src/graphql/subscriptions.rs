//! GraphQL subscriptions over WebSocket at `/api/graphql/ws`, on actix-ws: `graphql-transport-ws`
//! (what the `graphql-ws` npm client speaks) and the legacy `graphql-ws` protocol. async-graphql
//! runs the protocol; this module moves its frames and decides the close codes the protocol
//! prescribes — a refused `connection_init` closes with 4403 Forbidden.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use actix_ws::{CloseReason, Message};
use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage};
use async_graphql::{Data, ErrorExtensions};
use futures::StreamExt;

use super::{AppSchema, add_scope, connection_token};
use crate::platform::auth::request_meta;
use crate::platform::error::{ApiError, Code};
use crate::platform::state::AppState;

/// The subprotocols offered, preferred first.
const PROTOCOLS: &[&str] = &["graphql-transport-ws", "graphql-ws"];
/// A client that sends nothing (not even a pong) for this long is dropped.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// How often the server pings, so that idle proxies keep the connection open.
const PING_EVERY: Duration = Duration::from_secs(20);
/// Largest frame a client may send.
const MAX_FRAME_BYTES: usize = 256 * 1024;
/// `graphql-transport-ws`: the server refuses the connection's `connection_init`.
const CLOSE_FORBIDDEN: u16 = 4403;

/// Upgrades to a subscription socket. The `connection_init` payload carries the token, as
/// `{"token": "..."}` or `{"Authorization": "Bearer ..."}`; without a valid one the server
/// closes the connection with 4403 and the reason.
pub async fn subscribe(
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (response, session, stream) =
        match actix_ws::handle_with_protocols(&req, payload, PROTOCOLS) {
            Ok(x) => x,
            Err(e) => {
                return ApiError::new(
                    Code::MalformedRequest,
                    format!("not a WebSocket upgrade: {e}"),
                )
                .error_response();
            }
        };
    let chosen = response
        .headers()
        .get(actix_web::http::header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("graphql-ws");
    let protocol = match chosen {
        "graphql-transport-ws" => WebSocketProtocols::GraphQLWS,
        _ => WebSocketProtocols::SubscriptionsTransportWS,
    };
    let meta = request_meta(&req, state.settings.trust_proxy);
    let refused = Arc::new(AtomicBool::new(false));
    let init_refused = refused.clone();
    let (to_protocol, from_client) = futures::channel::mpsc::unbounded::<Vec<u8>>();
    let messages = WebSocket::new(AppSchema::clone(&schema), from_client, protocol)
        .on_connection_init(move |params| async move {
            let who = match connection_token(&params) {
                Some(token) => state.authenticator.authenticate(&state, &token).await,
                None => Err(ApiError::new(
                    Code::Unauthenticated,
                    "send {\"token\": \"...\"} in connection_init",
                )),
            };
            let mut who = who.map_err(|e| {
                init_refused.store(true, Ordering::Relaxed);
                e.extend()
            })?;
            who.meta = meta;
            let mut data = Data::default();
            add_scope(&mut data, state, who);
            Ok(data)
        });
    actix_web::rt::spawn(run(
        session,
        stream.max_frame_size(MAX_FRAME_BYTES),
        to_protocol,
        messages,
        refused,
    ));
    response
}

/// Moves frames between the socket and the protocol until either side ends.
async fn run(
    mut session: actix_ws::Session,
    mut client: actix_ws::MessageStream,
    to_protocol: futures::channel::mpsc::UnboundedSender<Vec<u8>>,
    messages: impl futures::Stream<Item = WsMessage> + Unpin,
    refused: Arc<AtomicBool>,
) {
    let mut messages = messages;
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut last_heard = tokio::time::Instant::now();
    let reason = loop {
        tokio::select! {
            incoming = client.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    last_heard = tokio::time::Instant::now();
                    if to_protocol.unbounded_send(text.as_bytes().to_vec()).is_err() {
                        break None;
                    }
                }
                Some(Ok(Message::Binary(bytes))) => {
                    last_heard = tokio::time::Instant::now();
                    if to_protocol.unbounded_send(bytes.to_vec()).is_err() {
                        break None;
                    }
                }
                Some(Ok(Message::Ping(bytes))) => {
                    last_heard = tokio::time::Instant::now();
                    if session.pong(&bytes).await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Pong(_))) => last_heard = tokio::time::Instant::now(),
                Some(Ok(Message::Close(reason))) => break reason,
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            },
            outgoing = messages.next() => match outgoing {
                Some(WsMessage::Text(text)) => {
                    if session.text(text).await.is_err() {
                        return;
                    }
                }
                Some(WsMessage::Close(code, description)) => {
                    // async-graphql closes a failed `connection_init` with 1002; the protocol
                    // prescribes 4403 Forbidden for a refused one.
                    let code = if code == 1002 && refused.load(Ordering::Relaxed) {
                        CLOSE_FORBIDDEN
                    } else {
                        code
                    };
                    break Some(CloseReason { code: code.into(), description: Some(description) });
                }
                None => break None,
            },
            _ = ping.tick() => {
                if last_heard.elapsed() > IDLE_TIMEOUT {
                    break None;
                }
                if session.ping(b"").await.is_err() {
                    return;
                }
            }
        }
    };
    let _ = session.close(reason).await;
}
