//! The derived roll-ups: `customer_stats` per customer and `purchase_stats` per purchase.
//! They are caches of what the facts say, recomputed for the touched customer inside the
//! write transaction (the demo generator's bulk load computes the same rows itself, and its
//! tests compare them with these functions), so list, search and filters never aggregate
//! millions of visits per request.

use crate::row;
use crate::row::{in_list, Params};
use crate::{packages, StoreResult};
use chrono::NaiveDate;
use clinicdesk_domain::package::{package_usage, Purchase, Sessions};
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
/// [`REFRESH_BATCH`] customers — or, when they are most of the customers (a first pull
/// recomputes every one), with one pass over each table.
pub async fn refresh_customers(conn: &mut AnyConnection, ids: &[String]) -> StoreResult<()> {
    if covers_most(conn, "customers", ids.len()).await? {
        return refresh_all_customers(conn).await;
    }
    for chunk in ids.chunks(REFRESH_BATCH) {
        refresh_customer_rows(conn, Scope::Listed(chunk)).await?;
    }
    Ok(())
}

/// Recomputes every customer's roll-up, one pass over each table.
pub async fn refresh_all_customers(conn: &mut AnyConnection) -> StoreResult<()> {
    refresh_customer_rows(conn, Scope::All).await
}

/// From this many rows on, a recompute that covers at least half of a table reads the whole
/// table in one pass: looking two million visits up customer by customer took ten times
/// longer than one scan.
const WHOLE_TABLE_FROM: usize = 5_000;

/// Whether recomputing `n` rows of `table` is better done for the whole table.
pub(crate) async fn covers_most(
    conn: &mut AnyConnection,
    table: &str,
    n: usize,
) -> StoreResult<bool> {
    if n < WHOLE_TABLE_FROM {
        return Ok(false);
    }
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut *conn)
        .await?;
    Ok(n as i64 * 2 >= total)
}

/// The rows a recompute covers.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Listed(&'a [String]),
    All,
}

/// The roll-up of the customers in `scope`, computed and written by the database in one
/// statement (nothing is read back: a first pull recomputes every customer).
async fn refresh_customer_rows(conn: &mut AnyConnection, scope: Scope<'_>) -> StoreResult<()> {
    let mut params = Params::default();
    let list = match scope {
        Scope::Listed(ids) => in_list(&mut params, ids),
        Scope::All => String::new(),
    };
    // The same placeholders serve every part of the statement.
    let only = |column: &str| match scope {
        Scope::Listed(_) => format!("{column} IN {list}"),
        Scope::All => "1 = 1".to_string(),
    };
    // Which services were used, as the bits of `services_used` (each service counted once).
    let bits: String = ServiceType::ALL
        .iter()
        .map(|s| format!("WHEN '{}' THEN {} ", s.as_str(), service_bit(*s)))
        .collect();
    // Every customer's visits are read in one scan of the table and grouped by a sort: going
    // through the customer index instead reads the table at random (SQLite; 7.5 s against
    // 3.5 s at 2M visits). PostgreSQL chooses its own plan.
    let visits_from = match (scope, conn.backend_name()) {
        (Scope::All, "SQLite") => "service_sessions s NOT INDEXED",
        _ => "service_sessions s",
    };
    // Revenue is net of refunds: seed 000's revenue is what the clinic kept. With no visit,
    // the last activity is the day the customer was registered.
    let sql = format!(
        "INSERT INTO customer_stats (customer_id, total_visits, first_visit_date, last_visit_date, \
         last_activity_date, total_revenue, satisfaction_sum, satisfaction_count, last_interaction_at, \
         interaction_count, services_used) \
         SELECT c.id, COALESCE(v.n, 0), v.first_date, v.last_date, \
         COALESCE(v.last_date, SUBSTR(c.created_at, 1, 10)), \
         COALESCE(v.revenue, 0) + COALESCE(p.total, 0), COALESCE(v.rating_sum, 0), \
         COALESCE(v.rating_count, 0), i.last_at, COALESCE(i.n, 0), COALESCE(v.services, 0) \
         FROM customers c \
         LEFT JOIN (SELECT s.customer_id, COUNT(*) AS n, MIN(s.service_date) AS first_date, \
           MAX(s.service_date) AS last_date, CAST(COALESCE(SUM(s.amount), 0) AS BIGINT) AS revenue, \
           CAST(COALESCE(SUM(s.satisfaction_rating), 0) AS BIGINT) AS rating_sum, \
           COUNT(s.satisfaction_rating) AS rating_count, \
           CAST(SUM(DISTINCT CASE s.service_type {bits}ELSE 0 END) AS BIGINT) AS services \
           FROM {visits_from} WHERE {visits} AND {NOT_CANCELLED} GROUP BY s.customer_id) v \
           ON v.customer_id = c.id \
         LEFT JOIN (SELECT p.customer_id, \
           CAST(COALESCE(SUM(p.price_paid - COALESCE(x.refund_amount, 0)), 0) AS BIGINT) AS total \
           FROM package_purchases p LEFT JOIN purchase_cancellations x ON x.purchase_id = p.id \
           WHERE {purchases} GROUP BY p.customer_id) p ON p.customer_id = c.id \
         LEFT JOIN (SELECT customer_id, COUNT(*) AS n, MAX(occurred_at) AS last_at FROM interactions \
           WHERE {interactions} GROUP BY customer_id) i ON i.customer_id = c.id \
         WHERE {customers} \
         ON CONFLICT (customer_id) DO UPDATE SET total_visits = excluded.total_visits, \
         first_visit_date = excluded.first_visit_date, last_visit_date = excluded.last_visit_date, \
         last_activity_date = excluded.last_activity_date, total_revenue = excluded.total_revenue, \
         satisfaction_sum = excluded.satisfaction_sum, satisfaction_count = excluded.satisfaction_count, \
         last_interaction_at = excluded.last_interaction_at, interaction_count = excluded.interaction_count, \
         services_used = excluded.services_used",
        visits = only("s.customer_id"),
        purchases = only("p.customer_id"),
        interactions = only("customer_id"),
        customers = only("c.id"),
    );
    params.bind(sqlx::query(&sql)).execute(&mut *conn).await?;
    match scope {
        Scope::Listed(ids) => {
            crate::clinic_stats::refresh_customers(conn, ids).await?;
            crate::search_index::touch_many(conn, ids).await
        }
        Scope::All => {
            crate::clinic_stats::refresh_all_customers(conn).await?;
            crate::search_index::touch_all(conn).await
        }
    }
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
    if covers_most(conn, "package_purchases", ids.len()).await? {
        return refresh_all_purchases(conn, today).await;
    }
    for chunk in ids.chunks(REFRESH_BATCH) {
        let customers = refresh_purchase_batch(conn, chunk, today).await?;
        crate::search_index::touch_many(conn, &customers).await?;
    }
    Ok(())
}

