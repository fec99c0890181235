//! One customer as serving sees them: their decayed service profile, their rhythm, and the
//! packages they hold with what is left of each. Built from their history alone, in time
//! linear in their visits and purchases.

use crate::catalogue::{idx, Profile, N};
use crate::model::{
    decay, distinct_days, median_interval, rating_weight, session_rate, Model,
    CUSTOMER_HALF_LIFE_DAYS, RECENT_DAYS,
};
use chrono::{Datelike, Duration, NaiveDate};
use clinicdesk_domain::history::CustomerHistory;
use clinicdesk_domain::package::StatusDay;
use clinicdesk_domain::ServiceType;

/// Validity assumed for a purchase of a template the catalogue no longer has. Ninety days is
/// the most common validity among the clinic's templates.
pub const UNKNOWN_PACKAGE_VALIDITY_DAYS: i64 = 90;

#[derive(Debug, Clone)]
pub(crate) struct Holding {
    pub catalogue_index: Option<usize>,
    pub name: String,
    pub purchase_date: NaiveDate,
    pub expiry: NaiveDate,
    pub sessions: [i64; N],
    pub remaining: [i64; N],
}

impl Holding {
    pub fn total(&self) -> i64 {
        self.sessions.iter().sum()
    }

    pub fn remaining_total(&self) -> i64 {
        self.remaining.iter().sum()
    }

    /// The domain's status rank: 0 active, 1 expiring, 2 expired (or used up).
    pub fn status_rank(&self, today: NaiveDate) -> u8 {
        StatusDay::new(today).rank(self.expiry, self.total(), self.remaining_total())
    }

    pub fn status(&self, today: NaiveDate) -> &'static str {
        StatusDay::new(today).status(self.expiry, self.total(), self.remaining_total())
    }
}

pub(crate) struct View<'a> {
    pub history: &'a CustomerHistory,
    pub profile: &'a Profile,
    pub today: NaiveDate,
    /// Decayed, rating-weighted visits per service.
    pub weights: [f64; N],
    pub weight_total: f64,
    /// Visits in the last [`RECENT_DAYS`] days, and ever.
    pub recent: [u32; N],
    pub all: [u32; N],
    pub last_used: [Option<NaiveDate>; N],
    pub rating_sum: [i64; N],
    pub rating_n: [i64; N],
    pub visits_365: usize,
    pub days: Vec<NaiveDate>,
    pub interval: Option<i64>,
    pub session_rate: Option<f64>,
    pub holdings: Vec<Holding>,
    /// Catalogue indexes of their purchases, oldest first.
    pub purchased: Vec<usize>,
    packages: &'a [crate::catalogue::PackageItem],
}

