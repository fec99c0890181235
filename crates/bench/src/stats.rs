//! Latency statistics: nearest-rank percentiles over recorded samples (pure).

use serde::Serialize;
use std::time::Duration;

/// Recorded call durations (successful and failed) plus the error count.
#[derive(Debug, Default, Clone)]
pub struct Samples {
    nanos: Vec<u64>,
    pub errors: u64,
    /// The first few error descriptions, for the report.
    pub error_examples: Vec<String>,
}

impl Samples {
    pub fn with_capacity(n: usize) -> Samples {
        Samples {
            nanos: Vec::with_capacity(n),
            ..Default::default()
        }
    }

    pub fn record(&mut self, d: Duration) {
        self.nanos.push(d.as_nanos().min(u64::MAX as u128) as u64);
    }

    pub fn error(&mut self, what: String) {
        self.errors += 1;
        if self.error_examples.len() < 5 {
            self.error_examples.push(what);
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.nanos.len()
    }

    pub fn merge(&mut self, other: Samples) {
        self.nanos.extend(other.nanos);
        self.errors += other.errors;
        for e in other.error_examples {
            if self.error_examples.len() < 5 {
                self.error_examples.push(e);
            }
        }
    }

    pub fn summary(&self) -> Summary {
        summarize(&self.nanos, self.errors)
    }
}

/// p50 / p99 / max / mean in milliseconds over `count` calls.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Summary {
    pub count: u64,
    pub errors: u64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Nearest-rank percentile of sorted values: the smallest value with at least `q` of the
/// values at or below it (`q` in 0..=1). None for no values.
pub fn percentile(sorted: &[u64], q: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let q = q.clamp(0.0, 1.0);
    let rank = (q * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

fn ms(nanos: u64) -> f64 {
    nanos as f64 / 1_000_000.0
}

pub fn summarize(nanos: &[u64], errors: u64) -> Summary {
    let mut sorted = nanos.to_vec();
    sorted.sort_unstable();
    let count = sorted.len() as u64;
    if count == 0 {
        return Summary {
            errors,
            ..Default::default()
        };
    }
    let sum: u128 = sorted.iter().map(|&n| n as u128).sum();
    Summary {
        count,
        errors,
        mean_ms: ms((sum / count as u128) as u64),
        p50_ms: ms(percentile(&sorted, 0.50).unwrap_or(0)),
        p99_ms: ms(percentile(&sorted, 0.99).unwrap_or(0)),
        max_ms: ms(*sorted.last().unwrap()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.50), Some(50));
        assert_eq!(percentile(&v, 0.99), Some(99));
        assert_eq!(percentile(&v, 1.0), Some(100));
        assert_eq!(percentile(&v, 0.0), Some(1));
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[7], 0.99), Some(7));
        // 1000 values: p99 is the 990th smallest.
        let v: Vec<u64> = (1..=1000).collect();
        assert_eq!(percentile(&v, 0.99), Some(990));
        // Ten values: p99 is the largest, p50 the fifth.
        let v: Vec<u64> = (1..=10).collect();
        assert_eq!(percentile(&v, 0.99), Some(10));
        assert_eq!(percentile(&v, 0.5), Some(5));
    }

    #[test]
    fn summary_in_milliseconds_from_unsorted_samples() {
        let mut s = Samples::default();
        for ms in [3u64, 1, 2, 4, 100] {
            s.record(Duration::from_millis(ms));
        }
        s.error("500 INTERNAL_ERROR".into());
        let sum = s.summary();
        assert_eq!(sum.count, 5);
        assert_eq!(sum.errors, 1);
        assert_eq!(sum.p50_ms, 3.0);
        assert_eq!(sum.p99_ms, 100.0);
        assert_eq!(sum.max_ms, 100.0);
        assert!((sum.mean_ms - 22.0).abs() < 1e-9);
    }

    #[test]
    fn empty_summary_keeps_errors() {
        let mut s = Samples::default();
        s.error("x".into());
        let sum = s.summary();
        assert_eq!(sum.count, 0);
        assert_eq!(sum.errors, 1);
        assert_eq!(sum.p99_ms, 0.0);
    }

    #[test]
    fn merge_adds_samples_and_errors_and_caps_examples() {
        let mut a = Samples::default();
        a.record(Duration::from_millis(1));
        for i in 0..4 {
            a.error(format!("a{i}"));
        }
        let mut b = Samples::default();
        b.record(Duration::from_millis(2));
        for i in 0..4 {
            b.error(format!("b{i}"));
        }
        a.merge(b);
        assert_eq!(a.len(), 2);
        assert_eq!(a.errors, 8);
        assert_eq!(a.error_examples.len(), 5);
    }
}
