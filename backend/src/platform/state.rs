//! The application state every handler, job and socket reaches: the database, settings, keys
//! and the shared services of this process. It holds only platform pieces (and the realtime
//! hub), so no context has to import the wiring in `app.rs` to reach it.

use std::sync::Arc;

use futures::future::BoxFuture;
use sea_orm::DatabaseConnection;

use super::auth::Principal;
use super::db;
use super::error::ApiResult;
use super::events::EventBus;
use super::rate_limit::SharedLoginLimiter;
use super::tokens::TokenKeys;
use crate::config::Settings;
use crate::realtime::hub::Hub;

/// Turns a bearer token (an access JWT or an API token) into the principal it stands for.
/// The accounts context, which owns users and tokens, implements it; the platform's
/// extractors and the socket call it without knowing that context.
pub trait Authenticator: Send + Sync {
    fn authenticate<'a>(
        &'a self,
        state: &'a AppState,
        bearer: &'a str,
    ) -> BoxFuture<'a, ApiResult<Principal>>;
}

/// What every request handler can reach.
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Settings,
    pub keys: TokenKeys,
    /// Turns bearer tokens into principals (installed by the accounts context).
    pub authenticator: Arc<dyn Authenticator>,
    pub events: Arc<EventBus>,
    pub login_limiter: SharedLoginLimiter,
    /// This node's joined channels and presences.
    pub realtime: Arc<Hub>,
    pub metrics: Arc<super::metrics::Metrics>,
    /// The durable job queue.
    pub jobs: super::jobs::JobQueue,
    /// Encrypts integration credentials at rest.
    pub secrets: super::encryption::SecretBox,
    pub rate_limits: super::rate_limit::ApiRateLimits,
    /// How many SQL statements the pool has run (see [`db::StatementCounter`]).
    pub statements: Arc<db::StatementCounter>,
}
