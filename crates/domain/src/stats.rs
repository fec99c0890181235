//! Figures derived from a customer's visits and purchases (never stored as counters):
//! visit count, first/last visit, average interval, revenue, satisfaction, risk level.

use chrono::NaiveDate;
use serde::Serialize;

/// One non-cancelled visit, as the statistics need it.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitFact {
    pub date: NaiveDate,
    /// What the visit itself was paid (0 when it used a package session).
    pub amount: i64,
    pub satisfaction: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CustomerStats {
    pub total_visits: i64,
    pub first_visit_date: Option<NaiveDate>,
    pub last_visit_date: Option<NaiveDate>,
    /// Mean days between consecutive visits, rounded; `None` with fewer than two visits.
    pub average_visit_interval: Option<i64>,
    /// Package purchases plus single paid visits, in KRW.
    pub total_revenue: i64,
    /// Mean satisfaction rating (1–5) over rated visits, one decimal.
    pub average_satisfaction: Option<f64>,
}

/// Derives the statistics from visit facts and the amounts of (non-cancelled) purchases.
pub fn customer_stats(visits: &[VisitFact], purchase_amounts: &[i64]) -> CustomerStats {
    let first = visits.iter().map(|v| v.date).min();
    let last = visits.iter().map(|v| v.date).max();
    let n = visits.len() as i64;
    let ratings: Vec<i64> = visits.iter().filter_map(|v| v.satisfaction).collect();
    CustomerStats {
        total_visits: n,
        first_visit_date: first,
        last_visit_date: last,
        average_visit_interval: average_interval(first, last, n),
        total_revenue: visits.iter().map(|v| v.amount).sum::<i64>()
            + purchase_amounts.iter().sum::<i64>(),
        average_satisfaction: average_rating(ratings.iter().sum(), ratings.len() as i64),
    }
}

/// Mean gap between consecutive visits: the span divided by the number of gaps.
pub fn average_interval(
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    visits: i64,
) -> Option<i64> {
    match (first, last) {
        (Some(f), Some(l)) if visits >= 2 => {
            Some(((l - f).num_days() as f64 / (visits - 1) as f64).round() as i64)
        }
        _ => None,
    }
}

pub fn average_rating(sum: i64, count: i64) -> Option<f64> {
    (count > 0).then(|| (sum as f64 / count as f64 * 10.0).round() / 10.0)
}

/// Days without a visit after which a customer is at risk, and then in danger of churning.
pub const RISK_WARNING_DAYS: i64 = 45;
pub const RISK_DANGER_DAYS: i64 = 90;

/// `stable` / `warning` / `danger` from the days since the last visit (or since
/// registration for a customer who never visited).
pub fn risk_level(
    last_visit: Option<NaiveDate>,
    registered: Option<NaiveDate>,
    today: NaiveDate,
) -> &'static str {
    let Some(since) = last_visit.or(registered) else {
        return "stable";
    };
    let days = (today - since).num_days();
    if days <= RISK_WARNING_DAYS {
        "stable"
    } else if days <= RISK_DANGER_DAYS {
        "warning"
    } else {
        "danger"
    }
}

/// The date bounds for a risk level, for filtering in SQL: `(min_date, max_date)` that the
/// last activity date must fall within (inclusive; `None` is unbounded).
pub fn risk_level_bounds(
    level: &str,
    today: NaiveDate,
) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
    let days = |n: i64| today - chrono::Duration::days(n);
    match level {
        "stable" => Some((Some(days(RISK_WARNING_DAYS)), None)),
        "warning" => Some((
            Some(days(RISK_DANGER_DAYS)),
            Some(days(RISK_WARNING_DAYS + 1)),
        )),
        "danger" => Some((None, Some(days(RISK_DANGER_DAYS + 1)))),
        _ => None,
    }
}

pub const RISK_LEVELS: [&str; 3] = ["stable", "warning", "danger"];

/// The Today screen's "newly at risk": customers who crossed into `warning` within the last
/// this many days — at risk today, still `stable` a week ago.
pub const NEWLY_AT_RISK_DAYS: i64 = 7;

