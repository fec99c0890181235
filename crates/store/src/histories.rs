//! Customers' histories as the analytics read them (`clinicdesk_domain::history`): live visits
//! and purchases, oldest first. One customer for a request; every customer, read in two
//! ordered scans, for training the models.

use crate::row;
use crate::stats::NOT_CANCELLED;
use crate::StoreResult;
use clinicdesk_domain::history::{visit_hour, CustomerHistory, PurchaseFact, VisitFact};
use clinicdesk_domain::package::parse_sessions;
use clinicdesk_domain::ServiceType;
use futures_util::TryStreamExt;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

const CUSTOMER_COLUMNS: &str = "c.id, c.created_at, c.birth_year, c.gender, c.membership_level, \
     c.preferred_services";
const VISIT_COLUMNS: &str = "s.customer_id, s.service_type, s.service_date, s.duration_minutes, \
     s.amount, s.satisfaction_rating, s.package_usage_id, s.created_at";
const PURCHASE_COLUMNS: &str = "p.customer_id, p.purchase_date, p.package_id, p.package_name, \
     p.price_paid, p.total_sessions, p.sessions";
/// A cancelled sale is no package held: it is left out (its kept money is not a purchase).
const NOT_CANCELLED_PURCHASE: &str =
    "NOT EXISTS (SELECT 1 FROM purchase_cancellations x WHERE x.purchase_id = p.id)";

fn decode<E: std::error::Error + Send + Sync + 'static>(e: E) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

fn customer_from(r: &AnyRow) -> Result<CustomerHistory, sqlx::Error> {
    let created = row::text(r, "created_at")?;
    let registered = created
        .get(0..10)
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| sqlx::Error::Decode(format!("customer created_at {created}").into()))?;
    let preferred: Vec<String> =
        serde_json::from_str(&row::text(r, "preferred_services")?).map_err(decode)?;
    Ok(CustomerHistory {
        customer_id: row::text(r, "id")?,
        registered,
        birth_year: row::opt_int(r, "birth_year")?.map(|y| y as i32),
        gender: row::opt_text(r, "gender")?,
        membership_level: row::text(r, "membership_level")?,
        preferred_services: preferred
            .iter()
            .filter_map(|s| ServiceType::parse(s))
            .collect(),
        visits: Vec::new(),
        purchases: Vec::new(),
    })
}

fn visit_from(r: &AnyRow) -> Result<VisitFact, sqlx::Error> {
    let code = row::text(r, "service_type")?;
    let service = ServiceType::parse(&code)
        .ok_or_else(|| sqlx::Error::Decode(format!("service type {code}").into()))?;
    let date = row::date(r, "service_date")?;
    Ok(VisitFact {
        date,
        hour: visit_hour(&row::text(r, "created_at")?, date),
        service,
        duration_minutes: row::int(r, "duration_minutes")?,
        amount: row::int(r, "amount")?,
        rating: row::opt_int(r, "satisfaction_rating")?,
        from_package: row::opt_text(r, "package_usage_id")?.is_some(),
    })
}

fn purchase_from(r: &AnyRow) -> Result<PurchaseFact, sqlx::Error> {
    let sessions: serde_json::Value =
        serde_json::from_str(&row::text(r, "sessions")?).map_err(decode)?;
    let sessions = parse_sessions("sessions", &sessions).map_err(decode)?;
    Ok(PurchaseFact {
        date: row::date(r, "purchase_date")?,
        package_id: row::text(r, "package_id")?,
        package_name: row::text(r, "package_name")?,
        price_paid: row::int(r, "price_paid")?,
        total_sessions: row::int(r, "total_sessions")?,
        services: sessions.keys().copied().collect(),
    })
}

/// One customer's history, or `None` for no such (or a deleted) customer.
pub async fn of_customer(
    conn: &mut AnyConnection,
    customer_id: &str,
) -> StoreResult<Option<CustomerHistory>> {
    let Some(c) = sqlx::query(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers c WHERE c.id = $1 AND c.deleted_at IS NULL"
    ))
    .bind(customer_id.to_string())
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let mut h = customer_from(&c)?;
    h.visits = sqlx::query(&format!(
        "SELECT {VISIT_COLUMNS} FROM service_sessions s WHERE s.customer_id = $1 \
         AND {NOT_CANCELLED} ORDER BY s.service_date, s.created_at, s.id"
    ))
    .bind(customer_id.to_string())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(visit_from)
    .collect::<Result<_, _>>()?;
    h.purchases = sqlx::query(&format!(
        "SELECT {PURCHASE_COLUMNS} FROM package_purchases p WHERE p.customer_id = $1 \
         AND {NOT_CANCELLED_PURCHASE} ORDER BY p.purchase_date, p.created_at, p.id"
    ))
    .bind(customer_id.to_string())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(purchase_from)
    .collect::<Result<_, _>>()?;
    Ok(Some(h))
}

/// Every live customer's history, in customer id order (anonymised customers included: their
/// visits stay facts of the clinic; deleted ones are gone).
pub async fn all(conn: &mut AnyConnection) -> StoreResult<Vec<CustomerHistory>> {
    let mut by_id: BTreeMap<String, CustomerHistory> = BTreeMap::new();
    for r in sqlx::query(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers c WHERE c.deleted_at IS NULL"
    ))
    .fetch_all(&mut *conn)
    .await?
    {
        let h = customer_from(&r)?;
        by_id.insert(h.customer_id.clone(), h);
    }
    // Streamed: two million visits are read row by row, never held as rows.
    let sql = format!(
        "SELECT {VISIT_COLUMNS} FROM service_sessions s WHERE {NOT_CANCELLED} \
         ORDER BY s.customer_id, s.service_date, s.created_at, s.id"
    );
    let mut rows = sqlx::query(&sql).fetch(&mut *conn);
    while let Some(r) = rows.try_next().await? {
        if let Some(h) = by_id.get_mut(&row::text(&r, "customer_id")?) {
            h.visits.push(visit_from(&r)?);
        }
    }
    drop(rows);
    let sql = format!(
        "SELECT {PURCHASE_COLUMNS} FROM package_purchases p WHERE {NOT_CANCELLED_PURCHASE} \
         ORDER BY p.customer_id, p.purchase_date, p.created_at, p.id"
    );
    let mut rows = sqlx::query(&sql).fetch(&mut *conn);
    while let Some(r) = rows.try_next().await? {
        if let Some(h) = by_id.get_mut(&row::text(&r, "customer_id")?) {
            h.purchases.push(purchase_from(&r)?);
        }
    }
    Ok(by_id.into_values().collect())
}
