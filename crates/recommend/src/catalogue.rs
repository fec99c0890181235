//! What can be recommended (the services and package templates the caller passes in), what
//! each service does (the attributes content-based scoring compares with a customer's goals),
//! and the customer profile fields those goals come from.

use crate::error::RecommendError;
use clinicdesk_domain::customer::CustomerRecord;
use clinicdesk_domain::package::PackageTemplate;
use clinicdesk_domain::ServiceType;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Number of service types; scoring keeps per-service figures in fixed arrays indexed by
/// [`idx`] so serving one customer allocates almost nothing.
pub(crate) const N: usize = ServiceType::ALL.len();

pub(crate) fn idx(s: ServiceType) -> usize {
    match s {
        ServiceType::Brain => 0,
        ServiceType::Pulse => 1,
        ServiceType::Lymph => 2,
        ServiceType::Red => 3,
        ServiceType::AiBike => 4,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceItem {
    pub service: ServiceType,
    pub name: String,
    pub duration_minutes: i64,
    /// Single-visit price in KRW; packages' savings are measured against it.
    pub price: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageItem {
    pub id: String,
    pub name: String,
    /// KRW.
    pub price: i64,
    pub validity_days: i64,
    pub sessions: BTreeMap<ServiceType, i64>,
}

impl PackageItem {
    pub fn total_sessions(&self) -> i64 {
        self.sessions.values().sum()
    }

    pub(crate) fn vector(&self) -> [f64; N] {
        let mut v = [0.0; N];
        for (s, n) in &self.sessions {
            v[idx(*s)] += (*n).max(0) as f64;
        }
        v
    }
}

impl From<&PackageTemplate> for PackageItem {
    fn from(t: &PackageTemplate) -> Self {
        PackageItem {
            id: t.id.clone(),
            name: t.name.clone(),
            price: t.price,
            validity_days: t.validity_days,
            sessions: t.sessions.clone(),
        }
    }
}

/// Everything that can be recommended. Passed by the caller rather than read from the domain
/// so that a clinic that stops offering a service, or edits its templates, is recommended
/// only what it sells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    pub services: Vec<ServiceItem>,
    pub packages: Vec<PackageItem>,
}

impl Catalogue {
    /// The five services with the domain's names, durations and prices.
    pub fn standard_services() -> Vec<ServiceItem> {
        ServiceType::catalogue()
            .into_iter()
            .map(|i| ServiceItem {
                service: i.service_type,
                name: i.name.to_string(),
                duration_minutes: i.duration_minutes,
                price: i.price,
            })
            .collect()
    }

    pub fn with_packages(packages: Vec<PackageItem>) -> Catalogue {
        Catalogue {
            services: Catalogue::standard_services(),
            packages,
        }
    }

    pub fn service(&self, s: ServiceType) -> Option<&ServiceItem> {
        self.services.iter().find(|i| i.service == s)
    }

    pub(crate) fn validate(&self) -> Result<(), RecommendError> {
        if self.services.is_empty() {
            return Err(RecommendError::NoServices);
        }
        let mut seen = BTreeSet::new();
        for s in &self.services {
            if !seen.insert(s.service) {
                return Err(RecommendError::DuplicateService(s.service.as_str().into()));
            }
        }
        let mut ids = BTreeSet::new();
        for p in &self.packages {
            if !ids.insert(p.id.as_str()) {
                return Err(RecommendError::DuplicatePackage(p.id.clone()));
            }
            let offered = p
                .sessions
                .iter()
                .all(|(s, n)| *n >= 0 && self.service(*s).is_some());
            // The domain accepts validities up to ten years; beyond that date arithmetic on
            // expiry would approach chrono's limits.
            if p.total_sessions() <= 0
                || !(1..=3650).contains(&p.validity_days)
                || p.price < 0
                || !offered
            {
                return Err(RecommendError::InvalidPackage(p.id.clone()));
            }
        }
        Ok(())
    }
}

/// The effects a customer can ask for. Health interests (the domain's codes) and free-text
/// goals are both mapped onto these, and every service has a strength per effect, so
/// "수면 개선" and `sleep_quality` land on the same service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Benefit {
    Stress,
    Sleep,
    Focus,
    Circulation,
    Pain,
    Fatigue,
    Skin,
    Fitness,
    Immunity,
}

pub(crate) const NB: usize = 9;

impl Benefit {
    pub const ALL: [Benefit; NB] = [
        Benefit::Stress,
        Benefit::Sleep,
        Benefit::Focus,
        Benefit::Circulation,
        Benefit::Pain,
        Benefit::Fatigue,
        Benefit::Skin,
        Benefit::Fitness,
        Benefit::Immunity,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Benefit::Stress => "스트레스",
            Benefit::Sleep => "수면",
            Benefit::Focus => "집중력",
            Benefit::Circulation => "혈액순환",
            Benefit::Pain => "통증",
            Benefit::Fatigue => "피로 회복",
            Benefit::Skin => "피부",
            Benefit::Fitness => "체력·체중",
            Benefit::Immunity => "면역",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Cognitive,
    Recovery,
    Circulation,
    Skin,
    Fitness,
}

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Category::Cognitive => "인지·이완",
            Category::Recovery => "통증·회복",
            Category::Circulation => "순환",
            Category::Skin => "피부",
            Category::Fitness => "운동",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intensity {
    Low,
    Medium,
    High,
}

impl Intensity {
    /// The domain's `preferred_intensity` values (`low`, `medium`, `high`).
    pub fn parse(s: &str) -> Option<Intensity> {
        match s.trim() {
            "low" | "낮음" => Some(Intensity::Low),
            "medium" | "보통" => Some(Intensity::Medium),
            "high" | "높음" => Some(Intensity::High),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Intensity::Low => "낮음",
            Intensity::Medium => "보통",
            Intensity::High => "높음",
        }
    }

    /// "저강도", as an adjective before 서비스.
    pub fn adjective(self) -> &'static str {
        match self {
            Intensity::Low => "저강도",
            Intensity::Medium => "중강도",
            Intensity::High => "고강도",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceAttributes {
    pub service: ServiceType,
    pub category: Category,
    pub intensity: Intensity,
    pub duration_minutes: i64,
    /// Strength 0–1 per effect; effects not listed are 0.
    pub benefits: &'static [(Benefit, f64)],
}

/// The attributes are product knowledge, not learned: the clinic's brochure and the demo
/// templates' descriptions ("집중력·수면 개선", "부종·순환 개선", "통증·회복 관리") say what
/// each service is for. They are kept coarse on purpose — a strength of 1.0 is the service's
/// main purpose, 0.5–0.8 a benefit staff name when asked, 0.2–0.4 a side effect — because
/// content-based scoring only needs them to rank five services, and finer numbers would be
/// invented precision.
pub fn attributes(s: ServiceType) -> ServiceAttributes {
    use Benefit::*;
    let (category, intensity, benefits): (Category, Intensity, &'static [(Benefit, f64)]) = match s
    {
        // Neurofeedback: sits still, trains attention and relaxation.
        ServiceType::Brain => (
            Category::Cognitive,
            Intensity::Low,
            &[(Stress, 1.0), (Sleep, 1.0), (Focus, 1.0), (Fatigue, 0.3)],
        ),
        // Pulse (electromagnetic/pressure) care: muscles and joints, recovery.
        ServiceType::Pulse => (
            Category::Recovery,
            Intensity::Medium,
            &[
                (Pain, 1.0),
                (Fatigue, 0.8),
                (Circulation, 0.4),
                (Sleep, 0.3),
                (Stress, 0.3),
            ],
        ),
        // Lymphatic drainage: swelling, circulation, immunity; gentle.
        ServiceType::Lymph => (
            Category::Circulation,
            Intensity::Low,
            &[
                (Circulation, 1.0),
                (Immunity, 0.7),
                (Fatigue, 0.5),
                (Skin, 0.3),
                (Fitness, 0.2),
            ],
        ),
        // Red light: skin tone first, then local pain and recovery.
        ServiceType::Red => (
            Category::Skin,
            Intensity::Low,
            &[
                (Skin, 1.0),
                (Pain, 0.6),
                (Fatigue, 0.4),
                (Circulation, 0.3),
                (Immunity, 0.2),
            ],
        ),
        // Guided cycling: the one exercise service, so the only high-intensity one.
        ServiceType::AiBike => (
            Category::Fitness,
            Intensity::High,
            &[
                (Fitness, 1.0),
                (Circulation, 0.6),
                (Stress, 0.3),
                (Fatigue, 0.2),
            ],
        ),
    };
    ServiceAttributes {
        service: s,
        category,
        intensity,
        duration_minutes: s.info().duration_minutes,
        benefits,
    }
}

pub(crate) fn benefit_vector(s: ServiceType) -> [f64; NB] {
    let mut v = [0.0; NB];
    for (b, w) in attributes(s).benefits {
        v[b.index()] = *w;
    }
    v
}

/// Domain interest codes and the Korean words customers and staff write in `health_goals`,
/// each mapped to the effects they ask for. Matching is by substring on the lower-cased text,
/// so "스트레스 해소, 수면 개선" finds both 스트레스 and 수면. Single syllables such as 목 or
/// 잠 are left out: they hide inside unrelated words (목표, 잠시).
const KEYWORDS: &[(&str, &[Benefit])] = &[
    ("stress_management", &[Benefit::Stress]),
    ("sleep_quality", &[Benefit::Sleep]),
    ("weight_management", &[Benefit::Fitness]),
    ("pain_relief", &[Benefit::Pain]),
    ("immunity", &[Benefit::Immunity]),
    ("circulation", &[Benefit::Circulation]),
    ("fitness", &[Benefit::Fitness]),
    ("focus", &[Benefit::Focus]),
    ("allergy_care", &[Benefit::Immunity]),
    ("skin_care", &[Benefit::Skin]),
    ("스트레스", &[Benefit::Stress]),
    ("긴장", &[Benefit::Stress]),
    ("우울", &[Benefit::Stress]),
    ("수면", &[Benefit::Sleep]),
    ("불면", &[Benefit::Sleep]),
    ("숙면", &[Benefit::Sleep]),
    ("집중", &[Benefit::Focus]),
    ("기억력", &[Benefit::Focus]),
    ("두통", &[Benefit::Pain, Benefit::Stress]),
    ("통증", &[Benefit::Pain]),
    ("어깨", &[Benefit::Pain]),
    ("허리", &[Benefit::Pain]),
    ("관절", &[Benefit::Pain]),
    ("근육", &[Benefit::Pain, Benefit::Fatigue]),
    ("피로", &[Benefit::Fatigue]),
    ("회복", &[Benefit::Fatigue]),
    ("컨디션", &[Benefit::Fatigue]),
    ("활력", &[Benefit::Fatigue]),
    ("갱년기", &[Benefit::Fatigue, Benefit::Sleep]),
    ("혈액순환", &[Benefit::Circulation]),
    ("순환", &[Benefit::Circulation]),
    ("부종", &[Benefit::Circulation]),
    ("붓기", &[Benefit::Circulation]),
    ("냉증", &[Benefit::Circulation]),
    ("피부", &[Benefit::Skin]),
    ("주름", &[Benefit::Skin]),
    ("탄력", &[Benefit::Skin]),
    ("다이어트", &[Benefit::Fitness]),
    ("체중", &[Benefit::Fitness]),
    ("감량", &[Benefit::Fitness]),
    ("체력", &[Benefit::Fitness]),
    ("운동", &[Benefit::Fitness]),
    ("면역", &[Benefit::Immunity]),
    ("알레르기", &[Benefit::Immunity]),
];

/// The effects a text asks for, each with the keyword that matched (for the reason sentence).
/// A keyword contained in a longer matched one (순환 inside 혈액순환) is not counted twice.
pub fn benefits_in(text: &str) -> Vec<(Benefit, &'static str)> {
    let lower = text.to_lowercase();
    let matched: Vec<&'static str> = KEYWORDS
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| lower.contains(k))
        .collect();
    let mut out: Vec<(Benefit, &'static str)> = Vec::new();
    for (k, bs) in KEYWORDS {
        if !matched.contains(k) || matched.iter().any(|m| m != k && m.contains(k)) {
            continue;
        }
        for b in *bs {
            if !out.iter().any(|(o, _)| o == b) {
                out.push((*b, k));
            }
        }
    }
    out
}

/// The Korean label of a domain interest code, or the text itself when it is free text.
pub fn interest_label(code: &str) -> &str {
    match code {
        "stress_management" => "스트레스 관리",
        "sleep_quality" => "수면 개선",
        "weight_management" => "체중 관리",
        "pain_relief" => "통증 완화",
        "immunity" => "면역력",
        "circulation" => "혈액순환",
        "fitness" => "체력",
        "focus" => "집중력",
        "allergy_care" => "알레르기 관리",
        "skin_care" => "피부 관리",
        other => other,
    }
}

/// The customer record fields recommendations read that [`CustomerHistory`] does not carry.
///
/// [`CustomerHistory`]: clinicdesk_domain::history::CustomerHistory
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Domain codes (`sleep_quality`, …) or free Korean words.
    #[serde(default)]
    pub health_interests: Vec<String>,
    /// Free text such as "스트레스 해소, 수면 개선".
    #[serde(default)]
    pub health_goals: Option<String>,
    /// `low`, `medium` or `high`.
    #[serde(default)]
    pub preferred_intensity: Option<String>,
    /// `morning`, `afternoon`, `evening`, `weekend`.
    #[serde(default)]
    pub preferred_time_slots: Vec<String>,
}

impl Profile {
    /// The profile of a stored customer. Health fields are read only when the customer gave
    /// health-data consent: recommending from data the clinic may not process would leak it
    /// through the reasons ("건강 관심사 '수면 개선'…").
    pub fn from_record(r: &CustomerRecord) -> Profile {
        let health = r.consent_health_data;
        Profile {
            health_interests: if health {
                r.health_interests.clone()
            } else {
                Vec::new()
            },
            health_goals: r.health_goals.clone().filter(|_| health),
            preferred_intensity: r.preferred_intensity.clone().filter(|_| health),
            preferred_time_slots: r.preferred_time_slots.clone(),
        }
    }

    pub(crate) fn intensity(&self) -> Option<Intensity> {
        self.preferred_intensity
            .as_deref()
            .and_then(Intensity::parse)
    }
}

pub(crate) fn cosine<const K: usize>(a: &[f64; K], b: &[f64; K]) -> f64 {
    let (mut dot, mut na, mut nb) = (0.0, 0.0, 0.0);
    for i in 0..K {
        dot += a[i] * b[i];
        na += a[i] * a[i];
        nb += b[i] * b[i];
    }
    if na <= 0.0 || nb <= 0.0 {
        0.0
    } else {
        (dot / (na.sqrt() * nb.sqrt())).clamp(0.0, 1.0)
    }
}

/// How similar two services are in what they do (0–1).
pub fn effect_similarity(a: ServiceType, b: ServiceType) -> f64 {
    cosine(&benefit_vector(a), &benefit_vector(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_map_goals_to_effects() {
        let found = benefits_in("스트레스 해소, 수면 개선");
        assert_eq!(
            found,
            vec![(Benefit::Stress, "스트레스"), (Benefit::Sleep, "수면")]
        );
        // 혈액순환 must not also count as 순환.
        assert_eq!(
            benefits_in("부종 관리와 혈액순환 개선"),
            vec![(Benefit::Circulation, "혈액순환")]
        );
        assert_eq!(benefits_in("목표 없음"), vec![]);
        assert_eq!(
            benefits_in("sleep_quality"),
            vec![(Benefit::Sleep, "sleep_quality")]
        );
    }

    #[test]
    fn each_goal_prefers_the_service_built_for_it() {
        let best = |b: Benefit| {
            let mut q = [0.0; NB];
            q[b.index()] = 1.0;
            ServiceType::ALL
                .into_iter()
                .max_by(|x, y| {
                    cosine(&q, &benefit_vector(*x)).total_cmp(&cosine(&q, &benefit_vector(*y)))
                })
                .unwrap_or(ServiceType::Brain)
        };
        assert_eq!(best(Benefit::Sleep), ServiceType::Brain);
        assert_eq!(best(Benefit::Focus), ServiceType::Brain);
        assert_eq!(best(Benefit::Pain), ServiceType::Pulse);
        assert_eq!(best(Benefit::Circulation), ServiceType::Lymph);
        assert_eq!(best(Benefit::Skin), ServiceType::Red);
        assert_eq!(best(Benefit::Fitness), ServiceType::AiBike);
    }

    #[test]
    fn catalogue_validation_names_the_bad_package() {
        let mut c = Catalogue::with_packages(vec![PackageItem {
            id: "p1".into(),
            name: "빈 패키지".into(),
            price: 100,
            validity_days: 30,
            sessions: BTreeMap::new(),
        }]);
        assert_eq!(
            c.validate(),
            Err(RecommendError::InvalidPackage("p1".into()))
        );
        c.packages[0].sessions.insert(ServiceType::Red, 3);
        assert_eq!(c.validate(), Ok(()));
        c.packages.push(c.packages[0].clone());
        assert_eq!(
            c.validate(),
            Err(RecommendError::DuplicatePackage("p1".into()))
        );
    }
}
