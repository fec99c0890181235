//! The analytics' pure cores timed on their own (release build for the figures), on the data
//! set's real rows:
//! - the scaler and k-means (k = 5, `segmentation::N_RUNS` runs, the models crate's own
//!   `fit_kmeans`) on every customer's feature row, and on `multiplier` times as many rows
//!   made from them with a small deterministic jitter;
//! - `predict` (and `churn_for_profile`) with the trained model, one row at a time;
//! - Holt-Winters fit (both candidates, chosen by AICc) + a 30-day forecast on the last 90
//!   days of the clinic's daily revenue;
//! - each chart rendered to SVG and PNG at 1200×750 from the data set's figures.
//!
//! Compared with the scikit-learn and statsmodels figures quoted in issue 11 for this machine.

use crate::report::ms;
use chrono::NaiveDate;
use clinicdesk_charts::{render, Chart, Format};
use clinicdesk_domain::history::CustomerHistory;
use clinicdesk_models::features::{imputation_means, impute, FEATURES, N_FEATURES};
use clinicdesk_models::segmentation::{fit_kmeans, N_RUNS, SEED};
use clinicdesk_models::{Artifact, Profile, Scaler};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

/// scikit-learn (StandardScaler + KMeans(k=5, n_init=10)) on this machine, from the issue.
pub const SKLEARN_100K_S: f64 = 1.2;
pub const SKLEARN_1M_S: f64 = 3.9;
/// scikit-learn's predict, per row.
pub const SKLEARN_PREDICT_US: f64 = 206.0;
/// statsmodels' Holt-Winters fit + 30-day forecast on 90 days.
pub const STATSMODELS_HW_MS: f64 = 52.0;

pub struct MicroInput {
    pub histories: Vec<CustomerHistory>,
    pub today: NaiveDate,
    pub artifact: Option<Arc<Artifact>>,
    pub series: Vec<(NaiveDate, f64)>,
    pub charts: Vec<(&'static str, Chart)>,
    pub reps: usize,
    pub multiplier: usize,
}

/// One figure: the runs, their minimum and median, in `unit`.
#[derive(Debug, Clone, Serialize)]
pub struct MicroRow {
    pub group: String,
    pub name: String,
    pub unit: String,
    pub runs: Vec<f64>,
    pub min: f64,
    pub median: f64,
    /// The quoted reference, in the same unit, and what it is.
    pub reference: Option<f64>,
    pub reference_label: Option<String>,
    pub detail: String,
    pub load: String,
}

impl MicroRow {
    fn new(group: &str, name: &str, unit: &str, mut runs: Vec<f64>, detail: String) -> MicroRow {
        let mut sorted = runs.clone();
        sorted.sort_by(f64::total_cmp);
        let min = sorted.first().copied().unwrap_or(f64::NAN);
        let median = sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN);
        runs.shrink_to_fit();
        let row = MicroRow {
            group: group.into(),
            name: name.into(),
            unit: unit.into(),
            runs,
            min,
            median,
            reference: None,
            reference_label: None,
            detail,
            load: crate::analytics::load(),
        };
        eprintln!(
            "bench: micro: {:<58} median {} min {} {} (load {})",
            row.name,
            fmt(row.median),
            fmt(row.min),
            row.unit,
            row.load
        );
        row
    }

    fn against(mut self, value: f64, label: &str) -> MicroRow {
        self.reference = Some(value);
        self.reference_label = Some(label.into());
        self
    }
}

