//! Device signatures: what lets a central server verify audit events that a desktop sealed
//! offline. An audit chain's MACs need the node's audit key, which never leaves the node; so a
//! node also signs each event with an Ed25519 key derived from that audit key, and tells the
//! server the public half. The server, holding public halves only, can then check every
//! received event — its content, its link and its seal — without being able to forge one.
//!
//! The pair is derived (HMAC of the audit key with a fixed label) rather than stored: it is
//! exactly as secret as the key it comes from, rotates with it, and needs no new place to live.

use crate::Key;
use ring::signature::{self, Ed25519KeyPair, KeyPair, UnparsedPublicKey};

const SEED_LABEL: &[u8] = b"clinicdesk-device-signing-v1";

/// The Ed25519 pair of one audit key.
pub struct DeviceSigner {
    key_id: String,
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for DeviceSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceSigner({})", self.key_id)
    }
}

impl DeviceSigner {
    pub fn of(key: &Key) -> DeviceSigner {
        let seed = key.mac(SEED_LABEL);
        // Any 32 bytes are a valid Ed25519 seed.
        let pair = Ed25519KeyPair::from_seed_unchecked(&seed)
            .unwrap_or_else(|_| unreachable!("an Ed25519 seed is any 32 bytes"));
        DeviceSigner {
            key_id: key.id().to_string(),
            pair,
        }
    }

    /// The id of the audit key this pair stands for.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The public half, hex (64 digits).
    pub fn public_hex(&self) -> String {
        hex::encode(self.pair.public_key().as_ref())
    }

    /// The signature of `data`, hex (128 digits).
    pub fn sign_hex(&self, data: &[u8]) -> String {
        hex::encode(self.pair.sign(data).as_ref())
    }
}

/// Whether `signature_hex` is `public_hex`'s signature of `data`; false for anything malformed.
pub fn verify_hex(public_hex: &str, data: &[u8], signature_hex: &str) -> bool {
    let (Ok(public), Ok(sig)) = (hex::decode(public_hex), hex::decode(signature_hex)) else {
        return false;
    };
    if public.len() != 32 {
        return false;
    }
    UnparsedPublicKey::new(&signature::ED25519, public)
        .verify(data, &sig)
        .is_ok()
}

/// Whether `text` looks like a public half (64 hex digits).
pub fn is_public_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_under_its_own_key_only() {
        let key = Key::generate();
        let signer = DeviceSigner::of(&key);
        assert_eq!(signer.key_id(), key.id());
        // Derived, so the same key always gives the same pair.
        assert_eq!(DeviceSigner::of(&key).public_hex(), signer.public_hex());
        assert!(is_public_hex(&signer.public_hex()));
        let sig = signer.sign_hex(b"event 1");
        assert_eq!(sig.len(), 128);
        assert!(verify_hex(&signer.public_hex(), b"event 1", &sig));
        assert!(!verify_hex(&signer.public_hex(), b"event 2", &sig));
        let other = DeviceSigner::of(&Key::generate());
        assert_ne!(other.public_hex(), signer.public_hex());
        assert!(!verify_hex(&other.public_hex(), b"event 1", &sig));
        assert!(!verify_hex("zz", b"event 1", &sig));
        assert!(!verify_hex(&signer.public_hex(), b"event 1", "00"));
        assert!(!verify_hex(&signer.public_hex()[..62], b"event 1", &sig));
    }
}
