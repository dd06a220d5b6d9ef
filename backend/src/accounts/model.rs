//! Account types as the API shows them, and the requests that change them.

use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::entity::{api_token, tenant, user};
use crate::platform::auth::Role;

/// An organization: every record belongs to exactly one.
#[derive(Serialize, ToSchema, Clone, SimpleObject)]
#[graphql(name = "Tenant")]
pub struct TenantView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

impl From<&tenant::Model> for TenantView {
    fn from(t: &tenant::Model) -> Self {
        Self {
            id: t.id,
            slug: t.slug.clone(),
            name: t.name.clone(),
        }
    }
}

/// Someone who signs in to a tenant.
#[derive(Serialize, ToSchema, Clone, SimpleObject)]
#[graphql(name = "User")]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// `active` or `disabled`.
    pub status: String,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<&user::Model> for UserView {
    fn from(u: &user::Model) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: Role::parse(&u.role).unwrap_or(Role::Viewer),
            status: u.status.clone(),
            last_login_at: u.last_login_at,
            created_at: u.created_at,
        }
    }
}

/// The answer to signup, login and refresh.
#[derive(Serialize, ToSchema)]
pub struct Session {
    pub tenant: TenantView,
    pub user: UserView,
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// The caller: their user (API tokens get a synthetic one) and tenant.
#[derive(Serialize, ToSchema, SimpleObject)]
pub struct Me {
    pub user: UserView,
    pub tenant: TenantView,
}

#[derive(Deserialize, ToSchema)]
pub struct SignupRequest {
    pub organization_name: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// The tenant's slug; needed only when the email belongs to several tenants.
    pub tenant: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct LogoutRequest {
    /// The refresh token to revoke (with its whole family). Without it, only the access token
    /// stops being used by the client.
    pub refresh_token: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct CreateUserRequest {
    pub email: String,
    pub name: String,
    pub role: String,
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateUserRequest {
    pub name: Option<String>,
    pub role: Option<String>,
    /// `active` or `disabled`; a disabled user cannot log in and their sessions end.
    pub status: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct CreateApiTokenRequest {
    pub name: String,
    /// The token's role; at most the creator's own. Default `viewer`.
    pub role: Option<String>,
    /// Optional expiry.
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiTokenView {
    pub id: Uuid,
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_token::Model> for ApiTokenView {
    fn from(t: api_token::Model) -> Self {
        Self {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            role: Role::parse(&t.role).unwrap_or(Role::Viewer),
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// A new API token: the only time its secret is shown.
#[derive(Serialize, ToSchema)]
pub struct CreatedApiToken {
    #[serde(flatten)]
    pub info: ApiTokenView,
    /// The secret; store it now, it cannot be shown again.
    pub token: String,
}

#[derive(Deserialize, ToSchema)]
pub struct UpdateTenantRequest {
    pub name: Option<String>,
    /// Prefix of generated asset tags, e.g. `AST` gives `AST-000123`.
    pub asset_tag_prefix: Option<String>,
    /// Whether an MDM sync turns a device with an unknown serial number into an in-stock asset
    /// (default true); when false such devices are left out.
    pub mdm_creates_assets: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct TenantSettingsView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub asset_tag_prefix: String,
    pub mdm_creates_assets: bool,
    pub created_at: DateTime<Utc>,
}

/// Makes a URL-safe slug from an organization name.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let s = out.trim_end_matches('-');
    let s: String = s.chars().take(40).collect();
    if s.is_empty() { "org".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs_are_lowercase_and_dashed() {
        assert_eq!(slugify("Acme Corp, Inc."), "acme-corp-inc");
        assert_eq!(slugify("  ¡¡ "), "org");
        assert_eq!(slugify("Zürich Labs"), "z-rich-labs");
    }
}
