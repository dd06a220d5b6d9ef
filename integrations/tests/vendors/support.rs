//! What the vendor tests share: a quick HTTP policy, the simulator's control API, and each
//! vendor behind one interface (the HR systems as [`Vendor`], the MDMs as [`Mdm`], the ITSMs as
//! [`Itsm`], the finance systems as [`Finance`]).

use std::num::NonZeroU32;
use std::time::Duration;

use assetronics_integrations::finance::{FinanceError, PurchasePull};
use assetronics_integrations::hris::{EmployeePull, HrisError};
use assetronics_integrations::http::HttpPolicy;
use assetronics_integrations::itsm::{ItsmError, NewTicket, Ticket, TicketPull, TicketState};
use assetronics_integrations::mdm::{CommandReceipt, DevicePull, MdmDevice, MdmError, WipeOptions};
use assetronics_integrations::sandbox::quickbooks::{DocumentKind, StoredPurchase};
use assetronics_integrations::sandbox::{DeskTicket, Sandbox};
use chrono::NaiveDate;
use serde_json::Value;

/// Retries quickly, never sleeps long, never rate limits itself.
pub fn fast_policy() -> HttpPolicy {
    HttpPolicy {
        timeout: Duration::from_secs(30),
        max_retries: 3,
        min_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
        requests_per_second: NonZeroU32::new(1000).unwrap(),
        breaker_failures: 3,
        breaker_open_for: Duration::from_secs(60),
        ..HttpPolicy::default()
    }
}

/// Calls `/_control/{path}` as a developer would; asserts success and answers the JSON body
/// (null when empty).
pub async fn control_api(
    sandbox: &Sandbox,
    path: &str,
    method: reqwest::Method,
    body: Value,
) -> Value {
    let url = format!("{}/_control/{path}", sandbox.url());
    let response = reqwest::Client::new()
        .request(method, url)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "control {path}: {}",
        response.status()
    );
    let bytes = response.bytes().await.unwrap();
    if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    }
}

/// Each HR vendor with its client and its simulated company, so that one test body checks
/// both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    BambooHr,
    Hibob,
}

impl Vendor {
    pub const ALL: [Vendor; 2] = [Vendor::BambooHr, Vendor::Hibob];

    /// A simulator whose company of this vendor has `employees` generated people.
    pub async fn sandbox(self, employees: u64) -> Sandbox {
        match self {
            Vendor::BambooHr => crate::bamboohr::sandbox_with(employees).await,
            Vendor::Hibob => crate::hibob::sandbox_with(employees).await,
        }
    }

    /// The company's client, with the right credentials or a wrong secret.
    pub fn client(self, sandbox: &Sandbox, right: bool, policy: HttpPolicy) -> Client {
        match self {
            Vendor::BambooHr => {
                let key = if right {
                    crate::bamboohr::KEY
                } else {
                    "wrong-key"
                };
                Client::BambooHr(crate::bamboohr::client(sandbox, key, policy))
            }
            Vendor::Hibob => {
                let token = if right {
                    crate::hibob::TOKEN
                } else {
                    "wrong-token"
                };
                Client::Hibob(crate::hibob::client(sandbox, token, policy))
            }
        }
    }

    /// The vendor requests the company received.
    pub fn requests(self, sandbox: &Sandbox) -> u64 {
        match self {
            Vendor::BambooHr => sandbox.bamboohr().requests(crate::bamboohr::SUBDOMAIN),
            Vendor::Hibob => sandbox.hibob().requests(crate::hibob::COMPANY),
        }
    }

    /// Sets faults through the control API.
    pub async fn faults(self, sandbox: &Sandbox, faults: Value) {
        let path = match self {
            Vendor::BambooHr => format!("bamboohr/{}/faults", crate::bamboohr::SUBDOMAIN),
            Vendor::Hibob => format!("hibob/{}/faults", crate::hibob::COMPANY),
        };
        control_api(sandbox, &path, reqwest::Method::POST, faults).await;
    }

    /// The id of generated person `n`.
    pub fn id(self, n: u64) -> String {
        match self {
            Vendor::BambooHr => n.to_string(),
            Vendor::Hibob => assetronics_integrations::sandbox::hibob::employee_id(n),
        }
    }

