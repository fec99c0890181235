//! What the money screens read: the clinic's details for receipts, who sold a package, and
//! one clinic day's sales and refunds for the cash-up.

use crate::row;
use crate::{StoreResult, WriteTx};
use chrono::{Duration, NaiveDate};
use clinicdesk_domain::money::{CashEntry, ClinicSettings};
use clinicdesk_domain::ServiceType;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

const CLINIC_KEY: &str = "clinic";

pub async fn clinic(conn: &mut AnyConnection) -> StoreResult<ClinicSettings> {
    let raw: Option<String> = sqlx::query_scalar("SELECT value FROM app_settings WHERE key = $1")
        .bind(CLINIC_KEY)
        .fetch_optional(conn)
        .await?;
    Ok(raw
        .and_then(|r| serde_json::from_str(&r).ok())
        .map(|v| ClinicSettings::from_stored(&v))
        .unwrap_or_default())
}

pub async fn set_clinic(w: &mut WriteTx, c: &ClinicSettings) -> StoreResult<()> {
    let value = c.to_json();
    sqlx::query(
        "INSERT INTO app_settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(CLINIC_KEY)
    .bind(value.to_string())
    .execute(w.conn())
    .await?;
    w.record(
        "settings.clinic.update",
        "setting",
        CLINIC_KEY,
        "update",
        &value,
    )
    .await
}

/// The display name of who recorded a purchase.
pub async fn seller_of(conn: &mut AnyConnection, purchase_id: &str) -> StoreResult<Option<String>> {
    let name: Option<Option<String>> = sqlx::query_scalar(
        "SELECT u.display_name FROM package_purchases p LEFT JOIN users u ON u.id = p.created_by WHERE p.id = $1",
    )
    .bind(purchase_id.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(name.flatten())
}

/// The stored instants of one clinic day (KST midnight to midnight), as `[from, to)` in the
/// UTC text form every `*_at` column holds — so they compare as text on both databases.
fn day_bounds(day: NaiveDate) -> (String, String) {
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map(|t| crate::timestamp(t.and_utc() - Duration::hours(9)))
            .unwrap_or_default()
    };
    (start(day), start(day + Duration::days(1)))
}

fn service_name(r: &AnyRow) -> Result<String, sqlx::Error> {
    let code = row::text(r, "service_type")?;
    Ok(ServiceType::parse(&code).map_or(code, |s| s.info().name.to_string()))
}

/// One clinic day's sales (purchases made and paid visits on that day, cancelled ones marked)
/// and refunds (purchase refunds and voided paid visits whose cancellation fell on that day).
pub async fn day_of_money(
    conn: &mut AnyConnection,
    day: NaiveDate,
) -> StoreResult<(Vec<CashEntry>, Vec<CashEntry>)> {
    let mut sales = Vec::new();
    let mut refunds = Vec::new();
    for r in sqlx::query(
        "SELECT p.id, p.customer_id, c.name AS customer_name, p.package_name, p.price_paid, p.payment_method, \
         p.created_at, u.display_name AS by_name, x.cancelled_at FROM package_purchases p \
         JOIN customers c ON c.id = p.customer_id LEFT JOIN users u ON u.id = p.created_by \
         LEFT JOIN purchase_cancellations x ON x.purchase_id = p.id \
         WHERE p.purchase_date = $1 AND p.price_paid > 0",
    )
    .bind(day.to_string())
    .fetch_all(&mut *conn)
    .await?
    {
        sales.push(CashEntry {
            kind: "purchase",
            id: row::text(&r, "id")?,
            customer_id: row::text(&r, "customer_id")?,
            customer_name: row::text(&r, "customer_name")?,
            description: row::text(&r, "package_name")?,
            amount: row::int(&r, "price_paid")?,
            payment_method: row::opt_text(&r, "payment_method")?,
            at: row::text(&r, "created_at")?,
            by: row::opt_text(&r, "by_name")?,
            cancelled: row::opt_text(&r, "cancelled_at")?.is_some(),
            reason: None,
        });
    }
    for r in sqlx::query(
        "SELECT s.id, s.customer_id, c.name AS customer_name, s.service_type, s.amount, s.payment_method, \
         s.created_at, s.staff_name, x.cancelled_at FROM service_sessions s \
         JOIN customers c ON c.id = s.customer_id LEFT JOIN session_cancellations x ON x.session_id = s.id \
         WHERE s.service_date = $1 AND s.amount > 0",
    )
    .bind(day.to_string())
    .fetch_all(&mut *conn)
    .await?
    {
        sales.push(CashEntry {
            kind: "visit",
            id: row::text(&r, "id")?,
            customer_id: row::text(&r, "customer_id")?,
            customer_name: row::text(&r, "customer_name")?,
            description: service_name(&r)?,
            amount: row::int(&r, "amount")?,
            payment_method: row::opt_text(&r, "payment_method")?,
            at: row::text(&r, "created_at")?,
            by: row::opt_text(&r, "staff_name")?,
            cancelled: row::opt_text(&r, "cancelled_at")?.is_some(),
            reason: None,
        });
    }
    let (from, to) = day_bounds(day);
    for r in sqlx::query(
        "SELECT p.id, p.customer_id, c.name AS customer_name, p.package_name, x.refund_amount, x.refund_method, \
         x.cancelled_at, x.reason, u.display_name AS by_name FROM purchase_cancellations x \
         JOIN package_purchases p ON p.id = x.purchase_id JOIN customers c ON c.id = p.customer_id \
         LEFT JOIN users u ON u.id = x.cancelled_by \
         WHERE x.cancelled_at >= $1 AND x.cancelled_at < $2 AND x.refund_amount > 0",
    )
    .bind(from.clone())
    .bind(to.clone())
    .fetch_all(&mut *conn)
    .await?
    {
        refunds.push(CashEntry {
            kind: "purchase",
            id: row::text(&r, "id")?,
            customer_id: row::text(&r, "customer_id")?,
            customer_name: row::text(&r, "customer_name")?,
            description: row::text(&r, "package_name")?,
            amount: row::int(&r, "refund_amount")?,
            payment_method: row::opt_text(&r, "refund_method")?,
            at: row::text(&r, "cancelled_at")?,
            by: row::opt_text(&r, "by_name")?,
            cancelled: true,
            reason: row::opt_text(&r, "reason")?,
        });
    }
    for r in sqlx::query(
        "SELECT s.id, s.customer_id, c.name AS customer_name, s.service_type, s.amount, s.payment_method, \
         x.cancelled_at, x.reason, u.display_name AS by_name FROM session_cancellations x \
         JOIN service_sessions s ON s.id = x.session_id JOIN customers c ON c.id = s.customer_id \
         LEFT JOIN users u ON u.id = x.cancelled_by \
         WHERE x.cancelled_at >= $1 AND x.cancelled_at < $2 AND s.amount > 0",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?
    {
        refunds.push(CashEntry {
            kind: "visit",
            id: row::text(&r, "id")?,
            customer_id: row::text(&r, "customer_id")?,
            customer_name: row::text(&r, "customer_name")?,
            description: service_name(&r)?,
            amount: row::int(&r, "amount")?,
            payment_method: row::opt_text(&r, "payment_method")?,
            at: row::text(&r, "cancelled_at")?,
            by: row::opt_text(&r, "by_name")?,
            cancelled: true,
            reason: row::opt_text(&r, "reason")?,
        });
    }
    Ok((sales, refunds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clinic_day_runs_from_kst_midnight() {
        let d = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        assert_eq!(
            day_bounds(d),
            (
                "2024-05-31T15:00:00.000Z".to_string(),
                "2024-06-01T15:00:00.000Z".to_string()
            )
        );
    }
}
