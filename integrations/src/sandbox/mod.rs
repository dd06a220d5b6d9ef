//! Local simulators of the vendors' APIs, for development and tests.
//!
//! One actix-web server answers for every simulated vendor under its own prefix (BambooHR under
//! `/bamboohr`, see [`bamboohr`]; HiBob under `/hibob`, see [`hibob`]; Jamf Pro under `/jamf`,
//! see [`jamf`]; Microsoft Intune under `/intune`, see [`intune`]; Kandji under `/kandji`, see
//! [`kandji`]; QuickBooks Online under `/quickbooks`, see [`quickbooks`]; NetSuite under
//! `/netsuite`, see [`netsuite`]; Jira Service Management under `/jira`, see [`jira`];
//! ServiceNow under `/servicenow`, see [`servicenow`]; Freshservice under `/freshservice`,
//! see [`freshservice`]), plus a control API under `/_control/...` that tests and developers
//! use to inject faults, change data, register webhook receivers ([`webhooks`]), read the
//! remote wipes an MDM received, add purchases to the books and move the tickets of an ITSM
//! to another state (resolve them, say). Slack is under `/slack`, see [`slack`]: besides its
//! Web API, the Slack simulator plays Slack's side towards the app (signed slash commands,
//! button clicks and Events API deliveries to a receiver, and response URLs that record what
//! comes back). Run it as the
//! `assetronics-sandbox` binary, or in-process with [`spawn`]:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use assetronics_integrations::sandbox::{spawn, SandboxConfig};
//! let sandbox = spawn(SandboxConfig::default()).await?;
//! let bamboohr_base_url = sandbox.bamboohr_base_url(); // use as the integration's config.base_url
//! # Ok(()) }
//! ```
//!
//! The ITSM simulators (see [`DeskSandbox`]) keep every ticket a client creates; a test resolves
//! one as an agent would and the client's next read sees it:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use assetronics_integrations::itsm::TicketState;
//! use assetronics_integrations::sandbox::{spawn, SandboxConfig};
//! let sandbox = spawn(SandboxConfig::default()).await?;
//! // Site `acme`, email `sandbox@acme.example.com`, token `sandbox-jira-token`, service desk 1,
//! // request type 10, at `sandbox.jira_base_url()`.
//! sandbox.jira().set_state("acme", "IT-3", TicketState::Resolved);
//! # Ok(()) }
//! ```
//!
//! The simulated data lines up across vendors: an MDM's device users are the HR systems'
//! people (same names and addresses at the same email domain), and the finance systems' books
//! hold the purchase of each device of an MDM fleet, naming its serial number (by default the
//! Jamf Pro fleet's: `JMF000000001` onwards).

pub mod bamboohr;
mod books;
mod control;
mod desk;
mod faults;
mod fleet;
pub mod freshservice;
pub mod hibob;
pub mod intune;
pub mod jamf;
pub mod jira;
pub mod kandji;
mod mdm;
pub mod netsuite;
pub mod quickbooks;
pub mod servicenow;
pub mod slack;
mod tokens;
pub mod webhooks;
mod workforce;

use std::net::{SocketAddr, TcpListener};

use actix_web::{App, HttpRequest, HttpServer, dev::Server, web};
use base64::Engine;

pub use desk::{DeskSandbox, DeskTicket, DeskVendor};
pub use mdm::FleetSandbox;

/// What the simulator starts with.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free port.
    pub bind: SocketAddr,
    /// BambooHR companies present from the start (more can be added through the control API).
    pub bamboohr_companies: Vec<bamboohr::CompanySeed>,
    /// HiBob companies present from the start (more can be added through the control API).
    pub hibob_companies: Vec<hibob::CompanySeed>,
    /// Jamf Pro instances present from the start (more can be added through the control API).
    pub jamf_instances: Vec<jamf::InstanceSeed>,
    /// Intune tenants present from the start (more can be added through the control API).
    pub intune_tenants: Vec<intune::TenantSeed>,
    /// Kandji tenants present from the start (more can be added through the control API).
    pub kandji_tenants: Vec<kandji::TenantSeed>,
    /// Slack workspaces present from the start (more can be added through the control API).
    pub slack_workspaces: Vec<slack::WorkspaceSeed>,
    /// Jira Service Management sites present from the start (more can be added through the
    /// control API).
    pub jira_sites: Vec<jira::SiteSeed>,
    /// ServiceNow instances present from the start (more can be added through the control
    /// API).
    pub servicenow_instances: Vec<servicenow::InstanceSeed>,
    /// Freshservice accounts present from the start (more can be added through the control
    /// API).
    pub freshservice_accounts: Vec<freshservice::AccountSeed>,
    /// QuickBooks Online companies present from the start (more can be added through the
    /// control API).
    pub quickbooks_companies: Vec<quickbooks::CompanySeed>,
    /// NetSuite accounts present from the start (more can be added through the control API).
    pub netsuite_accounts: Vec<netsuite::AccountSeed>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            bamboohr_companies: vec![bamboohr::CompanySeed::default()],
            hibob_companies: vec![hibob::CompanySeed::default()],
            jamf_instances: vec![jamf::InstanceSeed::default()],
            intune_tenants: vec![intune::TenantSeed::default()],
            kandji_tenants: vec![kandji::TenantSeed::default()],
            slack_workspaces: vec![slack::WorkspaceSeed::default()],
            jira_sites: vec![jira::SiteSeed::default()],
            servicenow_instances: vec![servicenow::InstanceSeed::default()],
            freshservice_accounts: vec![freshservice::AccountSeed::default()],
            quickbooks_companies: vec![quickbooks::CompanySeed::default()],
            netsuite_accounts: vec![netsuite::AccountSeed::default()],
        }
    }
}

