//! Stored versions of the trained customer model (`clinicdesk-models`: segments with personas,
//! churn). Facts: a version is written once, synced to every node, and never edited; which one
//! serves is decided where it is loaded (the newest that passes its checks).

use crate::row;
use crate::{StoreResult, WriteTx};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

/// One trained version.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredModel {
    pub version: String,
    pub trained_at: String,
    /// The artifact's JSON (empty in listings).
    pub artifact: String,
    /// What training measured, JSON.
    pub report: String,
    pub trained_by: Option<String>,
    pub created_at: String,
}

const COLUMNS: &str = "version, trained_at, artifact, report, trained_by, created_at";
const LISTED: &str = "version, trained_at, '' AS artifact, report, trained_by, created_at";

fn from_row(r: &AnyRow) -> Result<StoredModel, sqlx::Error> {
    Ok(StoredModel {
        version: row::text(r, "version")?,
        trained_at: row::text(r, "trained_at")?,
        artifact: row::text(r, "artifact")?,
        report: row::text(r, "report")?,
        trained_by: row::opt_text(r, "trained_by")?,
        created_at: row::text(r, "created_at")?,
    })
}

/// Stores a newly trained version (audited, logged for sync); false when the version exists.
pub async fn insert(w: &mut WriteTx, m: &StoredModel) -> StoreResult<bool> {
    let inserted = sqlx::query(&format!(
        "INSERT INTO customer_models ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (version) DO NOTHING"
    ))
    .bind(m.version.clone())
    .bind(m.trained_at.clone())
    .bind(m.artifact.clone())
    .bind(m.report.clone())
    .bind(m.trained_by.clone())
    .bind(m.created_at.clone())
    .execute(w.conn())
    .await?
    .rows_affected()
        > 0;
    if inserted {
        let report: serde_json::Value = serde_json::from_str(&m.report).unwrap_or_default();
        w.record(
            "model.train",
            "customer_model",
            &m.version,
            &serde_json::json!({ "trained_at": m.trained_at, "report": report }),
        )
        .await?;
    }
    Ok(inserted)
}

/// The name of the newest version (by training time, then name).
pub async fn newest_version(conn: &mut AnyConnection) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT version FROM customer_models ORDER BY trained_at DESC, version DESC LIMIT 1",
    )
    .fetch_optional(conn)
    .await?)
}

/// The newest `limit` versions with their artifacts, newest first.
pub async fn newest(conn: &mut AnyConnection, limit: i64) -> StoreResult<Vec<StoredModel>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM customer_models ORDER BY trained_at DESC, version DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Every version without its artifact, newest first.
pub async fn list(conn: &mut AnyConnection) -> StoreResult<Vec<StoredModel>> {
    let rows = sqlx::query(&format!(
        "SELECT {LISTED} FROM customer_models ORDER BY trained_at DESC, version DESC"
    ))
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}
