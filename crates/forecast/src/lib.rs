//! Daily visit/revenue forecasts for one clinic: additive Holt-Winters with a
//! weekly season, damped or not, chosen by AICc, with analytic prediction
//! intervals, manager-facing insights in Korean and a hold-out backtest.
//!
//! Pure: no IO, no clock, no randomness. The caller passes dated values and
//! gets plain serde types back (snake_case JSON).
//!
//! Decisions a caller should know (each documented where it is made):
//! * days missing between the first and last date are 0, not unknown
//!   ([`DailySeries::from_points`]); at least 16 days are needed ([`hw::MIN_DAYS`]);
//! * the model is ETS(A,A,A) or ETS(A,Ad,A), whichever has the lower AICc
//!   ([`fit`]); starts are statsmodels' "heuristic" ([`hw::heuristic_init`]);
//! * returned forecasts never go below 0, and a weekday that was 0 on each of
//!   its last four occurrences is a closed day forecast at 0 ([`Fitted::forecast`]);
//! * backtests score on MAE against the seasonal-naive forecast ([`backtest()`]).
//!
//! ```
//! use chrono::NaiveDate;
//! let start = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap();
//! let series: Vec<(NaiveDate, f64)> = (0..60u64)
//!     .map(|i| (start + chrono::Days::new(i), if i % 7 == 6 { 0.0 } else { 30.0 + i as f64 * 0.2 }))
//!     .collect();
//! let fitted = clinicdesk_forecast::fit(&series)?;
//! let forecast = fitted.forecast(30)?;
//! let insights = clinicdesk_forecast::insights(&fitted, &forecast);
//! assert_eq!(forecast.points.len(), 30);
//! assert!(!insights.is_empty());
//! # Ok::<(), clinicdesk_forecast::ForecastError>(())
//! ```
//!
//! Modules: [`series`] validates and fills the input, [`hw`] holds the model
//! maths and parameter search, [`mod@insights`] and [`mod@backtest`] build on a fit.

pub mod backtest;
mod error;
pub mod hw;
pub mod insights;
mod optimise;
pub mod series;

pub use backtest::{backtest, Accuracy, Backtest, BacktestPoint, DEFAULT_HOLDOUT_DAYS};
pub use error::ForecastError;
pub use insights::{insights, Insight, InsightDetail, PeakDay, TrendDirection};
pub use series::DailySeries;

use chrono::{Datelike, NaiveDate, Weekday};
use hw::{InitialState, Params, Smoothed, TrendKind, MIN_DAYS, PERIOD};
use serde::{Deserialize, Serialize};

/// Longest forecast accepted. Beyond a year the weekly model says nothing
/// useful and the intervals are all width.
pub const MAX_HORIZON_DAYS: usize = 366;

/// Standard normal quantiles for two-sided 80% and 95% intervals.
const Z80: f64 = 1.281_551_565_544_600_4;
const Z95: f64 = 1.959_963_984_540_054;

/// A weekday whose last this-many occurrences were all exactly 0 is treated as
/// a day the clinic is closed (see [`Fitted::forecast`]). Four weeks: a
/// single quiet Sunday is not a closure, a month of them is.
pub const CLOSED_LOOKBACK_WEEKS: usize = 4;

/// The model-selection criterion named in results.
pub const CRITERION: &str = "aicc";

/// One candidate model's fit, as reported in [`ModelInfo::candidates`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub damped: bool,
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub phi: f64,
    pub sse: f64,
    pub aicc: f64,
}

