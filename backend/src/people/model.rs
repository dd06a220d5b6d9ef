//! People as the API shows them, and the requests that change them.

use async_graphql::SimpleObject;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::assets::model::{AssetView, NamedRef};

/// An employee as every API shows them.
// In GraphQL the references `department` and `location` are replaced by the full records, and
// `manager` and `assets` are added; `people::graphql` resolves them through data loaders.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(name = "Employee", complex)]
pub struct EmployeeView {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub employee_number: Option<String>,
    pub title: Option<String>,
    #[graphql(skip)]
    pub department: Option<NamedRef>,
    #[graphql(skip)]
    pub location: Option<NamedRef>,
    pub manager_id: Option<Uuid>,
    /// `active` or `terminated`.
    pub status: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// The HR system this record comes from, if any (`bamboohr`, ...), and its id there.
    pub external_source: Option<String>,
    pub external_id: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An employee with what they hold now.
#[derive(Serialize, ToSchema)]
pub struct EmployeeDetail {
    #[serde(flatten)]
    pub employee: EmployeeView,
    pub assets: Vec<AssetView>,
}

#[derive(Deserialize, ToSchema)]
pub struct CreateEmployee {
    pub name: String,
    pub email: String,
    pub employee_number: Option<String>,
    pub title: Option<String>,
    pub department_id: Option<Uuid>,
    pub location_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    /// Default `active`.
    pub status: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct UpdateEmployee {
    pub name: Option<String>,
    pub email: Option<String>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<String>)]
    pub employee_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub department_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub location_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub manager_id: Option<Option<Uuid>>,
    pub status: Option<String>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<String>)]
    pub start_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<String>)]
    pub end_date: Option<Option<String>>,
    pub version: Option<i32>,
}

#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[graphql(name = "Department")]
pub struct DepartmentView {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Deserialize, ToSchema)]
pub struct DepartmentInput {
    pub name: String,
}

#[derive(Clone, Debug, Serialize, ToSchema, SimpleObject)]
#[graphql(name = "Location")]
pub struct LocationView {
    pub id: Uuid,
    pub name: String,
    pub address: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Deserialize, ToSchema)]
pub struct LocationInput {
    pub name: String,
    pub address: Option<String>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `DE`.
    pub country: Option<String>,
}