fn fmt(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// Every customer's imputed feature row (as training builds them).
pub fn feature_rows(histories: &[CustomerHistory], today: NaiveDate) -> Vec<[f64; N_FEATURES]> {
    let raw: Vec<_> = histories
        .iter()
        .filter(|h| h.registered <= today)
        .map(|h| Profile::from_history(h, today).raw())
        .collect();
    let means = imputation_means(&raw);
    raw.iter().map(|r| impute(r, &means)).collect()
}

/// `rows` repeated `times` times; every copy after the first has each value multiplied by
/// 1 ± 1 % (uniform, from a fixed seed) and kept within the feature's range.
pub fn jittered(rows: &[[f64; N_FEATURES]], times: usize, seed: u64) -> Vec<[f64; N_FEATURES]> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(rows.len() * times);
    out.extend_from_slice(rows);
    for _ in 1..times {
        for r in rows {
            let mut row = *r;
            for (j, v) in row.iter_mut().enumerate() {
                let f: f64 = rng.gen_range(-0.01..=0.01);
                *v = (*v * (1.0 + f)).clamp(FEATURES[j].min, FEATURES[j].max);
            }
            out.push(row);
        }
    }
    out
}

fn matrix(rows: &[[f64; N_FEATURES]]) -> anyhow::Result<Array2<f64>> {
    Ok(Array2::from_shape_vec(
        (rows.len(), N_FEATURES),
        rows.iter().flatten().copied().collect(),
    )?)
}

/// Scaler fit + transform + k-means (k = 5, N_RUNS runs): seconds per run.
fn kmeans_runs(rows: &[[f64; N_FEATURES]], reps: usize) -> anyhow::Result<(Vec<f64>, String)> {
    let x = matrix(rows)?;
    let mut runs = Vec::new();
    let mut detail = String::new();
    let k = 5.min(rows.len());
    for _ in 0..reps {
        let t = Instant::now();
        let scaler = Scaler::fit(x.view());
        let z = scaler.transform(x.view());
        let fit = fit_kmeans(z.view(), k, N_RUNS, SEED)?;
        runs.push(t.elapsed().as_secs_f64());
        detail = format!(
            "{} rows × {N_FEATURES}; k = {k}, {N_RUNS} runs; sizes {:?}",
            rows.len(),
            fit.sizes
        );
    }
    Ok((runs, detail))
}

