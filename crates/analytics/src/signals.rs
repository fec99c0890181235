//! What the analytics read off one customer's history again and again: when they became a
//! customer, their usual visit interval, whether they are overdue, how their visits and
//! ratings are moving, and what that means — risk factors, a retention score and the next
//! thing staff should do. Customer analytics and behaviour share this, so the two screens
//! never disagree about the same customer.

use crate::inputs::{ChurnInput, PackageSnapshot};
use crate::num::{mean, short, Num};
use crate::period::{shift, DateRange};
use chrono::NaiveDate;
use clinicdesk_domain::history::CustomerHistory;
use clinicdesk_domain::package::StatusDay;
use clinicdesk_domain::stats::RISK_WARNING_DAYS;
use clinicdesk_domain::ServiceType;
use serde::Serialize;
use std::collections::BTreeSet;

/// A customer is overdue after this many times their usual interval…
pub const OVERDUE_FACTOR: f64 = 2.0;
/// …but never sooner than this many days (a twice-weekly customer missing one week is not a
/// risk); without a usual interval, the domain's 45-day warning applies.
pub const OVERDUE_MIN_DAYS: i64 = 14;
/// The "recent" window of the frequency comparison, and the one before it.
pub const RECENT_DAYS: i64 = 90;
/// Ratings older than this do not speak for the customer's current satisfaction.
pub const RATING_LOOKBACK_DAYS: i64 = 180;
/// How many of the latest ratings judge "recent satisfaction".
pub const RECENT_RATINGS: usize = 3;
/// A recent mean at or below this is a risk factor.
pub const LOW_RATING_MEAN: f64 = 3.0;
/// Ratings the retention score's satisfaction part averages.
pub const RETENTION_RATINGS: usize = 5;
/// The retention score's weights: recency, frequency trend, satisfaction, package.
pub const RETENTION_WEIGHTS: [f64; 4] = [0.40, 0.30, 0.15, 0.15];

/// Why a value is `null`: every analysis that cannot honestly give a number says so here.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unavailable {
    pub field: &'static str,
    pub reason: String,
}

pub(crate) fn unavailable(field: &'static str, reason: impl Into<String>) -> Unavailable {
    Unavailable {
        field,
        reason: reason.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    High,
    Medium,
    Low,
}

/// Something in the data that makes losing the customer likelier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskFactor {
    pub code: &'static str,
    /// Korean, short.
    pub label: &'static str,
    /// Korean, with the numbers behind it.
    pub detail: String,
    pub severity: Level,
}

/// A suggestion for staff, with the data that prompted it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextAction {
    pub action: &'static str,
    pub label: &'static str,
    pub priority: Level,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_name: Option<&'static str>,
}

/// The retention score and its four parts (each 0–1), so a manager can see why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetentionScore {
    pub score: i64,
    pub recency: Num,
    pub frequency: Num,
    pub satisfaction: Num,
    pub package: Num,
    pub formula: &'static str,
}

pub const RETENTION_FORMULA: &str = "100 × (0.40 × 최근성 + 0.30 × 빈도 유지 + 0.15 × 만족도 + 0.15 × 패키지 보유). \
최근성 = (2T − 경과일) ÷ T를 0–1로 자름 (T = 방문 공백 기준일); \
빈도 유지 = 최근 90일 방문일 ÷ 직전 90일 방문일, 최대 1 (직전 0일이면 최근 방문 있으면 1, 없으면 0); \
만족도 = (최근 평점 5건 평균 − 1) ÷ 4, 평점이 없으면 0.5; \
패키지 = 이용 중 1, 만료 임박 0.5, 없음 0";

/// The overdue test: days since the last visit against the customer's own rhythm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Overdue {
    pub days_since: i64,
    pub threshold: i64,
    pub usual: Option<f64>,
    pub is_overdue: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RecentRatings {
    pub count: usize,
    pub mean: f64,
}

/// A package as it stands today, with the domain's status rank (0 active, 1 expiring,
/// 2 expired or used up).
pub(crate) struct PackageView<'a> {
    pub p: &'a PackageSnapshot,
    pub rank: u8,
    pub days_left: i64,
}

