//! Kandji client, following the Kandji (now Iru Endpoint Management) API v1.
//!
//! - Base URL: every tenant has its own API host, shown under Settings → Access
//!   (`https://{subdomain}.api.kandji.io`, `https://{subdomain}.api.eu.kandji.io` in the EU);
//!   there is no shared public host, so `base_url` is required. The API lives under
//!   `{host}/api/v1`.
//! - Auth: a tenant-level API token as `Authorization: Bearer`; its permissions are set per
//!   token (Device list, Erase device). Tokens do not expire by themselves: a 401 means revoked
//!   or wrong, and needs a person.
//! - Inventory: `GET /api/v1/devices?limit=&offset=&ordering=device_id` → a JSON array of
//!   devices, at most 300 a request; the next page is at `offset + limit`, until a page comes
//!   back short. Each device has `device_id`, `device_name`, `serial_number`, `model`,
//!   `platform` (`Mac`, `iPhone`, `iPad`, `AppleTV`, ...), `os_version`, `last_check_in`, and
//!   `user`: an object `{"email", "name", "id", "is_archived"}`, or an empty string when nobody
//!   is assigned.
//! - Erase: `POST /api/v1/devices/{device_id}/action/erase` `{"PIN": "123456",
//!   "PreserveDataPlan": false, "DisallowProximitySetup": false}` queues the EraseDevice MDM
//!   command; 404 for an unknown id.
//! - Errors: `{"detail": "..."}`; 400 for a command the device cannot take or one already
//!   pending. The rate limit is 10,000 requests an hour per tenant; 429 and 5xx are classified
//!   by [`crate::http`], honouring `Retry-After`.

use std::collections::HashSet;

use reqwest::header::ACCEPT;
use reqwest::{StatusCode, Url};
use serde_json::{Value, json};

use crate::http::{ErrorConventions, HttpPolicy, VendorError, VendorHttp, join, vendor_url};
use crate::mdm::{
    CommandReceipt, DevicePull, MalformedRecord, MdmDevice, MdmError, RecordReader, WipeOptions,
    command_receipt, command_request, id_segment,
};

/// The most devices Kandji returns for one request, and this client's default page.
pub const MAX_PAGE_SIZE: u32 = 300;

/// A Kandji API token; its `Debug` never shows the value.
#[derive(Clone)]
pub struct ApiToken(String);

impl ApiToken {
    /// Wraps the token as Kandji shows it once, at creation.
    pub fn new(token: impl Into<String>) -> Self {
        ApiToken(token.into())
    }
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiToken(..)")
    }
}

/// What one Kandji integration needs to connect.
#[derive(Debug, Clone)]
pub struct KandjiConfig {
    /// The tenant's API host, e.g. `https://acme.api.kandji.io`, or
    /// `http://127.0.0.1:7070/kandji` for the simulator.
    pub base_url: String,
    pub api_token: ApiToken,
    /// Devices per request (1 to [`MAX_PAGE_SIZE`]); `None` for [`MAX_PAGE_SIZE`].
    pub page_size: Option<u32>,
    pub policy: HttpPolicy,
}

/// A client for one Kandji tenant.
#[derive(Debug, Clone)]
pub struct KandjiClient {
    http: VendorHttp,
    /// `{host}/api/v1/`, always with the trailing slash.
    base: Url,
    token: ApiToken,
    page_size: u32,
}

impl KandjiClient {
    /// Builds the client without calling Kandji: fails ([`VendorError::Other`]) only on an
    /// unusable API URL. The token is first checked by [`KandjiClient::test_connection`].
    pub fn new(config: KandjiConfig) -> Result<Self, MdmError> {
        let base = vendor_url(&config.base_url, "api/v1/", "Kandji API URL")?;
        let http = VendorHttp::with_conventions(
            config.policy,
            ErrorConventions {
                message_header: None,
                message_body_field: Some("detail"),
                rate_limit_reset_header: None,
            },
        )?;
        Ok(KandjiClient {
            http,
            base,
            token: config.api_token,
            page_size: config
                .page_size
                .unwrap_or(MAX_PAGE_SIZE)
                .clamp(1, MAX_PAGE_SIZE),
        })
    }

    /// The API root this client talks to (`{host}/api/v1/`).
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// Whether the circuit breaker currently lets calls through.
    pub fn circuit_closed(&self) -> bool {
        self.http.circuit_closed()
    }

    fn devices_url(&self, limit: u32, offset: u64) -> Result<Url, VendorError> {
        let mut url = join(&self.base, "devices")?;
        url.query_pairs_mut()
            .append_pair("limit", &limit.to_string())
            .append_pair("offset", &offset.to_string())
            .append_pair("ordering", "device_id");
        Ok(url)
    }

    async fn get_page(&self, url: &Url) -> Result<Vec<Value>, MdmError> {
        let answer = self
            .http
            .send_json(|client| {
                client
                    .get(url.clone())
                    .bearer_auth(&self.token.0)
                    .header(ACCEPT, "application/json")
            })
            .await?;
        match answer {
            Value::Array(devices) => Ok(devices),
            _ => Err(VendorError::InvalidResponse {
                message: "device list that is not a JSON array".into(),
            }
            .into()),
        }
    }

