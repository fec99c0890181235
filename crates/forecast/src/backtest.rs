//! Hold-out evaluation against the seasonal-naive forecast.

use crate::series::DailySeries;
use crate::{fit_daily, ForecastError, ModelInfo};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::hw::{MIN_DAYS, PERIOD};

/// Four weeks: long enough to see every weekday four times, short enough to
/// leave most of a 90-day history for fitting.
pub const DEFAULT_HOLDOUT_DAYS: usize = 28;

/// Accuracy of one method over the hold-out.
///
/// A clinic's closed Sundays are actual zeros, where the percentage error is
/// undefined, so:
/// * `mae` (mean absolute error, in the series' units) uses every day and is
///   the **headline**: `beats_baseline` compares it;
/// * `mape` is over the days with a non-zero actual only (`mape_days` of them),
///   None if there are none; it reads as "off by x% on open days";
/// * `smape` is 100·mean(2|F−A| / (|A|+|F|)) over every day, counting a day
///   where both are 0 as exact; it runs 0–200 and does punish a visit
///   forecast on a closed day (that day scores 200).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accuracy {
    pub mae: f64,
    pub mape: Option<f64>,
    pub mape_days: usize,
    pub smape: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestPoint {
    pub date: NaiveDate,
    pub actual: f64,
    /// The model's forecast as [`crate::Fitted::forecast`] returns it (clamped at 0).
    pub forecast: f64,
    pub baseline: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backtest {
    pub train_days: usize,
    pub holdout_days: usize,
    /// Last day used for fitting; the forecasts start the day after.
    pub train_end: NaiveDate,
    /// Always "mae"; see [`Accuracy`].
    pub headline: String,
    pub model: Accuracy,
    /// Seasonal naive: each hold-out day gets the value of the same weekday in
    /// the last training week.
    pub baseline: Accuracy,
    /// The model's MAE is strictly below the baseline's.
    pub beats_baseline: bool,
    /// Days with actual 0, where MAPE is undefined.
    pub zero_actual_days: usize,
    pub fitted_model: ModelInfo,
    pub points: Vec<BacktestPoint>,
}

/// Fits on all but the last `holdout_days` days, forecasts those days, and
/// scores the forecast and the seasonal-naive baseline against what happened.
///
/// The baseline is the standard seasonal-naive *forecast from the same
/// origin*: a hold-out day h days ahead gets the training value from
/// 7·⌈h/7⌉ days earlier, i.e. the same weekday of the last training week. It
/// is "the value from 7 days earlier" for the first week; later weeks do not
/// peek at hold-out actuals, because the model is not allowed to either.
pub fn backtest(
    series: &[(NaiveDate, f64)],
    holdout_days: usize,
) -> Result<Backtest, ForecastError> {
    if holdout_days == 0 {
        return Err(ForecastError::InvalidHoldout { days: 0 });
    }
    let full = DailySeries::from_points(series)?;
    let needed = MIN_DAYS.saturating_add(holdout_days);
    if full.len() < needed {
        return Err(ForecastError::InsufficientData {
            days: full.len(),
            needed,
        });
    }
    let train_days = full.len() - holdout_days;
    let train_end = full.date_at(train_days - 1)?;
    // Re-validate from the listed points so the training fit counts its own
    // filled days; the split is by date, so a gap crossing it is filled on
    // both sides exactly as in the full series.
    let train_points: Vec<(NaiveDate, f64)> = series
        .iter()
        .copied()
        .filter(|(d, _)| *d <= train_end)
        .collect();
    let mut train = DailySeries::from_points(&train_points)?;
    // If the last training days were unlisted the filtered input ends early;
    // they are zeros of the full series, so pad them back.
    let missing_tail = train_days.saturating_sub(train.values.len());
    train.values.resize(train_days, 0.0);
    train.filled_days += missing_tail;

    let fitted = fit_daily(train)?;
    let forecast = fitted.forecast(holdout_days)?;
    let actual = &full.values[train_days..];
    let history = &full.values[..train_days];

    let mut points = Vec::with_capacity(holdout_days);
    for (h, (p, &a)) in forecast.points.iter().zip(actual).enumerate() {
        // 7·⌈(h+1)/7⌉ days back from hold-out day h lands in the last training week.
        let baseline = history[train_days - PERIOD + h % PERIOD];
        points.push(BacktestPoint {
            date: p.date,
            actual: a,
            forecast: p.value,
            baseline,
        });
    }
    let model = accuracy(points.iter().map(|p| (p.actual, p.forecast)));
    let baseline = accuracy(points.iter().map(|p| (p.actual, p.baseline)));
    Ok(Backtest {
        train_days,
        holdout_days,
        train_end,
        headline: "mae".to_string(),
        beats_baseline: model.mae < baseline.mae,
        model,
        baseline,
        zero_actual_days: actual.iter().filter(|a| **a == 0.0).count(),
        fitted_model: forecast.model,
        points,
    })
}

fn accuracy(pairs: impl Iterator<Item = (f64, f64)>) -> Accuracy {
    let (mut n, mut abs_sum, mut ape_sum, mut ape_n, mut smape_sum) =
        (0usize, 0.0, 0.0, 0usize, 0.0);
    for (a, f) in pairs {
        let err = (f - a).abs();
        n += 1;
        abs_sum += err;
        if a != 0.0 {
            ape_sum += err / a.abs();
            ape_n += 1;
        }
        let denom = a.abs() + f.abs();
        if denom > 0.0 {
            smape_sum += 2.0 * err / denom;
        }
    }
    let nf = n.max(1) as f64;
    Accuracy {
        mae: abs_sum / nf,
        mape: (ape_n > 0).then(|| 100.0 * ape_sum / ape_n as f64),
        mape_days: ape_n,
        smape: 100.0 * smape_sum / nf,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Days;

    fn start() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 9, 1).unwrap()
    }

    /// Weekly pattern on a steady upward trend, closed Sundays, small
    /// deterministic noise.
    fn trending(n: u64) -> Vec<(NaiveDate, f64)> {
        let w = [0.0, 2.0, 1.0, 3.0, 6.0, 14.0];
        (0..n)
            .map(|i| {
                let dow = (i % 7) as usize;
                let v = if dow == 6 {
                    0.0
                } else {
                    30.0 + 0.4 * i as f64 + w[dow] + ((i * 37 % 11) as f64 - 5.0) * 0.5
                };
                (start() + Days::new(i), v)
            })
            .collect()
    }

    #[test]
    fn beats_seasonal_naive_on_a_trending_series() {
        let bt = backtest(&trending(91), DEFAULT_HOLDOUT_DAYS).unwrap();
        assert_eq!(bt.train_days, 63);
        assert_eq!(bt.holdout_days, 28);
        assert_eq!(bt.train_end, start() + Days::new(62));
        assert_eq!(bt.points.len(), 28);
        assert_eq!(bt.zero_actual_days, 4);
        assert_eq!(bt.model.mape_days, 24);
        assert_eq!(bt.headline, "mae");
        // Seasonal naive lags a 0.4/day trend by 2.8 per week of horizon; the
        // model follows the trend.
        assert!(bt.beats_baseline, "{bt:?}");
        assert!(
            bt.model.mae < 0.5 * bt.baseline.mae,
            "{:?} vs {:?}",
            bt.model,
            bt.baseline
        );
        assert!(bt.model.mape.unwrap() < bt.baseline.mape.unwrap());
    }

    #[test]
    fn baseline_repeats_the_last_training_week() {
        let series = trending(50);
        let bt = backtest(&series, 20).unwrap();
        for (h, p) in bt.points.iter().enumerate() {
            let source = 30 - 7 + (h % 7);
            assert_eq!(p.baseline, series[source].1, "h={h}");
            assert_eq!(p.actual, series[30 + h].1);
        }
    }

    #[test]
    fn zero_actuals_are_left_out_of_mape_but_not_mae_or_smape() {
        let a = accuracy([(0.0, 2.0), (10.0, 12.0), (0.0, 0.0)].into_iter());
        assert!((a.mae - 4.0 / 3.0).abs() < 1e-12);
        assert_eq!(a.mape, Some(20.0));
        assert_eq!(a.mape_days, 1);
        // (200 + 2·2/22·100 + 0) / 3
        assert!((a.smape - (200.0 + 400.0 / 22.0) / 3.0).abs() < 1e-9);
        let none = accuracy([(0.0, 1.0)].into_iter());
        assert_eq!(none.mape, None);
    }

    #[test]
    fn a_constant_forecast_does_not_beat_a_perfect_baseline() {
        // A series that is exactly weekly-periodic: seasonal naive is perfect,
        // so the model cannot strictly beat it. Guards against a comparison
        // that always says true.
        let w = [10.0, 12.0, 11.0, 13.0, 16.0, 24.0, 0.0];
        let series: Vec<_> = (0..70u64)
            .map(|i| (start() + Days::new(i), w[(i % 7) as usize]))
            .collect();
        let bt = backtest(&series, 21).unwrap();
        assert_eq!(bt.baseline.mae, 0.0);
        assert!(!bt.beats_baseline);
    }

    #[test]
    fn refuses_a_zero_holdout_and_too_little_training_data() {
        assert_eq!(
            backtest(&trending(60), 0).unwrap_err(),
            ForecastError::InvalidHoldout { days: 0 }
        );
        assert_eq!(
            backtest(&trending(43), 28).unwrap_err(),
            ForecastError::InsufficientData {
                days: 43,
                needed: 44
            }
        );
        assert!(backtest(&trending(44), 28).is_ok());
        assert!(matches!(
            backtest(&trending(44), usize::MAX),
            Err(ForecastError::InsufficientData { days: 44, .. })
        ));
    }

    #[test]
    fn unlisted_days_at_the_split_are_zeros_on_both_sides() {
        // Drop days 60..=64 from the input: they straddle the split at 63.
        let series: Vec<_> = trending(91)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !(60..=64).contains(i))
            .map(|(_, p)| p)
            .collect();
        let bt = backtest(&series, 28).unwrap();
        assert_eq!(bt.train_days, 63);
        assert_eq!(bt.points[0].actual, 0.0);
        assert_eq!(bt.points[1].actual, 0.0);
        assert_ne!(bt.points[2].actual, 0.0);
        // 3 unlisted training days (60, 61, 62), all at the end of the training span.
        assert_eq!(bt.fitted_model.filled_days, 3);
        assert_eq!(bt.fitted_model.n_obs, 63);
    }
}
