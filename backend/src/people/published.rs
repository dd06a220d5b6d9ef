//! What other contexts may use of people: employee records and their views, lookups by id or
//! email, location lookups, the HR-system sync, the GraphQL loaders other contexts' types nest
//! employees and locations through, and the use-cases the demo tenant is built with.
//! Everything else in this context is its own.

pub use super::graphql::{EmployeeLoader, LocationLoader};
pub use super::model::{Employee, EmployeeStatus, EmployeeView, LocationView};
pub use super::service::{
    UpsertStats, by_emails, by_ids, ids_by_email, link_managers_from_hris, live_by_id,
    location_exists, location_names, refresh_statistics, upsert_from_hris,
};

// The demo tenant's people, departments and locations.
pub use super::model::{
    CreateEmployee, DepartmentFields, DepartmentInput, LocationFields, LocationInput, NewEmployee,
};
pub use super::service::{create, save_department, save_location};
