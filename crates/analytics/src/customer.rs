//! `GET /customers/{id}/analytics` (seed 000 §2.1): one customer's visit pattern, service
//! usage, revenue contribution, self-reported health changes and risk, over the period the
//! query names. Field names and shapes follow the seed's example; where a number cannot be
//! given honestly it is `null` and the section's `unavailable` list says why.

use crate::error::AnalyticsError;
use crate::inputs::{
    ChurnInput, ChurnRisk, CustomerExtras, SelfReport, SELF_REPORT_MAX, SELF_REPORT_MIN,
};
use crate::num::{
    coefficient_of_variation, growth, mean, percent, ratio, signed_percent, won, Num,
    DAYS_PER_MONTH,
};
use crate::period::{month_key, AnalysisPeriod, DateRange};
use crate::population::Population;
use crate::signals::{
    intervals, mean_interval, unavailable, Known, NextAction, RetentionScore, RiskFactor,
    Unavailable,
};
use chrono::NaiveDate;
use clinicdesk_domain::history::{CustomerHistory, VisitFact};
use clinicdesk_domain::ServiceType;
use serde::Serialize;
use std::collections::BTreeMap;

/// Fewer visits than this in the whole history, and there is no pattern to speak of.
pub const MIN_VISITS: usize = 2;
/// A customer known for fewer days than this has no history to analyse yet.
pub const MIN_TENURE_DAYS: i64 = 14;
pub const INSUFFICIENT_DATA_RULE: &str =
    "전체 방문 2회 이상, 그리고 첫 기록(등록·방문·구매 중 가장 이른 날)부터 14일 이상";

/// A weekday or time slot is "preferred" with at least this many visits…
pub const PREFERRED_MIN_VISITS: usize = 2;
/// …and at least this share (%) of the visits it is counted among.
pub const PREFERRED_MIN_SHARE: f64 = 25.0;
/// The LTV projection stops after this many months (five years).
pub const LTV_MAX_MONTHS: f64 = 60.0;

/// The sections of the answer, as `metrics` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    VisitPattern,
    ServiceUsage,
    RevenueContribution,
    HealthMetrics,
    RiskAssessment,
}

impl Metric {
    pub const ALL: [Metric; 5] = [
        Metric::VisitPattern,
        Metric::ServiceUsage,
        Metric::RevenueContribution,
        Metric::HealthMetrics,
        Metric::RiskAssessment,
    ];
    pub const NAMES: &'static [&'static str] = &[
        "visitPattern",
        "serviceUsage",
        "revenueContribution",
        "healthMetrics",
        "riskAssessment",
    ];

    pub fn name(self) -> &'static str {
        Metric::NAMES[self as usize]
    }

    /// The seed's camelCase name, or its snake_case spelling.
    pub fn parse(s: &str) -> Option<Metric> {
        let snake = [
            "visit_pattern",
            "service_usage",
            "revenue_contribution",
            "health_metrics",
            "risk_assessment",
        ];
        Metric::ALL
            .into_iter()
            .find(|m| m.name() == s || snake[*m as usize] == s)
    }
}

/// Which sections to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricSet([bool; 5]);

impl Default for MetricSet {
    fn default() -> Self {
        MetricSet::all()
    }
}

impl MetricSet {
    pub fn all() -> MetricSet {
        MetricSet([true; 5])
    }

    pub fn only(metrics: &[Metric]) -> MetricSet {
        let mut s = [false; 5];
        for m in metrics {
            s[*m as usize] = true;
        }
        MetricSet(s)
    }

    /// The `metrics` query value: comma-separated names; absent or empty means all.
    pub fn parse(s: Option<&str>) -> Result<MetricSet, AnalyticsError> {
        let names: Vec<&str> = s
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect();
        if names.is_empty() {
            return Ok(MetricSet::all());
        }
        let mut out = Vec::with_capacity(names.len());
        for n in names {
            out.push(
                Metric::parse(n).ok_or_else(|| AnalyticsError::InvalidParameter {
                    field: "metrics",
                    value: n.to_string(),
                    allowed: Metric::NAMES,
                })?,
            );
        }
        Ok(MetricSet::only(&out))
    }

