//! What the simulated device-management vendors share: their accounts (a Jamf Pro instance, an
//! Entra tenant, a Kandji tenant), how a request is matched to one by its credentials, counted,
//! refused or misbehaved at, and the remote wipes each received. Each vendor's simulator renders
//! the outcomes in its own dialect.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use actix_web::HttpRequest;
use chrono::Utc;

use super::control::{Controlled, Wiping};
use super::faults::{Faults, Misbehaviour};
use super::fleet::Wipe;
use super::tokens::{IssuedTokens, TokenRequest, TokenState};

/// One simulated MDM account.
#[derive(Debug)]
pub(crate) struct Tenant {
    /// The OAuth client id (Jamf, Intune); empty for Kandji.
    pub client_id: String,
    /// The client secret (Jamf, Intune) or the API token (Kandji).
    pub secret: String,
    /// Devices `1..=devices` exist.
    pub devices: u64,
    /// The email domain of device holders.
    pub user_domain: String,
    /// Devices per page when the client does not say (Graph decides page sizes itself).
    pub page_size: u64,
    pub tokens: IssuedTokens,
    pub faults: Faults,
    /// Vendor requests, token requests included.
    pub requests: u64,
    pub token_requests: u64,
    pub wipes: Vec<Wipe>,
}

impl Tenant {
    /// A fresh account; `token_lifetime` is how long issued access tokens live.
    pub(crate) fn new(
        client_id: &str,
        secret: &str,
        devices: u64,
        user_domain: &str,
        page_size: u64,
        token_lifetime: Duration,
    ) -> Self {
        Tenant {
            client_id: client_id.to_owned(),
            secret: secret.to_owned(),
            devices,
            user_domain: user_domain.to_owned(),
            page_size: page_size.max(1),
            tokens: IssuedTokens::new(token_lifetime),
            faults: Faults::default(),
            requests: 0,
            token_requests: 0,
            wipes: Vec::new(),
        }
    }

    /// Whether device `n` exists.
    pub(crate) fn has(&self, n: u64) -> bool {
        n >= 1 && n <= self.devices
    }

    /// Records a wipe of `device_id`.
    pub(crate) fn record_wipe(&mut self, device_id: &str, pin: Option<String>) {
        self.wipes.push(Wipe {
            device_id: device_id.to_owned(),
            pin,
            at: Utc::now(),
        });
    }
}

/// How a vendor's API requests prove who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// A bearer token issued by the vendor's token endpoint (Jamf, Intune).
    IssuedToken,
    /// A bearer token that is the tenant's API token itself (Kandji).
    ApiToken,
}

/// Why an API request gets no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No bearer token, or one no tenant knows, or one that ran out.
    Unauthorized,
    /// An injected fault.
    Misbehaved(Misbehaviour),
}

/// The outcome of a client-credentials token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenOutcome {
    Issued {
        token: String,
        expires_in: u64,
    },
    Misbehaved(Misbehaviour),
    /// The tenant named in the token URL does not exist (Intune).
    UnknownTenant,
    UnknownClient,
    WrongSecret,
    /// A grant type other than `client_credentials`.
    WrongGrant,
    /// A scope other than the one the vendor expects (Intune).
    WrongScope,
}

#[derive(Debug, Default)]
struct Registry {
    tenants: HashMap<String, Tenant>,
    /// Requests no tenant could be found for (an unknown client id or token).
    unattributed: u64,
}

/// The simulated accounts of one MDM vendor, keyed as control paths name them; cheap to clone
/// (shared state).
#[derive(Debug, Clone)]
pub(crate) struct Tenants {
    registry: Arc<Mutex<Registry>>,
    /// How the vendor's API requests authenticate.
    auth: Auth,
    /// Prefixes issued tokens, so that two vendors never issue the same one.
    vendor: &'static str,
}

