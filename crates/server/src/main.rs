//! The ClinicDesk server: serves the shared API router over HTTP (on SQLite for a single
//! site, PostgreSQL for a clinic chain) together with the web UI, with structured logs.
//! `clinicdesk-server` alone serves; subcommands administer the database
//! (`users create|set-password`, see `users_cmd`).

mod users_cmd;

/// glibc's allocator spent a third of a request's CPU time in malloc/free under concurrent
/// load (measured with perf); mimalloc's per-thread heaps do not contend.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::Context;
use axum::Router;
use clap::{Parser, Subcommand};
use clinicdesk_api::AppState;
use clinicdesk_store::Db;
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::io::AsyncReadExt;
use tower_http::services::{ServeDir, ServeFile};

#[derive(Parser, Debug)]
#[command(
    name = "clinicdesk-server",
    version,
    about = "ClinicDesk API and web UI server",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    /// Without a subcommand the server serves the API and the web UI.
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: Args,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Staff accounts: create one (the first administrator, too), set a forgotten password.
    Users(users_cmd::UsersArgs),
}

/// Which database: shared by serving and every subcommand.
#[derive(clap::Args, Debug, Clone)]
pub struct DatabaseArgs {
    /// `sqlite://path/to/file.db` or `postgres://user:pass@host/db`. Default: an SQLite file
    /// in the data directory.
    #[arg(long, env = "CLINICDESK_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Where the default SQLite database lives.
    #[arg(long, env = "CLINICDESK_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}

impl DatabaseArgs {
    /// The database URL; creates the data directory for the default SQLite file.
    pub fn url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create data directory {}", self.data_dir.display()))?;
        Ok(format!(
            "sqlite://{}",
            self.data_dir.join("clinicdesk.db").display()
        ))
    }
}

#[derive(clap::Args, Debug)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "CLINICDESK_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[command(flatten)]
    database: DatabaseArgs,
    /// Demo mode: seed demo data into an empty database and let the demo users (published
    /// password) log in. Without it, demo accounts in the database are refused.
    #[arg(long, env = "CLINICDESK_DEMO")]
    demo: bool,
    /// Number of demo customers (with --demo).
    #[arg(long, default_value_t = 300)]
    demo_customers: usize,
    /// The built web UI to serve at `/`.
    #[arg(long, env = "CLINICDESK_UI_DIR", default_value = "ui/dist")]
    ui_dir: PathBuf,
    /// `json` (default, for log collectors) or `pretty`.
    #[arg(long, env = "CLINICDESK_LOG_FORMAT", default_value = "json")]
    log_format: String,
    /// Exit when standard input closes (lets a test harness own the server's lifetime).
    #[arg(long, hide = true)]
    exit_on_stdin_close: bool,
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if format == "pretty" {
        builder.init();
    } else {
        builder.json().flatten_event(true).init();
    }
}

/// The API plus the web UI: unknown non-API paths get `index.html` so client-side routes work.
fn app(state: AppState, ui_dir: &std::path::Path) -> Router {
    let api = clinicdesk_api::router(state);
    if ui_dir.join("index.html").is_file() {
        let ui = ServeDir::new(ui_dir).fallback(ServeFile::new(ui_dir.join("index.html")));
        api.fallback_service(ui)
    } else {
        tracing::warn!(ui_dir = %ui_dir.display(), "web UI not built; serving the API only");
        api
    }
}

async fn warm_up(state: AppState, demo: bool, demo_customers: usize) -> anyhow::Result<()> {
    state.open().await.context("database migration failed")?;
    tracing::info!(database = ?state.db.kind, "database migrated");
    if demo {
        let users = clinicdesk_demo::ensure_demo_users(&state.db).await?;
        let options = clinicdesk_demo::DemoOptions {
            customers: demo_customers,
            ..Default::default()
        };
        match clinicdesk_demo::seed_if_empty(&state.db, state.today(), &options).await? {
            Some(s) => tracing::info!(
                customers = s.customers,
                visits = s.visits,
                users,
                "demo data seeded"
            ),
            None => tracing::info!(
                users,
                "database already has customers; demo data not seeded"
            ),
        }
    }
    let admins = {
        let mut conn = state.db.conn().await?;
        clinicdesk_store::users::usable_admins(&mut conn, state.demo_mode).await?
    };
    if admins == 0 {
        tracing::warn!(
            "no administrator can log in; create one with `clinicdesk-server users create --username <name> --role admin` (password on standard input)"
        );
    }
    // A server loads its search index before it takes traffic, so no first search waits.
    let started = std::time::Instant::now();
    state.db.warm_search_index().await?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "search index loaded"
    );
    // Ready only once the data a demo promises is there.
    state.mark_ready();
    tracing::info!("ready");
    Ok(())
}

async fn shutdown_signal(exit_on_stdin_close: bool) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        #[cfg(unix)]
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await;
    };
    let stdin_closed = async {
        if exit_on_stdin_close {
            let mut buf = [0u8; 64];
            let mut stdin = tokio::io::stdin();
            while matches!(stdin.read(&mut buf).await, Ok(n) if n > 0) {}
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
        _ = stdin_closed => {},
    }
    tracing::info!("shutting down");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Users(users)) => {
            // An administrator's command: one plain line on failure, not a backtrace.
            if let Err(e) = users_cmd::run(users).await {
                eprintln!("error: {e:#}");
                std::process::exit(1);
            }
            Ok(())
        }
        None => serve(cli.serve).await,
    }
}

async fn serve(args: Args) -> anyhow::Result<()> {
    init_logging(&args.log_format);
    let url = args.database.url()?;
    let db = Db::connect(&url)
        .await
        .with_context(|| "cannot open the database".to_string())?;
    // A server never offers the first-run set-up screen: its first administrator is made with
    // `clinicdesk-server users create`.
    let state = AppState::new(db).with_demo_mode(args.demo);

    // Listen first and warm up behind /readyz, so orchestrators see the process alive at once.
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    tracing::info!(addr = %listener.local_addr()?, "listening");

    let (warming, demo, demo_customers) = (state.clone(), args.demo, args.demo_customers);
    tokio::spawn(async move {
        if let Err(e) = warm_up(warming, demo, demo_customers).await {
            // Without a migrated database the server cannot do anything useful.
            tracing::error!(error = %format!("{e:#}"), "warm-up failed");
            std::process::exit(1);
        }
    });
    axum::serve(listener, app(state.clone(), &args.ui_dir))
        .with_graceful_shutdown(shutdown_signal(args.exit_on_stdin_close))
        .await?;
    state.db.close().await;
    Ok(())
}
