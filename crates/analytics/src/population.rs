//! The customers one customer is compared with. The caller builds a [`Population`] once
//! (from every customer, or from one segment's members) and asks it for percentiles, each
//! a binary search in a sorted column.
//!
//! Percentile = 100 × (peers strictly below + ½ × peers equal) / peers — the mid-rank
//! definition: ties share the middle of their block, so when everyone has the same value
//! everyone reads 50, and a customer alone in the population reads 50 against themselves.

use chrono::NaiveDate;
use clinicdesk_domain::history::CustomerHistory;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// One customer reduced to the values peers are compared on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerSummary {
    /// All money so far (paid visits + package purchases), KRW.
    pub revenue: i64,
    /// All (not cancelled) visits so far.
    pub visits: i64,
    /// Days since the last visit; `None` for a customer who never visited.
    pub days_since_last_visit: Option<i64>,
    /// Mean of the ratings (1–5) given so far; `None` without any.
    pub average_rating: Option<f64>,
}

impl PeerSummary {
    /// The summary as of the end of `today` (later facts are ignored).
    pub fn from_history(h: &CustomerHistory, today: NaiveDate) -> PeerSummary {
        let mut revenue = 0i64;
        let mut visits = 0i64;
        let mut last: Option<NaiveDate> = None;
        let (mut rating_sum, mut rating_n) = (0i64, 0i64);
        for v in h.visits.iter().filter(|v| v.date <= today) {
            revenue += v.amount;
            visits += 1;
            last = last.max(Some(v.date));
            if let Some(r) = v.rating.filter(|r| (1..=5).contains(r)) {
                rating_sum += r;
                rating_n += 1;
            }
        }
        revenue += h
            .purchases
            .iter()
            .filter(|p| p.date <= today)
            .map(|p| p.price_paid)
            .sum::<i64>();
        PeerSummary {
            revenue,
            visits,
            days_since_last_visit: last.map(|d| (today - d).num_days()),
            average_rating: (rating_n > 0).then(|| rating_sum as f64 / rating_n as f64),
        }
    }
}

/// Sorted columns of a set of customers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Population {
    size: usize,
    revenue: Vec<i64>,
    visits: Vec<i64>,
    /// Only customers who visited.
    recency_days: Vec<i64>,
    /// Only customers who rated; finite values only.
    ratings: Vec<f64>,
}

impl Population {
    pub fn new(summaries: impl IntoIterator<Item = PeerSummary>) -> Population {
        let mut p = Population::default();
        for s in summaries {
            p.size += 1;
            p.revenue.push(s.revenue);
            p.visits.push(s.visits);
            if let Some(d) = s.days_since_last_visit {
                p.recency_days.push(d);
            }
            if let Some(r) = s.average_rating.filter(|r| r.is_finite()) {
                p.ratings.push(r);
            }
        }
        p.revenue.sort_unstable();
        p.visits.sort_unstable();
        p.recency_days.sort_unstable();
        p.ratings.sort_unstable_by(f64::total_cmp);
        p
    }

    /// Customers in the population.
    pub fn len(&self) -> usize {
        self.size
    }

    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// Customers with at least one visit (the base of the recency percentile).
    pub fn visited(&self) -> usize {
        self.recency_days.len()
    }

    /// Customers with at least one rating (the base of the rating percentile).
    pub fn rated(&self) -> usize {
        self.ratings.len()
    }

    pub fn revenue_percentile(&self, revenue: i64) -> Option<f64> {
        midrank(&self.revenue, &revenue, Ord::cmp)
    }

    pub fn visits_percentile(&self, visits: i64) -> Option<f64> {
        midrank(&self.visits, &visits, Ord::cmp)
    }

    /// Higher is more recent: the share of visited peers whose last visit was longer ago
    /// (ties half).
    pub fn recency_percentile(&self, days_since_last_visit: i64) -> Option<f64> {
        midrank(&self.recency_days, &days_since_last_visit, Ord::cmp).map(|p| 100.0 - p)
    }

    pub fn rating_percentile(&self, average_rating: f64) -> Option<f64> {
        if !average_rating.is_finite() {
            return None;
        }
        midrank(&self.ratings, &average_rating, f64::total_cmp)
    }

    pub fn revenue_median(&self) -> Option<f64> {
        median(&self.revenue, |x| *x as f64)
    }

    pub fn visits_median(&self) -> Option<f64> {
        median(&self.visits, |x| *x as f64)
    }

    pub fn recency_median(&self) -> Option<f64> {
        median(&self.recency_days, |x| *x as f64)
    }

    pub fn rating_median(&self) -> Option<f64> {
        median(&self.ratings, |x| *x)
    }
}

