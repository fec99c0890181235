//! How a customer's past feedback changes what they are recommended next.
//!
//! Rules (all windows count whole days from the feedback's `at` to `today`):
//! - rejected: the item itself is not recommended for [`REJECT_SUPPRESS_DAYS`]; items similar
//!   to it lose up to [`REJECT_NEIGHBOUR_PENALTY`] of their score in that window;
//! - accepted: items similar to it gain up to [`ACCEPT_NEIGHBOUR_BOOST`] of their headroom for
//!   [`ACCEPT_WINDOW_DAYS`]; an accepted package or schedule slot has been acted on, so it is
//!   not offered again for [`ACTED_SUPPRESS_DAYS`] (an accepted service stays: they use it);
//!   an acceptance with a `feedback_score` of 1–2 boosts nothing (they took it and disliked it);
//! - ignored: the item loses [`IGNORE_FACTOR`] for [`IGNORE_WINDOW_DAYS`];
//! - only the latest feedback per item counts, so a later acceptance lifts an earlier rejection.
//!
//! Similarity: services by the mean of usage similarity (model) and effect similarity
//! (attributes), so it works before there is much data; packages by the cosine of their
//! session mixes; schedule slots 0.5 for the same weekday plus 0.5 for the same hour.

use crate::catalogue::{cosine, effect_similarity};
use crate::model::Model;
use crate::text::{date_ko, date_ko_near, hour_ko, percent};
use crate::types::{Action, Feedback, Kind};
use chrono::{Datelike, NaiveDate};
use clinicdesk_domain::ServiceType;
use std::collections::HashMap;

pub const REJECT_SUPPRESS_DAYS: i64 = 30;
pub const REJECT_NEIGHBOUR_PENALTY: f64 = 0.2;
pub const ACCEPT_WINDOW_DAYS: i64 = 60;
pub const ACCEPT_NEIGHBOUR_BOOST: f64 = 0.25;
pub const ACTED_SUPPRESS_DAYS: i64 = 14;
pub const IGNORE_WINDOW_DAYS: i64 = 7;
pub const IGNORE_FACTOR: f64 = 0.9;
/// Below this similarity a neighbour is not touched (and no reason is written about it).
const MIN_NEIGHBOUR_SIMILARITY: f64 = 0.1;
/// The clinic-wide acceptance rate is named in a reason only once this many answers back it.
const MIN_TALLY_FOR_REASON: u32 = 3;

/// The customer's latest feedback per item of one kind, given on or before `today`.
pub(crate) struct Personal<'a> {
    latest: Vec<&'a Feedback>,
    today: NaiveDate,
    kind: Kind,
}

impl<'a> Personal<'a> {
    pub fn new(feedback: &'a [Feedback], customer_id: &str, kind: Kind, today: NaiveDate) -> Self {
        let mut by_item: HashMap<&str, &Feedback> = HashMap::new();
        for f in feedback
            .iter()
            .filter(|f| f.customer_id == customer_id && f.kind == kind && f.at <= today)
        {
            match by_item.get(f.item.as_str()) {
                Some(prev) if prev.at > f.at => {}
                _ => {
                    by_item.insert(f.item.as_str(), f);
                }
            }
        }
        let mut latest: Vec<&Feedback> = by_item.into_values().collect();
        // Reasons come out in a fixed order whatever order the caller passed feedback in.
        latest.sort_by(|a, b| b.at.cmp(&a.at).then(a.item.cmp(&b.item)));
        Personal {
            latest,
            today,
            kind,
        }
    }