    /// The date field the simulator breaks in a malformed record.
    pub fn broken_field(self) -> &'static str {
        match self {
            Vendor::BambooHr => "hireDate",
            Vendor::Hibob => "work.startDate",
        }
    }

    /// How the simulator words a credentials rejection.
    pub fn rejection(self) -> &'static str {
        match self {
            Vendor::BambooHr => "Invalid API key",
            Vendor::Hibob => "Invalid service user credentials",
        }
    }
}

/// Either vendor's client, for the calls both have.
pub enum Client {
    BambooHr(assetronics_integrations::bamboohr::BambooHrClient),
    Hibob(assetronics_integrations::hibob::HibobClient),
}

impl Client {
    pub async fn fetch_all(&self) -> Result<EmployeePull, HrisError> {
        match self {
            Client::BambooHr(client) => client.fetch_all().await,
            Client::Hibob(client) => client.fetch_all().await,
        }
    }

    pub async fn test_connection(&self) -> Result<(), HrisError> {
        match self {
            Client::BambooHr(client) => client.test_connection().await,
            Client::Hibob(client) => client.test_connection().await,
        }
    }

    pub fn circuit_closed(&self) -> bool {
        match self {
            Client::BambooHr(client) => client.circuit_closed(),
            Client::Hibob(client) => client.circuit_closed(),
        }
    }
}

/// The device of a pull with this id; fails the test when there is none.
pub fn device<'a>(pull: &'a DevicePull, external_id: &str) -> &'a MdmDevice {
    pull.devices
        .iter()
        .find(|d| d.external_id == external_id)
        .unwrap_or_else(|| panic!("no device {external_id} in the pull"))
}

/// Devices per page in the MDM tests: small, so that a pull of a few dozen spans pages.
pub const PAGE: u64 = 10;

/// Each MDM vendor with its client and its simulated account, so that one test body checks
/// them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mdm {
    Jamf,
    Intune,
    Kandji,
}

impl Mdm {
    pub const ALL: [Mdm; 3] = [Mdm::Jamf, Mdm::Intune, Mdm::Kandji];
    /// The vendors whose clients exchange credentials for short-lived tokens.
    pub const OAUTH: [Mdm; 2] = [Mdm::Jamf, Mdm::Intune];

    /// A simulator whose account of this vendor manages `devices` generated devices.
    pub async fn sandbox(self, devices: u64) -> Sandbox {
        self.sandbox_with_token_lifetime(devices, 1800).await
    }

    /// [`Mdm::sandbox`] with access tokens living `secs` (OAuth vendors).
    pub async fn sandbox_with_token_lifetime(self, devices: u64, secs: u64) -> Sandbox {
        match self {
            Mdm::Jamf => crate::jamf::sandbox_with(devices, secs).await,
            Mdm::Intune => crate::intune::sandbox_with(devices, secs).await,
            // Kandji's API tokens do not run out.
            Mdm::Kandji => crate::kandji::sandbox_with(devices).await,
        }
    }

    /// The account's client, with the right credentials or a wrong secret.
    pub fn client(self, sandbox: &Sandbox, right: bool, policy: HttpPolicy) -> MdmClient {
        match self {
            Mdm::Jamf => {
                let secret = if right {
                    crate::jamf::SECRET
                } else {
                    "wrong-secret"
                };
                MdmClient::Jamf(crate::jamf::client(sandbox, secret, policy))
            }
            Mdm::Intune => {
                let secret = if right {
                    crate::intune::SECRET
                } else {
                    "wrong-secret"
                };
                MdmClient::Intune(crate::intune::client(sandbox, secret, policy))
            }
            Mdm::Kandji => {
                let token = if right {
                    crate::kandji::TOKEN
                } else {
                    "wrong-token"
                };
                MdmClient::Kandji(crate::kandji::client(sandbox, token, policy))
            }
        }
    }

