//! Churn: will an active customer stop coming?
//!
//! * **Population and label.** At a cut-off day c, a customer is *active* when they visited
//!   in the 90 days ending at c (and registered by c). An active customer *churned* when they
//!   did not visit in the 90 days after c. Customers already inactive at c are not in the
//!   population: their answer is already known.
//! * **Features** are the [`Profile`] as of c — nothing after c is read.
//! * **Time-based evaluation.** The model is fitted at c = today − 180 (labels observed by
//!   today − 90) and judged on c = today − 90 (labels observed by today): the same question
//!   asked one quarter later, on outcomes the fit never saw. Reported: ROC AUC (ties counted
//!   as half, the Mann–Whitney form) against a baseline that ranks by days since the last
//!   visit, the obvious rule a person would use.
//! * **Served model.** After evaluation the same procedure is refitted at c = today − 90, the
//!   newest window whose outcome is known, so serving uses the latest behaviour; the reported
//!   AUC is the evaluation of that procedure one window earlier.
//! * **Model.** linfa-logistic's L2-regularised logistic regression on standardised features
//!   (imputation means and scaler fitted on the fitting rows only, so the evaluation does not
//!   peek at the test period).
//! * **Serving.** Probability, a risk level (low < 0.3 ≤ medium < 0.6 ≤ high, the levels
//!   the analytics spec uses), and the factors with the largest coefficient × standardised
//!   value, i.e. what moved this customer's log-odds away from the average customer's.

use crate::error::ModelError;
use crate::features::{imputation_means, impute, Feature, Profile, RawRow, WINDOW_90D};
use crate::scaler::Scaler;
use chrono::{Duration, NaiveDate};
use clinicdesk_domain::history::CustomerHistory;
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

/// The label's horizon: no visit within this many days after the cut-off.
pub const CHURN_HORIZON_DAYS: i64 = 90;
pub const TRAIN_CUTOFF_DAYS_AGO: i64 = 180;
pub const TEST_CUTOFF_DAYS_AGO: i64 = 90;
/// Fewer churners (or stayers) than this in the fitting or the test window and the AUC is
/// mostly noise, so no churn model is trained.
pub const MIN_PER_CLASS: usize = 10;
pub const RISK_MEDIUM: f64 = 0.3;
pub const RISK_HIGH: f64 = 0.6;
/// Probability at which a customer is counted as "predicted to churn" for precision/recall.
pub const DECISION_THRESHOLD: f64 = 0.5;
/// L2 weight. linfa's loss is the *sum* of per-row losses plus ½·α·‖w‖², so α = 1 is a light
/// touch for hundreds of rows; it keeps the fit finite when a feature separates perfectly.
pub const L2_ALPHA: f64 = 1.0;
const MAX_ITERATIONS: u64 = 300;
/// How many factors a prediction explains.
pub const TOP_FACTORS: usize = 3;

/// Visited in the 90 days ending at `cutoff`, and known by then.
pub fn is_active(h: &CustomerHistory, cutoff: NaiveDate) -> bool {
    h.registered <= cutoff
        && h.visits
            .iter()
            .any(|v| v.date <= cutoff && (cutoff - v.date).num_days() < WINDOW_90D)
}

/// No visit in the horizon after `cutoff`.
pub fn churned_after(h: &CustomerHistory, cutoff: NaiveDate) -> bool {
    !h.visits.iter().any(|v| {
        let ahead = (v.date - cutoff).num_days();
        (1..=CHURN_HORIZON_DAYS).contains(&ahead)
    })
}

/// The active customers at a cut-off, with features, labels and the baseline's score.
#[derive(Debug, Clone, Default)]
pub struct LabelledRows {
    pub rows: Vec<RawRow>,
    pub labels: Vec<bool>,
    pub recency: Vec<f64>,
}

impl LabelledRows {
    pub fn at(histories: &[CustomerHistory], cutoff: NaiveDate) -> LabelledRows {
        let mut out = LabelledRows::default();
        for h in histories.iter().filter(|h| is_active(h, cutoff)) {
            let p = Profile::from_history(h, cutoff);
            out.recency.push(p.recency_days);
            out.rows.push(p.raw());
            out.labels.push(churned_after(h, cutoff));
        }
        out
    }

    pub fn positives(&self) -> usize {
        self.labels.iter().filter(|l| **l).count()
    }
}

