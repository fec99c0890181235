//! The ClinicDesk server: serves the shared API router over HTTP (on SQLite for a single
//! site, PostgreSQL for a clinic chain) together with the web UI, with structured logs.
//! `clinicdesk-server` alone serves; subcommands administer the database: `users
//! create|set-password` (see `users_cmd`), `audit verify` and `keys rotate` (see `admin_cmd`).

mod admin_cmd;
mod clinics;
mod train_cmd;
mod users_cmd;

/// glibc's allocator spent a third of a request's CPU time in malloc/free under concurrent
/// load (measured with perf); mimalloc's per-thread heaps do not contend.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod serve;

use anyhow::Context;
use axum::Router;
use clap::{Parser, Subcommand};
use clinicdesk_api::{AppState, LimitConfig, LockoutPolicy};
use clinicdesk_store::Db;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tower_http::services::{ServeDir, ServeFile};

#[derive(Parser, Debug)]
#[command(
    name = "clinicdesk-server",
    version,
    about = "ClinicDesk API and web UI server",
    args_conflicts_with_subcommands = true,
    after_help = "Rate limits (X-RateLimit-* headers, 429 RATE_LIMIT_EXCEEDED) and login locks are \
counted in this process's memory: several server processes behind one address each count on \
their own, and a restart forgets them. Requests without a valid token are counted per client \
address (IPv6 per /64); behind a reverse proxy, name it with --trusted-proxy."
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
    /// The audit trail: verify every chain (exit 0 and a count when intact, 1 naming the
    /// first broken event).
    Audit(admin_cmd::AuditArgs),
    /// Key rings: put a new current key first (old keys keep verifying what they signed).
    Keys(admin_cmd::KeysArgs),
    /// The customer model: train a new version on the clinic's data (segments with personas,
    /// churn), store it for every server and desktop, print its held-out metrics.
    Train(train_cmd::TrainArgs),
}

/// Which database and which key rings: shared by serving and every subcommand.
#[derive(clap::Args, Debug, Clone)]
pub struct DatabaseArgs {
    /// `sqlite://path/to/file.db` or `postgres://user:pass@host/db`. Default: an SQLite file
    /// in the data directory.
    #[arg(long, env = "CLINICDESK_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Where the default SQLite database lives (made private to this user: 0700).
    #[arg(long, env = "CLINICDESK_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Where the key rings live (token signing, audit sealing), never in the database.
    /// Default: `<data-dir>/secrets`. `CLINICDESK_JWT_SECRET`/`_FILE` and
    /// `CLINICDESK_AUDIT_KEY`/`_FILE` override either ring.
    #[arg(long, env = "CLINICDESK_SECRETS_DIR")]
    pub secrets_dir: Option<PathBuf>,
    /// Another clinic on this central server, `SLUG` or `SLUG=DATABASE_URL` (repeatable, or
    /// comma-separated in the variable): its own database (default
    /// `<data-dir>/clinics/<slug>.db`) and key rings (`<secrets-dir>/clinics/<slug>`), its API
    /// and web UI under `/clinics/<slug>/`. With a subcommand, one `--clinic` picks the clinic
    /// the command works on instead of the first.
    #[arg(long = "clinic", env = "CLINICDESK_CLINICS", value_delimiter = ',')]
    pub clinics: Vec<clinics::ClinicSpec>,
}

