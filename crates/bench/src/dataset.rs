//! The benchmark data sets: built once with the demo generator, reused afterwards.
//!
//! - SQLite: `<data-dir>/clinicdesk-N.sqlite`, seeded under a temporary name and renamed only
//!   when complete, so an interrupted build is never reused.
//! - PostgreSQL: database `clinicdesk_bench_N`, seeded as `clinicdesk_bench_N_building` and
//!   renamed when complete (an existing database without customers is seeded in place).

use crate::report::Dataset;
use anyhow::Context;
use chrono::NaiveDate;
use clinicdesk_demo::DemoOptions;
use clinicdesk_store::Db;
use sqlx::{Connection, Row};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The clinic's calendar day (KST), as the API computes it.
pub fn today_kst() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive()
}

fn demo_options(customers: usize) -> DemoOptions {
    DemoOptions {
        customers,
        ..Default::default()
    }
}

pub async fn counts(db: &Db) -> anyhow::Result<(i64, i64, i64, i64)> {
    let mut out = [0i64; 4];
    for (i, table) in [
        "customers",
        "service_sessions",
        "package_purchases",
        "interactions",
    ]
    .iter()
    .enumerate()
    {
        let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(&db.pool)
            .await?;
        out[i] = row.try_get::<i64, _>("n")?;
    }
    Ok((out[0], out[1], out[2], out[3]))
}

static SECRETS_DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Where the data sets' key rings live (`<data-dir>/secrets`): a data set's audit events are
/// sealed with its audit key, so every run on it — and every server the bench starts on it —
/// must use the same ring. Set once, at start.
pub fn use_secrets_dir(data_dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let _ = SECRETS_DIR.set(std::fs::canonicalize(data_dir)?.join("secrets"));
    Ok(())
}

pub fn secrets_dir() -> PathBuf {
    SECRETS_DIR
        .get()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("bench-data/secrets"))
}

/// The key rings of the data sets.
pub fn secrets() -> anyhow::Result<clinicdesk_api::Secrets> {
    Ok(clinicdesk_api::Secrets::configured(&secrets_dir())?)
}

/// A data set's database, migrated and ready for writes.
pub async fn open(url: &str) -> anyhow::Result<Db> {
    Ok(Db::open(url, secrets()?.audit).await?)
}

async fn seed(db: &Db, customers: usize) -> anyhow::Result<()> {
    clinicdesk_demo::ensure_demo_users(db).await?;
    let s = clinicdesk_demo::seed(db, today_kst(), &demo_options(customers)).await?;
    tracing::info!(
        customers = s.customers,
        visits = s.visits,
        purchases = s.purchases,
        "data set seeded"
    );
    Ok(())
}

pub use clinicdesk_store::sqlite_url;

/// Builds or reuses the SQLite data set; returns its path and description.
pub async fn sqlite(data_dir: &Path, customers: usize) -> anyhow::Result<(PathBuf, Dataset)> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let data_dir = std::fs::canonicalize(data_dir)?;
    let path = data_dir.join(format!("clinicdesk-{customers}.sqlite"));
    let mut built = false;
    let mut build_secs = None;
    if !path.is_file() {
        let tmp = data_dir.join(format!(
            "clinicdesk-{customers}.sqlite.building-{}",
            std::process::id()
        ));
        eprintln!(
            "bench: building the SQLite data set {} ({customers} customers)…",
            path.display()
        );
        let started = Instant::now();
        let db = open(&sqlite_url(&tmp)).await?;
        seed(&db, customers).await?;
        // Fold the WAL into the main file before closing so the rename moves everything.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&db.pool)
            .await?;
        db.close().await;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", tmp.display()));
            if side.exists() {
                std::fs::remove_file(&side)?;
            }
        }
        std::fs::rename(&tmp, &path)?;
        // The access log's file moves with its database (they are paired).
        let access = clinicdesk_store::access_log_path(&tmp);
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", access.display()));
        }
        std::fs::rename(&access, clinicdesk_store::access_log_path(&path))?;
        built = true;
        build_secs = Some(started.elapsed().as_secs_f64());
        eprintln!(
            "bench: SQLite data set built in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
    let (db, opened_secs, migrated_from) = crate::analytics::open_timed(&path).await?;
    clinicdesk_demo::ensure_demo_users(&db).await?;
    let (c, v, p, i) = counts(&db).await?;
    db.close().await;
    let rel = path
        .strip_prefix(std::env::current_dir().unwrap_or_default())
        .map(Path::to_path_buf)
        .unwrap_or(path.clone());
    Ok((
        path.clone(),
        Dataset {
            database: "sqlite".into(),
            location: rel.display().to_string(),
            built,
            build_secs,
            customers: c,
            visits: v,
            purchases: p,
            interactions: i,
            opened_secs: Some(opened_secs),
            migrated_from,
        },
    ))
}

