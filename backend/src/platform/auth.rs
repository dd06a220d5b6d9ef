//! Who is asking, and what they may do.
//!
//! [`Principal`] is the authenticated caller (user, API token or the system) with its tenant,
//! role and request origin. [`allowed`] is the one authorization table every use-case consults;
//! [`Authorized<P>`] puts the required permission into a handler's signature.

use std::marker::PhantomData;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use futures::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, ApiResult, FieldError};
use super::ids::{ApiTokenId, TenantId, UserId};
use super::state::AppState;

/// Roles, most to least privileged.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    ToSchema,
    async_graphql::Enum,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Member,
    Manager,
    Admin,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "owner" => Role::Owner,
            "admin" => Role::Admin,
            "manager" => Role::Manager,
            "member" => Role::Member,
            "viewer" => Role::Viewer,
            _ => return None,
        })
    }
    /// Parses a role from request input, as a field error when unknown.
    pub fn from_field(field: &str, s: &str) -> Result<Self, FieldError> {
        Self::parse(s).ok_or_else(|| {
            FieldError::new(
                field,
                "invalid_choice",
                "must be one of owner, admin, manager, member, viewer",
            )
        })
    }
}

/// Everything a caller can be allowed to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    AssetsRead,
    AssetsWrite,
    AssetsAssign,
    PeopleRead,
    PeopleWrite,
    CatalogWrite,
    AuditRead,
    UsersRead,
    UsersManage,
    ApiTokensManage,
    TenantManage,
    WorkflowsRead,
    WorkflowsApprove,
    WorkflowsManage,
    IntegrationsRead,
    IntegrationsManage,
}

/// The authorization table: the only place that says which role may do what.
pub fn allowed(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        // Members read only the assets they hold (see `Principal::holds_only`).
        AssetsRead => true,
        PeopleRead | WorkflowsRead => role != Member,
        AssetsAssign | WorkflowsApprove => role >= Manager,
        AssetsWrite | PeopleWrite | CatalogWrite | AuditRead | UsersRead | ApiTokensManage
        | IntegrationsRead | IntegrationsManage | WorkflowsManage => role >= Admin,
        UsersManage | TenantManage => role == Owner,
    }
}

/// Who performed an action, as the audit log records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    User {
        id: UserId,
        name: String,
        email: String,
    },
    ApiToken {
        id: ApiTokenId,
        name: String,
    },
    System {
        name: String,
    },
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::User { .. } => "user",
            Actor::ApiToken { .. } => "api_token",
            Actor::System { .. } => "system",
        }
    }
    pub fn id(&self) -> Option<Uuid> {
        match self {
            Actor::User { id, .. } => Some(id.uuid()),
            Actor::ApiToken { id, .. } => Some(id.uuid()),
            Actor::System { .. } => None,
        }
    }
    pub fn name(&self) -> &str {
        match self {
            Actor::User { name, .. } | Actor::ApiToken { name, .. } | Actor::System { name } => {
                name
            }
        }
    }
}

/// Where a request came from, for the audit log.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

/// The authenticated caller of a use-case. Every service function takes one, and scopes every
/// query by its `tenant_id`.
#[derive(Clone, Debug)]
pub struct Principal {
    pub tenant_id: TenantId,
    pub actor: Actor,
    pub role: Role,
    pub meta: RequestMeta,
}

impl Principal {
    /// A principal for work the platform does on a tenant's behalf (seeding, sync jobs).
    pub fn system(tenant_id: TenantId, name: &str) -> Self {
        Self {
            tenant_id,
            actor: Actor::System { name: name.into() },
            role: Role::Owner,
            meta: RequestMeta::default(),
        }
    }

    pub fn can(&self, action: Action) -> bool {
        allowed(self.role, action)
    }

