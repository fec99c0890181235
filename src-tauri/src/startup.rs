//! Background warm-up, started as soon as the app is built, while the window and its web view
//! start: opens the SQLite file in the data directory, builds the shared router, runs the
//! migrations (`AppState::prepare`), settles this installation's device id and, in demo mode
//! (`CLINICDESK_DEMO=1`; off by default), makes sure the demo users exist (with password hashes computed ahead, [`DemoPasswords`])
//! and seeds demo data into an empty database. Only then does the bridge let requests
//! through, so the first screen never sees a half-seeded database. Afterwards the customer
//! search index is loaded in the background.

use crate::bridge::Desktop;
use crate::session::KeyringChoice;
use anyhow::Context;
use clinicdesk_api::AppState;
use clinicdesk_demo::{DEMO_PASSWORD, DEMO_USERS};
use clinicdesk_store::{sqlite_url, Db};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// The database file inside the data directory.
pub const DB_FILE: &str = "clinicdesk.db";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartupConfig {
    /// Where `clinicdesk.db` lives.
    pub data_dir: PathBuf,
    /// Demo mode: demo users (published password) that may log in and, on an empty database,
    /// demo customers/packages/visits. Off by default: a plain install asks for its first
    /// administrator instead (the set-up screen).
    pub demo: bool,
    /// Where the key rings are kept.
    pub secrets: SecretsPlace,
}

/// Where the desktop keeps its key rings (never in the database).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretsPlace {
    /// The OS keyring (see [`crate::key_rings`]).
    Keyring(KeyringChoice),
    /// Private files in `<data dir>/secrets` (headless use and tests).
    Files,
}

impl StartupConfig {
    /// `CLINICDESK_DATA_DIR` or else the app data directory (e.g.
    /// `~/.local/share/kr.clinicdesk.desktop` on Linux); `CLINICDESK_DEMO=1` turns demo mode on.
    pub fn from_env(app_data_dir: Option<PathBuf>) -> StartupConfig {
        let data_dir = std::env::var_os("CLINICDESK_DATA_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or(app_data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let demo = demo_enabled(std::env::var("CLINICDESK_DEMO").ok().as_deref());
        StartupConfig {
            data_dir,
            demo,
            secrets: SecretsPlace::Keyring(KeyringChoice::from_env()),
        }
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join(DB_FILE)
    }
}

/// Demo mode is off unless the variable says `1`, `true`, `yes` or `on`: demo accounts have a
/// published password, so a plain install must never have them.
pub fn demo_enabled(value: Option<&str>) -> bool {
    matches!(
        value.map(|v| v.trim().to_ascii_lowercase()).as_deref(),
        Some("1" | "true" | "yes" | "on")
    )
}

/// The demo accounts' Argon2id password hashes, computed on a thread of their own.
///
/// Argon2 is slow on purpose (four accounts: ~0.15 s of CPU, several times that on a busy
/// machine), and on a first start the demo accounts are created before the bridge opens. So
/// the hashes are computed while the app starts — from `run`, before the window exists, when
/// the data directory looks new — instead of after the migrations, in series with the demo
/// data. Each account gets its own salt, exactly as `clinicdesk_demo::ensure_demo_users`
/// would hash it; that function still runs afterwards and creates anything still missing.
pub struct DemoPasswords(tokio::sync::oneshot::Receiver<Vec<String>>);

impl DemoPasswords {
    pub fn start() -> DemoPasswords {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let spawned = std::thread::Builder::new()
            .name("demo-passwords".into())
            .spawn(move || {
                let started = Instant::now();
                // A failed hash is left empty; `hashes` then discards the set and the demo
                // crate hashes them itself, reporting the error.
                let hashes: Vec<String> = DEMO_USERS
                    .iter()
                    .map(|_| clinicdesk_security::hash_password(DEMO_PASSWORD).unwrap_or_default())
                    .collect();
                tracing::info!(
                    elapsed_ms = crate::uptime_ms(),
                    took_ms = started.elapsed().as_millis() as u64,
                    "demo passwords hashed"
                );
                let _ = tx.send(hashes);
            });
        if let Err(e) = spawned {
            // The receiver then reports "no hashes" and the demo crate hashes them itself.
            tracing::warn!(error = %e, "cannot start the demo password thread");
        }
        DemoPasswords(rx)
    }

    /// On a first start in demo mode (no database file yet), start hashing now.
    pub fn start_if_first_run(config: &StartupConfig) -> Option<DemoPasswords> {
        (config.demo && !config.database_path().exists()).then(DemoPasswords::start)
    }

