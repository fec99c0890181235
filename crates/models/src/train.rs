//! Training (offline, from histories to an [`Artifact`]) and serving (artifact + profile to
//! an answer). Training is the slow part and reports progress; serving is a few hundred
//! floating-point operations per customer.

use crate::artifact::{data_fingerprint, Artifact, ChurnUnavailable, SegmentationMetrics};
use crate::churn::{is_active, train_churn, ChurnMetrics, ChurnOutcome, ChurnPrediction};
use crate::error::{ModelError, ProfileError};
use crate::features::{feature_names, imputation_means, impute, Profile, RawRow, N_FEATURES};
use crate::persona::{name_clusters, Persona};
use crate::scaler::Scaler;
use crate::segmentation::{
    choose_k, distinct_rows, fit_kmeans, sample_indices, silhouette, KMeansFit, KScore, K_MAX,
    K_MIN, N_RUNS, SEED, SILHOUETTE_SAMPLE,
};
use chrono::{DateTime, NaiveDate, Utc};
use clinicdesk_domain::history::CustomerHistory;
use ndarray::Array2;
use serde::Serialize;

/// Below this many customers a "segment" is a handful of individuals and a persona would
/// describe a person, not a group; it also keeps the silhouette of k = 8 from resting on
/// clusters of one or two.
pub const MIN_CUSTOMERS: usize = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainStage {
    Features,
    Clustering,
    Personas,
    Churn,
    Finishing,
    Done,
}

impl TrainStage {
    pub fn label_ko(self) -> &'static str {
        match self {
            TrainStage::Features => "고객 특성 계산",
            TrainStage::Clustering => "군집 분석",
            TrainStage::Personas => "페르소나 이름 붙이기",
            TrainStage::Churn => "이탈 예측 모델 학습",
            TrainStage::Finishing => "모델 파일 작성",
            TrainStage::Done => "완료",
        }
    }
}

/// One progress report. `fraction` is of the whole training, never decreases and ends at 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainProgress {
    pub stage: TrainStage,
    pub fraction: f64,
    pub detail: String,
}

/// Where each stage sits on the progress bar; clustering (seven k-means fits of ten runs)
/// dominates the time.
const FEATURES_END: f64 = 0.10;
const CLUSTERING_END: f64 = 0.80;
const PERSONAS_END: f64 = 0.82;
const CHURN_END: f64 = 0.97;

/// A cluster in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterSummary {
    pub cluster_id: usize,
    pub persona: String,
    pub persona_en: String,
    pub description: String,
    pub size: usize,
    pub share: f64,
    /// The centroid in the features' own units.
    pub centroid: Profile,
}

/// What a person reviewing a training run needs to decide whether to deploy it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainReport {
    pub model_version: String,
    pub data_as_of: NaiveDate,
    pub n_customers: usize,
    /// Customers registered after `data_as_of`, left out.
    pub n_excluded_future: usize,
    pub k: usize,
    pub silhouette: f64,
    pub criterion: String,
    pub per_k: Vec<KScore>,
    pub clusters: Vec<ClusterSummary>,
    pub churn: Option<ChurnMetrics>,
    pub churn_unavailable: Option<ChurnUnavailable>,
    pub data_fingerprint: String,
}

fn criterion_text(sample: usize) -> String {
    format!(
        "k in {K_MIN}..={K_MAX} with the highest mean silhouette on a deterministic sample of \
         {sample} rows (ties to the smaller k); k-means++ with {N_RUNS} runs, seed {SEED}; \
         a k leaving a cluster empty is skipped. Inertia (sum of squared distances to the \
         nearest centroid, scaled space) is reported per k for the elbow but does not decide."
    )
}

