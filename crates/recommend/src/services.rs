//! Scoring the services for one customer: collaborative (item–item over everybody's visits),
//! content-based (service effects against the customer's goals and past choices) and their
//! blend. Each score comes with the sentences that explain it.

use crate::catalogue::{
    attributes, benefit_vector, benefits_in, cosine, effect_similarity, idx, interest_label,
    Benefit, Intensity, N, NB,
};
use crate::model::{Model, RECENT_DAYS};
use crate::related::{MIN_LIFT, MIN_SUPPORT};
use crate::text::{date_ko_near, percent, with_particle};
use crate::types::Algorithm;
use crate::view::View;
use clinicdesk_domain::ServiceType;

/// A customer with no history gets popularity at half strength: it is the best guess, but it
/// is a guess about the clinic, not about them.
pub const COLD_START_SCALE: f64 = 0.5;
/// Weight of the customer's past services in the content profile, relative to a stated
/// interest (1.0): what they chose says something about what they want, but less than what
/// they told us.
pub const BEHAVIOUR_WEIGHT: f64 = 0.6;
/// Weight of a service marked as preferred on the record.
pub const PREFERRED_WEIGHT: f64 = 0.5;
/// Hybrid: the share of the collaborative score grows with the customer's visits in the last
/// year as n / (n + HYBRID_K), bounded to [HYBRID_MIN, HYBRID_MAX] so neither side is ever
/// ignored.
pub const HYBRID_K: f64 = 4.0;
pub const HYBRID_MIN: f64 = 0.3;
pub const HYBRID_MAX: f64 = 0.8;

#[derive(Debug, Clone, Default)]
pub(crate) struct Scored {
    pub score: f64,
    pub reasons: Vec<String>,
    /// The content-based reason that comes from the customer's stated interests or goals, for
    /// packages to quote about the service they contain.
    pub goal_reason: Option<String>,
}

pub(crate) fn hybrid_alpha(view: &View) -> f64 {
    let n = view.visits_365 as f64;
    (n / (n + HYBRID_K)).clamp(HYBRID_MIN, HYBRID_MAX)
}

pub(crate) fn score_services(model: &Model, view: &View, algorithm: Algorithm) -> [Scored; N] {
    match algorithm {
        Algorithm::Collaborative => collaborative(model, view),
        Algorithm::ContentBased => content_based(model, view),
        Algorithm::Hybrid => {
            let a = hybrid_alpha(view);
            let cf = collaborative(model, view);
            let cb = content_based(model, view);
            let mut out: [Scored; N] = Default::default();
            for i in 0..N {
                let (first, second) = if a >= 0.5 {
                    (&cf[i], &cb[i])
                } else {
                    (&cb[i], &cf[i])
                };
                out[i] = Scored {
                    score: a * cf[i].score + (1.0 - a) * cb[i].score,
                    reasons: interleave(&first.reasons, &second.reasons),
                    goal_reason: cb[i].goal_reason.clone(),
                };
            }
            out
        }
    }
}

fn interleave(a: &[String], b: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in 0..a.len().max(b.len()) {
        for r in [a.get(k), b.get(k)].into_iter().flatten() {
            if !out.contains(r) {
                out.push(r.clone());
            }
        }
    }
    out
}

fn cold_start(model: &Model) -> [Scored; N] {
    let mut out: [Scored; N] = Default::default();
    let max = model.popularity.iter().cloned().fold(0.0, f64::max);
    if max <= 0.0 {
        return out;
    }
    for (rank, s) in model.popular_services().into_iter().enumerate() {
        let i = idx(s);
        if model.popularity[i] <= 0.0 {
            continue;
        }
        out[i] = Scored {
            score: COLD_START_SCALE * model.popularity[i] / max,
            reasons: vec![format!(
                "이용 기록이 없어 전체 고객 이용 비중으로 추천: {} {} ({}위)",
                model.service_name(s),
                percent(model.popularity[i]),
                rank + 1
            )],
            goal_reason: None,
        };
    }
    out
}

