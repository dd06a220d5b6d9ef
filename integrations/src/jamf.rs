//! Jamf Pro client, following the Jamf Pro API.
//!
//! - Base URL: every customer has an instance of their own (`https://acme.jamfcloud.com`, or an
//!   on-premises server, possibly with a context path); the API lives under `{instance}/api`.
//!   There is no shared public host, so `base_url` is required.
//! - Auth: an API client (id and secret, with API roles granting privileges) exchanges its
//!   credentials for a bearer token at `POST /api/oauth/token` (form-encoded
//!   `grant_type=client_credentials`, `client_id`, `client_secret`) → `{"access_token",
//!   "expires_in", "token_type": "Bearer", "scope"}`; see [`crate::oauth`] for caching and
//!   renewal. A wrong client gets a 401 `{"error": "invalid_client"}`.
//! - Inventory: `GET /api/v1/computers-inventory?section=GENERAL&section=HARDWARE&
//!   section=OPERATING_SYSTEM&section=USER_AND_LOCATION&page=N&page-size=M&sort=id:asc` →
//!   `{"totalCount", "results": [...]}`; pages count from 0. The default sort is by name, which
//!   shifts under a pull when a computer is renamed; by id it stays put. Sections not asked for
//!   come back `null`. Needs the "Read Computers" privilege.
//! - Erase: `POST /api/v1/computer-inventory/{id}/erase` `{"pin": "123456"}` (Jamf Pro 11.11 and
//!   later) queues the EraseDevice MDM command → `{"deviceId", "commandUuid"}`; 404 for an
//!   unknown id. Needs the "Send Computer Remote Wipe Command" privilege.
//! - Errors: `{"httpStatus", "errors": [{"code", "description", "id", "field"}]}`; 401 for a
//!   missing, expired or revoked token, 403 for a missing privilege. Jamf Cloud answers bursts
//!   with 429 or 503 and `Retry-After`; both are classified by [`crate::http`].
//! - Webhooks: Jamf Pro POSTs `{"webhook": {"id", "name", "webhookEvent", "eventTimestamp"
//!   (epoch ms)}, "event": {...}}` to a URL set per webhook, authenticated with HTTP Basic
//!   credentials set on the webhook (or none). The computer events ([`COMPUTER_EVENTS`]) carry
//!   the computer's inventory (`jssID`, `serialNumber`, `deviceName`, `model`, `osVersion`,
//!   `emailAddress`, `realName`, `username`, ...); see [`parse_webhook`] and
//!   [`verify_webhook_auth`].

use std::collections::HashSet;

use reqwest::{StatusCode, Url};
use serde_json::{Value, json};

use crate::http::{ErrorConventions, HttpPolicy, VendorError, VendorHttp, join, vendor_url};
use crate::mdm::{
    CommandReceipt, DevicePull, MalformedRecord, MdmDevice, MdmError, RecordReader, WipeOptions,
    command_receipt, command_request, id_segment,
};
use crate::oauth::{ClientCredentials, TokenSource};

/// The inventory sections a pull asks for.
pub const INVENTORY_SECTIONS: [&str; 4] = [
    "GENERAL",
    "HARDWARE",
    "OPERATING_SYSTEM",
    "USER_AND_LOCATION",
];
/// Computers per inventory page unless the config says otherwise.
pub const DEFAULT_PAGE_SIZE: u32 = 500;
/// The largest page this client asks for.
pub const MAX_PAGE_SIZE: u32 = 2000;

/// What one Jamf Pro integration needs to connect.
#[derive(Debug, Clone)]
pub struct JamfConfig {
    /// The instance's URL, e.g. `https://acme.jamfcloud.com`, or
    /// `http://127.0.0.1:7070/jamf` for the simulator.
    pub base_url: String,
    /// The API client's id and secret.
    pub credentials: ClientCredentials,
    /// Computers per inventory page (1 to [`MAX_PAGE_SIZE`]); `None` for [`DEFAULT_PAGE_SIZE`].
    pub page_size: Option<u32>,
    pub policy: HttpPolicy,
}

/// A client for one Jamf Pro instance, as one API client.
#[derive(Debug, Clone)]
pub struct JamfClient {
    /// `{instance}/api/`, always with the trailing slash.
    base: Url,
    tokens: TokenSource,
    page_size: u32,
}

