//! One error story: every failure a client can see is an [`ApiError`] with a stable code from
//! the [`Code`] registry, rendered as RFC 9457 `application/problem+json`. Internal causes are
//! logged once and answered with a generic 500.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// The registry of machine-readable error codes: each has one HTTP status and one title.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    MalformedRequest,
    QueryTooComplex,
    PayloadTooLarge,
    UnsupportedMediaType,
    Unauthenticated,
    InvalidCredentials,
    TokenExpired,
    TokenInvalid,
    RefreshTokenReused,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    DuplicateTag,
    DuplicateEmail,
    DuplicateName,
    VersionConflict,
    IdempotencyKeyReused,
    IdempotencyInProgress,
    Validation,
    InvalidTransition,
    RateLimited,
    DependencyDown,
    InvalidSignature,
    StaleStep,
    Internal,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::MalformedRequest => "malformed_request",
            Code::QueryTooComplex => "query_too_complex",
            Code::PayloadTooLarge => "payload_too_large",
            Code::UnsupportedMediaType => "unsupported_media_type",
            Code::Unauthenticated => "unauthenticated",
            Code::InvalidCredentials => "invalid_credentials",
            Code::TokenExpired => "token_expired",
            Code::TokenInvalid => "token_invalid",
            Code::RefreshTokenReused => "refresh_token_reused",
            Code::Forbidden => "forbidden",
            Code::NotFound => "not_found",
            Code::MethodNotAllowed => "method_not_allowed",
            Code::Conflict => "conflict",
            Code::DuplicateTag => "duplicate_tag",
            Code::DuplicateEmail => "duplicate_email",
            Code::DuplicateName => "duplicate_name",
            Code::VersionConflict => "version_conflict",
            Code::IdempotencyKeyReused => "idempotency_key_reused",
            Code::IdempotencyInProgress => "idempotency_in_progress",
            Code::Validation => "validation_failed",
            Code::InvalidTransition => "invalid_transition",
            Code::RateLimited => "rate_limited",
            Code::DependencyDown => "dependency_unavailable",
            Code::InvalidSignature => "invalid_signature",
            Code::StaleStep => "step_not_active",
            Code::Internal => "internal_error",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Code::MalformedRequest | Code::QueryTooComplex => StatusCode::BAD_REQUEST,
            Code::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Code::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::Unauthenticated
            | Code::InvalidCredentials
            | Code::TokenExpired
            | Code::TokenInvalid
            | Code::RefreshTokenReused
            | Code::InvalidSignature => StatusCode::UNAUTHORIZED,
            Code::Forbidden => StatusCode::FORBIDDEN,
            Code::NotFound => StatusCode::NOT_FOUND,
            Code::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Code::Conflict
            | Code::DuplicateTag
            | Code::DuplicateEmail
            | Code::DuplicateName
            | Code::VersionConflict
            | Code::IdempotencyInProgress
            | Code::StaleStep => StatusCode::CONFLICT,
            Code::IdempotencyKeyReused | Code::Validation | Code::InvalidTransition => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Code::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Code::DependencyDown => StatusCode::SERVICE_UNAVAILABLE,
            Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Code::MalformedRequest => "Malformed request",
            Code::QueryTooComplex => "Query too deep or too complex",
            Code::PayloadTooLarge => "Request body too large",
            Code::UnsupportedMediaType => "Unsupported media type",
            Code::Unauthenticated => "Authentication required",
            Code::InvalidCredentials => "Invalid credentials",
            Code::TokenExpired => "Token expired",
            Code::TokenInvalid => "Invalid token",
            Code::RefreshTokenReused => "Refresh token reused",
            Code::Forbidden => "Forbidden",
            Code::NotFound => "Not found",
            Code::MethodNotAllowed => "Method not allowed",
            Code::Conflict => "Conflict",
            Code::DuplicateTag => "Asset tag already in use",
            Code::DuplicateEmail => "Email already in use",
            Code::DuplicateName => "Name already in use",
            Code::VersionConflict => "Stale version",
            Code::IdempotencyKeyReused => "Idempotency key reused with a different request",
            Code::IdempotencyInProgress => "A request with this idempotency key is in progress",
            Code::Validation => "Validation failed",
            Code::InvalidTransition => "Invalid status transition",
            Code::RateLimited => "Too many requests",
            Code::DependencyDown => "A dependency is unavailable",
            Code::InvalidSignature => "Invalid or stale signature",
            Code::StaleStep => "This step is not awaiting that action",
            Code::Internal => "Internal server error",
        }
    }

    /// The problem `type` URI.
    pub fn type_uri(self) -> String {
        format!(
            "https://assetronics.dev/problems/{}",
            self.as_str().replace('_', "-")
        )
    }
}

/// One field's complaint in a validation problem.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    /// The field, dotted for nested ones (`cost.amount`).
    pub field: String,
    /// A machine code (`required`, `too_long`, `invalid_format`, `not_found`, ...).
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The problem+json body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// An error a client sees. Build one with the constructors; an internal cause is kept for the
/// log and never sent.
#[derive(Debug)]
pub struct ApiError {
    pub code: Code,
    pub detail: Option<String>,
    pub errors: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(code: Code, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: Some(detail.into()),
            errors: vec![],
            retry_after_secs: None,
        }
    }
    pub fn bare(code: Code) -> Self {
        Self {
            code,
            detail: None,
            errors: vec![],
            retry_after_secs: None,
        }
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(Code::NotFound, format!("{what} not found"))
    }
    pub fn forbidden() -> Self {
        Self::new(Code::Forbidden, "your role does not allow this action")
    }
    pub fn validation(errors: Vec<FieldError>) -> Self {
        Self {
            code: Code::Validation,
            detail: Some("one or more fields are invalid".into()),
            errors,
            retry_after_secs: None,
        }
    }
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, code, message)])
    }
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            code: Code::RateLimited,
            detail: Some(format!("try again in {retry_after_secs} s")),
            errors: vec![],
            retry_after_secs: Some(retry_after_secs.max(1)),
        }
    }
    /// Logs the cause once and returns the generic 500.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::bare(Code::Internal)
    }

    pub fn is_not_found(&self) -> bool {
        self.code == Code::NotFound
    }

    /// A 4xx: the request (or the data it names) is wrong; repeating it cannot help.
    pub fn is_client_error(&self) -> bool {
        self.code.status().is_client_error()
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_: self.code.type_uri(),
            title: self.code.title().into(),
            status: self.code.status().as_u16(),
            detail: self.detail.clone(),
            code: self.code.as_str().into(),
            errors: self.errors.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code.as_str())?;
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }
    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        res.content_type("application/problem+json");
        if let Some(secs) = self.retry_after_secs {
            res.insert_header(("Retry-After", secs.to_string()));
        }
        res.json(self.problem())
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        match &e {
            sea_orm::DbErr::ConnectionAcquire(_) | sea_orm::DbErr::Conn(_) => {
                tracing::error!(error = %e, "database unavailable");
                ApiError::new(Code::DependencyDown, "the database is unavailable")
            }
            _ => ApiError::internal(e),
        }
    }
}

impl From<sea_orm::TransactionError<ApiError>> for ApiError {
    fn from(e: sea_orm::TransactionError<ApiError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(api) => api,
        }
    }
}

/// True when the database refused a row because a unique index already holds its key.
pub fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

pub type ApiResult<T> = Result<T, ApiError>;
