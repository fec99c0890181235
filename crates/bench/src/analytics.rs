//! The analytics suite (issue 11): the managers' analytics, customer analytics,
//! recommendations, segments, the model endpoints and the charts, measured in-process on
//! SQLite through the router the desktop uses, plus the pure cores on their own (`micro`).
//!
//! What is measured, in this order:
//! 1. *Set-up*: opening the data set (an older file is migrated here; migration 0023 fills the
//!    clinic roll-ups from the facts), preparing the state, one rebuild of every clinic
//!    roll-up (what a first pull pays for them), reading every customer's history, and
//!    training a model version with `customer_model::train_and_store` (the segment, chart and
//!    recommendation endpoints serve from it).
//! 2. *Cold*: the first request after a write. A write to any customer raises the customers'
//!    search revision, and the next request rebuilds what is kept while it stands still: the
//!    peer population (customer analytics and behaviour) or the clinic-wide tables
//!    (`whole_clinic.rs`: recommender, segments, churn of every active customer). Each is
//!    timed `cold_repeats` times, a fresh write before each.
//! 3. *Warm*: p50/p99 over `calls` requests after `warmup`, customers drawn at random (seeded)
//!    from those with enough history to analyse, one call at a time.
//! 4. A naive year's aggregation straight over the visits, for scale.
//! 5. The pure cores (`micro.rs`): k-means, predict, Holt-Winters, chart rendering.
//!
//! Nothing here asserts a time: figures are reported against the issue's targets.

use crate::client::Client;
use crate::micro::{self, MicroInput, MicroRow};
use crate::report::ms;
use crate::stats::{Samples, Summary};
use crate::targets::{self, Verdict};
use crate::workload::PASSWORD;
use anyhow::Context;
use chrono::{Datelike, Duration as Days, NaiveDate};
use clinicdesk_api::AppState;
use clinicdesk_charts::Chart;
use clinicdesk_store::{clinic_stats, histories, Actor, Db};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

/// How many times and how hard.
#[derive(Debug, Clone)]
pub struct Options {
    /// Measured calls per endpoint.
    pub calls: usize,
    /// Unmeasured calls before them (at least one: it warms what the endpoint keeps).
    pub warmup: usize,
    /// Measured calls per chart and format (rendering is the same work for every call).
    pub chart_calls: usize,
    /// Writes, each followed by one timed request, per cold figure (0: no cold figures).
    pub cold_repeats: usize,
    /// Runs of each pure micro-benchmark (k-means at the large size: at most 2).
    pub micro_reps: usize,
    /// The large k-means size is this many times the data set's rows.
    pub kmeans_multiplier: usize,
    /// Leave out the pure micro-benchmarks.
    pub no_micro: bool,
}

/// One figure of the set-up, in seconds.
#[derive(Debug, Clone, Serialize)]
pub struct SetupFigure {
    pub name: String,
    pub seconds: f64,
    pub detail: String,
    /// `/proc/loadavg` when it was taken.
    pub load: String,
}

/// The first request after a write, timed `samples_ms.len()` times.
#[derive(Debug, Clone, Serialize)]
pub struct Cold {
    /// What is rebuilt on that request.
    pub rebuilds: String,
    pub samples_ms: Vec<f64>,
    pub min_ms: f64,
    pub median_ms: f64,
    pub max_ms: f64,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, Serialize)]
pub struct EndpointRow {
    pub key: String,
    pub label: String,
    pub request: String,
    #[serde(flatten)]
    pub summary: Summary,
    /// The issue's target, judged on p99 (warm).
    pub target_ms: Option<f64>,
    pub verdict: Verdict,
    pub cold: Option<Cold>,
    /// Bytes of the last answer.
    pub response_bytes: usize,
    pub note: Option<String>,
    pub error_examples: Vec<String>,
    pub load: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct AnalyticsReport {
    pub database: String,
    pub customers: i64,
    pub visits: i64,
    pub eligible_customers: usize,
    pub today: Option<NaiveDate>,
    pub model_version: Option<String>,
    pub model_summary: Option<String>,
    pub setup: Vec<SetupFigure>,
    pub endpoints: Vec<EndpointRow>,
    pub micro: Vec<MicroRow>,
    pub failures: Vec<String>,
    pub notes: Vec<String>,
    pub load_start: String,
    pub load_end: String,
}

impl AnalyticsReport {
    pub fn errors(&self) -> u64 {
        self.endpoints.iter().map(|e| e.summary.errors).sum()
    }

