//! Date ranges and the query parameters that name them. Every range is inclusive at both
//! ends and ends no later than the `today` the caller passes (the analytics never read a
//! clock), and the "previous period" of a range is the one of equal length just before it.

use crate::error::AnalyticsError;
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Serialize, Serializer};

/// `d` moved by `days`, stopping at the calendar's ends instead of overflowing.
pub(crate) fn shift(d: NaiveDate, days: i64) -> NaiveDate {
    d.checked_add_signed(Duration::days(days))
        .unwrap_or(if days < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
}

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
    /// Days in the range, both ends counted.
    days: i64,
}

impl DateRange {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<DateRange, AnalyticsError> {
        if start > end {
            return Err(AnalyticsError::InvalidRange {
                field: "start_date",
                reason: format!("시작일({start})이 종료일({end})보다 늦습니다"),
            });
        }
        Ok(DateRange {
            start,
            end,
            days: (end - start).num_days() + 1,
        })
    }

    /// The `days` days ending on `end` (at least one).
    pub fn ending(end: NaiveDate, days: i64) -> DateRange {
        let days = days.max(1);
        let start = shift(end, -(days - 1));
        DateRange {
            start,
            end,
            days: (end - start).num_days() + 1,
        }
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    pub fn end(&self) -> NaiveDate {
        self.end
    }

    pub fn days(&self) -> i64 {
        self.days
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }

    /// The range of the same length that ends the day before this one starts.
    pub fn previous(&self) -> DateRange {
        DateRange::ending(shift(self.start, -1), self.days)
    }

    /// Every day of the range, in order.
    pub fn each_day(&self) -> impl Iterator<Item = NaiveDate> {
        let start = self.start;
        (0..self.days).map(move |i| shift(start, i))
    }

    /// The calendar months the range touches, as `YYYY-MM`, in order.
    pub fn months(&self) -> Vec<String> {
        let mut out = Vec::new();
        let (mut y, mut m) = (self.start.year(), self.start.month());
        let (end_y, end_m) = (self.end.year(), self.end.month());
        while (y, m) <= (end_y, end_m) {
            out.push(format!("{y:04}-{m:02}"));
            if m == 12 {
                y += 1;
                m = 1;
            } else {
                m += 1;
            }
        }
        out
    }
}

/// `YYYY-MM` of a day, the key of the monthly series.
pub(crate) fn month_key(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The customer-analytics `period` (seed 000 §2.1): the last 30, 90, 180 or 365 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AnalysisPeriod {
    Days30,
    #[default]
    Days90,
    Days180,
    Year,
}

impl AnalysisPeriod {
    pub const ALLOWED: &'static [&'static str] = &["30d", "90d", "180d", "1y"];

    /// Parses the query value; the seed's spelling only (`90d`, not `90D` or `3m`).
    pub fn parse(s: &str) -> Result<AnalysisPeriod, AnalyticsError> {
        match s.trim() {
            "30d" => Ok(AnalysisPeriod::Days30),
            "90d" => Ok(AnalysisPeriod::Days90),
            "180d" => Ok(AnalysisPeriod::Days180),
            "1y" => Ok(AnalysisPeriod::Year),
            _ => Err(AnalyticsError::InvalidParameter {
                field: "period",
                value: s.to_string(),
                allowed: Self::ALLOWED,
            }),
        }
    }

    /// The query parameter when it may be absent: 90 days, the seed's example, by default.
    pub fn from_query(s: Option<&str>) -> Result<AnalysisPeriod, AnalyticsError> {
        match s {
            None => Ok(AnalysisPeriod::default()),
            Some(s) => AnalysisPeriod::parse(s),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AnalysisPeriod::Days30 => "30d",
            AnalysisPeriod::Days90 => "90d",
            AnalysisPeriod::Days180 => "180d",
            AnalysisPeriod::Year => "1y",
        }
    }

    pub fn days(self) -> i64 {
        match self {
            AnalysisPeriod::Days30 => 30,
            AnalysisPeriod::Days90 => 90,
            AnalysisPeriod::Days180 => 180,
            AnalysisPeriod::Year => 365,
        }
    }

    pub fn range(self, today: NaiveDate) -> DateRange {
        DateRange::ending(today, self.days())
    }
}

impl Serialize for AnalysisPeriod {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The dashboard `period` (seed 003 §2.1), or `custom` for explicit dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DashboardPeriod {
    Day,
    Week,
    Month,
    Year,
    Custom,
}

impl DashboardPeriod {
    pub const ALLOWED: &'static [&'static str] = &["day", "week", "month", "year"];