/// A running simulator.
#[derive(Debug, Clone)]
pub struct Sandbox {
    addr: SocketAddr,
    bamboohr: bamboohr::BambooHrSandbox,
    hibob: hibob::HibobSandbox,
    jamf: jamf::JamfSandbox,
    intune: intune::IntuneSandbox,
    kandji: kandji::KandjiSandbox,
    slack: slack::SlackSandbox,
    jira: jira::JiraSandbox,
    servicenow: servicenow::ServiceNowSandbox,
    freshservice: freshservice::FreshserviceSandbox,
    quickbooks: quickbooks::QuickBooksSandbox,
    netsuite: netsuite::NetSuiteSandbox,
    handle: actix_web::dev::ServerHandle,
}

impl Sandbox {
    /// The bound address (the real port when port 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://{addr}`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The `base_url` a BambooHR integration uses to reach this simulator.
    pub fn bamboohr_base_url(&self) -> String {
        format!("{}/bamboohr", self.url())
    }

    /// Direct access to the simulated BambooHR data and faults, for Rust tests.
    pub fn bamboohr(&self) -> &bamboohr::BambooHrSandbox {
        &self.bamboohr
    }

    /// The `base_url` a HiBob integration uses to reach this simulator.
    pub fn hibob_base_url(&self) -> String {
        format!("{}/hibob", self.url())
    }

    /// Direct access to the simulated HiBob data, faults and webhooks, for Rust tests.
    pub fn hibob(&self) -> &hibob::HibobSandbox {
        &self.hibob
    }

    /// The `base_url` a Jamf Pro integration uses to reach this simulator (every simulated
    /// instance: the credentials say which).
    pub fn jamf_base_url(&self) -> String {
        format!("{}/jamf", self.url())
    }

    /// Direct access to the simulated Jamf Pro instances, their faults and the wipes they
    /// received, for Rust tests.
    pub fn jamf(&self) -> &jamf::JamfSandbox {
        &self.jamf
    }

    /// The `base_url` and the `login_base_url` an Intune integration uses to reach this
    /// simulator: it answers for Graph and for the identity platform alike.
    pub fn intune_base_url(&self) -> String {
        format!("{}/intune", self.url())
    }

    /// Direct access to the simulated Intune tenants, their faults and the wipes they
    /// received, for Rust tests.
    pub fn intune(&self) -> &intune::IntuneSandbox {
        &self.intune
    }

    /// The `base_url` a Kandji integration uses to reach this simulator (every simulated
    /// tenant: the API token says which).
    pub fn kandji_base_url(&self) -> String {
        format!("{}/kandji", self.url())
    }

    /// Direct access to the simulated Kandji tenants, their faults and the wipes they
    /// received, for Rust tests.
    pub fn kandji(&self) -> &kandji::KandjiSandbox {
        &self.kandji
    }

    /// The `base_url` a Slack integration uses to reach this simulator's Web API (every
    /// simulated workspace: the bot token says which).
    pub fn slack_base_url(&self) -> String {
        format!("{}/slack/api", self.url())
    }

    /// Direct access to the simulated Slack workspaces, the messages and responses they
    /// received and faults, and Slack's signed requests to an app, for Rust tests.
    pub fn slack(&self) -> &slack::SlackSandbox {
        &self.slack
    }

    /// The `base_url` a Jira Service Management integration uses to reach this simulator
    /// (every simulated site: the credentials say which).
    pub fn jira_base_url(&self) -> String {
        format!("{}/jira", self.url())
    }

    /// Direct access to the simulated Jira sites, their faults and tickets, for Rust tests.
    pub fn jira(&self) -> &jira::JiraSandbox {
        &self.jira
    }

    /// The `base_url` a ServiceNow integration uses to reach this simulator (every simulated
    /// instance: the credentials say which).
    pub fn servicenow_base_url(&self) -> String {
        format!("{}/servicenow", self.url())
    }

    /// Direct access to the simulated ServiceNow instances, their faults and records, for Rust
    /// tests.
    pub fn servicenow(&self) -> &servicenow::ServiceNowSandbox {
        &self.servicenow
    }

    /// The `base_url` a Freshservice integration uses to reach this simulator (every simulated
    /// account: the API key says which).
    pub fn freshservice_base_url(&self) -> String {
        format!("{}/freshservice", self.url())
    }

    /// Direct access to the simulated Freshservice accounts, their faults and tickets, for
    /// Rust tests.
    pub fn freshservice(&self) -> &freshservice::FreshserviceSandbox {
        &self.freshservice
    }