/// What was fitted and why it was chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// "ETS(A,A,A)" or "ETS(A,Ad,A)": additive error, (damped) additive trend,
    /// additive weekly season.
    pub name: String,
    pub damped: bool,
    /// Level smoothing.
    pub alpha: f64,
    /// Trend smoothing in Holt-Winters form (statsmodels' `smoothing_trend`).
    pub beta: f64,
    /// The same in ETS form, α·β (statsmodels `ETSModel`, Hyndman et al.).
    pub beta_ets: f64,
    /// Seasonal smoothing.
    pub gamma: f64,
    /// Damping; 1 when undamped.
    pub phi: f64,
    pub seasonal_period: usize,
    /// "heuristic": see [`hw::heuristic_init`].
    pub initialization: String,
    pub initial_level: f64,
    pub initial_trend: f64,
    /// Initial seasonal states for the first seven days of the series, in date order.
    pub initial_season: Vec<f64>,
    /// Always "aicc"; see [`fit`].
    pub criterion: String,
    pub aicc: f64,
    /// In-sample sum of squared one-step errors.
    pub sse: f64,
    /// One-step error variance used for the intervals, SSE / n.
    pub sigma2: f64,
    /// Days fitted, including filled ones.
    pub n_obs: usize,
    /// Days the input skipped, filled with 0.
    pub filled_days: usize,
    /// Both fits, undamped first.
    pub candidates: Vec<Candidate>,
}

/// One forecast day. Every figure is clamped at 0 (see [`Fitted::forecast`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastPoint {
    pub date: NaiveDate,
    pub value: f64,
    pub lower80: f64,
    pub upper80: f64,
    pub lower95: f64,
    pub upper95: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub days: usize,
    pub points: Vec<ForecastPoint>,
    /// Sum of the point forecasts.
    pub total: f64,
    /// Days whose point forecast was negative and was raised to 0.
    pub clamped_days: usize,
    /// Weekdays taken as closed and forecast at exactly 0, Monday first.
    pub closed_weekdays: Vec<Weekday>,
    pub model: ModelInfo,
}

/// A fitted model, ready to forecast from the day after the series ends.
#[derive(Debug, Clone)]
pub struct Fitted {
    series: DailySeries,
    params: Params,
    init: InitialState,
    smoothed: Smoothed,
    info: ModelInfo,
    closed: Vec<Weekday>,
}

/// Weekdays that were exactly 0 on each of their occurrences in the last
/// [`CLOSED_LOOKBACK_WEEKS`] weeks (or in all whole weeks, for a shorter series).
fn closed_weekdays(series: &DailySeries) -> Vec<Weekday> {
    let n = series.len();
    let look = (CLOSED_LOOKBACK_WEEKS * PERIOD).min(n / PERIOD * PERIOD);
    if look == 0 {
        return Vec::new();
    }
    let mut open = [false; PERIOD];
    for t in n - look..n {
        if series.values[t] != 0.0 {
            open[weekday_index(series.start, t)] = true;
        }
    }
    (0..PERIOD)
        .filter(|&d| !open[d])
        .filter_map(|d| Weekday::try_from(d as u8).ok())
        .collect()
}

/// Monday = 0 … Sunday = 6 for day index `t` of a series starting on `start`.
pub(crate) fn weekday_index(start: NaiveDate, t: usize) -> usize {
    (start.weekday().num_days_from_monday() as usize + t) % PERIOD
}

/// AICc of an additive-error fit with `k` parameters, from its SSE:
/// n·ln(SSE/n) + 2k + 2k(k+1)/(n−k−1) (the Gaussian likelihood up to a
/// constant that both candidates share). Infinite when n ≤ k + 1.
fn aicc(sse: f64, n: usize, k: usize) -> f64 {
    let nf = n as f64;
    let kf = k as f64;
    if n <= k + 1 {
        return f64::INFINITY;
    }
    // A perfect fit (a constant series) has SSE 0; flooring keeps the
    // criterion finite so the comparison still means "fewer parameters win".
    let mse = (sse / nf).max(f64::MIN_POSITIVE);
    nf * mse.ln() + 2.0 * kf + 2.0 * kf * (kf + 1.0) / (nf - kf - 1.0)
}

