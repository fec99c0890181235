//! Customers: insert, update, read with derived figures, list (seed 004), extended search
//! (seed 000 §4.1), anonymise and delete.

use crate::row::{self, in_list, Params};
use crate::search_index;
use crate::stats::{self, STATS_COLUMNS};
use crate::{Db, StoreResult, WriteTx};
use chrono::NaiveDate;
use clinicdesk_domain::customer::CustomerRecord;
use clinicdesk_domain::search::{PageSpec, SearchFilter, SortKey, TextQuery};
use clinicdesk_domain::stats::CustomerStats;
use clinicdesk_domain::ServiceType;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

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
    search_index::touch(w.conn(), &c.id).await
}

/// Saves a new customer. `similar`: customers it may duplicate that the writer confirmed are
/// other people (kept in the audit event for review).
pub async fn insert(w: &mut WriteTx, c: &CustomerRecord, similar: &[String]) -> StoreResult<()> {
    write_row(w, c, true).await?;
    stats::refresh_customer(w.conn(), &c.id).await?;
    w.change("customer", &c.id).await?;
    let mut details = json!({ "fields": "all" });
    if !similar.is_empty() {
        details["confirmed_distinct_from"] = json!(similar);
    }
    w.audit("customer.create", "customer", Some(&c.id), details)
        .await
}

/// Saves an edited record; `changed` are the fields the request changed (for the outbox
/// patch and the audit trail), `similar` as for [`insert`].
pub async fn update(
    w: &mut WriteTx,
    c: &CustomerRecord,
    changed: &[String],
    similar: &[String],
) -> StoreResult<()> {
    write_row(w, c, false).await?;
    // What changed is read back from the row itself (see `capture`): every column, the
    // consent and communication columns too.
    w.change("customer", &c.id).await?;
    if !c.consent_health_data {
        drop_self_reports(w, &[c.id.clone()]).await?;
    }
    let mut details = json!({ "fields": changed });
    if !similar.is_empty() {
        details["confirmed_distinct_from"] = json!(similar);
    }
    w.audit("customer.update", "customer", Some(&c.id), details)
        .await
}

/// Without health-data consent a customer's self-reported health scores go, with sync's
/// copies of them: withdrawing the consent erases the health data held (the record's health
/// fields are cleared by the same edit). Run where the edit is made and wherever it arrives.
pub async fn drop_self_reports(w: &mut WriteTx, ids: &[String]) -> StoreResult<()> {
    for chunk in ids.chunks(crate::stats::REFRESH_BATCH) {
        let mut params = row::Params::default();
        let list = row::in_list(&mut params, chunk);
        let sql = format!(
            "SELECT r.id FROM health_self_reports r JOIN customers c ON c.id = r.customer_id \
             WHERE r.customer_id IN {list} AND c.consent_health_data = 0"
        );
        let sql = row::positional(w.conn(), &sql).into_owned();
        let gone: Vec<String> = params
            .bind(sqlx::query(&sql))
            .fetch_all(w.conn())
            .await?
            .iter()
            .map(|r| row::text(r, "id"))
            .collect::<Result<_, _>>()?;
        for id in gone {
            sqlx::query("DELETE FROM health_self_reports WHERE id = $1")
                .bind(id.clone())
                .execute(w.conn())
                .await?;
            crate::sync_node::rewrite_copies(w.conn(), "health_self_report", &id).await?;
        }
    }
    Ok(())
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

/// Other live customers who may be the same person as `c`: the same name, and a phone number
/// either equal to `c`'s (`exact`) or ending in the same four digits (otherwise). The
/// four-digit rule is for roles that see phone numbers masked: they may be told only what
/// they can see of another customer. At most five, oldest first.
pub async fn possible_duplicates(
    conn: &mut AnyConnection,
    c: &CustomerRecord,
    exact: bool,
) -> StoreResult<Vec<(CustomerRecord, CustomerStats)>> {
    let Some(phone_digits) = digits(&c.phone) else {
        return Ok(Vec::new());
    };
    let pattern = if exact {
        phone_digits
    } else {
        let tail = phone_digits.len().saturating_sub(4);
        format!("%{}", &phone_digits[tail..])
    };
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS}, {STATS_COLUMNS} FROM customers c LEFT JOIN customer_stats cs ON cs.customer_id = c.id \
         WHERE c.name = $1 AND c.phone_digits LIKE $2 AND c.id <> $3 AND c.deleted_at IS NULL \
         ORDER BY c.created_at, c.id LIMIT 5"
    ))
    .bind(c.name.clone())
    .bind(pattern)
    .bind(c.id.clone())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((record_from(r)?, stats::from_row(r)?)))
        .collect()
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub search: Option<String>,
    /// The searcher sees contact data masked: text matches only what it sees
    /// ([`TextQuery::parse`]).
    pub masked: bool,
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

