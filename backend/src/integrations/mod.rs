//! Integrations as tenant data: one connection per provider with non-secret `config` and
//! write-only `credentials` encrypted at rest; "test connection" against the vendor.
//! Vendor HTTP lives in the `assetronics-integrations` crate; this context decides what it
//! means for the tenant.

pub mod entity;
pub mod http;
pub mod model;
pub mod runs;
pub mod service;
