//! What the benchmark asks for: ids and search fragments loaded from the database, the
//! endpoint mixes, and the sequential latency runner.

use crate::client::{encode, Client};
use crate::report::LatencyRow;
use crate::stats::Samples;
use crate::targets::{Category, Transport};
use clinicdesk_store::Db;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use sqlx::Row;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

pub const PASSWORD: &str = clinicdesk_demo::DEMO_PASSWORD;

/// Real values from the data set to build requests from.
#[derive(Debug, Clone, Default)]
pub struct Fixtures {
    pub customer_ids: Vec<String>,
    /// Surname + first syllable of real names (`김영`).
    pub name_fragments: Vec<String>,
    /// Last four digits of real phone numbers.
    pub phone_fragments: Vec<String>,
    /// The initial consonants of real three-syllable names (`ㄱㅇㅎ`).
    pub initials: Vec<String>,
    /// Two words of real names: the surname and the last syllable (`김 희`).
    pub word_pairs: Vec<String>,
    pub vip_count: i64,
}

/// One package session that may still be used today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitSlot {
    pub customer_id: String,
    pub package_usage_id: String,
    pub service_type: String,
}

pub async fn load_fixtures(db: &Db) -> anyhow::Result<Fixtures> {
    let rows = sqlx::query(
        "SELECT id, name, phone_digits, membership_level, anonymized_at FROM customers \
         WHERE deleted_at IS NULL ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut f = Fixtures::default();
    let mut names = std::collections::BTreeSet::new();
    let mut phones = std::collections::BTreeSet::new();
    let mut initials = std::collections::BTreeSet::new();
    let mut word_pairs = std::collections::BTreeSet::new();
    for r in rows {
        let id: String = r.try_get("id")?;
        let name: String = r.try_get("name")?;
        let phone: Option<String> = r.try_get("phone_digits")?;
        let level: String = r.try_get("membership_level")?;
        let anonymized: Option<String> = r.try_get("anonymized_at")?;
        if level == "vip" {
            f.vip_count += 1;
        }
        if anonymized.is_none() {
            if let Some(frag) = name_fragment(&name) {
                names.insert(frag);
            }
            if let Some((i, w)) = korean_habits(&name) {
                initials.insert(i);
                word_pairs.insert(w);
            }
            if let Some(p) = phone {
                if let Some(frag) = phone_fragment(&p) {
                    phones.insert(frag);
                }
            }
        }
        f.customer_ids.push(id);
    }
    f.name_fragments = names.into_iter().collect();
    f.phone_fragments = phones.into_iter().collect();
    f.initials = initials.into_iter().collect();
    f.word_pairs = word_pairs.into_iter().collect();
    anyhow::ensure!(!f.customer_ids.is_empty(), "the data set has no customers");
    anyhow::ensure!(
        !f.name_fragments.is_empty(),
        "no customer names to search for"
    );
    anyhow::ensure!(
        !f.phone_fragments.is_empty(),
        "no phone numbers to search for"
    );
    anyhow::ensure!(
        !f.initials.is_empty(),
        "no three-syllable names to search for"
    );
    Ok(f)
}

/// The first two syllables of a Korean name (surname + first given-name syllable).
pub fn name_fragment(name: &str) -> Option<String> {
    let chars: Vec<char> = name.trim().chars().collect();
    (chars.len() >= 3 && chars.iter().all(|c| ('가'..='힣').contains(c)))
        .then(|| chars[..2].iter().collect())
}

/// How a Korean front desk types a three-syllable name: its initials (`ㄱㅇㅎ`) and two words,
/// the surname and the last syllable (`김 희`).
pub fn korean_habits(name: &str) -> Option<(String, String)> {
    let chars: Vec<char> = name.trim().chars().collect();
    (chars.len() == 3 && chars.iter().all(|c| ('가'..='힣').contains(c))).then(|| {
        (
            chars
                .iter()
                .map(|&c| clinicdesk_domain::search::initial_of(c))
                .collect(),
            format!("{} {}", chars[0], chars[2]),
        )
    })
}

/// The last four digits of a phone number.
pub fn phone_fragment(digits: &str) -> Option<String> {
    let d: Vec<char> = digits.chars().filter(|c| c.is_ascii_digit()).collect();
    (d.len() >= 8).then(|| d[d.len() - 4..].iter().collect())
}

/// Up to `wanted` usable package sessions (active package, not expired today, a session of
/// that service left), spread over random packages; each slot is used at most once, so the
/// runs never exhaust a package.
pub async fn load_visit_slots(
    db: &Db,
    wanted: usize,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<Vec<VisitSlot>> {
    let today = crate::dataset::today_kst().to_string();
    let rows = sqlx::query(
        "SELECT pp.id AS id, pp.customer_id AS customer_id, pp.sessions AS sessions \
         FROM package_purchases pp \
         JOIN purchase_stats ps ON ps.purchase_id = pp.id \
         JOIN customers c ON c.id = pp.customer_id \
         WHERE ps.remaining_sessions > 0 AND pp.expiry_date > $1 AND pp.purchase_date <= $2 \
           AND c.deleted_at IS NULL \
         ORDER BY pp.id",
    )
    .bind(&today)
    .bind(&today)
    .fetch_all(&db.pool)
    .await?;
    let mut packages: Vec<(String, String, BTreeMap<String, i64>)> = Vec::new();
    for r in rows {
        let sessions: String = r.try_get("sessions")?;
        let sessions: BTreeMap<String, i64> = serde_json::from_str(&sessions).unwrap_or_default();
        packages.push((r.try_get("id")?, r.try_get("customer_id")?, sessions));
    }
    packages.shuffle(rng);
    // Two slots per package at most, so the visits spread over many customers.
    let per_package = 2usize;
    packages.truncate(wanted.div_ceil(per_package) * 2 + 16);
    let mut used: BTreeMap<(String, String), i64> = BTreeMap::new();
    for chunk in packages.chunks(500) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT s.package_usage_id AS pid, s.service_type AS service, COUNT(*) AS n \
             FROM service_sessions s \
             WHERE s.package_usage_id IN ({}) \
               AND NOT EXISTS (SELECT 1 FROM session_cancellations x WHERE x.session_id = s.id) \
             GROUP BY s.package_usage_id, s.service_type",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for p in chunk {
            q = q.bind(&p.0);
        }
        for r in q.fetch_all(&db.pool).await? {
            used.insert((r.try_get("pid")?, r.try_get("service")?), r.try_get("n")?);
        }
    }
    let mut slots = Vec::new();
    for (pid, cid, sessions) in &packages {
        let mut n = 0;
        for (service, total) in sessions {
            let left = total - used.get(&(pid.clone(), service.clone())).unwrap_or(&0);
            for _ in 0..left.max(0) {
                if n == per_package {
                    break;
                }
                slots.push(VisitSlot {
                    customer_id: cid.clone(),
                    package_usage_id: pid.clone(),
                    service_type: service.clone(),
                });
                n += 1;
            }
        }
    }
    slots.shuffle(rng);
    slots.truncate(wanted);
    Ok(slots)
}

