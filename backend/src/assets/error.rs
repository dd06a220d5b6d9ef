//! The ways an asset use-case fails, each mapped to its code in the one registry ([`Code`]);
//! an [`ApiError`] made from one carries the same code, status, detail and field errors the API
//! has always answered.

use super::model::{AssetStatus, FieldErrors};
use crate::platform::error::{ApiError, Code, FieldError};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AssetError {
    /// The record (`asset`, `category`, `discrepancy`) is not the tenant's, or not the caller's
    /// to see.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The client's version is stale.
    #[error("the asset is at version {current}, not {sent}; reload and try again")]
    StaleVersion { current: i32, sent: i32 },
    /// Another live asset of the tenant has the tag.
    #[error("another asset already has tag {0}")]
    DuplicateTag(String),
    /// Another category or model of the tenant has the name.
    #[error("another record already has this name")]
    DuplicateName,
    /// An edit may not make this status change (see [`AssetStatus::can_become`]).
    #[error(
        "an asset cannot go from {} to {}{}",
        .from.as_str(),
        .to.as_str(),
        transition_hint(*.from, *.to)
    )]
    InvalidTransition { from: AssetStatus, to: AssetStatus },
    /// Only in-stock assets are checked out.
    #[error("only in-stock assets can be checked out; this one is {}", .0.as_str())]
    NotInStock(AssetStatus),
    /// Only checked-out assets are checked in (the stored status, as stored).
    #[error("only checked-out assets can be checked in; this one is {0}")]
    NotCheckedOut(String),
    /// A checked-out asset is checked in before it is deleted.
    #[error("the asset is checked out; check it in before deleting it")]
    CheckedOut,
    /// An open discrepancy is the only kind dismissed.
    #[error("the discrepancy is {0}, not open")]
    DiscrepancyNotOpen(String),
    /// Fields of the request are wrong (each named).
    #[error("one or more fields are invalid")]
    Invalid(FieldErrors),
}

fn transition_hint(from: AssetStatus, to: AssetStatus) -> &'static str {
    match (from, to) {
        (_, AssetStatus::Assigned) => "; use check-out",
        (AssetStatus::Assigned, _) => "; check the asset in first",
        _ => "",
    }
}

impl AssetError {
    /// One field is wrong.
    pub fn field(field: &str, code: &str, message: &str) -> Self {
        Self::Invalid(vec![FieldError::new(field, code, message)])
    }

    pub fn code(&self) -> Code {
        match self {
            AssetError::NotFound(_) => Code::NotFound,
            AssetError::StaleVersion { .. } => Code::VersionConflict,
            AssetError::DuplicateTag(_) => Code::DuplicateTag,
            AssetError::DuplicateName => Code::DuplicateName,
            AssetError::InvalidTransition { .. }
            | AssetError::NotInStock(_)
            | AssetError::NotCheckedOut(_)
            | AssetError::DiscrepancyNotOpen(_) => Code::InvalidTransition,
            AssetError::CheckedOut => Code::Conflict,
            AssetError::Invalid(_) => Code::Validation,
        }
    }
}

impl From<AssetError> for ApiError {
    fn from(e: AssetError) -> Self {
        match e {
            AssetError::Invalid(errors) => ApiError::validation(errors),
            AssetError::DuplicateTag(_) => ApiError {
                errors: vec![FieldError::new("tag", "taken", "is already in use")],
                ..ApiError::new(e.code(), e.to_string())
            },
            AssetError::DuplicateName => ApiError {
                errors: vec![FieldError::new("name", "taken", "is already in use")],
                ..ApiError::new(e.code(), e.to_string())
            },
            e => ApiError::new(e.code(), e.to_string()),
        }
    }
}

/// Field errors collected so far become one validation failure, none is success.
pub(crate) fn finish(errs: FieldErrors) -> Result<(), AssetError> {
    if errs.is_empty() {
        Ok(())
    } else {
        Err(AssetError::Invalid(errs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(e: AssetError) -> (u16, String, Option<String>, Vec<String>) {
        let api = ApiError::from(e);
        (
            api.code.status().as_u16(),
            api.code.as_str().to_owned(),
            api.detail,
            api.errors.into_iter().map(|f| f.field).collect(),
        )
    }

    #[test]
    fn each_failure_keeps_its_code_status_and_detail() {
        assert_eq!(
            wire(AssetError::NotFound("asset")),
            (
                404,
                "not_found".into(),
                Some("asset not found".into()),
                vec![]
            )
        );
        assert_eq!(
            wire(AssetError::StaleVersion {
                current: 3,
                sent: 2
            }),
            (
                409,
                "version_conflict".into(),
                Some("the asset is at version 3, not 2; reload and try again".into()),
                vec![]
            )
        );
        assert_eq!(
            wire(AssetError::DuplicateTag("LAP-1".into())),
            (
                409,
                "duplicate_tag".into(),
                Some("another asset already has tag LAP-1".into()),
                vec!["tag".into()]
            )
        );
        assert_eq!(wire(AssetError::DuplicateName).3, vec!["name".to_owned()]);
        assert_eq!(
            wire(AssetError::InvalidTransition {
                from: AssetStatus::InStock,
                to: AssetStatus::Assigned
            })
            .2,
            Some("an asset cannot go from in_stock to assigned; use check-out".into())
        );
        assert_eq!(
            wire(AssetError::InvalidTransition {
                from: AssetStatus::Assigned,
                to: AssetStatus::Retired
            })
            .2,
            Some("an asset cannot go from assigned to retired; check the asset in first".into())
        );
        assert_eq!(
            wire(AssetError::NotInStock(AssetStatus::InRepair)),
            (
                422,
                "invalid_transition".into(),
                Some("only in-stock assets can be checked out; this one is in_repair".into()),
                vec![]
            )
        );
        assert_eq!(wire(AssetError::CheckedOut).0, 409);
        assert_eq!(
            wire(AssetError::field(
                "due_at",
                "in_the_past",
                "must be in the future"
            )),
            (
                422,
                "validation_failed".into(),
                Some("one or more fields are invalid".into()),
                vec!["due_at".into()]
            )
        );
    }
}
