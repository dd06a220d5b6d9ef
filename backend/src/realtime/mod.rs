//! Realtime: per-tenant channels on the Phoenix Channels protocol (WebSocket and long-poll
//! transports), presence, and a Server-Sent Events mirror. Events come from the outbox via
//! the event bus, so what a socket sees was committed.

pub mod channels;
pub mod hub;
pub mod longpoll;
pub mod protocol;
pub mod socket;
pub mod sse;

use actix_web::{HttpRequest, web};
use base64::Engine;

use crate::platform::auth::{Principal, request_meta};
use crate::platform::error::{ApiError, ApiResult, Code};
use crate::platform::state::AppState;

/// Routes: `/socket/websocket`, `/socket/longpoll`; the SSE stream lives under `/api/v1`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/socket/websocket").route(web::get().to(socket::websocket)))
        .service(
            web::resource("/socket/longpoll")
                .route(web::get().to(longpoll::poll))
                .route(web::post().to(longpoll::publish))
                .route(web::method(actix_web::http::Method::OPTIONS).to(longpoll::options)),
        );
}

/// Prefix of the bearer that phoenix.js 1.8 sends in `Sec-WebSocket-Protocol`.
const AUTH_TOKEN_PREFIX: &str = "base64url.bearer.phx.";

/// The connect parameters of a socket request, repeated keys kept.
pub struct ConnectParams(pub Vec<(String, String)>);

impl ConnectParams {
    pub fn parse(req: &HttpRequest) -> Self {
        let q = req.query_string();
        Self(
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    let dec = |s: &str| percent_decode(&s.replace('+', " "));
                    (dec(k), dec(v))
                })
                .collect(),
        )
    }
    pub fn all(&self, key: &str) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    pub fn first(&self, key: &str) -> Option<&str> {
        self.all(key).next()
    }
}

fn percent_decode(s: &str) -> String {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 3 <= b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Candidate bearers of a socket request: `token` params, the phoenix.js subprotocol bearer,
/// and the long-poll `X-Phoenix-AuthToken` header.
fn bearers(req: &HttpRequest, params: &ConnectParams) -> Vec<String> {
    let mut out: Vec<String> = params
        .all("token")
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(protocols) = req
        .headers()
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
    {
        for p in protocols.split(',').map(str::trim) {
            if let Some(b64) = p.strip_prefix(AUTH_TOKEN_PREFIX) {
                let decoded = base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(b64.trim_end_matches('='))
                    .or_else(|_| {
                        base64::engine::general_purpose::URL_SAFE_NO_PAD
                            .decode(b64.trim_end_matches('='))
                    });
                if let Ok(t) = decoded.map(|d| String::from_utf8_lossy(&d).into_owned()) {
                    out.push(t);
                }
            }
        }
    }
    if let Some(h) = req
        .headers()
        .get("x-phoenix-authtoken")
        .and_then(|v| v.to_str().ok())
    {
        out.push(h.to_owned());
    }
    out
}

/// Authenticates a socket connect: the first bearer that is a valid access or API token wins;
/// the error of the last one tried is returned otherwise.
pub async fn authenticate(
    state: &AppState,
    req: &HttpRequest,
    params: &ConnectParams,
) -> ApiResult<Principal> {
    let mut last = ApiError::new(Code::Unauthenticated, "connect with ?token=<access token>");
    for b in bearers(req, params) {
        match state.authenticator.authenticate(state, &b).await {
            Ok(mut p) => {
                p.meta = request_meta(req, state.settings.trust_proxy);
                return Ok(p);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn query_values_are_percent_decoded() {
        assert_eq!(percent_decode("a%2Bb%3D"), "a+b=");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("é%41"), "éA");
    }
}
