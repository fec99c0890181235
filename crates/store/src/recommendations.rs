//! Recommendations shown and the feedback given on them (migration 0024, seed 000 §3).
//!
//! A recommendation's id is a hash (`clinicdesk_recommend::recommendation_id`), so the node
//! that showed it keeps what it showed: feedback then names the id alone and is stored with
//! the customer, kind and item it was about. Feedback is a synced fact; what was shown is not
//! (each node resolves the ids it handed out).

use crate::row;
use crate::{StoreResult, WriteTx};
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

/// One recommendation as it was shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Served {
    pub recommendation_id: String,
    pub customer_id: String,
    /// `service`, `package` or `schedule`.
    pub kind: String,
    pub item_code: String,
    pub item_name: String,
    pub algorithm: String,
    pub score: f64,
    pub served_on: NaiveDate,
}

/// One piece of feedback, as stored and synced.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFeedback {
    pub id: String,
    pub recommendation_id: String,
    pub customer_id: String,
    pub kind: String,
    pub item_code: String,
    pub item_name: String,
    /// `accepted`, `rejected` or `ignored`.
    pub action: String,
    pub feedback_score: Option<i64>,
    pub comment: Option<String>,
    pub given_on: NaiveDate,
    pub created_by: Option<String>,
    pub created_at: String,
}

/// Remembers what was shown. The same id shown again the same day keeps its first row.
/// Not audited: showing a list writes nothing anyone acts on (the read itself is in the
/// access log).
pub async fn remember_served(conn: &mut AnyConnection, served: &[Served]) -> StoreResult<()> {
    if served.is_empty() {
        return Ok(());
    }
    // One statement: a list is remembered whole or not at all, with one commit.
    let rows: Vec<String> = (0..served.len())
        .map(|i| {
            let b = i * 8;
            format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO recommendations_served (recommendation_id, customer_id, kind, item_code, \
         item_name, algorithm, score, served_on) VALUES {} \
         ON CONFLICT (recommendation_id) DO NOTHING",
        rows.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for s in served {
        q = q
            .bind(s.recommendation_id.clone())
            .bind(s.customer_id.clone())
            .bind(s.kind.clone())
            .bind(s.item_code.clone())
            .bind(s.item_name.clone())
            .bind(s.algorithm.clone())
            .bind(s.score)
            .bind(s.served_on.to_string());
    }
    q.execute(conn).await?;
    Ok(())
}

/// What `recommendation_id` showed to `customer_id` (`None` when it was not shown to them
/// here).
pub async fn served(
    conn: &mut AnyConnection,
    customer_id: &str,
    recommendation_id: &str,
) -> StoreResult<Option<Served>> {
    let Some(r) = sqlx::query(
        "SELECT recommendation_id, customer_id, kind, item_code, item_name, algorithm, \
         CAST(score AS DOUBLE PRECISION) AS score, served_on FROM recommendations_served \
         WHERE recommendation_id = $1 AND customer_id = $2",
    )
    .bind(recommendation_id.to_string())
    .bind(customer_id.to_string())
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    use sqlx::Row;
    Ok(Some(Served {
        recommendation_id: row::text(&r, "recommendation_id")?,
        customer_id: row::text(&r, "customer_id")?,
        kind: row::text(&r, "kind")?,
        item_code: row::text(&r, "item_code")?,
        item_name: row::text(&r, "item_name")?,
        algorithm: row::text(&r, "algorithm")?,
        score: r.try_get::<f64, _>("score")?,
        served_on: row::date(&r, "served_on")?,
    }))
}

const COLUMNS: &str = "id, recommendation_id, customer_id, kind, item_code, item_name, action, \
                       feedback_score, comment, given_on, created_by, created_at";

fn feedback_from(r: &AnyRow) -> Result<StoredFeedback, sqlx::Error> {
    Ok(StoredFeedback {
        id: row::text(r, "id")?,
        recommendation_id: row::text(r, "recommendation_id")?,
        customer_id: row::text(r, "customer_id")?,
        kind: row::text(r, "kind")?,
        item_code: row::text(r, "item_code")?,
        item_name: row::text(r, "item_name")?,
        action: row::text(r, "action")?,
        feedback_score: row::opt_int(r, "feedback_score")?,
        comment: row::opt_text(r, "comment")?,
        given_on: row::date(r, "given_on")?,
        created_by: row::opt_text(r, "created_by")?,
        created_at: row::text(r, "created_at")?,
    })
}

/// Stores feedback (audited, queued for sync).
pub async fn insert_feedback(w: &mut WriteTx, f: &StoredFeedback) -> StoreResult<()> {
    sqlx::query(&format!(
        "INSERT INTO recommendation_feedback ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .bind(f.id.clone())
    .bind(f.recommendation_id.clone())
    .bind(f.customer_id.clone())
    .bind(f.kind.clone())
    .bind(f.item_code.clone())
    .bind(f.item_name.clone())
    .bind(f.action.clone())
    .bind(f.feedback_score)
    .bind(f.comment.clone())
    .bind(f.given_on.to_string())
    .bind(f.created_by.clone())
    .bind(f.created_at.clone())
    .execute(w.conn())
    .await?;
    w.record(
        "recommendation.feedback",
        "recommendation_feedback",
        &f.id,
        &serde_json::json!({
            "customer_id": f.customer_id,
            "recommendation_id": f.recommendation_id,
            "type": f.kind,
            "item_code": f.item_code,
            "action": f.action,
            "feedback_score": f.feedback_score,
            "comment": f.comment,
        }),
    )
    .await
}

/// One customer's feedback, oldest first.
pub async fn feedback_of(
    conn: &mut AnyConnection,
    customer_id: &str,
) -> StoreResult<Vec<StoredFeedback>> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM recommendation_feedback WHERE customer_id = $1 \
         ORDER BY created_at, id"
    ))
    .bind(customer_id.to_string())
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| feedback_from(r).map_err(Into::into))
    .collect()
}

/// Every customer's feedback given on or after `since` (the clinic-wide acceptance rates
/// read a window, not all history), oldest first.
pub async fn feedback_since(
    conn: &mut AnyConnection,
    since: NaiveDate,
) -> StoreResult<Vec<StoredFeedback>> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM recommendation_feedback WHERE given_on >= $1 \
         ORDER BY created_at, id"
    ))
    .bind(since.to_string())
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| feedback_from(r).map_err(Into::into))
    .collect()
}

/// Changes whenever feedback is added or erased, here or by sync: how many rows there are and
/// the newest id (UUIDv7, so later rows sort last).
pub async fn feedback_revision(conn: &mut AnyConnection) -> StoreResult<(i64, String)> {
    use sqlx::Row;
    let r = sqlx::query(
        "SELECT COUNT(*) AS n, COALESCE(MAX(id), '') AS newest FROM recommendation_feedback",
    )
    .fetch_one(conn)
    .await?;
    Ok((r.try_get("n")?, row::text(&r, "newest")?))
}