/// Item-based collaborative filtering: score(j) = Σᵢ wᵢ·sim(i, j) / Σᵢ wᵢ over the customer's
/// decayed visit weights. sim(j, j) = 1, so a service they keep coming back for scores high —
/// in a clinic the next visit is most often a repeat, and a recommender that hid repeats
/// would be worse at predicting it.
pub(crate) fn collaborative(model: &Model, view: &View) -> [Scored; N] {
    if !view.has_visits() {
        return cold_start(model);
    }
    let top = (0..N).max_by_key(|i| (view.recent[*i], std::cmp::Reverse(*i)));
    let mut out: [Scored; N] = Default::default();
    for s in ServiceType::ALL {
        let j = idx(s);
        let mut score = 0.0;
        let mut best: Option<(usize, f64)> = None;
        for i in 0..N {
            let c = view.weights[i] * model.sim[i][j];
            score += c;
            if i != j && c > 0.0 && best.is_none_or(|(_, b)| c > b) {
                best = Some((i, c));
            }
        }
        score /= view.weight_total;
        let name = model.service_name(s);
        let mut reasons = Vec::new();
        if view.recent[j] > 0 {
            let mut r = format!(
                "최근 {}일 동안 {name} {}회 이용",
                RECENT_DAYS, view.recent[j]
            );
            if let Some(avg) = view.average_rating(s) {
                r.push_str(&format!(" (평균 만족도 {avg:.1}점)"));
            }
            if top == Some(j) {
                r.push_str(" — 가장 많이 이용하신 서비스");
            }
            reasons.push(r);
        } else if let (true, Some(last)) = (view.all[j] > 0, view.last_used[j]) {
            reasons.push(format!(
                "이전에 {}회 이용 (마지막 이용 {})",
                view.all[j],
                date_ko_near(last, view.today)
            ));
        }
        if let Some((i, _)) = best {
            let (u, co) = (model.users[i], model.co_users[i][j]);
            let n = f64::from(model.active_customers);
            // Only co-use above chance is a reason; "4 % of them also use it" argues against.
            let lift = if u > 0 && model.users[j] > 0 {
                f64::from(co) * n / (f64::from(u) * f64::from(model.users[j]))
            } else {
                0.0
            };
            if co >= MIN_SUPPORT && lift >= MIN_LIFT {
                reasons.push(format!(
                    "{} 꾸준히 이용 고객 {u}명 중 {co}명({})이 {name}도 꾸준히 이용",
                    model.service_name(ServiceType::ALL[i]),
                    percent(co as f64 / u as f64)
                ));
            }
        }
        if view.all[j] == 0 {
            reasons.push("아직 이용하지 않은 서비스".to_string());
        }
        out[j] = Scored {
            score,
            reasons,
            goal_reason: None,
        };
    }
    out
}

