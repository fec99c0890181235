//! The demo data set on real databases: SQLite in a temp file always, PostgreSQL when
//! `CLINICDESK_TEST_PG_URL` is set (a fresh `demo_test_<random>` database, dropped after).

use chrono::NaiveDate;
use clinicdesk_demo::{
    ensure_demo_users, seed, seed_if_empty, DemoOptions, DEMO_PASSWORD, DEMO_USERS,
};
use clinicdesk_domain::customer::created_date;
use clinicdesk_domain::ids::is_valid_id;
use clinicdesk_domain::package::{package_status, package_usage, Sessions};
use clinicdesk_domain::stats::risk_level;
use clinicdesk_domain::ServiceType;
use clinicdesk_store::{
    audit, customers, interactions, packages, sessions, stats, timestamp, users, Actor, Db,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::Instant;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
}

fn unique(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{tag}_{}_{nanos}", std::process::id())
}

/// Every audit chain verifies; returns how many events they hold.
async fn intact_events(db: &Db) -> i64 {
    let reports = audit::verify_all(db).await.unwrap();
    assert!(!reports.is_empty());
    assert!(reports.iter().all(|r| r.intact()), "{reports:?}");
    reports.iter().map(|r| r.events).sum()
}

/// A migrated SQLite database in a fresh temp file; removed on drop.
struct TempDb {
    db: Db,
    path: PathBuf,
}

