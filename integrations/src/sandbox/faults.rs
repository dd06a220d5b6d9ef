//! Misbehaviour a test or a developer asks of a simulated vendor: the next requests rate
//! limited, failing, slow, or answered with broken records. Each vendor renders it in its own
//! dialect (error headers or bodies, rate-limit headers).

use std::time::Duration;

use actix_web::HttpResponseBuilder;
use actix_web::http::StatusCode;
use serde::{Deserialize, Serialize};

/// Misbehaviour for the next vendor requests of one company. Fields left out of a control
/// request keep their current value.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Faults {
    /// Answer this many next requests with 429.
    #[serde(default)]
    pub rate_limit_next: u32,
    /// The `Retry-After` seconds sent with those 429s (and with 503 failures); default 1.
    #[serde(default)]
    pub retry_after_secs: Option<u64>,
    /// Leave `Retry-After` off the 429s, so that only the vendor's own rate-limit headers (if
    /// it has any) say how long to wait.
    #[serde(default)]
    pub without_retry_after: bool,
    /// Answer this many next requests with `fail_status`.
    #[serde(default)]
    pub fail_next: u32,
    /// The status for `fail_next` (default 500).
    #[serde(default)]
    pub fail_status: Option<u16>,
    /// Employees whose records come back malformed (a hire or start date that is no date).
    #[serde(default)]
    pub malformed_ids: Vec<String>,
    /// Delay this many next requests by `slow_ms` before answering (to provoke timeouts).
    #[serde(default)]
    pub slow_next: u32,
    #[serde(default)]
    pub slow_ms: u64,
}

/// A control request's change to [`Faults`]: only the fields given change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultsPatch {
    rate_limit_next: Option<u32>,
    retry_after_secs: Option<u64>,
    without_retry_after: Option<bool>,
    fail_next: Option<u32>,
    fail_status: Option<u16>,
    malformed_ids: Option<Vec<String>>,
    slow_next: Option<u32>,
    slow_ms: Option<u64>,
}

impl FaultsPatch {
    pub(crate) fn apply(self, faults: &mut Faults) {
        let FaultsPatch {
            rate_limit_next,
            retry_after_secs,
            without_retry_after,
            fail_next,
            fail_status,
            malformed_ids,
            slow_next,
            slow_ms,
        } = self;
        faults.rate_limit_next = rate_limit_next.unwrap_or(faults.rate_limit_next);
        faults.retry_after_secs = retry_after_secs.or(faults.retry_after_secs);
        faults.without_retry_after = without_retry_after.unwrap_or(faults.without_retry_after);
        faults.fail_next = fail_next.unwrap_or(faults.fail_next);
        faults.fail_status = fail_status.or(faults.fail_status);
        if let Some(ids) = malformed_ids {
            faults.malformed_ids = ids;
        }
        faults.slow_next = slow_next.unwrap_or(faults.slow_next);
        faults.slow_ms = slow_ms.unwrap_or(faults.slow_ms);
    }
}

/// What the next request gets instead of its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Misbehaviour {
    /// A 429; `retry_after_secs` goes into `Retry-After` unless `send_retry_after` is false.
    RateLimited {
        retry_after_secs: u64,
        send_retry_after: bool,
    },
    /// A failure status; a 503 carries `Retry-After: retry_after_secs`.
    Failed {
        status: StatusCode,
        retry_after_secs: u64,
    },
}

impl Misbehaviour {
    /// The response's status and `Retry-After` (where due); the vendor adds its own headers and
    /// body.
    pub(crate) fn response(self) -> HttpResponseBuilder {
        let (status, retry_after) = match self {
            Misbehaviour::RateLimited {
                retry_after_secs,
                send_retry_after,
            } => (
                StatusCode::TOO_MANY_REQUESTS,
                send_retry_after.then_some(retry_after_secs),
            ),
            Misbehaviour::Failed {
                status,
                retry_after_secs,
            } => (
                status,
                (status == StatusCode::SERVICE_UNAVAILABLE).then_some(retry_after_secs),
            ),
        };
        let mut response = HttpResponseBuilder::new(status);
        if let Some(secs) = retry_after {
            response.insert_header(("Retry-After", secs.to_string()));
        }
        response
    }
}

impl Faults {
    /// Takes the next pending rate limit or failure, if any.
    pub(crate) fn take_misbehaviour(&mut self) -> Option<Misbehaviour> {
        let retry_after_secs = self.retry_after_secs.unwrap_or(1);
        if self.rate_limit_next > 0 {
            self.rate_limit_next -= 1;
            return Some(Misbehaviour::RateLimited {
                retry_after_secs,
                send_retry_after: !self.without_retry_after,
            });
        }
        if self.fail_next > 0 {
            self.fail_next -= 1;
            let status = self
                .fail_status
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return Some(Misbehaviour::Failed {
                status,
                retry_after_secs,
            });
        }
        None
    }

    /// Takes one pending "slow" fault, if any: how long to stall before answering.
    pub(crate) fn take_delay(&mut self) -> Option<Duration> {
        if self.slow_next == 0 {
            return None;
        }
        self.slow_next -= 1;
        Some(Duration::from_millis(self.slow_ms))
    }

    /// Whether the record with this id is to come back broken.
    pub(crate) fn breaks(&self, id: &str) -> bool {
        self.malformed_ids.iter().any(|m| m == id)
    }
}
