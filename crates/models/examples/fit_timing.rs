//! How long the segmentation takes at clinic-chain scale, to compare with the scikit-learn
//! figures in the issue (StandardScaler + KMeans(k=5, n_init=10): 1.2 s on 100k rows, 3.9 s
//! on 1M rows, predict 206 µs per row, on this machine).
//!
//! `cargo run --release -p clinicdesk-models --example fit_timing [-- 100000,1000000]`
//!
//! Rows are synthetic profiles: five customer types with distinct means in the features' own
//! units plus Gaussian noise, so k-means has real structure to converge on (uniform noise
//! would make it iterate to the limit and time something no clinic has). Each size reports:
//! scaler fit + transform, k-means fit (k = 5, 10 runs, linfa, plus the final assignment and
//! inertia), and serving — `predict(&Artifact, &Profile)` one row at a time, which includes
//! validation, imputation and scaling, as an API request would.

use chrono::{NaiveDate, TimeZone, Utc};
use clinicdesk_models::artifact::{ChurnUnavailable, SegmentationMetrics};
use clinicdesk_models::features::{feature_names, N_FEATURES};
use clinicdesk_models::persona::name_clusters;
use clinicdesk_models::segmentation::{fit_kmeans, KScore, N_RUNS, SEED};
use clinicdesk_models::{predict, Artifact, Profile, Scaler, FORMAT_VERSION};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::Instant;

/// Means and spreads of five kinds of customer, in feature order: age, tenure, recency,
/// visits_90d, visits_per_month, revenue_365d, package_share, service_diversity, avg_rating.
const TYPES: [([f64; N_FEATURES], [f64; N_FEATURES]); 5] = [
    (
        [56.0, 750.0, 4.0, 12.0, 4.2, 3_000_000.0, 0.9, 3.5, 4.6],
        [7.0, 200.0, 3.0, 2.0, 0.6, 500_000.0, 0.05, 0.6, 0.3],
    ),
    (
        [35.0, 600.0, 18.0, 2.5, 0.9, 600_000.0, 0.02, 1.5, 4.0],
        [6.0, 180.0, 10.0, 1.0, 0.3, 200_000.0, 0.03, 0.5, 0.5],
    ),
    (
        [45.0, 700.0, 190.0, 0.3, 2.5, 400_000.0, 0.5, 3.3, 3.2],
        [9.0, 200.0, 80.0, 0.5, 0.6, 250_000.0, 0.15, 0.6, 0.5],
    ),
    (
        [30.0, 40.0, 10.0, 2.0, 2.0, 150_000.0, 0.1, 1.8, 4.2],
        [5.0, 20.0, 8.0, 1.0, 0.8, 80_000.0, 0.1, 0.7, 0.5],
    ),
    (
        [50.0, 1500.0, 60.0, 1.0, 0.5, 200_000.0, 0.3, 2.0, 3.8],
        [8.0, 300.0, 40.0, 0.8, 0.2, 100_000.0, 0.2, 0.8, 0.5],
    ),
];

fn gaussian(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller; 1 − u keeps the logarithm finite.
    let u: f64 = rng.gen();
    let v: f64 = rng.gen();
    (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn synthetic(n: usize, seed: u64) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut data = Vec::with_capacity(n * N_FEATURES);
    let bounds = clinicdesk_models::features::FEATURES;
    for _ in 0..n {
        let (mean, sd) = &TYPES[rng.gen_range(0..TYPES.len())];
        for j in 0..N_FEATURES {
            let x = mean[j] + sd[j] * gaussian(&mut rng);
            // Keep every row a valid profile, as real ones are.
            data.push(x.clamp(bounds[j].min, bounds[j].max));
        }
    }
    Array2::from_shape_vec((n, N_FEATURES), data).unwrap_or_else(|_| Array2::zeros((0, 0)))
}

fn run(n: usize) {
    let x = synthetic(n, SEED);
    println!("== {n} rows × {N_FEATURES} features ==");

    let t = Instant::now();
    let scaler = Scaler::fit(x.view());
    let z = scaler.transform(x.view());
    let scale_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let fit = match fit_kmeans(z.view(), 5, N_RUNS, SEED) {
        Ok(f) => f,
        Err(e) => {
            println!("k-means failed: {e}");
            return;
        }
    };
    let kmeans_s = t.elapsed().as_secs_f64();
    println!("scaler fit+transform   {scale_s:>8.3} s");
    println!(
        "k-means k=5, 10 runs   {kmeans_s:>8.3} s   (inertia {:.1}, sizes {:?})",
        fit.inertia, fit.sizes
    );
    println!("scaler + k-means       {:>8.3} s", scale_s + kmeans_s);

    let centroids: Vec<Vec<f64>> = fit
        .centroids
        .rows()
        .into_iter()
        .map(|r| r.to_vec())
        .collect();
    let personas = name_clusters(&centroids, &scaler, &fit.sizes);
    let artifact = Artifact {
        format_version: FORMAT_VERSION,
        model_version: "timing".into(),
        trained_at: Utc.timestamp_opt(0, 0).single().unwrap_or_default(),
        data_as_of: NaiveDate::default(),
        feature_names: feature_names(),
        data_fingerprint: "0".repeat(64),
        imputation_means: scaler.mean.clone(),
        scaler: scaler.clone(),
        centroids,
        personas,
        segmentation: SegmentationMetrics {
            k: 5,
            n_rows: n,
            silhouette_sample: 0,
            n_runs: N_RUNS,
            seed: SEED,
            criterion: "fixed k = 5 for timing".into(),
            per_k: vec![KScore {
                k: 5,
                inertia: Some(fit.inertia),
                silhouette: Some(0.0),
                skipped: None,
            }],
        },
        churn: None,
        churn_unavailable: Some(ChurnUnavailable {
            reason_ko: "시간 측정용".into(),
            reason_en: "timing only".into(),
        }),
        checksum: String::new(),
    }
    .seal();

    let n_predict = n.min(100_000);
    let profiles: Vec<Profile> = (0..n_predict)
        .map(|i| {
            let row: [f64; N_FEATURES] = std::array::from_fn(|j| x[[i, j]]);
            Profile::from_values(&row)
        })
        .collect();
    let t = Instant::now();
    let mut agree = 0usize;
    for (i, p) in profiles.iter().enumerate() {
        if let Ok(a) = black_box(predict(&artifact, black_box(p))) {
            agree += usize::from(a.cluster_id == fit.labels[i]);
        }
    }
    let per_row_us = t.elapsed().as_secs_f64() * 1e6 / n_predict as f64;
    println!(
        "predict, one row a time {per_row_us:>7.2} µs/row over {n_predict} rows \
         (agrees with the fit's labels on {agree}/{n_predict})"
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    println!(
        "threads: {} (rayon, as ndarray's parallel iterators use)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    for n in sizes {
        run(n);
    }
}
