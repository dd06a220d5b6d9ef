//! The WebSocket transport at `/socket/websocket`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use actix_ws::{CloseCode, CloseReason, Message as WsMessage};
use futures::StreamExt;
use tokio::sync::mpsc;

use super::channels::Channels;
use super::hub::{CloseSignal, Outlet, close_code};
use super::protocol::{self, Frame, Vsn};
use super::{ConnectParams, authenticate};
use crate::platform::error::{ApiError, Code};
use crate::platform::state::AppState;

/// Frames waiting for a slow client before it is disconnected.
pub const OUTGOING_QUEUE: usize = 256;
/// Largest frame a client may send.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// A client silent for this long (phoenix.js heartbeats every 30 s) is dropped.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(75);

pub async fn websocket(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let params = ConnectParams::parse(&req);
    let Some(vsn) = Vsn::parse(params.first("vsn")) else {
        return ApiError::field(
            "vsn",
            "unsupported",
            "supported serializers: 1.0.0 and 2.0.0",
        )
        .error_response();
    };
    let who = match authenticate(&state, &req, &params).await {
        Ok(p) => p,
        Err(e) => {
            // Phoenix answers a refused connect with 403; the problem says why.
            let mut res = e.error_response();
            *res.status_mut() = actix_web::http::StatusCode::FORBIDDEN;
            return res;
        }
    };
    let (response, session, stream) =
        match actix_ws::handle_with_protocols(&req, body, &["phoenix"]) {
            Ok(x) => x,
            Err(e) => {
                return ApiError::new(
                    Code::MalformedRequest,
                    format!("not a WebSocket upgrade: {e}"),
                )
                .error_response();
            }
        };
    let (tx, rx) = mpsc::channel(OUTGOING_QUEUE);
    let out = Outlet {
        tx,
        close: Arc::new(CloseSignal::default()),
    };
    let channels = Channels::new(
        state.realtime.clone(),
        who,
        vsn,
        out.clone(),
        state.settings.max_channels_per_socket,
    );
    let shutdown = state.realtime.shutdown_signal();
    actix_web::rt::spawn(run(
        channels,
        session,
        stream.max_frame_size(MAX_FRAME_BYTES),
        rx,
        out,
        shutdown,
    ));
    response
}

async fn run(
    mut channels: Channels,
    mut session: actix_ws::Session,
    mut stream: actix_ws::MessageStream,
    mut rx: mpsc::Receiver<Frame>,
    out: Outlet,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut last_seen = Instant::now();
    let mut idle = tokio::time::interval(Duration::from_secs(15));
    let close_code: u16 = loop {
        tokio::select! {
            biased;
            code = out.close.wait() => break code,
            _ = shutdown.changed() => break close_code::SERVICE_RESTART,
            Some(frame) = rx.recv() => {
                let sent = match frame {
                    Frame::Text(t) => session.text(t).await,
                    Frame::Binary(b) => session.binary(b).await,
                };
                if sent.is_err() {
                    return;
                }
            }
            msg = stream.next() => {
                last_seen = Instant::now();
                match msg {
                    Some(Ok(WsMessage::Text(t))) => match protocol::decode_text(channels.vsn, &t) {
                        Ok(m) => channels.handle(m),
                        Err(_) => break close_code::INVALID_PAYLOAD,
                    },
                    Some(Ok(WsMessage::Binary(b))) => match protocol::decode_binary(&b) {
                        Ok(m) => channels.handle(m),
                        Err(_) => break close_code::INVALID_PAYLOAD,
                    },
                    Some(Ok(WsMessage::Ping(p))) => {
                        if session.pong(&p).await.is_err() {
                            return;
                        }
                    }
                    Some(Ok(WsMessage::Close(_))) | None => return,
                    Some(Ok(_)) => {}
                    Some(Err(actix_ws::ProtocolError::Overflow)) => break close_code::TOO_BIG,
                    Some(Err(_)) => break close_code::INVALID_PAYLOAD,
                }
            }
            _ = idle.tick() => {
                if last_seen.elapsed() > IDLE_TIMEOUT {
                    break close_code::GOING_AWAY;
                }
            }
        }
    };
    drop(channels);
    let _ = session
        .close(Some(CloseReason {
            code: CloseCode::from(close_code),
            description: None,
        }))
        .await;
}