/// Parameters counted by the AICc: the smoothing parameters, the level and
/// trend starts, six free seasonal starts (the seventh is fixed by summing to
/// zero) and σ². The starts come from the heuristic rather than the
/// likelihood, but they are still read off the data, so they are counted, as
/// R's `forecast::ets` counts its estimated starts.
fn parameter_count(kind: TrendKind) -> usize {
    let smoothing = match kind {
        TrendKind::Additive => 3,
        TrendKind::Damped => 4,
    };
    smoothing + 2 + (PERIOD - 1) + 1
}

/// Fits both the undamped ETS(A,A,A) and the damped ETS(A,Ad,A) model to the
/// daily series and keeps the one with the lower AICc (the undamped one on a
/// tie: fewer parameters).
///
/// Days missing between the first and last date count as 0 (see
/// [`DailySeries::from_points`]). At least [`hw::MIN_DAYS`] (16) days are
/// needed: two full weeks plus the ends the heuristic start loses.
pub fn fit(series: &[(NaiveDate, f64)]) -> Result<Fitted, ForecastError> {
    fit_daily(DailySeries::from_points(series)?)
}

pub(crate) fn fit_daily(series: DailySeries) -> Result<Fitted, ForecastError> {
    let y = &series.values;
    let init = hw::heuristic_init(y).ok_or(ForecastError::InsufficientData {
        days: y.len(),
        needed: MIN_DAYS,
    })?;

    let mut candidates = Vec::with_capacity(2);
    let mut best: Option<(Params, f64)> = None;
    for kind in [TrendKind::Additive, TrendKind::Damped] {
        let (params, sse) = hw::optimise(y, &init, kind);
        let score = aicc(sse, y.len(), parameter_count(kind));
        candidates.push(Candidate {
            damped: kind == TrendKind::Damped,
            alpha: params.alpha,
            beta: params.beta,
            gamma: params.gamma,
            phi: params.phi,
            sse,
            aicc: score,
        });
        if best.is_none_or(|(_, b)| score < b) {
            best = Some((params, score));
        }
    }
    let Some((params, score)) = best else {
        // Unreachable: the loop above always runs. Kept total without a panic.
        return Err(ForecastError::InsufficientData {
            days: y.len(),
            needed: MIN_DAYS,
        });
    };

    let smoothed = hw::smooth(y, &params, &init);
    let info = ModelInfo {
        name: if params.damped() {
            "ETS(A,Ad,A)"
        } else {
            "ETS(A,A,A)"
        }
        .to_string(),
        damped: params.damped(),
        alpha: params.alpha,
        beta: params.beta,
        beta_ets: params.beta_ets(),
        gamma: params.gamma,
        phi: params.phi,
        seasonal_period: PERIOD,
        initialization: "heuristic".to_string(),
        initial_level: init.level,
        initial_trend: init.trend,
        initial_season: init.season.to_vec(),
        criterion: CRITERION.to_string(),
        aicc: score,
        sse: smoothed.sse,
        sigma2: smoothed.sse / y.len() as f64,
        n_obs: y.len(),
        filled_days: series.filled_days,
        candidates,
    };
    Ok(Fitted {
        closed: closed_weekdays(&series),
        series,
        params,
        init,
        smoothed,
        info,
    })
}

