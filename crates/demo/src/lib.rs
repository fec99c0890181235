//! ClinicDesk's demo data: the four demo staff accounts and a deterministic, realistic data
//! set — Korean customers, package templates and purchases, two years of visits (regulars,
//! lapsed and new customers, cancellations), interactions with follow-ups — relative to a
//! given `today`, so a fresh demo always has active, expiring and expired packages and
//! customers at every risk level.
//!
//! The data has the structure the clinic's models are meant to find, so their held-out
//! figures (`clinicdesk-server train`, docs/ANALYTICS.md) measure something:
//! - **habit groups** (`gen::Habit`): routine regulars of one or two services on fixed
//!   weekdays from single-service packages; Saturday and weekday-evening visitors paying per
//!   visit; premium-package customers taking several services a visit; casual one-off
//!   visitors — each with its own services, rhythm, days, hours, age and spend;
//! - **churners who slow down**: most customers who stop coming leave gaps growing 1.3–1.6×
//!   per visit in their last months, and the unhappy half's ratings fall meanwhile;
//! - **a weekly season**: Saturday busiest, Monday quietest, Sunday closed.
//!
//! The same generator makes the benchmark's 100k-customer data set, so it has the same
//! structure. `gen`'s tests assert each of these on generated data.
//!
//! The data is simulated in memory per customer from a seeded ChaCha8 stream (`gen`) and
//! bulk-loaded with multi-row inserts (`bulk`) in a few large write transactions, roll-ups
//! (`customer_stats`, `purchase_stats`) included, computed from the very facts generated.
//! Seeding is not a user's change: it bypasses the per-row sync outbox and leaves one
//! `demo.seed` audit event (plus the audited package templates and users).

pub mod allergy;
mod bulk;
mod gen;
mod pools;

use anyhow::{bail, Context};
use bulk::{Table, Val};
use chrono::{NaiveDate, Utc};
use clinicdesk_domain::package::sessions_json;
use clinicdesk_store::{packages, timestamp, users, Actor, Db, DbKind};
use serde_json::json;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "clinicdesk-demo";

/// (username, display name, role) of the demo accounts.
pub const DEMO_USERS: [(&str, &str, &str); 4] = [
    ("admin", "김태호", "admin"),
    ("manager", "이수진", "manager"),
    ("doctor", "박준영", "doctor"),
    ("staff", "최유나", "staff"),
];

/// Customers per write transaction (about 20 visits each).
const CHUNK: usize = 10_000;
/// SQLite page cache while loading (negative: KiB).
const BULK_CACHE_KIB: i64 = -131_072;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    pub customers: usize,
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            customers: 300,
            seed: 20240601,
        }
    }
}

/// What was generated. `visits` counts every visit row, cancelled ones included; `users`
/// is the number of demo accounts present afterwards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub customers: usize,
    pub purchases: usize,
    pub visits: usize,
    pub interactions: usize,
    pub users: usize,
    pub allergy: allergy::AllergySummary,
}

/// Demo users admin/manager/doctor/staff, password "clinicdesk-demo", Korean display names,
/// marked as demo accounts (they log in only to a process in demo mode); only missing ones are
/// created — a real account that already has one of these names is left alone. Returns how
/// many were created.
pub async fn ensure_demo_users(db: &Db) -> anyhow::Result<usize> {
    ensure_demo_users_with(db, None).await
}