/// ROC AUC with ties counted as half: the probability that a random churner scores above a
/// random stayer. Average ranks make tied scores contribute ½ per pair, which matters for
/// integer scores like days since the last visit. `None` without both classes.
pub fn auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let n_pos = labels.iter().filter(|l| **l).count();
    let n_neg = labels.len() - n_pos;
    if n_pos == 0 || n_neg == 0 || scores.len() != labels.len() {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        // 1-based ranks i+1 ..= j+1 share their mean.
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum_pos += order[i..=j].iter().filter(|&&k| labels[k]).count() as f64 * avg_rank;
        i = j + 1;
    }
    let np = n_pos as f64;
    Some((rank_sum_pos - np * (np + 1.0) / 2.0) / (np * n_neg as f64))
}

fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// A fitted linear model with its own preprocessing.
#[derive(Debug, Clone, PartialEq)]
struct LinearFit {
    imputation_means: Vec<f64>,
    scaler: Scaler,
    coefficients: Vec<f64>,
    intercept: f64,
}

impl LinearFit {
    fn standardise(&self, row: &RawRow) -> (Vec<f64>, Vec<f64>) {
        let filled = impute(row, &self.imputation_means);
        let z = self.scaler.transform_row(&filled);
        (filled.to_vec(), z)
    }

    fn probability(&self, row: &RawRow) -> f64 {
        let (_, z) = self.standardise(row);
        sigmoid(logit(&self.coefficients, self.intercept, &z))
    }
}

fn logit(coefficients: &[f64], intercept: f64, z: &[f64]) -> f64 {
    intercept + coefficients.iter().zip(z).map(|(w, v)| w * v).sum::<f64>()
}

fn fit_logistic(rows: &[RawRow], labels: &[bool]) -> Result<LinearFit, ModelError> {
    let imputation_means = imputation_means(rows);
    let filled: Vec<f64> = rows
        .iter()
        .flat_map(|r| impute(r, &imputation_means))
        .collect();
    let x =
        Array2::from_shape_vec((rows.len(), crate::features::N_FEATURES), filled).map_err(|e| {
            ModelError::Fit {
                stage: "churn",
                detail: e.to_string(),
            }
        })?;
    let scaler = Scaler::fit(x.view());
    let z = scaler.transform(x.view());
    let dataset = DatasetBase::new(z, Array1::from(labels.to_vec()));
    let fitted = LogisticRegression::default()
        .alpha(L2_ALPHA)
        .max_iterations(MAX_ITERATIONS)
        .fit(&dataset)
        .map_err(|e| ModelError::Fit {
            stage: "churn logistic regression",
            detail: e.to_string(),
        })?;
    let mut coefficients = fitted.params().to_vec();
    let mut intercept = fitted.intercept();
    // linfa's probabilities are for the *more frequent* class, whichever that is; churners are
    // usually the minority, so flip the model to always give P(churn).
    if !fitted.labels().pos.class {
        coefficients.iter_mut().for_each(|w| *w = -*w);
        intercept = -intercept;
    }
    if coefficients
        .iter()
        .chain([&intercept])
        .any(|v| !v.is_finite())
    {
        return Err(ModelError::Fit {
            stage: "churn logistic regression",
            detail: "non-finite coefficients".into(),
        });
    }
    Ok(LinearFit {
        imputation_means,
        scaler,
        coefficients,
        intercept,
    })
}

/// How the churn model was judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChurnMetrics {
    pub train_cutoff: NaiveDate,
    pub test_cutoff: NaiveDate,
    pub n_train: usize,
    pub positives_train: usize,
    pub n_test: usize,
    pub positives_test: usize,
    /// Held-out ROC AUC of the model fitted at `train_cutoff`, on `test_cutoff`.
    pub auc: f64,
    /// Same, ranking by `recency_days` alone.
    pub baseline_auc: f64,
    pub baseline: String,
    pub beats_baseline: bool,
    /// At [`DECISION_THRESHOLD`] on the test window; `None` when nobody was predicted to churn.
    pub precision_at_threshold: Option<f64>,
    pub recall_at_threshold: f64,
}

/// The served churn model (fitted at `fitted_cutoff`) and its evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChurnModel {
    pub imputation_means: Vec<f64>,
    pub scaler: Scaler,
    /// One per feature, on the standardised scale: the change in log-odds per standard
    /// deviation.
    pub coefficients: Vec<f64>,
    pub intercept: f64,
    pub threshold: f64,
    pub risk_medium: f64,
    pub risk_high: f64,
    pub alpha: f64,
    pub fitted_cutoff: NaiveDate,
    pub n_fitted: usize,
    pub positives_fitted: usize,
    pub metrics: ChurnMetrics,
}

/// Either a churn model or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum ChurnOutcome {
    Trained(Box<ChurnModel>),
    Skipped {
        reason_ko: String,
        reason_en: String,
    },
}

