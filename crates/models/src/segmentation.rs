//! K-means on the scaled features, and the choice of k.
//!
//! * k-means is linfa-clustering's (k-means++ initialisation, Lloyd iterations, best of
//!   [`N_RUNS`] runs by inertia), seeded with [`SEED`] so the same data gives the same model,
//!   and stopped by scikit-learn's rule (see [`linfa_tolerance`]).
//! * k is chosen over [`K_MIN`]..=[`K_MAX`] as the one with the highest mean silhouette,
//!   computed on a deterministic sample of at most [`SILHOUETTE_SAMPLE`] rows (silhouette is
//!   quadratic in rows; 2,000 rows keep it to seconds and its standard error to about 0.01).
//!   A tie (within 1e-9) goes to the smaller k, the simpler story. The inertia of every k is
//!   reported as well so a person can read the elbow, but it does not decide: inertia always
//!   falls as k grows.
//! * A k whose solution leaves a cluster empty is skipped: it cannot be given a persona.

use crate::error::ModelError;
use linfa::prelude::*;
use linfa_clustering::KMeans;
use ndarray::{Array2, ArrayView1, ArrayView2, Axis, Zip};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

pub const SEED: u64 = 20_260_301;
pub const N_RUNS: usize = 10;
pub const K_MIN: usize = 2;
pub const K_MAX: usize = 8;
pub const SILHOUETTE_SAMPLE: usize = 2_000;
/// scikit-learn's default stopping rule: the squared centroid shift summed over all
/// centroids is at most this fraction of the data's mean feature variance.
pub const RELATIVE_TOLERANCE: f64 = 1e-4;
pub const MAX_ITERATIONS: u64 = 300;

/// linfa stops when the *unsquared* Euclidean shift of the centroid matrix is below its
/// tolerance, with a default of 1e-4 — on standardised data 10⁴ times stricter than
/// scikit-learn's rule. With it, restarts that start in a poor local optimum crawl towards the
/// iteration cap (measured: 10–15× the time of a good restart at 1M rows) for no better
/// inertia, since the best run is kept anyway. Translating scikit-learn's rule into linfa's
/// measure makes the two comparable and the fit predictable.
pub fn linfa_tolerance(x: ArrayView2<f64>) -> f64 {
    let n = x.nrows().max(1) as f64;
    let mean_var = x
        .axis_iter(Axis(1))
        .map(|col| {
            let m = col.sum() / n;
            col.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n
        })
        .sum::<f64>()
        / x.ncols().max(1) as f64;
    // A constant matrix has no variance; any positive tolerance then stops after one step.
    (RELATIVE_TOLERANCE * mean_var)
        .sqrt()
        .max(f64::MIN_POSITIVE)
}

/// One k-means solution.
#[derive(Debug, Clone)]
pub struct KMeansFit {
    /// k × features, in the scaled space.
    pub centroids: Array2<f64>,
    /// Cluster of each row.
    pub labels: Vec<usize>,
    /// Sum over rows of the squared Euclidean distance to the nearest centroid (scikit-learn's
    /// definition; linfa itself reports the mean).
    pub inertia: f64,
    pub sizes: Vec<usize>,
}

/// Fit k-means with `n_runs` restarts from a fixed seed.
pub fn fit_kmeans(
    x: ArrayView2<f64>,
    k: usize,
    n_runs: usize,
    seed: u64,
) -> Result<KMeansFit, ModelError> {
    if k == 0 || x.nrows() < k {
        return Err(ModelError::InvalidArgument {
            what: "k",
            detail: format!("k = {k} with {} rows", x.nrows()),
        });
    }
    let dataset = DatasetBase::from(x);
    let model = KMeans::params_with_rng(k, ChaCha8Rng::seed_from_u64(seed))
        .n_runs(n_runs)
        .tolerance(linfa_tolerance(x))
        .max_n_iterations(MAX_ITERATIONS)
        .fit(&dataset)
        .map_err(|e| ModelError::Fit {
            stage: "k-means",
            detail: e.to_string(),
        })?;
    let centroids = model.centroids().to_owned();
    let (labels, sq_dists) = assign_rows(x, centroids.view());
    let mut sizes = vec![0usize; k];
    for &l in &labels {
        sizes[l] += 1;
    }
    Ok(KMeansFit {
        inertia: sq_dists.iter().sum(),
        centroids,
        labels,
        sizes,
    })
}

