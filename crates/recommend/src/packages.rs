//! Package recommendations: the template whose session mix matches the services the customer
//! is predicted to use, what customers bought after the packages they bought, and a size they
//! will actually use before it expires — never one they already hold unused.
//!
//! Rules, applied before scoring:
//! 1. a package they hold that is `active` by the domain's status (more than 14 days and more
//!    than 20 % of its sessions left) is not recommended again; once it is `expiring` it is,
//!    as a renewal;
//! 2. a package every one of whose services they still hold unused sessions of (on active
//!    packages) is not recommended: it would sell them what they already paid for;
//! 3. a package they would use less than [`MIN_EXPECTED_USE`] of before it expires, at their
//!    own recent pace, is not recommended (a 120-session yearly package for someone who comes
//!    twice a month). Customers without a pace of their own are not judged by this rule.

use crate::catalogue::{cosine, idx, N};
use crate::feedback::Personal;
use crate::model::{Model, RECENT_DAYS};
use crate::serve::Candidate;
use crate::services::{collaborative, content_based, hybrid_alpha, Scored};
use crate::text::{date_ko_near, object_particle, percent, won};
use crate::types::{Algorithm, HoldingInfo, PackageDetails};
use crate::view::{Holding, View};
use clinicdesk_domain::ServiceType;

/// Rule 3's threshold: expected sessions used before expiry ÷ sessions in the package.
pub const MIN_EXPECTED_USE: f64 = 0.25;
/// Weight of the customer's own service mix in the demand a package is fitted to.
pub const OWN_MIX_WEIGHT: f64 = 0.6;
/// Share of the remaining headroom a due renewal gains.
pub const RENEWAL_BOOST: f64 = 0.3;
/// A package used up or expired this recently, at least half used, is still a renewal.
pub const RENEWAL_GRACE_DAYS: i64 = 30;
/// Below this expected-use ratio (sessions they will likely use before expiry ÷ sessions in
/// the package) a reason warns that the package is too big for their pace.
pub const OVERSIZE_WARNING_RATIO: f64 = 0.6;

