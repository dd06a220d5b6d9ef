//! What every vendor's inbound webhook has in common: why a delivery is refused, keyed-hash
//! signing with constant-time comparison, and the delivery keys that let a receiver drop
//! redeliveries.
//!
//! Each vendor's scheme (which header, which bytes are signed, which encoding) lives with its
//! client: [`crate::bamboohr::verify_webhook`], [`crate::hibob::verify_webhook`],
//! [`crate::slack::verify_request`].

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

/// Why a webhook delivery was refused. Answer it with a 4xx and process nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The signature is missing, not in the vendor's encoding, or does not match the body and
    /// the secret: the delivery did not come from the vendor, or was altered.
    #[error("the webhook signature does not match")]
    BadSignature,
    /// The signed timestamp header is unreadable.
    #[error("the webhook timestamp {timestamp:?} is not a time")]
    BadTimestamp { timestamp: String },
    /// Correctly signed, but sent too long ago or too far ahead of our clock: a replay.
    #[error("the webhook was signed {skew_secs} s away from now, outside the accepted window")]
    Stale { skew_secs: i64 },
    /// Correctly signed, but not a payload the vendor documents.
    #[error("the webhook payload is not what the vendor documents: {0}")]
    Malformed(String),
}

/// HMAC with SHA-256, as BambooHR signs.
pub(crate) type HmacSha256 = Hmac<Sha256>;
/// HMAC with SHA-512, as HiBob signs.
pub(crate) type HmacSha512 = Hmac<Sha512>;

fn keyed<M: Mac + KeyInit>(key: &[u8], parts: &[&[u8]]) -> Option<M> {
    // HMAC takes keys of any length: this never answers `None` for the HMAC types above.
    let mut mac = <M as KeyInit>::new_from_slice(key).ok()?;
    for part in parts {
        Mac::update(&mut mac, part);
    }
    Some(mac)
}

/// The MAC of `parts` concatenated, keyed with `key`.
pub(crate) fn sign<M: Mac + KeyInit>(key: &[u8], parts: &[&[u8]]) -> Option<Vec<u8>> {
    keyed::<M>(key, parts).map(|mac| mac.finalize().into_bytes().to_vec())
}

/// Checks `signature` against the MAC of `parts` concatenated, in constant time.
pub(crate) fn verify<M: Mac + KeyInit>(
    key: &[u8],
    parts: &[&[u8]],
    signature: &[u8],
) -> Result<(), WebhookError> {
    keyed::<M>(key, parts)
        .ok_or(WebhookError::BadSignature)?
        .verify_slice(signature)
        .map_err(|_| WebhookError::BadSignature)
}

/// `{vendor}:{hex SHA-256 of the parts}`: the same event gives the same key on every
/// redelivery, different events different keys. Parts are length-prefixed so that no two
/// different part lists hash the same bytes.
pub(crate) fn delivery_key(vendor: &str, parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    format!("{vendor}:{}", hex::encode(hash.finalize()))
}

/// An id in a webhook payload: a non-empty string or a number.
pub(crate) fn id_text(value: Option<&serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_keys_are_stable_and_do_not_collide_on_concatenation() {
        let a = delivery_key("hibob", &["employee.created", "42", "2025-01-08T13:06:26"]);
        assert_eq!(
            a,
            delivery_key("hibob", &["employee.created", "42", "2025-01-08T13:06:26"])
        );
        assert!(a.starts_with("hibob:") && a.len() == "hibob:".len() + 64);
        assert_ne!(
            delivery_key("x", &["ab", "c"]),
            delivery_key("x", &["a", "bc"])
        );
        assert_ne!(
            a,
            delivery_key(
                "bamboohr",
                &["employee.created", "42", "2025-01-08T13:06:26"]
            )
        );
    }

    #[test]
    fn macs_verify_only_their_own_bytes() {
        let mac = sign::<HmacSha256>(b"key", &[b"body", b"123"]).unwrap();
        verify::<HmacSha256>(b"key", &[b"body123"], &mac).unwrap();
        assert_eq!(
            verify::<HmacSha256>(b"key", &[b"body124"], &mac),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify::<HmacSha256>(b"key", &[b"body123"], &mac[..31]),
            Err(WebhookError::BadSignature)
        );
        let long = sign::<HmacSha512>(b"key", &[b"body"]).unwrap();
        assert_eq!(long.len(), 64);
        verify::<HmacSha512>(b"key", &[b"body"], &long).unwrap();
        assert_eq!(
            verify::<HmacSha512>(b"other", &[b"body"], &long),
            Err(WebhookError::BadSignature)
        );
    }
}
