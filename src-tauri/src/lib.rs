//! ClinicDesk's desktop shell: a Tauri window hosting the web UI (`ui/dist`), whose requests
//! go to the **same** axum `Router` the server serves — handed over in-process through the
//! `api_request` command (`tower::ServiceExt::oneshot`, no TCP port) — on a local SQLite
//! database in the app data directory. It also keeps the login's refresh token in the OS
//! keyring (`session_*` commands), never in a file.
//!
//! - [`bridge`]: the in-process API bridge (`api_request`), 503 until warm-up finished.
//! - [`startup`]: opens the database in the background, prepares the API, seeds demo data.
//! - [`session`]: refresh-token storage in the OS keyring and how the Linux backend is chosen.
//! - [`commands`]: the Tauri commands the UI invokes; [`register`] wires them and their state
//!   into any `tauri::Builder` (the real one in [`run`], `tauri::test::mock_builder()` in tests).
//!
//! Environment: `CLINICDESK_DATA_DIR` (database directory; default the app data dir),
//! `CLINICDESK_DEMO=0` (no demo users/data on first run), `CLINICDESK_KEYRING`
//! (`auto` | `secret-service` | `keyutils`), `RUST_LOG`. See `src-tauri/README.md`.

pub mod bridge;
pub mod commands;
pub mod session;
pub mod startup;

use std::sync::{Arc, OnceLock};
use std::time::Instant;
use tauri::Manager;

static PROCESS_START: OnceLock<Instant> = OnceLock::new();

/// Milliseconds since the app started (since first asked, in tests): every start-up log line
/// carries it as `elapsed_ms`, so the log shows how long the window and the API took.
pub fn uptime_ms() -> u64 {
    PROCESS_START
        .get_or_init(Instant::now)
        .elapsed()
        .as_millis() as u64
}

pub use bridge::{ApiRequest, ApiResponse, Desktop};
pub use session::{KeyringChoice, SessionStore};
pub use startup::StartupConfig;

/// Adds the desktop's state and commands to a Tauri builder. The real app and the headless
/// tests go through this one function, so they cannot register different things.
pub fn register<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    desktop: Arc<Desktop>,
    sessions: SessionStore,
) -> tauri::Builder<R> {
    builder
        .manage(desktop)
        .manage(sessions)
        .invoke_handler(tauri::generate_handler![
            commands::api_request,
            commands::session_save,
            commands::session_load,
            commands::session_clear,
        ])
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}

/// Starts the desktop app: the window opens at once (the UI shows its loading state while
/// `/readyz` answers 503), and the database is opened and prepared in the background.
pub fn run() {
    PROCESS_START.get_or_init(Instant::now);
    init_logging();
    // API calls made while the database warms up wait up to this long instead of a bare 503.
    let desktop = Arc::new(Desktop::with_ready_wait(std::time::Duration::from_secs(8)));
    let sessions = SessionStore::new(KeyringChoice::from_env());

    let warm = desktop.clone();
    let builder = register(tauri::Builder::default(), desktop, sessions)
        .setup(move |app| {
            tracing::info!(elapsed_ms = uptime_ms(), "window created");
            let config = StartupConfig::from_env(app.path().app_data_dir().ok());
            tauri::async_runtime::spawn(async move {
                startup::warm_up(warm, config).await;
            });
            Ok(())
        })
        .on_page_load(move |webview, payload| {
            if matches!(payload.event(), tauri::webview::PageLoadEvent::Finished) {
                tracing::info!(
                    window = webview.label(),
                    elapsed_ms = uptime_ms(),
                    "UI loaded"
                );
            }
        });

    if let Err(e) = builder.run(tauri::generate_context!("../tauri.conf.json")) {
        tracing::error!(error = %e, "ClinicDesk could not start");
        eprintln!("ClinicDesk could not start: {e}");
        std::process::exit(1);
    }
}
