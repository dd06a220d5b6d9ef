//! The node-local registry of joined channels and presences. Events reach it from the event
//! bus (whichever node caused them); it serializes each once and hands the frame to every
//! subscriber's bounded outgoing queue. A subscriber whose queue is full is disconnected
//! rather than allowed to grow memory.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use serde_json::{Map, Value, json};
use tokio::sync::{Notify, mpsc, watch};

use super::protocol::{BroadcastFrames, Frame, Vsn};
use crate::platform::events::Event;

pub type ConnId = u64;

/// Close codes sent to clients. None of them is 1000, so phoenix.js reconnects.
pub mod close_code {
    /// The server is restarting or shutting down.
    pub const SERVICE_RESTART: u16 = 1012;
    /// The client could not keep up with its messages.
    pub const TRY_AGAIN_LATER: u16 = 1013;
    /// No message (not even a heartbeat) for too long.
    pub const GOING_AWAY: u16 = 1001;
    /// A frame that is not the protocol.
    pub const INVALID_PAYLOAD: u16 = 1007;
    /// A frame larger than allowed.
    pub const TOO_BIG: u16 = 1009;
}

/// Asks a connection to close itself with a code.
#[derive(Default)]
pub struct CloseSignal {
    notify: Notify,
    code: std::sync::atomic::AtomicU16,
}

impl CloseSignal {
    pub fn close(&self, code: u16) {
        self.code.store(code, Ordering::SeqCst);
        self.notify.notify_one();
    }
    pub async fn wait(&self) -> u16 {
        self.notify.notified().await;
        self.code.load(Ordering::SeqCst)
    }
}

/// The sending side of one connection: its bounded queue and its close signal.
#[derive(Clone)]
pub struct Outlet {
    pub tx: mpsc::Sender<Frame>,
    pub close: Arc<CloseSignal>,
}

impl Outlet {
    /// Queues a frame; a full queue disconnects the slow consumer.
    pub fn send(&self, f: Frame) -> bool {
        match self.tx.try_send(f) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!("slow realtime consumer disconnected");
                self.close.close(close_code::TRY_AGAIN_LATER);
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }
}

struct Member {
    join_ref: Option<Arc<str>>,
    vsn: Vsn,
    out: Outlet,
}

/// One presence entry: a connection's meta under a key (the user id).
struct PresenceMeta {
    conn: ConnId,
    meta: Value,
}

pub struct Hub {
    topics: RwLock<HashMap<String, HashMap<ConnId, Member>>>,
    presences: Mutex<HashMap<String, HashMap<String, Vec<PresenceMeta>>>>,
    next_id: AtomicU64,
    pub open_connections: AtomicUsize,
    shutdown: watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    pub fn new() -> Self {
        Self {
            topics: RwLock::default(),
            presences: Mutex::default(),
            next_id: AtomicU64::new(1),
            open_connections: AtomicUsize::new(0),
            shutdown: watch::channel(false).0,
        }
    }