/// Nearest centroid of every row and the squared distance to it. Recomputed here rather than
/// taken from linfa, whose cluster counts come from its last run, not its best one.
pub fn assign_rows(x: ArrayView2<f64>, centroids: ArrayView2<f64>) -> (Vec<usize>, Vec<f64>) {
    let mut labels = vec![0usize; x.nrows()];
    let mut dists = vec![0.0f64; x.nrows()];
    Zip::from(x.axis_iter(Axis(0)))
        .and(ndarray::ArrayViewMut1::from(&mut labels[..]))
        .and(ndarray::ArrayViewMut1::from(&mut dists[..]))
        .par_for_each(|row, label, dist| {
            let (l, d) = nearest(row, centroids);
            *label = l;
            *dist = d;
        });
    (labels, dists)
}

/// Index of the nearest centroid and the squared Euclidean distance to it.
pub fn nearest(z: ArrayView1<f64>, centroids: ArrayView2<f64>) -> (usize, f64) {
    let mut best = (0usize, f64::INFINITY);
    for (c, centroid) in centroids.axis_iter(Axis(0)).enumerate() {
        let d: f64 = centroid
            .iter()
            .zip(z.iter())
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        if d < best.1 {
            best = (c, d);
        }
    }
    best
}

/// `min(n, max)` row indices, the same for the same `n` and seed, sorted.
pub fn sample_indices(n: usize, max: usize, seed: u64) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    if n > max {
        idx.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        idx.truncate(max);
        idx.sort_unstable();
    }
    idx
}

/// Mean silhouette over the rows in `sample`, using only the sampled rows as neighbours
/// (which is what makes it an estimate of the full-data silhouette). For a row i, a is its
/// mean distance to the other sampled members of its cluster and b the smallest mean distance
/// to the sampled members of another cluster; s = (b − a) / max(a, b). A row alone in its
/// cluster within the sample scores 0, as in scikit-learn. `None` when fewer than two
/// clusters appear in the sample.
pub fn silhouette(x: ArrayView2<f64>, labels: &[usize], k: usize, sample: &[usize]) -> Option<f64> {
    let mut counts = vec![0usize; k];
    for &i in sample {
        counts[labels[i]] += 1;
    }
    if counts.iter().filter(|c| **c > 0).count() < 2 {
        return None;
    }
    let rows: Vec<Vec<f64>> = sample.iter().map(|&i| x.row(i).to_vec()).collect();
    let mut total = 0.0;
    let mut sums = vec![0.0f64; k];
    for (si, &i) in sample.iter().enumerate() {
        sums.iter_mut().for_each(|s| *s = 0.0);
        for (sj, &j) in sample.iter().enumerate() {
            if si != sj {
                let d: f64 = rows[si]
                    .iter()
                    .zip(&rows[sj])
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
                    .sqrt();
                sums[labels[j]] += d;
            }
        }
        let own = labels[i];
        if counts[own] < 2 {
            continue;
        }
        let a = sums[own] / (counts[own] - 1) as f64;
        let b = (0..k)
            .filter(|&c| c != own && counts[c] > 0)
            .map(|c| sums[c] / counts[c] as f64)
            .fold(f64::INFINITY, f64::min);
        let m = a.max(b);
        if m > 0.0 {
            total += (b - a) / m;
        }
    }
    Some(total / sample.len() as f64)
}

/// What was measured for one k.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KScore {
    pub k: usize,
    /// `None` when the k was skipped.
    pub inertia: Option<f64>,
    pub silhouette: Option<f64>,
    /// Why a k was skipped, in English (e.g. "empty cluster").
    pub skipped: Option<String>,
}

/// The k with the highest silhouette (ties to the smaller k).
pub fn choose_k(scores: &[KScore]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for s in scores {
        if let Some(sil) = s.silhouette {
            match best {
                Some((_, b)) if sil <= b + 1e-9 => {}
                _ => best = Some((s.k, sil)),
            }
        }
    }
    best.map(|(k, _)| k)
}

