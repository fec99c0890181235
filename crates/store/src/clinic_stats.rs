//! The clinic-wide roll-ups the managers' analytics read (migration 0023): live visits per day,
//! service and hour, package sales per day and package, and each customer's active days with
//! their sums (`day_transitions`) that count a period's customers.
//! Like `stats.rs`, they are caches of what the facts say, recomputed inside the write
//! transaction for what a write touched — a visit's or a sale's day, a customer's active days — so
//! they are never stale after an edit, a cancellation, an applied sync or an erasure.

use crate::row::{self, in_list, Params};
use crate::stats::REFRESH_BATCH;
use crate::StoreResult;
use chrono::NaiveDate;
use clinicdesk_domain::ServiceType;
use sqlx::AnyConnection;

/// The KST hour a visit was recorded, when it was recorded on its own day (UTC 00:00–14:59 is
/// KST 09:00–23:59 of the same date; the clinic is closed before 09:00), else -1. Timestamps
/// are stored as UTC RFC 3339 text, so both databases read the hour from the same characters.
const VISIT_HOUR: &str = "CASE WHEN SUBSTR(s.created_at, 1, 10) = s.service_date \
     AND CAST(SUBSTR(s.created_at, 12, 2) AS BIGINT) < 15 \
     THEN CAST(SUBSTR(s.created_at, 12, 2) AS BIGINT) + 9 ELSE -1 END";

/// Which rows a recompute covers.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Listed(&'a [String]),
    All,
}

impl Scope<'_> {
    /// `column IN (…)` with the list's placeholders, or a condition that holds for every row.
    fn filter(&self, params: &mut Params, column: &str) -> String {
        match self {
            Scope::Listed(ids) => format!("{column} IN {}", in_list(params, ids)),
            Scope::All => "1 = 1".to_string(),
        }
    }
}

/// Recomputes the day roll-ups of `days` (`YYYY-MM-DD`): each day's visits and sales.
pub async fn refresh_days(conn: &mut AnyConnection, days: &[String]) -> StoreResult<()> {
    let mut days = days.to_vec();
    days.sort();
    days.dedup();
    for chunk in days.chunks(REFRESH_BATCH) {
        refresh_day_rows(conn, Scope::Listed(chunk)).await?;
    }
    Ok(())
}

/// Recomputes the active days of `customers`; called with the customers' other
/// roll-ups (`stats::refresh_customers`), which every write of a visit or a sale goes through.
pub async fn refresh_customers(conn: &mut AnyConnection, customers: &[String]) -> StoreResult<()> {
    for chunk in customers.chunks(REFRESH_BATCH) {
        refresh_day_activity(conn, Scope::Listed(chunk)).await?;
    }
    Ok(())
}

/// Recomputes every customer's active days, one pass over the facts.
pub async fn refresh_all_customers(conn: &mut AnyConnection) -> StoreResult<()> {
    refresh_day_activity(conn, Scope::All).await
}

/// Recomputes every day roll-up, one pass over the facts (a first pull, a bulk load).
pub async fn refresh_all_days(conn: &mut AnyConnection) -> StoreResult<()> {
    refresh_day_rows(conn, Scope::All).await
}

/// Recomputes everything this module keeps.
pub async fn rebuild(conn: &mut AnyConnection) -> StoreResult<()> {
    refresh_all_days(conn).await?;
    refresh_all_customers(conn).await
}

/// The days on which `customer` has visits or sales (an erasure removes them, and those days'
/// roll-ups with them).
pub async fn days_of_customer(
    conn: &mut AnyConnection,
    customer: &str,
) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT service_date FROM service_sessions WHERE customer_id = $1 \
         UNION SELECT purchase_date FROM package_purchases WHERE customer_id = $1",
    )
    .bind(customer.to_string())
    .fetch_all(conn)
    .await?)
}

async fn execute(conn: &mut AnyConnection, params: Params, sql: &str) -> StoreResult<()> {
    let sql = row::positional(conn, sql).into_owned();
    params.bind(sqlx::query(&sql)).execute(&mut *conn).await?;
    Ok(())
}

