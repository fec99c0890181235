//! Customer behaviour (seed 003 §2.2, re-read for a clinic: orders → visits and package
//! purchases, categories → services, reviews → visit ratings): a behaviour score, the
//! purchase history in short, favourite services, engagement, the churn model's answer as
//! given, and next best actions with their reasons.

use crate::customer::{ModelStatus, MODEL_NOT_LOADED};
use crate::error::AnalyticsError;
use crate::inputs::{ChurnInput, ChurnRisk, PackageSnapshot};
use crate::num::{mean, percent, ratio, won, Num, DAYS_PER_MONTH};
use crate::period::DateRange;
use crate::population::Population;
use crate::signals::{unavailable, Known, NextAction, Unavailable, RECENT_DAYS};
use chrono::NaiveDate;
use clinicdesk_domain::history::CustomerHistory;
use clinicdesk_domain::ServiceType;
use serde::Serialize;

/// Score weights: recency, frequency, monetary, engagement.
pub const BEHAVIOR_WEIGHTS: [f64; 4] = [0.30, 0.30, 0.25, 0.15];
/// Recency reaches 0 after this many days without a visit (the domain's "danger" line).
pub const RECENCY_ZERO_DAYS: f64 = 90.0;
/// Visit days in the last 90 days that earn full frequency marks (about weekly).
pub const FULL_FREQUENCY_VISITS: f64 = 12.0;
/// Engagement looks back this far (or over the whole tenure when shorter).
pub const ENGAGEMENT_DAYS: i64 = 365;
/// Favourite services listed.
pub const FAVOURITES: usize = 3;

pub const BEHAVIOR_FORMULA: &str = "100 × (0.30 × 최근성 + 0.30 × 빈도 + 0.25 × 금액 + 0.15 × 참여). \
최근성 = max(0, 1 − 마지막 방문 후 일수 ÷ 90); 빈도 = min(1, 최근 90일 방문일 ÷ 12); \
금액 = 전체 고객 중 누적 매출 백분위 ÷ 100; 참여 = 최근 1년(가입 기간이 짧으면 그 기간) 방문 중 평점을 남긴 비율";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerBehavior {
    pub customer_id: String,
    /// 0–100, one decimal.
    pub behavior_score: Option<Num>,
    pub score_components: ScoreComponents,
    pub purchase_history: PurchaseHistory,
    pub favorite_services: Vec<FavoriteService>,
    pub engagement: Engagement,
    pub churn_prediction: ChurnPrediction,
    pub next_best_actions: Vec<NextAction>,
    pub unavailable: Vec<Unavailable>,
}

