//! Customers: insert, update, read with derived figures, list (seed 004), extended search
//! (seed 000 §4.1), anonymise and delete.

use crate::row::{self, in_list, like_escape, Params};
use crate::stats::{self, STATS_COLUMNS};
use crate::{StoreResult, WriteTx};
use chrono::{Duration, NaiveDate};
use clinicdesk_domain::customer::CustomerRecord;
use clinicdesk_domain::package::{EXPIRING_REMAINING_PERCENT, EXPIRING_WITHIN_DAYS};
use clinicdesk_domain::search::{customer_terms, query_terms, service_bit};
use clinicdesk_domain::stats::{risk_level_bounds, CustomerStats};
use clinicdesk_domain::ServiceType;
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

const COLUMNS: &str = "c.id, c.name, c.phone, c.email, c.birth_year, c.gender, c.address, c.emergency_contact, \
    c.occupation, c.membership_level, c.customer_status, c.health_goals, c.health_interests, c.preferred_intensity, \
    c.preferred_time_slots, c.preferred_services, c.assigned_staff, c.memo, c.preferred_channels, c.contact_time, \
    c.consent_privacy, c.consent_marketing, c.consent_health_data, c.consent_updated_at, c.created_at, c.updated_at, \
    c.anonymized_at";

fn record_from(r: &AnyRow) -> Result<CustomerRecord, sqlx::Error> {
    Ok(CustomerRecord {
        id: row::text(r, "id")?,
        name: row::text(r, "name")?,
        phone: row::opt_text(r, "phone")?,
        email: row::opt_text(r, "email")?,
        birth_year: row::opt_int(r, "birth_year")?,
        gender: row::opt_text(r, "gender")?,
        address: row::opt_text(r, "address")?,
        emergency_contact: row::opt_text(r, "emergency_contact")?,
        occupation: row::opt_text(r, "occupation")?,
        membership_level: row::text(r, "membership_level")?,
        customer_status: row::text(r, "customer_status")?,
        health_goals: row::opt_text(r, "health_goals")?,
        health_interests: row::list(r, "health_interests")?,
        preferred_intensity: row::opt_text(r, "preferred_intensity")?,
        preferred_time_slots: row::list(r, "preferred_time_slots")?,
        preferred_services: row::list(r, "preferred_services")?,
        assigned_staff: row::opt_text(r, "assigned_staff")?,
        memo: row::opt_text(r, "memo")?,
        preferred_channels: row::list(r, "preferred_channels")?,
        contact_time: row::opt_text(r, "contact_time")?,
        consent_privacy: row::flag(r, "consent_privacy")?,
        consent_marketing: row::flag(r, "consent_marketing")?,
        consent_health_data: row::flag(r, "consent_health_data")?,
        consent_updated_at: row::opt_text(r, "consent_updated_at")?,
        created_at: row::text(r, "created_at")?,
        updated_at: row::text(r, "updated_at")?,
        anonymized_at: row::opt_text(r, "anonymized_at")?,
    })
}

fn digits(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|p| p.chars().filter(char::is_ascii_digit).collect())
}

fn list_json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// The full stored row as a sync payload.
fn payload(c: &CustomerRecord) -> Value {
    serde_json::to_value(c).unwrap_or(Value::Null)
}

