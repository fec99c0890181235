//! The login's refresh token, kept in the OS credential store through the `keyring` crate
//! (service `ClinicDesk`, user `refresh-token`) — never in a plain file. The access token
//! stays in the UI's memory only.
//!
//! Which store:
//! - macOS: the login Keychain; Windows: the Credential Manager (keyring's native stores).
//! - Linux, `CLINICDESK_KEYRING=auto` (the default): the Secret Service (GNOME Keyring,
//!   KWallet) when one answers on the session D-Bus — it survives reboots; otherwise the
//!   kernel keyring (keyutils), which needs no daemon and so also works under Xvfb in CI.
//!   A keyutils key is linked into the user's session keyring and the per-user persistent
//!   keyring, so it survives restarts of the app within the same login session (and the
//!   persistent keyring outlives logout for `/proc/sys/kernel/keys/persistent_keyring_expiry`
//!   seconds, 3 days by default); it is gone after a reboot, when staff simply log in again.
//! - `CLINICDESK_KEYRING=secret-service` or `keyutils` forces one of the two on Linux.
//! - Tests install keyring's mock store and use [`KeyringChoice::Default`].
//!
//! Every call blocks (D-Bus, a keychain prompt), so the commands run it on a blocking thread.

use keyring::{Entry, Error as KeyringError};
use std::sync::{Arc, Mutex};

pub const SERVICE: &str = "ClinicDesk";
pub const USER: &str = "refresh-token";

/// How the credential store is picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyringChoice {
    /// The platform's store; on Linux the Secret Service when it answers, else keyutils.
    Auto,
    /// Whatever `keyring::set_default_credential_builder` installed (the mock store in
    /// tests), else keyring's compiled-in default.
    Default,
    /// Linux only: the Secret Service over D-Bus.
    SecretService,
    /// Linux only: the kernel keyring.
    Keyutils,
}

impl KeyringChoice {
    /// Reads `CLINICDESK_KEYRING` (`auto`, `secret-service`, `keyutils`, `default`).
    pub fn from_env() -> KeyringChoice {
        KeyringChoice::parse(&std::env::var("CLINICDESK_KEYRING").unwrap_or_default())
    }

    /// Unknown or empty text means [`KeyringChoice::Auto`].
    pub fn parse(text: &str) -> KeyringChoice {
        match text.trim().to_ascii_lowercase().as_str() {
            "secret-service" | "secret_service" | "secretservice" => KeyringChoice::SecretService,
            "keyutils" | "kernel" => KeyringChoice::Keyutils,
            "default" => KeyringChoice::Default,
            _ => KeyringChoice::Auto,
        }
    }
}

/// The refresh-token slot. Cheap to clone; the keyring entry is created on first use and then
/// reused (keyring's mock store keeps the secret in the entry itself).
#[derive(Clone)]
pub struct SessionStore {
    choice: KeyringChoice,
    service: Arc<str>,
    user: Arc<str>,
    slot: Arc<Mutex<Slot>>,
}

#[derive(Default)]
struct Slot {
    entry: Option<(Entry, &'static str)>,
    /// What [`SessionStore::prefetch`] read, handed to the next [`SessionStore::load`] once.
    prefetched: Option<Option<String>>,
}

impl SessionStore {
    /// The app's slot: service [`SERVICE`], user [`USER`].
    pub fn new(choice: KeyringChoice) -> SessionStore {
        SessionStore::with_account(choice, SERVICE, USER)
    }

    /// Another slot (tests use their own so they never touch a real user's token).
    pub fn with_account(choice: KeyringChoice, service: &str, user: &str) -> SessionStore {
        SessionStore {
            choice,
            service: service.into(),
            user: user.into(),
            slot: Arc::new(Mutex::new(Slot::default())),
        }
    }

