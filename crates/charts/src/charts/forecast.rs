//! History, the forecast after it, its 80% and 95% intervals, and where today is.

use super::{date_labels, value_axis};
use crate::canvas::*;
use crate::model::{Forecast, Granularity, ValueUnit};
use chrono::NaiveDate;
use plotters::prelude::DrawingBackend;
use plotters::style::text_anchor::HPos;

pub(crate) fn draw<DB: DrawingBackend>(cv: &Canvas<DB>, d: &Forecast) -> Res {
    let title = d.title.as_deref().unwrap_or("예측");
    let subtitle = d.subtitle.as_deref();
    let Some(first) = d
        .history
        .first()
        .map(|p| p.date)
        .or_else(|| d.forecast.first().map(|p| p.date))
    else {
        return cv.empty(title, subtitle);
    };
    let th = &cv.th;
    let unit = d.unit.unwrap_or(ValueUnit::Krw);
    let band95 = blend(PRIMARY, WHITE, 0.84);
    let band80 = blend(PRIMARY, WHITE, 0.62);
    let mut legend = Vec::new();
    if !d.history.is_empty() {
        legend.push(LegendItem::new(Mark::Line(TEXT_2), "실적"));
    }
    if !d.forecast.is_empty() {
        legend.push(LegendItem::new(Mark::Dashed(PRIMARY), "예측"));
        legend.push(LegendItem::new(Mark::Box(band80), "80% 구간"));
        legend.push(LegendItem::new(Mark::Box(band95), "95% 구간"));
    }
    let top = cv.header(title, subtitle, None, &legend)?;
    let top = top + cv.y_title_height();

    let today = d
        .today
        .or_else(|| d.history.last().map(|p| p.date))
        .unwrap_or(first);
    let day = |date: NaiveDate| (date - first).num_days() as f64;
    let dates: Vec<NaiveDate> = d
        .history
        .iter()
        .map(|p| p.date)
        .chain(d.forecast.iter().map(|p| p.date))
        .collect();
    let last = dates.last().copied().unwrap_or(first);
    let (mut x0, mut x1) = (0.0f64, day(last));
    x0 = x0.min(day(today));
    x1 = x1.max(day(today));
    // Half a period of air at each end, so the first and last points aren't on the frame.
    let half = match d.granularity {
        Granularity::Daily => 0.5,
        Granularity::Monthly => 15.0,
    };
    let (x0, x1) = (x0 - half, x1 + half);

    let all = d.history.iter().map(|p| p.value).chain(
        d.forecast
            .iter()
            .flat_map(|p| [p.lower_95, p.upper_95, p.value]),
    );
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    // Money and counts are read from zero; a band dipping below zero still shows.
    let lo = if matches!(unit, ValueUnit::Krw | ValueUnit::Count) {
        lo.min(0.0)
    } else {
        lo
    };
    let m = th.margin();
    let b = th.h - m - cv.x_labels_height() - cv.x_title_height();
    let (y_ticks, y0, y1) = value_axis(cv, lo, hi, b - top, unit);
    let l = m + cv.widest(&y_ticks) + th.px(8.0);
    let p = Plot {
        l,
        t: top,
        r: th.w - m,
        b,
        x0,
        x1,
        y0,
        y1,
    };

    // Ticks on the series' own dates, so monthly data is labelled by its months.
    let labels = date_labels(first, dates.iter().copied(), dates.len(), d.granularity);
    let label_w = labels
        .iter()
        .map(|s| cv.text_width(s, th.tick_size()))
        .max()
        .unwrap_or(0);
    let steps: &[usize] = match d.granularity {
        Granularity::Daily => &[1, 2, 7, 14, 28, 56, 91, 182, 364],
        Granularity::Monthly => &[1, 2, 3, 6, 12, 24],
    };
    let stride = label_stride(dates.len(), p.width(), label_w, steps);
    let x_ticks: Vec<(f64, String)> = dates
        .iter()
        .zip(labels)
        .enumerate()
        .filter(|(i, _)| i % stride == 0)
        .map(|(_, (date, s))| (day(*date), s))
        .collect();
    cv.y_grid(&p, &y_ticks)?;
    cv.x_grid(&p, &x_ticks, false)?;

    // The bands fan out from the last actual value, where uncertainty is nil.
    let anchor = d.history.last().map(|h| (day(h.date), h.value));
    let band = |lower: &dyn Fn(usize) -> f64, upper: &dyn Fn(usize) -> f64| -> Vec<(i32, i32)> {
        let mut pts: Vec<(i32, i32)> = anchor.iter().map(|(x, v)| (p.x(*x), p.y(*v))).collect();
        pts.extend(
            d.forecast
                .iter()
                .enumerate()
                .map(|(i, f)| (p.x(day(f.date)), p.y(upper(i)))),
        );
        pts.extend(
            d.forecast
                .iter()
                .enumerate()
                .rev()
                .map(|(i, f)| (p.x(day(f.date)), p.y(lower(i)))),
        );
        pts
    };
    if !d.forecast.is_empty() {
        let f = &d.forecast;
        cv.polygon(band(&|i| f[i].lower_95, &|i| f[i].upper_95), band95)?;
        cv.polygon(band(&|i| f[i].lower_80, &|i| f[i].upper_80), band80)?;
        // A single forecast period without history is a bare interval: show it as one.
        if anchor.is_none() && f.len() == 1 {
            let x = p.x(day(f[0].date));
            let w = th.px(6.0);
            cv.fill_rect(
                (x - w, p.y(f[0].upper_95)),
                (x + w, p.y(f[0].lower_95)),
                band95,
            )?;
            cv.fill_rect(
                (x - w, p.y(f[0].upper_80)),
                (x + w, p.y(f[0].lower_80)),
                band80,
            )?;
        }
    }
    let hist: Vec<(i32, i32)> = d
        .history
        .iter()
        .map(|h| (p.x(day(h.date)), p.y(h.value)))
        .collect();
    cv.line(hist.clone(), TEXT_2, th.stroke(2.0))?;
    if hist.len() == 1 || f64::from(p.width()) / dates.len() as f64 >= f64::from(th.px(10.0)) {
        for pt in &hist {
            cv.marker(Shape::Circle, *pt, th.px(2.5), TEXT_2, 1.0)?;
        }
    }
    let fc: Vec<(i32, i32)> = anchor
        .iter()
        .map(|(x, v)| (p.x(*x), p.y(*v)))
        .chain(d.forecast.iter().map(|f| (p.x(day(f.date)), p.y(f.value))))
        .collect();
    cv.dashed(
        &fc,
        PRIMARY,
        th.stroke(2.5),
        f64::from(th.px(8.0)),
        f64::from(th.px(5.0)),
    )?;
    if fc.len() == 1 || f64::from(p.width()) / dates.len() as f64 >= f64::from(th.px(10.0)) {
        for pt in fc.iter().skip(usize::from(anchor.is_some())) {
            cv.marker(Shape::Circle, *pt, th.px(2.5), PRIMARY, 1.0)?;
        }
    }

    // "오늘": a dashed rule with its label in a white box at the top of the plot.
    let tx = p.x(day(today));
    cv.dashed(
        &[(tx, p.t), (tx, p.b)],
        RED,
        th.stroke(1.5),
        f64::from(th.px(5.0)),
        f64::from(th.px(4.0)),
    )?;
    let size = th.value_size();
    let w = cv.text_width("오늘", size) + th.px(8.0);
    let h = cv.line_height(size) + th.px(2.0);
    cv.fill_rect((tx - w / 2, p.t), (tx + w / 2, p.t + h), WHITE)?;
    cv.stroke_rect((tx - w / 2, p.t), (tx + w / 2, p.t + h), RED, 1)?;
    cv.text(
        "오늘",
        (tx, p.t + h / 2),
        size,
        RED,
        HPos::Center,
        VAlign::Middle,
    )?;

    cv.baseline_axis(&p, true)?;
    cv.x_title(
        &p,
        match d.granularity {
            Granularity::Daily => "날짜",
            Granularity::Monthly => "월",
        },
    )?;
    cv.y_title(
        &p,
        match unit {
            ValueUnit::Krw => "매출",
            ValueUnit::Count => "건수",
            ValueUnit::Number | ValueUnit::Percent => "값",
        },
    )
}