impl DatabaseArgs {
    /// The database URL; creates the data directory (owner-only) for the default SQLite file.
    pub fn url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        clinicdesk_security::secrets::private_dir(&self.data_dir)
            .with_context(|| format!("cannot create data directory {}", self.data_dir.display()))?;
        Ok(format!(
            "sqlite://{}",
            self.data_dir.join("clinicdesk.db").display()
        ))
    }

    pub fn secrets_dir(&self) -> PathBuf {
        self.secrets_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("secrets"))
    }

    pub fn secrets(&self) -> anyhow::Result<clinicdesk_api::Secrets> {
        let dir = self.secrets_dir();
        clinicdesk_api::Secrets::configured(&dir)
            .with_context(|| format!("cannot load the key rings ({})", dir.display()))
    }

    /// The database and key rings a subcommand works on: the first clinic's, or the one
    /// `--clinic` names.
    pub fn administered(&self) -> anyhow::Result<DatabaseArgs> {
        match self.clinics.as_slice() {
            [] => Ok(self.clone()),
            [clinic] => Ok(self.of_clinic(clinic)?),
            _ => anyhow::bail!("a command works on one clinic: give --clinic once"),
        }
    }

    /// The arguments that open `clinic` the way these open the first clinic.
    pub fn of_clinic(&self, clinic: &clinics::ClinicSpec) -> anyhow::Result<DatabaseArgs> {
        Ok(DatabaseArgs {
            database_url: Some(clinic.url(&self.data_dir)?),
            data_dir: self.data_dir.clone(),
            secrets_dir: Some(clinic.secrets_dir(&self.secrets_dir())),
            clinics: Vec::new(),
        })
    }

    /// The database, migrated, its audit trail ready for writes (the subcommands'). A
    /// database that syncs with no upstream is a central server's: what a command writes
    /// there is logged for the devices, and its audit check verifies the devices' chains by
    /// their signatures.
    pub async fn open(&self) -> anyhow::Result<Db> {
        let url = self.url()?;
        let db = Db::open(&url, self.secrets()?.audit)
            .await
            .with_context(|| format!("cannot open the database {}", redact_url(&url)))?;
        let state = {
            let mut conn = db.conn().await?;
            clinicdesk_store::sync_node::state(&mut conn).await?
        };
        db.set_central(state.upstream_url.is_none());
        Ok(db)
    }
}

/// A database URL without its password, for messages.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

