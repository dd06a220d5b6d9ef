//! `GET /api/v1/events/stream`: the caller's tenant's events as Server-Sent Events, for
//! clients that cannot hold a WebSocket. Each event's `id` is its outbox id, so a client that
//! reconnects with `Last-Event-ID` gets what it missed (from the outbox) before live events.

use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use uuid::Uuid;

use super::channels::authorize_topic;
use crate::platform::auth::{Authenticated, Principal};
use crate::platform::error::ApiResult;
use crate::platform::events::Event;
use crate::platform::events::outbox_event;
use crate::platform::state::AppState;

const KEEPALIVE: Duration = Duration::from_secs(15);
/// Missed events replayed on resume at most; older gaps need a full reload.
const MAX_REPLAY: u64 = 10_000;

fn visible(who: &Principal, topic: &str) -> bool {
    authorize_topic(who, topic).is_ok()
}

fn sse(id: Uuid, event: &str, topic: &str, payload: &serde_json::Value) -> Bytes {
    let kind = topic.split(':').next().unwrap_or_default();
    let data = json!({"topic": kind, "payload": payload});
    Bytes::from(format!("id: {id}\nevent: {event}\ndata: {data}\n\n"))
}

/// The event stream.
#[utoipa::path(get, path = "/api/v1/events/stream", tag = "realtime",
    params(("Last-Event-ID" = Option<String>, Header, description = "Resume after this event id")),
    responses((status = 200, description = "text/event-stream of `{topic, payload}` events", content_type = "text/event-stream")),
    security(("bearer" = [])))]
pub async fn stream(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: Authenticated,
) -> ApiResult<HttpResponse> {
    let who = who.0;
    let last: Option<Uuid> = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            req.query_string()
                .split('&')
                .find_map(|p| p.strip_prefix("last_event_id="))
        })
        .and_then(|v| v.trim().parse().ok());
    // Subscribe before replaying, so nothing falls between the replay and the live stream.
    let mut live = state.events.subscribe();
    let replay = match last {
        Some(after) => {
            outbox_event::Entity::find()
                .filter(outbox_event::Column::TenantId.eq(who.tenant_id))
                .filter(outbox_event::Column::Id.gt(after))
                .filter(outbox_event::Column::PublishedAt.is_not_null())
                .order_by_asc(outbox_event::Column::Id)
                .limit(MAX_REPLAY)
                .all(&state.db)
                .await?
        }
        None => vec![],
    };
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::convert::Infallible>>(64);
    actix_web::rt::spawn(async move {
        let mut high = last;
        if tx
            .send(Ok(Bytes::from_static(b"retry: 3000\n\n")))
            .await
            .is_err()
        {
            return;
        }
        for r in replay {
            if visible(&who, &r.topic)
                && tx
                    .send(Ok(sse(r.id, &r.event, &r.topic, &r.payload)))
                    .await
                    .is_err()
            {
                return;
            }
            high = Some(r.id);
        }
        let mut keepalive = tokio::time::interval(KEEPALIVE);
        loop {
            tokio::select! {
                e = live.recv() => match e {
                    Ok(e) => {
                        let e: &Event = &e;
                        if e.tenant_id != who.tenant_id || high.is_some_and(|h| e.id <= h) || !visible(&who, &e.topic) {
                            continue;
                        }
                        high = Some(e.id);
                        if tx.send(Ok(sse(e.id, &e.event, &e.topic, &e.payload))).await.is_err() {
                            return;
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        // Tell the client to reconnect; Last-Event-ID brings back what it missed.
                        return;
                    }
                    Err(_) => return,
                },
                _ = keepalive.tick() => {
                    if tx.send(Ok(Bytes::from_static(b": keepalive\n\n"))).await.is_err() {
                        return;
                    }
                }
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(ReceiverStream::new(rx)))
}
