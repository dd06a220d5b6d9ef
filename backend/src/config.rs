//! Typed settings from the environment, with the embedded defaults: `assetronics serve` with
//! nothing set listens on 127.0.0.1:8080 and keeps SQLite in `./data`.

use std::path::PathBuf;
use std::time::Duration;

use crate::platform::secrets::Secret;

/// Everything the server reads from its environment.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `ASSETRONICS_BIND`, default `127.0.0.1:8080`; port 0 picks a free port.
    pub bind: String,
    /// `ASSETRONICS_DATA_DIR`, default `./data`: the SQLite file and generated keys live here.
    pub data_dir: PathBuf,
    /// `DATABASE_URL`; default `sqlite://<data_dir>/assetronics.db`.
    pub database_url: String,
    /// `ASSETRONICS_JWT_SECRET`: signing key for access tokens; generated into the data dir when unset.
    pub jwt_secret: Option<Secret>,
    /// `ASSETRONICS_SECRETS_KEY`: base64 of 32 bytes encrypting integration credentials at rest;
    /// generated into the data dir when unset (set it when running several nodes).
    pub secrets_key: Option<Secret>,
    /// `ASSETRONICS_JWT_PREVIOUS_SECRETS`: comma-separated keys still accepted for verification.
    pub jwt_previous_secrets: Vec<Secret>,
    /// `ASSETRONICS_ACCESS_TOKEN_TTL_SECS`, default 900.
    pub access_token_ttl: Duration,
    /// `ASSETRONICS_REFRESH_TOKEN_TTL_SECS`, default 30 days.
    pub refresh_token_ttl: Duration,
    /// `ASSETRONICS_TRUST_PROXY`: take the client address from `X-Forwarded-For` (behind a proxy).
    pub trust_proxy: bool,
    /// `ASSETRONICS_SPA_DIR`: the built web app served at `/`; default `frontend/dist` when it exists.
    pub spa_dir: Option<PathBuf>,
    /// `ASSETRONICS_MAX_BODY_BYTES`, default 1 MiB.
    pub max_body_bytes: usize,
    /// `ASSETRONICS_LOGIN_ATTEMPTS_PER_MINUTE` per account (the per-address limit is three times it).
    pub login_attempts_per_minute: u32,
    /// `ASSETRONICS_DB_MAX_CONNECTIONS`, default 10 (SQLite: 4).
    pub db_max_connections: Option<u32>,
    /// `ASSETRONICS_HTTP_WORKERS`: HTTP worker threads; default one per core.
    pub http_workers: Option<usize>,
    /// `ASSETRONICS_MAX_CHANNELS_PER_SOCKET`, default 100.
    pub max_channels_per_socket: usize,
    /// `ASSETRONICS_RATE_LIMIT_TENANT_RPS`: API requests per second per tenant (burst twice that), default 200.
    pub rate_limit_tenant_rps: u32,
    /// `ASSETRONICS_RATE_LIMIT_CALLER_RPS`: API requests per second per user or API token, default 50.
    pub rate_limit_caller_rps: u32,
    /// Run job workers in this process (`serve --no-workers` turns them off).
    pub run_workers: bool,
    /// `ASSETRONICS_CORS_ORIGINS`: comma-separated origins allowed to call the API from a browser
    /// (e.g. a web app served from another host); none by default (same origin only).
    pub cors_origins: Vec<String>,
    /// How jobs are retried, scheduled and stopped.
    pub jobs: JobSettings,
}

/// Job queue tuning; every field has an environment variable.
#[derive(Clone, Debug)]
pub struct JobSettings {
    /// `ASSETRONICS_JOB_MAX_ATTEMPTS`, default 5: attempts before a job is dead.
    pub max_attempts: u32,
    /// `ASSETRONICS_JOB_RETRY_BASE_MS`, default 5000: the first retry's delay; each next one
    /// doubles (capped at an hour), with jitter, or waits what the vendor asked (`Retry-After`).
    pub retry_base: Duration,
    /// `ASSETRONICS_JOB_HEARTBEAT_SECS`, default 10: a worker that misses two heartbeats is
    /// presumed dead and its running jobs go back to the queue.
    pub heartbeat: Duration,
    /// `ASSETRONICS_JOB_CONCURRENCY`, default 4: jobs one worker process runs at once.
    pub concurrency: usize,
    /// `ASSETRONICS_SCHEDULER_TICK_MS`, default 10000: how often due scheduled syncs are looked for.
    pub scheduler_tick: Duration,
    /// `ASSETRONICS_SHUTDOWN_GRACE_SECS`, default 30: how long in-flight jobs may take to finish
    /// on shutdown before the process leaves them to be re-queued.
    pub shutdown_grace: Duration,
    /// `ASSETRONICS_TICKET_POLL_SECS`, default 60: how often a workflow step waiting for an
    /// IT service desk ticket reads the ticket's state.
    pub ticket_poll: Duration,
}

