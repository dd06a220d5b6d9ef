//! GraphQL resolvers of the people context: employees, departments, locations. Thin: each
//! calls one service function (the same as REST); nested records come through data loaders.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::dataloader::Loader;
use async_graphql::{
    ComplexObject, Context, Data, Enum, InputObject, MaybeUndefined, Object, SimpleObject,
    Subscription,
};
use chrono::NaiveDate;
use futures::{Stream, StreamExt};

use super::error::PeopleError;
use super::model::*;
use super::service::{self, EmployeeFilter};
use crate::assets::published::AssetView;
use crate::assets::published::HeldAssetsLoader;
use crate::graphql::{
    GqlResult, Scope, SortDirection, connection, first_to_limit, loader, new_loader, paging_error,
    scope,
};
use crate::platform::auth::Action;
use crate::platform::error::ApiError;
use crate::platform::ids::{DepartmentId, EmployeeId, LocationId};

/// Live employees by id.
pub struct EmployeeLoader(Arc<Scope>);

impl Loader<EmployeeId> for EmployeeLoader {
    type Value = EmployeeView;
    type Error = Arc<ApiError>;
    async fn load(
        &self,
        ids: &[EmployeeId],
    ) -> Result<HashMap<EmployeeId, EmployeeView>, Self::Error> {
        service::get_many(&self.0.state, &self.0.who, ids)
            .await
            .map_err(Arc::new)
    }
}

/// Locations by id.
pub struct LocationLoader(Arc<Scope>);

impl Loader<LocationId> for LocationLoader {
    type Value = LocationView;
    type Error = Arc<ApiError>;
    async fn load(
        &self,
        ids: &[LocationId],
    ) -> Result<HashMap<LocationId, LocationView>, Self::Error> {
        service::locations_by_ids(&self.0.state, &self.0.who, ids)
            .await
            .map_err(Arc::new)
    }
}

/// Departments by id.
pub struct DepartmentLoader(Arc<Scope>);

impl Loader<DepartmentId> for DepartmentLoader {
    type Value = DepartmentView;
    type Error = Arc<ApiError>;
    async fn load(
        &self,
        ids: &[DepartmentId],
    ) -> Result<HashMap<DepartmentId, DepartmentView>, Self::Error> {
        service::departments_by_ids(&self.0.state, &self.0.who, ids)
            .await
            .map_err(Arc::new)
    }
}

/// This context's loaders, bound to one caller.
pub fn add_loaders(data: &mut Data, scope: &Arc<Scope>) {
    data.insert(new_loader(EmployeeLoader(scope.clone())));
    data.insert(new_loader(LocationLoader(scope.clone())));
    data.insert(new_loader(DepartmentLoader(scope.clone())));
}

#[ComplexObject]
impl EmployeeView {
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DepartmentView>> {
        let Some(r) = &self.department else {
            return Ok(None);
        };
        loader::<DepartmentLoader>(ctx)?
            .load_one(r.id.into())
            .await
            .gql()
    }