/// An endpoint mix of the latency run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Detail,
    Profile,
    ListVip,
    SearchName,
    SearchPhone,
    SearchServicePackage,
    SearchRiskRevenue,
    SearchVipVisitsPage3,
    SearchInitials,
    SearchTwoWords,
    SearchExpiredByExpiry,
    Interactions,
    Packages,
    RecordVisit,
    Update,
}

impl Endpoint {
    pub const ALL: [Endpoint; 15] = [
        Endpoint::Detail,
        Endpoint::Profile,
        Endpoint::ListVip,
        Endpoint::SearchName,
        Endpoint::SearchPhone,
        Endpoint::SearchServicePackage,
        Endpoint::SearchRiskRevenue,
        Endpoint::SearchVipVisitsPage3,
        Endpoint::SearchInitials,
        Endpoint::SearchTwoWords,
        Endpoint::SearchExpiredByExpiry,
        Endpoint::Interactions,
        Endpoint::Packages,
        Endpoint::RecordVisit,
        Endpoint::Update,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Endpoint::Detail => "detail",
            Endpoint::Profile => "profile",
            Endpoint::ListVip => "list_vip",
            Endpoint::SearchName => "search_name",
            Endpoint::SearchPhone => "search_phone",
            Endpoint::SearchServicePackage => "search_service_package",
            Endpoint::SearchRiskRevenue => "search_risk_revenue",
            Endpoint::SearchVipVisitsPage3 => "search_vip_visits_page3",
            Endpoint::SearchInitials => "search_initials",
            Endpoint::SearchTwoWords => "search_two_words",
            Endpoint::SearchExpiredByExpiry => "search_expired_by_expiry",
            Endpoint::Interactions => "interactions",
            Endpoint::Packages => "packages",
            Endpoint::RecordVisit => "record_visit",
            Endpoint::Update => "update",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Endpoint::Detail => "customer detail",
            Endpoint::Profile => "customer profile",
            Endpoint::ListVip => "list: VIP, 20 per page",
            Endpoint::SearchName => "search: name fragment",
            Endpoint::SearchPhone => "search: phone digits",
            Endpoint::SearchServicePackage => "search: brain,pulse + active package, by last visit",
            Endpoint::SearchRiskRevenue => "search: risk warning, by revenue",
            Endpoint::SearchVipVisitsPage3 => "search: VIP by total visits, page 3",
            Endpoint::SearchInitials => "search: initial consonants",
            Endpoint::SearchTwoWords => "search: two words",
            Endpoint::SearchExpiredByExpiry => "search: expired packages, by expiry",
            Endpoint::Interactions => "interactions",
            Endpoint::Packages => "package usage",
            Endpoint::RecordVisit => "record a visit",
            Endpoint::Update => "update a customer",
        }
    }

    pub fn request(self) -> &'static str {
        match self {
            Endpoint::Detail => "GET /api/v1/customers/{id}/detail",
            Endpoint::Profile => "GET /api/v1/customers/{id}",
            Endpoint::ListVip => {
                "GET /api/v1/customers?membership_level=vip&limit=20&offset={random multiple of 20 below min(vip count, 1000)}"
            }
            Endpoint::SearchName => "GET /api/v1/customers/search?q={surname + first syllable of a real name}",
            Endpoint::SearchPhone => "GET /api/v1/customers/search?q={last 4 digits of a real phone}",
            Endpoint::SearchServicePackage => {
                "GET /api/v1/customers/search?service_filter=brain,pulse&package_status=active&sort_by=last_visit"
            }
            Endpoint::SearchRiskRevenue => "GET /api/v1/customers/search?risk_level=warning&sort_by=revenue",
            Endpoint::SearchVipVisitsPage3 => {
                "GET /api/v1/customers/search?membership_level=vip&sort_by=total_visits&page=3"
            }
            Endpoint::SearchInitials => {
                "GET /api/v1/customers/search?q={initial consonants of a real three-syllable name}"
            }
            Endpoint::SearchTwoWords => {
                "GET /api/v1/customers/search?q={surname} {last syllable of a real name}"
            }
            Endpoint::SearchExpiredByExpiry => {
                "GET /api/v1/customers/search?package_status=expired&sort_by=package_expiry&sort_order=desc"
            }
            Endpoint::Interactions => "GET /api/v1/customers/{id}/interactions",
            Endpoint::Packages => "GET /api/v1/customers/{id}/packages",
            Endpoint::RecordVisit => {
                "POST /api/v1/customers/{id}/sessions?confirm_duplicate=true {service_type, package_usage_id} on a random active package with a session of that service left"
            }
            Endpoint::Update => "PUT /api/v1/customers/{id} {occupation} (alternating values)",
        }
    }

    pub fn category(self) -> Category {
        match self {
            Endpoint::Detail => Category::Detail,
            Endpoint::ListVip
            | Endpoint::SearchName
            | Endpoint::SearchPhone
            | Endpoint::SearchServicePackage
            | Endpoint::SearchRiskRevenue
            | Endpoint::SearchVipVisitsPage3
            | Endpoint::SearchInitials
            | Endpoint::SearchTwoWords
            | Endpoint::SearchExpiredByExpiry => Category::ListOrSearch,
            Endpoint::RecordVisit => Category::RecordVisit,
            Endpoint::Profile | Endpoint::Interactions | Endpoint::Packages | Endpoint::Update => {
                Category::Other
            }
        }
    }
}

