//! The model file: one JSON document holding everything serving needs, and enough about how
//! it was made to judge it. Training writes it; the server loads it with
//! [`Artifact::from_json`], which checks it completely, so a damaged or mismatched file is
//! refused with a reason and the previous model stays in service.
//!
//! Two hashes, for two questions:
//! * `data_fingerprint` — *which data was this trained on?* SHA-256 over the customers known
//!   on `data_as_of`, sorted by id, one line `"{customer_id}\t{visits up to data_as_of}\n"`
//!   each. Two trainings on the same customers and visit counts share it; any added customer
//!   or visit changes it. Cheap to recompute from the database.
//! * `checksum` — *is this file what training wrote?* SHA-256 over the compact JSON of the
//!   artifact with `checksum` set to "". Floats are written shortest-round-trip and read
//!   exactly (serde_json's `float_roundtrip`), so a loaded artifact re-serialises to the same
//!   bytes; a changed digit anywhere, even one that is still a valid number, is caught.

use crate::churn::ChurnModel;
use crate::error::ArtifactError;
use crate::features::{feature_names, Profile, FEATURES, N_FEATURES};
use crate::persona::Persona;
use crate::scaler::Scaler;
use crate::segmentation::{KScore, K_MIN};
use chrono::{DateTime, NaiveDate, Utc};
use clinicdesk_domain::history::CustomerHistory;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// Bump when the document's shape or meaning changes; older servers then refuse newer files
/// instead of misreading them.
pub const FORMAT_VERSION: u32 = 1;

/// How the segmentation was chosen and how good it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentationMetrics {
    pub k: usize,
    /// Customers clustered.
    pub n_rows: usize,
    /// Rows the silhouette was computed on.
    pub silhouette_sample: usize,
    pub n_runs: usize,
    pub seed: u64,
    /// The rule that picked `k`, in words.
    pub criterion: String,
    /// Every k tried, in order.
    pub per_k: Vec<KScore>,
}

