//! ClinicDesk's secrets and password hashing: Argon2id hashes of passwords and PINs, kept out
//! of the API crate so that anything creating users (the demo seed, the server's `users`
//! command, the desktop's first-run set-up) hashes exactly as login verifies.

pub mod passwords;

pub use passwords::{
    hash_password, hash_password_async, verify_password, verify_password_async, PasswordError,
};
