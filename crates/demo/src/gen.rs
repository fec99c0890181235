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
    /// Their life cycle and habit group: not stored (the clinic does not know them); counted
    /// in the `demo.seed` audit event and checked by the tests.
    pub kind: Kind,
    pub habit: Habit,
    pub customer: CustomerRecord,
    pub purchases: Vec<Purchase>,
    pub visits: Vec<Visit>,
    pub interactions: Vec<InteractionRecord>,
    pub stats: CustomerStatsRow,
    pub purchase_stats: Vec<PurchaseStatsRow>,
}

/// How a customer relates to the clinic over the two years: *when* they come (their life
/// cycle). *What* they come for and *how* is their [`Habit`], drawn separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Comes every week or so, still coming.
    Loyal,
    /// Came regularly, stopped more than 90 days ago (risk: danger). Most slowed down first.
    Lapsed,
    /// Came regularly, stopped 46–90 days ago (risk: warning). Most slowed down first.
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

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Loyal => "loyal",
            Kind::Lapsed => "lapsed",
            Kind::Fading => "fading",
            Kind::Occasional => "occasional",
            Kind::New => "new",
            Kind::OneTime => "one_time",
            Kind::NoShow => "no_show",
        }
    }
}

const KINDS: [(Kind, u32); 7] = [
    (Kind::Loyal, 25),
    (Kind::Lapsed, 22),
    (Kind::Fading, 8),
    (Kind::Occasional, 22),
    // New customers arrive at about the rate the others did over the two years (the other
    // kinds rarely register in the last two months): more would be a sudden growth spurt at
    // the end of the data, which every forecast would read as a trend.
    (Kind::New, 5),
    (Kind::OneTime, 15),
    (Kind::NoShow, 3),
];

/// What a customer comes for and how: the demo clinic's habit groups, each with its own
/// services, rhythm, weekdays, hours, age and spend. Without them every customer would be a
/// draw from one distribution: the segments would be arbitrary cuts through one cloud, the
/// recommender would have nothing to learn that the most popular items do not already give,
/// and the visit heat-map would be flat. (How far the segmentation separates them is measured,
/// not assumed: docs/ANALYTICS.md.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Habit {
    /// 단골 루틴: one or two core services on one or two fixed weekdays, every week or so, in
    /// the daytime, from the single-service package that covers them, renewed as it runs out.
    Routine,
    /// 퇴근 후·주말: Saturdays and weekday evenings (from 18:00), every two weeks or so, one or
    /// two of the active services (AI bike, pulse, red), mostly paid per visit; younger.
    AfterWork,
    /// 프리미엄 패키지: buys the large multi-service packages (프리미엄 케어, VIP 올케어), takes
    /// two or three services a visit on weekday mornings, uses every service: high spend;
    /// older, mostly premium or VIP members.
    Premium,
    /// 가끔 한 번: a paid single service now and then (or once or twice ever), any open day.
    Casual,
}

impl Habit {
    pub fn as_str(self) -> &'static str {
        match self {
            Habit::Routine => "routine",
            Habit::AfterWork => "after_work",
            Habit::Premium => "premium",
            Habit::Casual => "casual",
        }
    }

    /// Which habit a customer of this life cycle has: regulars (still coming or not) are the
    /// first three; occasional, one-time and never-seen customers are casual.
    fn draw(kind: Kind, rng: &mut ChaCha8Rng) -> Habit {
        const HABITS: [Habit; 4] = [
            Habit::Routine,
            Habit::AfterWork,
            Habit::Premium,
            Habit::Casual,
        ];
        let w: [u32; 4] = match kind {
            Kind::Loyal => [40, 30, 30, 0],
            Kind::Lapsed | Kind::Fading => [45, 40, 15, 0],
            Kind::New => [40, 35, 10, 15],
            Kind::Occasional | Kind::OneTime | Kind::NoShow => [0, 0, 0, 1],
        };
        HABITS[weighted(rng, &w)]
    }
}

/// The services of a routine and the package that covers them (by template name).
const ROUTINES: [(&[ServiceType], &str, u32); 4] = [
    (&[ServiceType::Brain], "브레인 집중 20회", 35),
    (&[ServiceType::Lymph], "림프 케어 10회", 20),
    (
        &[ServiceType::Pulse, ServiceType::Red],
        "펄스·레드 콤보",
        25,
    ),
    (
        &[ServiceType::AiBike, ServiceType::Pulse],
        "AI 바이크 10회",
        20,
    ),
];