#[derive(clap::Args, Debug)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "CLINICDESK_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[command(flatten)]
    database: DatabaseArgs,
    /// Mark the refresh cookie `Secure`: set it when clients reach the server over HTTPS
    /// (a TLS proxy in front of it).
    #[arg(long, env = "CLINICDESK_SECURE_COOKIES")]
    secure_cookies: bool,
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
    /// Seconds within which a replaced refresh token presented again counts as two tabs
    /// racing rather than theft (tests set 0).
    #[arg(long, default_value_t = 10, hide = true)]
    refresh_reuse_grace_secs: i64,
    /// Requests per hour per user on general routes (per client address for requests
    /// without a valid token: login, refresh, …).
    #[arg(long, env = "CLINICDESK_RATE_LIMIT_GENERAL", default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000_000))]
    rate_limit_general: u32,
    /// Requests per hour per user on analytics routes.
    #[arg(long, env = "CLINICDESK_RATE_LIMIT_ANALYTICS", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000_000))]
    rate_limit_analytics: u32,
    /// Requests per hour per user on recommendation routes.
    #[arg(long, env = "CLINICDESK_RATE_LIMIT_RECOMMENDATIONS", default_value_t = 50,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000_000))]
    rate_limit_recommendations: u32,
    /// Requests per hour per client address on the sync routes (push and pull of devices).
    #[arg(long, env = "CLINICDESK_RATE_LIMIT_SYNC", default_value_t = 100_000,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000_000))]
    rate_limit_sync: u32,
    /// Failed logins for one username after which answers slow down.
    #[arg(long, env = "CLINICDESK_LOGIN_DELAY_AFTER", default_value_t = 5)]
    login_delay_after: u32,
    /// Failed logins for one username after which it is locked.
    #[arg(long, env = "CLINICDESK_LOGIN_LOCK_AFTER", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..))]
    login_lock_after: u32,
    /// Failed logins from one client address after which answers slow down.
    #[arg(
        long,
        env = "CLINICDESK_LOGIN_CLIENT_DELAY_AFTER",
        default_value_t = 10
    )]
    login_client_delay_after: u32,
    /// Failed logins from one client address after which it is locked.
    #[arg(long, env = "CLINICDESK_LOGIN_CLIENT_LOCK_AFTER", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..))]
    login_client_lock_after: u32,
    /// How long a lock lasts, in minutes (also how long failures are remembered).
    #[arg(long, env = "CLINICDESK_LOGIN_LOCK_MINUTES", default_value_t = 15,
          value_parser = clap::value_parser!(u64).range(1..=1440))]
    login_lock_minutes: u64,
    /// Reverse proxies whose `X-Forwarded-For` names the client (IP addresses,
    /// comma-separated). Without any, the header is ignored and the TCP peer is the client.
    #[arg(long, env = "CLINICDESK_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxy: Vec<IpAddr>,
    /// Seconds a client has to send a request's headers (slow-header attacks); keep-alive
    /// connections idle for as long are closed too.
    #[arg(long, env = "CLINICDESK_HEADER_READ_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_read_timeout_secs: u64,
    /// Run as a sync node of this central server (a branch server, or a headless node in tests
    /// and scripts) instead of being a central server: its writes wait in its outbox and
    /// sync in the background. Connect it with `POST /api/v1/sync/connect`, or give
    /// `--upstream-username` and `CLINICDESK_UPSTREAM_PASSWORD` to connect at start.
    #[arg(long, env = "CLINICDESK_UPSTREAM")]
    upstream: Option<String>,
    /// Connect to `--upstream` at start as this admin or manager (once; the device secret is
    /// kept in the secrets directory, owner-only).
    #[arg(long, env = "CLINICDESK_UPSTREAM_USERNAME", requires = "upstream")]
    upstream_username: Option<String>,
    /// Milliseconds between sync rounds on a node.
    #[arg(long, env = "CLINICDESK_SYNC_INTERVAL_MS", default_value_t = 5000,
          value_parser = clap::value_parser!(u64).range(100..=3_600_000))]
    sync_interval_ms: u64,
    /// Changes per pull page on a node (1–5,000).
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(i64).range(1..=5000))]
    sync_pull_limit: i64,
    /// Seconds this process's sync clock runs ahead (negative: behind) of the system clock: how
    /// the tests play a laptop whose clock is wrong.
    #[arg(long, hide = true, default_value_t = 0, allow_hyphen_values = true)]
    clock_offset_secs: i64,
    /// Exit when standard input closes (lets a test harness own the server's lifetime).
    #[arg(long, hide = true)]
    exit_on_stdin_close: bool,
}

impl Args {
    fn limits(&self) -> LimitConfig {
        let lock_seconds = self.login_lock_minutes * 60;
        LimitConfig {
            general_per_hour: self.rate_limit_general,
            analytics_per_hour: self.rate_limit_analytics,
            recommendations_per_hour: self.rate_limit_recommendations,
            sync_per_hour: self.rate_limit_sync,
            login_username: LockoutPolicy {
                delay_after: self.login_delay_after,
                lock_after: self.login_lock_after,
                lock_seconds,
            },
            login_client: LockoutPolicy {
                delay_after: self.login_client_delay_after,
                lock_after: self.login_client_lock_after,
                lock_seconds,
            },
            trusted_proxies: self.trusted_proxy.clone(),
        }
    }
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if format == "pretty" {
        builder.init();
    } else {
        // The request's span (ids, method, path) once per line, not also as a list.
        builder
            .json()
            .flatten_event(true)
            .with_span_list(false)
            .init();
    }
}