    pub fn parse(s: &str) -> Result<DashboardPeriod, AnalyticsError> {
        match s.trim() {
            "day" => Ok(DashboardPeriod::Day),
            "week" => Ok(DashboardPeriod::Week),
            "month" => Ok(DashboardPeriod::Month),
            "year" => Ok(DashboardPeriod::Year),
            _ => Err(AnalyticsError::InvalidParameter {
                field: "period",
                value: s.to_string(),
                allowed: Self::ALLOWED,
            }),
        }
    }

    /// Days of a named period; `None` for `custom`, whose length its dates give.
    pub fn days(self) -> Option<i64> {
        match self {
            DashboardPeriod::Day => Some(1),
            DashboardPeriod::Week => Some(7),
            DashboardPeriod::Month => Some(30),
            DashboardPeriod::Year => Some(365),
            DashboardPeriod::Custom => None,
        }
    }
}

/// The longest explicit range the dashboard draws day by day: three years.
pub const MAX_DASHBOARD_DAYS: i64 = 1096;

/// What the dashboard covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DashboardRange {
    pub period: DashboardPeriod,
    pub range: DateRange,
}

impl DashboardRange {
    /// From the query: explicit `start_date` and `end_date` (both, `YYYY-MM-DD`, end
    /// inclusive) take precedence over `period`; without dates, `period` (default `month`)
    /// names the last 1, 7, 30 or 365 days ending `today`. An empty parameter counts as
    /// absent (HTML forms send `start_date=`); a malformed `period` is an error even when
    /// dates are given, so a typo is never silently ignored.
    pub fn parse(
        period: Option<&str>,
        start_date: Option<&str>,
        end_date: Option<&str>,
        today: NaiveDate,
    ) -> Result<DashboardRange, AnalyticsError> {
        let named = present(period).map(DashboardPeriod::parse).transpose()?;
        match (present(start_date), present(end_date)) {
            (Some(s), Some(e)) => {
                let start = parse_date("start_date", s)?;
                let end = parse_date("end_date", e)?;
                let range = DateRange::new(start, end)?;
                if range.days() > MAX_DASHBOARD_DAYS {
                    return Err(AnalyticsError::InvalidRange {
                        field: "end_date",
                        reason: format!(
                            "조회 기간은 최대 {MAX_DASHBOARD_DAYS}일입니다 (요청 {}일)",
                            range.days()
                        ),
                    });
                }
                Ok(DashboardRange {
                    period: DashboardPeriod::Custom,
                    range,
                })
            }
            (Some(_), None) => Err(AnalyticsError::InvalidRange {
                field: "end_date",
                reason: "start_date를 주면 end_date도 함께 주어야 합니다".to_string(),
            }),
            (None, Some(_)) => Err(AnalyticsError::InvalidRange {
                field: "start_date",
                reason: "end_date를 주면 start_date도 함께 주어야 합니다".to_string(),
            }),
            (None, None) => {
                let period = named.unwrap_or(DashboardPeriod::Month);
                let days = period.days().unwrap_or(30);
                Ok(DashboardRange {
                    period,
                    range: DateRange::ending(today, days),
                })
            }
        }
    }
}

