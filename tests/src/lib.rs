//! Test harness: [`spawn_app`] starts the real server on a free port with a fresh database —
//! SQLite in a temporary folder by default, or a new PostgreSQL database when
//! `ASSETRONICS_TEST_DATABASE=postgres` (server from `ASSETRONICS_TEST_PG_URL`, default
//! `postgres://postgres@127.0.0.1:5432`) — and drops it afterwards. Tests talk HTTP to it.
//!
//! The set-ups tests share live here, so a test reads as a user's actions:
//! - [`app`]: the server ([`spawn_app`], [`spawn_app_without_workers`]), its client and what
//!   every user does through REST (sign up, add people and assets, act on workflow steps,
//!   connect an integration, "sync now").
//! - [`vendors`]: the vendor simulators seeded per vendor ([`vendors()`],
//!   [`bamboohr_simulator`]) and the body that connects each vendor to a tenant.
//! - [`in_process`]: the few calls into the backend itself (a sync run here and now as the
//!   system principal, the demo tenant) — the one place to adapt when their signatures change.
//! - [`waiting`]: polling with a deadline ([`until`], [`holds_for`]) and the waits tests share
//!   (a sync run finished, a workflow reaching a state, webhook deliveries processed).
//! - [`socket`] (Phoenix channels), [`process`] (the real binary), [`node`] (the JS clients).

pub mod app;
pub mod in_process;
pub mod node;
pub mod process;
pub mod socket;
pub mod vendors;
pub mod waiting;

pub use app::*;
pub use vendors::*;
pub use waiting::*;

pub use assetronics;

/// The signing key of test servers (in-process and spawned), so tokens work on every node.
pub const TEST_SIGNING_KEY: &str = "test-signing-key-0123456789abcdef0123456789abcdef";

/// The credentials key of test servers (in-process and spawned), so a worker process reads
/// the credentials an API server stored.
pub const TEST_SECRETS_KEY: &str = "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=";