    /// Every judged figure: (what, measured, target, verdict), warm p99 and then cold.
    pub fn target_lines(&self) -> Vec<(String, String, String, Verdict)> {
        let mut out = Vec::new();
        for e in &self.endpoints {
            let Some(t) = e.target_ms else { continue };
            out.push((
                format!("{} p99, in-process (SQLite), warm", e.label),
                format!("{} ms", ms(e.summary.p99_ms)),
                format!("≤ {} ms", ms(t)),
                e.verdict,
            ));
        }
        for e in &self.endpoints {
            let (Some(t), Some(c)) = (e.target_ms, &e.cold) else {
                continue;
            };
            out.push((
                format!("{}, first request after a write (cold)", e.label),
                format!("{} ms (max {})", ms(c.median_ms), ms(c.max_ms)),
                format!("≤ {} ms", ms(t)),
                c.verdict,
            ));
        }
        out
    }
}

/// The issue's targets: customer analytics ≤ 20 ms, recommendations ≤ 50 ms, the dashboard
/// for a year ≤ 50 ms.
pub const CUSTOMER_ANALYTICS_MS: f64 = 20.0;
pub const RECOMMENDATIONS_MS: f64 = 50.0;
pub const DASHBOARD_MS: f64 = 50.0;

/// The chart names of `GET /api/v1/charts/{name}`.
pub const CHARTS: [&str; 8] = [
    "revenue-trend",
    "service-mix",
    "visit-heatmap",
    "forecast",
    "segment-scatter",
    "churn-risk",
    "allergen-distribution",
    "grade-distribution",
];

/// One endpoint of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ep {
    DashboardYear,
    DashboardMonth,
    Forecast,
    CustomerAnalytics,
    Behavior,
    Segment,
    RecService,
    RecPackage,
    RecSchedule,
    ServiceRecs,
    Related,
    Analyse,
    AnalyseBatch,
    Chart(&'static str, bool),
}

/// Profiles in one batch request (the endpoint's maximum).
pub const BATCH: usize = 1000;

impl Ep {
    pub fn all() -> Vec<Ep> {
        let mut v = vec![
            Ep::DashboardYear,
            Ep::DashboardMonth,
            Ep::Forecast,
            Ep::CustomerAnalytics,
            Ep::Behavior,
            Ep::Segment,
            Ep::RecService,
            Ep::RecPackage,
            Ep::RecSchedule,
            Ep::ServiceRecs,
            Ep::Related,
            Ep::Analyse,
            Ep::AnalyseBatch,
        ];
        for c in CHARTS {
            v.push(Ep::Chart(c, false));
            v.push(Ep::Chart(c, true));
        }
        v
    }

    pub fn key(self) -> String {
        match self {
            Ep::DashboardYear => "dashboard_year".into(),
            Ep::DashboardMonth => "dashboard_month".into(),
            Ep::Forecast => "forecast".into(),
            Ep::CustomerAnalytics => "customer_analytics".into(),
            Ep::Behavior => "customer_behavior".into(),
            Ep::Segment => "customer_segment".into(),
            Ep::RecService => "recommendations_service".into(),
            Ep::RecPackage => "recommendations_package".into(),
            Ep::RecSchedule => "recommendations_schedule".into(),
            Ep::ServiceRecs => "service_recommendations".into(),
            Ep::Related => "related_services".into(),
            Ep::Analyse => "analysis".into(),
            Ep::AnalyseBatch => "analysis_batch".into(),
            Ep::Chart(n, png) => format!("chart_{}_{}", n.replace('-', "_"), fmt(png)),
        }
    }

    pub fn label(self) -> String {
        match self {
            Ep::DashboardYear => "dashboard, a year".into(),
            Ep::DashboardMonth => "dashboard, a month".into(),
            Ep::Forecast => "forecast, revenue, 30 days".into(),
            Ep::CustomerAnalytics => "customer analytics".into(),
            Ep::Behavior => "customer behaviour".into(),
            Ep::Segment => "customer segment".into(),
            Ep::RecService => "recommendations: services".into(),
            Ep::RecPackage => "recommendations: packages".into(),
            Ep::RecSchedule => "recommendations: visit times".into(),
            Ep::ServiceRecs => "service recommendations (seed 003)".into(),
            Ep::Related => "related services of pulse".into(),
            Ep::Analyse => "analysis, one profile".into(),
            Ep::AnalyseBatch => format!("analysis batch, {BATCH} profiles"),
            Ep::Chart(n, png) => format!("chart {n} ({})", fmt(png)),
        }
    }

    pub fn request(self) -> String {
        match self {
            Ep::DashboardYear => "GET /api/v1/analytics/dashboard?period=year".into(),
            Ep::DashboardMonth => "GET /api/v1/analytics/dashboard?period=month".into(),
            Ep::Forecast => "GET /api/v1/analytics/forecast?days=30&metric=revenue".into(),
            Ep::CustomerAnalytics => "GET /api/v1/customers/{id}/analytics".into(),
            Ep::Behavior => "GET /api/v1/analytics/customers/{id}/behavior".into(),
            Ep::Segment => "GET /api/v1/customers/segments/{id}".into(),
            Ep::RecService => "GET /api/v1/customers/{id}/recommendations?type=service".into(),
            Ep::RecPackage => "GET /api/v1/customers/{id}/recommendations?type=package".into(),
            Ep::RecSchedule => "GET /api/v1/customers/{id}/recommendations?type=schedule".into(),
            Ep::ServiceRecs => "GET /api/v1/recommendations/customers/{id}/services".into(),
            Ep::Related => "GET /api/v1/recommendations/services/pulse/related".into(),
            Ep::Analyse => "POST /api/v1/analysis {a real customer's profile}".into(),
            Ep::AnalyseBatch => {
                format!("POST /api/v1/analysis/batch {{\"profiles\": [{BATCH} real customers' profiles]}}")
            }
            Ep::Chart(n, png) => format!("GET {}", chart_path(n, png)),
        }
    }

    /// The issue's target for the endpoint (p99, ms).
    pub fn target_ms(self) -> Option<f64> {
        match self {
            Ep::DashboardYear | Ep::DashboardMonth => Some(DASHBOARD_MS),
            Ep::CustomerAnalytics | Ep::Behavior | Ep::Segment => Some(CUSTOMER_ANALYTICS_MS),
            Ep::RecService | Ep::RecPackage | Ep::RecSchedule | Ep::ServiceRecs | Ep::Related => {
                Some(RECOMMENDATIONS_MS)
            }
            _ => None,
        }
    }

