//! The ways an integration use-case fails, each mapped to its code in the one registry
//! ([`Code`]); an [`ApiError`] made from one carries the same code, status, detail and field
//! errors the API has always answered.
//!
//! A vendor refusing our credentials or being down is not an error of the use-case: a test
//! answers it as a [`super::model::TestResult`], a sync records it on its run, an action at a
//! vendor returns a [`super::service::ActionFailure`].

use super::model::FieldErrors;
use crate::platform::error::{ApiError, Code, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum IntegrationError {
    /// The record (`integration`, `sync run`) is not the tenant's.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The change is based on another version than the stored one.
    #[error("the integration is at version {current}, not {given}")]
    StaleVersion { current: i32, given: i32 },
    /// A disabled integration neither syncs nor accepts webhooks.
    #[error("the integration is disabled; enable it first")]
    Disabled,
    /// The provider has no connector for what was asked (e.g. it cannot sync yet).
    #[error("{0}")]
    NotAvailable(String),
    /// The stored config cannot make a client (e.g. a host that is no URL).
    #[error("{0}")]
    Unusable(String),
    /// Fields of the request are wrong (each named).
    #[error("one or more fields are invalid")]
    Invalid(FieldErrors),
}

impl IntegrationError {
    pub fn code(&self) -> Code {
        match self {
            IntegrationError::NotFound(_) => Code::NotFound,
            IntegrationError::StaleVersion { .. } => Code::VersionConflict,
            IntegrationError::Disabled => Code::InvalidTransition,
            IntegrationError::NotAvailable(_)
            | IntegrationError::Unusable(_)
            | IntegrationError::Invalid(_) => Code::Validation,
        }
    }
}

impl From<FieldErrors> for IntegrationError {
    fn from(errors: FieldErrors) -> Self {
        IntegrationError::Invalid(errors)
    }
}

impl From<IntegrationError> for ApiError {
    fn from(e: IntegrationError) -> Self {
        match e {
            IntegrationError::Invalid(errors) => ApiError::validation(errors),
            IntegrationError::NotAvailable(why) => {
                ApiError::validation(vec![FieldError::new("provider", "not_available", why)])
            }
            IntegrationError::Unusable(why) => {
                ApiError::validation(vec![FieldError::new("config", "invalid_value", why)])
            }
            other => ApiError::new(other.code(), other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_their_codes_and_details() {
        let e: ApiError = IntegrationError::NotFound("sync run").into();
        assert_eq!(
            (e.code, e.detail.as_deref()),
            (Code::NotFound, Some("sync run not found"))
        );
        let e: ApiError = IntegrationError::StaleVersion {
            current: 3,
            given: 2,
        }
        .into();
        assert_eq!(e.code, Code::VersionConflict);
        assert_eq!(
            e.detail.as_deref(),
            Some("the integration is at version 3, not 2")
        );
        let e: ApiError = IntegrationError::Disabled.into();
        assert_eq!(e.code, Code::InvalidTransition);
        let e: ApiError =
            IntegrationError::NotAvailable("this connector cannot sync yet".into()).into();
        assert_eq!(e.code, Code::Validation);
        assert_eq!(
            (e.errors[0].field.as_str(), e.errors[0].code.as_str()),
            ("provider", "not_available")
        );
    }
}
