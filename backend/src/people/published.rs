//! What other contexts may use of people: employee records and their views, lookups by id or
//! email, location lookups, the HR-system sync, and the GraphQL loaders for nesting employees
//! and locations in other contexts' types. Everything else in this context is its own.

pub use super::graphql::{EmployeeLoader, LocationLoader};
pub use super::model::{Employee, EmployeeStatus, EmployeeView, LocationView};
pub use super::service::{
    UpsertStats, by_emails, by_ids, ids_by_email, link_managers_from_hris, live_by_id,
    location_exists, location_names, refresh_statistics, upsert_from_hris,
};