/// A concrete request: method, path with query, JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub method: &'static str,
    pub path: String,
    pub body: Option<String>,
    pub paid_fallback: bool,
}

impl Call {
    fn get(path: String) -> Call {
        Call {
            method: "GET",
            path,
            body: None,
            paid_fallback: false,
        }
    }
}

fn pick<'a>(rng: &mut ChaCha8Rng, v: &'a [String]) -> &'a str {
    &v[rng.gen_range(0..v.len())]
}

/// The `i`-th request of an endpoint mix.
pub fn make_call(
    e: Endpoint,
    i: usize,
    f: &Fixtures,
    slots: &mut Vec<VisitSlot>,
    rng: &mut ChaCha8Rng,
) -> Call {
    let base = "/api/v1/customers";
    match e {
        Endpoint::Detail => Call::get(format!("{base}/{}/detail", pick(rng, &f.customer_ids))),
        Endpoint::Profile => Call::get(format!("{base}/{}", pick(rng, &f.customer_ids))),
        Endpoint::ListVip => {
            let pages = (f.vip_count.min(1000) / 20).max(1);
            let offset = rng.gen_range(0..pages) * 20;
            Call::get(format!(
                "{base}?membership_level=vip&limit=20&offset={offset}"
            ))
        }
        Endpoint::SearchName => Call::get(format!(
            "{base}/search?q={}",
            encode(pick(rng, &f.name_fragments))
        )),
        Endpoint::SearchPhone => Call::get(format!(
            "{base}/search?q={}",
            encode(pick(rng, &f.phone_fragments))
        )),
        Endpoint::SearchServicePackage => Call::get(format!(
            "{base}/search?service_filter=brain,pulse&package_status=active&sort_by=last_visit"
        )),
        Endpoint::SearchRiskRevenue => {
            Call::get(format!("{base}/search?risk_level=warning&sort_by=revenue"))
        }
        Endpoint::SearchVipVisitsPage3 => Call::get(format!(
            "{base}/search?membership_level=vip&sort_by=total_visits&page=3"
        )),
        Endpoint::SearchInitials => Call::get(format!(
            "{base}/search?q={}",
            encode(pick(rng, &f.initials))
        )),
        Endpoint::SearchTwoWords => Call::get(format!(
            "{base}/search?q={}",
            encode(pick(rng, &f.word_pairs))
        )),
        Endpoint::SearchExpiredByExpiry => Call::get(format!(
            "{base}/search?package_status=expired&sort_by=package_expiry&sort_order=desc"
        )),
        Endpoint::Interactions => Call::get(format!(
            "{base}/{}/interactions",
            pick(rng, &f.customer_ids)
        )),
        Endpoint::Packages => Call::get(format!("{base}/{}/packages", pick(rng, &f.customer_ids))),
        Endpoint::RecordVisit => match slots.pop() {
            Some(s) => Call {
                method: "POST",
                // Several slots may use one service of one package today: each is meant.
                path: format!("{base}/{}/sessions?confirm_duplicate=true", s.customer_id),
                body: Some(
                    json!({
                        "service_type": s.service_type,
                        "package_usage_id": s.package_usage_id,
                        "satisfaction_rating": 5,
                        "session_notes": "benchmark visit",
                    })
                    .to_string(),
                ),
                paid_fallback: false,
            },
            None => Call {
                method: "POST",
                path: format!(
                    "{base}/{}/sessions?confirm_duplicate=true",
                    pick(rng, &f.customer_ids)
                ),
                body: Some(
                    json!({"service_type": "brain", "payment_method": "card",
                           "session_notes": "benchmark visit (paid)"})
                    .to_string(),
                ),
                paid_fallback: true,
            },
        },
        Endpoint::Update => Call {
            method: "PUT",
            path: format!("{base}/{}", pick(rng, &f.customer_ids)),
            body: Some(
                json!({"occupation": if i.is_multiple_of(2) { "회사원" } else { "프리랜서" }})
                    .to_string(),
            ),
            paid_fallback: false,
        },
    }
}

