//! A Phoenix-protocol WebSocket client: protocol tests speak frames; other tests
//! [`TestApp::channel`] a topic and wait for its events ([`recv_event`]).

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::{Session, TestApp};

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects to `/socket/websocket` with `query` (e.g. `token=..&vsn=2.0.0`).
pub async fn connect(
    address: &str,
    query: &str,
) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
    let url = format!(
        "{}/socket/websocket?{query}",
        address.replace("http://", "ws://")
    );
    tokio_tungstenite::connect_async(url)
        .await
        .map(|(ws, _)| ws)
}

pub async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into()))
        .await
        .expect("send");
}

pub async fn send_raw(ws: &mut Ws, m: Message) {
    ws.send(m).await.expect("send");
}

/// The next data frame within 5 s, as JSON (binary frames as `{"binary": [bytes]}`).
pub async fn recv(ws: &mut Ws) -> Value {
    recv_within(ws, Duration::from_secs(5))
        .await
        .expect("a frame within 5 s")
}

pub async fn recv_within(ws: &mut Ws, d: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + d;
    loop {
        let m = tokio::time::timeout_at(deadline, ws.next()).await.ok()??;
        match m.ok()? {
            Message::Text(t) => return serde_json::from_str(&t).ok(),
            Message::Binary(b) => return Some(serde_json::json!({"binary": b.to_vec()})),
            Message::Close(c) => {
                return Some(serde_json::json!({"close": c.map(|c| u16::from(c.code))}));
            }
            _ => continue,
        }
    }
}

/// Waits (up to 20 s) for the next frame whose event is `event`, skipping others.
pub async fn recv_event(ws: &mut Ws, event: &str) -> Value {
    let within = Duration::from_secs(20);
    let deadline = tokio::time::Instant::now() + within;
    let mut skipped = vec![];
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let Some(v) = recv_within(ws, left).await else {
            panic!("no {event} frame within {within:?}; skipped: {skipped:?}");
        };
        if v[3] == event || v["event"] == event {
            return v;
        }
        assert!(
            v.get("close").is_none(),
            "closed while waiting for {event}: {v}"
        );
        skipped.push(v);
    }
}

/// Connects (protocol 2.0.0) to the server at `address` with `token`.
pub async fn open(address: &str, token: &str) -> Ws {
    connect(address, &format!("token={token}&vsn=2.0.0"))
        .await
        .unwrap_or_else(|e| panic!("connect to {address}: {e}"))
}

/// Joins `topic` (join ref "1") and checks the server's reply.
pub async fn join(ws: &mut Ws, topic: &str) {
    send(ws, json!(["1", "1", topic, "phx_join", {}])).await;
    let r = recv(ws).await;
    assert_eq!(
        r,
        json!(["1", "1", topic, "phx_reply", {"status": "ok", "response": {}}]),
        "join"
    );
}

/// A socket to the server at `address` that has joined `topic`.
pub async fn joined(address: &str, token: &str, topic: &str) -> Ws {
    let mut ws = open(address, token).await;
    join(&mut ws, topic).await;
    ws
}

impl TestApp {
    /// A socket of the user's (protocol 2.0.0), joined to nothing yet.
    pub async fn socket(&self, s: &Session) -> Ws {
        open(&self.address, &s.access_token).await
    }

    /// A socket of the user's that has joined `topic`, e.g. `integrations:{tenant}`.
    pub async fn channel(&self, s: &Session, topic: &str) -> Ws {
        joined(&self.address, &s.access_token, topic).await
    }
}

/// The close code the server closes with (within 5 s).
pub async fn close_code(ws: &mut Ws) -> Option<u16> {
    for _ in 0..20 {
        let v = recv_within(ws, Duration::from_secs(5)).await?;
        if let Some(c) = v.get("close") {
            return c.as_u64().map(|c| c as u16);
        }
    }
    None
}
