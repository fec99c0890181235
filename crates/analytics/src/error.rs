//! Why an analysis could not be made. Each variant maps to one of the API's error codes, so
//! the API layer turns it into its envelope with `DomainError::from`.

use clinicdesk_domain::{DomainError, ErrorCode};
use serde_json::json;

#[derive(Debug, Clone, PartialEq)]
pub enum AnalyticsError {
    /// A query parameter outside its closed set (`period=7d`, `metrics=foo`).
    InvalidParameter {
        field: &'static str,
        value: String,
        allowed: &'static [&'static str],
    },
    /// A date parameter that is not `YYYY-MM-DD`.
    InvalidDate { field: &'static str, value: String },
    /// Dates that parse but do not make a range (start after end, too long, one missing).
    InvalidRange { field: &'static str, reason: String },
    /// A value the caller computed is impossible (a churn probability of 1.4, more returning
    /// customers than active ones).
    InvalidInput { field: &'static str, reason: String },
    /// The history is too short to say anything honest about the customer.
    InsufficientData {
        reason: String,
        visits: usize,
        tenure_days: i64,
    },
    /// There is nobody to compare the customer with.
    EmptyPopulation,
}

impl AnalyticsError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AnalyticsError::InvalidParameter { .. }
            | AnalyticsError::InvalidDate { .. }
            | AnalyticsError::InvalidRange { .. } => ErrorCode::ValidationError,
            AnalyticsError::InvalidInput { .. } => ErrorCode::InternalError,
            AnalyticsError::InsufficientData { .. } | AnalyticsError::EmptyPopulation => {
                ErrorCode::InsufficientData
            }
        }
    }

    /// The Korean message staff read.
    pub fn message(&self) -> String {
        match self {
            AnalyticsError::InvalidParameter { field, allowed, .. } => {
                format!(
                    "{field} 값이 올바르지 않습니다 (허용: {})",
                    allowed.join(", ")
                )
            }
            AnalyticsError::InvalidDate { field, value } => {
                format!("{field} 날짜 형식이 올바르지 않습니다: '{value}' (YYYY-MM-DD)")
            }
            AnalyticsError::InvalidRange { reason, .. } => reason.clone(),
            AnalyticsError::InvalidInput { field, reason } => {
                format!("분석 입력값 {field}이(가) 올바르지 않습니다: {reason}")
            }
            AnalyticsError::InsufficientData { reason, .. } => reason.clone(),
            AnalyticsError::EmptyPopulation => "비교할 고객 집단이 비어 있습니다".to_string(),
        }
    }
}

impl std::fmt::Display for AnalyticsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code().as_str(), self.message())
    }
}

impl std::error::Error for AnalyticsError {}

impl From<AnalyticsError> for DomainError {
    fn from(e: AnalyticsError) -> DomainError {
        let message = e.message();
        match e {
            AnalyticsError::InvalidParameter {
                field,
                value,
                allowed,
            } => DomainError::not_allowed(field, &json!(value), allowed),
            AnalyticsError::InvalidDate { field, value } => DomainError::invalid(field, message)
                .with_details(json!({ "received_value": value, "format": "YYYY-MM-DD" })),
            AnalyticsError::InvalidRange { field, .. } => DomainError::invalid(field, message),
            AnalyticsError::InvalidInput { field, reason } => {
                DomainError::internal(format!("analytics input {field}: {reason}"))
            }
            AnalyticsError::InsufficientData {
                visits,
                tenure_days,
                ..
            } => DomainError::new(ErrorCode::InsufficientData)
                .with_message(message)
                .with_details(json!({
                    "visits": visits,
                    "tenure_days": tenure_days,
                    "rule": crate::customer::INSUFFICIENT_DATA_RULE,
                })),
            AnalyticsError::EmptyPopulation => {
                DomainError::new(ErrorCode::InsufficientData).with_message(message)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_the_contract_codes() {
        let e = AnalyticsError::InvalidParameter {
            field: "period",
            value: "7d".into(),
            allowed: &["30d", "90d"],
        };
        assert_eq!(e.code(), ErrorCode::ValidationError);
        let d = DomainError::from(e);
        assert_eq!(d.code, ErrorCode::ValidationError);
        assert_eq!(d.field.as_deref(), Some("period"));
        assert_eq!(d.details["received_value"], json!("7d"));

        let e = AnalyticsError::InsufficientData {
            reason: "방문이 부족합니다".into(),
            visits: 1,
            tenure_days: 30,
        };
        assert_eq!(e.code().http_status(), 400);
        let d = DomainError::from(e);
        assert_eq!(d.code, ErrorCode::InsufficientData);
        assert_eq!(d.details["visits"], json!(1));
        assert_eq!(d.message, "방문이 부족합니다");
    }
}
