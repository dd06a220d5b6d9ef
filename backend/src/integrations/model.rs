//! Integration types and rules: providers, their required config and credentials.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::platform::error::FieldError;
use crate::platform::ids::IntegrationId;
use crate::platform::validation::{self as v, Errors};

/// Every field's complaint about a request, collected at once.
pub type FieldErrors = Vec<FieldError>;

/// Every provider id the API accepts.
pub const PROVIDERS: [&str; 11] = [
    "bamboohr",
    "hibob",
    "jamf",
    "intune",
    "kandji",
    "jira_service_management",
    "servicenow",
    "freshservice",
    "quickbooks",
    "netsuite",
    "slack",
];

/// Providers that sync (pull records on a schedule or on demand); the others act when
/// something happens (open a ticket, post a message).
pub const AVAILABLE: [&str; 7] = [
    "bamboohr",
    "hibob",
    "jamf",
    "intune",
    "kandji",
    "quickbooks",
    "netsuite",
];

/// The config and credential fields a provider needs (besides BambooHR's, checked in full by
/// [`check_provider`]), each with what it is.
pub struct Requirements {
    pub config: &'static [(&'static str, &'static str)],
    /// The config field naming the vendor host, which `config.base_url` may replace.
    pub host_field: Option<&'static str>,
    pub credentials: &'static [(&'static str, &'static str)],
}

/// What `provider` needs; `None` for an unknown provider.
pub fn requirements(provider: &str) -> Option<Requirements> {
    const CLIENT: &[(&str, &str)] = &[
        ("client_id", "the API client's id"),
        ("client_secret", "the API client's secret"),
    ];
    Some(match provider {
        "bamboohr" => Requirements {
            config: &[("subdomain", "the BambooHR subdomain, e.g. acme")],
            host_field: None,
            credentials: &[("api_key", "a BambooHR API key")],
        },
        "hibob" => Requirements {
            config: &[],
            host_field: None,
            credentials: &[
                ("service_user_id", "the HiBob service user's id"),
                ("token", "the HiBob service user's token"),
            ],
        },
        "jamf" => Requirements {
            config: &[(
                "base_url",
                "the Jamf Pro URL, e.g. https://acme.jamfcloud.com",
            )],
            host_field: None,
            credentials: CLIENT,
        },
        "intune" => Requirements {
            config: &[("tenant_id", "the Microsoft Entra tenant id or domain")],
            host_field: None,
            credentials: CLIENT,
        },
        "kandji" => Requirements {
            config: &[(
                "base_url",
                "the Kandji API URL, e.g. https://acme.api.kandji.io",
            )],
            host_field: None,
            credentials: &[("api_token", "a Kandji API token")],
        },
        "jira_service_management" => Requirements {
            config: &[
                (
                    "site",
                    "the Atlassian site, e.g. acme for acme.atlassian.net",
                ),
                ("service_desk_id", "the service desk's id"),
                ("request_type_id", "the request type new tickets use"),
            ],
            host_field: Some("site"),
            credentials: &[
                ("email", "the Atlassian account's email"),
                ("api_token", "an Atlassian API token"),
            ],
        },
        "servicenow" => Requirements {
            config: &[(
                "instance",
                "the ServiceNow instance, e.g. acme for acme.service-now.com",
            )],
            host_field: Some("instance"),
            credentials: &[
                ("username", "the integration user's name"),
                ("password", "the integration user's password"),
            ],
        },
        "freshservice" => Requirements {
            config: &[(
                "domain",
                "the Freshservice domain, e.g. acme for acme.freshservice.com",
            )],
            host_field: Some("domain"),
            credentials: &[("api_key", "a Freshservice API key")],
        },
        "quickbooks" => Requirements {
            config: &[("realm_id", "the QuickBooks company (realm) id")],
            host_field: None,
            credentials: &[
                ("client_id", "the Intuit app's client id"),
                ("client_secret", "the Intuit app's client secret"),
                (
                    "refresh_token",
                    "the refresh token the company's consent gave",
                ),
            ],
        },
        "netsuite" => Requirements {
            config: &[(
                "account_id",
                "the NetSuite account id, e.g. 1234567 or 1234567_SB1",
            )],
            host_field: None,
            credentials: &[
                ("consumer_key", "the integration record's consumer key"),
                (
                    "consumer_secret",
                    "the integration record's consumer secret",
                ),
                ("token_id", "the access token's id"),
                ("token_secret", "the access token's secret"),
            ],
        },
        // Optional config: `notify_channel`, the channel id for notices without a person to go
        // to (approvals nobody is assigned, failed syncs).
        "slack" => Requirements {
            config: &[],
            host_field: None,
            credentials: &[
                ("bot_token", "the Slack app's bot token (xoxb-...)"),
                ("signing_secret", "the Slack app's signing secret"),
            ],
        },
        _ => return None,
    })
}

