//! Customers' self-reported health scores (migration 0025): one row per metric and report,
//! a synced fact. Read by customer analytics' `healthMetrics` (first against latest).

use crate::row;
use crate::{StoreResult, WriteTx};
use chrono::NaiveDate;
use sqlx::AnyConnection;

#[derive(Debug, Clone, PartialEq)]
pub struct StoredSelfReport {
    pub id: String,
    pub customer_id: String,
    pub reported_on: NaiveDate,
    /// `stress_level`, `sleep_quality`, `focus_level`, `pain_level` or `fatigue_level`.
    pub metric: String,
    /// 1–10.
    pub value: i64,
    pub recorded_by: Option<String>,
    pub created_at: String,
}

const COLUMNS: &str = "id, customer_id, reported_on, metric, value, recorded_by, created_at";

/// Stores one report's values (audited, queued for sync).
pub async fn insert(w: &mut WriteTx, reports: &[StoredSelfReport]) -> StoreResult<()> {
    for r in reports {
        sqlx::query(&format!(
            "INSERT INTO health_self_reports ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ))
        .bind(r.id.clone())
        .bind(r.customer_id.clone())
        .bind(r.reported_on.to_string())
        .bind(r.metric.clone())
        .bind(r.value)
        .bind(r.recorded_by.clone())
        .bind(r.created_at.clone())
        .execute(w.conn())
        .await?;
        w.record(
            "health.self_report",
            "health_self_report",
            &r.id,
            &serde_json::json!({
                "customer_id": r.customer_id,
                "reported_on": r.reported_on,
                "metric": r.metric,
                "value": r.value,
            }),
        )
        .await?;
    }
    Ok(())
}

/// One customer's reports, oldest first (by day, then by when they were recorded: of two
/// reports of a day, the later counts).
pub async fn of_customer(
    conn: &mut AnyConnection,
    customer_id: &str,
) -> StoreResult<Vec<StoredSelfReport>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM health_self_reports WHERE customer_id = $1 \
         ORDER BY reported_on, created_at, id"
    ))
    .bind(customer_id.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StoredSelfReport {
                id: row::text(r, "id")?,
                customer_id: row::text(r, "customer_id")?,
                reported_on: row::date(r, "reported_on")?,
                metric: row::text(r, "metric")?,
                value: row::int(r, "value")?,
                recorded_by: row::opt_text(r, "recorded_by")?,
                created_at: row::text(r, "created_at")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(Into::into)
}
