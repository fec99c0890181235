//! Horizontal bars with a name on the left and the value on the right, shared by the service
//! mix and the allergen chart (the allergy statistics screen draws its bars the same way).

use super::tick_labels;
use crate::canvas::*;
use crate::format::nice_ticks;
use crate::model::ValueUnit;
use plotters::prelude::{DrawingBackend, RGBColor};
use plotters::style::text_anchor::HPos;

pub(crate) struct HBar {
    pub label: String,
    pub value: f64,
    pub color: RGBColor,
    /// Written right of the bar's end, e.g. "1,240만원 (42.3%)".
    pub value_text: String,
}

pub(crate) struct HBarChart<'a> {
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    pub note: Option<&'a str>,
    pub rows: &'a [HBar],
    pub unit: ValueUnit,
    pub x_title: &'a str,
}

pub(crate) fn draw<DB: DrawingBackend>(cv: &Canvas<DB>, c: &HBarChart) -> Res {
    let th = &cv.th;
    let m = th.margin();
    let top = cv.header(c.title, c.subtitle, c.note, &[])?;
    let n = c.rows.len().max(1) as i32;
    let bottom_limit = th.h - m - cv.x_labels_height() - cv.x_title_height();
    // Few rows should look like a list, not like slabs: cap the row height — at a sixth of
    // the space, so the clinic's five services fill the chart, and never below 44 px.
    let row_h = ((bottom_limit - top) / n)
        .min(th.px(44.0).max((bottom_limit - top) / 6))
        .max(1);
    let bar_h = ((f64::from(row_h) * 0.62).round() as i32).max(1);

    let size = th.tick_size();
    let max_label_w = (f64::from(th.w) * 0.34) as i32;
    let labels: Vec<String> = c
        .rows
        .iter()
        .map(|r| cv.fit(&r.label, size, max_label_w))
        .collect();
    let label_w = labels
        .iter()
        .map(|l| cv.text_width(l, size))
        .max()
        .unwrap_or(0);
    let value_w = c
        .rows
        .iter()
        .map(|r| cv.text_width(&r.value_text, th.value_size()))
        .max()
        .unwrap_or(0);

    let l = m + label_w + th.px(10.0);
    let r = (th.w - m - value_w - th.px(8.0)).max(l + th.px(40.0));
    let max = c.rows.iter().fold(0f64, |a, r| a.max(r.value));
    let target = ((r - l) / th.px(80.0)).clamp(2, 8) as usize;
    let t = nice_ticks(0.0, max, target, c.unit == ValueUnit::Count);
    // With the row height capped, the rows fill less than the space: centred in it, the
    // spare room sits evenly above and below instead of as one blank band under the axis.
    let t0 = top + ((bottom_limit - top - row_h * n) / 2).max(0);
    let p = Plot {
        l,
        t: t0,
        r,
        b: t0 + row_h * n,
        x0: 0.0,
        x1: t.hi,
        y0: 0.0,
        y1: 1.0,
    };
    let ticks = tick_labels(&t.values, t.step, c.unit);
    cv.x_grid(&p, &ticks, true)?;

    for (i, (row, label)) in c.rows.iter().zip(&labels).enumerate() {
        let cy = p.t + row_h * i as i32 + row_h / 2;
        let x1 = p
            .x(row.value)
            .max(p.l + if row.value > 0.0 { 2 } else { 0 });
        if row.value > 0.0 {
            cv.fill_rect(
                (p.l, cy - bar_h / 2),
                (x1, cy + bar_h - bar_h / 2),
                row.color,
            )?;
        }
        cv.text(
            label,
            (p.l - th.px(10.0), cy),
            size,
            TEXT,
            HPos::Right,
            VAlign::Middle,
        )?;
        cv.text(
            &row.value_text,
            (x1 + th.px(6.0), cy),
            th.value_size(),
            TEXT_2,
            HPos::Left,
            VAlign::Middle,
        )?;
    }
    cv.line(vec![(p.l, p.t), (p.l, p.b)], MUTED, th.stroke(1.0))?;
    cv.line(vec![(p.l, p.b), (p.r, p.b)], AXIS, th.stroke(1.0))?;
    cv.x_title(&p, c.x_title)
}