/// [`ensure_demo_users`], with password hashes of [`DEMO_PASSWORD`] already computed (one per
/// entry of [`DEMO_USERS`], each with its own salt): the desktop hashes them while it starts.
pub async fn ensure_demo_users_with(
    db: &Db,
    precomputed: Option<Vec<String>>,
) -> anyhow::Result<usize> {
    let mut missing = Vec::new();
    {
        let mut conn = db.conn().await?;
        for (i, (username, display_name, role)) in DEMO_USERS.iter().enumerate() {
            if users::by_username(&mut conn, username).await?.is_none() {
                missing.push((i, (username, display_name, role)));
            }
        }
    }
    if missing.is_empty() {
        return Ok(0);
    }
    let hashes = match precomputed.filter(|h| h.len() == DEMO_USERS.len()) {
        Some(all) => missing.iter().map(|(i, _)| all[*i].clone()).collect(),
        None => {
            // Argon2 is deliberately slow: hash off the async workers and before taking the
            // write lock.
            let n = missing.len();
            tokio::task::spawn_blocking(move || {
                (0..n)
                    .map(|_| clinicdesk_security::hash_password(DEMO_PASSWORD))
                    .collect::<Result<Vec<_>, _>>()
            })
            .await??
        }
    };
    let missing: Vec<_> = missing.into_iter().map(|(_, user)| user).collect();
    let mut w = db
        .begin_write(&Actor::system("demo"), &timestamp(Utc::now()))
        .await?;
    let mut created = 0;
    for ((username, display_name, role), password_hash) in missing.into_iter().zip(hashes) {
        // Checked again under the write lock: another process may have just created it.
        if users::by_username(w.conn(), username).await?.is_some() {
            continue;
        }
        // Published password: such an account works only while a process runs in demo mode
        // (`AppState::demo_mode`).
        let user = users::User {
            demo: true,
            ..users::User::new(username, display_name, role, password_hash)
        };
        users::insert(&mut w, &user).await?;
        created += 1;
    }
    w.commit().await?;
    Ok(created)
}

/// Generates the data set into an empty database (no customers yet); returns None when
/// customers already exist.
pub async fn seed_if_empty(
    db: &Db,
    today: NaiveDate,
    opts: &DemoOptions,
) -> anyhow::Result<Option<DemoSummary>> {
    run(db, today, opts).await
}

/// Generates unconditionally (the database must have no customers; error otherwise).
pub async fn seed(db: &Db, today: NaiveDate, opts: &DemoOptions) -> anyhow::Result<DemoSummary> {
    match run(db, today, opts).await? {
        Some(summary) => Ok(summary),
        None => {
            bail!("the database already has customers; demo data goes only into an empty database")
        }
    }
}

async fn customer_count(conn: &mut AnyConnection) -> anyhow::Result<i64> {
    // Tombstoned customers count too: their ids live on in sync.
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM customers")
        .fetch_one(conn)
        .await?
        .try_get("n")?)
}

