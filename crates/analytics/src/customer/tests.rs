use super::*;
use crate::inputs::HealthMetric::{FatigueLevel, FocusLevel, PainLevel, SleepQuality, StressLevel};
use crate::inputs::{HealthMetric, PackageSnapshot};
use crate::population::PeerSummary;
use crate::testkit::{d, history, json_checked, nulls_explained, package, purchase, visit};
use clinicdesk_domain::ServiceType::{Brain, Pulse, Red};
use serde_json::{json, Value};

const TODAY: &str = "2026-03-31"; // a Tuesday

/// Registered 2025-12-01. Before the 90-day period (2026-01-01 ..= 2026-03-31): three visits
/// in December. In it: seven visits, six of them on Mondays, and a 600,000 package.
fn customer() -> CustomerHistory {
    let mut h = history("2025-12-01");
    h.visits = vec![
        visit("2025-12-10", Brain, 60_000, None, None), // Wed
        visit("2025-12-20", Brain, 0, None, None),      // Sat
        visit("2025-12-22", Pulse, 50_000, None, None), // Mon
        visit("2026-01-05", Brain, 0, Some(5), Some(10)),
        visit("2026-01-12", Brain, 0, Some(4), Some(10)),
        visit("2026-01-19", Pulse, 50_000, Some(4), Some(11)),
        visit("2026-02-02", Brain, 0, Some(5), Some(10)),
        visit("2026-02-06", Red, 40_000, None, Some(15)), // Fri
        visit("2026-02-09", Brain, 0, None, Some(10)),
        visit("2026-03-09", Brain, 0, Some(3), Some(14)),
    ];
    h.purchases = vec![purchase("2026-01-05", 600_000, &[Brain, Pulse])];
    h
}

fn population() -> Population {
    [100_000, 800_000, 800_000, 2_000_000]
        .into_iter()
        .map(|revenue| PeerSummary {
            revenue,
            visits: 5,
            days_since_last_visit: Some(10),
            average_rating: None,
        })
        .collect()
}

fn churn(p: f64, horizon_days: i64) -> ChurnInput {
    ChurnInput {
        probability: p,
        horizon_days,
        model_version: Some("churn-2026-03".into()),
    }
}

fn report(date: &str, metric: HealthMetric, value: i64) -> SelfReport {
    SelfReport {
        date: d(date),
        metric,
        value,
    }
}

fn extras() -> CustomerExtras {
    CustomerExtras {
        self_reports: vec![
            report("2026-01-05", StressLevel, 7),
            report("2026-02-01", StressLevel, 5),
            report("2026-03-01", StressLevel, 4),
            report("2026-01-05", SleepQuality, 6),
            report("2026-03-01", SleepQuality, 8),
            report("2026-03-01", FocusLevel, 5),
            report("2026-04-05", PainLevel, 9), // after today: ignored
            report("2026-03-01", FatigueLevel, 11), // off the 1–10 scale: ignored
        ],
        packages: vec![],
    }
}

fn analyse(
    h: &CustomerHistory,
    period: AnalysisPeriod,
    churn: Option<&ChurnInput>,
    extras: &CustomerExtras,
) -> Result<CustomerAnalytics, AnalyticsError> {
    customer_analytics(
        h,
        period,
        &MetricSet::all(),
        d(TODAY),
        &population(),
        churn,
        extras,
    )
}

fn full() -> CustomerAnalytics {
    analyse(
        &customer(),
        AnalysisPeriod::Days90,
        Some(&churn(0.19, 60)),
        &extras(),
    )
    .expect("enough data")
}

