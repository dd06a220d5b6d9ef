//! GraphQL resolvers of the assets context. Thin: each parses its arguments, calls one service
//! function (the same as REST) and shapes the answer. Nested records come through data loaders
//! so a list never issues a query per row.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::dataloader::Loader;
use async_graphql::{
    ComplexObject, Context, Data, Enum, InputObject, MaybeUndefined, Object, SimpleObject,
    Subscription,
};
use chrono::{DateTime, NaiveDate, Utc};
use futures::{Stream, StreamExt};

use super::model::*;
use super::service::{self, AssetFilter, Sort, SortField};
use crate::audit::published::AuditEventView;
use crate::graphql::{
    GqlResult, Scope, SortDirection, connection, first_to_limit, loader, new_loader, paging_error,
    scope,
};
use crate::people::published::{EmployeeLoader, EmployeeView, LocationLoader, LocationView};
use crate::platform::error::ApiError;
use crate::platform::ids::{AssetId, AssetModelId, CategoryId, EmployeeId, LocationId};

/// Assets by id, as the caller may see them (a member: only what they hold).
pub struct AssetLoader(Arc<Scope>);

impl Loader<AssetId> for AssetLoader {
    type Value = AssetView;
    type Error = Arc<ApiError>;
    async fn load(&self, ids: &[AssetId]) -> Result<HashMap<AssetId, AssetView>, Self::Error> {
        service::get_many(&self.0.state, &self.0.who, ids)
            .await
            .map_err(Arc::new)
    }
}

/// Categories by id.
pub struct CategoryLoader(Arc<Scope>);

impl Loader<CategoryId> for CategoryLoader {
    type Value = CategoryView;
    type Error = Arc<ApiError>;
    async fn load(
        &self,
        ids: &[CategoryId],
    ) -> Result<HashMap<CategoryId, CategoryView>, Self::Error> {
        service::categories_by_ids(&self.0.state, &self.0.who, ids)
            .await
            .map_err(Arc::new)
    }
}

/// Models by id.
pub struct ModelLoader(Arc<Scope>);

impl Loader<AssetModelId> for ModelLoader {
    type Value = ModelView;
    type Error = Arc<ApiError>;
    async fn load(
        &self,
        ids: &[AssetModelId],
    ) -> Result<HashMap<AssetModelId, ModelView>, Self::Error> {
        service::models_by_ids(&self.0.state, &self.0.who, ids)
            .await
            .map_err(Arc::new)
    }
}

/// What each employee holds, by employee id.
pub struct HeldAssetsLoader(Arc<Scope>);

impl Loader<EmployeeId> for HeldAssetsLoader {
    type Value = Vec<AssetView>;
    type Error = Arc<ApiError>;
    async fn load(
        &self,
        employee_ids: &[EmployeeId],
    ) -> Result<HashMap<EmployeeId, Vec<AssetView>>, Self::Error> {
        service::held_by_many(&self.0.state, &self.0.who, employee_ids)
            .await
            .map_err(Arc::new)
    }
}

/// This context's loaders, bound to one caller.
pub fn add_loaders(data: &mut Data, scope: &Arc<Scope>) {
    data.insert(new_loader(AssetLoader(scope.clone())));
    data.insert(new_loader(CategoryLoader(scope.clone())));
    data.insert(new_loader(ModelLoader(scope.clone())));
    data.insert(new_loader(HeldAssetsLoader(scope.clone())));
}

