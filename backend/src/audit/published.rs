//! What other contexts use of the audit log: recording entries in their own transaction (with
//! field-level diffs), and reading an entity's entries once they decided the caller may.

pub use super::model::{AuditEventView, diff};
pub use super::service::{AuditFilter, Entry, cursor_for, list_unchecked, record, record_many};
