//! Synthetic clinic histories for the tests: groups of customers who combine services the way
//! real regulars do (lymph with red light, brain with pulse, the bike with pulse, everything
//! for VIPs), come on a usual weekday and hour, and buy the packages that fit — and, as the
//! control, customers who do everything at random.
#![allow(dead_code)]

use chrono::{Datelike, Duration, NaiveDate};
use clinicdesk_domain::history::{CustomerHistory, PurchaseFact, VisitFact};
use clinicdesk_domain::ServiceType::{self, *};
use clinicdesk_recommend::{Catalogue, PackageItem};
use std::collections::BTreeMap;

/// splitmix64: tiny, seedable and the same on every platform, so the synthetic data — and
/// therefore every figure the tests assert — never changes between runs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap_or_else(|_| panic!("bad test date {s}"))
}

pub const TODAY: &str = "2025-12-05";

pub fn today() -> NaiveDate {
    day(TODAY)
}

fn pkg(
    id: &str,
    name: &str,
    price: i64,
    validity_days: i64,
    s: &[(ServiceType, i64)],
) -> PackageItem {
    PackageItem {
        id: id.into(),
        name: name.into(),
        price,
        validity_days,
        sessions: s.iter().copied().collect(),
    }
}

/// The demo's seven templates plus a red-light package, so each customer group has two
/// packages that fit it.
pub fn catalogue() -> Catalogue {
    Catalogue::with_packages(vec![
        pkg(
            "premium",
            "프리미엄 케어",
            1_500_000,
            90,
            &[(Brain, 10), (Pulse, 10), (Lymph, 10), (Red, 10)],
        ),
        pkg(
            "brain20",
            "브레인 집중 20회",
            1_000_000,
            120,
            &[(Brain, 20)],
        ),
        pkg(
            "basic",
            "웰니스 베이직",
            550_000,
            60,
            &[(Brain, 4), (Pulse, 4), (Red, 4)],
        ),
        pkg("bike10", "AI 바이크 10회", 250_000, 60, &[(AiBike, 10)]),
        pkg("lymph10", "림프 케어 10회", 600_000, 90, &[(Lymph, 10)]),
        pkg(
            "pulse_red",
            "펄스·레드 콤보",
            650_000,
            90,
            &[(Pulse, 8), (Red, 8)],
        ),
        pkg(
            "vip",
            "VIP 올케어 연간",
            5_400_000,
            365,
            &[
                (Brain, 24),
                (Pulse, 24),
                (Lymph, 24),
                (Red, 24),
                (AiBike, 24),
            ],
        ),
        pkg("red10", "레드 테라피 10회", 350_000, 60, &[(Red, 10)]),
    ])
}

pub struct Group {
    pub services: &'static [ServiceType],
    pub packages: &'static [&'static str],
    pub weekday: u32,
    pub hour: u8,
    pub share: f64,
}

/// Lymph+red, brain+pulse, bike+pulse and VIPs who use everything.
pub const GROUPS: &[Group] = &[
    Group {
        services: &[Lymph, Red],
        packages: &["lymph10", "red10"],
        weekday: 1,
        hour: 10,
        share: 0.30,
    },
    Group {
        services: &[Brain, Pulse],
        packages: &["brain20", "basic"],
        weekday: 0,
        hour: 14,
        share: 0.30,
    },
    Group {
        services: &[AiBike, Pulse],
        packages: &["bike10", "pulse_red"],
        weekday: 4,
        hour: 18,
        share: 0.25,
    },
    Group {
        services: &[Brain, Pulse, Lymph, Red, AiBike],
        packages: &["premium", "vip"],
        weekday: 2,
        hour: 11,
        share: 0.15,
    },
];

/// The same clinic, except that lymph customers pair it with brain feedback.
pub const GROUPS_LYMPH_BRAIN: &[Group] = &[
    Group {
        services: &[Lymph, Brain],
        packages: &["lymph10", "brain20"],
        weekday: 1,
        hour: 10,
        share: 0.30,
    },
    Group {
        services: &[Red, Pulse],
        packages: &["red10", "pulse_red"],
        weekday: 0,
        hour: 14,
        share: 0.30,
    },
    Group {
        services: &[AiBike, Pulse],
        packages: &["bike10", "basic"],
        weekday: 4,
        hour: 18,
        share: 0.25,
    },
    Group {
        services: &[Brain, Pulse, Lymph, Red, AiBike],
        packages: &["premium", "vip"],
        weekday: 2,
        hour: 11,
        share: 0.15,
    },
];

