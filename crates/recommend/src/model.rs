//! Everything serving needs that depends on all customers, computed once per build: item–item
//! similarity, co-use counts for lift, popularity, package purchase sequences, the clinic's
//! busy weekdays and hours, and the acceptance rate of past recommendations. Serving a
//! customer then reads these tables and that customer's own history only.

use crate::catalogue::{idx, Catalogue, N};
use crate::error::RecommendError;
use crate::types::{Action, Feedback, Kind};
use chrono::{Datelike, NaiveDate};
use clinicdesk_domain::history::{CustomerHistory, VisitFact};
use clinicdesk_domain::ServiceType;
use std::collections::HashMap;

/// Half-life of a visit in the similarity and popularity tables. Six months: a co-use pattern
/// from last season still says something about which services go together, but the mix the
/// clinic sells today should outweigh the one it sold two years ago.
pub const SIMILARITY_HALF_LIFE_DAYS: f64 = 180.0;
/// Half-life of a visit in one customer's own profile. Three months: their routine changes
/// faster than the clinic's, and what they did last month predicts their next visit best.
pub const CUSTOMER_HALF_LIFE_DAYS: f64 = 90.0;
/// The window "recently" means in reasons and rates.
pub const RECENT_DAYS: i64 = 180;
/// Feedback older than this no longer moves the clinic-wide acceptance rates.
pub const FEEDBACK_MEMORY_DAYS: i64 = 365;

pub(crate) fn decay(today: NaiveDate, date: NaiveDate, half_life: f64) -> f64 {
    let age = (today - date).num_days().max(0) as f64;
    0.5f64.powf(age / half_life)
}

/// A visit the customer rated poorly says less about wanting that service again; a top rating
/// a little more. Unrated visits count fully (most visits are unrated).
pub(crate) fn rating_weight(rating: Option<i64>) -> f64 {
    match rating {
        Some(r) if r <= 1 => 0.25,
        Some(2) => 0.5,
        Some(3) => 0.9,
        Some(r) if r >= 5 => 1.15,
        _ => 1.0,
    }
}

/// Median gap in days between the last (up to ten) distinct visit days.
pub(crate) fn median_interval(days: &[NaiveDate]) -> Option<i64> {
    if days.len() < 2 {
        return None;
    }
    let start = days.len().saturating_sub(11);
    let mut gaps: Vec<i64> = days[start..]
        .windows(2)
        .map(|w| (w[1] - w[0]).num_days())
        .filter(|g| *g > 0)
        .collect();
    if gaps.is_empty() {
        return None;
    }
    gaps.sort_unstable();
    Some(gaps[gaps.len() / 2])
}

/// Sessions per day over the recent window, for the customer whose visits these are. A window
/// shorter than two weeks would turn a first-week burst into an absurd yearly rate.
pub(crate) fn session_rate(visits: &[VisitFact], today: NaiveDate) -> Option<f64> {
    let first = visits
        .iter()
        .filter(|v| v.date <= today)
        .map(|v| v.date)
        .min()?;
    let recent = visits
        .iter()
        .filter(|v| v.date <= today && (today - v.date).num_days() < RECENT_DAYS)
        .count();
    if recent < 2 {
        return None;
    }
    let window = ((today - first).num_days() + 1).clamp(14, RECENT_DAYS);
    Some(recent as f64 / window as f64)
}

pub(crate) fn distinct_days(visits: &[VisitFact], today: NaiveDate) -> Vec<NaiveDate> {
    let mut days: Vec<NaiveDate> = visits
        .iter()
        .filter(|v| v.date <= today)
        .map(|v| v.date)
        .collect();
    days.sort_unstable();
    days.dedup();
    days
}

/// Share of a customer's visits a service must have for them to count as using it regularly
/// in co-use counts and lift. Over a year or two most customers try most services once;
/// counting a single trial as use made every pair look related (lift ≈ 1 for everything).
pub const REGULAR_USE_SHARE: f64 = 0.2;

