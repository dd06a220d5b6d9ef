//! People as the API shows them, the requests that change them, and the commands those
//! requests parse into (every field's complaint collected at once).

use async_graphql::SimpleObject;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::assets::published::{AssetView, NamedRef};
use crate::platform::error::FieldError;
use crate::platform::ids::{DepartmentId, EmployeeId, LocationId, TenantId};
use crate::platform::validation::{self as v, Errors};

/// Every field's complaint about a request, collected at once.
pub type FieldErrors = Vec<FieldError>;

/// Whether a person works for the tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmployeeStatus {
    Active,
    /// Has left; kept for history, never deleted by an HR sync.
    Terminated,
}

impl EmployeeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EmployeeStatus::Active => "active",
            EmployeeStatus::Terminated => "terminated",
        }
    }

    /// The status stored as `s`; anything unknown reads as `active`.
    pub fn from_stored(s: &str) -> Self {
        match s {
            "terminated" => EmployeeStatus::Terminated,
            _ => EmployeeStatus::Active,
        }
    }

    /// The status a request names in `field`.
    pub fn from_field(field: &str, s: &str) -> Result<Self, FieldError> {
        match s {
            "active" => Ok(EmployeeStatus::Active),
            "terminated" => Ok(EmployeeStatus::Terminated),
            _ => Err(FieldError::new(
                field,
                "invalid_choice",
                "must be active or terminated",
            )),
        }
    }
}