async fn refresh_day_rows(conn: &mut AnyConnection, scope: Scope<'_>) -> StoreResult<()> {
    for table in ["daily_visit_stats", "daily_purchase_stats"] {
        let mut params = Params::default();
        let only = scope.filter(&mut params, "day");
        execute(conn, params, &format!("DELETE FROM {table} WHERE {only}")).await?;
    }
    let mut params = Params::default();
    let only = scope.filter(&mut params, "s.service_date");
    execute(
        conn,
        params,
        &format!(
            "INSERT INTO daily_visit_stats (day, service_type, hour, visits, package_visits, \
             revenue, rating_sum, rating_count) \
             SELECT s.service_date, s.service_type, {VISIT_HOUR}, COUNT(*), \
             COUNT(s.package_usage_id), CAST(COALESCE(SUM(s.amount), 0) AS BIGINT), \
             CAST(COALESCE(SUM(s.satisfaction_rating), 0) AS BIGINT), COUNT(s.satisfaction_rating) \
             FROM service_sessions s WHERE {only} AND {not_cancelled} GROUP BY 1, 2, 3",
            not_cancelled = crate::stats::NOT_CANCELLED,
        ),
    )
    .await?;
    let mut params = Params::default();
    let only = scope.filter(&mut params, "p.purchase_date");
    execute(
        conn,
        params,
        &format!(
            "INSERT INTO daily_purchase_stats (day, package_id, purchases, cancelled, revenue) \
             SELECT p.purchase_date, p.package_id, COUNT(*) - COUNT(x.purchase_id), \
             COUNT(x.purchase_id), \
             CAST(COALESCE(SUM(p.price_paid - COALESCE(x.refund_amount, 0)), 0) AS BIGINT) \
             FROM package_purchases p LEFT JOIN purchase_cancellations x ON x.purchase_id = p.id \
             WHERE {only} GROUP BY 1, 2"
        ),
    )
    .await
}

async fn refresh_day_activity(conn: &mut AnyConnection, scope: Scope<'_>) -> StoreResult<()> {
    match scope {
        // Every row anew: both tables rebuilt from the facts.
        Scope::All => {
            sqlx::query("DELETE FROM customer_days")
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM day_transitions")
                .execute(&mut *conn)
                .await?;
            insert_days(conn, scope).await?;
            sqlx::query(
                "INSERT INTO day_transitions (day, prev_day, customers) \
                 SELECT day, prev_day, COUNT(*) FROM customer_days GROUP BY 1, 2",
            )
            .execute(&mut *conn)
            .await?;
        }
        // The customers' rows are taken out of the transitions, replaced, and put back in.
        Scope::Listed(_) => {
            shift_transitions(conn, scope, "-").await?;
            let mut params = Params::default();
            let only = scope.filter(&mut params, "customer_id");
            execute(
                conn,
                params,
                &format!("DELETE FROM customer_days WHERE {only}"),
            )
            .await?;
            insert_days(conn, scope).await?;
            shift_transitions(conn, scope, "").await?;
            sqlx::query("DELETE FROM day_transitions WHERE customers = 0")
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// Adds (`sign` "") or subtracts (`sign` "-") the listed customers' day rows to or from
/// `day_transitions`.
async fn shift_transitions(
    conn: &mut AnyConnection,
    scope: Scope<'_>,
    sign: &str,
) -> StoreResult<()> {
    let mut params = Params::default();
    let only = scope.filter(&mut params, "customer_id");
    execute(
        conn,
        params,
        &format!(
            "INSERT INTO day_transitions (day, prev_day, customers) \
             SELECT day, prev_day, {sign}COUNT(*) FROM customer_days WHERE {only} GROUP BY 1, 2 \
             ON CONFLICT (day, prev_day) DO UPDATE \
             SET customers = day_transitions.customers + excluded.customers"
        ),
    )
    .await
}

/// Each active day of the customers in `scope`, with the one before it.
async fn insert_days(conn: &mut AnyConnection, scope: Scope<'_>) -> StoreResult<()> {
    let mut params = Params::default();
    let visits = scope.filter(&mut params, "s.customer_id");
    let purchases = match scope {
        // The same placeholders serve both parts.
        Scope::Listed(_) => visits.replacen("s.customer_id", "p.customer_id", 1),
        Scope::All => "1 = 1".to_string(),
    };
    execute(
        conn,
        params,
        &format!(
            "INSERT INTO customer_days (customer_id, day, prev_day) \
             SELECT a.customer_id, a.day, \
             COALESCE(LAG(a.day) OVER (PARTITION BY a.customer_id ORDER BY a.day), '') \
             FROM ( \
               SELECT s.customer_id, s.service_date AS day FROM service_sessions s \
               WHERE {visits} AND {not_cancelled} \
               UNION \
               SELECT p.customer_id, p.purchase_date FROM package_purchases p WHERE {purchases} \
             ) a",
            not_cancelled = crate::stats::NOT_CANCELLED,
        ),
    )
    .await
}

/// A day's live visits of one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayVisits {
    pub day: NaiveDate,
    pub service: ServiceType,
    pub visits: i64,
    pub package_visits: i64,
    /// KRW paid at the visits.
    pub revenue: i64,
}

/// A day's package sales.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaySales {
    pub day: NaiveDate,
    pub purchases: i64,
    /// What the clinic kept (price less refunds).
    pub revenue: i64,
}

/// Visits per day, service and hour (hour -1: not known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourVisits {
    pub day: NaiveDate,
    pub hour: i64,
    pub visits: i64,
}

