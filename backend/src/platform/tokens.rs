//! Token material: signed access JWTs with a `kid` (so keys rotate), and opaque refresh and
//! API tokens stored only as SHA-256 hashes.

use std::collections::HashMap;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::platform::secrets::Secret;

/// The claims of an access token.
#[derive(Debug, Serialize, Deserialize, Clone)]
pub struct Claims {
    pub sub: Uuid,
    pub tid: Uuid,
    pub role: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: Uuid,
}

/// Why a token was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    Invalid,
}

/// The signing key and every key still accepted, by `kid`.
pub struct TokenKeys {
    kid: String,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
}

fn kid_of(secret: &[u8]) -> String {
    hex::encode(&Sha256::digest(secret)[..6])
}

impl TokenKeys {
    pub fn new(current: &Secret, previous: &[Secret]) -> Self {
        let mut decoding = HashMap::new();
        for s in std::iter::once(current).chain(previous) {
            decoding.insert(
                kid_of(s.expose().as_bytes()),
                DecodingKey::from_secret(s.expose().as_bytes()),
            );
        }
        Self {
            kid: kid_of(current.expose().as_bytes()),
            encoding: EncodingKey::from_secret(current.expose().as_bytes()),
            decoding,
        }
    }

    /// Reads the key from `dir/jwt-signing.key`, generating it there on first start.
    pub fn load_or_generate(dir: &Path) -> std::io::Result<Secret> {
        let path = dir.join("jwt-signing.key");
        match std::fs::read_to_string(&path) {
            Ok(s) if !s.trim().is_empty() => Ok(Secret::new(s.trim().to_owned())),
            _ => {
                std::fs::create_dir_all(dir)?;
                let secret = random_token(48);
                write_private(&path, &secret)?;
                tracing::info!(path = %path.display(), "generated a JWT signing key");
                Ok(Secret::new(secret))
            }
        }
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        encode(&header, claims, &self.encoding)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = decode_header(token).map_err(|_| TokenError::Invalid)?;
        let key = header
            .kid
            .as_deref()
            .and_then(|k| self.decoding.get(k))
            .ok_or(TokenError::Invalid)?;
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 5;
        v.set_required_spec_claims(&["exp", "sub"]);
        decode::<Claims>(token, key, &v)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }
}

/// Writes a file only its owner can read (keys).
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(contents.as_bytes())
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, contents)
    }
}

/// `n` random bytes, base64url.
pub fn random_token(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// How tokens are stored: hex SHA-256.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// API tokens carry this prefix, which is how a bearer is told apart from a JWT.
pub const API_TOKEN_PREFIX: &str = "ast_";

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp_offset: i64) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: Uuid::now_v7(),
            tid: Uuid::now_v7(),
            role: "admin".into(),
            exp: now + exp_offset,
            iat: now,
            jti: Uuid::now_v7(),
        }
    }

    #[test]
    fn tokens_verify_with_current_and_previous_keys() {
        let old = Secret::new("old-key-old-key-old-key-old-key".into());
        let new = Secret::new("new-key-new-key-new-key-new-key".into());
        let t_old = TokenKeys::new(&old, &[]).sign(&claims(60)).ok();
        let rotated = TokenKeys::new(&new, &[old]);
        assert!(rotated.verify(t_old.as_deref().unwrap_or_default()).is_ok());
        let t_new = rotated.sign(&claims(60)).ok();
        assert!(rotated.verify(t_new.as_deref().unwrap_or_default()).is_ok());
        let only_new = TokenKeys::new(&new, &[]);
        assert_eq!(
            only_new.verify(t_old.as_deref().unwrap_or_default()).err(),
            Some(TokenError::Invalid)
        );
    }

    #[test]
    fn expired_tokens_are_told_apart() {
        let k = TokenKeys::new(&Secret::new("k".repeat(32)), &[]);
        let t = k.sign(&claims(-3600)).ok().unwrap_or_default();
        assert_eq!(k.verify(&t).err(), Some(TokenError::Expired));
        assert_eq!(k.verify("garbage").err(), Some(TokenError::Invalid));
    }
}
