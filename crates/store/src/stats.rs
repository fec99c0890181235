//! The derived roll-ups: `customer_stats` per customer and `purchase_stats` per purchase.
//! They are caches of what the facts say, recomputed for the touched customer inside the
//! write transaction (the demo generator's bulk load computes the same rows itself, and its
//! tests compare them with these functions), so list, search and filters never aggregate
//! millions of visits per request.

use crate::row;
use crate::row::{in_list, Params};
use crate::{packages, StoreResult};
use chrono::NaiveDate;
use clinicdesk_domain::package::package_usage;
use clinicdesk_domain::search::service_bit;
use clinicdesk_domain::stats::{average_interval, average_rating, CustomerStats};
use clinicdesk_domain::ServiceType;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use std::collections::HashMap;

/// `NOT EXISTS` clause that keeps only visits that were not cancelled (alias `s`).
pub const NOT_CANCELLED: &str =
    "NOT EXISTS (SELECT 1 FROM session_cancellations x WHERE x.session_id = s.id)";

/// Recomputes one customer's roll-up from its visits, purchases and interactions.
pub async fn refresh_customer(conn: &mut AnyConnection, customer_id: &str) -> StoreResult<()> {
    refresh_customers(conn, &[customer_id.to_string()]).await
}

/// Roll-ups recomputed per statement: the customer and purchase rows of a batch stay well
/// under both databases' parameter limits.
pub const REFRESH_BATCH: usize = 500;

/// Recomputes the roll-ups of several customers (those that exist) with a few statements per
/// [`REFRESH_BATCH`] customers — a long pull recomputes hundreds of thousands.
pub async fn refresh_customers(conn: &mut AnyConnection, ids: &[String]) -> StoreResult<()> {
    for chunk in ids.chunks(REFRESH_BATCH) {
        refresh_customer_batch(conn, chunk).await?;
    }
    Ok(())
}

#[derive(Default)]
struct Tally {
    created: String,
    services_used: i64,
    visits: i64,
    revenue: i64,
    rating_sum: i64,
    rating_count: i64,
    first_visit: Option<String>,
    last_visit: Option<String>,
    purchases: i64,
    interactions: i64,
    last_interaction: Option<String>,
}

async fn refresh_customer_batch(conn: &mut AnyConnection, ids: &[String]) -> StoreResult<()> {
    let mut tallies: HashMap<String, Tally> = HashMap::new();
    let mut params = Params::default();
    let list = in_list(&mut params, ids);
    let sql = format!("SELECT id, created_at FROM customers WHERE id IN {list}");
    for r in params
        .bind(sqlx::query(&row::positional(conn, &sql)))
        .fetch_all(&mut *conn)
        .await?
    {
        tallies.insert(
            row::text(&r, "id")?,
            Tally {
                created: row::text(&r, "created_at")?,
                ..Tally::default()
            },
        );
    }
    if tallies.is_empty() {
        return Ok(());
    }
    // One pass over the customers' visits, per service: which services were used and the
    // visit figures.
    let sql = format!(
        "SELECT s.customer_id, s.service_type, COUNT(*) AS n, MIN(service_date) AS first_date, \
         MAX(service_date) AS last_date, CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS revenue, \
         CAST(COALESCE(SUM(satisfaction_rating), 0) AS BIGINT) AS rating_sum, \
         COUNT(satisfaction_rating) AS rating_count \
         FROM service_sessions s WHERE s.customer_id IN {list} AND {NOT_CANCELLED} \
         GROUP BY s.customer_id, s.service_type"
    );
    for r in params
        .bind(sqlx::query(&row::positional(conn, &sql)))
        .fetch_all(&mut *conn)
        .await?
    {
        let Some(t) = tallies.get_mut(&row::text(&r, "customer_id")?) else {
            continue;
        };
        if let Some(service) = ServiceType::parse(&row::text(&r, "service_type")?) {
            t.services_used |= service_bit(service);
        }
        t.visits += row::int(&r, "n")?;
        t.revenue += row::int(&r, "revenue")?;
        t.rating_sum += row::int(&r, "rating_sum")?;
        t.rating_count += row::int(&r, "rating_count")?;
        t.first_visit = match (t.first_visit.take(), row::opt_text(&r, "first_date")?) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        // `None` orders before any date.
        t.last_visit = t.last_visit.take().max(row::opt_text(&r, "last_date")?);
    }
    // Net of refunds: seed 000's revenue is what the clinic kept.
    let sql = format!(
        "SELECT p.customer_id, CAST(COALESCE(SUM(p.price_paid - COALESCE(x.refund_amount, 0)), 0) AS BIGINT) AS total \
         FROM package_purchases p LEFT JOIN purchase_cancellations x ON x.purchase_id = p.id \
         WHERE p.customer_id IN {list} GROUP BY p.customer_id"
    );
    for r in params
        .bind(sqlx::query(&row::positional(conn, &sql)))
        .fetch_all(&mut *conn)
        .await?
    {
        if let Some(t) = tallies.get_mut(&row::text(&r, "customer_id")?) {
            t.purchases = row::int(&r, "total")?;
        }
    }
    let sql = format!(
        "SELECT customer_id, COUNT(*) AS n, MAX(occurred_at) AS last_at FROM interactions \
         WHERE customer_id IN {list} GROUP BY customer_id"
    );
    for r in params
        .bind(sqlx::query(&row::positional(conn, &sql)))
        .fetch_all(&mut *conn)
        .await?
    {
        if let Some(t) = tallies.get_mut(&row::text(&r, "customer_id")?) {
            t.interactions = row::int(&r, "n")?;
            t.last_interaction = row::opt_text(&r, "last_at")?;
        }
    }

    let found: Vec<(&String, &Tally)> = tallies.iter().collect();
    let sql = format!(
        "INSERT INTO customer_stats (customer_id, total_visits, first_visit_date, last_visit_date, last_activity_date, \
         total_revenue, satisfaction_sum, satisfaction_count, last_interaction_at, interaction_count, services_used) \
         VALUES {} \
         ON CONFLICT (customer_id) DO UPDATE SET total_visits = excluded.total_visits, \
         first_visit_date = excluded.first_visit_date, last_visit_date = excluded.last_visit_date, \
         last_activity_date = excluded.last_activity_date, total_revenue = excluded.total_revenue, \
         satisfaction_sum = excluded.satisfaction_sum, satisfaction_count = excluded.satisfaction_count, \
         last_interaction_at = excluded.last_interaction_at, interaction_count = excluded.interaction_count, \
         services_used = excluded.services_used",
        row::value_tuples(found.len(), 11)
    );
    let sql = row::positional(conn, &sql);
    let mut q = sqlx::query(&sql);
    for (id, t) in &found {
        let last_activity = t
            .last_visit
            .clone()
            .unwrap_or_else(|| t.created.chars().take(10).collect());
        q = q
            .bind((*id).clone())
            .bind(t.visits)
            .bind(t.first_visit.clone())
            .bind(t.last_visit.clone())
            .bind(last_activity)
            .bind(t.revenue + t.purchases)
            .bind(t.rating_sum)
            .bind(t.rating_count)
            .bind(t.last_interaction.clone())
            .bind(t.interactions)
            .bind(t.services_used);
    }
    q.execute(&mut *conn).await?;
    let ids: Vec<String> = found.iter().map(|(id, _)| (*id).clone()).collect();
    crate::search_index::touch_many(conn, &ids).await
}