pub struct LatencyOptions {
    pub calls: usize,
    pub warmup: usize,
    /// Stop an endpoint after this long (0: never), reporting fewer calls.
    pub max_endpoint_secs: u64,
}

/// Runs every endpoint mix sequentially (one call at a time) on one transport.
pub async fn run_latency(
    client: &Client,
    transport: Transport,
    f: &Fixtures,
    db_for_slots: &Db,
    opts: &LatencyOptions,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<Vec<LatencyRow>> {
    let mut rows = Vec::new();
    for e in Endpoint::ALL {
        let mut slots = if e == Endpoint::RecordVisit {
            load_visit_slots(db_for_slots, opts.calls + opts.warmup, rng).await?
        } else {
            Vec::new()
        };
        let slot_count = slots.len();
        // Tokens expire after minutes: a fresh login per endpoint, outside the timing.
        let token = client.login("staff", PASSWORD).await?;
        let mut samples = Samples::with_capacity(opts.calls);
        let mut fallbacks = 0usize;
        let started = Instant::now();
        let mut stopped_early = false;
        eprint!("bench: {:<26} {:<52}", transport.label(), e.label());
        for i in 0..opts.warmup + opts.calls {
            let call = make_call(e, i, f, &mut slots, rng);
            let measured = i >= opts.warmup;
            if call.paid_fallback && measured {
                fallbacks += 1;
            }
            let t0 = Instant::now();
            let r = client
                .send(call.method, &call.path, Some(&token), call.body.as_deref())
                .await;
            let took = t0.elapsed();
            match r {
                Ok(resp) if resp.ok() => {
                    if measured {
                        samples.record(took);
                    }
                }
                Ok(resp) => samples.error(format!(
                    "{} {} → {}",
                    call.method,
                    call.path,
                    resp.describe()
                )),
                Err(err) => samples.error(format!("{} {} → {err:#}", call.method, call.path)),
            }
            if measured
                && opts.max_endpoint_secs > 0
                && started.elapsed() > Duration::from_secs(opts.max_endpoint_secs)
                && i + 1 < opts.warmup + opts.calls
            {
                stopped_early = true;
                break;
            }
        }
        let summary = samples.summary();
        eprintln!(
            " p50 {:>8.2} p99 {:>8.2} max {:>8.2} ms  errors {}",
            summary.p50_ms, summary.p99_ms, summary.max_ms, summary.errors
        );
        let mut row = LatencyRow::new(
            transport,
            e.key(),
            e.label(),
            e.request(),
            e.category(),
            summary,
        );
        let mut notes = Vec::new();
        if e == Endpoint::RecordVisit {
            if fallbacks > 0 {
                notes.push(format!(
                    "{fallbacks} paid visits: only {slot_count} package sessions were available"
                ));
            } else {
                notes.push("all against packages".to_string());
            }
        }
        if stopped_early {
            notes.push(format!(
                "stopped after {} calls: --max-endpoint-secs {}",
                summary.count, opts.max_endpoint_secs
            ));
        }
        if !notes.is_empty() {
            row.note = Some(notes.join("; "));
        }
        row.error_examples = samples.error_examples.clone();
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn fixtures() -> Fixtures {
        Fixtures {
            customer_ids: vec!["a".into(), "b".into()],
            name_fragments: vec!["김영".into()],
            phone_fragments: vec!["5678".into()],
            initials: vec!["ㄱㅇㅎ".into()],
            word_pairs: vec!["김 희".into()],
            vip_count: 45,
        }
    }

    #[test]
    fn fragments_from_real_values() {
        assert_eq!(name_fragment("김영희").as_deref(), Some("김영"));
        assert_eq!(name_fragment("남궁민수").as_deref(), Some("남궁"));
        assert_eq!(name_fragment("김영"), None);
        assert_eq!(name_fragment("익명 고객"), None);
        assert_eq!(phone_fragment("01012345678").as_deref(), Some("5678"));
        assert_eq!(phone_fragment("010-1234-5678").as_deref(), Some("5678"));
        assert_eq!(phone_fragment("123"), None);
        assert_eq!(
            korean_habits("김영희"),
            Some(("ㄱㅇㅎ".into(), "김 희".into()))
        );
        assert_eq!(korean_habits("남궁민수"), None);
    }

    #[test]
    fn calls_are_deterministic_and_well_formed() {
        let f = fixtures();
        let mut a = ChaCha8Rng::seed_from_u64(7);
        let mut b = ChaCha8Rng::seed_from_u64(7);
        let mut slots = Vec::new();
        for e in Endpoint::ALL {
            let x = make_call(e, 0, &f, &mut slots, &mut a);
            let y = make_call(e, 0, &f, &mut slots, &mut b);
            assert_eq!(x, y);
            assert!(x.path.starts_with("/api/v1/customers"), "{x:?}");
        }
        let q = make_call(Endpoint::SearchName, 0, &f, &mut slots, &mut a);
        assert_eq!(q.path, "/api/v1/customers/search?q=%EA%B9%80%EC%98%81");
        for _ in 0..50 {
            let l = make_call(Endpoint::ListVip, 0, &f, &mut slots, &mut a);
            assert!(
                l.path.ends_with("offset=0") || l.path.ends_with("offset=20"),
                "{}",
                l.path
            );
        }
    }

    #[test]
    fn visits_use_slots_then_fall_back_to_paid() {
        let f = fixtures();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut slots = vec![VisitSlot {
            customer_id: "c".into(),
            package_usage_id: "p".into(),
            service_type: "pulse".into(),
        }];
        let first = make_call(Endpoint::RecordVisit, 0, &f, &mut slots, &mut rng);
        assert_eq!(
            first.path,
            "/api/v1/customers/c/sessions?confirm_duplicate=true"
        );
        assert!(first
            .body
            .as_ref()
            .unwrap()
            .contains("\"package_usage_id\":\"p\""));
        assert!(!first.paid_fallback);
        let second = make_call(Endpoint::RecordVisit, 1, &f, &mut slots, &mut rng);
        assert!(second.paid_fallback);
        let paid = second.body.unwrap();
        assert!(!paid.contains("package_usage_id"));
        assert!(
            paid.contains("\"payment_method\":\"card\""),
            "a paid visit names its method"
        );
    }

    #[test]
    fn update_alternates_the_occupation() {
        let f = fixtures();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut slots = Vec::new();
        let a = make_call(Endpoint::Update, 0, &f, &mut slots, &mut rng);
        let b = make_call(Endpoint::Update, 1, &f, &mut slots, &mut rng);
        assert_eq!(a.method, "PUT");
        assert_ne!(a.body, b.body);
    }
}