/// Checks a provider's config and credentials; each missing or wrong field is named.
pub fn check_provider(provider: &str, config: &Value, credentials: &Value) -> Vec<FieldError> {
    let mut errs = vec![];
    let text = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .is_some()
    };
    if let Some(url) = config.get("base_url") {
        let ok = url.as_str().is_some_and(|u| {
            (u.starts_with("https://") || u.starts_with("http://")) && u.len() > 8
        });
        if !ok {
            errs.push(FieldError::new(
                "config.base_url",
                "invalid_format",
                "must be an http(s) URL",
            ));
        }
    }
    match provider {
        "bamboohr" => {
            let sub = config
                .get("subdomain")
                .and_then(Value::as_str)
                .unwrap_or("");
            if sub.is_empty() {
                errs.push(FieldError::new(
                    "config.subdomain",
                    "required",
                    "the BambooHR subdomain, e.g. acme",
                ));
            } else if !sub.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                errs.push(FieldError::new(
                    "config.subdomain",
                    "invalid_format",
                    "letters, digits and dashes only",
                ));
            }
            if !text(credentials, "api_key") {
                errs.push(FieldError::new(
                    "credentials.api_key",
                    "required",
                    "a BambooHR API key",
                ));
            }
        }
        p => match requirements(p) {
            Some(req) => {
                for (field, what) in req.config {
                    // A vendor host field is not needed when `base_url` names the host.
                    let host_given = req.host_field == Some(*field) && text(config, "base_url");
                    if !text(config, field) && !host_given {
                        errs.push(FieldError::new(
                            format!("config.{field}"),
                            "required",
                            *what,
                        ));
                    }
                }
                for (field, what) in req.credentials {
                    if !text(credentials, field) {
                        errs.push(FieldError::new(
                            format!("credentials.{field}"),
                            "required",
                            *what,
                        ));
                    }
                }
            }
            None => errs.push(FieldError::new(
                "provider",
                "invalid_choice",
                format!("must be one of {}", PROVIDERS.join(", ")),
            )),
        },
    }
    // Slack: where notices without a person to go to are posted (optional).
    if provider == "slack"
        && let Some(channel) = config.get("notify_channel").filter(|c| !c.is_null())
    {
        let ok = channel
            .as_str()
            .is_some_and(|c| !c.is_empty() && c.len() <= 80 && !c.chars().any(char::is_whitespace));
        if !ok {
            errs.push(FieldError::new(
                "config.notify_channel",
                "invalid_format",
                "a Slack channel id, e.g. C0123456789",
            ));
        }
    }
    errs
}

/// An integration as the API shows it; credentials are write-only and never returned.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IntegrationView {
    pub id: IntegrationId,
    pub provider: String,
    pub name: String,
    #[schema(value_type = Object)]
    pub config: Value,
    /// Which credential fields are set (their values are never shown).
    pub credentials_set: Vec<String>,
    /// `active`, `needs_attention` (e.g. bad credentials) or `disabled`.
    pub status: String,
    pub status_detail: Option<String>,
    /// Cron expression of scheduled syncs, if any.
    pub schedule: Option<String>,
    /// When the schedule next queues a sync.
    pub next_sync_at: Option<DateTime<Utc>>,
    pub last_tested_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Deserialize, ToSchema)]
pub struct CreateIntegration {
    pub provider: String,
    pub name: Option<String>,
    #[schema(value_type = Object)]
    pub config: Value,
    #[schema(value_type = Object)]
    pub credentials: Value,
    pub schedule: Option<String>,
}

/// A change to an integration. Absent fields stay as they are; `credentials` fields are merged
/// into the stored ones (a field set to `null` is removed), so one secret can be rotated alone.
#[derive(Deserialize, ToSchema, Default)]
pub struct UpdateIntegration {
    pub name: Option<String>,
    /// Replaces the config (validated like on creation).
    #[schema(value_type = Option<Object>)]
    pub config: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub credentials: Option<Value>,
    /// A cron expression; `""` or `null` removes the schedule.
    #[serde(default, deserialize_with = "crate::platform::validation::nullable")]
    #[schema(value_type = Option<String>)]
    pub schedule: Option<Option<String>>,
    /// `active` or `disabled` (a disabled integration neither syncs on schedule nor accepts
    /// webhooks). Setting `active` also clears `needs_attention`.
    pub status: Option<String>,
    /// The version the change is based on (or `If-Match`).
    pub version: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct TestResult {
    pub ok: bool,
    pub detail: String,
}

/// A cron expression of scheduled syncs, checked by the scheduler's parser.
fn schedule(field: &str, raw: &str) -> Result<Option<String>, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    crate::platform::schedule::parse_schedule(s)
        .map(|_| Some(s.to_owned()))
        .map_err(|why| FieldError::new(field, "invalid_format", why))
}

