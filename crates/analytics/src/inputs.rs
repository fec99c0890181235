//! What callers hand in beside the history: the churn model's answer, the customer's
//! packages as they stand today, and self-reported health scores. Each is plain data the
//! caller builds from its own sources, so the analytics stay pure.

use crate::error::AnalyticsError;
use chrono::NaiveDate;
use clinicdesk_domain::package::{PackageUsage, Purchase};
use clinicdesk_domain::ServiceType;
use serde::{Deserialize, Serialize};

/// The churn model's prediction for one customer (the model lives elsewhere; this crate
/// never guesses one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChurnInput {
    /// Probability (0–1) that the customer stops visiting within `horizon_days`.
    pub probability: f64,
    /// The window the model predicts over, in days.
    pub horizon_days: i64,
    #[serde(default)]
    pub model_version: Option<String>,
}

impl ChurnInput {
    pub(crate) fn validate(&self) -> Result<(), AnalyticsError> {
        if !(self.probability.is_finite() && (0.0..=1.0).contains(&self.probability)) {
            return Err(AnalyticsError::InvalidInput {
                field: "churn.probability",
                reason: format!("0–1 사이여야 합니다 (받은 값 {})", self.probability),
            });
        }
        if self.horizon_days <= 0 {
            return Err(AnalyticsError::InvalidInput {
                field: "churn.horizon_days",
                reason: format!("1일 이상이어야 합니다 (받은 값 {})", self.horizon_days),
            });
        }
        Ok(())
    }

    pub fn risk(&self) -> ChurnRisk {
        ChurnRisk::from_probability(self.probability)
    }
}

/// Churn risk level, with seed 003's thresholds: below 0.3 low, below 0.6 medium, else high.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChurnRisk {
    Low,
    Medium,
    High,
}

impl ChurnRisk {
    pub fn from_probability(p: f64) -> ChurnRisk {
        if p < 0.3 {
            ChurnRisk::Low
        } else if p < 0.6 {
            ChurnRisk::Medium
        } else {
            ChurnRisk::High
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChurnRisk::Low => "낮음",
            ChurnRisk::Medium => "보통",
            ChurnRisk::High => "높음",
        }
    }
}

/// One (not cancelled) package of the customer as it stands today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageSnapshot {
    pub package_name: String,
    pub purchase_date: NaiveDate,
    pub expiry_date: NaiveDate,
    pub total_sessions: i64,
    pub remaining_sessions: i64,
    pub services: Vec<ServiceType>,
}

impl PackageSnapshot {
    /// From the domain's purchase and its derived usage; `None` for a cancelled purchase,
    /// which is no package the customer holds.
    pub fn from_usage(p: &Purchase, usage: &PackageUsage) -> Option<PackageSnapshot> {
        if p.is_cancelled() {
            return None;
        }
        Some(PackageSnapshot {
            package_name: p.package_name.clone(),
            purchase_date: p.purchase_date,
            expiry_date: p.expiry_date,
            total_sessions: p.total_sessions(),
            remaining_sessions: usage.remaining_sessions,
            services: p.sessions.keys().copied().collect(),
        })
    }
}

/// A self-reported health score, on a 1–10 scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthMetric {
    #[serde(alias = "stress")]
    StressLevel,
    #[serde(alias = "sleep")]
    SleepQuality,
    #[serde(alias = "focus")]
    FocusLevel,
    #[serde(alias = "pain")]
    PainLevel,
    #[serde(alias = "fatigue")]
    FatigueLevel,
}

impl HealthMetric {
    pub const ALL: [HealthMetric; 5] = [
        HealthMetric::StressLevel,
        HealthMetric::SleepQuality,
        HealthMetric::FocusLevel,
        HealthMetric::PainLevel,
        HealthMetric::FatigueLevel,
    ];

    /// The key in the API's `reported_improvements` (seed 000 names).
    pub fn key(self) -> &'static str {
        match self {
            HealthMetric::StressLevel => "stress_level",
            HealthMetric::SleepQuality => "sleep_quality",
            HealthMetric::FocusLevel => "focus_level",
            HealthMetric::PainLevel => "pain_level",
            HealthMetric::FatigueLevel => "fatigue_level",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HealthMetric::StressLevel => "스트레스",
            HealthMetric::SleepQuality => "수면의 질",
            HealthMetric::FocusLevel => "집중력",
            HealthMetric::PainLevel => "통증",
            HealthMetric::FatigueLevel => "피로도",
        }
    }

    /// Stress, pain and fatigue improve when they fall; sleep quality and focus when they
    /// rise.
    pub fn lower_is_better(self) -> bool {
        matches!(
            self,
            HealthMetric::StressLevel | HealthMetric::PainLevel | HealthMetric::FatigueLevel
        )
    }
}

/// One self-report, as staff recorded it from the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelfReport {
    pub date: NaiveDate,
    pub metric: HealthMetric,
    /// 1–10.
    pub value: i64,
}

pub const SELF_REPORT_MIN: i64 = 1;
pub const SELF_REPORT_MAX: i64 = 10;

/// The inputs of customer analytics that are not in the history.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerExtras {
    #[serde(default)]
    pub self_reports: Vec<SelfReport>,
    /// The customer's packages that were not cancelled.
    #[serde(default)]
    pub packages: Vec<PackageSnapshot>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn churn_levels_follow_the_seed_thresholds() {
        assert_eq!(ChurnRisk::from_probability(0.0), ChurnRisk::Low);
        assert_eq!(ChurnRisk::from_probability(0.29), ChurnRisk::Low);
        assert_eq!(ChurnRisk::from_probability(0.3), ChurnRisk::Medium);
        assert_eq!(ChurnRisk::from_probability(0.6), ChurnRisk::High);
    }

    #[test]
    fn impossible_churn_inputs_are_refused() {
        for p in [f64::NAN, -0.1, 1.01, f64::INFINITY] {
            let c = ChurnInput {
                probability: p,
                horizon_days: 90,
                model_version: None,
            };
            assert!(c.validate().is_err(), "{p}");
        }
        let c = ChurnInput {
            probability: 0.5,
            horizon_days: 0,
            model_version: None,
        };
        assert!(c.validate().is_err());
    }

    #[test]
    fn self_reports_accept_the_short_metric_names() {
        let r: Result<SelfReport, _> =
            serde_json::from_str(r#"{"date":"2026-01-02","metric":"stress","value":7}"#);
        assert_eq!(r.ok().map(|r| r.metric), Some(HealthMetric::StressLevel));
        let r: Result<SelfReport, _> =
            serde_json::from_str(r#"{"date":"2026-01-02","metric":"sleep_quality","value":7}"#);
        assert_eq!(r.ok().map(|r| r.metric), Some(HealthMetric::SleepQuality));
    }
}
