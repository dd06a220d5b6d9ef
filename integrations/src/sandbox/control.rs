//! The control endpoints every simulated vendor shares, under `/_control/{vendor}/{company}`:
//! - `POST /faults` ([`Faults`] fields; those left out keep their value) answers the faults now
//!   in force;
//! - `GET /stats`: `{"requests": n}`, the vendor requests the company received.
//!
//! Vendors with webhooks (the HR systems) add:
//! - `PUT /webhook` (the vendor's registration body), `DELETE /webhook`: start or stop its
//!   webhooks;
//! - `GET /webhook/deliveries`: the deliveries attempted, oldest first.
//!
//! Device-management vendors add:
//! - `GET /wipes`: the remote wipes received, oldest first ([`Wipe`]);
//! - `POST /tokens/expire`: the credentials the client holds stop working: access tokens
//!   issued so far run out, as if their time had come (OAuth vendors: the client fetches a new
//!   one), an API token is revoked (Kandji: nothing renews it).
//!
//! IT service management vendors add:
//! - `GET /tickets`: the tickets the account holds, oldest first ([`DeskTicket`]);
//! - `POST /tickets/{key_or_id}/state` `{"state": "resolved"}` (a [`TicketState`] in snake
//!   case): an agent moves the ticket there; answers the ticket;
//! - `DELETE /tickets/{key_or_id}`: an admin deletes the ticket.
//!
//! Finance vendors (QuickBooks Online, NetSuite) add `POST /purchases`, a purchase document
//! to file in the books; QuickBooks also `GET /refresh-token` (the one that works now) and
//! `POST /tokens/expire`.
//!
//! Unknown companies get a 404.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, Scope, web};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::desk::{DeskTicket, TicketState};
use super::faults::{Faults, FaultsPatch};
use super::fleet::Wipe;
use super::webhooks::{Pending, WebhookDelivery};

/// What the shared control endpoints need from a vendor simulator.
pub(crate) trait Controlled: Clone + Send + Sync + 'static {
    /// How the vendor's company appears in control paths (a subdomain, a company id).
    type Company: DeserializeOwned + Send + 'static;

    /// Runs `edit` on the company's faults; `None` when there is no such company.
    fn with_faults<T>(
        &self,
        company: &Self::Company,
        edit: impl FnOnce(&mut Faults) -> T,
    ) -> Option<T>;
    /// The vendor requests the company received; `None` when there is no such company.
    fn request_count(&self, company: &Self::Company) -> Option<u64>;
}

/// What the webhook control endpoints need from a vendor simulator that sends webhooks.
pub(crate) trait Hooked: Controlled {
    /// The body of `PUT /webhook`.
    type Webhook: DeserializeOwned + Send + 'static;

    /// Starts (`Some`) or stops (`None`) the company's webhooks; false when there is no such
    /// company.
    fn register_webhook(&self, company: &Self::Company, webhook: Option<Self::Webhook>) -> bool;
    /// The webhook deliveries attempted for the company, oldest first.
    fn webhook_deliveries(&self, company: &Self::Company) -> Vec<WebhookDelivery>;
}

/// What the device-management control endpoints need from an MDM simulator.
pub(crate) trait Wiping: Controlled {
    /// The remote wipes the company received, oldest first; `None` when there is no such
    /// company.
    fn wipes_of(&self, company: &Self::Company) -> Option<Vec<Wipe>>;
    /// Makes the credentials the company's client holds stop working; false when there is no
    /// such company.
    fn expire_tokens_of(&self, company: &Self::Company) -> bool;
}

/// What the ticket control endpoints need from an ITSM simulator.
pub(crate) trait Ticketing: Controlled {
    /// The account's tickets, oldest first; `None` when there is no such account.
    fn tickets_of(&self, company: &Self::Company) -> Option<Vec<DeskTicket>>;
    /// Moves a ticket to `state`: `None` when there is no such account, `Some(None)` when it
    /// has no such ticket.
    fn set_state_of(
        &self,
        company: &Self::Company,
        key_or_id: &str,
        state: TicketState,
    ) -> Option<Option<DeskTicket>>;
    /// Deletes a ticket: `None` when there is no such account, `Some(false)` when it has no
    /// such ticket.
    fn delete_ticket_of(&self, company: &Self::Company, key_or_id: &str) -> Option<bool>;
}

/// Adds the shared control endpoints to a vendor's `/_control/{vendor}/{company}` scope.
pub(crate) fn routes<S: Controlled>(scope: Scope) -> Scope {
    scope
        .route("/faults", web::post().to(faults::<S>))
        .route("/stats", web::get().to(stats::<S>))
}

/// Adds the webhook control endpoints to a vendor's `/_control/{vendor}/{company}` scope.
pub(crate) fn webhook_routes<S: Hooked>(scope: Scope) -> Scope {
    scope
        .route("/webhook", web::put().to(put_webhook::<S>))
        .route("/webhook", web::delete().to(delete_webhook::<S>))
        .route("/webhook/deliveries", web::get().to(deliveries::<S>))
}