    pub fn require(&self, action: Action) -> ApiResult<()> {
        if self.can(action) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// For members, reads of assets are limited to what the member holds: the email of the
    /// employee record that matches the user's.
    pub fn holds_only(&self) -> Option<&str> {
        match (&self.actor, self.role) {
            (Actor::User { email, .. }, Role::Member) => Some(email),
            (_, Role::Member) => Some(""),
            _ => None,
        }
    }

    /// The key under which idempotency records of this caller are kept.
    pub fn idempotency_scope(&self) -> String {
        format!(
            "{}:{}",
            self.actor.kind(),
            self.actor.id().map(|i| i.to_string()).unwrap_or_default()
        )
    }
}

/// A permission a handler requires; implemented by the marker types below.
pub trait Permission {
    const ACTION: Action;
}

macro_rules! permissions {
    ($($name:ident),* $(,)?) => {
        $(
            #[doc = concat!("Requires [`Action::", stringify!($name), "`].")]
            pub struct $name;
            impl Permission for $name {
                const ACTION: Action = Action::$name;
            }
        )*
    };
}

permissions!(
    AssetsRead,
    AssetsWrite,
    AssetsAssign,
    PeopleRead,
    PeopleWrite,
    CatalogWrite,
    AuditRead,
    UsersRead,
    UsersManage,
    ApiTokensManage,
    TenantManage,
    IntegrationsRead,
    IntegrationsManage,
    WorkflowsRead,
    WorkflowsApprove,
    WorkflowsManage,
);

/// An authenticated caller that holds permission `P`; a handler taking it cannot run otherwise.
pub struct Authorized<P: Permission>(pub Principal, PhantomData<P>);

impl<P: Permission> Authorized<P> {
    pub fn into_inner(self) -> Principal {
        self.0
    }
}

impl<P: Permission> std::ops::Deref for Authorized<P> {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl<P: Permission + 'static> FromRequest for Authorized<P> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let principal = principal_of(&req).await?;
            principal.require(P::ACTION)?;
            Ok(Authorized(principal, PhantomData))
        })
    }
}

/// Any authenticated caller, whatever its role.
pub struct Authenticated(pub Principal);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { principal_of(&req).await.map(Authenticated) })
    }
}

/// Authenticates the request once; the result is cached in the request's extensions.
pub async fn principal_of(req: &HttpRequest) -> ApiResult<Principal> {
    if let Some(p) = req.extensions().get::<Principal>() {
        return Ok(p.clone());
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("application state missing"))?
        .clone();
    let token = bearer_token(req).ok_or_else(|| {
        ApiError::new(
            super::error::Code::Unauthenticated,
            "send Authorization: Bearer <token>",
        )
    })?;
    let mut principal = state.authenticator.authenticate(&state, &token).await?;
    principal.meta = request_meta(req, state.settings.trust_proxy);
    req.extensions_mut().insert(principal.clone());
    Ok(principal)
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let h = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = h.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_owned())
}

/// The request id (set by the request-id middleware) and the client address.
pub fn request_meta(req: &HttpRequest, trust_proxy: bool) -> RequestMeta {
    let ip = if trust_proxy {
        req.connection_info()
            .realip_remote_addr()
            .map(str::to_owned)
    } else {
        req.peer_addr().map(|a| a.ip().to_string())
    };
    RequestMeta {
        ip,
        request_id: req
            .extensions()
            .get::<super::http::RequestId>()
            .map(|r| r.0.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewers_cannot_write_anything() {
        for a in [
            Action::AssetsWrite,
            Action::AssetsAssign,
            Action::PeopleWrite,
            Action::CatalogWrite,
            Action::UsersManage,
            Action::ApiTokensManage,
        ] {
            assert!(!allowed(Role::Viewer, a), "{a:?}");
        }
        assert!(allowed(Role::Viewer, Action::AssetsRead));
    }

    #[test]
    fn only_owners_manage_users_and_tenant() {
        assert!(allowed(Role::Owner, Action::UsersManage));
        assert!(!allowed(Role::Admin, Action::UsersManage));
        assert!(!allowed(Role::Admin, Action::TenantManage));
    }

    #[test]
    fn managers_assign_but_do_not_edit_the_catalog() {
        assert!(allowed(Role::Manager, Action::AssetsAssign));
        assert!(allowed(Role::Manager, Action::WorkflowsApprove));
        assert!(!allowed(Role::Manager, Action::AssetsWrite));
    }
}
