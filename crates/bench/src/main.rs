//! `clinicdesk-bench`: ClinicDesk's benchmark harness (issue 3).
//!
//! Builds or reuses a demo data set of `--customers N` on SQLite and PostgreSQL, then measures
//! - latency per endpoint (p50/p99/max/mean after a warm-up, random ids from a seeded RNG) on
//!   three transports: the `Router` in-process on SQLite (as the desktop calls it), and the
//!   server binary over HTTP on SQLite and on PostgreSQL;
//! - server throughput with `--concurrency` keep-alive clients for `--duration-secs` against
//!   customer detail and a name search;
//! - the desktop app under tauri-driver: time to the first interactive screen, and the
//!   resident memory of all its processes after opening a customer;
//! - the analytics suite (issue 11, `analytics.rs`): the analytics, recommendation, segment,
//!   model and chart endpoints in-process on SQLite, warm and on the first request after a
//!   write, model training, roll-up rebuilds, and the pure cores (`micro.rs`: k-means,
//!   predict, Holt-Winters, chart rendering); `--analytics-only` runs just that;
//!
//! and writes a Markdown report plus the same figures as JSON to `--out`. It exits non-zero
//! when any call failed or a phase could not run; missed targets are reported, not fatal.
//! `scripts/bench.sh` is the documented way to run it (`--smoke` for CI).

mod analytics;
mod client;
mod dataset;
mod desktop;
mod load;
mod logins;
mod micro;
mod procs;
mod report;
mod server;
mod stats;
mod sync;
mod sysinfo;
mod targets;
mod workload;

/// glibc's allocator spent a third of a request's CPU time in malloc/free under concurrent
/// load (measured with perf); mimalloc's per-thread heaps do not contend.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::Context;
use clap::Parser;
use client::Client;
use clinicdesk_api::AppState;
use clinicdesk_store::Db;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use report::{Report, ThroughputRow};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use targets::Transport;
use workload::{Fixtures, LatencyOptions, PASSWORD};

#[derive(Parser, Debug)]
#[command(
    name = "clinicdesk-bench",
    about = "ClinicDesk benchmark: latency per endpoint on three transports, server throughput, desktop start-up and memory, the analytics suite"
)]
struct Args {
    /// Size of the demo data set (100000 gives ~2M visits and ~150k package purchases).
    #[arg(long)]
    customers: usize,
    /// Measured calls per endpoint and transport.
    #[arg(long, default_value_t = 1000)]
    calls: usize,
    /// Unmeasured calls before them.
    #[arg(long, default_value_t = 100)]
    warmup: usize,
    /// Concurrent clients of the throughput run.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Length of each throughput run.
    #[arg(long, default_value_t = 10)]
    duration_secs: u64,
    /// PostgreSQL admin URL; the data set goes into database `clinicdesk_bench_N` beside it.
    #[arg(
        long,
        env = "CLINICDESK_BENCH_PG_URL",
        default_value = "postgres://clinicdesk:clinicdesk@127.0.0.1:5432/postgres"
    )]
    pg_url: String,
    /// Leave out PostgreSQL.
    #[arg(long)]
    no_postgres: bool,
    /// Leave out the server (HTTP latency and throughput, hence PostgreSQL too).
    #[arg(long)]
    no_http: bool,
    /// Leave out the desktop app.
    #[arg(long)]
    no_desktop: bool,
    /// Leave out the sync figures (central server and nodes).
    #[arg(long)]
    no_sync: bool,
    /// Only the sync figures (the data sets are still built or reused).
    #[arg(long)]
    sync_only: bool,
    /// Leave out the analytics suite (issue 11).
    #[arg(long)]
    no_analytics: bool,
    /// Only the analytics suite, in-process on the SQLite data set.
    #[arg(long)]
    analytics_only: bool,
    /// Analytics: writes, each followed by one timed request, per cold (first request after a
    /// write) figure; 0 leaves the cold figures out.
    #[arg(long, default_value_t = 3)]
    cold_repeats: usize,
    /// Analytics: measured calls per chart and format (default: --calls / 10, at least 3).
    #[arg(long)]
    chart_calls: Option<usize>,
    /// Analytics: runs of each pure micro-benchmark.
    #[arg(long, default_value_t = 3)]
    micro_reps: usize,
    /// Analytics: k-means is also timed on this many times the data set's rows (jittered
    /// copies; 10 turns 100k customers into 1M rows).
    #[arg(long, default_value_t = 10)]
    kmeans_multiplier: usize,
    /// Analytics: leave out the pure micro-benchmarks.
    #[arg(long)]
    no_micro: bool,
    /// Use this SQLite data set instead of building `<data-dir>/clinicdesk-N.sqlite` (its key
    /// ring must be in `<data-dir>/secrets`). The runs write to it: pass a copy.
    #[arg(long)]
    sqlite_file: Option<PathBuf>,
    /// Where data sets are built and reused.
    #[arg(long, default_value = "bench-data")]
    data_dir: PathBuf,
    /// Where the report (bench-N.md, bench-N.json) and logs go.
    #[arg(long, default_value = "bench-results")]
    out: PathBuf,
    /// Seed of the request generator.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Stop an endpoint's latency run after this many seconds (0: never); the report says so.
    #[arg(long, default_value_t = 0)]
    max_endpoint_secs: u64,
    /// The server binary (default: next to this binary).
    #[arg(long, env = "CLINICDESK_SERVER_BIN")]
    server_bin: Option<PathBuf>,
    /// The desktop binary (default: next to this binary).
    #[arg(long, env = "CLINICDESK_DESKTOP_BIN")]
    desktop_bin: Option<PathBuf>,
}

