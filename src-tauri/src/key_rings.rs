//! The desktop's key rings — the token signing keys and the audit key — kept outside the
//! database, in the OS keyring beside the refresh token (service `ClinicDesk`, one entry per
//! ring: `key-ring:jwt-signing`, `key-ring:audit`).
//!
//! The audit key must outlive every event it sealed: with it gone, the trail can no longer be
//! verified. The kernel keyring (Linux without a Secret Service) forgets everything at reboot,
//! so there the audit ring is a private file (`0600`) in the data directory's `secrets/`
//! folder instead — outside the database file, though not in a keyring. Once a ring exists in
//! one place it is always read from there. Losing the token ring only means logging in again.

use crate::session::{describe, open_entry, KeyringChoice, SERVICE};
use clinicdesk_api::Secrets;
use clinicdesk_security::secrets::{key_ring, AUDIT_KEYS, JWT_KEYS};
use clinicdesk_security::{FileSecrets, SecretError, SecretStore};
use keyring::{Entry, Error as KeyringError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Key rings in the OS keyring. Entries are opened once and reused (keyring's mock store,
/// used in tests, keeps a secret in the entry itself).
pub struct KeyringSecrets {
    choice: KeyringChoice,
    entries: Mutex<HashMap<String, (Entry, &'static str)>>,
}

impl KeyringSecrets {
    pub fn new(choice: KeyringChoice) -> KeyringSecrets {
        KeyringSecrets {
            choice,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn with_entry<T>(
        &self,
        name: &str,
        f: impl FnOnce(&Entry, &'static str) -> Result<T, SecretError>,
    ) -> Result<T, SecretError> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if !entries.contains_key(name) {
            let opened = open_entry(self.choice, SERVICE, &format!("key-ring:{name}"))
                .map_err(SecretError::Store)?;
            entries.insert(name.to_string(), opened);
        }
        match entries.get(name) {
            Some((entry, backend)) => f(entry, backend),
            None => Err(SecretError::Store("keyring entry not opened".into())),
        }
    }

    /// The backend the ring `name` is kept in (`secret-service`, `keyutils`, `platform`).
    pub fn backend(&self, name: &str) -> Result<&'static str, SecretError> {
        self.with_entry(name, |_, backend| Ok(backend))
    }
}

fn keyring_error(e: KeyringError) -> SecretError {
    SecretError::Store(describe(e))
}

impl SecretStore for KeyringSecrets {
    fn load(&self, name: &str) -> Result<Option<String>, SecretError> {
        self.with_entry(name, |entry, _| match entry.get_password() {
            Ok(text) if text.trim().is_empty() => Ok(None),
            Ok(text) => Ok(Some(text)),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        })
    }

    fn store_new(&self, name: &str, value: &str) -> Result<String, SecretError> {
        // One desktop process per data directory: no other writer races this one.
        if let Some(existing) = self.load(name)? {
            return Ok(existing);
        }
        self.replace(name, value)?;
        Ok(value.to_string())
    }

    fn replace(&self, name: &str, value: &str) -> Result<(), SecretError> {
        self.with_entry(name, |entry, _| {
            entry.set_password(value).map_err(keyring_error)
        })
    }

    fn place(&self) -> String {
        "the OS keyring".into()
    }
}

/// The desktop's rings: tokens in the keyring; audit in the keyring when the keyring keeps
/// secrets across reboots, else (and whenever the file already exists) in a private file.
pub fn load(choice: KeyringChoice, data_dir: &Path) -> Result<Secrets, SecretError> {
    let keyring = KeyringSecrets::new(choice);
    let tokens = key_ring(&keyring, JWT_KEYS)?;
    let files = FileSecrets::new(secrets_dir(data_dir));
    let in_file = files.path(AUDIT_KEYS).is_file()
        || (keyring.backend(AUDIT_KEYS)? == "keyutils" && keyring.load(AUDIT_KEYS)?.is_none());
    let audit = if in_file {
        key_ring(&files, AUDIT_KEYS)?
    } else {
        key_ring(&keyring, AUDIT_KEYS)?
    };
    Ok(Secrets { tokens, audit })
}

/// Where the device secret of sync lives (`sync_engine::DEVICE_SECRET`): the OS keyring when it
/// keeps secrets across reboots, else a private file beside the audit ring — a secret the
/// kernel keyring forgot would make the PC register again after every reboot.
pub fn device_secret_store(
    choice: KeyringChoice,
    data_dir: &Path,
) -> Result<std::sync::Arc<dyn SecretStore>, SecretError> {
    use clinicdesk_api::sync_engine::DEVICE_SECRET;
    let keyring = KeyringSecrets::new(choice);
    let files = FileSecrets::new(secrets_dir(data_dir));
    let in_file = files.path(DEVICE_SECRET).is_file()
        || (keyring.backend(DEVICE_SECRET)? == "keyutils"
            && keyring.load(DEVICE_SECRET)?.is_none());
    Ok(if in_file {
        std::sync::Arc::new(files)
    } else {
        std::sync::Arc::new(keyring)
    })
}

/// Where a file-kept ring lives: `<data dir>/secrets`.
pub fn secrets_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("secrets")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_are_made_once_and_kept_in_the_keyring() {
        keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
        let store = KeyringSecrets::new(KeyringChoice::Default);
        let first = key_ring(&store, JWT_KEYS).unwrap();
        let again = key_ring(&store, JWT_KEYS).unwrap();
        assert_eq!(first.current().id(), again.current().id());
        store.replace(JWT_KEYS, "not a ring").unwrap();
        assert!(
            key_ring(&store, JWT_KEYS).is_err(),
            "a damaged ring is an error"
        );
    }
}