    /// Checks the API URL, the token and its device-list permission with one device.
    #[tracing::instrument(skip(self), fields(base = %self.base))]
    pub async fn test_connection(&self) -> Result<(), MdmError> {
        self.get_page(&self.devices_url(1, 0)?).await?;
        Ok(())
    }

    /// Pulls every device, a page at a time until a short page. Unreadable records are listed
    /// in [`DevicePull::malformed`]; the rest still come through.
    #[tracing::instrument(skip(self), fields(base = %self.base))]
    pub async fn fetch_all(&self) -> Result<DevicePull, MdmError> {
        let mut pull = DevicePull::default();
        let mut seen = HashSet::new();
        let mut offset: u64 = 0;
        loop {
            let page = self
                .get_page(&self.devices_url(self.page_size, offset)?)
                .await?;
            let any_new = pull.absorb_page(&mut seen, &page, parse_device);
            if page.len() < self.page_size as usize {
                return Ok(pull);
            }
            if !any_new {
                tracing::warn!(offset, "a full page of devices already read; stopping");
                return Ok(pull);
            }
            offset += u64::from(self.page_size);
        }
    }

    /// Queues an erase of the device with this Kandji id: the device carries it out when it
    /// next checks in; a Mac that needs an unlock PIN afterwards takes `options.pin`.
    #[tracing::instrument(skip(self, options), fields(base = %self.base))]
    pub async fn wipe(
        &self,
        external_id: &str,
        options: &WipeOptions,
    ) -> Result<CommandReceipt, MdmError> {
        let id = id_segment(external_id)?;
        let url = join(&self.base, &format!("devices/{id}/action/erase"))?;
        let mut body = json!({"PreserveDataPlan": false, "DisallowProximitySetup": false});
        if let Some(pin) = &options.pin {
            body["PIN"] = json!(pin.as_str());
        }
        let response = self
            .http
            .send_accepting(
                |client| command_request(client, &url, &body).bearer_auth(&self.token.0),
                &[StatusCode::NOT_FOUND],
            )
            .await?;
        command_receipt(response, external_id, None).await
    }
}

/// The operating system a Kandji `platform` runs.
fn os_name(platform: &str) -> String {
    match platform {
        "Mac" => "macOS",
        "iPhone" => "iOS",
        "iPad" => "iPadOS",
        "AppleTV" => "tvOS",
        other => other,
    }
    .to_owned()
}

/// Turns one Kandji device into an [`MdmDevice`], or says why it cannot.
pub fn parse_device(record: &Value) -> Result<MdmDevice, MalformedRecord> {
    let reader = RecordReader::new(record, "/device_id")?;
    // `user` is an object, or "" when nobody is assigned: the pointers below find nothing then.
    Ok(MdmDevice {
        external_id: reader.id(),
        serial_number: reader.text("/serial_number")?,
        name: reader.required("/device_name")?,
        model: reader.text("/model")?,
        os_name: reader.text("/platform")?.map(|p| os_name(&p)),
        os_version: reader.text("/os_version")?,
        last_check_in: reader.time("/last_check_in")?,
        user_email: reader.email("/user/email")?,
        user_name: reader.text("/user/name")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_lives_under_the_tenant_host() {
        let client = KandjiClient::new(KandjiConfig {
            base_url: "https://acme.api.eu.kandji.io/".into(),
            api_token: ApiToken::new("tok-3141"),
            page_size: Some(1000),
            policy: HttpPolicy::default(),
        })
        .unwrap();
        assert_eq!(
            client.base_url().as_str(),
            "https://acme.api.eu.kandji.io/api/v1/"
        );
        assert_eq!(client.page_size, MAX_PAGE_SIZE);
        assert!(!format!("{client:?}").contains("tok-3141"));
    }

    #[test]
    fn maps_kandji_devices_with_and_without_a_user() {
        let record = json!({
            "device_id": "2cfeb3ac-3b5d-423e-bcff-e2676a3a32da", "device_name": "Ada's MacBook Air",
            "model": "MacBook Air (M2, 2022)", "serial_number": "C02XK1ABCDEF", "platform": "Mac",
            "os_version": "14.5", "last_check_in": "2026-11-20T09:15:00.864498Z",
            "user": {"email": "ada@example.com", "name": "Ada Lovelace", "id": "5344c996", "is_archived": false}
        });
        let device = parse_device(&record).unwrap();
        assert_eq!(device.os_name.as_deref(), Some("macOS"));
        assert_eq!(device.user_email.as_deref(), Some("ada@example.com"));
        assert_eq!(device.user_name.as_deref(), Some("Ada Lovelace"));
        assert!(device.last_check_in.is_some());

        let unassigned = json!({"device_id": "d2", "device_name": "Lobby iPad", "platform": "iPad",
            "last_check_in": "", "user": ""});
        let device = parse_device(&unassigned).unwrap();
        assert_eq!(device.os_name.as_deref(), Some("iPadOS"));
        assert_eq!((device.user_email, device.user_name), (None, None));
        assert_eq!(device.last_check_in, None);
    }
}
