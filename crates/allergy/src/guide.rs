//! What the patient app shows: the guide of a diagnosis, the food and lifestyle pages, one
//! allergen's cross-reactions, and the emergency pages. Shapes follow seed 001 §4.4 where it
//! gives them; every list is the knowledge document's own text, with its sources.

use crate::grades::RiskTier;
use crate::knowledge::{Allergen, Knowledge, PlanAction};
use crate::prescription::Caution;
use crate::results::TestResult;
use serde_json::{json, Value};

impl Knowledge {
    /// The patient's positive (moderate or high) results, highest grade first.
    fn positives<'a>(&'a self, results: &'a [TestResult]) -> Vec<(&'a Allergen, &'a TestResult)> {
        self.ranked(results)
            .into_iter()
            .filter(|(_, r)| self.tier_of(r.grade).is_positive())
            .collect()
    }

    /// `/my/diagnoses/{id}/guide`.
    pub fn guide(&self, results: &[TestResult]) -> Value {
        let positives = self.positives(results);
        let symptoms_of = |tier: RiskTier| -> Vec<Value> {
            positives
                .iter()
                .filter(|(_, r)| self.tier_of(r.grade) == tier)
                .map(|(a, r)| {
                    json!({
                        "allergen": a.name_ko,
                        "code": a.code,
                        "grade": r.grade,
                        "symptoms": a.symptoms_ko,
                    })
                })
                .collect()
        };
        let prescription = self.prescribe(results);
        let mut sources: Vec<&String> = Vec::new();
        for (a, _) in &positives {
            sources.extend(&a.sources);
        }
        sources.extend(&self.grades.sources);
        sources.extend(self.emergency_source_ids());
        json!({
            "knowledge_version": self.version,
            "symptoms": {
                "high_risk": symptoms_of(RiskTier::High),
                "moderate_risk": symptoms_of(RiskTier::Moderate),
            },
            "diet_management": {
                "avoid": self.per_allergen(&positives, "foods", |a| &a.avoid_foods_ko),
                "hidden_sources": self.per_allergen(&positives, "sources", |a| &a.hidden_sources_ko),
                "substitutes": self.per_allergen(&positives, "alternatives", |a| &a.substitutes_ko),
                "cross_reactivity": self.cautions_view(&prescription.cross_reactive_cautions),
            },
            "emergency": {
                "anaphylaxis_signs": self.anaphylaxis_signs(),
                "action_plan": self.emergency.action_plan.anaphylaxis_steps_ko,
                "always": self.emergency.action_plan.always_ko,
                "epinephrine_guide": self.epinephrine(),
                "emergency_number": self.emergency.emergency_number.number,
            },
            "lifestyle_tips": self.lifestyle(results),
            "disclaimer": self.grades.disclaimer_ko,
            "sources": self.source_refs(sources),
        })
    }

    /// `/guide/foods`: the foods of the patient's positive results.
    pub fn foods_guide(&self, results: &[TestResult]) -> Value {
        let positives = self.positives(results);
        let prescription = self.prescribe(results);
        let sources: Vec<&String> = positives.iter().flat_map(|(a, _)| &a.sources).collect();
        json!({
            "knowledge_version": self.version,
            "avoid_foods": self.per_allergen(&positives, "foods", |a| &a.avoid_foods_ko),
            "substitutes": self.per_allergen(&positives, "alternatives", |a| &a.substitutes_ko),
            "hidden_sources": self.per_allergen(&positives, "sources", |a| &a.hidden_sources_ko),
            "cross_reactivity": self.cautions_view(&prescription.cross_reactive_cautions),
            "sources": self.source_refs(sources),
        })
    }

    /// `[{allergen (Korean name), code, grade, <key>: [...]}]` for the allergens whose list
    /// is not empty.
    fn per_allergen(
        &self,
        positives: &[(&Allergen, &TestResult)],
        key: &str,
        list: impl Fn(&Allergen) -> &Vec<String>,
    ) -> Value {
        Value::Array(
            positives
                .iter()
                .filter(|(a, _)| !list(a).is_empty())
                .map(|(a, r)| {
                    let mut item = json!({
                        "allergen": a.name_ko,
                        "code": a.code,
                        "grade": r.grade,
                    });
                    item[key] = json!(list(a));
                    item
                })
                .collect(),
        )
    }

    fn cautions_view(&self, cautions: &[Caution]) -> Value {
        Value::Array(
            cautions
                .iter()
                .map(|c| {
                    let because: Vec<&str> = c
                        .because_of
                        .iter()
                        .filter_map(|code| self.allergen(code))
                        .map(|a| a.name_ko.as_str())
                        .collect();
                    json!({
                        "allergen": c.name_ko,
                        "code": c.allergen,
                        "because_of": because,
                        "probability": c.probability.as_str(),
                        "rate": c.rate,
                        "mechanism": c.mechanism,
                        "tested_grade": c.tested_grade,
                        "related_foods": c.related_foods,
                        "advice": c.advice,
                    })
                })
                .collect(),
        )
    }

    /// `/guide/cross-reactivity/{code}` (a name or alias works too). Also lists the allergens
    /// that point here: the literature often gives only one direction (birch → apple), and a
    /// patient reading about apple should still see it.
    pub fn cross_reactivity(&self, code: &str) -> Option<Value> {
        let a = self.allergen(code).or_else(|| self.resolve(code))?;
        let forward: Vec<Value> = a
            .cross_reactivity
            .iter()
            .filter_map(|c| {
                let target = self.allergen(&c.to)?;
                Some(json!({
                    "to_allergen": target.code,
                    "to_name": target.name_ko,
                    "probability": c.probability.as_str(),
                    "probability_ko": c.probability.label_ko(),
                    "rate": c.rate,
                    "rate_text": c.rate_text,
                    "basis": c.basis,
                    "mechanism": c.mechanism,
                    "note": c.note,
                    "related_foods": target.avoid_foods_ko,
                    "source": self.source_refs([&c.source]).get(0).cloned(),
                }))
            })
            .collect();
        let reverse: Vec<Value> = self
            .allergens
            .iter()
            .flat_map(|from| {
                from.cross_reactivity
                    .iter()
                    .filter(|c| c.to == a.code)
                    .map(move |c| (from, c))
            })
            .map(|(from, c)| {
                json!({
                    "from_allergen": from.code,
                    "from_name": from.name_ko,
                    "probability": c.probability.as_str(),
                    "rate": c.rate,
                    "mechanism": c.mechanism,
                })
            })
            .collect();
        Some(json!({
            "knowledge_version": self.version,
            "allergen": a.code,
            "allergen_name": a.name_ko,
            "allergen_name_en": a.name_en,
            "mechanism": a.mechanism,
            "cross_reactivity": forward,
            "reported_from": reverse,
        }))
    }

    /// `/guide/lifestyle`. A tip that several of the patient's allergens share (the pollen
    /// tips of birch and oak) is said once, under `common_tips`, naming whom it applies to.
    pub fn lifestyle(&self, results: &[TestResult]) -> Value {
        let positives: Vec<&Allergen> = self
            .positives(results)
            .into_iter()
            .map(|(a, _)| a)
            .filter(|a| !a.lifestyle_tips_ko.is_empty())
            .collect();
        let sharers = |tip: &String| -> Vec<&Allergen> {
            positives
                .iter()
                .copied()
                .filter(|a| a.lifestyle_tips_ko.contains(tip))
                .collect()
        };
        // Groups of shared tips keyed by who shares them, in first-mention order.
        let mut groups: Vec<(Vec<&str>, Vec<&String>)> = Vec::new();
        for a in &positives {
            for tip in &a.lifestyle_tips_ko {
                let who = sharers(tip);
                if who.len() < 2 {
                    continue;
                }
                let codes: Vec<&str> = who.iter().map(|a| a.code.as_str()).collect();
                match groups.iter_mut().find(|(c, _)| *c == codes) {
                    Some((_, tips)) if tips.contains(&tip) => {}
                    Some((_, tips)) => tips.push(tip),
                    None => groups.push((codes, vec![tip])),
                }
            }
        }
        let specific: Vec<Value> = positives
            .iter()
            .filter_map(|a| {
                let own: Vec<&String> = a
                    .lifestyle_tips_ko
                    .iter()
                    .filter(|t| sharers(t).len() < 2)
                    .collect();
                (!own.is_empty())
                    .then(|| json!({ "allergen": a.name_ko, "code": a.code, "tips": own }))
            })
            .collect();
        let common: Vec<Value> = groups
            .iter()
            .map(|(codes, tips)| {
                let who: Vec<&Allergen> = codes.iter().filter_map(|c| self.allergen(c)).collect();
                let names: Vec<&str> = who.iter().map(|a| a.name_ko.as_str()).collect();
                let category = who
                    .first()
                    .map(|a| a.category)
                    .filter(|c| who.iter().all(|a| a.category == *c))
                    .map_or("공통", |c| c.label_ko());
                json!({
                    "category": category,
                    "title": format!("{} 공통", names.join("·")),
                    "applies_to": names,
                    "codes": codes,
                    "tips": tips,
                })
            })
            .collect();
        let sources: Vec<&String> = positives.iter().flat_map(|a| &a.sources).collect();
        json!({
            "knowledge_version": self.version,
            "allergen_specific": specific,
            "common_tips": common,
            "sources": self.source_refs(sources),
        })
    }

    fn anaphylaxis_signs(&self) -> Vec<&String> {
        self.emergency
            .severity_levels
            .levels
            .iter()
            .filter(|l| l.action == PlanAction::Anaphylaxis)
            .flat_map(|l| &l.signs_ko)
            .collect()
    }

    fn emergency_source_ids(&self) -> Vec<&String> {
        let e = &self.emergency;
        e.emergency_number
            .sources
            .iter()
            .chain(&e.severity_levels.sources)
            .chain(&e.action_plan.sources)
            .chain(&e.adrenaline_autoinjector.sources)
            .chain(&e.adrenaline_autoinjector.for_health_professionals.sources)
            .chain(&e.after_reaction_sources)
            .collect()
    }

    fn emergency_contacts(&self) -> Value {
        let n = &self.emergency.emergency_number;
        json!({
            "emergency": n.number,
            "label": n.label_ko,
            "description": n.description_ko,
            "sources": self.source_refs(&n.sources),
        })
    }

    /// `/emergency/guidelines`: the severity levels, each with what to do, and 119 (the only
    /// number: Korea's old 1339 line was folded into 119 and no poison line is sourced here).
    pub fn emergency_guidelines(&self) -> Value {
        let e = &self.emergency;
        let steps = |action: PlanAction| match action {
            PlanAction::MildModerate => &e.action_plan.mild_moderate_steps_ko,
            PlanAction::Anaphylaxis => &e.action_plan.anaphylaxis_steps_ko,
        };
        let levels: Vec<Value> = e
            .severity_levels
            .levels
            .iter()
            .map(|l| {
                json!({
                    "level": l.level,
                    "name": l.name_ko,
                    "intro": l.intro_ko,
                    "symptoms": l.signs_ko,
                    "actions": steps(l.action),
                })
            })
            .collect();
        let sources: Vec<&String> = e
            .severity_levels
            .sources
            .iter()
            .chain(&e.action_plan.sources)
            .chain(&e.after_reaction_sources)
            .collect();
        json!({
            "severity_levels": levels,
            "notes": e.severity_levels.notes_ko,
            "always": e.action_plan.always_ko,
            "after_reaction": e.after_reaction_ko,
            "emergency_contacts": self.emergency_contacts(),
            "sources": self.source_refs(sources),
        })
    }

    /// `/emergency/action-plan`: "mild" covers mild and moderate reactions (one set of steps,
    /// as the ASCIA plans have it), "severe" is anaphylaxis.
    pub fn action_plan(&self) -> Value {
        let e = &self.emergency;
        let signs = |action: PlanAction| -> Vec<&String> {
            e.severity_levels
                .levels
                .iter()
                .filter(|l| l.action == action)
                .flat_map(|l| &l.signs_ko)
                .collect()
        };
        let intro = e
            .severity_levels
            .levels
            .iter()
            .find(|l| l.action == PlanAction::Anaphylaxis)
            .and_then(|l| l.intro_ko.clone());
        let sources: Vec<&String> = e
            .action_plan
            .sources
            .iter()
            .chain(&e.severity_levels.sources)
            .chain(&e.after_reaction_sources)
            .collect();
        json!({
            "action_plans": {
                "mild": {
                    "title": e.action_plan.mild_moderate_title_ko,
                    "symptoms": signs(PlanAction::MildModerate),
                    "actions": e.action_plan.mild_moderate_steps_ko,
                },
                "severe": {
                    "title": e.action_plan.anaphylaxis_title_ko,
                    "intro": intro,
                    "symptoms": signs(PlanAction::Anaphylaxis),
                    "actions": e.action_plan.anaphylaxis_steps_ko,
                    "always": e.action_plan.always_ko,
                    "epinephrine_instructions": e.adrenaline_autoinjector.use_ko,
                },
            },
            "notes": e.severity_levels.notes_ko,
            "after_reaction": e.after_reaction_ko,
            "emergency_contacts": self.emergency_contacts(),
            "sources": self.source_refs(sources),
        })
    }

    /// `/emergency/epinephrine`: what it is, when and how to use it, the published dose bands
    /// (never more than the sources give), storage.
    pub fn epinephrine(&self) -> Value {
        let inj = &self.emergency.adrenaline_autoinjector;
        let bands: Vec<Value> = inj
            .dose_bands
            .iter()
            .map(|b| {
                json!({
                    "text": b.text_ko,
                    "dose_mcg": b.dose_mcg,
                    "weight_kg_min": b.weight_kg_min,
                    "weight_kg_min_exclusive": b.weight_kg_min_exclusive,
                    "weight_kg_max": b.weight_kg_max,
                })
            })
            .collect();
        let sources: Vec<&String> = inj
            .sources
            .iter()
            .chain(&self.emergency.after_reaction_sources)
            .collect();
        json!({
            "what_is_epinephrine": {
                "description": inj.about_ko.first(),
                "details": inj.about_ko,
                "prescription_required": inj.prescription_required,
            },
            "when_to_use": {
                "signs": self.anaphylaxis_signs(),
                "rules": self.emergency.action_plan.always_ko,
            },
            "how_to_use": {
                "steps": inj.use_ko,
                "after_injection": self.emergency.after_reaction_ko,
            },
            "dose": {
                "bands": bands,
                "notes": inj.dose_notes_ko,
                "source_note": inj.dose_bands_note,
            },
            "storage": inj.storage_ko,
            "for_health_professionals": {
                "text": inj.for_health_professionals.text_ko,
                "sources": self.source_refs(&inj.for_health_professionals.sources),
            },
            "emergency_contacts": self.emergency_contacts(),
            "sources": self.source_refs(sources),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::builtin;
    use crate::results::TestResult;
    use serde_json::{json, Value};

    fn results(list: &[(&str, u8)]) -> Vec<TestResult> {
        list.iter()
            .map(|(code, grade)| TestResult {
                allergen: code.to_string(),
                grade: *grade,
                ku_l: None,
            })
            .collect()
    }

    fn strings(v: &Value) -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn the_guide_covers_positive_results_only() {
        let k = builtin();
        let g = k.guide(&results(&[("peanut", 4), ("milk", 2), ("egg", 0)]));
        assert_eq!(g["symptoms"]["high_risk"][0]["allergen"], "땅콩");
        assert_eq!(g["symptoms"]["moderate_risk"][0]["code"], "milk");
        let avoid: Vec<&str> = g["diet_management"]["avoid"]
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|x| x["code"].as_str())
            .collect();
        assert_eq!(avoid, vec!["peanut", "milk"]);
        assert!(
            !g.to_string().contains("마요네즈"),
            "egg (grade 0) foods must not appear"
        );
        assert!(!strings(&g["emergency"]["anaphylaxis_signs"]).is_empty());
        assert_eq!(g["emergency"]["emergency_number"], "119");
        assert!(!strings(&g["disclaimer"]).is_empty());
        assert!(g["sources"].as_array().is_some_and(|s| !s.is_empty()));
    }

    #[test]
    fn foods_guide_lists_avoid_hidden_and_substitutes_per_allergen() {
        let k = builtin();
        let f = k.foods_guide(&results(&[
            ("milk", 3),
            ("buckwheat", 2),
            ("house_dust_mite", 5),
        ]));
        let codes = |key: &str| -> Vec<String> {
            f[key]
                .as_array()
                .expect("array")
                .iter()
                .filter_map(|x| x["code"].as_str().map(str::to_string))
                .collect()
        };
        assert_eq!(codes("avoid_foods"), vec!["milk", "buckwheat"]);
        assert_eq!(codes("substitutes"), vec!["milk", "buckwheat"]);
        assert_eq!(codes("hidden_sources"), vec!["milk", "buckwheat"]);
        assert!(f["avoid_foods"][0]["foods"]
            .as_array()
            .is_some_and(|x| !x.is_empty()));
        let nothing = k.foods_guide(&results(&[("milk", 1)]));
        assert_eq!(nothing["avoid_foods"], json!([]));
    }

    #[test]
    fn cross_reactivity_page_has_both_directions() {
        let k = builtin();
        let peanut = k.cross_reactivity("peanut").expect("known");
        let to: Vec<String> = peanut["cross_reactivity"]
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|x| x["to_allergen"].as_str().map(str::to_string))
            .collect();
        assert!(to.contains(&"walnut".to_string()) && to.contains(&"lupin".to_string()));
        assert_eq!(peanut["allergen_name"], "땅콩");
        let apple = k.cross_reactivity("사과").expect("by name");
        assert_eq!(apple["allergen"], "apple");
        let from: Vec<String> = apple["reported_from"]
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|x| x["from_allergen"].as_str().map(str::to_string))
            .collect();
        assert_eq!(from, vec!["peach", "birch_pollen"]);
        assert!(k.cross_reactivity("nothing").is_none());
    }

    #[test]
    fn shared_lifestyle_tips_are_said_once() {
        let k = builtin();
        let l = k.lifestyle(&results(&[
            ("birch_pollen", 4),
            ("oak_pollen", 3),
            ("cat", 2),
            ("egg", 5),
        ]));
        let common = l["common_tips"].as_array().expect("array");
        assert_eq!(common.len(), 1, "{l:#}");
        assert_eq!(
            strings(&common[0]["codes"]),
            vec!["birch_pollen", "oak_pollen"]
        );
        assert_eq!(common[0]["category"], "흡입 알레르겐");
        let all = l.to_string();
        let tip = "귀가 후에는 샤워하고 머리를 감으세요.";
        assert_eq!(all.matches(tip).count(), 1);
        let specific: Vec<String> = l["allergen_specific"]
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|x| x["code"].as_str().map(str::to_string))
            .collect();
        assert_eq!(specific, vec!["birch_pollen", "oak_pollen", "cat"]);
        let none = k.lifestyle(&results(&[("house_dust_mite", 1)]));
        assert_eq!(none["allergen_specific"], json!([]));
    }

    #[test]
    fn emergency_pages_give_119_only_and_sourced_doses() {
        let k = builtin();
        let g = k.emergency_guidelines();
        assert_eq!(g["emergency_contacts"]["emergency"], "119");
        let text = g.to_string();
        assert!(!text.contains("1339") && !text.contains("poison"));
        assert!(g["emergency_contacts"]["sources"]
            .as_array()
            .is_some_and(|s| !s.is_empty()));
        assert_eq!(g["severity_levels"].as_array().map(Vec::len), Some(3));
        let plan = k.action_plan();
        assert!(!strings(&plan["action_plans"]["severe"]["actions"]).is_empty());
        assert!(!strings(&plan["action_plans"]["mild"]["symptoms"]).is_empty());
        let epi = k.epinephrine();
        assert_eq!(epi["what_is_epinephrine"]["prescription_required"], true);
        let doses: Vec<u64> = epi["dose"]["bands"]
            .as_array()
            .expect("array")
            .iter()
            .flat_map(|b| b["dose_mcg"].as_array().cloned().unwrap_or_default())
            .filter_map(|d| d.as_u64())
            .collect();
        assert_eq!(doses, vec![150, 300, 300, 500]);
        assert!(!strings(&epi["storage"]).is_empty());
        let cited: Vec<String> = epi["sources"]
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|s| s["id"].as_str().map(str::to_string))
            .collect();
        for id in ["ascia_injector_checklist", "eaaci2021", "wao2020"] {
            assert!(cited.contains(&id.to_string()), "{id} cited");
        }
    }
}
