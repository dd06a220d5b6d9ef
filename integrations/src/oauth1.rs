//! OAuth 1.0a request signing (RFC 5849) with HMAC-SHA256, as NetSuite's token-based
//! authentication (TBA) wants it.
//!
//! Every request carries its own `Authorization` header ([`authorization_header`]):
//!
//! ```text
//! OAuth realm="1234567_SB1", oauth_consumer_key="...", oauth_token="...",
//!   oauth_signature_method="HMAC-SHA256", oauth_timestamp="1700000000", oauth_nonce="...",
//!   oauth_version="1.0", oauth_signature="..."
//! ```
//!
//! The signature ([`signature`]) is the base64 HMAC-SHA256, keyed with
//! `enc(consumer secret)&enc(token secret)`, of the signature base string
//! ([`signature_base_string`], RFC 5849 §3.4.1): `METHOD&enc(base URI)&enc(parameters)`, where
//! - the base URI is the request URL's scheme and host in lower case, its port only when it is
//!   not the scheme's default, and its path: no query, no fragment;
//! - the parameters are the `oauth_*` protocol parameters except the signature (the `realm` is
//!   not one), plus every query-string parameter, decoded: each name and value encoded, the pairs
//!   sorted by name then value, written `name=value` and joined with `&`. A form-encoded body
//!   would count too; NetSuite's REST bodies are JSON, which does not;
//! - `enc` is [`percent_encode`]: RFC 3986 percent-encoding of every byte outside the
//!   unreserved set `A-Z a-z 0-9 - . _ ~`, with upper-case hex (§3.6).
//!
//! Each request takes a fresh nonce ([`nonce`]) and the current time: NetSuite refuses a nonce
//! it has seen with the same timestamp, and a timestamp far from its clock.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use reqwest::Url;

use crate::webhooks::{HmacSha256, sign};

/// The only signature method NetSuite still accepts (HMAC-SHA1 ended with 2023.1).
pub const SIGNATURE_METHOD: &str = "HMAC-SHA256";
/// `oauth_version`.
pub const VERSION: &str = "1.0";

/// What signs one integration's requests: the realm (NetSuite's account id), the consumer (the
/// integration record) and the token (a user's access token for one role). The `Debug` output
/// never shows the secrets.
#[derive(Clone)]
pub struct Oauth1Credentials {
    pub realm: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    pub token: String,
    pub token_secret: String,
}

impl std::fmt::Debug for Oauth1Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oauth1Credentials")
            .field("realm", &self.realm)
            .field("consumer_key", &self.consumer_key)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// RFC 3986 percent-encoding of every byte outside the unreserved set (RFC 5849 §3.6).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Undoes `%XX` escapes; `None` for a broken escape or bytes that are not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The base string URI of `url` (RFC 5849 §3.4.1.2): scheme and host lower case, the port only
/// when not the default, the path; no query.
fn base_string_uri(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!(
        "{}://{host}{port}{}",
        url.scheme().to_ascii_lowercase(),
        url.path()
    )
}

/// The signature base string of a request to `url` with `method`, signed with the `protocol`
/// parameters (`oauth_consumer_key`, `oauth_token`, `oauth_signature_method`,
/// `oauth_timestamp`, `oauth_nonce`, `oauth_version`; not the signature, not the realm). The
/// query string's parameters are part of it.
pub fn signature_base_string(method: &str, url: &Url, protocol: &[(&str, &str)]) -> String {
    let mut parameters: Vec<(String, String)> = protocol
        .iter()
        .map(|(name, value)| (percent_encode(name), percent_encode(value)))
        .chain(
            url.query_pairs()
                .map(|(name, value)| (percent_encode(&name), percent_encode(&value))),
        )
        .collect();
    parameters.sort();
    let normalized = parameters
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        percent_encode(&base_string_uri(url)),
        percent_encode(&normalized)
    )
}

/// The base64 HMAC-SHA256 of `base_string`, keyed with
/// `enc(consumer_secret)&enc(token_secret)`.
pub fn signature(base_string: &str, consumer_secret: &str, token_secret: &str) -> String {
    let key = format!(
        "{}&{}",
        percent_encode(consumer_secret),
        percent_encode(token_secret)
    );
    let mac = sign::<HmacSha256>(key.as_bytes(), &[base_string.as_bytes()]).unwrap_or_default();
    base64::engine::general_purpose::STANDARD.encode(mac)
}

/// The `oauth_*` parameters of one request (without the signature), in header order.
fn protocol_parameters<'a>(
    credentials: &'a Oauth1Credentials,
    nonce: &'a str,
    timestamp: &'a str,
) -> [(&'static str, &'a str); 6] {
    [
        ("oauth_consumer_key", credentials.consumer_key.as_str()),
        ("oauth_token", credentials.token.as_str()),
        ("oauth_signature_method", SIGNATURE_METHOD),
        ("oauth_timestamp", timestamp),
        ("oauth_nonce", nonce),
        ("oauth_version", VERSION),
    ]
}

/// The `Authorization` header value for a `method` request to `url` (its query string
/// included), signed with `credentials`, `nonce` and `timestamp` (Unix seconds). Pure: the
/// same input gives the same header; [`nonce`] and [`timestamp_now`] give a request's own.
pub fn authorization_header(
    method: &str,
    url: &Url,
    credentials: &Oauth1Credentials,
    nonce: &str,
    timestamp: u64,
) -> String {
    let timestamp = timestamp.to_string();
    let protocol = protocol_parameters(credentials, nonce, &timestamp);
    let base_string = signature_base_string(method, url, &protocol);
    let signature = signature(
        &base_string,
        &credentials.consumer_secret,
        &credentials.token_secret,
    );
    let mut header = format!("OAuth realm=\"{}\"", percent_encode(&credentials.realm));
    for (name, value) in protocol
        .iter()
        .copied()
        .chain([("oauth_signature", signature.as_str())])
    {
        header.push_str(&format!(", {name}=\"{}\"", percent_encode(value)));
    }
    header
}

