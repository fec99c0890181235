//! The run's figures as one serialisable value, and their Markdown rendering (pure).

use crate::stats::Summary;
use crate::targets::{self, Category, Transport, Verdict};
use serde::Serialize;
use std::fmt::Write as _;

#[derive(Debug, Clone, Serialize, Default)]
pub struct Header {
    pub date: String,
    pub git_commit: Option<String>,
    pub build_profile: String,
    pub cores: usize,
    pub cpu_model: Option<String>,
    pub memory_total_mib: Option<u64>,
    pub os: Option<String>,
    pub customers_requested: usize,
    pub calls: usize,
    pub warmup: usize,
    pub concurrency: usize,
    pub duration_secs: u64,
    pub seed: u64,
    pub command: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dataset {
    /// `sqlite` or `postgres`
    pub database: String,
    /// The file or database name (never a password).
    pub location: String,
    /// Seeded by this run (false: reused).
    pub built: bool,
    pub build_secs: Option<f64>,
    pub customers: i64,
    pub visits: i64,
    pub purchases: i64,
    pub interactions: i64,
    /// Seconds to open it with this build (SQLite): migrations still pending ran then.
    pub opened_secs: Option<f64>,
    /// The file's newest migration before it was opened, when this build migrated it.
    pub migrated_from: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LatencyRow {
    pub transport: Transport,
    pub endpoint: String,
    pub label: String,
    pub request: String,
    pub category: Category,
    #[serde(flatten)]
    pub summary: Summary,
    pub target_p99_ms: Option<f64>,
    pub verdict: Verdict,
    pub note: Option<String>,
    pub error_examples: Vec<String>,
}

impl LatencyRow {
    pub fn new(
        transport: Transport,
        endpoint: &str,
        label: &str,
        request: &str,
        category: Category,
        summary: Summary,
    ) -> LatencyRow {
        let target = targets::latency_target_p99_ms(transport, category);
        LatencyRow {
            transport,
            endpoint: endpoint.into(),
            label: label.into(),
            request: request.into(),
            category,
            summary,
            target_p99_ms: target,
            verdict: targets::at_most(summary.p99_ms, target, summary.errors),
            note: None,
            error_examples: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ThroughputRow {
    /// `sqlite` or `postgres`
    pub database: String,
    pub endpoint: String,
    pub label: String,
    pub clients: usize,
    pub duration_secs: f64,
    pub requests: u64,
    pub rps: f64,
    #[serde(flatten)]
    pub summary: Summary,
    pub has_target: bool,
    pub verdict: Verdict,
    pub error_examples: Vec<String>,
}

impl ThroughputRow {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        database: &str,
        endpoint: &str,
        label: &str,
        clients: usize,
        duration_secs: f64,
        summary: Summary,
        has_target: bool,
    ) -> ThroughputRow {
        let requests = summary.count;
        let rps = if duration_secs > 0.0 {
            requests as f64 / duration_secs
        } else {
            0.0
        };
        let verdict = if has_target {
            targets::throughput(rps, summary.p99_ms, summary.errors)
        } else {
            Verdict::NoTarget
        };
        ThroughputRow {
            database: database.into(),
            endpoint: endpoint.into(),
            label: label.into(),
            clients,
            duration_secs,
            requests,
            rps,
            summary,
            has_target,
            verdict,
            error_examples: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ProcessMemory {
    pub pid: u32,
    pub name: String,
    pub rss_kib: u64,
    pub pss_kib: Option<u64>,
}

/// One start of the desktop app.
#[derive(Debug, Clone, Serialize, Default)]
pub struct DesktopStart {
    /// `first start` (fresh data directory, seeds 300 demo customers) or `second start`
    /// (same data directory, login remembered).
    pub kind: String,
    /// How `interactive_ms` was obtained.
    pub method: String,
    /// Process age when the page first showed the interactive screen *and* `/readyz`
    /// answered 200 through the in-process bridge (polled inside the page every 5 ms).
    pub interactive_ms: Option<f64>,
    /// The app's own log (`elapsed_ms` since `run()`): window created, UI loaded, database
    /// ready, demo data seeded, API ready.
    pub app_log_ms: Vec<(String, u64)>,
    /// What the in-page polling saw, as the app process's age in ms.
    pub observed_ms: Vec<(String, u64)>,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Desktop {
    /// Skipped or failed: why.
    pub skipped: Option<String>,
    pub failed: Option<String>,
    pub binary: Option<String>,
    pub starts: Vec<DesktopStart>,
    pub login_ms: Option<f64>,
    pub open_detail_ms: Option<f64>,
    pub customer_opened: Option<String>,
    pub processes: Vec<ProcessMemory>,
    pub rss_total_mib: Option<f64>,
    pub pss_total_mib: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Report {
    pub header: Header,
    pub datasets: Vec<Dataset>,
    pub latency: Vec<LatencyRow>,
    pub throughput: Vec<ThroughputRow>,
    /// `/healthz` while logins are in flight, per database.
    pub logins: Vec<crate::logins::LoginLoadRow>,
    pub desktop: Desktop,
    /// Sync between a central server and nodes (issue 9).
    pub sync: Vec<SyncFigure>,
    /// The analytics suite (issue 11).
    pub analytics: Option<crate::analytics::AnalyticsReport>,
    /// Phases that could not run or broke (any entry fails the run).
    pub failures: Vec<String>,
    /// Phases left out on purpose (`--no-postgres`, …).
    pub skipped: Vec<String>,
    pub notes: Vec<String>,
}

impl Report {
    pub fn total_errors(&self) -> u64 {
        self.latency.iter().map(|r| r.summary.errors).sum::<u64>()
            + self.analytics.as_ref().map_or(0, |a| a.errors())
            + self
                .throughput
                .iter()
                .map(|r| r.summary.errors)
                .sum::<u64>()
    }

    /// The run passes when every call succeeded and no phase failed (targets are reported,
    /// not enforced).
    pub fn passed(&self) -> bool {
        self.total_errors() == 0
            && self.failures.is_empty()
            && self.desktop.failed.is_none()
            && self
                .analytics
                .as_ref()
                .is_none_or(|a| a.failures.is_empty())
    }

    /// Every judged figure: (what, measured, target, verdict).
    pub fn target_lines(&self) -> Vec<(String, String, String, Verdict)> {
        let mut out = Vec::new();
        for r in &self.latency {
            if let Some(t) = r.target_p99_ms {
                out.push((
                    format!("{} p99, {}", r.label, r.transport.label()),
                    format!("{} ms", ms(r.summary.p99_ms)),
                    format!("≤ {} ms", ms(t)),
                    r.verdict,
                ));
            }
        }
        for r in self.throughput.iter().filter(|r| r.has_target) {
            out.push((
                format!("{} throughput, {}", r.label, r.database),
                format!("{:.0} req/s, p99 {} ms", r.rps, ms(r.summary.p99_ms)),
                format!(
                    "≥ {:.0} req/s, p99 ≤ {} ms",
                    targets::THROUGHPUT_MIN_RPS,
                    ms(targets::THROUGHPUT_MAX_P99_MS)
                ),
                r.verdict,
            ));
        }
        if let Some(a) = &self.analytics {
            out.extend(a.target_lines());
        }
        for f in &self.sync {
            out.push((
                format!("sync: {}", f.name),
                format!("{:.2} s", f.seconds),
                format!("< {:.0} s", f.target_seconds),
                f.verdict,
            ));
        }
        for s in &self.desktop.starts {
            out.push((
                format!("desktop interactive ({})", s.kind),
                s.interactive_ms
                    .map(|v| format!("{v:.0} ms"))
                    .unwrap_or_else(|| "not measured".into()),
                format!("≤ {:.0} ms", targets::DESKTOP_INTERACTIVE_MS),
                s.verdict,
            ));
        }
        out
    }
}

/// One sync figure: what was timed, in seconds, against its target.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SyncFigure {
    pub name: String,
    pub seconds: f64,
    pub target_seconds: f64,
    pub verdict: Verdict,
    pub detail: String,
}

/// Milliseconds with a precision that suits the size.
pub fn ms(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2}")
    } else if v < 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn markdown(r: &Report) -> String {
    let h = &r.header;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# ClinicDesk benchmark — {} customers\n",
        h.customers_requested
    );
    if h.build_profile != "release" {
        let _ = writeln!(
            o,
            "> ⚠️ **{} BUILD** — these figures are NOT representative; the targets apply to the \
             release build (`scripts/bench.sh` without `--smoke`).\n",
            h.build_profile.to_uppercase()
        );
    }
    let _ = writeln!(o, "| | |\n|---|---|");
    let _ = writeln!(o, "| date | {} |", h.date);
    let _ = writeln!(
        o,
        "| git commit | {} |",
        h.git_commit.as_deref().unwrap_or("unknown")
    );
    let _ = writeln!(o, "| build profile | {} |", h.build_profile);
    let _ = writeln!(
        o,
        "| CPU | {} × {} |",
        h.cores,
        h.cpu_model.as_deref().unwrap_or("unknown")
    );
    if let Some(m) = h.memory_total_mib {
        let _ = writeln!(o, "| memory | {m} MiB |");
    }
    if let Some(os) = &h.os {
        let _ = writeln!(o, "| OS | {} |", md_escape(os));
    }
    for d in &r.datasets {
        let _ = writeln!(
            o,
            "| data set ({}) | {} customers, {} visits, {} package purchases, {} interactions — `{}`{} |",
            d.database,
            d.customers,
            d.visits,
            d.purchases,
            d.interactions,
            md_escape(&d.location),
            if d.built {
                format!(", built in {:.0} s", d.build_secs.unwrap_or(0.0))
            } else {
                ", reused".into()
            } + &match (d.migrated_from, d.opened_secs) {
                (Some(v), Some(secs)) => format!(
                    "; migrated from {v:04} when opened ({secs:.1} s, roll-up backfill included)"
                ),
                _ => String::new(),
            }
        );
    }
    let _ = writeln!(
        o,
        "| settings | {} calls per endpoint after {} warm-up calls; throughput {} clients × {} s; seed {} |",
        h.calls, h.warmup, h.concurrency, h.duration_secs, h.seed
    );
    let _ = writeln!(o, "| command | `{}` |", md_escape(&h.command));
    let _ = writeln!(o);

    let lines = r.target_lines();
    if !lines.is_empty() {
        let met = lines.iter().filter(|l| l.3 == Verdict::Met).count();
        let _ = writeln!(o, "## Targets: {met} of {} met\n", lines.len());
        let _ = writeln!(o, "| figure | measured | target | |\n|---|---:|---:|---|");
        for (what, measured, target, v) in &lines {
            let _ = writeln!(
                o,
                "| {} | {measured} | {target} | {} |",
                md_escape(what),
                v.mark()
            );
        }
        let _ = writeln!(o);
    }

    let transports = [
        Transport::InProcessSqlite,
        Transport::HttpSqlite,
        Transport::HttpPostgres,
    ];
    if !r.latency.is_empty() {
        let _ = writeln!(o, "## Latency per endpoint (ms)\n");
    }
    for t in transports {
        let rows: Vec<&LatencyRow> = r.latency.iter().filter(|l| l.transport == t).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(o, "### {}\n", t.label());
        let _ = writeln!(
            o,
            "| endpoint | calls | errors | mean | p50 | p99 | max | target p99 | |\n|---|---:|---:|---:|---:|---:|---:|---:|---|"
        );
        for l in rows {
            let s = &l.summary;
            let label = match &l.note {
                Some(n) => format!("{} ({})", l.label, n),
                None => l.label.clone(),
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                md_escape(&label),
                s.count,
                s.errors,
                ms(s.mean_ms),
                ms(s.p50_ms),
                ms(s.p99_ms),
                ms(s.max_ms),
                l.target_p99_ms
                    .map(|t| format!("≤ {}", ms(t)))
                    .unwrap_or_else(|| "—".into()),
                l.verdict.mark()
            );
        }
        let _ = writeln!(o);
    }
    let requests: Vec<(&str, &str)> = {
        let mut seen = Vec::new();
        for l in &r.latency {
            if !seen.iter().any(|(e, _)| *e == l.endpoint.as_str()) {
                seen.push((l.endpoint.as_str(), l.request.as_str()));
            }
        }
        seen
    };
    if !requests.is_empty() {
        let _ = writeln!(o, "<details><summary>requests</summary>\n");
        for (e, req) in requests {
            let _ = writeln!(o, "- `{e}`: `{}`", md_escape(req));
        }
        let _ = writeln!(o, "\n</details>\n");
    }

    if !r.logins.is_empty() {
        let _ = writeln!(o, "## /healthz while logins are in flight\n");
        let _ = writeln!(
            o,
            "One `/healthz` probe at a time, idle and then while the logins (one connection each, \
             sent at once) are still in flight; Argon2 runs off the async workers, at most one per \
             core at a time.\n"
        );
        let _ = writeln!(
            o,
            "| database | logins | ok | logins took s | probes during logins | idle p50 / p99 / max ms | during logins p50 / p99 / max ms |\n|---|---:|---:|---:|---:|---|---|"
        );
        for l in &r.logins {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {:.2} | {} | {} / {} / {} | {} / {} / {} |",
                l.database,
                l.logins,
                l.logins_ok,
                l.logins_secs,
                l.under_logins.count,
                ms(l.idle.p50_ms),
                ms(l.idle.p99_ms),
                ms(l.idle.max_ms),
                ms(l.under_logins.p50_ms),
                ms(l.under_logins.p99_ms),
                ms(l.under_logins.max_ms),
            );
        }
        let _ = writeln!(o);
    }

    if !r.throughput.is_empty() {
        let _ = writeln!(o, "## Server throughput\n");
        let _ = writeln!(
            o,
            "| database | endpoint | clients | seconds | requests | req/s | p50 ms | p99 ms | max ms | errors | target | |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
        );
        for t in &r.throughput {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {:.1} | {} | {:.0} | {} | {} | {} | {} | {} | {} |",
                t.database,
                md_escape(&t.label),
                t.clients,
                t.duration_secs,
                t.requests,
                t.rps,
                ms(t.summary.p50_ms),
                ms(t.summary.p99_ms),
                ms(t.summary.max_ms),
                t.summary.errors,
                if t.has_target {
                    format!(
                        "≥ {:.0}/s, p99 ≤ {}",
                        targets::THROUGHPUT_MIN_RPS,
                        ms(targets::THROUGHPUT_MAX_P99_MS)
                    )
                } else {
                    "—".into()
                },
                t.verdict.mark()
            );
        }
        let _ = writeln!(o);
    }

    if !r.sync.is_empty() {
        let _ = writeln!(o, "## Sync\n");
        let _ = writeln!(o, "| what | seconds | target | verdict | detail |");
        let _ = writeln!(o, "|---|---:|---:|---|---|");
        for f in &r.sync {
            let _ = writeln!(
                o,
                "| {} | {:.2} | < {:.0} | {} | {} |",
                md_escape(&f.name),
                f.seconds,
                f.target_seconds,
                f.verdict.mark(),
                md_escape(&f.detail)
            );
        }
        let _ = writeln!(o);
    }

    if let Some(a) = &r.analytics {
        crate::analytics::markdown(a, &mut o);
    }

    let d = &r.desktop;
    let _ = writeln!(o, "## Desktop\n");
    if let Some(why) = &d.skipped {
        let _ = writeln!(o, "Skipped: {why}\n");
    } else {
        if let Some(why) = &d.failed {
            let _ = writeln!(o, "**Failed:** {}\n", md_escape(why));
        }
        if !d.starts.is_empty() || d.rss_total_mib.is_some() {
            let _ = writeln!(o, "| figure | value | target | |\n|---|---:|---:|---|");
            for s in &d.starts {
                let _ = writeln!(
                    o,
                    "| interactive, {} ({}) | {} | ≤ {:.0} ms | {} |",
                    s.kind,
                    md_escape(&s.method),
                    s.interactive_ms
                        .map(|v| format!("{v:.0} ms"))
                        .unwrap_or_else(|| "—".into()),
                    targets::DESKTOP_INTERACTIVE_MS,
                    s.verdict.mark()
                );
                if !s.app_log_ms.is_empty() {
                    let log = s
                        .app_log_ms
                        .iter()
                        .map(|(k, v)| format!("{k} {v}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let _ = writeln!(o, "| app log, {} (`elapsed_ms`) | {} | | |", s.kind, log);
                }
                if !s.observed_ms.is_empty() {
                    let seen = s
                        .observed_ms
                        .iter()
                        .map(|(k, v)| format!("{k} {v}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let _ = writeln!(
                        o,
                        "| seen in the page, {} (ms since process start) | {} | | |",
                        s.kind, seen
                    );
                }
            }
            if let Some(v) = d.login_ms {
                let _ = writeln!(o, "| log in as staff → Today screen | {v:.0} ms | | |");
            }
            if let Some(v) = d.open_detail_ms {
                let _ = writeln!(
                    o,
                    "| open a customer detail{} | {v:.0} ms | | |",
                    d.customer_opened
                        .as_deref()
                        .map(|n| format!(" ({})", md_escape(n)))
                        .unwrap_or_default()
                );
            }
            if let Some(v) = d.rss_total_mib {
                let _ = writeln!(
                    o,
                    "| resident memory after opening a customer, all processes (VmRSS sum) | {v:.0} MiB | | |"
                );
            }
            if let Some(v) = d.pss_total_mib {
                let _ = writeln!(
                    o,
                    "| the same as proportional set size (PSS sum, shared pages split) | {v:.0} MiB | | |"
                );
            }
            let _ = writeln!(o);
            if !d.processes.is_empty() {
                let list = d
                    .processes
                    .iter()
                    .map(|p| {
                        format!(
                            "{} (pid {}) {:.0} MiB",
                            p.name,
                            p.pid,
                            p.rss_kib as f64 / 1024.0
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let _ = writeln!(o, "Processes: {list}.\n");
            }
        }
    }

    let errors = r.total_errors();
    let _ = writeln!(o, "## Result\n");
    if !r.skipped.is_empty() {
        for s in &r.skipped {
            let _ = writeln!(o, "- skipped: {}", md_escape(s));
        }
    }
    for f in &r.failures {
        let _ = writeln!(o, "- **failed:** {}", md_escape(f));
    }
    let mut examples: Vec<String> = Vec::new();
    for l in &r.latency {
        for e in &l.error_examples {
            examples.push(format!("{} / {}: {}", l.transport.label(), l.label, e));
        }
    }
    for t in &r.throughput {
        for e in &t.error_examples {
            examples.push(format!("throughput {} / {}: {}", t.database, t.label, e));
        }
    }
    for e in examples.iter().take(10) {
        let _ = writeln!(o, "- error: {}", md_escape(e));
    }
    for n in &r.notes {
        let _ = writeln!(o, "- note: {}", md_escape(n));
    }
    let _ = writeln!(
        o,
        "\n**{}** — {} failed call(s), {} failed phase(s).",
        if r.passed() { "PASS" } else { "FAIL" },
        errors,
        r.failures.len()
            + usize::from(r.desktop.failed.is_some())
            + r.analytics.as_ref().map_or(0, |a| a.failures.len())
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::DESKTOP_INTERACTIVE_MS;

    fn summary(p99: f64, errors: u64) -> Summary {
        Summary {
            count: 1000,
            errors,
            mean_ms: 1.0,
            p50_ms: 0.5,
            p99_ms: p99,
            max_ms: 12.0,
        }
    }

    fn sample() -> Report {
        let mut r = Report {
            header: Header {
                date: "2025-01-01T00:00:00+09:00".into(),
                git_commit: Some("abc1234".into()),
                build_profile: "release".into(),
                cores: 2,
                cpu_model: Some("Test CPU".into()),
                customers_requested: 300,
                calls: 1000,
                warmup: 100,
                concurrency: 32,
                duration_secs: 10,
                seed: 1,
                command: "clinicdesk-bench --customers 300".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        r.datasets.push(Dataset {
            database: "sqlite".into(),
            location: "bench-data/clinicdesk-300.sqlite".into(),
            built: false,
            build_secs: None,
            customers: 300,
            visits: 6000,
            purchases: 450,
            interactions: 300,
            opened_secs: None,
            migrated_from: None,
        });
        r.latency.push(LatencyRow::new(
            Transport::InProcessSqlite,
            "detail",
            "customer detail",
            "GET /api/v1/customers/{id}/detail",
            Category::Detail,
            summary(4.2, 0),
        ));
        r.latency.push(LatencyRow::new(
            Transport::InProcessSqlite,
            "search_name",
            "search | name",
            "GET /api/v1/customers/search?q=…",
            Category::ListOrSearch,
            summary(25.0, 0),
        ));
        r.latency.push(LatencyRow::new(
            Transport::HttpPostgres,
            "detail",
            "customer detail",
            "GET /api/v1/customers/{id}/detail",
            Category::Detail,
            summary(9.0, 0),
        ));
        r.throughput.push(ThroughputRow::new(
            "sqlite",
            "detail",
            "customer detail",
            32,
            10.0,
            Summary {
                count: 60_000,
                p99_ms: 15.0,
                ..Default::default()
            },
            true,
        ));
        r.desktop.starts.push(DesktopStart {
            kind: "first start".into(),
            method: "seen in the page".into(),
            interactive_ms: Some(900.0),
            app_log_ms: vec![("API ready".into(), 850)],
            observed_ms: vec![],
            verdict: targets::at_most(900.0, Some(DESKTOP_INTERACTIVE_MS), 0),
        });
        r.desktop.rss_total_mib = Some(250.0);
        r
    }

    #[test]
    fn rows_judge_their_targets() {
        let r = sample();
        assert_eq!(r.latency[0].verdict, Verdict::Met);
        assert_eq!(r.latency[1].verdict, Verdict::Missed);
        assert_eq!(r.latency[2].verdict, Verdict::NoTarget);
        assert_eq!(r.throughput[0].rps, 6000.0);
        assert_eq!(r.throughput[0].verdict, Verdict::Met);
        let lines = r.target_lines();
        assert_eq!(lines.len(), 4);
        assert_eq!(
            lines.iter().filter(|l| l.3 == Verdict::Met).count(),
            3,
            "{lines:?}"
        );
    }

    #[test]
    fn markdown_has_header_tables_and_verdicts() {
        let r = sample();
        let md = markdown(&r);
        assert!(md.contains("# ClinicDesk benchmark — 300 customers"));
        assert!(md.contains("| git commit | abc1234 |"));
        assert!(md.contains("| CPU | 2 × Test CPU |"));
        assert!(md.contains("300 customers, 6000 visits, 450 package purchases"));
        assert!(md.contains("## Targets: 3 of 4 met"));
        assert!(md.contains("### in-process (SQLite)"));
        assert!(md.contains("### HTTP server (PostgreSQL)"));
        assert!(!md.contains("### HTTP server (SQLite)"));
        // Pipes inside a label are escaped so the table keeps its columns.
        assert!(md.contains(
            "| search \\| name | 1000 | 0 | 1.00 | 0.50 | 25.0 | 12.0 | ≤ 20.0 | ❌ missed |"
        ));
        assert!(md.contains(
            "| customer detail | 1000 | 0 | 1.00 | 0.50 | 4.20 | 12.0 | ≤ 5.00 | ✅ met |"
        ));
        assert!(md.contains("| sqlite | customer detail | 32 | 10.0 | 60000 | 6000 |"));
        assert!(md.contains("900 ms"));
        assert!(md.contains("250 MiB"));
        assert!(md.contains("**PASS**"));
        assert!(!md.contains("NOT representative"));
    }

    #[test]
    fn debug_build_and_errors_are_loud() {
        let mut r = sample();
        r.header.build_profile = "debug".into();
        r.latency[0].summary.errors = 2;
        r.latency[0]
            .error_examples
            .push("500 INTERNAL_ERROR".into());
        let md = markdown(&r);
        assert!(md.contains("DEBUG BUILD"));
        assert!(md.contains("NOT representative"));
        assert!(md.contains("**FAIL** — 2 failed call(s)"));
        assert!(md.contains("500 INTERNAL_ERROR"));
        assert!(!r.passed());
    }

    #[test]
    fn failures_and_skips_are_listed() {
        let mut r = sample();
        r.skipped.push("PostgreSQL (--no-postgres)".into());
        r.desktop = Desktop {
            skipped: Some("no X display".into()),
            ..Default::default()
        };
        assert!(r.passed());
        r.failures
            .push("HTTP server (SQLite): server did not start".into());
        let md = markdown(&r);
        assert!(md.contains("Skipped: no X display"));
        assert!(md.contains("- skipped: PostgreSQL (--no-postgres)"));
        assert!(md.contains("- **failed:** HTTP server (SQLite): server did not start"));
        assert!(!r.passed());
    }

    #[test]
    fn json_carries_the_same_figures() {
        let r = sample();
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["latency"][0]["transport"], "in_process_sqlite");
        assert_eq!(v["latency"][0]["p99_ms"], 4.2);
        assert_eq!(v["latency"][0]["verdict"], "met");
        assert_eq!(v["throughput"][0]["rps"], 6000.0);
        assert_eq!(v["header"]["cores"], 2);
    }

    #[test]
    fn ms_precision() {
        assert_eq!(ms(0.123), "0.12");
        assert_eq!(ms(12.345), "12.3");
        assert_eq!(ms(1234.4), "1234");
    }
}