impl Fitted {
    /// Forecasts the `h` days after the last date of the series, 1 ≤ h ≤ 366.
    ///
    /// Intervals are ±z·σ·√(relative variance) around the point forecast, with
    /// σ² = SSE/n (the maximum-likelihood estimate, as statsmodels' `ETSModel`
    /// uses; R's `forecast` divides by n − k and is slightly wider) and the
    /// variance of [`hw::relative_variance`], so they widen with the horizon.
    ///
    /// Two adjustments turn the model's numbers into what is returned (the
    /// model's own are in [`Fitted::raw_forecast`]):
    ///
    /// * Visits and revenue cannot be negative, so the point forecast and all
    ///   bounds are raised to 0 where the model goes below it (a quiet Sunday
    ///   on a falling trend does); `clamped_days` counts the points affected.
    /// * A weekday that was exactly 0 on each of its last four occurrences
    ///   (see [`CLOSED_LOOKBACK_WEEKS`]) is a day the clinic is closed: it is
    ///   forecast at 0 with a zero-width interval. The additive season cannot
    ///   hold a day at exactly 0 while the other days trend, so without this a
    ///   closed Sunday would be forecast a share of the trend (and intervals
    ///   around it) that can never happen. `closed_weekdays` lists them.
    pub fn forecast(&self, h: usize) -> Result<Forecast, ForecastError> {
        let raw = self.raw_forecast(h)?;
        let mut points = Vec::with_capacity(h);
        let mut clamped_days = 0;
        for (i, r) in raw.iter().enumerate() {
            let point = if self.is_closed(self.series.len() + i) {
                ForecastPoint {
                    date: r.date,
                    value: 0.0,
                    lower80: 0.0,
                    upper80: 0.0,
                    lower95: 0.0,
                    upper95: 0.0,
                }
            } else {
                if r.value < 0.0 {
                    clamped_days += 1;
                }
                ForecastPoint {
                    date: r.date,
                    value: r.value.max(0.0),
                    lower80: r.lower80.max(0.0),
                    upper80: r.upper80.max(0.0),
                    lower95: r.lower95.max(0.0),
                    upper95: r.upper95.max(0.0),
                }
            };
            points.push(point);
        }
        let (start_date, end_date) = match (points.first(), points.last()) {
            (Some(a), Some(b)) => (a.date, b.date),
            // raw_forecast refuses h = 0, so there is always a first point.
            _ => {
                return Err(ForecastError::InvalidHorizon {
                    days: h,
                    max: MAX_HORIZON_DAYS,
                })
            }
        };
        Ok(Forecast {
            start_date,
            end_date,
            days: h,
            total: points.iter().map(|p| p.value).sum(),
            clamped_days,
            closed_weekdays: self.closed.clone(),
            points,
            model: self.info.clone(),
        })
    }

    /// The forecast before clamping at 0, for callers (and the fixture tests)
    /// that need the model's own numbers.
    pub fn raw_forecast(&self, h: usize) -> Result<Vec<ForecastPoint>, ForecastError> {
        if h == 0 || h > MAX_HORIZON_DAYS {
            return Err(ForecastError::InvalidHorizon {
                days: h,
                max: MAX_HORIZON_DAYS,
            });
        }
        let mean = self.smoothed.forecast_mean(&self.params, h);
        let rel = hw::relative_variance(&self.params, h);
        let sigma2 = self.info.sigma2;
        mean.iter()
            .zip(&rel)
            .enumerate()
            .map(|(i, (&m, &r))| {
                let sd = (sigma2 * r).sqrt();
                Ok(ForecastPoint {
                    date: self.series.date_at(self.series.len() + i)?,
                    value: m,
                    lower80: m - Z80 * sd,
                    upper80: m + Z80 * sd,
                    lower95: m - Z95 * sd,
                    upper95: m + Z95 * sd,
                })
            })
            .collect()
    }

    /// Weekdays taken as closed, Monday first.
    pub fn closed_weekdays(&self) -> &[Weekday] {
        &self.closed
    }

    /// Whether day index `t` (0 = first day of the series) falls on a closed weekday.
    pub(crate) fn is_closed(&self, t: usize) -> bool {
        let weekday = weekday_index(self.series.start, t);
        self.closed
            .iter()
            .any(|w| w.num_days_from_monday() as usize == weekday)
    }

    /// A model mean for day index `t` as [`Fitted::forecast`] would return it.
    pub(crate) fn as_returned(&self, t: usize, mean: f64) -> f64 {
        if self.is_closed(t) {
            0.0
        } else {
            mean.max(0.0)
        }
    }

    pub fn model(&self) -> &ModelInfo {
        &self.info
    }

    pub fn params(&self) -> Params {
        self.params
    }

    pub fn initial_state(&self) -> &InitialState {
        &self.init
    }

    /// The gap-filled series the model was fitted to.
    pub fn series(&self) -> &DailySeries {
        &self.series
    }

