//! Key rings: the secrets that sign access tokens and key the audit chain. They never live in
//! the database — a copy of the database file must not be enough to forge a token or to
//! rewrite the audit trail undetected.
//!
//! A ring is written as text, one key a line in hex (at least 32 bytes each), the current key
//! first; `#` starts a comment. Each key's id is derived from the key itself (the first 16 hex
//! digits of its SHA-256), so tokens and audit events can name the key that made them without
//! any table of ids. Rotation puts a new key first and keeps the old ones, which go on
//! verifying what they signed until they are pruned.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The shortest key accepted, in bytes.
pub const MIN_KEY_BYTES: usize = 32;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("line {line}: a key must be hexadecimal ({reason})")]
    NotHex { line: usize, reason: String },
    #[error("line {line}: a key must be at least {MIN_KEY_BYTES} bytes, this one is {bytes}")]
    TooShort { line: usize, bytes: usize },
    #[error("the key ring is empty")]
    Empty,
}

/// One secret key and its id.
#[derive(Clone)]
pub struct Key {
    id: String,
    secret: Vec<u8>,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        write!(f, "Key({})", self.id)
    }
}

impl Key {
    pub fn from_secret(secret: Vec<u8>) -> Key {
        let id = hex::encode(&Sha256::digest(&secret)[..8]);
        Key { id, secret }
    }

    pub fn generate() -> Key {
        let mut secret = vec![0u8; MIN_KEY_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        Key::from_secret(secret)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    /// HMAC-SHA-256 of `data` under this key, in hex.
    pub fn mac_hex(&self, data: &[u8]) -> String {
        hex::encode(self.mac(data))
    }

    pub fn mac(&self, data: &[u8]) -> [u8; 32] {
        // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    /// Checks a hex MAC in constant time.
    pub fn verify_mac_hex(&self, data: &[u8], expected_hex: &str) -> bool {
        let Ok(expected) = hex::decode(expected_hex) else {
            return false;
        };
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret) else {
            return false;
        };
        mac.update(data);
        mac.verify_slice(&expected).is_ok()
    }
}

/// Keys, the current one first.
#[derive(Clone, Debug)]
pub struct KeyRing {
    keys: Vec<Key>,
}

impl KeyRing {
    /// A ring of one new random key.
    pub fn generate() -> KeyRing {
        KeyRing {
            keys: vec![Key::generate()],
        }
    }

    /// Reads the text form (see the module documentation). Commas also separate keys, for
    /// rings given in one environment variable. Anything that is not a whole hex key of
    /// [`MIN_KEY_BYTES`] or more is an error, never a key made of the text's own bytes.
    pub fn parse(text: &str) -> Result<KeyRing, KeyError> {
        let mut keys = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("");
            for part in line.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let secret = hex::decode(part).map_err(|e| KeyError::NotHex {
                    line: i + 1,
                    reason: e.to_string(),
                })?;
                if secret.len() < MIN_KEY_BYTES {
                    return Err(KeyError::TooShort {
                        line: i + 1,
                        bytes: secret.len(),
                    });
                }
                keys.push(Key::from_secret(secret));
            }
        }
        if keys.is_empty() {
            return Err(KeyError::Empty);
        }
        Ok(KeyRing { keys })
    }

    /// The text form: one hex key a line, current first.
    pub fn to_text(&self) -> String {
        let mut out = String::from(
            "# ClinicDesk key ring: one hex key a line, the current key first. Keep it secret.\n",
        );
        for k in &self.keys {
            out.push_str(&hex::encode(&k.secret));
            out.push('\n');
        }
        out
    }

    /// The key that signs from now on.
    pub fn current(&self) -> &Key {
        &self.keys[0]
    }

    pub fn get(&self, id: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.id == id)
    }

    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// A new current key; the old ones stay to verify what they signed.
    pub fn rotated(&self) -> KeyRing {
        let mut keys = vec![Key::generate()];
        keys.extend(self.keys.iter().cloned());
        KeyRing { keys }
    }

    /// Only the current key and the `keep` newest old ones.
    pub fn pruned(&self, keep: usize) -> KeyRing {
        KeyRing {
            keys: self.keys.iter().take(keep + 1).cloned().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_round_trips_through_text() {
        let ring = KeyRing::generate().rotated();
        let back = KeyRing::parse(&ring.to_text()).unwrap();
        assert_eq!(back.keys().len(), 2);
        assert_eq!(back.current().id(), ring.current().id());
        assert_eq!(back.current().secret(), ring.current().secret());
        assert_eq!(back.keys()[1].id(), ring.keys()[1].id());
        assert_eq!(ring.current().id().len(), 16);
    }

    #[test]
    fn text_that_is_not_a_hex_key_is_an_error() {
        let long = "ab".repeat(32);
        assert_eq!(KeyRing::parse("").unwrap_err(), KeyError::Empty);
        assert_eq!(
            KeyRing::parse("# only a comment\n").unwrap_err(),
            KeyError::Empty
        );
        assert!(matches!(
            KeyRing::parse("this is not hex but long enough to be thirty-two bytes").unwrap_err(),
            KeyError::NotHex { line: 1, .. }
        ));
        assert!(matches!(
            KeyRing::parse(&format!("{long}\nzz{long}")).unwrap_err(),
            KeyError::NotHex { line: 2, .. }
        ));
        assert_eq!(
            KeyRing::parse("abcd").unwrap_err(),
            KeyError::TooShort { line: 1, bytes: 2 }
        );
        let two = KeyRing::parse(&format!("{long}, {} # comment", "cd".repeat(40))).unwrap();
        assert_eq!(two.keys().len(), 2);
    }

    #[test]
    fn macs_verify_only_with_the_same_key_and_data() {
        let a = Key::generate();
        let b = Key::generate();
        let mac = a.mac_hex(b"event");
        assert!(a.verify_mac_hex(b"event", &mac));
        assert!(!a.verify_mac_hex(b"evenT", &mac));
        assert!(!b.verify_mac_hex(b"event", &mac));
        assert!(!a.verify_mac_hex(b"event", "not hex"));
        assert_ne!(a.id(), b.id());
    }

    #[test]
    fn rotation_keeps_old_keys_until_pruned() {
        let ring = KeyRing::generate();
        let old = ring.current().id().to_string();
        let rotated = ring.rotated();
        assert_ne!(rotated.current().id(), old);
        assert!(rotated.get(&old).is_some());
        assert!(rotated.pruned(0).get(&old).is_none());
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let k = Key::from_secret(vec![0xab; 32]);
        assert!(!format!("{k:?}").contains("abab"));
    }
}