    /// The vendor requests the account received (token requests included).
    pub fn requests(self, sandbox: &Sandbox) -> u64 {
        match self {
            Mdm::Jamf => sandbox.jamf().requests(crate::jamf::INSTANCE),
            Mdm::Intune => sandbox.intune().requests(crate::intune::TENANT),
            Mdm::Kandji => sandbox.kandji().requests(crate::kandji::SUBDOMAIN),
        }
    }

    /// The vendor requests no account could be found for.
    pub fn unattributed(self, sandbox: &Sandbox) -> u64 {
        match self {
            Mdm::Jamf => sandbox.jamf().unattributed_requests(),
            Mdm::Intune => sandbox.intune().unattributed_requests(),
            Mdm::Kandji => sandbox.kandji().unattributed_requests(),
        }
    }

    /// The token requests the account received.
    pub fn token_requests(self, sandbox: &Sandbox) -> u64 {
        match self {
            Mdm::Jamf => sandbox.jamf().token_requests(crate::jamf::INSTANCE),
            Mdm::Intune => sandbox.intune().token_requests(crate::intune::TENANT),
            Mdm::Kandji => 0,
        }
    }

    /// The account's control API path, under `/_control/`.
    pub fn control_path(self) -> String {
        match self {
            Mdm::Jamf => format!("jamf/{}", crate::jamf::INSTANCE),
            Mdm::Intune => format!("intune/{}", crate::intune::TENANT),
            Mdm::Kandji => format!("kandji/{}", crate::kandji::SUBDOMAIN),
        }
    }

    /// Sets faults through the control API.
    pub async fn faults(self, sandbox: &Sandbox, faults: Value) {
        let path = format!("{}/faults", self.control_path());
        control_api(sandbox, &path, reqwest::Method::POST, faults).await;
    }

    /// Ends every issued access token through the control API.
    pub async fn expire_tokens(self, sandbox: &Sandbox) {
        let path = format!("{}/tokens/expire", self.control_path());
        control_api(sandbox, &path, reqwest::Method::POST, Value::Null).await;
    }

    /// The wipes the account received, through the control API.
    pub async fn wipes(self, sandbox: &Sandbox) -> Vec<Value> {
        let path = format!("{}/wipes", self.control_path());
        let wipes = control_api(sandbox, &path, reqwest::Method::GET, Value::Null).await;
        wipes.as_array().cloned().unwrap_or_default()
    }

    /// The vendor's id of generated device `n`.
    pub fn id(self, n: u64) -> String {
        match self {
            Mdm::Jamf => assetronics_integrations::sandbox::jamf::computer_id(n),
            Mdm::Intune => {
                assetronics_integrations::sandbox::intune::device_id(crate::intune::TENANT, n)
            }
            Mdm::Kandji => {
                assetronics_integrations::sandbox::kandji::device_id(crate::kandji::SUBDOMAIN, n)
            }
        }
    }

    /// The serial number of generated device `n`.
    pub fn serial(self, n: u64) -> String {
        match self {
            Mdm::Jamf => assetronics_integrations::sandbox::jamf::serial(n),
            Mdm::Intune => assetronics_integrations::sandbox::intune::serial(n),
            Mdm::Kandji => assetronics_integrations::sandbox::kandji::serial(n),
        }
    }

    /// The time field the simulator breaks in a malformed record.
    pub fn broken_field(self) -> &'static str {
        match self {
            Mdm::Jamf => "general.lastContactTime",
            Mdm::Intune => "lastSyncDateTime",
            Mdm::Kandji => "last_check_in",
        }
    }

    /// The requests a full pull of `devices` costs, [`PAGE`] a page: a token (OAuth vendors)
    /// and the pages (for Kandji, until a short one, which may be empty).
    pub fn pull_requests(self, devices: u64) -> u64 {
        match self {
            Mdm::Jamf | Mdm::Intune => 1 + devices.div_ceil(PAGE).max(1),
            Mdm::Kandji => devices / PAGE + 1,
        }
    }
}

/// Any MDM vendor's client, for the calls they all have.
pub enum MdmClient {
    Jamf(assetronics_integrations::jamf::JamfClient),
    Intune(assetronics_integrations::intune::IntuneClient),
    Kandji(assetronics_integrations::kandji::KandjiClient),
}