/// Popularity of each service across the clinic (`ServiceType::ALL` order), for customers
/// without a routine of their own.
const SERVICE_POPULARITY: [u32; 5] = [30, 25, 20, 15, 10];

/// A customer's habits in numbers, drawn once from their [`Habit`].
struct Habits {
    /// The services they come for (a routine's core; the most likely ones otherwise).
    core: Vec<ServiceType>,
    /// Relative weight of each service, `ServiceType::ALL` order.
    mix: [u32; 5],
    /// Relative weight of each weekday as a visit day, Monday first; Sunday is 0 (closed).
    weekdays: [u32; 7],
    /// Mean days between visit days.
    interval: f64,
    /// Chance of buying a package on a visit day without a usable one: (first, later).
    buy: (f64, f64),
    /// Purchase weight of each template (`TEMPLATES` order).
    templates: Vec<u32>,
    /// Weights for one, two or three services in a visit.
    per_visit: [u32; 3],
    /// When the first service starts, minutes past 00:00 UTC (KST − 9 h), on weekdays and on
    /// Saturdays.
    weekday_start: (i64, i64),
    saturday_start: (i64, i64),
    /// `preferred_time_slots` they state.
    slots: &'static [&'static str],
    /// Weights of the ratings 1–5 they give: the committed groups are the more satisfied.
    ratings: [u32; 5],
}

fn service_index(s: ServiceType) -> usize {
    ServiceType::ALL
        .iter()
        .position(|x| *x == s)
        .expect("a known service")
}

fn template_weights(f: impl Fn(&str) -> u32) -> Vec<u32> {
    TEMPLATES.iter().map(|t| f(t.name)).collect()
}

impl Habits {
    fn draw(habit: Habit, kind: Kind, membership: usize, rng: &mut ChaCha8Rng) -> Habits {
        // Minutes past 00:00 UTC: 60 = 10:00 KST (opening), 540 = 18:00 KST.
        match habit {
            Habit::Routine => {
                let (core, package, _) = ROUTINES[weighted(rng, &ROUTINES.map(|r| r.2))];
                let mut mix = [2u32; 5];
                for s in core {
                    mix[service_index(*s)] = 40;
                }
                // One fixed day (Saturday for some), or two weekdays (then about twice a
                // week).
                let mut weekdays = [1u32, 1, 1, 1, 1, 1, 0];
                let first = weighted(rng, &[10, 17, 17, 17, 14, 25]);
                weekdays[first] = 30;
                let twice = first < 5 && rng.gen_bool(0.2);
                if twice {
                    let second = (first + 2 + rng.gen_range(0..2)) % 5;
                    weekdays[second] = 30;
                }
                let morning = rng.gen_bool(0.6);
                Habits {
                    core: core.to_vec(),
                    mix,
                    weekdays,
                    interval: if twice {
                        rng.gen_range(3.5..5.0)
                    } else {
                        rng.gen_range(8.0..12.0)
                    },
                    buy: (0.7, 0.7),
                    templates: template_weights(|name| match name {
                        n if n == package => 85,
                        "웰니스 베이직" => 10,
                        _ => 1,
                    }),
                    // A second service only when the routine has two.
                    per_visit: if core.len() > 1 {
                        [65, 35, 0]
                    } else {
                        [100, 0, 0]
                    },
                    weekday_start: if morning { (60, 150) } else { (240, 390) },
                    saturday_start: (60, 240),
                    slots: if morning {
                        &["morning"]
                    } else {
                        &["afternoon"]
                    },
                    ratings: [1, 3, 10, 36, 50],
                }
            }
            Habit::AfterWork => {
                // One or two of the active services (AI bike, pulse, red), one a favourite.
                let mut mix = [1u32, 20, 1, 20, 20];
                let favourite = [1, 3, 4][weighted(rng, &[35, 30, 35])];
                let other = [1, 3, 4][weighted(rng, &[1, 1, 1])];
                mix[favourite] = 60;
                if other != favourite {
                    mix[other] = 30;
                }
                Habits {
                    core: vec![ServiceType::ALL[favourite]],
                    mix,
                    weekdays: [5, 5, 6, 7, 12, 40, 0],
                    interval: rng.gen_range(10.0..18.0),
                    buy: (0.08, 0.05),
                    templates: template_weights(|name| match name {
                        "웰니스 베이직" => 40,
                        "AI 바이크 10회" => 35,
                        "펄스·레드 콤보" => 20,
                        _ => 1,
                    }),
                    per_visit: [60, 40, 0],
                    weekday_start: (540, 570),
                    saturday_start: (60, 420),
                    slots: &["evening", "weekend"],
                    ratings: [2, 4, 16, 42, 36],
                }
            }
            Habit::Premium => Habits {
                // They use everything; the two they name are the care services.
                core: {
                    let first = weighted(rng, &[25, 20, 25, 20]);
                    let second = (first + 1 + rng.gen_range(0..3)) % 4;
                    vec![ServiceType::ALL[first], ServiceType::ALL[second]]
                },
                mix: [25, 20, 25, 20, 10],
                weekdays: [10, 16, 16, 16, 12, 8, 0],
                interval: rng.gen_range(7.0..11.0),
                buy: (0.9, 0.75),
                templates: template_weights(|name| match (name, membership) {
                    ("VIP 올케어 연간", 2) => 65,
                    ("VIP 올케어 연간", 1) => 10,
                    ("프리미엄 케어", 2) => 30,
                    ("프리미엄 케어", _) => 70,
                    ("웰니스 베이직", _) => 10,
                    _ => 1,
                }),
                per_visit: [15, 55, 30],
                weekday_start: (60, 180),
                saturday_start: (60, 180),
                slots: &["morning"],
                ratings: [1, 1, 5, 25, 68],
            },
            Habit::Casual => {
                // Mostly the one service that brought them in.
                let mut mix = SERVICE_POPULARITY;
                let favourite = weighted(rng, &SERVICE_POPULARITY);
                mix[favourite] *= 8;
                Habits {
                    core: vec![ServiceType::ALL[favourite]],
                    mix,
                    weekdays: [10, 10, 10, 10, 12, 20, 0],
                    interval: rng.gen_range(25.0..50.0),
                    buy: if kind == Kind::OneTime {
                        (0.06, 0.0)
                    } else {
                        (0.06, 0.04)
                    },
                    templates: template_weights(|name| match name {
                        "웰니스 베이직" => 80,
                        "AI 바이크 10회" => 20,
                        _ => 0,
                    }),
                    per_visit: [92, 8, 0],
                    weekday_start: (120, 480),
                    saturday_start: (60, 420),
                    slots: &["afternoon"],
                    ratings: [4, 8, 22, 38, 28],
                }
            }
        }
    }

