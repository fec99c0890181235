//! Peer comparison for `GET /customers/segments/{id}` (seed 000 §2.2). The segment itself
//! comes from the clustering model elsewhere; here the customer is placed among that
//! segment's members and among everyone — visits, revenue, recency and rating percentiles —
//! and the differences are written out as Korean sentences a manager can read.

use crate::error::AnalyticsError;
use crate::num::{krw, short, won, Num};
use crate::population::{PeerSummary, Population};
use crate::signals::{unavailable, Known, Unavailable, RECENT_DAYS};
use chrono::NaiveDate;
use clinicdesk_domain::history::CustomerHistory;
use serde::Serialize;
use std::collections::BTreeSet;

/// At or above this percentile a value is "high"; below [`LOW_PERCENTILE`] "low".
pub const HIGH_PERCENTILE: f64 = 67.0;
pub const LOW_PERCENTILE: f64 = 33.0;
/// A secondary segment tag needs this percentile among all customers.
pub const TAG_PERCENTILE: f64 = 80.0;
/// A sentence calls a value higher or lower than peers from these percentiles on.
pub const NOTE_HIGH: f64 = 75.0;
pub const NOTE_LOW: f64 = 25.0;
/// Loyalty is "strong" only after this many days as a customer.
pub const LOYAL_TENURE_DAYS: i64 = 180;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentComparison {
    pub customer_id: String,
    pub primary_segment: String,
    pub primary_segment_name: Option<String>,
    /// Data tags from the customer's percentiles among everyone (README).
    pub secondary_segments: Vec<&'static str>,
    pub secondary_segments_label: Vec<&'static str>,
    pub characteristics: Characteristics,
    pub characteristics_label: Characteristics,
    /// Korean sentences: how the customer differs from their segment (or from everyone
    /// when the segment has no other data).
    pub characteristic_notes: Vec<String>,
    /// Among the segment's members (the seed's `peer_comparison`).
    pub peer_comparison: PeerComparison,
    /// Among all customers.
    pub overall_comparison: PeerComparison,
    pub customer_values: CustomerValues,
    pub unavailable: Vec<Unavailable>,
}

