//! One module per chart; each draws its input onto a [`Canvas`] and nothing else.

pub(crate) mod allergen;
pub(crate) mod bars;
pub(crate) mod churn;
pub(crate) mod forecast;
pub(crate) mod grade;
pub(crate) mod heatmap;
pub(crate) mod revenue;
pub(crate) mod scatter;
pub(crate) mod service_mix;

use crate::canvas::Canvas;
use crate::format::{
    day_label, decimal, decimals_for_step, krw_tick, month_label, nice_ticks, KrwScale,
};
use crate::model::{Granularity, ValueUnit};
use chrono::{Months, NaiveDate};
use plotters::prelude::DrawingBackend;

/// Round ticks for values `lo..=hi` on an axis `length` pixels long, labelled for `unit`;
/// returns the ticks and the range they span.
pub(crate) fn value_axis<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    lo: f64,
    hi: f64,
    length: i32,
    unit: ValueUnit,
) -> (Vec<(f64, String)>, f64, f64) {
    let t = nice_ticks(lo, hi, cv.y_tick_target(length), unit == ValueUnit::Count);
    let labels = tick_labels(&t.values, t.step, unit);
    (labels, t.lo, t.hi)
}

pub(crate) fn tick_labels(values: &[f64], step: f64, unit: ValueUnit) -> Vec<(f64, String)> {
    let max_abs = values.iter().fold(0f64, |m, v| m.max(v.abs()));
    let scale = KrwScale::for_axis(max_abs, step);
    values
        .iter()
        .map(|v| {
            let s = match unit {
                ValueUnit::Krw => krw_tick(*v, step, scale),
                ValueUnit::Count => decimal(*v, 0),
                ValueUnit::Number => decimal(*v, decimals_for_step(step)),
                ValueUnit::Percent => {
                    format!("{}%", decimal(v * 100.0, decimals_for_step(step * 100.0)))
                }
            };
            (*v, s)
        })
        .collect()
}

/// A label for each of `n` periods: the series' own dates, then (for a previous period that
/// runs longer) dates continued by the granularity.
pub(crate) fn date_labels(
    first: NaiveDate,
    dates: impl Iterator<Item = NaiveDate>,
    n: usize,
    granularity: Granularity,
) -> Vec<String> {
    let label = |d: NaiveDate| match granularity {
        Granularity::Daily => day_label(d),
        Granularity::Monthly => month_label(d),
    };
    let mut out: Vec<String> = Vec::with_capacity(n);
    let mut last = first;
    for d in dates.take(n) {
        out.push(label(d));
        last = d;
    }
    let mut k = 0u32;
    while out.len() < n {
        k += 1;
        let next = match granularity {
            Granularity::Daily => last.checked_add_days(chrono::Days::new(u64::from(k))),
            Granularity::Monthly => last.checked_add_months(Months::new(k)),
        };
        out.push(next.map(label).unwrap_or_default());
    }
    out
}
