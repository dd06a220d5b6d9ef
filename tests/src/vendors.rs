//! The vendor simulators (`assetronics_integrations::sandbox`) seeded per vendor, and the body
//! that connects each simulated vendor to a tenant (`POST /api/v1/integrations`, see
//! [`crate::TestApp::connect`]).
//!
//! The BambooHR company is always `acme` with the key [`BAMBOOHR_KEY`]; every other vendor is
//! the simulator's default seed unless a builder method changes it.

use std::collections::BTreeMap;

use assetronics_integrations::sandbox::{
    self, Sandbox, SandboxConfig, bamboohr, hibob, intune, jamf, kandji, netsuite, quickbooks,
    slack,
};
use serde_json::{Value, json};

/// The BambooHR company of every simulator the tests start.
pub const BAMBOOHR_COMPANY: &str = "acme";
/// The API key that company accepts.
pub const BAMBOOHR_KEY: &str = "right-key";

/// A simulator to seed vendor by vendor, then [`Vendors::start`].
pub struct Vendors(SandboxConfig);

/// Every vendor with the simulator's default seed; change the ones a test uses.
pub fn vendors() -> Vendors {
    Vendors(SandboxConfig::default())
}

/// A simulator whose BambooHR company has `employees` people (ids `1..=employees`; employee 1
/// manages the next ten).
pub async fn bamboohr_simulator(employees: u64) -> Sandbox {
    vendors().bamboohr(employees).start().await
}

impl Vendors {
    /// BambooHR company [`BAMBOOHR_COMPANY`] (key [`BAMBOOHR_KEY`]) with `employees` people.
    pub fn bamboohr(mut self, employees: u64) -> Self {
        self.0.bamboohr_companies = vec![bamboohr::CompanySeed {
            subdomain: BAMBOOHR_COMPANY.into(),
            api_key: BAMBOOHR_KEY.into(),
            employees,
        }];
        self
    }

    /// The default HiBob company with `employees` people.
    pub fn hibob(mut self, employees: u64) -> Self {
        self.0.hibob_companies = vec![hibob::CompanySeed {
            employees,
            ..hibob::CompanySeed::default()
        }];
        self
    }

    /// The default Jamf Pro instance with `computers` computers (computer n belongs to
    /// employee n, except every tenth from 5, a spare).
    pub fn jamf(mut self, computers: u64) -> Self {
        self.0.jamf_instances = vec![jamf::InstanceSeed {
            computers,
            ..jamf::InstanceSeed::default()
        }];
        self
    }

    /// The default Intune tenant with `devices` devices, served `page_size` a page.
    pub fn intune(mut self, devices: u64, page_size: u64) -> Self {
        self.0.intune_tenants = vec![intune::TenantSeed {
            devices,
            page_size,
            ..intune::TenantSeed::default()
        }];
        self
    }

    /// The default Kandji tenant with `devices` devices.
    pub fn kandji(mut self, devices: u64) -> Self {
        self.0.kandji_tenants = vec![kandji::TenantSeed {
            devices,
            ..kandji::TenantSeed::default()
        }];
        self
    }

    /// The default QuickBooks Online company, whose books hold the purchase of `devices`
    /// computers (plus accessories and software).
    pub fn quickbooks(mut self, devices: u64) -> Self {
        self.0.quickbooks_companies = vec![quickbooks::CompanySeed {
            devices,
            ..quickbooks::CompanySeed::default()
        }];
        self
    }

    /// The default NetSuite account, whose books hold the purchase of `devices` computers.
    pub fn netsuite(mut self, devices: u64) -> Self {
        self.0.netsuite_accounts = vec![netsuite::AccountSeed {
            devices,
            ..netsuite::AccountSeed::default()
        }];
        self
    }

    /// Starts the simulator on a free port.
    pub async fn start(self) -> Sandbox {
        sandbox::spawn(self.0)
            .await
            .expect("start the vendor simulator")
    }
}

/// BambooHR employee `n`'s work address.
pub fn bamboohr_email(n: u64) -> String {
    bamboohr::generate(BAMBOOHR_COMPANY, n)["workEmail"].clone()
}

/// Hires `first` Newcomer (`first.newcomer@acme.example.com`, Engineering, managed by
/// employee 1) in BambooHR, starting in `days_ahead` days; the new record.
pub fn hire_newcomer(sim: &Sandbox, first: &str, days_ahead: i64) -> BTreeMap<String, String> {
    let start = chrono::Utc::now().date_naive() + chrono::Duration::days(days_ahead);
    sim.bamboohr()
        .hire(
            BAMBOOHR_COMPANY,
            BTreeMap::from([
                ("firstName".to_owned(), first.to_owned()),
                ("lastName".to_owned(), "Newcomer".to_owned()),
                (
                    "workEmail".to_owned(),
                    format!("{}.newcomer@acme.example.com", first.to_lowercase()),
                ),
                ("supervisorEId".to_owned(), "1".to_owned()),
                ("department".to_owned(), "Engineering".to_owned()),
                ("hireDate".to_owned(), start.format("%Y-%m-%d").to_string()),
            ]),
        )
        .expect("hired")
}