/// Train the segmentation and the churn model on the customers known on `today`.
pub fn train(
    histories: &[CustomerHistory],
    today: NaiveDate,
    model_version: &str,
    trained_at: DateTime<Utc>,
    progress: &mut dyn FnMut(TrainProgress),
) -> Result<(Artifact, TrainReport), ModelError> {
    if model_version.trim().is_empty() {
        return Err(ModelError::InvalidArgument {
            what: "model_version",
            detail: "empty".into(),
        });
    }
    let known: Vec<&CustomerHistory> = histories.iter().filter(|h| h.registered <= today).collect();
    if known.len() < MIN_CUSTOMERS {
        return Err(ModelError::InsufficientData {
            what: "customers",
            found: known.len(),
            minimum: MIN_CUSTOMERS,
        });
    }
    let n = known.len();

    // Features.
    let mut rows: Vec<RawRow> = Vec::with_capacity(n);
    let step = (n / 20).max(1);
    for (i, h) in known.iter().enumerate() {
        rows.push(Profile::from_history(h, today).raw());
        if i % step == 0 {
            progress(TrainProgress {
                stage: TrainStage::Features,
                fraction: FEATURES_END * i as f64 / n as f64,
                detail: format!("고객 {i}/{n}명"),
            });
        }
    }
    let means = imputation_means(&rows);
    let filled: Vec<f64> = rows.iter().flat_map(|r| impute(r, &means)).collect();
    let x = Array2::from_shape_vec((n, N_FEATURES), filled).map_err(|e| ModelError::Fit {
        stage: "features",
        detail: e.to_string(),
    })?;
    let scaler = Scaler::fit(x.view());
    let z = scaler.transform(x.view());
    progress(TrainProgress {
        stage: TrainStage::Features,
        fraction: FEATURES_END,
        detail: format!("고객 {n}명"),
    });

    // Clustering over k.
    let distinct = distinct_rows(z.view(), K_MAX + 1);
    if distinct < K_MIN {
        return Err(ModelError::InsufficientData {
            what: "distinct customer profiles",
            found: distinct,
            minimum: K_MIN,
        });
    }
    let sample = sample_indices(n, SILHOUETTE_SAMPLE, SEED);
    let ks: Vec<usize> = (K_MIN..=K_MAX).collect();
    let mut per_k = Vec::with_capacity(ks.len());
    let mut fits: Vec<(usize, KMeansFit)> = Vec::new();
    for (i, &k) in ks.iter().enumerate() {
        let score = if k > distinct {
            KScore {
                k,
                inertia: None,
                silhouette: None,
                skipped: Some(format!("only {distinct} distinct profiles")),
            }
        } else {
            // One seed per k so adding a k to the range does not change the others.
            let fit = fit_kmeans(z.view(), k, N_RUNS, SEED + k as u64)?;
            if fit.sizes.contains(&0) {
                KScore {
                    k,
                    inertia: Some(fit.inertia),
                    silhouette: None,
                    skipped: Some("empty cluster".into()),
                }
            } else {
                let s = silhouette(z.view(), &fit.labels, k, &sample);
                let score = KScore {
                    k,
                    inertia: Some(fit.inertia),
                    silhouette: s,
                    skipped: s.is_none().then(|| "one cluster in the sample".to_string()),
                };
                fits.push((k, fit));
                score
            }
        };
        per_k.push(score);
        progress(TrainProgress {
            stage: TrainStage::Clustering,
            fraction: FEATURES_END
                + (CLUSTERING_END - FEATURES_END) * (i + 1) as f64 / ks.len() as f64,
            detail: format!("군집 {k}개 시도"),
        });
    }
    let Some(k) = choose_k(&per_k) else {
        return Err(ModelError::InsufficientData {
            what: "usable k-means solutions",
            found: 0,
            minimum: 1,
        });
    };
    let Some((_, fit)) = fits.into_iter().find(|(fk, _)| *fk == k) else {
        return Err(ModelError::Fit {
            stage: "k-means",
            detail: format!("chosen k = {k} has no stored fit"),
        });
    };
    let centroids: Vec<Vec<f64>> = fit
        .centroids
        .rows()
        .into_iter()
        .map(|r| r.to_vec())
        .collect();
    let personas = name_clusters(&centroids, &scaler, &fit.sizes);
    progress(TrainProgress {
        stage: TrainStage::Personas,
        fraction: PERSONAS_END,
        detail: format!("군집 {k}개 선택"),
    });

    // Churn cuts the histories at its own, earlier dates, which already leaves out customers
    // registered after today.
    let (churn, churn_unavailable) = match train_churn(histories, today)? {
        ChurnOutcome::Trained(m) => (Some(*m), None),
        ChurnOutcome::Skipped {
            reason_ko,
            reason_en,
        } => (
            None,
            Some(ChurnUnavailable {
                reason_ko,
                reason_en,
            }),
        ),
    };
    progress(TrainProgress {
        stage: TrainStage::Churn,
        fraction: CHURN_END,
        detail: if churn.is_some() {
            "학습함".into()
        } else {
            "데이터가 부족해 건너뜀".into()
        },
    });

    let criterion = criterion_text(sample.len());
    let segmentation = SegmentationMetrics {
        k,
        n_rows: n,
        silhouette_sample: sample.len(),
        n_runs: N_RUNS,
        seed: SEED,
        criterion: criterion.clone(),
        per_k: per_k.clone(),
    };
    let fingerprint = data_fingerprint(histories, today);
    let artifact = Artifact {
        format_version: crate::artifact::FORMAT_VERSION,
        model_version: model_version.to_string(),
        trained_at,
        data_as_of: today,
        feature_names: feature_names(),
        data_fingerprint: fingerprint.clone(),
        imputation_means: means,
        scaler,
        centroids,
        personas,
        segmentation,
        churn,
        churn_unavailable,
        checksum: String::new(),
    }
    .seal();
    // The same checks the server runs on load: a model that would be refused is never handed
    // back as a success.
    artifact.validate()?;

    let clusters = artifact
        .personas
        .iter()
        .map(|p| ClusterSummary {
            cluster_id: p.cluster_id,
            persona: p.name.clone(),
            persona_en: p.name_en.clone(),
            description: p.description.clone(),
            size: p.size,
            share: p.share,
            centroid: artifact
                .centroid_profile(p.cluster_id)
                .unwrap_or_else(|| Profile::from_values(&[0.0; N_FEATURES])),
        })
        .collect();
    let report = TrainReport {
        model_version: model_version.to_string(),
        data_as_of: today,
        n_customers: n,
        n_excluded_future: histories.len() - n,
        k,
        silhouette: artifact.segmentation.silhouette().unwrap_or(f64::NAN),
        criterion,
        per_k,
        clusters,
        churn: artifact.churn.as_ref().map(|c| c.metrics.clone()),
        churn_unavailable: artifact.churn_unavailable.clone(),
        data_fingerprint: fingerprint,
    };
    progress(TrainProgress {
        stage: TrainStage::Done,
        fraction: 1.0,
        detail: format!("세그먼트 {k}개"),
    });
    Ok((artifact, report))
}