    /// What the first request after a write rebuilds (`None`: nothing is kept, so a write
    /// changes nothing for it).
    pub fn cold_rebuilds(self) -> Option<&'static str> {
        match self {
            Ep::CustomerAnalytics | Ep::Behavior => {
                Some("the peer population (every customer's totals, sorted)")
            }
            Ep::Segment | Ep::RecService | Ep::Related | Ep::Chart("churn-risk", false) => Some(
                "the clinic-wide tables: every history read, recommender, segments, churn of every active customer",
            ),
            _ => None,
        }
    }

    fn measured_calls(self, o: &Options) -> usize {
        match self {
            Ep::Chart(..) => o.chart_calls,
            Ep::AnalyseBatch => (o.calls / 4).max(1),
            _ => o.calls,
        }
    }

    fn warmup_calls(self, o: &Options) -> usize {
        match self {
            Ep::Chart(..) | Ep::AnalyseBatch => (o.warmup / 10).max(1),
            _ => o.warmup.max(1),
        }
    }
}

fn fmt(png: bool) -> &'static str {
    if png {
        "png"
    } else {
        "svg"
    }
}

/// The chart's request: the dashboard charts over a year, the forecast over 30 days.
fn chart_path(name: &str, png: bool) -> String {
    let extra = match name {
        "revenue-trend" | "service-mix" | "visit-heatmap" => "&period=year",
        "forecast" => "&days=30&metric=revenue",
        _ => "",
    };
    format!(
        "/api/v1/charts/{name}?format={}&width=1200&height=750{extra}",
        fmt(png)
    )
}

/// Real values the requests are made from.
pub struct Inputs {
    /// Live customers with at least two visits, the first 14 days ago or more.
    pub eligible: Vec<String>,
    /// A pool of real customers' profiles, as `POST /analysis` takes them.
    pub profiles: Vec<String>,
}

/// The concrete `i`-th request of an endpoint: method, path, body.
pub fn make_call(
    e: Ep,
    i: usize,
    inputs: &Inputs,
    rng: &mut ChaCha8Rng,
) -> (&'static str, String, Option<String>) {
    let mut id = || inputs.eligible[rng.gen_range(0..inputs.eligible.len())].clone();
    match e {
        Ep::Analyse => (
            "POST",
            "/api/v1/analysis".into(),
            Some(inputs.profiles[i % inputs.profiles.len()].clone()),
        ),
        Ep::AnalyseBatch => {
            let n = inputs.profiles.len();
            let list: Vec<&str> = (0..BATCH)
                .map(|j| inputs.profiles[(i * 7919 + j) % n].as_str())
                .collect();
            (
                "POST",
                "/api/v1/analysis/batch".into(),
                Some(format!("{{\"profiles\": [{}]}}", list.join(","))),
            )
        }
        Ep::Chart(n, png) => ("GET", chart_path(n, png), None),
        Ep::CustomerAnalytics => ("GET", format!("/api/v1/customers/{}/analytics", id()), None),
        Ep::Behavior => (
            "GET",
            format!("/api/v1/analytics/customers/{}/behavior", id()),
            None,
        ),
        Ep::Segment => ("GET", format!("/api/v1/customers/segments/{}", id()), None),
        Ep::RecService | Ep::RecPackage | Ep::RecSchedule => {
            let kind = match e {
                Ep::RecService => "service",
                Ep::RecPackage => "package",
                _ => "schedule",
            };
            (
                "GET",
                format!("/api/v1/customers/{}/recommendations?type={kind}", id()),
                None,
            )
        }
        Ep::ServiceRecs => (
            "GET",
            format!("/api/v1/recommendations/customers/{}/services", id()),
            None,
        ),
        Ep::DashboardYear | Ep::DashboardMonth | Ep::Forecast | Ep::Related => {
            let path = e.request();
            ("GET", path.trim_start_matches("GET ").to_string(), None)
        }
    }
}

/// `/proc/loadavg`'s first three fields.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

fn setup(r: &mut AnalyticsReport, name: &str, seconds: f64, detail: String) {
    eprintln!("bench: analytics: {name}: {seconds:.2} s {detail}");
    r.setup.push(SetupFigure {
        name: name.into(),
        seconds,
        detail,
        load: load(),
    });
}

/// The newest migration applied to an SQLite file, read before opening it with this build.
async fn applied_migration(path: &Path) -> Option<i64> {
    use sqlx::ConnectOptions;
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .ok()?;
    let v = sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .ok()
        .flatten();
    let _ = sqlx::Connection::close(conn).await;
    v
}

/// Runs the suite on the SQLite data set at `path` (migrated by the caller or here).
pub async fn run(
    path: &Path,
    opened: Option<(f64, Option<i64>)>,
    opts: &Options,
    rng: &mut ChaCha8Rng,
) -> AnalyticsReport {
    let mut r = AnalyticsReport {
        database: "sqlite".into(),
        load_start: load(),
        ..Default::default()
    };
    if let Some((secs, before)) = opened {
        let detail = match before {
            Some(v) => format!(
                "the file's newest migration was {v:04}; this build's migrations (and their roll-up backfill) ran here"
            ),
            None => "no migration was pending".into(),
        };
        setup(
            &mut r,
            "open the data set (migrations included)",
            secs,
            detail,
        );
    }
    if let Err(e) = run_inner(path, opts, rng, &mut r).await {
        r.failures.push(format!("analytics: {e:#}"));
    }
    r.load_end = load();
    r
}

/// Opens the data set, timing the migrations the file still needs.
pub async fn open_timed(path: &Path) -> anyhow::Result<(Db, f64, Option<i64>)> {
    let before = applied_migration(path).await;
    let t = Instant::now();
    let db = crate::dataset::open(&crate::dataset::sqlite_url(path)).await?;
    let secs = t.elapsed().as_secs_f64();
    let after = applied_migration(path).await;
    Ok((db, secs, (before != after).then_some(before).flatten()))
}