#[test]
fn visit_pattern_by_hand() {
    let a = full();
    assert_eq!(a.analysed_from, d("2026-01-01"));
    let v = a.visit_pattern.expect("requested");
    // Visit days in the period: 01-05, 01-12, 01-19, 02-02, 02-06, 02-09, 03-09.
    // Intervals 7, 7, 14, 4, 3, 28 → mean 63 / 6 = 10.5.
    assert_eq!(v.visits_in_period, 7);
    assert_eq!(v.visit_days_in_period, 7);
    assert_eq!(v.average_interval_days, Some(Num::one(10.5)));
    // σ (population) = √(441.5 / 6) = 8.578; CV = 8.578 / 10.5 = 0.817 → 100 × 0.183 = 18.
    assert_eq!(v.interval_cv, Some(Num::two(0.82)));
    assert_eq!(v.consistency_score, Some(18));
    // 10.5 is not below the weekly bound 10.5, CV ≤ 1 → bi-weekly.
    assert_eq!(v.visit_frequency, Some("bi-weekly"));
    assert_eq!(v.visit_frequency_label, Some("격주"));
    // Six of seven visits on Mondays (85.7 %); Friday has one (< 2 visits).
    assert_eq!(v.preferred_days, vec!["Monday"]);
    assert_eq!(v.preferred_days_label, vec!["월요일"]);
    assert_eq!(v.weekday_distribution.len(), 7);
    assert_eq!(v.weekday_distribution[0].visits, 6);
    assert_eq!(v.weekday_distribution[0].share, Some(Num::one(85.7)));
    // Hours 10, 10, 11, 10, 10 → 10:00-12:00 (5 of 7); 15, 14 → 14:00-16:00 (2 of 7, 28.6 %).
    assert_eq!(v.preferred_times, vec!["10:00-12:00", "14:00-16:00"]);
    assert_eq!(v.time_distribution.len(), 2);
    assert_eq!(v.time_distribution[1].share, Num::one(28.6));
    assert_eq!(v.time_distribution[1].label, "14시~16시");
    let months: Vec<(&str, usize)> = v
        .monthly_visits
        .iter()
        .map(|m| (m.month.as_str(), m.visits))
        .collect();
    assert_eq!(months, vec![("2026-01", 3), ("2026-02", 3), ("2026-03", 1)]);
    assert!(v.unavailable.is_empty());
}

#[test]
fn frequency_labels_at_their_bounds() {
    assert_eq!(frequency_of(3.0, None).1, "주 2회 이상");
    assert_eq!(frequency_of(7.0, Some(0.1)).1, "주 1회");
    assert_eq!(frequency_of(14.0, Some(0.1)).1, "격주");
    assert_eq!(frequency_of(30.0, Some(0.1)).1, "월 1회");
    assert_eq!(frequency_of(45.0, Some(0.1)).1, "월 1회");
    assert_eq!(frequency_of(45.5, None).1, "비정기");
    // Weekly on average but all over the place.
    assert_eq!(frequency_of(7.0, Some(1.2)).1, "비정기");
    assert_eq!(consistency_score(0.0), 100);
    assert_eq!(consistency_score(1.5), 0);
}

#[test]
fn service_usage_by_hand() {
    let s = full().service_usage.expect("requested");
    // In the period: brain 5, pulse 1, red 1 (7). Previous 90 days: brain 2, pulse 1.
    assert_eq!(s.total_visits, 7);
    assert_eq!(s.most_used_service, Some(Brain));
    assert_eq!(s.most_used_service_name, Some("브레인 피드백"));
    assert_eq!(s.service_distribution.get("brain"), Some(&Num::one(71.4)));
    assert_eq!(s.service_distribution.get("pulse"), Some(&Num::one(14.3)));
    // Brain ratings 5, 4, 5, 3 → 4.25 → 4.3; pulse 4; red none.
    assert_eq!(s.satisfaction_by_service.get("brain"), Some(&Num::one(4.3)));
    assert_eq!(s.satisfaction_by_service.get("pulse"), Some(&Num::one(4.0)));
    assert_eq!(s.satisfaction_by_service.get("red"), None);
    // Brain (5 − 2)/2 = +150 %; pulse (1 − 1)/1 = 0 %; red had no previous use → null.
    assert_eq!(
        s.growth_trend.get("brain"),
        Some(&Some("+150%".to_string()))
    );
    assert_eq!(s.growth_trend.get("pulse"), Some(&Some("0%".to_string())));
    assert_eq!(s.growth_trend.get("red"), Some(&None));
    let order: Vec<_> = s.services.iter().map(|r| r.service).collect();
    // Pulse and red tie at 1; red was used more recently (02-06 against 01-19).
    assert_eq!(order, vec![Brain, Red, Pulse]);
    assert!(!s.services.is_empty());
    assert!(s.services[1].growth_note.is_some());
    assert_eq!(s.services[0].rating_count, 4);
}