    pub fn contains(&self, m: Metric) -> bool {
        self.0[m as usize]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerAnalytics {
    pub customer_id: String,
    pub period: AnalysisPeriod,
    /// The requested period: the last N days ending today.
    pub date_range: DateRange,
    /// The first day analysed: the period's start, or the customer's first record if later.
    pub analysed_from: NaiveDate,
    #[serde(rename = "visitPattern", skip_serializing_if = "Option::is_none")]
    pub visit_pattern: Option<VisitPattern>,
    #[serde(rename = "serviceUsage", skip_serializing_if = "Option::is_none")]
    pub service_usage: Option<ServiceUsage>,
    #[serde(
        rename = "revenueContribution",
        skip_serializing_if = "Option::is_none"
    )]
    pub revenue_contribution: Option<RevenueContribution>,
    #[serde(rename = "healthMetrics", skip_serializing_if = "Option::is_none")]
    pub health_metrics: Option<HealthMetrics>,
    #[serde(rename = "riskAssessment", skip_serializing_if = "Option::is_none")]
    pub risk_assessment: Option<RiskAssessment>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisitPattern {
    /// Mean days between consecutive visit days in the period (one decimal).
    pub average_interval_days: Option<Num>,
    /// `twice_weekly`, `weekly`, `bi-weekly`, `monthly` or `irregular`.
    pub visit_frequency: Option<&'static str>,
    /// 주 2회 이상 / 주 1회 / 격주 / 월 1회 / 비정기.
    pub visit_frequency_label: Option<&'static str>,
    /// English weekday names (the seed's shape), most visited first.
    pub preferred_days: Vec<&'static str>,
    pub preferred_days_label: Vec<&'static str>,
    /// Two-hour slots, `10:00-12:00`, most visited first.
    pub preferred_times: Vec<String>,
    /// 0–100: 100 × max(0, 1 − CV) of the intervals.
    pub consistency_score: Option<i64>,
    /// Coefficient of variation of the intervals (σ ÷ mean), the score's input.
    pub interval_cv: Option<Num>,
    pub visits_in_period: usize,
    pub visit_days_in_period: usize,
    pub weekday_distribution: Vec<WeekdayCount>,
    pub time_distribution: Vec<TimeSlotCount>,
    pub monthly_visits: Vec<MonthVisits>,
    pub unavailable: Vec<Unavailable>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekdayCount {
    pub day: &'static str,
    pub label: &'static str,
    pub visits: usize,
    /// % of the period's visits; `null` when there were none.
    pub share: Option<Num>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeSlotCount {
    pub slot: String,
    pub label: String,
    pub visits: usize,
    /// % of the period's visits whose start hour is known.
    pub share: Num,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthVisits {
    pub month: String,
    pub visits: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceUsage {
    pub most_used_service: Option<ServiceType>,
    pub most_used_service_name: Option<&'static str>,
    /// Service code → % of the period's visits.
    pub service_distribution: BTreeMap<&'static str, Num>,
    /// Service code → mean rating (1–5) in the period; rated services only.
    pub satisfaction_by_service: BTreeMap<&'static str, Num>,
    /// Service code → `+15%`; `null` for a service not used in the previous period.
    pub growth_trend: BTreeMap<&'static str, Option<String>>,
    pub services: Vec<ServiceUsageRow>,
    pub total_visits: usize,
    pub previous_period: DateRange,
    pub unavailable: Vec<Unavailable>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceUsageRow {
    pub service: ServiceType,
    pub name: &'static str,
    pub visits: usize,
    pub share: Option<Num>,
    pub average_rating: Option<Num>,
    pub rating_count: usize,
    pub previous_visits: usize,
    /// (visits − previous) ÷ previous × 100, one decimal.
    pub growth_rate: Option<Num>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub growth_note: Option<&'static str>,
    pub last_used: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevenueContribution {
    /// KRW in the period: visits paid on the spot plus package purchases.
    pub total_revenue: i64,
    pub visit_revenue: i64,
    pub purchase_revenue: i64,
    /// total ÷ months analysed (days ÷ 30, at least 1).
    pub average_monthly_revenue: Option<i64>,
    pub revenue_trend: Vec<MonthRevenue>,
    pub lifetime_revenue: i64,
    pub ltv_estimate: Option<i64>,
    pub ltv: Ltv,
    /// Mid-rank percentile of lifetime revenue among all customers.
    pub revenue_percentile: Option<Num>,
    pub compared_customers: usize,
    pub unavailable: Vec<Unavailable>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthRevenue {
    pub month: String,
    pub amount: i64,
    pub visit_amount: i64,
    pub purchase_amount: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ltv {
    pub method: &'static str,
    pub historical_revenue: i64,
    /// Days since the first record ÷ 30, at least 1.
    pub tenure_months: Num,
    pub average_monthly_revenue: Option<i64>,
    /// m = 1 − (1 − p)^(30 ÷ horizon).
    pub monthly_churn_rate: Option<Num>,
    /// (1 − m) ÷ m, at most 60.
    pub expected_remaining_months: Option<Num>,
    pub projected_revenue: Option<i64>,
    pub assumptions: Vec<&'static str>,
}

pub const LTV_METHOD: &str =
    "누적 매출 + 월평균 매출(누적 매출 ÷ 거래 개월 수) × 예상 잔존 개월 수. \
예상 잔존 개월 수 = (1 − m) ÷ m, m = 1 − (1 − 이탈 확률)^(30 ÷ 예측 기간 일수)";
const LTV_ASSUMPTIONS: [&str; 4] = [
    "지금까지의 월평균 매출이 앞으로도 유지된다고 가정합니다",
    "이탈 확률이 매달 같은 비율로 나뉘어 일어난다고 가정합니다 (기하 분포)",
    "예상 잔존 기간은 최대 60개월까지만 셉니다",
    "할인율(현재 가치 환산)은 적용하지 않습니다",
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthMetrics {
    /// Metric key → first vs latest self-report.
    pub reported_improvements: BTreeMap<&'static str, MetricChange>,
    /// Metrics reported on one day only: nothing to compare yet.
    pub single_reports: Vec<SingleReport>,
    /// % of compared metrics that improved.
    pub improvement_rate: Option<Num>,
    pub goal_achievement_rate: Option<Num>,
    pub recommendation_compliance: Option<Num>,
    pub reports_used: usize,
    /// Reports dated after today or outside the 1–10 scale.
    pub reports_ignored: usize,
    pub unavailable: Vec<Unavailable>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricChange {
    pub label: &'static str,
    pub before: i64,
    pub after: i64,
    /// (after − before) ÷ before × 100, whole percent (the seed's `change`).
    pub change: i64,
    pub change_points: i64,
    /// `improved`, `worsened` or `unchanged`, given which way the metric is better.
    pub direction: &'static str,
    pub direction_label: &'static str,
    pub lower_is_better: bool,
    pub first_date: NaiveDate,
    pub latest_date: NaiveDate,
    pub reports: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SingleReport {
    pub metric: &'static str,
    pub label: &'static str,
    pub value: i64,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelStatus {
    /// `loaded` or `not_loaded`.
    pub status: &'static str,
    pub model_version: Option<String>,
    pub horizon_days: Option<i64>,
}

impl ModelStatus {
    pub(crate) fn of(churn: Option<&ChurnInput>) -> ModelStatus {
        match churn {
            Some(c) => ModelStatus {
                status: "loaded",
                model_version: c.model_version.clone(),
                horizon_days: Some(c.horizon_days),
            },
            None => ModelStatus {
                status: "not_loaded",
                model_version: None,
                horizon_days: None,
            },
        }
    }
}

pub(crate) const MODEL_NOT_LOADED: &str = "이탈 예측 모델이 로드되지 않아 예측값이 없습니다";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskAssessment {
    pub churn_risk: Option<ChurnRisk>,
    pub churn_risk_label: Option<&'static str>,
    /// The model's probability in percent (the seed's 15 for 0.15).
    pub churn_probability: Option<Num>,
    pub churn_model: ModelStatus,
    pub days_since_last_visit: Option<i64>,
    pub usual_interval_days: Option<Num>,
    pub risk_factors: Vec<RiskFactor>,
    pub retention_score: i64,
    pub retention: RetentionScore,
    pub next_action_recommendation: Option<&'static str>,
    pub next_action_reason: Option<String>,
    pub next_actions: Vec<NextAction>,
    pub unavailable: Vec<Unavailable>,
}

/// The analysis of one customer. `population` is every customer (for the revenue
/// percentile), `churn` the model's prediction when a model is loaded, `extras` the
/// self-reports and packages.
pub fn customer_analytics(
    history: &CustomerHistory,
    period: AnalysisPeriod,
    metrics: &MetricSet,
    today: NaiveDate,
    population: &Population,
    churn: Option<&ChurnInput>,
    extras: &CustomerExtras,
) -> Result<CustomerAnalytics, AnalyticsError> {
    if let Some(c) = churn {
        c.validate()?;
    }
    let known = Known::new(history, today);
    check_sufficient(&known)?;
    let range = period.range(today);
    let analysed_from = range.start().max(known.since);
    let effective = DateRange::new(analysed_from, today)?;
    Ok(CustomerAnalytics {
        customer_id: history.customer_id.clone(),
        period,
        date_range: range,
        analysed_from,
        visit_pattern: metrics
            .contains(Metric::VisitPattern)
            .then(|| visit_pattern(&known, &range, &effective)),
        service_usage: metrics
            .contains(Metric::ServiceUsage)
            .then(|| service_usage(&known, &range)),
        revenue_contribution: metrics
            .contains(Metric::RevenueContribution)
            .then(|| revenue_contribution(&known, &range, &effective, population, churn)),
        health_metrics: metrics
            .contains(Metric::HealthMetrics)
            .then(|| health_metrics(&extras.self_reports, today)),
        risk_assessment: metrics
            .contains(Metric::RiskAssessment)
            .then(|| risk_assessment(&known, churn, extras)),
    })
}

fn check_sufficient(k: &Known) -> Result<(), AnalyticsError> {
    let visits = k.h.visits.len();
    let tenure_days = k.tenure_days();
    let reason = if visits < MIN_VISITS {
        format!("방문이 {MIN_VISITS}회 미만이라 분석할 수 없습니다 (현재 {visits}회)")
    } else if tenure_days < MIN_TENURE_DAYS {
        format!("첫 기록 후 {MIN_TENURE_DAYS}일이 지나지 않아 분석할 수 없습니다 (현재 {tenure_days}일)")
    } else {
        return Ok(());
    };
    Err(AnalyticsError::InsufficientData {
        reason,
        visits,
        tenure_days,
    })
}

const WEEKDAYS: [(&str, &str); 7] = [
    ("Monday", "월요일"),
    ("Tuesday", "화요일"),
    ("Wednesday", "수요일"),
    ("Thursday", "목요일"),
    ("Friday", "금요일"),
    ("Saturday", "토요일"),
    ("Sunday", "일요일"),
];

/// Frequency from the mean interval, each boundary halfway between two rhythms (3.5 and 7
/// days → 5.25, 7 and 14 → 10.5, 14 and 30 → 22); beyond 45 days, or when the intervals
/// vary as much as their mean (CV > 1), the visits have no rhythm.
pub(crate) fn frequency_of(mean_interval: f64, cv: Option<f64>) -> (&'static str, &'static str) {
    if mean_interval > 45.0 || cv.is_some_and(|cv| cv > 1.0) {
        ("irregular", "비정기")
    } else if mean_interval < 5.25 {
        ("twice_weekly", "주 2회 이상")
    } else if mean_interval < 10.5 {
        ("weekly", "주 1회")
    } else if mean_interval < 22.0 {
        ("bi-weekly", "격주")
    } else {
        ("monthly", "월 1회")
    }
}

fn visits_in<'a>(k: &'a Known, r: &'a DateRange) -> impl Iterator<Item = &'a VisitFact> + 'a {
    k.h.visits.iter().filter(move |v| r.contains(v.date))
}

fn visit_pattern(k: &Known, range: &DateRange, effective: &DateRange) -> VisitPattern {
    let mut unavailable_ = Vec::new();
    let visits: Vec<&VisitFact> = visits_in(k, range).collect();
    let days: Vec<NaiveDate> = k
        .visit_days
        .iter()
        .copied()
        .filter(|d| range.contains(*d))
        .collect();
    let gaps = intervals(&days);
    let average = mean_interval(&days);
    let cv = if gaps.len() >= 2 {
        coefficient_of_variation(&gaps)
    } else {
        None
    };
    if average.is_none() {
        let reason = format!(
            "기간 내 방문일이 2일 미만이라 방문 간격을 계산할 수 없습니다 (방문일 {}일)",
            days.len()
        );
        unavailable_.push(unavailable("average_interval_days", reason.clone()));
        unavailable_.push(unavailable("visit_frequency", reason.clone()));
        unavailable_.push(unavailable("visit_frequency_label", reason));
    }
    if cv.is_none() {
        let reason = format!(
            "기간 내 방문일이 3일 미만이라 규칙성을 계산할 수 없습니다 (방문일 {}일)",
            days.len()
        );
        unavailable_.push(unavailable("consistency_score", reason.clone()));
        unavailable_.push(unavailable("interval_cv", reason));
    }
    let frequency = average.map(|m| frequency_of(m, cv));

    let mut by_day = [0usize; 7];
    for v in &visits {
        by_day[v.weekday().num_days_from_monday() as usize] += 1;
    }
    let total = visits.len();
    let weekday_distribution: Vec<WeekdayCount> = WEEKDAYS
        .iter()
        .zip(by_day)
        .map(|((day, label), n)| WeekdayCount {
            day,
            label,
            visits: n,
            share: percent(n as f64, total as f64).map(Num::one),
        })
        .collect();
    let preferred_days: Vec<usize> = preferred(&by_day, total);
    if total == 0 {
        unavailable_.push(unavailable("preferred_days", "기간 내 방문이 없습니다"));
    }

    let mut by_slot = [0usize; 12];
    let mut timed = 0usize;
    for h in visits.iter().filter_map(|v| v.hour).filter(|h| *h < 24) {
        by_slot[usize::from(h / 2)] += 1;
        timed += 1;
    }
    if timed == 0 {
        unavailable_.push(unavailable(
            "preferred_times",
            "기간 내 방문 중 시작 시각이 기록된 방문이 없습니다",
        ));
    }
    let slot = |i: usize| {
        (
            format!("{:02}:00-{:02}:00", 2 * i, 2 * i + 2),
            format!("{}시~{}시", 2 * i, 2 * i + 2),
        )
    };
    let time_distribution = by_slot
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .filter_map(|(i, n)| {
            let (slot, label) = slot(i);
            Some(TimeSlotCount {
                slot,
                label,
                visits: *n,
                share: Num::one(percent(*n as f64, timed as f64)?),
            })
        })
        .collect();

    let mut monthly: BTreeMap<String, usize> =
        effective.months().into_iter().map(|m| (m, 0)).collect();
    for v in &visits {
        if let Some(n) = monthly.get_mut(&month_key(v.date)) {
            *n += 1;
        }
    }

    VisitPattern {
        average_interval_days: average.map(Num::one),
        visit_frequency: frequency.map(|f| f.0),
        visit_frequency_label: frequency.map(|f| f.1),
        preferred_days: preferred_days.iter().map(|i| WEEKDAYS[*i].0).collect(),
        preferred_days_label: preferred_days.iter().map(|i| WEEKDAYS[*i].1).collect(),
        preferred_times: preferred(&by_slot, timed)
            .into_iter()
            .map(|i| slot(i).0)
            .collect(),
        consistency_score: cv.map(consistency_score),
        interval_cv: cv.map(Num::two),
        visits_in_period: total,
        visit_days_in_period: days.len(),
        weekday_distribution,
        time_distribution,
        monthly_visits: monthly
            .into_iter()
            .map(|(month, visits)| MonthVisits { month, visits })
            .collect(),
        unavailable: unavailable_,
    }
}

/// 100 × max(0, 1 − CV): perfectly even intervals score 100; intervals whose spread equals
/// their mean score 0.
pub(crate) fn consistency_score(cv: f64) -> i64 {
    (100.0 * (1.0 - cv).max(0.0)).round() as i64
}

/// Indices of the buckets with at least 2 visits and 25 % of `total`, most visited first
/// (ties in bucket order).
fn preferred(counts: &[usize], total: usize) -> Vec<usize> {
    let mut out: Vec<usize> = (0..counts.len())
        .filter(|i| {
            let n = counts[*i];
            n >= PREFERRED_MIN_VISITS
                && percent(n as f64, total as f64).is_some_and(|s| s >= PREFERRED_MIN_SHARE)
        })
        .collect();
    out.sort_by_key(|i| std::cmp::Reverse(counts[*i]));
    out
}

fn service_usage(k: &Known, range: &DateRange) -> ServiceUsage {
    let previous = range.previous();
    let mut unavailable_ = Vec::new();
    let total = visits_in(k, range).count();
    let mut rows: Vec<ServiceUsageRow> = ServiceType::ALL
        .into_iter()
        .filter_map(|s| {
            let now: Vec<&VisitFact> = visits_in(k, range).filter(|v| v.service == s).collect();
            let before = visits_in(k, &previous).filter(|v| v.service == s).count();
            if now.is_empty() && before == 0 {
                return None;
            }
            let ratings: Vec<f64> = now
                .iter()
                .filter_map(|v| v.rating.filter(|r| (1..=5).contains(r)))
                .map(|r| r as f64)
                .collect();
            let growth_rate = growth(now.len() as f64, before as f64).map(Num::one);
            Some(ServiceUsageRow {
                service: s,
                name: s.info().name,
                visits: now.len(),
                share: percent(now.len() as f64, total as f64).map(Num::one),
                average_rating: mean(&ratings).map(Num::one),
                rating_count: ratings.len(),
                previous_visits: before,
                growth_rate,
                growth_note: growth_rate
                    .is_none()
                    .then_some("이전 기간 이용이 없어 증감률을 계산할 수 없습니다 (새로 이용)"),
                last_used: now.iter().map(|v| v.date).max(),
            })
        })
        .collect();
    // Most used first; ties go to the one used most recently, then catalogue order.
    rows.sort_by(|a, b| {
        b.visits
            .cmp(&a.visits)
            .then(b.last_used.cmp(&a.last_used))
            .then(a.service.cmp(&b.service))
    });
    let most = rows.first().filter(|r| r.visits > 0);
    if most.is_none() {
        let reason = "기간 내 방문이 없습니다";
        unavailable_.push(unavailable("most_used_service", reason));
        unavailable_.push(unavailable("most_used_service_name", reason));
    }
    ServiceUsage {
        most_used_service: most.map(|r| r.service),
        most_used_service_name: most.map(|r| r.name),
        service_distribution: rows
            .iter()
            .filter_map(|r| Some((r.service.as_str(), r.share?)))
            .filter(|(_, s)| s.get() > 0.0)
            .collect(),
        satisfaction_by_service: rows
            .iter()
            .filter_map(|r| Some((r.service.as_str(), r.average_rating?)))
            .collect(),
        growth_trend: rows
            .iter()
            .map(|r| {
                (
                    r.service.as_str(),
                    r.growth_rate.map(|g| signed_percent(g.get())),
                )
            })
            .collect(),
        services: rows,
        total_visits: total,
        previous_period: previous,
        unavailable: unavailable_,
    }
}

fn revenue_contribution(
    k: &Known,
    range: &DateRange,
    effective: &DateRange,
    population: &Population,
    churn: Option<&ChurnInput>,
) -> RevenueContribution {
    let mut unavailable_ = Vec::new();
    let mut months: BTreeMap<String, (i64, i64)> = effective
        .months()
        .into_iter()
        .map(|m| (m, (0, 0)))
        .collect();
    let (mut visit_revenue, mut purchase_revenue) = (0i64, 0i64);
    for v in visits_in(k, range) {
        visit_revenue += v.amount;
        if let Some(m) = months.get_mut(&month_key(v.date)) {
            m.0 += v.amount;
        }
    }
    for p in k.h.purchases.iter().filter(|p| range.contains(p.date)) {
        purchase_revenue += p.price_paid;
        if let Some(m) = months.get_mut(&month_key(p.date)) {
            m.1 += p.price_paid;
        }
    }
    let total = visit_revenue + purchase_revenue;
    let period_months = (effective.days() as f64 / DAYS_PER_MONTH).max(1.0);
    let average_monthly_revenue = won(total as f64, period_months);

    let lifetime = k.h.revenue();
    let tenure_months = (k.tenure_days() as f64 / DAYS_PER_MONTH).max(1.0);
    let lifetime_monthly = won(lifetime as f64, tenure_months);
    let (monthly_churn, remaining) = match churn {
        Some(c) => {
            let (m, l) = expected_remaining_months(c.probability, c.horizon_days);
            (Some(m), Some(l))
        }
        None => (None, None),
    };
    let projected = match (lifetime_monthly, remaining) {
        (Some(monthly), Some(l)) => won(monthly as f64 * l, 1.0),
        _ => None,
    };
    let ltv_estimate = projected.map(|p| lifetime + p);
    if ltv_estimate.is_none() {
        let reason = if churn.is_none() {
            format!(
                "{MODEL_NOT_LOADED}: 예상 잔존 기간을 알 수 없어 지금까지의 누적 매출만 제공합니다"
            )
        } else {
            "월평균 매출을 계산할 수 없습니다".to_string()
        };
        unavailable_.push(unavailable("ltv_estimate", reason));
    }
    let percentile = population.revenue_percentile(lifetime);
    if percentile.is_none() {
        unavailable_.push(unavailable(
            "revenue_percentile",
            "비교할 고객 집단이 비어 있습니다",
        ));
    }
    if average_monthly_revenue.is_none() {
        unavailable_.push(unavailable(
            "average_monthly_revenue",
            "분석 기간의 개월 수를 계산할 수 없습니다",
        ));
    }
    RevenueContribution {
        total_revenue: total,
        visit_revenue,
        purchase_revenue,
        average_monthly_revenue,
        revenue_trend: months
            .into_iter()
            .map(|(month, (v, p))| MonthRevenue {
                month,
                amount: v + p,
                visit_amount: v,
                purchase_amount: p,
            })
            .collect(),
        lifetime_revenue: lifetime,
        ltv_estimate,
        ltv: Ltv {
            method: LTV_METHOD,
            historical_revenue: lifetime,
            tenure_months: Num::one(tenure_months),
            average_monthly_revenue: lifetime_monthly,
            monthly_churn_rate: monthly_churn.map(Num::two),
            expected_remaining_months: remaining.map(Num::one),
            projected_revenue: projected,
            assumptions: LTV_ASSUMPTIONS.to_vec(),
        },
        revenue_percentile: percentile.map(Num::one),
        compared_customers: population.len(),
        unavailable: unavailable_,
    }
}

/// The monthly churn rate m and the expected months still to come, (1 − m) ÷ m capped at
/// 60, from a probability `p` of churning within `horizon_days`. `p` is validated (0–1)
/// and the horizon positive before this is called.
pub(crate) fn expected_remaining_months(p: f64, horizon_days: i64) -> (f64, f64) {
    let exponent = DAYS_PER_MONTH / horizon_days.max(1) as f64;
    let m = (1.0 - (1.0 - p).powf(exponent)).clamp(0.0, 1.0);
    let months = ratio(1.0 - m, m).map_or(LTV_MAX_MONTHS, |l| l.min(LTV_MAX_MONTHS));
    (m, months)
}

fn health_metrics(reports: &[SelfReport], today: NaiveDate) -> HealthMetrics {
    let mut unavailable_ = Vec::new();
    let valid =
        |r: &&SelfReport| r.date <= today && (SELF_REPORT_MIN..=SELF_REPORT_MAX).contains(&r.value);
    let used: Vec<&SelfReport> = reports.iter().filter(valid).collect();
    let ignored = reports.len() - used.len();
    let mut by_metric: BTreeMap<_, Vec<&SelfReport>> = BTreeMap::new();
    for r in &used {
        by_metric.entry(r.metric).or_default().push(r);
    }
    let mut changes = BTreeMap::new();
    let mut singles = Vec::new();
    for (metric, mut rs) in by_metric {
        // Stable: reports of one day keep their recorded order, the last one counting.
        rs.sort_by_key(|r| r.date);
        let (Some(first), Some(latest)) = (rs.first(), rs.last()) else {
            continue;
        };
        if latest.date == first.date {
            singles.push(SingleReport {
                metric: metric.key(),
                label: metric.label(),
                value: latest.value,
                date: latest.date,
            });
            continue;
        }
        let (before, after) = (first.value, latest.value);
        let better = if metric.lower_is_better() {
            after < before
        } else {
            after > before
        };
        let (direction, direction_label) = if after == before {
            ("unchanged", "변화 없음")
        } else if better {
            ("improved", "개선")
        } else {
            ("worsened", "악화")
        };
        changes.insert(
            metric.key(),
            MetricChange {
                label: metric.label(),
                before,
                after,
                // before ≥ 1 (the scale starts at 1), so the ratio always exists.
                change: percent((after - before) as f64, before as f64)
                    .map_or(0, |c| c.round() as i64),
                change_points: after - before,
                direction,
                direction_label,
                lower_is_better: metric.lower_is_better(),
                first_date: first.date,
                latest_date: latest.date,
                reports: rs.len(),
            },
        );
    }
    let improved = changes
        .values()
        .filter(|c| c.direction == "improved")
        .count();
    let improvement_rate = percent(improved as f64, changes.len() as f64).map(Num::one);
    if used.is_empty() {
        unavailable_.push(unavailable(
            "reported_improvements",
            "기록된 자가 보고 건강 지표가 없습니다",
        ));
    } else if changes.is_empty() {
        unavailable_.push(unavailable(
            "reported_improvements",
            "지표마다 한 날짜의 기록만 있어 전후 비교를 할 수 없습니다",
        ));
    }
    if improvement_rate.is_none() {
        unavailable_.push(unavailable(
            "improvement_rate",
            "전후 비교가 가능한 지표가 없습니다",
        ));
    }
    unavailable_.push(unavailable(
        "goal_achievement_rate",
        "건강 목표의 목표치가 기록되지 않아 달성률을 계산하지 않습니다",
    ));
    unavailable_.push(unavailable(
        "recommendation_compliance",
        "추천 이행 여부가 기록되지 않아 이행률을 계산하지 않습니다",
    ));
    HealthMetrics {
        reported_improvements: changes,
        single_reports: singles,
        improvement_rate,
        goal_achievement_rate: None,
        recommendation_compliance: None,
        reports_used: used.len(),
        reports_ignored: ignored,
        unavailable: unavailable_,
    }
}

fn risk_assessment(
    k: &Known,
    churn: Option<&ChurnInput>,
    extras: &CustomerExtras,
) -> RiskAssessment {
    let mut unavailable_ = Vec::new();
    if churn.is_none() {
        for f in ["churn_risk", "churn_risk_label", "churn_probability"] {
            unavailable_.push(unavailable(f, MODEL_NOT_LOADED));
        }
    }
    let usual = k.usual_interval();
    if usual.is_none() {
        unavailable_.push(unavailable(
            "usual_interval_days",
            "방문일이 하루뿐이라 평소 방문 간격이 없습니다",
        ));
    }
    let next_actions = k.next_actions(&extras.packages, churn);
    let retention = k.retention(&extras.packages);
    let first = next_actions.first();
    if first.is_none() {
        for f in ["next_action_recommendation", "next_action_reason"] {
            unavailable_.push(unavailable(f, "제안할 조치가 없습니다"));
        }
    }
    RiskAssessment {
        churn_risk: churn.map(ChurnInput::risk),
        churn_risk_label: churn.map(|c| c.risk().label()),
        churn_probability: churn.map(|c| Num::one(c.probability * 100.0)),
        churn_model: ModelStatus::of(churn),
        days_since_last_visit: k.days_since_last_visit(),
        usual_interval_days: usual.map(Num::one),
        risk_factors: k.risk_factors(&extras.packages),
        retention_score: retention.score,
        retention,
        next_action_recommendation: first.map(|a| a.label),
        next_action_reason: first.map(|a| a.reason.clone()),
        next_actions,
        unavailable: unavailable_,
    }
}

#[cfg(test)]
mod tests;
