//! The prescription engine over many result sets, as one table: tiers per grade, the
//! cross-reactions the issue names (in both directions where the data has both), kU/L class
//! boundaries, empty and all-negative results, and invalid input.

use super::*;
use crate::builtin;
use serde_json::json;

/// What a case must come out as.
enum Expect {
    Prescribed {
        high: Vec<&'static str>,
        moderate: Vec<&'static str>,
        low: Vec<&'static str>,
        /// In output order: (target, probability, because_of).
        cautions: Vec<(&'static str, &'static str, Vec<&'static str>)>,
        /// (entry, target) links that must be in the entry's `cross_reactivity`.
        links: Vec<(&'static str, &'static str)>,
    },
    /// The fields `parse_results` must name.
    Refused(Vec<&'static str>),
}

struct Case {
    name: String,
    results: Value,
    expect: Expect,
}

fn ok(
    name: impl Into<String>,
    results: Value,
    high: &[&'static str],
    moderate: &[&'static str],
    low: &[&'static str],
    cautions: &[(&'static str, &'static str, &[&'static str])],
    links: &[(&'static str, &'static str)],
) -> Case {
    Case {
        name: name.into(),
        results,
        expect: Expect::Prescribed {
            high: high.to_vec(),
            moderate: moderate.to_vec(),
            low: low.to_vec(),
            cautions: cautions
                .iter()
                .map(|(t, p, b)| (*t, *p, b.to_vec()))
                .collect(),
            links: links.to_vec(),
        },
    }
}

fn refused(name: &str, results: Value, fields: &[&'static str]) -> Case {
    Case {
        name: name.into(),
        results,
        expect: Expect::Refused(fields.to_vec()),
    }
}

const PEANUT_CAUTIONS: [(&str, &str, &[&str]); 8] = [
    ("walnut", "medium", &["peanut"]),
    ("almond", "medium", &["peanut"]),
    ("cashew", "medium", &["peanut"]),
    ("pistachio", "medium", &["peanut"]),
    ("pecan", "medium", &["peanut"]),
    ("hazelnut", "medium", &["peanut"]),
    ("lupin", "medium", &["peanut"]),
    ("soybean", "low", &["peanut"]),
];

const MILK_CAUTIONS: [(&str, &str, &[&str]); 2] = [
    ("goat_milk", "high", &["milk"]),
    ("beef", "medium", &["milk"]),
];

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();

    // Every grade's tier, and cautions only from a positive (moderate/high) result.
    for grade in 0u8..=6 {
        let results = json!([{"allergen": "peanut", "grade": grade}]);
        let name = format!("peanut grade {grade}");
        cases.push(match grade {
            0 | 1 => ok(name, results, &[], &[], &["peanut"], &[], &[]),
            2 | 3 => ok(
                name,
                results,
                &[],
                &["peanut"],
                &[],
                &PEANUT_CAUTIONS,
                &[("peanut", "lupin")],
            ),
            _ => ok(
                name,
                results,
                &["peanut"],
                &[],
                &[],
                &PEANUT_CAUTIONS,
                &[("peanut", "lupin")],
            ),
        });
    }

    // kU/L values at every class boundary (min inclusive, max exclusive).
    for (ku, tier) in [
        (0.34, "low"),
        (0.35, "low"),
        (0.69, "low"),
        (0.70, "moderate"),
        (3.49, "moderate"),
        (3.5, "moderate"),
        (17.49, "moderate"),
        (17.5, "high"),
        (49.9, "high"),
        (50.0, "high"),
        (99.9, "high"),
        (100.0, "high"),
    ] {
        let results = json!([{"allergen": "milk", "ku_l": ku}]);
        let name = format!("milk {ku} kU/L");
        cases.push(match tier {
            "low" => ok(name, results, &[], &[], &["milk"], &[], &[]),
            "moderate" => ok(name, results, &[], &["milk"], &[], &MILK_CAUTIONS, &[]),
            _ => ok(name, results, &["milk"], &[], &[], &MILK_CAUTIONS, &[]),
        });
    }

    // Shellfish ↔ house-dust mites (tropomyosin), both directions.
    cases.push(ok(
        "shrimp → mites",
        json!([{"allergen": "shrimp", "grade": 4}]),
        &["shrimp"],
        &[],
        &[],
        &[
            ("crab", "high", &["shrimp"]),
            ("squid", "medium", &["shrimp"]),
            ("mollusc_shellfish", "medium", &["shrimp"]),
            ("house_dust_mite", "medium", &["shrimp"]),
        ],
        &[("shrimp", "house_dust_mite")],
    ));
    cases.push(ok(
        "mites → shrimp and crab",
        json!([{"allergen": "Der p", "grade": 4}]),
        &["house_dust_mite"],
        &[],
        &[],
        &[
            ("crab", "low", &["house_dust_mite"]),
            ("shrimp", "low", &["house_dust_mite"]),
        ],
        &[("house_dust_mite", "shrimp"), ("house_dust_mite", "crab")],
    ));
    cases.push(ok(
        "crab → mites",
        json!([{"allergen": "게", "grade": 3}]),
        &[],
        &["crab"],
        &[],
        &[
            ("shrimp", "high", &["crab"]),
            ("squid", "medium", &["crab"]),
            ("mollusc_shellfish", "medium", &["crab"]),
            ("house_dust_mite", "low", &["crab"]),
        ],
        &[("crab", "house_dust_mite")],
    ));
    // Both positive: neither is a caution for the other; crab merges both pointers and keeps
    // the strongest (shrimp → crab, high).
    cases.push(ok(
        "shrimp and mites both positive",
        json!([{"allergen": "shrimp", "grade": 4}, {"allergen": "house dust mite", "grade": 3}]),
        &["shrimp"],
        &["house_dust_mite"],
        &[],
        &[
            ("crab", "high", &["shrimp", "house_dust_mite"]),
            ("squid", "medium", &["shrimp"]),
            ("mollusc_shellfish", "medium", &["shrimp"]),
        ],
        &[("shrimp", "house_dust_mite"), ("house_dust_mite", "shrimp")],
    ));
    cases.push(ok(
        "cockroach → shrimp",
        json!([{"allergen": "cockroach", "grade": 2}]),
        &[],
        &["cockroach"],
        &[],
        &[("shrimp", "low", &["cockroach"])],
        &[("cockroach", "shrimp")],
    ));

    // Birch ↔ Rosaceae fruits (PR-10). Only birch → fruit is in the data: in pollen-food
    // syndrome the pollen is the primary sensitiser and the sources give no fruit → birch
    // link (cross_reactivity("apple") still shows birch under `reported_from`).
    cases.push(ok(
        "birch → apple, peach, hazelnut, alder, oak",
        json!([{"allergen": "birch", "grade": 4}]),
        &["birch_pollen"],
        &[],
        &[],
        &[
            ("peach", "medium", &["birch_pollen"]),
            ("hazelnut", "medium", &["birch_pollen"]),
            ("apple", "medium", &["birch_pollen"]),
            ("alder_pollen", "medium", &["birch_pollen"]),
            ("oak_pollen", "medium", &["birch_pollen"]),
        ],
        &[("birch_pollen", "apple"), ("birch_pollen", "peach")],
    ));
    cases.push(ok(
        "birch with apple tested low: still a caution, with its grade",
        json!([{"allergen": "birch_pollen", "grade": 3}, {"allergen": "사과", "grade": 1}]),
        &[],
        &["birch_pollen"],
        &["apple"],
        &[
            ("peach", "medium", &["birch_pollen"]),
            ("hazelnut", "medium", &["birch_pollen"]),
            ("apple", "medium", &["birch_pollen"]),
            ("alder_pollen", "medium", &["birch_pollen"]),
            ("oak_pollen", "medium", &["birch_pollen"]),
        ],
        &[("birch_pollen", "apple")],
    ));
    cases.push(ok(
        "apple alone: no link back to birch in the data",
        json!([{"allergen": "apple", "grade": 3}]),
        &[],
        &["apple"],
        &[],
        &[],
        &[],
    ));
    cases.push(ok(
        "peach → other Rosaceae (apple, almond)",
        json!([{"allergen": "복숭아", "grade": 4}]),
        &["peach"],
        &[],
        &[],
        &[
            ("almond", "high", &["peach"]),
            ("apple", "high", &["peach"]),
        ],
        &[("peach", "apple")],
    ));
    cases.push(ok(
        "alder and oak → birch",
        json!([{"allergen": "alder", "grade": 2}, {"allergen": "oak", "grade": 2}]),
        &[],
        &["alder_pollen", "oak_pollen"],
        &[],
        &[("birch_pollen", "medium", &["alder_pollen", "oak_pollen"])],
        &[
            ("alder_pollen", "birch_pollen"),
            ("oak_pollen", "birch_pollen"),
        ],
    ));

    // Peanut ↔ tree nuts, peanut → lupin. Lupin → peanut is not in the data: Francis 2020
    // gives only the rate among peanut-allergic patients.
    for (nut, grade, extra) in [
        ("walnut", 4, Some(("pecan", "high"))),
        ("almond", 3, None),
        ("cashew", 3, Some(("pistachio", "high"))),
        ("pistachio", 2, Some(("cashew", "high"))),
        ("pecan", 5, Some(("walnut", "high"))),
        ("hazelnut", 4, None),
    ] {
        let results = json!([{"allergen": nut, "grade": grade}]);
        let tier_high: &[&'static str] = if grade >= 4 { &[nut_code(nut)] } else { &[] };
        let tier_mod: &[&'static str] = if grade >= 4 { &[] } else { &[nut_code(nut)] };
        let mut cautions: Vec<(&'static str, &'static str, &[&'static str])> = Vec::new();
        let because: &[&'static str] = match nut {
            "walnut" => &["walnut"],
            "almond" => &["almond"],
            "cashew" => &["cashew"],
            "pistachio" => &["pistachio"],
            "pecan" => &["pecan"],
            _ => &["hazelnut"],
        };
        if let Some((target, p)) = extra {
            cautions.push((target, p, because));
        }
        cautions.push(("peanut", "medium", because));
        cases.push(ok(
            format!("{nut} → peanut"),
            results,
            tier_high,
            tier_mod,
            &[],
            &cautions,
            &[(nut_code(nut), "peanut")],
        ));
    }
    cases.push(ok(
        "lupin alone: no link back to peanut in the data",
        json!([{"allergen": "lupin", "grade": 4}]),
        &["lupin"],
        &[],
        &[],
        &[],
        &[],
    ));
    cases.push(ok(
        "peanut and walnut: merged pecan caution keeps the highest",
        json!([{"allergen": "peanut", "grade": 4}, {"allergen": "walnut", "grade": 5}]),
        &["walnut", "peanut"],
        &[],
        &[],
        &[
            ("pecan", "high", &["walnut", "peanut"]),
            ("almond", "medium", &["peanut"]),
            ("cashew", "medium", &["peanut"]),
            ("pistachio", "medium", &["peanut"]),
            ("hazelnut", "medium", &["peanut"]),
            ("lupin", "medium", &["peanut"]),
            ("soybean", "low", &["peanut"]),
        ],
        &[("peanut", "walnut"), ("walnut", "peanut")],
    ));

    // Cow's ↔ goat's milk. Goat → cow is not in the data (Francis 2020 gives the rate among
    // cow's-milk-allergic patients only; goat's-milk-only allergy is reported).
    cases.push(ok(
        "goat milk alone: no link back in the data",
        json!([{"allergen": "산양유", "grade": 4}]),
        &["goat_milk"],
        &[],
        &[],
        &[],
        &[],
    ));
    cases.push(ok(
        "milk with goat milk tested low",
        json!([{"allergen": "milk", "grade": 4}, {"allergen": "goat_milk", "grade": 1}]),
        &["milk"],
        &[],
        &["goat_milk"],
        &MILK_CAUTIONS,
        &[("milk", "goat_milk")],
    ));
    cases.push(ok(
        "milk with goat milk positive: no caution for it",
        json!([{"allergen": "milk", "grade": 4}, {"allergen": "goat_milk", "grade": 2}]),
        &["milk"],
        &["goat_milk"],
        &[],
        &[("beef", "medium", &["milk"])],
        &[("milk", "goat_milk")],
    ));
    cases.push(ok(
        "beef → milk",
        json!([{"allergen": "쇠고기", "grade": 4}]),
        &["beef"],
        &[],
        &[],
        &[("milk", "high", &["beef"])],
        &[("beef", "milk")],
    ));

    // Cat ↔ pork (serum albumin), both directions.
    cases.push(ok(
        "cat → pork",
        json!([{"allergen": "cat", "grade": 4}, {"allergen": "pork", "grade": 0}]),
        &["cat"],
        &[],
        &["pork"],
        &[("pork", "low", &["cat"])],
        &[("cat", "pork")],
    ));
    cases.push(ok(
        "pork → cat",
        json!([{"allergen": "돼지고기", "grade": 3}]),
        &[],
        &["pork"],
        &[],
        &[("cat", "low", &["pork"])],
        &[("pork", "cat")],
    ));

    // Mugwort → celery and spices. The reverse is not in the data: in the celery-mugwort-spice
    // syndrome the pollen is the primary sensitiser.
    cases.push(ok(
        "mugwort → celery, spices, peach",
        json!([{"allergen": "쑥", "grade": 4}]),
        &["mugwort_pollen"],
        &[],
        &[],
        &[
            ("celery", "medium", &["mugwort_pollen"]),
            ("spices", "medium", &["mugwort_pollen"]),
            ("peach", "low", &["mugwort_pollen"]),
        ],
        &[("mugwort_pollen", "celery"), ("mugwort_pollen", "spices")],
    ));
    cases.push(ok(
        "celery alone: no link back to mugwort in the data",
        json!([{"allergen": "celery", "grade": 3}]),
        &[],
        &["celery"],
        &[],
        &[],
        &[],
    ));

    // Latex ↔ kiwi and banana, both directions.
    cases.push(ok(
        "latex → kiwi, banana, tomato",
        json!([{"allergen": "latex", "grade": 4}]),
        &["latex"],
        &[],
        &[],
        &[
            ("tomato", "medium", &["latex"]),
            ("kiwi", "medium", &["latex"]),
            ("banana", "medium", &["latex"]),
        ],
        &[("latex", "kiwi"), ("latex", "banana")],
    ));
    cases.push(ok(
        "kiwi → latex",
        json!([{"allergen": "kiwi", "grade": 4}]),
        &["kiwi"],
        &[],
        &[],
        &[("latex", "medium", &["kiwi"])],
        &[("kiwi", "latex")],
    ));
    cases.push(ok(
        "banana → latex",
        json!([{"allergen": "banana", "ku_l": 5.2}]),
        &[],
        &["banana"],
        &[],
        &[("latex", "medium", &["banana"])],
        &[("banana", "latex")],
    ));
    cases.push(ok(
        "latex and kiwi positive, banana negative",
        json!([
            {"allergen": "latex", "grade": 4},
            {"allergen": "kiwi", "grade": 5},
            {"allergen": "banana", "grade": 0},
        ]),
        &["kiwi", "latex"],
        &[],
        &["banana"],
        &[
            ("tomato", "medium", &["latex"]),
            ("banana", "medium", &["latex"]),
        ],
        &[("latex", "kiwi"), ("kiwi", "latex")],
    ));

    // The seed's example, with a value instead of a grade.
    cases.push(ok(
        "peanut 4, milk 2.1 kU/L, egg 0",
        json!([
            {"allergen": "peanut", "grade": 4},
            {"allergen": "우유", "ku_l": 2.1},
            {"allergen": "egg", "grade": 0},
        ]),
        &["peanut"],
        &["milk"],
        &["egg"],
        &[
            ("goat_milk", "high", &["milk"]),
            ("walnut", "medium", &["peanut"]),
            ("beef", "medium", &["milk"]),
            ("almond", "medium", &["peanut"]),
            ("cashew", "medium", &["peanut"]),
            ("pistachio", "medium", &["peanut"]),
            ("pecan", "medium", &["peanut"]),
            ("hazelnut", "medium", &["peanut"]),
            ("lupin", "medium", &["peanut"]),
            ("soybean", "low", &["peanut"]),
        ],
        &[("peanut", "walnut"), ("milk", "goat_milk")],
    ));

    // All negative: nothing to avoid, nothing to ask about.
    let k = builtin();
    let all_negative: Vec<Value> = k
        .allergens
        .iter()
        .map(|a| json!({"allergen": a.code, "grade": 0}))
        .collect();
    let all_codes: Vec<&'static str> = k.allergens.iter().map(|a| leak(&a.code)).collect();
    cases.push(ok(
        "every allergen negative",
        Value::Array(all_negative),
        &[],
        &[],
        &all_codes,
        &[],
        &[],
    ));
    cases.push(ok(
        "grade 1 everywhere it matters is still low",
        json!([{"allergen": "peanut", "ku_l": 0.5}, {"allergen": "shrimp", "grade": 1}]),
        &[],
        &[],
        &["peanut", "shrimp"],
        &[],
        &[],
    ));

    // Invalid input: refused at the right field.
    cases.push(refused("empty results", json!([]), &["results"]));
    cases.push(refused("not a list", json!({"peanut": 4}), &["results"]));
    cases.push(refused(
        "unknown allergen",
        json!([{"allergen": "peanut", "grade": 4}, {"allergen": "dragonfruit", "grade": 2}]),
        &["results[1].allergen"],
    ));
    cases.push(refused(
        "same allergen written two ways",
        json!([{"allergen": "peanut", "grade": 4}, {"allergen": "땅콩", "grade": 4}]),
        &["results[1].allergen"],
    ));
    cases.push(refused(
        "grade out of range",
        json!([{"allergen": "peanut", "grade": 7}]),
        &["results[0].grade"],
    ));
    cases.push(refused(
        "negative value",
        json!([{"allergen": "peanut", "ku_l": -3}]),
        &["results[0].ku_l"],
    ));
    cases.push(refused(
        "neither grade nor value",
        json!([{"allergen": "peanut"}]),
        &["results[0].grade"],
    ));
    cases.push(refused(
        "grade and value disagree",
        json!([{"allergen": "peanut", "grade": 2, "ku_l": 60}]),
        &["results[0].grade"],
    ));
    cases
}

fn nut_code(nut: &'static str) -> &'static str {
    nut
}

/// Codes of the built-in knowledge as `'static` for the table; test-only, a few dozen bytes.
fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

fn codes(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|e| e.allergen.as_str()).collect()
}

#[test]
fn the_engine_over_many_result_sets() {
    let k = builtin();
    let cases = cases();
    assert!(cases.len() >= 50, "{} cases", cases.len());
    for case in cases {
        let name = &case.name;
        let parsed = k.parse_results(&case.results);
        match case.expect {
            Expect::Refused(fields) => {
                let e = parsed.expect_err(name);
                assert_eq!(e.field_names(), fields, "{name}");
            }
            Expect::Prescribed {
                high,
                moderate,
                low,
                cautions,
                links,
            } => {
                let results = parsed.unwrap_or_else(|e| panic!("{name}: {e:?}"));
                let p = k.prescribe(&results);
                assert_eq!(p.knowledge_version, k.version, "{name}");
                assert_eq!(codes(&p.high_risk), high, "{name}: high");
                assert_eq!(codes(&p.moderate_risk), moderate, "{name}: moderate");
                assert_eq!(codes(&p.low_risk), low, "{name}: low");
                let got: Vec<(&str, &str, Vec<&str>)> = p
                    .cross_reactive_cautions
                    .iter()
                    .map(|c| {
                        (
                            c.allergen.as_str(),
                            c.probability.as_str(),
                            c.because_of.iter().map(String::as_str).collect(),
                        )
                    })
                    .collect();
                assert_eq!(got, cautions, "{name}: cautions");
                for (from, to) in links {
                    let entry = p
                        .high_risk
                        .iter()
                        .chain(&p.moderate_risk)
                        .find(|e| e.allergen == from)
                        .unwrap_or_else(|| panic!("{name}: {from} is positive"));
                    assert!(
                        entry.cross_reactivity.iter().any(|c| c.allergen == to),
                        "{name}: {from} lists {to}"
                    );
                }
                check_invariants(name, &results, &p);
            }
        }
    }
}

/// What holds for every prescription, whatever the case.
fn check_invariants(name: &str, results: &[TestResult], p: &Prescription) {
    let k = builtin();
    for e in p.high_risk.iter().chain(&p.moderate_risk) {
        assert!(!e.symptoms.is_empty(), "{name}: {} symptoms", e.allergen);
        assert!(
            !e.avoid_foods.is_empty() || !e.lifestyle_tips.is_empty(),
            "{name}: {} has something to do",
            e.allergen
        );
        assert!(!e.sources.is_empty(), "{name}: {} sources", e.allergen);
        assert!(!e.grade_label.is_empty() && !e.grade_description.is_empty());
        for c in &e.cross_reactivity {
            let tested = results
                .iter()
                .find(|r| r.allergen == c.allergen)
                .map(|r| r.grade);
            assert_eq!(
                c.tested_grade, tested,
                "{name}: {} tested grade",
                c.allergen
            );
        }
    }
    for e in &p.low_risk {
        assert!(
            e.avoid_foods.is_empty()
                && e.hidden_sources.is_empty()
                && e.cross_reactivity.is_empty(),
            "{name}: a low result never says avoid ({})",
            e.allergen
        );
    }
    // Tiers are ordered by grade, then by the document.
    for tier in [&p.high_risk, &p.moderate_risk, &p.low_risk] {
        for pair in tier.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(
                a.grade > b.grade
                    || (a.grade == b.grade && k.position(&a.allergen) < k.position(&b.allergen)),
                "{name}: order of {} and {}",
                a.allergen,
                b.allergen
            );
        }
    }
    let positive: Vec<&str> = p
        .high_risk
        .iter()
        .chain(&p.moderate_risk)
        .map(|e| e.allergen.as_str())
        .collect();
    for c in &p.cross_reactive_cautions {
        assert!(
            !positive.contains(&c.allergen.as_str()),
            "{name}: caution {} is positive",
            c.allergen
        );
        assert!(!c.because_of.is_empty());
        assert!(c.because_of.iter().all(|b| positive.contains(&b.as_str())));
        assert!(c.advice.contains("의사"), "{name}: advice asks the doctor");
    }
    let level = p.emergency_plan["level"].as_str();
    if p.high_risk.is_empty() {
        assert_eq!(level, Some("general"), "{name}");
    } else {
        assert_eq!(level, Some("anaphylaxis_plan"), "{name}");
        assert!(p.emergency_plan["epinephrine"]["dose"]["bands"].is_array());
        assert!(p.emergency_plan["action_plan"]["action_plans"]["severe"].is_object());
    }
    assert_eq!(p.emergency_plan["emergency_number"], "119");
    assert!(!p.disclaimer.is_empty());
}

#[test]
fn no_results_make_an_empty_prescription() {
    let k = builtin();
    let p = k.prescribe(&[]);
    assert!(p.high_risk.is_empty() && p.moderate_risk.is_empty() && p.low_risk.is_empty());
    assert!(p.cross_reactive_cautions.is_empty());
    assert_eq!(p.emergency_plan["level"], "general");
    let s = k.summary(&[]);
    assert_eq!(s.max_grade, None);
    assert_eq!(s.total_tested, 0);
    assert_eq!(s.high_risk_count, 0);
}

#[test]
fn the_same_input_gives_byte_identical_output() {
    let k = builtin();
    let input = json!([
        {"allergen": "egg", "grade": 0},
        {"allergen": "shrimp", "grade": 4},
        {"allergen": "house_dust_mite", "ku_l": 20.0},
        {"allergen": "peanut", "grade": 3},
        {"allergen": "birch", "grade": 2},
        {"allergen": "latex", "grade": 5},
    ]);
    let results = k.parse_results(&input).expect("valid");
    let first = serde_json::to_string(&k.prescribe(&results)).expect("json");
    for _ in 0..5 {
        assert_eq!(
            serde_json::to_string(&k.prescribe(&results)).expect("json"),
            first
        );
    }
    // The order results were entered in does not matter.
    let mut reversed = results.clone();
    reversed.reverse();
    assert_eq!(
        serde_json::to_string(&k.prescribe(&reversed)).expect("json"),
        first
    );
    // Guides too.
    assert_eq!(
        k.guide(&results).to_string(),
        k.guide(&reversed).to_string()
    );
    // A stored prescription reads back as the same value.
    let back: Prescription = serde_json::from_str(&first).expect("reads back");
    assert_eq!(back, k.prescribe(&results));
}

#[test]
fn a_prescription_from_stored_results_of_another_version_skips_what_it_does_not_know() {
    let k = builtin();
    let results = vec![
        TestResult {
            allergen: "peanut".into(),
            grade: 4,
            ku_l: None,
        },
        TestResult {
            allergen: "dragonfruit".into(),
            grade: 5,
            ku_l: None,
        },
        TestResult {
            allergen: "peanut".into(),
            grade: 2,
            ku_l: None,
        },
    ];
    let p = k.prescribe(&results);
    assert_eq!(codes(&p.high_risk), vec!["peanut"]);
    assert!(p.moderate_risk.is_empty());
}

#[test]
fn summary_counts_and_names() {
    let k = builtin();
    let results = k
        .parse_results(&json!([
            {"allergen": "peanut", "grade": 4},
            {"allergen": "milk", "ku_l": 2.1},
            {"allergen": "egg", "grade": 0},
            {"allergen": "shrimp", "grade": 6},
        ]))
        .expect("valid");
    let s = k.summary(&results);
    assert_eq!(
        s,
        Summary {
            high_risk_count: 2,
            moderate_risk_count: 1,
            high_risk_allergens: vec!["새우".into(), "땅콩".into()],
            max_grade: Some(6),
            total_tested: 4,
        }
    );
}

#[test]
fn cautions_say_whether_the_target_was_tested() {
    let k = builtin();
    let p = k.prescribe(&[
        TestResult {
            allergen: "milk".into(),
            grade: 4,
            ku_l: None,
        },
        TestResult {
            allergen: "goat_milk".into(),
            grade: 1,
            ku_l: None,
        },
    ]);
    let goat = &p.cross_reactive_cautions[0];
    assert_eq!(goat.allergen, "goat_milk");
    assert_eq!(goat.tested_grade, Some(1));
    assert_eq!(goat.rate.as_deref(), Some(">90%"));
    assert!(
        goat.advice.starts_with("검사 결과는 1등급"),
        "{}",
        goat.advice
    );
    let beef = &p.cross_reactive_cautions[1];
    assert_eq!(beef.tested_grade, None);
    assert!(
        beef.advice.starts_with("검사하지 않은 항목"),
        "{}",
        beef.advice
    );
    assert!(beef.advice.contains("우유 양성 결과와"));
}
