//! The crate's errors. Every message exists in Korean (for the clinic staff who see it in the
//! UI) and English (for logs and engineers); `Display` gives both, Korean first, because the
//! server logs a refused model file and keeps serving the previous one, so the text has to say
//! exactly what was wrong without anyone opening the file.

use serde::Serialize;
use std::fmt;

/// What is wrong with one field of a [`crate::Profile`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum FieldProblem {
    /// NaN or ±∞ (only reachable from Rust callers: JSON has no such numbers).
    NotFinite,
    /// Outside the range the features can take; `min`/`max` are inclusive.
    OutOfRange { value: f64, min: f64, max: f64 },
}

/// One invalid field, named the way the JSON body names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    #[serde(flatten)]
    pub problem: FieldProblem,
}

impl FieldError {
    pub fn message_ko(&self) -> String {
        match &self.problem {
            FieldProblem::NotFinite => format!("{}: 유한한 숫자여야 합니다", self.field),
            FieldProblem::OutOfRange { value, min, max } => format!(
                "{}: {value}은(는) 허용 범위 {min}~{max}를 벗어났습니다",
                self.field
            ),
        }
    }

    pub fn message_en(&self) -> String {
        match &self.problem {
            FieldProblem::NotFinite => format!("{}: must be a finite number", self.field),
            FieldProblem::OutOfRange { value, min, max } => {
                format!(
                    "{}: {value} is outside the allowed range {min}..={max}",
                    self.field
                )
            }
        }
    }
}

/// A profile that failed validation: every bad field, not just the first, so a form can mark
/// them all at once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileError {
    pub errors: Vec<FieldError>,
}

impl ProfileError {
    /// The names of the offending fields, in feature order.
    pub fn fields(&self) -> Vec<&'static str> {
        self.errors.iter().map(|e| e.field).collect()
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ko: Vec<String> = self.errors.iter().map(FieldError::message_ko).collect();
        let en: Vec<String> = self.errors.iter().map(FieldError::message_en).collect();
        write!(
            f,
            "고객 프로필이 올바르지 않습니다: {} / invalid customer profile: {}",
            ko.join("; "),
            en.join("; ")
        )
    }
}

impl std::error::Error for ProfileError {}

/// Why a model file was refused. The server keeps the model it already has when this happens.
#[derive(Debug, Clone, PartialEq)]
pub enum ArtifactError {
    /// Not JSON, or JSON whose shape does not match (missing field, wrong type). `path` is the
    /// JSON path where parsing stopped (`.` for the document itself).
    Json {
        path: String,
        detail: String,
    },
    UnsupportedFormat {
        found: u32,
        supported: u32,
    },
    /// The file was trained with another feature list than this build computes.
    FeatureMismatch {
        expected: Vec<String>,
        found: Vec<String>,
    },
    /// Two parts of the file disagree on a size (e.g. a centroid with 8 numbers for 9
    /// features).
    Dimension {
        what: String,
        expected: usize,
        found: usize,
    },
    NotFinite {
        what: String,
    },
    /// A value that is finite but impossible (a negative standard deviation, AUC above 1,
    /// an empty model version…).
    Invalid {
        what: String,
        detail: String,
    },
    TooFewClusters {
        k: usize,
    },
    DuplicatePersona {
        name: String,
    },
    /// The content does not hash to the checksum written when it was trained: it was damaged
    /// or edited by hand.
    ChecksumMismatch {
        expected: String,
        found: String,
    },
}

