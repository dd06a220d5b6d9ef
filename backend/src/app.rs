//! Start-up in one function: [`Application::build`] connects the database, runs migrations,
//! wires state, middleware and every context's routes, and binds (port 0 in tests).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Settings;
use crate::platform::rate_limit::LoginLimiter;
use crate::platform::state::AppState;
use crate::platform::tokens::TokenKeys;
use crate::platform::{db, events::EventBus, http, idempotency};
use crate::realtime::hub::Hub;
use crate::realtime::longpoll::LongPollSessions;

pub type StartupError = Box<dyn std::error::Error + Send + Sync>;

/// A built, bound server, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    pub state: web::Data<AppState>,
    longpoll: web::Data<LongPollSessions>,
    stop_jobs: tokio::sync::watch::Sender<bool>,
    job_workers: Option<tokio::task::JoinHandle<()>>,
}

impl Application {
    /// Connects, migrates, wires and binds. Call from within a tokio runtime.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let state = web::Data::new(build_state(settings).await?);
        let listener = TcpListener::bind(&state.settings.bind)?;
        let port = listener.local_addr()?.port();

        tokio::spawn(state.realtime.clone().run(state.events.subscribe()));
        state.events.start(&state.db).await?;
        tokio::spawn(maintenance(state.clone()));
        let longpoll = web::Data::new(LongPollSessions::new(
            state.metrics.longpoll_sessions.clone(),
        ));
        tokio::spawn(reap_longpoll(longpoll.clone()));
        let (stop_jobs, jobs_stopped) = tokio::sync::watch::channel(false);
        let job_workers = state.settings.run_workers.then(|| {
            let mut stopped = jobs_stopped;
            tokio::spawn(crate::jobs::run_workers(
                state.clone().into_inner(),
                async move {
                    let _ = stopped.wait_for(|s| *s).await;
                },
            ))
        });

