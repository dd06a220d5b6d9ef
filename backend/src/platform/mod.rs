//! What every context shares: the application state, database handle and write transactions,
//! the authenticated principal and the permission table, tokens, typed ids, the problem+json
//! error, pagination, events and the job queue. Nothing here imports a context.

pub mod auth;
pub mod clock;
pub mod db;
pub mod encryption;
pub mod error;
pub mod events;
pub mod http;
pub mod idempotency;
pub mod ids;
pub mod jobs;
pub mod metrics;
pub mod pagination;
pub mod rate_limit;
pub mod schedule;
pub mod secrets;
pub mod state;
pub mod tokens;
pub mod validation;
