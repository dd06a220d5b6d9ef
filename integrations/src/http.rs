//! HTTP plumbing shared by every vendor client.
//!
//! A [`VendorHttp`] is built once per integration (one tenant's connection to one vendor) and
//! gives each call:
//! - a per-request timeout and a connect timeout;
//! - retries with exponential backoff and full jitter ([`backon`]) for the retryable classes
//!   only (429, 5xx, timeouts, connection failures); a `Retry-After` from a 429 or 503 replaces
//!   the computed delay, and a wait longer than [`HttpPolicy::max_retry_after`] is not slept
//!   through: the error goes back to the caller (a job reschedules itself instead of holding a
//!   worker);
//! - a rate limit per integration ([`governor`]) so a full pull stays under the vendor's quota;
//! - a circuit breaker ([`failsafe`]): after [`HttpPolicy::breaker_failures`] consecutive
//!   outage-class failures, calls fail fast with [`VendorError::CircuitOpen`] for
//!   [`HttpPolicy::breaker_open_for`], then one trial call decides whether it closes again.
//!   Credential errors and rate limits do not count against the breaker: the vendor is up.
//!
//! Vendors explain errors and rate limits differently: [`ErrorConventions`] says where one puts
//! its error text (a header, a JSON field) and which header, besides `Retry-After`, tells how long
//! to wait after a 429.
//!
//! `backon` and `failsafe` are small, maintained crates that are generic over futures, so they
//! work with reqwest 0.13 directly (a reqwest-middleware stack would pin an older reqwest).

use std::num::NonZeroU32;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use failsafe::failure_policy::ConsecutiveFailures;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode, Url};

/// Knobs for one integration's HTTP behaviour. [`HttpPolicy::default`] suits vendor APIs.
#[derive(Debug, Clone)]
pub struct HttpPolicy {
    /// Whole-request timeout (headers and body).
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries after the first attempt; 0 disables retrying.
    pub max_retries: usize,
    /// First backoff delay; doubles each retry up to `max_backoff`, with jitter.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// The longest `Retry-After` honored in-process; longer waits are returned as errors.
    pub max_retry_after: Duration,
    /// Requests per second allowed to the vendor for this integration.
    pub requests_per_second: NonZeroU32,
    /// Consecutive outage-class failures that open the circuit.
    pub breaker_failures: u32,
    /// How long an open circuit rejects calls before a trial call.
    pub breaker_open_for: Duration,
}

impl Default for HttpPolicy {
    fn default() -> Self {
        HttpPolicy {
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            max_retries: 4,
            min_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            requests_per_second: NonZeroU32::MIN.saturating_add(9),
            breaker_failures: 5,
            breaker_open_for: Duration::from_secs(30),
        }
    }
}

/// A failed vendor call, classified by what the caller should do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VendorError {
    /// 401: the credentials are wrong or revoked. Needs a person; never retried.
    #[error("the vendor rejected the credentials: {message}")]
    Unauthorized { message: String },
    /// 403: the credentials lack a permission. Needs a person; never retried.
    #[error("the vendor denied access: {message}")]
    Forbidden { message: String },
    /// 429: too many requests; `retry_after` is the vendor's requested wait, when given.
    #[error("the vendor is rate limiting us (retry after {retry_after:?})")]
    RateLimited { retry_after: Option<Duration> },
    /// 5xx, 408, timeouts, refused or dropped connections. Retryable.
    #[error("the vendor is unavailable: {message}")]
    Unavailable {
        message: String,
        retry_after: Option<Duration>,
    },
    /// Too many recent outage-class failures: the call was not attempted.
    #[error("circuit open: too many recent failures reaching the vendor")]
    CircuitOpen,
    /// A success response whose body was not what the vendor documents.
    #[error("unexpected response from the vendor: {message}")]
    InvalidResponse { message: String },
    /// Anything else (other 4xx, request building errors). Not retried.
    #[error("vendor call failed: {message}")]
    Other { message: String },
}

impl VendorError {
    /// Bad credentials or missing permission: mark the integration as needing attention.
    pub fn needs_attention(&self) -> bool {
        matches!(
            self,
            VendorError::Unauthorized { .. } | VendorError::Forbidden { .. }
        )
    }