/// A JSON object field (`config`, `credentials`), or its complaint.
fn object(errs: &mut Errors, field: &str, v: &Value) {
    if !v.is_object() {
        errs.add(field, "invalid_type", "must be an object");
    }
}

/// A valid new connection: the provider's config and credentials are all there.
#[derive(Debug, PartialEq)]
pub struct NewIntegration {
    pub provider: String,
    /// The provider id when the request names none.
    pub name: String,
    pub config: Value,
    pub credentials: Value,
    pub schedule: Option<String>,
}

impl NewIntegration {
    /// Checks the provider's config and credentials (each missing or wrong field named), the
    /// name and the schedule, all at once.
    pub fn parse(req: CreateIntegration) -> Result<Self, FieldErrors> {
        let mut errs = Errors::default();
        let provider = req.provider.trim().to_owned();
        for e in check_provider(&provider, &req.config, &req.credentials) {
            errs.push(e);
        }
        object(&mut errs, "config", &req.config);
        object(&mut errs, "credentials", &req.credentials);
        let schedule = req
            .schedule
            .as_deref()
            .and_then(|s| errs.take(schedule("schedule", s)))
            .flatten();
        let name = req
            .name
            .as_deref()
            .and_then(|n| errs.take(v::required_text("name", n, 120)));
        if !errs.0.is_empty() {
            return Err(errs.0);
        }
        Ok(Self {
            name: name.unwrap_or_else(|| provider.clone()),
            provider,
            config: req.config,
            credentials: req.credentials,
            schedule,
        })
    }
}

/// Whether an integration works for its tenant, as a change may set it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enablement {
    /// Also clears `needs_attention`.
    Active,
    /// Neither syncs on schedule nor accepts webhooks.
    Disabled,
}

impl Enablement {
    pub fn as_str(self) -> &'static str {
        match self {
            Enablement::Active => "active",
            Enablement::Disabled => "disabled",
        }
    }
}

/// A valid change to an integration, before it meets the stored one (see [`Self::apply`]).
#[derive(Debug, Default, PartialEq)]
pub struct IntegrationPatch {
    pub name: Option<String>,
    pub config: Option<Value>,
    /// Fields to merge into the stored credentials; a `null` removes the field.
    pub credentials: Option<serde_json::Map<String, Value>>,
    /// `Some(None)` removes the schedule.
    pub schedule: Option<Option<String>>,
    pub status: Option<Enablement>,
    pub version: Option<i32>,
}

/// What a patch makes of the stored config and credentials.
#[derive(Debug, PartialEq)]
pub struct Applied {
    pub config: Value,
    pub credentials: Value,
    /// The credential fields the patch set or removed (their names only, for the audit log).
    pub changed_credentials: Vec<String>,
}

impl IntegrationPatch {
    pub fn parse(req: UpdateIntegration) -> Result<Self, FieldErrors> {
        let mut errs = Errors::default();
        let name = req
            .name
            .as_deref()
            .and_then(|n| errs.take(v::required_text("name", n, 120)));
        let schedule = match req.schedule {
            None => None,
            Some(None) => Some(None),
            Some(Some(s)) => errs.take(schedule("schedule", &s)),
        };
        let status = match req.status.as_deref() {
            None => None,
            Some("active") => Some(Enablement::Active),
            Some("disabled") => Some(Enablement::Disabled),
            Some(_) => {
                errs.add("status", "invalid_choice", "must be active or disabled");
                None
            }
        };
        if let Some(c) = &req.config {
            object(&mut errs, "config", c);
        }
        let credentials = match req.credentials {
            None => None,
            Some(Value::Object(m)) => Some(m),
            Some(_) => {
                errs.add("credentials", "invalid_type", "must be an object");
                None
            }
        };
        if !errs.0.is_empty() {
            return Err(errs.0);
        }
        Ok(Self {
            name,
            config: req.config,
            credentials,
            schedule,
            status,
            version: req.version,
        })
    }

