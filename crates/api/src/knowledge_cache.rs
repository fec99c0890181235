//! The allergy knowledge versions this process has read, parsed once each. A version never
//! changes once stored, so an entry never goes stale; which version is current is asked of the
//! database each time (another node may have published one since).

use crate::envelope::ApiError;
use clinicdesk_allergy::Knowledge;
use clinicdesk_domain::DomainError;
use clinicdesk_store::{knowledge, Db, StoreResult, WriteTx};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct KnowledgeCache {
    parsed: Mutex<HashMap<String, Arc<Knowledge>>>,
}

impl KnowledgeCache {
    fn cached(&self, version: &str) -> Option<Arc<Knowledge>> {
        self.parsed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(version)
            .cloned()
    }

    fn keep(&self, k: Knowledge) -> Arc<Knowledge> {
        let k = Arc::new(k);
        self.parsed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(k.version.clone(), k.clone());
        k
    }

    /// The version named `version`; `None` if this database does not hold it.
    pub async fn version(
        &self,
        db: &Db,
        version: &str,
    ) -> Result<Option<Arc<Knowledge>>, ApiError> {
        if let Some(k) = self.cached(version) {
            return Ok(Some(k));
        }
        let mut conn = db.conn().await?;
        let Some(stored) = knowledge::get(&mut conn, version).await? else {
            return Ok(None);
        };
        drop(conn);
        Ok(Some(self.keep(parse_stored(&stored)?)))
    }

    /// The version in use (the one published last).
    pub async fn current(&self, db: &Db) -> Result<Arc<Knowledge>, ApiError> {
        let mut conn = db.conn().await?;
        let name = knowledge::current_version(&mut conn).await?;
        drop(conn);
        match name {
            Some(name) => self.version(db, &name).await?.ok_or_else(|| {
                ApiError(DomainError::internal(format!(
                    "knowledge version {name} vanished"
                )))
            }),
            // `ensure_builtin` runs at start-up; this is only a database it never opened.
            None => Ok(self.keep(clinicdesk_allergy::builtin().clone())),
        }
    }
}

/// A stored version parses: it was validated when it was published (a document that no longer
/// parses means this build cannot read it — said plainly, never guessed at).
fn parse_stored(stored: &knowledge::KnowledgeVersion) -> Result<Knowledge, ApiError> {
    let doc: serde_json::Value = serde_json::from_str(&stored.document).map_err(|e| {
        ApiError(DomainError::internal(format!(
            "knowledge {}: {e}",
            stored.version
        )))
    })?;
    clinicdesk_allergy::parse_document(&doc).map_err(|problems| {
        let first = problems
            .first()
            .map(|p| format!("{}: {}", p.path, p.message))
            .unwrap_or_default();
        ApiError(DomainError::internal(format!(
            "knowledge {} cannot be read by this version of ClinicDesk: {first}",
            stored.version
        )))
    })
}

/// The stored form of a version an admin publishes.
pub fn stored_form(k: &Knowledge, published_by: (String, String)) -> knowledge::KnowledgeVersion {
    let mut v = builtin_form(k);
    v.published_by = Some(published_by.0);
    v.published_by_name = Some(published_by.1);
    v
}

fn builtin_form(k: &Knowledge) -> knowledge::KnowledgeVersion {
    knowledge::KnowledgeVersion::builtin(
        &k.version,
        k.document().to_string(),
        k.content_hash(),
        &k.published_at,
    )
}

/// Stores the built-in knowledge version unless this database has it.
pub async fn ensure_builtin(w: &mut WriteTx) -> StoreResult<bool> {
    knowledge::insert(w, &builtin_form(clinicdesk_allergy::builtin()), false).await
}