/// The last-activity dates (inclusive) of a newly-at-risk customer: 46 to 52 days ago.
pub fn newly_at_risk_bounds(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let days = |n: i64| today - chrono::Duration::days(n);
    (
        days(RISK_WARNING_DAYS + NEWLY_AT_RISK_DAYS),
        days(RISK_WARNING_DAYS + 1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn visit(date: &str, amount: i64, rating: Option<i64>) -> VisitFact {
        VisitFact {
            date: d(date),
            amount,
            satisfaction: rating,
        }
    }

    #[test]
    fn no_visits_gives_empty_stats() {
        let s = customer_stats(&[], &[]);
        assert_eq!(s, CustomerStats::default());
        let s = customer_stats(&[], &[1_000_000]);
        assert_eq!(s.total_revenue, 1_000_000);
        assert_eq!(s.average_visit_interval, None);
    }

    #[test]
    fn stats_from_visits() {
        let s = customer_stats(
            &[
                visit("2024-01-15", 0, Some(5)),
                visit("2024-02-01", 50_000, None),
                visit("2024-01-29", 0, Some(4)),
            ],
            &[1_500_000, 300_000],
        );
        assert_eq!(s.total_visits, 3);
        assert_eq!(s.first_visit_date, Some(d("2024-01-15")));
        assert_eq!(s.last_visit_date, Some(d("2024-02-01")));
        assert_eq!(
            s.average_visit_interval,
            Some(9),
            "17 days over 2 gaps = 8.5 → 9"
        );
        assert_eq!(s.total_revenue, 1_850_000);
        assert_eq!(s.average_satisfaction, Some(4.5));
    }

    #[test]
    fn one_visit_has_no_interval() {
        let s = customer_stats(&[visit("2024-01-15", 0, None)], &[]);
        assert_eq!(s.average_visit_interval, None);
        assert_eq!(s.average_satisfaction, None);
    }

    #[test]
    fn risk_levels_follow_days_since_last_visit() {
        let today = d("2024-06-01");
        assert_eq!(risk_level(Some(d("2024-05-01")), None, today), "stable");
        assert_eq!(
            risk_level(Some(d("2024-04-17")), None, today),
            "stable",
            "45 days"
        );
        assert_eq!(
            risk_level(Some(d("2024-04-16")), None, today),
            "warning",
            "46 days"
        );
        assert_eq!(
            risk_level(Some(d("2024-03-03")), None, today),
            "warning",
            "90 days"
        );
        assert_eq!(
            risk_level(Some(d("2024-03-02")), None, today),
            "danger",
            "91 days"
        );
        assert_eq!(
            risk_level(None, Some(d("2024-05-30")), today),
            "stable",
            "new customer"
        );
        assert_eq!(
            risk_level(None, Some(d("2023-01-01")), today),
            "danger",
            "never came back"
        );
        assert_eq!(risk_level(None, None, today), "stable");
    }

    #[test]
    fn newly_at_risk_means_crossed_the_threshold_this_week() {
        let today = d("2024-06-01");
        let (lo, hi) = newly_at_risk_bounds(today);
        let mut seen = 0;
        for back in 0..200 {
            let last = today - chrono::Duration::days(back);
            let week_ago = today - chrono::Duration::days(NEWLY_AT_RISK_DAYS);
            let crossed = risk_level(Some(last), None, today) != "stable"
                && risk_level(Some(last), None, week_ago) == "stable";
            assert_eq!(last >= lo && last <= hi, crossed, "last activity {last}");
            seen += usize::from(crossed);
        }
        assert_eq!(seen, NEWLY_AT_RISK_DAYS as usize);
    }

    #[test]
    fn risk_bounds_agree_with_risk_level() {
        let today = d("2024-06-01");
        for offset in 0..200 {
            let date = today - chrono::Duration::days(offset);
            let level = risk_level(Some(date), None, today);
            for candidate in RISK_LEVELS {
                let (lo, hi) = risk_level_bounds(candidate, today).unwrap();
                let inside = lo.is_none_or(|lo| date >= lo) && hi.is_none_or(|hi| date <= hi);
                assert_eq!(inside, candidate == level, "{offset} days, {candidate}");
            }
        }
        assert!(risk_level_bounds("calm", today).is_none());
    }
}