pub(crate) fn candidates(
    model: &Model,
    view: &View,
    algorithm: Algorithm,
    personal: &Personal,
) -> Vec<Candidate> {
    let packages = &model.catalogue.packages;
    if packages.is_empty() {
        return Vec::new();
    }
    let cf = collaborative(model, view);
    let cb = content_based(model, view);
    let alpha = hybrid_alpha(view);
    let vec_of = |s: &[Scored; N]| {
        let mut v = [0.0; N];
        for t in ServiceType::ALL {
            if model.offers(t) {
                v[idx(t)] = s[idx(t)].score;
            }
        }
        v
    };
    // Package fit is measured against the customer's own recent mix (OWN_MIX_WEIGHT) plus
    // the algorithm's predicted mix: sessions of a service they never use are money wasted,
    // so neighbours and interests tip the balance rather than set it.
    let own = if view.has_visits() {
        let max = view.weights.iter().cloned().fold(0.0, f64::max);
        Some(view.weights.map(|w| w / max))
    } else {
        None
    };
    let demand = |v: [f64; N]| match own {
        Some(o) => {
            let mut d = [0.0; N];
            for i in 0..N {
                d[i] = OWN_MIX_WEIGHT * o[i] + (1.0 - OWN_MIX_WEIGHT) * v[i];
            }
            d
        }
        None => v,
    };
    let (cf_vec, cb_vec) = (demand(vec_of(&cf)), demand(vec_of(&cb)));
    let next = next_purchase(model, view);
    let max_next = next.iter().cloned().fold(0.0, f64::max);
    let max_pop = model.pkg_popularity.iter().cloned().fold(0.0, f64::max);
    let unused = view.unused_active_sessions();
    let rate = view.session_rate.unwrap_or(model.typical_session_rate);
    let recent_total: u32 = view.recent.iter().sum();
    let today = view.today;

    let mut out = Vec::new();
    for (k, p) in packages.iter().enumerate() {
        let pv = p.vector();
        let same = latest_holding(view, k);
        if excluded(view, k, &unused) {
            continue;
        }

        let fit_cf = cosine(&cf_vec, &pv);
        let fit_cb = cosine(&cb_vec, &pv);
        let next_rel = if max_next > 0.0 {
            next[k] / max_next
        } else {
            0.0
        };
        let pop_rel = if max_pop > 0.0 {
            model.pkg_popularity[k] / max_pop
        } else {
            0.0
        };
        // Customers who bought before: half what they will use, half what buyers like them
        // bought next. First-time buyers: mostly fit, with a little popularity to break ties
        // between templates that fit equally.
        let score_cf = if view.purchased.is_empty() {
            0.8 * fit_cf + 0.2 * pop_rel
        } else {
            0.5 * fit_cf + 0.5 * next_rel
        };
        let mut score = match algorithm {
            Algorithm::Collaborative => score_cf,
            Algorithm::ContentBased => fit_cb,
            Algorithm::Hybrid => alpha * score_cf + (1.0 - alpha) * fit_cb,
        };

        let total = p.total_sessions();
        let expected = rate * p.validity_days as f64;
        let ratio = expected / total as f64;
        // An oversized package is not absurd (some buy for the discount) but is a worse fit:
        // at half the pace it is needed it loses a quarter of its score.
        if ratio < 1.0 {
            score *= 0.5 + 0.5 * ratio.max(0.0);
        }

        let mut reasons = Vec::new();
        if let Some((r, boost)) = same.and_then(|h| renewal(h, today)) {
            reasons.push(r);
            if boost {
                score += RENEWAL_BOOST * (1.0 - score).max(0.0);
            }
        }
        if recent_total > 0 {
            let covered: u32 = p.sessions.keys().map(|s| view.recent[idx(*s)]).sum();
            if covered > 0 {
                let names: Vec<String> = p
                    .sessions
                    .keys()
                    .filter(|s| view.recent[idx(**s)] > 0)
                    .map(|s| model.service_name(*s))
                    .collect();
                reasons.push(format!(
                    "최근 {RECENT_DAYS}일 이용 {recent_total}회 중 {covered}회({})가 이 패키지 서비스({})",
                    percent(covered as f64 / recent_total as f64),
                    names.join("·")
                ));
            }
        }
        if matches!(algorithm, Algorithm::ContentBased | Algorithm::Hybrid) {
            let best = p
                .sessions
                .keys()
                .filter(|s| cb[idx(**s)].goal_reason.is_some())
                .max_by(|a, b| cb[idx(**a)].score.total_cmp(&cb[idx(**b)].score));
            if let Some(s) = best {
                if let Some(r) = &cb[idx(*s)].goal_reason {
                    reasons.push(format!("포함된 {}: {r}", model.service_name(*s)));
                }
            }
        }
        if let Some(last) = view.purchased.last() {
            let (n, from) = (model.pkg_next[*last][k], model.pkg_next_from[*last]);
            if n >= 2 && from > 0 {
                reasons.push(format!(
                    "{} 구매 후 다음 구매 {from}건 중 {n}건({})이 이 패키지",
                    packages[*last].name,
                    percent(n as f64 / from as f64)
                ));
            }
        } else if !view.has_visits() && pop_rel > 0.0 {
            reasons.push(format!(
                "구매 기록이 없어 전체 패키지 구매 비중으로 추천: {}",
                percent(model.pkg_popularity[k])
            ));
        }
        let list_price: i64 = p
            .sessions
            .iter()
            .map(|(s, n)| model.service_price(*s) * n)
            .sum();
        let savings = list_price - p.price;
        if savings > 0 {
            reasons.push(format!(
                "단품 {} 대비 {} 절약 (회당 {})",
                won(list_price),
                won(savings),
                won(p.price / total.max(1))
            ));
        }
        if ratio < OVERSIZE_WARNING_RATIO && view.session_rate.is_some() {
            reasons.push(format!(
                "현재 이용 속도(주 {:.1}회)로는 유효기간 {}일 동안 {}회 중 약 {}회 이용 예상",
                rate * 7.0,
                p.validity_days,
                total,
                expected.round() as i64
            ));
        }

        let Some((score, fb_reasons)) = personal.adjust(model, &p.id, score) else {
            continue;
        };
        reasons.extend(fb_reasons);
        if score <= 0.0 {
            continue;
        }
        out.push(Candidate {
            code: p.id.clone(),
            name: p.name.clone(),
            score,
            reasons,
            service_details: None,
            package_details: Some(PackageDetails {
                package_id: p.id.clone(),
                sessions: p.sessions.clone(),
                total_sessions: total,
                price: p.price,
                validity_days: p.validity_days,
                list_price,
                savings,
                holding: same.map(|h| HoldingInfo {
                    remaining_sessions: h.remaining_total(),
                    expiry_date: h.expiry,
                    days_remaining: (h.expiry - today).num_days(),
                    status: h.status(today).to_string(),
                }),
            }),
            schedule: None,
        });
    }
    out
}

