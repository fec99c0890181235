//! Reading a knowledge document and refusing a bad one with every reason at once, each at its
//! JSON path, in Korean: an administrator publishing a version fixes them all in one pass, and
//! a prescription is never made from a document that points at nothing.

use crate::grades::{GradeScale, RiskTier};
use crate::knowledge::{Allergen, Category, Emergency, Knowledge, Source, EMERGENCY_SECTIONS};
use crate::resolve::{names_of, normalise};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

pub const MAX_ALLERGENS: usize = 500;
pub const MAX_SOURCES: usize = 2000;
pub const MAX_ALIASES: usize = 200;
pub const MAX_VERSION_LEN: usize = 40;
/// Longer than any sentence a patient should read; a longer one is a paste accident.
pub const MAX_TEXT_CHARS: usize = 4000;
/// Auto-injector strengths in published dose tables (µg). Anything else is a typo or an
/// invented dose, which this knowledge base must never carry.
pub const KNOWN_INJECTOR_DOSES_MCG: [u32; 4] = [100, 150, 300, 500];

const TOP_LEVEL: [&str; 6] = [
    "version",
    "published_at",
    "allergens",
    "grades",
    "emergency",
    "sources",
];

/// One reason a document is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where, as a JSON path: `allergens[3].cross_reactivity[0].to`.
    pub path: String,
    /// Why, in Korean.
    pub message: String,
}

impl Problem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The API's answer to a refused document: one validation error per problem (field = the
/// problem's path), carried as one error.
pub fn problems_error(problems: &[Problem]) -> clinicdesk_domain::DomainError {
    use clinicdesk_domain::DomainError;
    let errors: Vec<DomainError> = problems
        .iter()
        .map(|p| DomainError::invalid(&p.path, p.message.clone()))
        .collect();
    DomainError::several(errors)
        .unwrap_or_else(|| DomainError::invalid("document", "지식 문서가 올바르지 않습니다"))
}

/// Reads and validates a whole document (`{"version","published_at","allergens","grades",
/// "emergency","sources"}`); every problem found, or the knowledge.
pub fn parse_document(doc: &Value) -> Result<Knowledge, Vec<Problem>> {
    let mut p = Vec::new();
    let Some(top) = doc.as_object() else {
        return Err(vec![Problem::new("", "지식 문서는 JSON 객체여야 합니다")]);
    };
    for key in top.keys() {
        if !TOP_LEVEL.contains(&key.as_str()) {
            p.push(Problem::new(
                key.clone(),
                format!(
                    "알 수 없는 최상위 항목 `{key}`입니다 (허용: {})",
                    TOP_LEVEL.join(", ")
                ),
            ));
        }
    }
    for key in TOP_LEVEL {
        if !top.contains_key(key) {
            p.push(Problem::new(
                key,
                format!("필수 항목 `{key}`이(가) 없습니다"),
            ));
        }
    }
    check_long_texts(doc, "", &mut p);

    let version = top.get("version").and_then(|v| {
        let s = v.as_str();
        if s.is_none() {
            p.push(Problem::new("version", "버전은 문자열이어야 합니다"));
        }
        s
    });
    if let Some(version) = version {
        check_version(version, &mut p);
    }
    let published_at = top.get("published_at").and_then(|v| {
        let s = v.as_str();
        if s.is_none() {
            p.push(Problem::new(
                "published_at",
                "게시 시각은 문자열이어야 합니다",
            ));
        }
        s
    });
    if let Some(at) = published_at {
        if chrono::DateTime::parse_from_rfc3339(at).is_err() {
            p.push(Problem::new(
                "published_at",
                format!(
                    "게시 시각 `{at}`이(가) RFC 3339 형식(예: 2026-12-07T00:00:00Z)이 아닙니다"
                ),
            ));
        }
    }

    let sources = top
        .get("sources")
        .and_then(|v| list_of::<Source>(v, "sources", MAX_SOURCES, &mut p));
    let allergen_values = top.get("allergens");
    let allergens =
        allergen_values.and_then(|v| list_of::<Allergen>(v, "allergens", MAX_ALLERGENS, &mut p));
    let grades = top
        .get("grades")
        .and_then(|v| take::<GradeScale>(v, "grades", &mut p));
    let emergency = top.get("emergency").and_then(|v| emergency_of(v, &mut p));

    // Source references are checked against the ids that parsed; if the list itself failed,
    // every reference would be "unknown" and bury the real problem.
    let mut refs: Vec<(String, String)> = Vec::new();
    let source_ids = sources.as_ref().map(|s| check_sources(s, &mut p));
    let sources_complete = sources
        .as_ref()
        .is_some_and(|s| s.iter().all(Option::is_some));

    let mut names = BTreeMap::new();
    let mut codes = BTreeMap::new();
    if let (Some(allergens), Some(values)) = (&allergens, allergen_values) {
        let raw_codes = raw_codes(values);
        check_allergens(
            allergens, &raw_codes, &mut names, &mut codes, &mut refs, &mut p,
        );
    }
    if let Some(grades) = &grades {
        check_grades(grades, &mut refs, &mut p);
    }
    if let Some(emergency) = &emergency {
        check_emergency(emergency, &mut refs, &mut p);
    }
    if let (Some(ids), true) = (&source_ids, sources_complete) {
        for (id, path) in &refs {
            if !ids.contains_key(id) {
                p.push(Problem::new(
                    path.clone(),
                    format!("출처 `{id}`이(가) sources에 없습니다"),
                ));
            }
        }
    }

    let allergens = complete(allergens);
    let sources = complete(sources);
    match (
        version,
        published_at,
        allergens,
        grades,
        emergency,
        sources,
        source_ids,
    ) {
        (
            Some(v),
            Some(at),
            Some(allergens),
            Some(grades),
            Some(emergency),
            Some(sources),
            Some(ids),
        ) if p.is_empty() => Ok(Knowledge {
            version: v.to_string(),
            published_at: at.to_string(),
            allergens,
            grades,
            emergency,
            sources,
            names,
            codes,
            source_ids: ids,
        }),
        _ if p.is_empty() => Err(vec![Problem::new("", "지식 문서를 읽지 못했습니다")]),
        _ => Err(p),
    }
}