#[test]
fn revenue_and_ltv_by_hand() {
    let r = full().revenue_contribution.expect("requested");
    // Period: pulse 50,000 + red 40,000 paid visits; the 600,000 package.
    assert_eq!(r.visit_revenue, 90_000);
    assert_eq!(r.purchase_revenue, 600_000);
    assert_eq!(r.total_revenue, 690_000);
    // 90 days = 3 months → 230,000 a month.
    assert_eq!(r.average_monthly_revenue, Some(230_000));
    let trend: Vec<(&str, i64)> = r
        .revenue_trend
        .iter()
        .map(|m| (m.month.as_str(), m.amount))
        .collect();
    assert_eq!(
        trend,
        vec![("2026-01", 650_000), ("2026-02", 40_000), ("2026-03", 0)]
    );
    // Lifetime adds December's 60,000 + 50,000 → 800,000 over 120 days = 4 months →
    // 200,000 a month. p = 0.19 in 60 days → m = 1 − 0.81^(30/60) = 1 − 0.9 = 0.1;
    // remaining = 0.9 / 0.1 = 9 months → 1,800,000 projected → LTV 2,600,000.
    assert_eq!(r.lifetime_revenue, 800_000);
    assert_eq!(r.ltv.tenure_months, Num::one(4.0));
    assert_eq!(r.ltv.average_monthly_revenue, Some(200_000));
    assert_eq!(r.ltv.monthly_churn_rate, Some(Num::two(0.1)));
    assert_eq!(r.ltv.expected_remaining_months, Some(Num::one(9.0)));
    assert_eq!(r.ltv.projected_revenue, Some(1_800_000));
    assert_eq!(r.ltv_estimate, Some(2_600_000));
    assert!(!r.ltv.assumptions.is_empty());
    // Population 100k, 800k, 800k, 2M: 1 below, 2 equal → (1 + 1)/4 = 50.
    assert_eq!(r.revenue_percentile, Some(Num::one(50.0)));
    assert_eq!(r.compared_customers, 4);
}

#[test]
fn remaining_lifetime_edges() {
    // p = 0.5 within 30 days → m = 0.5 → 1 month.
    assert_eq!(expected_remaining_months(0.5, 30), (0.5, 1.0));
    // Certain churn → nothing to come; no churn → the 60-month cap, never infinity.
    assert_eq!(expected_remaining_months(1.0, 90).1, 0.0);
    assert_eq!(expected_remaining_months(0.0, 90).1, LTV_MAX_MONTHS);
}

#[test]
fn health_metrics_compare_first_and_latest() {
    let h = full().health_metrics.expect("requested");
    // Stress 7 → 4: (4 − 7)/7 = −42.9 % → −43, lower is better → improved.
    let stress = h.reported_improvements.get("stress_level").expect("stress");
    assert_eq!((stress.before, stress.after, stress.change), (7, 4, -43));
    assert_eq!(stress.direction, "improved");
    assert_eq!(stress.reports, 3);
    // Sleep 6 → 8: +33 %, higher is better → improved.
    let sleep = h.reported_improvements.get("sleep_quality").expect("sleep");
    assert_eq!((sleep.change, sleep.direction_label), (33, "개선"));
    // Focus has one day only: listed, not compared.
    assert_eq!(h.single_reports.len(), 1);
    assert_eq!(h.single_reports[0].metric, "focus_level");
    assert_eq!(h.reports_used, 6);
    assert_eq!(h.reports_ignored, 2);
    assert_eq!(h.improvement_rate, Some(Num::one(100.0)));
    assert_eq!(h.goal_achievement_rate, None);
}

#[test]
fn health_metrics_worsening_and_nothing_recorded() {
    let e = CustomerExtras {
        self_reports: vec![
            report("2026-01-05", PainLevel, 3),
            report("2026-02-05", PainLevel, 6),
            report("2026-01-05", FocusLevel, 5),
            report("2026-02-05", FocusLevel, 5),
        ],
        packages: vec![],
    };
    let a = analyse(&customer(), AnalysisPeriod::Days90, None, &e).expect("enough data");
    let h = a.health_metrics.expect("requested");
    let pain = h.reported_improvements.get("pain_level").expect("pain");
    // 3 → 6 = +100 %, and more pain is worse.
    assert_eq!((pain.change, pain.direction), (100, "worsened"));
    let focus = h.reported_improvements.get("focus_level").expect("focus");
    assert_eq!(focus.direction, "unchanged");
    // 0 of 2 improved.
    assert_eq!(h.improvement_rate, Some(Num::one(0.0)));

    let a = analyse(
        &customer(),
        AnalysisPeriod::Days90,
        None,
        &CustomerExtras::default(),
    )
    .expect("enough data");
    let h = a.health_metrics.expect("requested");
    assert!(h.reported_improvements.is_empty());
    assert_eq!(h.improvement_rate, None);
    assert!(h
        .unavailable
        .iter()
        .any(|u| u.field == "reported_improvements" && u.reason.contains("없습니다")));
}