    /// Whether an immediate retry (after backoff) may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            VendorError::RateLimited { .. } | VendorError::Unavailable { .. }
        )
    }

    /// The vendor's requested wait, from `Retry-After`.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            VendorError::RateLimited { retry_after }
            | VendorError::Unavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether this failure says the vendor is down (and so counts towards opening the circuit).
    fn is_outage(&self) -> bool {
        matches!(self, VendorError::Unavailable { .. })
    }

    fn from_transport(err: &reqwest::Error) -> Self {
        if err.is_timeout() || err.is_connect() || err.is_request() || err.is_body() {
            VendorError::Unavailable {
                message: err.to_string(),
                retry_after: None,
            }
        } else {
            VendorError::Other {
                message: err.to_string(),
            }
        }
    }
}

/// Where a vendor puts its error text and its rate-limit reset time. The default reads neither:
/// messages are the HTTP status and only `Retry-After` sets a wait.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ErrorConventions {
    /// A response header carrying the vendor's error text, e.g. `X-BambooHR-Error-Message`.
    pub message_header: Option<&'static str>,
    /// Where a JSON error body carries the error text: a top-level string field, e.g. HiBob's
    /// `error`, or a JSON pointer (RFC 6901, starting with `/`) into a nested body, e.g.
    /// Microsoft Graph's `/error/message`. Read only when `message_header` gave nothing.
    pub message_body_field: Option<&'static str>,
    /// A header holding the Unix time (seconds) at which the rate-limit window resets, e.g.
    /// `X-RateLimit-Reset`; a 429 without `Retry-After` waits until then.
    pub rate_limit_reset_header: Option<&'static str>,
}

/// The longest vendor error text kept in a [`VendorError`] message.
const MAX_MESSAGE_CHARS: usize = 300;

type Breaker = failsafe::StateMachine<ConsecutiveFailures<failsafe::backoff::Constant>, ()>;

/// One integration's HTTP client: share it (it is cheap to clone) across that integration's
/// calls so the rate limit and the circuit breaker see all of them.
#[derive(Clone)]
pub struct VendorHttp {
    client: Client,
    policy: HttpPolicy,
    limiter: std::sync::Arc<DefaultDirectRateLimiter>,
    breaker: Breaker,
    conventions: ErrorConventions,
}