/// The figures, and what could not be measured (a chart the renderer refused, say).
pub fn run(input: MicroInput) -> anyhow::Result<(Vec<MicroRow>, Vec<String>)> {
    let reps = input.reps.max(1);
    let mut out = Vec::new();
    let mut failures = Vec::new();

    // --- k-means --------------------------------------------------------------------------
    let t = Instant::now();
    let rows = feature_rows(&input.histories, input.today);
    out.push(MicroRow::new(
        "k-means",
        "feature rows from every history (Profile::from_history + impute)",
        "s",
        vec![t.elapsed().as_secs_f64()],
        format!("{} rows", rows.len()),
    ));
    anyhow::ensure!(rows.len() >= 5, "too few customers for k-means");
    let n = rows.len();
    let (runs, detail) = kmeans_runs(&rows, reps)?;
    out.push(
        MicroRow::new(
            "k-means",
            &format!("scaler + k-means, {n} rows (the data set's customers)"),
            "s",
            runs,
            detail,
        )
        .against(SKLEARN_100K_S, "scikit-learn, 100k rows"),
    );
    let times = input.multiplier.max(1);
    if times > 1 {
        let big = jittered(&rows, times, SEED);
        let (runs, detail) = kmeans_runs(&big, reps.min(2))?;
        out.push(
            MicroRow::new(
                "k-means",
                &format!(
                    "scaler + k-means, {} rows ({n} customers × {times}, jittered ±1 %)",
                    big.len()
                ),
                "s",
                runs,
                detail,
            )
            .against(SKLEARN_1M_S, "scikit-learn, 1M rows"),
        );
    }

    // --- predict ----------------------------------------------------------------------------
    if let Some(artifact) = &input.artifact {
        let profiles: Vec<Profile> = input
            .histories
            .iter()
            .filter(|h| h.registered <= input.today)
            .map(|h| Profile::from_history(h, input.today))
            .collect();
        let mut runs = Vec::new();
        let mut churn_runs = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            for p in &profiles {
                let _ = black_box(clinicdesk_models::predict(artifact, black_box(p)));
            }
            runs.push(t.elapsed().as_secs_f64() * 1e6 / profiles.len().max(1) as f64);
            let t = Instant::now();
            for p in &profiles {
                let _ = black_box(clinicdesk_models::churn_for_profile(
                    artifact,
                    black_box(p),
                    p.visits_90d > 0.0,
                ));
            }
            churn_runs.push(t.elapsed().as_secs_f64() * 1e6 / profiles.len().max(1) as f64);
        }
        let k = artifact.centroids.len();
        out.push(
            MicroRow::new(
                "predict",
                "predict (segment + persona), one row at a time",
                "µs/row",
                runs,
                format!(
                    "{} real profiles; the trained model (k = {k}): validation, imputation, scaling, nearest centroid, the answer's strings",
                    profiles.len()
                ),
            )
            .against(SKLEARN_PREDICT_US, "scikit-learn predict"),
        );
        out.push(MicroRow::new(
            "predict",
            "churn probability, one row at a time",
            "µs/row",
            churn_runs,
            format!(
                "{} real profiles; logistic model with its factors",
                profiles.len()
            ),
        ));
    }

    // --- Holt-Winters -------------------------------------------------------------------------
    if input.series.len() >= clinicdesk_forecast::hw::MIN_DAYS {
        let mut runs = Vec::new();
        let mut chosen = String::new();
        for _ in 0..51 {
            let t = Instant::now();
            let fitted = clinicdesk_forecast::fit(black_box(&input.series))?;
            let f = fitted.forecast(30)?;
            runs.push(t.elapsed().as_secs_f64() * 1e3);
            chosen = f.model.name.to_string();
        }
        out.push(
            MicroRow::new(
                "Holt-Winters",
                &format!(
                    "fit + 30-day forecast on {} days of the clinic's revenue",
                    input.series.len()
                ),
                "ms",
                runs,
                format!(
                    "both candidates (damped and not) fitted and chosen by AICc, intervals; chose {chosen}; 51 runs"
                ),
            )
            .against(STATSMODELS_HW_MS, "statsmodels ExponentialSmoothing fit + forecast(30)"),
        );
        let mut runs = Vec::new();
        for _ in 0..11 {
            let t = Instant::now();
            let _ = black_box(clinicdesk_forecast::backtest(
                &input.series,
                clinicdesk_forecast::DEFAULT_HOLDOUT_DAYS,
            ));
            runs.push(t.elapsed().as_secs_f64() * 1e3);
        }
        out.push(MicroRow::new(
            "Holt-Winters",
            "backtest, 28-day hold-out (the forecast endpoint's accuracy)",
            "ms",
            runs,
            "11 runs".into(),
        ));
    }

    // --- Charts ---------------------------------------------------------------------------------
    let size = (1200, 750);
    if let Some((_, first)) = input.charts.first() {
        // The first render registers the bundled font: timed apart.
        let t = Instant::now();
        render(first, Format::Png, size)?;
        out.push(MicroRow::new(
            "charts",
            "first render of the process (font registration included)",
            "ms",
            vec![t.elapsed().as_secs_f64() * 1e3],
            "PNG".into(),
        ));
    }
    for name in crate::analytics::CHARTS {
        let Some((_, chart)) = input.charts.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        let (chart, sampled) = drawable(chart);
        'formats: for format in [Format::Svg, Format::Png] {
            let mut runs = Vec::new();
            let mut bytes = 0;
            let label = match format {
                Format::Svg => "SVG",
                Format::Png => "PNG",
            };
            for _ in 0..reps {
                let t = Instant::now();
                match render(black_box(&chart), format, size) {
                    Ok(out) => bytes = out.bytes.len(),
                    Err(e) => {
                        failures.push(format!("rendering {name} ({label}): {e}"));
                        continue 'formats;
                    }
                }
                runs.push(t.elapsed().as_secs_f64() * 1e3);
            }
            out.push(MicroRow::new(
                "charts",
                &format!("{name}, {label} 1200×750"),
                "ms",
                runs,
                format!("{} KB; {}{sampled}", bytes / 1024, chart_size(&chart)),
            ));
        }
    }
    Ok((out, failures))
}

