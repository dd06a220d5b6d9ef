//! One client connection's channels, independent of transport (WebSocket or long-poll):
//! joins with topic authorization, leaves, heartbeats, presence, and replies.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value, json};
use uuid::Uuid;

use super::hub::{ConnId, Hub, Outlet};
use super::protocol::{self, Message, Payload, Vsn};
use crate::platform::auth::{Action, Actor, Principal, Role};

/// Why a join is refused; the reason goes back to the client as `{reason}`.
#[derive(Debug, PartialEq, Eq)]
pub enum JoinError {
    Unauthorized,
    UnmatchedTopic,
}

impl JoinError {
    fn reason(&self) -> &'static str {
        match self {
            JoinError::Unauthorized => "unauthorized",
            JoinError::UnmatchedTopic => "unmatched topic",
        }
    }
}

/// Decides whether `who` may join `topic`. Topics are `kind:id`; tenant topics must name the
/// caller's tenant, `user:{id}` the caller.
pub fn authorize_topic(who: &Principal, topic: &str) -> Result<(), JoinError> {
    let (kind, id) = topic.split_once(':').ok_or(JoinError::UnmatchedTopic)?;
    if !matches!(
        kind,
        "assets" | "employees" | "workflows" | "activity" | "integrations" | "presence" | "user"
    ) {
        return Err(JoinError::UnmatchedTopic);
    }
    let id: Uuid = id.parse().map_err(|_| JoinError::Unauthorized)?;
    let tenant_topic = |action: Option<Action>| {
        if id != who.tenant_id {
            return Err(JoinError::Unauthorized);
        }
        match action {
            Some(a) if !who.can(a) => Err(JoinError::Unauthorized),
            _ => Ok(()),
        }
    };
    match kind {
        // Members may only see their own assets, so the tenant-wide stream is not theirs.
        "assets" if who.role == Role::Member => Err(JoinError::Unauthorized),
        "assets" => tenant_topic(Some(Action::AssetsRead)),
        "employees" | "workflows" | "activity" => tenant_topic(Some(Action::PeopleRead)),
        "integrations" => tenant_topic(Some(Action::IntegrationsRead)),
        "presence" => tenant_topic(None),
        "user" => match &who.actor {
            Actor::User { id: uid, .. } if *uid == id => Ok(()),
            _ => Err(JoinError::Unauthorized),
        },
        _ => Err(JoinError::UnmatchedTopic),
    }
}

/// The channel state of one connection.
pub struct Channels {
    pub id: ConnId,
    pub who: Principal,
    pub vsn: Vsn,
    hub: Arc<Hub>,
    out: Outlet,
    max_channels: usize,
    /// topic → join_ref of the current join.
    joins: HashMap<String, Option<Arc<str>>>,
}

impl Channels {
    pub fn new(hub: Arc<Hub>, who: Principal, vsn: Vsn, out: Outlet, max_channels: usize) -> Self {
        hub.open_connections
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self {
            id: hub.next_conn_id(),
            who,
            vsn,
            hub,
            out,
            max_channels,
            joins: HashMap::new(),
        }
    }

    fn send(&self, m: &Message) {
        self.out.send(protocol::encode(self.vsn, m));
    }

    fn reply(&self, m: &Message, status: &str, response: Value) {
        self.send(&protocol::reply(
            m.join_ref.clone(),
            m.ref_.clone(),
            &m.topic,
            status,
            response,
        ));
    }

    fn close_channel(&self, topic: &str, join_ref: Option<Arc<str>>) {
        let jr = join_ref.map(|j| j.to_string());
        self.send(&Message {
            join_ref: jr.clone(),
            ref_: jr,
            topic: topic.to_owned(),
            event: "phx_close".into(),
            payload: Payload::Json(json!({})),
        });
    }

    fn leave(&mut self, topic: &str) -> Option<Option<Arc<str>>> {
        let old = self.joins.remove(topic)?;
        self.hub.unsubscribe(topic, self.id);
        if topic.starts_with("presence:") {
            self.hub.untrack(topic, self.id);
        }
        Some(old)
    }