impl MdmClient {
    pub async fn fetch_all(&self) -> Result<DevicePull, MdmError> {
        match self {
            MdmClient::Jamf(client) => client.fetch_all().await,
            MdmClient::Intune(client) => client.fetch_all().await,
            MdmClient::Kandji(client) => client.fetch_all().await,
        }
    }

    pub async fn test_connection(&self) -> Result<(), MdmError> {
        match self {
            MdmClient::Jamf(client) => client.test_connection().await,
            MdmClient::Intune(client) => client.test_connection().await,
            MdmClient::Kandji(client) => client.test_connection().await,
        }
    }

    pub async fn wipe(
        &self,
        external_id: &str,
        options: &WipeOptions,
    ) -> Result<CommandReceipt, MdmError> {
        match self {
            MdmClient::Jamf(client) => client.wipe(external_id, options).await,
            MdmClient::Intune(client) => client.wipe(external_id, options).await,
            MdmClient::Kandji(client) => client.wipe(external_id, options).await,
        }
    }
}

/// Tickets per page in the ITSM tests: small, so that a read of a dozen spans pages.
pub const TICKET_PAGE: u64 = 5;

/// Each ITSM vendor with its client and its simulated account, so that one test body checks
/// them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Itsm {
    Jira,
    ServiceNow,
    Freshservice,
}

impl Itsm {
    pub const ALL: [Itsm; 3] = [Itsm::Jira, Itsm::ServiceNow, Itsm::Freshservice];

    /// A simulator whose account of this vendor holds `tickets` seeded tickets and pages by
    /// `page_size`.
    pub async fn sandbox(self, tickets: u64, page_size: u64) -> Sandbox {
        match self {
            Itsm::Jira => crate::jira::sandbox_with(tickets, page_size).await,
            Itsm::ServiceNow => crate::servicenow::sandbox_with(tickets, page_size).await,
            Itsm::Freshservice => crate::freshservice::sandbox_with(tickets, page_size).await,
        }
    }

    /// The account's client, with the right credentials or a wrong secret.
    pub fn client(self, sandbox: &Sandbox, right: bool, policy: HttpPolicy) -> ItsmClient {
        match self {
            Itsm::Jira => {
                let token = if right {
                    crate::jira::TOKEN
                } else {
                    "wrong-token"
                };
                ItsmClient::Jira(crate::jira::client(sandbox, token, policy))
            }
            Itsm::ServiceNow => {
                let password = if right {
                    crate::servicenow::PASSWORD
                } else {
                    "wrong-password"
                };
                ItsmClient::ServiceNow(crate::servicenow::client(sandbox, password, policy))
            }
            Itsm::Freshservice => {
                let key = if right {
                    crate::freshservice::KEY
                } else {
                    "wrong-key"
                };
                ItsmClient::Freshservice(crate::freshservice::client(sandbox, key, policy))
            }
        }
    }