    async fn hashes(self) -> Option<Vec<String>> {
        self.0
            .await
            .ok()
            .filter(|h| h.len() == DEMO_USERS.len() && h.iter().all(|h| !h.is_empty()))
    }
}

/// Where Tauri will put the app data directory, guessed before the app exists (Linux:
/// `$XDG_DATA_HOME` or `~/.local/share`, plus the identifier), so [`DemoPasswords`] can start
/// before the window. Only a hint: the warm-up itself uses Tauri's own answer.
pub fn guess_app_data_dir(identifier: &str) -> Option<PathBuf> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(base.join(identifier))
}

/// Runs the warm-up and records a failure on the bridge (whose 503s then carry the reason).
pub async fn warm_up(
    desktop: Arc<Desktop>,
    config: StartupConfig,
    demo_passwords: Option<DemoPasswords>,
) {
    if let Err(e) = open_with(&desktop, &config, demo_passwords).await {
        let reason = format!("{e:#}");
        tracing::error!(error = %reason, data_dir = %config.data_dir.display(), "the local database could not be opened");
        desktop.mark_failed(reason);
    }
}

/// Opens and prepares the database, installs the router, seeds demo data if asked, and opens
/// the bridge. Returns the API state (tests use it).
pub async fn open(desktop: &Desktop, config: &StartupConfig) -> anyhow::Result<AppState> {
    open_with(desktop, config, None).await
}

/// [`open`], with demo password hashes possibly already under way.
pub async fn open_with(
    desktop: &Desktop,
    config: &StartupConfig,
    demo_passwords: Option<DemoPasswords>,
) -> anyhow::Result<AppState> {
    let started = Instant::now();
    // A first start: hash the demo passwords while the database is created and migrated.
    let demo_passwords = demo_passwords.or_else(|| DemoPasswords::start_if_first_run(config));
    // Customer data: only this user may enter the directory (0700).
    clinicdesk_security::secrets::private_dir(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            config.data_dir.display()
        )
    })?;
    let secrets = load_secrets(config).await?;
    let url = sqlite_url(&config.database_path());
    let db = Db::connect(&url)
        .await
        .with_context(|| format!("cannot open {}", config.database_path().display()))?;
    // The desktop's own UI may create the first administrator (the set-up screen), since it
    // reaches the router only in-process; demo accounts log in only in demo mode.
    // The desktop is a sync node: its writes wait in its outbox until a central server it is
    // connected to (settings → 동기화) holds them. The device secret sits beside the key rings.
    let device_secret: std::sync::Arc<dyn clinicdesk_security::SecretStore> = match config.secrets {
        SecretsPlace::Keyring(choice) => {
            crate::key_rings::device_secret_store(choice, &config.data_dir)
                .context("cannot open the keyring for the sync device secret")?
        }
        SecretsPlace::Files => std::sync::Arc::new(clinicdesk_security::FileSecrets::new(
            crate::key_rings::secrets_dir(&config.data_dir),
        )),
    };
    let engine = clinicdesk_api::sync_engine::SyncEngine::new(
        db.clone(),
        device_secret,
        clinicdesk_api::sync_engine::EngineConfig::default(),
        std::sync::Arc::new(chrono::Utc::now),
    );
    let state = AppState::new(db.clone(), secrets)
        .with_demo_mode(config.demo)
        .with_first_run_setup(true)
        .with_sync_engine(Some(engine.clone()));
    desktop.install_router(clinicdesk_api::router(state.clone()));
    state.prepare().await.context("database migration failed")?;

    // The installation's id names it in the audit trail: the node id of its audit chains.
    let device_id = db
        .node_id()
        .context("the audit trail has no node id")?
        .to_string();
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
        if let Some(passwords) = demo_passwords {
            if let Err(e) = create_demo_users(&state, passwords).await {
                tracing::error!(error = %format!("{e:#}"), "demo users could not be created");
            }
        }
        if let Err(e) = seed_demo(&state).await {
            tracing::error!(error = %format!("{e:#}"), "demo data could not be seeded");
        }
    }
    desktop.mark_ready();
    // Sync runs in the background once connected; reads and writes never wait for it.
    engine.spawn();
    tracing::info!(
        elapsed_ms = crate::uptime_ms(),
        took_ms = started.elapsed().as_millis() as u64,
        "API ready"
    );
    // The customer search index loads in the background from now on, while the first screen
    // shows, so the first search does not wait for it (the first screen does not need it).
    let db = state.db.clone();
    tokio::spawn(async move {
        let started = Instant::now();
        match db.warm_search_index().await {
            Ok(()) => tracing::info!(
                elapsed_ms = crate::uptime_ms(),
                took_ms = started.elapsed().as_millis() as u64,
                "search index warmed"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "search index not warmed; the first search loads it")
            }
        }
    });
    Ok(state)
}