/// The segment a profile falls in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    pub cluster_id: usize,
    pub persona: String,
    pub persona_en: String,
    pub persona_key: String,
    pub description: String,
    pub description_en: String,
    /// Euclidean distance to the centroid in the scaled space (standard deviations): near 0 is
    /// a textbook member, above ~3 an unusual one.
    pub distance: f64,
}

/// Assign one profile (real or hypothetical) to its nearest centroid.
pub fn predict(artifact: &Artifact, profile: &Profile) -> Result<Assignment, ProfileError> {
    profile.validate()?;
    let filled = impute(&profile.raw(), &artifact.imputation_means);
    let z = artifact.scaler.transform_row(&filled);
    let mut best = (0usize, f64::INFINITY);
    for (c, centroid) in artifact.centroids.iter().enumerate() {
        let d: f64 = centroid
            .iter()
            .zip(&z)
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        if d < best.1 {
            best = (c, d);
        }
    }
    let (cluster_id, d2) = best;
    let persona: Option<&Persona> = artifact.personas.get(cluster_id);
    Ok(Assignment {
        cluster_id,
        persona: persona.map(|p| p.name.clone()).unwrap_or_default(),
        persona_en: persona.map(|p| p.name_en.clone()).unwrap_or_default(),
        persona_key: persona.map(|p| p.key.clone()).unwrap_or_default(),
        description: persona.map(|p| p.description.clone()).unwrap_or_default(),
        description_en: persona
            .map(|p| p.description_en.clone())
            .unwrap_or_default(),
        distance: d2.sqrt(),
    })
}

/// [`predict`] for many profiles; one bad profile does not spoil the others.
pub fn predict_batch(
    artifact: &Artifact,
    profiles: &[Profile],
) -> Vec<Result<Assignment, ProfileError>> {
    profiles.iter().map(|p| predict(artifact, p)).collect()
}

/// The churn risk of a customer as of `today`.
pub fn churn_probability(
    artifact: &Artifact,
    history: &CustomerHistory,
    today: NaiveDate,
) -> Result<ChurnPrediction, ModelError> {
    let profile = Profile::from_history(history, today);
    churn_for_profile(artifact, &profile, is_active(history, today))
}

/// The churn risk of a profile; `active` says whether they visited in the last 90 days (for a
/// posted profile: `visits_90d > 0`).
pub fn churn_for_profile(
    artifact: &Artifact,
    profile: &Profile,
    active: bool,
) -> Result<ChurnPrediction, ModelError> {
    profile.validate()?;
    match &artifact.churn {
        Some(model) => Ok(model.predict_profile(profile, active)),
        None => {
            let (reason_ko, reason_en) = artifact.churn_unavailable.as_ref().map_or_else(
                || ("사유 없음".to_string(), "no reason recorded".to_string()),
                |r| (r.reason_ko.clone(), r.reason_en.clone()),
            );
            Err(ModelError::ChurnUnavailable {
                reason_ko,
                reason_en,
            })
        }
    }
}
