//! OAuth 2.0 access for vendor APIs: the client-credentials grant (RFC 6749 §4.4), as Jamf
//! Pro's API clients and Microsoft's identity platform grant it, and the refresh-token grant
//! (RFC 6749 §6), as Intuit's does for QuickBooks Online.
//!
//! Each client (one integration) has its own token source. It asks the vendor's token endpoint
//! for an access token, keeps it until shortly before `expires_in` runs out
//! ([`refresh_margin`]), and sends API requests with it as a bearer token. A 401 from the API (a
//! token revoked or expired early) gets one fresh token and one more try; a second 401 is the
//! vendor's verdict on the credentials and comes back as [`VendorError::Unauthorized`].
//!
//! - Client credentials: the client id and secret in the form (form-encoded
//!   `grant_type=client_credentials`, `client_id`, `client_secret`).
//! - Refresh token: form-encoded `grant_type=refresh_token` and `refresh_token`, the client
//!   authenticated by HTTP Basic (RFC 6749 §2.3.1). A vendor that rotates refresh tokens answers
//!   a new one with each access token and refuses the old one from then on; the source keeps
//!   the latest (for QuickBooks:
//!   [`crate::quickbooks::QuickBooksClient::current_refresh_token`]), and whoever stores the
//!   integration's credentials must save it, or the next run is locked out.
//!
//! The token endpoint's own refusals (RFC 6749 §5.2: 400 or 401 with `{"error",
//! "error_description"}`) are [`VendorError::Unauthorized`] too, whatever the error code:
//! a wrong secret, an unknown client or tenant, a scope the client may not have all need a
//! person to fix the integration's settings, and none of them heals on retry.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Client, RequestBuilder, Response, StatusCode, Url};
use serde_json::Value;

use crate::http::{VendorError, VendorHttp, read_json};

/// An OAuth client secret; its `Debug` never shows the value.
#[derive(Clone)]
pub struct ClientSecret(String);

impl ClientSecret {
    /// Wraps the secret as the vendor issued it.
    pub fn new(secret: impl Into<String>) -> Self {
        ClientSecret(secret.into())
    }
}

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientSecret(..)")
    }
}

/// An OAuth refresh token, standing for a person's consent to the integration; its `Debug`
/// never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(String);

impl RefreshToken {
    /// Wraps the token as the vendor issued it.
    pub fn new(token: impl Into<String>) -> Self {
        RefreshToken(token.into())
    }

    /// The token itself, to store it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshToken(..)")
    }
}

/// The id and secret of an OAuth client allowed the client-credentials grant (a Jamf Pro API
/// client, a Microsoft Entra app registration).
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: ClientSecret,
}

/// An access token; its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct AccessToken(String);

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(..)")
    }
}

/// How long before a token's stated expiry it is replaced: a tenth of its lifetime, at most a
/// minute. A 59-second Jamf token is used for 53 seconds, an hour-long Microsoft token for 59
/// minutes, so that a token never runs out between being taken and reaching the vendor.
pub fn refresh_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(Duration::from_secs(60))
}

#[derive(Debug)]
struct Cached {
    token: AccessToken,
    /// When to fetch a new one; `None` when the vendor gave no lifetime (then the token is used
    /// until the API refuses it).
    renew_at: Option<Instant>,
}

impl Cached {
    fn fresh(&self) -> bool {
        self.renew_at.is_none_or(|at| Instant::now() < at)
    }
}

