//! What the vendor tests share: a quick HTTP policy, the simulator's control API, and each
//! vendor behind one interface.

use std::num::NonZeroU32;
use std::time::Duration;

use assetronics_integrations::hris::{EmployeePull, HrisError};
use assetronics_integrations::http::HttpPolicy;
use assetronics_integrations::sandbox::Sandbox;
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
