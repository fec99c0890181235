//! A diagnosis's test results as the request sends them, read into allergen codes and grades.
//! Every field error is collected, so the form shows them all at once.

use crate::knowledge::Knowledge;
use clinicdesk_domain::DomainError;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// One allergen's result: always a grade, and the kU/L value when one was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// Allergen code.
    pub allergen: String,
    pub grade: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ku_l: Option<f64>,
}

/// An echo of what was sent, short enough for an error message.
fn shown(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(60).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// The key's value, with JSON `null` read as "not sent".
fn present<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

/// A grade is an integer 0–6; `4.0` is accepted since some clients write every number as a
/// float.
fn grade_value(v: &Value) -> Option<u8> {
    if let Some(n) = v.as_u64() {
        return u8::try_from(n).ok().filter(|g| *g <= 6);
    }
    v.as_f64()
        .filter(|f| f.fract() == 0.0 && (0.0..=6.0).contains(f))
        .map(|f| f as u8)
}

impl Knowledge {
    /// Reads a request's `results` array (`[{"allergen": "peanut", "grade": 4},
    /// {"allergen": "우유", "ku_l": 2.1}]`; `value` is accepted for `ku_l`). A kU/L result gets
    /// its grade from the scale.
    // The API's one error type, as every domain rule returns it; boxing it here alone would
    // only make this function the odd one out.
    #[allow(clippy::result_large_err)]
    pub fn parse_results(&self, results: &Value) -> Result<Vec<TestResult>, DomainError> {
        let Some(items) = results.as_array() else {
            return Err(DomainError::invalid(
                "results",
                "results는 검사 결과의 배열이어야 합니다",
            ));
        };
        if items.is_empty() {
            return Err(DomainError::invalid(
                "results",
                "검사 결과가 하나 이상 있어야 합니다",
            ));
        }
        if items.len() > self.allergens.len() {
            // Checked before reading any item: a huge array is refused without the work.
            return Err(DomainError::invalid(
                "results",
                format!(
                    "검사 결과가 {}개로, 검사할 수 있는 알레르겐 수({}개)보다 많습니다",
                    items.len(),
                    self.allergens.len()
                ),
            ));
        }
        let mut errors = Vec::new();
        let mut out = Vec::with_capacity(items.len());
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, item) in items.iter().enumerate() {
            let at = format!("results[{i}]");
            let Some(obj) = item.as_object() else {
                errors.push(DomainError::invalid(
                    &at,
                    "검사 결과는 {\"allergen\": …, \"grade\": …} 형태의 객체여야 합니다",
                ));
                continue;
            };

            let field = format!("{at}.allergen");
            let code = match present(obj, "allergen") {
                None => {
                    errors.push(DomainError::invalid(&field, "알레르겐을 입력하세요"));
                    None
                }
                Some(Value::String(name)) if name.trim().is_empty() => {
                    errors.push(DomainError::invalid(&field, "알레르겐을 입력하세요"));
                    None
                }
                Some(Value::String(name)) => match self.resolve(name) {
                    None => {
                        errors.push(
                            DomainError::invalid(
                                &field,
                                format!("알 수 없는 알레르겐입니다: '{}'", shown(&json!(name))),
                            )
                            .with_details(json!({ "received_value": shown(&json!(name)) })),
                        );
                        None
                    }
                    Some(a) => match seen.get(a.code.as_str()) {
                        Some(first) => {
                            errors.push(DomainError::invalid(
                                &field,
                                format!(
                                    "'{}'은(는) results[{first}]와 같은 알레르겐({})입니다. 한 번만 입력하세요",
                                    shown(&json!(name)),
                                    a.name_ko
                                ),
                            ));
                            None
                        }
                        None => {
                            seen.insert(a.code.as_str(), i);
                            Some(a.code.clone())
                        }
                    },
                },
                Some(other) => {
                    errors.push(DomainError::invalid(
                        &field,
                        format!(
                            "알레르겐은 코드나 이름 문자열이어야 합니다 (받은 값: {})",
                            shown(other)
                        ),
                    ));
                    None
                }
            };

            let grade_field = format!("{at}.grade");
            let grade = match present(obj, "grade") {
                None => Ok(None),
                Some(v) => grade_value(v).map(Some).ok_or_else(|| {
                    DomainError::invalid(
                        &grade_field,
                        format!("등급은 0~6 사이의 정수여야 합니다 (받은 값: {})", shown(v)),
                    )
                }),
            };

            let ku_field = format!("{at}.ku_l");
            let ku = match (present(obj, "ku_l"), present(obj, "value")) {
                (Some(a), Some(b)) if a != b => Err(DomainError::invalid(
                    &ku_field,
                    "ku_l과 value가 서로 다릅니다. 수치는 하나만 보내세요",
                )),
                (Some(v), _) | (None, Some(v)) => match v.as_f64() {
                    Some(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
                    _ => Err(DomainError::invalid(
                        &ku_field,
                        format!(
                            "kU/L 수치는 0 이상의 숫자여야 합니다 (받은 값: {})",
                            shown(v)
                        ),
                    )),
                },
                (None, None) => Ok(None),
            };

            let grade = match (grade, ku) {
                (Err(g), Err(k)) => {
                    errors.push(g);
                    errors.push(k);
                    None
                }
                (Err(e), _) | (_, Err(e)) => {
                    errors.push(e);
                    None
                }
                (Ok(None), Ok(None)) => {
                    errors.push(DomainError::invalid(
                        &grade_field,
                        "등급(grade) 또는 kU/L 수치(ku_l) 중 하나를 입력하세요",
                    ));
                    None
                }
                (Ok(Some(g)), Ok(None)) => Some((g, None)),
                (Ok(None), Ok(Some(x))) => Some((self.grade_of(x), Some(x))),
                (Ok(Some(g)), Ok(Some(x))) => {
                    let from_value = self.grade_of(x);
                    if from_value == g {
                        Some((g, Some(x)))
                    } else {
                        errors.push(DomainError::invalid(
                            &grade_field,
                            format!(
                                "등급 {g}과(와) 수치 {x} kU/L({from_value}등급)이 맞지 않습니다. 하나만 보내거나 맞게 고쳐 주세요"
                            ),
                        ));
                        None
                    }
                }
            };

            if let (Some(allergen), Some((grade, ku_l))) = (code, grade) {
                out.push(TestResult {
                    allergen,
                    grade,
                    ku_l,
                });
            }
        }
        match DomainError::several(errors) {
            Some(error) => Err(error),
            None => Ok(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin;

    fn fields(results: Value) -> Vec<String> {
        match builtin().parse_results(&results) {
            Ok(r) => panic!("expected errors, got {r:?}"),
            Err(e) => {
                for f in e.field_errors() {
                    assert!(f.message.chars().any(|c| ('가'..='힣').contains(&c)));
                }
                e.field_names().into_iter().map(str::to_string).collect()
            }
        }
    }

    #[test]
    fn grades_values_and_names_are_read() {
        let k = builtin();
        let r = k
            .parse_results(&json!([
                {"allergen": "peanut", "grade": 4},
                {"allergen": "우유", "ku_l": 2.1},
                {"allergen": "Egg", "grade": 0},
                {"allergen": "집먼지 진드기", "value": 120},
                {"allergen": "cat", "grade": 3, "ku_l": 3.5},
                {"allergen": "dog", "grade": 2.0, "ku_l": null},
                {"allergen": "shrimp", "ku_l": 0.7, "value": 0.7},
            ]))
            .expect("valid");
        let expected = vec![
            TestResult {
                allergen: "peanut".into(),
                grade: 4,
                ku_l: None,
            },
            TestResult {
                allergen: "milk".into(),
                grade: 2,
                ku_l: Some(2.1),
            },
            TestResult {
                allergen: "egg".into(),
                grade: 0,
                ku_l: None,
            },
            TestResult {
                allergen: "house_dust_mite".into(),
                grade: 6,
                ku_l: Some(120.0),
            },
            TestResult {
                allergen: "cat".into(),
                grade: 3,
                ku_l: Some(3.5),
            },
            TestResult {
                allergen: "dog".into(),
                grade: 2,
                ku_l: None,
            },
            TestResult {
                allergen: "shrimp".into(),
                grade: 2,
                ku_l: Some(0.7),
            },
        ];
        assert_eq!(r, expected);
        let round: Vec<TestResult> =
            serde_json::from_value(serde_json::to_value(&r).expect("json")).expect("back");
        assert_eq!(round, r);
        assert_eq!(
            serde_json::to_value(&r[0]).expect("json"),
            json!({"allergen": "peanut", "grade": 4})
        );
    }

    #[test]
    fn each_invalid_input_names_its_field() {
        let table: Vec<(Value, Vec<&str>)> = vec![
            (json!({"allergen": "peanut"}), vec!["results"]),
            (json!("peanut"), vec!["results"]),
            (json!(null), vec!["results"]),
            (json!([]), vec!["results"]),
            (json!([1]), vec!["results[0]"]),
            (
                json!([{"allergen": "unobtainium", "grade": 1}]),
                vec!["results[0].allergen"],
            ),
            (json!([{"grade": 1}]), vec!["results[0].allergen"]),
            (
                json!([{"allergen": "", "grade": 1}]),
                vec!["results[0].allergen"],
            ),
            (
                json!([{"allergen": 7, "grade": 1}]),
                vec!["results[0].allergen"],
            ),
            (
                json!([{"allergen": "peanut", "grade": 1}, {"allergen": "땅콩", "grade": 2}]),
                vec!["results[1].allergen"],
            ),
            (
                json!([{"allergen": "egg", "grade": 0}, {"allergen": "milk", "grade": 1},
                       {"allergen": "house dust mite", "grade": 1},
                       {"allergen": "Der p", "grade": 1}]),
                vec!["results[3].allergen"],
            ),
            (
                json!([{"allergen": "peanut", "grade": 7}]),
                vec!["results[0].grade"],
            ),
            (
                json!([{"allergen": "peanut", "grade": -1}]),
                vec!["results[0].grade"],
            ),
            (
                json!([{"allergen": "peanut", "grade": 2.5}]),
                vec!["results[0].grade"],
            ),
            (
                json!([{"allergen": "peanut", "grade": "4"}]),
                vec!["results[0].grade"],
            ),
            (
                json!([{"allergen": "peanut", "ku_l": -0.1}]),
                vec!["results[0].ku_l"],
            ),
            (
                json!([{"allergen": "peanut", "ku_l": "2.1"}]),
                vec!["results[0].ku_l"],
            ),
            (
                json!([{"allergen": "peanut", "value": true}]),
                vec!["results[0].ku_l"],
            ),
            (
                json!([{"allergen": "peanut", "ku_l": 1.0, "value": 2.0}]),
                vec!["results[0].ku_l"],
            ),
            (json!([{"allergen": "peanut"}]), vec!["results[0].grade"]),
            (
                json!([{"allergen": "peanut", "grade": null}]),
                vec!["results[0].grade"],
            ),
            (
                json!([{"allergen": "peanut", "grade": 4, "ku_l": 2.1}]),
                vec!["results[0].grade"],
            ),
            (
                json!([{"allergen": "peanut", "grade": 9, "ku_l": -2}]),
                vec!["results[0].grade", "results[0].ku_l"],
            ),
            // Every error of the request, in order, not just the first.
            (
                json!([
                    {"allergen": "peanut", "grade": 4},
                    {"allergen": "nothing", "grade": 9},
                    {"allergen": "milk", "ku_l": -1},
                    {"allergen": "PEANUT", "grade": 4},
                ]),
                vec![
                    "results[1].allergen",
                    "results[1].grade",
                    "results[2].ku_l",
                    "results[3].allergen",
                ],
            ),
        ];
        for (input, expected) in table {
            assert_eq!(fields(input.clone()), expected, "{input}");
        }
    }

    #[test]
    fn an_unknown_allergen_is_named_in_the_message() {
        let e = builtin()
            .parse_results(&json!([{"allergen": "unobtainium", "grade": 1}]))
            .expect_err("unknown");
        assert!(e.message.contains("unobtainium"), "{}", e.message);
    }

    #[test]
    fn more_results_than_allergens_is_refused_whole() {
        let k = builtin();
        let many: Vec<Value> = (0..=k.allergens.len())
            .map(|i| json!({"allergen": format!("x{i}"), "grade": 0}))
            .collect();
        assert_eq!(fields(Value::Array(many)), vec!["results"]);
        // Exactly one result per allergen is fine.
        let all: Vec<Value> = k
            .allergens
            .iter()
            .map(|a| json!({"allergen": a.code, "grade": 0}))
            .collect();
        assert_eq!(
            k.parse_results(&Value::Array(all)).map(|r| r.len()).ok(),
            Some(k.allergens.len())
        );
    }

    #[test]
    fn agreeing_grade_and_value_are_fine_at_every_boundary() {
        let k = builtin();
        for (ku, grade) in [
            (0.34, 0),
            (0.35, 1),
            (0.69, 1),
            (0.70, 2),
            (3.49, 2),
            (3.5, 3),
            (17.49, 3),
            (17.5, 4),
            (49.9, 4),
            (50.0, 5),
            (99.9, 5),
            (100.0, 6),
        ] {
            let r = k
                .parse_results(&json!([{"allergen": "egg", "grade": grade, "ku_l": ku}]))
                .expect("agreeing");
            assert_eq!(r[0].grade, grade, "{ku}");
            let wrong = if grade == 6 { 5 } else { grade + 1 };
            assert!(k
                .parse_results(&json!([{"allergen": "egg", "grade": wrong, "ku_l": ku}]))
                .is_err());
        }
    }
}