async fn run(db: &Db, today: NaiveDate, opts: &DemoOptions) -> anyhow::Result<Option<DemoSummary>> {
    if customer_count(&mut *db.conn().await?).await? > 0 {
        return Ok(None);
    }
    let started = Instant::now();
    let templates = gen::templates(opts.seed, today);
    let actor = Actor::system("demo");
    let mut phones: HashSet<u64> = HashSet::with_capacity(opts.customers);
    let mut summary = DemoSummary::default();
    let mut cancelled = 0;
    // How many customers of each habit group and life cycle were generated (see `gen`).
    let mut habits: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut life_cycles: BTreeMap<&'static str, usize> = BTreeMap::new();
    let chunks = opts.customers.div_ceil(CHUNK).max(1);
    for chunk in 0..chunks {
        let range = chunk * CHUNK..((chunk + 1) * CHUNK).min(opts.customers);
        let data: Vec<gen::CustomerData> = range
            .map(|i| gen::customer(opts.seed, i as u64, today, &templates, &mut phones))
            .collect();
        for d in &data {
            *habits.entry(d.habit.as_str()).or_default() += 1;
            *life_cycles.entry(d.kind.as_str()).or_default() += 1;
        }
        let mut w = db.begin_write(&actor, &timestamp(Utc::now())).await?;
        if db.kind == DbKind::Sqlite {
            // A big page cache keeps the growing indexes in memory instead of spilling them
            // to the WAL mid-transaction; set back to the usual size below.
            sqlx::query(&format!("PRAGMA cache_size = {BULK_CACHE_KIB}"))
                .execute(w.conn())
                .await?;
        }
        if chunk == 0 {
            // Checked again under the write lock: two first runs at once seed only once.
            if customer_count(w.conn()).await? > 0 {
                return Ok(None);
            }
            for t in &templates {
                packages::insert_template(&mut w, t).await?;
            }
            // The bulk load below passes change capture by: sync sends a snapshot instead.
            clinicdesk_store::sync_node::needs_snapshot(w.conn()).await?;
            // Receipts and the cash-up head with the clinic's details: the demo's are marked
            // as examples, so no printout passes for a real clinic's.
            if clinicdesk_store::money::clinic(w.conn())
                .await?
                .name
                .is_none()
            {
                let example = clinicdesk_domain::money::ClinicSettings {
                    name: Some("웰니스 · 알레르기 클리닉 (데모)".into()),
                    business_number: Some("000-00-00000".into()),
                    address: Some("서울특별시 강남구 예시로 1 (데모 주소)".into()),
                    phone: Some("02-000-0000".into()),
                };
                clinicdesk_store::money::set_clinic(&mut w, &example).await?;
            }
        }
        cancelled += insert_chunk(db.kind, w.conn(), data, &mut summary)
            .await
            .with_context(|| {
                format!(
                    "loading demo customers {} of {}",
                    summary.customers, opts.customers
                )
            })?;
        if chunk + 1 == chunks {
            w.audit(
                "demo.seed",
                "database",
                None,
                json!({
                    "seed": opts.seed,
                    "today": today.to_string(),
                    "customers": summary.customers,
                    "package_templates": templates.len(),
                    "purchases": summary.purchases,
                    "visits": summary.visits,
                    "cancelled_visits": cancelled,
                    "interactions": summary.interactions,
                    "habit_groups": habits,
                    "life_cycles": life_cycles,
                }),
            )
            .await?;
        }
        if db.kind == DbKind::Sqlite {
            sqlx::query(clinicdesk_store::SQLITE_CACHE_SIZE)
                .execute(w.conn())
                .await?;
        }
        w.commit().await?;
        tracing::info!(
            customers = summary.customers,
            visits = summary.visits,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "demo data chunk loaded"
        );
    }
    ensure_demo_users(db).await?;
    // Allergy care: a few dozen patients, whatever the data set's size.
    summary.allergy =
        allergy::seed(db, opts.seed, today, (opts.customers / 20).clamp(1, 60)).await?;
    // The bulk load wrote its rows directly, not through the write path that keeps the
    // search index current.
    db.reset_search_index();
    let mut conn = db.conn().await?;
    // The bulk load wrote its interactions directly too: their follow-ups' roll-up.
    clinicdesk_store::follow_ups::backfill(&mut conn).await?;
    // And its visits and sales: the analytics' day and month roll-ups, in one pass.
    clinicdesk_store::clinic_stats::rebuild(&mut conn).await?;
    // Fresh planner statistics after a bulk load (both databases understand ANALYZE); without
    // them a query plan can be chosen as if the tables were still empty.
    sqlx::query("ANALYZE").execute(&mut *conn).await?;
    let mut present = 0;
    for (username, _, _) in DEMO_USERS {
        present += users::by_username(&mut conn, username).await?.is_some() as usize;
    }
    summary.users = present;
    Ok(Some(summary))
}

