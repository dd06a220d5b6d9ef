//! Account types as the API shows them, and the requests that change them.

use super::entity::{api_token, tenant, user};
use crate::platform::auth::Role;
use crate::platform::error::FieldError;
use crate::platform::ids::{ApiTokenId, TenantId, UserId};
use crate::platform::validation::{self as v, Errors};
use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every field's complaint about a request, collected at once.
pub type FieldErrors = Vec<FieldError>;

/// An organization: every record belongs to exactly one.
#[derive(Serialize, ToSchema, Clone, SimpleObject)]
#[graphql(name = "Tenant")]
pub struct TenantView {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
}

impl From<&tenant::Model> for TenantView {
    fn from(t: &tenant::Model) -> Self {
        Self {
            id: t.id.into(),
            slug: t.slug.clone(),
            name: t.name.clone(),
        }
    }
}

/// Someone who signs in to a tenant.
#[derive(Serialize, ToSchema, Clone, SimpleObject)]
#[graphql(name = "User")]
pub struct UserView {
    pub id: UserId,
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
            id: u.id.into(),
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
    pub id: ApiTokenId,
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
            id: t.id.into(),
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
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub asset_tag_prefix: String,
    pub mdm_creates_assets: bool,
    pub created_at: DateTime<Utc>,
}

/// A valid signup: a new organization and its owner.
#[derive(Debug, PartialEq)]
pub struct NewSignup {
    pub organization_name: String,
    pub name: String,
    /// Lower-cased.
    pub email: String,
    pub password: String,
}

impl NewSignup {
    /// Checks every field of a signup, naming each that is wrong.
    pub fn parse(req: SignupRequest) -> Result<Self, FieldErrors> {
        let mut errs = Errors::default();
        let org = errs.take(v::required_text(
            "organization_name",
            &req.organization_name,
            120,
        ));
        let name = errs.take(v::required_text("name", &req.name, 120));
        let email = errs.take(v::email("email", &req.email));
        let password = errs.take(v::password("password", &req.password));
        match (org, name, email, password) {
            (Some(organization_name), Some(name), Some(email), Some(password))
                if errs.0.is_empty() =>
            {
                Ok(Self {
                    organization_name,
                    name,
                    email,
                    password,
                })
            }
            _ => Err(errs.0),
        }
    }
}

/// A valid new user of the tenant.
#[derive(Debug, PartialEq)]
pub struct NewUser {
    /// Lower-cased.
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password: String,
}

impl NewUser {
    pub fn parse(req: CreateUserRequest) -> Result<Self, FieldErrors> {
        let mut errs = Errors::default();
        let email = errs.take(v::email("email", &req.email));
        let name = errs.take(v::required_text("name", &req.name, 120));
        let role = errs.take(Role::from_field("role", &req.role));
        let password = errs.take(v::password("password", &req.password));
        match (email, name, role, password) {
            (Some(email), Some(name), Some(role), Some(password)) if errs.0.is_empty() => {
                Ok(Self {
                    email,
                    name,
                    role,
                    password,
                })
            }
            _ => Err(errs.0),
        }
    }
}

/// Whether a user may sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserStatus {
    Active,
    /// Cannot log in; their sessions end.
    Disabled,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }
}

/// A valid change to a user; absent fields stay as they are.
#[derive(Debug, Default, PartialEq)]
pub struct UserPatch {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
}

impl UserPatch {
    pub fn parse(req: UpdateUserRequest) -> Result<Self, FieldErrors> {
        let mut errs = Errors::default();
        let name = req
            .name
            .as_deref()
            .and_then(|n| errs.take(v::required_text("name", n, 120)));
        let role = req
            .role
            .as_deref()
            .and_then(|r| errs.take(Role::from_field("role", r)));
        let status = match req.status.as_deref() {
            None => None,
            Some("active") => Some(UserStatus::Active),
            Some("disabled") => Some(UserStatus::Disabled),
            Some(_) => {
                errs.add("status", "invalid_choice", "must be active or disabled");
                None
            }
        };
        if errs.0.is_empty() {
            Ok(Self { name, role, status })
        } else {
            Err(errs.0)
        }
    }
}

/// A valid new API token.
#[derive(Debug, PartialEq)]
pub struct NewApiToken {
    pub name: String,
    pub role: Role,
    pub expires_at: Option<DateTime<Utc>>,
}

impl NewApiToken {
    /// Checks the request of a creator with role `creator` at time `now`: a token's role is at
    /// most its creator's, and its expiry is in the future.
    pub fn parse(
        req: CreateApiTokenRequest,
        creator: Role,
        now: DateTime<Utc>,
    ) -> Result<Self, FieldErrors> {
        let mut errs = Errors::default();
        let name = errs.take(v::required_text("name", &req.name, 120));
        let role = match req.role.as_deref() {
            None => Some(Role::Viewer),
            Some(r) => errs.take(Role::from_field("role", r)),
        };
        if role.is_some_and(|r| r > creator) {
            errs.add(
                "role",
                "above_own_role",
                "a token cannot have a higher role than its creator",
            );
        }
        if req.expires_at.is_some_and(|e| e <= now) {
            errs.add("expires_at", "in_the_past", "must be in the future");
        }
        match (name, role) {
            (Some(name), Some(role)) if errs.0.is_empty() => Ok(Self {
                name,
                role,
                expires_at: req.expires_at,
            }),
            _ => Err(errs.0),
        }
    }
}

