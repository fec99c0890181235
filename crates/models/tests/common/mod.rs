//! Synthetic clinic customers with real structure, from a fixed seed.
//!
//! Three kinds of customer, as a clinic has them:
//! * **regular** — weekly, mostly on 10-session packages bought back to back, 3–4 services,
//!   happy (ratings 4–5), older;
//! * **occasional** — every 3–6 weeks, pays each visit, 1–2 services, lukewarm, younger; a
//!   few simply stop at a random day with no warning (the noise a real clinic has);
//! * **fading** — used to come almost weekly, often on packages, then the gaps grow for two
//!   to four months and they stop; their ratings drift down. Stop days are spread over the last eleven months so
//!   every churn window sees some of them go.

#![allow(dead_code)]

use chrono::{Duration, NaiveDate};
use clinicdesk_domain::history::{CustomerHistory, PurchaseFact, VisitFact};
use clinicdesk_domain::ServiceType;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub const SEED: u64 = 42;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Regular,
    Occasional,
    Fading,
}

pub struct Generator {
    rng: ChaCha8Rng,
    next_id: usize,
    today: NaiveDate,
}

fn services(rng: &mut ChaCha8Rng, n: usize) -> Vec<ServiceType> {
    let mut all = ServiceType::ALL.to_vec();
    all.shuffle(rng);
    all.truncate(n);
    all
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            next_id: 0,
            today: today(),
        }
    }

    fn base(&mut self, kind: Kind, registered_days_ago: i64, birth_year: i32) -> CustomerHistory {
        self.next_id += 1;
        CustomerHistory {
            customer_id: format!("{:?}-{:05}", kind, self.next_id),
            registered: self.today - Duration::days(registered_days_ago),
            birth_year: Some(birth_year),
            gender: None,
            membership_level: "basic".into(),
            preferred_services: vec![],
            visits: vec![],
            purchases: vec![],
        }
    }

    fn visit(
        &mut self,
        date: NaiveDate,
        service: ServiceType,
        from_package: bool,
        rating: Option<i64>,
    ) -> VisitFact {
        let info = service.info();
        VisitFact {
            date,
            hour: Some(self.rng.gen_range(9..20)),
            service,
            duration_minutes: info.duration_minutes,
            amount: if from_package { 0 } else { info.price },
            rating,
            from_package,
        }
    }

    pub fn regular(&mut self) -> CustomerHistory {
        let reg = self.rng.gen_range(400..1100);
        let birth = self.rng.gen_range(1961..1981);
        let mut h = self.base(Kind::Regular, reg, birth);
        let n_services = self.rng.gen_range(3..=4);
        let used = services(&mut self.rng, n_services);
        let mut day = h.registered + Duration::days(self.rng.gen_range(0..14));
        let mut left_in_package = 0;
        while day <= self.today {
            if left_in_package == 0 {
                h.purchases.push(PurchaseFact {
                    date: day,
                    package_id: format!("pkg-{}", h.purchases.len()),
                    package_name: "10회 패키지".into(),
                    price_paid: self.rng.gen_range(50..70) * 10_000,
                    total_sessions: 10,
                    services: used.clone(),
                });
                left_in_package = 10;
            }
            let from_package = self.rng.gen_bool(0.9);
            if from_package {
                left_in_package -= 1;
            }
            let service = used[self.rng.gen_range(0..used.len())];
            let rating = self.rng.gen_bool(0.7).then(|| self.rng.gen_range(4..=5));
            let v = self.visit(day, service, from_package, rating);
            h.visits.push(v);
            day += Duration::days(self.rng.gen_range(5..=9));
        }
        h
    }

    pub fn occasional(&mut self) -> CustomerHistory {
        let reg = self.rng.gen_range(300..900);
        let birth = self.rng.gen_range(1981..2001);
        let mut h = self.base(Kind::Occasional, reg, birth);
        let n_services = self.rng.gen_range(1..=2);
        let used = services(&mut self.rng, n_services);
        // 8 % quit suddenly somewhere in the last year.
        let stop = if self.rng.gen_bool(0.08) {
            self.today - Duration::days(self.rng.gen_range(20..365))
        } else {
            self.today
        };
        let mut day = h.registered + Duration::days(self.rng.gen_range(0..30));
        while day <= stop {
            let service = used[self.rng.gen_range(0..used.len())];
            let rating = self.rng.gen_bool(0.4).then(|| self.rng.gen_range(3..=5));
            let v = self.visit(day, service, false, rating);
            h.visits.push(v);
            day += Duration::days(self.rng.gen_range(21..=42));
        }
        h
    }

    pub fn fading(&mut self) -> CustomerHistory {
        // Stops between 330 and 20 days ago.
        let stop_ago = self.rng.gen_range(20..330);
        self.fading_stopping(stop_ago)
    }

    /// A fading customer whose last visit is about `stop_ago` days before today.
    pub fn fading_stopping(&mut self, stop_ago: i64) -> CustomerHistory {
        let reg = stop_ago + self.rng.gen_range(300..700);
        let birth = self.rng.gen_range(1966..1996);
        let mut h = self.base(Kind::Fading, reg, birth);
        let n_services = self.rng.gen_range(3..=4);
        let used = services(&mut self.rng, n_services);
        let stop = self.today - Duration::days(stop_ago);
        let fade_start = stop - Duration::days(self.rng.gen_range(60..120));
        let mut gap: f64 = self.rng.gen_range(5.0..9.0);
        let mut day = h.registered + Duration::days(self.rng.gen_range(0..14));
        let mut left_in_package = 0;
        while day <= stop {
            let on_package = left_in_package > 0 && self.rng.gen_bool(0.8);
            if day < fade_start && left_in_package == 0 && self.rng.gen_bool(0.5) {
                h.purchases.push(PurchaseFact {
                    date: day,
                    package_id: format!("pkg-{}", h.purchases.len()),
                    package_name: "5회 패키지".into(),
                    price_paid: self.rng.gen_range(20..30) * 10_000,
                    total_sessions: 5,
                    services: used.clone(),
                });
                left_in_package = 5;
            }
            if on_package {
                left_in_package -= 1;
            }
            let fading = day >= fade_start;
            let rating = self.rng.gen_bool(0.6).then(|| {
                if fading {
                    self.rng.gen_range(1..=3)
                } else {
                    self.rng.gen_range(3..=5)
                }
            });
            let service = used[self.rng.gen_range(0..used.len())];
            let v = self.visit(day, service, on_package, rating);
            h.visits.push(v);
            if fading {
                gap *= self.rng.gen_range(1.3..1.6);
            }
            day += Duration::days(gap.round() as i64);
        }
        h
    }

    pub fn of(&mut self, kind: Kind) -> CustomerHistory {
        match kind {
            Kind::Regular => self.regular(),
            Kind::Occasional => self.occasional(),
            Kind::Fading => self.fading(),
        }
    }
}

/// `per_kind` customers of each kind, interleaved, with their kinds.
pub fn clinic(seed: u64, per_kind: usize) -> (Vec<CustomerHistory>, Vec<Kind>) {
    let mut g = Generator::new(seed);
    let mut histories = Vec::with_capacity(per_kind * 3);
    let mut kinds = Vec::with_capacity(per_kind * 3);
    for _ in 0..per_kind {
        for kind in [Kind::Regular, Kind::Occasional, Kind::Fading] {
            histories.push(g.of(kind));
            kinds.push(kind);
        }
    }
    (histories, kinds)
}