pub(crate) fn package_views(
    packages: &[PackageSnapshot],
    today: NaiveDate,
) -> Vec<PackageView<'_>> {
    let day = StatusDay::new(today);
    packages
        .iter()
        .filter(|p| p.purchase_date <= today)
        .map(|p| PackageView {
            p,
            rank: day.rank(p.expiry_date, p.total_sessions, p.remaining_sessions),
            days_left: (p.expiry_date - today).num_days(),
        })
        .collect()
}

/// The customer as known at the end of `today`.
pub(crate) struct Known {
    pub h: CustomerHistory,
    pub today: NaiveDate,
    /// The first day the clinic knew them: registration, or an earlier visit or purchase
    /// (imported records can predate the registration).
    pub since: NaiveDate,
    /// Days with at least one visit, sorted, each once: two services on one day are one
    /// trip to the clinic, so intervals are measured between days.
    pub visit_days: Vec<NaiveDate>,
}

impl Known {
    pub fn new(history: &CustomerHistory, today: NaiveDate) -> Known {
        let h = history.as_of(today);
        let mut visit_days: Vec<NaiveDate> = h.visits.iter().map(|v| v.date).collect();
        visit_days.sort_unstable();
        visit_days.dedup();
        let since = h
            .visits
            .iter()
            .map(|v| v.date)
            .chain(h.purchases.iter().map(|p| p.date))
            .fold(h.registered, NaiveDate::min);
        Known {
            h,
            today,
            since,
            visit_days,
        }
    }

    /// Days from `since` to today (0 for a customer registered today or "in the future").
    pub fn tenure_days(&self) -> i64 {
        (self.today - self.since).num_days().max(0)
    }

    /// Mean gap between consecutive visit days over the whole history.
    pub fn usual_interval(&self) -> Option<f64> {
        mean_interval(&self.visit_days)
    }

    pub fn days_since_last_visit(&self) -> Option<i64> {
        self.visit_days.last().map(|d| (self.today - *d).num_days())
    }

    /// The last visit or purchase.
    pub fn last_activity(&self) -> Option<NaiveDate> {
        let last_purchase = self.h.purchases.iter().map(|p| p.date).max();
        self.visit_days.last().copied().max(last_purchase)
    }

    pub fn visit_days_in(&self, r: &DateRange) -> usize {
        self.visit_days.iter().filter(|d| r.contains(**d)).count()
    }

    pub fn overdue(&self) -> Option<Overdue> {
        let days_since = self.days_since_last_visit()?;
        let usual = self.usual_interval();
        let threshold = match usual {
            Some(u) => ((OVERDUE_FACTOR * u).round() as i64).max(OVERDUE_MIN_DAYS),
            None => RISK_WARNING_DAYS,
        };
        Some(Overdue {
            days_since,
            threshold,
            usual,
            is_overdue: days_since > threshold,
        })
    }

    /// Visit days in the last 90 days and in the 90 days before.
    pub fn frequency_windows(&self) -> (usize, usize) {
        let recent = DateRange::ending(self.today, RECENT_DAYS);
        (
            self.visit_days_in(&recent),
            self.visit_days_in(&recent.previous()),
        )
    }

    /// The latest `n` valid ratings (1–5) on or after `from`, oldest first.
    fn latest_ratings(&self, n: usize, from: NaiveDate) -> Vec<f64> {
        let mut rated: Vec<(NaiveDate, i64)> = self
            .h
            .visits
            .iter()
            .filter(|v| v.date >= from)
            .filter_map(|v| {
                v.rating
                    .filter(|r| (1..=5).contains(r))
                    .map(|r| (v.date, r))
            })
            .collect();
        // Stable: visits of one day keep their recorded order.
        rated.sort_by_key(|(d, _)| *d);
        let skip = rated.len().saturating_sub(n);
        rated
            .into_iter()
            .skip(skip)
            .map(|(_, r)| r as f64)
            .collect()
    }

    pub fn recent_ratings(&self) -> Option<RecentRatings> {
        let from = shift(self.today, -(RATING_LOOKBACK_DAYS - 1));
        let r = self.latest_ratings(RECENT_RATINGS, from);
        Some(RecentRatings {
            count: r.len(),
            mean: mean(&r)?,
        })
    }