fn weekday_on_or_after(d: NaiveDate, weekday: u32) -> NaiveDate {
    let cur = d.weekday().num_days_from_monday();
    d + Duration::days(((7 + weekday - cur) % 7) as i64)
}

pub fn structured(n: usize, seed: u64) -> Vec<CustomerHistory> {
    generate(n, seed, Some(GROUPS))
}

pub fn structured_with(n: usize, seed: u64, groups: &'static [Group]) -> Vec<CustomerHistory> {
    generate(n, seed, Some(groups))
}

/// No structure: every service, weekday, hour and package equally likely for everyone.
pub fn random(n: usize, seed: u64) -> Vec<CustomerHistory> {
    generate(n, seed, None)
}

struct Held {
    expiry: NaiveDate,
    remaining: BTreeMap<ServiceType, i64>,
}

fn generate(n: usize, seed: u64, groups: Option<&'static [Group]>) -> Vec<CustomerHistory> {
    let mut rng = Rng::new(seed);
    let cat = catalogue();
    let today = today();
    let mut out = Vec::with_capacity(n);
    for c in 0..n {
        let group = groups.map(|gs| {
            let mut x = rng.f64();
            let mut chosen = &gs[gs.len() - 1];
            for g in gs {
                if x < g.share {
                    chosen = g;
                    break;
                }
                x -= g.share;
            }
            chosen
        });
        let start = today - Duration::days(rng.range(120, 700));
        let (weekday, hour) = match group {
            Some(g) if rng.chance(0.8) => (g.weekday, g.hour),
            _ => (rng.below(6) as u32, rng.range(9, 19) as u8),
        };
        let weeks = if rng.chance(0.7) { 1 } else { 2 };
        // Each customer favours one of their group's services.
        let services: Vec<ServiceType> = match group {
            Some(g) => g.services.to_vec(),
            None => ServiceType::ALL.to_vec(),
        };
        let favourite = rng.below(services.len());
        let favour = if group.is_some() {
            rng.range(55, 80) as f64 / 100.0
        } else {
            0.0
        };
        let pick_service = |rng: &mut Rng| -> ServiceType {
            if group.is_none() || rng.chance(0.12) {
                return rng.pick(&ServiceType::ALL);
            }
            if rng.chance(favour) {
                services[favourite]
            } else {
                services[rng.below(services.len())]
            }
        };
        let packages: Vec<&str> = match group {
            Some(g) => g.packages.to_vec(),
            None => cat.packages.iter().map(|p| p.id.as_str()).collect(),
        };
        let fav_pkg = rng.below(packages.len());

        let mut visits = Vec::new();
        let mut purchases = Vec::new();
        let mut held: Vec<Held> = Vec::new();
        let mut next_purchase = start + Duration::days(rng.range(0, 20));
        let mut last_pkg: Option<&str> = None;
        let mut d = weekday_on_or_after(start, weekday);
        let max_visits = rng.range(4, 40) as usize;
        while d <= today && visits.len() < max_visits {
            // Structured customers buy again once a package has run out; random ones buy a
            // random package at random times. Tying random purchases to validity would itself
            // be structure: long packages would be over-represented among last purchases,
            // which a fixed most-popular list cannot follow.
            let buys = match group {
                Some(_) => next_purchase <= d && rng.chance(0.7),
                None => rng.chance(0.08),
            };
            if buys {
                let id = match (last_pkg, group) {
                    (_, Some(_)) if rng.chance(0.1) => rng.pick(
                        &cat.packages
                            .iter()
                            .map(|p| p.id.as_str())
                            .collect::<Vec<_>>(),
                    ),
                    (Some(l), Some(_)) if rng.chance(0.5) => l,
                    (_, Some(_)) => {
                        if rng.chance(0.75) {
                            packages[fav_pkg]
                        } else {
                            rng.pick(&packages)
                        }
                    }
                    (_, None) => rng.pick(&packages),
                };
                if let Some(p) = cat.packages.iter().find(|p| p.id == id) {
                    purchases.push(PurchaseFact {
                        date: d,
                        package_id: p.id.clone(),
                        package_name: p.name.clone(),
                        price_paid: p.price,
                        total_sessions: p.total_sessions(),
                        services: p.sessions.keys().copied().collect(),
                    });
                    held.push(Held {
                        expiry: d + Duration::days(p.validity_days),
                        remaining: p.sessions.clone(),
                    });
                    // The next purchase comes once this one has run out.
                    next_purchase = d + Duration::days(p.validity_days + rng.range(1, 30));
                    last_pkg = Some(id);
                }
            }
            let visit_day = if groups.is_some() && rng.chance(0.15) {
                d + Duration::days(rng.range(1, 2))
            } else if groups.is_none() {
                d + Duration::days(rng.range(0, 6))
            } else {
                d
            };
            if visit_day > today {
                break;
            }
            let n_services = if group.is_some() && services.len() >= 2 && rng.chance(0.3) {
                2
            } else {
                1
            };
            let mut taken: Vec<ServiceType> = Vec::new();
            for _ in 0..n_services {
                let s = pick_service(&mut rng);
                if !taken.contains(&s) {
                    taken.push(s);
                }
            }
            let h = if rng.chance(0.85) {
                hour
            } else {
                rng.range(9, 19) as u8
            };
            for s in taken {
                let from = held.iter_mut().find(|p| {
                    p.expiry >= visit_day && p.remaining.get(&s).copied().unwrap_or(0) > 0
                });
                let from_package = match from {
                    Some(p) => {
                        if let Some(r) = p.remaining.get_mut(&s) {
                            *r -= 1;
                        }
                        true
                    }
                    None => false,
                };
                visits.push(VisitFact {
                    date: visit_day,
                    hour: Some(h),
                    service: s,
                    duration_minutes: s.info().duration_minutes,
                    amount: if from_package { 0 } else { s.info().price },
                    rating: if rng.chance(0.3) {
                        Some(rng.range(3, 5))
                    } else {
                        None
                    },
                    from_package,
                });
            }
            d += Duration::days(7 * weeks);
        }
        visits.sort_by_key(|v| v.date);
        out.push(CustomerHistory {
            customer_id: format!("c{c:05}"),
            registered: start,
            birth_year: None,
            gender: None,
            membership_level: "basic".into(),
            preferred_services: Vec::new(),
            visits,
            purchases,
        });
    }
    out
}

