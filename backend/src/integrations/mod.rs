//! Integrations as tenant data: one connection per provider with non-secret `config` and
//! write-only `credentials` encrypted at rest; "test connection" against the vendor; sync
//! runs (manual and scheduled) and signed inbound HRIS webhooks, both performed by jobs; Slack
//! (slash commands, approvals from a message, notifications through an outbox).
//! Vendor HTTP lives in the `assetronics-integrations` crate; this context decides what it
//! means for the tenant.

pub mod devices;
pub mod entity;
pub mod error;
pub mod graphql;
pub mod http;
pub mod model;
pub mod providers;
pub mod published;
pub mod purchases;
pub mod runs;
pub mod service;
pub mod slack;
pub mod tickets;
pub mod webhooks;
