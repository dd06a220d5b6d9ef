//! The ways a people use-case fails, each mapped to its code in the one registry ([`Code`]);
//! an [`ApiError`] made from one carries the same code, status, detail and field errors the API
//! has always answered.

use super::model::FieldErrors;
use crate::platform::error::{ApiError, Code, FieldError};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PeopleError {
    /// The record (`employee`, `department`, `location`) is not the tenant's.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The client's version of the employee is stale.
    #[error("the employee is at version {current}, not {sent}")]
    StaleVersion { current: i32, sent: i32 },
    /// Another live employee of the tenant has the email.
    #[error("another employee already has this email")]
    DuplicateEmail,
    /// Another department or location of the tenant has the name.
    #[error("another record already has this name")]
    DuplicateName,
    /// An employee is removed only once they hold nothing.
    #[error("the employee still holds assets; check them in first")]
    HoldsAssets,
    /// Fields of the request are wrong (each named).
    #[error("one or more fields are invalid")]
    Invalid(FieldErrors),
}

impl PeopleError {
    pub fn code(&self) -> Code {
        match self {
            PeopleError::NotFound(_) => Code::NotFound,
            PeopleError::StaleVersion { .. } => Code::VersionConflict,
            PeopleError::DuplicateEmail => Code::DuplicateEmail,
            PeopleError::DuplicateName => Code::DuplicateName,
            PeopleError::HoldsAssets => Code::Conflict,
            PeopleError::Invalid(_) => Code::Validation,
        }
    }
}

impl From<PeopleError> for ApiError {
    fn from(e: PeopleError) -> Self {
        let taken = |field: &str| vec![FieldError::new(field, "taken", "is already in use")];
        match e {
            PeopleError::Invalid(errors) => ApiError::validation(errors),
            PeopleError::DuplicateEmail => ApiError {
                errors: taken("email"),
                ..ApiError::new(e.code(), e.to_string())
            },
            PeopleError::DuplicateName => ApiError {
                errors: taken("name"),
                ..ApiError::new(e.code(), e.to_string())
            },
            e => ApiError::new(e.code(), e.to_string()),
        }
    }
}

/// A unique index refused the row: `dup` when that is the known duplicate, else the database
/// error as it is.
pub(crate) fn unique_or(dup: PeopleError) -> impl FnOnce(sea_orm::DbErr) -> ApiError {
    move |e| {
        if crate::platform::error::is_unique_violation(&e) {
            dup.into()
        } else {
            e.into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(e: PeopleError) -> (u16, String, Option<String>, Vec<(String, String)>) {
        let api = ApiError::from(e);
        (
            api.code.status().as_u16(),
            api.code.as_str().to_owned(),
            api.detail,
            api.errors.into_iter().map(|f| (f.field, f.code)).collect(),
        )
    }

    #[test]
    fn each_failure_keeps_its_code_status_and_detail() {
        assert_eq!(
            wire(PeopleError::NotFound("employee")),
            (
                404,
                "not_found".into(),
                Some("employee not found".into()),
                vec![]
            )
        );
        assert_eq!(
            wire(PeopleError::StaleVersion {
                current: 3,
                sent: 2
            }),
            (
                409,
                "version_conflict".into(),
                Some("the employee is at version 3, not 2".into()),
                vec![]
            )
        );
        assert_eq!(
            wire(PeopleError::DuplicateEmail),
            (
                409,
                "duplicate_email".into(),
                Some("another employee already has this email".into()),
                vec![("email".into(), "taken".into())]
            )
        );
        assert_eq!(
            wire(PeopleError::DuplicateName),
            (
                409,
                "duplicate_name".into(),
                Some("another record already has this name".into()),
                vec![("name".into(), "taken".into())]
            )
        );
        assert_eq!(
            wire(PeopleError::HoldsAssets),
            (
                409,
                "conflict".into(),
                Some("the employee still holds assets; check them in first".into()),
                vec![]
            )
        );
        let invalid = wire(PeopleError::Invalid(vec![FieldError::new(
            "name",
            "required",
            "must not be empty",
        )]));
        assert_eq!(
            (invalid.0, invalid.1, invalid.3),
            (
                422,
                "validation_failed".into(),
                vec![("name".into(), "required".into())]
            )
        );
    }
}