async fn run_inner(
    path: &Path,
    opts: &Options,
    rng: &mut ChaCha8Rng,
    r: &mut AnalyticsReport,
) -> anyhow::Result<()> {
    let url = crate::dataset::sqlite_url(path);
    // Opening (again) migrates nothing now; `Db::connect` is what the desktop's state uses.
    let db = crate::dataset::open(&url).await?;
    clinicdesk_demo::ensure_demo_users(&db).await?;
    let (c, v, _, _) = crate::dataset::counts(&db).await?;
    r.customers = c;
    r.visits = v;
    db.close().await;

    let db = Db::connect(&url).await?;
    let t = Instant::now();
    let state = AppState::new(db.clone(), crate::dataset::secrets()?).with_demo_mode(true);
    state.prepare().await?;
    setup(
        r,
        "prepare the state (search index, knowledge)",
        t.elapsed().as_secs_f64(),
        String::new(),
    );
    let today = state.today();
    r.today = Some(today);
    let client = Client::InProcess(clinicdesk_api::router(state.clone()));
    let outcome = measure(&state, &client, opts, rng, r).await;
    drop(client);
    db.close().await;
    outcome
}

async fn measure(
    state: &AppState,
    client: &Client,
    opts: &Options,
    rng: &mut ChaCha8Rng,
    r: &mut AnalyticsReport,
) -> anyhow::Result<()> {
    let db = &state.db;
    let today = state.today();

    // --- Every clinic roll-up rebuilt once: what a first pull pays for them ------------------
    {
        let mut conn = db.conn().await?;
        let t = Instant::now();
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        let rebuilt = clinic_stats::rebuild(&mut conn).await;
        match rebuilt {
            Ok(()) => {
                sqlx::query("COMMIT").execute(&mut *conn).await?;
            }
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                return Err(e).context("rebuilding the clinic roll-ups");
            }
        }
        setup(
            r,
            "rebuild every clinic roll-up from the facts (clinic_stats::rebuild)",
            t.elapsed().as_secs_f64(),
            "day roll-ups of visits and sales, customer_days, day_transitions; one transaction, \
             the pool's connection (a first pull uses its sorting connection)"
                .into(),
        );
    }

    // --- Every history read (what the clinic-wide tables and training start from) -----------
    let t = Instant::now();
    let all = {
        let mut conn = db.conn().await?;
        histories::all(&mut conn).await?
    };
    setup(
        r,
        "read every customer's history (histories::all)",
        t.elapsed().as_secs_f64(),
        format!(
            "{} customers, {} visits",
            all.len(),
            all.iter().map(|h| h.visits.len()).sum::<usize>()
        ),
    );

    // --- Train a model version ---------------------------------------------------------------
    let t = Instant::now();
    let trained = clinicdesk_api::customer_model::train_and_store(
        db,
        &Actor::system("bench"),
        today,
        chrono::Utc::now(),
        |_| {},
    )
    .await;
    match trained {
        Ok((stored, report)) => {
            let churn = report
                .churn
                .as_ref()
                .map(|c| {
                    format!(
                        "churn AUC {:.3} (recency baseline {:.3})",
                        c.auc, c.baseline_auc
                    )
                })
                .unwrap_or_else(|| "no churn model".into());
            let summary = format!(
                "{} customers, k = {} (silhouette {:.3}), {churn}",
                report.n_customers, report.k, report.silhouette
            );
            setup(
                r,
                "train a model version (customer_model::train_and_store)",
                t.elapsed().as_secs_f64(),
                format!(
                    "{summary}; reads every history, fits k-means for k = 2..8 (10 runs each), \
                     silhouettes, personas, the churn model with its held-out evaluation, stores the version"
                ),
            );
            r.model_version = Some(stored.version);
            r.model_summary = Some(summary);
        }
        Err(e) => r.failures.push(format!(
            "training: {} (the model endpoints will answer 503)",
            e.0.render(clinicdesk_domain::Lang::En)
        )),
    }

    // --- What the requests are made from -----------------------------------------------------
    let inputs = load_inputs(db, &all, today, rng).await?;
    r.eligible_customers = inputs.eligible.len();
    anyhow::ensure!(
        !inputs.eligible.is_empty(),
        "no customer with two visits over 14 days to analyse"
    );
    let manager = client.login("manager", PASSWORD).await?;
    let staff = client.login("staff", PASSWORD).await?;

    // --- Cold: the first request after a write -----------------------------------------------
    // A new memo on every write, so no write is a no-op (the data set is reused across runs).
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string();
    let mut colds: BTreeMap<String, Cold> = BTreeMap::new();
    let write_ids: Vec<String> = inputs.eligible.clone();
    let mut write_no = 0usize;
    if opts.cold_repeats == 0 {
        r.notes
            .push("cold figures left out (--cold-repeats 0)".into());
    }
    for e in Ep::all() {
        let Some(rebuilds) = e.cold_rebuilds() else {
            continue;
        };
        if opts.cold_repeats == 0 {
            break;
        }
        let mut samples = Vec::new();
        let token = client.login("manager", PASSWORD).await?;
        // One call first, so a cold sample never also pays for something built only once.
        let (m, p, b) = make_call(e, 0, &inputs, rng);
        let _ = client.send(m, &p, Some(&token), b.as_deref()).await;
        for i in 0..opts.cold_repeats {
            write_no += 1;
            let who = &write_ids[rng.gen_range(0..write_ids.len())];
            write_memo(
                client,
                db,
                &staff,
                who,
                &format!("벤치 콜드 {stamp} {write_no}"),
            )
            .await?;
            let (m, p, b) = make_call(e, i, &inputs, rng);
            let t0 = Instant::now();
            let resp = client.send(m, &p, Some(&token), b.as_deref()).await?;
            let took = t0.elapsed().as_secs_f64() * 1e3;
            if !resp.ok() {
                r.failures
                    .push(format!("cold {}: {m} {p} → {}", e.label(), resp.describe()));
                break;
            }
            samples.push(took);
        }
        if samples.is_empty() {
            continue;
        }
        let mut sorted = samples.clone();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[sorted.len() / 2];
        let max = sorted[sorted.len() - 1];
        eprintln!(
            "bench: analytics: cold {:<40} median {:>8.1} ms max {:>8.1} ms ({} writes)",
            e.label(),
            median,
            max,
            samples.len()
        );
        colds.insert(
            e.key(),
            Cold {
                rebuilds: rebuilds.into(),
                verdict: targets::at_most(max, e.target_ms(), 0),
                min_ms: sorted[0],
                median_ms: median,
                max_ms: max,
                samples_ms: samples,
            },
        );
    }
    // The same rebuilds timed on their own, without the request around them.
    {
        write_memo(
            client,
            db,
            &staff,
            &write_ids[0],
            &format!("벤치 콜드 {stamp} alone"),
        )
        .await?;
        let t = Instant::now();
        state.peers.current(db, today).await.map_err(|e| {
            anyhow::anyhow!(
                "peer population: {}",
                e.0.render(clinicdesk_domain::Lang::En)
            )
        })?;
        setup(
            r,
            "rebuild the peer population after a write (alone)",
            t.elapsed().as_secs_f64(),
            "every customer's totals from customer_stats, sorted".into(),
        );
        let served =
            state.customer_model.current(db).await.map_err(|e| {
                anyhow::anyhow!("model: {}", e.0.render(clinicdesk_domain::Lang::En))
            })?;
        let t = Instant::now();
        state
            .whole_clinic
            .current(db, served, today)
            .await
            .map_err(|e| {
                anyhow::anyhow!("whole clinic: {}", e.0.render(clinicdesk_domain::Lang::En))
            })?;
        setup(
            r,
            "rebuild the clinic-wide tables after a write (alone)",
            t.elapsed().as_secs_f64(),
            "histories::all, recommender, every customer's segment and peers, churn of the active"
                .into(),
        );
    }

    // --- Warm ---------------------------------------------------------------------------------
    let _ = manager;
    for e in Ep::all() {
        let token = client.login("manager", PASSWORD).await?;
        let calls = e.measured_calls(opts);
        let warmup = e.warmup_calls(opts);
        let mut samples = Samples::with_capacity(calls);
        let mut bytes = 0usize;
        eprint!("bench: analytics: {:<44}", e.label());
        for i in 0..warmup + calls {
            let (m, p, b) = make_call(e, i, &inputs, rng);
            let t0 = Instant::now();
            let resp = client.send(m, &p, Some(&token), b.as_deref()).await;
            let took = t0.elapsed();
            match resp {
                Ok(resp) if resp.ok() => {
                    if i >= warmup {
                        samples.record(took);
                    }
                    bytes = resp.body.len();
                }
                Ok(resp) => samples.error(format!("{m} {p} → {}", resp.describe())),
                Err(err) => samples.error(format!("{m} {p} → {err:#}")),
            }
        }
        let s = samples.summary();
        eprintln!(
            " p50 {:>8.2} p99 {:>8.2} max {:>8.2} ms  errors {}  load {}",
            s.p50_ms,
            s.p99_ms,
            s.max_ms,
            s.errors,
            load()
        );
        let target = e.target_ms();
        r.endpoints.push(EndpointRow {
            key: e.key(),
            label: e.label(),
            request: e.request(),
            summary: s,
            target_ms: target,
            verdict: targets::at_most(s.p99_ms, target, s.errors),
            cold: colds.remove(&e.key()),
            response_bytes: bytes,
            note: None,
            error_examples: samples.error_examples.clone(),
            load: load(),
        });
    }

    // --- A naive year's aggregation over the visits, for scale ---------------------------------
    {
        let from = (today - Days::days(364)).to_string();
        let to = today.to_string();
        let mut runs = Vec::new();
        let mut conn = db.conn().await?;
        for _ in 0..3 {
            let t = Instant::now();
            let rows = sqlx::query(
                "SELECT service_date, service_type, COUNT(*) AS n, COALESCE(SUM(amount), 0) AS krw \
                 FROM service_sessions s WHERE service_date BETWEEN $1 AND $2 \
                 AND NOT EXISTS (SELECT 1 FROM session_cancellations x WHERE x.session_id = s.id) \
                 GROUP BY 1, 2",
            )
            .bind(&from)
            .bind(&to)
            .fetch_all(&mut *conn)
            .await?;
            runs.push((t.elapsed().as_secs_f64(), rows.len()));
        }
        let best = runs.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
        setup(
            r,
            "naive: a year's visits per day and service straight from service_sessions (best of 3)",
            best,
            format!(
                "runs {}; {} rows; what the roll-ups spare the dashboard",
                runs.iter()
                    .map(|r| format!("{:.0} ms", r.0 * 1e3))
                    .collect::<Vec<_>>()
                    .join(", "),
                runs[0].1
            ),
        );
    }

    // --- The pure cores -------------------------------------------------------------------------
    if opts.no_micro {
        r.notes
            .push("micro-benchmarks left out (--no-micro)".into());
        return Ok(());
    }
    let served = state
        .customer_model
        .current(db)
        .await
        .map_err(|e| anyhow::anyhow!("model: {}", e.0.render(clinicdesk_domain::Lang::En)))?;
    let whole = match served.clone() {
        Some(s) => Some(
            state
                .whole_clinic
                .current(db, Some(s), today)
                .await
                .map_err(|e| {
                    anyhow::anyhow!("whole clinic: {}", e.0.render(clinicdesk_domain::Lang::En))
                })?,
        ),
        None => None,
    };
    let series = revenue_series(db, today - Days::days(90), today - Days::days(1)).await?;
    let mut charts = chart_inputs(db, today).await?;
    if let Some(seg) = whole.as_ref().and_then(|w| w.segments.as_ref()) {
        charts.push(("segment-scatter", seg.scatter_chart(today)));
        if let Ok(chart) = seg.churn_chart(today) {
            charts.push(("churn-risk", chart));
        }
    }
    let input = MicroInput {
        histories: all,
        today,
        artifact: served.map(|(_, a)| a),
        series,
        charts,
        reps: opts.micro_reps,
        multiplier: opts.kmeans_multiplier,
    };
    match tokio::task::spawn_blocking(move || micro::run(input)).await {
        Ok(Ok((rows, failures))) => {
            r.micro = rows;
            r.failures.extend(
                failures
                    .into_iter()
                    .map(|f| format!("micro-benchmarks: {f}")),
            );
        }
        Ok(Err(e)) => r.failures.push(format!("micro-benchmarks: {e:#}")),
        Err(e) => r.failures.push(format!("micro-benchmarks stopped: {e}")),
    }
    Ok(())
}

