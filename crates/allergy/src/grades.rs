//! The specific-IgE class scale (0–6) and the risk tier each class is shown with. Boundaries
//! live in the data, not here, so a lab with another assay is a new knowledge version.

use crate::knowledge::Knowledge;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeScale {
    pub unit: String,
    pub scale_name: String,
    pub boundary_rule: String,
    pub risk_tier_labels_ko: RiskTierLabels,
    /// Classes 0..=6 in order, each `[min, max)` in kU/L; class 0 has no minimum and class 6
    /// no maximum.
    pub grades: Vec<GradeInfo>,
    /// Shown with every grade: a class is sensitisation, not a diagnosis.
    pub disclaimer_ko: Vec<String>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskTierLabels {
    pub low_risk: String,
    pub moderate_risk: String,
    pub high_risk: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeInfo {
    pub grade: u8,
    #[serde(rename = "min_kU_L", default)]
    pub min_ku_l: Option<f64>,
    #[serde(rename = "max_kU_L", default)]
    pub max_ku_l: Option<f64>,
    pub range_text: String,
    pub label_ko: String,
    pub description_ko: String,
    pub risk_tier: RiskTier,
}

/// Ordered `Low < Moderate < High`, as the tiers must rise with the grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RiskTier {
    #[serde(rename = "low_risk")]
    Low,
    #[serde(rename = "moderate_risk")]
    Moderate,
    #[serde(rename = "high_risk")]
    High,
}

impl RiskTier {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskTier::Low => "low_risk",
            RiskTier::Moderate => "moderate_risk",
            RiskTier::High => "high_risk",
        }
    }

    /// Moderate and high are "positive": what the guide tells a patient to act on.
    pub fn is_positive(self) -> bool {
        self >= RiskTier::Moderate
    }
}

impl GradeScale {
    pub fn tier_label_ko(&self, tier: RiskTier) -> &str {
        match tier {
            RiskTier::Low => &self.risk_tier_labels_ko.low_risk,
            RiskTier::Moderate => &self.risk_tier_labels_ko.moderate_risk,
            RiskTier::High => &self.risk_tier_labels_ko.high_risk,
        }
    }
}

impl GradeInfo {
    fn contains(&self, ku_l: f64) -> bool {
        self.min_ku_l.is_none_or(|min| ku_l >= min) && self.max_ku_l.is_none_or(|max| ku_l < max)
    }
}

impl Knowledge {
    /// The class of a kU/L value (minimum inclusive, maximum exclusive). A value below every
    /// class (never, with a validated scale) or NaN counts as class 0: "not shown sensitised"
    /// is the answer that claims least.
    pub fn grade_of(&self, ku_l: f64) -> u8 {
        self.grades
            .grades
            .iter()
            .find(|g| g.contains(ku_l))
            .map_or(0, |g| g.grade)
    }

    pub fn grade_info(&self, grade: u8) -> Option<&GradeInfo> {
        self.grades.grades.iter().find(|g| g.grade == grade)
    }

    /// The tier of a grade; a grade above the scale (only from stored data of another scale)
    /// takes the top class's tier rather than vanishing.
    pub fn tier_of(&self, grade: u8) -> RiskTier {
        self.grade_info(grade)
            .or_else(|| self.grades.grades.last().filter(|top| grade > top.grade))
            .map_or(RiskTier::Low, |g| g.risk_tier)
    }
}

#[cfg(test)]
mod tests {
    use crate::builtin;
    use crate::grades::RiskTier;

    #[test]
    fn class_boundaries_are_min_inclusive_max_exclusive() {
        let k = builtin();
        let table: &[(f64, u8)] = &[
            (0.0, 0),
            (0.34, 0),
            (0.349, 0),
            (0.35, 1),
            (0.69, 1),
            (0.70, 2),
            (3.49, 2),
            (3.5, 3),
            (17.49, 3),
            (17.5, 4),
            (49.9, 4),
            (49.99, 4),
            (50.0, 5),
            (99.9, 5),
            (100.0, 6),
            (5000.0, 6),
        ];
        for &(ku, grade) in table {
            assert_eq!(k.grade_of(ku), grade, "{ku} kU/L");
        }
        assert_eq!(k.grade_of(f64::NAN), 0);
    }

    #[test]
    fn every_grade_has_korean_text_and_the_agreed_tier() {
        let k = builtin();
        let tiers = [
            RiskTier::Low,
            RiskTier::Low,
            RiskTier::Moderate,
            RiskTier::Moderate,
            RiskTier::High,
            RiskTier::High,
            RiskTier::High,
        ];
        for (grade, tier) in (0u8..=6).zip(tiers) {
            let info = k.grade_info(grade).expect("grade in scale");
            assert_eq!(info.risk_tier, tier, "grade {grade}");
            assert!(!info.label_ko.is_empty() && !info.description_ko.is_empty());
            assert_eq!(k.tier_of(grade), tier);
        }
        assert!(k.grade_info(7).is_none());
        assert_eq!(k.tier_of(9), RiskTier::High);
        assert!(!k.grades.disclaimer_ko.is_empty());
    }
}