    pub fn risk_factors(&self, packages: &[PackageSnapshot]) -> Vec<RiskFactor> {
        let mut out = Vec::new();
        if let Some(o) = self.overdue().filter(|o| o.is_overdue) {
            let detail = match o.usual {
                Some(u) => format!(
                    "평소 방문 간격은 약 {}일인데 마지막 방문 후 {}일이 지났습니다 (기준 {}일)",
                    short(u),
                    o.days_since,
                    o.threshold
                ),
                None => format!(
                    "마지막 방문 후 {}일이 지났습니다 (기준 {}일)",
                    o.days_since, o.threshold
                ),
            };
            out.push(RiskFactor {
                code: "overdue_visit",
                label: "방문 공백",
                detail,
                severity: if o.days_since > 2 * o.threshold {
                    Level::High
                } else {
                    Level::Medium
                },
            });
        }
        let (recent, previous) = self.frequency_windows();
        if previous >= 2 && recent * 2 <= previous {
            out.push(RiskFactor {
                code: "falling_frequency",
                label: "방문 빈도 감소",
                detail: format!(
                    "최근 90일 방문일 {recent}일, 그 전 90일 {previous}일로 절반 이하로 줄었습니다"
                ),
                severity: if recent == 0 {
                    Level::High
                } else {
                    Level::Medium
                },
            });
        }
        if let Some(r) = self.recent_ratings().filter(|r| r.mean <= LOW_RATING_MEAN) {
            out.push(RiskFactor {
                code: "low_recent_ratings",
                label: "최근 낮은 만족도",
                detail: format!(
                    "최근 평점 {}건 평균 {}점 (5점 만점)",
                    r.count,
                    short(r.mean)
                ),
                severity: if r.mean <= 2.0 {
                    Level::High
                } else {
                    Level::Medium
                },
            });
        }
        let views = package_views(packages, self.today);
        for v in views.iter().filter(|v| v.rank == 1) {
            out.push(RiskFactor {
                code: "package_expiring",
                label: "패키지 만료 임박",
                detail: format!(
                    "'{}' 패키지: 남은 {}/{}회, 만료까지 {}일",
                    v.p.package_name, v.p.remaining_sessions, v.p.total_sessions, v.days_left
                ),
                severity: Level::Medium,
            });
        }
        let latest = views
            .iter()
            .max_by_key(|v| (v.p.purchase_date, v.p.expiry_date));
        if let (Some(latest), true) = (latest, views.iter().all(|v| v.rank >= 2)) {
            let how = if latest.p.remaining_sessions <= 0 {
                format!(
                    "'{}' 패키지({} 구매)를 모두 사용했습니다",
                    latest.p.package_name, latest.p.purchase_date
                )
            } else {
                format!(
                    "'{}' 패키지 기간이 {}에 끝났습니다 (남은 {}회)",
                    latest.p.package_name, latest.p.expiry_date, latest.p.remaining_sessions
                )
            };
            let detail = if views.len() > 1 {
                format!(
                    "보유했던 패키지 {}개가 모두 끝났습니다. 가장 최근: {how}",
                    views.len()
                )
            } else {
                how
            };
            out.push(RiskFactor {
                code: "package_used_up",
                label: "이용 가능한 패키지 없음",
                detail,
                severity: Level::Medium,
            });
        }
        out
    }

    pub fn retention(&self, packages: &[PackageSnapshot]) -> RetentionScore {
        let recency = match self.overdue() {
            Some(o) => {
                let t = o.threshold.max(1) as f64;
                ((2.0 * t - o.days_since as f64) / t).clamp(0.0, 1.0)
            }
            None => 0.0,
        };
        let (recent, previous) = self.frequency_windows();
        let frequency = if previous == 0 {
            if recent > 0 {
                1.0
            } else {
                0.0
            }
        } else {
            (recent as f64 / previous as f64).min(1.0)
        };
        let satisfaction = mean(&self.latest_ratings(RETENTION_RATINGS, NaiveDate::MIN))
            .map_or(0.5, |m| (m - 1.0) / 4.0);
        let views = package_views(packages, self.today);
        let package = if views.iter().any(|v| v.rank == 0) {
            1.0
        } else if views.iter().any(|v| v.rank == 1) {
            0.5
        } else {
            0.0
        };
        let [wr, wf, ws, wp] = RETENTION_WEIGHTS;
        let score = 100.0 * (wr * recency + wf * frequency + ws * satisfaction + wp * package);
        RetentionScore {
            score: score.round().clamp(0.0, 100.0) as i64,
            recency: Num::two(recency),
            frequency: Num::two(frequency),
            satisfaction: Num::two(satisfaction),
            package: Num::two(package),
            formula: RETENTION_FORMULA,
        }
    }