    /// Opens the store and reads the token on a background thread now, so the UI's first
    /// `session_load` — which comes once the web view has started and the page has loaded —
    /// finds it already read instead of opening the keyring (a D-Bus round trip to the Secret
    /// Service, or keyutils system calls) on its critical path. The value read is handed out
    /// once; any save or clear in between discards it, so a load never answers a stale token.
    /// `None` if no thread could be started (then nothing is read ahead).
    pub fn prefetch(&self) -> Option<std::thread::JoinHandle<()>> {
        let store = self.clone();
        std::thread::Builder::new()
            .name("keyring-prefetch".into())
            .spawn(move || {
                let mut slot = store.lock();
                if slot.prefetched.is_some() {
                    return;
                }
                match store.read(&mut slot) {
                    Ok(token) => slot.prefetched = Some(token),
                    // Not kept: the UI's own load tries again and reports the error.
                    Err(e) => tracing::info!(error = %e, "refresh-token prefetch failed"),
                }
            })
            .map_err(|e| tracing::warn!(error = %e, "cannot start the keyring prefetch"))
            .ok()
    }

    /// The store in use (`secret-service`, `keyutils`, `platform`), opening it if needed.
    pub fn backend(&self) -> Result<&'static str, String> {
        let mut slot = self.lock();
        self.with_entry(&mut slot, |_, backend| Ok(backend))
    }

    pub fn save(&self, refresh_token: &str) -> Result<(), String> {
        if refresh_token.is_empty() {
            return self.clear();
        }
        let mut slot = self.lock();
        slot.prefetched = None;
        self.with_entry(&mut slot, |entry, _| {
            entry.set_password(refresh_token).map_err(describe)
        })
    }

    /// `None` when no token is stored.
    pub fn load(&self) -> Result<Option<String>, String> {
        let mut slot = self.lock();
        if let Some(token) = slot.prefetched.take() {
            return Ok(token);
        }
        self.read(&mut slot)
    }