/// Rows that differ bitwise; k cannot usefully exceed this.
pub fn distinct_rows(x: ArrayView2<f64>, stop_at: usize) -> usize {
    let mut seen: std::collections::HashSet<Vec<u64>> = std::collections::HashSet::new();
    for row in x.axis_iter(Axis(0)) {
        seen.insert(row.iter().map(|v| v.to_bits()).collect());
        if seen.len() >= stop_at {
            break;
        }
    }
    seen.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn silhouette_matches_a_hand_computation() {
        // Two clusters on a line: {0, 1} and {4}, plus 5 in the second cluster.
        let x = array![[0.0], [1.0], [4.0], [5.0]];
        let labels = [0, 0, 1, 1];
        let s = silhouette(x.view(), &labels, 2, &[0, 1, 2, 3]).expect("two clusters");
        // Row 0: a = 1, b = (4 + 5) / 2 = 4.5 → 3.5 / 4.5. Row 1: a = 1, b = 3.5 → 2.5 / 3.5.
        // Row 2: a = 1, b = 3.5 → 2.5 / 3.5. Row 3: a = 1, b = 4.5 → 3.5 / 4.5.
        let expected = (2.0 * 3.5 / 4.5 + 2.0 * 2.5 / 3.5) / 4.0;
        assert!((s - expected).abs() < 1e-12, "{s} vs {expected}");
        // A singleton contributes 0; one cluster only gives no score.
        let s2 = silhouette(x.view(), &[0, 0, 0, 1], 2, &[0, 1, 2, 3]).expect("two clusters");
        assert!(s2 < s);
        assert_eq!(silhouette(x.view(), &[0, 0, 0, 0], 2, &[0, 1, 2, 3]), None);
    }

    #[test]
    fn sample_is_deterministic_bounded_and_whole_when_small() {
        assert_eq!(sample_indices(5, 10, 1), vec![0, 1, 2, 3, 4]);
        let a = sample_indices(10_000, 2_000, 7);
        assert_eq!(a.len(), 2_000);
        assert_eq!(a, sample_indices(10_000, 2_000, 7));
        assert_ne!(a, sample_indices(10_000, 2_000, 8));
        assert!(a.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn choose_k_takes_the_best_silhouette_and_prefers_smaller_k_on_ties() {
        let score = |k, s: Option<f64>| KScore {
            k,
            inertia: Some(1.0),
            silhouette: s,
            skipped: None,
        };
        assert_eq!(
            choose_k(&[
                score(2, Some(0.5)),
                score(3, Some(0.7)),
                score(4, Some(0.6))
            ]),
            Some(3)
        );
        assert_eq!(
            choose_k(&[score(2, Some(0.5)), score(3, Some(0.5))]),
            Some(2)
        );
        assert_eq!(choose_k(&[score(2, None)]), None);
    }

    #[test]
    fn kmeans_separates_obvious_blobs_and_reports_sum_inertia() {
        let mut rows = Vec::new();
        for i in 0..30 {
            let d = (i % 5) as f64 * 0.01;
            rows.extend_from_slice(&[d, d]);
            rows.extend_from_slice(&[10.0 + d, 10.0 - d]);
        }
        let x = Array2::from_shape_vec((60, 2), rows).expect("shape");
        let fit = fit_kmeans(x.view(), 2, N_RUNS, SEED).expect("fit");
        assert_eq!(fit.sizes, vec![30, 30]);
        assert!(fit.labels.chunks(2).all(|p| p[0] != p[1]));
        let manual: f64 = (0..60)
            .map(|i| {
                let c = fit.centroids.row(fit.labels[i]);
                (x[[i, 0]] - c[0]).powi(2) + (x[[i, 1]] - c[1]).powi(2)
            })
            .sum();
        assert!((fit.inertia - manual).abs() < 1e-9);
        let again = fit_kmeans(x.view(), 2, N_RUNS, SEED).expect("fit");
        assert_eq!(again.labels, fit.labels);
    }
}
