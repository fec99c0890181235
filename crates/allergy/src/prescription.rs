//! The prescription engine: test results + one knowledge version → what to avoid, what to ask
//! the doctor about, and the emergency plan. Pure and deterministic, so a stored diagnosis
//! re-made from its knowledge version reads exactly as it did.

use crate::grades::RiskTier;
use crate::knowledge::{Allergen, Basis, Category, Knowledge, Probability};
use crate::results::TestResult;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prescription {
    pub knowledge_version: String,
    pub high_risk: Vec<Entry>,
    pub moderate_risk: Vec<Entry>,
    pub low_risk: Vec<Entry>,
    pub cross_reactive_cautions: Vec<Caution>,
    pub emergency_plan: Value,
    /// What a grade does and does not mean; shown with every result.
    #[serde(default)]
    pub disclaimer: Vec<String>,
}

/// One tested allergen. A low-risk entry carries its grade and what the grade means but no
/// lists: a negative or borderline result must never read as "avoid these foods".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub allergen: String,
    pub name_ko: String,
    pub name_en: String,
    pub category: Category,
    pub grade: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ku_l: Option<f64>,
    pub risk_tier: RiskTier,
    pub grade_label: String,
    pub grade_description: String,
    pub avoid_foods: Vec<String>,
    pub hidden_sources: Vec<String>,
    pub substitutes: Vec<String>,
    pub cross_reactivity: Vec<CrossReaction>,
    pub symptoms: Vec<String>,
    pub lifestyle_tips: Vec<String>,
    /// Source ids this entry rests on.
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossReaction {
    pub allergen: String,
    pub name_ko: String,
    pub probability: Probability,
    pub rate: Option<String>,
    pub mechanism: Option<String>,
    /// What the target allergen's foods are, so "cross-reacts with tree nuts" names them.
    pub related_foods: Vec<String>,
    /// The target's grade when it was tested too.
    pub tested_grade: Option<u8>,
    pub basis: Basis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub source: String,
}

/// An allergen not found positive (untested, or grade in the low tier) that a moderate or
/// high result cross-reacts with. Advice to ask the doctor, never an instruction to avoid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Caution {
    pub allergen: String,
    pub name_ko: String,
    /// Codes of the positive results that point here, in prescription order.
    pub because_of: Vec<String>,
    /// The highest among them.
    pub probability: Probability,
    pub rate: Option<String>,
    pub mechanism: Option<String>,
    pub tested_grade: Option<u8>,
    pub related_foods: Vec<String>,
    pub advice: String,
}

/// A diagnosis in a line, for lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub high_risk_count: usize,
    pub moderate_risk_count: usize,
    /// Korean names, highest grade first.
    pub high_risk_allergens: Vec<String>,
    /// `None` when nothing was tested.
    pub max_grade: Option<u8>,
    pub total_tested: usize,
}