/// Edits a customer's memo through the API and checks that the customers' revision rose —
/// what makes the next request rebuild what is kept (a no-op write would time a warm call).
async fn write_memo(
    client: &Client,
    db: &Db,
    token: &str,
    customer: &str,
    memo: &str,
) -> anyhow::Result<()> {
    let before = {
        let mut conn = db.conn().await?;
        clinicdesk_store::stats::revision(&mut conn).await?
    };
    let w = client
        .send(
            "PUT",
            &format!("/api/v1/customers/{customer}"),
            Some(token),
            Some(&json!({ "memo": memo }).to_string()),
        )
        .await?;
    anyhow::ensure!(
        w.ok(),
        "the write before a cold request failed: {}",
        w.describe()
    );
    let after = {
        let mut conn = db.conn().await?;
        clinicdesk_store::stats::revision(&mut conn).await?
    };
    anyhow::ensure!(
        after > before,
        "a memo edit left the customers' revision at {before}: the cold figures would be warm"
    );
    Ok(())
}

/// Eligible customers (enough history to analyse) and a pool of real profiles.
async fn load_inputs(
    db: &Db,
    all: &[clinicdesk_domain::history::CustomerHistory],
    today: NaiveDate,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<Inputs> {
    let since = (today - Days::days(clinicdesk_analytics::customer::MIN_TENURE_DAYS)).to_string();
    let rows = sqlx::query(
        "SELECT c.id AS id FROM customers c JOIN customer_stats s ON s.customer_id = c.id \
         WHERE c.deleted_at IS NULL AND c.anonymized_at IS NULL \
           AND s.total_visits >= $1 AND s.first_visit_date <= $2 ORDER BY c.id",
    )
    .bind(clinicdesk_analytics::customer::MIN_VISITS as i64)
    .bind(&since)
    .fetch_all(&db.pool)
    .await?;
    let mut eligible = Vec::with_capacity(rows.len());
    for row in rows {
        eligible.push(row.try_get::<String, _>("id")?);
    }
    let mut sample: Vec<&clinicdesk_domain::history::CustomerHistory> =
        all.iter().filter(|h| h.registered <= today).collect();
    sample.shuffle(rng);
    let profiles = sample
        .iter()
        .take(5000)
        .filter_map(|h| {
            let p = clinicdesk_models::Profile::from_history(h, today);
            p.validate().ok()?;
            serde_json::to_string(&p).ok()
        })
        .collect::<Vec<_>>();
    anyhow::ensure!(!profiles.is_empty(), "no customer profile to analyse");
    Ok(Inputs { eligible, profiles })
}

/// Daily revenue (visits paid + package sales kept) from `from` to `to`, every day present.
async fn revenue_series(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
) -> anyhow::Result<Vec<(NaiveDate, f64)>> {
    let mut conn = db.conn().await?;
    let days = (to - from).num_days() + 1;
    let mut values = vec![0.0; usize::try_from(days).unwrap_or(0)];
    for v in clinic_stats::visits_by_day(&mut conn, from, to).await? {
        if let Some(slot) = values.get_mut((v.day - from).num_days() as usize) {
            *slot += v.revenue as f64;
        }
    }
    for s in clinic_stats::sales_by_day(&mut conn, from, to).await? {
        if let Some(slot) = values.get_mut((s.day - from).num_days() as usize) {
            *slot += s.revenue as f64;
        }
    }
    Ok(values
        .into_iter()
        .enumerate()
        .map(|(i, v)| (from + Days::days(i as i64), v))
        .collect())
}

/// The data the dashboard, forecast and allergy charts draw, from the data set (a year).
async fn chart_inputs(db: &Db, today: NaiveDate) -> anyhow::Result<Vec<(&'static str, Chart)>> {
    use clinicdesk_charts::*;
    let mut out = Vec::new();
    let start = today - Days::days(364);
    let prev_start = start - Days::days(365);
    let current = revenue_series(db, start, today).await?;
    let previous = revenue_series(db, prev_start, start - Days::days(1)).await?;
    out.push((
        "revenue-trend",
        Chart::RevenueTrend(RevenueTrend {
            title: Some("매출 추이".into()),
            subtitle: Some(format!("{start} ~ {today}")),
            points: current
                .iter()
                .map(|(d, v)| DatedValue {
                    date: *d,
                    value: *v,
                })
                .collect(),
            previous: current
                .iter()
                .zip(&previous)
                .map(|((d, _), (_, v))| DatedValue {
                    date: *d,
                    value: *v,
                })
                .collect(),
            current_label: Some("이번 기간".into()),
            previous_label: Some("이전 기간".into()),
            ..Default::default()
        }),
    ));
    let mut conn = db.conn().await?;
    let mut by_service: BTreeMap<String, f64> = BTreeMap::new();
    for v in clinic_stats::visits_by_day(&mut conn, start, today).await? {
        *by_service
            .entry(v.service.info().name.to_string())
            .or_default() += v.visits as f64;
    }
    out.push((
        "service-mix",
        Chart::ServiceMix(ServiceMix {
            title: Some("서비스별 방문".into()),
            unit: MixUnit::Count,
            items: by_service
                .into_iter()
                .map(|(service, value)| ServiceShare { service, value })
                .collect(),
            ..Default::default()
        }),
    ));
    let mut cells: Vec<HeatCell> = Vec::new();
    for h in clinic_stats::visits_by_hour(&mut conn, start, today).await? {
        let Ok(hour) = u8::try_from(h.hour) else {
            continue;
        };
        let weekday = h.day.weekday();
        match cells
            .iter_mut()
            .find(|c| c.weekday == weekday && c.hour == hour)
        {
            Some(c) => c.count += h.visits as f64,
            None => cells.push(HeatCell {
                weekday,
                hour,
                count: h.visits as f64,
            }),
        }
    }
    out.push((
        "visit-heatmap",
        Chart::VisitHeatmap(VisitHeatmap {
            title: Some("요일·시간대별 방문".into()),
            cells,
            ..Default::default()
        }),
    ));
    let results = clinicdesk_store::diagnoses::all_results(&mut conn).await?;
    drop(conn);
    let mut grades = [0u64; 7];
    let mut positives: BTreeMap<String, u64> = BTreeMap::new();
    for (_, text) in &results {
        let list: Vec<serde_json::Value> = serde_json::from_str(text).unwrap_or_default();
        for t in list {
            let grade = t["grade"].as_u64().unwrap_or(0) as usize;
            if let Some(g) = grades.get_mut(grade) {
                *g += 1;
            }
            if grade >= 2 {
                *positives
                    .entry(t["allergen"].as_str().unwrap_or("?").to_string())
                    .or_default() += 1;
            }
        }
    }
    let mut items: Vec<(String, u64)> = positives.into_iter().collect();
    items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out.push((
        "allergen-distribution",
        Chart::AllergenDistribution(AllergenDistribution {
            title: Some("양성(등급 2 이상)이 많은 항목".into()),
            items: items
                .into_iter()
                .map(|(allergen, count)| AllergenCount { allergen, count })
                .collect(),
            total_tested: Some(results.len() as u64),
            ..Default::default()
        }),
    ));
    out.push((
        "grade-distribution",
        Chart::GradeDistribution(GradeDistribution {
            title: Some("검사 결과 등급 분포".into()),
            subtitle: None,
            counts: (0u8..)
                .zip(grades)
                .map(|(grade, count)| GradeCount { grade, count })
                .collect(),
        }),
    ));
    // The forecast chart: the revenue forecast of the last 90 days, as the endpoint draws it.
    let series = revenue_series(db, today - Days::days(90), today - Days::days(1)).await?;
    if let Ok(fitted) = clinicdesk_forecast::fit(&series) {
        if let Ok(f) = fitted.forecast(30) {
            out.push((
                "forecast",
                Chart::Forecast(Forecast {
                    title: Some("매출 예측".into()),
                    unit: Some(ValueUnit::Krw),
                    history: series
                        .iter()
                        .skip(series.len().saturating_sub(56))
                        .map(|(d, v)| DatedValue {
                            date: *d,
                            value: *v,
                        })
                        .collect(),
                    forecast: f
                        .points
                        .iter()
                        .map(|p| ForecastPoint {
                            date: p.date,
                            value: p.value,
                            lower_80: p.lower80,
                            upper_80: p.upper80,
                            lower_95: p.lower95,
                            upper_95: p.upper95,
                        })
                        .collect(),
                    today: Some(today),
                    ..Default::default()
                }),
            ));
        }
    }
    Ok(out)
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The suite's section of the report.
pub fn markdown(a: &AnalyticsReport, o: &mut String) {
    let _ = writeln!(o, "## Analytics (issue 11), in-process on SQLite\n");
    let _ = writeln!(
        o,
        "{} customers, {} visits; today {}; {} customers with enough history to analyse (the \
         customer endpoints draw from them at random). Model {}{}. Load average (1/5/15 min) \
         {} at the start, {} at the end.\n",
        a.customers,
        a.visits,
        a.today.map(|d| d.to_string()).unwrap_or_default(),
        a.eligible_customers,
        a.model_version.as_deref().unwrap_or("none"),
        a.model_summary
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default(),
        a.load_start,
        a.load_end
    );
    if !a.setup.is_empty() {
        let _ = writeln!(o, "### Set-up and rebuilds\n");
        let _ = writeln!(o, "| what | seconds | load | detail |\n|---|---:|---|---|");
        for s in &a.setup {
            let _ = writeln!(
                o,
                "| {} | {:.3} | {} | {} |",
                md_escape(&s.name),
                s.seconds,
                s.load,
                md_escape(&s.detail)
            );
        }
        let _ = writeln!(o);
    }
    if !a.endpoints.is_empty() {
        let _ = writeln!(o, "### Endpoints (ms)\n");
        let _ = writeln!(
            o,
            "Warm: after the warm-up, one call at a time. Cold: the first request after a write \
             to a customer (median and max over the writes); blank where nothing is kept.\n"
        );
        let _ = writeln!(
            o,
            "| endpoint | calls | errors | p50 | p99 | max | target p99 | warm | cold median | cold max | cold | bytes | load |\n|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---:|---|"
        );
        for e in &a.endpoints {
            let s = &e.summary;
            let (cm, cx, cv) = match &e.cold {
                Some(c) => (ms(c.median_ms), ms(c.max_ms), c.verdict.mark().to_string()),
                None => (String::new(), String::new(), String::new()),
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                md_escape(&e.label),
                s.count,
                s.errors,
                ms(s.p50_ms),
                ms(s.p99_ms),
                ms(s.max_ms),
                e.target_ms
                    .map(|t| format!("≤ {}", ms(t)))
                    .unwrap_or_else(|| "—".into()),
                e.verdict.mark(),
                cm,
                cx,
                cv,
                e.response_bytes,
                e.load
            );
        }
        let _ = writeln!(o, "\n<details><summary>requests</summary>\n");
        for e in &a.endpoints {
            let _ = writeln!(o, "- `{}`: `{}`", e.key, md_escape(&e.request));
        }
        let _ = writeln!(o, "\n</details>\n");
    }
    if !a.micro.is_empty() {
        micro::markdown(&a.micro, o);
    }
    for f in &a.failures {
        let _ = writeln!(o, "- **failed:** {}", md_escape(f));
    }
    for e in &a.endpoints {
        for x in e.error_examples.iter().take(2) {
            let _ = writeln!(o, "- error: {} / {}", md_escape(&e.label), md_escape(x));
        }
    }
    for n in &a.notes {
        let _ = writeln!(o, "- note: {}", md_escape(n));
    }
    let _ = writeln!(o);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn inputs() -> Inputs {
        Inputs {
            eligible: vec!["a".into(), "b".into()],
            profiles: vec!["{\"x\":1}".into(), "{\"x\":2}".into()],
        }
    }

    #[test]
    fn every_endpoint_makes_a_well_formed_call() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let i = inputs();
        let all = Ep::all();
        assert_eq!(all.len(), 13 + 2 * CHARTS.len());
        for e in all {
            let (m, p, b) = make_call(e, 5, &i, &mut rng);
            assert!(p.starts_with("/api/v1/"), "{e:?}: {p}");
            assert!(!p.contains('{'), "{e:?}: {p}");
            assert_eq!(m == "POST", b.is_some(), "{e:?}");
            assert_eq!(e.request().starts_with("POST"), m == "POST", "{e:?}");
        }
    }

    #[test]
    fn batch_has_the_endpoint_maximum_of_profiles() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (_, _, body) = make_call(Ep::AnalyseBatch, 2, &inputs(), &mut rng);
        let v: serde_json::Value = serde_json::from_str(&body.unwrap()).unwrap();
        assert_eq!(v["profiles"].as_array().unwrap().len(), BATCH);
    }

    #[test]
    fn targets_follow_the_issue() {
        assert_eq!(Ep::DashboardYear.target_ms(), Some(50.0));
        assert_eq!(Ep::CustomerAnalytics.target_ms(), Some(20.0));
        assert_eq!(Ep::RecSchedule.target_ms(), Some(50.0));
        assert_eq!(Ep::Related.target_ms(), Some(50.0));
        assert_eq!(Ep::Forecast.target_ms(), None);
        assert_eq!(Ep::Chart("forecast", true).target_ms(), None);
        assert!(Ep::CustomerAnalytics.cold_rebuilds().is_some());
        assert!(Ep::DashboardYear.cold_rebuilds().is_none());
    }

    #[test]
    fn chart_paths_carry_their_parameters() {
        assert_eq!(
            chart_path("revenue-trend", true),
            "/api/v1/charts/revenue-trend?format=png&width=1200&height=750&period=year"
        );
        assert!(chart_path("forecast", false).ends_with("&days=30&metric=revenue"));
        assert!(chart_path("churn-risk", false).ends_with("height=750"));
    }

    #[test]
    fn report_lines_judge_warm_and_cold() {
        let summary = Summary {
            count: 10,
            p99_ms: 12.0,
            ..Default::default()
        };
        let a = AnalyticsReport {
            endpoints: vec![EndpointRow {
                key: "customer_analytics".into(),
                label: "customer analytics".into(),
                request: String::new(),
                summary,
                target_ms: Some(20.0),
                verdict: targets::at_most(12.0, Some(20.0), 0),
                cold: Some(Cold {
                    rebuilds: "x".into(),
                    samples_ms: vec![300.0],
                    min_ms: 300.0,
                    median_ms: 300.0,
                    max_ms: 300.0,
                    verdict: targets::at_most(300.0, Some(20.0), 0),
                }),
                response_bytes: 1,
                note: None,
                error_examples: vec![],
                load: "1.00 1.00 1.00".into(),
            }],
            ..Default::default()
        };
        let lines = a.target_lines();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].3, Verdict::Met);
        assert_eq!(lines[1].3, Verdict::Missed);
        let mut md = String::new();
        markdown(&a, &mut md);
        assert!(md.contains("| customer analytics | 10 | 0 |"), "{md}");
    }
}