    /// The account's name in the simulator (and its control paths).
    pub fn account(self) -> &'static str {
        match self {
            Itsm::Jira => crate::jira::SITE,
            Itsm::ServiceNow => crate::servicenow::INSTANCE,
            Itsm::Freshservice => crate::freshservice::DOMAIN,
        }
    }

    /// The account's control API path, under `/_control/`.
    pub fn control_path(self) -> String {
        let vendor = match self {
            Itsm::Jira => "jira",
            Itsm::ServiceNow => "servicenow",
            Itsm::Freshservice => "freshservice",
        };
        format!("{vendor}/{}", self.account())
    }

    /// The vendor requests the account received.
    pub fn requests(self, sandbox: &Sandbox) -> u64 {
        match self {
            Itsm::Jira => sandbox.jira().requests(self.account()),
            Itsm::ServiceNow => sandbox.servicenow().requests(self.account()),
            Itsm::Freshservice => sandbox.freshservice().requests(self.account()),
        }
    }

    /// The vendor requests no account could be found for.
    pub fn unattributed(self, sandbox: &Sandbox) -> u64 {
        match self {
            Itsm::Jira => sandbox.jira().unattributed_requests(),
            Itsm::ServiceNow => sandbox.servicenow().unattributed_requests(),
            Itsm::Freshservice => sandbox.freshservice().unattributed_requests(),
        }
    }

    /// Sets faults through the control API.
    pub async fn faults(self, sandbox: &Sandbox, faults: Value) {
        let path = format!("{}/faults", self.control_path());
        control_api(sandbox, &path, reqwest::Method::POST, faults).await;
    }

    /// Moves a ticket to `state` through the simulator's Rust handle, as an agent would.
    pub fn set_state(self, sandbox: &Sandbox, key_or_id: &str, state: TicketState) {
        let moved = match self {
            Itsm::Jira => sandbox.jira().set_state(self.account(), key_or_id, state),
            Itsm::ServiceNow => sandbox
                .servicenow()
                .set_state(self.account(), key_or_id, state),
            Itsm::Freshservice => {
                sandbox
                    .freshservice()
                    .set_state(self.account(), key_or_id, state)
            }
        };
        assert!(moved.is_some(), "{self:?}: no ticket {key_or_id}");
    }

    /// The ticket as the simulator holds it.
    pub fn stored(self, sandbox: &Sandbox, key_or_id: &str) -> DeskTicket {
        let ticket = match self {
            Itsm::Jira => sandbox.jira().ticket(self.account(), key_or_id),
            Itsm::ServiceNow => sandbox.servicenow().ticket(self.account(), key_or_id),
            Itsm::Freshservice => sandbox.freshservice().ticket(self.account(), key_or_id),
        };
        ticket.unwrap_or_else(|| panic!("{self:?}: no ticket {key_or_id}"))
    }

    /// Deletes a ticket in the simulator, as an admin would.
    pub fn delete(self, sandbox: &Sandbox, key_or_id: &str) {
        let deleted = match self {
            Itsm::Jira => sandbox.jira().delete_ticket(self.account(), key_or_id),
            Itsm::ServiceNow => sandbox
                .servicenow()
                .delete_ticket(self.account(), key_or_id),
            Itsm::Freshservice => sandbox
                .freshservice()
                .delete_ticket(self.account(), key_or_id),
        };
        assert!(deleted, "{self:?}: no ticket {key_or_id}");
    }

    /// The vendor's id of seeded ticket `n`.
    pub fn seeded_id(self, n: u64) -> String {
        match self {
            Itsm::Jira => assetronics_integrations::sandbox::jira::issue_id(n),
            Itsm::ServiceNow => assetronics_integrations::sandbox::servicenow::sys_id(
                crate::servicenow::INSTANCE,
                "incident",
                n,
            ),
            Itsm::Freshservice => n.to_string(),
        }
    }

    /// How people refer to seeded ticket `n`.
    pub fn seeded_key(self, n: u64) -> String {
        match self {
            Itsm::Jira => format!("{}-{n}", crate::jira::PROJECT),
            Itsm::ServiceNow => {
                assetronics_integrations::sandbox::servicenow::number("incident", n)
            }
            Itsm::Freshservice => format!("#INC-{n}"),
        }
    }

    /// The field the simulator breaks in a malformed record.
    pub fn broken_field(self) -> &'static str {
        match self {
            Itsm::Jira => "fields.status",
            Itsm::ServiceNow => "state",
            Itsm::Freshservice => "status",
        }
    }

    /// The state a ticket moved to `state` in the simulator reads back as: Freshservice has
    /// no cancelled status (it closes the ticket).
    pub fn read_back(self, state: TicketState) -> TicketState {
        match (self, state) {
            (Itsm::Freshservice, TicketState::Cancelled) => TicketState::Closed,
            _ => state,
        }
    }
}

/// Any ITSM vendor's client, for the calls they all have.
pub enum ItsmClient {
    Jira(assetronics_integrations::jira::JiraServiceManagementClient),
    ServiceNow(assetronics_integrations::servicenow::ServiceNowClient),
    Freshservice(assetronics_integrations::freshservice::FreshserviceClient),
}

impl ItsmClient {
    pub async fn test_connection(&self) -> Result<(), ItsmError> {
        match self {
            ItsmClient::Jira(client) => client.test_connection().await,
            ItsmClient::ServiceNow(client) => client.test_connection().await,
            ItsmClient::Freshservice(client) => client.test_connection().await,
        }
    }

