//! Prometheus metrics at `GET /metrics`: HTTP requests by route and status with latency
//! histograms, realtime connections and channels, published events, database pool usage.
//! Routes are labelled by their pattern (`/api/v1/assets/{id}`), never by raw path, so the
//! number of series stays bounded.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use sea_orm::DatabaseBackend;

use crate::platform::state::AppState;

/// The process's metrics.
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    pub events_published: IntCounter,
    realtime_connections: IntGauge,
    realtime_channels: IntGauge,
    /// Kept by the long-poll sessions themselves.
    pub longpoll_sessions: IntGauge,
    db_pool: IntGaugeVec,
    /// Jobs finished by kind and outcome (`succeeded`, `retried`, `dead`, `failed`, `panicked`).
    pub jobs: IntCounterVec,
    /// Job run time by kind.
    pub job_duration: HistogramVec,
    /// Jobs running in this process.
    pub jobs_running: IntGauge,
    /// Syncs enqueued by integration schedules.
    pub scheduled_syncs: IntCounter,
    /// Sync attempts by outcome (`succeeded`, `partial`, `failed`, `retried`).
    pub syncs: IntCounterVec,
    /// Jobs in the queue by state (read from the queue at scrape time; finished ones left out).
    job_queue: IntGaugeVec,
}

impl Metrics {
    pub fn new() -> Result<Arc<Self>, prometheus::Error> {
        let registry = Registry::new_custom(Some("assetronics".into()), None)?;
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by method, route pattern and status",
            ),
            &["method", "route", "status"],
        )?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by method and route pattern",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["method", "route"],
        )?;
        let events_published = IntCounter::new(
            "events_published_total",
            "Domain events published from the outbox",
        )?;
        let realtime_connections = IntGauge::new(
            "realtime_connections",
            "Open realtime connections (WebSocket and long-poll)",
        )?;
        let realtime_channels = IntGauge::new(
            "realtime_channels",
            "Joined channels across open connections",
        )?;
        let longpoll_sessions =
            IntGauge::new("realtime_longpoll_sessions", "Live long-poll sessions")?;
        let db_pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections by state"),
            &["state"],
        )?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_duration.clone()))?;
        registry.register(Box::new(events_published.clone()))?;
        registry.register(Box::new(realtime_connections.clone()))?;
        registry.register(Box::new(realtime_channels.clone()))?;
        registry.register(Box::new(longpoll_sessions.clone()))?;
        let jobs = IntCounterVec::new(
            Opts::new("jobs_total", "Jobs finished, by kind and outcome"),
            &["kind", "outcome"],
        )?;
        let job_duration = HistogramVec::new(
            HistogramOpts::new("job_duration_seconds", "Job run time by kind").buckets(vec![
                0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0,
            ]),
            &["kind"],
        )?;
        let jobs_running = IntGauge::new("jobs_running", "Jobs running in this process")?;
        let scheduled_syncs = IntCounter::new(
            "scheduled_syncs_total",
            "Syncs enqueued by integration schedules",
        )?;
        let syncs = IntCounterVec::new(
            Opts::new("syncs_total", "Integration sync attempts by outcome"),
            &["outcome"],
        )?;
        let job_queue = IntGaugeVec::new(
            Opts::new("job_queue", "Jobs in the queue by state (all processes)"),
            &["state"],
        )?;
        registry.register(Box::new(syncs.clone()))?;
        registry.register(Box::new(job_queue.clone()))?;
        registry.register(Box::new(db_pool.clone()))?;
        registry.register(Box::new(jobs.clone()))?;
        registry.register(Box::new(job_duration.clone()))?;
        registry.register(Box::new(jobs_running.clone()))?;
        registry.register(Box::new(scheduled_syncs.clone()))?;
        Ok(Arc::new(Self {
            registry,
            http_requests,
            http_duration,
            events_published,
            realtime_connections,
            realtime_channels,
            longpoll_sessions,
            db_pool,
            jobs,
            job_duration,
            jobs_running,
            scheduled_syncs,
            syncs,
            job_queue,
        }))
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.http_requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.http_duration
            .with_label_values(&[method, route])
            .observe(seconds);
    }
}

/// Counts and times every request, labelled by route pattern.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.metrics.clone());
    let method = req.method().to_string();
    let res = next.call(req).await?;
    if let Some(m) = metrics {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        m.observe(
            &method,
            &route,
            res.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(res)
}

/// The Prometheus text exposition. Serve it on an internal network only.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let m = &state.metrics;
    m.realtime_connections.set(
        state
            .realtime
            .open_connections
            .load(std::sync::atomic::Ordering::Relaxed) as i64,
    );
    m.realtime_channels
        .set(state.realtime.joined_channels() as i64);
    let published = state
        .events
        .published
        .load(std::sync::atomic::Ordering::Relaxed);
    m.events_published
        .inc_by(published.saturating_sub(m.events_published.get()));
    let (size, idle) = match state.db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let p = state.db.get_postgres_connection_pool();
            (p.size(), p.num_idle() as u32)
        }
        _ => {
            let p = state.db.get_sqlite_connection_pool();
            (p.size(), p.num_idle() as u32)
        }
    };
    m.db_pool.with_label_values(&["idle"]).set(idle as i64);
    m.db_pool
        .with_label_values(&["in_use"])
        .set(size.saturating_sub(idle) as i64);
    for state_name in ["Pending", "Queued", "Running", "Failed"] {
        m.job_queue.with_label_values(&[state_name]).set(0);
    }
    match super::jobs::queue_counts(&state.db).await {
        Ok(counts) => {
            for (state_name, n) in counts {
                m.job_queue.with_label_values(&[&state_name]).set(n);
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not read the job queue for metrics"),
    }
    let mut buf = Vec::new();
    if let Err(e) = TextEncoder::new().encode(&m.registry.gather(), &mut buf) {
        return actix_web::ResponseError::error_response(
            &crate::platform::error::ApiError::internal(e),
        );
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(buf)
}