/// Adds the device-management control endpoints to a vendor's `/_control/{vendor}/{company}`
/// scope.
pub(crate) fn fleet_routes<S: Wiping>(scope: Scope) -> Scope {
    scope
        .route("/wipes", web::get().to(wipes::<S>))
        .route("/tokens/expire", web::post().to(expire_tokens::<S>))
}

/// Adds the ticket control endpoints to an ITSM vendor's `/_control/{vendor}/{company}`
/// scope.
pub(crate) fn desk_routes<S: Ticketing>(scope: Scope) -> Scope {
    scope
        .route("/tickets", web::get().to(desk_tickets::<S>))
        .route("/tickets/{ticket}/state", web::post().to(set_state::<S>))
        .route("/tickets/{ticket}", web::delete().to(delete_ticket::<S>))
}

/// The control API's 404.
pub(crate) fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(json!({"error": "no such company or employee"}))
}

/// Answers a control change once its webhooks were attempted: `status` with the changed record,
/// 204 when the change left none (a deletion), 404 when there was nothing to change.
pub(crate) async fn respond<T: Serialize>(
    change: Option<(Option<T>, Pending)>,
    status: StatusCode,
) -> HttpResponse {
    let Some((record, pending)) = change else {
        return not_found();
    };
    pending.settled().await;
    match record {
        Some(record) => HttpResponse::build(status).json(record),
        None => HttpResponse::NoContent().finish(),
    }
}

fn done(found: bool) -> HttpResponse {
    if found {
        HttpResponse::NoContent().finish()
    } else {
        not_found()
    }
}

async fn faults<S: Controlled>(
    sandbox: web::Data<S>,
    company: web::Path<S::Company>,
    patch: web::Json<FaultsPatch>,
) -> HttpResponse {
    let patch = patch.into_inner();
    let now = sandbox.with_faults(&company, |faults| {
        patch.apply(faults);
        faults.clone()
    });
    match now {
        Some(faults) => HttpResponse::Ok().json(faults),
        None => not_found(),
    }
}

async fn stats<S: Controlled>(
    sandbox: web::Data<S>,
    company: web::Path<S::Company>,
) -> HttpResponse {
    match sandbox.request_count(&company) {
        Some(requests) => HttpResponse::Ok().json(json!({ "requests": requests })),
        None => not_found(),
    }
}

async fn put_webhook<S: Hooked>(
    sandbox: web::Data<S>,
    company: web::Path<S::Company>,
    webhook: web::Json<S::Webhook>,
) -> HttpResponse {
    done(sandbox.register_webhook(&company, Some(webhook.into_inner())))
}

async fn delete_webhook<S: Hooked>(
    sandbox: web::Data<S>,
    company: web::Path<S::Company>,
) -> HttpResponse {
    done(sandbox.register_webhook(&company, None))
}

async fn deliveries<S: Hooked>(
    sandbox: web::Data<S>,
    company: web::Path<S::Company>,
) -> HttpResponse {
    HttpResponse::Ok().json(sandbox.webhook_deliveries(&company))
}

async fn wipes<S: Wiping>(sandbox: web::Data<S>, company: web::Path<S::Company>) -> HttpResponse {
    match sandbox.wipes_of(&company) {
        Some(wipes) => HttpResponse::Ok().json(wipes),
        None => not_found(),
    }
}

async fn expire_tokens<S: Wiping>(
    sandbox: web::Data<S>,
    company: web::Path<S::Company>,
) -> HttpResponse {
    done(sandbox.expire_tokens_of(&company))
}

async fn desk_tickets<S: Ticketing>(
    sandbox: web::Data<S>,
    company: web::Path<S::Company>,
) -> HttpResponse {
    match sandbox.tickets_of(&company) {
        Some(tickets) => HttpResponse::Ok().json(tickets),
        None => not_found(),
    }
}

/// The body of `POST /tickets/{key_or_id}/state`.
#[derive(Debug, serde::Deserialize)]
struct StateChange {
    state: TicketState,
}

async fn set_state<S: Ticketing>(
    sandbox: web::Data<S>,
    path: web::Path<(S::Company, String)>,
    change: web::Json<StateChange>,
) -> HttpResponse {
    let (company, ticket) = path.into_inner();
    match sandbox.set_state_of(&company, &ticket, change.state) {
        Some(Some(ticket)) => HttpResponse::Ok().json(ticket),
        Some(None) => HttpResponse::NotFound().json(json!({"error": "no such ticket"})),
        None => not_found(),
    }
}

async fn delete_ticket<S: Ticketing>(
    sandbox: web::Data<S>,
    path: web::Path<(S::Company, String)>,
) -> HttpResponse {
    let (company, ticket) = path.into_inner();
    match sandbox.delete_ticket_of(&company, &ticket) {
        Some(true) => HttpResponse::NoContent().finish(),
        Some(false) => HttpResponse::NotFound().json(json!({"error": "no such ticket"})),
        None => not_found(),
    }
}