    /// Rule-based suggestions, most urgent first (rules in the README).
    pub fn next_actions(
        &self,
        packages: &[PackageSnapshot],
        churn: Option<&ChurnInput>,
    ) -> Vec<NextAction> {
        let factors = self.risk_factors(packages);
        let factor = |code: &str| factors.iter().find(|f| f.code == code);
        let mut out = Vec::new();
        let mut push = |action, label, priority, reason: String| {
            out.push(NextAction {
                action,
                label,
                priority,
                reason,
                service: None,
                service_name: None,
            })
        };
        if self.visit_days.is_empty() {
            push(
                "book_first_visit",
                "첫 방문 예약 안내",
                Level::High,
                format!("가입 후 {}일 동안 방문 기록이 없습니다", self.tenure_days()),
            );
        }
        for f in factors.iter().filter(|f| f.code == "package_expiring") {
            push(
                "renew_package",
                "패키지 갱신 제안",
                Level::High,
                f.detail.clone(),
            );
        }
        let visited_recently = self
            .days_since_last_visit()
            .is_some_and(|d| d <= RECENT_DAYS);
        if let Some(f) = factor("package_used_up").filter(|_| visited_recently) {
            push(
                "offer_new_package",
                "새 패키지 안내",
                Level::High,
                f.detail.clone(),
            );
        }
        let overdue = factor("overdue_visit");
        if let Some(f) = overdue {
            push(
                "win_back_call",
                "안부 연락 및 재방문 예약 권유",
                Level::High,
                f.detail.clone(),
            );
        }
        if let Some(c) = churn.filter(|c| c.probability >= 0.6 && overdue.is_none()) {
            push(
                "retention_call",
                "담당자 관리 연락",
                Level::High,
                format!(
                    "이탈 예측 확률 {}% ({}일 이내)",
                    short(c.probability * 100.0),
                    c.horizon_days
                ),
            );
        }
        if let Some(f) = factor("falling_frequency").filter(|_| overdue.is_none()) {
            push(
                "cadence_consult",
                "방문 주기 상담",
                Level::Medium,
                f.detail.clone(),
            );
        }
        if let Some(f) = factor("low_recent_ratings") {
            push(
                "satisfaction_check",
                "만족도 확인 상담",
                f.severity,
                f.detail.clone(),
            );
        }
        let mut suggested = BTreeSet::new();
        for v in package_views(packages, self.today)
            .iter()
            .filter(|v| v.rank <= 1)
        {
            for s in &v.p.services {
                let used = self
                    .h
                    .visits
                    .iter()
                    .any(|x| x.service == *s && x.date >= v.p.purchase_date);
                if !used && suggested.insert(*s) {
                    out.push(NextAction {
                        action: "use_included_service",
                        label: "패키지 포함 서비스 이용 안내",
                        priority: Level::Medium,
                        reason: format!(
                            "'{}' 패키지에 포함된 {} 서비스를 구매 후 아직 이용하지 않았습니다",
                            v.p.package_name,
                            s.info().name
                        ),
                        service: Some(*s),
                        service_name: Some(s.info().name),
                    });
                }
            }
        }
        let year = DateRange::ending(self.today, 365);
        let (visits, rated) = self
            .h
            .visits
            .iter()
            .filter(|v| year.contains(v.date))
            .fold((0, 0), |(n, r), v| {
                (n + 1, r + usize::from(v.rating.is_some()))
            });
        if visits >= 3 && rated == 0 {
            out.push(NextAction {
                action: "ask_feedback",
                label: "서비스 만족도 평가 요청",
                priority: Level::Low,
                reason: format!("최근 1년 방문 {visits}회 중 평점이 기록된 방문이 없습니다"),
                service: None,
                service_name: None,
            });
        }
        if out.is_empty() {
            let reason = match self.days_since_last_visit() {
                Some(d) => format!("위험 요인이 없습니다 (마지막 방문 {d}일 전)"),
                None => "위험 요인이 없습니다".to_string(),
            };
            out.push(NextAction {
                action: "keep_in_touch",
                label: "정기 방문 감사 인사",
                priority: Level::Low,
                reason,
                service: None,
                service_name: None,
            });
        }
        // Stable: within a priority the rules keep the order above.
        out.sort_by_key(|a| a.priority);
        out
    }
}

