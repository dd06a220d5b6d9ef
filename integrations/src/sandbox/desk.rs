//! What the simulated ITSM vendors share: their accounts (a Jira site, a ServiceNow instance, a
//! Freshservice account), how a request is matched to one by its HTTP Basic credentials,
//! counted, refused or misbehaved at, and the tickets each holds. A ticket's state is kept in
//! vendor-neutral form ([`TicketState`]); each vendor's simulator renders it in its own
//! dialect (a status and category, a state number, a status code).

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use super::basic_credentials;
use super::control::{Controlled, Ticketing};
use super::faults::Faults;
use super::mdm::Refusal;
pub use crate::itsm::TicketState;

/// One ticket a simulated ITSM holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeskTicket {
    /// The vendor's id, what the client reads by: a Jira issue id, a ServiceNow `sys_id`, a
    /// Freshservice ticket id.
    pub id: String,
    /// The reference people use: `IT-12`, `INC0010012`, `12` (Freshservice numbers them).
    pub key: String,
    pub summary: String,
    pub description: String,
    /// Who the ticket is for, as the vendor was told (an email; a ServiceNow user's `sys_id`).
    pub requester: Option<String>,
    pub state: TicketState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Vendor fields kept as given (a ServiceNow table, a Freshservice priority).
    pub fields: Map<String, Value>,
}

impl DeskTicket {
    /// Whether `key_or_id` names this ticket (a key in any case).
    pub fn is(&self, key_or_id: &str) -> bool {
        let wanted = key_or_id.trim();
        self.id == wanted || self.key.eq_ignore_ascii_case(wanted)
    }
}

/// One simulated ITSM account; `S` is what only its vendor has (a Jira site's service desk).
#[derive(Debug)]
pub(crate) struct Account<S> {
    /// The HTTP Basic user: an email (Jira), a user name (ServiceNow), the API key
    /// (Freshservice).
    pub user: String,
    /// The HTTP Basic password: an API token (Jira), a password (ServiceNow); empty when any
    /// password goes (Freshservice).
    pub secret: String,
    /// The most records a page holds, whatever the client asks.
    pub page_size: u64,
    pub tickets: Vec<DeskTicket>,
    pub faults: Faults,
    /// Vendor requests received.
    pub requests: u64,
    pub vendor: S,
}

impl<S> Account<S> {
    pub(crate) fn new(user: &str, secret: &str, page_size: u64, vendor: S) -> Self {
        Account {
            user: user.to_owned(),
            secret: secret.to_owned(),
            page_size: page_size.max(1),
            tickets: Vec::new(),
            faults: Faults::default(),
            requests: 0,
            vendor,
        }
    }

    /// The ticket `key_or_id` names.
    pub(crate) fn ticket(&self, key_or_id: &str) -> Option<&DeskTicket> {
        self.tickets.iter().find(|t| t.is(key_or_id))
    }

    /// Whether a request's HTTP Basic user is the account's (an email in any case).
    fn owns(&self, user: &str) -> bool {
        !user.is_empty()
            && (self.user == user
                || (self.user.contains('@') && self.user.eq_ignore_ascii_case(user)))
    }
}

#[derive(Debug)]
struct Registry<S> {
    accounts: HashMap<String, Account<S>>,
    /// Requests no account could be found for (no credentials, or an unknown user).
    unattributed: u64,
}

impl<S> Default for Registry<S> {
    fn default() -> Self {
        Registry {
            accounts: HashMap::new(),
            unattributed: 0,
        }
    }
}

/// Names a simulated ITSM vendor and what its accounts carry besides the shared state.
pub trait DeskVendor: 'static {
    /// What only this vendor's accounts have.
    type Settings: std::fmt::Debug + Send + 'static;
    /// The vendor's name in logs.
    const NAME: &'static str;
}

/// One simulated ITSM vendor's accounts, as Rust tests read and change them; `V` names the
/// vendor ([`super::jira::Jira`], [`super::servicenow::ServiceNow`],
/// [`super::freshservice::Freshservice`]), whose module adds what only it has (creating an
/// account from its seed). Accounts are keyed as the vendor's control paths name them (a Jira
/// site, a ServiceNow instance, a Freshservice domain). Cheap to clone (shared state).
pub struct DeskSandbox<V: DeskVendor> {
    registry: Arc<Mutex<Registry<V::Settings>>>,
    vendor: PhantomData<fn() -> V>,
}