fn check_version(version: &str, p: &mut Vec<Problem>) {
    if version.is_empty() {
        p.push(Problem::new("version", "버전이 비어 있습니다"));
    } else if version.chars().count() > MAX_VERSION_LEN {
        p.push(Problem::new(
            "version",
            format!("버전은 {MAX_VERSION_LEN}자 이하여야 합니다"),
        ));
    } else if !version
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        p.push(Problem::new(
            "version",
            format!("버전 `{version}`에는 영문자, 숫자와 . _ - 만 쓸 수 있습니다"),
        ));
    }
}

/// A typed value, or one problem at the path serde stopped at (in Korean).
fn take<T: DeserializeOwned>(value: &Value, path: &str, p: &mut Vec<Problem>) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(t) => Some(t),
        Err(err) => {
            let inner = err.path().to_string();
            let mut at = join(path, if inner == "." { "" } else { &inner });
            let message = korean_serde_error(&err.inner().to_string(), &mut at);
            p.push(Problem::new(at, message));
            None
        }
    }
}

/// Each item on its own, so one broken allergen does not hide another: the items that read
/// are still checked. `None` when the list itself is unusable.
fn list_of<T: DeserializeOwned>(
    value: &Value,
    path: &str,
    max: usize,
    p: &mut Vec<Problem>,
) -> Option<Vec<Option<T>>> {
    let Some(items) = value.as_array() else {
        p.push(Problem::new(path, "배열이어야 합니다"));
        return None;
    };
    if items.is_empty() {
        p.push(Problem::new(path, "항목이 하나 이상 있어야 합니다"));
        return None;
    }
    if items.len() > max {
        p.push(Problem::new(
            path,
            format!("항목이 {}개로, 최대 {max}개를 넘습니다", items.len()),
        ));
        return None;
    }
    Some(
        items
            .iter()
            .enumerate()
            .map(|(i, item)| take::<T>(item, &format!("{path}[{i}]"), p))
            .collect(),
    )
}

/// All items, if every one of them read.
fn complete<T>(items: Option<Vec<Option<T>>>) -> Option<Vec<T>> {
    items.and_then(|items| items.into_iter().collect())
}

fn emergency_of(value: &Value, p: &mut Vec<Problem>) -> Option<Emergency> {
    let Some(obj) = value.as_object() else {
        p.push(Problem::new("emergency", "객체여야 합니다"));
        return None;
    };
    unknown_keys(obj, "emergency", &EMERGENCY_SECTIONS, p);
    // Section by section, so a document missing both the action plan and the number hears
    // about both.
    let mut complete = true;
    for key in EMERGENCY_SECTIONS {
        let path = format!("emergency.{key}");
        match obj.get(key) {
            None => {
                p.push(Problem::new(
                    path,
                    format!("응급 대처 문서에 필수 항목 `{key}`이(가) 없습니다"),
                ));
                complete = false;
            }
            Some(section) => {
                let ok = match key {
                    "emergency_number" => {
                        take::<crate::knowledge::EmergencyNumber>(section, &path, p).is_some()
                    }
                    "severity_levels" => {
                        take::<crate::knowledge::SeverityLevels>(section, &path, p).is_some()
                    }
                    "action_plan" => {
                        take::<crate::knowledge::ActionPlan>(section, &path, p).is_some()
                    }
                    "adrenaline_autoinjector" => {
                        take::<crate::knowledge::AdrenalineAutoinjector>(section, &path, p)
                            .is_some()
                    }
                    _ => take::<Vec<String>>(section, &path, p).is_some(),
                };
                complete &= ok;
            }
        }
    }
    if complete {
        take::<Emergency>(value, "emergency", p)
    } else {
        None
    }
}

fn unknown_keys(obj: &Map<String, Value>, path: &str, known: &[&str], p: &mut Vec<Problem>) {
    for key in obj.keys() {
        if !known.contains(&key.as_str()) {
            p.push(Problem::new(
                join(path, key),
                format!("알 수 없는 항목 `{key}`입니다"),
            ));
        }
    }
}