    /// The score after feedback, with the reasons feedback added; `None` when the item must
    /// not be recommended now.
    pub fn adjust(&self, model: &Model, code: &str, mut score: f64) -> Option<(f64, Vec<String>)> {
        let mut reasons = Vec::new();
        for f in &self.latest {
            let age = (self.today - f.at).num_days();
            if f.item == code {
                match f.action {
                    Action::Rejected if age < REJECT_SUPPRESS_DAYS => return None,
                    Action::Accepted if self.kind != Kind::Service && age < ACTED_SUPPRESS_DAYS => {
                        return None
                    }
                    Action::Ignored if age < IGNORE_WINDOW_DAYS => {
                        score *= IGNORE_FACTOR;
                        reasons.push(format!(
                            "{} 추천을 넘기셔서 순위를 낮춤",
                            date_ko_near(f.at, self.today)
                        ));
                    }
                    _ => {}
                }
                continue;
            }
            let sim = similarity(model, self.kind, &f.item, code);
            if sim < MIN_NEIGHBOUR_SIMILARITY {
                continue;
            }
            let name = item_name(model, self.kind, &f.item);
            match f.action {
                Action::Rejected if age < REJECT_SUPPRESS_DAYS => {
                    score *= 1.0 - REJECT_NEIGHBOUR_PENALTY * sim;
                    reasons.push(format!(
                        "거절하신 '{name}' 추천과 비슷해 점수를 낮춤 (유사도 {})",
                        percent(sim)
                    ));
                }
                Action::Accepted
                    if age < ACCEPT_WINDOW_DAYS && f.feedback_score.is_none_or(|s| s >= 3) =>
                {
                    score += ACCEPT_NEIGHBOUR_BOOST * sim * (1.0 - score).max(0.0);
                    reasons.push(format!(
                        "수락하신 '{name}' 추천과 비슷함 (유사도 {})",
                        percent(sim)
                    ));
                }
                _ => {}
            }
        }
        let tally = model.feedback_tally(self.kind, code);
        score *= tally.multiplier();
        let answered = tally.accepted + tally.rejected;
        if answered >= MIN_TALLY_FOR_REASON {
            reasons.push(format!(
                "이 추천을 받은 고객 {answered}명 중 {}명이 수락 ({})",
                tally.accepted,
                percent(tally.accepted as f64 / answered as f64)
            ));
        }
        Some((score.clamp(0.0, 1.0), reasons))
    }
}

pub(crate) fn similarity(model: &Model, kind: Kind, a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    match kind {
        Kind::Service => match (ServiceType::parse(a), ServiceType::parse(b)) {
            (Some(x), Some(y)) => 0.5 * model.similarity(x, y) + 0.5 * effect_similarity(x, y),
            _ => 0.0,
        },
        Kind::Package => {
            let find = |id: &str| model.catalogue.packages.iter().find(|p| p.id == id);
            match (find(a), find(b)) {
                (Some(x), Some(y)) => cosine(&x.vector(), &y.vector()),
                _ => 0.0,
            }
        }
        Kind::Schedule => match (parse_slot(a), parse_slot(b)) {
            (Some((da, ha)), Some((db, hb))) => {
                0.5 * f64::from(u8::from(da.weekday() == db.weekday()))
                    + 0.5 * f64::from(u8::from(ha == hb))
            }
            _ => 0.0,
        },
    }
}

fn item_name(model: &Model, kind: Kind, code: &str) -> String {
    match kind {
        Kind::Service => ServiceType::parse(code)
            .map(|s| model.service_name(s))
            .unwrap_or_else(|| code.to_string()),
        Kind::Package => model
            .catalogue
            .packages
            .iter()
            .find(|p| p.id == code)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| code.to_string()),
        Kind::Schedule => parse_slot(code)
            .map(|(d, h)| format!("{} {}", date_ko(d), hour_ko(h)))
            .unwrap_or_else(|| code.to_string()),
    }
}

/// A schedule slot's code: `YYYY-MM-DDTHH`.
pub(crate) fn slot_code(date: NaiveDate, hour: u8) -> String {
    format!("{date}T{hour:02}")
}

pub(crate) fn parse_slot(code: &str) -> Option<(NaiveDate, u8)> {
    let (d, h) = code.split_once('T')?;
    let hour: u8 = h.parse().ok()?;
    (hour < 24).then_some(())?;
    Some((d.parse().ok()?, hour))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_codes_round_trip() {
        let d = NaiveDate::from_ymd_opt(2025, 12, 10).unwrap_or_default();
        assert_eq!(slot_code(d, 9), "2025-12-10T09");
        assert_eq!(parse_slot("2025-12-10T09"), Some((d, 9)));
        assert_eq!(parse_slot("2025-12-10T25"), None);
        assert_eq!(parse_slot("brain"), None);
    }
}