/// The seed's four characteristics (codes), or their Korean labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Characteristics {
    pub visit_frequency: &'static str,
    pub spending_level: &'static str,
    pub service_diversity: &'static str,
    pub loyalty_level: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeerComparison {
    /// `segment` or `all`.
    pub group: &'static str,
    pub group_label: &'static str,
    pub customers: usize,
    /// Percentile of total visits.
    pub visit_frequency_percentile: Option<Num>,
    /// Percentile of lifetime revenue.
    pub spending_percentile: Option<Num>,
    /// Percentile of the mean rating, among peers who rated.
    pub satisfaction_percentile: Option<Num>,
    /// Higher = visited more recently, among peers who visited.
    pub recency_percentile: Option<Num>,
    pub median_visits: Option<Num>,
    pub median_revenue: Option<i64>,
    pub median_days_since_last_visit: Option<Num>,
    pub median_rating: Option<Num>,
    pub unavailable: Vec<Unavailable>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerValues {
    pub visits: i64,
    pub revenue: i64,
    pub days_since_last_visit: Option<i64>,
    pub average_rating: Option<Num>,
    pub services_used: usize,
    pub tenure_days: i64,
}

/// Places the customer among `segment_peers` (the members of `segment_id`, usually
/// including the customer) and `everyone`. An empty `everyone` is an error: there is then
/// nothing at all to compare with. An empty segment gives `null` percentiles with reasons.
pub fn segment_comparison(
    history: &CustomerHistory,
    today: NaiveDate,
    segment_id: &str,
    segment_name: Option<&str>,
    segment_peers: &Population,
    everyone: &Population,
) -> Result<SegmentComparison, AnalyticsError> {
    if everyone.is_empty() {
        return Err(AnalyticsError::EmptyPopulation);
    }
    let me = PeerSummary::from_history(history, today);
    let known = Known::new(history, today);
    let segment = compare(&me, segment_peers, "segment", "같은 세그먼트");
    let overall = compare(&me, everyone, "all", "전체 고객");

    let level = |p: Option<Num>, codes: [&'static str; 3]| match p.map(Num::get) {
        Some(p) if p >= HIGH_PERCENTILE => codes[0],
        Some(p) if p >= LOW_PERCENTILE => codes[1],
        _ => codes[2],
    };
    let services: BTreeSet<_> = known.h.visits.iter().map(|v| v.service).collect();
    let characteristics = Characteristics {
        visit_frequency: level(
            overall.visit_frequency_percentile,
            ["high", "medium", "low"],
        ),
        spending_level: level(
            overall.spending_percentile,
            ["premium", "standard", "basic"],
        ),
        service_diversity: match services.len() {
            n if n >= 4 => "high",
            2 | 3 => "medium",
            _ => "low",
        },
        loyalty_level: loyalty(&known),
    };
    let characteristics_label = Characteristics {
        visit_frequency: level_label(characteristics.visit_frequency),
        spending_level: level_label(characteristics.spending_level),
        service_diversity: level_label(characteristics.service_diversity),
        loyalty_level: level_label(characteristics.loyalty_level),
    };

    let mut secondary = Vec::new();
    for (p, code, label) in [
        (overall.spending_percentile, "high_value", "고매출 고객"),
        (
            overall.visit_frequency_percentile,
            "regular_visitor",
            "단골 방문 고객",
        ),
        (
            overall.recency_percentile,
            "recently_active",
            "최근 활동 고객",
        ),
        (
            overall.satisfaction_percentile,
            "highly_satisfied",
            "높은 만족 고객",
        ),
    ] {
        if p.is_some_and(|p| p.get() >= TAG_PERCENTILE) {
            secondary.push((code, label));
        }
    }

    // Sentences against the segment when it has the data, against everyone otherwise.
    let basis = |seg: Option<Num>, all: Option<Num>| -> Option<(Num, &PeerComparison)> {
        seg.map(|p| (p, &segment)).or(all.map(|p| (p, &overall)))
    };
    let mut notes = Vec::new();
    if let Some((p, g)) = basis(
        segment.visit_frequency_percentile,
        overall.visit_frequency_percentile,
    ) {
        let m = g.median_visits.map_or(String::new(), |m| short(m.get()));
        notes.push(sentence(
            p.get(),
            g.group_label,
            format!("방문 횟수가 {}회로", me.visits),
            format!("중앙값({m}회)보다 많습니다"),
            format!("중앙값({m}회)보다 적습니다"),
            format!("고객과 비슷합니다 (중앙값 {m}회)"),
        ));
    }
    if let Some((p, g)) = basis(segment.spending_percentile, overall.spending_percentile) {
        let m = g.median_revenue.map_or(String::new(), krw);
        notes.push(sentence(
            p.get(),
            g.group_label,
            format!("누적 매출이 {}원으로", krw(me.revenue)),
            format!("중앙값({m}원)보다 많습니다"),
            format!("중앙값({m}원)보다 적습니다"),
            format!("고객과 비슷합니다 (중앙값 {m}원)"),
        ));
    }
    if let (Some(days), Some((p, g))) = (
        me.days_since_last_visit,
        basis(segment.recency_percentile, overall.recency_percentile),
    ) {
        let m = g
            .median_days_since_last_visit
            .map_or(String::new(), |m| short(m.get()));
        notes.push(sentence(
            p.get(),
            g.group_label,
            format!("마지막 방문이 {days}일 전으로"),
            format!("중앙값({m}일 전)보다 최근입니다"),
            format!("중앙값({m}일 전)보다 오래되었습니다"),
            format!("고객과 비슷합니다 (중앙값 {m}일 전)"),
        ));
    }
    if let (Some(r), Some((p, g))) = (
        me.average_rating,
        basis(
            segment.satisfaction_percentile,
            overall.satisfaction_percentile,
        ),
    ) {
        let m = g.median_rating.map_or(String::new(), |m| short(m.get()));
        notes.push(sentence(
            p.get(),
            g.group_label,
            format!("평균 평점이 {}점으로", short(r)),
            format!("중앙값({m}점)보다 높습니다"),
            format!("중앙값({m}점)보다 낮습니다"),
            format!("고객과 비슷합니다 (중앙값 {m}점)"),
        ));
    }

    let mut unavailable_ = Vec::new();
    if segment_name.is_none() {
        unavailable_.push(unavailable(
            "primary_segment_name",
            "세그먼트 모델이 이름을 주지 않았습니다",
        ));
    }
    Ok(SegmentComparison {
        customer_id: history.customer_id.clone(),
        primary_segment: segment_id.to_string(),
        primary_segment_name: segment_name.map(str::to_string),
        secondary_segments: secondary.iter().map(|s| s.0).collect(),
        secondary_segments_label: secondary.iter().map(|s| s.1).collect(),
        characteristics,
        characteristics_label,
        characteristic_notes: notes,
        peer_comparison: segment,
        overall_comparison: overall,
        customer_values: CustomerValues {
            visits: me.visits,
            revenue: me.revenue,
            days_since_last_visit: me.days_since_last_visit,
            average_rating: me.average_rating.map(Num::one),
            services_used: services.len(),
            tenure_days: known.tenure_days(),
        },
        unavailable: unavailable_,
    })
}

fn compare(
    me: &PeerSummary,
    peers: &Population,
    group: &'static str,
    group_label: &'static str,
) -> PeerComparison {
    let mut unavailable_ = Vec::new();
    let empty = peers.is_empty();
    let mut why = |fields: &[&'static str], reason: String| {
        for f in fields {
            unavailable_.push(unavailable(f, reason.clone()));
        }
    };
    if empty {
        why(
            &[
                "visit_frequency_percentile",
                "spending_percentile",
                "median_visits",
                "median_revenue",
            ],
            format!("{group_label} 집단이 비어 있습니다"),
        );
    }
    let recency = me
        .days_since_last_visit
        .and_then(|d| peers.recency_percentile(d));
    if me.days_since_last_visit.is_none() {
        why(&["recency_percentile"], "방문 기록이 없습니다".into());
    } else if recency.is_none() {
        why(
            &["recency_percentile"],
            format!("{group_label} 중 방문한 고객이 없습니다"),
        );
    }
    if peers.visited() == 0 {
        why(
            &["median_days_since_last_visit"],
            format!("{group_label} 중 방문한 고객이 없습니다"),
        );
    }
    let satisfaction = me.average_rating.and_then(|r| peers.rating_percentile(r));
    if me.average_rating.is_none() {
        why(&["satisfaction_percentile"], "평점 기록이 없습니다".into());
    } else if satisfaction.is_none() {
        why(
            &["satisfaction_percentile"],
            format!("{group_label} 중 평점을 남긴 고객이 없습니다"),
        );
    }
    if peers.rated() == 0 {
        why(
            &["median_rating"],
            format!("{group_label} 중 평점을 남긴 고객이 없습니다"),
        );
    }
    PeerComparison {
        group,
        group_label,
        customers: peers.len(),
        visit_frequency_percentile: peers.visits_percentile(me.visits).map(Num::one),
        spending_percentile: peers.revenue_percentile(me.revenue).map(Num::one),
        satisfaction_percentile: satisfaction.map(Num::one),
        recency_percentile: recency.map(Num::one),
        median_visits: peers.visits_median().map(Num::one),
        median_revenue: peers.revenue_median().and_then(|m| won(m, 1.0)),
        median_days_since_last_visit: peers.recency_median().map(Num::one),
        median_rating: peers.rating_median().map(Num::one),
        unavailable: unavailable_,
    }
}

/// `strong` for a customer of at least 180 days who is not overdue; `moderate` for one who
/// is not overdue yet (or overdue but seen within 90 days); `weak` otherwise.
fn loyalty(k: &Known) -> &'static str {
    match k.overdue() {
        None => "weak",
        Some(o) if !o.is_overdue && k.tenure_days() >= LOYAL_TENURE_DAYS => "strong",
        Some(o) if !o.is_overdue || o.days_since <= RECENT_DAYS => "moderate",
        Some(_) => "weak",
    }
}