    /// One-step-ahead in-sample forecasts, aligned with [`Fitted::series`].
    pub fn fitted_values(&self) -> &[f64] {
        &self.smoothed.fitted
    }

    /// Final level, trend and seasonal states.
    pub fn states(&self) -> &Smoothed {
        &self.smoothed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Days;

    fn day(i: u64) -> NaiveDate {
        // 2025-09-01 is a Monday.
        NaiveDate::from_ymd_opt(2025, 9, 1).unwrap() + Days::new(i)
    }

    fn clinic_series(n: u64) -> Vec<(NaiveDate, f64)> {
        let w = [30.0, 32.0, 31.0, 33.0, 36.0, 45.0, 0.0];
        (0..n)
            .map(|i| {
                let wiggle = ((i * 37 % 11) as f64 - 5.0) * 0.6;
                let v = if i % 7 == 6 {
                    0.0
                } else {
                    w[(i % 7) as usize] + 0.25 * i as f64 + wiggle
                };
                (day(i), v)
            })
            .collect()
    }

    #[test]
    fn refuses_short_series_saying_how_many_days_are_needed() {
        let err = fit(&clinic_series(15)).unwrap_err();
        assert_eq!(
            err,
            ForecastError::InsufficientData {
                days: 15,
                needed: 16
            }
        );
        assert!(err.to_string().contains("at least 16"), "{err}");
        assert!(fit(&clinic_series(16)).is_ok());
        assert_eq!(
            fit(&[]).unwrap_err(),
            ForecastError::InsufficientData {
                days: 0,
                needed: 16
            }
        );
    }

    #[test]
    fn gaps_count_towards_length_as_zero_days() {
        // Sundays left out of the input entirely: the fit must see them as 0.
        let listed: Vec<_> = clinic_series(62)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % 7 != 6)
            .map(|(_, p)| p)
            .collect();
        assert_eq!(listed.len(), 54);
        let with_gaps = fit(&listed).unwrap();
        // The last listed day is a Saturday (index 61), so the span is 62 days.
        assert_eq!(with_gaps.series().len(), 62);
        assert_eq!(with_gaps.model().filled_days, 8);
        let explicit = fit(&clinic_series(62)).unwrap();
        assert_eq!(with_gaps.series().values, explicit.series().values);
        assert_eq!(with_gaps.model().sse, explicit.model().sse);
    }

    #[test]
    fn forecast_starts_the_day_after_and_intervals_widen() {
        let fitted = fit(&clinic_series(90)).unwrap();
        let fc = fitted.forecast(30).unwrap();
        assert_eq!(fc.start_date, day(90));
        assert_eq!(fc.end_date, day(119));
        assert_eq!(fc.points.len(), 30);
        let raw = fitted.raw_forecast(30).unwrap();
        let width = |p: &ForecastPoint| p.upper95 - p.lower95;
        for w in raw.windows(2) {
            assert!(width(&w[1]) > width(&w[0]));
        }
        for (p, r) in fc.points.iter().zip(&raw) {
            assert_eq!(p.date, r.date);
            assert!(p.lower95 <= p.lower80 && p.lower80 <= p.value);
            assert!(p.value <= p.upper80 && p.upper80 <= p.upper95);
            assert!(p.lower95 >= 0.0);
            if p.date.weekday() == Weekday::Sun {
                continue; // closed: see the closed-day test
            }
            assert_eq!(p.value, r.value.max(0.0));
            // 95% is wider than 80% by the ratio of the quantiles.
            let ratio = (r.upper95 - r.value) / (r.upper80 - r.value);
            assert!((ratio - Z95 / Z80).abs() < 1e-9);
        }
        assert_eq!(fc.model.criterion, "aicc");
        assert_eq!(fc.model.candidates.len(), 2);
        let chosen = fc
            .model
            .candidates
            .iter()
            .find(|c| c.damped == fc.model.damped)
            .unwrap();
        let other = fc
            .model
            .candidates
            .iter()
            .find(|c| c.damped != fc.model.damped)
            .unwrap();
        assert!(chosen.aicc <= other.aicc);
    }

