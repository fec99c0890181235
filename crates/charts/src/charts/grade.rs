//! Allergy results by grade 0–6 in the tier colours of the allergy statistics screen
//! (green 0–1, amber 2–3, red 4–6).

use super::value_axis;
use crate::canvas::*;
use crate::format::{group_thousands, percent};
use crate::model::{GradeDistribution, ValueUnit};
use plotters::prelude::{DrawingBackend, RGBColor};
use plotters::style::text_anchor::HPos;

/// Mirrors `riskTierOf` in ui/src/logic/allergy.ts.
fn tier_color(grade: usize) -> RGBColor {
    match grade {
        4.. => TIER_HIGH,
        2 | 3 => TIER_MODERATE,
        _ => TIER_LOW,
    }
}

pub(crate) fn draw<DB: DrawingBackend>(cv: &Canvas<DB>, d: &GradeDistribution) -> Res {
    let title = d.title.as_deref().unwrap_or("등급 분포");
    let subtitle = d.subtitle.as_deref();
    let counts = d.by_grade();
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return cv.empty(title, subtitle);
    }
    let th = &cv.th;
    // The tier names the allergy screens use (allergyText.ts `tier.*`).
    let legend = vec![
        LegendItem::new(Mark::Box(TIER_LOW), "낮음 (0–1)"),
        LegendItem::new(Mark::Box(TIER_MODERATE), "주의 (2–3)"),
        LegendItem::new(Mark::Box(TIER_HIGH), "고위험 (4–6)"),
    ];
    let note = format!("결과 {}건", group_thousands(total as i128));
    let top = cv.header(title, subtitle, Some(&note), &legend)?;
    let top = top + cv.y_title_height();

    let m = th.margin();
    let b = th.h - m - cv.x_labels_height() - cv.x_title_height();
    let max = counts.iter().copied().max().unwrap_or(0) as f64;
    // Two lines (count, share) above the tallest bar.
    let label_h = 2 * cv.line_height(th.value_size()) + th.px(6.0);
    let headroom = f64::from(label_h) / f64::from((b - top).max(1));
    let (y_ticks, y0, y1) = value_axis(
        cv,
        0.0,
        max / (1.0 - headroom).max(0.4),
        b - top,
        ValueUnit::Count,
    );
    let l = m + cv.widest(&y_ticks) + th.px(8.0);
    let p = Plot {
        l,
        t: top,
        r: th.w - m,
        b,
        x0: -0.5,
        x1: 6.5,
        y0,
        y1,
    };
    let slot = p.width() / 7;
    let long =
        (0..7).all(|g| cv.text_width(&format!("등급 {g}"), th.tick_size()) + th.px(6.0) <= slot);
    let x_ticks: Vec<(f64, String)> = (0..7)
        .map(|g| {
            (
                g as f64,
                if long {
                    format!("등급 {g}")
                } else {
                    g.to_string()
                },
            )
        })
        .collect();
    cv.y_grid(&p, &y_ticks)?;
    cv.x_grid(&p, &x_ticks, false)?;
    let half = (f64::from(slot) * 0.32).round() as i32;
    let show_share = (0..7).all(|g| {
        let c = counts[g] as f64;
        cv.text_width(&percent(c / total as f64), th.value_size()) <= slot
    });
    for (g, count) in counts.iter().enumerate() {
        let cx = p.x(g as f64);
        let y = p.y(*count as f64);
        if *count > 0 {
            cv.fill_rect((cx - half, y), (cx + half, p.b), tier_color(g))?;
        }
        let lh = cv.line_height(th.value_size());
        let count_y = if show_share {
            y - th.px(4.0) - lh
        } else {
            y - th.px(4.0)
        };
        cv.text(
            &group_thousands(*count as i128),
            (cx, count_y),
            th.value_size(),
            TEXT,
            HPos::Center,
            VAlign::Bottom,
        )?;
        if show_share {
            cv.text(
                &percent(*count as f64 / total as f64),
                (cx, y - th.px(4.0)),
                th.value_size(),
                MUTED,
                HPos::Center,
                VAlign::Bottom,
            )?;
        }
    }
    cv.baseline_axis(&p, false)?;
    cv.x_title(&p, "알레르기 등급")?;
    cv.y_title(&p, "결과 수")
}