fn level_label(code: &str) -> &'static str {
    match code {
        "high" => "높음",
        "medium" => "보통",
        "low" => "낮음",
        "premium" => "프리미엄",
        "standard" => "일반",
        "basic" => "기본",
        "strong" => "강함",
        "moderate" => "보통",
        _ => "약함",
    }
}

/// "{subject} {group} {high|low|similar} ({group} 상위/하위 약 N%)."
fn sentence(
    percentile: f64,
    group: &str,
    subject: String,
    higher: String,
    lower: String,
    similar: String,
) -> String {
    if percentile >= NOTE_HIGH {
        let top = (100.0 - percentile).round().max(1.0);
        format!("{subject} {group} {higher} ({group} 상위 약 {top:.0}%).")
    } else if percentile <= NOTE_LOW {
        let bottom = percentile.round().max(1.0);
        format!("{subject} {group} {lower} ({group} 하위 약 {bottom:.0}%).")
    } else {
        format!("{subject} {group} {similar}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{d, history, json_checked, nulls_explained, purchase, visit};
    use clinicdesk_domain::ServiceType::{AiBike, Brain, Lymph, Pulse, Red};

    const TODAY: &str = "2026-03-31";

    fn peer(revenue: i64, visits: i64, days: Option<i64>, rating: Option<f64>) -> PeerSummary {
        PeerSummary {
            revenue,
            visits,
            days_since_last_visit: days,
            average_rating: rating,
        }
    }

    /// 12 visits across four services over a year, last on 03-27 (4 days ago), mean rating
    /// 4.5, 1,500,000 won in all.
    fn customer() -> CustomerHistory {
        let mut h = history("2025-03-01");
        let services = [Brain, Pulse, Lymph, Red];
        h.visits = (0..12)
            .map(|i| {
                let day = crate::period::shift(d("2025-04-10"), 30 * i);
                let rating = if i % 2 == 0 { 5 } else { 4 };
                visit(
                    &day.to_string(),
                    services[i as usize % 4],
                    0,
                    Some(rating),
                    None,
                )
            })
            .collect();
        h.visits.push(visit("2026-03-27", Brain, 0, Some(5), None));
        h.visits.remove(0);
        h.purchases = vec![purchase("2025-04-10", 1_500_000, &services)];
        h
    }

    fn segment() -> Population {
        // The customer (12 visits, 1.5M, 4 days, 4.5) and three peers.
        [
            peer(1_500_000, 12, Some(4), Some(4.5)),
            peer(500_000, 6, Some(20), Some(4.0)),
            peer(800_000, 8, Some(10), Some(5.0)),
            peer(2_000_000, 20, Some(2), None),
        ]
        .into_iter()
        .collect()
    }

    fn everyone() -> Population {
        let mut all = vec![
            peer(1_500_000, 12, Some(4), Some(4.5)),
            peer(500_000, 6, Some(20), Some(4.0)),
            peer(800_000, 8, Some(10), Some(5.0)),
            peer(2_000_000, 20, Some(2), None),
        ];
        // Six light customers.
        all.extend((0..6).map(|i| peer(100_000 * i, i, Some(100 + i), Some(3.0))));
        all.into_iter().collect()
    }

    #[test]
    fn percentiles_among_segment_and_everyone_by_hand() {
        let h = customer();
        let c = segment_comparison(
            &h,
            d(TODAY),
            "health_enthusiast",
            Some("건강 관리형"),
            &segment(),
            &everyone(),
        )
        .expect("populations");
        assert_eq!(c.customer_values.visits, 12);
        assert_eq!(c.customer_values.revenue, 1_500_000);
        assert_eq!(c.customer_values.days_since_last_visit, Some(4));
        // Segment visits 6, 8, 12, 20: 2 below, 1 equal → 2.5/4 = 62.5.
        let s = &c.peer_comparison;
        assert_eq!(s.customers, 4);
        assert_eq!(s.visit_frequency_percentile, Some(Num::one(62.5)));
        // Revenue 0.5M, 0.8M, 1.5M, 2M → 62.5 too.
        assert_eq!(s.spending_percentile, Some(Num::one(62.5)));
        // Recency days 2, 4, 10, 20: one more recent (2), two longer ago → 100 − 37.5 = 62.5.
        assert_eq!(s.recency_percentile, Some(Num::one(62.5)));
        // Ratings of the three who rated: 4.0, 4.5, 5.0 → (1 + 0.5)/3 = 50.
        assert_eq!(s.satisfaction_percentile, Some(Num::one(50.0)));
        // Medians: visits (8 + 12)/2 = 10; revenue (0.8M + 1.5M)/2 = 1.15M.
        assert_eq!(s.median_visits, Some(Num::one(10.0)));
        assert_eq!(s.median_revenue, Some(1_150_000));
        // Everyone (10): visits 0..5, 6, 8, 12, 20 → 8 below, 1 equal → 85.
        let o = &c.overall_comparison;
        assert_eq!(o.customers, 10);
        assert_eq!(o.visit_frequency_percentile, Some(Num::one(85.0)));
        assert_eq!(o.spending_percentile, Some(Num::one(85.0)));
        // Ratings among 9 raters: six 3.0, 4.0, 4.5, 5.0 → (7 + 0.5)/9 = 83.3.
        assert_eq!(o.satisfaction_percentile, Some(Num::one(83.3)));
        // Tags need 80 among everyone: spending 85, visits 85, recency, rating 83.3.
        assert_eq!(
            c.secondary_segments,
            vec![
                "high_value",
                "regular_visitor",
                "recently_active",
                "highly_satisfied"
            ]
        );
        assert_eq!(c.characteristics.visit_frequency, "high");
        assert_eq!(c.characteristics.spending_level, "premium");
        // Four services used → high diversity.
        assert_eq!(c.characteristics.service_diversity, "high");
        // A year as a customer, 4 days since the last visit → strong.
        assert_eq!(c.characteristics.loyalty_level, "strong");
        assert_eq!(c.characteristics_label.loyalty_level, "강함");
    }

    #[test]
    fn sentences_say_how_the_customer_differs() {
        let h = customer();
        let c = segment_comparison(&h, d(TODAY), "s1", None, &segment(), &everyone())
            .expect("populations");
        assert_eq!(c.characteristic_notes.len(), 4);
        // 62.5 is between 25 and 75 → "similar" against the segment.
        assert_eq!(
            c.characteristic_notes[0],
            "방문 횟수가 12회로 같은 세그먼트 고객과 비슷합니다 (중앙값 10회)."
        );
        assert!(c.characteristic_notes[1].contains("1,150,000원"));
        // Against a segment of light customers the same customer stands out.
        let light: Population = (1..=4)
            .map(|i| peer(100_000 * i, i, Some(30 * i), Some(3.0)))
            .collect();
        let c =
            segment_comparison(&h, d(TODAY), "s2", None, &light, &everyone()).expect("populations");
        assert_eq!(c.characteristic_notes.len(), 4);
        // 12 visits above all of 1..4 → 100 → top 1 % at least.
        assert_eq!(
            c.characteristic_notes[0],
            "방문 횟수가 12회로 같은 세그먼트 중앙값(2.5회)보다 많습니다 (같은 세그먼트 상위 약 1%)."
        );
        assert!(c.characteristic_notes[2].contains("최근입니다"));
        assert!(c.characteristic_notes[3].contains("높습니다"));
        let v = json_checked(&c);
        nulls_explained(&v);
    }

    #[test]
    fn empty_populations() {
        let h = customer();
        assert_eq!(
            segment_comparison(&h, d(TODAY), "s", None, &segment(), &Population::default()),
            Err(AnalyticsError::EmptyPopulation)
        );
        // An empty segment: nulls with reasons, and sentences against everyone instead.
        let c = segment_comparison(&h, d(TODAY), "s", None, &Population::default(), &everyone())
            .expect("everyone is there");
        assert_eq!(c.peer_comparison.visit_frequency_percentile, None);
        assert_eq!(c.peer_comparison.customers, 0);
        assert!(!c.characteristic_notes.is_empty());
        assert!(c.characteristic_notes[0].contains("전체 고객"));
        let v = json_checked(&c);
        nulls_explained(&v["peer_comparison"]);
        nulls_explained(&v["overall_comparison"]);
    }

    #[test]
    fn a_single_customer_population_and_a_customer_without_visits() {
        let mut h = history("2026-01-01");
        h.purchases = vec![purchase("2026-01-02", 300_000, &[AiBike])];
        let me = PeerSummary::from_history(&h, d(TODAY));
        let alone = Population::new([me]);
        let c =
            segment_comparison(&h, d(TODAY), "new", None, &alone, &alone).expect("one customer");
        // Alone: mid-rank 50 for visits and revenue; no recency or rating to place.
        assert_eq!(
            c.overall_comparison.spending_percentile,
            Some(Num::one(50.0))
        );
        assert_eq!(c.overall_comparison.recency_percentile, None);
        assert_eq!(c.overall_comparison.satisfaction_percentile, None);
        assert_eq!(c.characteristics.loyalty_level, "weak");
        assert_eq!(c.characteristics.service_diversity, "low");
        assert!(c.secondary_segments.is_empty());
        let v = json_checked(&c);
        nulls_explained(&v["overall_comparison"]);
        nulls_explained(&v["peer_comparison"]);
    }
}