/// Mean gap between consecutive days of a sorted, de-duplicated list.
pub(crate) fn mean_interval(days: &[NaiveDate]) -> Option<f64> {
    let (first, last) = (days.first()?, days.last()?);
    if days.len() < 2 {
        return None;
    }
    Some((*last - *first).num_days() as f64 / (days.len() - 1) as f64)
}

/// The gaps, in days, between consecutive days of a sorted, de-duplicated list.
pub(crate) fn intervals(days: &[NaiveDate]) -> Vec<f64> {
    days.windows(2)
        .map(|w| (w[1] - w[0]).num_days() as f64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{d, history, package, visit};
    use clinicdesk_domain::ServiceType::{Brain, Pulse, Red};

    fn weekly_until(last: &str, n: i64) -> CustomerHistory {
        // n visits 7 days apart, the last on `last`.
        let mut h = history("2025-01-01");
        let end = d(last);
        h.visits = (0..n)
            .rev()
            .map(|i| {
                let day = shift(end, -7 * i);
                visit(&day.to_string(), Brain, 0, Some(5), Some(10))
            })
            .collect();
        h
    }

    #[test]
    fn overdue_is_measured_against_the_customers_own_interval() {
        // Weekly visits, the last on 2026-03-01; usual interval 7 → threshold max(14, 14) = 14.
        let h = weekly_until("2026-03-01", 6);
        let k = Known::new(&h, d("2026-03-15"));
        let o = k.overdue().expect("has visits");
        assert_eq!((o.days_since, o.threshold, o.is_overdue), (14, 14, false));
        let k = Known::new(&h, d("2026-03-16"));
        let f = k.risk_factors(&[]);
        assert!(!f.is_empty());
        assert_eq!(f[0].code, "overdue_visit");
        assert_eq!(f[0].severity, Level::Medium);
        assert!(f[0].detail.contains("약 7일"));
        // 29 days > 2 × 14 → high.
        let k = Known::new(&h, d("2026-03-30"));
        let f = k.risk_factors(&[]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Level::High);
    }

    #[test]
    fn one_visit_day_falls_back_to_the_domain_warning() {
        let mut h = history("2026-01-01");
        h.visits = vec![
            visit("2026-01-10", Brain, 0, None, None),
            visit("2026-01-10", Red, 0, None, None),
        ];
        let k = Known::new(&h, d("2026-02-25"));
        assert_eq!(k.visit_days.len(), 1);
        let o = k.overdue().expect("visited");
        // 46 days since, no interval → threshold 45.
        assert_eq!((o.days_since, o.threshold, o.usual), (46, 45, None));
        assert!(o.is_overdue);
    }

    #[test]
    fn falling_frequency_needs_a_halving() {
        // Previous 90 days (2025-12-02..2026-03-01): 4 visit days; recent 90: 2.
        let mut h = history("2025-06-01");
        h.visits = [
            "2025-12-10",
            "2026-01-10",
            "2026-02-01",
            "2026-02-20",
            "2026-03-10",
            "2026-05-20",
        ]
        .iter()
        .map(|s| visit(s, Pulse, 0, None, None))
        .collect();
        let k = Known::new(&h, d("2026-05-30"));
        assert_eq!(k.frequency_windows(), (2, 4));
        let codes: Vec<_> = k.risk_factors(&[]).iter().map(|f| f.code).collect();
        assert!(codes.contains(&"falling_frequency"));
        // One more recent visit: 3 × 2 > 4 → no longer a halving.
        h.visits.push(visit("2026-05-25", Pulse, 0, None, None));
        let k = Known::new(&h, d("2026-05-30"));
        assert!(!k
            .risk_factors(&[])
            .iter()
            .any(|f| f.code == "falling_frequency"));
    }

    #[test]
    fn low_recent_ratings_use_the_last_three_within_180_days() {
        let mut h = history("2025-01-01");
        h.visits = vec![
            visit("2025-06-01", Brain, 0, Some(1), None), // older than 180 days: ignored
            visit("2026-01-01", Brain, 0, Some(5), None),
            visit("2026-01-08", Brain, 0, Some(2), None),
            visit("2026-01-15", Brain, 0, Some(3), None),
            visit("2026-01-22", Brain, 0, Some(3), None),
        ];
        let k = Known::new(&h, d("2026-01-25"));
        // Last three: 2, 3, 3 → mean 2.67 ≤ 3.
        let r = k.recent_ratings().expect("rated");
        assert_eq!(r.count, 3);
        assert!((r.mean - 8.0 / 3.0).abs() < 1e-9);
        let f = k.risk_factors(&[]);
        assert!(!f.is_empty());
        assert_eq!(f[0].code, "low_recent_ratings");
        assert!(f[0].detail.contains("평균 2.7점"));
    }

    #[test]
    fn package_factors_use_the_domain_status() {
        let h = weekly_until("2026-03-01", 3);
        let today = d("2026-03-02");
        let k = Known::new(&h, today);
        // Expires in 10 days (≤ 14) → expiring.
        let expiring = package("10회권", "2026-01-01", "2026-03-12", 10, 6, &[Brain]);
        let f = k.risk_factors(std::slice::from_ref(&expiring));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "package_expiring");
        assert!(f[0].detail.contains("남은 6/10회"));
        assert!(f[0].detail.contains("만료까지 10일"));
        // All used → nothing usable.
        let used = package("5회권", "2025-12-01", "2026-06-01", 5, 0, &[Brain]);
        let f = k.risk_factors(std::slice::from_ref(&used));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "package_used_up");
        assert!(f[0].detail.contains("모두 사용"));
        // An active package alongside: no factor.
        let active = package("20회권", "2026-02-01", "2026-12-01", 20, 18, &[Brain]);
        assert!(k.risk_factors(&[used, active]).is_empty());
    }

    #[test]
    fn retention_score_by_hand() {
        // Weekly visits on 2026-02-01 .. 2026-03-01 (5 days), all rated 5; today 2026-03-08.
        // Usual interval 7 → T = 14; 7 days since → recency = (28 − 7)/14 = 1.5 → 1.
        // Recent 90 days (2025-12-09..2026-03-08): 5 visit days; previous 90: 0 → frequency 1.
        // Satisfaction (5 − 1)/4 = 1. Package: none → 0.
        // Score = 100 × (0.4 + 0.3 + 0.15 + 0) = 85.
        let h = weekly_until("2026-03-01", 5);
        let k = Known::new(&h, d("2026-03-08"));
        let r = k.retention(&[]);
        assert_eq!(r.score, 85);
        assert_eq!(r.package, Num::two(0.0));
        // 21 days since → recency = (28 − 21)/14 = 0.5; score = 100 × (0.2 + 0.3 + 0.15) = 65,
        // and with an active package + 15 = 80.
        let k = Known::new(&h, d("2026-03-22"));
        assert_eq!(k.retention(&[]).score, 65);
        let active = package("20회권", "2026-02-01", "2026-12-01", 20, 15, &[Brain]);
        assert_eq!(k.retention(&[active]).score, 80);
    }

    #[test]
    fn next_actions_explain_themselves() {
        let h = weekly_until("2026-03-01", 4);
        let k = Known::new(&h, d("2026-03-20"));
        let pkg = package(
            "복합 10회권",
            "2026-02-01",
            "2026-03-25",
            10,
            4,
            &[Brain, Pulse],
        );
        let a = k.next_actions(std::slice::from_ref(&pkg), None);
        let names: Vec<_> = a.iter().map(|a| a.action).collect();
        // 19 days since > 14 → win back; package expires in 5 days → renew; pulse never used.
        assert_eq!(
            names,
            vec!["renew_package", "win_back_call", "use_included_service"]
        );
        assert_eq!(a[2].service, Some(Pulse));
        assert!(a.iter().all(|a| !a.reason.is_empty()));

        // Regular and healthy: one low-priority thank-you.
        let k = Known::new(&h, d("2026-03-05"));
        let a = k.next_actions(&[], None);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].action, "keep_in_touch");

        // The model's high probability asks for a call even without a data factor.
        let churn = ChurnInput {
            probability: 0.7,
            horizon_days: 90,
            model_version: None,
        };
        let a = k.next_actions(&[], Some(&churn));
        assert!(!a.is_empty());
        assert_eq!(a[0].action, "retention_call");
        assert!(a[0].reason.contains("70%"));
    }
}
