//! The simulation: one customer at a time, from a seeded RNG of its own, a life at the
//! clinic — registration, visit rhythm, package purchases, sessions consumed from them,
//! paid single visits, cancellations and interactions — plus the roll-ups those facts imply.
//! Pure: no IO, no clock; everything is relative to `today`.

use crate::pools::*;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use clinicdesk_domain::customer::{CustomerRecord, HEALTH_INTERESTS, INTENSITIES, TIME_SLOTS};
use clinicdesk_domain::interaction::{FollowUp, InteractionRecord};
use clinicdesk_domain::package::{package_usage, PackageTemplate, Purchase, Sessions};
use clinicdesk_domain::ServiceType;
use clinicdesk_store::timestamp;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

/// The generator's only source of randomness: a ChaCha8 stream per customer (and one for the
/// templates), so customer `i` is the same whatever the total number of customers.
pub fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// A UUIDv7 for something created at `t`, its random bits from the seeded RNG.
pub fn id_at(rng: &mut ChaCha8Rng, t: DateTime<Utc>) -> String {
    let mut bytes = [0u8; 10];
    rng.fill(&mut bytes);
    uuid::Builder::from_unix_timestamp_millis(t.timestamp_millis().max(0) as u64, &bytes)
        .into_uuid()
        .to_string()
}

/// `date` at `minutes` past midnight UTC. The clinic opens 10:00–20:00 KST (01:00–11:00
/// UTC), so every instant generated stays on the same calendar date in both zones.
fn at(date: NaiveDate, minutes: i64) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0).expect("midnight").and_utc() + Duration::minutes(minutes)
}

fn weighted(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut x = rng.gen_range(0..total.max(1));
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    items.choose(rng).expect("non-empty pool")
}

/// Package templates with deterministic ids, created just before the data set's first day.
pub fn templates(seed: u64, today: NaiveDate) -> Vec<PackageTemplate> {
    let mut rng = rng_for(seed, u64::MAX);
    let created = at(today - Duration::days(760), 60);
    TEMPLATES
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let created = created + Duration::minutes(i as i64);
            PackageTemplate {
                id: id_at(&mut rng, created),
                name: t.name.to_string(),
                description: Some(t.description.to_string()),
                price: t.price,
                validity_days: t.validity_days,
                sessions: t.sessions.iter().copied().collect(),
                created_at: timestamp(created),
            }
        })
        .collect()
}

/// A visit row (service_sessions) with its cancellation, if it was cancelled.
#[derive(Debug, Clone)]
pub struct Visit {
    pub id: String,
    pub customer_id: String,
    pub service: ServiceType,
    pub date: NaiveDate,
    pub duration_minutes: i64,
    pub rating: Option<i64>,
    pub notes: Option<String>,
    pub staff: Option<String>,
    pub package_id: Option<String>,
    pub amount: i64,
    /// How a paid visit was paid (a package visit has none).
    pub payment_method: Option<String>,
    pub created_at: String,
    /// (reason, cancelled_at)
    pub cancelled: Option<(Option<String>, String)>,
}

/// The customer_stats row, exactly as `clinicdesk_store::stats::refresh_customer` computes it.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerStatsRow {
    pub customer_id: String,
    pub total_visits: i64,
    pub first_visit_date: Option<String>,
    pub last_visit_date: Option<String>,
    pub last_activity_date: String,
    pub total_revenue: i64,
    pub satisfaction_sum: i64,
    pub satisfaction_count: i64,
    pub last_interaction_at: Option<String>,
    pub interaction_count: i64,
    pub services_used: i64,
}

/// The purchase_stats row, exactly as `clinicdesk_store::stats::refresh_purchase` computes it.
#[derive(Debug, Clone, PartialEq)]
pub struct PurchaseStatsRow {
    pub purchase_id: String,
    pub customer_id: String,
    pub expiry_date: String,
    pub total_sessions: i64,
    pub used_sessions: i64,
    pub remaining_sessions: i64,
    pub overdrawn_sessions: i64,
}

/// Everything generated for one customer.
pub struct CustomerData {
    pub customer: CustomerRecord,
    pub purchases: Vec<Purchase>,
    pub visits: Vec<Visit>,
    pub interactions: Vec<InteractionRecord>,
    pub stats: CustomerStatsRow,
    pub purchase_stats: Vec<PurchaseStatsRow>,
}

/// How a customer relates to the clinic over the two years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Comes every week or so, still coming.
    Loyal,
    /// Came regularly, stopped more than 90 days ago (risk: danger).
    Lapsed,
    /// Came regularly, stopped 46–90 days ago (risk: warning).
    Fading,
    /// Comes once a month or so.
    Occasional,
    /// Registered in the last two months.
    New,
    /// One to three visits around registration, never again.
    OneTime,
    /// Registered (a phone enquiry, an event) and never visited.
    NoShow,
}

