//! Appending to and reading the audit log.

use crate::platform::ids::TenantId;
use chrono::{SubsecRound, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::Value;
use uuid::Uuid;

use super::entity::audit_event;
use super::model::{self, AuditEventView, BrokenLink, ChainVerification};
use crate::platform::auth::{Action, Principal};
use crate::platform::error::ApiResult;
use crate::platform::pagination::{self, Cursor, Page};

/// What a write changed, for the log.
pub struct Entry<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<Uuid>,
    pub changes: Value,
}

/// Appends an entry to the tenant's chain. Call inside a transaction opened with
/// `platform::db::begin_write`, which holds the tenant's write lock and so orders the chain.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    e: Entry<'_>,
) -> Result<(), DbErr> {
    record_many(conn, who, vec![e]).await
}

/// Appends entries to the tenant's chain in order, with one read of the chain's end and
/// multi-row inserts (a sync writes thousands). Same transaction rule as [`record`].
pub async fn record_many<C: ConnectionTrait>(
    conn: &C,
    who: &Principal,
    entries: Vec<Entry<'_>>,
) -> Result<(), DbErr> {
    if entries.is_empty() {
        return Ok(());
    }
    let last = audit_event::Entity::find()
        .filter(audit_event::Column::TenantId.eq(who.tenant_id))
        .order_by_desc(audit_event::Column::Seq)
        .limit(1)
        .one(conn)
        .await?;
    let (mut seq, mut prev_hash) = match last {
        Some(l) => (l.seq, l.hash),
        None => (0, model::GENESIS.to_owned()),
    };
    let occurred_at = Utc::now().trunc_subsecs(6);
    let mut rows = Vec::with_capacity(entries.len());
    for e in entries {
        seq += 1;
        let hash = model::entry_hash(
            &prev_hash,
            who.tenant_id.uuid(),
            seq,
            occurred_at,
            who.actor.kind(),
            who.actor.id(),
            e.action,
            e.entity_type,
            e.entity_id,
            &e.changes,
            who.meta.ip.as_deref(),
            who.meta.request_id.as_deref(),
        );
        rows.push(audit_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(who.tenant_id.uuid()),
            seq: Set(seq),
            occurred_at: Set(occurred_at),
            actor_type: Set(who.actor.kind().to_owned()),
            actor_id: Set(who.actor.id()),
            actor_name: Set(Some(who.actor.name().to_owned())),
            action: Set(e.action.to_owned()),
            entity_type: Set(e.entity_type.to_owned()),
            entity_id: Set(e.entity_id),
            changes: Set(e.changes),
            ip: Set(who.meta.ip.clone()),
            request_id: Set(who.meta.request_id.clone()),
            prev_hash: Set(std::mem::replace(&mut prev_hash, hash.clone())),
            hash: Set(hash),
        });
    }
    // 15 columns a row: 200 rows stay far below SQLite's bound-parameter limit.
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(200));
        let chunk = std::mem::replace(&mut rows, rest);
        audit_event::Entity::insert_many(chunk).exec(conn).await?;
    }
    Ok(())
}

/// Filters of the audit list.
#[derive(Default)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub action: Option<String>,
    pub actor_id: Option<Uuid>,
    pub since: Option<chrono::DateTime<Utc>>,
    pub until: Option<chrono::DateTime<Utc>>,
}

/// Lists entries newest first.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn list(
    db: &DatabaseConnection,
    who: &Principal,
    f: AuditFilter,
    limit: Option<u64>,
    cursor: Option<&str>,
) -> ApiResult<Page<AuditEventView>> {
    who.require(Action::AuditRead)?;
    list_unchecked(db, who.tenant_id, f, limit, cursor).await
}

/// Lists entries newest first without a permission check: for contexts that already decided
/// the caller may see them (an asset's history).
pub async fn list_unchecked(
    db: &DatabaseConnection,
    tenant_id: TenantId,
    f: AuditFilter,
    limit: Option<u64>,
    cursor: Option<&str>,
) -> ApiResult<Page<AuditEventView>> {
    let limit = pagination::limit(limit)?;
    let mut q = audit_event::Entity::find().filter(audit_event::Column::TenantId.eq(tenant_id));
    if let Some(c) = cursor {
        let c = Cursor::decode(c, "-seq")?;
        let seq: i64 =
            c.v.as_deref()
                .and_then(|v| v.parse().ok())
                .unwrap_or(i64::MAX);
        q = q.filter(audit_event::Column::Seq.lt(seq));
    }
    if let Some(v) = f.entity_type {
        q = q.filter(audit_event::Column::EntityType.eq(v));
    }
    if let Some(v) = f.entity_id {
        q = q.filter(audit_event::Column::EntityId.eq(v));
    }
    if let Some(v) = f.action {
        q = q.filter(audit_event::Column::Action.eq(v));
    }
    if let Some(v) = f.actor_id {
        q = q.filter(audit_event::Column::ActorId.eq(v));
    }
    if let Some(v) = f.since {
        q = q.filter(audit_event::Column::OccurredAt.gte(v));
    }
    if let Some(v) = f.until {
        q = q.filter(audit_event::Column::OccurredAt.lt(v));
    }
    let rows = q
        .order_by_desc(audit_event::Column::Seq)
        .limit(limit + 1)
        .all(db)
        .await?;
    Ok(pagination::page_of(
        rows.into_iter().map(AuditEventView::from).collect(),
        limit,
        cursor_after,
    ))
}

fn cursor_after(e: &AuditEventView) -> Cursor {
    Cursor {
        s: "-seq".into(),
        v: Some(e.seq.to_string()),
        id: e.id,
    }
}

/// The cursor that continues the list after entry `e` (what `next_cursor` is for a page's last).
pub fn cursor_for(e: &AuditEventView) -> String {
    cursor_after(e).encode()
}

/// Walks the tenant's whole chain in order and reports the first broken link.
#[tracing::instrument(skip_all, fields(tenant_id = %who.tenant_id))]
pub async fn verify(db: &DatabaseConnection, who: &Principal) -> ApiResult<ChainVerification> {
    who.require(Action::AuditRead)?;
    let mut expected_prev = model::GENESIS.to_owned();
    let mut expected_seq = 1i64;
    let mut checked = 0u64;
    loop {
        let batch = audit_event::Entity::find()
            .filter(audit_event::Column::TenantId.eq(who.tenant_id))
            .filter(audit_event::Column::Seq.gte(expected_seq))
            .order_by_asc(audit_event::Column::Seq)
            .limit(1000)
            .all(db)
            .await?;
        if batch.is_empty() {
            break;
        }
        for r in batch {
            let broken = |reason: &str| ChainVerification {
                ok: false,
                checked,
                first_broken: Some(BrokenLink {
                    seq: r.seq,
                    id: r.id,
                    reason: reason.into(),
                }),
            };
            if r.seq != expected_seq {
                return Ok(broken("sequence_gap"));
            }
            if r.prev_hash != expected_prev {
                return Ok(broken("link_mismatch"));
            }
            if model::row_hash(&r) != r.hash {
                return Ok(broken("hash_mismatch"));
            }
            checked += 1;
            expected_prev = r.hash;
            expected_seq += 1;
        }
    }
    Ok(ChainVerification {
        ok: true,
        checked,
        first_broken: None,
    })
}
