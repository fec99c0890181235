use std::fmt;

/// Why a model could not be built or a question could not be answered. `code()` is the stable
/// string the API puts in its error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecommendError {
    /// `related` was asked about a code that is not one of the catalogue's services.
    UnknownService(String),
    NoServices,
    DuplicateService(String),
    DuplicatePackage(String),
    /// A package with no sessions, a validity or price out of range, or a service the
    /// catalogue does not offer.
    InvalidPackage(String),
}

impl RecommendError {
    pub fn code(&self) -> &'static str {
        match self {
            RecommendError::UnknownService(_) => "unknown_service",
            RecommendError::NoServices => "no_services",
            RecommendError::DuplicateService(_) => "duplicate_service",
            RecommendError::DuplicatePackage(_) => "duplicate_package",
            RecommendError::InvalidPackage(_) => "invalid_package",
        }
    }
}

impl fmt::Display for RecommendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecommendError::UnknownService(c) => write!(f, "알 수 없는 서비스 코드: {c}"),
            RecommendError::NoServices => write!(f, "카탈로그에 서비스가 없습니다"),
            RecommendError::DuplicateService(c) => write!(f, "서비스가 중복되었습니다: {c}"),
            RecommendError::DuplicatePackage(id) => write!(f, "패키지 ID가 중복되었습니다: {id}"),
            RecommendError::InvalidPackage(id) => {
                write!(f, "패키지 구성이 올바르지 않습니다: {id}")
            }
        }
    }
}

impl std::error::Error for RecommendError {}