    /// The `base_url` a QuickBooks Online integration uses to reach this simulator's API
    /// (every simulated company: the realm id says which).
    pub fn quickbooks_base_url(&self) -> String {
        format!("{}/quickbooks", self.url())
    }

    /// The `token_url` a QuickBooks Online integration uses to reach this simulator's token
    /// endpoint.
    pub fn quickbooks_token_url(&self) -> String {
        format!("{}/quickbooks/oauth2/v1/tokens/bearer", self.url())
    }

    /// Direct access to the simulated QuickBooks companies, their purchases, faults and
    /// refresh tokens, for Rust tests.
    pub fn quickbooks(&self) -> &quickbooks::QuickBooksSandbox {
        &self.quickbooks
    }

    /// The `base_url` a NetSuite integration uses to reach this simulator (every simulated
    /// account: the OAuth realm says which).
    pub fn netsuite_base_url(&self) -> String {
        format!("{}/netsuite", self.url())
    }

    /// Direct access to the simulated NetSuite accounts, their purchases and faults, for Rust
    /// tests.
    pub fn netsuite(&self) -> &netsuite::NetSuiteSandbox {
        &self.netsuite
    }

    /// Stops accepting connections and finishes in-flight requests.
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }
}

/// Binds and builds the simulator's server without running it: the caller awaits (or spawns)
/// the returned [`Server`]. Used by the binary.
pub fn build(config: SandboxConfig) -> std::io::Result<(Sandbox, Server)> {
    let listener = TcpListener::bind(config.bind)?;
    let addr = listener.local_addr()?;
    let bamboohr = bamboohr::BambooHrSandbox::new(config.bamboohr_companies);
    let hibob = hibob::HibobSandbox::new(config.hibob_companies);
    let jamf = jamf::JamfSandbox::new(config.jamf_instances);
    let intune = intune::IntuneSandbox::new(config.intune_tenants);
    let kandji = kandji::KandjiSandbox::new(config.kandji_tenants);
    let slack = slack::SlackSandbox::new(config.slack_workspaces, format!("http://{addr}/slack"));
    let jira = jira::JiraSandbox::new(config.jira_sites);
    let servicenow = servicenow::ServiceNowSandbox::new(config.servicenow_instances);
    let freshservice = freshservice::FreshserviceSandbox::new(config.freshservice_accounts);
    let quickbooks = quickbooks::QuickBooksSandbox::new(config.quickbooks_companies);
    let netsuite = netsuite::NetSuiteSandbox::new(config.netsuite_accounts);
    let bamboohr_data = web::Data::new(bamboohr.clone());
    let hibob_data = web::Data::new(hibob.clone());
    let jamf_data = web::Data::new(jamf.clone());
    let intune_data = web::Data::new(intune.clone());
    let kandji_data = web::Data::new(kandji.clone());
    let slack_data = web::Data::new(slack.clone());
    let jira_data = web::Data::new(jira.clone());
    let servicenow_data = web::Data::new(servicenow.clone());
    let freshservice_data = web::Data::new(freshservice.clone());
    let quickbooks_data = web::Data::new(quickbooks.clone());
    let netsuite_data = web::Data::new(netsuite.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(bamboohr_data.clone())
            .app_data(hibob_data.clone())
            .app_data(jamf_data.clone())
            .app_data(intune_data.clone())
            .app_data(kandji_data.clone())
            .app_data(slack_data.clone())
            .app_data(jira_data.clone())
            .app_data(servicenow_data.clone())
            .app_data(freshservice_data.clone())
            .app_data(quickbooks_data.clone())
            .app_data(netsuite_data.clone())
            .app_data(web::JsonConfig::default().limit(4 * 1024 * 1024))
            .configure(bamboohr::routes)
            .configure(hibob::routes)
            .configure(jamf::routes)
            .configure(intune::routes)
            .configure(kandji::routes)
            .configure(slack::routes)
            .configure(jira::routes)
            .configure(servicenow::routes)
            .configure(freshservice::routes)
            .configure(quickbooks::routes)
            .configure(netsuite::routes)
    })
    .workers(2)
    .disable_signals()
    .listen(listener)?
    .run();
    let handle = server.handle();
    Ok((
        Sandbox {
            addr,
            bamboohr,
            hibob,
            jamf,
            intune,
            kandji,
            slack,
            jira,
            servicenow,
            freshservice,
            quickbooks,
            netsuite,
            handle,
        },
        server,
    ))
}

/// Starts the simulator on the current tokio runtime and returns once it listens.
pub async fn spawn(config: SandboxConfig) -> std::io::Result<Sandbox> {
    let (sandbox, server) = build(config)?;
    tokio::spawn(server);
    Ok(sandbox)
}

/// The user name and password of a request's HTTP Basic `Authorization`, when it has one.
pub(crate) fn basic_credentials(request: &HttpRequest) -> Option<(String, String)> {
    let encoded = request
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let pair = String::from_utf8(decoded).ok()?;
    let (user, password) = pair.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}