async fn write_row(w: &mut WriteTx, c: &CustomerRecord, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO customers (name, phone, phone_digits, email, birth_year, gender, address, emergency_contact, \
         occupation, membership_level, customer_status, health_goals, health_interests, preferred_intensity, \
         preferred_time_slots, preferred_services, assigned_staff, memo, preferred_channels, contact_time, \
         consent_privacy, consent_marketing, consent_health_data, consent_updated_at, created_at, updated_at, \
         anonymized_at, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)"
    } else {
        "UPDATE customers SET name = $1, phone = $2, phone_digits = $3, email = $4, birth_year = $5, gender = $6, \
         address = $7, emergency_contact = $8, occupation = $9, membership_level = $10, customer_status = $11, \
         health_goals = $12, health_interests = $13, preferred_intensity = $14, preferred_time_slots = $15, \
         preferred_services = $16, assigned_staff = $17, memo = $18, preferred_channels = $19, contact_time = $20, \
         consent_privacy = $21, consent_marketing = $22, consent_health_data = $23, consent_updated_at = $24, \
         created_at = $25, updated_at = $26, anonymized_at = $27 WHERE id = $28"
    };
    sqlx::query(sql)
        .bind(c.name.clone())
        .bind(c.phone.clone())
        .bind(digits(&c.phone))
        .bind(c.email.clone())
        .bind(c.birth_year)
        .bind(c.gender.clone())
        .bind(c.address.clone())
        .bind(c.emergency_contact.clone())
        .bind(c.occupation.clone())
        .bind(c.membership_level.clone())
        .bind(c.customer_status.clone())
        .bind(c.health_goals.clone())
        .bind(list_json(&c.health_interests))
        .bind(c.preferred_intensity.clone())
        .bind(list_json(&c.preferred_time_slots))
        .bind(list_json(&c.preferred_services))
        .bind(c.assigned_staff.clone())
        .bind(c.memo.clone())
        .bind(list_json(&c.preferred_channels))
        .bind(c.contact_time.clone())
        .bind(c.consent_privacy as i64)
        .bind(c.consent_marketing as i64)
        .bind(c.consent_health_data as i64)
        .bind(c.consent_updated_at.clone())
        .bind(c.created_at.clone())
        .bind(c.updated_at.clone())
        .bind(c.anonymized_at.clone())
        .bind(c.id.clone())
        .execute(w.conn())
        .await?;
    index_terms(w.conn(), c).await
}

pub async fn insert(w: &mut WriteTx, c: &CustomerRecord) -> StoreResult<()> {
    write_row(w, c, true).await?;
    stats::refresh_customer(w.conn(), &c.id).await?;
    w.change("customer", &c.id, "insert", &payload(c)).await?;
    w.audit(
        "customer.create",
        "customer",
        Some(&c.id),
        json!({ "fields": "all" }),
    )
    .await
}

/// Saves an edited record; `changed` are the fields the request changed (for the outbox
/// patch and the audit trail).
pub async fn update(w: &mut WriteTx, c: &CustomerRecord, changed: &[String]) -> StoreResult<()> {
    write_row(w, c, false).await?;
    let full = payload(c);
    let patch: serde_json::Map<String, Value> = full
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| changed.contains(k) || *k == "updated_at")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    w.change("customer", &c.id, "update", &Value::Object(patch))
        .await?;
    w.audit(
        "customer.update",
        "customer",
        Some(&c.id),
        json!({ "fields": changed }),
    )
    .await
}

/// A live (not deleted) customer.
pub async fn get(conn: &mut AnyConnection, id: &str) -> StoreResult<Option<CustomerRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM customers c WHERE c.id = $1 AND c.deleted_at IS NULL"
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(record_from).transpose()?)
}

pub async fn get_with_stats(
    conn: &mut AnyConnection,
    id: &str,
) -> StoreResult<Option<(CustomerRecord, CustomerStats)>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS}, {STATS_COLUMNS} FROM customers c LEFT JOIN customer_stats cs ON cs.customer_id = c.id \
         WHERE c.id = $1 AND c.deleted_at IS NULL"
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    match row {
        None => Ok(None),
        Some(r) => Ok(Some((record_from(&r)?, stats::from_row(&r)?))),
    }
}

