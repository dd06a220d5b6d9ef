//! What other contexts and the platform may use of accounts: bearer authentication, and
//! looking up a tenant's users and settings by email or id. Everything else in this context is
//! its own.

use futures::future::BoxFuture;

use crate::platform::auth::Principal;
use crate::platform::error::ApiResult;
use crate::platform::ids::TenantId;
use crate::platform::state::{AppState, Authenticator};

pub use super::service::{
    active_user_email, active_user_id_by_email, asset_tag_prefix, asset_tag_prefix_for,
    mdm_creates_assets_for, principal_by_email,
};

/// Authenticates access JWTs and API tokens against this context's users and tokens.
pub struct TokenAuthenticator;

impl Authenticator for TokenAuthenticator {
    fn authenticate<'a>(
        &'a self,
        state: &'a AppState,
        bearer: &'a str,
    ) -> BoxFuture<'a, ApiResult<Principal>> {
        Box::pin(super::service::authenticate(state, bearer))
    }
}

/// The id of the tenant with this slug, if there is one (the demo seed finds its tenant so).
pub async fn tenant_id_by_slug<C: sea_orm::ConnectionTrait>(
    conn: &C,
    slug: &str,
) -> ApiResult<Option<TenantId>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Ok(super::entity::tenant::Entity::find()
        .filter(super::entity::tenant::Column::Slug.eq(slug))
        .one(conn)
        .await?
        .map(|t| t.id.into()))
}