impl JamfClient {
    /// Builds the client without calling Jamf: fails ([`VendorError::Other`]) only on an
    /// unusable instance URL or an empty client id. Credentials are first checked by
    /// [`JamfClient::test_connection`].
    pub fn new(config: JamfConfig) -> Result<Self, MdmError> {
        let base = vendor_url(&config.base_url, "api/", "Jamf Pro URL")?;
        if config.credentials.client_id.trim().is_empty() {
            return Err(VendorError::Other {
                message: "a Jamf Pro API client id is required".into(),
            }
            .into());
        }
        let http = VendorHttp::with_conventions(
            config.policy,
            ErrorConventions {
                message_header: None,
                message_body_field: Some("/errors/0/description"),
                rate_limit_reset_header: None,
            },
        )?;
        let tokens = TokenSource::new(
            http,
            join(&base, "oauth/token")?,
            config.credentials,
            Vec::new(),
        );
        Ok(JamfClient {
            base,
            tokens,
            page_size: config
                .page_size
                .unwrap_or(DEFAULT_PAGE_SIZE)
                .clamp(1, MAX_PAGE_SIZE),
        })
    }

    /// The API root this client talks to (`{instance}/api/`).
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// Whether the circuit breaker currently lets calls through.
    pub fn circuit_closed(&self) -> bool {
        self.tokens.circuit_closed()
    }

    fn inventory_url(&self, page: u64, page_size: u32) -> Result<Url, VendorError> {
        let mut url = join(&self.base, "v1/computers-inventory")?;
        {
            let mut query = url.query_pairs_mut();
            for section in INVENTORY_SECTIONS {
                query.append_pair("section", section);
            }
            query
                .append_pair("page", &page.to_string())
                .append_pair("page-size", &page_size.to_string())
                .append_pair("sort", "id:asc");
        }
        Ok(url)
    }

    /// Checks the credentials and the "Read Computers" privilege: a token, then one computer of
    /// the inventory.
    #[tracing::instrument(skip(self), fields(base = %self.base))]
    pub async fn test_connection(&self) -> Result<(), MdmError> {
        self.tokens.get_json(&self.inventory_url(0, 1)?).await?;
        Ok(())
    }

    /// Pulls every computer, page by page. Unreadable records are listed in
    /// [`DevicePull::malformed`]; the rest still come through.
    #[tracing::instrument(skip(self), fields(base = %self.base))]
    pub async fn fetch_all(&self) -> Result<DevicePull, MdmError> {
        let mut pull = DevicePull::default();
        let mut seen = HashSet::new();
        let mut page: u64 = 0;
        loop {
            let answer = self
                .tokens
                .get_json(&self.inventory_url(page, self.page_size)?)
                .await?;
            let total = answer
                .get("totalCount")
                .and_then(Value::as_u64)
                .ok_or_else(|| VendorError::InvalidResponse {
                    message: "inventory page without totalCount".into(),
                })?;
            let results = answer
                .get("results")
                .and_then(Value::as_array)
                .ok_or_else(|| VendorError::InvalidResponse {
                    message: "inventory page without results".into(),
                })?;
            pull.absorb_page(&mut seen, results, parse_computer);
            page += 1;
            // The total is re-read on every page: computers enrolled meanwhile extend the pull.
            if results.is_empty() || page.saturating_mul(u64::from(self.page_size)) >= total {
                return Ok(pull);
            }
        }
    }

    /// Queues an erase of the computer with this Jamf id. The computer is wiped when it next
    /// checks in; a Mac that needs an unlock PIN afterwards takes `options.pin`.
    #[tracing::instrument(skip(self, options), fields(base = %self.base))]
    pub async fn wipe(
        &self,
        external_id: &str,
        options: &WipeOptions,
    ) -> Result<CommandReceipt, MdmError> {
        let id = id_segment(external_id)?;
        let url = join(&self.base, &format!("v1/computer-inventory/{id}/erase"))?;
        let body = match &options.pin {
            Some(pin) => json!({ "pin": pin.as_str() }),
            None => json!({}),
        };
        let response = self
            .tokens
            .send(
                |client| command_request(client, &url, &body),
                &[StatusCode::NOT_FOUND],
            )
            .await?;
        command_receipt(response, external_id, Some("commandUuid")).await
    }
}

/// Turns one computers-inventory record into an [`MdmDevice`], or says why it cannot.
pub fn parse_computer(record: &Value) -> Result<MdmDevice, MalformedRecord> {
    let reader = RecordReader::new(record, "/id")?;
    let user_name = match reader.text("/userAndLocation/realname")? {
        Some(name) => Some(name),
        None => reader.text("/userAndLocation/username")?,
    };
    Ok(MdmDevice {
        external_id: reader.id(),
        serial_number: reader.text("/hardware/serialNumber")?,
        name: reader.required("/general/name")?,
        model: reader.text("/hardware/model")?,
        os_name: reader.text("/operatingSystem/name")?,
        os_version: reader.text("/operatingSystem/version")?,
        last_check_in: reader.time("/general/lastContactTime")?,
        user_email: reader.email("/userAndLocation/email")?,
        user_name,
    })
}