fn class_check(set: &LabelledRows, window_ko: &str, window_en: &str) -> Option<ChurnOutcome> {
    let pos = set.positives();
    let neg = set.labels.len() - pos;
    (pos < MIN_PER_CLASS || neg < MIN_PER_CLASS).then(|| ChurnOutcome::Skipped {
        reason_ko: format!(
            "{window_ko} 기간의 활성 고객 중 이탈 {pos}명, 유지 {neg}명으로 \
             각각 최소 {MIN_PER_CLASS}명이 필요합니다"
        ),
        reason_en: format!(
            "the {window_en} window has {pos} churners and {neg} stayers among active \
             customers; at least {MIN_PER_CLASS} of each are needed"
        ),
    })
}

/// Fit, evaluate on the later window, refit on it for serving.
pub fn train_churn(
    histories: &[CustomerHistory],
    today: NaiveDate,
) -> Result<ChurnOutcome, ModelError> {
    let train_cutoff = today - Duration::days(TRAIN_CUTOFF_DAYS_AGO);
    let test_cutoff = today - Duration::days(TEST_CUTOFF_DAYS_AGO);
    let train = LabelledRows::at(histories, train_cutoff);
    let test = LabelledRows::at(histories, test_cutoff);
    if let Some(skip) = class_check(&train, "학습", "training") {
        return Ok(skip);
    }
    if let Some(skip) = class_check(&test, "평가", "test") {
        return Ok(skip);
    }

    let evaluated = fit_logistic(&train.rows, &train.labels)?;
    let scores: Vec<f64> = test.rows.iter().map(|r| evaluated.probability(r)).collect();
    let model_auc = auc(&scores, &test.labels);
    let baseline_auc = auc(&test.recency, &test.labels);
    let (Some(model_auc), Some(baseline_auc)) = (model_auc, baseline_auc) else {
        // class_check guarantees both classes; kept as an error rather than a panic.
        return Err(ModelError::Fit {
            stage: "churn evaluation",
            detail: "test window lacks one class".into(),
        });
    };
    let predicted: Vec<bool> = scores.iter().map(|s| *s >= DECISION_THRESHOLD).collect();
    let tp = predicted
        .iter()
        .zip(&test.labels)
        .filter(|(p, l)| **p && **l)
        .count();
    let n_predicted = predicted.iter().filter(|p| **p).count();
    let metrics = ChurnMetrics {
        train_cutoff,
        test_cutoff,
        n_train: train.labels.len(),
        positives_train: train.positives(),
        n_test: test.labels.len(),
        positives_test: test.positives(),
        auc: model_auc,
        baseline_auc,
        baseline: Feature::RecencyDays.name().to_string(),
        beats_baseline: model_auc > baseline_auc,
        precision_at_threshold: (n_predicted > 0).then(|| tp as f64 / n_predicted as f64),
        recall_at_threshold: tp as f64 / test.positives() as f64,
    };

    let served = fit_logistic(&test.rows, &test.labels)?;
    Ok(ChurnOutcome::Trained(Box::new(ChurnModel {
        imputation_means: served.imputation_means,
        scaler: served.scaler,
        coefficients: served.coefficients,
        intercept: served.intercept,
        threshold: DECISION_THRESHOLD,
        risk_medium: RISK_MEDIUM,
        risk_high: RISK_HIGH,
        alpha: L2_ALPHA,
        fitted_cutoff: test_cutoff,
        n_fitted: test.labels.len(),
        positives_fitted: test.positives(),
        metrics,
    })))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

impl RiskLevel {
    pub fn label_ko(self) -> &'static str {
        match self {
            RiskLevel::Low => "낮음",
            RiskLevel::Medium => "보통",
            RiskLevel::High => "높음",
        }
    }
}

/// One reason behind a prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChurnFactor {
    pub feature: &'static str,
    pub label_ko: &'static str,
    pub label_en: &'static str,
    /// The customer's value (the fitting mean when it was missing).
    pub value: f64,
    pub imputed: bool,
    /// Standardised value.
    pub z: f64,
    /// coefficient × z: log-odds added relative to an average customer.
    pub contribution: f64,
    pub raises_risk: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChurnPrediction {
    pub probability: f64,
    pub risk_level: RiskLevel,
    /// Visited in the last 90 days. The model is trained on active customers only; for an
    /// inactive one the probability is an extrapolation and the risk level is `high`, because
    /// they have already been away for a full horizon.
    pub active: bool,
    pub factors: Vec<ChurnFactor>,
}