#[test]
fn risk_assessment_by_hand() {
    let r = full().risk_assessment.expect("requested");
    // p = 0.19 → low, 19 %.
    assert_eq!(r.churn_risk, Some(ChurnRisk::Low));
    assert_eq!(r.churn_probability, Some(Num::one(19.0)));
    assert_eq!(r.churn_model.status, "loaded");
    // All visit days 2025-12-10 ..= 2026-03-09: 89 days over 9 gaps = 9.9; threshold
    // round(2 × 9.89) = 20. Last visit 22 days ago → overdue (medium: 22 ≤ 40).
    assert_eq!(r.days_since_last_visit, Some(22));
    assert_eq!(r.usual_interval_days, Some(Num::one(9.9)));
    assert_eq!(r.risk_factors.len(), 1);
    assert_eq!(r.risk_factors[0].code, "overdue_visit");
    // Retention: recency (40 − 22)/20 = 0.9; frequency min(1, 7/3) = 1; satisfaction
    // last five ratings 5, 4, 4, 5, 3 → 4.2 → 0.8; no package → 0.
    // 100 × (0.4 × 0.9 + 0.3 × 1 + 0.15 × 0.8 + 0) = 78.
    assert_eq!(r.retention_score, 78);
    assert_eq!(r.retention.recency, Num::two(0.9));
    assert_eq!(r.retention.satisfaction, Num::two(0.8));
    assert_eq!(
        r.next_action_recommendation,
        Some("안부 연락 및 재방문 예약 권유")
    );
    assert!(r.next_action_reason.is_some_and(|s| s.contains("22일")));
}

#[test]
fn risk_with_an_expiring_package_suggests_renewal() {
    let e = CustomerExtras {
        self_reports: vec![],
        // Ten days to expiry.
        packages: vec![package(
            "브레인 10회권",
            "2026-01-05",
            "2026-04-10",
            10,
            5,
            &[Brain],
        )],
    };
    let mut h = customer();
    h.visits
        .push(visit("2026-03-28", Brain, 0, Some(5), Some(10)));
    let a = analyse(&h, AnalysisPeriod::Days90, None, &e).expect("enough data");
    let r = a.risk_assessment.expect("requested");
    let codes: Vec<_> = r.risk_factors.iter().map(|f| f.code).collect();
    assert_eq!(codes, vec!["package_expiring"]);
    assert_eq!(r.next_action_recommendation, Some("패키지 갱신 제안"));
    // An expiring package counts half in the retention score.
    assert_eq!(r.retention.package, Num::two(0.5));
}

#[test]
fn without_a_churn_model_nothing_is_invented() {
    let a = analyse(&customer(), AnalysisPeriod::Days90, None, &extras()).expect("enough data");
    let r = a.risk_assessment.clone().expect("requested");
    assert_eq!(r.churn_risk, None);
    assert_eq!(r.churn_probability, None);
    assert_eq!(r.churn_model.status, "not_loaded");
    let rev = a.revenue_contribution.clone().expect("requested");
    assert_eq!(rev.ltv_estimate, None);
    assert_eq!(rev.ltv.projected_revenue, None);
    // The history still gives the lifetime revenue.
    assert_eq!(rev.lifetime_revenue, 800_000);
    let v = json_checked(&a);
    assert_eq!(v["riskAssessment"]["churn_probability"], Value::Null);
    nulls_explained(&v["riskAssessment"]);
    nulls_explained(&v["revenueContribution"]);
}