/// An SQLite data set built elsewhere (`--sqlite-file`), its key ring in `<data-dir>/secrets`.
/// Opening it with this build runs the migrations it still needs; that time is reported.
pub async fn sqlite_existing(path: &Path) -> anyhow::Result<(PathBuf, Dataset)> {
    anyhow::ensure!(path.is_file(), "{} is not a file", path.display());
    let path = std::fs::canonicalize(path)?;
    eprintln!("bench: opening the SQLite data set {}…", path.display());
    let (db, opened_secs, migrated_from) = crate::analytics::open_timed(&path).await?;
    if let Some(v) = migrated_from {
        eprintln!("bench: migrated from {v:04} in {opened_secs:.1} s (roll-up backfill included)");
    }
    clinicdesk_demo::ensure_demo_users(&db).await?;
    let (c, v, p, i) = counts(&db).await?;
    db.close().await;
    Ok((
        path.clone(),
        Dataset {
            database: "sqlite".into(),
            location: path.display().to_string(),
            built: false,
            build_secs: None,
            customers: c,
            visits: v,
            purchases: p,
            interactions: i,
            opened_secs: Some(opened_secs),
            migrated_from,
        },
    ))
}

/// Reads the database file (and its WAL) once, so the OS page cache holds it as it would on a
/// machine that has been in use; the latency figures then measure the application, not a
/// cold disk. Returns the bytes read.
pub fn read_into_page_cache(path: &Path) -> std::io::Result<u64> {
    use std::io::Read;
    let mut total = 0;
    let mut buf = vec![0u8; 1 << 20];
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    for file in [path.to_path_buf(), wal] {
        let Ok(mut f) = std::fs::File::open(&file) else {
            continue;
        };
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            total += n as u64;
        }
    }
    Ok(total)
}

/// `postgres://u:p@host:port/db?x` with the database name replaced.
pub fn with_database(url: &str, name: &str) -> anyhow::Result<String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").context("not a URL")? + 3;
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let host = match path_start {
        Some(i) => &base[..i],
        None => base,
    };
    Ok(match query {
        Some(q) => format!("{host}/{name}?{q}"),
        None => format!("{host}/{name}"),
    })
}

/// The URL without its password, for the report.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Builds or reuses the PostgreSQL data set; returns its URL and description.
pub async fn postgres(admin_url: &str, customers: usize) -> anyhow::Result<(String, Dataset)> {
    sqlx::any::install_default_drivers();
    let name = format!("clinicdesk_bench_{customers}");
    let building = format!("{name}_building");
    let url = with_database(admin_url, &name)?;
    let mut admin = sqlx::AnyConnection::connect(admin_url)
        .await
        .with_context(|| format!("cannot connect to PostgreSQL at {}", redact(admin_url)))?;
    let exists = sqlx::query("SELECT 1 AS x FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_optional(&mut admin)
        .await?
        .is_some();
    let mut built = false;
    let mut build_secs = None;
    if !exists {
        eprintln!("bench: building the PostgreSQL data set {name} ({customers} customers)…");
        let started = Instant::now();
        sqlx::query(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .execute(&mut admin)
            .await?;
        sqlx::query(&format!("CREATE DATABASE {building}"))
            .execute(&mut admin)
            .await?;
        let db = open(&with_database(admin_url, &building)?).await?;
        seed(&db, customers).await?;
        db.close().await;
        sqlx::query(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .execute(&mut admin)
            .await?;
        built = true;
        build_secs = Some(started.elapsed().as_secs_f64());
        eprintln!(
            "bench: PostgreSQL data set built in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
    let _ = admin.close().await;
    let db = open(&url).await?;
    clinicdesk_demo::ensure_demo_users(&db).await?;
    let (mut c, mut v, mut p, mut i) = counts(&db).await?;
    if c == 0 {
        eprintln!("bench: {name} has no customers; seeding it in place…");
        let started = Instant::now();
        seed(&db, customers).await?;
        built = true;
        build_secs = Some(started.elapsed().as_secs_f64());
        (c, v, p, i) = counts(&db).await?;
    }
    db.close().await;
    Ok((
        url,
        Dataset {
            database: "postgres".into(),
            location: name,
            built,
            build_secs,
            customers: c,
            visits: v,
            purchases: p,
            interactions: i,
            opened_secs: None,
            migrated_from: None,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://u:p@127.0.0.1:5432/postgres", "x").unwrap(),
            "postgres://u:p@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/postgres?sslmode=disable", "x").unwrap(),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h", "x").unwrap(),
            "postgres://h/x"
        );
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://clinicdesk:secret@127.0.0.1/db"),
            "postgres://clinicdesk:***@127.0.0.1/db"
        );
        assert_eq!(redact("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db");
    }
}
