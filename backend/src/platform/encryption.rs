//! Secrets at rest: AES-256-GCM with a random 96-bit nonce per value, bound by associated data
//! to the row it belongs to (a ciphertext copied onto another row does not open). The key comes
//! from `ASSETRONICS_SECRETS_KEY` (base64, 32 bytes) or is generated once into the data dir.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use serde_json::Value;

const VERSION: &str = "v1:";

/// Why a secret could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the secrets key must be 32 bytes, base64-encoded")]
    BadKey,
    #[error("the secret cannot be decrypted with this key (or belongs to another record)")]
    Undecryptable,
    #[error("secret encoding: {0}")]
    Encoding(String),
}

/// Seals and opens JSON secrets.
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl SecretBox {
    pub fn from_base64(key: &str) -> Result<Self, SecretError> {
        let bytes = STANDARD
            .decode(key.trim())
            .map_err(|_| SecretError::BadKey)?;
        let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| SecretError::BadKey)?;
        Ok(Self { cipher })
    }

    /// Reads `dir/secrets.key`, generating it (mode 0600) on first start.
    pub fn load_or_generate(dir: &Path) -> std::io::Result<String> {
        let path = dir.join("secrets.key");
        match std::fs::read_to_string(&path) {
            Ok(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
            _ => {
                std::fs::create_dir_all(dir)?;
                let mut key = [0u8; 32];
                rand::rng().fill_bytes(&mut key);
                let encoded = STANDARD.encode(key);
                crate::platform::tokens::write_private(&path, &encoded)?;
                tracing::info!(path = %path.display(), "generated a secrets key");
                Ok(encoded)
            }
        }
    }

    pub fn seal(&self, value: &Value, aad: &[u8]) -> Result<String, SecretError> {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let plain = serde_json::to_vec(value).map_err(|e| SecretError::Encoding(e.to_string()))?;
        let ct = self
            .cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: &plain, aad })
            .map_err(|_| SecretError::Encoding("encryption failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(format!("{VERSION}{}", STANDARD.encode(out)))
    }

    pub fn open(&self, sealed: &str, aad: &[u8]) -> Result<Value, SecretError> {
        let raw = sealed
            .strip_prefix(VERSION)
            .ok_or(SecretError::Undecryptable)?;
        let bytes = STANDARD
            .decode(raw)
            .map_err(|_| SecretError::Undecryptable)?;
        if bytes.len() < 12 {
            return Err(SecretError::Undecryptable);
        }
        let (nonce, ct) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| SecretError::Undecryptable)?;
        let plain = self
            .cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: ct, aad })
            .map_err(|_| SecretError::Undecryptable)?;
        serde_json::from_slice(&plain).map_err(|e| SecretError::Encoding(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sb() -> SecretBox {
        SecretBox::from_base64(&STANDARD.encode([7u8; 32])).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_record() {
        let b = sb();
        let s = b
            .seal(&json!({"api_key": "k-123"}), b"row-1")
            .unwrap_or_default();
        assert!(!s.contains("k-123"), "the value is not readable at rest");
        assert_eq!(b.open(&s, b"row-1").ok(), Some(json!({"api_key": "k-123"})));
        assert!(b.open(&s, b"row-2").is_err(), "bound to its record");
        let other =
            SecretBox::from_base64(&STANDARD.encode([8u8; 32])).unwrap_or_else(|e| panic!("{e}"));
        assert!(other.open(&s, b"row-1").is_err(), "bound to its key");
        assert_ne!(
            b.seal(&json!({"a": 1}), b"r").ok(),
            b.seal(&json!({"a": 1}), b"r").ok(),
            "fresh nonce each time"
        );
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(SecretBox::from_base64("short").is_err());
        assert!(SecretBox::from_base64(&STANDARD.encode([1u8; 16])).is_err());
    }
}