#[test]
fn insufficient_data_rule() {
    // One visit.
    let mut h = history("2025-01-01");
    h.visits = vec![visit("2026-03-01", Brain, 0, None, None)];
    match analyse(&h, AnalysisPeriod::Days90, None, &extras()) {
        Err(AnalyticsError::InsufficientData { visits, .. }) => assert_eq!(visits, 1),
        other => panic!("{other:?}"),
    }
    // Two visits, but the customer is 10 days old.
    let mut h = history("2026-03-21");
    h.visits = vec![
        visit("2026-03-22", Brain, 0, None, None),
        visit("2026-03-29", Brain, 0, None, None),
    ];
    match analyse(&h, AnalysisPeriod::Days90, None, &extras()) {
        Err(AnalyticsError::InsufficientData { tenure_days, .. }) => assert_eq!(tenure_days, 10),
        other => panic!("{other:?}"),
    }
    // Visits after today do not count.
    let mut h = history("2025-01-01");
    h.visits = vec![
        visit("2026-03-01", Brain, 0, None, None),
        visit("2026-04-02", Brain, 0, None, None),
    ];
    assert!(matches!(
        analyse(&h, AnalysisPeriod::Days90, None, &extras()),
        Err(AnalyticsError::InsufficientData { .. })
    ));
    // Exactly at the rule: two visits, 14 days → analysed.
    let mut h = history("2026-03-17");
    h.visits = vec![
        visit("2026-03-17", Brain, 0, None, None),
        visit("2026-03-24", Brain, 0, None, None),
    ];
    assert!(analyse(&h, AnalysisPeriod::Days90, None, &extras()).is_ok());
}

#[test]
fn analyses_that_need_more_data_are_null_with_reasons() {
    // Two services on one day: two visits, one visit day → no interval, no consistency.
    let mut h = history("2026-01-01");
    h.visits = vec![
        visit("2026-03-02", Brain, 0, None, None),
        visit("2026-03-02", Red, 40_000, None, None),
    ];
    let a = analyse(&h, AnalysisPeriod::Days90, None, &CustomerExtras::default())
        .expect("two visits, 89 days");
    let v = a.visit_pattern.clone().expect("requested");
    assert_eq!(v.average_interval_days, None);
    assert_eq!(v.consistency_score, None);
    assert_eq!(v.visit_frequency, None);
    assert!(v.preferred_times.is_empty());
    let json = json_checked(&a);
    for section in [
        "visitPattern",
        "serviceUsage",
        "revenueContribution",
        "healthMetrics",
        "riskAssessment",
    ] {
        nulls_explained(&json[section]);
    }
    assert_eq!(json["visitPattern"]["average_interval_days"], Value::Null);
    assert_eq!(json["riskAssessment"]["usual_interval_days"], Value::Null);
}

#[test]
fn a_quiet_period_gives_nulls_not_zeros() {
    // Visits only long ago: the last 30 days are empty.
    let mut h = history("2025-01-01");
    h.visits = vec![
        visit("2025-02-01", Brain, 60_000, Some(4), Some(9)),
        visit("2025-03-01", Pulse, 50_000, Some(2), Some(9)),
    ];
    let a = customer_analytics(
        &h,
        AnalysisPeriod::Days30,
        &MetricSet::all(),
        d(TODAY),
        &Population::default(),
        Some(&churn(0.8, 90)),
        &CustomerExtras::default(),
    )
    .expect("enough history");
    let s = a.service_usage.clone().expect("requested");
    assert_eq!(s.total_visits, 0);
    assert_eq!(s.most_used_service, None);
    assert!(s.services.is_empty());
    let v = a.visit_pattern.clone().expect("requested");
    assert_eq!(v.weekday_distribution.len(), 7);
    assert!(v.weekday_distribution.iter().all(|w| w.share.is_none()));
    let r = a.revenue_contribution.clone().expect("requested");
    assert_eq!(r.total_revenue, 0);
    // An empty population has no percentile.
    assert_eq!(r.revenue_percentile, None);
    let json = json_checked(&a);
    for section in [
        "visitPattern",
        "serviceUsage",
        "revenueContribution",
        "healthMetrics",
        "riskAssessment",
    ] {
        nulls_explained(&json[section]);
    }
    let risk = a.risk_assessment.expect("requested");
    assert_eq!(risk.churn_risk, Some(ChurnRisk::High));
    let codes: Vec<_> = risk.risk_factors.iter().map(|f| f.code).collect();
    // 395 days since the last visit against a 28-day rhythm (threshold 56).
    assert!(codes.contains(&"overdue_visit"));
}

