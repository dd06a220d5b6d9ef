//! Domain events through a transactional outbox.
//!
//! A use-case calls [`enqueue`] inside the transaction that makes the change, so the event
//! exists exactly when the change does. After commit it calls [`EventBus::kick`]; the relay
//! task reads unpublished rows in order, broadcasts them to in-process subscribers (realtime
//! channels, SSE, ...) and marks them published. A crash between commit and publish loses
//! nothing: the relay picks the rows up at the next start.
//!
//! Fan-out has two backends behind the same bus. Embedded (SQLite): the relay broadcasts in
//! process. PostgreSQL: relays on every node claim rows with `FOR UPDATE SKIP LOCKED` (so each
//! event is published once) and `NOTIFY` them; every node `LISTEN`s and broadcasts what it
//! hears to its own subscribers, so a socket on any node sees every event. Payloads too big
//! for a notification travel as a reference and are read back from the outbox.

use crate::platform::ids::TenantId;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement, TransactionTrait,
};
use serde_json::Value;
use tokio::sync::{Notify, broadcast};
use uuid::Uuid;

/// The PostgreSQL channel events travel on between nodes.
pub const NOTIFY_CHANNEL: &str = "assetronics_events";
/// NOTIFY payloads must stay under 8000 bytes; larger events travel by reference.
const MAX_NOTIFY_BYTES: usize = 7000;

/// A published domain event.
#[derive(Clone, Debug)]
pub struct Event {
    pub id: Uuid,
    pub tenant_id: TenantId,
    /// The channel topic, e.g. `assets:{tenant_id}`.
    pub topic: String,
    /// The event name, e.g. `asset_created`.
    pub event: String,
    pub payload: Value,
}

/// Writes an event into the outbox, in the caller's transaction.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    topic_prefix: &str,
    event: &str,
    payload: Value,
) -> Result<(), DbErr> {
    outbox_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id.uuid()),
        topic: Set(format!("{topic_prefix}:{tenant_id}")),
        event: Set(event.to_owned()),
        payload: Set(payload),
        created_at: Set(crate::platform::clock::now()),
        published_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Writes several events into the outbox, in order, in the caller's transaction (multi-row
/// inserts: a sync publishes thousands).
pub async fn enqueue_many<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    topic_prefix: &str,
    events: Vec<(&str, Value)>,
) -> Result<(), DbErr> {
    let topic = format!("{topic_prefix}:{tenant_id}");
    let now = crate::platform::clock::now();
    let mut rows: Vec<outbox_event::ActiveModel> = events
        .into_iter()
        .map(|(event, payload)| outbox_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant_id.uuid()),
            topic: Set(topic.clone()),
            event: Set(event.to_owned()),
            payload: Set(payload),
            created_at: Set(now),
            published_at: Set(None),
        })
        .collect();
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(500));
        let chunk = std::mem::replace(&mut rows, rest);
        outbox_event::Entity::insert_many(chunk).exec(conn).await?;
    }
    Ok(())
}

async fn listen(db: &DatabaseConnection) -> Result<PgListener, DbErr> {
    let err = |e: sea_orm::sqlx::Error| DbErr::Custom(format!("LISTEN: {e}"));
    let mut l = PgListener::connect_with(db.get_postgres_connection_pool())
        .await
        .map_err(err)?;
    l.listen(NOTIFY_CHANNEL).await.map_err(err)?;
    Ok(l)
}

/// In-process fan-out of committed events.
pub struct EventBus {
    tx: broadcast::Sender<Arc<Event>>,
    wake: Notify,
    /// Events this node published (relay) — for metrics.
    pub published: std::sync::atomic::AtomicU64,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(4096);
        Self {
            tx,
            wake: Notify::new(),
            published: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Every event published from now on. A receiver that falls behind by more than the
    /// channel's capacity is told it lagged (and resumes from the outbox if it cares).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.tx.subscribe()
    }

