//! What the money screens read: the clinic's details for receipts, who sold a package, and
//! one clinic day's sales and refunds for the cash-up.

use crate::row;
use crate::{StoreResult, WriteTx};
use chrono::{Duration, NaiveDate};
use clinicdesk_domain::follow_up::kst_day_start;
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
        "clinic_settings",
        CLINIC_KEY,
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
    let start = |d: NaiveDate| crate::timestamp(kst_day_start(d));
    (start(day), start(day + Duration::days(1)))
}

fn service_name(r: &AnyRow) -> Result<String, sqlx::Error> {
    let code = row::text(r, "service_type")?;
    Ok(ServiceType::parse(&code).map_or(code, |s| s.info().name.to_string()))
}

/// Which columns of a row make a [`CashEntry`]: the row names its amount, method, time and
/// person differently for a sale and for a refund.
struct Columns {
    kind: &'static str,
    /// The package name column, or `None` for a visit (its service's name).
    package: Option<&'static str>,
    amount: &'static str,
    method: &'static str,
    at: &'static str,
    by: &'static str,
    refund: bool,
}

fn entry(r: &AnyRow, c: &Columns) -> Result<CashEntry, sqlx::Error> {
    Ok(CashEntry {
        kind: c.kind,
        id: row::text(r, "id")?,
        customer_id: row::text(r, "customer_id")?,
        customer_name: row::text(r, "customer_name")?,
        description: match c.package {
            Some(col) => row::text(r, col)?,
            None => service_name(r)?,
        },
        amount: row::int(r, c.amount)?,
        payment_method: row::opt_text(r, c.method)?,
        at: row::text(r, c.at)?,
        by: row::opt_text(r, c.by)?,
        cancelled: c.refund || row::opt_text(r, "cancelled_at")?.is_some(),
        reason: if c.refund {
            row::opt_text(r, "reason")?
        } else {
            None
        },
    })
}

/// One clinic day's sales (purchases made and paid visits on that day, cancelled ones marked)
/// and refunds (purchase refunds and voided paid visits whose cancellation fell on that day).
pub async fn day_of_money(
    conn: &mut AnyConnection,
    day: NaiveDate,
) -> StoreResult<(Vec<CashEntry>, Vec<CashEntry>)> {
    const SALE_OF_PURCHASE: Columns = Columns {
        kind: "purchase",
        package: Some("package_name"),
        amount: "price_paid",
        method: "payment_method",
        at: "created_at",
        by: "by_name",
        refund: false,
    };
    const SALE_OF_VISIT: Columns = Columns {
        kind: "visit",
        package: None,
        amount: "amount",
        method: "payment_method",
        at: "created_at",
        by: "staff_name",
        refund: false,
    };
    const REFUND_OF_PURCHASE: Columns = Columns {
        kind: "purchase",
        package: Some("package_name"),
        amount: "refund_amount",
        method: "refund_method",
        at: "cancelled_at",
        by: "by_name",
        refund: true,
    };
    const REFUND_OF_VISIT: Columns = Columns {
        kind: "visit",
        package: None,
        amount: "amount",
        method: "payment_method",
        at: "cancelled_at",
        by: "by_name",
        refund: true,
    };
    let (from, to) = day_bounds(day);
    let day = day.to_string();
    let queries: [(&str, &[&String], Columns); 4] = [
        (
            "SELECT p.id, p.customer_id, c.name AS customer_name, p.package_name, p.price_paid, p.payment_method, \
             p.created_at, u.display_name AS by_name, x.cancelled_at FROM package_purchases p \
             JOIN customers c ON c.id = p.customer_id LEFT JOIN users u ON u.id = p.created_by \
             LEFT JOIN purchase_cancellations x ON x.purchase_id = p.id \
             WHERE p.purchase_date = $1 AND p.price_paid > 0",
            &[&day],
            SALE_OF_PURCHASE,
        ),
        (
            "SELECT s.id, s.customer_id, c.name AS customer_name, s.service_type, s.amount, s.payment_method, \
             s.created_at, s.staff_name, x.cancelled_at FROM service_sessions s \
             JOIN customers c ON c.id = s.customer_id LEFT JOIN session_cancellations x ON x.session_id = s.id \
             WHERE s.service_date = $1 AND s.amount > 0",
            &[&day],
            SALE_OF_VISIT,
        ),
        (
            "SELECT p.id, p.customer_id, c.name AS customer_name, p.package_name, x.refund_amount, x.refund_method, \
             x.cancelled_at, x.reason, u.display_name AS by_name FROM purchase_cancellations x \
             JOIN package_purchases p ON p.id = x.purchase_id JOIN customers c ON c.id = p.customer_id \
             LEFT JOIN users u ON u.id = x.cancelled_by \
             WHERE x.cancelled_at >= $1 AND x.cancelled_at < $2 AND x.refund_amount > 0",
            &[&from, &to],
            REFUND_OF_PURCHASE,
        ),
        (
            "SELECT s.id, s.customer_id, c.name AS customer_name, s.service_type, s.amount, s.payment_method, \
             x.cancelled_at, x.reason, u.display_name AS by_name FROM session_cancellations x \
             JOIN service_sessions s ON s.id = x.session_id JOIN customers c ON c.id = s.customer_id \
             LEFT JOIN users u ON u.id = x.cancelled_by \
             WHERE x.cancelled_at >= $1 AND x.cancelled_at < $2 AND s.amount > 0",
            &[&from, &to],
            REFUND_OF_VISIT,
        ),
    ];
    let (mut sales, mut refunds) = (Vec::new(), Vec::new());
    for (sql, binds, columns) in queries {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind((*b).clone());
        }
        for r in q.fetch_all(&mut *conn).await? {
            let e = entry(&r, &columns)?;
            if columns.refund {
                refunds.push(e);
            } else {
                sales.push(e);
            }
        }
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