/// The listed customers with these ids, in this order (one that was deleted meanwhile is
/// left out).
async fn listed_by_ids(
    conn: &mut AnyConnection,
    ids: &[String],
) -> StoreResult<Vec<ListedCustomer>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut params = Params::default();
    let list = in_list(&mut params, ids);
    let sql = format!(
        "SELECT {COLUMNS}, {STATS_COLUMNS} FROM customers c JOIN customer_stats cs ON cs.customer_id = c.id \
         WHERE c.id IN {list} AND c.deleted_at IS NULL"
    );
    let rows = params.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await?;
    let mut by_id: HashMap<String, ListedCustomer> = HashMap::new();
    for r in &rows {
        let c = listed_from(r)?;
        by_id.insert(c.record.id.clone(), c);
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// One page of customers matching `filter`, and how many match in all.
async fn page(
    db: &Db,
    conn: &mut AnyConnection,
    filter: &SearchFilter,
    today: NaiveDate,
    spec: PageSpec,
) -> StoreResult<(Vec<ListedCustomer>, i64)> {
    let found = db
        .search_index
        .page(&mut *conn, filter, today, spec)
        .await?;
    let items = listed_by_ids(conn, &found.ids).await?;
    Ok((items, found.total as i64))
}

/// A page window from API numbers (validated there; negative ones mean nothing).
fn window(offset: i64, limit: i64) -> (usize, usize) {
    (offset.max(0) as usize, limit.max(0) as usize)
}

/// The customer list (seed 004): by name.
pub async fn list(
    db: &Db,
    conn: &mut AnyConnection,
    q: &ListQuery,
    today: NaiveDate,
) -> StoreResult<(Vec<ListedCustomer>, i64)> {
    let filter = SearchFilter {
        text: q
            .search
            .as_deref()
            .and_then(|t| TextQuery::parse(t, q.masked)),
        membership_level: q.membership_level.clone(),
        customer_status: q.customer_status.clone(),
        assigned_staff: q.assigned_staff.clone(),
        ..SearchFilter::default()
    };
    let (offset, limit) = window(q.offset, q.limit);
    let spec = PageSpec {
        key: SortKey::Name,
        descending: false,
        offset,
        limit,
    };
    page(db, conn, &filter, today, spec).await
}

#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub q: Option<String>,
    /// As [`ListQuery::masked`].
    pub masked: bool,
    pub service_filter: Vec<ServiceType>,
    pub package_status: Option<String>,
    pub membership_level: Option<String>,
    pub risk_level: Option<String>,
    pub last_visit_from: Option<NaiveDate>,
    pub last_visit_to: Option<NaiveDate>,
    pub sort_by: SortKey,
    pub descending: bool,
    pub page: i64,
    pub size: i64,
}

/// The extended search (seed 000 §4.1).
pub async fn search(
    db: &Db,
    conn: &mut AnyConnection,
    q: &SearchQuery,
    today: NaiveDate,
) -> StoreResult<(Vec<ListedCustomer>, i64)> {
    let filter = SearchFilter {
        text: q.q.as_deref().and_then(|t| TextQuery::parse(t, q.masked)),
        membership_level: q.membership_level.clone(),
        services: q.service_filter.clone(),
        package_status: q.package_status.clone(),
        risk_level: q.risk_level.clone(),
        last_visit_from: q.last_visit_from,
        last_visit_to: q.last_visit_to,
        ..SearchFilter::default()
    };
    let (offset, limit) = window((q.page - 1) * q.size, q.size);
    let spec = PageSpec {
        key: q.sort_by,
        descending: q.descending,
        offset,
        limit,
    };
    page(db, conn, &filter, today, spec).await
}

