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
//! - [`docs`]: the API documentation (Swagger UI) through the `clinicdesk-docs` URI scheme, from
//!   the same router, in a window of its own.
//!
//! Environment: `CLINICDESK_DATA_DIR` (database directory; default the app data dir),
//! `CLINICDESK_DEMO=1` (demo mode: demo users and data; off by default), `CLINICDESK_KEYRING`
//! (`auto` | `secret-service` | `keyutils`), `RUST_LOG`. See `src-tauri/README.md`.

pub mod bridge;
pub mod commands;
pub mod docs;
pub mod key_rings;
pub mod pdf;
pub mod session;
pub mod startup;

use std::sync::{Arc, OnceLock};
use std::time::Instant;
use tauri::Manager;

static PROCESS_START: OnceLock<Instant> = OnceLock::new();

/// Milliseconds since the app process started (since first asked, in tests): every start-up
/// log line carries it as `elapsed_ms`, so the log shows how long the window and the API took,
/// on the same clock as anything that times the process from outside.
pub fn uptime_ms() -> u64 {
    PROCESS_START
        .get_or_init(Instant::now)
        .elapsed()
        .as_millis() as u64
}

/// When the process started: on Linux from `/proc/self/stat` (so the time the dynamic loader
/// spends mapping WebKitGTK and GTK before `main` counts too; 10 ms resolution), elsewhere now.
fn process_start() -> Instant {
    let now = Instant::now();
    process_age()
        .and_then(|age| now.checked_sub(age))
        .unwrap_or(now)
}

#[cfg(target_os = "linux")]
fn process_age() -> Option<std::time::Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
    process_age_from(&stat, &uptime)
}

#[cfg(not(target_os = "linux"))]
fn process_age() -> Option<std::time::Duration> {
    None
}

/// The age from `/proc/self/stat` (field 22, `starttime`, in clock ticks since boot) and
/// `/proc/uptime` (seconds since boot). Clock ticks are USER_HZ, 100 per second on every
/// architecture Tauri runs on.
fn process_age_from(stat: &str, uptime: &str) -> Option<std::time::Duration> {
    let fields = stat.get(stat.rfind(')')? + 2..)?;
    let start_ticks: f64 = fields.split_whitespace().nth(19)?.parse().ok()?;
    let uptime: f64 = uptime.split_whitespace().next()?.parse().ok()?;
    let age = uptime - start_ticks / 100.0;
    // A minute is far more than any start takes: anything else is a misreading.
    (0.0..60.0)
        .contains(&age)
        .then(|| std::time::Duration::from_secs_f64(age))
}

pub use bridge::{ApiRequest, ApiResponse, Desktop};
pub use session::{KeyringChoice, SessionStore};
pub use startup::StartupConfig;

/// The label of the UI's window (`tauri.conf.json`).
pub const MAIN_WINDOW: &str = "main";

/// Adds the desktop's state, commands and the documentation's URI scheme to a Tauri builder.
/// The real app and the headless tests go through this one function, so they cannot register
/// different things.
pub fn register<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    desktop: Arc<Desktop>,
    sessions: SessionStore,
) -> tauri::Builder<R> {
    let commands: Box<dyn Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync> =
        Box::new(tauri::generate_handler![
            commands::api_request,
            commands::session_save,
            commands::session_load,
            commands::session_clear,
            commands::open_api_docs,
            pdf::save_pdf,
        ]);
    let docs_desktop = desktop.clone();
    builder
        .manage(desktop)
        .manage(sessions)
        .register_asynchronous_uri_scheme_protocol(docs::SCHEME, move |ctx, request, responder| {
            let path = request.uri().path();
            if docs::is_font_path(path) {
                let asset = ctx.app_handle().asset_resolver().get(path.to_string());
                responder.respond(docs::asset_response(asset.map(|a| (a.bytes, a.mime_type))));
                return;
            }
            let desktop = docs_desktop.clone();
            tauri::async_runtime::spawn(async move {
                responder.respond(docs::serve(&desktop, request).await);
            });
        })
        .invoke_handler(move |invoke| {
            // The app's commands are the UI's: the documentation window (any other window)
            // needs none, and must not reach the API or the stored login through them.
            let label = invoke.message.webview().label().to_string();
            if label != MAIN_WINDOW {
                invoke
                    .resolver
                    .reject(format!("the window {label:?} may not call app commands"));
                return true;
            }
            commands(invoke)
        })
}