        let server_state = state.clone();
        let server_longpoll = longpoll.clone();
        let workers = state.settings.http_workers;
        let mut server = HttpServer::new(move || {
            let s = server_state.clone();
            let longpoll = server_longpoll.clone();
            let max_body = s.settings.max_body_bytes;
            let spa = s.settings.spa_dir.clone();
            let cors = cors(&s.settings.cors_origins);
            let mut app = App::new()
                .app_data(s)
                .app_data(longpoll)
                .app_data(http::json_config(max_body))
                .app_data(web::PayloadConfig::new(max_body))
                .app_data(http::path_config())
                .app_data(http::query_config())
                .wrap(from_fn(http::security_headers))
                .wrap(cors)
                .wrap(from_fn(crate::platform::metrics::record))
                .wrap(from_fn(http::request_context))
                .route("/metrics", web::get().to(crate::platform::metrics::metrics))
                .configure(crate::realtime::routes)
                .route("/healthz", web::get().to(http::healthz))
                .route("/readyz", web::get().to(http::readyz))
                .service(
                    SwaggerUi::new("/api/docs/{_:.*}")
                        .url("/api/openapi.json", crate::openapi::ApiDoc::openapi()),
                )
                .service(
                    web::scope("/api/v1")
                        .wrap(from_fn(idempotency::idempotency))
                        .wrap(from_fn(crate::platform::rate_limit::enforce))
                        .configure(crate::accounts::http::routes)
                        .configure(crate::assets::http::routes)
                        .configure(crate::people::http::routes)
                        .configure(crate::audit::http::routes)
                        .configure(crate::integrations::http::routes)
                        .configure(crate::workflows::http::routes)
                        .service(
                            http::resource("/events/stream")
                                .route(web::get().to(crate::realtime::sse::stream)),
                        )
                        .default_service(web::to(http::not_found)),
                )
                .configure(crate::graphql::routes)
                .configure(crate::integrations::webhooks::routes)
                .service(web::scope("/api").default_service(web::to(http::not_found)));
            if let Some(dir) = spa {
                let index = dir.join("index.html");
                app = app.service(
                    actix_files::Files::new("/", dir)
                        .index_file("index.html")
                        .default_handler(web::to(move |req: actix_web::HttpRequest| {
                            let index = index.clone();
                            async move {
                                actix_files::NamedFile::open_async(index)
                                    .await
                                    .map(|f| f.into_response(&req))
                            }
                        })),
                );
            } else {
                app = app.default_service(web::to(http::not_found));
            }
            app
        })
        .shutdown_timeout(state.settings.jobs.shutdown_grace.as_secs())
        .disable_signals();
        if let Some(n) = workers {
            server = server.workers(n.max(1));
        }
        let server = server.listen(listener)?.run();
        Ok(Self {
            port,
            server,
            state,
            longpoll,
            stop_jobs,
            job_workers,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs until SIGTERM or Ctrl-C: then sockets are closed with a code that makes clients
    /// reconnect (to another node), new connections are refused, in-flight requests drain and
    /// in-flight jobs finish (within the shutdown grace; what is left returns to the queue).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let state = self.state.clone();
        let stop_jobs = self.stop_jobs;
        let job_workers = self.job_workers;
        let longpoll_sessions = self.longpoll.clone();
        let stopped = tokio::spawn(async move {
            shutdown_requested().await;
            tracing::info!("shutting down");
            state.realtime.shutdown();
            longpoll_sessions.clear();
            let _ = stop_jobs.send(true);
            handle.stop(true).await;
            if let Some(w) = job_workers
                && tokio::time::timeout(state.settings.jobs.shutdown_grace, w)
                    .await
                    .is_err()
            {
                tracing::warn!("jobs still running at the end of the grace period");
            }
        });
        self.server.await?;
        let _ = stopped.await;
        Ok(())
    }
}

/// Database, keys and shared services, without HTTP: also used by the CLI's non-serving commands.
pub async fn build_state(settings: Settings) -> Result<AppState, StartupError> {
    std::fs::create_dir_all(&settings.data_dir)?;
    db::ensure_sqlite_dir(&settings.database_url)?;
    let secret = match &settings.jwt_secret {
        Some(s) => s.clone(),
        None => TokenKeys::load_or_generate(&settings.data_dir)?,
    };
    let keys = TokenKeys::new(&secret, &settings.jwt_previous_secrets);
    let secrets_key = match &settings.secrets_key {
        Some(k) => k.expose().to_owned(),
        None => crate::platform::encryption::SecretBox::load_or_generate(&settings.data_dir)?,
    };
    let secrets = crate::platform::encryption::SecretBox::from_base64(&secrets_key)?;
    let mut db = db::connect(&settings.database_url, settings.db_max_connections).await?;
    let jobs = crate::platform::jobs::JobQueue::open(&db, &settings.jobs).await?;
    let statements = Arc::new(db::StatementCounter::default());
    db::count_statements(&mut db, statements.clone());
    Ok(AppState {
        db,
        statements,
        keys,
        authenticator: Arc::new(crate::accounts::published::TokenAuthenticator),
        events: Arc::new(EventBus::new()),
        login_limiter: Arc::new(LoginLimiter::new(settings.login_attempts_per_minute)),
        realtime: Arc::new(Hub::new()),
        metrics: crate::platform::metrics::Metrics::new()?,
        secrets,
        jobs,
        rate_limits: crate::platform::rate_limit::ApiRateLimits::new(
            settings.rate_limit_tenant_rps,
            settings.rate_limit_caller_rps,
        ),
        settings,
    })
}

/// CORS for the configured origins; with none, cross-origin browser calls are refused.
fn cors(origins: &[String]) -> actix_cors::Cors {
    use actix_web::http::header;
    let mut c = actix_cors::Cors::default()
        .allow_any_method()
        .allow_any_header()
        .expose_headers([header::ETAG, header::RETRY_AFTER, header::LOCATION])
        .expose_headers(["x-request-id", "idempotent-replayed"])
        .max_age(3600);
    for o in origins {
        c = c.allowed_origin(o);
    }
    c
}

pub async fn shutdown_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn reap_longpoll(sessions: web::Data<LongPollSessions>) {
    let mut tick = tokio::time::interval(Duration::from_secs(10));
    loop {
        tick.tick().await;
        sessions.reap();
    }
}

/// Periodic housekeeping: forget old idempotency keys and idle rate-limit entries.
async fn maintenance(state: web::Data<AppState>) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        state.login_limiter.shrink();
        state.rate_limits.shrink();
        if let Err(e) = idempotency::purge_expired(&state.db).await {
            tracing::warn!(error = %e, "could not purge idempotency keys");
        }
        if let Err(e) = crate::platform::events::purge_published(&state.db).await {
            tracing::warn!(error = %e, "could not purge old outbox events");
        }
    }
}