/// Recomputes one purchase's roll-up from the visits that consumed it.
pub async fn refresh_purchase(
    conn: &mut AnyConnection,
    purchase_id: &str,
    today: NaiveDate,
) -> StoreResult<()> {
    refresh_purchases(conn, &[purchase_id.to_string()], today).await
}

/// Recomputes the roll-ups of several purchases (those that exist), [`REFRESH_BATCH`] at a
/// time.
pub async fn refresh_purchases(
    conn: &mut AnyConnection,
    ids: &[String],
    today: NaiveDate,
) -> StoreResult<()> {
    for chunk in ids.chunks(REFRESH_BATCH) {
        refresh_purchase_batch(conn, chunk, today).await?;
    }
    Ok(())
}

async fn refresh_purchase_batch(
    conn: &mut AnyConnection,
    ids: &[String],
    today: NaiveDate,
) -> StoreResult<()> {
    let purchases = packages::get_purchases(&mut *conn, ids).await?;
    if purchases.is_empty() {
        return Ok(());
    }
    let mut customers: Vec<String> = purchases.iter().map(|p| p.customer_id.clone()).collect();
    customers.sort();
    customers.dedup();
    // A cancelled package is no package for search filters, sorting by expiry or the renewal
    // call list, which all read this roll-up.
    let (cancelled, live): (Vec<_>, Vec<_>) = purchases.iter().partition(|p| p.is_cancelled());
    if !cancelled.is_empty() {
        let gone: Vec<String> = cancelled.iter().map(|p| p.id.clone()).collect();
        let mut params = Params::default();
        let list = in_list(&mut params, &gone);
        let sql = format!("DELETE FROM purchase_stats WHERE purchase_id IN {list}");
        params
            .bind(sqlx::query(&row::positional(conn, &sql)))
            .execute(&mut *conn)
            .await?;
    }
    if !live.is_empty() {
        let live_ids: Vec<String> = live.iter().map(|p| p.id.clone()).collect();
        let used = packages::used_by_service(&mut *conn, &live_ids).await?;
        let sql = format!(
            "INSERT INTO purchase_stats (purchase_id, customer_id, expiry_date, total_sessions, used_sessions, \
             remaining_sessions, overdrawn_sessions) VALUES {} \
             ON CONFLICT (purchase_id) DO UPDATE SET used_sessions = excluded.used_sessions, \
             remaining_sessions = excluded.remaining_sessions, overdrawn_sessions = excluded.overdrawn_sessions, \
             expiry_date = excluded.expiry_date, total_sessions = excluded.total_sessions",
            row::value_tuples(live.len(), 7)
        );
        let sql = row::positional(conn, &sql);
        let mut q = sqlx::query(&sql);
        for purchase in &live {
            let usage = package_usage(
                purchase,
                used.get(&purchase.id).unwrap_or(&Default::default()),
                today,
            );
            q = q
                .bind(purchase.id.clone())
                .bind(purchase.customer_id.clone())
                .bind(purchase.expiry_date.to_string())
                .bind(purchase.total_sessions())
                .bind(usage.used_sessions)
                .bind(usage.remaining_sessions)
                .bind(usage.overdrawn_sessions);
        }
        q.execute(&mut *conn).await?;
    }
    crate::search_index::touch_many(conn, &customers).await
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