impl JobSettings {
    fn from_env(var: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let num = |k: &str, d: u64| -> Result<u64, ConfigError> {
            match var(k) {
                None => Ok(d),
                Some(v) => v
                    .parse::<u64>()
                    .map_err(|_| ConfigError(format!("{k} must be a whole number"))),
            }
        };
        Ok(Self {
            max_attempts: num("ASSETRONICS_JOB_MAX_ATTEMPTS", 5)?.clamp(1, 100) as u32,
            retry_base: Duration::from_millis(num("ASSETRONICS_JOB_RETRY_BASE_MS", 5000)?),
            heartbeat: Duration::from_secs(num("ASSETRONICS_JOB_HEARTBEAT_SECS", 10)?.max(1)),
            concurrency: num("ASSETRONICS_JOB_CONCURRENCY", 4)?.clamp(1, 64) as usize,
            scheduler_tick: Duration::from_millis(
                num("ASSETRONICS_SCHEDULER_TICK_MS", 10_000)?.max(50),
            ),
            shutdown_grace: Duration::from_secs(num("ASSETRONICS_SHUTDOWN_GRACE_SECS", 30)?),
            ticket_poll: Duration::from_secs(num("ASSETRONICS_TICKET_POLL_SECS", 60)?.max(1)),
        })
    }

    /// Fast retries and schedules, so tests never wait long.
    pub fn for_tests() -> Self {
        Self {
            max_attempts: 3,
            retry_base: Duration::from_millis(50),
            heartbeat: Duration::from_secs(1),
            concurrency: 4,
            scheduler_tick: Duration::from_millis(200),
            shutdown_grace: Duration::from_secs(10),
            ticket_poll: Duration::from_millis(300),
        }
    }
}

impl Settings {
    /// Reads the environment; anything unset takes its embedded default.
    pub fn from_env() -> Result<Self, ConfigError> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let data_dir =
            PathBuf::from(var("ASSETRONICS_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = var("DATABASE_URL").unwrap_or_else(|| default_sqlite_url(&data_dir));
        let secs = |k: &str, d: u64| -> Result<Duration, ConfigError> {
            match var(k) {
                None => Ok(Duration::from_secs(d)),
                Some(v) => v
                    .parse::<u64>()
                    .map(Duration::from_secs)
                    .map_err(|_| ConfigError(format!("{k} must be a whole number of seconds"))),
            }
        };
        let spa_dir = var("ASSETRONICS_SPA_DIR").map(PathBuf::from).or_else(|| {
            let p = PathBuf::from("frontend/dist");
            p.join("index.html").exists().then_some(p)
        });
        Ok(Self {
            bind: var("ASSETRONICS_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            data_dir,
            database_url,
            jwt_secret: var("ASSETRONICS_JWT_SECRET").map(Secret::new),
            secrets_key: var("ASSETRONICS_SECRETS_KEY").map(Secret::new),
            jwt_previous_secrets: var("ASSETRONICS_JWT_PREVIOUS_SECRETS")
                .map(|v| {
                    v.split(',')
                        .map(|s| Secret::new(s.trim().to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            access_token_ttl: secs("ASSETRONICS_ACCESS_TOKEN_TTL_SECS", 900)?,
            refresh_token_ttl: secs("ASSETRONICS_REFRESH_TOKEN_TTL_SECS", 30 * 24 * 3600)?,
            trust_proxy: var("ASSETRONICS_TRUST_PROXY").is_some_and(|v| v == "1" || v == "true"),
            spa_dir,
            max_body_bytes: match var("ASSETRONICS_MAX_BODY_BYTES") {
                Some(v) => v.parse().map_err(|_| {
                    ConfigError("ASSETRONICS_MAX_BODY_BYTES must be a number".into())
                })?,
                None => 1024 * 1024,
            },
            login_attempts_per_minute: match var("ASSETRONICS_LOGIN_ATTEMPTS_PER_MINUTE") {
                Some(v) => v.parse().map_err(|_| {
                    ConfigError("ASSETRONICS_LOGIN_ATTEMPTS_PER_MINUTE must be a number".into())
                })?,
                None => 10,
            },
            db_max_connections: var("ASSETRONICS_DB_MAX_CONNECTIONS").and_then(|v| v.parse().ok()),
            http_workers: var("ASSETRONICS_HTTP_WORKERS").and_then(|v| v.parse().ok()),
            max_channels_per_socket: var("ASSETRONICS_MAX_CHANNELS_PER_SOCKET")
                .and_then(|v| v.parse().ok())
                .unwrap_or(100),
            rate_limit_tenant_rps: var("ASSETRONICS_RATE_LIMIT_TENANT_RPS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(200),
            rate_limit_caller_rps: var("ASSETRONICS_RATE_LIMIT_CALLER_RPS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(50),
            run_workers: true,
            cors_origins: var("ASSETRONICS_CORS_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            jobs: JobSettings::from_env(&var)?,
        })
    }

    /// Settings for a throwaway instance: a free port and the given database.
    pub fn for_tests(data_dir: PathBuf, database_url: String) -> Self {
        Self {
            bind: "127.0.0.1:0".into(),
            data_dir,
            database_url,
            jwt_secret: Some(Secret::new(
                "test-signing-key-0123456789abcdef0123456789abcdef".into(),
            )),
            secrets_key: None,
            jwt_previous_secrets: vec![],
            access_token_ttl: Duration::from_secs(900),
            refresh_token_ttl: Duration::from_secs(3600),
            trust_proxy: false,
            spa_dir: None,
            max_body_bytes: 1024 * 1024,
            login_attempts_per_minute: 10,
            db_max_connections: None,
            http_workers: Some(1),
            max_channels_per_socket: 100,
            rate_limit_tenant_rps: 1000,
            rate_limit_caller_rps: 1000,
            cors_origins: vec![],
            run_workers: true,
            jobs: JobSettings::for_tests(),
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

fn default_sqlite_url(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}/assetronics.db?mode=rwc", data_dir.display())
}

/// A setting that could not be read; start-up stops with this message.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}
