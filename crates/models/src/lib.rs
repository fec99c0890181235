//! ClinicDesk's customer models: who a customer is like (k-means segments with Korean
//! personas) and whether an active customer is about to stop coming (logistic churn model).
//!
//! * [`features`] turns a [`CustomerHistory`](clinicdesk_domain::history::CustomerHistory)
//!   into a [`Profile`] of nine interpretable numbers as of a given day (also the body of
//!   `POST /api/v1/analysis`, validated field by field).
//! * [`train()`] fits everything offline — scaler, k-means over k = 2..=8 chosen by silhouette,
//!   personas, churn with a time-based evaluation — and returns one versioned [`Artifact`]
//!   plus a [`TrainReport`]; it reports progress for a UI.
//! * [`Artifact::from_json`] checks a model file completely so the server can refuse a bad
//!   one and keep serving the previous model; [`predict`], [`predict_batch`] and
//!   [`churn_probability`] serve from it.
//!
//! Pure: no IO and no clock (the caller passes `today`, the version and the training time);
//! every random choice comes from a fixed seed, so the same data gives the same model.

pub mod artifact;
pub mod churn;
pub mod error;
pub mod features;
pub mod persona;
pub mod scaler;
pub mod segmentation;
pub mod train;

pub use artifact::{Artifact, ChurnUnavailable, SegmentationMetrics, FORMAT_VERSION};
pub use churn::{ChurnFactor, ChurnMetrics, ChurnModel, ChurnPrediction, RiskLevel};
pub use error::{ArtifactError, FieldError, FieldProblem, ModelError, ProfileError};
pub use features::{Feature, Profile, N_FEATURES};
pub use persona::Persona;
pub use scaler::Scaler;
pub use segmentation::KScore;
pub use train::{
    churn_for_profile, churn_probability, predict, predict_batch, train, Assignment,
    ClusterSummary, TrainProgress, TrainReport, TrainStage, MIN_CUSTOMERS,
};
