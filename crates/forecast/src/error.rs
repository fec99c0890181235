use chrono::NaiveDate;
use std::fmt;

/// Why a series was refused. Every variant names what the caller can fix.
#[derive(Debug, Clone, PartialEq)]
pub enum ForecastError {
    /// Fewer days (after filling gaps) than the method needs.
    InsufficientData { days: usize, needed: usize },
    /// A value is NaN or infinite.
    NonFinite { date: NaiveDate },
    /// A value's magnitude is beyond [`crate::series::MAX_ABS_VALUE`].
    ValueTooLarge { date: NaiveDate, max: f64 },
    /// A date comes before the one listed ahead of it.
    Unsorted {
        previous: NaiveDate,
        date: NaiveDate,
    },
    /// The same date is listed twice.
    DuplicateDate { date: NaiveDate },
    /// The first-to-last span is longer than the forecaster accepts.
    SpanTooLong { days: i64, max: usize },
    /// A forecast horizon of 0 days or more than the maximum.
    InvalidHorizon { days: usize, max: usize },
    /// A backtest hold-out of 0 days.
    InvalidHoldout { days: usize },
    /// A forecast date would fall outside the calendar chrono can represent.
    DateOutOfRange { after: NaiveDate, days: usize },
}

impl fmt::Display for ForecastError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InsufficientData { days, needed } => write!(
                f,
                "insufficient data: {days} day(s) from first to last date, at least {needed} needed"
            ),
            Self::NonFinite { date } => write!(f, "the value on {date} is not a finite number"),
            Self::ValueTooLarge { date, max } => write!(
                f,
                "the value on {date} is larger in magnitude than {max:e}, the most this forecaster accepts"
            ),
            Self::Unsorted { previous, date } => write!(
                f,
                "dates must be in ascending order: {date} comes after {previous}"
            ),
            Self::DuplicateDate { date } => write!(f, "the date {date} is listed more than once"),
            Self::SpanTooLong { days, max } => write!(
                f,
                "the series spans {days} days; at most {max} are accepted"
            ),
            Self::InvalidHorizon { days, max } => write!(
                f,
                "a forecast horizon of {days} day(s) is not accepted; use 1 to {max}"
            ),
            Self::InvalidHoldout { days } => write!(
                f,
                "a backtest hold-out of {days} day(s) is not accepted; use at least 1"
            ),
            Self::DateOutOfRange { after, days } => write!(
                f,
                "{days} day(s) after {after} is outside the supported calendar"
            ),
        }
    }
}

impl std::error::Error for ForecastError {}