    pub async fn create_ticket(&self, ticket: &NewTicket) -> Result<Ticket, ItsmError> {
        match self {
            ItsmClient::Jira(client) => client.create_ticket(ticket).await,
            ItsmClient::ServiceNow(client) => client.create_ticket(ticket).await,
            ItsmClient::Freshservice(client) => client.create_ticket(ticket).await,
        }
    }

    pub async fn tickets(&self, external_ids: &[String]) -> Result<Vec<Ticket>, ItsmError> {
        match self {
            ItsmClient::Jira(client) => client.tickets(external_ids).await,
            ItsmClient::ServiceNow(client) => client.tickets(external_ids).await,
            ItsmClient::Freshservice(client) => client.tickets(external_ids).await,
        }
    }

    pub async fn fetch_tickets(&self, external_ids: &[String]) -> Result<TicketPull, ItsmError> {
        match self {
            ItsmClient::Jira(client) => client.fetch_tickets(external_ids).await,
            ItsmClient::ServiceNow(client) => client.fetch_tickets(external_ids).await,
            ItsmClient::Freshservice(client) => client.fetch_tickets(external_ids).await,
        }
    }

    pub fn circuit_closed(&self) -> bool {
        match self {
            ItsmClient::Jira(client) => client.circuit_closed(),
            ItsmClient::ServiceNow(client) => client.circuit_closed(),
            ItsmClient::Freshservice(client) => client.circuit_closed(),
        }
    }
}

/// The ticket of a read with this id; fails the test when there is none.
pub fn ticket<'a>(tickets: &'a [Ticket], external_id: &str) -> &'a Ticket {
    tickets
        .iter()
        .find(|t| t.external_id == external_id)
        .unwrap_or_else(|| panic!("no ticket {external_id} in the read"))
}

/// Rows or documents per page in the finance tests: small, so that a pull of a few dozen spans
/// pages.
pub const FINANCE_PAGE: u32 = 10;

/// Each finance vendor with its client and its simulated books, so that one test body checks
/// both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finance {
    QuickBooks,
    NetSuite,
}

impl Finance {
    pub const ALL: [Finance; 2] = [Finance::QuickBooks, Finance::NetSuite];

    /// A simulator whose books of this vendor hold the purchases of `devices` Jamf devices
    /// (and their accessories and software).
    pub async fn sandbox(self, devices: u64) -> Sandbox {
        match self {
            Finance::QuickBooks => crate::quickbooks::sandbox_with(devices).await,
            Finance::NetSuite => crate::netsuite::sandbox_with(devices).await,
        }
    }

    /// The books' client, with the right credentials or a wrong secret, [`FINANCE_PAGE`] a
    /// page.
    pub fn client(self, sandbox: &Sandbox, right: bool, policy: HttpPolicy) -> FinanceClient {
        match self {
            Finance::QuickBooks => {
                let secret = if right {
                    crate::quickbooks::SECRET
                } else {
                    "wrong-secret"
                };
                let refresh_token = sandbox
                    .quickbooks()
                    .current_refresh_token(crate::quickbooks::REALM)
                    .unwrap();
                FinanceClient::QuickBooks(crate::quickbooks::client(
                    sandbox,
                    secret,
                    &refresh_token,
                    policy,
                ))
            }
            Finance::NetSuite => {
                let secret = if right {
                    crate::netsuite::TOKEN_SECRET
                } else {
                    "wrong-secret"
                };
                FinanceClient::NetSuite(crate::netsuite::client(sandbox, secret, policy))
            }
        }
    }

    /// The vendor requests the books received (token requests included).
    pub fn requests(self, sandbox: &Sandbox) -> u64 {
        match self {
            Finance::QuickBooks => sandbox.quickbooks().requests(crate::quickbooks::REALM),
            Finance::NetSuite => sandbox.netsuite().requests(crate::netsuite::ACCOUNT),
        }
    }

    /// Sets faults through the control API.
    pub async fn faults(self, sandbox: &Sandbox, faults: Value) {
        let path = match self {
            Finance::QuickBooks => format!("quickbooks/{}/faults", crate::quickbooks::REALM),
            Finance::NetSuite => format!("netsuite/{}/faults", crate::netsuite::ACCOUNT),
        };
        control_api(sandbox, &path, reqwest::Method::POST, faults).await;
    }

