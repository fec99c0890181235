//! ClinicDesk's allergy care: the knowledge base (allergens, cross-reactivity, the sIgE grade
//! scale, emergency guidance, sources — data in `knowledge/`, versioned as one document), its
//! validation, and the pure prescription engine that turns a diagnosis's results into a
//! prescription and the patient's guides. No IO and no clock: the built-in version is compiled
//! in, and a published version is a document handed to [`parse_document`]. The same knowledge
//! and results always give byte-identical output, so a stored diagnosis is re-made exactly from
//! the version it records.

mod grades;
mod guide;
mod knowledge;
mod prescription;
mod resolve;
mod results;
mod validate;

pub use grades::{GradeInfo, GradeScale, RiskTier, RiskTierLabels};
pub use knowledge::{
    ActionPlan, AdrenalineAutoinjector, Allergen, Basis, Category, CrossReactivity, DoseBand,
    Emergency, EmergencyNumber, Knowledge, PlanAction, Probability, ProfessionalNote,
    RelatedNumber, SeverityLevel, SeverityLevels, Source,
};
pub use prescription::{Caution, CrossReaction, Entry, Prescription, Summary};
pub use resolve::normalise;
pub use results::TestResult;
pub use validate::{parse_document, problems_error, Problem};

use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The four files of the built-in version, by name (names appear in problems).
const FILES: [(&str, &str); 4] = [
    (
        "knowledge/allergens.json",
        include_str!("../../../knowledge/allergens.json"),
    ),
    (
        "knowledge/grades.json",
        include_str!("../../../knowledge/grades.json"),
    ),
    (
        "knowledge/emergency.json",
        include_str!("../../../knowledge/emergency.json"),
    ),
    (
        "knowledge/sources.json",
        include_str!("../../../knowledge/sources.json"),
    ),
];

/// The built-in knowledge, read once. Its validity is a unit test, so the panic below is a
/// build that should never have passed its tests, not a runtime condition.
pub fn builtin() -> &'static Knowledge {
    static BUILTIN: OnceLock<Knowledge> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        let parsed = assemble(&FILES).and_then(|doc| parse_document(&doc));
        match parsed {
            Ok(k) => k,
            Err(problems) => {
                let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
                panic!("the built-in knowledge is invalid:\n{}", list.join("\n"))
            }
        }
    })
}

/// The built-in version as one document, as an administrator would publish it.
pub fn builtin_document() -> Value {
    builtin().document()
}