#[test]
fn metrics_filter_selects_sections() {
    let only = MetricSet::parse(Some("visitPattern, risk_assessment")).expect("valid");
    let a = customer_analytics(
        &customer(),
        AnalysisPeriod::Days90,
        &only,
        d(TODAY),
        &population(),
        None,
        &extras(),
    )
    .expect("enough data");
    let v = json_checked(&a);
    let keys: Vec<&str> = v
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert!(keys.contains(&"visitPattern"));
    assert!(keys.contains(&"riskAssessment"));
    assert!(!keys.contains(&"serviceUsage"));
    assert!(!keys.contains(&"revenueContribution"));
    assert!(!keys.contains(&"healthMetrics"));
    assert_eq!(v["period"], json!("90d"));
    assert_eq!(MetricSet::parse(None), Ok(MetricSet::all()));
    assert_eq!(MetricSet::parse(Some(" ,")), Ok(MetricSet::all()));
    match MetricSet::parse(Some("visitPattern,loyalty")) {
        Err(AnalyticsError::InvalidParameter { field, value, .. }) => {
            assert_eq!((field, value.as_str()), ("metrics", "loyalty"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_answer_keeps_the_seed_shape() {
    let v = json_checked(&full());
    for (section, keys) in [
        (
            "visitPattern",
            &[
                "average_interval_days",
                "visit_frequency",
                "preferred_days",
                "preferred_times",
                "consistency_score",
                "monthly_visits",
            ][..],
        ),
        (
            "serviceUsage",
            &[
                "most_used_service",
                "service_distribution",
                "satisfaction_by_service",
                "growth_trend",
            ][..],
        ),
        (
            "revenueContribution",
            &[
                "total_revenue",
                "average_monthly_revenue",
                "revenue_trend",
                "ltv_estimate",
                "revenue_percentile",
            ][..],
        ),
        (
            "healthMetrics",
            &[
                "reported_improvements",
                "goal_achievement_rate",
                "recommendation_compliance",
            ][..],
        ),
        (
            "riskAssessment",
            &[
                "churn_risk",
                "churn_probability",
                "risk_factors",
                "retention_score",
                "next_action_recommendation",
            ][..],
        ),
    ] {
        for k in keys {
            assert!(v[section].get(*k).is_some(), "{section}.{k}");
        }
        nulls_explained(&v[section]);
    }
    assert_eq!(
        v["visitPattern"]["monthly_visits"][0],
        json!({"month": "2026-01", "visits": 3})
    );
    assert_eq!(
        v["serviceUsage"]["service_distribution"]["brain"],
        json!(71.4)
    );
    assert_eq!(
        v["healthMetrics"]["reported_improvements"]["stress_level"]["change"],
        json!(-43)
    );
    assert_eq!(v["riskAssessment"]["churn_risk"], json!("low"));
}

#[test]
fn impossible_churn_input_is_an_error() {
    let r = analyse(
        &customer(),
        AnalysisPeriod::Days90,
        Some(&churn(1.5, 90)),
        &extras(),
    );
    assert!(matches!(r, Err(AnalyticsError::InvalidInput { .. })));
}

#[test]
fn package_snapshot_reads_the_domain_usage() {
    use clinicdesk_domain::package::{package_usage, Purchase, Sessions};
    let mut sessions = Sessions::new();
    sessions.insert(Brain, 10);
    let p = Purchase {
        id: "p".into(),
        customer_id: "c".into(),
        package_id: "t".into(),
        package_name: "브레인 10회권".into(),
        purchase_date: d("2026-01-01"),
        expiry_date: d("2026-06-30"),
        price_paid: 500_000,
        payment_method: None,
        notes: None,
        sessions,
        created_at: "2026-01-01T00:00:00Z".into(),
        cancellation: None,
    };
    let mut used = Sessions::new();
    used.insert(Brain, 3);
    let u = package_usage(&p, &used, d(TODAY));
    let s: Option<PackageSnapshot> = PackageSnapshot::from_usage(&p, &u);
    let s = s.expect("not cancelled");
    assert_eq!((s.total_sessions, s.remaining_sessions), (10, 7));
    assert_eq!(s.services, vec![Brain]);
}