pub(crate) fn regular_use(counts: &[u32; N]) -> [bool; N] {
    let total: u32 = counts.iter().sum();
    counts.map(|c| c > 0 && c as f64 >= REGULAR_USE_SHARE * total as f64)
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct FeedbackTally {
    pub accepted: u32,
    pub rejected: u32,
}

impl FeedbackTally {
    /// 0.9–1.1: the smoothed acceptance rate (one pseudo-acceptance and one pseudo-rejection,
    /// so an item with no feedback stays at exactly 1.0) moves an item by at most 10 %.
    /// Clinic-wide opinion should tip close calls, not override the customer's own data.
    pub fn multiplier(&self) -> f64 {
        let rate = (self.accepted as f64 + 1.0) / ((self.accepted + self.rejected) as f64 + 2.0);
        0.9 + 0.2 * rate
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) today: NaiveDate,
    pub(crate) catalogue: Catalogue,
    pub(crate) offered: [bool; N],
    /// Cosine similarity of service columns in the customer × service matrix.
    pub(crate) sim: [[f64; N]; N],
    /// Customers who use each service regularly ([`REGULAR_USE_SHARE`]), and each pair (for
    /// lift and the reasons' counts).
    pub(crate) users: [u32; N],
    pub(crate) co_users: [[u32; N]; N],
    pub(crate) active_customers: u32,
    /// Share of decayed visits per service (sums to 1 when there are visits).
    pub(crate) popularity: [f64; N],
    /// Share of decayed purchases per catalogue package.
    pub(crate) pkg_popularity: Vec<f64>,
    /// `pkg_next[a][b]`: purchases of b that directly followed a purchase of a.
    pub(crate) pkg_next: Vec<Vec<u32>>,
    pub(crate) pkg_next_from: Vec<u32>,
    pub(crate) pkg_by_id: HashMap<String, usize>,
    pub(crate) pkg_by_name: HashMap<String, usize>,
    /// Decayed visits by weekday (Mon = 0) and start hour.
    pub(crate) weekday_hour: [[f64; 24]; 7],
    /// Median over customers of their median gap between visit days.
    pub(crate) typical_interval_days: i64,
    /// Median over customers of their recent sessions per day.
    pub(crate) typical_session_rate: f64,
    pub(crate) feedback: HashMap<(Kind, String), FeedbackTally>,
    pub(crate) customers: usize,
}

impl Model {
    /// Builds the serving tables in one pass over the histories (plus a sort for two medians).
    /// Visits and purchases after `today` are ignored: a model must not know the future it is
    /// evaluated on.
    pub fn build(
        histories: &[CustomerHistory],
        catalogue: &Catalogue,
        feedback: &[Feedback],
        today: NaiveDate,
    ) -> Result<Model, RecommendError> {
        catalogue.validate()?;
        let mut offered = [false; N];
        for s in &catalogue.services {
            offered[idx(s.service)] = true;
        }
        let np = catalogue.packages.len();
        let mut pkg_by_id = HashMap::new();
        let mut pkg_by_name = HashMap::new();
        for (k, p) in catalogue.packages.iter().enumerate() {
            pkg_by_id.insert(p.id.clone(), k);
            pkg_by_name.entry(p.name.clone()).or_insert(k);
        }

        let mut dot = [[0.0f64; N]; N];
        let mut users = [0u32; N];
        let mut co_users = [[0u32; N]; N];
        let mut active = 0u32;
        let mut pop = [0.0f64; N];
        let mut pkg_pop = vec![0.0f64; np];
        let mut pkg_next = vec![vec![0u32; np]; np];
        let mut pkg_next_from = vec![0u32; np];
        let mut weekday_hour = [[0.0f64; 24]; 7];
        let mut intervals = Vec::new();
        let mut rates = Vec::new();

        for h in histories {
            let mut row = [0.0f64; N];
            let mut counts = [0u32; N];
            for v in h.visits.iter().filter(|v| v.date <= today) {
                let i = idx(v.service);
                let w = decay(today, v.date, SIMILARITY_HALF_LIFE_DAYS) * rating_weight(v.rating);
                row[i] += w;
                counts[i] += 1;
                pop[i] += w;
                if let Some(hour) = v.hour.filter(|h| *h < 24) {
                    weekday_hour[v.date.weekday().num_days_from_monday() as usize]
                        [hour as usize] += w;
                }
            }
            let used = regular_use(&counts);
            if used.iter().any(|u| *u) {
                active += 1;
            }
            // log(1 + count): a customer with 60 lymph visits is one strong lymph user, not
            // sixty; without it a handful of regulars would decide every similarity.
            let x = row.map(f64::ln_1p);
            for i in 0..N {
                if x[i] == 0.0 {
                    continue;
                }
                for j in 0..N {
                    dot[i][j] += x[i] * x[j];
                }
                if used[i] {
                    users[i] += 1;
                    for j in 0..N {
                        co_users[i][j] += u32::from(used[j]);
                    }
                }
            }

            let mut last: Option<usize> = None;
            for p in h.purchases.iter().filter(|p| p.date <= today) {
                let Some(k) = pkg_by_id
                    .get(&p.package_id)
                    .or_else(|| pkg_by_name.get(&p.package_name))
                    .copied()
                else {
                    // A retired template: it cannot be recommended, and linking it to the
                    // next purchase would credit a package nobody can buy any more.
                    last = None;
                    continue;
                };
                pkg_pop[k] += decay(today, p.date, SIMILARITY_HALF_LIFE_DAYS);
                if let Some(a) = last {
                    pkg_next[a][k] += 1;
                    pkg_next_from[a] += 1;
                }
                last = Some(k);
            }

            let days = distinct_days(&h.visits, today);
            if let Some(i) = median_interval(&days) {
                intervals.push(i);
            }
            if let Some(r) = session_rate(&h.visits, today) {
                rates.push(r);
            }
        }

        let mut sim = [[0.0f64; N]; N];
        for i in 0..N {
            for j in 0..N {
                sim[i][j] = if i == j {
                    1.0
                } else if dot[i][i] > 0.0 && dot[j][j] > 0.0 {
                    (dot[i][j] / (dot[i][i] * dot[j][j]).sqrt()).clamp(0.0, 1.0)
                } else {
                    0.0
                };
            }
        }
        let total: f64 = pop.iter().sum();
        if total > 0.0 {
            pop.iter_mut().for_each(|p| *p /= total);
        }
        let ptotal: f64 = pkg_pop.iter().sum();
        if ptotal > 0.0 {
            pkg_pop.iter_mut().for_each(|p| *p /= ptotal);
        }
        intervals.sort_unstable();
        rates.sort_unstable_by(f64::total_cmp);
        // With no customer rhythm to learn from, a weekly visit is what the clinic's programmes
        // are designed around (packages of 10 over 60–90 days).
        let typical_interval_days = intervals.get(intervals.len() / 2).copied().unwrap_or(7);
        let typical_session_rate = rates.get(rates.len() / 2).copied().unwrap_or(1.0 / 7.0);

        let mut tallies: HashMap<(Kind, String), FeedbackTally> = HashMap::new();
        for f in feedback {
            let age = (today - f.at).num_days();
            if !(0..FEEDBACK_MEMORY_DAYS).contains(&age) {
                continue;
            }
            let t = tallies.entry((f.kind, f.item.clone())).or_default();
            match f.action {
                Action::Accepted => t.accepted += 1,
                Action::Rejected => t.rejected += 1,
                // Passing over an item says little about the item itself.
                Action::Ignored => {}
            }
        }

        Ok(Model {
            today,
            catalogue: catalogue.clone(),
            offered,
            sim,
            users,
            co_users,
            active_customers: active,
            popularity: pop,
            pkg_popularity: pkg_pop,
            pkg_next,
            pkg_next_from,
            pkg_by_id,
            pkg_by_name,
            weekday_hour,
            typical_interval_days,
            typical_session_rate,
            feedback: tallies,
            customers: histories.len(),
        })
    }

    /// The day the model was built for.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// Histories the model was built from.
    pub fn customers(&self) -> usize {
        self.customers
    }

    /// Item–item cosine similarity (1 for a service with itself).
    pub fn similarity(&self, a: ServiceType, b: ServiceType) -> f64 {
        self.sim[idx(a)][idx(b)]
    }

    /// Share of (decayed) visits.
    pub fn popularity(&self, s: ServiceType) -> f64 {
        self.popularity[idx(s)]
    }

    pub(crate) fn offers(&self, s: ServiceType) -> bool {
        self.offered[idx(s)]
    }

    pub(crate) fn service_name(&self, s: ServiceType) -> String {
        self.catalogue
            .service(s)
            .map(|i| i.name.clone())
            .unwrap_or_else(|| s.info().name.to_string())
    }

    pub(crate) fn service_duration(&self, s: ServiceType) -> i64 {
        self.catalogue
            .service(s)
            .map(|i| i.duration_minutes)
            .unwrap_or_else(|| s.info().duration_minutes)
    }

    pub(crate) fn service_price(&self, s: ServiceType) -> i64 {
        self.catalogue
            .service(s)
            .map(|i| i.price)
            .unwrap_or_else(|| s.info().price)
    }

    pub(crate) fn package_index(&self, id: &str, name: &str) -> Option<usize> {
        self.pkg_by_id
            .get(id)
            .or_else(|| self.pkg_by_name.get(name))
            .copied()
    }

    pub(crate) fn feedback_tally(&self, kind: Kind, code: &str) -> FeedbackTally {
        self.feedback
            .get(&(kind, code.to_string()))
            .copied()
            .unwrap_or_default()
    }

    /// Services in popularity order (ties by code), offered ones only.
    pub(crate) fn popular_services(&self) -> Vec<ServiceType> {
        let mut v: Vec<ServiceType> = ServiceType::ALL
            .into_iter()
            .filter(|s| self.offers(*s))
            .collect();
        v.sort_by(|a, b| {
            self.popularity[idx(*b)]
                .total_cmp(&self.popularity[idx(*a)])
                .then(a.as_str().cmp(b.as_str()))
        });
        v
    }

    /// Catalogue package indexes in popularity order (ties by id).
    pub(crate) fn popular_packages(&self) -> Vec<usize> {
        let mut v: Vec<usize> = (0..self.catalogue.packages.len()).collect();
        v.sort_by(|a, b| {
            self.pkg_popularity[*b]
                .total_cmp(&self.pkg_popularity[*a])
                .then(
                    self.catalogue.packages[*a]
                        .id
                        .cmp(&self.catalogue.packages[*b].id),
                )
        });
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_multiplier_is_neutral_without_feedback_and_bounded() {
        assert!((FeedbackTally::default().multiplier() - 1.0).abs() < 1e-12);
        let loved = FeedbackTally {
            accepted: 1000,
            rejected: 0,
        };
        let hated = FeedbackTally {
            accepted: 0,
            rejected: 1000,
        };
        assert!(loved.multiplier() <= 1.1 && loved.multiplier() > 1.09);
        assert!(hated.multiplier() >= 0.9 && hated.multiplier() < 0.91);
    }

    #[test]
    fn median_interval_uses_distinct_days() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap_or_default();
        let days = [
            d("2025-01-01"),
            d("2025-01-08"),
            d("2025-01-15"),
            d("2025-01-29"),
        ];
        assert_eq!(median_interval(&days), Some(7));
        assert_eq!(median_interval(&days[..1]), None);
    }
}