impl SegmentationMetrics {
    pub fn silhouette(&self) -> Option<f64> {
        self.per_k
            .iter()
            .find(|s| s.k == self.k)
            .and_then(|s| s.silhouette)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    pub format_version: u32,
    /// Chosen by the caller (e.g. "2026-03-01.1").
    pub model_version: String,
    /// When training ran (from the caller; this crate reads no clock).
    pub trained_at: DateTime<Utc>,
    /// The day the customer data was taken as of.
    pub data_as_of: NaiveDate,
    pub feature_names: Vec<String>,
    pub data_fingerprint: String,
    /// Per feature: the training mean, used for missing optional values.
    pub imputation_means: Vec<f64>,
    pub scaler: Scaler,
    /// k × features, in the scaled space.
    pub centroids: Vec<Vec<f64>>,
    /// One per cluster, in cluster order.
    pub personas: Vec<Persona>,
    pub segmentation: SegmentationMetrics,
    /// Absent when there was too little labelled history; `churn_unavailable` says why.
    pub churn: Option<ChurnModel>,
    pub churn_unavailable: Option<ChurnUnavailable>,
    pub checksum: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChurnUnavailable {
    pub reason_ko: String,
    pub reason_en: String,
}

/// See the module documentation.
pub fn data_fingerprint(histories: &[CustomerHistory], as_of: NaiveDate) -> String {
    let mut lines: Vec<(String, usize)> = histories
        .iter()
        .filter(|h| h.registered <= as_of)
        .map(|h| {
            let visits = h.visits.iter().filter(|v| v.date <= as_of).count();
            (h.customer_id.clone(), visits)
        })
        .collect();
    lines.sort();
    let mut hasher = Sha256::new();
    for (id, n) in &lines {
        hasher.update(id.as_bytes());
        hasher.update(b"\t");
        hasher.update(n.to_string().as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Artifact {
    /// SHA-256 of the compact JSON with an empty checksum.
    pub fn compute_checksum(&self) -> String {
        let mut body = self.clone();
        body.checksum = String::new();
        // Serialising plain structs of numbers and strings cannot fail; an empty vector would
        // simply never match a recorded checksum.
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        hex::encode(Sha256::digest(&bytes))
    }

    /// Record the checksum (training's last step).
    pub fn seal(mut self) -> Artifact {
        self.checksum = self.compute_checksum();
        self
    }

    /// The document, pretty-printed for people who open it.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Parse and check a model file. Any failure names what is wrong.
    pub fn from_json(bytes: &[u8]) -> Result<Artifact, ArtifactError> {
        // The format version is read first and on its own, so a newer file is reported as
        // "unsupported version" rather than as whichever field it renamed.
        #[derive(Deserialize)]
        struct VersionOnly {
            format_version: u32,
        }
        let version: VersionOnly = parse(bytes)?;
        if version.format_version != FORMAT_VERSION {
            return Err(ArtifactError::UnsupportedFormat {
                found: version.format_version,
                supported: FORMAT_VERSION,
            });
        }
        let artifact: Artifact = parse(bytes)?;
        artifact.validate()?;
        Ok(artifact)
    }

    /// Every structural and numeric check; the checksum last, so a structurally wrong file
    /// gets the more specific message.
    pub fn validate(&self) -> Result<(), ArtifactError> {
        if self.format_version != FORMAT_VERSION {
            return Err(ArtifactError::UnsupportedFormat {
                found: self.format_version,
                supported: FORMAT_VERSION,
            });
        }
        let expected = feature_names();
        if self.feature_names != expected {
            return Err(ArtifactError::FeatureMismatch {
                expected,
                found: self.feature_names.clone(),
            });
        }
        if self.model_version.trim().is_empty() {
            return invalid("model_version", "empty");
        }
        if !is_sha256_hex(&self.data_fingerprint) {
            return invalid("data_fingerprint", "not a lowercase SHA-256 hex digest");
        }
        if !is_sha256_hex(&self.checksum) {
            return invalid("checksum", "not a lowercase SHA-256 hex digest");
        }

        check_len("imputation_means", &self.imputation_means, N_FEATURES)?;
        check_finite("imputation_means", &self.imputation_means)?;
        for (info, v) in FEATURES.iter().zip(&self.imputation_means) {
            if *v < info.min || *v > info.max {
                return invalid(
                    "imputation_means",
                    &format!("{} = {v} outside {}..={}", info.name, info.min, info.max),
                );
            }
        }
        check_scaler("scaler", &self.scaler)?;

        let k = self.centroids.len();
        if k < K_MIN {
            return Err(ArtifactError::TooFewClusters { k });
        }
        for (c, row) in self.centroids.iter().enumerate() {
            let what = format!("centroids[{c}]");
            check_len(&what, row, N_FEATURES)?;
            check_finite(&what, row)?;
        }
        if self.personas.len() != k {
            return Err(ArtifactError::Dimension {
                what: "personas".into(),
                expected: k,
                found: self.personas.len(),
            });
        }
        let mut names = HashSet::new();
        let mut names_en = HashSet::new();
        for (c, p) in self.personas.iter().enumerate() {
            if p.cluster_id != c {
                return invalid(
                    &format!("personas[{c}].cluster_id"),
                    &format!("{} (expected {c})", p.cluster_id),
                );
            }
            if p.name.trim().is_empty() || p.name_en.trim().is_empty() {
                return invalid(&format!("personas[{c}].name"), "empty");
            }
            if !names.insert(p.name.as_str()) {
                return Err(ArtifactError::DuplicatePersona {
                    name: p.name.clone(),
                });
            }
            if !names_en.insert(p.name_en.as_str()) {
                return Err(ArtifactError::DuplicatePersona {
                    name: p.name_en.clone(),
                });
            }
            if !p.share.is_finite() || !(0.0..=1.0).contains(&p.share) {
                return invalid(&format!("personas[{c}].share"), "not within 0..=1");
            }
        }
        self.validate_segmentation_metrics(k)?;
        if let Some(churn) = &self.churn {
            validate_churn(churn)?;
        } else if self.churn_unavailable.is_none() {
            return invalid("churn", "neither a model nor a reason for its absence");
        }

        let found = self.compute_checksum();
        if found != self.checksum {
            return Err(ArtifactError::ChecksumMismatch {
                expected: self.checksum.clone(),
                found,
            });
        }
        Ok(())
    }

    fn validate_segmentation_metrics(&self, k: usize) -> Result<(), ArtifactError> {
        let m = &self.segmentation;
        if m.k != k {
            return Err(ArtifactError::Dimension {
                what: "segmentation.k vs centroids".into(),
                expected: k,
                found: m.k,
            });
        }
        if m.n_rows < k {
            return invalid("segmentation.n_rows", "fewer rows than clusters");
        }
        for s in &m.per_k {
            let what = format!("segmentation.per_k[k={}]", s.k);
            if let Some(i) = s.inertia {
                if !i.is_finite() || i < 0.0 {
                    return Err(ArtifactError::NotFinite { what });
                }
            }
            if let Some(sil) = s.silhouette {
                if !sil.is_finite() || !(-1.0..=1.0).contains(&sil) {
                    return invalid(&what, "silhouette not within -1..=1");
                }
            }
        }
        if m.silhouette().is_none() {
            return invalid(
                "segmentation.per_k",
                "no silhouette recorded for the chosen k",
            );
        }
        Ok(())
    }

    /// A centroid in the features' own units, for display.
    pub fn centroid_profile(&self, cluster_id: usize) -> Option<Profile> {
        let z = self.centroids.get(cluster_id)?;
        let raw = self.scaler.inverse_row(z);
        let values: [f64; N_FEATURES] = raw.try_into().ok()?;
        Some(Profile::from_values(&values))
    }
}

fn parse<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, ArtifactError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| ArtifactError::Json {
        path: e.path().to_string(),
        detail: e.inner().to_string(),
    })
}

fn invalid<T>(what: &str, detail: &str) -> Result<T, ArtifactError> {
    Err(ArtifactError::Invalid {
        what: what.to_string(),
        detail: detail.to_string(),
    })
}

fn check_len(what: &str, v: &[f64], expected: usize) -> Result<(), ArtifactError> {
    if v.len() == expected {
        Ok(())
    } else {
        Err(ArtifactError::Dimension {
            what: what.to_string(),
            expected,
            found: v.len(),
        })
    }
}

fn check_finite(what: &str, v: &[f64]) -> Result<(), ArtifactError> {
    if v.iter().all(|x| x.is_finite()) {
        Ok(())
    } else {
        Err(ArtifactError::NotFinite {
            what: what.to_string(),
        })
    }
}

fn check_scaler(what: &str, s: &Scaler) -> Result<(), ArtifactError> {
    check_len(&format!("{what}.mean"), &s.mean, N_FEATURES)?;
    check_len(&format!("{what}.std"), &s.std, N_FEATURES)?;
    check_finite(&format!("{what}.mean"), &s.mean)?;
    check_finite(&format!("{what}.std"), &s.std)?;
    if s.std.iter().any(|v| *v <= 0.0) {
        return invalid(
            &format!("{what}.std"),
            "standard deviations must be positive",
        );
    }
    Ok(())
}

fn validate_churn(c: &ChurnModel) -> Result<(), ArtifactError> {
    check_len("churn.imputation_means", &c.imputation_means, N_FEATURES)?;
    check_finite("churn.imputation_means", &c.imputation_means)?;
    check_scaler("churn.scaler", &c.scaler)?;
    check_len("churn.coefficients", &c.coefficients, N_FEATURES)?;
    check_finite("churn.coefficients", &c.coefficients)?;
    let m = &c.metrics;
    check_finite(
        "churn",
        &[
            c.intercept,
            c.threshold,
            c.risk_medium,
            c.risk_high,
            c.alpha,
            m.auc,
            m.baseline_auc,
            m.recall_at_threshold,
        ],
    )?;
    if !(0.0 < c.risk_medium && c.risk_medium < c.risk_high && c.risk_high < 1.0) {
        return invalid("churn.risk_medium/risk_high", "need 0 < medium < high < 1");
    }
    if !(0.0 < c.threshold && c.threshold < 1.0) {
        return invalid("churn.threshold", "not within (0, 1)");
    }
    for (what, v) in [
        ("churn.metrics.auc", m.auc),
        ("churn.metrics.baseline_auc", m.baseline_auc),
    ] {
        if !(0.0..=1.0).contains(&v) {
            return invalid(what, "not within 0..=1");
        }
    }
    if m.beats_baseline != (m.auc > m.baseline_auc) {
        return invalid(
            "churn.metrics.beats_baseline",
            "disagrees with auc and baseline_auc",
        );
    }
    if m.positives_train > m.n_train || m.positives_test > m.n_test {
        return invalid("churn.metrics", "more positives than rows");
    }
    if c.positives_fitted > c.n_fitted {
        return invalid("churn.positives_fitted", "more positives than rows");
    }
    Ok(())
}