/// Customers active in a range, and in the range of equal length before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activity {
    /// With a visit or a purchase in the range.
    pub active: i64,
    /// Of those, the ones also active in the previous range.
    pub returning: i64,
    /// Active in the previous range.
    pub previous_active: i64,
}

fn day_of(r: &sqlx::any::AnyRow) -> Result<NaiveDate, sqlx::Error> {
    row::date(r, "day")
}

/// Each day's visits per service from `from` to `to` (inclusive).
pub async fn visits_by_day(
    conn: &mut AnyConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<DayVisits>> {
    let rows = sqlx::query(
        "SELECT day, service_type, CAST(SUM(visits) AS BIGINT) AS visits, \
         CAST(SUM(package_visits) AS BIGINT) AS package_visits, \
         CAST(SUM(revenue) AS BIGINT) AS revenue \
         FROM daily_visit_stats WHERE day BETWEEN $1 AND $2 GROUP BY day, service_type \
         ORDER BY day, service_type",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let code = row::text(r, "service_type")?;
        // The table's CHECK admits only known services; an unknown one would be a newer
        // node's, and is left out rather than failing the whole dashboard.
        let Some(service) = ServiceType::parse(&code) else {
            continue;
        };
        out.push(DayVisits {
            day: day_of(r)?,
            service,
            visits: row::int(r, "visits")?,
            package_visits: row::int(r, "package_visits")?,
            revenue: row::int(r, "revenue")?,
        });
    }
    Ok(out)
}

/// Each day's package sales from `from` to `to` (inclusive).
pub async fn sales_by_day(
    conn: &mut AnyConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<DaySales>> {
    let rows = sqlx::query(
        "SELECT day, CAST(SUM(purchases) AS BIGINT) AS purchases, \
         CAST(SUM(revenue) AS BIGINT) AS revenue \
         FROM daily_purchase_stats WHERE day BETWEEN $1 AND $2 GROUP BY day ORDER BY day",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DaySales {
                day: day_of(r)?,
                purchases: row::int(r, "purchases")?,
                revenue: row::int(r, "revenue")?,
            })
        })
        .collect()
}

/// Each day's visits per hour from `from` to `to` (inclusive), services together.
pub async fn visits_by_hour(
    conn: &mut AnyConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<HourVisits>> {
    let rows = sqlx::query(
        "SELECT day, hour, CAST(SUM(visits) AS BIGINT) AS visits FROM daily_visit_stats \
         WHERE day BETWEEN $1 AND $2 GROUP BY day, hour ORDER BY day, hour",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HourVisits {
                day: day_of(r)?,
                hour: row::int(r, "hour")?,
                visits: row::int(r, "visits")?,
            })
        })
        .collect()
}

/// Customers whose first visit or purchase ever fell on each day from `from` to `to`.
pub async fn first_days(
    conn: &mut AnyConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<(NaiveDate, i64)>> {
    let rows = sqlx::query(
        "SELECT day, CAST(SUM(customers) AS BIGINT) AS n FROM day_transitions \
         WHERE day BETWEEN $1 AND $2 AND prev_day = '' GROUP BY day ORDER BY day",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((day_of(r)?, row::int(r, "n")?)))
        .collect()
}

/// The customers active from `from` to `to` and in the range of equal length before it: a
/// customer is counted on their first active day in a range, the one whose previous active
/// day lies before it.
pub async fn activity(
    conn: &mut AnyConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Activity> {
    let length = (to - from).num_days() + 1;
    let (before_from, before_to) = (
        (from - chrono::Duration::days(length)).to_string(),
        (from - chrono::Duration::days(1)).to_string(),
    );
    let (from, to) = (from.to_string(), to.to_string());
    // `prev_day` is '' for a first day, which sorts before every date.
    let active_sql = "SELECT CAST(SUM(customers) AS BIGINT) FROM day_transitions \
                      WHERE day BETWEEN $1 AND $2 AND prev_day < $3";
    let active = sum_customers(conn, active_sql, [&from, &to, &from]).await?;
    let previous_active =
        sum_customers(conn, active_sql, [&before_from, &before_to, &before_from]).await?;
    let returning = sum_customers(
        conn,
        "SELECT CAST(SUM(customers) AS BIGINT) FROM day_transitions \
         WHERE day BETWEEN $1 AND $2 AND prev_day >= $3 AND prev_day < $1",
        [&from, &to, &before_from],
    )
    .await?;
    Ok(Activity {
        active,
        returning,
        previous_active,
    })
}

async fn sum_customers(
    conn: &mut AnyConnection,
    sql: &'static str,
    binds: [&String; 3],
) -> StoreResult<i64> {
    let mut q = sqlx::query_scalar::<_, Option<i64>>(sql);
    for b in binds {
        q = q.bind(b.clone());
    }
    Ok(q.fetch_one(&mut *conn).await?.unwrap_or(0))
}