/// Anonymises a customer: the record keeps no identifying data, free text on its visits and
/// interactions is removed; visits, purchases and revenue stay for statistics. Returns the
/// number of related records changed.
pub async fn anonymize(w: &mut WriteTx, anonymized: &CustomerRecord) -> StoreResult<i64> {
    write_row(w, anonymized, false).await?;
    let id = anonymized.id.clone();
    w.change("customer", &id).await?;
    let related = scrub_related(w, &id).await?;
    w.audit(
        "customer.anonymize",
        "customer",
        Some(&id),
        json!({ "related_records": related }),
    )
    .await?;
    Ok(related)
}

/// The free text of an anonymised customer's visits, interactions, purchases and
/// cancellations removed, and every copy of their data sync keeps (outbox, log, conflicts)
/// rewritten to what is left. Run by the anonymisation and wherever it arrives by sync, and
/// again when a fact about them arrives later; a second run changes nothing.
pub async fn scrub_related(w: &mut WriteTx, id: &str) -> StoreResult<i64> {
    let mut related = 0;
    for sql in [
        "UPDATE service_sessions SET session_notes = NULL, staff_name = NULL WHERE customer_id = $1 \
         AND (session_notes IS NOT NULL OR staff_name IS NOT NULL)",
        "UPDATE interactions SET notes = NULL, outcome = NULL, follow_up_notes = NULL WHERE customer_id = $1 \
         AND (notes IS NOT NULL OR outcome IS NOT NULL OR follow_up_notes IS NOT NULL)",
        "UPDATE follow_up_events SET note = NULL WHERE note IS NOT NULL \
         AND follow_up_id IN (SELECT id FROM interactions WHERE customer_id = $1)",
        "UPDATE package_purchases SET notes = NULL WHERE customer_id = $1 AND notes IS NOT NULL",
        // Why a visit or a purchase was cancelled is free text, and may name the person.
        "UPDATE session_cancellations SET reason = NULL WHERE reason IS NOT NULL \
         AND session_id IN (SELECT id FROM service_sessions WHERE customer_id = $1)",
        "UPDATE purchase_cancellations SET reason = NULL WHERE reason IS NOT NULL \
         AND purchase_id IN (SELECT id FROM package_purchases WHERE customer_id = $1)",
        // What they said about a recommendation, in their words.
        "UPDATE recommendation_feedback SET comment = NULL WHERE customer_id = $1 \
         AND comment IS NOT NULL",
    ] {
        related += sqlx::query(sql)
            .bind(id.to_string())
            .execute(w.conn())
            .await?
            .rows_affected() as i64;
    }
    related += crate::patients::scrub(w, id).await?;
    for (entity, fact_id) in facts_of(w, id).await? {
        crate::sync_node::rewrite_copies(w.conn(), entity, &fact_id).await?;
    }
    crate::sync_node::rewrite_copies(w.conn(), "patient", id).await?;
    crate::sync_node::rewrite_copies(w.conn(), "customer", id).await?;
    Ok(related)
}