/// An employee record as other contexts see it (workflows, assets, Slack): the stored facts
/// with typed ids, without the API's rendering.
#[derive(Clone, Debug, PartialEq)]
pub struct Employee {
    pub id: EmployeeId,
    pub tenant_id: TenantId,
    pub name: String,
    /// Lower-cased.
    pub email: String,
    pub employee_number: Option<String>,
    pub title: Option<String>,
    pub department_id: Option<DepartmentId>,
    pub location_id: Option<LocationId>,
    pub manager_id: Option<EmployeeId>,
    pub status: EmployeeStatus,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// The HR system this record comes from, if any (`bamboohr`, ...), and its id there.
    pub external_source: Option<String>,
    pub external_id: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set once the record is removed; removed records stay for history.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// An employee as every API shows them.
// In GraphQL the references `department` and `location` are replaced by the full records, and
// `manager` and `assets` are added; `people::graphql` resolves them through data loaders.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, SimpleObject)]
#[graphql(name = "Employee", complex)]
pub struct EmployeeView {
    pub id: EmployeeId,
    pub name: String,
    pub email: String,
    pub employee_number: Option<String>,
    pub title: Option<String>,
    #[graphql(skip)]
    pub department: Option<NamedRef>,
    #[graphql(skip)]
    pub location: Option<NamedRef>,
    pub manager_id: Option<EmployeeId>,
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
    pub department_id: Option<DepartmentId>,
    pub location_id: Option<LocationId>,
    pub manager_id: Option<EmployeeId>,
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
    pub department_id: Option<Option<DepartmentId>>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub location_id: Option<Option<LocationId>>,
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub manager_id: Option<Option<EmployeeId>>,
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
    pub id: DepartmentId,
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
    pub id: LocationId,
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

// ---- commands ----

/// An optional date: absent or blank is `None`.
fn date_opt(errs: &mut Errors, field: &str, v: Option<&str>) -> Option<NaiveDate> {
    v.filter(|s| !s.trim().is_empty())
        .and_then(|s| errs.take(v::date(field, s)))
}

/// A valid new employee. References (department, location, manager) are checked against the
/// tenant's records by the service.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEmployee {
    pub name: String,
    /// Lower-cased.
    pub email: String,
    pub employee_number: Option<String>,
    pub title: Option<String>,
    pub department_id: Option<DepartmentId>,
    pub location_id: Option<LocationId>,
    pub manager_id: Option<EmployeeId>,
    pub status: EmployeeStatus,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

impl NewEmployee {
    /// Checks every field of a new employee, naming each that is wrong.
    pub fn parse(req: CreateEmployee) -> Result<Self, FieldErrors> {
        let mut errs = Errors::default();
        let name = errs.take(v::required_text("name", &req.name, 200));
        let email = errs.take(v::email("email", &req.email));
        let employee_number = errs
            .take(v::optional_text(
                "employee_number",
                req.employee_number.as_deref(),
                64,
            ))
            .flatten();
        let title = errs
            .take(v::optional_text("title", req.title.as_deref(), 200))
            .flatten();
        let status = errs.take(EmployeeStatus::from_field(
            "status",
            req.status.as_deref().unwrap_or("active"),
        ));
        let start_date = date_opt(&mut errs, "start_date", req.start_date.as_deref());
        let end_date = date_opt(&mut errs, "end_date", req.end_date.as_deref());
        match (name, email, status) {
            (Some(name), Some(email), Some(status)) if errs.0.is_empty() => Ok(Self {
                name,
                email,
                employee_number,
                title,
                department_id: req.department_id,
                location_id: req.location_id,
                manager_id: req.manager_id,
                status,
                start_date,
                end_date,
            }),
            _ => Err(errs.0),
        }
    }
}

/// A valid change to employee `id`: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmployeePatch {
    pub name: Option<String>,
    /// Lower-cased.
    pub email: Option<String>,
    pub employee_number: Option<Option<String>>,
    pub title: Option<Option<String>>,
    pub department_id: Option<Option<DepartmentId>>,
    pub location_id: Option<Option<LocationId>>,
    pub manager_id: Option<Option<EmployeeId>>,
    pub status: Option<EmployeeStatus>,
    pub start_date: Option<Option<NaiveDate>>,
    pub end_date: Option<Option<NaiveDate>>,
    /// The version the client last saw (the `If-Match` header wins over it).
    pub version: Option<i32>,
}

impl EmployeePatch {
    /// Checks every field of a change to employee `id`, naming each that is wrong.
    pub fn parse(id: EmployeeId, req: UpdateEmployee) -> Result<Self, FieldErrors> {
        let mut errs = Errors::default();
        let name = req
            .name
            .as_deref()
            .and_then(|n| errs.take(v::required_text("name", n, 200)));
        let email = req
            .email
            .as_deref()
            .and_then(|e| errs.take(v::email("email", e)));
        let employee_number = req.employee_number.map(|n| {
            errs.take(v::optional_text("employee_number", n.as_deref(), 64))
                .flatten()
        });
        let title = req.title.map(|n| {
            errs.take(v::optional_text("title", n.as_deref(), 200))
                .flatten()
        });
        let status = req
            .status
            .as_deref()
            .and_then(|s| errs.take(EmployeeStatus::from_field("status", s)));
        let start_date = req
            .start_date
            .map(|d| date_opt(&mut errs, "start_date", d.as_deref()));
        let end_date = req
            .end_date
            .map(|d| date_opt(&mut errs, "end_date", d.as_deref()));
        if req.manager_id == Some(Some(id)) {
            errs.add(
                "manager_id",
                "self_reference",
                "an employee cannot manage themselves",
            );
        }
        if !errs.0.is_empty() {
            return Err(errs.0);
        }
        Ok(Self {
            name,
            email,
            employee_number,
            title,
            department_id: req.department_id,
            location_id: req.location_id,
            manager_id: req.manager_id,
            status,
            start_date,
            end_date,
            version: req.version,
        })
    }
}

/// A valid department: what creating or renaming one sets.
#[derive(Clone, Debug, PartialEq)]
pub struct DepartmentFields {
    pub name: String,
}

impl DepartmentFields {
    pub fn parse(req: DepartmentInput) -> Result<Self, FieldErrors> {
        v::required_text("name", &req.name, 120)
            .map(|name| Self { name })
            .map_err(|e| vec![e])
    }
}

/// A valid location: what creating or replacing one sets.
#[derive(Clone, Debug, PartialEq)]
pub struct LocationFields {
    pub name: String,
    pub address: Option<String>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2, upper-cased.
    pub country: Option<String>,
}

impl LocationFields {
    /// Checks every field of a location, naming each that is wrong.
    pub fn parse(req: LocationInput) -> Result<Self, FieldErrors> {
        let mut errs = Errors::default();
        let name = errs.take(v::required_text("name", &req.name, 120));
        let address = errs
            .take(v::optional_text("address", req.address.as_deref(), 300))
            .flatten();
        let city = errs
            .take(v::optional_text("city", req.city.as_deref(), 120))
            .flatten();
        let country = req
            .country
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_uppercase);
        if country
            .as_deref()
            .is_some_and(|c| c.len() != 2 || !c.chars().all(|x| x.is_ascii_uppercase()))
        {
            errs.add(
                "country",
                "invalid_format",
                "must be an ISO 3166-1 alpha-2 code like DE",
            );
        }
        match name {
            Some(name) if errs.0.is_empty() => Ok(Self {
                name,
                address,
                city,
                country,
            }),
            _ => Err(errs.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: &FieldErrors) -> Vec<(&str, &str)> {
        e.iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect()
    }

    fn create(name: &str, email: &str) -> CreateEmployee {
        CreateEmployee {
            name: name.into(),
            email: email.into(),
            employee_number: None,
            title: None,
            department_id: None,
            location_id: None,
            manager_id: None,
            status: None,
            start_date: None,
            end_date: None,
        }
    }

    #[test]
    fn a_new_employee_is_trimmed_lowercased_and_active_by_default() {
        let e = NewEmployee::parse(CreateEmployee {
            employee_number: Some("  ".into()),
            start_date: Some("2026-02-01".into()),
            end_date: Some(" ".into()),
            ..create(" Ada Lovelace ", "Ada@Example.com")
        });
        let e = e.unwrap_or_else(|errs| panic!("{errs:?}"));
        assert_eq!(e.name, "Ada Lovelace");
        assert_eq!(e.email, "ada@example.com");
        assert_eq!(e.employee_number, None);
        assert_eq!(e.status, EmployeeStatus::Active);
        assert_eq!(e.start_date, NaiveDate::from_ymd_opt(2026, 2, 1));
        assert_eq!(e.end_date, None);
    }

    #[test]
    fn a_new_employee_names_every_wrong_field_at_once() {
        let errs = NewEmployee::parse(CreateEmployee {
            title: Some("t".repeat(201)),
            status: Some("retired".into()),
            start_date: Some("01/02/2026".into()),
            end_date: Some("2026-13-01".into()),
            ..create(" ", "ada")
        })
        .err()
        .unwrap_or_default();
        assert_eq!(
            fields(&errs),
            vec![
                ("name", "required"),
                ("email", "invalid_format"),
                ("title", "too_long"),
                ("status", "invalid_choice"),
                ("start_date", "invalid_format"),
                ("end_date", "invalid_format"),
            ]
        );
        assert_eq!(errs[3].message, "must be active or terminated");
    }

    #[test]
    fn a_patch_tells_absent_from_cleared() {
        let id = EmployeeId::new();
        let p = EmployeePatch::parse(
            id,
            UpdateEmployee {
                title: Some(None),
                employee_number: Some(Some(" E-7 ".into())),
                start_date: Some(Some("".into())),
                status: Some("terminated".into()),
                ..Default::default()
            },
        )
        .unwrap_or_else(|errs| panic!("{errs:?}"));
        assert_eq!(p.name, None);
        assert_eq!(p.title, Some(None));
        assert_eq!(p.employee_number, Some(Some("E-7".into())));
        assert_eq!(p.start_date, Some(None));
        assert_eq!(p.end_date, None);
        assert_eq!(p.status, Some(EmployeeStatus::Terminated));
    }

    #[test]
    fn a_patch_names_every_wrong_field_including_self_management() {
        let id = EmployeeId::new();
        let errs = EmployeePatch::parse(
            id,
            UpdateEmployee {
                name: Some("".into()),
                email: Some("x@y".into()),
                manager_id: Some(Some(id)),
                ..Default::default()
            },
        )
        .err()
        .unwrap_or_default();
        assert_eq!(
            fields(&errs),
            vec![
                ("name", "required"),
                ("email", "invalid_format"),
                ("manager_id", "self_reference"),
            ]
        );
    }

    #[test]
    fn department_names_are_required_and_bounded() {
        let ok = DepartmentFields::parse(DepartmentInput {
            name: " Ops ".into(),
        });
        assert_eq!(ok.ok().map(|d| d.name), Some("Ops".into()));
        let long = DepartmentFields::parse(DepartmentInput {
            name: "x".repeat(121),
        });
        assert_eq!(
            fields(&long.err().unwrap_or_default()),
            vec![("name", "too_long")]
        );
    }

    #[test]
    fn locations_upper_case_their_country_and_name_every_wrong_field() {
        let ok = LocationFields::parse(LocationInput {
            name: "HQ".into(),
            address: Some(" ".into()),
            city: Some("Berlin".into()),
            country: Some(" de ".into()),
        })
        .unwrap_or_else(|errs| panic!("{errs:?}"));
        assert_eq!(ok.country.as_deref(), Some("DE"));
        assert_eq!(ok.address, None);
        let errs = LocationFields::parse(LocationInput {
            name: "".into(),
            address: None,
            city: Some("c".repeat(121)),
            country: Some("Germany".into()),
        })
        .err()
        .unwrap_or_default();
        assert_eq!(
            fields(&errs),
            vec![
                ("name", "required"),
                ("city", "too_long"),
                ("country", "invalid_format")
            ]
        );
    }
}