/// Recomputes every purchase's roll-up, ten thousand at a time in id order, each page's
/// visits counted over a range of the index; the customers' search entries are renewed once
/// at the end.
pub async fn refresh_all_purchases(conn: &mut AnyConnection, today: NaiveDate) -> StoreResult<()> {
    let mut after = String::new();
    loop {
        let purchases = packages::purchases_after(&mut *conn, &after, 10_000).await?;
        let Some(last) = purchases.last().map(|p| p.id.clone()) else {
            break;
        };
        let used = packages::used_by_service_between(&mut *conn, &after, &last).await?;
        write_purchase_rows(conn, &purchases, &used, today).await?;
        after = last;
    }
    crate::search_index::touch_all(conn).await
}

/// Recomputes the roll-ups of `ids`; returns their customers.
async fn refresh_purchase_batch(
    conn: &mut AnyConnection,
    ids: &[String],
    today: NaiveDate,
) -> StoreResult<Vec<String>> {
    let purchases = packages::get_purchases(&mut *conn, ids).await?;
    let used = packages::used_by_service(&mut *conn, ids).await?;
    write_purchase_rows(conn, &purchases, &used, today).await?;
    let mut customers: Vec<String> = purchases.iter().map(|p| p.customer_id.clone()).collect();
    customers.sort();
    customers.dedup();
    Ok(customers)
}

/// Writes the roll-ups of `purchases` from the visits that consumed each (`used`).
async fn write_purchase_rows(
    conn: &mut AnyConnection,
    purchases: &[Purchase],
    used: &HashMap<String, Sessions>,
    today: NaiveDate,
) -> StoreResult<()> {
    // A cancelled package is no package for search filters, sorting by expiry or the renewal
    // call list, which all read this roll-up.
    let (cancelled, live): (Vec<_>, Vec<_>) = purchases.iter().partition(|p| p.is_cancelled());
    for chunk in cancelled.chunks(REFRESH_BATCH) {
        let gone: Vec<String> = chunk.iter().map(|p| p.id.clone()).collect();
        let mut params = Params::default();
        let list = in_list(&mut params, &gone);
        let sql = format!("DELETE FROM purchase_stats WHERE purchase_id IN {list}");
        params
            .bind(sqlx::query(&row::positional(conn, &sql)))
            .execute(&mut *conn)
            .await?;
    }
    for chunk in live.chunks(REFRESH_BATCH) {
        let sql = format!(
            "INSERT INTO purchase_stats (purchase_id, customer_id, expiry_date, total_sessions, used_sessions, \
             remaining_sessions, overdrawn_sessions) VALUES {} \
             ON CONFLICT (purchase_id) DO UPDATE SET used_sessions = excluded.used_sessions, \
             remaining_sessions = excluded.remaining_sessions, overdrawn_sessions = excluded.overdrawn_sessions, \
             expiry_date = excluded.expiry_date, total_sessions = excluded.total_sessions",
            row::value_tuples(chunk.len(), 7)
        );
        let sql = row::positional(conn, &sql);
        let mut q = sqlx::query(&sql);
        for purchase in chunk {
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
    Ok(())
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

/// One customer's totals as their peers are compared on (customer analytics' percentiles).
#[derive(Debug, Clone, PartialEq)]
pub struct PeerTotals {
    pub revenue: i64,
    pub visits: i64,
    pub last_visit: Option<NaiveDate>,
    pub rating_sum: i64,
    pub rating_count: i64,
}

/// Every live customer's totals, from the roll-up.
pub async fn peer_totals(conn: &mut AnyConnection) -> StoreResult<Vec<PeerTotals>> {
    let rows = sqlx::query(
        "SELECT cs.total_revenue, cs.total_visits, cs.last_visit_date, cs.satisfaction_sum, \
         cs.satisfaction_count FROM customer_stats cs JOIN customers c ON c.id = cs.customer_id \
         WHERE c.deleted_at IS NULL",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PeerTotals {
                revenue: row::int(r, "total_revenue")?,
                visits: row::int(r, "total_visits")?,
                last_visit: row::opt_date(r, "last_visit_date")?,
                rating_sum: row::int(r, "satisfaction_sum")?,
                rating_count: row::int(r, "satisfaction_count")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// The highest search revision: it rises with every change to any customer's record or
/// roll-up, so a cache of every customer's totals is current while it stands still.
pub async fn revision(conn: &mut AnyConnection) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(search_revision) FROM customers")
            .fetch_one(conn)
            .await?
            .unwrap_or(0),
    )
}