impl ChurnModel {
    pub fn risk_level(&self, probability: f64) -> RiskLevel {
        if probability >= self.risk_high {
            RiskLevel::High
        } else if probability >= self.risk_medium {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }

    fn linear(&self) -> LinearFit {
        LinearFit {
            imputation_means: self.imputation_means.clone(),
            scaler: self.scaler.clone(),
            coefficients: self.coefficients.clone(),
            intercept: self.intercept,
        }
    }

    /// Predict for a validated profile.
    pub fn predict_profile(&self, profile: &Profile, active: bool) -> ChurnPrediction {
        let raw = profile.raw();
        let (filled, z) = self.linear().standardise(&raw);
        let probability = sigmoid(logit(&self.coefficients, self.intercept, &z));
        let mut factors: Vec<ChurnFactor> = Feature::ALL
            .iter()
            .map(|f| {
                let i = f.index();
                let contribution = self.coefficients[i] * z[i];
                ChurnFactor {
                    feature: f.name(),
                    label_ko: f.info().label_ko,
                    label_en: f.info().label_en,
                    value: filled[i],
                    imputed: raw[i].is_none(),
                    z: z[i],
                    contribution,
                    raises_risk: contribution > 0.0,
                }
            })
            // A factor that moves the log-odds by less than 0.01 explains nothing.
            .filter(|f| f.contribution.abs() >= 0.01)
            .collect();
        factors.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
        factors.truncate(TOP_FACTORS);
        ChurnPrediction {
            probability,
            risk_level: if active {
                self.risk_level(probability)
            } else {
                RiskLevel::High
            },
            active,
            factors,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_as_half() {
        // Perfect and inverted rankings.
        assert_eq!(
            auc(&[0.1, 0.2, 0.8, 0.9], &[false, false, true, true]),
            Some(1.0)
        );
        assert_eq!(
            auc(&[0.9, 0.8, 0.2, 0.1], &[false, false, true, true]),
            Some(0.0)
        );
        // Every score equal: pure chance.
        assert_eq!(auc(&[5.0; 4], &[false, true, false, true]), Some(0.5));
        // One tie between a churner and a stayer among 2×2 pairs: 3 wins + ½ = 3.5 / 4.
        assert_eq!(
            auc(&[1.0, 2.0, 2.0, 3.0], &[false, false, true, true]),
            Some(0.875)
        );
        assert_eq!(auc(&[1.0, 2.0], &[true, true]), None);
    }

    #[test]
    fn auc_matches_pair_counting_on_an_irregular_case() {
        let scores = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0];
        let labels = [
            true, false, true, false, false, true, false, true, true, false, false,
        ];
        let mut wins = 0.0;
        let mut pairs = 0.0;
        for i in 0..scores.len() {
            for j in 0..scores.len() {
                if labels[i] && !labels[j] {
                    pairs += 1.0;
                    if scores[i] > scores[j] {
                        wins += 1.0;
                    } else if scores[i] == scores[j] {
                        wins += 0.5;
                    }
                }
            }
        }
        let got = auc(&scores, &labels).expect("both classes");
        assert!((got - wins / pairs).abs() < 1e-12);
    }

    #[test]
    fn logistic_fit_gives_churn_probability_whichever_class_is_larger() {
        // One informative feature (recency); churners are the minority in one set and the
        // majority in the other. Both must give P(churn) rising with recency.
        for churn_share in [0.2, 0.8] {
            let n = 200;
            let mut rows = Vec::new();
            let mut labels = Vec::new();
            for i in 0..n {
                let churn = (i as f64) < churn_share * n as f64;
                let noise = ((i * 37) % 11) as f64;
                let recency = if churn { 40.0 + noise } else { 15.0 + noise };
                let mut r: RawRow = [Some(1.0); crate::features::N_FEATURES];
                r[Feature::RecencyDays.index()] = Some(recency);
                r[Feature::Age.index()] = Some(20.0 + (i % 40) as f64);
                rows.push(r);
                labels.push(churn);
            }
            let fit = fit_logistic(&rows, &labels).expect("fit");
            assert!(fit.coefficients[Feature::RecencyDays.index()] > 0.0);
            let mut hi = rows[0];
            hi[Feature::RecencyDays.index()] = Some(60.0);
            let mut lo = rows[0];
            lo[Feature::RecencyDays.index()] = Some(10.0);
            assert!(fit.probability(&hi) > 0.7, "share {churn_share}");
            assert!(fit.probability(&lo) < 0.3, "share {churn_share}");
        }
    }

    #[test]
    fn sigmoid_is_stable_at_the_extremes() {
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-15);
    }
}