/// Every clinic's API and web UI: the first at `/`, the others under `/clinics/<slug>/`.
fn app(first: AppState, others: &[AppState], ui_dir: &std::path::Path) -> Router {
    let ui_built = ui_dir.join("index.html").is_file();
    if !ui_built {
        tracing::warn!(ui_dir = %ui_dir.display(), "web UI not built; serving the API only");
    }
    let mut app = clinic_app(first, ui_dir, ui_built);
    for state in others {
        let prefix = state.path_prefix.clone();
        // The UI's assets are relative: it must be opened at `/clinics/<slug>/`.
        let slash = format!("{prefix}/");
        app = app
            .route(
                &prefix,
                axum::routing::get(
                    move || async move { axum::response::Redirect::permanent(&slash) },
                ),
            )
            .nest(&prefix, clinic_app(state.clone(), ui_dir, ui_built));
    }
    // A clinic not hosted here: the API's own not-found, not the web UI's page, so a node
    // given a wrong clinic address says so.
    app.route(
        "/clinics/{slug}/api/{*rest}",
        axum::routing::any(|| async {
            (
                axum::http::StatusCode::NOT_FOUND,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                clinicdesk_api::transport_error_body(clinicdesk_domain::ErrorCode::NotFound),
            )
        }),
    )
    .layer(axum::middleware::from_fn(security_headers))
}

/// One clinic's API plus the web UI: unknown non-API paths get `index.html` so client-side
/// routes work.
fn clinic_app(state: AppState, ui_dir: &std::path::Path, ui_built: bool) -> Router {
    let api = clinicdesk_api::router(state);
    if !ui_built {
        return api;
    }
    let ui = ServeDir::new(ui_dir).fallback(ServeFile::new(ui_dir.join("index.html")));
    api.fallback_service(ui)
}

/// What the web UI may load and do, for every answer that does not set its own policy: its
/// own scripts, styles, fonts and API only; no framing (clickjacking), no MIME sniffing, no
/// referrer leaving the page.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