pub fn customer(id: &str) -> CustomerHistory {
    CustomerHistory {
        customer_id: id.into(),
        registered: day("2025-01-01"),
        birth_year: None,
        gender: None,
        membership_level: "basic".into(),
        preferred_services: Vec::new(),
        visits: Vec::new(),
        purchases: Vec::new(),
    }
}

pub fn visit(date: &str, hour: u8, service: ServiceType) -> VisitFact {
    VisitFact {
        date: day(date),
        hour: Some(hour),
        service,
        duration_minutes: service.info().duration_minutes,
        amount: service.info().price,
        rating: None,
        from_package: false,
    }
}

pub fn package_visit(date: &str, hour: u8, service: ServiceType) -> VisitFact {
    VisitFact {
        amount: 0,
        from_package: true,
        ..visit(date, hour, service)
    }
}

pub fn purchase(date: &str, id: &str) -> PurchaseFact {
    let cat = catalogue();
    let p = cat
        .packages
        .iter()
        .find(|p| p.id == id)
        .unwrap_or_else(|| panic!("no test package {id}"));
    PurchaseFact {
        date: day(date),
        package_id: p.id.clone(),
        package_name: p.name.clone(),
        price_paid: p.price,
        total_sessions: p.total_sessions(),
        services: p.sessions.keys().copied().collect(),
    }
}

/// `n` visits of `service`, every `every` days, ending on `last`.
pub fn regular(last: &str, n: usize, every: i64, hour: u8, service: ServiceType) -> Vec<VisitFact> {
    let last = day(last);
    (0..n)
        .rev()
        .map(|k| {
            let d = last - Duration::days(every * k as i64);
            visit(&d.to_string(), hour, service)
        })
        .collect()
}
