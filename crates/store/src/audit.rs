//! The audit trail: an append-only hash chain. Each event's hash covers its fields and the
//! previous hash, so editing or deleting any past event breaks every hash after it, which
//! [`verify_chain`] detects.

use crate::{Db, StoreResult};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub seq: i64,
    pub id: String,
    pub occurred_at: String,
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub role: Option<String>,
    pub device_id: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub details: String,
    pub prev_hash: String,
}

impl AuditEvent {
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        for part in [
            self.prev_hash.clone(),
            self.seq.to_string(),
            self.id.clone(),
            self.occurred_at.clone(),
            opt(&self.user_id),
            opt(&self.username),
            opt(&self.role),
            opt(&self.device_id),
            opt(&self.request_id),
            self.action.clone(),
            self.entity.clone(),
            opt(&self.entity_id),
            self.details.clone(),
        ] {
            h.update(part.as_bytes());
            h.update([0x1f]);
        }
        hex::encode(h.finalize())
    }
}

/// Health and contact values do not belong in the audit trail: it records which fields a
/// write touched, not their contents.
pub fn redact(payload: &Value) -> Value {
    match payload {
        Value::Object(map) => Value::Array(map.keys().map(|k| Value::String(k.clone())).collect()),
        _ => Value::Null,
    }
}

pub(crate) async fn insert(
    conn: &mut AnyConnection,
    e: &AuditEvent,
    hash: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (seq, id, occurred_at, user_id, username, role, device_id, request_id, \
         action, entity, entity_id, details, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(e.seq)
    .bind(e.id.clone())
    .bind(e.occurred_at.clone())
    .bind(e.user_id.clone())
    .bind(e.username.clone())
    .bind(e.role.clone())
    .bind(e.device_id.clone())
    .bind(e.request_id.clone())
    .bind(e.action.clone())
    .bind(e.entity.clone())
    .bind(e.entity_id.clone())
    .bind(e.details.clone())
    .bind(e.prev_hash.clone())
    .bind(hash.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// A summary of an audit event, for tests and the admin's views.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub seq: i64,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub username: Option<String>,
    pub role: Option<String>,
    pub device_id: Option<String>,
}

/// The newest audit events, newest first.
pub async fn recent(db: &Db, limit: i64) -> StoreResult<Vec<AuditEntry>> {
    let rows = sqlx::query(
        "SELECT seq, action, entity, entity_id, username, role, device_id FROM audit_events ORDER BY seq DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    entries(&rows)
}

/// The audit events about one record, oldest first.
pub async fn of_entity(db: &Db, entity_id: &str) -> StoreResult<Vec<AuditEntry>> {
    let rows = sqlx::query(
        "SELECT seq, action, entity, entity_id, username, role, device_id FROM audit_events \
         WHERE entity_id = $1 ORDER BY seq",
    )
    .bind(entity_id.to_string())
    .fetch_all(&db.pool)
    .await?;
    entries(&rows)
}

fn entries(rows: &[sqlx::any::AnyRow]) -> StoreResult<Vec<AuditEntry>> {
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                seq: r.try_get("seq")?,
                action: r.try_get("action")?,
                entity: r.try_get("entity")?,
                entity_id: r.try_get("entity_id")?,
                username: r.try_get("username")?,
                role: r.try_get("role")?,
                device_id: r.try_get("device_id")?,
            })
        })
        .collect()
}

/// Recomputes the whole chain. `Ok(n)` with the number of events when intact; `Err(seq)`
/// names the first event whose hash or link does not match.
pub async fn verify_chain(db: &Db) -> StoreResult<Result<i64, i64>> {
    let rows = sqlx::query(
        "SELECT seq, id, occurred_at, user_id, username, role, device_id, request_id, action, entity, entity_id, \
         details, prev_hash, hash FROM audit_events ORDER BY seq",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut prev = "0".repeat(64);
    for (expected_seq, r) in (1i64..).zip(rows.iter()) {
        let e = AuditEvent {
            seq: r.try_get("seq")?,
            id: r.try_get("id")?,
            occurred_at: r.try_get("occurred_at")?,
            user_id: r.try_get("user_id")?,
            username: r.try_get("username")?,
            role: r.try_get("role")?,
            device_id: r.try_get("device_id")?,
            request_id: r.try_get("request_id")?,
            action: r.try_get("action")?,
            entity: r.try_get("entity")?,
            entity_id: r.try_get("entity_id")?,
            details: r.try_get("details")?,
            prev_hash: r.try_get("prev_hash")?,
        };
        let stored: String = r.try_get("hash")?;
        if e.seq != expected_seq || e.prev_hash != prev || e.hash() != stored {
            return Ok(Err(e.seq));
        }
        prev = stored;
    }
    Ok(Ok(rows.len() as i64))
}