/// A fresh nonce: 32 hex characters, unique per call (a per-process counter and the clock,
/// mixed by randomly keyed SipHash). Not a secret, only never the same twice.
pub fn nonce() -> String {
    use std::hash::{BuildHasher, Hasher};
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut out = String::with_capacity(32);
    for round in 0..2u8 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(nanos);
        hasher.write_u64(call);
        hasher.write_u8(round);
        out.push_str(&format!("{:016x}", hasher.finish()));
    }
    out
}

/// Now, in Unix seconds.
pub fn timestamp_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// The parameters of an `OAuth ...` authorization header, decoded, in order; `None` when it is
/// no such header.
pub fn parse_authorization(value: &str) -> Option<Vec<(String, String)>> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("OAuth") {
        return None;
    }
    rest.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, quoted) = part.split_once('=')?;
            let inner = quoted.trim().strip_prefix('"')?.strip_suffix('"')?;
            Some((name.trim().to_owned(), percent_decode(inner)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials() -> Oauth1Credentials {
        Oauth1Credentials {
            realm: "1234567_SB1".into(),
            consumer_key: "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4".into(),
            consumer_secret: "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5"
                .into(),
            token: "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc".into(),
            token_secret: "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295".into(),
        }
    }

    #[test]
    fn encoding_keeps_only_the_unreserved_set() {
        assert_eq!(percent_encode("Aa0-._~"), "Aa0-._~");
        assert_eq!(
            percent_encode("a b+c&d=e/f:g*é"),
            "a%20b%2Bc%26d%3De%2Ff%3Ag%2A%C3%A9"
        );
        assert_eq!(
            percent_decode("a%20b%2Bc%26d%3De%2Ff%3Ag%2A%C3%A9").as_deref(),
            Some("a b+c&d=e/f:g*é")
        );
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%ZZ"), None);
    }

    #[test]
    fn the_base_string_includes_the_query_and_sorts_parameters() {
        let url =
            Url::parse("https://1234567-SB1.suitetalk.api.netsuite.com:443/services/rest/query/v1/suiteql?offset=0&limit=1000")
                .unwrap();
        let base = signature_base_string(
            "post",
            &url,
            &[("oauth_nonce", "n o"), ("oauth_consumer_key", "ck")],
        );
        assert_eq!(
            base,
            "POST&https%3A%2F%2F1234567-sb1.suitetalk.api.netsuite.com%2Fservices%2Frest%2Fquery%2Fv1%2Fsuiteql\
             &limit%3D1000%26oauth_consumer_key%3Dck%26oauth_nonce%3Dn%2520o%26offset%3D0"
        );
        let local = Url::parse("http://127.0.0.1:7070/netsuite/x").unwrap();
        assert!(
            signature_base_string("GET", &local, &[])
                .starts_with("GET&http%3A%2F%2F127.0.0.1%3A7070%2Fnetsuite%2Fx&")
        );
    }

    #[test]
    fn the_header_matches_an_independently_computed_vector() {
        let url = Url::parse(
            "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql?limit=1000&offset=0",
        )
        .unwrap();
        let header = authorization_header(
            "POST",
            &url,
            &credentials(),
            "fjaLirsIcCGVZWzBX0pg",
            1_508_242_306,
        );
        assert_eq!(
            header,
            "OAuth realm=\"1234567_SB1\", \
             oauth_consumer_key=\"ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4\", \
             oauth_token=\"2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc\", \
             oauth_signature_method=\"HMAC-SHA256\", oauth_timestamp=\"1508242306\", \
             oauth_nonce=\"fjaLirsIcCGVZWzBX0pg\", oauth_version=\"1.0\", \
             oauth_signature=\"AB8T1f3fBe4sHDZCO6ABBHmXOi8XzsG393LuEHdOA%2FE%3D\""
        );
    }

    #[test]
    fn headers_parse_back_and_secrets_stay_out_of_debug_output() {
        let url = Url::parse("http://127.0.0.1:1/netsuite/a?limit=5").unwrap();
        let header = authorization_header("POST", &url, &credentials(), "abc123", 42);
        let parsed = parse_authorization(&header).unwrap();
        assert_eq!(parsed[0], ("realm".into(), "1234567_SB1".into()));
        assert_eq!(parsed.len(), 8);
        let signature = &parsed[7].1;
        let credentials = credentials();
        let protocol: Vec<(&str, &str)> = parsed[1..7]
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let base = signature_base_string("POST", &url, &protocol);
        assert_eq!(
            &super::signature(
                &base,
                &credentials.consumer_secret,
                &credentials.token_secret
            ),
            signature
        );
        assert_eq!(parse_authorization("Bearer abc"), None);
        let shown = format!("{credentials:?}");
        assert!(
            !shown.contains(&credentials.consumer_secret)
                && !shown.contains(&credentials.token_secret)
        );
    }

    #[test]
    fn nonces_differ() {
        let a = nonce();
        assert_eq!(a.len(), 32);
        assert_ne!(a, nonce());
    }
}
