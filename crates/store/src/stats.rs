//! The derived roll-ups: `customer_stats` per customer and `purchase_stats` per purchase.
//! They are caches of what the facts say, recomputed for the touched customer inside the
//! write transaction (the demo generator's bulk load computes the same rows itself, and its
//! tests compare them with these functions), so list, search and filters never aggregate
//! millions of visits per request.

use crate::row;
use crate::{packages, StoreResult};
use chrono::NaiveDate;
use clinicdesk_domain::package::package_usage;
use clinicdesk_domain::search::service_bit;
use clinicdesk_domain::stats::{average_interval, average_rating, CustomerStats};
use clinicdesk_domain::ServiceType;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// `NOT EXISTS` clause that keeps only visits that were not cancelled (alias `s`).
pub const NOT_CANCELLED: &str =
    "NOT EXISTS (SELECT 1 FROM session_cancellations x WHERE x.session_id = s.id)";

/// Recomputes one customer's roll-up from its visits, purchases and interactions.
pub async fn refresh_customer(conn: &mut AnyConnection, customer_id: &str) -> StoreResult<()> {
    let created: String = sqlx::query("SELECT created_at FROM customers WHERE id = $1")
        .bind(customer_id.to_string())
        .fetch_one(&mut *conn)
        .await?
        .try_get("created_at")?;
    // One pass over the customer's visits, per service: which services were used and the
    // visit figures.
    let per_service = sqlx::query(&format!(
        "SELECT s.service_type, COUNT(*) AS n, MIN(service_date) AS first_date, MAX(service_date) AS last_date, \
         CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS revenue, \
         CAST(COALESCE(SUM(satisfaction_rating), 0) AS BIGINT) AS rating_sum, \
         COUNT(satisfaction_rating) AS rating_count \
         FROM service_sessions s WHERE s.customer_id = $1 AND {NOT_CANCELLED} GROUP BY s.service_type"
    ))
    .bind(customer_id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut services_used = 0i64;
    let (mut visits, mut revenue, mut rating_sum, mut rating_count) = (0i64, 0i64, 0i64, 0i64);
    let (mut first_visit, mut last_visit): (Option<String>, Option<String>) = (None, None);
    for r in &per_service {
        if let Some(service) = ServiceType::parse(&row::text(r, "service_type")?) {
            services_used |= service_bit(service);
        }
        visits += row::int(r, "n")?;
        revenue += row::int(r, "revenue")?;
        rating_sum += row::int(r, "rating_sum")?;
        rating_count += row::int(r, "rating_count")?;
        first_visit = match (first_visit, row::opt_text(r, "first_date")?) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        // `None` orders before any date.
        last_visit = last_visit.max(row::opt_text(r, "last_date")?);
    }
    // Net of refunds: seed 000's revenue is what the clinic kept.
    let purchases: i64 = sqlx::query(
        "SELECT CAST(COALESCE(SUM(p.price_paid - COALESCE(x.refund_amount, 0)), 0) AS BIGINT) AS total \
         FROM package_purchases p LEFT JOIN purchase_cancellations x ON x.purchase_id = p.id WHERE p.customer_id = $1",
    )
    .bind(customer_id.to_string())
    .fetch_one(&mut *conn)
    .await?
    .try_get("total")?;
    let interactions = sqlx::query("SELECT COUNT(*) AS n, MAX(occurred_at) AS last_at FROM interactions WHERE customer_id = $1")
        .bind(customer_id.to_string())
        .fetch_one(&mut *conn)
        .await?;

    let last_activity = last_visit
        .clone()
        .unwrap_or_else(|| created.chars().take(10).collect());
    sqlx::query(
        "INSERT INTO customer_stats (customer_id, total_visits, first_visit_date, last_visit_date, last_activity_date, \
         total_revenue, satisfaction_sum, satisfaction_count, last_interaction_at, interaction_count, services_used) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (customer_id) DO UPDATE SET total_visits = excluded.total_visits, \
         first_visit_date = excluded.first_visit_date, last_visit_date = excluded.last_visit_date, \
         last_activity_date = excluded.last_activity_date, total_revenue = excluded.total_revenue, \
         satisfaction_sum = excluded.satisfaction_sum, satisfaction_count = excluded.satisfaction_count, \
         last_interaction_at = excluded.last_interaction_at, interaction_count = excluded.interaction_count, \
         services_used = excluded.services_used",
    )
    .bind(customer_id.to_string())
    .bind(visits)
    .bind(first_visit)
    .bind(last_visit)
    .bind(last_activity)
    .bind(revenue + purchases)
    .bind(rating_sum)
    .bind(rating_count)
    .bind(row::opt_text(&interactions, "last_at")?)
    .bind(row::int(&interactions, "n")?)
    .bind(services_used)
    .execute(&mut *conn)
    .await?;
    crate::search_index::touch(conn, customer_id).await
}

/// Recomputes one purchase's roll-up from the visits that consumed it.
pub async fn refresh_purchase(
    conn: &mut AnyConnection,
    purchase_id: &str,
    today: NaiveDate,
) -> StoreResult<()> {
    let Some(purchase) = packages::get_purchase(&mut *conn, purchase_id).await? else {
        return Ok(());
    };
    // A cancelled package is no package for search filters, sorting by expiry or the renewal
    // call list, which all read this roll-up.
    if purchase.is_cancelled() {
        sqlx::query("DELETE FROM purchase_stats WHERE purchase_id = $1")
            .bind(purchase_id.to_string())
            .execute(&mut *conn)
            .await?;
        return crate::search_index::touch(conn, &purchase.customer_id).await;
    }
    let used = packages::used_by_service(&mut *conn, &[purchase_id.to_string()]).await?;
    let usage = package_usage(
        &purchase,
        used.get(purchase_id).unwrap_or(&Default::default()),
        today,
    );
    sqlx::query(
        "INSERT INTO purchase_stats (purchase_id, customer_id, expiry_date, total_sessions, used_sessions, \
         remaining_sessions, overdrawn_sessions) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (purchase_id) DO UPDATE SET used_sessions = excluded.used_sessions, \
         remaining_sessions = excluded.remaining_sessions, overdrawn_sessions = excluded.overdrawn_sessions, \
         expiry_date = excluded.expiry_date, total_sessions = excluded.total_sessions",
    )
    .bind(purchase.id.clone())
    .bind(purchase.customer_id.clone())
    .bind(purchase.expiry_date.to_string())
    .bind(purchase.total_sessions())
    .bind(usage.used_sessions)
    .bind(usage.remaining_sessions)
    .bind(usage.overdrawn_sessions)
    .execute(&mut *conn)
    .await?;
    crate::search_index::touch(conn, &purchase.customer_id).await
}

/// Reads the roll-up columns (selected with the `cs.` prefix names below) into
/// [`CustomerStats`].
pub fn from_row(r: &AnyRow) -> StoreResult<CustomerStats> {
    let first = row::opt_date(r, "first_visit_date")?;
    let last = row::opt_date(r, "last_visit_date")?;
    let n = row::opt_int(r, "total_visits")?.unwrap_or(0);
    Ok(CustomerStats {
        total_visits: n,
        first_visit_date: first,
        last_visit_date: last,
        average_visit_interval: average_interval(first, last, n),
        total_revenue: row::opt_int(r, "total_revenue")?.unwrap_or(0),
        average_satisfaction: average_rating(
            row::opt_int(r, "satisfaction_sum")?.unwrap_or(0),
            row::opt_int(r, "satisfaction_count")?.unwrap_or(0),
        ),
    })
}

pub const STATS_COLUMNS: &str =
    "cs.total_visits, cs.first_visit_date, cs.last_visit_date, cs.total_revenue, \
    cs.satisfaction_sum, cs.satisfaction_count, cs.last_interaction_at, cs.interaction_count";