/// How a token source asks for access tokens.
#[derive(Debug, Clone)]
enum Grant {
    /// `client_credentials`, with `extra` form fields besides the grant type and the
    /// credentials (Microsoft's `scope`).
    ClientCredentials { extra: Vec<(&'static str, String)> },
    /// `refresh_token`, with the latest refresh token the vendor issued (shared by clones).
    RefreshToken {
        latest: Arc<std::sync::Mutex<RefreshToken>>,
    },
}

/// Fetches, caches and renews one client's access tokens, and sends requests with them. Cheap
/// to clone: clones share the cached token (and the latest refresh token).
#[derive(Debug, Clone)]
pub(crate) struct TokenSource {
    http: VendorHttp,
    token_url: Url,
    credentials: ClientCredentials,
    grant: Grant,
    /// One lock for reading and renewing, so that concurrent calls fetch one token, not many.
    cache: Arc<tokio::sync::Mutex<Option<Cached>>>,
}

impl TokenSource {
    /// A source asking `token_url` for client-credentials tokens, through `http` (the
    /// integration's client, so that its rate limit and circuit breaker count the token
    /// requests too); `extra` are form fields to send besides the grant and the credentials.
    pub(crate) fn new(
        http: VendorHttp,
        token_url: Url,
        credentials: ClientCredentials,
        extra: Vec<(&'static str, String)>,
    ) -> Self {
        TokenSource {
            http,
            token_url,
            credentials,
            grant: Grant::ClientCredentials { extra },
            cache: Arc::new(tokio::sync::Mutex::new(None)),
        }
    }

    /// A source exchanging `refresh_token` (and each one the vendor rotates it to) at
    /// `token_url`, the client authenticated by HTTP Basic with `credentials`.
    pub(crate) fn with_refresh_token(
        http: VendorHttp,
        token_url: Url,
        credentials: ClientCredentials,
        refresh_token: RefreshToken,
    ) -> Self {
        TokenSource {
            http,
            token_url,
            credentials,
            grant: Grant::RefreshToken {
                latest: Arc::new(std::sync::Mutex::new(refresh_token)),
            },
            cache: Arc::new(tokio::sync::Mutex::new(None)),
        }
    }

    /// The refresh token to use next (the latest the vendor issued); `None` for the
    /// client-credentials grant.
    pub(crate) fn refresh_token(&self) -> Option<RefreshToken> {
        match &self.grant {
            Grant::ClientCredentials { .. } => None,
            Grant::RefreshToken { latest } => Some(
                latest
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .clone(),
            ),
        }
    }

    /// Whether the circuit breaker of the underlying HTTP client lets calls through.
    pub(crate) fn circuit_closed(&self) -> bool {
        self.http.circuit_closed()
    }

    /// A token fresh enough to use: the cached one, or a new one.
    async fn token(&self) -> Result<AccessToken, VendorError> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref().filter(|c| c.fresh()) {
            return Ok(cached.token.clone());
        }
        let cached = self.fetch().await?;
        let token = cached.token.clone();
        *cache = Some(cached);
        Ok(token)
    }

    /// A token other than `refused`, which the API just rejected: the one another call cached
    /// meanwhile, or a new one.
    async fn renew(&self, refused: &AccessToken) -> Result<AccessToken, VendorError> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref().filter(|c| c.fresh() && c.token != *refused) {
            return Ok(cached.token.clone());
        }
        *cache = None;
        let cached = self.fetch().await?;
        let token = cached.token.clone();
        *cache = Some(cached);
        Ok(token)
    }

    async fn fetch(&self) -> Result<Cached, VendorError> {
        let (body, basic) = match &self.grant {
            Grant::ClientCredentials { extra } => {
                let mut fields: Vec<(&str, &str)> = vec![
                    ("grant_type", "client_credentials"),
                    ("client_id", &self.credentials.client_id),
                    ("client_secret", &self.credentials.client_secret.0),
                ];
                fields.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
                (form_encode(&fields), false)
            }
            Grant::RefreshToken { .. } => {
                let refresh_token = self
                    .refresh_token()
                    .unwrap_or_else(|| RefreshToken::new(""));
                let fields = [
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh_token.as_str()),
                ];
                (form_encode(&fields), true)
            }
        };
        let requested_at = Instant::now();
        let response = self
            .http
            .send_accepting(
                |client| {
                    let request = client
                        .post(self.token_url.clone())
                        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .header(ACCEPT, "application/json")
                        .body(body.clone());
                    if basic {
                        request.basic_auth(
                            &self.credentials.client_id,
                            Some(&self.credentials.client_secret.0),
                        )
                    } else {
                        request
                    }
                },
                &[StatusCode::BAD_REQUEST, StatusCode::UNAUTHORIZED],
            )
            .await?;
        if !response.status().is_success() {
            return Err(refusal(response).await);
        }
        let answer = read_json(response).await?;
        // The vendor has retired the refresh token sent once it answers a new one: keep the
        // new one before anything else about the answer can fail.
        if let Grant::RefreshToken { latest } = &self.grant
            && let Some(rotated) = answer
                .get("refresh_token")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|t| !t.is_empty())
        {
            *latest
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = RefreshToken::new(rotated);
        }
        let token = answer
            .get("access_token")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| VendorError::InvalidResponse {
                message: "token answer without an access_token".into(),
            })?;
        if let Some(kind) = answer.get("token_type").and_then(Value::as_str)
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(VendorError::InvalidResponse {
                message: format!("token type {kind:?} is not Bearer"),
            });
        }
        // Seconds, as a number (RFC 6749) or, from older Microsoft endpoints, a numeric string.
        let lifetime = match answer.get("expires_in") {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
            _ => None,
        }
        .map(Duration::from_secs);
        Ok(Cached {
            token: AccessToken(token.to_owned()),
            renew_at: lifetime.and_then(|l| requested_at.checked_add(l - refresh_margin(l))),
        })
    }

    /// Sends the request `build` makes with a bearer token, renewing the token once if the API
    /// answers 401. Statuses in `accepted` come back unclassified
    /// ([`VendorHttp::send_accepting`]).
    pub(crate) async fn send<F>(
        &self,
        build: F,
        accepted: &[StatusCode],
    ) -> Result<Response, VendorError>
    where
        F: Fn(&Client) -> RequestBuilder,
    {
        let token = self.token().await?;
        let first = self
            .http
            .send_accepting(|client| build(client).bearer_auth(&token.0), accepted)
            .await;
        match first {
            Err(VendorError::Unauthorized { message }) => {
                tracing::info!(%message, "access token refused; fetching a new one");
                let token = self.renew(&token).await?;
                self.http
                    .send_accepting(|client| build(client).bearer_auth(&token.0), accepted)
                    .await
            }
            other => other,
        }
    }

    /// [`TokenSource::send`] with `Accept: application/json`, the answer read as JSON.
    pub(crate) async fn get_json(&self, url: &Url) -> Result<Value, VendorError> {
        let response = self
            .send(
                |client| client.get(url.clone()).header(ACCEPT, "application/json"),
                &[],
            )
            .await?;
        read_json(response).await
    }
}

