//! Numbers as the analytics hand them to people. A ratio whose denominator can be zero is an
//! `Option` here, never a silent 0, NaN or infinity; and [`Num`] refuses to serialise a value
//! that is not finite, so a slip anywhere ends in an error the API reports instead of a
//! `null` that serde_json would otherwise write for NaN without a word.

use serde::{Serialize, Serializer};

/// Days in a "month" wherever a count is turned into a monthly rate. The clinic counts a
/// month as 30 days (한 달 = 30일), which keeps every monthly figure checkable by hand.
pub const DAYS_PER_MONTH: f64 = 30.0;

/// A measured value shown to a person, already rounded.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Num(f64);

impl Num {
    pub fn get(self) -> f64 {
        self.0
    }

    /// Rounded to `decimals` places, half away from zero; `-0.0` becomes `0.0` so a tiny
    /// negative change never reads as "-0".
    pub(crate) fn rounded(x: f64, decimals: i32) -> Num {
        Num(round_to(x, decimals))
    }

    pub(crate) fn one(x: f64) -> Num {
        Num::rounded(x, 1)
    }

    pub(crate) fn two(x: f64) -> Num {
        Num::rounded(x, 2)
    }
}

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_finite() {
            s.serialize_f64(self.0)
        } else {
            Err(serde::ser::Error::custom(format!(
                "analytics produced a non-finite number ({})",
                self.0
            )))
        }
    }
}

pub(crate) fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    let r = (x * scale).round() / scale;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// `num / den`, or `None` when the division has no honest answer.
pub(crate) fn ratio(num: f64, den: f64) -> Option<f64> {
    if den == 0.0 {
        return None;
    }
    let r = num / den;
    r.is_finite().then_some(r)
}

/// `100 × part / whole`.
pub(crate) fn percent(part: f64, whole: f64) -> Option<f64> {
    ratio(part, whole).map(|r| r * 100.0)
}

/// Change from `previous` to `current` in percent of `previous`. Only a positive previous
/// value gives a growth rate: from 0 any rise is "infinite", and from a negative base the
/// sign of the answer would lie.
pub(crate) fn growth(current: f64, previous: f64) -> Option<f64> {
    if previous > 0.0 {
        percent(current - previous, previous)
    } else {
        None
    }
}

/// KRW amounts are whole won: `total / divisor`, rounded, when the divisor is positive.
pub(crate) fn won(total: f64, divisor: f64) -> Option<i64> {
    if divisor <= 0.0 {
        return None;
    }
    let x = (total / divisor).round();
    // i64 covers every amount a clinic can take; outside it the value is a bug, not money.
    (x.is_finite() && x.abs() < 9.0e18).then_some(x as i64)
}

pub(crate) fn mean(xs: &[f64]) -> Option<f64> {
    ratio(xs.iter().sum(), xs.len() as f64)
}

/// Population standard deviation (divides by n): the spread of the intervals the customer
/// actually had, not an estimate of some wider population's.
pub(crate) fn std_dev(xs: &[f64]) -> Option<f64> {
    let m = mean(xs)?;
    let var = ratio(xs.iter().map(|x| (x - m).powi(2)).sum(), xs.len() as f64)?;
    Some(var.sqrt())
}

/// σ ÷ mean: how much the values vary relative to their size (0 = all equal).
pub(crate) fn coefficient_of_variation(xs: &[f64]) -> Option<f64> {
    ratio(std_dev(xs)?, mean(xs)?)
}

/// `1,250,000` — how a Korean reader expects won written in a sentence.
pub(crate) fn krw(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if amount < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A number for a sentence: at most one decimal, without a trailing `.0`.
pub(crate) fn short(x: f64) -> String {
    let r = round_to(x, 1);
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// `+15%`, `-5%`, `0%` — the seed's `growth_trend` strings.
pub(crate) fn signed_percent(x: f64) -> String {
    let r = round_to(x, 0);
    if r > 0.0 {
        format!("+{r:.0}%")
    } else {
        format!("{r:.0}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_numbers_refuse_to_serialise() {
        assert!(serde_json::to_string(&Num(f64::NAN)).is_err());
        assert!(serde_json::to_string(&Num(f64::INFINITY)).is_err());
        assert_eq!(
            serde_json::to_string(&Num::one(2.25)).ok().as_deref(),
            Some("2.3")
        );
    }

    #[test]
    fn zero_denominators_have_no_answer() {
        assert_eq!(ratio(1.0, 0.0), None);
        assert_eq!(percent(0.0, 0.0), None);
        assert_eq!(growth(100.0, 0.0), None);
        assert_eq!(growth(100.0, -5.0), None);
        // (115 − 100) / 100 = 15 %
        let g = growth(115.0, 100.0).map(|g| round_to(g, 6));
        assert_eq!(g, Some(15.0));
        assert_eq!(won(10.0, 0.0), None);
        assert_eq!(won(1_000_000.0, 3.0), Some(333_333));
        assert_eq!(mean(&[]), None);
    }

    #[test]
    fn rounding_never_gives_negative_zero() {
        assert_eq!(round_to(-0.04, 1).to_string(), "0");
        assert_eq!(signed_percent(-0.4), "0%");
        assert_eq!(signed_percent(15.2), "+15%");
        assert_eq!(signed_percent(-42.857), "-43%");
    }

    #[test]
    fn spread_of_intervals() {
        // 6, 8 → mean 7, deviations ±1 → σ = 1
        assert_eq!(std_dev(&[6.0, 8.0]), Some(1.0));
        assert_eq!(std_dev(&[]), None);
    }

    #[test]
    fn won_and_short_numbers_for_sentences() {
        assert_eq!(krw(1_250_000), "1,250,000");
        assert_eq!(krw(-5_000), "-5,000");
        assert_eq!(krw(999), "999");
        assert_eq!(short(6.0), "6");
        assert_eq!(short(6.45), "6.5");
    }
}