    /// The documents in the books, in the order they were filed.
    pub fn documents(self, sandbox: &Sandbox) -> Vec<StoredPurchase> {
        match self {
            Finance::QuickBooks => sandbox.quickbooks().purchases(crate::quickbooks::REALM),
            Finance::NetSuite => sandbox.netsuite().purchases(crate::netsuite::ACCOUNT),
        }
    }

    /// Whether the vendor's client reads documents of this kind.
    pub fn reads(self, kind: DocumentKind) -> bool {
        match self {
            Finance::QuickBooks => matches!(kind, DocumentKind::Bill | DocumentKind::Expense),
            Finance::NetSuite => matches!(kind, DocumentKind::Bill | DocumentKind::PurchaseOrder),
        }
    }

    /// The lines a pull of documents dated `since` or later must find.
    pub fn expected_lines(self, sandbox: &Sandbox, since: Option<NaiveDate>) -> usize {
        self.documents(sandbox)
            .iter()
            .filter(|d| self.reads(d.document.kind))
            .filter(|d| since.is_none_or(|since| d.document.date >= since))
            .map(|d| d.document.lines.len())
            .sum()
    }

    /// The requests a full pull costs, [`FINANCE_PAGE`] a page: QuickBooks asks for a token,
    /// then pages each entity until a short page (which may be empty); NetSuite pages the rows
    /// until `hasMore` is false.
    pub fn pull_requests(self, sandbox: &Sandbox) -> u64 {
        let page = u64::from(FINANCE_PAGE);
        match self {
            Finance::QuickBooks => {
                let documents = self.documents(sandbox);
                let count =
                    |kind| documents.iter().filter(|d| d.document.kind == kind).count() as u64;
                1 + (count(DocumentKind::Expense) / page + 1)
                    + (count(DocumentKind::Bill) / page + 1)
            }
            Finance::NetSuite => (self.expected_lines(sandbox, None) as u64)
                .div_ceil(page)
                .max(1),
        }
    }

    /// The id of a line's document in the pull (`Bill:101` for `Bill:101:2`).
    pub fn broken_prefix(self, document: &StoredPurchase) -> String {
        match self {
            Finance::QuickBooks => {
                let entity =
                    assetronics_integrations::sandbox::quickbooks::entity(document.document.kind);
                format!("{entity}:{}", document.id)
            }
            Finance::NetSuite => {
                let kind = assetronics_integrations::sandbox::netsuite::transaction_type(
                    document.document.kind,
                );
                format!("{kind}:{}:", document.id)
            }
        }
    }

    /// The malformed records a broken document makes: QuickBooks reports the document, NetSuite
    /// each of its rows.
    pub fn malformed_for(self, document: &StoredPurchase) -> usize {
        match self {
            Finance::QuickBooks => 1,
            Finance::NetSuite => document.document.lines.len(),
        }
    }

    /// The date field the simulator breaks in a malformed document.
    pub fn broken_field(self) -> &'static str {
        match self {
            Finance::QuickBooks => "TxnDate",
            Finance::NetSuite => "trandate",
        }
    }
}

/// Either finance vendor's client, for the calls both have.
pub enum FinanceClient {
    QuickBooks(assetronics_integrations::quickbooks::QuickBooksClient),
    NetSuite(assetronics_integrations::netsuite::NetSuiteClient),
}

impl FinanceClient {
    pub async fn fetch_purchases(
        &self,
        since: Option<NaiveDate>,
    ) -> Result<PurchasePull, FinanceError> {
        match self {
            FinanceClient::QuickBooks(client) => client.fetch_purchases(since).await,
            FinanceClient::NetSuite(client) => client.fetch_purchases(since).await,
        }
    }

    pub async fn test_connection(&self) -> Result<(), FinanceError> {
        match self {
            FinanceClient::QuickBooks(client) => client.test_connection().await,
            FinanceClient::NetSuite(client) => client.test_connection().await,
        }
    }
}
