//! Numbers, money and dates as the clinic's managers read them, and "nice" axis ticks.

use chrono::NaiveDate;

/// `1234567` → `"1,234,567"`.
pub(crate) fn group_thousands(n: i128) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    let first = digits.len() % 3;
    for (i, c) in digits.chars().enumerate() {
        if i != 0 && (i + 3 - first).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A decimal with at most `decimals` places, thousands grouped and trailing zeros dropped,
/// so an axis reads "1.5" and "2" rather than "1.50" and "2.00".
pub(crate) fn decimal(v: f64, decimals: usize) -> String {
    let scale = 10u64.pow(decimals as u32);
    // Work in whole smallest units so rounding happens once and "-0" cannot appear.
    let units = (v.abs() * scale as f64).round() as u64;
    let (int, frac) = (units / scale, units % scale);
    let mut out = String::new();
    if v < 0.0 && units > 0 {
        out.push('-');
    }
    out.push_str(&group_thousands(int as i128));
    if frac > 0 {
        let s = format!("{:0width$}", frac, width = decimals);
        out.push('.');
        out.push_str(s.trim_end_matches('0'));
    }
    out
}

/// Places needed after the point for ticks `step` apart to read differently.
pub(crate) fn decimals_for_step(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) {
        return 0;
    }
    for d in 0..=4usize {
        let scaled = step * 10f64.powi(d as i32);
        if (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0) {
            return d;
        }
    }
    4
}

/// The unit a whole money axis is written in: one unit for every tick, so "5,000만원" and
/// "1억원" never sit on the same axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum KrwScale {
    Won,
    Man,
    Eok,
}

impl KrwScale {
    pub(crate) fn for_axis(max_abs: f64, step: f64) -> Self {
        if max_abs >= 1e8 && step >= 1e7 {
            KrwScale::Eok
        } else if max_abs >= 1e4 && step >= 1e3 {
            KrwScale::Man
        } else {
            KrwScale::Won
        }
    }

    fn divisor(self) -> f64 {
        match self {
            KrwScale::Won => 1.0,
            KrwScale::Man => 1e4,
            KrwScale::Eok => 1e8,
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            KrwScale::Won => "원",
            KrwScale::Man => "만원",
            KrwScale::Eok => "억원",
        }
    }
}

/// One money tick: `1_200_000` on a 만원 axis with 50만 steps → `"120만원"`.
pub(crate) fn krw_tick(v: f64, step: f64, scale: KrwScale) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let d = scale.divisor();
    format!(
        "{}{}",
        decimal(v / d, decimals_for_step(step / d).min(2)),
        scale.suffix()
    )
}

/// A money amount on its own, as a value label: `12_345_678` → `"1,235만원"`,
/// `123_000_000` → `"1.23억원"`, `5_000` → `"5,000원"`.
pub(crate) fn krw_value(v: f64) -> String {
    let a = v.abs();
    if a >= 1e8 {
        format!("{}억원", decimal(v / 1e8, 2))
    } else if a >= 1e4 {
        format!("{}만원", decimal(v / 1e4, if a < 1e5 { 1 } else { 0 }))
    } else {
        format!("{}원", decimal(v, 0))
    }
}

/// A count or measure: whole numbers stay whole, others keep one decimal.
pub(crate) fn number_value(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        decimal(v, 0)
    } else if v.abs() < 10.0 {
        decimal(v, 2)
    } else {
        decimal(v, 1)
    }
}

/// A share 0–1 as a percentage with one decimal: `0.4234` → `"42.3%"`.
pub(crate) fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// Daily axis labels: "12/07".
pub(crate) fn day_label(d: NaiveDate) -> String {
    d.format("%m/%d").to_string()
}

/// Monthly axis labels: "25.01" (YY.MM, as Korean reports write months).
pub(crate) fn month_label(d: NaiveDate) -> String {
    d.format("%y.%m").to_string()
}

/// Evenly spaced round tick values covering `lo..=hi`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ticks {
    pub lo: f64,
    pub hi: f64,
    pub step: f64,
    pub values: Vec<f64>,
}