/// The bearer token of a request, when it has one.
pub(crate) fn bearer(request: &HttpRequest) -> Option<String> {
    let value = request
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

impl Tenants {
    pub(crate) fn new(vendor: &'static str, auth: Auth) -> Self {
        Tenants {
            registry: Arc::default(),
            auth,
            vendor,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates or replaces the account `key`.
    pub(crate) fn put(&self, key: &str, tenant: Tenant) {
        self.lock().tenants.insert(key.to_owned(), tenant);
    }

    /// Runs `f` on the account `key`; `None` when there is no such account.
    pub(crate) fn with<T>(&self, key: &str, f: impl FnOnce(&mut Tenant) -> T) -> Option<T> {
        self.lock().tenants.get_mut(key).map(f)
    }

    /// Makes the credentials the account's client holds stop working: issued access tokens
    /// run out (a client fetches a new one), an API token is revoked (nothing renews it).
    /// False when there is no such account.
    pub(crate) fn expire_tokens(&self, key: &str) -> bool {
        let revoke = self.auth == Auth::ApiToken;
        self.with(key, |tenant| {
            tenant.tokens.expire_all();
            if revoke {
                tenant.secret.clear();
            }
        })
        .is_some()
    }

    /// Requests no account could be found for.
    pub(crate) fn unattributed(&self) -> u64 {
        self.lock().unattributed
    }

    /// The account key whose credential `bearer` is, and what the token is worth.
    fn owner(&self, registry: &Registry, bearer: &str) -> Option<(String, TokenState)> {
        registry.tenants.iter().find_map(|(key, tenant)| {
            let state = match self.auth {
                Auth::ApiToken if !bearer.is_empty() && tenant.secret == bearer => {
                    TokenState::Valid
                }
                Auth::ApiToken => TokenState::Unknown,
                Auth::IssuedToken => tenant.tokens.state(bearer),
            };
            (state != TokenState::Unknown).then(|| (key.clone(), state))
        })
    }

    /// Admits an API request: finds its account by the bearer token, counts it, refuses it
    /// without valid credentials, applies pending faults, then runs `answer` on the account.
    pub(crate) fn admit<R>(
        &self,
        request: &HttpRequest,
        answer: impl FnOnce(&str, &mut Tenant) -> R,
    ) -> Result<R, Refusal> {
        let mut registry = self.lock();
        let owner = bearer(request).and_then(|token| self.owner(&registry, &token));
        let Some((key, state)) = owner else {
            registry.unattributed += 1;
            return Err(Refusal::Unauthorized);
        };
        let Some(tenant) = registry.tenants.get_mut(&key) else {
            return Err(Refusal::Unauthorized);
        };
        tenant.requests += 1;
        if state != TokenState::Valid {
            return Err(Refusal::Unauthorized);
        }
        if let Some(misbehaviour) = tenant.faults.take_misbehaviour() {
            return Err(Refusal::Misbehaved(misbehaviour));
        }
        Ok(answer(&key, tenant))
    }

    /// Answers a client-credentials token request. `tenant_key` names the account when the
    /// token URL does (Intune's tenant id); otherwise the client id finds it. `scope` is the
    /// scope the vendor insists on, if any.
    pub(crate) fn issue(
        &self,
        tenant_key: Option<&str>,
        form: &TokenRequest,
        scope: Option<&str>,
    ) -> TokenOutcome {
        let mut registry = self.lock();
        let client_id = form.client_id.as_deref().unwrap_or_default();
        let key = match tenant_key {
            Some(key) if registry.tenants.contains_key(key) => key.to_owned(),
            Some(_) => {
                registry.unattributed += 1;
                return TokenOutcome::UnknownTenant;
            }
            None => match registry
                .tenants
                .iter()
                .find(|(_, t)| !client_id.is_empty() && t.client_id == client_id)
            {
                Some((key, _)) => key.clone(),
                None => {
                    registry.unattributed += 1;
                    return TokenOutcome::UnknownClient;
                }
            },
        };
        let Some(tenant) = registry.tenants.get_mut(&key) else {
            return TokenOutcome::UnknownTenant;
        };
        tenant.requests += 1;
        tenant.token_requests += 1;
        if let Some(misbehaviour) = tenant.faults.take_misbehaviour() {
            return TokenOutcome::Misbehaved(misbehaviour);
        }
        if form.grant_type.as_deref() != Some("client_credentials") {
            return TokenOutcome::WrongGrant;
        }
        if tenant.client_id != client_id {
            return TokenOutcome::UnknownClient;
        }
        if form.client_secret.as_deref() != Some(tenant.secret.as_str()) {
            return TokenOutcome::WrongSecret;
        }
        if scope.is_some_and(|scope| form.scope.as_deref() != Some(scope)) {
            return TokenOutcome::WrongScope;
        }
        let (token, expires_in) = tenant.tokens.issue(&format!("{}/{key}", self.vendor));
        TokenOutcome::Issued { token, expires_in }
    }

    /// Stalls when a "slow" fault is pending for the account the request's credentials name
    /// (its bearer token, or the client id of a token request), outside the lock.
    pub(crate) async fn stall(&self, request: &HttpRequest, client_id: Option<&str>) {
        let delay = {
            let mut registry = self.lock();
            let key = match client_id {
                Some(id) => registry
                    .tenants
                    .iter()
                    .find(|(_, t)| t.client_id == id)
                    .map(|(key, _)| key.clone()),
                None => bearer(request)
                    .and_then(|token| self.owner(&registry, &token))
                    .map(|(key, _)| key),
            };
            key.and_then(|key| registry.tenants.get_mut(&key)?.faults.take_delay())
        };
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
    }
}

/// One simulated MDM vendor's accounts, as Rust tests read and change them; `V` names the
/// vendor ([`super::jamf::JamfPro`], [`super::intune::Intune`], [`super::kandji::Kandji`]), whose
/// module adds what only it has (creating an account from its seed). Accounts are keyed as the
/// vendor's control paths name them (a Jamf instance, an Entra tenant, a Kandji subdomain).
/// Cheap to clone (shared state).
pub struct FleetSandbox<V> {
    tenants: Tenants,
    vendor: PhantomData<fn() -> V>,
}

impl<V> Clone for FleetSandbox<V> {
    fn clone(&self) -> Self {
        FleetSandbox {
            tenants: self.tenants.clone(),
            vendor: PhantomData,
        }
    }
}

impl<V> std::fmt::Debug for FleetSandbox<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FleetSandbox")
            .field("vendor", &self.tenants.vendor)
            .finish_non_exhaustive()
    }
}

impl<V> FleetSandbox<V> {
    pub(crate) fn with_tenants(tenants: Tenants) -> Self {
        FleetSandbox {
            tenants,
            vendor: PhantomData,
        }
    }

    pub(crate) fn tenants(&self) -> &Tenants {
        &self.tenants
    }

    /// Vendor requests the account received, token requests included.
    pub fn requests(&self, key: &str) -> u64 {
        self.tenants.with(key, |t| t.requests).unwrap_or(0)
    }

    /// Token requests the account received (none for a vendor without a token endpoint).
    pub fn token_requests(&self, key: &str) -> u64 {
        self.tenants.with(key, |t| t.token_requests).unwrap_or(0)
    }

    /// Requests no account could be found for (an unknown tenant, client or token).
    pub fn unattributed_requests(&self) -> u64 {
        self.tenants.unattributed()
    }

    /// Replaces the account's faults. False when there is no such account.
    pub fn set_faults(&self, key: &str, faults: Faults) -> bool {
        self.tenants.with(key, |t| t.faults = faults).is_some()
    }

    /// The remote wipes the account received, oldest first.
    pub fn wipes(&self, key: &str) -> Vec<Wipe> {
        self.tenants
            .with(key, |t| t.wipes.clone())
            .unwrap_or_default()
    }

    /// Makes the credentials the account's client holds stop working: issued access tokens
    /// run out (the client fetches new ones), an API token is revoked (nothing renews it).
    /// False when there is no such account.
    pub fn expire_tokens(&self, key: &str) -> bool {
        self.tenants.expire_tokens(key)
    }
}

impl<V: 'static> Controlled for FleetSandbox<V> {
    type Company = String;

    fn with_faults<T>(&self, key: &String, edit: impl FnOnce(&mut Faults) -> T) -> Option<T> {
        self.tenants.with(key, |t| edit(&mut t.faults))
    }

    fn request_count(&self, key: &String) -> Option<u64> {
        self.tenants.with(key, |t| t.requests)
    }
}

impl<V: 'static> Wiping for FleetSandbox<V> {
    fn wipes_of(&self, key: &String) -> Option<Vec<Wipe>> {
        self.tenants.with(key, |t| t.wipes.clone())
    }

    fn expire_tokens_of(&self, key: &String) -> bool {
        self.tenants.expire_tokens(key)
    }
}
