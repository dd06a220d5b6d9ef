//! What every context shares: database handle and write transactions, the authenticated
//! principal and the permission table, the problem+json error, pagination, events.

pub mod auth;
pub mod clock;
pub mod db;
pub mod encryption;
pub mod error;
pub mod events;
pub mod http;
pub mod idempotency;
pub mod metrics;
pub mod pagination;
pub mod rate_limit;
pub mod secrets;
pub mod validation;
