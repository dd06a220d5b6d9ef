//! From an integration row to a vendor client: decrypts the credentials and picks the client
//! for the provider. Everything past this point speaks the normalized HRIS types.

use serde_json::Value;

use super::entity::integration;
use super::error::IntegrationError;
use super::service::row_aad;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::state::AppState;
use assetronics_integrations::bamboohr::{ApiKey, BambooHrClient, BambooHrConfig};
use assetronics_integrations::finance::{FinanceError, PurchasePull};
use assetronics_integrations::freshservice::{self, FreshserviceClient, FreshserviceConfig};
use assetronics_integrations::hibob::{HibobClient, HibobConfig, ServiceUserToken};
use assetronics_integrations::hris::{EmployeePull, HrisError};
use assetronics_integrations::http::HttpPolicy;
use assetronics_integrations::intune::{IntuneClient, IntuneConfig};
use assetronics_integrations::itsm::{ItsmError, NewTicket, Ticket};
use assetronics_integrations::jamf::{JamfClient, JamfConfig};
use assetronics_integrations::jira::{
    self, JiraServiceManagementClient, JiraServiceManagementConfig,
};
use assetronics_integrations::kandji::{ApiToken, KandjiClient, KandjiConfig};
use assetronics_integrations::mdm::{CommandReceipt, DevicePull, MdmError, WipeOptions};
use assetronics_integrations::netsuite::{NetSuiteClient, NetSuiteConfig, TbaSecret};
use assetronics_integrations::oauth::{ClientCredentials, ClientSecret, RefreshToken};
use assetronics_integrations::quickbooks::{QuickBooksClient, QuickBooksConfig};
use assetronics_integrations::servicenow::{self, ServiceNowClient, ServiceNowConfig};
use assetronics_integrations::slack::{BotToken, SlackClient, SlackConfig};

/// What a provider id is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Hris,
    Mdm,
    Itsm,
    Finance,
    Chat,
}

/// The kind of a provider id of API.md, `None` for an unknown one.
pub fn kind_of(provider: &str) -> Option<Kind> {
    Some(match provider {
        "bamboohr" | "hibob" => Kind::Hris,
        "jamf" | "intune" | "kandji" => Kind::Mdm,
        "jira_service_management" | "servicenow" | "freshservice" => Kind::Itsm,
        "quickbooks" | "netsuite" => Kind::Finance,
        "slack" => Kind::Chat,
        _ => return None,
    })
}

/// An HR system connection.
pub enum Hris {
    BambooHr(BambooHrClient),
    Hibob(HibobClient),
}