/// The webhook events that carry a computer's inventory (Jamf spells the check-in one
/// `ComputerCheckin` in some versions, `ComputerCheckIn` in others; both are read).
pub const COMPUTER_EVENTS: [&str; 6] = [
    "ComputerAdded",
    "ComputerCheckIn",
    "ComputerCheckin",
    "ComputerInventoryCompleted",
    "ComputerPolicyFinished",
    "ComputerPushCapabilityChanged",
];

/// One Jamf Pro webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// `webhookEvent`, e.g. `ComputerInventoryCompleted`.
    pub event: String,
    /// Identifies the delivery: the webhook, the event, its time and the computer. Jamf resends
    /// a delivery it could not hand over with the same payload.
    pub delivery_key: String,
    /// The computer as the event describes it, for the computer events; `None` for the others
    /// (mobile devices, policies, a test ping), which carry nothing to apply.
    pub device: Option<MdmDevice>,
}

/// Checks the HTTP Basic credentials set on the webhook, in constant time. An integration
/// without webhook credentials refuses every delivery: unauthenticated webhooks would let
/// anyone who knows the URL write device facts.
pub fn verify_webhook_auth(
    username: &str,
    password: &str,
    authorization: Option<&str>,
) -> Result<(), crate::webhooks::WebhookError> {
    use crate::webhooks::WebhookError;
    use base64::Engine;
    if username.is_empty() || password.is_empty() {
        return Err(WebhookError::BadSignature);
    }
    let given = authorization
        .and_then(|h| {
            h.strip_prefix("Basic ")
                .or_else(|| h.strip_prefix("basic "))
        })
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .ok_or(WebhookError::BadSignature)?;
    let expected = format!("{username}:{password}");
    // Compare digests: equal length, constant time whatever was sent.
    let digest = |b: &[u8]| {
        use sha2::Digest;
        sha2::Sha256::digest(b)
    };
    let (a, b) = (digest(&given), digest(expected.as_bytes()));
    let diff = a
        .iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    if diff == 0 {
        Ok(())
    } else {
        Err(WebhookError::BadSignature)
    }
}