/// Codes as written, also of allergens that failed to parse, so a typo in one allergen's
/// shape does not make every cross-reaction to it "unknown".
fn raw_codes(values: &Value) -> BTreeSet<String> {
    values
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|a| a.get("code").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn check_sources(sources: &[Option<Source>], p: &mut Vec<Problem>) -> BTreeMap<String, usize> {
    let mut ids = BTreeMap::new();
    for (i, s) in sources.iter().enumerate() {
        let Some(s) = s else { continue };
        let at = format!("sources[{i}]");
        if !is_snake_id(&s.id) {
            p.push(Problem::new(
                format!("{at}.id"),
                format!(
                    "출처 id `{}`는 영문 소문자·숫자·밑줄(_)로만 써야 합니다",
                    s.id
                ),
            ));
        }
        if let Some(first) = ids.insert(s.id.clone(), i) {
            ids.insert(s.id.clone(), first);
            p.push(Problem::new(
                format!("{at}.id"),
                format!("출처 id `{}`가 sources[{first}]와 겹칩니다", s.id),
            ));
        }
        non_empty(&s.citation, &format!("{at}.citation"), "인용 정보", p);
        if !(s.url.starts_with("https://") || s.url.starts_with("http://")) {
            p.push(Problem::new(
                format!("{at}.url"),
                "주소는 http:// 또는 https://로 시작해야 합니다",
            ));
        }
        non_empty(&s.what, &format!("{at}.what"), "출처 설명", p);
    }
    ids
}

#[allow(clippy::too_many_arguments)]
fn check_allergens(
    allergens: &[Option<Allergen>],
    raw_codes: &BTreeSet<String>,
    names: &mut BTreeMap<String, usize>,
    codes: &mut BTreeMap<String, usize>,
    refs: &mut Vec<(String, String)>,
    p: &mut Vec<Problem>,
) {
    // Normalised name → (allergen index, path where first written).
    let mut owners: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (i, a) in allergens.iter().enumerate() {
        let Some(a) = a else { continue };
        let at = format!("allergens[{i}]");
        if !is_snake_id(&a.code) {
            p.push(Problem::new(
                format!("{at}.code"),
                format!(
                    "코드 `{}`는 영문 소문자로 시작하는 snake_case(예: house_dust_mite)여야 합니다",
                    a.code
                ),
            ));
        }
        if let Some(&first) = codes.get(&a.code) {
            p.push(Problem::new(
                format!("{at}.code"),
                format!("코드 `{}`가 allergens[{first}]와 겹칩니다", a.code),
            ));
        } else {
            codes.insert(a.code.clone(), i);
        }
        non_empty(&a.name_ko, &format!("{at}.name_ko"), "한국어 이름", p);
        non_empty(&a.name_en, &format!("{at}.name_en"), "영어 이름", p);
        if a.aliases.len() > MAX_ALIASES {
            p.push(Problem::new(
                format!("{at}.aliases"),
                format!("별칭은 {MAX_ALIASES}개까지입니다"),
            ));
        }
        for (name, path) in names_of(a, &at) {
            let key = normalise(&name);
            if key.is_empty() {
                if path.contains(".aliases[") {
                    p.push(Problem::new(path, "별칭이 비어 있습니다"));
                }
                continue;
            }
            match owners.get(&key) {
                Some((owner, first_path)) if *owner != i => p.push(Problem::new(
                    path,
                    format!(
                        "`{name}`은(는) 이미 {first_path} (`{}`)를 가리킵니다. 한 이름은 한 알레르겐만 가리켜야 합니다",
                        allergens[*owner].as_ref().map_or("", |o| o.code.as_str())
                    ),
                )),
                Some(_) => {}
                None => {
                    owners.insert(key.clone(), (i, path));
                    names.insert(key, i);
                }
            }
        }
        for (field, list) in [
            ("avoid_foods_ko", &a.avoid_foods_ko),
            ("hidden_sources_ko", &a.hidden_sources_ko),
            ("substitutes_ko", &a.substitutes_ko),
            ("symptoms_ko", &a.symptoms_ko),
            ("lifestyle_tips_ko", &a.lifestyle_tips_ko),
        ] {
            for (k, text) in list.iter().enumerate() {
                non_empty(text, &format!("{at}.{field}[{k}]"), "문장", p);
            }
        }
        if a.symptoms_ko.is_empty() {
            p.push(Problem::new(
                format!("{at}.symptoms_ko"),
                "증상이 하나 이상 있어야 합니다",
            ));
        }
        match a.category {
            Category::Food if a.avoid_foods_ko.is_empty() => p.push(Problem::new(
                format!("{at}.avoid_foods_ko"),
                "식품 알레르겐에는 피해야 할 음식이 하나 이상 있어야 합니다",
            )),
            Category::Inhalant if a.lifestyle_tips_ko.is_empty() => p.push(Problem::new(
                format!("{at}.lifestyle_tips_ko"),
                "흡입 알레르겐에는 생활 관리 요령이 하나 이상 있어야 합니다",
            )),
            Category::Other
                if a.avoid_foods_ko.is_empty()
                    && a.hidden_sources_ko.is_empty()
                    && a.lifestyle_tips_ko.is_empty() =>
            {
                p.push(Problem::new(
                    format!("{at}.lifestyle_tips_ko"),
                    "피해야 할 것, 숨은 노출원, 생활 관리 요령 중 하나는 있어야 합니다",
                ))
            }
            _ => {}
        }
        if let Some(m) = &a.mechanism {
            non_empty(m, &format!("{at}.mechanism"), "기전", p);
        }
        if let Some(scope) = &a.mfds_scope_ko {
            non_empty(scope, &format!("{at}.mfds_scope_ko"), "표시 대상 범위", p);
        }
        if a.sources.is_empty() {
            p.push(Problem::new(
                format!("{at}.sources"),
                "모든 알레르겐에는 근거 출처가 하나 이상 있어야 합니다",
            ));
        }
        for (k, id) in a.sources.iter().enumerate() {
            refs.push((id.clone(), format!("{at}.sources[{k}]")));
        }
        let mut targets = BTreeSet::new();
        for (k, c) in a.cross_reactivity.iter().enumerate() {
            let cat = format!("{at}.cross_reactivity[{k}]");
            if c.to == a.code {
                p.push(Problem::new(
                    format!("{cat}.to"),
                    "자기 자신과의 교차반응은 적을 수 없습니다",
                ));
            } else if !raw_codes.contains(&c.to) {
                p.push(Problem::new(
                    format!("{cat}.to"),
                    format!("교차반응 대상 `{}`이(가) allergens에 없습니다", c.to),
                ));
            }
            if !targets.insert(c.to.as_str()) {
                p.push(Problem::new(
                    format!("{cat}.to"),
                    format!("`{}`와의 교차반응이 두 번 적혀 있습니다", c.to),
                ));
            }
            refs.push((c.source.clone(), format!("{cat}.source")));
            check_rate(c, &cat, p);
            for (field, text) in [
                ("mechanism", &c.mechanism),
                ("note", &c.note),
                ("rate_text", &c.rate_text),
            ] {
                if let Some(text) = text {
                    non_empty(text, &format!("{cat}.{field}"), "문장", p);
                }
            }
        }
    }
}

/// A published rate carries its figure and the source's words; a qualitative tier carries
/// neither, so nobody reads an editorial judgement as a measured rate.
fn check_rate(c: &crate::knowledge::CrossReactivity, at: &str, p: &mut Vec<Problem>) {
    use crate::knowledge::Basis;
    let in_range = |x: f64| (0.0..=100.0).contains(&x);
    if let Some(x) = c.rate_percent {
        if !in_range(x) {
            p.push(Problem::new(
                format!("{at}.rate_percent"),
                "비율은 0~100 사이여야 합니다",
            ));
        }
    }
    if let Some([lo, hi]) = c.rate_range_percent {
        if !(in_range(lo) && in_range(hi) && lo <= hi) {
            p.push(Problem::new(
                format!("{at}.rate_range_percent"),
                "비율 범위는 0~100 사이의 [낮은 값, 높은 값]이어야 합니다",
            ));
        }
    }
    if c.rate_percent.is_some() && c.rate_range_percent.is_some() {
        p.push(Problem::new(
            format!("{at}.rate_percent"),
            "rate_percent와 rate_range_percent 중 하나만 적으세요",
        ));
    }
    match c.basis {
        Basis::PublishedRate => {
            if c.rate.as_deref().is_none_or(|r| r.trim().is_empty()) {
                p.push(Problem::new(
                    format!("{at}.rate"),
                    "발표된 비율(basis: published_rate)에는 rate(예: \"30–40%\")가 있어야 합니다",
                ));
            }
            if c.rate_percent.is_none() && c.rate_range_percent.is_none() {
                p.push(Problem::new(
                    format!("{at}.rate_percent"),
                    "발표된 비율에는 rate_percent 또는 rate_range_percent가 있어야 합니다",
                ));
            }
            if c.rate_text.is_none() {
                p.push(Problem::new(
                    format!("{at}.rate_text"),
                    "발표된 비율에는 출처의 원문(rate_text)이 있어야 합니다",
                ));
            }
        }
        Basis::Qualitative => {
            if c.rate.is_some() || c.rate_percent.is_some() || c.rate_range_percent.is_some() {
                p.push(Problem::new(
                    format!("{at}.rate"),
                    "정성적 판단(basis: qualitative)에는 비율을 적을 수 없습니다",
                ));
            }
        }
    }
}

fn check_grades(g: &GradeScale, refs: &mut Vec<(String, String)>, p: &mut Vec<Problem>) {
    let grades = &g.grades;
    let expected: Vec<u8> = (0..=6).collect();
    let found: Vec<u8> = grades.iter().map(|x| x.grade).collect();
    if found != expected {
        p.push(Problem::new(
            "grades.grades",
            format!("등급은 0부터 6까지 차례대로 7개여야 합니다 (받은 등급: {found:?})"),
        ));
    }
    let mut previous_tier = RiskTier::Low;
    for (i, info) in grades.iter().enumerate() {
        let at = format!("grades.grades[{i}]");
        non_empty(&info.label_ko, &format!("{at}.label_ko"), "등급 이름", p);
        non_empty(
            &info.description_ko,
            &format!("{at}.description_ko"),
            "등급 설명",
            p,
        );
        non_empty(
            &info.range_text,
            &format!("{at}.range_text"),
            "범위 표기",
            p,
        );
        let first = i == 0;
        let last = i + 1 == grades.len();
        match (first, info.min_ku_l) {
            (true, Some(_)) => p.push(Problem::new(
                format!("{at}.min_kU_L"),
                "가장 낮은 등급에는 하한이 없어야 합니다 (null)",
            )),
            (false, None) => p.push(Problem::new(
                format!("{at}.min_kU_L"),
                "하한이 있어야 합니다",
            )),
            _ => {}
        }
        match (last, info.max_ku_l) {
            (true, Some(_)) => p.push(Problem::new(
                format!("{at}.max_kU_L"),
                "가장 높은 등급에는 상한이 없어야 합니다 (null)",
            )),
            (false, None) => p.push(Problem::new(
                format!("{at}.max_kU_L"),
                "상한이 있어야 합니다",
            )),
            _ => {}
        }
        for (field, x) in [("min_kU_L", info.min_ku_l), ("max_kU_L", info.max_ku_l)] {
            if x.is_some_and(|x| !x.is_finite() || x < 0.0) {
                p.push(Problem::new(
                    format!("{at}.{field}"),
                    "경계값은 0 이상의 숫자여야 합니다",
                ));
            }
        }
        if let (Some(min), Some(max)) = (info.min_ku_l, info.max_ku_l) {
            if min >= max {
                p.push(Problem::new(
                    format!("{at}.max_kU_L"),
                    format!("상한({max})이 하한({min})보다 커야 합니다"),
                ));
            }
        }
        if let Some(prev) = i.checked_sub(1).and_then(|j| grades.get(j)) {
            if prev.max_ku_l.is_some() && info.min_ku_l != prev.max_ku_l {
                p.push(Problem::new(
                    format!("{at}.min_kU_L"),
                    format!(
                        "하한이 앞 등급의 상한({})과 같아야 합니다. 등급 사이에 빈틈이나 겹침이 없어야 합니다",
                        prev.max_ku_l.unwrap_or_default()
                    ),
                ));
            }
        }
        if info.risk_tier < previous_tier {
            p.push(Problem::new(
                format!("{at}.risk_tier"),
                "위험도는 등급이 올라갈수록 낮아질 수 없습니다",
            ));
        }
        previous_tier = info.risk_tier;
    }
    for (k, text) in g.disclaimer_ko.iter().enumerate() {
        non_empty(text, &format!("grades.disclaimer_ko[{k}]"), "문장", p);
    }
    if g.disclaimer_ko.is_empty() {
        p.push(Problem::new(
            "grades.disclaimer_ko",
            "등급과 함께 보여 줄 안내문이 하나 이상 있어야 합니다",
        ));
    }
    source_list(&g.sources, "grades.sources", refs, p);
}

fn check_emergency(e: &Emergency, refs: &mut Vec<(String, String)>, p: &mut Vec<Problem>) {
    let n = &e.emergency_number;
    if n.number.is_empty() || !n.number.chars().all(|c| c.is_ascii_digit()) {
        p.push(Problem::new(
            "emergency.emergency_number.number",
            "응급 전화번호는 숫자로만 써야 합니다 (예: 119)",
        ));
    }
    non_empty(
        &n.label_ko,
        "emergency.emergency_number.label_ko",
        "이름",
        p,
    );
    non_empty(
        &n.description_ko,
        "emergency.emergency_number.description_ko",
        "설명",
        p,
    );
    source_list(&n.sources, "emergency.emergency_number.sources", refs, p);

    let levels = &e.severity_levels.levels;
    if levels.is_empty() {
        p.push(Problem::new(
            "emergency.severity_levels.levels",
            "중증도 단계가 하나 이상 있어야 합니다",
        ));
    }
    if !levels
        .iter()
        .any(|l| l.action == crate::knowledge::PlanAction::Anaphylaxis)
    {
        p.push(Problem::new(
            "emergency.severity_levels.levels",
            "아나필락시스(action: anaphylaxis) 단계가 있어야 합니다",
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, l) in levels.iter().enumerate() {
        let at = format!("emergency.severity_levels.levels[{i}]");
        if l.level.is_empty() || !seen.insert(l.level.as_str()) {
            p.push(Problem::new(
                format!("{at}.level"),
                "단계 이름은 비어 있지 않고 서로 달라야 합니다",
            ));
        }
        non_empty(&l.name_ko, &format!("{at}.name_ko"), "단계 이름", p);
        texts(&l.signs_ko, &format!("{at}.signs_ko"), p);
    }
    source_list(
        &e.severity_levels.sources,
        "emergency.severity_levels.sources",
        refs,
        p,
    );

    let plan = &e.action_plan;
    non_empty(
        &plan.mild_moderate_title_ko,
        "emergency.action_plan.mild_moderate_title_ko",
        "제목",
        p,
    );
    non_empty(
        &plan.anaphylaxis_title_ko,
        "emergency.action_plan.anaphylaxis_title_ko",
        "제목",
        p,
    );
    texts(
        &plan.mild_moderate_steps_ko,
        "emergency.action_plan.mild_moderate_steps_ko",
        p,
    );
    texts(
        &plan.anaphylaxis_steps_ko,
        "emergency.action_plan.anaphylaxis_steps_ko",
        p,
    );
    texts(&plan.always_ko, "emergency.action_plan.always_ko", p);
    source_list(&plan.sources, "emergency.action_plan.sources", refs, p);

    let inj = &e.adrenaline_autoinjector;
    let at = "emergency.adrenaline_autoinjector";
    texts(&inj.about_ko, &format!("{at}.about_ko"), p);
    texts(&inj.use_ko, &format!("{at}.use_ko"), p);
    texts(&inj.storage_ko, &format!("{at}.storage_ko"), p);
    texts(&inj.dose_notes_ko, &format!("{at}.dose_notes_ko"), p);
    if inj.dose_bands.is_empty() {
        p.push(Problem::new(
            format!("{at}.dose_bands"),
            "용량 구간이 하나 이상 있어야 합니다",
        ));
    }
    for (i, band) in inj.dose_bands.iter().enumerate() {
        let bat = format!("{at}.dose_bands[{i}]");
        if band.weight_kg_min.is_some() == band.weight_kg_min_exclusive.is_some() {
            p.push(Problem::new(
                format!("{bat}.weight_kg_min"),
                "weight_kg_min과 weight_kg_min_exclusive 중 정확히 하나가 있어야 합니다",
            ));
        }
        if band.dose_mcg.is_empty() {
            p.push(Problem::new(
                format!("{bat}.dose_mcg"),
                "용량이 하나 이상 있어야 합니다",
            ));
        }
        for (k, dose) in band.dose_mcg.iter().enumerate() {
            if !KNOWN_INJECTOR_DOSES_MCG.contains(dose) {
                p.push(Problem::new(
                    format!("{bat}.dose_mcg[{k}]"),
                    format!(
                        "{dose} µg은(는) 발표된 자가주사기 용량({:?} µg)이 아닙니다. 발표된 지침에 없는 용량은 적을 수 없습니다",
                        KNOWN_INJECTOR_DOSES_MCG
                    ),
                ));
            }
        }
        non_empty(&band.text_ko, &format!("{bat}.text_ko"), "설명", p);
    }
    non_empty(
        &inj.for_health_professionals.text_ko,
        &format!("{at}.for_health_professionals.text_ko"),
        "설명",
        p,
    );
    source_list(
        &inj.for_health_professionals.sources,
        &format!("{at}.for_health_professionals.sources"),
        refs,
        p,
    );
    source_list(&inj.sources, &format!("{at}.sources"), refs, p);
    texts(&e.after_reaction_ko, "emergency.after_reaction_ko", p);
    source_list(
        &e.after_reaction_sources,
        "emergency.after_reaction_sources",
        refs,
        p,
    );
}

/// A list a patient reads: at least one sentence, none empty.
fn texts(list: &[String], path: &str, p: &mut Vec<Problem>) {
    if list.is_empty() {
        p.push(Problem::new(path, "문장이 하나 이상 있어야 합니다"));
    }
    for (i, text) in list.iter().enumerate() {
        non_empty(text, &format!("{path}[{i}]"), "문장", p);
    }
}

/// Every statement rests on at least one source.
fn source_list(ids: &[String], path: &str, refs: &mut Vec<(String, String)>, p: &mut Vec<Problem>) {
    if ids.is_empty() {
        p.push(Problem::new(path, "근거 출처가 하나 이상 있어야 합니다"));
    }
    for (i, id) in ids.iter().enumerate() {
        refs.push((id.clone(), format!("{path}[{i}]")));
    }
}

fn non_empty(text: &str, path: &str, what: &str, p: &mut Vec<Problem>) {
    if text.trim().is_empty() {
        p.push(Problem::new(path, format!("{what}이(가) 비어 있습니다")));
    }
}

fn check_long_texts(value: &Value, path: &str, p: &mut Vec<Problem>) {
    match value {
        Value::String(s) if s.chars().count() > MAX_TEXT_CHARS => p.push(Problem::new(
            path,
            format!("문장이 {MAX_TEXT_CHARS}자를 넘습니다"),
        )),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_long_texts(item, &format!("{path}[{i}]"), p);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                check_long_texts(item, &join(path, key), p);
            }
        }
        _ => {}
    }
}

/// `[a-z][a-z0-9]*(_[a-z0-9]+)*`: codes and ids stay URL- and file-safe.
fn is_snake_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !s.ends_with('_')
        && !s.contains("__")
}