impl std::fmt::Debug for VendorHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VendorHttp")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl VendorHttp {
    /// Builds the client. `error_message_header` names the header carrying the vendor's error
    /// text, used in error messages.
    pub fn new(
        policy: HttpPolicy,
        error_message_header: &'static str,
    ) -> Result<Self, VendorError> {
        Self::with_conventions(
            policy,
            ErrorConventions {
                message_header: Some(error_message_header),
                ..ErrorConventions::default()
            },
        )
    }

    /// Builds the client for a vendor whose error text and rate-limit hints are where
    /// `conventions` says.
    pub fn with_conventions(
        policy: HttpPolicy,
        conventions: ErrorConventions,
    ) -> Result<Self, VendorError> {
        let client = Client::builder()
            .timeout(policy.timeout)
            .connect_timeout(policy.connect_timeout)
            .user_agent(concat!("Assetronics/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| VendorError::Other {
                message: format!("building the HTTP client: {e}"),
            })?;
        let limiter = RateLimiter::direct(Quota::per_second(policy.requests_per_second));
        let breaker = failsafe::Config::new()
            .failure_policy(failsafe::failure_policy::consecutive_failures(
                policy.breaker_failures,
                failsafe::backoff::constant(policy.breaker_open_for),
            ))
            .build();
        Ok(VendorHttp {
            client,
            policy,
            limiter: std::sync::Arc::new(limiter),
            breaker,
            conventions,
        })
    }

    /// Whether the circuit currently lets calls through.
    pub fn circuit_closed(&self) -> bool {
        self.breaker.is_call_permitted()
    }

    /// Sends the request `build` makes (called once per attempt), retrying retryable failures,
    /// and returns the first successful (2xx) response or the classified failure.
    pub async fn send<F>(&self, build: F) -> Result<Response, VendorError>
    where
        F: Fn(&Client) -> RequestBuilder,
    {
        self.send_accepting(build, &[]).await
    }

    /// [`VendorHttp::send`], except that a response whose status is in `accepted` comes back
    /// as it is, unclassified and not retried, for the caller to read: a 404 that means "no
    /// such device", an OAuth token endpoint's 400 that explains which credential is wrong.
    pub async fn send_accepting<F>(
        &self,
        build: F,
        accepted: &[StatusCode],
    ) -> Result<Response, VendorError>
    where
        F: Fn(&Client) -> RequestBuilder,
    {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.policy.min_backoff)
            .with_max_delay(self.policy.max_backoff)
            .with_max_times(self.policy.max_retries)
            .with_jitter();
        let max_retry_after = self.policy.max_retry_after;
        (|| self.attempt(&build, accepted))
            .retry(backoff)
            .when(VendorError::is_retryable)
            .adjust(move |err, delay| match (delay, err.retry_after()) {
                (None, _) => None,
                (Some(_), Some(asked)) if asked > max_retry_after => None,
                (Some(_), Some(asked)) => Some(asked),
                (Some(computed), None) => Some(computed),
            })
            .notify(|err, delay| {
                tracing::warn!(error = %err, ?delay, "vendor call failed; retrying");
            })
            .await
    }

    /// [`VendorHttp::send`], then the body read as JSON; a body that is not JSON is
    /// [`VendorError::InvalidResponse`].
    pub async fn send_json<F>(&self, build: F) -> Result<serde_json::Value, VendorError>
    where
        F: Fn(&Client) -> RequestBuilder,
    {
        read_json(self.send(build).await?).await
    }

    /// A JSON call with HTTP Basic auth (`user`, `password`): `Accept: application/json`,
    /// `body` sent as JSON when given, the answer read as JSON ([`VendorHttp::send_json`]).
    pub async fn basic_json(
        &self,
        method: Method,
        url: Url,
        (user, password): (&str, &str),
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value, VendorError> {
        self.send_json(|client| {
            let request = client
                .request(method.clone(), url.clone())
                .basic_auth(user, Some(password))
                .header(reqwest::header::ACCEPT, "application/json");
            match body {
                Some(body) => request.json(body),
                None => request,
            }
        })
        .await
    }

    async fn attempt<F>(&self, build: &F, accepted: &[StatusCode]) -> Result<Response, VendorError>
    where
        F: Fn(&Client) -> RequestBuilder,
    {
        if !self.breaker.is_call_permitted() {
            return Err(VendorError::CircuitOpen);
        }
        self.limiter.until_ready().await;
        let outcome = match build(&self.client).send().await {
            Ok(response) if accepted.contains(&response.status()) => Ok(response),
            Ok(response) => self.classify(response).await,
            Err(err) => Err(VendorError::from_transport(&err)),
        };
        match &outcome {
            Err(err) if err.is_outage() => self.breaker.on_error(),
            _ => self.breaker.on_success(),
        }
        outcome
    }

    async fn classify(&self, response: Response) -> Result<Response, VendorError> {
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let headers = response.headers();
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let retry_after = header(reqwest::header::RETRY_AFTER.as_str())
            .and_then(parse_retry_after)
            .or_else(|| {
                let reset = self.conventions.rate_limit_reset_header?;
                (status == StatusCode::TOO_MANY_REQUESTS)
                    .then(|| header(reset))
                    .flatten()
                    .and_then(parse_rate_limit_reset)
            });
        let header_message = self
            .conventions
            .message_header
            .and_then(header)
            .map(str::to_owned);
        let message = match (header_message, self.conventions.message_body_field) {
            (Some(message), _) => Some(message),
            (None, Some(field)) => body_message(response, field).await,
            (None, None) => None,
        }
        .unwrap_or_else(|| status.to_string());
        Err(match status {
            StatusCode::UNAUTHORIZED => VendorError::Unauthorized { message },
            StatusCode::FORBIDDEN => VendorError::Forbidden { message },
            StatusCode::TOO_MANY_REQUESTS => VendorError::RateLimited { retry_after },
            StatusCode::REQUEST_TIMEOUT => VendorError::Unavailable {
                message,
                retry_after,
            },
            s if s.is_server_error() => VendorError::Unavailable {
                message,
                retry_after,
            },
            _ => VendorError::Other { message },
        })
    }
}