    async fn location(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<LocationView>> {
        let Some(r) = &self.location else {
            return Ok(None);
        };
        loader::<LocationLoader>(ctx)?
            .load_one(r.id.into())
            .await
            .gql()
    }

    async fn manager(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<EmployeeView>> {
        let Some(id) = self.manager_id else {
            return Ok(None);
        };
        loader::<EmployeeLoader>(ctx)?.load_one(id).await.gql()
    }

    /// What the employee holds now.
    #[graphql(complexity = "10 * child_complexity")]
    async fn assets(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AssetView>> {
        Ok(loader::<HeldAssetsLoader>(ctx)?
            .load_one(self.id)
            .await
            .gql()?
            .unwrap_or_default())
    }
}

/// Which employees to list; every field optional, combined with AND.
#[derive(InputObject, Default)]
pub struct EmployeeFilterInput {
    /// Free text over name, email and employee number.
    pub q: Option<String>,
    /// `active` or `terminated`.
    pub status: Option<String>,
    pub department_id: Option<DepartmentId>,
    pub location_id: Option<LocationId>,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmployeeSortField {
    Name,
    CreatedAt,
}

/// The order of the employee list (default: by name).
#[derive(InputObject)]
pub struct EmployeeOrder {
    pub field: EmployeeSortField,
    #[graphql(default)]
    pub direction: SortDirection,
}

fn sort_key(o: Option<EmployeeOrder>) -> &'static str {
    match o.map(|o| (o.field, o.direction)) {
        None | Some((EmployeeSortField::Name, SortDirection::Asc)) => "name",
        Some((EmployeeSortField::Name, SortDirection::Desc)) => "-name",
        Some((EmployeeSortField::CreatedAt, SortDirection::Asc)) => "created_at",
        Some((EmployeeSortField::CreatedAt, SortDirection::Desc)) => "-created_at",
    }
}

#[derive(Default)]
pub struct PeopleQuery;

#[Object]
impl PeopleQuery {
    /// The tenant's employees, as `GET /api/v1/employees`. Forward pagination: `first` (1 to
    /// 500, default 50) and `after`.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn employees(
        &self,
        ctx: &Context<'_>,
        filter: Option<EmployeeFilterInput>,
        order_by: Option<EmployeeOrder>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, EmployeeView>> {
        let s = scope(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = EmployeeFilter {
            q: f.q,
            status: f.status,
            department_id: f.department_id,
            location_id: f.location_id,
        };
        let sort = sort_key(order_by);
        let page = service::list(
            &s.state,
            &s.who,
            filter,
            Some(sort),
            first_to_limit(first),
            after.as_deref(),
        )
        .await
        .map_err(paging_error)?;
        Ok(connection(page, after.as_deref(), |e| {
            service::cursor_for(sort, e)
        }))
    }

    /// One employee; `not_found` also for another tenant's ids.
    async fn employee(
        &self,
        ctx: &Context<'_>,
        id: EmployeeId,
    ) -> async_graphql::Result<EmployeeView> {
        let s = scope(ctx)?;
        Ok(service::get(&s.state, &s.who, id).await.gql()?.employee)
    }

    async fn departments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DepartmentView>> {
        let s = scope(ctx)?;
        service::list_departments(&s.state, &s.who).await.gql()
    }

    async fn locations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<LocationView>> {
        let s = scope(ctx)?;
        service::list_locations(&s.state, &s.who).await.gql()
    }
}

#[derive(InputObject)]
pub struct CreateEmployeeInput {
    pub name: String,
    pub email: String,
    pub employee_number: Option<String>,
    pub title: Option<String>,
    pub department_id: Option<DepartmentId>,
    pub location_id: Option<LocationId>,
    pub manager_id: Option<EmployeeId>,
    /// `active` (default) or `terminated`.
    pub status: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

impl From<CreateEmployeeInput> for CreateEmployee {
    fn from(i: CreateEmployeeInput) -> Self {
        CreateEmployee {
            name: i.name,
            email: i.email,
            employee_number: i.employee_number,
            title: i.title,
            department_id: i.department_id,
            location_id: i.location_id,
            manager_id: i.manager_id,
            status: i.status,
            start_date: i.start_date.map(|d| d.to_string()),
            end_date: i.end_date.map(|d| d.to_string()),
        }
    }
}

/// A partial update: absent fields stay as they are, `null` clears a field.
#[derive(InputObject)]
pub struct UpdateEmployeeInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub employee_number: MaybeUndefined<String>,
    pub title: MaybeUndefined<String>,
    pub department_id: MaybeUndefined<DepartmentId>,
    pub location_id: MaybeUndefined<LocationId>,
    pub manager_id: MaybeUndefined<EmployeeId>,
    pub status: Option<String>,
    pub start_date: MaybeUndefined<NaiveDate>,
    pub end_date: MaybeUndefined<NaiveDate>,
    /// The version last seen; a stale one is a `version_conflict`.
    pub version: Option<i32>,
}

impl From<UpdateEmployeeInput> for UpdateEmployee {
    fn from(i: UpdateEmployeeInput) -> Self {
        let date = |d: MaybeUndefined<NaiveDate>| {
            Option::<Option<NaiveDate>>::from(d).map(|d| d.map(|d| d.to_string()))
        };
        UpdateEmployee {
            name: i.name,
            email: i.email,
            employee_number: i.employee_number.into(),
            title: i.title.into(),
            department_id: i.department_id.into(),
            location_id: i.location_id.into(),
            manager_id: i.manager_id.into(),
            status: i.status,
            start_date: date(i.start_date),
            end_date: date(i.end_date),
            version: i.version,
        }
    }
}

#[derive(Default)]
pub struct PeopleMutation;

#[Object]
impl PeopleMutation {
    async fn create_employee(
        &self,
        ctx: &Context<'_>,
        input: CreateEmployeeInput,
    ) -> async_graphql::Result<EmployeeView> {
        let s = scope(ctx)?;
        s.who.require(Action::PeopleWrite).gql()?;
        let new = NewEmployee::parse(input.into())
            .map_err(|e| ApiError::from(PeopleError::Invalid(e)))
            .gql()?;
        service::create(&s.state, &s.who, new).await.gql()
    }

    async fn update_employee(
        &self,
        ctx: &Context<'_>,
        id: EmployeeId,
        input: UpdateEmployeeInput,
    ) -> async_graphql::Result<EmployeeView> {
        let s = scope(ctx)?;
        s.who.require(Action::PeopleWrite).gql()?;
        let patch = EmployeePatch::parse(id, input.into())
            .map_err(|e| ApiError::from(PeopleError::Invalid(e)))
            .gql()?;
        service::update(&s.state, &s.who, id, None, patch)
            .await
            .gql()
    }

    /// Removes an employee who holds nothing. Answers the employee's id.
    async fn delete_employee(
        &self,
        ctx: &Context<'_>,
        id: EmployeeId,
    ) -> async_graphql::Result<EmployeeId> {
        let s = scope(ctx)?;
        service::delete(&s.state, &s.who, id).await.gql()?;
        Ok(id)
    }
}

/// A change to an employee, as the realtime channel `employees:{tenant_id}` pushes it.
#[derive(SimpleObject)]
pub struct EmployeeEvent {
    /// `employee_created`, `employee_updated` or `employee_deleted`.
    pub event: String,
    pub employee: EmployeeView,
}

#[derive(Default)]
pub struct PeopleSubscription;

#[Subscription]
impl PeopleSubscription {
    /// Employee changes in the caller's tenant from now on.
    async fn employee_events(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = EmployeeEvent> + use<>> {
        let s = scope(ctx)?;
        let changes = service::changes(&s.state, &s.who).gql()?;
        Ok(changes.map(|c| EmployeeEvent {
            event: c.event,
            employee: c.employee,
        }))
    }
}