fn join(path: &str, inner: &str) -> String {
    match (path.is_empty(), inner.is_empty()) {
        (_, true) => path.to_string(),
        (true, false) => inner.to_string(),
        (false, false) if inner.starts_with('[') => format!("{path}{inner}"),
        (false, false) => format!("{path}.{inner}"),
    }
}

/// serde's English to Korean, keeping the original in brackets for whoever debugs it. A
/// missing or unknown field is reported at that field's own path.
fn korean_serde_error(text: &str, at: &mut String) -> String {
    let quoted = |rest: &str| rest.split('`').nth(1).map(str::to_string);
    if let Some(field) = text.strip_prefix("missing field ").and_then(quoted) {
        *at = join(at, &field);
        return format!("필수 항목 `{field}`이(가) 없습니다");
    }
    if let Some(field) = text.strip_prefix("unknown field ").and_then(quoted) {
        // serde's path already ends at the unknown field.
        let allowed = text.split_once("expected ").map_or("", |(_, e)| e);
        return format!("알 수 없는 항목 `{field}`입니다 (허용: {allowed})");
    }
    if let Some(value) = text.strip_prefix("unknown variant ").and_then(quoted) {
        let allowed = text.split_once("expected ").map_or("", |(_, e)| e);
        return format!("허용되지 않는 값 `{value}`입니다 (허용: {allowed})");
    }
    if text.starts_with("invalid type") {
        return format!("값의 형식이 올바르지 않습니다 ({text})");
    }
    format!("값이 올바르지 않습니다 ({text})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{builtin, builtin_document};
    use serde_json::json;

    fn problems(doc: &Value) -> Vec<Problem> {
        match parse_document(doc) {
            Ok(_) => Vec::new(),
            Err(p) => p,
        }
    }

    /// The built-in document with one change, refused with a problem at `path`.
    fn refused_at(path: &str, change: impl FnOnce(&mut Value)) -> Vec<Problem> {
        let mut doc = builtin_document();
        change(&mut doc);
        let found = problems(&doc);
        assert!(
            found.iter().any(|p| p.path == path),
            "expected a problem at {path}, got {found:#?}"
        );
        for p in &found {
            assert!(
                p.message.chars().any(|c| ('가'..='힣').contains(&c)),
                "message in Korean: {p}"
            );
        }
        found
    }

    fn index_of(doc: &Value, code: &str) -> usize {
        doc["allergens"]
            .as_array()
            .and_then(|a| a.iter().position(|x| x["code"] == code))
            .expect("code in document")
    }

    #[test]
    fn the_built_in_document_is_valid_and_round_trips() {
        let k = builtin();
        let again = parse_document(&k.document()).expect("valid");
        assert_eq!(&again, k);
        assert_eq!(again.content_hash(), k.content_hash());
        assert_eq!(k.content_hash().len(), 64);
        assert_eq!(builtin_document(), k.document());
    }

    #[test]
    fn the_hash_follows_content_not_key_order() {
        let k = builtin();
        let mut doc = k.document();
        // Same content, keys written in another order.
        let obj = doc.as_object().expect("object").clone();
        let mut reversed = Map::new();
        for (key, v) in obj.into_iter().rev() {
            reversed.insert(key, v);
        }
        let again = parse_document(&Value::Object(reversed)).expect("valid");
        assert_eq!(again.content_hash(), k.content_hash());
        doc["allergens"][0]["name_en"] = json!("Egg");
        let changed = parse_document(&doc).expect("valid");
        assert_ne!(changed.content_hash(), k.content_hash());
    }

    #[test]
    fn version_and_time_are_checked() {
        refused_at("version", |d| d["version"] = json!(""));
        refused_at("version", |d| d["version"] = json!("2026/12/07"));
        refused_at("version", |d| d["version"] = json!("x".repeat(41)));
        refused_at("version", |d| d["version"] = json!(7));
        refused_at("published_at", |d| d["published_at"] = json!("2026-12-07"));
        refused_at("published_at", |d| d["published_at"] = json!("yesterday"));
        let mut doc = builtin_document();
        doc["version"] = json!("2027-01-01.2_b-3");
        doc["published_at"] = json!("2027-01-01T09:00:00+09:00");
        assert!(parse_document(&doc).is_ok());
    }

    #[test]
    fn top_level_keys_are_exactly_the_six() {
        refused_at("notes", |d| d["notes"] = json!("hello"));
        refused_at("grades", |d| {
            d.as_object_mut().map(|o| o.remove("grades"));
        });
        let found = problems(&json!([]));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "");
    }

    #[test]
    fn allergen_codes_names_and_categories_are_checked() {
        refused_at("allergens[1].code", |d| {
            d["allergens"][1]["code"] = json!("egg")
        });
        refused_at("allergens[0].code", |d| {
            d["allergens"][0]["code"] = json!("Egg")
        });
        refused_at("allergens[0].code", |d| {
            d["allergens"][0]["code"] = json!("hen egg")
        });
        refused_at("allergens[0].name_ko", |d| {
            d["allergens"][0]["name_ko"] = json!(" ")
        });
        refused_at("allergens[0].name_en", |d| {
            d["allergens"][0]["name_en"] = json!("")
        });
        refused_at("allergens[0].category", |d| {
            d["allergens"][0]["category"] = json!("drink")
        });
        refused_at("allergens[0].mystery", |d| {
            d["allergens"][0]["mystery"] = json!(1)
        });
        refused_at("allergens[0].symptoms_ko", |d| {
            d["allergens"][0]["symptoms_ko"] = json!([])
        });
        refused_at("allergens[0].avoid_foods_ko", |d| {
            d["allergens"][0]["avoid_foods_ko"] = json!([])
        });
        refused_at("allergens[0].sources", |d| {
            d["allergens"][0]["sources"] = json!([])
        });
        refused_at("allergens[0].name_ko", |d| {
            d["allergens"][0]
                .as_object_mut()
                .map(|o| o.remove("name_ko"));
        });
    }

    #[test]
    fn an_inhalant_needs_lifestyle_tips() {
        let doc = builtin_document();
        let i = index_of(&doc, "house_dust_mite");
        refused_at(&format!("allergens[{i}].lifestyle_tips_ko"), |d| {
            d["allergens"][i]["lifestyle_tips_ko"] = json!([])
        });
    }

    #[test]
    fn one_name_may_mean_one_allergen_only() {
        let doc = builtin_document();
        let sesame = index_of(&doc, "sesame");
        let n = doc["allergens"][sesame]["aliases"]
            .as_array()
            .map_or(0, Vec::len);
        // "땅 콩" normalises to 땅콩, the peanut's Korean name; the later writing is refused.
        let found = refused_at(&format!("allergens[{sesame}].aliases[{n}]"), |d| {
            if let Some(a) = d["allergens"][sesame]["aliases"].as_array_mut() {
                a.push(json!("땅 콩"));
            }
        });
        assert!(
            found.iter().any(|p| p.message.contains("peanut")),
            "{found:?}"
        );
        refused_at("allergens[0].aliases[0]", |d| {
            d["allergens"][0]["aliases"][0] = json!(" - ")
        });
    }

    #[test]
    fn cross_reactions_point_at_real_allergens_with_known_probabilities() {
        let doc = builtin_document();
        let milk = index_of(&doc, "milk");
        let at = format!("allergens[{milk}].cross_reactivity[0]");
        refused_at(&format!("{at}.to"), |d| {
            d["allergens"][milk]["cross_reactivity"][0]["to"] = json!("yak_milk")
        });
        refused_at(&format!("{at}.to"), |d| {
            d["allergens"][milk]["cross_reactivity"][0]["to"] = json!("milk")
        });
        refused_at(&format!("{at}.probability"), |d| {
            d["allergens"][milk]["cross_reactivity"][0]["probability"] = json!("maybe")
        });
        refused_at(&format!("{at}.source"), |d| {
            d["allergens"][milk]["cross_reactivity"][0]["source"] = json!("a_blog")
        });
        refused_at(&format!("{at}.rate_percent"), |d| {
            d["allergens"][milk]["cross_reactivity"][0]["rate_percent"] = json!(190)
        });
        refused_at(&format!("{at}.rate"), |d| {
            d["allergens"][milk]["cross_reactivity"][0]["basis"] = json!("qualitative")
        });
        refused_at(&format!("allergens[{milk}].cross_reactivity[1].to"), |d| {
            d["allergens"][milk]["cross_reactivity"][1]["to"] = json!("goat_milk")
        });
    }

    #[test]
    fn every_source_reference_must_exist() {
        refused_at("allergens[0].sources[0]", |d| {
            d["allergens"][0]["sources"][0] = json!("nowhere")
        });
        refused_at("grades.sources[0]", |d| {
            d["grades"]["sources"][0] = json!("nowhere")
        });
        refused_at("emergency.action_plan.sources[0]", |d| {
            d["emergency"]["action_plan"]["sources"][0] = json!("nowhere")
        });
        refused_at("sources[1].id", |d| {
            d["sources"][1]["id"] = d["sources"][0]["id"].clone()
        });
        refused_at("sources[0].url", |d| {
            d["sources"][0]["url"] = json!("ftp://x")
        });
    }

    #[test]
    fn the_grade_scale_must_be_seven_contiguous_classes() {
        refused_at("grades.grades", |d| {
            d["grades"]["grades"].as_array_mut().map(Vec::pop);
        });
        refused_at("grades.grades[3].min_kU_L", |d| {
            d["grades"]["grades"][3]["min_kU_L"] = json!(3.6)
        });
        refused_at("grades.grades[0].min_kU_L", |d| {
            d["grades"]["grades"][0]["min_kU_L"] = json!(0.0)
        });
        refused_at("grades.grades[6].max_kU_L", |d| {
            d["grades"]["grades"][6]["max_kU_L"] = json!(1000.0)
        });
        refused_at("grades.grades[2].risk_tier", |d| {
            d["grades"]["grades"][2]["risk_tier"] = json!("very_risky")
        });
        refused_at("grades.grades[5].risk_tier", |d| {
            d["grades"]["grades"][5]["risk_tier"] = json!("low_risk")
        });
        refused_at("grades.grades[4].grade", |d| {
            d["grades"]["grades"][4]["grade"] = json!(-4)
        });
    }

    #[test]
    fn the_emergency_sections_must_all_be_there() {
        let found = refused_at("emergency.action_plan", |d| {
            let e = d["emergency"].as_object_mut().expect("object");
            e.remove("action_plan");
            e.remove("emergency_number");
        });
        assert!(found.iter().any(|p| p.path == "emergency.emergency_number"));
        refused_at("emergency.severity_levels", |d| {
            d["emergency"]
                .as_object_mut()
                .map(|o| o.remove("severity_levels"));
        });
        refused_at("emergency.adrenaline_autoinjector", |d| {
            d["emergency"]
                .as_object_mut()
                .map(|o| o.remove("adrenaline_autoinjector"));
        });
        refused_at("emergency.emergency_number.number", |d| {
            d["emergency"]["emergency_number"]["number"] = json!("")
        });
        refused_at(
            "emergency.adrenaline_autoinjector.dose_bands[0].dose_mcg[0]",
            |d| {
                d["emergency"]["adrenaline_autoinjector"]["dose_bands"][0]["dose_mcg"][0] =
                    json!(1500)
            },
        );
        refused_at("emergency.severity_levels.levels", |d| {
            d["emergency"]["severity_levels"]["levels"] = json!([])
        });
        refused_at("emergency.extra", |d| d["emergency"]["extra"] = json!([]));
    }

    #[test]
    fn size_is_bounded() {
        refused_at("allergens", |d| {
            let one = d["allergens"][0].clone();
            d["allergens"] = Value::Array(vec![one; MAX_ALLERGENS + 1]);
        });
        refused_at("allergens[0].name_ko", |d| {
            d["allergens"][0]["name_ko"] = json!("가".repeat(MAX_TEXT_CHARS + 1))
        });
        refused_at("allergens", |d| d["allergens"] = json!([]));
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let mut doc = builtin_document();
        doc["version"] = json!("");
        doc["allergens"][0]["category"] = json!("drink");
        doc["allergens"][2]["cross_reactivity"][0]["to"] = json!("nothing");
        doc["grades"]["grades"][3]["min_kU_L"] = json!(3.6);
        doc["emergency"]["emergency_number"]["number"] = json!("one-one-nine");
        let found = problems(&doc);
        let paths: BTreeSet<&str> = found.iter().map(|p| p.path.as_str()).collect();
        for path in [
            "version",
            "allergens[0].category",
            "allergens[2].cross_reactivity[0].to",
            "grades.grades[3].min_kU_L",
            "emergency.emergency_number.number",
        ] {
            assert!(paths.contains(path), "{path} in {paths:?}");
        }
    }

    #[test]
    fn problems_become_one_api_error_with_every_field() {
        let problems = vec![
            Problem::new("version", "버전이 비어 있습니다"),
            Problem::new("allergens[0].code", "코드가 겹칩니다"),
        ];
        let e = problems_error(&problems);
        assert_eq!(e.field_names(), vec!["version", "allergens[0].code"]);
        assert_eq!(e.code, clinicdesk_domain::ErrorCode::ValidationError);
    }
}