/// The chart as the renderer takes it: a churn-risk list longer than the renderer's limit is
/// thinned to an even sample of `MAX_POINTS` (the histogram's shape is kept), and says so.
fn drawable(chart: &Chart) -> (Chart, String) {
    match chart {
        Chart::ChurnRisk(d) if d.probabilities.len() > clinicdesk_charts::MAX_POINTS => {
            let n = d.probabilities.len();
            let mut thin = d.clone();
            thin.probabilities = (0..clinicdesk_charts::MAX_POINTS)
                .map(|i| d.probabilities[i * n / clinicdesk_charts::MAX_POINTS])
                .collect();
            (
                Chart::ChurnRisk(thin),
                format!(
                    " (an even sample of {} of the {n}: the renderer refuses more)",
                    clinicdesk_charts::MAX_POINTS
                ),
            )
        }
        other => (other.clone(), String::new()),
    }
}

fn chart_size(c: &Chart) -> String {
    match c {
        Chart::RevenueTrend(d) => format!("{} days + the previous period", d.points.len()),
        Chart::ServiceMix(d) => format!("{} services", d.items.len()),
        Chart::VisitHeatmap(d) => format!("{} cells", d.cells.len()),
        Chart::SegmentScatter(d) => format!("{} points", d.points.len()),
        Chart::Forecast(d) => format!("{} + {} days", d.history.len(), d.forecast.len()),
        Chart::ChurnRisk(d) => format!("{} probabilities", d.probabilities.len()),
        Chart::AllergenDistribution(d) => format!("{} allergens", d.items.len()),
        Chart::GradeDistribution(d) => format!("{} grades", d.counts.len()),
    }
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn markdown(rows: &[MicroRow], o: &mut String) {
    let _ = writeln!(o, "### Pure cores\n");
    let _ = writeln!(
        o,
        "| group | what | median | min | runs | reference (issue, this machine) | load | detail |\n|---|---|---:|---:|---:|---|---|---|"
    );
    for r in rows {
        let reference = match (r.reference, &r.reference_label) {
            (Some(v), Some(l)) => format!("{l}: {} {}", fmt(v), r.unit),
            _ => String::new(),
        };
        let _ = writeln!(
            o,
            "| {} | {} | {} {} | {} | {} | {} | {} | {} |",
            r.group,
            md_escape(&r.name),
            fmt(r.median),
            r.unit,
            fmt(r.min),
            r.runs.len(),
            md_escape(&reference),
            r.load,
            md_escape(&r.detail)
        );
    }
    let _ = writeln!(o);
    let _ = ms;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_keeps_the_originals_and_stays_small_and_in_range() {
        let mid: [f64; N_FEATURES] =
            std::array::from_fn(|j| (FEATURES[j].min + FEATURES[j].max) / 2.0);
        let top: [f64; N_FEATURES] = std::array::from_fn(|j| FEATURES[j].max);
        let rows = vec![mid, top];
        let big = jittered(&rows, 10, 7);
        assert_eq!(big.len(), 20);
        assert_eq!(&big[..2], &rows[..]);
        for (i, r) in big.iter().enumerate() {
            let base = rows[i % 2];
            for (j, v) in r.iter().enumerate() {
                assert!(
                    (v - base[j]).abs() <= 0.0100001 * base[j].abs(),
                    "{v} from {}",
                    base[j]
                );
                assert!(*v >= FEATURES[j].min && *v <= FEATURES[j].max, "{v}");
            }
        }
        assert_ne!(big[2], big[0], "copies are jittered");
        assert_eq!(jittered(&rows, 10, 7), big, "deterministic");
    }

    #[test]
    fn rows_report_min_and_median() {
        let r = MicroRow::new("g", "n", "ms", vec![3.0, 1.0, 2.0], String::new());
        assert_eq!(r.min, 1.0);
        assert_eq!(r.median, 2.0);
        assert_eq!(r.runs, vec![3.0, 1.0, 2.0]);
    }
}