impl<V: DeskVendor> Clone for DeskSandbox<V> {
    fn clone(&self) -> Self {
        DeskSandbox {
            registry: Arc::clone(&self.registry),
            vendor: PhantomData,
        }
    }
}

impl<V: DeskVendor> std::fmt::Debug for DeskSandbox<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskSandbox")
            .field("vendor", &V::NAME)
            .finish_non_exhaustive()
    }
}

impl<V: DeskVendor> Default for DeskSandbox<V> {
    fn default() -> Self {
        DeskSandbox {
            registry: Arc::default(),
            vendor: PhantomData,
        }
    }
}

impl<V: DeskVendor> DeskSandbox<V> {
    fn lock(&self) -> MutexGuard<'_, Registry<V::Settings>> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates or replaces the account `key`.
    pub(crate) fn put(&self, key: &str, account: Account<V::Settings>) {
        self.lock().accounts.insert(key.to_owned(), account);
    }

    /// Runs `f` on the account `key`; `None` when there is no such account.
    pub(crate) fn with<T>(
        &self,
        key: &str,
        f: impl FnOnce(&mut Account<V::Settings>) -> T,
    ) -> Option<T> {
        self.lock().accounts.get_mut(key).map(f)
    }

    /// Admits a vendor request: finds its account by the HTTP Basic user, counts it, refuses
    /// it without the account's password (unless any goes), applies pending faults, then runs
    /// `answer` on the account.
    pub(crate) fn admit<R>(
        &self,
        request: &HttpRequest,
        answer: impl FnOnce(&str, &mut Account<V::Settings>) -> R,
    ) -> Result<R, Refusal> {
        let mut registry = self.lock();
        let credentials = basic_credentials(request);
        let key = credentials.as_ref().and_then(|(user, _)| {
            registry
                .accounts
                .iter()
                .find(|(_, account)| account.owns(user))
                .map(|(key, _)| key.clone())
        });
        let (Some(key), Some((_, password))) = (key, credentials) else {
            registry.unattributed += 1;
            return Err(Refusal::Unauthorized);
        };
        let Some(account) = registry.accounts.get_mut(&key) else {
            return Err(Refusal::Unauthorized);
        };
        account.requests += 1;
        if !account.secret.is_empty() && account.secret != password {
            return Err(Refusal::Unauthorized);
        }
        if let Some(misbehaviour) = account.faults.take_misbehaviour() {
            return Err(Refusal::Misbehaved(misbehaviour));
        }
        Ok(answer(&key, account))
    }

    /// Stalls when a "slow" fault is pending for the account the request's user names,
    /// outside the lock.
    pub(crate) async fn stall(&self, request: &HttpRequest) {
        let delay = basic_credentials(request).and_then(|(user, _)| {
            self.lock()
                .accounts
                .values_mut()
                .find(|account| account.owns(&user))
                .and_then(|account| account.faults.take_delay())
        });
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
    }

    /// Vendor requests the account received.
    pub fn requests(&self, key: &str) -> u64 {
        self.with(key, |a| a.requests).unwrap_or(0)
    }

    /// Requests no account could be found for (no credentials, or an unknown user or key).
    pub fn unattributed_requests(&self) -> u64 {
        self.lock().unattributed
    }

    /// Replaces the account's faults. False when there is no such account.
    pub fn set_faults(&self, key: &str, faults: Faults) -> bool {
        self.with(key, |a| a.faults = faults).is_some()
    }

    /// Every ticket of the account, oldest first.
    pub fn tickets(&self, key: &str) -> Vec<DeskTicket> {
        self.with(key, |a| a.tickets.clone()).unwrap_or_default()
    }

    /// The account's ticket `key_or_id` (its id, or its key in any case).
    pub fn ticket(&self, key: &str, key_or_id: &str) -> Option<DeskTicket> {
        self.with(key, |a| a.ticket(key_or_id).cloned()).flatten()
    }

