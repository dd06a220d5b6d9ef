//! The long-poll transport at `/socket/longpoll`, for networks that block WebSockets; the
//! same channels as the WebSocket, as phoenix.js's `LongPoll` expects: a GET opens a session
//! (`{status: 410, token}`), GETs with the session token wait for messages (`200` with
//! `messages`, or `204`), POSTs deliver newline-separated client messages.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;
use tokio::sync::mpsc;

use super::channels::Channels;
use super::hub::{CloseSignal, Hub, Outlet};
use super::protocol::{self, Frame, Vsn};
use super::socket::OUTGOING_QUEUE;
use super::{ConnectParams, authenticate};
use crate::platform::state::AppState;
use crate::platform::tokens::random_token;

/// How long a poll waits for a message before answering 204.
const POLL_WAIT: Duration = Duration::from_secs(20);
/// A session nobody polls for this long is closed.
const SESSION_IDLE: Duration = Duration::from_secs(45);
/// Messages per poll answer at most.
const MAX_BATCH: usize = 100;

struct Session {
    channels: Mutex<Channels>,
    rx: tokio::sync::Mutex<mpsc::Receiver<Frame>>,
    out: Outlet,
    last_seen: Mutex<Instant>,
}

/// Live long-poll sessions of this node, by session token; their count is kept in a gauge.
pub struct LongPollSessions {
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    gauge: prometheus::IntGauge,
}

impl LongPollSessions {
    pub fn new(gauge: prometheus::IntGauge) -> Self {
        Self {
            sessions: Mutex::default(),
            gauge,
        }
    }

    fn insert(&self, token: String, session: Arc<Session>) {
        let mut s = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        s.insert(token, session);
        self.gauge.set(s.len() as i64);
    }

    fn remove(&self, token: &str) {
        let mut s = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        s.remove(token);
        self.gauge.set(s.len() as i64);
    }

    fn get(&self, params: &ConnectParams) -> Option<(String, Arc<Session>)> {
        let s = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        params
            .all("token")
            .find_map(|t| s.get(t).map(|sess| (t.to_owned(), sess.clone())))
    }

    /// Closes sessions that stopped polling; run periodically.
    pub fn reap(&self) {
        let mut s = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        s.retain(|_, sess| {
            let idle = sess
                .last_seen
                .lock()
                .map(|t| t.elapsed())
                .unwrap_or_default();
            idle < SESSION_IDLE
        });
        self.gauge.set(s.len() as i64);
    }

    /// Ends every session (server shutdown).
    pub fn clear(&self) {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.gauge.set(0);
    }

    pub fn len(&self) -> usize {
        self.sessions.lock().map(|s| s.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn answer(body: serde_json::Value) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(body)
}

pub async fn options() -> HttpResponse {
    HttpResponse::Ok().finish()
}

pub async fn poll(
    req: HttpRequest,
    state: web::Data<AppState>,
    sessions: web::Data<LongPollSessions>,
) -> HttpResponse {
    let params = ConnectParams::parse(&req);
    let Some((token, session)) = sessions.get(&params) else {
        return open(&req, &state, &sessions, &params).await;
    };
    touch(&session);
    let mut rx = session.rx.lock().await;
    let first = tokio::select! {
        f = rx.recv() => f,
        _ = tokio::time::sleep(POLL_WAIT) => None,
        code = session.out.close.wait() => {
            tracing::debug!(code, "long-poll session closed");
            drop(rx);
            sessions.remove(&token);
            return answer(json!({"status": 410, "token": token}));
        }
    };
    let Some(first) = first else {
        touch(&session);
        return answer(json!({"status": 204, "token": token}));
    };
    let mut messages = vec![frame_text(first)];
    while messages.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(f) => messages.push(frame_text(f)),
            Err(_) => break,
        }
    }
    touch(&session);
    answer(json!({"status": 200, "token": token, "messages": messages}))
}

fn frame_text(f: Frame) -> String {
    match f {
        Frame::Text(t) => t.to_string(),
        // Long-poll carries text only; binary frames travel base64-encoded, as phoenix.js sends them.
        Frame::Binary(b) => base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b),
    }
}

fn touch(s: &Session) {
    if let Ok(mut t) = s.last_seen.lock() {
        *t = Instant::now();
    }
}

async fn open(
    req: &HttpRequest,
    state: &AppState,
    sessions: &LongPollSessions,
    params: &ConnectParams,
) -> HttpResponse {
    let Some(vsn) = Vsn::parse(params.first("vsn")) else {
        return answer(json!({"status": 403}));
    };
    let who = match authenticate(state, req, params).await {
        Ok(p) => p,
        Err(_) => return answer(json!({"status": 403})),
    };
    let (tx, rx) = mpsc::channel(OUTGOING_QUEUE);
    let out = Outlet {
        tx,
        close: Arc::new(CloseSignal::default()),
    };
    let channels = Channels::new(
        hub(state),
        who,
        vsn,
        out.clone(),
        state.settings.max_channels_per_socket,
    );
    let token = random_token(24);
    let session = Arc::new(Session {
        channels: Mutex::new(channels),
        rx: tokio::sync::Mutex::new(rx),
        out,
        last_seen: Mutex::new(Instant::now()),
    });
    sessions.insert(token.clone(), session);
    answer(json!({"status": 410, "token": token}))
}

fn hub(state: &AppState) -> Arc<Hub> {
    state.realtime.clone()
}

pub async fn publish(
    req: HttpRequest,
    body: web::Bytes,
    sessions: web::Data<LongPollSessions>,
) -> HttpResponse {
    let params = ConnectParams::parse(&req);
    let Some((_, session)) = sessions.get(&params) else {
        return answer(json!({"status": 410}));
    };
    touch(&session);
    let text = String::from_utf8_lossy(&body);
    let mut channels = session.channels.lock().unwrap_or_else(|p| p.into_inner());
    for line in text.split('\n').map(str::trim).filter(|l| !l.is_empty()) {
        match protocol::decode_text(channels.vsn, line) {
            Ok(m) => channels.handle(m),
            Err(_) => return answer(json!({"status": 400})),
        }
    }
    answer(json!({"status": 200}))
}
