//! Microsoft Intune client, through Microsoft Graph v1.0.
//!
//! - Auth: an Entra app registration with the application permissions
//!   `DeviceManagementManagedDevices.Read.All` (inventory) and
//!   `DeviceManagementManagedDevices.PrivilegedOperations.All` (wipe), admin-consented. Its id
//!   and secret buy a token at the identity platform,
//!   `POST https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token` (form-encoded
//!   `grant_type=client_credentials`, `client_id`, `client_secret`,
//!   `scope=https://graph.microsoft.com/.default`) → `{"token_type": "Bearer", "expires_in",
//!   "access_token"}`; see [`crate::oauth`] for caching and renewal. Refusals are 400 or 401
//!   `{"error", "error_description": "AADSTS...: ..."}` (an unknown tenant or app, a wrong or
//!   expired secret).
//! - Inventory: `GET https://graph.microsoft.com/v1.0/deviceManagement/managedDevices
//!   ?$select=...` → `{"value": [...], "@odata.nextLink"}`; Graph sizes the pages and the next
//!   one is wherever `@odata.nextLink` points, until an answer has none. A next link is only
//!   followed to the same Graph host and version: the bearer token goes nowhere else.
//! - Wipe: `POST .../managedDevices/{id}/wipe` `{"keepEnrollmentData": false, "keepUserData":
//!   false, "macOsUnlockCode": "123456"}` → 204; 404 for an unknown id.
//! - Errors: `{"error": {"code", "message", "innerError"}}`; 401 `InvalidAuthenticationToken`
//!   for an expired or revoked token, 403 for a missing permission. Graph throttles with 429 and
//!   `Retry-After`; both are classified by [`crate::http`].
//! - `lastSyncDateTime` is `0001-01-01T00:00:00Z` for a device that never synced: none.

use std::collections::HashSet;

use reqwest::{StatusCode, Url};
use serde_json::{Value, json};

use crate::http::{ErrorConventions, HttpPolicy, VendorError, VendorHttp, join, vendor_url};
use crate::mdm::{
    CommandReceipt, DevicePull, MalformedRecord, MdmDevice, MdmError, RecordReader, WipeOptions,
    command_receipt, command_request, id_segment,
};
use crate::oauth::{ClientCredentials, TokenSource};

/// Microsoft Graph's public host.
pub const DEFAULT_GRAPH_HOST: &str = "https://graph.microsoft.com";
/// The Microsoft identity platform's public host.
pub const DEFAULT_LOGIN_HOST: &str = "https://login.microsoftonline.com";
/// The scope a client-credentials token for Graph asks for: every application permission the
/// app was granted.
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
/// The managed-device properties a pull asks for.
pub const DEVICE_FIELDS: [&str; 11] = [
    "id",
    "deviceName",
    "serialNumber",
    "model",
    "manufacturer",
    "operatingSystem",
    "osVersion",
    "lastSyncDateTime",
    "userPrincipalName",
    "emailAddress",
    "userDisplayName",
];
/// The longest pull, in pages, before the client stops following next links: a Graph that
/// kept answering them would otherwise hold a worker forever.
const MAX_PAGES: usize = 100_000;

/// What one Intune integration needs to connect.
#[derive(Debug, Clone)]
pub struct IntuneConfig {
    /// The Entra tenant: its id (a GUID) or one of its domains (`contoso.onmicrosoft.com`).
    pub tenant_id: String,
    /// The app registration's client id and secret.
    pub credentials: ClientCredentials,
    /// Replaces [`DEFAULT_GRAPH_HOST`], e.g. `http://127.0.0.1:7070/intune` for the simulator.
    pub base_url: Option<String>,
    /// Replaces [`DEFAULT_LOGIN_HOST`], e.g. `http://127.0.0.1:7070/intune` for the simulator.
    pub login_base_url: Option<String>,
    pub policy: HttpPolicy,
}

/// A client for one tenant's Intune, as one app registration.
#[derive(Debug, Clone)]
pub struct IntuneClient {
    /// `{graph host}/v1.0/`, always with the trailing slash.
    graph: Url,
    tokens: TokenSource,
}