    /// Merges the patch into the stored config and credentials of a `provider` connection, and
    /// checks that the provider still has everything it needs.
    pub fn apply(
        &self,
        provider: &str,
        stored_config: &Value,
        mut stored_credentials: Value,
    ) -> Result<Applied, FieldErrors> {
        let mut changed = vec![];
        if let (Some(patch), Value::Object(stored)) = (&self.credentials, &mut stored_credentials) {
            for (k, v) in patch {
                changed.push(k.clone());
                if v.is_null() {
                    stored.remove(k);
                } else {
                    stored.insert(k.clone(), v.clone());
                }
            }
        }
        let config = self.config.clone().unwrap_or_else(|| stored_config.clone());
        let problems = check_provider(provider, &config, &stored_credentials);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Applied {
            config,
            credentials: stored_credentials,
            changed_credentials: changed,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(e: &FieldErrors) -> Vec<(&str, &str)> {
        e.iter()
            .map(|f| (f.field.as_str(), f.code.as_str()))
            .collect()
    }

    fn create(provider: &str, config: Value, credentials: Value) -> CreateIntegration {
        CreateIntegration {
            provider: provider.into(),
            name: None,
            config,
            credentials,
            schedule: None,
        }
    }

    #[test]
    fn a_new_integration_names_every_missing_field_at_once() {
        let mut req = create("jira_service_management", json!({}), json!({}));
        req.schedule = Some("every tuesday-ish".into());
        req.name = Some("  ".into());
        let e = NewIntegration::parse(req).unwrap_err();
        assert_eq!(
            fields(&e),
            vec![
                ("config.site", "required"),
                ("config.service_desk_id", "required"),
                ("config.request_type_id", "required"),
                ("credentials.email", "required"),
                ("credentials.api_token", "required"),
                ("schedule", "invalid_format"),
                ("name", "required"),
            ]
        );
    }

    #[test]
    fn a_new_integration_is_named_after_its_provider_by_default() {
        let n = NewIntegration::parse(create(
            " bamboohr ",
            json!({"subdomain": "acme"}),
            json!({"api_key": "k"}),
        ))
        .unwrap();
        assert_eq!(n.provider, "bamboohr");
        assert_eq!(n.name, "bamboohr");
        assert_eq!(n.schedule, None);
    }

    #[test]
    fn unknown_providers_and_non_objects_are_refused() {
        let e = NewIntegration::parse(create("fax", json!([]), json!("secret"))).unwrap_err();
        assert_eq!(
            fields(&e),
            vec![
                ("provider", "invalid_choice"),
                ("config", "invalid_type"),
                ("credentials", "invalid_type"),
            ]
        );
    }

    #[test]
    fn a_patch_checks_its_own_fields_at_once() {
        let e = IntegrationPatch::parse(UpdateIntegration {
            name: Some("".into()),
            config: Some(json!(1)),
            credentials: Some(json!([])),
            schedule: Some(Some("nope".into())),
            status: Some("paused".into()),
            version: None,
        })
        .unwrap_err();
        assert_eq!(
            fields(&e),
            vec![
                ("name", "required"),
                ("schedule", "invalid_format"),
                ("status", "invalid_choice"),
                ("config", "invalid_type"),
                ("credentials", "invalid_type"),
            ]
        );
        let p = IntegrationPatch::parse(UpdateIntegration {
            schedule: Some(Some("  ".into())),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(p.schedule, Some(None));
    }

    #[test]
    fn credentials_are_merged_field_by_field_and_rechecked() {
        let p = IntegrationPatch::parse(UpdateIntegration {
            credentials: Some(json!({"api_key": "new", "webhook_private_key": null})),
            ..Default::default()
        })
        .unwrap();
        let stored = json!({"api_key": "old", "webhook_private_key": "w"});
        let a = p
            .apply("bamboohr", &json!({"subdomain": "acme"}), stored.clone())
            .unwrap();
        assert_eq!(a.credentials, json!({"api_key": "new"}));
        assert_eq!(
            a.changed_credentials,
            vec!["api_key", "webhook_private_key"]
        );
        let removed = IntegrationPatch::parse(UpdateIntegration {
            credentials: Some(json!({"api_key": null})),
            ..Default::default()
        })
        .unwrap();
        let e = removed
            .apply("bamboohr", &json!({"subdomain": "acme"}), stored)
            .unwrap_err();
        assert_eq!(fields(&e), vec![("credentials.api_key", "required")]);
    }
}