#[ComplexObject]
impl AssetView {
    async fn category(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CategoryView>> {
        let Some(r) = &self.category else {
            return Ok(None);
        };
        loader::<CategoryLoader>(ctx)?
            .load_one(CategoryId::from(r.id))
            .await
            .gql()
    }

    async fn model(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ModelView>> {
        let Some(r) = &self.model else {
            return Ok(None);
        };
        loader::<ModelLoader>(ctx)?.load_one(r.id).await.gql()
    }

    async fn location(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<LocationView>> {
        let Some(r) = &self.location else {
            return Ok(None);
        };
        loader::<LocationLoader>(ctx)?
            .load_one(LocationId::from(r.id))
            .await
            .gql()
    }

    /// The employee holding the asset, in full. Needs the right to read people (`assignedTo`
    /// does not).
    async fn holder(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<EmployeeView>> {
        let Some(r) = &self.assigned_to else {
            return Ok(None);
        };
        loader::<EmployeeLoader>(ctx)?.load_one(r.id).await.gql()
    }

    /// Everything that happened to the asset, newest first.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, AuditEventView>> {
        let s = scope(ctx)?;
        let page = service::history(
            &s.state,
            &s.who,
            self.id,
            first_to_limit(first),
            after.as_deref(),
        )
        .await
        .map_err(paging_error)?;
        Ok(connection(
            page,
            after.as_deref(),
            crate::audit::published::cursor_for,
        ))
    }
}

/// Which assets to list; every field optional, combined with AND (as the REST list's query).
#[derive(InputObject, Default)]
pub struct AssetFilterInput {
    /// Any of these statuses.
    pub status: Option<Vec<AssetStatus>>,
    pub category_id: Option<CategoryId>,
    pub model_id: Option<AssetModelId>,
    pub location_id: Option<LocationId>,
    /// Employee id of the holder.
    pub assigned_to: Option<EmployeeId>,
    /// Only assets whose warranty ends before this date.
    pub warranty_before: Option<NaiveDate>,
    /// Free text over tag, serial, name, model and manufacturer.
    pub q: Option<String>,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssetSortField {
    CreatedAt,
    Tag,
    Name,
    UpdatedAt,
    WarrantyEnd,
}

/// The order of the asset list (default: oldest first).
#[derive(InputObject)]
pub struct AssetOrder {
    pub field: AssetSortField,
    #[graphql(default)]
    pub direction: SortDirection,
}

impl From<Option<AssetOrder>> for Sort {
    fn from(o: Option<AssetOrder>) -> Self {
        let Some(o) = o else {
            return Sort {
                field: SortField::CreatedAt,
                desc: false,
            };
        };
        let field = match o.field {
            AssetSortField::CreatedAt => SortField::CreatedAt,
            AssetSortField::Tag => SortField::Tag,
            AssetSortField::Name => SortField::Name,
            AssetSortField::UpdatedAt => SortField::UpdatedAt,
            AssetSortField::WarrantyEnd => SortField::WarrantyEnd,
        };
        Sort {
            field,
            desc: o.direction == SortDirection::Desc,
        }
    }
}

#[derive(Default)]
pub struct AssetsQuery;

#[Object]
impl AssetsQuery {
    /// The tenant's assets (a member: those they hold), filtered and sorted as
    /// `GET /api/v1/assets`. Forward pagination: `first` (1 to 500, default 50) and `after`.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn assets(
        &self,
        ctx: &Context<'_>,
        filter: Option<AssetFilterInput>,
        order_by: Option<AssetOrder>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, AssetView>> {
        let s = scope(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = AssetFilter {
            status: f.status.unwrap_or_default(),
            category_id: f.category_id,
            model_id: f.model_id,
            location_id: f.location_id,
            assigned_to: f.assigned_to,
            warranty_before: f.warranty_before,
            q: f.q,
        };
        let sort = Sort::from(order_by);
        let page = service::list(
            &s.state,
            &s.who,
            filter,
            sort,
            first_to_limit(first),
            after.as_deref(),
        )
        .await
        .map_err(paging_error)?;
        Ok(connection(page, after.as_deref(), |a| {
            service::cursor_for(sort, a)
        }))
    }

    /// One asset; `not_found` also for another tenant's ids.
    async fn asset(&self, ctx: &Context<'_>, id: AssetId) -> async_graphql::Result<AssetView> {
        let s = scope(ctx)?;
        service::get(&s.state, &s.who, id).await.gql()
    }

    /// The asset with this exact tag (e.g. from a scanned label).
    async fn asset_by_tag(
        &self,
        ctx: &Context<'_>,
        tag: String,
    ) -> async_graphql::Result<AssetView> {
        let s = scope(ctx)?;
        service::lookup(&s.state, &s.who, Some(&tag), None)
            .await
            .gql()
    }

    /// The asset with this exact serial number.
    async fn asset_by_serial(
        &self,
        ctx: &Context<'_>,
        serial_number: String,
    ) -> async_graphql::Result<AssetView> {
        let s = scope(ctx)?;
        service::lookup(&s.state, &s.who, None, Some(&serial_number))
            .await
            .gql()
    }

    async fn categories(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CategoryView>> {
        let s = scope(ctx)?;
        service::list_categories(&s.state.db, &s.who).await.gql()
    }

    async fn asset_models(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ModelView>> {
        let s = scope(ctx)?;
        service::list_models(&s.state.db, &s.who).await.gql()
    }

    /// Counts by status and category, assigned versus in stock, warranties running out.
    async fn dashboard(&self, ctx: &Context<'_>) -> async_graphql::Result<DashboardView> {
        let s = scope(ctx)?;
        service::dashboard(&s.state, &s.who).await.gql()
    }
}

/// Money as input: a decimal string and an ISO 4217 code.
#[derive(InputObject)]
pub struct MoneyInput {
    /// e.g. `"1299.00"`.
    pub amount: String,
    /// e.g. `USD`.
    pub currency: String,
}

impl From<MoneyInput> for MoneyView {
    fn from(m: MoneyInput) -> Self {
        MoneyView {
            amount: m.amount,
            currency: m.currency,
        }
    }
}

#[derive(InputObject)]
pub struct CreateAssetInput {
    /// Generated from the tenant's prefix and sequence when omitted.
    pub tag: Option<String>,
    pub name: String,
    pub serial_number: Option<String>,
    /// Default `IN_STOCK`; `ASSIGNED` is reached only by check-out.
    pub status: Option<AssetStatus>,
    pub category_id: Option<CategoryId>,
    pub model_id: Option<AssetModelId>,
    pub location_id: Option<LocationId>,
    pub purchase_date: Option<NaiveDate>,
    pub cost: Option<MoneyInput>,
    pub supplier: Option<String>,
    pub order_number: Option<String>,
    pub warranty_end: Option<NaiveDate>,
    pub custom_fields: Option<serde_json::Value>,
    pub notes: Option<String>,
}

impl From<CreateAssetInput> for CreateAsset {
    fn from(i: CreateAssetInput) -> Self {
        CreateAsset {
            tag: i.tag,
            name: i.name,
            serial_number: i.serial_number,
            status: i.status.map(|s| s.as_str().to_owned()),
            category_id: i.category_id,
            model_id: i.model_id,
            location_id: i.location_id,
            purchase_date: i.purchase_date.map(|d| d.to_string()),
            cost: i.cost.map(MoneyView::from),
            supplier: i.supplier,
            order_number: i.order_number,
            warranty_end: i.warranty_end.map(|d| d.to_string()),
            custom_fields: i.custom_fields,
            notes: i.notes,
        }
    }
}

/// A partial update: absent fields stay as they are, `null` clears a field.
#[derive(InputObject)]
pub struct UpdateAssetInput {
    pub tag: Option<String>,
    pub name: Option<String>,
    pub serial_number: MaybeUndefined<String>,
    pub status: Option<AssetStatus>,
    pub category_id: MaybeUndefined<CategoryId>,
    pub model_id: MaybeUndefined<AssetModelId>,
    pub location_id: MaybeUndefined<LocationId>,
    pub purchase_date: MaybeUndefined<NaiveDate>,
    pub cost: MaybeUndefined<MoneyInput>,
    pub supplier: MaybeUndefined<String>,
    pub order_number: MaybeUndefined<String>,
    pub warranty_end: MaybeUndefined<NaiveDate>,
    pub custom_fields: Option<serde_json::Value>,
    pub notes: MaybeUndefined<String>,
    /// The version last seen; a stale one is a `version_conflict`.
    pub version: Option<i32>,
}

fn patch<T>(v: MaybeUndefined<T>) -> Option<Option<T>> {
    v.into()
}

fn date_patch(v: MaybeUndefined<NaiveDate>) -> Option<Option<String>> {
    patch(v).map(|d| d.map(|d| d.to_string()))
}

impl From<UpdateAssetInput> for UpdateAsset {
    fn from(i: UpdateAssetInput) -> Self {
        UpdateAsset {
            tag: i.tag,
            name: i.name,
            serial_number: patch(i.serial_number),
            status: i.status.map(|s| s.as_str().to_owned()),
            category_id: patch(i.category_id),
            model_id: patch(i.model_id),
            location_id: patch(i.location_id),
            purchase_date: date_patch(i.purchase_date),
            cost: patch(i.cost).map(|c| c.map(MoneyView::from)),
            supplier: patch(i.supplier),
            order_number: patch(i.order_number),
            warranty_end: date_patch(i.warranty_end),
            custom_fields: i.custom_fields,
            notes: patch(i.notes),
            version: i.version,
        }
    }
}

#[derive(InputObject)]
pub struct CheckOutInput {
    pub employee_id: EmployeeId,
    pub due_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    /// The version last seen.
    pub version: Option<i32>,
}

#[derive(InputObject, Default)]
pub struct CheckInInput {
    /// Default `GOOD`; `NEEDS_REPAIR` sends the asset to repair.
    pub condition: Option<Condition>,
    pub note: Option<String>,
    /// The version last seen.
    pub version: Option<i32>,
}

#[derive(Default)]
pub struct AssetsMutation;

#[Object]
impl AssetsMutation {
    /// Creates an asset; the tag is generated when omitted.
    async fn create_asset(
        &self,
        ctx: &Context<'_>,
        input: CreateAssetInput,
    ) -> async_graphql::Result<AssetView> {
        let s = scope(ctx)?;
        service::create(&s.state, &s.who, input.into()).await.gql()
    }

    /// Changes an asset's fields or status.
    async fn update_asset(
        &self,
        ctx: &Context<'_>,
        id: AssetId,
        input: UpdateAssetInput,
    ) -> async_graphql::Result<AssetView> {
        let s = scope(ctx)?;
        service::update(&s.state, &s.who, id, None, input.into())
            .await
            .gql()
    }

    /// Deletes an asset (kept for history; its tag becomes free). Answers the asset's id.
    async fn delete_asset(
        &self,
        ctx: &Context<'_>,
        id: AssetId,
        version: Option<i32>,
    ) -> async_graphql::Result<AssetId> {
        let s = scope(ctx)?;
        service::delete(&s.state, &s.who, id, version).await.gql()?;
        Ok(id)
    }

    /// Checks an in-stock asset out to an employee.
    async fn check_out_asset(
        &self,
        ctx: &Context<'_>,
        id: AssetId,
        input: CheckOutInput,
    ) -> async_graphql::Result<AssetView> {
        let s = scope(ctx)?;
        let req = CheckoutRequest {
            employee_id: input.employee_id,
            due_at: input.due_at,
            note: input.note,
            version: input.version,
        };
        service::checkout(&s.state, &s.who, id, None, req)
            .await
            .gql()
    }

    /// Checks an asset back in.
    async fn check_in_asset(
        &self,
        ctx: &Context<'_>,
        id: AssetId,
        input: Option<CheckInInput>,
    ) -> async_graphql::Result<AssetView> {
        let s = scope(ctx)?;
        let input = input.unwrap_or_default();
        let req = CheckinRequest {
            condition: input.condition.map(|c| c.as_str().to_owned()),
            note: input.note,
            version: input.version,
        };
        service::checkin(&s.state, &s.who, id, None, req)
            .await
            .gql()
    }
}

/// A change to an asset, as the realtime channel `assets:{tenant_id}` pushes it.
#[derive(SimpleObject)]
pub struct AssetEvent {
    /// `asset_created`, `asset_updated`, `asset_deleted`, `asset_checked_out` or `asset_checked_in`.
    pub event: String,
    /// The asset after the change.
    pub asset: AssetView,
}

#[derive(Default)]
pub struct AssetsSubscription;

#[Subscription]
impl AssetsSubscription {
    /// Asset changes in the caller's tenant from now on (a member: changes to what they hold).
    async fn asset_events(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = AssetEvent> + use<>> {
        let s = scope(ctx)?;
        let changes = service::changes(&s.state, &s.who).gql()?;
        Ok(changes.map(|c| AssetEvent {
            event: c.event,
            asset: c.asset,
        }))
    }
}