const CUSTOMER_COLUMNS: &[&str] = &[
    "id",
    "name",
    "phone",
    "phone_digits",
    "email",
    "birth_year",
    "gender",
    "address",
    "emergency_contact",
    "occupation",
    "membership_level",
    "customer_status",
    "health_goals",
    "health_interests",
    "preferred_intensity",
    "preferred_time_slots",
    "preferred_services",
    "assigned_staff",
    "memo",
    "preferred_channels",
    "contact_time",
    "consent_privacy",
    "consent_marketing",
    "consent_health_data",
    "consent_updated_at",
    "created_at",
    "updated_at",
    "anonymized_at",
];
const PURCHASE_COLUMNS: &[&str] = &[
    "id",
    "customer_id",
    "package_id",
    "package_name",
    "purchase_date",
    "expiry_date",
    "price_paid",
    "payment_method",
    "notes",
    "sessions",
    "total_sessions",
    "created_by",
    "created_at",
];
const VISIT_COLUMNS: &[&str] = &[
    "id",
    "customer_id",
    "service_type",
    "service_date",
    "duration_minutes",
    "satisfaction_rating",
    "session_notes",
    "staff_name",
    "package_usage_id",
    "amount",
    "payment_method",
    "created_by",
    "device_id",
    "created_at",
];
const CANCEL_COLUMNS: &[&str] = &["session_id", "reason", "cancelled_by", "cancelled_at"];
const INTERACTION_COLUMNS: &[&str] = &[
    "id",
    "customer_id",
    "interaction_type",
    "occurred_at",
    "duration_minutes",
    "notes",
    "outcome",
    "staff_name",
    "follow_up_required",
    "follow_up_date",
    "follow_up_type",
    "follow_up_notes",
    "created_by",
    "created_at",
];
const CUSTOMER_STATS_COLUMNS: &[&str] = &[
    "customer_id",
    "total_visits",
    "first_visit_date",
    "last_visit_date",
    "last_activity_date",
    "total_revenue",
    "satisfaction_sum",
    "satisfaction_count",
    "last_interaction_at",
    "interaction_count",
    "services_used",
];
const PURCHASE_STATS_COLUMNS: &[&str] = &[
    "purchase_id",
    "customer_id",
    "expiry_date",
    "total_sessions",
    "used_sessions",
    "remaining_sessions",
    "overdrawn_sessions",
];

fn list(v: &[String]) -> Val {
    Val::from(serde_json::to_string(v).unwrap_or_else(|_| "[]".into()))
}

