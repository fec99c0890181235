//! How many customers sit at each churn probability, in ten bins coloured by risk.

use super::value_axis;
use crate::canvas::*;
use crate::format::{group_thousands, percent};
use crate::model::{ChurnRisk, ValueUnit};
use plotters::prelude::{DrawingBackend, RGBColor};
use plotters::style::text_anchor::HPos;

const BINS: usize = 10;

pub(crate) fn draw<DB: DrawingBackend>(cv: &Canvas<DB>, d: &ChurnRisk) -> Res {
    let title = d.title.as_deref().unwrap_or("이탈 위험 분포");
    let subtitle = d.subtitle.as_deref();
    if d.probabilities.is_empty() {
        return cv.empty(title, subtitle);
    }
    let th = &cv.th;
    let (medium, high) = d.thresholds();
    let mut bins = [0u64; BINS];
    let (mut n_low, mut n_mid, mut n_high) = (0u64, 0u64, 0u64);
    for p in &d.probabilities {
        // 1.0 belongs in the last bin, not an eleventh.
        let i = ((p * BINS as f64).floor() as usize).min(BINS - 1);
        bins[i] += 1;
        if *p >= high {
            n_high += 1;
        } else if *p >= medium {
            n_mid += 1;
        } else {
            n_low += 1;
        }
    }
    let tier = |mid: f64| -> RGBColor {
        if mid >= high {
            TIER_HIGH
        } else if mid >= medium {
            TIER_MODERATE
        } else {
            TIER_LOW
        }
    };
    let pct = |x: f64| format!("{}%", (x * 100.0).round());
    let legend = vec![
        LegendItem::new(
            Mark::Box(TIER_LOW),
            format!(
                "낮음 (<{}) {}명",
                pct(medium),
                group_thousands(n_low as i128)
            ),
        ),
        LegendItem::new(
            Mark::Box(TIER_MODERATE),
            format!(
                "보통 ({}–{}) {}명",
                pct(medium),
                pct(high),
                group_thousands(n_mid as i128)
            ),
        ),
        LegendItem::new(
            Mark::Box(TIER_HIGH),
            format!(
                "높음 (≥{}) {}명",
                pct(high),
                group_thousands(n_high as i128)
            ),
        ),
    ];
    let total = d.probabilities.len();
    let note = format!(
        "고객 {}명 · 높음 {}",
        group_thousands(total as i128),
        percent(n_high as f64 / total as f64)
    );
    let top = cv.header(title, subtitle, Some(&note), &legend)?;
    let top = top + cv.y_title_height();

    let m = th.margin();
    let b = th.h - m - cv.x_labels_height() - cv.x_title_height();
    let max = bins.iter().copied().max().unwrap_or(0) as f64;
    // Room above the tallest bar for its count.
    let headroom =
        f64::from(cv.line_height(th.value_size()) + th.px(6.0)) / f64::from((b - top).max(1));
    let (y_ticks, y0, y1) = value_axis(
        cv,
        0.0,
        max / (1.0 - headroom).max(0.5),
        b - top,
        ValueUnit::Count,
    );
    let l = m + cv.widest(&y_ticks) + th.px(8.0);
    let p = Plot {
        l,
        t: top,
        r: th.w - m,
        b,
        x0: 0.0,
        x1: 1.0,
        y0,
        y1,
    };
    let edge_w = cv.text_width("100%", th.tick_size());
    let stride = label_stride(BINS, p.width(), edge_w, &[1, 2, 5]);
    let x_ticks: Vec<(f64, String)> = (0..=BINS)
        .filter(|i| i % stride == 0)
        .map(|i| (i as f64 / BINS as f64, format!("{}%", i * 100 / BINS)))
        .collect();
    cv.y_grid(&p, &y_ticks)?;
    cv.x_grid(&p, &x_ticks, false)?;
    let gap = th.px(3.0).min(p.width() / (BINS as i32 * 6));
    for (i, count) in bins.iter().enumerate() {
        let lo = i as f64 / BINS as f64;
        let hi = (i + 1) as f64 / BINS as f64;
        let color = tier((lo + hi) / 2.0);
        let (x0, x1) = (p.x(lo) + gap, p.x(hi) - gap);
        if *count > 0 {
            let y = p.y(*count as f64);
            cv.fill_rect((x0, y), (x1, p.b), color)?;
            cv.text(
                &group_thousands(*count as i128),
                ((x0 + x1) / 2, y - th.px(4.0)),
                th.value_size(),
                TEXT_2,
                HPos::Center,
                VAlign::Bottom,
            )?;
        }
    }
    cv.baseline_axis(&p, false)?;
    cv.x_title(&p, "이탈 확률")?;
    cv.y_title(&p, "고객 수")
}