fn init_logging(path: &Path) -> anyhow::Result<()> {
    let file = std::fs::File::create(path)?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // Like the desktop: the in-process router logs one line per request.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .init();
    Ok(())
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    match run(&args).await {
        Ok(passed) => std::process::exit(if passed { 0 } else { 1 }),
        Err(e) => {
            eprintln!("bench: {e:#}");
            std::process::exit(2);
        }
    }
}

async fn run(args: &Args) -> anyhow::Result<bool> {
    let started = Instant::now();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let logs = args.out.join("logs");
    std::fs::create_dir_all(&logs)?;
    let n = args.customers;
    init_logging(&logs.join(format!("bench-{n}.log")))?;

    let header = report::Header {
        date: chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        git_commit: sysinfo::git_commit(),
        build_profile: sysinfo::build_profile().into(),
        cores: sysinfo::cores(),
        cpu_model: sysinfo::cpu_model(),
        memory_total_mib: sysinfo::memory_total_mib(),
        os: sysinfo::os(),
        customers_requested: n,
        calls: args.calls,
        warmup: args.warmup,
        concurrency: args.concurrency,
        duration_secs: args.duration_secs,
        seed: args.seed,
        command: std::env::args()
            .map(|a| {
                if a.starts_with("postgres") {
                    dataset::redact(&a)
                } else {
                    a
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    };
    let mut r = Report {
        header,
        ..Default::default()
    };
    if sysinfo::build_profile() != "release" {
        eprintln!("bench: WARNING: this is a DEBUG build; the figures are not representative");
    }
    let server_bin = args
        .server_bin
        .clone()
        .unwrap_or_else(|| server::sibling_binary("clinicdesk-server"));
    let desktop_bin = args
        .desktop_bin
        .clone()
        .unwrap_or_else(|| server::sibling_binary("clinicdesk-desktop"));
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let latency = LatencyOptions {
        calls: args.calls,
        warmup: args.warmup,
        max_endpoint_secs: args.max_endpoint_secs,
    };

    dataset::use_secrets_dir(&args.data_dir)?;
    // --- SQLite: in-process, then the server over HTTP ---------------------------------
    // (--sync-only with PostgreSQL needs no SQLite data set.)
    let sqlite = if args.sync_only && !args.no_postgres {
        Err(anyhow::anyhow!("not needed"))
    } else if let Some(file) = &args.sqlite_file {
        dataset::sqlite_existing(file).await
    } else {
        dataset::sqlite(&args.data_dir, n).await
    };
    let only_analytics = args.analytics_only;
    match sqlite {
        Err(_) if args.sync_only && !args.no_postgres => {}
        Err(e) => r.failures.push(format!("SQLite data set: {e:#}")),
        Ok((path, ds)) => {
            r.datasets.push(ds);
            let url = dataset::sqlite_url(&path);
            match dataset::read_into_page_cache(&path) {
                Ok(bytes) => r.notes.push(format!(
                    "the SQLite file ({} MiB) is read once before measuring, so the OS page cache \
                     holds it as on a machine in daily use",
                    bytes >> 20
                )),
                Err(e) => r.failures.push(format!("reading the SQLite data set: {e}")),
            }
            let opened = ds_opened(&r);
            if args.sync_only || only_analytics {
                r.skipped.push(format!(
                    "latency and throughput ({})",
                    if only_analytics {
                        "--analytics-only"
                    } else {
                        "--sync-only"
                    }
                ));
            } else {
                match in_process(&url, &latency, &mut rng).await {
                    Ok(rows) => r.latency.extend(rows),
                    Err(e) => r.failures.push(format!("in-process (SQLite): {e:#}")),
                }
            }
            if args.no_analytics || args.sync_only {
                r.skipped.push(format!(
                    "analytics suite ({})",
                    if args.sync_only {
                        "--sync-only"
                    } else {
                        "--no-analytics"
                    }
                ));
            } else {
                let opts = analytics::Options {
                    calls: args.calls,
                    warmup: args.warmup,
                    chart_calls: args.chart_calls.unwrap_or((args.calls / 10).max(3)),
                    cold_repeats: args.cold_repeats,
                    micro_reps: args.micro_reps.max(1),
                    kmeans_multiplier: args.kmeans_multiplier.max(1),
                    no_micro: args.no_micro,
                };
                eprintln!("bench: analytics suite on {}", path.display());
                r.analytics = Some(analytics::run(&path, opened, &opts, &mut rng).await);
            }
            if args.no_http || args.sync_only || only_analytics {
                r.skipped.push(format!(
                    "HTTP server on SQLite ({})",
                    if only_analytics {
                        "--analytics-only"
                    } else if args.sync_only {
                        "--sync-only"
                    } else {
                        "--no-http"
                    }
                ));
            } else {
                let log = logs.join(format!("server-sqlite-{n}.log"));
                if let Err(e) = over_http(
                    &mut r,
                    "sqlite",
                    Transport::HttpSqlite,
                    &url,
                    &server_bin,
                    &log,
                    args,
                    &latency,
                    &mut rng,
                )
                .await
                {
                    r.failures.push(format!("HTTP server (SQLite): {e:#}"));
                }
            }
        }
    }

    // --- PostgreSQL over HTTP -----------------------------------------------------------
    if args.no_postgres || args.no_http || args.sync_only || args.analytics_only {
        r.skipped.push(format!(
            "PostgreSQL latency and throughput ({})",
            if args.no_postgres {
                "--no-postgres"
            } else if args.sync_only {
                "--sync-only"
            } else if args.analytics_only {
                "--analytics-only"
            } else {
                "--no-http"
            }
        ));
    } else {
        match dataset::postgres(&args.pg_url, n).await {
            Err(e) => r.failures.push(format!("PostgreSQL data set: {e:#}")),
            Ok((url, ds)) => {
                r.datasets.push(ds);
                let log = logs.join(format!("server-postgres-{n}.log"));
                if let Err(e) = over_http(
                    &mut r,
                    "postgres",
                    Transport::HttpPostgres,
                    &url,
                    &server_bin,
                    &log,
                    args,
                    &latency,
                    &mut rng,
                )
                .await
                {
                    r.failures.push(format!("HTTP server (PostgreSQL): {e:#}"));
                }
            }
        }
    }

    // --- Sync: the central server on the data set, nodes beside it ---------------------
    if args.no_sync || args.no_http || args.analytics_only {
        r.skipped.push(format!(
            "sync ({})",
            if args.no_sync {
                "--no-sync"
            } else if args.analytics_only {
                "--analytics-only"
            } else {
                "--no-http"
            }
        ));
    } else {
        let central = if args.no_postgres {
            match &args.sqlite_file {
                Some(file) => dataset::sqlite_existing(file).await,
                None => dataset::sqlite(&args.data_dir, n).await,
            }
            .map(|(path, _)| dataset::sqlite_url(&path))
        } else {
            dataset::postgres(&args.pg_url, n).await.map(|(url, _)| url)
        };
        let outcome = async {
            let url = central?;
            let db = dataset::open(&url).await?;
            let ids = workload::load_fixtures(&db).await?.customer_ids;
            db.close().await;
            sync::run(
                &server_bin,
                &url,
                &ids,
                &args.data_dir.join(format!("sync-nodes-{n}")),
                &logs,
            )
            .await
        }
        .await;
        match outcome {
            Ok(figures) => r.sync = figures,
            Err(e) => r.failures.push(format!("sync: {e:#}")),
        }
    }

    // --- Desktop ------------------------------------------------------------------------
    if args.no_desktop || args.sync_only || args.analytics_only {
        r.desktop.skipped = Some(
            if args.sync_only {
                "--sync-only"
            } else if args.analytics_only {
                "--analytics-only"
            } else {
                "--no-desktop"
            }
            .into(),
        );
    } else {
        eprintln!("bench: desktop app {}", desktop_bin.display());
        r.desktop = desktop::run(&desktop::DesktopOptions {
            bin: desktop_bin,
            log: logs.join(format!("desktop-{n}.log")),
            user: "staff".into(),
            password: PASSWORD.into(),
        })
        .await;
        if let Some(s) = &r.desktop.skipped {
            eprintln!("bench: desktop skipped: {s}");
        }
    }

    r.notes.push(format!(
        "latency: one call at a time; the time covers sending the request and reading the whole \
         body. Throughput: closed loop, the load generator runs on the same {} cores as the server.",
        r.header.cores
    ));
    r.notes.push(
        "the runs write to the data set (visits against packages, occupation updates); \
         package sessions are chosen so none is ever overdrawn"
            .into(),
    );
    r.notes.push(format!(
        "logs: {}; run took {:.0} s",
        logs.display(),
        started.elapsed().as_secs_f64()
    ));

    let md = report::markdown(&r);
    let md_path = args.out.join(format!("bench-{n}.md"));
    let json_path = args.out.join(format!("bench-{n}.json"));
    std::fs::write(&md_path, &md)?;
    std::fs::write(&json_path, serde_json::to_string_pretty(&r)?)?;
    println!("{md}");
    eprintln!(
        "bench: wrote {} and {}",
        md_path.display(),
        json_path.display()
    );
    Ok(r.passed())
}

/// How long the SQLite data set took to open, and the migration it was at before, when
/// this build migrated it.
fn ds_opened(r: &Report) -> Option<(f64, Option<i64>)> {
    r.datasets
        .iter()
        .rev()
        .find(|d| d.database == "sqlite")
        .and_then(|d| d.opened_secs.map(|s| (s, d.migrated_from)))
}

async fn in_process(
    url: &str,
    latency: &LatencyOptions,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<Vec<report::LatencyRow>> {
    let db = Db::connect(url).await?;
    // The benchmark logs in with the demo accounts of its data set: demo mode.
    let state = AppState::new(db.clone(), dataset::secrets()?).with_demo_mode(true);
    state.prepare().await?;
    let client = Client::InProcess(clinicdesk_api::router(state));
    let result = async {
        let fixtures = workload::load_fixtures(&db).await?;
        workload::run_latency(
            &client,
            Transport::InProcessSqlite,
            &fixtures,
            &db,
            latency,
            rng,
        )
        .await
    }
    .await;
    drop(client);
    db.close().await;
    result
}

/// Logins sent at once in the `/healthz`-under-logins phase (issue 7: "100 logins in flight").
const LOGINS_IN_FLIGHT: usize = 100;

#[allow(clippy::too_many_arguments)]
async fn over_http(
    r: &mut Report,
    database: &str,
    transport: Transport,
    url: &str,
    server_bin: &Path,
    log: &Path,
    args: &Args,
    latency: &LatencyOptions,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<()> {
    let db = dataset::open(url).await?;
    let fixtures = workload::load_fixtures(&db).await?;
    eprintln!("bench: starting the server on {database}");
    let server = match server::start(server_bin, url, log).await {
        Ok(s) => s,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let result = async {
        let client = Client::http(&server.base, 1);
        let rows = workload::run_latency(&client, transport, &fixtures, &db, latency, rng).await;
        match rows {
            Ok(rows) => r.latency.extend(rows),
            Err(e) => r.failures.push(format!("{}: {e:#}", transport.label())),
        }
        throughput(r, database, &server.base, &client, &fixtures, args).await?;
        eprintln!("bench: /healthz while {LOGINS_IN_FLIGHT} logins are in flight ({database})");
        let row = logins::run(&server.base, database, "staff", PASSWORD, LOGINS_IN_FLIGHT).await;
        eprintln!(
            "  idle p50 {:.2} p99 {:.2} ms; during {} logins ({:.2} s, {} probes) p50 {:.2} p99 {:.2} max {:.2} ms",
            row.idle.p50_ms,
            row.idle.p99_ms,
            row.logins,
            row.logins_secs,
            row.under_logins.count,
            row.under_logins.p50_ms,
            row.under_logins.p99_ms,
            row.under_logins.max_ms
        );
        for e in row.errors.iter().take(3) {
            r.failures.push(format!("/healthz under logins ({database}): {e}"));
        }
        r.logins.push(row);
        Ok(())
    }
    .await;
    server.stop().await;
    db.close().await;
    result
}

async fn throughput(
    r: &mut Report,
    database: &str,
    base: &str,
    client: &Client,
    f: &Fixtures,
    args: &Args,
) -> anyhow::Result<()> {
    let token = client.login("staff", PASSWORD).await?;
    let ids = Arc::new(f.customer_ids.clone());
    let names = Arc::new(f.name_fragments.clone());
    let runs: [(&str, &str, bool, load::PathGen); 3] = [
        (
            "detail",
            "customer detail",
            true,
            Arc::new(move |rng: &mut ChaCha8Rng| {
                use rand::Rng;
                format!(
                    "/api/v1/customers/{}/detail",
                    ids[rng.gen_range(0..ids.len())]
                )
            }),
        ),
        (
            "search_name",
            "search: name fragment",
            false,
            Arc::new(move |rng: &mut ChaCha8Rng| {
                use rand::Rng;
                format!(
                    "/api/v1/customers/search?q={}",
                    client::encode(&names[rng.gen_range(0..names.len())])
                )
            }),
        ),
        // The ceiling of this load generator + HTTP stack on this machine, without the
        // database: tells a slow endpoint from a saturated client.
        (
            "healthz",
            "calibration: /healthz",
            false,
            Arc::new(|_: &mut ChaCha8Rng| "/healthz".to_string()),
        ),
    ];
    for (i, (key, label, has_target, gen)) in runs.into_iter().enumerate() {
        eprint!(
            "bench: throughput {database:<9} {label:<24} {} clients × {} s",
            args.concurrency, args.duration_secs
        );
        let res = load::run(
            base,
            &token,
            args.concurrency,
            Duration::from_secs(args.duration_secs),
            gen,
            args.seed.wrapping_add(i as u64 * 1_000_003),
        )
        .await;
        let summary = res.samples.summary();
        let mut row = ThroughputRow::new(
            database,
            key,
            label,
            args.concurrency,
            res.elapsed.as_secs_f64(),
            summary,
            has_target,
        );
        row.error_examples = res.samples.error_examples.clone();
        eprintln!(
            "  {:>7.0} req/s  p50 {:.2} p99 {:.2} ms  errors {}",
            row.rps, summary.p50_ms, summary.p99_ms, summary.errors
        );
        r.throughput.push(row);
    }
    Ok(())
}