impl IntuneClient {
    /// Builds the client without calling Microsoft: fails ([`VendorError::Other`]) only on a
    /// tenant that cannot be one (it becomes part of the token URL) or an unusable host.
    /// Credentials are first checked by [`IntuneClient::test_connection`].
    pub fn new(config: IntuneConfig) -> Result<Self, MdmError> {
        let tenant = config.tenant_id.trim();
        if tenant.is_empty()
            || !tenant
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return Err(VendorError::Other {
                message: format!("invalid Entra tenant {tenant:?}"),
            }
            .into());
        }
        let graph = vendor_url(
            config.base_url.as_deref().unwrap_or(DEFAULT_GRAPH_HOST),
            "v1.0/",
            "Microsoft Graph URL",
        )?;
        let token_url = vendor_url(
            config
                .login_base_url
                .as_deref()
                .unwrap_or(DEFAULT_LOGIN_HOST),
            &format!("{tenant}/oauth2/v2.0/token"),
            "Microsoft login URL",
        )?;
        let http = VendorHttp::with_conventions(
            config.policy,
            ErrorConventions {
                message_header: None,
                message_body_field: Some("/error/message"),
                rate_limit_reset_header: None,
            },
        )?;
        let tokens = TokenSource::new(
            http,
            token_url,
            config.credentials,
            vec![("scope", GRAPH_SCOPE.to_owned())],
        );
        Ok(IntuneClient { graph, tokens })
    }

    /// The Graph root this client talks to (`{host}/v1.0/`).
    pub fn base_url(&self) -> &Url {
        &self.graph
    }

    /// Whether the circuit breaker currently lets calls through.
    pub fn circuit_closed(&self) -> bool {
        self.tokens.circuit_closed()
    }

    fn devices_url(&self, query: &str) -> Result<Url, VendorError> {
        let mut url = join(&self.graph, "deviceManagement/managedDevices")?;
        // OData system query options, written as Graph documents them ($ and commas bare).
        url.set_query(Some(query));
        Ok(url)
    }

    /// Checks the credentials, the tenant and the read permission: a token, then one device.
    #[tracing::instrument(skip(self), fields(base = %self.graph))]
    pub async fn test_connection(&self) -> Result<(), MdmError> {
        let url = self.devices_url("$select=id&$top=1")?;
        self.tokens.get_json(&url).await?;
        Ok(())
    }

    /// Pulls every managed device, following `@odata.nextLink`. Unreadable records are listed
    /// in [`DevicePull::malformed`]; the rest still come through.
    #[tracing::instrument(skip(self), fields(base = %self.graph))]
    pub async fn fetch_all(&self) -> Result<DevicePull, MdmError> {
        let mut pull = DevicePull::default();
        let mut seen = HashSet::new();
        let mut next = Some(self.devices_url(&format!("$select={}", DEVICE_FIELDS.join(",")))?);
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(VendorError::InvalidResponse {
                    message: format!("more than {MAX_PAGES} pages of devices"),
                }
                .into());
            }
            let answer = self.tokens.get_json(&url).await?;
            let records = answer
                .get("value")
                .and_then(Value::as_array)
                .ok_or_else(|| VendorError::InvalidResponse {
                    message: "managed devices answer without a value list".into(),
                })?;
            let any_new = pull.absorb_page(&mut seen, records, parse_managed_device);
            if !records.is_empty() && !any_new {
                tracing::warn!(pages, "a page of devices already read; stopping");
                return Ok(pull);
            }
            next = match answer.get("@odata.nextLink").and_then(Value::as_str) {
                Some(link) => Some(self.next_link(link)?),
                None => None,
            };
        }
        Ok(pull)
    }

    /// A next link, if it stays on this client's Graph host and version.
    fn next_link(&self, link: &str) -> Result<Url, VendorError> {
        Url::parse(link)
            .ok()
            .filter(|url| {
                url.origin() == self.graph.origin() && url.path().starts_with(self.graph.path())
            })
            .ok_or_else(|| VendorError::InvalidResponse {
                message: format!("next link {link:?} leaves {}", self.graph),
            })
    }

    /// Wipes the managed device with this Intune id (a factory reset, enrolment and user data
    /// not kept): the device carries it out when it next checks in; a Mac that needs an unlock
    /// PIN afterwards takes `options.pin`.
    #[tracing::instrument(skip(self, options), fields(base = %self.graph))]
    pub async fn wipe(
        &self,
        external_id: &str,
        options: &WipeOptions,
    ) -> Result<CommandReceipt, MdmError> {
        let id = id_segment(external_id)?;
        let url = join(
            &self.graph,
            &format!("deviceManagement/managedDevices/{id}/wipe"),
        )?;
        let mut body = json!({"keepEnrollmentData": false, "keepUserData": false});
        if let Some(pin) = &options.pin {
            body["macOsUnlockCode"] = json!(pin.as_str());
        }
        let response = self
            .tokens
            .send(
                |client| command_request(client, &url, &body),
                &[StatusCode::NOT_FOUND],
            )
            .await?;
        command_receipt(response, external_id, None).await
    }
}

