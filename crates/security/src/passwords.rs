//! Argon2id password hashes in PHC string form (`$argon2id$v=19$…`), each with its own salt.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// Hashing failed: the parameters or the input were refused by Argon2. Never turned into an
/// empty hash, which would store an account nobody (or anybody) can log in to.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct PasswordError(String);

pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError(e.to_string()))
}

/// True when `password` matches `hash`; a hash that cannot be parsed matches nothing.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a password no account has, verified against when a username does not exist, so
/// that a wrong username takes as long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        // A fixed, valid PHC string is the fallback: it costs the same to verify.
        hash_password("not-a-user-password").unwrap_or_else(|_| {
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
             Jw4Nf7mIw1XXvC2pUKZ3yg4TyTUpAnnGSbaQ5H4+tH0"
                .to_string()
        })
    })
}

/// How many Argon2 computations run at once. Each takes ~50 ms of one core and 19 MiB; without
/// a bound, a burst of logins would occupy every blocking thread and all the memory it asks for.
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores.max(1))
    })
}

/// Runs an Argon2 computation on a blocking thread, at most [`hashing_slots`] at once, so the
/// async workers that answer every other request never compute a hash themselves.
async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PasswordError> {
    let _slot = hashing_slots()
        .acquire()
        .await
        .map_err(|e| PasswordError(e.to_string()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| PasswordError(e.to_string()))
}

/// [`hash_password`] off the async workers.
pub async fn hash_password_async(password: String) -> Result<String, PasswordError> {
    off_the_workers(move || hash_password(&password)).await?
}

/// [`verify_password`] off the async workers. A failure to run counts as a mismatch.
pub async fn verify_password_async(password: String, hash: String) -> bool {
    off_the_workers(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("correct horse battery", "not a hash"));
        assert!(!verify_password("", ""));
    }

    #[test]
    fn each_hash_has_its_own_salt() {
        assert_ne!(
            hash_password("same").unwrap(),
            hash_password("same").unwrap()
        );
    }

    #[tokio::test]
    async fn async_hashing_matches_the_blocking_functions() {
        let h = hash_password_async("서울 클리닉 2026".into())
            .await
            .unwrap();
        assert!(verify_password("서울 클리닉 2026", &h));
        assert!(verify_password_async("서울 클리닉 2026".into(), h.clone()).await);
        assert!(!verify_password_async("other".into(), h).await);
    }

    #[test]
    fn the_dummy_hash_is_a_real_argon2id_hash() {
        assert!(dummy_hash().starts_with("$argon2id$"));
        assert!(verify_password("not-a-user-password", dummy_hash()));
    }
}