/// Every synced fact about a customer, by table name and id.
async fn facts_of(w: &mut WriteTx, id: &str) -> StoreResult<Vec<(&'static str, String)>> {
    let mut out = Vec::new();
    for (entity, sql) in [
        ("service_session", "SELECT id AS x FROM service_sessions WHERE customer_id = $1"),
        ("session_cancellation", "SELECT session_id AS x FROM session_cancellations WHERE session_id IN (SELECT id FROM service_sessions WHERE customer_id = $1)"),
        ("package_purchase", "SELECT id AS x FROM package_purchases WHERE customer_id = $1"),
        ("purchase_cancellation", "SELECT purchase_id AS x FROM purchase_cancellations WHERE purchase_id IN (SELECT id FROM package_purchases WHERE customer_id = $1)"),
        ("interaction", "SELECT id AS x FROM interactions WHERE customer_id = $1"),
        ("follow_up_event", "SELECT id AS x FROM follow_up_events WHERE follow_up_id IN (SELECT id FROM interactions WHERE customer_id = $1)"),
        ("recommendation_feedback", "SELECT id AS x FROM recommendation_feedback WHERE customer_id = $1"),
        ("health_self_report", "SELECT id AS x FROM health_self_reports WHERE customer_id = $1"),
    ] {
        for r in sqlx::query(sql).bind(id.to_string()).fetch_all(w.conn()).await? {
            out.push((entity, row::text(&r, "x")?));
        }
    }
    out.extend(crate::patients::facts_of(w.conn(), id).await?);
    Ok(out)
}

/// Deletes a customer and everything recorded about them. The customer row stays as a
/// tombstone without personal data so the deletion can be synchronised. Returns the number
/// of related records removed.
pub async fn delete(w: &mut WriteTx, tombstone: &CustomerRecord) -> StoreResult<i64> {
    let id = tombstone.id.clone();
    let related = remove_related(w, &id).await?;
    write_row(w, tombstone, false).await?;
    let now = w.now().to_string();
    sqlx::query("UPDATE customers SET deleted_at = $1 WHERE id = $2")
        .bind(now.clone())
        .bind(id.clone())
        .execute(w.conn())
        .await?;
    w.change("customer", &id).await?;
    crate::sync_node::rewrite_copies(w.conn(), "customer", &id).await?;
    w.audit(
        "customer.delete",
        "customer",
        Some(&id),
        json!({ "related_records": related }),
    )
    .await?;
    Ok(related)
}

/// Removes everything recorded about a deleted customer, and every copy sync keeps of it
/// (the outbox's and the log's entries of those rows). Run by the deletion and wherever it
/// arrives by sync, and again when a fact about them arrives later.
pub async fn remove_related(w: &mut WriteTx, id: &str) -> StoreResult<i64> {
    let facts = facts_of(w, id).await?;
    let days = crate::clinic_stats::days_of_customer(w.conn(), id).await?;
    let mut related = 0i64;
    for sql in [
        "DELETE FROM session_cancellations WHERE session_id IN (SELECT id FROM service_sessions WHERE customer_id = $1)",
        "DELETE FROM service_sessions WHERE customer_id = $1",
        "DELETE FROM purchase_stats WHERE customer_id = $1",
        "DELETE FROM purchase_cancellations WHERE purchase_id IN (SELECT id FROM package_purchases WHERE customer_id = $1)",
        "DELETE FROM package_purchases WHERE customer_id = $1",
        "DELETE FROM follow_up_events WHERE follow_up_id IN (SELECT id FROM interactions WHERE customer_id = $1)",
        "DELETE FROM follow_ups WHERE customer_id = $1",
        "DELETE FROM interactions WHERE customer_id = $1",
        "DELETE FROM customer_stats WHERE customer_id = $1",
        "DELETE FROM recommendation_feedback WHERE customer_id = $1",
        "DELETE FROM health_self_reports WHERE customer_id = $1",
        "DELETE FROM recommendations_served WHERE customer_id = $1",
    ] {
        let n = sqlx::query(sql).bind(id.to_string()).execute(w.conn()).await?.rows_affected() as i64;
        // Roll-ups and what was shown are not records of their own.
        if !sql.contains("_stats") && !sql.contains("_served") && !sql.contains("FROM follow_ups ") {
            related += n;
        }
    }
    related += crate::patients::remove(w, id).await?;
    // With no facts left, the customer's active days go (and their share of the sums).
    crate::clinic_stats::refresh_customers(w.conn(), &[id.to_string()]).await?;
    crate::clinic_stats::refresh_days(w.conn(), &days).await?;
    for (entity, fact_id) in facts {
        crate::sync_node::rewrite_copies(w.conn(), entity, &fact_id).await?;
    }
    crate::sync_node::rewrite_copies(w.conn(), "patient", id).await?;
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