/// Turns one Graph `managedDevice` into an [`MdmDevice`], or says why it cannot. The user's
/// address is `emailAddress`, or the user principal name when that reads as an address.
pub fn parse_managed_device(record: &Value) -> Result<MdmDevice, MalformedRecord> {
    let reader = RecordReader::new(record, "/id")?;
    let user_email = match reader.email("/emailAddress")? {
        Some(email) => Some(email),
        None => reader.email("/userPrincipalName")?,
    };
    Ok(MdmDevice {
        external_id: reader.id(),
        serial_number: reader.text("/serialNumber")?,
        name: reader.required("/deviceName")?,
        model: reader.text("/model")?,
        os_name: reader.text("/operatingSystem")?,
        os_version: reader.text("/osVersion")?,
        last_check_in: reader.time("/lastSyncDateTime")?,
        user_email,
        user_name: reader.text("/userDisplayName")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::ClientSecret;

    fn client(base_url: Option<&str>) -> Result<IntuneClient, MdmError> {
        IntuneClient::new(IntuneConfig {
            tenant_id: "contoso.onmicrosoft.com".into(),
            credentials: ClientCredentials {
                client_id: "app".into(),
                client_secret: ClientSecret::new("s3cret"),
            },
            base_url: base_url.map(str::to_owned),
            login_base_url: None,
            policy: HttpPolicy::default(),
        })
    }

    #[test]
    fn graph_is_the_default_and_next_links_stay_on_it() {
        let intune = client(None).unwrap();
        assert_eq!(
            intune.base_url().as_str(),
            "https://graph.microsoft.com/v1.0/"
        );
        assert!(
            intune
                .next_link(
                    "https://graph.microsoft.com/v1.0/deviceManagement/managedDevices?$skiptoken=x"
                )
                .is_ok()
        );
        for elsewhere in [
            "https://evil.example.com/v1.0/deviceManagement/managedDevices",
            "https://graph.microsoft.com/beta/deviceManagement/managedDevices",
            "http://graph.microsoft.com/v1.0/x",
            "not a url",
        ] {
            assert!(intune.next_link(elsewhere).is_err(), "{elsewhere}");
        }
        assert!(!format!("{intune:?}").contains("s3cret"));
        let simulated = client(Some("http://127.0.0.1:9/intune/")).unwrap();
        assert_eq!(
            simulated.base_url().as_str(),
            "http://127.0.0.1:9/intune/v1.0/"
        );
    }

    #[test]
    fn tenants_cannot_reshape_the_token_path() {
        let with_tenant = |tenant: &str| {
            IntuneClient::new(IntuneConfig {
                tenant_id: tenant.into(),
                credentials: ClientCredentials {
                    client_id: "app".into(),
                    client_secret: ClientSecret::new("s"),
                },
                base_url: None,
                login_base_url: None,
                policy: HttpPolicy::default(),
            })
        };
        assert!(with_tenant("6f1b2c3d-1111-4222-8333-444455556666").is_ok());
        for bad in ["", "a/b", "../common", "x?y"] {
            assert!(with_tenant(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn maps_graph_managed_devices() {
        let record = json!({
            "id": "705c034c-034c-705c-4c03-5c704c035c70", "deviceName": "ADA-LAPTOP",
            "serialNumber": "5CG1234XYZ", "model": "Latitude 7440", "manufacturer": "Dell Inc.",
            "operatingSystem": "Windows", "osVersion": "10.0.22631.3880",
            "lastSyncDateTime": "2026-11-20T09:15:00.1234567Z",
            "userPrincipalName": "ada@contoso.com", "emailAddress": "", "userDisplayName": "Ada Lovelace"
        });
        let device = parse_managed_device(&record).unwrap();
        assert_eq!(device.name, "ADA-LAPTOP");
        assert_eq!(device.user_email.as_deref(), Some("ada@contoso.com"));
        assert_eq!(device.os_name.as_deref(), Some("Windows"));
        assert!(device.last_check_in.is_some());

        let never = json!({"id": "x", "deviceName": "iPhone", "serialNumber": "",
            "lastSyncDateTime": "0001-01-01T00:00:00Z", "userPrincipalName": "", "emailAddress": null});
        let device = parse_managed_device(&never).unwrap();
        assert_eq!(device.last_check_in, None);
        assert_eq!((device.serial_number, device.user_email), (None, None));

        let nameless = json!({"id": "y", "deviceName": ""});
        assert!(parse_managed_device(&nameless).is_err());
    }
}
