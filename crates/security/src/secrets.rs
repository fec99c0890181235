//! Where secrets live: a [`SecretStore`] keeps named key rings outside the database — files
//! only the owner can read (the server, a headless node) or the OS keyring (the desktop, which
//! implements the trait over the `keyring` crate). [`key_ring`] loads a ring or makes one on
//! first use.

use crate::keys::{KeyError, KeyRing};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The ring that signs access tokens.
pub const JWT_KEYS: &str = "jwt-signing";
/// The ring that keys the audit chain's MACs.
pub const AUDIT_KEYS: &str = "audit";

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the secret {name:?} in {place} is not a valid key ring: {source}")]
    Invalid {
        name: String,
        place: String,
        #[source]
        source: KeyError,
    },
    #[error("{0}")]
    Store(String),
}

/// Named secrets, each a text (a key ring's text form).
pub trait SecretStore: Send + Sync {
    /// The stored text, `None` when there is none yet.
    fn load(&self, name: &str) -> Result<Option<String>, SecretError>;
    /// Stores `value` unless the secret exists already; returns the text in force, so two
    /// processes starting at once agree on one secret.
    fn store_new(&self, name: &str, value: &str) -> Result<String, SecretError>;
    /// Replaces the secret (key rotation).
    fn replace(&self, name: &str, value: &str) -> Result<(), SecretError>;
    /// Where the secrets are, for logs and errors (never the secrets themselves).
    fn place(&self) -> String;
}

/// The ring stored under `name`, made (one new key) and stored when there is none.
pub fn key_ring(store: &dyn SecretStore, name: &str) -> Result<KeyRing, SecretError> {
    let text = match store.load(name)? {
        Some(text) => text,
        None => store.store_new(name, &KeyRing::generate().to_text())?,
    };
    parse(&text, name, &store.place())
}

/// Puts a new current key first in the ring stored under `name`, keeping at most `keep_old` of
/// the earlier keys (all of them, to verify what they signed, when `None`); returns the new ring.
pub fn rotate(
    store: &dyn SecretStore,
    name: &str,
    keep_old: Option<usize>,
) -> Result<KeyRing, SecretError> {
    let mut ring = key_ring(store, name)?.rotated();
    if let Some(keep) = keep_old {
        ring = ring.pruned(keep);
    }
    store.replace(name, &ring.to_text())?;
    Ok(ring)
}

pub fn parse(text: &str, name: &str, place: &str) -> Result<KeyRing, SecretError> {
    KeyRing::parse(text).map_err(|source| SecretError::Invalid {
        name: name.to_string(),
        place: place.to_string(),
        source,
    })
}

/// The variables that may give a ring instead of the secrets directory: its text, or the
/// path of a file holding it.
pub fn env_vars(name: &str) -> Option<(&'static str, &'static str)> {
    match name {
        JWT_KEYS => Some(("CLINICDESK_JWT_SECRET", "CLINICDESK_JWT_SECRET_FILE")),
        AUDIT_KEYS => Some(("CLINICDESK_AUDIT_KEY", "CLINICDESK_AUDIT_KEY_FILE")),
        _ => None,
    }
}

/// The ring `name` as a server or a command-line tool is configured to find it: from its
/// environment variable, else the file its `_FILE` variable names (refused if others can read
/// it, as ssh refuses such a key), else `<dir>/<name>.keys`, made on first use.
pub fn configured_ring(dir: &Path, name: &str) -> Result<KeyRing, SecretError> {
    if let Some((var, file_var)) = env_vars(name) {
        if let Some(text) = std::env::var(var).ok().filter(|v| !v.trim().is_empty()) {
            return parse(&text, name, var);
        }
        if let Some(path) = std::env::var_os(file_var).filter(|v| !v.is_empty()) {
            let path = Path::new(&path);
            refuse_shared(path)?;
            let text = std::fs::read_to_string(path).map_err(FileSecrets::io(format!(
                "cannot read {file_var}={}",
                path.display()
            )))?;
            return parse(&text, name, &path.display().to_string());
        }
    }
    key_ring(&FileSecrets::new(dir), name)
}

/// [`rotate`] for a ring kept where [`configured_ring`] finds it: in `<dir>/<name>.keys`. A
/// ring given by its environment variables is refused — it is rotated where it is kept.
pub fn rotate_configured(
    dir: &Path,
    name: &str,
    keep_old: Option<usize>,
) -> Result<KeyRing, SecretError> {
    if let Some((var, file_var)) = env_vars(name) {
        if std::env::var_os(var).is_some() || std::env::var_os(file_var).is_some() {
            return Err(SecretError::Store(format!(
                "the {name} keys come from {var}/{file_var}: rotate them where they are kept"
            )));
        }
    }
    rotate(&FileSecrets::new(dir), name, keep_old)
}

/// A key file others can read is refused: the operator named it, so it is not ours to change.
fn refuse_shared(path: &Path) -> Result<(), SecretError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(FileSecrets::io(format!("cannot read {}", path.display())))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(SecretError::Store(format!(
                "{} is readable by other users (mode {:o}); make it private: chmod 600",
                path.display(),
                mode & 0o777
            )));
        }
    }
    Ok(())
}