    /// The events of one tenant's topic (`{topic_prefix}:{tenant_id}`) published from now on.
    /// The subscription starts at the call, so nothing committed afterwards is missed; a
    /// subscriber that lags past the channel's capacity skips what it missed (logged).
    pub fn stream(
        &self,
        tenant_id: TenantId,
        topic_prefix: &str,
    ) -> impl futures::Stream<Item = Arc<Event>> + Send + use<> {
        let topic = format!("{topic_prefix}:{tenant_id}");
        futures::stream::unfold(
            (self.subscribe(), topic),
            move |(mut rx, topic)| async move {
                loop {
                    match rx.recv().await {
                        Ok(e) if e.tenant_id == tenant_id && e.topic == topic => {
                            return Some((e, (rx, topic)));
                        }
                        Ok(_) => {}
                        Err(broadcast::error::RecvError::Lagged(n)) => {
                            tracing::warn!(%tenant_id, topic = %topic, skipped = n, "event subscriber lagged");
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            },
        )
    }

    /// Tells the relay that committed events are waiting.
    pub fn kick(&self) {
        self.wake.notify_one();
    }

    /// Starts fan-out: on PostgreSQL the listener is `LISTEN`ing before this returns, so no
    /// event committed after start-up is missed; then the relay runs, forever, in the background.
    pub async fn start(self: &Arc<Self>, db: &DatabaseConnection) -> Result<(), DbErr> {
        if db.get_database_backend() == DbBackend::Postgres {
            let listener = listen(db).await?;
            tokio::spawn(self.clone().run_listener(db.clone(), listener));
        }
        tokio::spawn(self.clone().run_relay(db.clone()));
        Ok(())
    }

    /// Publishes what the outbox holds, forever.
    async fn run_relay(self: Arc<Self>, db: DatabaseConnection) {
        loop {
            let published = match db.get_database_backend() {
                DbBackend::Postgres => self.notify_pending(&db).await,
                _ => self.publish_pending(&db).await,
            };
            match published {
                Ok(n) if n > 0 => {
                    self.published
                        .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox relay failed; retrying"),
            }
            let _ = tokio::time::timeout(Duration::from_secs(1), self.wake.notified()).await;
        }
    }

    /// PostgreSQL: claims one batch of unpublished events and `NOTIFY`s them in order, in one
    /// transaction (notifications are delivered at commit, the claim and the send together).
    async fn notify_pending(&self, db: &DatabaseConnection) -> Result<usize, DbErr> {
        let txn = db.begin().await?;
        let rows = txn
            .query_all_raw(Statement::from_string(
                DbBackend::Postgres,
                "WITH claimed AS (
                    SELECT id FROM outbox_events WHERE published_at IS NULL ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED
                 )
                 UPDATE outbox_events o SET published_at = now() FROM claimed WHERE o.id = claimed.id
                 RETURNING o.id, o.tenant_id, o.topic, o.event, o.payload",
            ))
            .await?;
        let mut events = Vec::with_capacity(rows.len());
        for r in rows {
            events.push((
                r.try_get::<Uuid>("", "id")?,
                r.try_get::<Uuid>("", "tenant_id")?,
                r.try_get::<String>("", "topic")?,
                r.try_get::<String>("", "event")?,
                r.try_get::<Value>("", "payload")?,
            ));
        }
        events.sort_by_key(|e| e.0);
        let notes: Vec<String> = events
            .iter()
            .map(|(id, tenant_id, topic, event, payload)| {
                let note = serde_json::json!({"id": id, "tenant_id": tenant_id, "topic": topic, "event": event, "payload": payload}).to_string();
                if note.len() > MAX_NOTIFY_BYTES {
                    serde_json::json!({"id": id, "tenant_id": tenant_id, "topic": topic, "event": event, "by_ref": true}).to_string()
                } else {
                    note
                }
            })
            .collect();
        if !notes.is_empty() {
            // One round trip for the whole batch, in order (a NOTIFY per event made a large
            // sync's relay the slowest part of it).
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, s.note) FROM (SELECT n.note FROM json_array_elements_text($2::json) \
                 WITH ORDINALITY AS n(note, i) ORDER BY n.i) s",
                [NOTIFY_CHANNEL.into(), Value::from(notes).into()],
            ))
            .await?;
        }
        txn.commit().await?;
        Ok(events.len())
    }

