//! The clinic dashboard (seed 003 §2.1, re-read for a clinic: orders → visits and package
//! purchases, categories → service types). It sums daily roll-up rows the store keeps, over
//! a range and over the equal-length range before it, plus customer counts the caller
//! takes from its own tables (distinct customers cannot be summed from daily rows).

use crate::error::AnalyticsError;
use crate::num::{growth, percent, won, Num};
use crate::period::{DashboardPeriod, DashboardRange, DateRange};
use crate::signals::{unavailable, Unavailable};
use chrono::NaiveDate;
use clinicdesk_domain::ServiceType;
use serde::{Deserialize, Serialize};

/// A growth rate beyond ±5 % is a trend; within it, revenue is stable (seed 003).
pub const TREND_THRESHOLD_PERCENT: f64 = 5.0;

/// One day's totals for one service (`service: Some`), or for what belongs to no single
/// service (`service: None`: e.g. package purchases and new registrations). Each fact is
/// counted in exactly one row; rows are summed as given, so a cancellation the store
/// records as a negative row lowers its own day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyRow {
    pub date: NaiveDate,
    pub service: Option<ServiceType>,
    pub visits: i64,
    /// KRW paid at visits (package sessions are 0).
    pub visit_revenue: i64,
    pub purchases: i64,
    /// KRW of package purchases.
    pub purchase_revenue: i64,
    pub new_customers: i64,
}

