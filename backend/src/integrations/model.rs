//! Integration types and rules: providers, their required config and credentials.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::platform::error::FieldError;

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

/// Providers whose connector is available in this release.
pub const AVAILABLE: [&str; 2] = ["bamboohr", "hibob"];

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
        "hibob" => {
            for (field, what) in [
                ("service_user_id", "the HiBob service user's id"),
                ("token", "the HiBob service user's token"),
            ] {
                if !text(credentials, field) {
                    errs.push(FieldError::new(
                        format!("credentials.{field}"),
                        "required",
                        what,
                    ));
                }
            }
        }
        p if PROVIDERS.contains(&p) => errs.push(FieldError::new(
            "provider",
            "not_available",
            format!("the {p} connector is not available yet"),
        )),
        _ => errs.push(FieldError::new(
            "provider",
            "invalid_choice",
            format!("must be one of {}", PROVIDERS.join(", ")),
        )),
    }
    errs
}

/// An integration as the API shows it; credentials are write-only and never returned.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IntegrationView {
    pub id: Uuid,
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