/// The key rings, read where the configuration says (a keyring may block on D-Bus or a
/// prompt: off the async workers).
async fn load_secrets(config: &StartupConfig) -> anyhow::Result<clinicdesk_api::Secrets> {
    let place = config.secrets;
    let data_dir = config.data_dir.clone();
    let secrets = tokio::task::spawn_blocking(move || match place {
        SecretsPlace::Keyring(choice) => crate::key_rings::load(choice, &data_dir),
        SecretsPlace::Files => {
            clinicdesk_api::Secrets::configured(&crate::key_rings::secrets_dir(&data_dir))
        }
    })
    .await
    .context("the key ring task failed")?;
    secrets.context("cannot read the key rings")
}

/// Creates the missing demo accounts with hashes computed ahead ([`DemoPasswords`]), through
/// `clinicdesk_demo` (the same rows and audit events as without them).
async fn create_demo_users(state: &AppState, passwords: DemoPasswords) -> anyhow::Result<usize> {
    let started = Instant::now();
    let Some(hashes) = passwords.hashes().await else {
        return Ok(0);
    };
    let created = clinicdesk_demo::ensure_demo_users_with(&state.db, Some(hashes)).await?;
    tracing::info!(
        created,
        elapsed_ms = crate::uptime_ms(),
        took_ms = started.elapsed().as_millis() as u64,
        "demo users created"
    );
    Ok(created)
}

async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    let started = Instant::now();
    let users = clinicdesk_demo::ensure_demo_users(&state.db).await?;
    tracing::info!(
        users,
        elapsed_ms = crate::uptime_ms(),
        took_ms = started.elapsed().as_millis() as u64,
        "demo users ready"
    );
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
    use clinicdesk_store::users;

    #[test]
    fn demo_mode_defaults_off() {
        assert!(!demo_enabled(None));
        assert!(!demo_enabled(Some("")));
        assert!(!demo_enabled(Some("0")));
        assert!(!demo_enabled(Some(" OFF ")));
        assert!(!demo_enabled(Some("false")));
        assert!(!demo_enabled(Some("maybe")));
        assert!(demo_enabled(Some("1")));
        assert!(demo_enabled(Some(" ON ")));
        assert!(demo_enabled(Some("true")));
        assert!(demo_enabled(Some("yes")));
    }

    #[tokio::test]
    async fn a_first_start_creates_the_demo_users_with_the_hashes_made_ahead() {
        let dir = tempfile::tempdir().unwrap();
        let config = StartupConfig {
            data_dir: dir.path().join("fresh"),
            demo: true,
            secrets: SecretsPlace::Files,
        };
        let early = DemoPasswords::start_if_first_run(&config);
        assert!(early.is_some(), "no database file yet: a first start");
        let desktop = Desktop::new();
        let state = open_with(&desktop, &config, early).await.unwrap();
        assert!(desktop.is_ready());
        let mut conn = state.db.conn().await.unwrap();
        for (username, display_name, role) in DEMO_USERS {
            let user = users::by_username(&mut conn, username)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("demo user {username}"));
            assert_eq!(
                (user.display_name.as_str(), user.role.as_str()),
                (display_name, role)
            );
            assert!(clinicdesk_security::verify_password(
                DEMO_PASSWORD,
                &user.password_hash
            ));
            let audit = clinicdesk_store::audit::of_entity(&state.db, &user.id)
                .await
                .unwrap();
            assert_eq!(
                audit.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
                ["user.create"],
                "{username}: one audited creation"
            );
        }
        drop(conn);
        let chains = clinicdesk_store::audit::verify_all(&state.db)
            .await
            .unwrap();
        assert!(!chains.is_empty());
        assert!(
            chains.iter().all(|c| c.intact()),
            "the audit chains are intact: {chains:?}"
        );

        // A second start has its database already: nothing is hashed ahead.
        assert!(DemoPasswords::start_if_first_run(&config).is_none());
    }

    #[tokio::test]
    async fn opens_a_database_in_an_odd_directory_name() {
        let dir = tempfile::tempdir().unwrap();
        let config = StartupConfig {
            data_dir: dir.path().join("data dir 50%"),
            demo: false,
            secrets: SecretsPlace::Files,
        };
        let desktop = Desktop::new();
        let state = open(&desktop, &config).await.unwrap();
        assert!(desktop.is_ready());
        assert!(config.database_path().is_file());
        // Not in demo mode: no accounts at all (the first run asks for the administrator),
        // and the state offers the first-run set-up but no demo logins.
        let mut conn = state.db.conn().await.unwrap();
        assert_eq!(users::count(&mut conn).await.unwrap(), 0);
        drop(conn);
        assert!(state.first_run_setup && !state.demo_mode);
        let id = desktop.device_id().unwrap().to_string();
        assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 7);

        // The device id is settled once and kept across restarts.
        let again = Desktop::new();
        open(&again, &config).await.unwrap();
        assert_eq!(again.device_id(), Some(id.as_str()));
    }
}