/// Distinct-customer counts for the range, from the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerActivity {
    /// Customers with at least one visit or purchase in the range.
    pub active: i64,
    /// Of those, the ones also active in the previous equal-length range.
    pub returning: i64,
    /// Customers active in the previous range.
    pub previous_active: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dashboard {
    pub period: DashboardPeriod,
    pub date_range: DateRange,
    pub previous_range: DateRange,
    pub revenue: RevenueSummary,
    pub purchases: PurchaseSummary,
    pub visits: VisitSummary,
    pub customers: CustomerSummary,
    pub services: Vec<ServiceSummary>,
    pub daily_trend: Vec<DailyPoint>,
    /// Services with activity, by revenue then visits.
    pub top_services: Vec<ServiceSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevenueSummary {
    pub total: i64,
    pub currency: &'static str,
    pub visit_revenue: i64,
    pub purchase_revenue: i64,
    pub previous_total: i64,
    /// (total − previous) ÷ previous × 100, one decimal; `null` when previous ≤ 0.
    pub growth_rate: Option<Num>,
    /// total ÷ days of the range, whole won.
    pub daily_average: Option<i64>,
    /// `increasing`, `decreasing` or `stable`.
    pub trend: &'static str,
    pub trend_label: &'static str,
    pub unavailable: Vec<Unavailable>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PurchaseSummary {
    pub total: i64,
    pub revenue: i64,
    pub previous_total: i64,
    pub growth_rate: Option<Num>,
    /// revenue ÷ purchases, whole won.
    pub average_value: Option<i64>,
    pub unavailable: Vec<Unavailable>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisitSummary {
    pub total: i64,
    pub paid_revenue: i64,
    pub previous_total: i64,
    pub growth_rate: Option<Num>,
    pub daily_average: Num,
    pub unavailable: Vec<Unavailable>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerSummary {
    pub total_active: i64,
    /// Registrations in the range (sum of the rows' `new_customers`).
    pub new_customers: i64,
    pub returning_customers: i64,
    /// returning ÷ previous_active × 100.
    pub retention_rate: Option<Num>,
    pub previous_active: i64,
    pub unavailable: Vec<Unavailable>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceSummary {
    pub service: ServiceType,
    pub name: &'static str,
    pub visits: i64,
    /// Visit and purchase revenue of the service's rows.
    pub revenue: i64,
    /// % of all visits in the range.
    pub visit_share: Option<Num>,
    /// The place in `top_services`; `null` in the full list.
    pub rank: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DailyPoint {
    pub date: NaiveDate,
    pub revenue: i64,
    pub visits: i64,
    pub purchases: i64,
    pub new_customers: i64,
}

#[derive(Default, Clone, Copy)]
struct Totals {
    visits: i64,
    visit_revenue: i64,
    purchases: i64,
    purchase_revenue: i64,
    new_customers: i64,
}

impl Totals {
    fn add(&mut self, r: &DailyRow) {
        self.visits += r.visits;
        self.visit_revenue += r.visit_revenue;
        self.purchases += r.purchases;
        self.purchase_revenue += r.purchase_revenue;
        self.new_customers += r.new_customers;
    }

    fn revenue(&self) -> i64 {
        self.visit_revenue + self.purchase_revenue
    }
}

/// The dashboard for `range` from the daily rows (any order; rows outside the range and
/// its previous range are ignored).
pub fn dashboard(
    rows: &[DailyRow],
    range: &DashboardRange,
    activity: &CustomerActivity,
) -> Result<Dashboard, AnalyticsError> {
    check_activity(activity)?;
    let current = range.range;
    let previous = current.previous();
    let mut now = Totals::default();
    let mut before = Totals::default();
    let mut by_service = [Totals::default(); 5];
    let mut days = vec![Totals::default(); usize::try_from(current.days()).unwrap_or(0)];
    for r in rows {
        if current.contains(r.date) {
            now.add(r);
            if let Some(s) = r.service {
                by_service[s as usize].add(r);
            }
            let i = (r.date - current.start()).num_days();
            if let Some(day) = usize::try_from(i).ok().and_then(|i| days.get_mut(i)) {
                day.add(r);
            }
        } else if previous.contains(r.date) {
            before.add(r);
        }
    }

    let mut revenue_why = Vec::new();
    let revenue_growth = growth(now.revenue() as f64, before.revenue() as f64);
    if revenue_growth.is_none() {
        revenue_why.push(unavailable(
            "growth_rate",
            format!(
                "이전 기간({} ~ {}) 매출이 {}원이라 성장률을 계산할 수 없습니다",
                previous.start(),
                previous.end(),
                before.revenue()
            ),
        ));
    }
    let (trend, trend_label) = trend(revenue_growth, now.revenue(), before.revenue());
    let daily_average = won(now.revenue() as f64, current.days() as f64);
    if daily_average.is_none() {
        revenue_why.push(unavailable("daily_average", "기간의 일수를 알 수 없습니다"));
    }

    let mut purchase_why = Vec::new();
    let purchase_growth = growth(now.purchases as f64, before.purchases as f64);
    if purchase_growth.is_none() {
        purchase_why.push(unavailable(
            "growth_rate",
            "이전 기간 구매가 없어 증감률을 계산할 수 없습니다",
        ));
    }
    let average_value = if now.purchases > 0 {
        won(now.purchase_revenue as f64, now.purchases as f64)
    } else {
        None
    };
    if average_value.is_none() {
        purchase_why.push(unavailable("average_value", "기간 내 구매가 없습니다"));
    }

    let mut visit_why = Vec::new();
    let visit_growth = growth(now.visits as f64, before.visits as f64);
    if visit_growth.is_none() {
        visit_why.push(unavailable(
            "growth_rate",
            "이전 기간 방문이 없어 증감률을 계산할 수 없습니다",
        ));
    }

    let mut customer_why = Vec::new();
    let retention = percent(activity.returning as f64, activity.previous_active as f64);
    if retention.is_none() {
        customer_why.push(unavailable(
            "retention_rate",
            "이전 기간에 활동한 고객이 없어 유지율을 계산할 수 없습니다",
        ));
    }

    let services: Vec<ServiceSummary> = ServiceType::ALL
        .into_iter()
        .map(|s| {
            let t = by_service[s as usize];
            ServiceSummary {
                service: s,
                name: s.info().name,
                visits: t.visits,
                revenue: t.revenue(),
                visit_share: if now.visits > 0 {
                    percent(t.visits as f64, now.visits as f64).map(Num::one)
                } else {
                    None
                },
                rank: None,
            }
        })
        .collect();
    let mut top: Vec<ServiceSummary> = services
        .iter()
        .filter(|s| s.visits != 0 || s.revenue != 0)
        .cloned()
        .collect();
    top.sort_by(|a, b| {
        b.revenue
            .cmp(&a.revenue)
            .then(b.visits.cmp(&a.visits))
            .then(a.service.cmp(&b.service))
    });
    for (i, s) in top.iter_mut().enumerate() {
        s.rank = Some(i + 1);
    }

    Ok(Dashboard {
        period: range.period,
        date_range: current,
        previous_range: previous,
        revenue: RevenueSummary {
            total: now.revenue(),
            currency: "KRW",
            visit_revenue: now.visit_revenue,
            purchase_revenue: now.purchase_revenue,
            previous_total: before.revenue(),
            growth_rate: revenue_growth.map(Num::one),
            daily_average,
            trend,
            trend_label,
            unavailable: revenue_why,
        },
        purchases: PurchaseSummary {
            total: now.purchases,
            revenue: now.purchase_revenue,
            previous_total: before.purchases,
            growth_rate: purchase_growth.map(Num::one),
            average_value,
            unavailable: purchase_why,
        },
        visits: VisitSummary {
            total: now.visits,
            paid_revenue: now.visit_revenue,
            previous_total: before.visits,
            growth_rate: visit_growth.map(Num::one),
            // A range has at least one day.
            daily_average: Num::one(now.visits as f64 / current.days().max(1) as f64),
            unavailable: visit_why,
        },
        customers: CustomerSummary {
            total_active: activity.active,
            new_customers: now.new_customers,
            returning_customers: activity.returning,
            retention_rate: retention.map(Num::one),
            previous_active: activity.previous_active,
            unavailable: customer_why,
        },
        services,
        daily_trend: current
            .each_day()
            .zip(days)
            .map(|(date, t)| DailyPoint {
                date,
                revenue: t.revenue(),
                visits: t.visits,
                purchases: t.purchases,
                new_customers: t.new_customers,
            })
            .collect(),
        top_services: top,
    })
}

/// From the growth rate when there is one; otherwise from the plain comparison (from 0 to
/// something is an increase even though its rate is undefined).
fn trend(growth: Option<f64>, now: i64, before: i64) -> (&'static str, &'static str) {
    let up = ("increasing", "증가");
    let down = ("decreasing", "감소");
    let flat = ("stable", "유지");
    match growth {
        Some(g) if g > TREND_THRESHOLD_PERCENT => up,
        Some(g) if g < -TREND_THRESHOLD_PERCENT => down,
        Some(_) => flat,
        None if now > before => up,
        None if now < before => down,
        None => flat,
    }
}

fn check_activity(a: &CustomerActivity) -> Result<(), AnalyticsError> {
    let bad = |reason: String| {
        Err(AnalyticsError::InvalidInput {
            field: "customer_activity",
            reason,
        })
    };
    if a.active < 0 || a.returning < 0 || a.previous_active < 0 {
        return bad(format!("음수 고객 수: {a:?}"));
    }
    if a.returning > a.active || a.returning > a.previous_active {
        return bad(format!(
            "재방문 고객({})이 활동 고객({})이나 이전 기간 활동 고객({})보다 많습니다",
            a.returning, a.active, a.previous_active
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{d, json_checked, nulls_explained};
    use clinicdesk_domain::ServiceType::{Brain, Lymph, Pulse};

    fn row(date: &str, service: Option<ServiceType>, visits: i64, visit_revenue: i64) -> DailyRow {
        DailyRow {
            date: d(date),
            service,
            visits,
            visit_revenue,
            purchases: 0,
            purchase_revenue: 0,
            new_customers: 0,
        }
    }

    fn week(today: &str) -> DashboardRange {
        DashboardRange::parse(Some("week"), None, None, d(today)).expect("valid")
    }

    fn activity(active: i64, returning: i64, previous_active: i64) -> CustomerActivity {
        CustomerActivity {
            active,
            returning,
            previous_active,
        }
    }

    /// Week 2026-05-14 ..= 2026-05-20; previous week 2026-05-07 ..= 2026-05-13.
    fn rows() -> Vec<DailyRow> {
        vec![
            // Previous week: 100,000 of visits + one 400,000 package = 500,000.
            row("2026-05-08", Some(Brain), 2, 100_000),
            DailyRow {
                purchases: 1,
                purchase_revenue: 400_000,
                ..row("2026-05-10", None, 0, 0)
            },
            // This week.
            row("2026-05-14", Some(Brain), 3, 120_000),
            row("2026-05-14", Some(Pulse), 1, 50_000),
            row("2026-05-16", Some(Lymph), 2, 140_000),
            DailyRow {
                purchases: 2,
                purchase_revenue: 1_000_000,
                new_customers: 3,
                ..row("2026-05-16", None, 0, 0)
            },
            DailyRow {
                purchases: 1,
                purchase_revenue: 300_000,
                ..row("2026-05-20", Some(Brain), 1, 0)
            },
            // Outside both weeks: ignored.
            row("2026-04-01", Some(Brain), 50, 5_000_000),
            row("2026-05-21", Some(Brain), 50, 5_000_000),
        ]
    }

    #[test]
    fn a_week_by_hand() {
        let db = dashboard(&rows(), &week("2026-05-20"), &activity(40, 24, 30)).expect("valid");
        // Visits 3 + 1 + 2 + 1 = 7; visit revenue 120k + 50k + 140k = 310k;
        // purchases 2 + 1 = 3 for 1,300,000 → total 1,610,000.
        assert_eq!(db.visits.total, 7);
        assert_eq!(db.revenue.visit_revenue, 310_000);
        assert_eq!(db.purchases.total, 3);
        assert_eq!(db.revenue.total, 1_610_000);
        // Previous 500,000 → (1,610,000 − 500,000)/500,000 = +222 %.
        assert_eq!(db.revenue.previous_total, 500_000);
        assert_eq!(db.revenue.growth_rate, Some(Num::one(222.0)));
        assert_eq!(db.revenue.trend, "increasing");
        // 1,610,000 / 7 = 230,000.
        assert_eq!(db.revenue.daily_average, Some(230_000));
        // 1,300,000 / 3 = 433,333.3 → 433,333.
        assert_eq!(db.purchases.average_value, Some(433_333));
        // Purchases 1 → 3: +200 %. Visits 2 → 7: +250 %, 1 a day.
        assert_eq!(db.purchases.growth_rate, Some(Num::one(200.0)));
        assert_eq!(db.visits.growth_rate, Some(Num::one(250.0)));
        assert_eq!(db.visits.daily_average, Num::one(1.0));
        // Retention 24 of the 30 active last week = 80 %.
        assert_eq!(db.customers.retention_rate, Some(Num::one(80.0)));
        assert_eq!(db.customers.new_customers, 3);
        // Brain: 3 + 1 visits, 120k + 300k package = 420k; lymph 140k; pulse 50k.
        let top: Vec<_> = db
            .top_services
            .iter()
            .map(|s| (s.service, s.revenue, s.rank))
            .collect();
        assert_eq!(
            top,
            vec![
                (Brain, 420_000, Some(1)),
                (Lymph, 140_000, Some(2)),
                (Pulse, 50_000, Some(3))
            ]
        );
        assert_eq!(db.services.len(), 5);
        // Brain 4 of 7 visits = 57.1 %.
        assert_eq!(db.services[0].visit_share, Some(Num::one(57.1)));
        // Daily series: every day, zeros included.
        assert_eq!(db.daily_trend.len(), 7);
        assert_eq!(db.daily_trend[0].revenue, 170_000);
        assert_eq!(db.daily_trend[1].revenue, 0);
        assert_eq!(db.daily_trend[2].revenue, 1_140_000);
        assert_eq!(db.daily_trend[6].date, d("2026-05-20"));
        let v = json_checked(&db);
        for s in ["revenue", "purchases", "visits", "customers"] {
            nulls_explained(&v[s]);
        }
    }

    #[test]
    fn growth_from_a_zero_previous_period_is_null_with_a_reason() {
        let only_now: Vec<DailyRow> = rows()
            .into_iter()
            .filter(|r| r.date >= d("2026-05-14"))
            .collect();
        let db = dashboard(&only_now, &week("2026-05-20"), &activity(5, 0, 0)).expect("valid");
        assert_eq!(db.revenue.previous_total, 0);
        assert_eq!(db.revenue.growth_rate, None);
        assert_eq!(db.revenue.trend, "increasing");
        assert_eq!(db.customers.retention_rate, None);
        assert!(db
            .revenue
            .unavailable
            .iter()
            .any(|u| u.field == "growth_rate"));
        let v = json_checked(&db);
        assert_eq!(v["revenue"]["growth_rate"], serde_json::Value::Null);
        for s in ["revenue", "purchases", "visits", "customers"] {
            nulls_explained(&v[s]);
        }
    }

    #[test]
    fn an_empty_clinic_has_nulls_not_nan() {
        let db = dashboard(&[], &week("2026-05-20"), &activity(0, 0, 0)).expect("valid");
        assert_eq!(db.revenue.total, 0);
        assert_eq!(db.revenue.trend, "stable");
        assert_eq!(db.purchases.average_value, None);
        assert!(db.top_services.is_empty());
        assert_eq!(db.services.len(), 5);
        assert!(db.services.iter().all(|s| s.visit_share.is_none()));
        assert_eq!(db.daily_trend.len(), 7);
        let v = json_checked(&db);
        for s in ["revenue", "purchases", "visits", "customers"] {
            nulls_explained(&v[s]);
        }
    }

    #[test]
    fn falling_and_flat_trends() {
        // Previous 500,000; now 480,000 → −4 % → stable; 400,000 → −20 % → decreasing.
        let prev = row("2026-05-08", Some(Brain), 5, 500_000);
        let db = dashboard(
            &[prev.clone(), row("2026-05-15", Some(Brain), 5, 480_000)],
            &week("2026-05-20"),
            &activity(1, 1, 1),
        )
        .expect("valid");
        assert_eq!(
            (db.revenue.growth_rate, db.revenue.trend),
            (Some(Num::one(-4.0)), "stable")
        );
        let db = dashboard(
            &[prev, row("2026-05-15", Some(Brain), 5, 400_000)],
            &week("2026-05-20"),
            &activity(1, 1, 1),
        )
        .expect("valid");
        assert_eq!(
            (db.revenue.growth_rate, db.revenue.trend_label),
            (Some(Num::one(-20.0)), "감소")
        );
    }

    #[test]
    fn a_custom_range_and_its_previous_range() {
        let r = DashboardRange::parse(
            None,
            Some("2026-05-01"),
            Some("2026-05-10"),
            d("2026-05-20"),
        )
        .expect("valid");
        let db = dashboard(&rows(), &r, &activity(1, 0, 0)).expect("valid");
        assert_eq!(db.period, DashboardPeriod::Custom);
        assert_eq!(db.previous_range.start(), d("2026-04-21"));
        assert_eq!(db.previous_range.end(), d("2026-04-30"));
        // In range: 05-08 (100k) and the 05-10 package (400k).
        assert_eq!(db.revenue.total, 500_000);
        assert_eq!(db.daily_trend.len(), 10);
    }

    #[test]
    fn impossible_customer_counts_are_refused() {
        for a in [activity(5, 6, 10), activity(5, 3, 2), activity(-1, 0, 0)] {
            assert!(matches!(
                dashboard(&[], &week("2026-05-20"), &a),
                Err(AnalyticsError::InvalidInput { .. })
            ));
        }
    }
}