async fn security_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    resp
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
    if state.sync_engine.is_none() {
        let logged = clinicdesk_store::sync_node::log_unlogged_rows(&state.db, &state.now_text())
            .await
            .context("cannot log the rows for the devices")?;
        if logged > 0 {
            tracing::info!(rows = logged, "rows logged for the devices to pull");
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
    // An administrator's command: one plain line on failure, not a backtrace.
    let outcome = match cli.command {
        Some(Command::Users(users)) => users_cmd::run(users).await,
        Some(Command::Audit(audit)) => admin_cmd::audit(audit).await,
        Some(Command::Keys(keys)) => admin_cmd::keys(keys),
        Some(Command::Train(train)) => train_cmd::run(train).await,
        None => return serve(cli.serve).await,
    };
    if let Err(e) = outcome {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
    Ok(())
}

async fn serve(args: Args) -> anyhow::Result<()> {
    init_logging(&args.log_format);
    clinicdesk_sync::clock::set_clock_offset_secs(args.clock_offset_secs);
    clinics::check_unique(&args.database.clinics)?;
    if args.upstream.is_some() && !args.database.clinics.is_empty() {
        anyhow::bail!(
            "--clinic is for a central server: a node (--upstream) belongs to one clinic, the one its upstream URL names"
        );
    }
    let url = args.database.url()?;
    let secrets = args.database.secrets()?;
    let db = Db::connect(&url)
        .await
        .with_context(|| "cannot open the database".to_string())?;
    // A server never offers the first-run set-up screen: its first administrator is made with
    // `clinicdesk-server users create`.
    let engine = args.upstream.as_ref().map(|_| {
        let store: std::sync::Arc<dyn clinicdesk_security::SecretStore> = std::sync::Arc::new(
            clinicdesk_security::FileSecrets::new(args.database.secrets_dir()),
        );
        let config = clinicdesk_api::sync_engine::EngineConfig {
            interval: Duration::from_millis(args.sync_interval_ms),
            pull_limit: args.sync_pull_limit,
            ..Default::default()
        };
        clinicdesk_api::sync_engine::SyncEngine::new(
            db.clone(),
            store,
            config,
            std::sync::Arc::new(chrono::Utc::now),
        )
    });
    let state = clinic_state(&args, db, secrets, engine.clone()).with_demo_mode(args.demo);
    let mut others = Vec::new();
    for clinic in &args.database.clinics {
        let opened = args.database.of_clinic(clinic)?;
        let url = opened.url()?;
        let db = Db::connect(&url)
            .await
            .with_context(|| format!("cannot open the database of clinic {}", clinic.slug))?;
        let mut state = clinic_state(&args, db, opened.secrets()?, None);
        state.path_prefix = clinic.path_prefix();
        others.push(state);
    }

    // Listen first and warm up behind /readyz, so orchestrators see the process alive at once.
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    tracing::info!(addr = %listener.local_addr()?, "listening");

    for clinic in &others {
        let (warming, prefix) = (clinic.clone(), clinic.path_prefix.clone());
        tokio::spawn(async move {
            if let Err(e) = warm_up(warming, false, 0).await {
                tracing::error!(clinic = %prefix, error = %format!("{e:#}"), "warm-up failed");
                std::process::exit(1);
            }
            tracing::info!(clinic = %prefix, "clinic ready");
        });
    }
    let (warming, demo, demo_customers) = (state.clone(), args.demo, args.demo_customers);
    let upstream = args
        .upstream
        .clone()
        .zip(args.upstream_username.clone())
        .map(|(url, user)| {
            (
                url,
                user,
                std::env::var("CLINICDESK_UPSTREAM_PASSWORD").unwrap_or_default(),
            )
        });
    tokio::spawn(async move {
        if let Err(e) = warm_up(warming, demo, demo_customers).await {
            // Without a migrated database the server cannot do anything useful.
            tracing::error!(error = %format!("{e:#}"), "warm-up failed");
            std::process::exit(1);
        }
        if let Some(engine) = engine {
            if let Some((url, user, password)) = upstream {
                connect_at_start(&engine, &url, &user, &password).await;
            }
            engine.spawn();
        }
    });
    let options = serve::ServeOptions {
        header_read_timeout: Duration::from_secs(args.header_read_timeout_secs),
    };
    serve::serve(
        listener,
        app(state.clone(), &others, &args.ui_dir),
        options,
        shutdown_signal(args.exit_on_stdin_close),
    )
    .await;
    state.db.close().await;
    for clinic in others {
        clinic.db.close().await;
    }
    Ok(())
}

/// A clinic's state with this process's settings (rate limits and login locks counted per
/// clinic).
fn clinic_state(
    args: &Args,
    db: Db,
    secrets: clinicdesk_api::Secrets,
    engine: Option<std::sync::Arc<clinicdesk_api::sync_engine::SyncEngine>>,
) -> AppState {
    let mut state = AppState::new(db, secrets)
        .with_limits(args.limits())
        .with_sync_engine(engine);
    state.secure_cookies = args.secure_cookies;
    state.refresh_reuse_grace_seconds = args.refresh_reuse_grace_secs;
    state
}

/// `--upstream-username`: connects once, unless this node is connected already.
async fn connect_at_start(
    engine: &std::sync::Arc<clinicdesk_api::sync_engine::SyncEngine>,
    url: &str,
    user: &str,
    password: &str,
) {
    match engine.status().await {
        Ok(s) if s["connected"] == true => return,
        Ok(_) => {}
        Err(e) => {
            tracing::error!(code = e.0.code.as_str(), "cannot read the sync state");
            return;
        }
    }
    let name = format!("headless node {}", std::process::id());
    let actor = clinicdesk_store::Actor::system(&format!("connect:{user}"));
    match engine.connect(&actor, url, user, password, &name).await {
        Ok(device) => tracing::info!(device_id = %device, upstream = %url, "connected"),
        Err(e) => {
            tracing::error!(code = e.0.code.as_str(), message = %e.0.message, "cannot connect upstream");
            return;
        }
    }
    // The account that connected logs in here — offline too — with the password the server
    // just confirmed, as soon as it has come down.
    engine.keep_verifier(user, password);
}

#[cfg(test)]
mod tests;