enum Source {
    Interest(String),
    Goal(&'static str),
}

/// Content-based: the customer's wanted effects (interests and goals at full weight, past
/// services and preferred services at lower weight) against each service's effects, by
/// cosine, times a penalty when the service's intensity is far from the one they prefer.
pub(crate) fn content_based(model: &Model, view: &View) -> [Scored; N] {
    let mut q = [0.0f64; NB];
    let mut sources: Vec<(Benefit, Source)> = Vec::new();
    for interest in &view.profile.health_interests {
        for (b, _) in benefits_in(interest) {
            q[b.index()] = q[b.index()].max(1.0);
            sources.push((b, Source::Interest(interest_label(interest).to_string())));
        }
    }
    if let Some(goals) = &view.profile.health_goals {
        for (b, k) in benefits_in(goals) {
            q[b.index()] = q[b.index()].max(1.0);
            sources.push((b, Source::Goal(k)));
        }
    }
    for s in &view.history.preferred_services {
        for (qb, v) in q.iter_mut().zip(benefit_vector(*s)) {
            *qb += PREFERRED_WEIGHT * v;
        }
    }
    if view.has_visits() {
        for s in ServiceType::ALL {
            let share = view.weights[idx(s)] / view.weight_total;
            for (qb, v) in q.iter_mut().zip(benefit_vector(s)) {
                *qb += BEHAVIOUR_WEIGHT * share * v;
            }
        }
    }
    if q.iter().all(|x| *x == 0.0) {
        return cold_start(model);
    }
    let wanted = view.profile.intensity();
    let mut out: [Scored; N] = Default::default();
    for s in ServiceType::ALL {
        let j = idx(s);
        let attr = attributes(s);
        let sv = benefit_vector(s);
        let factor = wanted.map_or(1.0, |w| intensity_factor(w, attr.intensity));
        let score = cosine(&q, &sv) * factor;
        let name = model.service_name(s);
        let strong = |b: Benefit| sv[b.index()] >= 0.5;
        let mut reasons = Vec::new();

        let mut interests: Vec<&str> = Vec::new();
        let mut effects: Vec<&str> = Vec::new();
        let mut goal_words: Vec<&str> = Vec::new();
        for (b, src) in &sources {
            if !strong(*b) {
                continue;
            }
            match src {
                Source::Interest(l) if !interests.contains(&l.as_str()) => interests.push(l),
                Source::Goal(k) if !goal_words.contains(k) => goal_words.push(k),
                _ => {}
            }
            if !effects.contains(&b.label()) {
                effects.push(b.label());
            }
        }
        if !interests.is_empty() {
            let labels: Vec<String> = interests.iter().map(|l| format!("'{l}'")).collect();
            reasons.push(format!(
                "건강 관심사 {}에 맞는 서비스 ({name} 주요 효과: {})",
                labels.join("·"),
                effects.join("·")
            ));
        }
        if let (false, Some(goals)) = (goal_words.is_empty(), &view.profile.health_goals) {
            reasons.push(format!(
                "건강 목표 '{}'의 {}에 도움",
                goals.trim(),
                goal_words.join("·")
            ));
        }
        if view.history.preferred_services.contains(&s) {
            reasons.push("선호 서비스로 등록된 서비스".to_string());
        }
        let goal_reason = reasons.first().cloned();
        if let Some(w) = wanted {
            if w == attr.intensity {
                reasons.push(format!(
                    "선호 강도 '{}'에 맞는 {} 서비스",
                    w.label(),
                    attr.intensity.adjective()
                ));
            }
        }
        if view.all[j] == 0 && view.has_visits() {
            let similar = ServiceType::ALL
                .into_iter()
                .filter(|u| view.all[idx(*u)] > 0)
                .map(|u| (u, effect_similarity(u, s)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((u, sim)) = similar.filter(|(_, sim)| *sim >= 0.3) {
                let shared: Vec<&str> = Benefit::ALL
                    .into_iter()
                    .filter(|b| benefit_vector(u)[b.index()] >= 0.3 && sv[b.index()] >= 0.3)
                    .map(Benefit::label)
                    .collect();
                let used = model.service_name(u);
                reasons.push(format!(
                    "이용하신 {used}{} 효과가 비슷함 (공통 효과: {}, 유사도 {})",
                    with_particle(&used),
                    shared.join("·"),
                    percent(sim)
                ));
            }
            reasons.push("아직 이용하지 않은 서비스".to_string());
        } else if view.recent[j] > 0 && reasons.is_empty() {
            reasons.push(format!(
                "이용 패턴에서 드러난 관심 효과({})를 가진 서비스 — 최근 {}일 {}회 이용",
                attr.benefits
                    .iter()
                    .filter(|(_, w)| *w >= 0.5)
                    .map(|(b, _)| b.label())
                    .collect::<Vec<_>>()
                    .join("·"),
                RECENT_DAYS,
                view.recent[j]
            ));
        }
        out[j] = Scored {
            score,
            reasons,
            goal_reason,
        };
    }
    out
}

/// One step away from the preferred intensity costs 15 %, two steps 40 %: a customer who asked
/// for gentle care can still be offered the bike, but not first.
pub(crate) fn intensity_factor(wanted: Intensity, actual: Intensity) -> f64 {
    match (wanted as i32 - actual as i32).abs() {
        0 => 1.0,
        1 => 0.85,
        _ => 0.6,
    }
}