/// Ticks on 1, 2, 2.5 or 5 × 10ⁿ steps, about `target` of them, the range widened to
/// whole steps. `integer` keeps steps whole, for counts of people or visits.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize, integer: bool) -> Ticks {
    let (mut lo, mut hi) = (lo.min(hi), lo.max(hi));
    if hi - lo < f64::EPSILON * hi.abs().max(1.0) {
        // A flat series still needs an axis: give it room above (and below if negative).
        if hi == 0.0 {
            hi = 1.0;
        } else if hi > 0.0 {
            lo = lo.min(0.0);
            hi *= 1.2;
        } else {
            hi = hi.max(0.0);
            lo *= 1.2;
        }
    }
    let intervals = target.max(2) as f64 - 1.0;
    let raw = (hi - lo) / intervals;
    let mag = 10f64.powf(raw.log10().floor());
    let mut step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag);
    if integer {
        if step < 1.0 {
            step = 1.0;
        } else if (step - step.round()).abs() > 1e-9 {
            // 2.5 is no step for a count of people.
            step = (step * 2.0).round();
        }
    }
    // The tolerance absorbs float error, so a bound already on a tick stays on it.
    let first = (lo / step + 1e-9).floor();
    let last = (hi / step - 1e-9).ceil();
    let values: Vec<f64> = (0..=((last - first).round() as i64).max(1))
        .map(|i| clean((first + i as f64) * step))
        .collect();
    Ticks {
        lo: first * step,
        hi: values.last().copied().unwrap_or(last * step),
        step,
        values,
    }
}

/// `0.30000000000000004` → `0.3`, so labels and comparisons see the intended tick.
fn clean(v: f64) -> f64 {
    if v == 0.0 {
        return 0.0;
    }
    let mag = 10f64.powf(v.abs().log10().floor() - 9.0);
    (v / mag).round() * mag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(1234567), "1,234,567");
        assert_eq!(group_thousands(-12345), "-12,345");
    }

    #[test]
    fn decimals_drop_trailing_zeros() {
        assert_eq!(decimal(1.5, 2), "1.5");
        assert_eq!(decimal(2.0, 2), "2");
        assert_eq!(decimal(1234.56, 1), "1,234.6");
        assert_eq!(decimal(-0.25, 2), "-0.25");
    }

    #[test]
    fn money_ticks_read_in_man_won() {
        let t = nice_ticks(0.0, 1_380_000.0, 6, false);
        let scale = KrwScale::for_axis(t.hi, t.step);
        assert_eq!(scale, KrwScale::Man);
        let labels: Vec<String> = t
            .values
            .iter()
            .map(|v| krw_tick(*v, t.step, scale))
            .collect();
        assert_eq!(labels, ["0", "50만원", "100만원", "150만원"]);
        assert_eq!(krw_tick(1_200_000.0, 200_000.0, scale), "120만원");
        assert_eq!(krw_tick(125_000.0, 25_000.0, scale), "12.5만원");
        assert_eq!(krw_tick(12_000_000.0, 2_000_000.0, scale), "1,200만원");
    }

    #[test]
    fn money_ticks_switch_to_eok_for_large_axes() {
        let t = nice_ticks(0.0, 230_000_000.0, 6, false);
        let scale = KrwScale::for_axis(t.hi, t.step);
        assert_eq!(scale, KrwScale::Eok);
        assert_eq!(krw_tick(150_000_000.0, 50_000_000.0, scale), "1.5억원");
        assert_eq!(krw_tick(5_000.0, 1_000.0, KrwScale::Won), "5,000원");
    }

    #[test]
    fn money_values() {
        assert_eq!(krw_value(12_345_678.0), "1,235만원");
        assert_eq!(krw_value(1_200_000.0), "120만원");
        assert_eq!(krw_value(45_000.0), "4.5만원");
        assert_eq!(krw_value(123_000_000.0), "1.23억원");
        assert_eq!(krw_value(5_000.0), "5,000원");
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2024, 12, 7).unwrap_or_default();
        assert_eq!(day_label(d), "12/07");
        assert_eq!(month_label(d), "24.12");
    }

    #[test]
    fn ticks_cover_the_range_on_round_steps() {
        let t = nice_ticks(0.0, 97.0, 6, true);
        assert_eq!(t.lo, 0.0);
        assert!(t.hi >= 97.0);
        assert_eq!(t.step, 20.0);
        assert_eq!(t.values, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);

        let t = nice_ticks(-3.2, 7.9, 5, false);
        assert!(t.lo <= -3.2 && t.hi >= 7.9);
        assert!(t
            .values
            .windows(2)
            .all(|w| (w[1] - w[0] - t.step).abs() < 1e-9));
    }

    #[test]
    fn integer_ticks_never_split_people() {
        let t = nice_ticks(0.0, 3.0, 8, true);
        assert!(t.values.iter().all(|v| v.fract() == 0.0), "{:?}", t.values);
        let t = nice_ticks(0.0, 22.0, 10, true);
        assert!(t.values.iter().all(|v| v.fract() == 0.0), "{:?}", t.values);
    }

    #[test]
    fn flat_series_still_gets_an_axis() {
        let t = nice_ticks(0.0, 0.0, 5, false);
        assert!(t.hi > t.lo);
        let t = nice_ticks(500.0, 500.0, 5, false);
        assert!(t.lo <= 0.0 && t.hi >= 500.0);
    }

    #[test]
    fn percent_has_one_decimal() {
        assert_eq!(percent(0.4234), "42.3%");
        assert_eq!(percent(1.0), "100.0%");
    }
}
