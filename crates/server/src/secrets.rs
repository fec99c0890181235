//! The server's key rings, from outside the database (see
//! `clinicdesk_security::secrets::configured_ring`): environment variables, or private files
//! in the secrets directory made on first start. Several server processes on one PostgreSQL
//! database must share them: give each the same directory or variables.

use anyhow::bail;
use clinicdesk_api::Secrets;
use clinicdesk_security::secrets::{self, configured_ring, env_vars, AUDIT_KEYS, JWT_KEYS};
use clinicdesk_security::{FileSecrets, KeyRing};
use std::path::Path;

pub fn load(dir: &Path) -> anyhow::Result<Secrets> {
    Ok(Secrets {
        tokens: configured_ring(dir, JWT_KEYS)?,
        audit: configured_ring(dir, AUDIT_KEYS)?,
    })
}

/// Puts a new current key first in the file-kept ring `name` (`keys rotate`), keeping at most
/// `keep_old` of the earlier keys (all of them when `None`).
pub fn rotate(dir: &Path, name: &str, keep_old: Option<usize>) -> anyhow::Result<KeyRing> {
    if let Some((var, file_var)) = env_vars(name) {
        if std::env::var_os(var).is_some() || std::env::var_os(file_var).is_some() {
            bail!("the {name} keys come from {var}/{file_var}: rotate them where they are kept");
        }
    }
    let store = FileSecrets::new(dir);
    let rotated = secrets::rotate(&store, name)?;
    match keep_old {
        Some(keep) if rotated.keys().len() > keep + 1 => {
            let pruned = rotated.pruned(keep);
            secrets::SecretStore::replace(&store, name, &pruned.to_text())?;
            Ok(pruned)
        }
        _ => Ok(rotated),
    }
}