/// A valid change to the tenant's settings; absent fields stay as they are.
#[derive(Debug, Default, PartialEq)]
pub struct TenantPatch {
    pub name: Option<String>,
    /// Upper-cased, 1 to 10 letters or digits.
    pub asset_tag_prefix: Option<String>,
    pub mdm_creates_assets: Option<bool>,
}

impl TenantPatch {
    pub fn parse(req: UpdateTenantRequest) -> Result<Self, FieldErrors> {
        let mut errs = Errors::default();
        let name = req
            .name
            .as_deref()
            .and_then(|n| errs.take(v::required_text("name", n, 120)));
        let prefix = req
            .asset_tag_prefix
            .as_deref()
            .map(str::trim)
            .map(str::to_uppercase);
        if let Some(p) = &prefix
            && (p.is_empty() || p.len() > 10 || !p.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            errs.add(
                "asset_tag_prefix",
                "invalid_format",
                "must be 1 to 10 letters or digits",
            );
        }
        if errs.0.is_empty() {
            Ok(Self {
                name,
                asset_tag_prefix: prefix,
                mdm_creates_assets: req.mdm_creates_assets,
            })
        } else {
            Err(errs.0)
        }
    }
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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fields(e: &FieldErrors) -> Vec<(&str, &str)> {
        e.iter()
            .map(|f| (f.field.as_str(), f.code.as_str()))
            .collect()
    }

    #[test]
    fn a_signup_names_every_wrong_field_at_once() {
        let e = NewSignup::parse(SignupRequest {
            organization_name: " ".into(),
            name: "".into(),
            email: "nope".into(),
            password: "short".into(),
        })
        .unwrap_err();
        assert_eq!(
            fields(&e),
            vec![
                ("organization_name", "required"),
                ("name", "required"),
                ("email", "invalid_format"),
                ("password", "too_short"),
            ]
        );
        let ok = NewSignup::parse(SignupRequest {
            organization_name: " Acme ".into(),
            name: "Ada".into(),
            email: "Ada@Example.com".into(),
            password: "correct horse".into(),
        })
        .unwrap();
        assert_eq!(ok.organization_name, "Acme");
        assert_eq!(ok.email, "ada@example.com");
    }

    #[test]
    fn a_new_user_needs_a_known_role() {
        let e = NewUser::parse(CreateUserRequest {
            email: "a@b.co".into(),
            name: "A".into(),
            role: "king".into(),
            password: "x".into(),
        })
        .unwrap_err();
        assert_eq!(
            fields(&e),
            vec![("role", "invalid_choice"), ("password", "too_short")]
        );
    }

    #[test]
    fn a_user_patch_checks_status_and_role() {
        let e = UserPatch::parse(UpdateUserRequest {
            name: Some(" ".into()),
            role: Some("king".into()),
            status: Some("asleep".into()),
        })
        .unwrap_err();
        assert_eq!(
            fields(&e),
            vec![
                ("name", "required"),
                ("role", "invalid_choice"),
                ("status", "invalid_choice"),
            ]
        );
        let p = UserPatch::parse(UpdateUserRequest {
            name: None,
            role: Some("admin".into()),
            status: Some("disabled".into()),
        })
        .unwrap();
        assert_eq!(p.role, Some(Role::Admin));
        assert_eq!(p.status, Some(UserStatus::Disabled));
    }

    #[test]
    fn a_token_is_at_most_its_creators_role_and_expires_later() {
        let now = Utc::now();
        let e = NewApiToken::parse(
            CreateApiTokenRequest {
                name: "ci".into(),
                role: Some("owner".into()),
                expires_at: Some(now),
            },
            Role::Admin,
            now,
        )
        .unwrap_err();
        assert_eq!(
            fields(&e),
            vec![("role", "above_own_role"), ("expires_at", "in_the_past")]
        );
        let t = NewApiToken::parse(
            CreateApiTokenRequest {
                name: "ci".into(),
                role: None,
                expires_at: None,
            },
            Role::Admin,
            now,
        )
        .unwrap();
        assert_eq!(t.role, Role::Viewer);
    }

    #[test]
    fn a_tag_prefix_is_upper_cased_and_bounded() {
        let p = TenantPatch::parse(UpdateTenantRequest {
            name: None,
            asset_tag_prefix: Some(" it ".into()),
            mdm_creates_assets: Some(false),
        })
        .unwrap();
        assert_eq!(p.asset_tag_prefix.as_deref(), Some("IT"));
        let e = TenantPatch::parse(UpdateTenantRequest {
            name: None,
            asset_tag_prefix: Some("A-B".into()),
            mdm_creates_assets: None,
        })
        .unwrap_err();
        assert_eq!(fields(&e), vec![("asset_tag_prefix", "invalid_format")]);
    }

    #[test]
    fn slugs_are_lowercase_and_dashed() {
        assert_eq!(slugify("Acme Corp, Inc."), "acme-corp-inc");
        assert_eq!(slugify("  ¡¡ "), "org");
        assert_eq!(slugify("Zürich Labs"), "z-rich-labs");
    }
}