    /// One of the services they come for (not one they try now and then).
    fn own(&self, s: ServiceType) -> bool {
        self.mix[service_index(s)] >= 10
    }

    /// Weights of `candidates` by this customer's service mix.
    fn weights(&self, candidates: &[ServiceType]) -> Vec<u32> {
        candidates
            .iter()
            .map(|s| self.mix[service_index(*s)].max(1))
            .collect()
    }

    /// A visit day near `d` (within three days either side), on a day this customer tends to
    /// come, after `after`; None when no open day fits or the day drawn is after `until`.
    /// With `clip` the draw is only among the days up to `until` (a visit that must happen by
    /// then: a churner's last ones). Without it a draw past `until` is dropped instead, so the
    /// days just before `until` (today) get no more visits than any other days.
    fn visit_day(
        &self,
        rng: &mut ChaCha8Rng,
        d: NaiveDate,
        after: Option<NaiveDate>,
        until: NaiveDate,
        clip: bool,
    ) -> Option<NaiveDate> {
        let mut lo = d - Duration::days(3);
        if let Some(a) = after {
            lo = lo.max(a + Duration::days(1));
        }
        let mut hi = d + Duration::days(3);
        if clip {
            hi = hi.min(until);
        }
        if lo > hi {
            return None;
        }
        let days: Vec<NaiveDate> = lo.iter_days().take_while(|x| *x <= hi).collect();
        let w: Vec<u32> = days
            .iter()
            .map(|x| self.weekdays[x.weekday().num_days_from_monday() as usize])
            .collect();
        if w.iter().all(|x| *x == 0) {
            return None;
        }
        Some(days[weighted(rng, &w)]).filter(|x| *x <= until)
    }