impl Knowledge {
    /// Results this knowledge knows, one per allergen (the highest grade if one was given
    /// twice), sorted: grade descending, then document order. Unknown codes can only come from
    /// stored data of another version and are left out rather than guessed at.
    pub(crate) fn ranked<'a>(
        &'a self,
        results: &'a [TestResult],
    ) -> Vec<(&'a Allergen, &'a TestResult)> {
        let mut best: BTreeMap<&str, (&Allergen, &TestResult)> = BTreeMap::new();
        for r in results {
            let Some(a) = self.allergen(&r.allergen) else {
                continue;
            };
            match best.get(a.code.as_str()) {
                Some((_, kept)) if kept.grade >= r.grade => {}
                _ => {
                    best.insert(a.code.as_str(), (a, r));
                }
            }
        }
        let mut ranked: Vec<_> = best.into_values().collect();
        ranked.sort_by(|(a, ra), (b, rb)| {
            rb.grade
                .cmp(&ra.grade)
                .then(self.position(&a.code).cmp(&self.position(&b.code)))
        });
        ranked
    }

    pub fn prescribe(&self, results: &[TestResult]) -> Prescription {
        let ranked = self.ranked(results);
        let grades: BTreeMap<&str, u8> = ranked
            .iter()
            .map(|(a, r)| (a.code.as_str(), r.grade))
            .collect();
        let positive = |code: &str| {
            grades
                .get(code)
                .is_some_and(|&g| self.tier_of(g).is_positive())
        };

        let mut p = Prescription {
            knowledge_version: self.version.clone(),
            high_risk: Vec::new(),
            moderate_risk: Vec::new(),
            low_risk: Vec::new(),
            cross_reactive_cautions: Vec::new(),
            emergency_plan: Value::Null,
            disclaimer: self.grades.disclaimer_ko.clone(),
        };
        let mut cautions: BTreeMap<&str, Caution> = BTreeMap::new();
        for (a, r) in &ranked {
            let tier = self.tier_of(r.grade);
            let entry = self.entry(a, r, tier, &grades);
            if tier.is_positive() {
                for c in &a.cross_reactivity {
                    if positive(&c.to) {
                        continue;
                    }
                    let Some(target) = self.allergen(&c.to) else {
                        continue;
                    };
                    let caution = cautions
                        .entry(target.code.as_str())
                        .or_insert_with(|| Caution {
                            allergen: target.code.clone(),
                            name_ko: target.name_ko.clone(),
                            because_of: Vec::new(),
                            probability: c.probability,
                            rate: c.rate.clone(),
                            mechanism: c.mechanism.clone(),
                            tested_grade: grades.get(target.code.as_str()).copied(),
                            related_foods: target.avoid_foods_ko.clone(),
                            advice: String::new(),
                        });
                    if !caution.because_of.contains(&a.code) {
                        caution.because_of.push(a.code.clone());
                    }
                    // The strongest link speaks for the caution; on a tie the first (highest
                    // grade) keeps it, so the wording never depends on map order.
                    if c.probability > caution.probability {
                        caution.probability = c.probability;
                        caution.rate = c.rate.clone();
                        caution.mechanism = c.mechanism.clone();
                    }
                }
            }
            match tier {
                RiskTier::High => p.high_risk.push(entry),
                RiskTier::Moderate => p.moderate_risk.push(entry),
                RiskTier::Low => p.low_risk.push(entry),
            }
        }
        let mut cautions: Vec<Caution> = cautions.into_values().collect();
        for c in &mut cautions {
            c.advice = self.caution_advice(c);
        }
        cautions.sort_by(|a, b| {
            b.probability
                .cmp(&a.probability)
                .then(self.position(&a.allergen).cmp(&self.position(&b.allergen)))
        });
        p.cross_reactive_cautions = cautions;
        p.emergency_plan = self.emergency_plan(!p.high_risk.is_empty());
        p
    }

    fn entry(
        &self,
        a: &Allergen,
        r: &TestResult,
        tier: RiskTier,
        grades: &BTreeMap<&str, u8>,
    ) -> Entry {
        let info = self.grade_info(r.grade);
        let positive = tier.is_positive();
        let list = |l: &Vec<String>| if positive { l.clone() } else { Vec::new() };
        Entry {
            allergen: a.code.clone(),
            name_ko: a.name_ko.clone(),
            name_en: a.name_en.clone(),
            category: a.category,
            grade: r.grade,
            ku_l: r.ku_l,
            risk_tier: tier,
            grade_label: info.map(|i| i.label_ko.clone()).unwrap_or_default(),
            grade_description: info.map(|i| i.description_ko.clone()).unwrap_or_default(),
            avoid_foods: list(&a.avoid_foods_ko),
            hidden_sources: list(&a.hidden_sources_ko),
            substitutes: list(&a.substitutes_ko),
            cross_reactivity: if positive {
                a.cross_reactivity
                    .iter()
                    .filter_map(|c| {
                        let target = self.allergen(&c.to)?;
                        Some(CrossReaction {
                            allergen: target.code.clone(),
                            name_ko: target.name_ko.clone(),
                            probability: c.probability,
                            rate: c.rate.clone(),
                            mechanism: c.mechanism.clone(),
                            related_foods: target.avoid_foods_ko.clone(),
                            tested_grade: grades.get(target.code.as_str()).copied(),
                            basis: c.basis,
                            note: c.note.clone(),
                            source: c.source.clone(),
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            },
            symptoms: list(&a.symptoms_ko),
            lifestyle_tips: list(&a.lifestyle_tips_ko),
            sources: a.sources.clone(),
        }
    }

    fn caution_advice(&self, c: &Caution) -> String {
        let names: Vec<&str> = c
            .because_of
            .iter()
            .filter_map(|code| self.allergen(code))
            .map(|a| a.name_ko.as_str())
            .collect();
        let names = names.join("·");
        // "결과와" reads right whatever the names end in, so no particle guessing.
        match c.tested_grade {
            None => format!(
                "검사하지 않은 항목입니다. {names} 양성 결과와 교차반응이 보고되어 있으니, 주의가 필요한지 의사와 상의하세요."
            ),
            Some(g) => {
                let label = self
                    .grade_info(g)
                    .map(|i| format!("({})", i.label_ko))
                    .unwrap_or_default();
                format!(
                    "검사 결과는 {g}등급{label}이지만, {names} 양성 결과와 교차반응이 보고되어 있으니 주의가 필요한지 의사와 상의하세요."
                )
            }
        }
    }

    /// With a high-risk result, the whole anaphylaxis plan and the auto-injector guidance;
    /// otherwise the general severity guidance. 119 either way.
    fn emergency_plan(&self, high_risk: bool) -> Value {
        if high_risk {
            json!({
                "level": "anaphylaxis_plan",
                "emergency_number": self.emergency.emergency_number.number,
                "action_plan": self.action_plan(),
                "epinephrine": self.epinephrine(),
            })
        } else {
            json!({
                "level": "general",
                "emergency_number": self.emergency.emergency_number.number,
                "guidelines": self.emergency_guidelines(),
            })
        }
    }

    pub fn summary(&self, results: &[TestResult]) -> Summary {
        let ranked = self.ranked(results);
        let high: Vec<String> = ranked
            .iter()
            .filter(|(_, r)| self.tier_of(r.grade) == RiskTier::High)
            .map(|(a, _)| a.name_ko.clone())
            .collect();
        Summary {
            high_risk_count: high.len(),
            moderate_risk_count: ranked
                .iter()
                .filter(|(_, r)| self.tier_of(r.grade) == RiskTier::Moderate)
                .count(),
            high_risk_allergens: high,
            max_grade: ranked.iter().map(|(_, r)| r.grade).max(),
            total_tested: ranked.len(),
        }
    }
}

#[cfg(test)]
mod tests;
