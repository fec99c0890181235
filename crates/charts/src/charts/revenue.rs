//! Revenue per day or month, as bars or a line, optionally beside the previous period.

use super::{date_labels, value_axis};
use crate::canvas::*;
use crate::format::{krw_value, percent};
use crate::model::{Granularity, RevenueTrend, TrendStyle, ValueUnit};
use plotters::prelude::DrawingBackend;

/// Up to this many periods bars stay readable; beyond, a line.
const BAR_LIMIT: usize = 45;

pub(crate) fn draw<DB: DrawingBackend>(cv: &Canvas<DB>, d: &RevenueTrend) -> Res {
    let title = d.title.as_deref().unwrap_or("매출 추이");
    let subtitle = d.subtitle.as_deref();
    if d.points.is_empty() {
        return cv.empty(title, subtitle);
    }
    let th = &cv.th;
    let n = d.points.len().max(d.previous.len());
    let style = d.style.unwrap_or(if n <= BAR_LIMIT {
        TrendStyle::Bar
    } else {
        TrendStyle::Line
    });
    let has_prev = !d.previous.is_empty();
    let cur_label = d.current_label.as_deref().unwrap_or("이번 기간");
    let prev_label = d.previous_label.as_deref().unwrap_or("이전 기간");

    let legend = if has_prev {
        match style {
            TrendStyle::Bar => vec![
                LegendItem::new(Mark::Box(PRIMARY), cur_label),
                LegendItem::new(Mark::Box(PREVIOUS), prev_label),
            ],
            TrendStyle::Line => vec![
                LegendItem::new(Mark::Line(PRIMARY), cur_label),
                LegendItem::new(Mark::Dashed(MUTED), prev_label),
            ],
        }
    } else {
        Vec::new()
    };
    let total: f64 = d.points.iter().map(|p| p.value).sum();
    let note = if has_prev {
        // Compare like with like: the previous period over as many days as the current has.
        let prev_same: f64 = d
            .previous
            .iter()
            .take(d.points.len())
            .map(|p| p.value)
            .sum();
        if prev_same.abs() > 0.0 {
            format!(
                "합계 {} · {} 대비 {}{}",
                krw_value(total),
                prev_label,
                if total >= prev_same { "+" } else { "" },
                percent(total / prev_same - 1.0)
            )
        } else {
            format!("합계 {}", krw_value(total))
        }
    } else {
        format!("합계 {}", krw_value(total))
    };
    let top = cv.header(title, subtitle, Some(&note), &legend)?;
    let top = top + cv.y_title_height();

    let values = d.points.iter().chain(&d.previous).map(|p| p.value);
    let (lo, hi) = values.fold((0f64, 0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let m = th.margin();
    let bottom = th.h - m - cv.x_labels_height() - cv.x_title_height();
    let (y_ticks, ylo, yhi) = value_axis(cv, lo, hi, bottom - top, ValueUnit::Krw);
    let left = m + cv.widest(&y_ticks) + th.px(8.0);
    let p = Plot {
        l: left,
        t: top,
        r: th.w - m,
        b: bottom,
        x0: -0.5,
        x1: n as f64 - 0.5,
        y0: ylo,
        y1: yhi,
    };

    // Dates past the current series (a month still in progress) are extended so the
    // previous period's tail still sits under a date.
    let first = d.points[0].date;
    let dates = date_labels(first, d.points.iter().map(|p| p.date), n, d.granularity);
    let steps: &[usize] = match d.granularity {
        Granularity::Daily => &[1, 2, 7, 14, 28, 56, 91, 182, 364],
        Granularity::Monthly => &[1, 2, 3, 6, 12, 24],
    };
    let label_w = dates
        .iter()
        .map(|s| cv.text_width(s, th.tick_size()))
        .max()
        .unwrap_or(0);
    let stride = label_stride(n, p.width(), label_w, steps);
    let x_ticks: Vec<(f64, String)> = dates
        .iter()
        .enumerate()
        .filter(|(i, _)| i % stride == 0)
        .map(|(i, s)| (i as f64, s.clone()))
        .collect();

    cv.y_grid(&p, &y_ticks)?;
    cv.x_grid(&p, &x_ticks, false)?;

    match style {
        TrendStyle::Bar => {
            let slot = f64::from(p.width()) / n as f64;
            // A visible gap between periods even when there are many of them.
            let group = 0.78f64.min(1.0 - 2.0 / slot.max(1.0)).max(0.3);
            let zero = p.y(0.0);
            let bar = |i: usize, v: f64, from: f64, to: f64, c| {
                let x0 = p.x(i as f64 + from);
                let x1 = p.x(i as f64 + to).max(x0 + 1);
                cv.fill_rect((x0, zero), (x1, p.y(v)), c)
            };
            if has_prev {
                for (i, pt) in d.previous.iter().enumerate() {
                    bar(i, pt.value, -group / 2.0, 0.0, PREVIOUS)?;
                }
                for (i, pt) in d.points.iter().enumerate() {
                    bar(i, pt.value, 0.0, group / 2.0, PRIMARY)?;
                }
            } else {
                for (i, pt) in d.points.iter().enumerate() {
                    bar(i, pt.value, -group / 2.0, group / 2.0, PRIMARY)?;
                }
            }
        }
        TrendStyle::Line => {
            if has_prev {
                let pts: Vec<(i32, i32)> = d
                    .previous
                    .iter()
                    .enumerate()
                    .map(|(i, pt)| (p.x(i as f64), p.y(pt.value)))
                    .collect();
                cv.dashed(
                    &pts,
                    MUTED,
                    th.stroke(2.0),
                    f64::from(th.px(7.0)),
                    f64::from(th.px(5.0)),
                )?;
            }
            let pts: Vec<(i32, i32)> = d
                .points
                .iter()
                .enumerate()
                .map(|(i, pt)| (p.x(i as f64), p.y(pt.value)))
                .collect();
            cv.line(pts.clone(), PRIMARY, th.stroke(2.5))?;
            if f64::from(p.width()) / n as f64 >= f64::from(th.px(9.0)) {
                for pt in pts {
                    cv.marker(Shape::Circle, pt, th.px(3.0), PRIMARY, 1.0)?;
                }
            }
        }
    }
    cv.baseline_axis(&p, true)?;
    cv.x_title(
        &p,
        match d.granularity {
            Granularity::Daily => "날짜",
            Granularity::Monthly => "월",
        },
    )?;
    cv.y_title(&p, "매출")?;
    Ok(())
}
