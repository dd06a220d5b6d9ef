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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::ClientSecret;

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