    /// Moves the account's ticket `key_or_id` to `state`, as an agent would (resolving it,
    /// say); answers the ticket as it now is, `None` when there is no such account or ticket.
    pub fn set_state(&self, key: &str, key_or_id: &str, state: TicketState) -> Option<DeskTicket> {
        self.with(key, |a| {
            let ticket = a.tickets.iter_mut().find(|t| t.is(key_or_id))?;
            ticket.state = state;
            ticket.updated_at = Utc::now();
            Some(ticket.clone())
        })
        .flatten()
    }

    /// Deletes the account's ticket `key_or_id`, as an admin would; false when there was none.
    pub fn delete_ticket(&self, key: &str, key_or_id: &str) -> bool {
        self.with(key, |a| {
            let before = a.tickets.len();
            a.tickets.retain(|t| !t.is(key_or_id));
            a.tickets.len() < before
        })
        .unwrap_or(false)
    }
}

impl<V: DeskVendor> Controlled for DeskSandbox<V> {
    type Company = String;

    fn with_faults<T>(&self, key: &String, edit: impl FnOnce(&mut Faults) -> T) -> Option<T> {
        self.with(key, |a| edit(&mut a.faults))
    }

    fn request_count(&self, key: &String) -> Option<u64> {
        self.with(key, |a| a.requests)
    }
}

impl<V: DeskVendor> Ticketing for DeskSandbox<V> {
    fn tickets_of(&self, key: &String) -> Option<Vec<DeskTicket>> {
        self.with(key, |a| a.tickets.clone())
    }

    fn set_state_of(
        &self,
        key: &String,
        key_or_id: &str,
        state: TicketState,
    ) -> Option<Option<DeskTicket>> {
        self.with(key, |_| ())?;
        Some(self.set_state(key, key_or_id, state))
    }

    fn delete_ticket_of(&self, key: &String, key_or_id: &str) -> Option<bool> {
        self.with(key, |_| ())?;
        Some(self.delete_ticket(key, key_or_id))
    }
}

/// The scheme and host the request came to, e.g. `http://127.0.0.1:7070`: where the
/// simulator's own links point.
pub(crate) fn origin(request: &HttpRequest) -> String {
    let info = request.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// A 32-hex-digit id, stable per `salt` and `n` (ServiceNow `sys_id`s).
pub(crate) fn hex_id(salt: &str, n: u64) -> String {
    use super::workforce::fingerprint;
    format!(
        "{:08x}{:08x}{:08x}{:08x}",
        fingerprint(salt),
        fingerprint(&format!("{salt}/{n}")),
        fingerprint(&format!("{n}/{salt}")),
        u32::try_from(n % (1 << 32)).unwrap_or(0)
    )
}

/// When seeded ticket `n` was created: an hour apart from 2025-06-01 (older than any 30-day
/// window).
pub(crate) fn seeded_at(n: u64) -> DateTime<Utc> {
    use chrono::TimeZone;
    let start = Utc
        .with_ymd_and_hms(2025, 6, 1, 9, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    start + chrono::Duration::hours(i64::try_from(n).unwrap_or(0))
}

/// The state of seeded ticket `n`: every fourth resolved, every seventh in progress, the rest
/// open.
pub(crate) fn seeded_state(n: u64) -> TicketState {
    if n.is_multiple_of(4) {
        TicketState::Resolved
    } else if n.is_multiple_of(7) {
        TicketState::InProgress
    } else {
        TicketState::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_ids_are_stable_and_distinct() {
        let a = hex_id("servicenow/acme/incident", 1);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(a, hex_id("servicenow/acme/incident", 1));
        assert_ne!(a, hex_id("servicenow/acme/incident", 2));
        assert_ne!(a, hex_id("servicenow/globex/incident", 1));
    }

    #[test]
    fn seeded_tickets_are_old_and_mostly_open() {
        assert!(seeded_at(1) < Utc::now() - chrono::Duration::days(30));
        assert_eq!(seeded_state(4), TicketState::Resolved);
        assert_eq!(seeded_state(7), TicketState::InProgress);
        assert_eq!(seeded_state(1), TicketState::Open);
    }
}
