//! Serving one customer: score the candidates of the requested kind, apply their feedback,
//! rank, and give each a stable id.

use crate::catalogue::{attributes, idx, Profile};
use crate::feedback::Personal;
use crate::model::Model;
use crate::services::score_services;
use crate::text::round3;
use crate::types::{
    Algorithm, Feedback, ItemRef, Kind, PackageDetails, Recommendation, Request, ScheduleSlot,
    ServiceDetails,
};
use crate::view::View;
use crate::{packages, schedule};
use chrono::NaiveDate;
use clinicdesk_domain::history::CustomerHistory;
use clinicdesk_domain::ServiceType;

/// Reasons beyond this many stop being read; the strongest come first.
pub const MAX_REASONS: usize = 5;

pub(crate) struct Candidate {
    pub code: String,
    pub name: String,
    pub score: f64,
    pub reasons: Vec<String>,
    pub service_details: Option<ServiceDetails>,
    pub package_details: Option<PackageDetails>,
    pub schedule: Option<ScheduleSlot>,
}

/// Recommends up to `request.count` (at most [`Request::MAX_COUNT`]) items of one kind for one
/// customer. `feedback` may hold anyone's feedback; only this customer's, of this kind, given
/// on or before `today`, is used. Items with no support in the data (score 0) are left out, so
/// the list can be shorter than asked.
///
/// Cost: linear in the customer's visits and purchases plus the catalogue size; nothing here
/// looks at other customers.
pub fn recommend(
    model: &Model,
    history: &CustomerHistory,
    profile: &Profile,
    request: Request,
    feedback: &[Feedback],
    today: NaiveDate,
) -> Vec<Recommendation> {
    let count = request.count.min(Request::MAX_COUNT);
    if count == 0 {
        return Vec::new();
    }
    let view = View::new(model, history, profile, today);
    let personal = Personal::new(feedback, &history.customer_id, request.kind, today);
    let mut candidates = match request.kind {
        Kind::Service => service_candidates(model, &view, request.algorithm, &personal),
        Kind::Package => packages::candidates(model, &view, request.algorithm, &personal),
        Kind::Schedule => {
            let scores = score_services(model, &view, request.algorithm);
            schedule::candidates(model, &view, &scores, count, &personal)
        }
    };
    // A schedule is a plan in date order; the other kinds are rankings.
    if request.kind != Kind::Schedule {
        candidates.sort_by(|a, b| {
            round3(b.score)
                .total_cmp(&round3(a.score))
                .then_with(|| a.code.cmp(&b.code))
        });
    }
    candidates
        .into_iter()
        .take(count)
        .map(|mut c| {
            c.reasons.truncate(MAX_REASONS);
            Recommendation {
                recommendation_id: recommendation_id(
                    &history.customer_id,
                    request.kind,
                    &c.code,
                    today,
                ),
                kind: request.kind,
                item: ItemRef {
                    code: c.code,
                    name: c.name,
                },
                score: round3(c.score),
                reasons: c.reasons,
                algorithm: request.algorithm,
                service_details: c.service_details,
                package_details: c.package_details,
                schedule: c.schedule,
            }
        })
        .collect()
}

fn service_candidates(
    model: &Model,
    view: &View,
    algorithm: Algorithm,
    personal: &Personal,
) -> Vec<Candidate> {
    let mut scores = score_services(model, view, algorithm);
    let mut out = Vec::new();
    for s in ServiceType::ALL {
        if !model.offers(s) {
            continue;
        }
        let scored = std::mem::take(&mut scores[idx(s)]);
        if scored.score <= 0.0 {
            continue;
        }
        let Some((score, fb)) = personal.adjust(model, s.as_str(), scored.score) else {
            continue;
        };
        let mut reasons = scored.reasons;
        reasons.extend(fb);
        let attr = attributes(s);
        out.push(Candidate {
            code: s.as_str().to_string(),
            name: model.service_name(s),
            score,
            reasons,
            service_details: Some(ServiceDetails {
                service_type: s,
                category: attr.category,
                intensity: attr.intensity,
                duration_minutes: model.service_duration(s),
                price: model.service_price(s),
                suggested_schedule: schedule::suggested(model, view, s),
            }),
            package_details: None,
            schedule: None,
        });
    }
    out
}

/// `rec_` + 12 hex digits of FNV-1a over customer, kind, item and day: the same
/// recommendation shown twice on one day has one id (feedback on either refers to it), and a
/// new day gives a new id. FNV is used because it is fixed by its spec — the std hasher may
/// change between Rust releases, and ids are stored.
pub fn recommendation_id(customer_id: &str, kind: Kind, item_code: &str, day: NaiveDate) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let day = day.to_string();
    for part in [customer_id, kind.as_str(), item_code, day.as_str()] {
        for b in part.as_bytes().iter().chain(std::iter::once(&0x1f)) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("rec_{:012x}", h >> 16)
}