/// The score's four parts, each 0–1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreComponents {
    pub recency: Option<Num>,
    pub frequency: Num,
    pub monetary: Option<Num>,
    pub engagement: Num,
    pub formula: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PurchaseHistory {
    pub total_visits: usize,
    /// Package purchases.
    pub total_purchases: usize,
    /// KRW: paid visits plus packages.
    pub total_spent: i64,
    pub visit_spent: i64,
    pub package_spent: i64,
    pub average_purchase_value: Option<i64>,
    pub last_purchase_date: Option<NaiveDate>,
    pub last_visit_date: Option<NaiveDate>,
    /// From visit days per month over the last 90 days: `high` ≥ 4 (weekly), `medium` ≥ 1,
    /// `low` below, `none` without a visit.
    pub purchase_frequency: &'static str,
    pub purchase_frequency_label: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FavoriteService {
    pub service: ServiceType,
    pub service_name: &'static str,
    pub visit_count: usize,
    /// % of all visits.
    pub share: Num,
    pub average_rating: Option<Num>,
    pub last_used: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Engagement {
    /// Days looked at: the last 365, or the tenure when shorter.
    pub window_days: i64,
    pub visits: usize,
    /// visits ÷ (window days ÷ 30), the window counted as at least one month.
    pub visits_per_month: Num,
    pub ratings_given: usize,
    /// % of the window's visits with a rating.
    pub rated_visit_share: Option<Num>,
    pub average_rating_given: Option<Num>,
    pub distinct_services: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChurnPrediction {
    pub risk_level: Option<ChurnRisk>,
    pub risk_label: Option<&'static str>,
    /// 0–1 as the model gave it (seed 003), two decimals.
    pub probability: Option<Num>,
    /// Days since the last visit or purchase.
    pub last_activity_days: Option<i64>,
    pub model: ModelStatus,
}

/// The behaviour of one customer as of `today`. `population` is every customer (for the
/// monetary part), `churn` the model's answer when a model is loaded, `packages` the
/// customer's packages that were not cancelled.
pub fn customer_behavior(
    history: &CustomerHistory,
    today: NaiveDate,
    population: &Population,
    churn: Option<&ChurnInput>,
    packages: &[PackageSnapshot],
) -> Result<CustomerBehavior, AnalyticsError> {
    if let Some(c) = churn {
        c.validate()?;
    }
    let k = Known::new(history, today);
    let mut unavailable_ = Vec::new();

    let days_since = k.days_since_last_visit();
    let recency = days_since.map(|d| (1.0 - d as f64 / RECENCY_ZERO_DAYS).clamp(0.0, 1.0));
    let (recent_days, _) = k.frequency_windows();
    let frequency = (recent_days as f64 / FULL_FREQUENCY_VISITS).min(1.0);
    let monetary = population
        .revenue_percentile(k.h.revenue())
        .map(|p| p / 100.0);

    let window = DateRange::ending(today, ENGAGEMENT_DAYS.min(k.tenure_days() + 1));
    let in_window: Vec<_> =
        k.h.visits
            .iter()
            .filter(|v| window.contains(v.date))
            .collect();
    let ratings: Vec<f64> = in_window
        .iter()
        .filter_map(|v| v.rating.filter(|r| (1..=5).contains(r)))
        .map(|r| r as f64)
        .collect();
    let rated_share = ratio(ratings.len() as f64, in_window.len() as f64);
    let engagement_part = rated_share.unwrap_or(0.0);

    let score = match (recency, monetary) {
        (Some(r), Some(m)) => {
            let [wr, wf, wm, we] = BEHAVIOR_WEIGHTS;
            Some(Num::one(
                100.0 * (wr * r + wf * frequency + wm * m + we * engagement_part),
            ))
        }
        _ => None,
    };
    if recency.is_none() {
        unavailable_.push(unavailable(
            "behavior_score",
            "방문 기록이 없어 행동 점수를 계산할 수 없습니다",
        ));
    } else if monetary.is_none() {
        unavailable_.push(unavailable(
            "behavior_score",
            "비교할 고객 집단이 비어 있어 금액 점수를 계산할 수 없습니다",
        ));
    }

    let visit_spent: i64 = k.h.visits.iter().map(|v| v.amount).sum();
    let package_spent: i64 = k.h.purchases.iter().map(|p| p.price_paid).sum();
    let per_month_90 = recent_days as f64 / (RECENT_DAYS as f64 / DAYS_PER_MONTH);
    let (purchase_frequency, purchase_frequency_label) = if recent_days == 0 {
        ("none", "최근 90일 방문 없음")
    } else if per_month_90 >= 4.0 {
        ("high", "주 1회 이상")
    } else if per_month_90 >= 1.0 {
        ("medium", "월 1회 이상")
    } else {
        ("low", "월 1회 미만")
    };
    let average_purchase_value = if k.h.purchases.is_empty() {
        None
    } else {
        won(package_spent as f64, k.h.purchases.len() as f64)
    };

    let total_visits = k.h.visits.len();
    let mut favourites: Vec<FavoriteService> = ServiceType::ALL
        .into_iter()
        .filter_map(|s| {
            let used: Vec<_> = k.h.visits.iter().filter(|v| v.service == s).collect();
            let last_used = used.iter().map(|v| v.date).max()?;
            let rs: Vec<f64> = used
                .iter()
                .filter_map(|v| v.rating.filter(|r| (1..=5).contains(r)))
                .map(|r| r as f64)
                .collect();
            Some(FavoriteService {
                service: s,
                service_name: s.info().name,
                visit_count: used.len(),
                share: Num::one(percent(used.len() as f64, total_visits as f64)?),
                average_rating: mean(&rs).map(Num::one),
                last_used,
            })
        })
        .collect();
    favourites.sort_by(|a, b| {
        b.visit_count
            .cmp(&a.visit_count)
            .then(b.last_used.cmp(&a.last_used))
            .then(a.service.cmp(&b.service))
    });
    favourites.truncate(FAVOURITES);

    let months = (window.days() as f64 / DAYS_PER_MONTH).max(1.0);
    let distinct: std::collections::BTreeSet<_> = in_window.iter().map(|v| v.service).collect();

    let last_activity_days = k.last_activity().map(|d| (today - d).num_days());
    if churn.is_none() {
        for f in [
            "churn_prediction.risk_level",
            "churn_prediction.probability",
        ] {
            unavailable_.push(unavailable(f, MODEL_NOT_LOADED));
        }
    }

    Ok(CustomerBehavior {
        customer_id: history.customer_id.clone(),
        behavior_score: score,
        score_components: ScoreComponents {
            recency: recency.map(Num::two),
            frequency: Num::two(frequency),
            monetary: monetary.map(Num::two),
            engagement: Num::two(engagement_part),
            formula: BEHAVIOR_FORMULA,
        },
        purchase_history: PurchaseHistory {
            total_visits,
            total_purchases: k.h.purchases.len(),
            total_spent: visit_spent + package_spent,
            visit_spent,
            package_spent,
            average_purchase_value,
            last_purchase_date: k.h.purchases.iter().map(|p| p.date).max(),
            last_visit_date: k.visit_days.last().copied(),
            purchase_frequency,
            purchase_frequency_label,
        },
        favorite_services: favourites,
        engagement: Engagement {
            window_days: window.days(),
            visits: in_window.len(),
            visits_per_month: Num::one(in_window.len() as f64 / months),
            ratings_given: ratings.len(),
            rated_visit_share: rated_share.map(|s| Num::one(100.0 * s)),
            average_rating_given: mean(&ratings).map(Num::one),
            distinct_services: distinct.len(),
        },
        churn_prediction: ChurnPrediction {
            risk_level: churn.map(ChurnInput::risk),
            risk_label: churn.map(|c| c.risk().label()),
            probability: churn.map(|c| Num::two(c.probability)),
            last_activity_days,
            model: ModelStatus::of(churn),
        },
        next_best_actions: k.next_actions(packages, churn),
        unavailable: unavailable_,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::PeerSummary;
    use crate::testkit::{d, history, json_checked, nulls_explained, package, purchase, visit};
    use clinicdesk_domain::ServiceType::{Brain, Lymph, Pulse};
    use serde_json::Value;

    const TODAY: &str = "2026-03-31";

    /// Registered 2025-10-01 (181 days ago). Six visits, the last 10 days ago; two packages.
    fn customer() -> CustomerHistory {
        let mut h = history("2025-10-01");
        h.visits = vec![
            visit("2025-10-15", Brain, 60_000, Some(5), Some(10)),
            visit("2025-12-20", Pulse, 0, None, Some(10)),
            visit("2026-01-10", Brain, 0, Some(4), Some(10)),
            visit("2026-02-01", Brain, 0, None, Some(10)),
            visit("2026-03-01", Lymph, 70_000, Some(2), Some(10)),
            visit("2026-03-21", Brain, 0, Some(4), Some(10)),
        ];
        h.purchases = vec![
            purchase("2025-12-01", 500_000, &[Brain, Pulse]),
            purchase("2026-03-01", 700_000, &[Brain, Lymph]),
        ];
        h
    }

    fn population() -> Population {
        // Lifetime revenues 0, 330k, 1,330k (the customer), 2M.
        [0, 330_000, 1_330_000, 2_000_000]
            .into_iter()
            .map(|revenue| PeerSummary {
                revenue,
                visits: 1,
                days_since_last_visit: Some(1),
                average_rating: None,
            })
            .collect()
    }

    #[test]
    fn behaviour_score_by_hand() {
        let b = customer_behavior(&customer(), d(TODAY), &population(), None, &[]).expect("valid");
        // Recency: 10 days → 1 − 10/90 = 0.889.
        // Frequency: visit days in the last 90 (2026-01-01 ..= 03-31): 01-10, 02-01, 03-01,
        //   03-21 = 4 → 4/12 = 0.333.
        // Monetary: 1,330,000 among 0, 330k, 1.33M, 2M → (2 + 0.5)/4 = 62.5 → 0.625.
        // Engagement: tenure 181 days → window 182 days (2025-09-30 ..= 2026-03-31), all six
        //   visits, four rated → 0.667.
        // Score = 100 × (0.3 × 0.8889 + 0.3 × 0.3333 + 0.25 × 0.625 + 0.15 × 0.6667)
        //       = 26.667 + 10 + 15.625 + 10 = 62.29 → 62.3.
        assert_eq!(b.behavior_score, Some(Num::one(62.3)));
        assert_eq!(b.score_components.recency, Some(Num::two(0.89)));
        assert_eq!(b.score_components.frequency, Num::two(0.33));
        assert_eq!(b.score_components.monetary, Some(Num::two(0.63)));
        assert_eq!(b.engagement.window_days, 182);
        assert_eq!(b.engagement.visits, 6);
        assert_eq!(b.engagement.ratings_given, 4);
        assert_eq!(b.engagement.rated_visit_share, Some(Num::one(66.7)));
        // 6 visits over 182/30 = 6.07 months → 0.99 a month.
        assert_eq!(b.engagement.visits_per_month, Num::one(1.0));
        // Ratings 5, 4, 2, 4 → 3.75 → 3.8.
        assert_eq!(b.engagement.average_rating_given, Some(Num::one(3.8)));
        assert_eq!(b.engagement.distinct_services, 3);
    }

    #[test]
    fn purchase_history_and_favourites() {
        let b = customer_behavior(&customer(), d(TODAY), &population(), None, &[]).expect("valid");
        let p = &b.purchase_history;
        // Visits paid 60,000 + 70,000; packages 500,000 + 700,000.
        assert_eq!(
            (p.visit_spent, p.package_spent, p.total_spent),
            (130_000, 1_200_000, 1_330_000)
        );
        assert_eq!(p.average_purchase_value, Some(600_000));
        assert_eq!(p.last_purchase_date, Some(d("2026-03-01")));
        assert_eq!(p.last_visit_date, Some(d("2026-03-21")));
        // 4 visit days in 90 days = 1.33 a month → medium.
        assert_eq!(
            (p.purchase_frequency, p.purchase_frequency_label),
            ("medium", "월 1회 이상")
        );
        let fav: Vec<_> = b
            .favorite_services
            .iter()
            .map(|f| (f.service, f.visit_count))
            .collect();
        // Brain 4; lymph (03-01) and pulse (12-20) 1 each, lymph more recent.
        assert_eq!(fav, vec![(Brain, 4), (Lymph, 1), (Pulse, 1)]);
        assert!(!b.favorite_services.is_empty());
        // 4 of 6 = 66.7 %; brain ratings 5, 4, 4 → 4.3.
        assert_eq!(b.favorite_services[0].share, Num::one(66.7));
        assert_eq!(b.favorite_services[0].average_rating, Some(Num::one(4.3)));
    }

    #[test]
    fn churn_is_passed_through_or_said_to_be_missing() {
        let c = ChurnInput {
            probability: 0.42,
            horizon_days: 90,
            model_version: Some("v3".into()),
        };
        let b =
            customer_behavior(&customer(), d(TODAY), &population(), Some(&c), &[]).expect("valid");
        assert_eq!(b.churn_prediction.risk_level, Some(ChurnRisk::Medium));
        assert_eq!(b.churn_prediction.probability, Some(Num::two(0.42)));
        // Last activity: the 03-21 visit, 10 days ago.
        assert_eq!(b.churn_prediction.last_activity_days, Some(10));
        assert_eq!(
            b.churn_prediction.model.model_version.as_deref(),
            Some("v3")
        );

        let b = customer_behavior(&customer(), d(TODAY), &population(), None, &[]).expect("valid");
        assert_eq!(b.churn_prediction.probability, None);
        assert_eq!(b.churn_prediction.model.status, "not_loaded");
        let v = json_checked(&b);
        assert_eq!(v["churn_prediction"]["probability"], Value::Null);
        assert!(b
            .unavailable
            .iter()
            .any(|u| u.field == "churn_prediction.probability"));
    }

    #[test]
    fn next_best_actions_come_from_the_data() {
        // A package that covers lymph and brain, bought 03-01, expiring in 7 days.
        let pkgs = [package(
            "브레인·림프 10회권",
            "2026-03-01",
            "2026-04-07",
            10,
            8,
            &[Brain, Lymph, Pulse],
        )];
        let b =
            customer_behavior(&customer(), d(TODAY), &population(), None, &pkgs).expect("valid");
        let actions: Vec<_> = b.next_best_actions.iter().map(|a| a.action).collect();
        // Expiring → renew (high). The latest rating is 4 but the last three (4, 2, 4)
        // average 3.3 > 3 → no satisfaction check. Pulse not used since 03-01 → suggest it.
        assert_eq!(actions, vec!["renew_package", "use_included_service"]);
        assert!(!b.next_best_actions.is_empty());
        assert_eq!(b.next_best_actions[1].service, Some(Pulse));
        assert!(b.next_best_actions.iter().all(|a| !a.reason.is_empty()));
    }

    #[test]
    fn a_customer_without_visits() {
        let mut h = history("2026-03-01");
        h.purchases = vec![purchase("2026-03-01", 300_000, &[Brain])];
        let b = customer_behavior(&h, d(TODAY), &population(), None, &[]).expect("valid");
        assert_eq!(b.behavior_score, None);
        assert_eq!(b.purchase_history.purchase_frequency, "none");
        assert!(b.favorite_services.is_empty());
        assert_eq!(b.engagement.rated_visit_share, None);
        assert_eq!(b.churn_prediction.last_activity_days, Some(30));
        assert!(!b.next_best_actions.is_empty());
        assert_eq!(b.next_best_actions[0].action, "book_first_visit");
        let v = json_checked(&b);
        nulls_explained(&v);
    }

    #[test]
    fn an_empty_population_leaves_the_score_null() {
        let b = customer_behavior(&customer(), d(TODAY), &Population::default(), None, &[])
            .expect("valid");
        assert_eq!(b.behavior_score, None);
        assert_eq!(b.score_components.monetary, None);
        assert!(b.unavailable.iter().any(|u| u.field == "behavior_score"));
        json_checked(&b);
    }
}