impl<'a> View<'a> {
    pub fn new(
        model: &'a Model,
        history: &'a CustomerHistory,
        profile: &'a Profile,
        today: NaiveDate,
    ) -> View<'a> {
        let mut weights = [0.0; N];
        let mut recent = [0u32; N];
        let mut all = [0u32; N];
        let mut last_used = [None; N];
        let mut rating_sum = [0i64; N];
        let mut rating_n = [0i64; N];
        let mut visits_365 = 0;
        for v in history.visits.iter().filter(|v| v.date <= today) {
            let i = idx(v.service);
            weights[i] += decay(today, v.date, CUSTOMER_HALF_LIFE_DAYS) * rating_weight(v.rating);
            all[i] += 1;
            let age = (today - v.date).num_days();
            if age < RECENT_DAYS {
                recent[i] += 1;
            }
            if age < 365 {
                visits_365 += 1;
            }
            if last_used[i].is_none_or(|d| d < v.date) {
                last_used[i] = Some(v.date);
            }
            if let Some(r) = v.rating.filter(|r| (1..=5).contains(r)) {
                rating_sum[i] += r;
                rating_n[i] += 1;
            }
        }
        let days = distinct_days(&history.visits, today);
        let interval = median_interval(&days);
        let (holdings, purchased) = holdings(model, history, today);
        View {
            history,
            profile,
            today,
            weight_total: weights.iter().sum(),
            weights,
            recent,
            all,
            last_used,
            rating_sum,
            rating_n,
            visits_365,
            interval,
            days,
            session_rate: session_rate(&history.visits, today),
            holdings,
            purchased,
            packages: &model.catalogue.packages,
        }
    }

    pub fn catalogue_packages(&self) -> &'a [crate::catalogue::PackageItem] {
        self.packages
    }

    pub fn has_visits(&self) -> bool {
        self.weight_total > 0.0
    }

    pub fn average_rating(&self, s: ServiceType) -> Option<f64> {
        let i = idx(s);
        (self.rating_n[i] > 0).then(|| self.rating_sum[i] as f64 / self.rating_n[i] as f64)
    }

    /// Sessions per service left on packages that are active and not yet expiring: what the
    /// customer has already paid for and will still use.
    pub fn unused_active_sessions(&self) -> [i64; N] {
        let mut out = [0i64; N];
        for h in self
            .holdings
            .iter()
            .filter(|h| h.status_rank(self.today) == 0)
        {
            for (o, r) in out.iter_mut().zip(h.remaining) {
                *o += r;
            }
        }
        out
    }

    /// Visit days in the last year by weekday (Mon = 0), decayed and as plain counts over the
    /// last twenty visit days.
    pub fn weekday_profile(&self) -> ([f64; 7], [u32; 7], usize) {
        let mut w = [0.0; 7];
        let mut n = [0u32; 7];
        for d in &self.days {
            w[d.weekday().num_days_from_monday() as usize] +=
                decay(self.today, *d, CUSTOMER_HALF_LIFE_DAYS);
        }
        let start = self.days.len().saturating_sub(20);
        for d in &self.days[start..] {
            n[d.weekday().num_days_from_monday() as usize] += 1;
        }
        (w, n, self.days.len() - start)
    }
}

/// Each purchase with its sessions and what is left. The history does not say which purchase
/// a package visit consumed, so package visits are assigned the way the front desk does: to
/// the purchase covering that service that expires first and still has a session of it.
fn holdings(
    model: &Model,
    history: &CustomerHistory,
    today: NaiveDate,
) -> (Vec<Holding>, Vec<usize>) {
    let mut out: Vec<Holding> = Vec::new();
    let mut purchased = Vec::new();
    for p in history.purchases.iter().filter(|p| p.date <= today) {
        let k = model.package_index(&p.package_id, &p.package_name);
        let mut sessions = [0i64; N];
        let validity = match k.map(|k| &model.catalogue.packages[k]) {
            Some(item) => {
                sessions = item.vector().map(|x| x as i64);
                item.validity_days
            }
            None => {
                // Spread the purchase's total over its services; the remainder goes to the
                // first ones so the total stays exact.
                let services: Vec<usize> = p.services.iter().map(|s| idx(*s)).collect();
                if !services.is_empty() && p.total_sessions > 0 {
                    let base = p.total_sessions / services.len() as i64;
                    let extra = p.total_sessions % services.len() as i64;
                    for (n, i) in services.iter().enumerate() {
                        sessions[*i] += base + i64::from((n as i64) < extra);
                    }
                }
                UNKNOWN_PACKAGE_VALIDITY_DAYS
            }
        };
        if let Some(k) = k {
            purchased.push(k);
        }
        let expiry = p
            .date
            .checked_add_signed(Duration::days(validity))
            .unwrap_or(NaiveDate::MAX);
        out.push(Holding {
            catalogue_index: k,
            name: p.package_name.clone(),
            purchase_date: p.date,
            expiry,
            sessions,
            remaining: sessions,
        });
    }
    for v in history
        .visits
        .iter()
        .filter(|v| v.from_package && v.date <= today)
    {
        let i = idx(v.service);
        let target = out
            .iter_mut()
            .filter(|h| h.purchase_date <= v.date && v.date <= h.expiry && h.remaining[i] > 0)
            .min_by_key(|h| (h.expiry, h.purchase_date));
        if let Some(h) = target {
            h.remaining[i] -= 1;
        }
    }
    (out, purchased)
}