/// The id of another live customer with the same name and phone, if any.
pub async fn find_duplicate(
    conn: &mut AnyConnection,
    c: &CustomerRecord,
) -> StoreResult<Option<String>> {
    let row = sqlx::query("SELECT id FROM customers WHERE name = $1 AND phone = $2 AND id <> $3 AND deleted_at IS NULL LIMIT 1")
        .bind(c.name.clone())
        .bind(c.phone.clone())
        .bind(c.id.clone())
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

/// `q` as a WHERE clause: a name fragment, phone digits (three or more) or an e-mail fragment.
fn text_match(params: &mut Params, q: &str) -> Option<String> {
    let q = q.trim();
    if q.is_empty() {
        return None;
    }
    // Digits (with dashes) mean a phone number; anything else a name or e-mail fragment.
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let is_phone = digits.len() >= 3
        && q.chars()
            .all(|ch| ch.is_ascii_digit() || ch == '-' || ch == ' ');
    let exact = if is_phone {
        format!("c.phone_digits LIKE {}", params.text(format!("%{digits}%")))
    } else {
        let pattern = params.text(format!("%{}%", like_escape(&q.to_lowercase())));
        format!("(LOWER(c.name) LIKE {pattern} ESCAPE '\\' OR LOWER(c.email) LIKE {pattern} ESCAPE '\\')")
    };
    // Candidates from the term index when it can answer; the exact match confirms them.
    match query_terms(q) {
        Some(terms) => {
            let list = in_list(params, &terms);
            let n = params.int(terms.len() as i64);
            Some(format!(
                "(c.id IN (SELECT t.customer_id FROM customer_search_terms t WHERE t.term IN {list} \
                 GROUP BY t.customer_id HAVING COUNT(*) = {n}) AND {exact})"
            ))
        }
        None => Some(exact),
    }
}

/// Re-indexes one customer's search terms (after its name or phone changed).
async fn index_terms(conn: &mut AnyConnection, c: &CustomerRecord) -> StoreResult<()> {
    sqlx::query("DELETE FROM customer_search_terms WHERE customer_id = $1")
        .bind(c.id.clone())
        .execute(&mut *conn)
        .await?;
    let terms = customer_terms(&c.name, digits(&c.phone).as_deref());
    insert_terms(conn, terms.iter().map(|t| (t.as_str(), c.id.as_str()))).await
}

async fn insert_terms<'a>(
    conn: &mut AnyConnection,
    rows: impl Iterator<Item = (&'a str, &'a str)>,
) -> StoreResult<()> {
    let rows: Vec<(&str, &str)> = rows.collect();
    // A few hundred rows per statement keeps well under both databases' parameter limits.
    for chunk in rows.chunks(400) {
        let mut params = Params::default();
        let values: Vec<String> = chunk
            .iter()
            .map(|(term, id)| format!("({}, {})", params.text(*term), params.text(*id)))
            .collect();
        let sql = format!(
            "INSERT INTO customer_search_terms (term, customer_id) VALUES {} ON CONFLICT DO NOTHING",
            values.join(", ")
        );
        params.bind(sqlx::query(&sql)).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Rebuilds the whole search index (after a bulk load, or for a database created before the
/// index existed).
pub async fn rebuild_search_terms(conn: &mut AnyConnection) -> StoreResult<()> {
    sqlx::query("DELETE FROM customer_search_terms")
        .execute(&mut *conn)
        .await?;
    let rows = sqlx::query("SELECT id, name, phone_digits FROM customers WHERE deleted_at IS NULL")
        .fetch_all(&mut *conn)
        .await?;
    let mut all: Vec<(String, String)> = Vec::new();
    for r in &rows {
        let id = row::text(r, "id")?;
        for term in customer_terms(
            &row::text(r, "name")?,
            row::opt_text(r, "phone_digits")?.as_deref(),
        ) {
            all.push((term, id.clone()));
        }
    }
    insert_terms(conn, all.iter().map(|(t, id)| (t.as_str(), id.as_str()))).await
}

/// True when the database has customers but no search index yet (created before it existed).
pub async fn search_terms_missing(conn: &mut AnyConnection) -> StoreResult<bool> {
    let indexed = sqlx::query("SELECT 1 AS x FROM customer_search_terms LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(indexed.is_none() && count(&mut *conn).await? > 0)
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub search: Option<String>,
    pub membership_level: Option<String>,
    pub customer_status: Option<String>,
    pub assigned_staff: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// One row of the customer list: the record with its roll-up.
#[derive(Debug, Clone)]
pub struct ListedCustomer {
    pub record: CustomerRecord,
    pub stats: CustomerStats,
    pub last_interaction_at: Option<String>,
    pub interaction_count: i64,
}

fn listed_from(r: &AnyRow) -> StoreResult<ListedCustomer> {
    Ok(ListedCustomer {
        record: record_from(r)?,
        stats: stats::from_row(r)?,
        last_interaction_at: row::opt_text(r, "last_interaction_at")?,
        interaction_count: row::opt_int(r, "interaction_count")?.unwrap_or(0),
    })
}

/// `customer_filters`: whether any of `wheres` reads `customers` columns (`c.`); when none
/// does, the count reads only the roll-up table.
async fn page(
    conn: &mut AnyConnection,
    params: Params,
    wheres: &[String],
    customer_filters: bool,
    order: &str,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<ListedCustomer>, i64)> {
    let from = "customers c JOIN customer_stats cs ON cs.customer_id = c.id";
    let filter = format!(
        "c.deleted_at IS NULL{}",
        wheres
            .iter()
            .map(|w| format!(" AND {w}"))
            .collect::<String>()
    );
    // Every live customer has exactly one roll-up row (a deleted one has none), so a count
    // that filters only roll-up columns reads that narrow table alone.
    let count_sql = if customer_filters {
        format!("SELECT COUNT(*) AS n FROM {from} WHERE {filter}")
    } else {
        let stats_filter: Vec<&str> = wheres.iter().map(String::as_str).collect();
        let clause = if stats_filter.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", stats_filter.join(" AND "))
        };
        format!("SELECT COUNT(*) AS n FROM customer_stats cs{clause}")
    };
    let total: i64 = params
        .bind(sqlx::query(&count_sql))
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
    let mut params = params;
    let lim = params.int(limit);
    let off = params.int(offset);
    let sql = format!("SELECT {COLUMNS}, {STATS_COLUMNS} FROM {from} WHERE {filter} ORDER BY {order} LIMIT {lim} OFFSET {off}");
    let rows = params.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await?;
    let items = rows
        .iter()
        .map(listed_from)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok((items, total))
}

pub async fn list(
    conn: &mut AnyConnection,
    q: &ListQuery,
) -> StoreResult<(Vec<ListedCustomer>, i64)> {
    let mut params = Params::default();
    let mut wheres = Vec::new();
    if let Some(m) = q.search.as_deref().and_then(|s| text_match(&mut params, s)) {
        wheres.push(m);
    }
    if let Some(v) = &q.membership_level {
        wheres.push(format!("c.membership_level = {}", params.text(v.clone())));
    }
    if let Some(v) = &q.customer_status {
        wheres.push(format!("c.customer_status = {}", params.text(v.clone())));
    }
    if let Some(v) = &q.assigned_staff {
        wheres.push(format!("c.assigned_staff = {}", params.text(v.clone())));
    }
    // Every list filter reads customer columns.
    let customer_filters = !wheres.is_empty();
    page(
        conn,
        params,
        &wheres,
        customer_filters,
        "c.name ASC, c.id ASC",
        q.limit,
        q.offset,
    )
    .await
}

#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub q: Option<String>,
    pub service_filter: Vec<String>,
    pub package_status: Option<String>,
    pub membership_level: Option<String>,
    pub risk_level: Option<String>,
    pub last_visit_from: Option<NaiveDate>,
    pub last_visit_to: Option<NaiveDate>,
    /// `name`, `last_visit`, `total_visits` or `revenue`.
    pub sort_by: String,
    pub descending: bool,
    pub page: i64,
    pub size: i64,
}

/// The SQL condition on a `purchase_stats ps` row for a derived package status; mirrors
/// `clinicdesk_domain::package::package_status` (tested against it).
fn package_status_condition(params: &mut Params, status: &str, today: NaiveDate) -> String {
    let t = params.text(today.to_string());
    let soon = params.text((today + Duration::days(EXPIRING_WITHIN_DAYS)).to_string());
    let pct = EXPIRING_REMAINING_PERCENT;
    match status {
        "expired" => format!("(ps.expiry_date < {t} OR ps.remaining_sessions <= 0)"),
        "expiring" => format!(
            "(ps.expiry_date >= {t} AND ps.remaining_sessions > 0 AND \
             (ps.expiry_date <= {soon} OR ps.remaining_sessions * 100 <= ps.total_sessions * {pct}))"
        ),
        _ => format!(
            "(ps.expiry_date > {soon} AND ps.remaining_sessions > 0 AND ps.remaining_sessions * 100 > ps.total_sessions * {pct})"
        ),
    }
}

pub async fn search(
    conn: &mut AnyConnection,
    q: &SearchQuery,
    today: NaiveDate,
) -> StoreResult<(Vec<ListedCustomer>, i64)> {
    let mut params = Params::default();
    let mut wheres = Vec::new();
    if let Some(m) = q.q.as_deref().and_then(|s| text_match(&mut params, s)) {
        wheres.push(m);
    }
    if !q.service_filter.is_empty() {
        let mask: i64 = q
            .service_filter
            .iter()
            .filter_map(|s| ServiceType::parse(s))
            .map(service_bit)
            .sum();
        wheres.push(format!("(cs.services_used & {}) <> 0", params.int(mask)));
    }
    if let Some(status) = &q.package_status {
        // One pass over the purchases (by expiry) instead of a probe per customer.
        let cond = package_status_condition(&mut params, status, today);
        wheres.push(format!(
            "cs.customer_id IN (SELECT ps.customer_id FROM purchase_stats ps WHERE {cond})"
        ));
    }
    if let Some(v) = &q.membership_level {
        wheres.push(format!("c.membership_level = {}", params.text(v.clone())));
    }
    if let Some((lo, hi)) = q
        .risk_level
        .as_deref()
        .and_then(|r| risk_level_bounds(r, today))
    {
        if let Some(lo) = lo {
            wheres.push(format!(
                "cs.last_activity_date >= {}",
                params.text(lo.to_string())
            ));
        }
        if let Some(hi) = hi {
            wheres.push(format!(
                "cs.last_activity_date <= {}",
                params.text(hi.to_string())
            ));
        }
    }
    if let Some(from) = q.last_visit_from {
        wheres.push(format!(
            "cs.last_visit_date >= {}",
            params.text(from.to_string())
        ));
    }
    if let Some(to) = q.last_visit_to {
        wheres.push(format!(
            "cs.last_visit_date <= {}",
            params.text(to.to_string())
        ));
    }
    let dir = if q.descending { "DESC" } else { "ASC" };
    let order = match q.sort_by.as_str() {
        "last_visit" => {
            format!("cs.last_visit_date {dir} NULLS LAST, c.id ASC")
        }
        "total_visits" => format!("cs.total_visits {dir}, c.name ASC, c.id ASC"),
        "revenue" => format!("cs.total_revenue {dir}, c.name ASC, c.id ASC"),
        _ => format!("c.name {dir}, c.id ASC"),
    };
    let customer_filters =
        q.q.as_deref().is_some_and(|t| !t.trim().is_empty()) || q.membership_level.is_some();
    page(
        conn,
        params,
        &wheres,
        customer_filters,
        &order,
        q.size,
        (q.page - 1) * q.size,
    )
    .await
}

/// Anonymises a customer: the record keeps no identifying data, free text on its visits and
/// interactions is removed; visits, purchases and revenue stay for statistics. Returns the
/// number of related records changed.
pub async fn anonymize(w: &mut WriteTx, anonymized: &CustomerRecord) -> StoreResult<i64> {
    write_row(w, anonymized, false).await?;
    let id = anonymized.id.clone();
    let sessions = sqlx::query("UPDATE service_sessions SET session_notes = NULL, staff_name = NULL WHERE customer_id = $1")
        .bind(id.clone())
        .execute(w.conn())
        .await?
        .rows_affected();
    let interactions = sqlx::query(
        "UPDATE interactions SET notes = NULL, outcome = NULL, follow_up_notes = NULL WHERE customer_id = $1",
    )
    .bind(id.clone())
    .execute(w.conn())
    .await?
    .rows_affected();
    let purchases = sqlx::query("UPDATE package_purchases SET notes = NULL WHERE customer_id = $1")
        .bind(id.clone())
        .execute(w.conn())
        .await?
        .rows_affected();
    let related = (sessions + interactions + purchases) as i64;
    w.change("customer", &id, "anonymize", &payload(anonymized))
        .await?;
    w.audit(
        "customer.anonymize",
        "customer",
        Some(&id),
        json!({ "related_records": related }),
    )
    .await?;
    Ok(related)
}

/// Deletes a customer and everything recorded about them. The customer row stays as a
/// tombstone without personal data so the deletion can be synchronised. Returns the number
/// of related records removed.
pub async fn delete(w: &mut WriteTx, tombstone: &CustomerRecord) -> StoreResult<i64> {
    let id = tombstone.id.clone();
    let mut related = 0i64;
    for sql in [
        "DELETE FROM session_cancellations WHERE session_id IN (SELECT id FROM service_sessions WHERE customer_id = $1)",
        "DELETE FROM service_sessions WHERE customer_id = $1",
        "DELETE FROM purchase_stats WHERE customer_id = $1",
        "DELETE FROM package_purchases WHERE customer_id = $1",
        "DELETE FROM interactions WHERE customer_id = $1",
        "DELETE FROM customer_stats WHERE customer_id = $1",
    ] {
        let n = sqlx::query(sql).bind(id.clone()).execute(w.conn()).await?.rows_affected() as i64;
        if !sql.contains("_stats") {
            related += n;
        }
    }
    write_row(w, tombstone, false).await?;
    let now = w.now().to_string();
    sqlx::query("UPDATE customers SET deleted_at = $1 WHERE id = $2")
        .bind(now.clone())
        .bind(id.clone())
        .execute(w.conn())
        .await?;
    // The tombstone is not searchable.
    sqlx::query("DELETE FROM customer_search_terms WHERE customer_id = $1")
        .bind(id.clone())
        .execute(w.conn())
        .await?;
    w.change("customer", &id, "delete", &json!({ "deleted_at": now }))
        .await?;
    w.audit(
        "customer.delete",
        "customer",
        Some(&id),
        json!({ "related_records": related }),
    )
    .await?;
    Ok(related)
}

/// How many live customers there are (demo seeding checks for an empty database).
pub async fn count(conn: &mut AnyConnection) -> StoreResult<i64> {
    Ok(
        sqlx::query("SELECT COUNT(*) AS n FROM customers WHERE deleted_at IS NULL")
            .fetch_one(conn)
            .await?
            .try_get("n")?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Db;
    use clinicdesk_domain::package::package_status;

    async fn temp_db() -> Db {
        let path = std::env::temp_dir().join(format!(
            "clinicdesk-store-{}.db",
            clinicdesk_domain::ids::new_id()
        ));
        let db = Db::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        db.migrate().await.unwrap();
        db
    }

    /// The SQL status filter must classify every purchase exactly as the domain rule does,
    /// including the boundaries (14 days, 20 %, the expiry day itself, used up).
    #[tokio::test]
    async fn package_status_filter_agrees_with_the_domain_rule() {
        let db = temp_db().await;
        let today = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        let mut expected = Vec::new();
        let mut conn = db.conn().await.unwrap();
        // Only the roll-up is under test; its purchases need not exist.
        sqlx::query("PRAGMA foreign_keys = OFF")
            .execute(&mut *conn)
            .await
            .unwrap();
        for offset in [-30i64, -1, 0, 1, 13, 14, 15, 60] {
            for (total, remaining) in [
                (10i64, 0i64),
                (10, 1),
                (10, 2),
                (10, 3),
                (40, 8),
                (40, 9),
                (5, 5),
            ] {
                let id = format!("p{offset}_{total}_{remaining}");
                let expiry = today + Duration::days(offset);
                sqlx::query(
                    "INSERT INTO purchase_stats (purchase_id, customer_id, expiry_date, total_sessions, used_sessions, \
                     remaining_sessions, overdrawn_sessions) VALUES ($1, $1, $2, $3, $4, $5, 0)",
                )
                .bind(id.clone())
                .bind(expiry.to_string())
                .bind(total)
                .bind(total - remaining)
                .bind(remaining)
                .execute(&mut *conn)
                .await
                .unwrap();
                expected.push((id, package_status(expiry, total, remaining, today)));
            }
        }
        for status in ["active", "expiring", "expired"] {
            let mut params = Params::default();
            let cond = package_status_condition(&mut params, status, today);
            let rows = params
                .bind(sqlx::query(&format!(
                    "SELECT purchase_id FROM purchase_stats ps WHERE {cond} ORDER BY purchase_id"
                )))
                .fetch_all(&mut *conn)
                .await
                .unwrap();
            let got: Vec<String> = rows
                .iter()
                .map(|r| r.try_get("purchase_id").unwrap())
                .collect();
            let mut want: Vec<String> = expected
                .iter()
                .filter(|(_, s)| *s == status)
                .map(|(id, _)| id.clone())
                .collect();
            want.sort();
            assert_eq!(got, want, "{status}");
        }
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_escape("50%_off\\"), "50\\%\\_off\\\\");
        let mut params = Params::default();
        assert!(text_match(&mut params, "   ").is_none());
        let m = text_match(&mut params, "010-12").unwrap();
        assert!(m.contains("phone_digits"), "{m}");
        let m = text_match(&mut params, "김영").unwrap();
        assert!(!m.contains("phone_digits"));
    }
}
