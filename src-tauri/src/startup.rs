//! Background warm-up. The window is already open (the UI polls `/readyz`); meanwhile this
//! opens the SQLite file in the data directory, builds the shared router, runs the migrations
//! (`AppState::prepare`), settles this installation's device id and, in demo mode, makes sure
//! the demo users exist and seeds demo data into an empty database. Only then does the bridge
//! let requests through, so the first screen never sees a half-seeded database.

use crate::bridge::Desktop;
use anyhow::Context;
use clinicdesk_api::AppState;
use clinicdesk_store::{users, Db};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// The database file inside the data directory.
pub const DB_FILE: &str = "clinicdesk.db";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartupConfig {
    /// Where `clinicdesk.db` lives.
    pub data_dir: PathBuf,
    /// Demo users and, on an empty database, demo customers/packages/visits.
    pub demo: bool,
}

impl StartupConfig {
    /// `CLINICDESK_DATA_DIR` or else the app data directory (e.g.
    /// `~/.local/share/kr.clinicdesk.desktop` on Linux); `CLINICDESK_DEMO=0` turns demo mode off.
    pub fn from_env(app_data_dir: Option<PathBuf>) -> StartupConfig {
        let data_dir = std::env::var_os("CLINICDESK_DATA_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or(app_data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let demo = demo_enabled(std::env::var("CLINICDESK_DEMO").ok().as_deref());
        StartupConfig { data_dir, demo }
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join(DB_FILE)
    }
}

/// Demo mode is on unless the variable says `0`, `false`, `no` or `off`.
pub fn demo_enabled(value: Option<&str>) -> bool {
    !matches!(
        value.map(|v| v.trim().to_ascii_lowercase()).as_deref(),
        Some("0" | "false" | "no" | "off")
    )
}

/// An sqlx URL for an SQLite file. `sqlite:` + path (not `sqlite://`, whose next segment
/// would parse as a host — a Windows drive letter would break); `%`, `?` and `#` are
/// percent-encoded because sqlx decodes the path.
pub fn sqlite_url(path: &Path) -> String {
    let mut url = String::from("sqlite:");
    for c in path.to_string_lossy().chars() {
        match c {
            '\\' => url.push('/'),
            '%' => url.push_str("%25"),
            '?' => url.push_str("%3F"),
            '#' => url.push_str("%23"),
            c => url.push(c),
        }
    }
    url
}

/// Runs the warm-up and records a failure on the bridge (whose 503s then carry the reason).
pub async fn warm_up(desktop: Arc<Desktop>, config: StartupConfig) {
    if let Err(e) = open(&desktop, &config).await {
        let reason = format!("{e:#}");
        tracing::error!(error = %reason, data_dir = %config.data_dir.display(), "the local database could not be opened");
        desktop.mark_failed(reason);
    }
}

/// Opens and prepares the database, installs the router, seeds demo data if asked, and opens
/// the bridge. Returns the API state (tests use it).
pub async fn open(desktop: &Desktop, config: &StartupConfig) -> anyhow::Result<AppState> {
    let started = Instant::now();
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            config.data_dir.display()
        )
    })?;
    let url = sqlite_url(&config.database_path());
    let db = Db::connect(&url)
        .await
        .with_context(|| format!("cannot open {}", config.database_path().display()))?;
    let state = AppState::new(db.clone());
    desktop.install_router(clinicdesk_api::router(state.clone()));
    state.prepare().await.context("database migration failed")?;

    let device_id = {
        let mut conn = db.conn().await?;
        users::setting_or_insert(&mut conn, "device_id", &uuid::Uuid::now_v7().to_string()).await?
    };
    desktop.set_device_id(device_id.clone());
    tracing::info!(
        elapsed_ms = crate::uptime_ms(),
        took_ms = started.elapsed().as_millis() as u64,
        database = %config.database_path().display(),
        device_id = %device_id,
        "database ready"
    );

    if config.demo {
        // Demo data is a convenience: if seeding fails the app still opens, on what is there.
        if let Err(e) = seed_demo(&state).await {
            tracing::error!(error = %format!("{e:#}"), "demo data could not be seeded");
        }
    }
    desktop.mark_ready();
    tracing::info!(
        elapsed_ms = crate::uptime_ms(),
        took_ms = started.elapsed().as_millis() as u64,
        "API ready"
    );
    Ok(state)
}

async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    let started = Instant::now();
    let users = clinicdesk_demo::ensure_demo_users(&state.db).await?;
    // `today()` is the clinic's calendar day in KST.
    let seeded = clinicdesk_demo::seed_if_empty(
        &state.db,
        state.today(),
        &clinicdesk_demo::DemoOptions::default(),
    )
    .await?;
    match seeded {
        Some(summary) => tracing::info!(
            users,
            customers = summary.customers,
            visits = summary.visits,
            elapsed_ms = crate::uptime_ms(),
            took_ms = started.elapsed().as_millis() as u64,
            "demo data seeded"
        ),
        None => tracing::info!(
            users,
            "database already has customers; demo data not seeded"
        ),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_mode_defaults_on() {
        assert!(demo_enabled(None));
        assert!(demo_enabled(Some("1")));
        assert!(demo_enabled(Some("")));
        assert!(!demo_enabled(Some("0")));
        assert!(!demo_enabled(Some(" OFF ")));
        assert!(!demo_enabled(Some("false")));
    }

    #[test]
    fn sqlite_urls() {
        assert_eq!(
            sqlite_url(Path::new("/home/a b/x.db")),
            "sqlite:/home/a b/x.db"
        );
        assert_eq!(
            sqlite_url(Path::new("/tmp/50%?#/x.db")),
            "sqlite:/tmp/50%25%3F%23/x.db"
        );
    }

    #[tokio::test]
    async fn opens_a_database_in_an_odd_directory_name() {
        let dir = tempfile::tempdir().unwrap();
        let config = StartupConfig {
            data_dir: dir.path().join("data dir 50%"),
            demo: false,
        };
        let desktop = Desktop::new();
        open(&desktop, &config).await.unwrap();
        assert!(desktop.is_ready());
        assert!(config.database_path().is_file());
        let id = desktop.device_id().unwrap().to_string();
        assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 7);

        // The device id is settled once and kept across restarts.
        let again = Desktop::new();
        open(&again, &config).await.unwrap();
        assert_eq!(again.device_id(), Some(id.as_str()));
    }
}
