//! Parsing request input into domain values, collecting every field's complaint at once.

use chrono::NaiveDate;

use super::error::{ApiError, FieldError};

/// Collects field errors while a request is parsed; `finish` turns any into one 422.
#[derive(Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    pub fn add(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }
    /// Keeps the value or records its error.
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.0))
        }
    }
}

/// A required, trimmed, non-empty string of at most `max` characters.
pub fn required_text(field: &str, v: &str, max: usize) -> Result<String, FieldError> {
    let t = v.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, "required", "must not be empty"));
    }
    if t.chars().count() > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("must be at most {max} characters"),
        ));
    }
    Ok(t.to_owned())
}

/// An optional string: blank becomes `None`.
pub fn optional_text(
    field: &str,
    v: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => required_text(field, t, max).map(Some),
    }
}

/// A syntactically plausible email address, lower-cased.
pub fn email(field: &str, v: &str) -> Result<String, FieldError> {
    let e = v.trim().to_lowercase();
    let valid = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !e.chars().any(char::is_whitespace)
        && e.matches('@').count() == 1;
    if valid {
        Ok(e)
    } else {
        Err(FieldError::new(
            field,
            "invalid_format",
            "must be an email address",
        ))
    }
}

/// A calendar date `YYYY-MM-DD`.
pub fn date(field: &str, v: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, "invalid_format", "must be a date like 2026-01-31"))
}

/// A password strong enough to keep: 10 to 256 characters.
pub fn password(field: &str, v: &str) -> Result<String, FieldError> {
    let n = v.chars().count();
    if n < 10 {
        return Err(FieldError::new(
            field,
            "too_short",
            "must be at least 10 characters",
        ));
    }
    if n > 256 {
        return Err(FieldError::new(
            field,
            "too_long",
            "must be at most 256 characters",
        ));
    }
    Ok(v.to_owned())
}

/// For PATCH bodies: tells "absent" (`None`) from "set to null" (`Some(None)`).
/// Use with `#[serde(default, deserialize_with = "crate::platform::validation::nullable")]`.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(
            email("e", " Ada@Example.COM ").ok(),
            Some("ada@example.com".into())
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "a@b",
            "a b@example.com",
            "a@@example.com",
        ] {
            assert!(email("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(required_text("n", "  x ", 3).ok(), Some("x".into()));
        assert_eq!(
            required_text("n", "   ", 3).err().map(|e| e.code),
            Some("required".into())
        );
        assert_eq!(
            required_text("n", "abcd", 3).err().map(|e| e.code),
            Some("too_long".into())
        );
        assert_eq!(optional_text("n", Some(" "), 3).ok(), Some(None));
    }
}
