//! Domain events through a transactional outbox.
//!
//! A use-case calls [`enqueue`] inside the transaction that makes the change, so the event
//! exists exactly when the change does. After commit it calls [`EventBus::kick`]; the relay
//! task reads unpublished rows in order, broadcasts them to in-process subscribers (realtime
//! channels, SSE, ...) and marks them published. A crash between commit and publish loses
//! nothing: the relay picks the rows up at the next start.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::Value;
use tokio::sync::{Notify, broadcast};
use uuid::Uuid;

use crate::audit::entity::outbox_event;

/// A published domain event.
#[derive(Clone, Debug)]
pub struct Event {
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// The channel topic, e.g. `assets:{tenant_id}`.
    pub topic: String,
    /// The event name, e.g. `asset_created`.
    pub event: String,
    pub payload: Value,
}

/// Writes an event into the outbox, in the caller's transaction.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    tenant_id: Uuid,
    topic_prefix: &str,
    event: &str,
    payload: Value,
) -> Result<(), DbErr> {
    outbox_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
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

/// In-process fan-out of committed events.
pub struct EventBus {
    tx: broadcast::Sender<Arc<Event>>,
    wake: Notify,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(4096);
        Self { tx, wake: Notify::new() }
    }

    /// Every event published from now on. A receiver that falls behind by more than the
    /// channel's capacity is told it lagged (and resumes from the outbox if it cares).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.tx.subscribe()
    }

    /// Tells the relay that committed events are waiting.
    pub fn kick(&self) {
        self.wake.notify_one();
    }

    /// Publishes what the outbox holds, forever. Runs as one task per process.
    pub async fn run_relay(self: Arc<Self>, db: DatabaseConnection) {
        loop {
            match self.publish_pending(&db).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox relay failed; retrying"),
            }
            let _ = tokio::time::timeout(Duration::from_secs(1), self.wake.notified()).await;
        }
    }

    /// Publishes one batch of unpublished events in order; returns how many.
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
                tenant_id: r.tenant_id,
                topic: r.topic,
                event: r.event,
                payload: r.payload,
            }));
        }
        outbox_event::Entity::update_many()
            .col_expr(outbox_event::Column::PublishedAt, sea_orm::sea_query::Expr::value(crate::platform::clock::now()))
            .filter(outbox_event::Column::Id.is_in(ids.clone()))
            .exec(db)
            .await?;
        Ok(ids.len())
    }
}