const KINDS: [(Kind, u32); 7] = [
    (Kind::Loyal, 26),
    (Kind::Lapsed, 22),
    (Kind::Fading, 8),
    (Kind::Occasional, 18),
    (Kind::New, 12),
    (Kind::OneTime, 11),
    (Kind::NoShow, 3),
];

struct Held {
    index: usize,
    purchase_date: NaiveDate,
    expiry: NaiveDate,
    remaining: Sessions,
}

fn not_sunday(d: NaiveDate) -> NaiveDate {
    if d.weekday() == Weekday::Sun {
        d - Duration::days(1)
    } else {
        d
    }
}

fn mobile(rng: &mut ChaCha8Rng) -> (u64, String) {
    let a = rng.gen_range(2000..=9999u64);
    let b = rng.gen_range(0..=9999u64);
    (a * 10_000 + b, format!("010-{a:04}-{b:04}"))
}

fn service_weights(preferred: &[ServiceType], candidates: &[ServiceType]) -> Vec<u32> {
    candidates
        .iter()
        .map(|s| {
            let base = match s {
                ServiceType::Brain => 30,
                ServiceType::Pulse => 25,
                ServiceType::Lymph => 20,
                ServiceType::Red => 15,
                ServiceType::AiBike => 10,
            };
            if preferred.contains(s) {
                base * 4
            } else {
                base
            }
        })
        .collect()
}