/// Loads one chunk of generated customers, parents before children, each table in id order
/// (UUIDv7: creation order), which keeps index inserts local. Returns the cancelled visits.
async fn insert_chunk(
    kind: DbKind,
    conn: &mut AnyConnection,
    data: Vec<gen::CustomerData>,
    summary: &mut DemoSummary,
) -> anyhow::Result<usize> {
    let mut customers = Vec::with_capacity(data.len());
    let mut purchases = Vec::new();
    let mut visits = Vec::new();
    let mut interactions = Vec::new();
    let mut customer_stats = Vec::with_capacity(data.len());
    let mut purchase_stats = Vec::new();
    for d in data {
        customers.push(d.customer);
        purchases.extend(d.purchases);
        visits.extend(d.visits);
        interactions.extend(d.interactions);
        customer_stats.push(d.stats);
        purchase_stats.extend(d.purchase_stats);
    }
    customers.sort_by(|a, b| a.id.cmp(&b.id));
    purchases.sort_by(|a, b| a.id.cmp(&b.id));
    visits.sort_by(|a, b| a.id.cmp(&b.id));
    interactions.sort_by(|a, b| a.id.cmp(&b.id));
    customer_stats.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
    purchase_stats.sort_by(|a, b| a.purchase_id.cmp(&b.purchase_id));
    summary.customers += customers.len();
    summary.purchases += purchases.len();
    summary.visits += visits.len();
    summary.interactions += interactions.len();

    let mut t = Table::new("customers", CUSTOMER_COLUMNS);
    for c in customers {
        let digits = c
            .phone
            .as_ref()
            .map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>());
        t.row(vec![
            c.id.into(),
            c.name.into(),
            c.phone.into(),
            digits.into(),
            c.email.into(),
            c.birth_year.into(),
            c.gender.into(),
            c.address.into(),
            c.emergency_contact.into(),
            c.occupation.into(),
            c.membership_level.into(),
            c.customer_status.into(),
            c.health_goals.into(),
            list(&c.health_interests),
            c.preferred_intensity.into(),
            list(&c.preferred_time_slots),
            list(&c.preferred_services),
            c.assigned_staff.into(),
            c.memo.into(),
            list(&c.preferred_channels),
            c.contact_time.into(),
            c.consent_privacy.into(),
            c.consent_marketing.into(),
            c.consent_health_data.into(),
            c.consent_updated_at.into(),
            c.created_at.into(),
            c.updated_at.into(),
            c.anonymized_at.into(),
        ]);
    }
    t.flush(kind, conn).await?;

    let mut t = Table::new("package_purchases", PURCHASE_COLUMNS);
    for p in purchases {
        let total = p.total_sessions();
        t.row(vec![
            p.id.into(),
            p.customer_id.into(),
            p.package_id.into(),
            p.package_name.into(),
            p.purchase_date.to_string().into(),
            p.expiry_date.to_string().into(),
            p.price_paid.into(),
            p.payment_method.into(),
            p.notes.into(),
            sessions_json(&p.sessions).to_string().into(),
            total.into(),
            None::<String>.into(),
            p.created_at.into(),
        ]);
    }
    t.flush(kind, conn).await?;

    let mut t = Table::new("service_sessions", VISIT_COLUMNS);
    let mut x = Table::new("session_cancellations", CANCEL_COLUMNS);
    for v in visits {
        if let Some((reason, at)) = v.cancelled {
            x.row(vec![
                v.id.clone().into(),
                reason.into(),
                None::<String>.into(),
                at.into(),
            ]);
        }
        t.row(vec![
            v.id.into(),
            v.customer_id.into(),
            v.service.as_str().into(),
            v.date.to_string().into(),
            v.duration_minutes.into(),
            v.rating.into(),
            v.notes.into(),
            v.staff.into(),
            v.package_id.into(),
            v.amount.into(),
            v.payment_method.into(),
            None::<String>.into(),
            None::<String>.into(),
            v.created_at.into(),
        ]);
    }
    let cancelled = x.len();
    t.flush(kind, conn).await?;
    x.flush(kind, conn).await?;

    let mut t = Table::new("interactions", INTERACTION_COLUMNS);
    for i in interactions {
        let f = i.follow_up;
        t.row(vec![
            i.id.into(),
            i.customer_id.into(),
            i.interaction_type.into(),
            timestamp(i.occurred_at).into(),
            i.duration_minutes.into(),
            i.notes.into(),
            i.outcome.into(),
            i.staff_name.into(),
            f.as_ref().is_some_and(|f| f.required).into(),
            f.as_ref().and_then(|f| f.date).map(timestamp).into(),
            f.as_ref().and_then(|f| f.kind.clone()).into(),
            f.and_then(|f| f.notes).into(),
            None::<String>.into(),
            i.created_at.into(),
        ]);
    }
    t.flush(kind, conn).await?;

    let mut t = Table::new("customer_stats", CUSTOMER_STATS_COLUMNS);
    for s in customer_stats {
        t.row(vec![
            s.customer_id.into(),
            s.total_visits.into(),
            s.first_visit_date.into(),
            s.last_visit_date.into(),
            s.last_activity_date.into(),
            s.total_revenue.into(),
            s.satisfaction_sum.into(),
            s.satisfaction_count.into(),
            s.last_interaction_at.into(),
            s.interaction_count.into(),
            s.services_used.into(),
        ]);
    }
    t.flush(kind, conn).await?;

    let mut t = Table::new("purchase_stats", PURCHASE_STATS_COLUMNS);
    for s in purchase_stats {
        t.row(vec![
            s.purchase_id.into(),
            s.customer_id.into(),
            s.expiry_date.into(),
            s.total_sessions.into(),
            s.used_sessions.into(),
            s.remaining_sessions.into(),
            s.overdrawn_sessions.into(),
        ]);
    }
    t.flush(kind, conn).await?;
    Ok(cancelled)
}