fn present(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn parse_date(field: &'static str, s: &str) -> Result<NaiveDate, AnalyticsError> {
    // `%Y-%m-%d` alone would accept `2026-1-5`; the contract's format is zero-padded.
    let ok_shape = s.len() == 10 && s.as_bytes().get(4) == Some(&b'-');
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|_| ok_shape)
        .ok_or_else(|| AnalyticsError::InvalidDate {
            field,
            value: s.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::d;

    #[test]
    fn analysis_periods_parse_with_typed_errors() {
        assert_eq!(AnalysisPeriod::parse("30d"), Ok(AnalysisPeriod::Days30));
        assert_eq!(AnalysisPeriod::parse("1y"), Ok(AnalysisPeriod::Year));
        assert_eq!(AnalysisPeriod::from_query(None), Ok(AnalysisPeriod::Days90));
        for bad in ["7d", "", "90D", "1Y", "3m", "90"] {
            match AnalysisPeriod::parse(bad) {
                Err(AnalyticsError::InvalidParameter { field, allowed, .. }) => {
                    assert_eq!(field, "period");
                    assert_eq!(allowed, AnalysisPeriod::ALLOWED);
                }
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn an_analysis_period_ends_today_and_counts_both_ends() {
        let r = AnalysisPeriod::Days30.range(d("2026-03-31"));
        assert_eq!(r.start(), d("2026-03-02"));
        assert_eq!(r.days(), 30);
        // The previous 30 days: 2026-01-31 ..= 2026-03-01 (Feb has 28 days in 2026).
        let p = r.previous();
        assert_eq!(
            (p.start(), p.end(), p.days()),
            (d("2026-01-31"), d("2026-03-01"), 30)
        );
        assert_eq!(r.months(), vec!["2026-03".to_string()]);
        // 365 days back from 2026-03-31 start on 2025-04-01: April to March, 12 months.
        let y = AnalysisPeriod::Year.range(d("2026-03-31"));
        assert_eq!(y.start(), d("2025-04-01"));
        assert_eq!(y.months().len(), 12);
        // From the 15th, a year touches 13 calendar months.
        assert_eq!(
            AnalysisPeriod::Year.range(d("2026-03-15")).months().len(),
            13
        );
    }

    #[test]
    fn dashboard_named_periods() {
        let today = d("2026-05-20");
        let r = DashboardRange::parse(None, None, None, today).ok();
        assert_eq!(
            r.map(|r| (r.period, r.range.days())),
            Some((DashboardPeriod::Month, 30))
        );
        let r = DashboardRange::parse(Some("day"), None, None, today).ok();
        assert_eq!(
            r.map(|r| (r.range.start(), r.range.end())),
            Some((today, today))
        );
        let r = DashboardRange::parse(Some("week"), Some(""), Some(" "), today).ok();
        assert_eq!(r.map(|r| r.range.start()), Some(d("2026-05-14")));
        assert!(matches!(
            DashboardRange::parse(Some("quarter"), None, None, today),
            Err(AnalyticsError::InvalidParameter {
                field: "period",
                ..
            })
        ));
    }

    #[test]
    fn dashboard_explicit_dates_and_their_errors() {
        let today = d("2026-05-20");
        let r =
            DashboardRange::parse(Some("year"), Some("2026-04-01"), Some("2026-04-30"), today).ok();
        assert_eq!(
            r.map(|r| (r.period, r.range.days())),
            Some((DashboardPeriod::Custom, 30))
        );
        let r = DashboardRange::parse(None, Some("2026-04-02"), Some("2026-04-02"), today).ok();
        assert_eq!(r.map(|r| r.range.days()), Some(1));
        assert!(matches!(
            DashboardRange::parse(None, Some("2026-04-31"), Some("2026-05-01"), today),
            Err(AnalyticsError::InvalidDate {
                field: "start_date",
                ..
            })
        ));
        assert!(matches!(
            DashboardRange::parse(None, Some("2026-4-1"), Some("2026-05-01"), today),
            Err(AnalyticsError::InvalidDate {
                field: "start_date",
                ..
            })
        ));
        assert!(matches!(
            DashboardRange::parse(None, Some("2026-04-01"), Some("yesterday"), today),
            Err(AnalyticsError::InvalidDate {
                field: "end_date",
                ..
            })
        ));
        assert!(matches!(
            DashboardRange::parse(None, Some("2026-05-02"), Some("2026-05-01"), today),
            Err(AnalyticsError::InvalidRange { .. })
        ));
        assert!(matches!(
            DashboardRange::parse(None, Some("2026-05-02"), None, today),
            Err(AnalyticsError::InvalidRange {
                field: "end_date",
                ..
            })
        ));
        assert!(matches!(
            DashboardRange::parse(None, None, Some("2026-05-02"), today),
            Err(AnalyticsError::InvalidRange {
                field: "start_date",
                ..
            })
        ));
        assert!(matches!(
            DashboardRange::parse(None, Some("2020-01-01"), Some("2026-01-01"), today),
            Err(AnalyticsError::InvalidRange { .. })
        ));
        // A bad period is not hidden by good dates.
        assert!(DashboardRange::parse(
            Some("decade"),
            Some("2026-04-01"),
            Some("2026-04-30"),
            today
        )
        .is_err());
    }

    #[test]
    fn ranges_at_the_calendar_edge_do_not_panic() {
        let r = DateRange::ending(NaiveDate::MIN, 30);
        assert_eq!(r.start(), NaiveDate::MIN);
        assert_eq!(r.days(), 1);
        assert_eq!(r.previous().end(), NaiveDate::MIN);
    }
}