/// Generates customer number `index`. `phones` holds the mobile numbers already taken.
pub fn customer(
    seed: u64,
    index: u64,
    today: NaiveDate,
    templates: &[PackageTemplate],
    phones: &mut HashSet<u64>,
) -> CustomerData {
    let mut rng = rng_for(seed, index);
    let rng = &mut rng;
    let kind = KINDS[weighted(rng, &KINDS.map(|k| k.1))].0;

    // --- when they came -------------------------------------------------------------
    let days_ago = |n: i64| today - Duration::days(n);
    let (reg_ago, stop_ago): (i64, Option<i64>) = match kind {
        Kind::Loyal => (rng.gen_range(14..=730), None),
        Kind::Lapsed => {
            let stop = rng.gen_range(91..=560);
            (stop + rng.gen_range(20..=300).min(730 - stop), Some(stop))
        }
        Kind::Fading => {
            let stop = rng.gen_range(46..=90);
            (stop + rng.gen_range(30..=400).min(730 - stop), Some(stop))
        }
        Kind::Occasional => (rng.gen_range(30..=730), None),
        Kind::New => (rng.gen_range(0..=60), None),
        Kind::OneTime => (rng.gen_range(0..=730), None),
        Kind::NoShow => (rng.gen_range(0..=400), None),
    };
    let reg = not_sunday(days_ago(reg_ago)).max(days_ago(730));
    let stop = stop_ago.map(|s| not_sunday(days_ago(s)).max(reg));
    let created = at(reg, rng.gen_range(60..=600));

    // --- who they are ---------------------------------------------------------------
    let gender = ["female", "male", "other"][weighted(rng, &[62, 37, 1])];
    let decade = weighted(rng, &[6, 15, 24, 27, 22, 6]) as i64;
    let birth_year = (1950 + decade * 10 + rng.gen_range(0..10)).min(2005);
    let male = gender == "male" || (gender == "other" && rng.gen_bool(0.5));
    let pools = match (male, birth_year < 1975) {
        (true, false) => MALE_YOUNG,
        (true, true) => MALE_OLD,
        (false, false) => FEMALE_YOUNG,
        (false, true) => FEMALE_OLD,
    };
    let (surname, _, surname_en) =
        SURNAMES[weighted(rng, &SURNAMES.iter().map(|s| s.1).collect::<Vec<_>>())];
    let first = *pick(rng, pools.0);
    let second = loop {
        let s = *pick(rng, pools.1);
        if s != first && !ODD_NAMES.contains(&(first, s)) {
            break s;
        }
    };
    let name = format!("{surname}{first}{second}");
    let phone = loop {
        let (key, text) = mobile(rng);
        if phones.insert(key) {
            break text;
        }
    };
    let email = rng.gen_bool(0.45).then(|| {
        let given = format!("{}{}", romanize(first), romanize(second));
        let yy = birth_year % 100;
        let handle = match rng.gen_range(0..4) {
            0 => format!("{given}{surname_en}{yy:02}"),
            1 => format!("{surname_en}.{given}"),
            2 => format!("{given}_{surname_en}{}", rng.gen_range(1..100)),
            _ => format!(
                "{}{}{surname_en}{}",
                &romanize(first)[..1],
                &romanize(second)[..1],
                rng.gen_range(100..1000)
            ),
        };
        let domain =
            EMAIL_DOMAINS[weighted(rng, &EMAIL_DOMAINS.iter().map(|d| d.1).collect::<Vec<_>>())].0;
        format!("{handle}@{domain}")
    });
    let address = rng.gen_bool(0.8).then(|| {
        let (region, district, roads, _) =
            PLACES[weighted(rng, &PLACES.iter().map(|p| p.3).collect::<Vec<_>>())];
        let road = pick(rng, roads);
        if rng.gen_bool(0.3) {
            format!(
                "{region} {district} {road}{}길 {}",
                rng.gen_range(1..40),
                rng.gen_range(1..120)
            )
        } else {
            format!("{region} {district} {road} {}", rng.gen_range(1..450))
        }
    });
    let emergency_contact = rng.gen_bool(0.35).then(|| mobile(rng).1);
    let occupation = rng.gen_bool(0.85).then(|| loop {
        let o = OCCUPATIONS[weighted(rng, &OCCUPATIONS.iter().map(|o| o.1).collect::<Vec<_>>())].0;
        let fits = match o {
            "대학생" | "대학원생" => birth_year >= 1994,
            "은퇴" => birth_year <= 1964,
            "주부" => !male,
            _ => birth_year <= 2002,
        };
        if fits {
            break o.to_string();
        }
    });
    let membership_weights = match kind {
        Kind::Loyal => [50, 35, 15],
        Kind::Lapsed | Kind::Fading | Kind::Occasional => [78, 18, 4],
        _ => [90, 9, 1],
    };
    let membership = weighted(rng, &membership_weights);
    let mut preferred: Vec<ServiceType> = Vec::new();
    if rng.gen_bool(0.85) {
        for _ in 0..rng.gen_range(1..=3) {
            let s = ServiceType::ALL[weighted(rng, &service_weights(&[], &ServiceType::ALL))];
            if !preferred.contains(&s) {
                preferred.push(s);
            }
        }
        preferred.sort();
    }
    let mut health_interests: Vec<String> = Vec::new();
    for _ in 0..weighted(rng, &[30, 35, 25, 10]) {
        let h = pick(rng, &HEALTH_INTERESTS).to_string();
        if !health_interests.contains(&h) {
            health_interests.push(h);
        }
    }
    let mut slots: Vec<String> = Vec::new();
    if rng.gen_bool(0.9) {
        for _ in 0..rng.gen_range(1..=2) {
            let s = pick(rng, &TIME_SLOTS).to_string();
            if !slots.contains(&s) {
                slots.push(s);
            }
        }
    }
    let mut channels: Vec<String> = Vec::new();
    if rng.gen_bool(0.9) {
        for _ in 0..rng.gen_range(1..=2) {
            let c = ["kakao", "phone", "sms", "email"]
                [weighted(rng, &[60, 20, 15, if email.is_some() { 10 } else { 0 }])];
            if !channels.iter().any(|x| x == c) {
                channels.push(c.to_string());
            }
        }
    }
    let assigned_staff = rng.gen_bool(0.7).then(|| pick(rng, STAFF).to_string());
    // Registration needs the privacy consent; the draw stays so every later draw of a seed, and
    // so the data set, is what it was.
    let _ = rng.gen_bool(0.96);
    let consent_marketing = rng.gen_bool(0.55);
    let consent_health_data = rng.gen_bool(0.7);
    let created_at = timestamp(created);
    let customer_id = id_at(rng, created);
    let mut c = CustomerRecord::new(customer_id.clone(), &created_at);
    c.name = name;
    c.phone = Some(phone);
    c.email = email;
    c.birth_year = Some(birth_year);
    c.gender = (rng.gen_range(0..100) < 97).then(|| gender.to_string());
    c.address = address;
    c.emergency_contact = emergency_contact;
    c.occupation = occupation;
    c.membership_level = ["basic", "premium", "vip"][membership].to_string();
    c.health_goals = rng
        .gen_bool(0.55)
        .then(|| pick(rng, HEALTH_GOALS).to_string());
    c.health_interests = health_interests;
    c.preferred_intensity = rng
        .gen_bool(0.65)
        .then(|| pick(rng, &INTENSITIES).to_string());
    c.preferred_time_slots = slots;
    c.preferred_services = preferred.iter().map(|s| s.as_str().to_string()).collect();
    c.assigned_staff = assigned_staff.clone();
    c.memo = rng.gen_bool(0.12).then(|| pick(rng, MEMOS).to_string());
    c.preferred_channels = channels;
    c.contact_time = rng
        .gen_bool(0.6)
        .then(|| pick(rng, &TIME_SLOTS).to_string());
    c.consent_privacy = true;
    c.consent_marketing = consent_marketing;
    c.consent_health_data = consent_health_data;
    if !consent_health_data {
        // Health data is kept only on its own consent (see `customer::apply_patch`).
        c.health_goals = None;
        c.health_interests.clear();
        c.preferred_intensity = None;
    }
    c.consent_updated_at = Some(created_at.clone());

    // --- visit days -----------------------------------------------------------------
    let end = stop.unwrap_or(today);
    let interval = match kind {
        Kind::Loyal => rng.gen_range(7..=14),
        Kind::Lapsed | Kind::Fading => rng.gen_range(7..=15),
        Kind::Occasional => rng.gen_range(20..=40),
        Kind::New => rng.gen_range(4..=9),
        Kind::OneTime | Kind::NoShow => 0,
    } as f64;
    let mut days: Vec<NaiveDate> = Vec::new();
    match kind {
        Kind::NoShow => {}
        Kind::OneTime => {
            let mut d = reg;
            for _ in 0..weighted(rng, &[0, 55, 30, 15]) {
                if d > today {
                    break;
                }
                days.push(d);
                d = not_sunday(d + Duration::days(rng.gen_range(3..=12)) + Duration::days(1));
            }
        }
        _ => {
            let mut d = if rng.gen_bool(0.85) {
                reg
            } else {
                reg + Duration::days(rng.gen_range(1..=7))
            };
            while d <= end {
                if d.weekday() != Weekday::Sun {
                    days.push(d);
                }
                let mut gap = (interval * rng.gen_range(0.6..1.4)).round().max(1.0) as i64;
                if rng.gen_bool(0.04) {
                    gap += rng.gen_range(14..=30); // a holiday, a cold, a business trip
                }
                d += Duration::days(gap);
            }
            if let Some(stop) = stop {
                if days.last().is_none_or(|l| *l < stop) && stop.weekday() != Weekday::Sun {
                    days.push(stop);
                }
            }
        }
    }

    // --- visits and purchases -------------------------------------------------------
    let (first_buy, renew) = match kind {
        Kind::Loyal => (0.55, 0.25),
        Kind::Lapsed | Kind::Fading => (0.35, 0.18),
        Kind::Occasional => (0.06, 0.04),
        Kind::New => (0.35, 0.25),
        Kind::OneTime => (0.06, 0.0),
        Kind::NoShow => (0.0, 0.0),
    };
    let unhappy = kind == Kind::Lapsed && rng.gen_bool(0.4);
    let mut purchases: Vec<Purchase> = Vec::new();
    let mut held: Vec<Held> = Vec::new();
    let mut visits: Vec<Visit> = Vec::new();
    let fallback_services: Vec<ServiceType> = if preferred.is_empty() {
        ServiceType::ALL.to_vec()
    } else {
        preferred.clone()
    };
    for (day_no, d) in days.iter().copied().enumerate() {
        let mut clock = rng.gen_range(60..=480) / 10 * 10; // minutes past 00:00 UTC = 09:00 KST + …
        let mut done: Vec<ServiceType> = Vec::new();
        let mut planned = 1;
        for slot in 0..3 {
            let usable = |held: &[Held], done: &[ServiceType]| {
                held.iter()
                    .enumerate()
                    .filter(|(_, h)| h.purchase_date <= d && d <= h.expiry)
                    .filter(|(_, h)| h.remaining.iter().any(|(s, n)| *n > 0 && !done.contains(s)))
                    .min_by_key(|(_, h)| h.expiry)
                    .map(|(i, _)| i)
            };
            let mut package = usable(&held, &done);
            if slot == 0 {
                if package.is_none()
                    && rng.gen_bool(if purchases.is_empty() {
                        first_buy
                    } else {
                        renew
                    })
                {
                    let weights: Vec<u32> = TEMPLATES
                        .iter()
                        .map(|t| {
                            let covers = t.sessions.iter().any(|(s, _)| preferred.contains(s));
                            t.weights[membership] * if covers { 3 } else { 1 }
                        })
                        .collect();
                    let t = &templates[weighted(rng, &weights)];
                    let bought_at = at(d, clock);
                    let discounted = rng.gen_bool(0.25);
                    let price_paid = if discounted {
                        let pct = *pick(rng, &[5, 10, 15, 20]);
                        (t.price * (100 - pct) / 100) / 10_000 * 10_000
                    } else {
                        t.price
                    };
                    let p = Purchase {
                        id: id_at(rng, bought_at),
                        customer_id: customer_id.clone(),
                        package_id: t.id.clone(),
                        package_name: t.name.clone(),
                        purchase_date: d,
                        expiry_date: d + Duration::days(t.validity_days),
                        price_paid,
                        payment_method: Some(
                            PAYMENT_METHODS[weighted(
                                rng,
                                &PAYMENT_METHODS.iter().map(|p| p.1).collect::<Vec<_>>(),
                            )]
                            .0
                            .to_string(),
                        ),
                        notes: discounted.then(|| {
                            let note = *pick(rng, PURCHASE_NOTES);
                            match note {
                                "VIP 회원 할인" if membership != 2 => "오픈 기념 프로모션",
                                "재구매 할인 적용" if purchases.is_empty() => {
                                    "지인 소개 이벤트 할인"
                                }
                                other => other,
                            }
                            .to_string()
                        }),
                        sessions: t.sessions.clone(),
                        created_at: timestamp(bought_at),
                        cancellation: None,
                    };
                    held.push(Held {
                        index: purchases.len(),
                        purchase_date: p.purchase_date,
                        expiry: p.expiry_date,
                        remaining: p.sessions.clone(),
                    });
                    purchases.push(p);
                    package = usable(&held, &done);
                }
                planned = if package.is_some() {
                    1 + weighted(rng, &[55, 35, 10])
                } else {
                    1 + weighted(rng, &[92, 8])
                };
            }
            if slot >= planned {
                break;
            }
            let (service, package_id) = match package {
                Some(h) => {
                    let candidates: Vec<ServiceType> = held[h]
                        .remaining
                        .iter()
                        .filter(|(s, n)| **n > 0 && !done.contains(s))
                        .map(|(s, _)| *s)
                        .collect();
                    let s = candidates[weighted(rng, &service_weights(&preferred, &candidates))];
                    (s, Some(h))
                }
                None => {
                    let candidates: Vec<ServiceType> = fallback_services
                        .iter()
                        .chain(ServiceType::ALL.iter())
                        .copied()
                        .filter(|s| !done.contains(s))
                        .collect();
                    let s = candidates[weighted(rng, &service_weights(&preferred, &candidates))];
                    (s, None)
                }
            };
            done.push(service);
            let info = service.info();
            let duration = if rng.gen_bool(0.8) {
                info.duration_minutes
            } else {
                info.duration_minutes + *pick(rng, &[-10, -5, 5, 10])
            };
            let recorded = at(d, clock + duration);
            clock += duration + rng.gen_range(5..=20);
            let cancelled = rng.gen_bool(0.015).then(|| {
                let reason = rng
                    .gen_bool(0.85)
                    .then(|| pick(rng, CANCEL_REASONS).to_string());
                (
                    reason,
                    timestamp(recorded + Duration::minutes(rng.gen_range(10..=180))),
                )
            });
            if let (Some(h), None) = (package_id, &cancelled) {
                *held[h]
                    .remaining
                    .get_mut(&service)
                    .expect("candidate service") -= 1;
            }
            let rating = rng.gen_bool(0.85).then(|| {
                let w = if unhappy {
                    [5, 10, 25, 35, 25]
                } else {
                    [2, 3, 10, 35, 50]
                };
                weighted(rng, &w) as i64 + 1
            });
            let notes = if day_no == 0 && slot == 0 && rng.gen_bool(0.5) {
                Some("첫 방문 - 서비스 안내 및 초기 상담 완료".to_string())
            } else if rng.gen_bool(0.2) {
                Some(
                    if rng.gen_bool(0.7) {
                        pick(rng, visit_notes(service))
                    } else {
                        pick(rng, VISIT_NOTES_GENERIC)
                    }
                    .to_string(),
                )
            } else {
                None
            };
            let staff = match &assigned_staff {
                Some(s) if rng.gen_bool(0.65) => s.clone(),
                _ => pick(rng, STAFF).to_string(),
            };
            visits.push(Visit {
                id: id_at(rng, recorded),
                customer_id: customer_id.clone(),
                service,
                date: d,
                duration_minutes: duration,
                rating,
                notes,
                staff: Some(staff),
                package_id: package_id.map(|h| purchases[held[h].index].id.clone()),
                amount: if package_id.is_some() { 0 } else { info.price },
                // Card three times in five, cash and transfer once each; taken from the
                // position, not the generator, so every other demo value stays as it was.
                payment_method: package_id.is_none().then(|| {
                    ["card", "card", "card", "cash", "transfer"][visits.len() % 5].to_string()
                }),
                created_at: timestamp(recorded),
                cancelled,
            });
        }
    }

    // --- interactions ---------------------------------------------------------------
    let mut interactions: Vec<InteractionRecord> = Vec::new();
    let p_contact = match kind {
        Kind::Loyal => 0.55,
        Kind::Lapsed | Kind::Fading => 0.7,
        Kind::Occasional => 0.35,
        Kind::New => 0.5,
        Kind::OneTime => 0.3,
        Kind::NoShow => 0.45,
    };
    let last_day = today - Duration::days(1);
    if reg <= last_day && rng.gen_bool(p_contact) {
        let n = 1 + weighted(rng, &[45, 30, 15, 10]);
        for k in 0..n {
            // After a regular stops coming, the clinic calls to invite them back.
            let winback = k == 0 && stop.is_some_and(|s| s + Duration::days(14) <= last_day);
            let (date, kind_index, note) = if winback {
                let s = stop.expect("stopped");
                let latest = (s + Duration::days(75)).min(last_day);
                let date = s + Duration::days(rng.gen_range(14..=(latest - s).num_days().max(14)));
                (date, 0, "재방문 권유 전화".to_string())
            } else {
                let span = (last_day - reg).num_days();
                let mut date = reg + Duration::days(rng.gen_range(0..=span));
                let mut i = weighted(rng, &INTERACTIONS.iter().map(|x| x.1).collect::<Vec<_>>());
                if matches!(INTERACTIONS[i].0, "visit_note" | "complaint") {
                    // About a visit: on a visit day, or a call for someone who never came.
                    let past: Vec<NaiveDate> =
                        days.iter().copied().filter(|v| *v <= last_day).collect();
                    match past.choose(rng) {
                        Some(v) => date = *v,
                        None => i = 0,
                    }
                }
                (date, i, pick(rng, INTERACTIONS[i].2).to_string())
            };
            let (itype, _, _, outcomes) = INTERACTIONS[kind_index];
            let occurred = at(date, rng.gen_range(60..=600));
            let duration = match itype {
                "call" => Some(rng.gen_range(2..=15)),
                "message" => None,
                "consultation" => Some(rng.gen_range(20..=60)),
                "visit_note" => None,
                _ => Some(rng.gen_range(5..=30)),
            };
            let follow_up = (rng.gen_bool(0.3) || itype == "complaint").then(|| {
                let (fkind, fnotes) = FOLLOW_UP_NOTES[weighted(rng, &[40, 20, 25, 15])];
                FollowUp {
                    required: true,
                    date: Some(at(date + Duration::days(rng.gen_range(1..=14)), 60)),
                    kind: Some(fkind.to_string()),
                    notes: Some(pick(rng, fnotes).to_string()),
                }
            });
            interactions.push(InteractionRecord {
                id: id_at(rng, occurred),
                customer_id: customer_id.clone(),
                interaction_type: itype.to_string(),
                occurred_at: occurred,
                duration_minutes: duration,
                notes: Some(note),
                outcome: rng.gen_bool(0.85).then(|| pick(rng, outcomes).to_string()),
                staff_name: Some(pick(rng, STAFF).to_string()),
                follow_up,
                created_at: timestamp(occurred),
            });
        }
    }

    // --- status and the occasional profile edit ----------------------------------------
    let live: Vec<&Visit> = visits.iter().filter(|v| v.cancelled.is_none()).collect();
    let last_visit = live.iter().map(|v| v.date).max();
    let idle = (today - last_visit.unwrap_or(reg)).num_days();
    c.customer_status = if idle > 180 {
        ["dormant", "inactive", "active"][weighted(rng, &[60, 25, 15])]
    } else if idle > 90 {
        ["inactive", "active"][weighted(rng, &[40, 60])]
    } else {
        "active"
    }
    .to_string();
    if rng.gen_bool(0.25) {
        let span = (today - reg).num_days();
        let edited = at(
            reg + Duration::days(rng.gen_range(0..=span)),
            rng.gen_range(60..=600),
        );
        c.updated_at = timestamp(edited.max(created));
    }

    // --- roll-ups ---------------------------------------------------------------------
    let ratings: Vec<i64> = live.iter().filter_map(|v| v.rating).collect();
    let stats = CustomerStatsRow {
        customer_id: customer_id.clone(),
        total_visits: live.len() as i64,
        first_visit_date: live.iter().map(|v| v.date).min().map(|d| d.to_string()),
        last_visit_date: last_visit.map(|d| d.to_string()),
        last_activity_date: last_visit
            .map(|d| d.to_string())
            .unwrap_or_else(|| created_at.chars().take(10).collect()),
        total_revenue: live.iter().map(|v| v.amount).sum::<i64>()
            + purchases.iter().map(|p| p.price_paid).sum::<i64>(),
        satisfaction_sum: ratings.iter().sum(),
        satisfaction_count: ratings.len() as i64,
        last_interaction_at: interactions.iter().map(|i| i.created_at.clone()).max(),
        interaction_count: interactions.len() as i64,
        services_used: {
            let mut used: Vec<ServiceType> = live.iter().map(|v| v.service).collect();
            used.sort();
            used.dedup();
            used.into_iter()
                .map(clinicdesk_domain::search::service_bit)
                .sum()
        },
    };
    let purchase_stats = purchases
        .iter()
        .map(|p| {
            let mut used = Sessions::new();
            for v in live
                .iter()
                .filter(|v| v.package_id.as_deref() == Some(p.id.as_str()))
            {
                *used.entry(v.service).or_default() += 1;
            }
            let u = package_usage(p, &used, today);
            PurchaseStatsRow {
                purchase_id: p.id.clone(),
                customer_id: p.customer_id.clone(),
                expiry_date: p.expiry_date.to_string(),
                total_sessions: p.total_sessions(),
                used_sessions: u.used_sessions,
                remaining_sessions: u.remaining_sessions,
                overdrawn_sessions: u.overdrawn_sessions,
            }
        })
        .collect();

    CustomerData {
        customer: c,
        purchases,
        visits,
        interactions,
        stats,
        purchase_stats,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clinicdesk_domain::customer::{CUSTOMER_STATUSES, GENDERS, MEMBERSHIP_LEVELS};
    use clinicdesk_domain::ids::is_valid_id;
    use clinicdesk_domain::package::package_status;
    use clinicdesk_domain::stats::risk_level;
    use std::collections::{BTreeSet, HashMap};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn generate(seed: u64, n: u64, today: NaiveDate) -> Vec<CustomerData> {
        let templates = templates(seed, today);
        let mut phones = HashSet::new();
        (0..n)
            .map(|i| customer(seed, i, today, &templates, &mut phones))
            .collect()
    }

    #[test]
    fn same_seed_same_customers_and_independent_of_the_total() {
        let today = d("2024-06-01");
        let a = generate(7, 50, today);
        let b = generate(7, 80, today);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.customer, y.customer);
            assert_eq!(x.purchases, y.purchases);
            assert_eq!(x.stats, y.stats);
        }
        let c = generate(8, 50, today);
        assert_ne!(
            a.iter().map(|x| &x.customer.name).collect::<Vec<_>>(),
            c.iter().map(|x| &x.customer.name).collect::<Vec<_>>()
        );
        assert_eq!(templates(7, today), templates(7, today));
    }

    #[test]
    fn packages_are_never_overdrawn_nor_used_outside_their_window() {
        for today in [d("2024-06-01"), d("2025-02-28"), d("2027-12-31")] {
            let data = generate(20240601, 2000, today);
            let mut statuses = BTreeSet::new();
            let mut risks = BTreeSet::new();
            let (mut visits, mut purchases) = (0, 0);
            for c in &data {
                visits += c.visits.len();
                purchases += c.purchases.len();
                for p in &c.purchases {
                    assert!(
                        p.purchase_date <= today && p.purchase_date >= today - Duration::days(730)
                    );
                    let mut used = Sessions::new();
                    for v in c
                        .visits
                        .iter()
                        .filter(|v| v.package_id.as_deref() == Some(p.id.as_str()))
                    {
                        assert!(
                            v.date >= p.purchase_date && v.date <= p.expiry_date,
                            "visit outside the package window"
                        );
                        assert!(
                            p.sessions.contains_key(&v.service),
                            "service not in the package"
                        );
                        assert_eq!(v.amount, 0);
                        if v.cancelled.is_none() {
                            *used.entry(v.service).or_default() += 1;
                        }
                    }
                    for (s, n) in &used {
                        assert!(
                            *n <= p.sessions[s],
                            "over-consumed {s:?}: {n} of {}",
                            p.sessions[s]
                        );
                    }
                    let u = package_usage(p, &used, today);
                    assert_eq!(u.overdrawn_sessions, 0);
                    statuses.insert(package_status(
                        p.expiry_date,
                        p.total_sessions(),
                        u.remaining_sessions,
                        today,
                    ));
                }
                for v in &c.visits {
                    assert!(v.date <= today);
                    assert!(
                        v.created_at.starts_with(&v.date.to_string()),
                        "recorded on its own day"
                    );
                    if v.package_id.is_none() {
                        assert_eq!(v.amount, v.service.info().price);
                    }
                    assert!(v.rating.is_none_or(|r| (1..=5).contains(&r)));
                }
                let registered = clinicdesk_domain::customer::created_date(&c.customer.created_at);
                let last = c.stats.last_visit_date.as_deref().map(d);
                risks.insert(risk_level(last, registered, today));
                assert!(c
                    .stats
                    .first_visit_date
                    .as_deref()
                    .is_none_or(|f| f >= &c.customer.created_at[..10]));
            }
            assert_eq!(statuses.len(), 3, "{today}: {statuses:?}");
            assert_eq!(risks.len(), 3, "{today}: {risks:?}");
            let (v, p) = (visits as f64 / 2000.0, purchases as f64 / 2000.0);
            assert!((17.0..24.0).contains(&v), "{v} visits per customer");
            assert!((1.3..1.8).contains(&p), "{p} purchases per customer");
        }
    }

    /// The desktop seeds 300 customers relative to whatever day it first runs: every such
    /// day must give packages in each status and customers at each risk level.
    #[test]
    fn a_300_customer_demo_has_every_status_and_risk_on_any_day() {
        let seed = 20240601;
        let mut day = d("2024-01-03");
        while day < d("2026-01-01") {
            let data = generate(seed, 300, day);
            let mut statuses: HashMap<&str, usize> = HashMap::new();
            let mut risks: HashMap<&str, usize> = HashMap::new();
            for c in &data {
                for (p, s) in c.purchases.iter().zip(&c.purchase_stats) {
                    *statuses
                        .entry(package_status(
                            p.expiry_date,
                            s.total_sessions,
                            s.remaining_sessions,
                            day,
                        ))
                        .or_default() += 1;
                }
                let registered = clinicdesk_domain::customer::created_date(&c.customer.created_at);
                *risks
                    .entry(risk_level(
                        c.stats.last_visit_date.as_deref().map(d),
                        registered,
                        day,
                    ))
                    .or_default() += 1;
            }
            for status in ["active", "expiring", "expired"] {
                assert!(
                    statuses.get(status).copied().unwrap_or(0) >= 5,
                    "{day}: {statuses:?}"
                );
            }
            for level in ["stable", "warning", "danger"] {
                assert!(
                    risks.get(level).copied().unwrap_or(0) >= 10,
                    "{day}: {risks:?}"
                );
            }
            day += Duration::days(37);
        }
    }

    #[test]
    fn customers_use_only_allowed_values() {
        let data = generate(1, 1000, d("2024-06-01"));
        let mut phones = HashSet::new();
        for c in &data {
            let r = &c.customer;
            assert!(is_valid_id(&r.id));
            assert!(
                r.name.chars().count() >= 3 && r.name.chars().all(|ch| ('가'..='힣').contains(&ch)),
                "{}",
                r.name
            );
            let phone = r.phone.as_deref().unwrap();
            assert!(phone.len() == 13 && phone.starts_with("010-"), "{phone}");
            assert!(phones.insert(phone.to_string()), "duplicate phone {phone}");
            assert!(r.birth_year.is_some_and(|y| (1950..=2005).contains(&y)));
            assert!(r.gender.as_deref().is_none_or(|g| GENDERS.contains(&g)));
            assert!(MEMBERSHIP_LEVELS.contains(&r.membership_level.as_str()));
            assert!(CUSTOMER_STATUSES.contains(&r.customer_status.as_str()));
            assert!(r
                .health_interests
                .iter()
                .all(|h| HEALTH_INTERESTS.contains(&h.as_str())));
            assert!(r
                .preferred_intensity
                .as_deref()
                .is_none_or(|i| INTENSITIES.contains(&i)));
            assert!(r
                .preferred_time_slots
                .iter()
                .all(|s| TIME_SLOTS.contains(&s.as_str())));
            assert!(r
                .preferred_services
                .iter()
                .all(|s| ServiceType::parse(s).is_some()));
            assert!(r
                .preferred_channels
                .iter()
                .all(|s| clinicdesk_domain::customer::CHANNELS.contains(&s.as_str())));
            assert!(r
                .contact_time
                .as_deref()
                .is_none_or(|t| TIME_SLOTS.contains(&t)));
            assert!(r
                .email
                .as_deref()
                .is_none_or(|e| e.contains('@') && e.is_ascii()));
            for i in &c.interactions {
                assert!(clinicdesk_domain::interaction::INTERACTION_TYPES
                    .contains(&i.interaction_type.as_str()));
                assert!(i.follow_up.as_ref().is_none_or(|f| {
                    f.kind.as_deref().is_some_and(|k| {
                        clinicdesk_domain::interaction::FOLLOW_UP_TYPES.contains(&k)
                    })
                }));
                assert!(is_valid_id(&i.id));
            }
        }
        let vip = data
            .iter()
            .filter(|c| c.customer.membership_level == "vip")
            .count();
        let basic = data
            .iter()
            .filter(|c| c.customer.membership_level == "basic")
            .count();
        assert!(
            basic > 600 && vip > 20 && vip < 150,
            "basic {basic}, vip {vip}"
        );
        let kakao = data
            .iter()
            .filter(|c| {
                c.customer
                    .preferred_channels
                    .first()
                    .is_some_and(|x| x == "kakao")
            })
            .count();
        assert!(kakao > 400);
    }
}