/// `base` with `changes` merged in, objects key by key (e.g. another API key:
/// `merged(bamboohr_connection(&sim), json!({"credentials": {"api_key": "wrong"}}))`).
pub fn merged(mut base: Value, changes: Value) -> Value {
    match (base.as_object_mut(), changes) {
        (Some(b), Value::Object(c)) => {
            for (k, v) in c {
                let slot = b.remove(&k).unwrap_or(Value::Null);
                b.insert(k, merged(slot, v));
            }
            base
        }
        (_, changes) => changes,
    }
}

/// Connects the BambooHR company [`BAMBOOHR_COMPANY`] with its right key.
pub fn bamboohr_connection(sim: &Sandbox) -> Value {
    json!({"provider": "bamboohr",
        "config": {"subdomain": BAMBOOHR_COMPANY, "base_url": sim.bamboohr_base_url()},
        "credentials": {"api_key": BAMBOOHR_KEY}})
}

/// Connects the default HiBob company.
pub fn hibob_connection(sim: &Sandbox) -> Value {
    let seed = hibob::CompanySeed::default();
    json!({"provider": "hibob", "config": {"base_url": sim.hibob_base_url()},
        "credentials": {"service_user_id": seed.service_user_id, "token": seed.token}})
}

/// Connects the default Jamf Pro instance.
pub fn jamf_connection(sim: &Sandbox) -> Value {
    let seed = jamf::InstanceSeed::default();
    json!({"provider": "jamf", "config": {"base_url": sim.jamf_base_url()},
        "credentials": {"client_id": seed.client_id, "client_secret": seed.client_secret}})
}

/// Connects the default Intune tenant.
pub fn intune_connection(sim: &Sandbox) -> Value {
    let seed = intune::TenantSeed::default();
    json!({"provider": "intune",
        "config": {"tenant_id": seed.tenant_id, "base_url": sim.intune_base_url(), "login_base_url": sim.intune_base_url()},
        "credentials": {"client_id": seed.client_id, "client_secret": seed.client_secret}})
}

/// Connects the default Kandji tenant.
pub fn kandji_connection(sim: &Sandbox) -> Value {
    let seed = kandji::TenantSeed::default();
    json!({"provider": "kandji", "config": {"base_url": sim.kandji_base_url()},
        "credentials": {"api_token": seed.api_token}})
}

/// Connects the default QuickBooks Online company.
pub fn quickbooks_connection(sim: &Sandbox) -> Value {
    let seed = quickbooks::CompanySeed::default();
    json!({"provider": "quickbooks",
        "config": {"realm_id": seed.realm_id, "base_url": sim.quickbooks_base_url(), "token_url": sim.quickbooks_token_url()},
        "credentials": {"client_id": seed.client_id, "client_secret": seed.client_secret, "refresh_token": seed.refresh_token}})
}

/// Connects the default NetSuite account.
pub fn netsuite_connection(sim: &Sandbox) -> Value {
    let seed = netsuite::AccountSeed::default();
    json!({"provider": "netsuite",
        "config": {"account_id": seed.account_id, "base_url": sim.netsuite_base_url()},
        "credentials": {"consumer_key": seed.consumer_key, "consumer_secret": seed.consumer_secret, "token_id": seed.token_id, "token_secret": seed.token_secret}})
}

/// Connects the default Slack workspace, with `config` (e.g. `{"notify_channel": …}`).
pub fn slack_connection(sim: &Sandbox, mut config: Value) -> Value {
    let seed = slack::WorkspaceSeed::default();
    config["base_url"] = json!(sim.slack_base_url());
    json!({"provider": "slack", "config": config,
        "credentials": {"bot_token": seed.bot_token, "signing_secret": seed.signing_secret}})
}

/// Connects the default Jira Service Management site.
pub fn jira_connection(sim: &Sandbox) -> Value {
    json!({"provider": "jira_service_management",
        "config": {"site": "acme", "base_url": sim.jira_base_url(), "service_desk_id": "1", "request_type_id": "10"},
        "credentials": {"email": "sandbox@acme.example.com", "api_token": "sandbox-jira-token"}})
}

/// Connects the default ServiceNow instance.
pub fn servicenow_connection(sim: &Sandbox) -> Value {
    json!({"provider": "servicenow", "config": {"instance": "acme", "base_url": sim.servicenow_base_url()},
        "credentials": {"username": "sandbox.integration", "password": "sandbox-servicenow-password"}})
}

/// Connects the default Freshservice account.
pub fn freshservice_connection(sim: &Sandbox) -> Value {
    json!({"provider": "freshservice", "config": {"domain": "acme", "base_url": sim.freshservice_base_url()},
        "credentials": {"api_key": "sandbox-freshservice-key"}})
}