/// A token endpoint's refusal as [`VendorError::Unauthorized`], with its `error_description`
/// (or `error` code) as the message.
async fn refusal(response: Response) -> VendorError {
    let status = response.status();
    let body = read_json(response).await.unwrap_or(Value::Null);
    let text = |key: &str| {
        body.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
    };
    let message = match (text("error"), text("error_description")) {
        (Some(code), Some(description)) => format!("{code}: {description}"),
        (Some(text), None) | (None, Some(text)) => text.to_owned(),
        (None, None) => status.to_string(),
    };
    VendorError::Unauthorized {
        message: message.chars().take(300).collect(),
    }
}

/// `application/x-www-form-urlencoded` of `fields`, in order: bytes outside the unreserved set
/// are percent-encoded (a space too), so secrets with `&`, `=` or `+` survive.
pub(crate) fn form_encode(fields: &[(&str, &str)]) -> String {
    fn encode(text: &str, out: &mut String) {
        for byte in text.bytes() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
                out.push(char::from(byte));
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    let mut out = String::new();
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode(key, &mut out);
        out.push('=');
        encode(value, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_escapes_what_would_split_a_field() {
        assert_eq!(
            form_encode(&[("client_secret", "a&b=c+d e/é"), ("x", "")]),
            "client_secret=a%26b%3Dc%2Bd%20e%2F%C3%A9&x="
        );
    }

    #[test]
    fn margins_scale_with_the_lifetime() {
        assert_eq!(
            refresh_margin(Duration::from_secs(3599)),
            Duration::from_secs(60)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(60)),
            Duration::from_secs(6)
        );
        assert_eq!(refresh_margin(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let credentials = ClientCredentials {
            client_id: "id".into(),
            client_secret: ClientSecret::new("hunter2"),
        };
        assert!(!format!("{credentials:?}").contains("hunter2"));
        assert!(!format!("{:?}", RefreshToken::new("rt-123")).contains("rt-123"));
        assert!(!format!("{:?}", AccessToken("tok".into())).contains("tok"));
    }
}