    /// When the first service of a visit on `d` starts (minutes past 00:00 UTC, on the ten).
    fn start_minutes(&self, rng: &mut ChaCha8Rng, d: NaiveDate) -> i64 {
        let (lo, hi) = if d.weekday() == Weekday::Sat {
            self.saturday_start
        } else {
            self.weekday_start
        };
        rng.gen_range(lo..=hi) / 10 * 10
    }
}

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
    let habit = Habit::draw(kind, rng);

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
    // Evening and weekend visitors are of working age; the premium packages are bought more
    // by older customers (the age feature the segments see).
    let decades = match habit {
        Habit::AfterWork => [0, 2, 15, 40, 38, 5],
        Habit::Premium => [20, 35, 30, 10, 5, 0],
        Habit::Routine | Habit::Casual => [6, 15, 24, 27, 22, 6],
    };
    let decade = weighted(rng, &decades) as i64;
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
    // Membership follows spend: premium-package customers are mostly premium or VIP members.
    let membership_weights = match habit {
        Habit::Premium => [15, 45, 40],
        Habit::Routine => [65, 30, 5],
        Habit::AfterWork => [80, 17, 3],
        Habit::Casual => [92, 7, 1],
    };
    let membership = weighted(rng, &membership_weights);
    let habits = Habits::draw(habit, kind, membership, rng);
    // The services they name at registration: their own core ones, sometimes one more; some
    // name none.
    let mut preferred: Vec<ServiceType> = Vec::new();
    if rng.gen_bool(0.85) {
        preferred.extend(habits.core.iter().copied());
        if rng.gen_bool(0.3) {
            let s = ServiceType::ALL[weighted(rng, &habits.mix)];
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
    // The times they say suit them are the times they come.
    let mut slots: Vec<String> = Vec::new();
    if rng.gen_bool(0.9) {
        slots.extend(habits.slots.iter().map(|s| s.to_string()));
        if rng.gen_bool(0.15) {
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
    // Each visit day is drawn near the one the customer's rhythm gives (their interval, with
    // jitter) and moved to a day of the week they tend to come: routines keep their weekday,
    // evening-and-weekend customers fill Saturdays, premium customers come on weekday mornings.
    // Added up over everybody that is the clinic's weekly season (Saturday busiest, Monday
    // quietest, Sunday closed), the pattern the forecast is meant to learn.
    let end = stop.unwrap_or(today);
    let interval = habits.interval;
    let mut days: Vec<NaiveDate> = Vec::new();
    // Churners: the first day of their slow-down, when they had one.
    let mut decline_from: Option<NaiveDate> = None;
    match kind {
        Kind::NoShow => {}
        Kind::OneTime => {
            let mut d = reg;
            for n in 0..weighted(rng, &[0, 55, 30, 15]) {
                let day = if n == 0 {
                    Some(reg)
                } else {
                    habits.visit_day(rng, d, days.last().copied(), today, false)
                };
                let Some(day) = day else { break };
                days.push(day);
                d = day + Duration::days(rng.gen_range(4..=13));
            }
        }
        _ => {
            // A churner's last months, built backwards from their last visit: most slow down
            // before they leave, each gap 1.3–1.6× the one before (the sign the churn model
            // is meant to catch: fewer visits lately than their own habit); about one in
            // seven stops from one week to the next (a move, an illness), with no warning.
            let mut tail: Vec<NaiveDate> = Vec::new();
            if let Some(stop) = stop {
                // On one of their days in the last four before the planned stop.
                let last = habits
                    .visit_day(
                        rng,
                        stop - Duration::days(3),
                        Some((stop - Duration::days(4)).max(reg)),
                        stop,
                        true,
                    )
                    .unwrap_or(stop);
                tail.push(last);
                if rng.gen_bool(0.85) {
                    let growth: f64 = rng.gen_range(1.3..1.6);
                    let steps = rng.gen_range(3..=5);
                    let mut t = last;
                    for k in (1..=steps).rev() {
                        let gap = (interval * growth.powi(k) * rng.gen_range(0.85..1.15))
                            .round()
                            .max(2.0) as i64;
                        let Some(earlier) = t.checked_sub_signed(Duration::days(gap)) else {
                            break;
                        };
                        if earlier <= reg {
                            break;
                        }
                        // Moved to one of their days, still before the later visit.
                        let day = habits
                            .visit_day(rng, earlier, Some(reg), t - Duration::days(1), true)
                            .unwrap_or(earlier);
                        if day <= reg || day >= t {
                            break;
                        }
                        tail.push(day);
                        t = day;
                    }
                    decline_from = tail.last().copied().filter(|_| tail.len() > 1);
                }
            }
            // Their usual rhythm up to the slow-down (or the last visit, or today).
            let steady_until = match tail.last() {
                Some(t) => *t - Duration::days((interval * 0.7).round() as i64),
                None => end,
            };
            let mut d = if rng.gen_bool(0.85) {
                reg
            } else {
                reg + Duration::days(rng.gen_range(1..=7))
            };
            let mut first = true;
            // Rhythm days up to three past the end are drawn too: their visit may fall before it.
            while d <= steady_until + Duration::days(3) {
                let day = if first && d == reg {
                    Some(reg)
                } else {
                    // Never before registration (the first visit may come a few days after).
                    let after = days.last().copied().unwrap_or(reg - Duration::days(1));
                    habits.visit_day(rng, d, Some(after), steady_until, false)
                };
                first = false;
                let mut gap = (interval * rng.gen_range(0.7..1.3)).round().max(1.0) as i64;
                if rng.gen_bool(0.04) {
                    gap += rng.gen_range(14..=30); // a holiday, a cold, a business trip
                }
                d = match day {
                    Some(day) => {
                        days.push(day);
                        day
                    }
                    None => d,
                } + Duration::days(gap);
            }
            let after = days.last().copied();
            days.extend(
                tail.into_iter()
                    .rev()
                    .filter(|t| after.is_none_or(|a| *t > a)),
            );
        }
    }

    // --- visits and purchases -------------------------------------------------------
    let (first_buy, renew) = habits.buy;
    // Half the customers who leave were unhappy: their ratings sour while they slow down (or,
    // for those who stop at once, in their last two months).
    let unhappy = matches!(kind, Kind::Lapsed | Kind::Fading) && rng.gen_bool(0.5);
    let souring_from = stop.map(|s| decline_from.unwrap_or(s - Duration::days(60)));
    let mut purchases: Vec<Purchase> = Vec::new();
    // The template of each purchase (index into `templates`), for renewals.
    let mut bought: Vec<usize> = Vec::new();
    let mut held: Vec<Held> = Vec::new();
    let mut visits: Vec<Visit> = Vec::new();
    for (day_no, d) in days.iter().copied().enumerate() {
        let mut clock = habits.start_minutes(rng, d);
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
                    // A renewal is mostly the package they had; otherwise one their habit
                    // leads to (the pattern "bought after" recommendations learn).
                    let choice = match bought.last() {
                        Some(last) if rng.gen_bool(0.75) => *last,
                        _ => weighted(rng, &habits.templates),
                    };
                    bought.push(choice);
                    let t = &templates[choice];
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
                planned = 1 + weighted(rng, &habits.per_visit);
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
                    let s = candidates[weighted(rng, &habits.weights(&candidates))];
                    (s, Some(h))
                }
                None => {
                    // The first service of a visit can be anything (weighted by their mix);
                    // a further one is one of their own services, or none.
                    let candidates: Vec<ServiceType> = ServiceType::ALL
                        .iter()
                        .copied()
                        .filter(|s| !done.contains(s))
                        .filter(|s| slot == 0 || habits.own(*s))
                        .collect();
                    if candidates.is_empty() {
                        break;
                    }
                    let s = candidates[weighted(rng, &habits.weights(&candidates))];
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
                let w = if unhappy && souring_from.is_some_and(|f| d >= f) {
                    [8, 17, 35, 28, 12]
                } else {
                    habits.ratings
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
        kind,
        habit,
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

    /// The structure tests below run on a 2,000-customer data set: the demo's default seed.
    fn sample() -> (NaiveDate, Vec<CustomerData>) {
        let today = d("2026-12-07");
        (today, generate(20240601, 2000, today))
    }

    fn live(c: &CustomerData) -> impl Iterator<Item = &Visit> {
        c.visits.iter().filter(|v| v.cancelled.is_none())
    }

    fn visit_days(c: &CustomerData) -> Vec<NaiveDate> {
        let mut days: Vec<NaiveDate> = live(c).map(|v| v.date).collect();
        days.sort();
        days.dedup();
        days
    }

    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }

    /// Mean of the last three gaps between visit days ÷ the median gap before them.
    fn late_gap_ratio(days: &[NaiveDate]) -> f64 {
        let gaps: Vec<f64> = days
            .windows(2)
            .map(|w| (w[1] - w[0]).num_days() as f64)
            .collect();
        let k = gaps.len();
        gaps[k - 3..].iter().sum::<f64>() / 3.0 / median(gaps[..k - 3].to_vec())
    }

    /// Customers who leave mostly slow down first: the gaps before their last visit grow,
    /// while the gaps of customers who are still coming stay what they were.
    #[test]
    fn churners_slow_down_before_their_last_visit() {
        let (_, data) = sample();
        let ratios = |kinds: &[Kind]| -> Vec<f64> {
            data.iter()
                .filter(|c| kinds.contains(&c.kind))
                .map(visit_days)
                .filter(|days| days.len() >= 8)
                .map(|days| late_gap_ratio(&days))
                .collect()
        };
        let churners = ratios(&[Kind::Lapsed, Kind::Fading]);
        let staying = ratios(&[Kind::Loyal]);
        assert!(churners.len() >= 200 && staying.len() >= 200);
        let slowed = churners.iter().filter(|r| **r >= 1.5).count() as f64 / churners.len() as f64;
        let (c, s) = (median(churners), median(staying.clone()));
        assert!(c >= 1.8, "churners' last gaps are {c:.2}× their usual");
        assert!(slowed >= 0.65, "{slowed:.2} of churners slowed down");
        assert!(
            (0.7..1.4).contains(&s),
            "loyal customers' last gaps are {s:.2}× their usual"
        );
        let steady = staying.iter().filter(|r| **r >= 1.5).count() as f64 / staying.len() as f64;
        assert!(
            steady < 0.3,
            "{steady:.2} of loyal customers look like slowing down"
        );
    }

    /// Unhappy leavers' ratings sour while they slow down: the churners' ratings in their last
    /// 60 days are lower than their own earlier ones.
    #[test]
    fn leavers_ratings_fall_before_they_leave() {
        let (_, data) = sample();
        let (mut before, mut late) = (Vec::new(), Vec::new());
        for c in data
            .iter()
            .filter(|c| matches!(c.kind, Kind::Lapsed | Kind::Fading))
        {
            let Some(last) = live(c).map(|v| v.date).max() else {
                continue;
            };
            for v in live(c) {
                if let Some(r) = v.rating {
                    if (last - v.date).num_days() < 60 {
                        late.push(r as f64);
                    } else {
                        before.push(r as f64);
                    }
                }
            }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (b, l) = (mean(&before), mean(&late));
        assert!(
            b - l >= 0.3,
            "ratings {b:.2} before, {l:.2} in the last 60 days"
        );
    }

    /// The clinic's week: Sunday closed, Saturday the busiest day, Monday the quietest open
    /// day — a season a weekly model can learn and a flat one cannot.
    #[test]
    fn visits_have_a_weekly_season() {
        let (_, data) = sample();
        let mut per_day = [0usize; 7];
        for v in data.iter().flat_map(live) {
            per_day[v.date.weekday().num_days_from_monday() as usize] += 1;
        }
        assert_eq!(per_day[6], 0, "Sunday is closed");
        let open = &per_day[..6];
        let busiest = (0..6).max_by_key(|i| open[*i]).unwrap();
        let quietest = (0..6).min_by_key(|i| open[*i]).unwrap();
        assert_eq!((busiest, quietest), (5, 0), "{per_day:?}");
        let ratio = open[5] as f64 / open[0] as f64;
        assert!(ratio >= 1.5, "Saturday/Monday {ratio:.2}: {per_day:?}");
        // Far from flat: chi-square against equal open days (5 degrees of freedom; 20.5 is
        // the 0.1 % critical value).
        let total: usize = open.iter().sum();
        let expected = total as f64 / 6.0;
        let chi2: f64 = open
            .iter()
            .map(|o| (*o as f64 - expected).powi(2) / expected)
            .sum();
        assert!(chi2 > 20.5 * 10.0, "chi-square {chi2:.0}: {per_day:?}");
    }

    /// The KST hour a visit started (recorded at the end of the service, on its own day).
    fn start_hour(v: &Visit) -> i64 {
        let recorded = chrono::DateTime::parse_from_rfc3339(&v.created_at)
            .unwrap()
            .with_timezone(&Utc);
        let start = recorded - Duration::minutes(v.duration_minutes) + Duration::hours(9);
        i64::from(chrono::Timelike::hour(&start))
    }

    #[derive(Debug, Default)]
    struct GroupFigures {
        customers: usize,
        visits: usize,
        visit_days: usize,
        /// Mean per customer with ≥ 3 visits: share of visits on their two most used services.
        top_two_share: f64,
        /// Mean distinct services per customer with ≥ 3 visits.
        distinct_services: f64,
        package_share: f64,
        saturday_share: f64,
        /// Weekday visits that started at 17:00 KST or later.
        weekday_evening_share: f64,
        revenue_per_customer: f64,
        /// Mean per customer with ≥ 5 visit days: share on their two most frequent weekdays.
        top_two_weekdays: f64,
    }

    fn figures(data: &[CustomerData], habit: Habit) -> GroupFigures {
        let group: Vec<&CustomerData> = data.iter().filter(|c| c.habit == habit).collect();
        let mut f = GroupFigures {
            customers: group.len(),
            ..Default::default()
        };
        let (mut package, mut saturday, mut weekday, mut evening) = (0, 0, 0, 0);
        let (mut concentrated, mut regular) = (Vec::new(), Vec::new());
        let (mut distinct, mut weekday_share) = (Vec::new(), Vec::new());
        for c in &group {
            let visits: Vec<&Visit> = live(c).collect();
            f.visits += visits.len();
            f.revenue_per_customer += c.stats.total_revenue as f64;
            let days = visit_days(c);
            f.visit_days += days.len();
            for v in &visits {
                package += usize::from(v.package_id.is_some());
                if v.date.weekday() == Weekday::Sat {
                    saturday += 1;
                } else {
                    weekday += 1;
                    evening += usize::from(start_hour(v) >= 17);
                }
            }
            if visits.len() >= 3 {
                let mut per = [0usize; 5];
                for v in &visits {
                    per[service_index(v.service)] += 1;
                }
                per.sort_unstable();
                concentrated.push((per[4] + per[3]) as f64 / visits.len() as f64);
                distinct.push(per.iter().filter(|n| **n > 0).count() as f64);
                regular.push(());
            }
            if days.len() >= 5 {
                let mut per = [0usize; 7];
                for d in &days {
                    per[d.weekday().num_days_from_monday() as usize] += 1;
                }
                per.sort_unstable();
                weekday_share.push((per[6] + per[5]) as f64 / days.len() as f64);
            }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        f.top_two_share = mean(&concentrated);
        f.distinct_services = mean(&distinct);
        f.top_two_weekdays = mean(&weekday_share);
        f.package_share = package as f64 / f.visits.max(1) as f64;
        f.saturday_share = saturday as f64 / f.visits.max(1) as f64;
        f.weekday_evening_share = evening as f64 / weekday.max(1) as f64;
        f.revenue_per_customer /= group.len().max(1) as f64;
        f
    }

    /// The habit groups differ in what they use, when they come and what they spend — each
    /// figure a segmentation, a recommender or a heat-map could pick up.
    #[test]
    fn habit_groups_differ_in_services_days_hours_and_spend() {
        let (_, data) = sample();
        let routine = figures(&data, Habit::Routine);
        let after_work = figures(&data, Habit::AfterWork);
        let premium = figures(&data, Habit::Premium);
        let casual = figures(&data, Habit::Casual);
        for g in [&routine, &after_work, &premium, &casual] {
            assert!(g.customers >= 150, "{g:?}");
        }
        // Routine: one or two services, on their own weekdays, from packages.
        assert!(routine.top_two_share >= 0.85, "{routine:?}");
        assert!(routine.top_two_weekdays >= 0.6, "{routine:?}");
        assert!(routine.package_share >= 0.7, "{routine:?}");
        assert!(routine.weekday_evening_share <= 0.05, "{routine:?}");
        // After work: Saturdays and weekday evenings, paying per visit.
        assert!(after_work.saturday_share >= 0.4, "{after_work:?}");
        assert!(after_work.weekday_evening_share >= 0.9, "{after_work:?}");
        assert!(after_work.package_share <= 0.25, "{after_work:?}");
        // Premium: every service, several a visit, from the large packages; the most spend.
        assert!(premium.distinct_services >= 4.0, "{premium:?}");
        assert!(
            premium.visits as f64 / premium.visit_days as f64 >= 1.8,
            "{premium:?}"
        );
        assert!(premium.package_share >= 0.8, "{premium:?}");
        assert!(premium.weekday_evening_share <= 0.05, "{premium:?}");
        assert!(
            premium.revenue_per_customer >= 1.8 * routine.revenue_per_customer,
            "{premium:?} {routine:?}"
        );
        assert!(
            routine.revenue_per_customer >= 1.5 * after_work.revenue_per_customer,
            "{routine:?} {after_work:?}"
        );
        // Casual: few visits, paid one at a time, the least spend.
        assert!(
            (casual.visits as f64 / casual.customers as f64) < 10.0,
            "{casual:?}"
        );
        assert!(casual.package_share <= 0.15, "{casual:?}");
        assert!(
            casual.revenue_per_customer < 0.6 * after_work.revenue_per_customer,
            "{casual:?} {after_work:?}"
        );
        // The service mixes themselves differ: AI bike is an after-work service, lymph care
        // a routine and premium one.
        let share = |habit: Habit, s: ServiceType| {
            let visits: Vec<&Visit> = data
                .iter()
                .filter(|c| c.habit == habit)
                .flat_map(live)
                .collect();
            visits.iter().filter(|v| v.service == s).count() as f64 / visits.len() as f64
        };
        assert!(
            share(Habit::AfterWork, ServiceType::AiBike)
                > 2.0 * share(Habit::Premium, ServiceType::AiBike)
        );
        assert!(
            share(Habit::Premium, ServiceType::Lymph)
                > 3.0 * share(Habit::AfterWork, ServiceType::Lymph)
        );
    }

    /// What customers say at registration matches what they do: the services they name are
    /// the ones they use most, and the times they name are when they come.
    #[test]
    fn stated_preferences_match_behaviour() {
        let (_, data) = sample();
        let (mut named, mut matched) = (0, 0);
        for c in data.iter().filter(|c| live(c).count() >= 5) {
            let mut per = [0usize; 5];
            for v in live(c) {
                per[service_index(v.service)] += 1;
            }
            let top = ServiceType::ALL[(0..5).max_by_key(|i| per[*i]).unwrap()];
            if !c.customer.preferred_services.is_empty() {
                named += 1;
                matched += usize::from(
                    c.customer
                        .preferred_services
                        .iter()
                        .any(|s| s == top.as_str()),
                );
            }
            if c.habit == Habit::AfterWork && !c.customer.preferred_time_slots.is_empty() {
                assert!(c
                    .customer
                    .preferred_time_slots
                    .iter()
                    .any(|s| s == "evening"));
            }
        }
        assert!(matched as f64 >= 0.8 * named as f64, "{matched} of {named}");
    }

    /// The data runs steadily up to `today`: the last days get the visits their weekdays
    /// usually get (no pile-up of visits that would have fallen after today), and customers
    /// register in the last two months at about the rate they did before — an end-of-data
    /// spurt would read to every forecast as a trend.
    #[test]
    fn the_data_ends_without_a_spurt() {
        let (today, data) = sample();
        let mut per_day: std::collections::HashMap<NaiveDate, usize> = HashMap::new();
        for v in data.iter().flat_map(live) {
            *per_day.entry(v.date).or_default() += 1;
        }
        let count = |d: NaiveDate| per_day.get(&d).copied().unwrap_or(0) as f64;
        // `today` (2026-12-07) is a Monday: the last three open days are Thursday–Saturday.
        let last: f64 = (1..=4).map(|n| count(today - Duration::days(n))).sum();
        let before: f64 = (1..=4)
            .map(|w| {
                (1..=4)
                    .map(|n| count(today - Duration::days(n + 7 * w)))
                    .sum::<f64>()
            })
            .sum::<f64>()
            / 4.0;
        let ratio = last / before;
        assert!(
            (0.85..1.15).contains(&ratio),
            "last days {last} against {before:.0}"
        );
        let registered = |from: i64, to: i64| {
            data.iter()
                .filter(|c| {
                    let r =
                        clinicdesk_domain::customer::created_date(&c.customer.created_at).unwrap();
                    let ago = (today - r).num_days();
                    (from..to).contains(&ago)
                })
                .count() as f64
                / (to - from) as f64
        };
        let (recent, earlier) = (registered(0, 60), registered(60, 360));
        assert!(
            recent < 1.4 * earlier,
            "{recent:.2} registrations a day in the last 60 days against {earlier:.2} before"
        );
    }
}