/// `{host}/{path}` for a vendor host from an integration's config (surrounding whitespace and
/// trailing slashes ignored); only `https` and `http` hosts are accepted. `what` names the
/// host in the error, e.g. "Jamf Pro URL".
pub fn vendor_url(host: &str, path: &str, what: &str) -> Result<Url, VendorError> {
    let host = host.trim().trim_end_matches('/');
    Url::parse(&format!("{host}/{path}"))
        .ok()
        .filter(|url| matches!(url.scheme(), "https" | "http"))
        .ok_or_else(|| VendorError::Other {
            message: format!("invalid {what} {host:?}"),
        })
}

/// `path` resolved against an API root that ends with `/`.
pub fn join(base: &Url, path: &str) -> Result<Url, VendorError> {
    base.join(path).map_err(|e| VendorError::Other {
        message: format!("building URL for {path}: {e}"),
    })
}

/// A response body read as JSON; a body that is not JSON is [`VendorError::InvalidResponse`],
/// one that breaks off is [`VendorError::Unavailable`].
pub async fn read_json(response: Response) -> Result<serde_json::Value, VendorError> {
    let url = response.url().clone();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| VendorError::Unavailable {
            message: format!("reading the response: {e}"),
            retry_after: None,
        })?;
    serde_json::from_slice(&bytes).map_err(|e| VendorError::InvalidResponse {
        message: format!("{url}: not JSON: {e}"),
    })
}

/// The string at `field` of a JSON error body (a top-level field, or a JSON pointer when it
/// starts with `/`), cut to [`MAX_MESSAGE_CHARS`].
async fn body_message(response: Response, field: &str) -> Option<String> {
    let bytes = response.bytes().await.ok()?;
    let body: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let value = if field.starts_with('/') {
        body.pointer(field)
    } else {
        body.get(field)
    };
    let text = value?.as_str()?.trim();
    (!text.is_empty()).then(|| text.chars().take(MAX_MESSAGE_CHARS).collect())
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// Parses a rate-limit reset header: the Unix time (seconds) at which the window resets, as
/// `X-RateLimit-Reset` carries it. Answers the wait from now (zero when already past).
pub fn parse_rate_limit_reset(value: &str) -> Option<Duration> {
    let at = value.trim().parse::<i64>().ok()?;
    // Some gateways send milliseconds; no reset is 3,000 years away.
    let at_secs = if at > 100_000_000_000 { at / 1000 } else { at };
    let wait = at_secs.saturating_sub(chrono::Utc::now().timestamp());
    Some(Duration::from_secs(u64::try_from(wait).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_accepts_seconds_and_http_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let later = (chrono::Utc::now() + chrono::Duration::seconds(90)).to_rfc2822();
        let wait = parse_retry_after(&later).unwrap();
        assert!(wait > Duration::from_secs(80) && wait <= Duration::from_secs(90));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn rate_limit_reset_is_a_unix_time_in_seconds_or_milliseconds() {
        let now = chrono::Utc::now().timestamp();
        let wait = parse_rate_limit_reset(&(now + 30).to_string()).unwrap();
        assert!(wait > Duration::from_secs(28) && wait <= Duration::from_secs(30));
        let millis = parse_rate_limit_reset(&((now + 30) * 1000).to_string()).unwrap();
        assert!(millis > Duration::from_secs(28) && millis <= Duration::from_secs(30));
        assert_eq!(
            parse_rate_limit_reset(&(now - 5).to_string()),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_rate_limit_reset("tomorrow"), None);
    }

    #[test]
    fn classes_say_what_to_do() {
        let unauthorized = VendorError::Unauthorized {
            message: "bad key".into(),
        };
        assert!(unauthorized.needs_attention() && !unauthorized.is_retryable());
        let limited = VendorError::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
        };
        assert!(limited.is_retryable() && !limited.needs_attention());
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(3)));
        assert!(!VendorError::CircuitOpen.is_retryable());
    }
}