/// How the web view draws (Linux; WebKitGTK).
///
/// WebKitGTK rasterises pages with Skia on the GPU, through OpenGL. On a machine without a
/// GPU (a VM, a remote or virtual display such as Xvfb) Mesa emulates OpenGL on the CPU
/// (llvmpipe): compiling Skia's shaders with LLVM and rasterising through them. Profiled under
/// Xvfb on 2 cores, the `SkiaGPUWorker` and `llvmpipe-*` threads (LLVM included) took ~40 % of
/// the CPU samples of the first 3 s, all of it competing with the first screen. So where there
/// is no GPU render node (`/dev/dri/renderD*`) the app asks WebKit for its CPU rasteriser
/// (`WEBKIT_SKIA_ENABLE_CPU_RENDERING=1`): the same drawing on CPU worker threads, without
/// emulating a GPU; compositing stays as it is. Measured with the desktop benchmark limited to
/// one core (as when another build takes the other): first start 769 ms instead of 926, second
/// start 620 instead of 672 (medians of 7); on two idle-ish cores the difference is within the
/// noise. (Turning compositing off altogether costs less CPU still, but then painting runs on
/// the page's main thread, which made opening a customer about twice as slow.) With a GPU
/// nothing changes.
///
/// `CLINICDESK_WEBVIEW_RENDERING=gpu` or `=cpu` forces either way; WebKit's own variables set
/// by the user (`WEBKIT_SKIA_ENABLE_CPU_RENDERING`, `WEBKIT_DISABLE_COMPOSITING_MODE`) are left
/// as they are. Must run before any other thread is started (it may set an environment
/// variable, which the web process inherits). Returns what was chosen, for the log.
fn webview_rendering() -> String {
    let forced = std::env::var("CLINICDESK_WEBVIEW_RENDERING").unwrap_or_default();
    let user_set = [
        "WEBKIT_SKIA_ENABLE_CPU_RENDERING",
        "WEBKIT_DISABLE_COMPOSITING_MODE",
    ]
    .iter()
    .any(|v| std::env::var_os(v).is_some());
    let decision = rendering_decision(
        forced.trim(),
        user_set,
        cfg!(target_os = "linux"),
        has_gpu_render_node(),
    );
    if decision == Rendering::Cpu {
        // Safe here: `run` calls this before it starts any thread.
        std::env::set_var("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1");
    }
    decision.to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rendering {
    /// WebKit's default (the GPU), not touched.
    Default,
    /// Skia's CPU rasteriser.
    Cpu,
    /// The user's own WebKit variables are in effect.
    UserChoice,
}

impl std::fmt::Display for Rendering {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Rendering::Default => "default",
            Rendering::Cpu => "cpu (no GPU)",
            Rendering::UserChoice => "as the WEBKIT_* variables say",
        })
    }
}

fn rendering_decision(forced: &str, user_set: bool, linux: bool, gpu: bool) -> Rendering {
    if !linux {
        return Rendering::Default;
    }
    match forced.to_ascii_lowercase().as_str() {
        "gpu" => return Rendering::Default,
        "cpu" => return Rendering::Cpu,
        _ => {}
    }
    if user_set {
        Rendering::UserChoice
    } else if gpu {
        Rendering::Default
    } else {
        Rendering::Cpu
    }
}

/// A DRM render node, i.e. a GPU that Mesa can drive (Linux).
fn has_gpu_render_node() -> bool {
    std::fs::read_dir("/dev/dri")
        .map(|dir| {
            dir.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false)
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
///
/// The warm-up starts as soon as the app is built — before the event loop runs and creates
/// the window and its web view (Tauri does that in its `Ready` event, and the web process
/// takes a few hundred milliseconds to start) — so opening the database, migrating and, on a
/// first start, seeding the demo data overlap with the window's start instead of following it.
pub fn run() {
    PROCESS_START.get_or_init(process_start);
    // Before any thread exists: it may set an environment variable for WebKit.
    let rendering = webview_rendering();
    init_logging();
    tracing::info!(elapsed_ms = uptime_ms(), rendering = %rendering, "app started");
    // API calls made while the database warms up wait up to this long instead of a bare 503.
    let desktop = Arc::new(Desktop::with_ready_wait(std::time::Duration::from_secs(8)));
    let sessions = SessionStore::new(KeyringChoice::from_env());
    // Read the remembered login now, while the window and the web view start.
    let _ = sessions.prefetch();

    let context = tauri::generate_context!("../tauri.conf.json");
    // On what looks like a first start, the demo passwords are hashed from now on.
    let demo_passwords = startup::DemoPasswords::start_if_first_run(&StartupConfig::from_env(
        startup::guess_app_data_dir(&context.config().identifier),
    ));

    let warm = desktop.clone();
    let builder = register(tauri::Builder::default(), desktop, sessions)
        .setup(move |_app| {
            tracing::info!(elapsed_ms = uptime_ms(), "window created");
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

    let app = match builder.build(context) {
        Ok(app) => app,
        Err(e) => {
            tracing::error!(error = %e, "ClinicDesk could not start");
            eprintln!("ClinicDesk could not start: {e}");
            std::process::exit(1);
        }
    };
    tracing::info!(elapsed_ms = uptime_ms(), "app built");
    // The same data directory Tauri's path resolver gives the running app.
    let config = StartupConfig::from_env(app.path().app_data_dir().ok());
    tauri::async_runtime::spawn(async move {
        startup::warm_up(warm, config, demo_passwords).await;
    });
    app.run(|_, _| {});
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_rendering_only_without_a_gpu() {
        use Rendering::*;
        assert_eq!(rendering_decision("", false, true, false), Cpu);
        assert_eq!(rendering_decision("", false, true, true), Default);
        assert_eq!(rendering_decision("", true, true, false), UserChoice);
        assert_eq!(rendering_decision("GPU", false, true, false), Default);
        assert_eq!(rendering_decision("cpu", true, true, true), Cpu);
        assert_eq!(
            rendering_decision("cpu", false, false, false),
            Default,
            "WebKitGTK only"
        );
    }

    #[test]
    fn process_age_from_proc() {
        // `cat (x) y` style names may hold spaces and parentheses: fields count from the last ')'.
        let stat = "4242 (clinic (desk) x) S 1 4242 4242 0 -1 4194304 10 0 0 0 1 2 0 0 20 0 9 0 12345 1000 100";
        let age = process_age_from(stat, "125.45 240.10\n").unwrap();
        assert!((age.as_secs_f64() - 2.0).abs() < 0.001, "{age:?}");
        assert_eq!(
            process_age_from(stat, "100.00 1.0"),
            None,
            "started in the future"
        );
        assert_eq!(process_age_from("garbage", "125.45 1.0"), None);
        #[cfg(target_os = "linux")]
        assert!(process_age().is_some());
    }
}