    pub fn clear(&self) -> Result<(), String> {
        let mut slot = self.lock();
        slot.prefetched = None;
        self.with_entry(&mut slot, |entry, _| match entry.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(e) => Err(describe(e)),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn read(&self, slot: &mut Slot) -> Result<Option<String>, String> {
        self.with_entry(slot, |entry, _| match entry.get_password() {
            Ok(token) if token.is_empty() => Ok(None),
            Ok(token) => Ok(Some(token)),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(describe(e)),
        })
    }

    fn with_entry<T>(
        &self,
        slot: &mut Slot,
        f: impl FnOnce(&Entry, &'static str) -> Result<T, String>,
    ) -> Result<T, String> {
        if slot.entry.is_none() {
            let opened = open_entry(self.choice, &self.service, &self.user)?;
            tracing::info!(
                backend = opened.1,
                elapsed_ms = crate::uptime_ms(),
                "refresh-token store opened"
            );
            slot.entry = Some(opened);
        }
        let (entry, backend) = slot.entry.as_ref().expect("just filled");
        f(entry, backend)
    }
}

pub(crate) fn describe(e: KeyringError) -> String {
    format!("OS keyring: {e}")
}

fn default_entry(service: &str, user: &str) -> Result<(Entry, &'static str), String> {
    Entry::new(service, user)
        .map(|e| (e, "platform"))
        .map_err(describe)
}

#[cfg(target_os = "linux")]
fn secret_service_entry(service: &str, user: &str) -> Result<(Entry, &'static str), String> {
    let credential = keyring::secret_service::SsCredential::new_with_target(None, service, user)
        .map_err(describe)?;
    Ok((
        Entry::new_with_credential(Box::new(credential)),
        "secret-service",
    ))
}

/// keyring's keyutils credential, anchored where this process can actually use it.
///
/// A process started outside a PAM login session (CI, containers, some service managers) has
/// no session keyring of its own; the kernel then lets it use the per-user "user-session"
/// keyring in its place. keyring's own constructor links the persistent keyring through the
/// special id `KEY_SPEC_SESSION_KEYRING`, which makes the kernel create a *new, empty* session
/// keyring for the process — after which the keys it adds to the user-session keyring are no
/// longer "possessed", and every read, link or delete fails with `EACCES` (keyring reports it
/// as "no entry"). So when there is no own session keyring, anchor on the user-session keyring
/// explicitly. In a normal desktop login both cases are the same keyring.
#[cfg(target_os = "linux")]
fn keyutils_entry(service: &str, user: &str) -> Result<(Entry, &'static str), String> {
    use linux_keyutils::{KeyRing, KeyRingIdentifier};
    let keyutils = |e: linux_keyutils::KeyError| format!("kernel keyring: {e:?}");
    let session = KeyRing::from_special_id(KeyRingIdentifier::Session, false).map_err(keyutils)?;
    let user_session = KeyRing::from_special_id(KeyRingIdentifier::UserSession, false).ok();
    let anchor = if user_session == Some(session) {
        KeyRingIdentifier::UserSession
    } else {
        KeyRingIdentifier::Session
    };
    let persistent = KeyRing::get_persistent(anchor).ok();
    let credential = keyring::keyutils::KeyutilsCredential {
        session,
        persistent,
        description: format!("keyring-rs:{user}@{service}"),
    };
    Ok((Entry::new_with_credential(Box::new(credential)), "keyutils"))
}

#[cfg(target_os = "linux")]
pub(crate) fn open_entry(
    choice: KeyringChoice,
    service: &str,
    user: &str,
) -> Result<(Entry, &'static str), String> {
    match choice {
        KeyringChoice::Default => default_entry(service, user),
        KeyringChoice::SecretService => secret_service_entry(service, user),
        KeyringChoice::Keyutils => keyutils_entry(service, user),
        KeyringChoice::Auto => {
            // A Secret Service is usable when a read answers (found or not found); without a
            // session bus or a keyring daemon it fails at once and the kernel keyring is used.
            match secret_service_entry(service, user) {
                Ok((entry, name)) => match entry.get_password() {
                    Ok(_) | Err(KeyringError::NoEntry) => return Ok((entry, name)),
                    Err(e) => {
                        tracing::info!(error = %e, "no Secret Service; using the kernel keyring")
                    }
                },
                Err(e) => tracing::info!(error = %e, "no Secret Service; using the kernel keyring"),
            }
            keyutils_entry(service, user)
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn open_entry(
    choice: KeyringChoice,
    service: &str,
    user: &str,
) -> Result<(Entry, &'static str), String> {
    match choice {
        KeyringChoice::Auto | KeyringChoice::Default => default_entry(service, user),
        KeyringChoice::SecretService | KeyringChoice::Keyutils => {
            Err("the Secret Service and keyutils stores exist on Linux only".to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_in_the_mock_store() {
        keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
        let store = SessionStore::new(KeyringChoice::Default);
        assert_eq!(store.load().unwrap(), None);
        store.save("rt-1").unwrap();
        assert_eq!(store.load().unwrap().as_deref(), Some("rt-1"));
        store.save("rt-2").unwrap();
        assert_eq!(store.clone().load().unwrap().as_deref(), Some("rt-2"));
        store.clear().unwrap();
        assert_eq!(store.load().unwrap(), None);
        store.clear().unwrap();
        store.save("rt-3").unwrap();
        store.save("").unwrap();
        assert_eq!(store.load().unwrap(), None);
    }

    #[test]
    fn a_prefetched_token_is_handed_out_once_and_never_stale() {
        keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
        // The mock store keeps the secret in the entry, so one SessionStore is one slot.
        let store = SessionStore::new(KeyringChoice::Default);
        store.save("rt-1").unwrap();
        store.prefetch().unwrap().join().unwrap();
        assert_eq!(store.load().unwrap().as_deref(), Some("rt-1"));
        // Later loads read the store itself.
        store.save("rt-2").unwrap();
        assert_eq!(store.load().unwrap().as_deref(), Some("rt-2"));

        // A save or clear after the prefetch discards what it read.
        store.prefetch().unwrap().join().unwrap();
        store.save("rt-3").unwrap();
        assert_eq!(store.load().unwrap().as_deref(), Some("rt-3"));
        store.prefetch().unwrap().join().unwrap();
        store.clear().unwrap();
        assert_eq!(store.load().unwrap(), None);

        // Nothing stored: the prefetch answers "no token" too.
        store.prefetch().unwrap().join().unwrap();
        assert_eq!(store.load().unwrap(), None);
    }

    #[test]
    fn choice_parsing() {
        assert_eq!(KeyringChoice::parse(""), KeyringChoice::Auto);
        assert_eq!(KeyringChoice::parse("auto"), KeyringChoice::Auto);
        assert_eq!(KeyringChoice::parse(" KeyUtils "), KeyringChoice::Keyutils);
        assert_eq!(
            KeyringChoice::parse("secret-service"),
            KeyringChoice::SecretService
        );
        assert_eq!(KeyringChoice::parse("default"), KeyringChoice::Default);
        assert_eq!(KeyringChoice::parse("nonsense"), KeyringChoice::Auto);
    }
}
