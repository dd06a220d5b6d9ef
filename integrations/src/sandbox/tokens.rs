//! Access tokens a simulated OAuth vendor issues for the client-credentials grant, and the
//! form that grant is requested with.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::workforce::fingerprint;

/// A client-credentials token request (`application/x-www-form-urlencoded`); fields the client
/// left out are `None`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TokenRequest {
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub scope: Option<String>,
}

/// What a presented access token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenState {
    Valid,
    /// Issued here, but past its lifetime or expired through the control API.
    Expired,
    Unknown,
}

/// The tokens issued to one company's API client.
#[derive(Debug)]
pub(crate) struct IssuedTokens {
    /// Token → when it stops working.
    tokens: HashMap<String, Instant>,
    issued: u64,
    lifetime: Duration,
}

impl IssuedTokens {
    /// Tokens living `lifetime` (at most a year).
    pub(crate) fn new(lifetime: Duration) -> Self {
        IssuedTokens {
            tokens: HashMap::new(),
            issued: 0,
            lifetime: lifetime.min(Duration::from_secs(365 * 24 * 3600)),
        }
    }

    /// A new token for the company `salt` names, and its lifetime in seconds (as `expires_in`).
    pub(crate) fn issue(&mut self, salt: &str) -> (String, u64) {
        self.issued += 1;
        let token = format!(
            "{:08x}{:08x}.{}",
            fingerprint(salt),
            fingerprint(&format!("{salt}#{}", self.issued)),
            self.issued
        );
        self.tokens
            .insert(token.clone(), Instant::now() + self.lifetime);
        (token, self.lifetime.as_secs())
    }

    pub(crate) fn state(&self, token: &str) -> TokenState {
        match self.tokens.get(token) {
            Some(until) if Instant::now() < *until => TokenState::Valid,
            Some(_) => TokenState::Expired,
            None => TokenState::Unknown,
        }
    }

    /// Ends every token issued so far; they stay known, as expired.
    pub(crate) fn expire_all(&mut self) {
        let now = Instant::now();
        for until in self.tokens.values_mut() {
            *until = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire_and_stay_known() {
        let mut tokens = IssuedTokens::new(Duration::from_secs(60));
        let (token, lifetime) = tokens.issue("jamf/acme");
        assert_eq!(lifetime, 60);
        assert_eq!(tokens.state(&token), TokenState::Valid);
        let (other, _) = tokens.issue("jamf/acme");
        assert_ne!(token, other);
        tokens.expire_all();
        assert_eq!(tokens.state(&token), TokenState::Expired);
        assert_eq!(tokens.state("made-up"), TokenState::Unknown);
    }
}
