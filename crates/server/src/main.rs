//! The ClinicDesk server: serves the shared API router over HTTP (on SQLite for a single
//! site, PostgreSQL for a clinic chain) together with the web UI, with structured logs.

/// glibc's allocator spent a third of a request's CPU time in malloc/free under concurrent
/// load (measured with perf); mimalloc's per-thread heaps do not contend.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod secrets;
mod serve;

use anyhow::Context;
use axum::Router;
use clap::Parser;
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
    after_help = "Rate limits (X-RateLimit-* headers, 429 RATE_LIMIT_EXCEEDED) and login locks are \
counted in this process's memory: several server processes behind one address each count on \
their own, and a restart forgets them. Requests without a valid token are counted per client \
address (IPv6 per /64); behind a reverse proxy, name it with --trusted-proxy."
)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "CLINICDESK_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// `sqlite://path/to/file.db` or `postgres://user:pass@host/db`. Default: an SQLite file
    /// in the data directory.
    #[arg(long, env = "CLINICDESK_DATABASE_URL")]
    database_url: Option<String>,
    /// Where the default SQLite database lives (made private to this user: 0700).
    #[arg(long, env = "CLINICDESK_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// Where the key rings live (token signing, audit sealing), never in the database.
    /// Default: `<data-dir>/secrets`. `CLINICDESK_JWT_SECRET`/`_FILE` and
    /// `CLINICDESK_AUDIT_KEY`/`_FILE` override either ring.
    #[arg(long, env = "CLINICDESK_SECRETS_DIR")]
    secrets_dir: Option<PathBuf>,
    /// Mark the refresh cookie `Secure`: set it when clients reach the server over HTTPS
    /// (a TLS proxy in front of it).
    #[arg(long, env = "CLINICDESK_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Seed demo data and demo users when the database has no customers.
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

fn database_url(args: &Args) -> anyhow::Result<String> {
    if let Some(url) = &args.database_url {
        return Ok(url.clone());
    }
    clinicdesk_security::secrets::private_dir(&args.data_dir)
        .with_context(|| format!("cannot create data directory {}", args.data_dir.display()))?;
    Ok(format!(
        "sqlite://{}",
        args.data_dir.join("clinicdesk.db").display()
    ))
}

/// The API plus the web UI: unknown non-API paths get `index.html` so client-side routes work.
fn app(state: AppState, ui_dir: &std::path::Path) -> Router {
    let api = clinicdesk_api::router(state);
    let app = if ui_dir.join("index.html").is_file() {
        let ui = ServeDir::new(ui_dir).fallback(ServeFile::new(ui_dir.join("index.html")));
        api.fallback_service(ui)
    } else {
        tracing::warn!(ui_dir = %ui_dir.display(), "web UI not built; serving the API only");
        api
    };
    app.layer(axum::middleware::from_fn(security_headers))
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
    let args = Args::parse();
    init_logging(&args.log_format);
    let url = database_url(&args)?;
    let secrets_dir = args
        .secrets_dir
        .clone()
        .unwrap_or_else(|| args.data_dir.join("secrets"));
    let secrets = secrets::load(&secrets_dir)
        .with_context(|| format!("cannot load the key rings ({})", secrets_dir.display()))?;
    let db = Db::connect(&url)
        .await
        .with_context(|| "cannot open the database".to_string())?;
    let mut state = AppState::new(db, secrets).with_limits(args.limits());
    state.secure_cookies = args.secure_cookies;
    state.refresh_reuse_grace_seconds = args.refresh_reuse_grace_secs;

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
    let options = serve::ServeOptions {
        header_read_timeout: Duration::from_secs(args.header_read_timeout_secs),
    };
    serve::serve(
        listener,
        app(state.clone(), &args.ui_dir),
        options,
        shutdown_signal(args.exit_on_stdin_close),
    )
    .await;
    state.db.close().await;
    Ok(())
}

#[cfg(test)]
mod tests;