    pub fn next_conn_id(&self) -> ConnId {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Fires once when the server begins shutting down.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Tells every connection to close with a code that makes clients reconnect elsewhere.
    pub fn shutdown(&self) {
        let _ = self.shutdown.send(true);
    }

    pub fn subscribe(
        &self,
        topic: &str,
        conn: ConnId,
        join_ref: Option<Arc<str>>,
        vsn: Vsn,
        out: Outlet,
    ) {
        let mut t = self.topics.write().unwrap_or_else(|p| p.into_inner());
        t.entry(topic.to_owned())
            .or_default()
            .insert(conn, Member { join_ref, vsn, out });
    }

    pub fn unsubscribe(&self, topic: &str, conn: ConnId) {
        let mut t = self.topics.write().unwrap_or_else(|p| p.into_inner());
        if let Some(members) = t.get_mut(topic) {
            members.remove(&conn);
            if members.is_empty() {
                t.remove(topic);
            }
        }
    }

    pub fn joined_channels(&self) -> usize {
        self.topics
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .map(HashMap::len)
            .sum()
    }

    /// Sends an event to every subscriber of `topic`; returns how many it reached.
    pub fn broadcast(&self, topic: &str, event: &str, payload: &Value) -> usize {
        let t = self.topics.read().unwrap_or_else(|p| p.into_inner());
        let Some(members) = t.get(topic) else {
            return 0;
        };
        let mut frames = BroadcastFrames::new(topic, event, payload);
        let mut reached = 0;
        for m in members.values() {
            if m.out.send(frames.frame(m.vsn, &m.join_ref)) {
                reached += 1;
            }
        }
        reached
    }

    /// Delivers a domain event to its topic and to the tenant's activity stream.
    pub fn dispatch(&self, e: &Event) {
        self.broadcast(&e.topic, &e.event, &e.payload);
        let topic_kind = e.topic.split(':').next().unwrap_or_default();
        self.broadcast(
            &format!("activity:{}", e.tenant_id),
            &e.event,
            &json!({"id": e.id, "topic": topic_kind, "payload": e.payload}),
        );
    }

    /// Adds a presence for `key` and returns the topic's full state (for `presence_state`);
    /// the `presence_diff` of the join goes to every subscriber.
    pub fn track(&self, topic: &str, conn: ConnId, key: &str, mut meta: Value) -> Value {
        let phx_ref = format!("{}", self.next_id.fetch_add(1, Ordering::Relaxed));
        if let Some(o) = meta.as_object_mut() {
            o.insert("phx_ref".into(), json!(phx_ref));
        }
        let state = {
            let mut p = self.presences.lock().unwrap_or_else(|p| p.into_inner());
            let entries = p.entry(topic.to_owned()).or_default();
            entries
                .entry(key.to_owned())
                .or_default()
                .push(PresenceMeta {
                    conn,
                    meta: meta.clone(),
                });
            presence_state(entries)
        };
        self.broadcast(
            topic,
            "presence_diff",
            &json!({"joins": {key: {"metas": [meta]}}, "leaves": {}}),
        );
        state
    }

    /// Removes a connection's presences on `topic`, telling the others.
    pub fn untrack(&self, topic: &str, conn: ConnId) {
        let leaves = {
            let mut p = self.presences.lock().unwrap_or_else(|p| p.into_inner());
            let Some(entries) = p.get_mut(topic) else {
                return;
            };
            let mut leaves = Map::new();
            entries.retain(|key, metas| {
                let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(metas)
                    .into_iter()
                    .partition(|m| m.conn == conn);
                if !gone.is_empty() {
                    leaves.insert(
                        key.clone(),
                        json!({"metas": gone.into_iter().map(|m| m.meta).collect::<Vec<_>>()}),
                    );
                }
                *metas = kept;
                !metas.is_empty()
            });
            if entries.is_empty() {
                p.remove(topic);
            }
            leaves
        };
        if !leaves.is_empty() {
            self.broadcast(
                topic,
                "presence_diff",
                &json!({"joins": {}, "leaves": leaves}),
            );
        }
    }

    /// Forwards committed events from the bus to local subscribers, forever.
    pub async fn run(self: Arc<Self>, mut events: tokio::sync::broadcast::Receiver<Arc<Event>>) {
        loop {
            match events.recv().await {
                Ok(e) => self.dispatch(&e),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "realtime hub lagged behind the event bus");
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}

fn presence_state(entries: &HashMap<String, Vec<PresenceMeta>>) -> Value {
    let mut out = Map::new();
    for (key, metas) in entries {
        out.insert(
            key.clone(),
            json!({"metas": metas.iter().map(|m| m.meta.clone()).collect::<Vec<_>>()}),
        );
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outlet(capacity: usize) -> (Outlet, mpsc::Receiver<Frame>) {
        let (tx, rx) = mpsc::channel(capacity);
        (
            Outlet {
                tx,
                close: Arc::new(CloseSignal::default()),
            },
            rx,
        )
    }

    #[tokio::test]
    async fn a_slow_consumer_is_disconnected_instead_of_buffered() {
        let hub = Hub::new();
        let (out, _rx) = outlet(2);
        let close = out.close.clone();
        hub.subscribe("assets:t", 1, Some("1".into()), Vsn::V2, out);
        assert_eq!(hub.broadcast("assets:t", "e", &json!({})), 1);
        assert_eq!(hub.broadcast("assets:t", "e", &json!({})), 1);
        assert_eq!(
            hub.broadcast("assets:t", "e", &json!({})),
            0,
            "the third frame does not fit"
        );
        let code = tokio::time::timeout(std::time::Duration::from_secs(1), close.wait()).await;
        assert_eq!(code.ok(), Some(close_code::TRY_AGAIN_LATER));
    }

    #[tokio::test]
    async fn one_frame_serves_every_subscriber_with_the_same_join_ref() {
        let hub = Hub::new();
        let (a, mut ra) = outlet(4);
        let (b, mut rb) = outlet(4);
        hub.subscribe("assets:t", 1, Some("1".into()), Vsn::V2, a);
        hub.subscribe("assets:t", 2, Some("1".into()), Vsn::V2, b);
        hub.broadcast("assets:t", "asset_created", &json!({"asset": {"id": 1}}));
        let (Some(Frame::Text(fa)), Some(Frame::Text(fb))) = (ra.recv().await, rb.recv().await)
        else {
            panic!("frames")
        };
        assert_eq!(fa, fb);
        assert_eq!(
            fa.as_bytes().as_ptr(),
            fb.as_bytes().as_ptr(),
            "the same bytes, not a copy"
        );
    }

    #[tokio::test]
    async fn presence_diffs_follow_tracks_and_untracks() {
        let hub = Hub::new();
        let (a, mut ra) = outlet(8);
        hub.subscribe("presence:t", 1, Some("1".into()), Vsn::V2, a);
        let state = hub.track("presence:t", 1, "u1", json!({"name": "A"}));
        assert!(state["u1"]["metas"][0]["phx_ref"].is_string());
        let (b, _rb) = outlet(8);
        hub.subscribe("presence:t", 2, Some("1".into()), Vsn::V2, b);
        hub.track("presence:t", 2, "u2", json!({"name": "B"}));
        hub.untrack("presence:t", 2);
        let mut diffs = vec![];
        while let Ok(Frame::Text(t)) = ra.try_recv() {
            diffs.push(serde_json::from_str::<Value>(&t).unwrap_or_default());
        }
        assert_eq!(diffs.len(), 3, "own join, B's join, B's leave");
        assert!(diffs[1][4]["joins"]["u2"].is_object());
        assert!(diffs[2][4]["leaves"]["u2"].is_object());
    }
}