    /// Handles one message from the client.
    pub fn handle(&mut self, m: Message) {
        match (m.topic.as_str(), m.event.as_str()) {
            ("phoenix", "heartbeat") => self.reply(&m, "ok", json!({})),
            (_, "phx_join") => self.join(m),
            (topic, "phx_leave") => {
                let topic = topic.to_owned();
                let old = self.leave(&topic);
                self.reply(&m, "ok", json!({}));
                if let Some(old) = old {
                    self.close_channel(&topic, old);
                }
            }
            (topic, _) if !self.joins.contains_key(topic) => {
                self.reply(&m, "error", json!({"reason": "unmatched topic"}))
            }
            (_, "ping") => match &m.payload {
                // Echoes the payload: lets clients measure round trips, in JSON or binary.
                Payload::Binary(_) => self.send(&Message {
                    event: "phx_reply".into(),
                    ..m.clone()
                }),
                Payload::Json(p) => self.reply(&m, "ok", p.clone()),
            },
            _ => self.reply(&m, "error", json!({"reason": "unknown event"})),
        }
    }

    fn join(&mut self, m: Message) {
        if let Err(e) = authorize_topic(&self.who, &m.topic) {
            self.reply(&m, "error", json!({"reason": e.reason()}));
            return;
        }
        // A second join of the same topic replaces the first, which is closed.
        if let Some(old) = self.leave(&m.topic) {
            self.close_channel(&m.topic, old);
        }
        if self.joins.len() >= self.max_channels {
            self.reply(&m, "error", json!({"reason": "too many channels"}));
            return;
        }
        let join_ref: Option<Arc<str>> = m.join_ref.as_deref().map(Arc::from);
        self.reply(&m, "ok", json!({}));
        self.hub.subscribe(
            &m.topic,
            self.id,
            join_ref.clone(),
            self.vsn,
            self.out.clone(),
        );
        self.joins.insert(m.topic.clone(), join_ref);
        if m.topic.starts_with("presence:") {
            let key = self
                .who
                .actor
                .id()
                .map(|i| i.to_string())
                .unwrap_or_else(|| format!("conn-{}", self.id));
            let meta = json!({
                "name": self.who.actor.name(),
                "kind": self.who.actor.kind(),
                "online_at": crate::platform::clock::now().timestamp(),
            });
            let state = self.hub.track(&m.topic, self.id, &key, meta);
            self.send(&protocol::push(
                m.join_ref.clone(),
                &m.topic,
                "presence_state",
                state,
            ));
        }
    }

    pub fn joined(&self) -> usize {
        self.joins.len()
    }
}

impl Drop for Channels {
    /// Leaving for any reason (close, error, kill) removes every subscription and presence.
    fn drop(&mut self) {
        let topics: Vec<String> = self.joins.keys().cloned().collect();
        for t in topics {
            self.leave(&t);
        }
        self.hub
            .open_connections
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::auth::RequestMeta;

    fn who(role: Role) -> Principal {
        Principal {
            tenant_id: Uuid::now_v7().into(),
            actor: Actor::User {
                id: Uuid::now_v7().into(),
                name: "U".into(),
                email: "u@example.com".into(),
            },
            role,
            meta: RequestMeta::default(),
        }
    }

    #[test]
    fn tenant_topics_need_the_callers_tenant() {
        let w = who(Role::Admin);
        assert_eq!(
            authorize_topic(&w, &format!("assets:{}", w.tenant_id)),
            Ok(())
        );
        assert_eq!(
            authorize_topic(&w, &format!("assets:{}", Uuid::now_v7())),
            Err(JoinError::Unauthorized)
        );
        assert_eq!(
            authorize_topic(&w, "assets:not-a-uuid"),
            Err(JoinError::Unauthorized)
        );
        assert_eq!(
            authorize_topic(&w, "nonsense"),
            Err(JoinError::UnmatchedTopic)
        );
        assert_eq!(
            authorize_topic(&w, &format!("rooms:{}", w.tenant_id)),
            Err(JoinError::UnmatchedTopic)
        );
    }

    #[test]
    fn personal_topics_and_roles() {
        let w = who(Role::Member);
        let Actor::User { id, .. } = w.actor.clone() else {
            panic!("user")
        };
        assert_eq!(authorize_topic(&w, &format!("user:{id}")), Ok(()));
        assert_eq!(
            authorize_topic(&w, &format!("user:{}", Uuid::now_v7())),
            Err(JoinError::Unauthorized)
        );
        assert_eq!(
            authorize_topic(&w, &format!("assets:{}", w.tenant_id)),
            Err(JoinError::Unauthorized)
        );
        assert_eq!(
            authorize_topic(&w, &format!("presence:{}", w.tenant_id)),
            Ok(())
        );
        let v = who(Role::Viewer);
        assert_eq!(
            authorize_topic(&v, &format!("integrations:{}", v.tenant_id)),
            Err(JoinError::Unauthorized)
        );
    }
}