impl TempDb {
    async fn new(tag: &str) -> TempDb {
        let path = std::env::temp_dir().join(format!("clinicdesk-{}.db", unique(tag)));
        let db = Db::open(
            &format!("sqlite://{}", path.display()),
            clinicdesk_security::KeyRing::generate(),
        )
        .await
        .unwrap();
        TempDb { db, path }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let access = clinicdesk_store::access_log_path(&self.path);
        for file in [&self.path, &access] {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .get("n")
}

fn text(r: &AnyRow, c: &str) -> Option<String> {
    r.try_get::<Option<String>, _>(c).unwrap()
}

fn int(r: &AnyRow, c: &str) -> Option<i64> {
    r.try_get::<Option<i64>, _>(c).unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Every roll-up row as comparable text.
/// The roll-ups recomputed from nothing in one pass over each table, as a first pull does.
async fn recomputed_from_nothing(conn: &mut AnyConnection) -> (Vec<String>, Vec<String>) {
    for table in ["customer_stats", "purchase_stats"] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    stats::refresh_all_customers(&mut *conn).await.unwrap();
    stats::refresh_all_purchases(&mut *conn, today())
        .await
        .unwrap();
    rollups(conn).await
}

async fn rollups(conn: &mut AnyConnection) -> (Vec<String>, Vec<String>) {
    let customer_rows = sqlx::query(
        "SELECT customer_id, total_visits, first_visit_date, last_visit_date, last_activity_date, total_revenue, \
         satisfaction_sum, satisfaction_count, last_interaction_at, interaction_count, services_used FROM customer_stats \
         ORDER BY customer_id",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap()
    .iter()
    .map(|r| {
        format!(
            "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            text(r, "customer_id"),
            int(r, "total_visits"),
            text(r, "first_visit_date"),
            text(r, "last_visit_date"),
            text(r, "last_activity_date"),
            int(r, "total_revenue"),
            int(r, "satisfaction_sum"),
            int(r, "satisfaction_count"),
            text(r, "last_interaction_at"),
            int(r, "interaction_count"),
            int(r, "services_used"),
        )
    })
    .collect();
    let purchase_rows = sqlx::query(
        "SELECT purchase_id, customer_id, expiry_date, total_sessions, used_sessions, remaining_sessions, \
         overdrawn_sessions FROM purchase_stats ORDER BY purchase_id",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap()
    .iter()
    .map(|r| {
        format!(
            "{:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            text(r, "purchase_id"),
            text(r, "customer_id"),
            text(r, "expiry_date"),
            int(r, "total_sessions"),
            int(r, "used_sessions"),
            int(r, "remaining_sessions"),
            int(r, "overdrawn_sessions"),
        )
    })
    .collect();
    (customer_rows, purchase_rows)
}

#[tokio::test]
async fn seeds_300_customers_that_keep_every_invariant() {
    let t = TempDb::new("demo").await;
    let db = &t.db;
    let started = Instant::now();
    let summary = seed_if_empty(db, today(), &DemoOptions::default())
        .await
        .unwrap()
        .expect("empty database is seeded");
    let elapsed = started.elapsed();
    eprintln!("300-customer demo seed: {elapsed:?} ({summary:?})");
    assert!(elapsed.as_secs() < 30, "seeding took {elapsed:?}");

    // Counts: what the summary says is what is stored.
    assert_eq!(summary.customers, 300);
    assert_eq!(count(db, "customers").await, 300);
    assert_eq!(
        count(db, "package_purchases").await as usize,
        summary.purchases
    );
    assert_eq!(count(db, "service_sessions").await as usize, summary.visits);
    assert_eq!(
        count(db, "interactions").await as usize,
        summary.interactions
    );
    assert_eq!(count(db, "customer_stats").await, 300);
    assert_eq!(
        count(db, "purchase_stats").await as usize,
        summary.purchases
    );
    assert_eq!(summary.users, 4);
    assert_eq!(count(db, "users").await, 4);
    let templates = count(db, "package_templates").await;
    assert!((5..=7).contains(&templates));
    assert!(
        (350..=650).contains(&summary.purchases),
        "{} purchases",
        summary.purchases
    );
    assert!(
        (4500..=8000).contains(&summary.visits),
        "{} visits",
        summary.visits
    );
    assert!(
        summary.interactions >= 150,
        "{} interactions",
        summary.interactions
    );
    let cancelled = count(db, "session_cancellations").await;
    assert!(
        cancelled > 0 && (cancelled as usize) < summary.visits / 20,
        "{cancelled} cancellations"
    );
    // Seeding bypasses the per-row outbox (a node's first sync sends a snapshot instead);
    // only the audited templates and the example clinic details went through it, each with
    // its audit event. The allergy-care rows are loaded like the rest.
    let a = summary.allergy;
    assert!(a.patients >= 10 && a.diagnoses >= a.patients, "{a:?}");
    assert_eq!(a.kits, 10);
    assert_eq!(count(db, "patients").await as usize, a.patients);
    assert_eq!(count(db, "diagnoses").await as usize, a.diagnoses);
    assert_eq!(count(db, "diagnoses WHERE kit_serial IS NOT NULL").await, 5);
    // Every patient is a consenting customer; every prescription was made by the engine with
    // the built-in knowledge version.
    assert_eq!(
        count(
            db,
            "patients p JOIN customers c ON c.id = p.id WHERE c.consent_health_data = 1"
        )
        .await as usize,
        a.patients
    );
    let version = &clinicdesk_allergy::builtin().version;
    assert_eq!(
        count(db, &format!("diagnoses WHERE knowledge_version = '{version}' AND prescription LIKE '%high_risk%'"))
            .await as usize,
        a.diagnoses
    );
    assert_eq!(
        count(db, "outbox WHERE entity <> 'audit_event'").await,
        templates + 1
    );
    let clinic = clinicdesk_store::money::clinic(&mut db.conn().await.unwrap())
        .await
        .unwrap();
    assert!(
        clinic.name.as_deref().is_some_and(|n| n.contains("데모")),
        "{clinic:?}"
    );
    // Every follow-up an interaction asked for is in the roll-up, open on its asked date, so
    // the Today screen has overdue follow-ups on the demo day.
    let asked: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM interactions i JOIN follow_ups f ON f.id = i.id \
         WHERE i.follow_up_required = 1 AND f.state = 'open' AND f.due_date = i.follow_up_date",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap()
    .try_get("n")
    .unwrap();
    assert!(asked > 0);
    assert_eq!(asked, count(db, "follow_ups").await);
    assert_eq!(
        asked,
        sqlx::query("SELECT COUNT(*) AS n FROM interactions WHERE follow_up_required = 1 AND follow_up_date IS NOT NULL")
            .fetch_one(&db.pool)
            .await
            .unwrap()
            .try_get::<i64, _>("n")
            .unwrap()
    );

    // Not twice.
    assert!(seed_if_empty(db, today(), &DemoOptions::default())
        .await
        .unwrap()
        .is_none());
    assert!(seed(db, today(), &DemoOptions::default()).await.is_err());
    assert_eq!(count(db, "customers").await, 300);

    // Packages: never over-consumed, every package visit inside its window, covering the
    // service, paid 0; single visits at list price.
    let purchases: HashMap<String, AnyRow> = sqlx::query(
        "SELECT id, customer_id, purchase_date, expiry_date, sessions, total_sessions FROM package_purchases",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
    .into_iter()
    .map(|r| (text(&r, "id").unwrap(), r))
    .collect();
    let visits = sqlx::query(
        "SELECT s.id, s.customer_id, s.service_type, s.service_date, s.package_usage_id, s.amount, \
         s.satisfaction_rating, CASE WHEN x.session_id IS NULL THEN 0 ELSE 1 END AS cancelled \
         FROM service_sessions s LEFT JOIN session_cancellations x ON x.session_id = s.id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let mut used: HashMap<String, Sessions> = HashMap::new();
    for v in &visits {
        assert!(is_valid_id(&text(v, "id").unwrap()));
        let service = ServiceType::parse(&text(v, "service_type").unwrap()).unwrap();
        let day = date(&text(v, "service_date").unwrap());
        assert!(day <= today() && day >= today() - chrono::Duration::days(731));
        assert!(int(v, "satisfaction_rating").is_none_or(|r| (1..=5).contains(&r)));
        match text(v, "package_usage_id") {
            Some(pid) => {
                let p = &purchases[&pid];
                assert_eq!(text(p, "customer_id"), text(v, "customer_id"));
                let from = date(&text(p, "purchase_date").unwrap());
                let until = date(&text(p, "expiry_date").unwrap());
                assert!(
                    from <= day && day <= until,
                    "visit on {day} outside {from}..{until}"
                );
                assert_eq!(int(v, "amount"), Some(0));
                if int(v, "cancelled") == Some(0) {
                    *used.entry(pid).or_default().entry(service).or_default() += 1;
                }
            }
            None => assert_eq!(int(v, "amount"), Some(service.info().price)),
        }
    }
    let mut statuses = BTreeSet::new();
    let mut conn = db.conn().await.unwrap();
    for id in purchases.keys() {
        let p = packages::get_purchase(&mut conn, id)
            .await
            .unwrap()
            .unwrap();
        assert!(is_valid_id(&p.id));
        assert_eq!(
            p.expiry_date,
            p.purchase_date + chrono::Duration::days(validity(&p.package_name))
        );
        let u = used.get(id).cloned().unwrap_or_default();
        for (service, n) in &u {
            assert!(
                p.sessions.get(service).is_some_and(|total| n <= total),
                "{id} over-consumed {service:?}"
            );
        }
        let usage = package_usage(&p, &u, today());
        assert_eq!(usage.overdrawn_sessions, 0);
        statuses.insert(package_status(
            p.expiry_date,
            p.total_sessions(),
            usage.remaining_sessions,
            today(),
        ));
    }
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        ["active", "expired", "expiring"]
    );

    // Risk levels: some customers in each.
    let rows = sqlx::query(
        "SELECT c.created_at, cs.last_visit_date FROM customers c JOIN customer_stats cs ON cs.customer_id = c.id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let mut risks: HashMap<&str, usize> = HashMap::new();
    for r in &rows {
        let last = text(r, "last_visit_date").map(|d| date(&d));
        *risks
            .entry(risk_level(
                last,
                created_date(&text(r, "created_at").unwrap()),
                today(),
            ))
            .or_default() += 1;
    }
    for level in ["stable", "warning", "danger"] {
        assert!(
            risks.get(level).copied().unwrap_or(0) >= 5,
            "{level}: {risks:?}"
        );
    }

    // The store reads what was written (lists, flags, timestamps, follow-ups).
    let ids: Vec<String> = sqlx::query("SELECT id FROM customers ORDER BY id")
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("id"))
        .collect();
    for id in ids.iter().step_by(10) {
        let (c, s) = customers::get_with_stats(&mut conn, id)
            .await
            .unwrap()
            .unwrap();
        assert!(!c.name.is_empty() && c.phone.is_some());
        sessions::history(&mut conn, id, 500).await.unwrap();
        interactions::of_customer(&mut conn, id, 100).await.unwrap();
        assert!(s.total_visits >= 0);
    }
    drop(conn);

    // Roll-ups equal what the store's own refresh computes (on a copy: rolled back).
    let mut tx = db.pool.begin().await.unwrap();
    let before = rollups(&mut tx).await;
    for id in &ids {
        stats::refresh_customer(&mut tx, id).await.unwrap();
    }
    for id in purchases.keys() {
        stats::refresh_purchase(&mut tx, id, today()).await.unwrap();
    }
    let after = rollups(&mut tx).await;
    let whole = recomputed_from_nothing(&mut tx).await;
    tx.rollback().await.unwrap();
    assert_eq!(
        before, whole,
        "roll-ups recomputed for every row at once differ"
    );
    assert_eq!(before.0.len(), 300);
    for (b, a) in before.0.iter().zip(&after.0) {
        assert_eq!(b, a, "customer_stats differs");
    }
    for (b, a) in before.1.iter().zip(&after.1) {
        assert_eq!(b, a, "purchase_stats differs");
    }
    assert_eq!(before, after);

    // The audit chain: templates, the clinic details, users, the seed events (the data set's
    // and its allergy care's) — intact.
    assert_eq!(intact_events(db).await, templates + 1 + 4 + 2);
    let recent = audit::events(db, &audit::AuditFilter::default(), 0, 100)
        .await
        .unwrap()
        .0;
    assert!(recent
        .iter()
        .any(|e| e.action == "demo.seed" && e.username.as_deref() == Some("system:demo")));
}

fn validity(package_name: &str) -> i64 {
    match package_name {
        "프리미엄 케어" | "림프 케어 10회" | "펄스·레드 콤보" => 90,
        "브레인 집중 20회" => 120,
        "웰니스 베이직" | "AI 바이크 10회" => 60,
        "VIP 올케어 연간" => 365,
        other => panic!("unknown package {other}"),
    }
}

async fn identity_rows(db: &Db) -> Vec<(String, String, String)> {
    sqlx::query("SELECT id, name, phone FROM customers ORDER BY id")
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("id"), r.get("name"), r.get("phone")))
        .collect()
}

#[tokio::test]
async fn the_same_seed_gives_the_same_data_set() {
    let (a, b, c) = (
        TempDb::new("demo_a").await,
        TempDb::new("demo_b").await,
        TempDb::new("demo_c").await,
    );
    let opts = DemoOptions::default();
    let sa = seed(&a.db, today(), &opts).await.unwrap();
    let sb = seed(&b.db, today(), &opts).await.unwrap();
    let sc = seed(
        &c.db,
        today(),
        &DemoOptions {
            customers: 300,
            seed: 7,
        },
    )
    .await
    .unwrap();
    assert_eq!(sa, sb);
    assert_eq!(sc.customers, 300);
    let (ra, rb, rc) = (
        identity_rows(&a.db).await,
        identity_rows(&b.db).await,
        identity_rows(&c.db).await,
    );
    assert_eq!(ra.len(), 300);
    assert_eq!(ra, rb, "same seed, same customers (ids, names, phones)");
    assert_ne!(ra, rc, "another seed, other customers");
    let phones: BTreeSet<&String> = ra.iter().map(|r| &r.2).collect();
    assert_eq!(phones.len(), 300, "phone numbers are unique");
    let visits = |db: Db| async move {
        sqlx::query("SELECT id, service_type, service_date, package_usage_id FROM service_sessions ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{:?} {:?} {:?} {:?}",
                    text(r, "id"),
                    text(r, "service_type"),
                    text(r, "service_date"),
                    text(r, "package_usage_id")
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(visits(a.db.clone()).await, visits(b.db.clone()).await);
}

#[tokio::test]
async fn demo_users_are_created_once_and_log_in_with_the_demo_password() {
    let t = TempDb::new("demo_users").await;
    assert_eq!(ensure_demo_users(&t.db).await.unwrap(), 4);
    assert_eq!(ensure_demo_users(&t.db).await.unwrap(), 0, "idempotent");
    assert_eq!(count(&t.db, "users").await, 4);
    let mut conn = t.db.conn().await.unwrap();
    for (username, display_name, role) in DEMO_USERS {
        let u = users::by_username(&mut conn, username)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(u.role, role);
        assert_eq!(u.display_name, display_name);
        assert!(u.display_name.chars().all(|c| ('가'..='힣').contains(&c)));
        assert!(u.active);
        // Marked: usable only by a process in demo mode.
        assert!(u.demo);
        assert!(u.usable(true) && !u.usable(false));
        assert!(clinicdesk_security::verify_password(
            DEMO_PASSWORD,
            &u.password_hash
        ));
        assert!(!clinicdesk_security::verify_password(
            "wrong",
            &u.password_hash
        ));
    }
    drop(conn);
    assert_eq!(intact_events(&t.db).await, 4);
    // Demo accounts never travel to a server.
    assert_eq!(count(&t.db, "outbox WHERE entity = 'user'").await, 0);
}

#[tokio::test]
async fn a_real_account_with_a_demo_name_is_left_alone() {
    let t = TempDb::new("demo_name_taken").await;
    let real = users::User::new(
        "admin",
        "원장",
        "admin",
        clinicdesk_security::hash_password("Blue-Harbor-Lamp-42").unwrap(),
    );
    let mut w =
        t.db.begin_write(&Actor::system("test"), &timestamp(chrono::Utc::now()))
            .await
            .unwrap();
    users::insert(&mut w, &real).await.unwrap();
    w.commit().await.unwrap();
    assert_eq!(ensure_demo_users(&t.db).await.unwrap(), 3);
    let mut conn = t.db.conn().await.unwrap();
    let admin = users::by_username(&mut conn, "admin")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(admin.id, real.id);
    assert!(!admin.demo);
    assert!(!clinicdesk_security::verify_password(
        DEMO_PASSWORD,
        &admin.password_hash
    ));
}

/// `postgres://user:pass@host:port/db?x` with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{host_part}/{name}{query}")
}

#[tokio::test]
async fn seeds_postgres_too() {
    let Ok(admin_url) = std::env::var("CLINICDESK_TEST_PG_URL") else {
        // Under CI a missing database is a failure, never a silent skip.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CLINICDESK_TEST_PG_URL must be set under CI"
        );
        eprintln!("CLINICDESK_TEST_PG_URL not set: PostgreSQL variant skipped");
        return;
    };
    let name = unique("demo_test").to_lowercase();
    let admin = Db::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin.pool)
        .await
        .unwrap();
    let url = with_database(&admin_url, &name);
    let outcome = async move {
        let db = Db::open(&url, clinicdesk_security::KeyRing::generate())
            .await
            .unwrap();
        let opts = DemoOptions {
            customers: 50,
            seed: 20240601,
        };
        let summary = seed_if_empty(&db, today(), &opts).await.unwrap().unwrap();
        assert_eq!(summary.customers, 50);
        assert_eq!(count(&db, "customers").await, 50);
        assert_eq!(
            count(&db, "package_purchases").await as usize,
            summary.purchases
        );
        assert_eq!(
            count(&db, "service_sessions").await as usize,
            summary.visits
        );
        assert_eq!(
            count(&db, "interactions").await as usize,
            summary.interactions
        );
        assert_eq!(count(&db, "customer_stats").await, 50);
        assert_eq!(
            count(&db, "purchase_stats").await as usize,
            summary.purchases
        );
        assert!(summary.visits > 500);
        assert!(seed_if_empty(&db, today(), &opts).await.unwrap().is_none());
        intact_events(&db).await;

        // Same data as SQLite for the same seed.
        let lite = TempDb::new("demo_pg_twin").await;
        seed(&lite.db, today(), &opts).await.unwrap();
        assert_eq!(identity_rows(&db).await, identity_rows(&lite.db).await);

        // Roll-ups agree with the store's refresh on PostgreSQL as well, recomputed in batches.
        let mut tx = db.pool.begin().await.unwrap();
        let before = rollups(&mut tx).await;
        let ids: Vec<String> = sqlx::query("SELECT id FROM customers")
            .fetch_all(&mut *tx)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("id"))
            .collect();
        // All at once here (a long pull's batches), one by one on SQLite above.
        stats::refresh_customers(&mut tx, &ids).await.unwrap();
        let pids: Vec<String> = sqlx::query("SELECT id FROM package_purchases")
            .fetch_all(&mut *tx)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("id"))
            .collect();
        stats::refresh_purchases(&mut tx, &pids, today())
            .await
            .unwrap();
        let after = rollups(&mut tx).await;
        assert_eq!(before, after);
        let whole = recomputed_from_nothing(&mut tx).await;
        tx.rollback().await.unwrap();
        assert_eq!(before, whole);
        db.close().await;
    };
    // Drop the database whatever happened, then report.
    let result = tokio::spawn(outcome).await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&admin.pool)
        .await
        .unwrap();
    admin.close().await;
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}