/// The decrypted credentials of an integration.
pub fn credentials(state: &AppState, row: &integration::Model) -> ApiResult<Value> {
    state
        .secrets
        .open(&row.credentials, &row_aad(row))
        .map_err(ApiError::internal)
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn base_url(row: &integration::Model) -> Option<String> {
    row.config
        .get("base_url")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The job retries a whole sync with backoff, so each vendor call retries only once itself.
pub(super) fn policy() -> HttpPolicy {
    HttpPolicy {
        max_retries: 1,
        ..HttpPolicy::default()
    }
}

/// The HRIS client for an integration, or `not_available` for a provider that is not an HRIS
/// connector of this release.
pub fn hris(state: &AppState, row: &integration::Model) -> ApiResult<Hris> {
    let creds = credentials(state, row)?;
    match row.provider.as_str() {
        "bamboohr" => BambooHrClient::new(BambooHrConfig {
            subdomain: text(&row.config, "subdomain"),
            api_key: ApiKey::new(text(&creds, "api_key")),
            base_url: base_url(row),
            policy: policy(),
        })
        .map(Hris::BambooHr)
        .map_err(|e| ApiError::internal(format!("cannot build the BambooHR client: {e}"))),
        "hibob" => HibobClient::new(HibobConfig {
            service_user_id: text(&creds, "service_user_id"),
            token: ServiceUserToken::new(text(&creds, "token")),
            base_url: base_url(row),
            policy: policy(),
        })
        .map(Hris::Hibob)
        .map_err(|e| ApiError::internal(format!("cannot build the HiBob client: {e}"))),
        p => {
            Err(IntegrationError::NotAvailable(format!("the {p} connector cannot sync yet")).into())
        }
    }
}

impl Hris {
    pub async fn test_connection(&self) -> Result<(), HrisError> {
        match self {
            Hris::BambooHr(c) => c.test_connection().await,
            Hris::Hibob(c) => c.test_connection().await,
        }
    }

    /// Everyone, current and former.
    pub async fn fetch_all(&self) -> Result<EmployeePull, HrisError> {
        match self {
            Hris::BambooHr(c) => c.fetch_all().await,
            Hris::Hibob(c) => c.fetch_all().await,
        }
    }

    /// The named people only (what a webhook said changed).
    pub async fn fetch_some(&self, external_ids: &[String]) -> Result<EmployeePull, HrisError> {
        let mut pull = EmployeePull::default();
        match self {
            Hris::BambooHr(c) => {
                for id in external_ids {
                    match c.fetch_employee(id).await? {
                        Ok(e) => pull.employees.push(e),
                        Err(m) => pull.malformed.push(m),
                    }
                }
            }
            // Batched by id: HiBob's search allows few requests a minute.
            Hris::Hibob(c) => pull = c.fetch_by_ids(external_ids).await?,
        }
        Ok(pull)
    }
}

/// A device-management (MDM) connection.
pub enum Mdm {
    Jamf(JamfClient),
    Intune(IntuneClient),
    Kandji(KandjiClient),
}

fn client_credentials(creds: &Value) -> ClientCredentials {
    ClientCredentials {
        client_id: text(creds, "client_id"),
        client_secret: ClientSecret::new(text(creds, "client_secret")),
    }
}

/// The MDM client for an integration, or `not_available` for a provider that is no MDM.
pub fn mdm(state: &AppState, row: &integration::Model) -> ApiResult<Mdm> {
    let creds = credentials(state, row)?;
    let built = match row.provider.as_str() {
        "jamf" => JamfClient::new(JamfConfig {
            base_url: base_url(row).unwrap_or_default(),
            credentials: client_credentials(&creds),
            page_size: None,
            policy: policy(),
        })
        .map(Mdm::Jamf),
        "intune" => IntuneClient::new(IntuneConfig {
            tenant_id: text(&row.config, "tenant_id"),
            credentials: client_credentials(&creds),
            base_url: base_url(row),
            login_base_url: row
                .config
                .get("login_base_url")
                .and_then(Value::as_str)
                .map(str::to_owned),
            policy: policy(),
        })
        .map(Mdm::Intune),
        "kandji" => KandjiClient::new(KandjiConfig {
            base_url: base_url(row).unwrap_or_default(),
            api_token: ApiToken::new(text(&creds, "api_token")),
            page_size: None,
            policy: policy(),
        })
        .map(Mdm::Kandji),
        p => {
            return Err(IntegrationError::NotAvailable(format!(
                "{p} is not a device-management connector"
            ))
            .into());
        }
    };
    built.map_err(|e| unusable(row, e))
}

impl Mdm {
    pub async fn test_connection(&self) -> Result<(), MdmError> {
        match self {
            Mdm::Jamf(c) => c.test_connection().await,
            Mdm::Intune(c) => c.test_connection().await,
            Mdm::Kandji(c) => c.test_connection().await,
        }
    }

    /// Every managed device, all pages.
    pub async fn fetch_all(&self) -> Result<DevicePull, MdmError> {
        match self {
            Mdm::Jamf(c) => c.fetch_all().await,
            Mdm::Intune(c) => c.fetch_all().await,
            Mdm::Kandji(c) => c.fetch_all().await,
        }
    }

    /// Queues a remote wipe of one enrolment.
    pub async fn wipe(
        &self,
        external_id: &str,
        options: &WipeOptions,
    ) -> Result<CommandReceipt, MdmError> {
        match self {
            Mdm::Jamf(c) => c.wipe(external_id, options).await,
            Mdm::Intune(c) => c.wipe(external_id, options).await,
            Mdm::Kandji(c) => c.wipe(external_id, options).await,
        }
    }
}

fn opt_text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn unusable(row: &integration::Model, e: impl std::fmt::Display) -> ApiError {
    IntegrationError::Unusable(format!("cannot reach this {}: {e}", row.provider)).into()
}

/// An IT service desk (ITSM) connection.
pub enum Itsm {
    Jira(JiraServiceManagementClient),
    ServiceNow(ServiceNowClient),
    Freshservice(FreshserviceClient),
}

/// The ITSM client for an integration, or `not_available` for a provider that is no ITSM.
pub fn itsm(state: &AppState, row: &integration::Model) -> ApiResult<Itsm> {
    let creds = credentials(state, row)?;
    let c = &row.config;
    let built = match row.provider.as_str() {
        "jira_service_management" => {
            JiraServiceManagementClient::new(JiraServiceManagementConfig {
                site: text(c, "site"),
                base_url: base_url(row),
                email: text(&creds, "email"),
                api_token: jira::ApiToken::new(text(&creds, "api_token")),
                service_desk_id: text(c, "service_desk_id"),
                request_type_id: text(c, "request_type_id"),
                policy: policy(),
            })
            .map(Itsm::Jira)
        }
        "servicenow" => ServiceNowClient::new(ServiceNowConfig {
            instance: text(c, "instance"),
            base_url: base_url(row),
            username: text(&creds, "username"),
            password: servicenow::Password::new(text(&creds, "password")),
            table: opt_text(c, "table"),
            policy: policy(),
        })
        .map(Itsm::ServiceNow),
        "freshservice" => FreshserviceClient::new(FreshserviceConfig {
            domain: text(c, "domain"),
            base_url: base_url(row),
            api_key: freshservice::ApiKey::new(text(&creds, "api_key")),
            default_requester_email: opt_text(c, "default_requester_email"),
            policy: policy(),
        })
        .map(Itsm::Freshservice),
        p => {
            return Err(IntegrationError::NotAvailable(format!(
                "{p} is not an IT service desk connector"
            ))
            .into());
        }
    };
    built.map_err(|e| unusable(row, e))
}

impl Itsm {
    pub async fn test_connection(&self) -> Result<(), ItsmError> {
        match self {
            Itsm::Jira(c) => c.test_connection().await,
            Itsm::ServiceNow(c) => c.test_connection().await,
            Itsm::Freshservice(c) => c.test_connection().await,
        }
    }

    pub async fn create_ticket(&self, t: &NewTicket) -> Result<Ticket, ItsmError> {
        match self {
            Itsm::Jira(c) => c.create_ticket(t).await,
            Itsm::ServiceNow(c) => c.create_ticket(t).await,
            Itsm::Freshservice(c) => c.create_ticket(t).await,
        }
    }

    /// The current state of these tickets (a ticket the vendor no longer has is absent).
    pub async fn tickets(&self, ids: &[String]) -> Result<Vec<Ticket>, ItsmError> {
        match self {
            Itsm::Jira(c) => c.tickets(ids).await,
            Itsm::ServiceNow(c) => c.tickets(ids).await,
            Itsm::Freshservice(c) => c.tickets(ids).await,
        }
    }
}

/// A finance system connection.
pub enum Finance {
    QuickBooks(QuickBooksClient),
    NetSuite(NetSuiteClient),
}

/// The finance client for an integration, or `not_available` for a provider that is none.
pub fn finance(state: &AppState, row: &integration::Model) -> ApiResult<Finance> {
    let creds = credentials(state, row)?;
    let c = &row.config;
    let built = match row.provider.as_str() {
        "quickbooks" => QuickBooksClient::new(QuickBooksConfig {
            realm_id: text(c, "realm_id"),
            client_id: text(&creds, "client_id"),
            client_secret: ClientSecret::new(text(&creds, "client_secret")),
            refresh_token: RefreshToken::new(text(&creds, "refresh_token")),
            base_url: base_url(row),
            token_url: opt_text(c, "token_url"),
            policy: policy(),
        })
        .map(Finance::QuickBooks),
        "netsuite" => NetSuiteClient::new(NetSuiteConfig {
            account_id: text(c, "account_id"),
            base_url: base_url(row),
            consumer_key: text(&creds, "consumer_key"),
            consumer_secret: TbaSecret::new(text(&creds, "consumer_secret")),
            token_id: text(&creds, "token_id"),
            token_secret: TbaSecret::new(text(&creds, "token_secret")),
            policy: policy(),
        })
        .map(Finance::NetSuite),
        p => {
            return Err(
                IntegrationError::NotAvailable(format!("{p} is not a finance connector")).into(),
            );
        }
    };
    built.map_err(|e| unusable(row, e))
}

impl Finance {
    pub async fn test_connection(&self) -> Result<(), FinanceError> {
        match self {
            Finance::QuickBooks(c) => c.test_connection().await,
            Finance::NetSuite(c) => c.test_connection().await,
        }
    }

    /// Every purchase line (of documents dated `since` or later, when given).
    pub async fn fetch_purchases(
        &self,
        since: Option<chrono::NaiveDate>,
    ) -> Result<PurchasePull, FinanceError> {
        match self {
            Finance::QuickBooks(c) => c.fetch_purchases(since).await,
            Finance::NetSuite(c) => c.fetch_purchases(since).await,
        }
    }

    /// A refresh token the vendor rotated while this client ran (QuickBooks: each use issues a
    /// new one and retires the old), to store in place of the old one.
    pub fn rotated_refresh_token(&self, stored: &Value) -> Option<String> {
        match self {
            Finance::QuickBooks(c) => {
                let now = c.current_refresh_token();
                (now != text(stored, "refresh_token")).then_some(now)
            }
            Finance::NetSuite(_) => None,
        }
    }
}

/// The Slack client for an integration (the app installed in one workspace), calling with
/// `policy`: a slash command must be answered within Slack's three seconds, a job may wait.
pub fn slack(
    state: &AppState,
    row: &integration::Model,
    policy: HttpPolicy,
) -> ApiResult<SlackClient> {
    if row.provider != "slack" {
        return Err(IntegrationError::NotAvailable(format!(
            "{} is not a chat connector",
            row.provider
        ))
        .into());
    }
    let creds = credentials(state, row)?;
    SlackClient::new(SlackConfig {
        bot_token: BotToken::new(text(&creds, "bot_token")),
        base_url: base_url(row),
        policy,
    })
    .map_err(|e| IntegrationError::Unusable(format!("cannot reach this Slack: {e}")).into())
}
