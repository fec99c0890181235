//! ClinicDesk's secrets and password hashing, kept out of the API crate so that anything that
//! creates users (the demo seed, the server's `users` command, the desktop's first-run set-up)
//! hashes exactly as login verifies, and anything that signs or checks (the API's tokens, the
//! store's audit chain) reads its keys from one place:
//! - [`passwords`]: Argon2id hashes, computed off the async workers;
//! - [`keys`]: key rings (current key first, ids derived from the keys) and HMAC;
//! - [`signing`]: a node's Ed25519 pairs (derived from its audit keys), so a server can
//!   verify the audit events a device sealed;
//! - [`secrets`]: where key rings live — never in the database: private files, or the OS
//!   keyring through a [`secrets::SecretStore`] the desktop implements.

pub mod keys;
pub mod passwords;
pub mod secrets;
pub mod signing;

pub use keys::{Key, KeyError, KeyRing};
pub use passwords::{
    hash_password, hash_password_async, verify_password, verify_password_async, PasswordError,
};
pub use secrets::{FileSecrets, SecretError, SecretStore};
pub use signing::DeviceSigner;