/// Reads a Jamf Pro webhook (JSON). A payload without the `webhook` object is refused.
pub fn parse_webhook(body: &[u8]) -> Result<WebhookEvent, crate::webhooks::WebhookError> {
    use crate::webhooks::WebhookError;
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| WebhookError::Malformed(format!("not JSON: {e}")))?;
    let hook = v
        .get("webhook")
        .filter(|h| h.is_object())
        .ok_or_else(|| WebhookError::Malformed("no webhook object".into()))?;
    let event = hook["webhookEvent"]
        .as_str()
        .ok_or_else(|| WebhookError::Malformed("no webhook.webhookEvent".into()))?
        .to_owned();
    let at = hook["eventTimestamp"].as_i64();
    let hook_id = match &hook["id"] {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    };
    let e = &v["event"];
    let computer_id = match &e["jssID"] {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    let text = |k: &str| {
        e[k].as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let device = match (&computer_id, COMPUTER_EVENTS.contains(&event.as_str())) {
        (Some(id), true) => Some(MdmDevice {
            external_id: id.clone(),
            serial_number: text("serialNumber"),
            name: text("deviceName").unwrap_or_else(|| format!("Computer {id}")),
            model: text("model"),
            os_name: Some("macOS".into()),
            os_version: text("osVersion"),
            // A check-in or an inventory report is the computer reaching Jamf.
            last_check_in: matches!(
                event.as_str(),
                "ComputerCheckIn" | "ComputerCheckin" | "ComputerInventoryCompleted"
            )
            .then(|| at.and_then(chrono::DateTime::from_timestamp_millis))
            .flatten(),
            user_email: text("emailAddress")
                .filter(|m| m.contains('@'))
                .map(|m| m.to_lowercase()),
            user_name: text("realName").or_else(|| text("username")),
        }),
        (None, true) => {
            return Err(WebhookError::Malformed(format!(
                "a {event} event without event.jssID"
            )));
        }
        _ => None,
    };
    Ok(WebhookEvent {
        delivery_key: format!(
            "{hook_id}:{event}:{}:{}",
            at.unwrap_or_default(),
            computer_id.unwrap_or_default()
        ),
        event,
        device,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::ClientSecret;

    #[test]
    fn reads_the_documented_computer_webhook() {
        // Jamf's documented sample, trimmed.
        let body = br#"{"event": {"deviceName": "John's MacBook Pro", "emailAddress": "John.Smith@company.com",
            "jssID": 13, "model": "13-inch Retina MacBook Pro (Late 2013)", "osBuild": "16G29",
            "osVersion": "10.12.6", "realName": "John Smith", "serialNumber": "C02M23PJFH50",
            "udid": "EBBFF74D-C6B7-5599-93A9-19E8BDDEFE32", "username": "john.smith"},
            "webhook": {"eventTimestamp": 1553550275590, "id": 7, "name": "Webhook Documentation",
            "webhookEvent": "ComputerInventoryCompleted"}}"#;
        let e = parse_webhook(body).unwrap();
        assert_eq!(e.event, "ComputerInventoryCompleted");
        assert_eq!(
            e.delivery_key,
            "7:ComputerInventoryCompleted:1553550275590:13"
        );
        let d = e.device.unwrap();
        assert_eq!(d.external_id, "13");
        assert_eq!(d.serial_number.as_deref(), Some("C02M23PJFH50"));
        assert_eq!(d.user_email.as_deref(), Some("john.smith@company.com"));
        assert_eq!(d.os_version.as_deref(), Some("10.12.6"));
        assert_eq!(
            d.last_check_in.map(|t| t.timestamp_millis()),
            Some(1553550275590)
        );
        let other = br#"{"event": {"jssID": 3}, "webhook": {"id": 1, "webhookEvent": "MobileDeviceCheckIn", "eventTimestamp": 1}}"#;
        assert_eq!(parse_webhook(other).unwrap().device, None);
        assert!(parse_webhook(b"{}").is_err());
        assert!(
            parse_webhook(br#"{"webhook": {"webhookEvent": "ComputerAdded"}, "event": {}}"#)
                .is_err()
        );
    }

    #[test]
    fn webhook_basic_auth_must_match() {
        use base64::Engine;
        let good = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("jamf:s3cret")
        );
        let bad = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("jamf:guess")
        );
        assert!(verify_webhook_auth("jamf", "s3cret", Some(&good)).is_ok());
        assert!(verify_webhook_auth("jamf", "s3cret", Some(&bad)).is_err());
        assert!(verify_webhook_auth("jamf", "s3cret", None).is_err());
        assert!(verify_webhook_auth("", "", Some("Basic Og==")).is_err());
    }

    fn config(base_url: &str) -> JamfConfig {
        JamfConfig {
            base_url: base_url.into(),
            credentials: ClientCredentials {
                client_id: "client".into(),
                client_secret: ClientSecret::new("s3cret"),
            },
            page_size: None,
            policy: HttpPolicy::default(),
        }
    }

    #[test]
    fn the_api_lives_under_the_instance() {
        let client = JamfClient::new(config("https://acme.jamfcloud.com/")).unwrap();
        assert_eq!(
            client.base_url().as_str(),
            "https://acme.jamfcloud.com/api/"
        );
        let on_prem = JamfClient::new(config("https://jss.example.com:8443/jamf")).unwrap();
        assert_eq!(
            on_prem.base_url().as_str(),
            "https://jss.example.com:8443/jamf/api/"
        );
        assert!(!format!("{client:?}").contains("s3cret"));
        assert!(JamfClient::new(config("acme.jamfcloud.com")).is_err());
        assert!(JamfClient::new(config("ftp://acme")).is_err());
    }

    #[test]
    fn maps_the_documented_sections() {
        let record = json!({
            "id": "17", "udid": "5A0A4A2A-0000-4000-8000-000000000011",
            "general": {"name": "Ada's MacBook Pro", "lastContactTime": "2026-11-20T09:15:00Z", "platform": "Mac"},
            "hardware": {"make": "Apple", "model": "MacBook Pro (14-inch, 2023)", "serialNumber": "C02XK1ABCDEF"},
            "operatingSystem": {"name": "macOS", "version": "14.5", "build": "23F79"},
            "userAndLocation": {"username": "ada", "realname": "Ada Lovelace", "email": "Ada@Example.com"}
        });
        let device = parse_computer(&record).unwrap();
        assert_eq!(device.external_id, "17");
        assert_eq!(device.serial_number.as_deref(), Some("C02XK1ABCDEF"));
        assert_eq!(device.name, "Ada's MacBook Pro");
        assert_eq!(device.os_name.as_deref(), Some("macOS"));
        assert_eq!(device.user_email.as_deref(), Some("ada@example.com"));
        assert_eq!(device.user_name.as_deref(), Some("Ada Lovelace"));
        assert!(device.last_check_in.is_some());

        let unassigned = json!({"id": 3, "general": {"name": "Loaner", "lastContactTime": null},
            "hardware": null, "operatingSystem": null,
            "userAndLocation": {"username": "", "realname": "", "email": ""}});
        let device = parse_computer(&unassigned).unwrap();
        assert_eq!(device.external_id, "3");
        assert_eq!((device.user_email, device.user_name), (None, None));
        assert_eq!((device.serial_number, device.last_check_in), (None, None));

        let broken = json!({"id": "4", "general": {"name": "x", "lastContactTime": "yesterday"}});
        let err = parse_computer(&broken).unwrap_err();
        assert!(err.reason.contains("general.lastContactTime"), "{err}");
    }
}