/// The files side by side as one document. Each file carries the version and publication
/// time, so a file copied from another version is caught here rather than mixed in.
fn assemble(files: &[(&str, &str); 4]) -> Result<Value, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut parsed: Vec<(&str, Map<String, Value>)> = Vec::new();
    for (name, text) in files {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => parsed.push((name, map)),
            Ok(_) => problems.push(Problem::new(*name, "JSON 객체여야 합니다")),
            Err(e) => problems.push(Problem::new(*name, format!("JSON을 읽지 못했습니다: {e}"))),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let first = parsed.first().map(|(_, m)| m.clone()).unwrap_or_default();
    let mut doc = Map::new();
    for key in ["version", "published_at"] {
        let value = first.get(key).cloned().unwrap_or(Value::Null);
        for (name, map) in &parsed {
            if map.get(key) != Some(&value) {
                problems.push(Problem::new(
                    format!("{name}: {key}"),
                    format!("네 파일의 {key}이(가) 같아야 합니다"),
                ));
            }
        }
        doc.insert(key.to_string(), value);
    }
    for (name, mut map) in parsed {
        map.remove("version");
        map.remove("published_at");
        let key = match name {
            "knowledge/allergens.json" => "allergens",
            "knowledge/sources.json" => "sources",
            "knowledge/grades.json" => {
                doc.insert("grades".into(), Value::Object(map));
                continue;
            }
            _ => {
                doc.insert("emergency".into(), Value::Object(map));
                continue;
            }
        };
        // A list file holds the list under its own name, and nothing else.
        let list = map.remove(key).unwrap_or(Value::Null);
        for extra in map.keys() {
            problems.push(Problem::new(
                format!("{name}: {extra}"),
                "알 수 없는 항목입니다",
            ));
        }
        doc.insert(key.into(), list);
    }
    if problems.is_empty() {
        Ok(Value::Object(doc))
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_four_files_share_one_version_and_time() {
        let doc = assemble(&FILES).expect("files agree");
        let k = builtin();
        assert_eq!(doc["version"], k.version.as_str());
        assert_eq!(k.version, "2026-12-07.1");
        assert_eq!(k.published_at, "2026-12-07T00:00:00Z");
        let mut files = FILES;
        let grades = FILES[1].1.replacen("2026-12-07.1", "2026-12-08.1", 1);
        files[1].1 = &grades;
        let problems = assemble(&files).expect_err("mismatch");
        assert_eq!(problems[0].path, "knowledge/grades.json: version");
    }

    /// Korea's mandatory labelling list (식품등의 표시기준): 19 headings, 22 items when
    /// oyster, abalone and mussel are counted apart.
    const MFDS: [&str; 19] = [
        "egg",
        "milk",
        "buckwheat",
        "peanut",
        "soybean",
        "wheat",
        "mackerel",
        "crab",
        "shrimp",
        "pork",
        "peach",
        "tomato",
        "sulfites",
        "walnut",
        "chicken",
        "beef",
        "squid",
        "mollusc_shellfish",
        "pine_nut",
    ];

    #[test]
    fn the_mfds_list_is_there_and_only_it_is_flagged() {
        let k = builtin();
        for code in MFDS {
            let a = k.allergen(code).unwrap_or_else(|| panic!("{code} missing"));
            assert!(a.mfds_labelling, "{code} flagged");
            assert_eq!(a.category, Category::Food, "{code}");
        }
        let flagged: BTreeSet<&str> = k
            .allergens
            .iter()
            .filter(|a| a.mfds_labelling)
            .map(|a| a.code.as_str())
            .collect();
        assert_eq!(flagged, MFDS.into_iter().collect());
        for (name, code) in [
            ("난류", "egg"),
            ("메밀", "buckwheat"),
            ("대두", "soybean"),
            ("밀", "wheat"),
            ("고등어", "mackerel"),
            ("게", "crab"),
            ("새우", "shrimp"),
            ("돼지고기", "pork"),
            ("복숭아", "peach"),
            ("토마토", "tomato"),
            ("아황산류", "sulfites"),
            ("호두", "walnut"),
            ("닭고기", "chicken"),
            ("쇠고기", "beef"),
            ("오징어", "squid"),
            ("조개류", "mollusc_shellfish"),
            ("굴", "mollusc_shellfish"),
            ("전복", "mollusc_shellfish"),
            ("홍합", "mollusc_shellfish"),
            ("잣", "pine_nut"),
        ] {
            assert_eq!(
                k.resolve(name).map(|a| a.code.as_str()),
                Some(code),
                "{name}"
            );
        }
    }

    #[test]
    fn every_allergen_the_issue_names_exists() {
        let k = builtin();
        let table: [(&str, &str, Category); 21] = [
            ("almond", "아몬드", Category::Food),
            ("cashew", "캐슈너트", Category::Food),
            ("pistachio", "피스타치오", Category::Food),
            ("pecan", "피칸", Category::Food),
            ("hazelnut", "헤이즐넛", Category::Food),
            ("sesame", "참깨", Category::Food),
            ("fish", "생선", Category::Food),
            ("kiwi", "키위", Category::Food),
            ("banana", "바나나", Category::Food),
            ("latex", "라텍스", Category::Other),
            ("house_dust_mite", "집먼지진드기", Category::Inhalant),
            ("cockroach", "바퀴벌레", Category::Inhalant),
            ("cat", "고양이", Category::Inhalant),
            ("dog", "개", Category::Inhalant),
            ("birch_pollen", "자작나무", Category::Inhalant),
            ("alder_pollen", "오리나무", Category::Inhalant),
            ("oak_pollen", "참나무", Category::Inhalant),
            ("ragweed_pollen", "돼지풀", Category::Inhalant),
            ("mugwort_pollen", "쑥 꽃가루", Category::Inhalant),
            ("japanese_hop_pollen", "환삼덩굴", Category::Inhalant),
            ("mould", "곰팡이", Category::Inhalant),
        ];
        for (code, korean, category) in table {
            let a = k.allergen(code).unwrap_or_else(|| panic!("{code} missing"));
            assert_eq!(a.category, category, "{code}");
            assert_eq!(
                k.resolve(korean).map(|x| x.code.as_str()),
                Some(code),
                "{korean}"
            );
            assert_eq!(
                k.resolve(&a.name_en).map(|x| x.code.as_str()),
                Some(code),
                "{}",
                a.name_en
            );
        }
        // The cross-reaction targets the required pairs need.
        for code in ["goat_milk", "lupin", "celery", "spices", "apple"] {
            assert!(k.allergen(code).is_some(), "{code}");
        }
    }

    #[test]
    fn every_allergen_has_sources_and_what_a_patient_needs() {
        let k = builtin();
        for a in &k.allergens {
            assert!(!a.sources.is_empty(), "{} sources", a.code);
            assert!(!a.symptoms_ko.is_empty(), "{} symptoms", a.code);
            match a.category {
                Category::Food => assert!(!a.avoid_foods_ko.is_empty(), "{} avoid", a.code),
                Category::Inhalant => {
                    assert!(!a.lifestyle_tips_ko.is_empty(), "{} tips", a.code)
                }
                Category::Other => assert!(
                    !a.hidden_sources_ko.is_empty() && !a.lifestyle_tips_ko.is_empty(),
                    "{} exposure and tips",
                    a.code
                ),
            }
            for id in a
                .sources
                .iter()
                .chain(a.cross_reactivity.iter().map(|c| &c.source))
            {
                assert!(k.source(id).is_some(), "{} cites {id}", a.code);
            }
        }
    }

    #[test]
    fn every_source_is_cited_somewhere() {
        let k = builtin();
        let text = k.document().to_string();
        for s in &k.sources {
            // Cited means its id appears as a value outside the source list itself.
            let quoted = format!("\"{}\"", s.id);
            assert!(
                text.matches(&quoted).count() >= 2,
                "source {} is not cited by any entry",
                s.id
            );
        }
    }

    /// The README's rule for a published rate's tier: high ≥ 50 %, medium 10–49 %, low < 10 %,
    /// a range by its midpoint. An entry breaking it would be an editing slip.
    #[test]
    fn published_rates_follow_the_tier_rule() {
        let k = builtin();
        for a in &k.allergens {
            for c in &a.cross_reactivity {
                if c.basis != Basis::PublishedRate {
                    continue;
                }
                let rate = c
                    .rate_percent
                    .or(c.rate_range_percent.map(|[lo, hi]| (lo + hi) / 2.0))
                    .expect("a published rate has a figure");
                let tier = if rate >= 50.0 {
                    Probability::High
                } else if rate >= 10.0 {
                    Probability::Medium
                } else {
                    Probability::Low
                };
                assert_eq!(c.probability, tier, "{} → {} ({rate}%)", a.code, c.to);
                assert!(c.rate.as_deref().is_some_and(|r| r.ends_with('%')));
            }
        }
    }

    /// A built-in version is stored by name in every database that ever ran it, and diagnoses
    /// point at that name; editing the files without a new version would make two different
    /// documents answer to one name.
    #[test]
    fn a_built_in_version_is_never_edited_in_place() {
        const PINNED: [(&str, &str); 1] = [(
            "2026-12-07.1",
            "16a12368f1c82394077a97a24a770ba0a0cfb1cb30839d01b0274c96444e92e0",
        )];
        let k = builtin();
        match PINNED.iter().find(|(v, _)| *v == k.version) {
            Some((_, hash)) => assert_eq!(
                k.content_hash(),
                *hash,
                "knowledge/ changed but its version did not: give the four files a new version \
                 and published_at, and pin the new hash here"
            ),
            None => panic!(
                "new built-in version {}: pin its hash {} here",
                k.version,
                k.content_hash()
            ),
        }
    }

    #[test]
    fn counts_of_the_built_in_version() {
        let k = builtin();
        assert_eq!(k.allergens.len(), 45);
        let pairs: usize = k.allergens.iter().map(|a| a.cross_reactivity.len()).sum();
        assert_eq!(pairs, 64);
        assert_eq!(k.sources.len(), 59);
    }
}
