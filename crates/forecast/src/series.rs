//! Turning the caller's dated values into one value per calendar day.

use crate::error::ForecastError;
use chrono::{Days, NaiveDate};

/// Longest first-to-last span accepted (about 27 years). The filled series is
/// allocated day by day, so a typo'd year must not turn into gigabytes.
pub const MAX_SPAN_DAYS: usize = 10_000;

/// Largest magnitude accepted for one day's value: 10¹² (a trillion won a day
/// is far beyond any clinic). Squares of the errors must stay finite in the
/// SSE, or the fit and its intervals turn into NaN.
pub const MAX_ABS_VALUE: f64 = 1e12;

/// A validated series with one value for every day from `start`.
#[derive(Debug, Clone, PartialEq)]
pub struct DailySeries {
    pub start: NaiveDate,
    pub values: Vec<f64>,
    /// Days between the first and last date that the input did not list and
    /// that were therefore set to 0.
    pub filled_days: usize,
}

impl DailySeries {
    /// Checks order, uniqueness and finiteness, then fills the days the input
    /// skipped with 0.
    ///
    /// A day missing from a clinic's visit or revenue history is a day on which
    /// nothing was recorded: the figures are derived from append-only visit
    /// facts, so "no rows" means "no visits" (a closed Sunday, a holiday), not
    /// "unknown". Interpolating would invent visits that never happened and
    /// hide the closed-day pattern the weekly seasonality has to learn.
    ///
    /// Days after the last listed date are not invented: a caller that knows
    /// the clinic had no visits up to today must list those days as zeros.
    pub fn from_points(points: &[(NaiveDate, f64)]) -> Result<Self, ForecastError> {
        let Some(&(start, _)) = points.first() else {
            return Ok(Self {
                start: NaiveDate::MIN,
                values: Vec::new(),
                filled_days: 0,
            });
        };
        let mut previous: Option<NaiveDate> = None;
        for &(date, value) in points {
            if let Some(prev) = previous {
                if date == prev {
                    return Err(ForecastError::DuplicateDate { date });
                }
                if date < prev {
                    return Err(ForecastError::Unsorted {
                        previous: prev,
                        date,
                    });
                }
            }
            if !value.is_finite() {
                return Err(ForecastError::NonFinite { date });
            }
            if value.abs() > MAX_ABS_VALUE {
                return Err(ForecastError::ValueTooLarge {
                    date,
                    max: MAX_ABS_VALUE,
                });
            }
            previous = Some(date);
        }
        let last = previous.unwrap_or(start);
        let span = last.signed_duration_since(start).num_days() + 1;
        let span_days = usize::try_from(span).unwrap_or(usize::MAX);
        if span_days > MAX_SPAN_DAYS {
            return Err(ForecastError::SpanTooLong {
                days: span,
                max: MAX_SPAN_DAYS,
            });
        }
        let mut values = vec![0.0; span_days];
        for &(date, value) in points {
            // In range by construction: dates are sorted and within [start, last].
            let offset = date.signed_duration_since(start).num_days() as usize;
            values[offset] = value;
        }
        Ok(Self {
            start,
            filled_days: span_days - points.len(),
            values,
        })
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The date of the value at `index` (which may lie past the end, for forecasts).
    pub fn date_at(&self, index: usize) -> Result<NaiveDate, ForecastError> {
        self.start
            .checked_add_days(Days::new(index as u64))
            .ok_or(ForecastError::DateOutOfRange {
                after: self.start,
                days: index,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn fills_missing_days_with_zero() {
        let s = DailySeries::from_points(&[
            (d(2025, 12, 1), 5.0),
            (d(2025, 12, 2), 6.0),
            (d(2025, 12, 5), 9.0),
        ])
        .unwrap();
        assert_eq!(s.start, d(2025, 12, 1));
        assert_eq!(s.values, vec![5.0, 6.0, 0.0, 0.0, 9.0]);
        assert_eq!(s.filled_days, 2);
        assert_eq!(s.date_at(4).unwrap(), d(2025, 12, 5));
    }

    #[test]
    fn fills_across_month_and_year_ends() {
        let s = DailySeries::from_points(&[(d(2024, 12, 30), 1.0), (d(2025, 1, 2), 2.0)]).unwrap();
        assert_eq!(s.values, vec![1.0, 0.0, 0.0, 2.0]);
    }

    #[test]
    fn refuses_duplicates_unsorted_and_non_finite() {
        let dup = DailySeries::from_points(&[(d(2025, 1, 1), 1.0), (d(2025, 1, 1), 2.0)]);
        assert_eq!(
            dup,
            Err(ForecastError::DuplicateDate {
                date: d(2025, 1, 1)
            })
        );
        let unsorted = DailySeries::from_points(&[(d(2025, 1, 2), 1.0), (d(2025, 1, 1), 2.0)]);
        assert_eq!(
            unsorted,
            Err(ForecastError::Unsorted {
                previous: d(2025, 1, 2),
                date: d(2025, 1, 1)
            })
        );
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let r = DailySeries::from_points(&[(d(2025, 1, 1), 1.0), (d(2025, 1, 2), bad)]);
            assert_eq!(
                r,
                Err(ForecastError::NonFinite {
                    date: d(2025, 1, 2)
                })
            );
        }
    }

    #[test]
    fn refuses_values_too_large_to_square() {
        let r = DailySeries::from_points(&[(d(2025, 1, 1), 1.0), (d(2025, 1, 2), -1e200)]);
        assert_eq!(
            r,
            Err(ForecastError::ValueTooLarge {
                date: d(2025, 1, 2),
                max: MAX_ABS_VALUE
            })
        );
        assert!(DailySeries::from_points(&[(d(2025, 1, 1), MAX_ABS_VALUE)]).is_ok());
    }

    #[test]
    fn refuses_an_absurd_span_before_allocating() {
        let r = DailySeries::from_points(&[(d(1900, 1, 1), 1.0), (d(2100, 1, 1), 2.0)]);
        assert!(matches!(r, Err(ForecastError::SpanTooLong { max, .. }) if max == MAX_SPAN_DAYS));
    }
}
