//! The audit entry, its hash and the field-level diff.

use async_graphql::SimpleObject;
use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::entity::audit_event;

/// The hash before a tenant's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields that go into an entry's hash, in a fixed order; `changes` is hashed in its
/// canonical (sorted-key) JSON form so the JSON column type does not matter.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    prev_hash: &str,
    tenant_id: Uuid,
    seq: i64,
    occurred_at: DateTime<Utc>,
    actor_type: &str,
    actor_id: Option<Uuid>,
    action: &str,
    entity_type: &str,
    entity_id: Option<Uuid>,
    changes: &Value,
    ip: Option<&str>,
    request_id: Option<&str>,
) -> String {
    let canonical = json!([
        prev_hash,
        tenant_id,
        seq,
        occurred_at
            .trunc_subsecs(6)
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        actor_type,
        actor_id,
        action,
        entity_type,
        entity_id,
        changes,
        ip,
        request_id
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Recomputes a stored row's hash.
pub fn row_hash(r: &audit_event::Model) -> String {
    entry_hash(
        &r.prev_hash,
        r.tenant_id,
        r.seq,
        r.occurred_at,
        &r.actor_type,
        r.actor_id,
        &r.action,
        &r.entity_type,
        r.entity_id,
        &r.changes,
        r.ip.as_deref(),
        r.request_id.as_deref(),
    )
}

/// `{field: {from, to}}` for every top-level field whose value differs.
pub fn diff(before: &Value, after: &Value) -> Value {
    let empty = Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut out = Map::new();
    for (k, av) in a {
        let bv = b.get(k).unwrap_or(&Value::Null);
        if bv != av {
            out.insert(k.clone(), json!({"from": bv, "to": av}));
        }
    }
    for (k, bv) in b {
        if !a.contains_key(k) && !bv.is_null() {
            out.insert(k.clone(), json!({"from": bv, "to": null}));
        }
    }
    Value::Object(out)
}

/// Who acted, as listed.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[graphql(name = "AuditActor")]
pub struct ActorView {
    /// `user`, `api_token` or `system`.
    #[serde(rename = "type")]
    #[graphql(name = "type")]
    pub type_: String,
    pub id: Option<Uuid>,
    pub name: Option<String>,
}

/// One audit entry.
#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[graphql(name = "AuditEvent")]
pub struct AuditEventView {
    pub id: Uuid,
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor: ActorView,
    /// e.g. `asset.created`, `asset.checked_out`, `user.logged_in`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
    /// `{field: {from, to}}`.
    #[schema(value_type = Object)]
    pub changes: Value,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub hash: String,
}

impl From<audit_event::Model> for AuditEventView {
    fn from(r: audit_event::Model) -> Self {
        Self {
            id: r.id,
            seq: r.seq,
            occurred_at: r.occurred_at,
            actor: ActorView {
                type_: r.actor_type,
                id: r.actor_id,
                name: r.actor_name,
            },
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            changes: r.changes,
            ip: r.ip,
            request_id: r.request_id,
            hash: r.hash,
        }
    }
}

/// The result of walking a tenant's chain.
#[derive(Serialize, ToSchema, SimpleObject)]
#[graphql(name = "AuditChainVerification")]
pub struct ChainVerification {
    /// True when every entry's hash and link are intact.
    pub ok: bool,
    /// How many entries were checked.
    pub checked: u64,
    /// The first entry whose hash or link does not match, if any.
    pub first_broken: Option<BrokenLink>,
}

#[derive(Serialize, ToSchema, SimpleObject)]
#[graphql(name = "AuditBrokenLink")]
pub struct BrokenLink {
    pub seq: i64,
    pub id: Uuid,
    /// `hash_mismatch` (the entry was altered), `link_mismatch` (its predecessor was altered or
    /// removed) or `sequence_gap` (an entry is missing).
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lists_only_changed_fields() {
        let d = diff(
            &json!({"a": 1, "b": "x", "c": null}),
            &json!({"a": 1, "b": "y", "c": 2}),
        );
        assert_eq!(
            d,
            json!({"b": {"from": "x", "to": "y"}, "c": {"from": null, "to": 2}})
        );
    }

    #[test]
    fn hash_depends_on_every_field() {
        let t = Utc::now();
        let id = Uuid::now_v7();
        let h = |action: &str, changes: &Value| {
            entry_hash(
                GENESIS, id, 1, t, "user", None, action, "asset", None, changes, None, None,
            )
        };
        let base = h("asset.created", &json!({"a": 1}));
        assert_eq!(base, h("asset.created", &json!({"a": 1})));
        assert_ne!(base, h("asset.updated", &json!({"a": 1})));
        assert_ne!(base, h("asset.created", &json!({"a": 2})));
    }
}