fn latest_holding<'v>(view: &'v View, k: usize) -> Option<&'v Holding> {
    view.holdings
        .iter()
        .filter(|h| h.catalogue_index == Some(k))
        .max_by_key(|h| h.purchase_date)
}

/// Rules 1–3 of the module documentation; `unused` is
/// [`View::unused_active_sessions`].
fn excluded(view: &View, k: usize, unused: &[i64; N]) -> bool {
    if latest_holding(view, k).is_some_and(|h| h.status_rank(view.today) == 0) {
        return true;
    }
    let Some(p) = view.catalogue_packages().get(k) else {
        return false;
    };
    if p.sessions
        .iter()
        .all(|(s, n)| *n <= 0 || unused[idx(*s)] > 0)
    {
        return true;
    }
    view.session_rate.is_some_and(|rate| {
        (rate * p.validity_days as f64) < MIN_EXPECTED_USE * p.total_sessions() as f64
    })
}

/// Whether the rules keep package `k` (a catalogue index) from this customer on `today`;
/// the evaluation reports how often that hid the package they went on to buy.
pub(crate) fn excluded_for(
    model: &Model,
    history: &clinicdesk_domain::history::CustomerHistory,
    k: usize,
    today: chrono::NaiveDate,
) -> bool {
    let profile = crate::catalogue::Profile::default();
    let view = View::new(model, history, &profile, today);
    excluded(&view, k, &view.unused_active_sessions())
}

/// Why the customer's own purchase of this package makes it due again, and whether that earns
/// the renewal boost.
fn renewal(h: &Holding, today: chrono::NaiveDate) -> Option<(String, bool)> {
    let name = &h.name;
    let remaining = h.remaining_total();
    let total = h.total();
    match h.status_rank(today) {
        1 => Some((
            format!(
                "보유 중인 {name} 잔여 {remaining}/{total}회, {} 만료 — 재구매 시점",
                date_ko_near(h.expiry, today)
            ),
            true,
        )),
        2 => {
            let used = total - remaining;
            let half_used = used * 2 >= total;
            if remaining <= 0 {
                Some((
                    format!(
                        "구매하신 {name}{} {total}회 모두 이용",
                        object_particle(name)
                    ),
                    true,
                ))
            } else if (today - h.expiry).num_days() <= RENEWAL_GRACE_DAYS && half_used {
                Some((
                    format!(
                        "{} 만료된 {name}{} {used}/{total}회 이용",
                        date_ko_near(h.expiry, today),
                        object_particle(name)
                    ),
                    true,
                ))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// How likely each package is to be the customer's next purchase given what they bought:
/// P(next = b | bought a), smoothed with one pseudo-purchase spread by popularity, averaged
/// over their past packages with the latest counting double.
fn next_purchase(model: &Model, view: &View) -> Vec<f64> {
    let np = model.catalogue.packages.len();
    let mut out = vec![0.0; np];
    let n = view.purchased.len();
    if n == 0 {
        return out;
    }
    let mut seen: Vec<usize> = Vec::new();
    let mut weight_total = 0.0;
    for (pos, a) in view.purchased.iter().enumerate().rev() {
        if seen.contains(a) {
            continue;
        }
        seen.push(*a);
        let w = if pos + 1 == n { 1.0 } else { 0.5 };
        weight_total += w;
        let from = model.pkg_next_from[*a] as f64;
        for (b, o) in out.iter_mut().enumerate() {
            *o += w * (model.pkg_next[*a][b] as f64 + model.pkg_popularity[b]) / (from + 1.0);
        }
    }
    out.iter_mut().for_each(|o| *o /= weight_total);
    out
}
