//! Onboarding and offboarding: a hire (from the HR system or by hand) opens an onboarding
//! workflow from the tenant's template, a termination opens offboarding. Steps are approvals,
//! automatic actions (reserve a matching in-stock asset, skip a device wipe when no MDM is
//! connected) and tasks a person completes (ship, hand over = check-out, collect, check-in).
//! Every change is audited and published on `workflows:{tenant_id}`.
//!
//! Other contexts use [`published`] only.

pub mod actions;
pub mod entity;
pub mod error;
pub mod graphql;
pub mod http;
pub mod model;
pub mod published;
pub mod service;