impl ArtifactError {
    pub fn message_ko(&self) -> String {
        match self {
            ArtifactError::Json { path, detail } => {
                format!("모델 파일을 읽을 수 없습니다 (위치 {path}): {detail}")
            }
            ArtifactError::UnsupportedFormat { found, supported } => format!(
                "모델 파일 형식 버전 {found}은(는) 지원하지 않습니다 (지원 버전: {supported})"
            ),
            ArtifactError::FeatureMismatch { expected, found } => format!(
                "모델의 특성 목록이 현재 프로그램과 다릅니다 (필요: {}, 파일: {})",
                expected.join(","),
                found.join(",")
            ),
            ArtifactError::Dimension {
                what,
                expected,
                found,
            } => format!("모델 파일의 {what} 크기가 맞지 않습니다 (필요 {expected}, 실제 {found})"),
            ArtifactError::NotFinite { what } => {
                format!("모델 파일의 {what}에 유한하지 않은 값이 있습니다")
            }
            ArtifactError::Invalid { what, detail } => {
                format!("모델 파일의 {what} 값이 올바르지 않습니다: {detail}")
            }
            ArtifactError::TooFewClusters { k } => {
                format!("군집 수 {k}개는 너무 적습니다 (최소 2개)")
            }
            ArtifactError::DuplicatePersona { name } => {
                format!("페르소나 이름 '{name}'이(가) 중복됩니다")
            }
            ArtifactError::ChecksumMismatch { .. } => {
                "모델 파일 내용이 체크섬과 일치하지 않습니다 (손상되었거나 수정됨)".to_string()
            }
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            ArtifactError::Json { path, detail } => {
                format!("model file is not a valid artifact (at {path}): {detail}")
            }
            ArtifactError::UnsupportedFormat { found, supported } => format!(
                "model file format version {found} is not supported (supported: {supported})"
            ),
            ArtifactError::FeatureMismatch { expected, found } => format!(
                "model feature list differs from this build (expected: {}, file: {})",
                expected.join(","),
                found.join(",")
            ),
            ArtifactError::Dimension {
                what,
                expected,
                found,
            } => format!("model file {what} has size {found}, expected {expected}"),
            ArtifactError::NotFinite { what } => {
                format!("model file {what} contains a non-finite number")
            }
            ArtifactError::Invalid { what, detail } => {
                format!("model file {what} is invalid: {detail}")
            }
            ArtifactError::TooFewClusters { k } => {
                format!("model has {k} clusters; at least 2 are required")
            }
            ArtifactError::DuplicatePersona { name } => {
                format!("persona name '{name}' appears more than once")
            }
            ArtifactError::ChecksumMismatch { expected, found } => format!(
                "model file content does not match its checksum (damaged or edited): \
                 recorded {expected}, content hashes to {found}"
            ),
        }
    }
}

impl fmt::Display for ArtifactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.message_ko(), self.message_en())
    }
}

impl std::error::Error for ArtifactError {}

/// Errors of training and serving.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelError {
    /// Too little data to learn anything that describes groups rather than individuals.
    InsufficientData {
        what: &'static str,
        found: usize,
        minimum: usize,
    },
    InvalidArgument {
        what: &'static str,
        detail: String,
    },
    InvalidProfile(ProfileError),
    Artifact(ArtifactError),
    /// The artifact has no churn model (too little labelled history when it was trained).
    ChurnUnavailable {
        reason_ko: String,
        reason_en: String,
    },
    /// The numerical library refused (should not happen on validated input; kept typed so
    /// the caller can log it rather than crash).
    Fit {
        stage: &'static str,
        detail: String,
    },
}

impl ModelError {
    pub fn message_ko(&self) -> String {
        match self {
            ModelError::InsufficientData {
                what,
                found,
                minimum,
            } => format!("학습 데이터가 부족합니다: {what} {found}개 (최소 {minimum}개 필요)"),
            ModelError::InvalidArgument { what, detail } => {
                format!("{what} 값이 올바르지 않습니다: {detail}")
            }
            ModelError::InvalidProfile(e) => e
                .errors
                .iter()
                .map(FieldError::message_ko)
                .collect::<Vec<_>>()
                .join("; "),
            ModelError::Artifact(e) => e.message_ko(),
            ModelError::ChurnUnavailable { reason_ko, .. } => {
                format!("이탈 예측 모델이 없습니다: {reason_ko}")
            }
            ModelError::Fit { stage, detail } => format!("{stage} 학습에 실패했습니다: {detail}"),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            ModelError::InsufficientData {
                what,
                found,
                minimum,
            } => format!("not enough training data: {found} {what} (minimum {minimum})"),
            ModelError::InvalidArgument { what, detail } => format!("invalid {what}: {detail}"),
            ModelError::InvalidProfile(e) => e
                .errors
                .iter()
                .map(FieldError::message_en)
                .collect::<Vec<_>>()
                .join("; "),
            ModelError::Artifact(e) => e.message_en(),
            ModelError::ChurnUnavailable { reason_en, .. } => {
                format!("no churn model in this artifact: {reason_en}")
            }
            ModelError::Fit { stage, detail } => format!("{stage} fit failed: {detail}"),
        }
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.message_ko(), self.message_en())
    }
}

impl std::error::Error for ModelError {}

impl From<ProfileError> for ModelError {
    fn from(e: ProfileError) -> Self {
        ModelError::InvalidProfile(e)
    }
}

impl From<ArtifactError> for ModelError {
    fn from(e: ArtifactError) -> Self {
        ModelError::Artifact(e)
    }
}
