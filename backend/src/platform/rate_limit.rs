//! API rate limits per tenant and per caller (user or API token): one noisy integration cannot
//! starve a tenant, one tenant cannot starve the rest. Over the limit: 429 with `Retry-After`.
//! Limits are per node; behind a load balancer each node enforces its share.

use std::num::NonZeroU32;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

use super::auth::principal_of;
use super::error::{ApiError, ApiResult};
use crate::platform::state::AppState;

pub struct ApiRateLimits {
    per_tenant: DefaultKeyedRateLimiter<Uuid>,
    per_caller: DefaultKeyedRateLimiter<String>,
}

fn quota(per_second: u32) -> Quota {
    let n = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
    // A burst of two seconds' worth, so page loads that fan out are not punished.
    Quota::per_second(n)
        .allow_burst(n.saturating_mul(NonZeroU32::new(2).unwrap_or(NonZeroU32::MIN)))
}

impl ApiRateLimits {
    pub fn new(tenant_per_second: u32, caller_per_second: u32) -> Self {
        Self {
            per_tenant: RateLimiter::keyed(quota(tenant_per_second)),
            per_caller: RateLimiter::keyed(quota(caller_per_second)),
        }
    }

    fn check(&self, tenant: Uuid, caller: String) -> Result<(), ApiError> {
        // The limiter's own clock: building a quanta clock runs CPUID, a VM exit per request.
        let now = self.per_tenant.clock().now();
        let wait = |nu: governor::NotUntil<_>| {
            ApiError::rate_limited(nu.wait_time_from(now).as_secs() + 1)
        };
        self.per_caller.check_key(&caller).map_err(wait)?;
        self.per_tenant.check_key(&tenant).map_err(wait)?;
        Ok(())
    }

    /// Forgets idle keys; run periodically.
    pub fn shrink(&self) {
        self.per_tenant.retain_recent();
        self.per_caller.retain_recent();
    }
}

/// Applies the limits to authenticated API requests (unauthenticated ones answer 401 anyway).
pub async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req
        .headers()
        .contains_key(actix_web::http::header::AUTHORIZATION)
        && let (Ok(who), Some(state)) = (
            principal_of(req.request()).await,
            req.app_data::<web::Data<AppState>>(),
        )
        && let Err(e) = state
            .rate_limits
            .check(who.tenant_id.uuid(), who.idempotency_scope())
    {
        return Ok(req.into_response(e.error_response()));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

/// Login attempts allowed per account and per client address.
pub struct LoginLimiter {
    per_account: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<String>,
}

impl LoginLimiter {
    pub fn new(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let ip_n = NonZeroU32::new(per_minute.max(1).saturating_mul(3)).unwrap_or(NonZeroU32::MIN);
        Self {
            per_account: RateLimiter::keyed(Quota::per_minute(n)),
            per_ip: RateLimiter::keyed(Quota::per_minute(ip_n)),
        }
    }

    pub fn check(&self, email: &str, ip: Option<&str>) -> ApiResult<()> {
        let now = self.per_account.clock().now();
        let wait = |nu: governor::NotUntil<_>| {
            ApiError::rate_limited(nu.wait_time_from(now).as_secs() + 1)
        };
        self.per_account
            .check_key(&email.to_owned())
            .map_err(wait)?;
        if let Some(ip) = ip {
            self.per_ip.check_key(&ip.to_owned()).map_err(wait)?;
        }
        Ok(())
    }

    /// Forgets idle keys so the maps stay small.
    pub fn shrink(&self) {
        self.per_account.retain_recent();
        self.per_ip.retain_recent();
    }
}

/// Shared handle type for the limiter in application state.
pub type SharedLoginLimiter = std::sync::Arc<LoginLimiter>;
