//! Service sessions (visits) and their cancellations: insert-only.

use crate::row;
use crate::{StoreResult, WriteTx};
use clinicdesk_domain::session::SessionRecord;
use clinicdesk_domain::ServiceType;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

const COLUMNS: &str = "s.id, s.customer_id, s.service_type, s.service_date, s.duration_minutes, s.satisfaction_rating, \
    s.session_notes, s.staff_name, s.package_usage_id, p.package_name, s.amount, s.payment_method, \
    s.created_by, s.created_at, x.cancelled_at, x.reason AS cancel_reason, cu.display_name AS cancelled_by";
const FROM: &str = "service_sessions s LEFT JOIN package_purchases p ON p.id = s.package_usage_id \
    LEFT JOIN session_cancellations x ON x.session_id = s.id LEFT JOIN users cu ON cu.id = x.cancelled_by";

fn from_row(r: &AnyRow) -> Result<SessionRecord, sqlx::Error> {
    let service = row::text(r, "service_type")?;
    Ok(SessionRecord {
        id: row::text(r, "id")?,
        customer_id: row::text(r, "customer_id")?,
        service_type: ServiceType::parse(&service)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown service type {service}").into()))?,
        service_date: row::date(r, "service_date")?,
        duration_minutes: row::int(r, "duration_minutes")?,
        satisfaction_rating: row::opt_int(r, "satisfaction_rating")?,
        session_notes: row::opt_text(r, "session_notes")?,
        staff_name: row::opt_text(r, "staff_name")?,
        package_usage_id: row::opt_text(r, "package_usage_id")?,
        package_name: row::opt_text(r, "package_name")?,
        amount: row::int(r, "amount")?,
        payment_method: row::opt_text(r, "payment_method")?,
        created_by: row::opt_text(r, "created_by")?,
        created_at: row::text(r, "created_at")?,
        cancelled_at: row::opt_text(r, "cancelled_at")?,
        cancel_reason: row::opt_text(r, "cancel_reason")?,
        cancelled_by: row::opt_text(r, "cancelled_by")?,
    })
}

pub async fn insert(w: &mut WriteTx, s: &SessionRecord) -> StoreResult<()> {
    let device = w.actor().device_id.clone();
    let creator = w.actor().user_id.clone();
    sqlx::query(
        "INSERT INTO service_sessions (id, customer_id, service_type, service_date, duration_minutes, \
         satisfaction_rating, session_notes, staff_name, package_usage_id, amount, payment_method, created_by, \
         device_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(s.id.clone())
    .bind(s.customer_id.clone())
    .bind(s.service_type.as_str().to_string())
    .bind(s.service_date.to_string())
    .bind(s.duration_minutes)
    .bind(s.satisfaction_rating)
    .bind(s.session_notes.clone())
    .bind(s.staff_name.clone())
    .bind(s.package_usage_id.clone())
    .bind(s.amount)
    .bind(s.payment_method.clone())
    .bind(creator)
    .bind(device)
    .bind(s.created_at.clone())
    .execute(w.conn())
    .await?;
    let payload = json!({
        "customer_id": s.customer_id, "service_type": s.service_type.as_str(),
        "service_date": s.service_date.to_string(), "duration_minutes": s.duration_minutes,
        "satisfaction_rating": s.satisfaction_rating, "session_notes": s.session_notes,
        "staff_name": s.staff_name, "package_usage_id": s.package_usage_id, "amount": s.amount,
        "payment_method": s.payment_method,
    });
    w.record("session.record", "service_session", &s.id, &payload)
        .await
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> StoreResult<Option<SessionRecord>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM {FROM} WHERE s.id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// A customer's visits, newest first, cancelled ones included (marked).
pub async fn history(
    conn: &mut AnyConnection,
    customer_id: &str,
    limit: i64,
) -> StoreResult<Vec<SessionRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE s.customer_id = $1 ORDER BY s.service_date DESC, s.id DESC LIMIT $2"
    ))
    .bind(customer_id.to_string())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// The customer's visits of one service on one day that stand (not cancelled): the same
/// service twice on a day is asked about before it is recorded.
pub async fn standing_on_day(
    conn: &mut AnyConnection,
    customer_id: &str,
    service: ServiceType,
    date: chrono::NaiveDate,
) -> StoreResult<Vec<SessionRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE s.customer_id = $1 AND s.service_type = $2 \
         AND s.service_date = $3 AND x.session_id IS NULL ORDER BY s.created_at"
    ))
    .bind(customer_id.to_string())
    .bind(service.as_str().to_string())
    .bind(date.to_string())
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Appends the cancellation event. Returns `false` when the visit was already cancelled
/// (nothing is written then).
pub async fn cancel(w: &mut WriteTx, session_id: &str, reason: &str) -> StoreResult<bool> {
    let now = w.now().to_string();
    let by = w.actor().user_id.clone();
    let inserted = sqlx::query(
        "INSERT INTO session_cancellations (session_id, reason, cancelled_by, cancelled_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (session_id) DO NOTHING",
    )
    .bind(session_id.to_string())
    .bind(reason.to_string())
    .bind(by)
    .bind(now.clone())
    .execute(w.conn())
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(false);
    }
    // The customer rides along so the cancellation is found under them in the audit trail.
    let customer: Option<String> =
        sqlx::query_scalar("SELECT customer_id FROM service_sessions WHERE id = $1")
            .bind(session_id.to_string())
            .fetch_optional(w.conn())
            .await?;
    let payload = json!({ "reason": reason, "cancelled_at": now, "customer_id": customer });
    w.record(
        "session.cancel",
        "session_cancellation",
        session_id,
        &payload,
    )
    .await?;
    Ok(true)
}