    #[test]
    fn clamps_negative_forecasts_at_zero_and_counts_them() {
        // Falling fast, with a quiet (not closed) Sunday: the forecast crosses 0.
        let series: Vec<_> = (0..42u64)
            .map(|i| {
                (
                    day(i),
                    if i % 7 == 6 {
                        2.0
                    } else {
                        60.0 - 1.2 * i as f64 + (i % 3) as f64
                    },
                )
            })
            .collect();
        let fitted = fit(&series).unwrap();
        let raw = fitted.raw_forecast(30).unwrap();
        let fc = fitted.forecast(30).unwrap();
        let negative = raw.iter().filter(|p| p.value < 0.0).count();
        assert!(negative > 0, "test series should drive the mean below 0");
        assert_eq!(fc.clamped_days, negative);
        assert!(fc.closed_weekdays.is_empty());
        assert!(fc
            .points
            .iter()
            .all(|p| p.value >= 0.0 && p.lower95 >= 0.0 && p.lower80 >= 0.0));
    }

    #[test]
    fn a_month_of_zero_sundays_is_a_closed_day_and_forecast_at_zero() {
        let fitted = fit(&clinic_series(90)).unwrap();
        assert_eq!(fitted.closed_weekdays(), &[Weekday::Sun]);
        let raw = fitted.raw_forecast(21).unwrap();
        let fc = fitted.forecast(21).unwrap();
        assert_eq!(fc.closed_weekdays, vec![Weekday::Sun]);
        for (p, r) in fc.points.iter().zip(&raw) {
            if p.date.weekday() == Weekday::Sun {
                // The additive model alone would put the trend's share here.
                assert!(r.upper95 > 0.0);
                assert_eq!(
                    (p.value, p.lower95, p.upper95, p.upper80),
                    (0.0, 0.0, 0.0, 0.0)
                );
            } else {
                assert!(p.value > 0.0);
            }
        }

        // One open Sunday in the last four weeks and it is no longer closed.
        let mut reopened = clinic_series(90);
        reopened[83].1 = 3.0; // index 83 is a Sunday
        assert_eq!(reopened[83].0.weekday(), Weekday::Sun);
        assert!(fit(&reopened).unwrap().closed_weekdays().is_empty());
        // ...but one five weeks back does not count.
        let mut old = clinic_series(90);
        old[55].1 = 3.0;
        assert_eq!(fit(&old).unwrap().closed_weekdays(), &[Weekday::Sun]);
    }

    #[test]
    fn horizon_limits() {
        let fitted = fit(&clinic_series(30)).unwrap();
        assert_eq!(
            fitted.forecast(0).unwrap_err(),
            ForecastError::InvalidHorizon {
                days: 0,
                max: MAX_HORIZON_DAYS
            }
        );
        assert!(fitted.forecast(MAX_HORIZON_DAYS + 1).is_err());
        assert_eq!(
            fitted.forecast(MAX_HORIZON_DAYS).unwrap().points.len(),
            MAX_HORIZON_DAYS
        );
    }

    #[test]
    fn serialises_with_snake_case_fields() {
        let fc = fit(&clinic_series(40)).unwrap().forecast(3).unwrap();
        let json = serde_json::to_value(&fc).unwrap();
        assert!(json["points"][0]["lower80"].is_number());
        assert!(json["model"]["initial_season"].is_array());
        assert_eq!(json["model"]["criterion"], "aicc");
        assert!(json["start_date"].as_str().unwrap().starts_with("2025-10-"));
        let back: Forecast = serde_json::from_value(json).unwrap();
        assert_eq!(back, fc);
    }

    #[test]
    fn aicc_prefers_fewer_parameters_on_equal_fit_and_rejects_tiny_samples() {
        assert!(aicc(100.0, 90, 12) < aicc(100.0, 90, 13));
        assert_eq!(aicc(100.0, 13, 12), f64::INFINITY);
        assert!(aicc(0.0, 90, 12).is_finite());
    }
}