    /// PostgreSQL: hears every node's notifications and broadcasts them to this node's
    /// subscribers. After a lost connection it reconnects and catches up from the outbox with
    /// what was published meanwhile.
    async fn run_listener(self: Arc<Self>, db: DatabaseConnection, mut listener: PgListener) {
        let mut last_seen: Option<Uuid> = None;
        loop {
            match listener.recv().await {
                Ok(n) => match self.deliver_notification(&db, n.payload()).await {
                    Ok(id) => last_seen = Some(last_seen.map_or(id, |l| l.max(id))),
                    Err(e) => {
                        tracing::warn!(error = %e, "dropped an undecodable event notification")
                    }
                },
                Err(e) => {
                    tracing::warn!(error = %e, "event listener lost its connection; reconnecting");
                    listener = loop {
                        match listen(&db).await {
                            Ok(l) => break l,
                            Err(e) => {
                                tracing::warn!(error = %e, "event listener cannot reconnect yet");
                                tokio::time::sleep(Duration::from_secs(1)).await;
                            }
                        }
                    };
                    if let Some(after) = last_seen {
                        match self.catch_up(&db, after).await {
                            Ok(Some(id)) => last_seen = Some(id),
                            Ok(None) => {}
                            Err(e) => tracing::warn!(error = %e, "event catch-up failed"),
                        }
                    }
                }
            }
        }
    }

    async fn catch_up(&self, db: &DatabaseConnection, after: Uuid) -> Result<Option<Uuid>, DbErr> {
        let rows = outbox_event::Entity::find()
            .filter(outbox_event::Column::Id.gt(after))
            .filter(outbox_event::Column::PublishedAt.is_not_null())
            .order_by_asc(outbox_event::Column::Id)
            .limit(10_000)
            .all(db)
            .await?;
        let last = rows.last().map(|r| r.id);
        for r in rows {
            let _ = self.tx.send(Arc::new(Event {
                id: r.id,
                tenant_id: r.tenant_id.into(),
                topic: r.topic,
                event: r.event,
                payload: r.payload,
            }));
        }
        Ok(last)
    }

    async fn deliver_notification(
        &self,
        db: &DatabaseConnection,
        raw: &str,
    ) -> Result<Uuid, DbErr> {
        let v: Value = serde_json::from_str(raw).map_err(|e| DbErr::Custom(e.to_string()))?;
        let field = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| DbErr::Custom(format!("missing {k}")))
        };
        let id: Uuid = field("id")?
            .parse()
            .map_err(|_| DbErr::Custom("bad id".into()))?;
        let payload = match v.get("payload") {
            Some(p) if v.get("by_ref").is_none() => p.clone(),
            _ => outbox_event::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|r| r.payload)
                .unwrap_or(Value::Null),
        };
        let _ = self.tx.send(Arc::new(Event {
            id,
            tenant_id: field("tenant_id")?
                .parse()
                .map_err(|_| DbErr::Custom("bad tenant id".into()))?,
            topic: field("topic")?,
            event: field("event")?,
            payload,
        }));
        Ok(id)
    }

    /// Embedded: publishes one batch of unpublished events in order, in process; returns how many.
    pub async fn publish_pending(&self, db: &DatabaseConnection) -> Result<usize, DbErr> {
        let rows = outbox_event::Entity::find()
            .filter(outbox_event::Column::PublishedAt.is_null())
            .order_by_asc(outbox_event::Column::Id)
            .limit(500)
            .all(db)
            .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        for r in rows {
            // No receivers is fine: nobody is listening right now.
            let _ = self.tx.send(Arc::new(Event {
                id: r.id,
                tenant_id: r.tenant_id.into(),
                topic: r.topic,
                event: r.event,
                payload: r.payload,
            }));
        }
        outbox_event::Entity::update_many()
            .col_expr(
                outbox_event::Column::PublishedAt,
                sea_orm::sea_query::Expr::value(crate::platform::clock::now()),
            )
            .filter(outbox_event::Column::Id.is_in(ids.clone()))
            .exec(db)
            .await?;
        Ok(ids.len())
    }
}

/// How long published events stay in the outbox, for SSE resume.
pub const OUTBOX_RETENTION_DAYS: i64 = 7;

/// Deletes published events past their retention; run periodically.
pub async fn purge_published(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let cutoff = crate::platform::clock::now() - chrono::Duration::days(OUTBOX_RETENTION_DAYS);
    Ok(outbox_event::Entity::delete_many()
        .filter(outbox_event::Column::PublishedAt.lt(cutoff))
        .exec(db)
        .await?
        .rows_affected)
}

/// The outbox table: events written in the transaction of the change they describe.
pub mod outbox_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub tenant_id: Uuid,
        pub topic: String,
        pub event: String,
        pub payload: Json,
        pub created_at: DateTimeUtc,
        pub published_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
