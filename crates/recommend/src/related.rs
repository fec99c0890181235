//! Services related to a service (seed 003 §3.2's related products, for services): first those
//! customers use together more often than chance (lift), then, to fill the list, those with
//! similar effects.

use crate::catalogue::{benefit_vector, effect_similarity, idx, Benefit};
use crate::error::RecommendError;
use crate::model::Model;
use crate::text::{percent, round3, subject_particle, with_particle};
use crate::types::ItemRef;
use clinicdesk_domain::ServiceType;
use serde::{Deserialize, Serialize};

/// Co-use by fewer customers than this is anecdote, not a relation.
pub const MIN_SUPPORT: u32 = 3;
/// Lift 1 is "together as often as chance"; a relation must beat chance by a fifth, so
/// sampling noise around 1 is not presented as a pattern.
pub const MIN_LIFT: f64 = 1.2;
/// Effect similarity needed to fill the list with a `similar_effect` relation.
pub const MIN_EFFECT_SIMILARITY: f64 = 0.3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationType {
    FrequentlyUsedTogether,
    SimilarEffect,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelatedService {
    pub service: ItemRef,
    pub service_type: ServiceType,
    /// 0–1: usage cosine for `frequently_used_together`, effect similarity for
    /// `similar_effect`.
    pub similarity_score: f64,
    /// P(both) / (P(this) · P(that)) over customers who use services regularly (a service is
    /// used regularly when it is at least 20 % of the customer's visits); 0 without data.
    pub lift: f64,
    /// Share of the asked service's regular customers who also use this one regularly.
    pub confidence: f64,
    /// Customers who used both.
    pub support: u32,
    pub relation_type: RelationType,
    pub reasons: Vec<String>,
}

pub fn related(
    model: &Model,
    service_code: &str,
    count: usize,
) -> Result<Vec<RelatedService>, RecommendError> {
    let Some(base) = ServiceType::parse(service_code).filter(|s| model.offers(*s)) else {
        return Err(RecommendError::UnknownService(service_code.to_string()));
    };
    let i = idx(base);
    let n = model.active_customers;
    let base_name = model.service_name(base);
    let mut out: Vec<RelatedService> = Vec::new();

    let mut by_lift: Vec<(ServiceType, f64, u32)> = ServiceType::ALL
        .into_iter()
        .filter(|s| *s != base && model.offers(*s))
        .filter_map(|s| {
            let j = idx(s);
            let (ui, uj, co) = (model.users[i], model.users[j], model.co_users[i][j]);
            if ui == 0 || uj == 0 || co < MIN_SUPPORT {
                return None;
            }
            let lift = co as f64 * n as f64 / (ui as f64 * uj as f64);
            (lift >= MIN_LIFT).then_some((s, lift, co))
        })
        .collect();
    by_lift.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then(b.2.cmp(&a.2))
            .then(a.0.as_str().cmp(b.0.as_str()))
    });
    for (s, lift, co) in by_lift {
        let j = idx(s);
        let name = model.service_name(s);
        let ui = model.users[i];
        let confidence = co as f64 / ui as f64;
        let base_rate = model.users[j] as f64 / n as f64;
        out.push(RelatedService {
            service: ItemRef {
                code: s.as_str().to_string(),
                name: name.clone(),
            },
            service_type: s,
            similarity_score: round3(model.sim[i][j]),
            lift: round3(lift),
            confidence: round3(confidence),
            support: co,
            relation_type: RelationType::FrequentlyUsedTogether,
            reasons: vec![
                format!(
                    "{base_name} 꾸준히 이용 고객 {ui}명 중 {co}명({})이 {name}도 꾸준히 이용",
                    percent(confidence)
                ),
                format!(
                    "전체 고객의 {name} 꾸준한 이용률 {}의 {:.1}배",
                    percent(base_rate),
                    lift
                ),
            ],
        });
    }

    let mut by_effect: Vec<(ServiceType, f64)> = ServiceType::ALL
        .into_iter()
        .filter(|s| *s != base && model.offers(*s))
        .filter(|s| out.iter().all(|r| r.service_type != *s))
        .map(|s| (s, effect_similarity(base, s)))
        .filter(|(_, sim)| *sim >= MIN_EFFECT_SIMILARITY)
        .collect();
    by_effect.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.as_str().cmp(b.0.as_str())));
    for (s, sim) in by_effect {
        let j = idx(s);
        let name = model.service_name(s);
        let (bv, sv) = (benefit_vector(base), benefit_vector(s));
        let shared: Vec<&str> = Benefit::ALL
            .into_iter()
            .filter(|b| bv[b.index()] >= 0.3 && sv[b.index()] >= 0.3)
            .map(Benefit::label)
            .collect();
        let (ui, uj, co) = (model.users[i], model.users[j], model.co_users[i][j]);
        let lift = if ui > 0 && uj > 0 {
            co as f64 * n as f64 / (ui as f64 * uj as f64)
        } else {
            0.0
        };
        out.push(RelatedService {
            service: ItemRef {
                code: s.as_str().to_string(),
                name: name.clone(),
            },
            service_type: s,
            similarity_score: round3(sim),
            lift: round3(lift),
            confidence: round3(if ui > 0 { co as f64 / ui as f64 } else { 0.0 }),
            support: co,
            relation_type: RelationType::SimilarEffect,
            reasons: vec![format!(
                "{base_name}{} {name}{} 효과가 비슷함 (공통 효과: {}, 유사도 {})",
                subject_particle(&base_name),
                with_particle(&name),
                shared.join("·"),
                percent(sim)
            )],
        });
    }
    out.truncate(count);
    Ok(out)
}
