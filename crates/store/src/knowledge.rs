//! Versions of the allergy knowledge base: whole documents, immutable, synced to every node.
//! The version in use is the one published last.

use crate::row;
use crate::{StoreResult, WriteTx};
use sqlx::AnyConnection;

#[derive(Debug, Clone, PartialEq)]
pub struct KnowledgeVersion {
    pub version: String,
    /// The document as JSON text.
    pub document: String,
    pub content_hash: String,
    pub published_at: String,
    pub published_by: Option<String>,
    pub published_by_name: Option<String>,
}

impl KnowledgeVersion {
    /// The built-in version as every node stores it: no publisher, the document's own date —
    /// the same row everywhere, so it syncs as one fact.
    pub fn builtin(
        version: &str,
        document: String,
        content_hash: String,
        published_at: &str,
    ) -> KnowledgeVersion {
        KnowledgeVersion {
            version: version.to_string(),
            document,
            content_hash,
            published_at: published_at.to_string(),
            published_by: None,
            published_by_name: None,
        }
    }
}

const COLUMNS: &str =
    "version, document, content_hash, published_at, published_by, published_by_name";

fn from_row(r: &sqlx::any::AnyRow, with_document: bool) -> Result<KnowledgeVersion, sqlx::Error> {
    Ok(KnowledgeVersion {
        version: row::text(r, "version")?,
        document: if with_document {
            row::text(r, "document")?
        } else {
            String::new()
        },
        content_hash: row::text(r, "content_hash")?,
        published_at: row::text(r, "published_at")?,
        published_by: row::opt_text(r, "published_by")?,
        published_by_name: row::opt_text(r, "published_by_name")?,
    })
}

/// Stores a version unless one of that name exists; `true` if it was stored. A version an
/// admin publishes is audited; the built-in one, stored the same way on every node, is not
/// anyone's act.
pub async fn insert(w: &mut WriteTx, v: &KnowledgeVersion, audited: bool) -> StoreResult<bool> {
    let inserted = sqlx::query(&format!(
        "INSERT INTO knowledge_versions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (version) DO NOTHING"
    ))
    .bind(v.version.clone())
    .bind(v.document.clone())
    .bind(v.content_hash.clone())
    .bind(v.published_at.clone())
    .bind(v.published_by.clone())
    .bind(v.published_by_name.clone())
    .execute(w.conn())
    .await?
    .rows_affected()
        > 0;
    if !inserted {
        return Ok(false);
    }
    if audited {
        w.record(
            "knowledge.publish",
            "knowledge_version",
            &v.version,
            &serde_json::json!({ "content_hash": v.content_hash, "published_at": v.published_at }),
        )
        .await?;
    } else {
        w.change("knowledge_version", &v.version).await?;
    }
    Ok(true)
}

pub async fn get(conn: &mut AnyConnection, version: &str) -> StoreResult<Option<KnowledgeVersion>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM knowledge_versions WHERE version = $1"
    ))
    .bind(version.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(|r| from_row(r, true)).transpose()?)
}

/// Every version without its document, the one in use first.
pub async fn list(conn: &mut AnyConnection) -> StoreResult<Vec<KnowledgeVersion>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM knowledge_versions ORDER BY published_at DESC, version DESC"
    ))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| from_row(r, false))
        .collect::<Result<_, _>>()?)
}

/// The version in use: the one published last (ties by name), with its document.
pub async fn current(conn: &mut AnyConnection) -> StoreResult<Option<KnowledgeVersion>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM knowledge_versions ORDER BY published_at DESC, version DESC LIMIT 1"
    ))
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(|r| from_row(r, true)).transpose()?)
}

/// The name of the version in use.
pub async fn current_version(conn: &mut AnyConnection) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT version FROM knowledge_versions ORDER BY published_at DESC, version DESC LIMIT 1",
    )
    .fetch_optional(conn)
    .await?)
}