impl FromIterator<PeerSummary> for Population {
    fn from_iter<I: IntoIterator<Item = PeerSummary>>(iter: I) -> Self {
        Population::new(iter)
    }
}

fn midrank<T>(sorted: &[T], x: &T, cmp: impl Fn(&T, &T) -> Ordering) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let below = sorted.partition_point(|v| cmp(v, x) == Ordering::Less);
    let upto = sorted.partition_point(|v| cmp(v, x) != Ordering::Greater);
    let n = sorted.len() as f64;
    Some(100.0 * (below as f64 + 0.5 * (upto - below) as f64) / n)
}

fn median<T>(sorted: &[T], f: impl Fn(&T) -> f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let mid = n / 2;
    if n % 2 == 1 {
        sorted.get(mid).map(&f)
    } else {
        Some((f(sorted.get(mid - 1)?) + f(sorted.get(mid)?)) / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{d, history, visit};
    use clinicdesk_domain::ServiceType::Brain;

    fn peer(revenue: i64, visits: i64, days: Option<i64>, rating: Option<f64>) -> PeerSummary {
        PeerSummary {
            revenue,
            visits,
            days_since_last_visit: days,
            average_rating: rating,
        }
    }

    #[test]
    fn percentiles_use_mid_ranks() {
        // Revenues 100, 200, 200, 300, 400 (n = 5).
        let p: Population = [100, 200, 200, 300, 400]
            .into_iter()
            .map(|r| peer(r, 1, Some(1), None))
            .collect();
        // 300: 3 below, 1 equal → (3 + 0.5) / 5 = 70
        assert_eq!(p.revenue_percentile(300), Some(70.0));
        // 200 (tie of two): 1 below, 2 equal → (1 + 1) / 5 = 40
        assert_eq!(p.revenue_percentile(200), Some(40.0));
        // Above everyone: 5 below → 100; below everyone → 0.
        assert_eq!(p.revenue_percentile(1_000), Some(100.0));
        assert_eq!(p.revenue_percentile(0), Some(0.0));
        // Median of 5 sorted values is the third: 200.
        assert_eq!(p.revenue_median(), Some(200.0));
    }

    #[test]
    fn everyone_tied_reads_fifty() {
        let p: Population = (0..4).map(|_| peer(0, 0, None, None)).collect();
        assert_eq!(p.revenue_percentile(0), Some(50.0));
        assert_eq!(p.visits_percentile(0), Some(50.0));
    }

    #[test]
    fn empty_and_single_populations() {
        let empty = Population::new([]);
        assert!(empty.is_empty());
        assert_eq!(empty.revenue_percentile(5), None);
        assert_eq!(empty.recency_percentile(5), None);
        assert_eq!(empty.revenue_median(), None);
        let one = Population::new([peer(500, 3, Some(10), Some(4.0))]);
        assert_eq!(one.len(), 1);
        // Alone: compared with themselves, the mid-rank is 50.
        assert_eq!(one.revenue_percentile(500), Some(50.0));
        assert_eq!(one.rating_percentile(4.0), Some(50.0));
        assert_eq!(one.rating_percentile(f64::NAN), None);
    }

    #[test]
    fn recency_counts_fewer_days_as_better_and_skips_non_visitors() {
        // Days since last visit 5, 10, 30, 60 and one customer who never visited.
        let p: Population = [Some(5), Some(10), Some(30), Some(60), None]
            .into_iter()
            .map(|days| peer(0, 0, days, None))
            .collect();
        assert_eq!(p.len(), 5);
        assert_eq!(p.visited(), 4);
        // 10 days: 1 more recent (5), 2 longer ago (30, 60) → 100 − (1 + 0.5)/4×100 = 62.5
        assert_eq!(p.recency_percentile(10), Some(62.5));
        assert_eq!(p.recency_percentile(0), Some(100.0));
        // Median of 5, 10, 30, 60 = (10 + 30) / 2 = 20.
        assert_eq!(p.recency_median(), Some(20.0));
    }

    #[test]
    fn a_summary_reads_the_history_up_to_today() {
        let mut h = history("2026-01-01");
        h.visits = vec![
            visit("2026-01-05", Brain, 60_000, Some(5), None),
            visit("2026-01-20", Brain, 0, Some(4), None),
            visit("2026-02-10", Brain, 60_000, Some(1), None),
        ];
        let s = PeerSummary::from_history(&h, d("2026-01-31"));
        assert_eq!(s.visits, 2);
        assert_eq!(s.revenue, 60_000);
        assert_eq!(s.days_since_last_visit, Some(11));
        // (5 + 4) / 2 = 4.5
        assert_eq!(s.average_rating, Some(4.5));
    }
}