/// Secrets as files `<dir>/<name>.keys`, the directory `0700` and each file `0600` (owner
/// only), created atomically: a file appears whole or not at all.
#[derive(Debug, Clone)]
pub struct FileSecrets {
    dir: PathBuf,
}

impl FileSecrets {
    pub fn new(dir: impl Into<PathBuf>) -> FileSecrets {
        FileSecrets { dir: dir.into() }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.keys"))
    }

    fn io(what: String) -> impl FnOnce(std::io::Error) -> SecretError {
        move |source| SecretError::Io { what, source }
    }

    /// A temporary file in the directory holding `value`, private from its creation.
    fn write_temp(&self, name: &str, value: &str) -> Result<PathBuf, SecretError> {
        private_dir(&self.dir)
            .map_err(Self::io(format!("cannot create {}", self.dir.display())))?;
        let tmp = self.dir.join(format!(
            ".{name}.{}.{}.tmp",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        let mut f =
            private_create(&tmp).map_err(Self::io(format!("cannot create {}", tmp.display())))?;
        f.write_all(value.as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(Self::io(format!("cannot write {}", tmp.display())))?;
        Ok(tmp)
    }
}

impl SecretStore for FileSecrets {
    fn load(&self, name: &str) -> Result<Option<String>, SecretError> {
        let path = self.path(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                // A file someone made readable by others is made private again.
                private_file(&path)
                    .map_err(Self::io(format!("cannot protect {}", path.display())))?;
                Ok(Some(text))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SecretError::Io {
                what: format!("cannot read {}", path.display()),
                source: e,
            }),
        }
    }

    fn store_new(&self, name: &str, value: &str) -> Result<String, SecretError> {
        let tmp = self.write_temp(name, value)?;
        let path = self.path(name);
        // A hard link fails if the name exists: the first process to link wins, whole.
        let linked = std::fs::hard_link(&tmp, &path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(value.to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => self
                .load(name)?
                .ok_or_else(|| SecretError::Store(format!("{} vanished", path.display()))),
            Err(e) => Err(SecretError::Io {
                what: format!("cannot create {}", path.display()),
                source: e,
            }),
        }
    }

    fn replace(&self, name: &str, value: &str) -> Result<(), SecretError> {
        let tmp = self.write_temp(name, value)?;
        let path = self.path(name);
        std::fs::rename(&tmp, &path).map_err(Self::io(format!("cannot replace {}", path.display())))
    }

    fn place(&self) -> String {
        self.dir.display().to_string()
    }
}

/// Creates `dir` (and its parents) and makes it accessible to its owner only.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    set_mode(dir, 0o700)
}

/// Makes an existing file readable and writable by its owner only.
pub fn private_file(path: &Path) -> std::io::Result<()> {
    set_mode(path, 0o600)
}

/// Creates a new file that is private from its first byte (no window in which another user
/// could open it).
fn private_create(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Creates `path` private and empty if it does not exist (a database file before SQLite opens
/// it, so SQLite and its `-wal`/`-shm` files, which copy its mode, are never world-readable);
/// makes an existing one private.
pub fn private_file_or_new(path: &Path) -> std::io::Result<()> {
    match private_create(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => private_file(path),
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    // Windows: files under the user's profile are private to the user by default.
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(what: &str) -> PathBuf {
        std::env::temp_dir().join(format!(
            "clinicdesk-secrets-{what}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ))
    }

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_ring_is_made_once_and_kept_private() {
        let dir = temp_dir("make");
        let store = FileSecrets::new(dir.join("secrets"));
        let first = key_ring(&store, JWT_KEYS).unwrap();
        let again = key_ring(&store, JWT_KEYS).unwrap();
        assert_eq!(first.current().id(), again.current().id());
        #[cfg(unix)]
        {
            assert_eq!(mode(&dir.join("secrets")), 0o700);
            assert_eq!(mode(&store.path(JWT_KEYS)), 0o600);
        }
        let rotated = rotate(&store, JWT_KEYS, None).unwrap();
        assert_eq!(
            key_ring(&store, JWT_KEYS).unwrap().current().id(),
            rotated.current().id()
        );
        assert!(rotated.get(first.current().id()).is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn concurrent_first_starts_agree_on_one_key() {
        let dir = temp_dir("race");
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let store = FileSecrets::new(dir.clone());
                std::thread::spawn(move || {
                    key_ring(&store, AUDIT_KEYS)
                        .unwrap()
                        .current()
                        .id()
                        .to_string()
                })
            })
            .collect();
        let ids: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert!(ids.iter().all(|id| id == &ids[0]), "{ids:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_damaged_secret_is_an_error_not_a_key() {
        let dir = temp_dir("damaged");
        let store = FileSecrets::new(dir.clone());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(store.path(JWT_KEYS), "not a key at all, just text").unwrap();
        let e = key_ring(&store, JWT_KEYS).unwrap_err();
        assert!(matches!(e, SecretError::Invalid { .. }), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn loose_permissions_are_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("loose");
        let store = FileSecrets::new(dir.clone());
        key_ring(&store, JWT_KEYS).unwrap();
        std::fs::set_permissions(store.path(JWT_KEYS), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        key_ring(&store, JWT_KEYS).unwrap();
        assert_eq!(mode(&store.path(JWT_KEYS)), 0o600);
        let db = dir.join("x.db");
        private_file_or_new(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
