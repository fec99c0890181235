//! Visits by weekday (rows 월–일) and hour (columns), darker teal for busier slots.

use crate::canvas::*;
use crate::format::number_value;
use crate::model::VisitHeatmap;
use plotters::prelude::{DrawingBackend, RGBColor};
use plotters::style::text_anchor::HPos;

const WEEKDAYS: [&str; 7] = ["월", "화", "수", "목", "금", "토", "일"];

/// White to the app's darkest teal through its tints.
const RAMP: [RGBColor; 4] = [PRIMARY_50, RGBColor(0x8f, 0xcf, 0xc6), PRIMARY, PRIMARY_700];

pub(crate) fn draw<DB: DrawingBackend>(cv: &Canvas<DB>, d: &VisitHeatmap) -> Res {
    let title = d.title.as_deref().unwrap_or("요일·시간대별 방문");
    let subtitle = d.subtitle.as_deref();
    let total: f64 = d.cells.iter().map(|c| c.count).sum();
    if total <= 0.0 {
        return cv.empty(title, subtitle);
    }
    let th = &cv.th;
    let mut grid = [[0f64; 24]; 7];
    for c in &d.cells {
        if let Some(slot) = grid
            .get_mut(c.weekday.num_days_from_monday() as usize)
            .and_then(|row| row.get_mut(usize::from(c.hour)))
        {
            *slot = c.count;
        }
    }
    // Never hide visits: the caller's hours are widened to every hour that has any.
    let busy = d.cells.iter().filter(|c| c.count > 0.0).map(|c| c.hour);
    let from = busy
        .clone()
        .min()
        .map_or(9, |h| h.min(d.hour_from.unwrap_or(9)));
    let to = busy.max().map_or(20, |h| h.max(d.hour_to.unwrap_or(20)));
    let (from, to) = (from.min(to), from.max(to));
    let hours: Vec<u8> = (from..=to).collect();
    let max = grid.iter().flatten().fold(0f64, |a, b| a.max(*b));

    let legend = vec![LegendItem::new(
        Mark::Ramp(RAMP.to_vec()),
        format!("0 – {}", number_value(max)),
    )];
    let note = format!("총 {}회", number_value(total));
    let top = cv.header(title, subtitle, Some(&note), &legend)?;

    let m = th.margin();
    let size = th.tick_size();
    let row_label_w = WEEKDAYS
        .iter()
        .map(|w| cv.text_width(w, size))
        .max()
        .unwrap_or(0);
    let l = m + row_label_w + th.px(10.0);
    let r = th.w - m;
    let b = th.h - m - cv.x_labels_height() - cv.x_title_height();
    let cols = hours.len() as i32;
    let cell_w = (r - l) / cols.max(1);
    let cell_h = ((b - top) / 7).max(1);
    // Square-ish cells look like a calendar; very wide ones like stripes.
    let cell_h = cell_h.min(cell_w.max(th.px(22.0)));
    let r = l + cell_w * cols;
    let b = top + cell_h * 7;
    let gap = th.px(2.0).min(cell_w / 4).min(cell_h / 4);

    let value_size = th.value_size();
    let show_values = cell_h >= cv.line_height(value_size)
        && grid
            .iter()
            .flatten()
            .all(|v| cv.text_width(&number_value(*v), value_size) + th.px(4.0) <= cell_w);
    for (row, name) in WEEKDAYS.iter().enumerate() {
        let y0 = top + cell_h * row as i32;
        let cy = y0 + cell_h / 2;
        // Weekend rows in the app's red, as Korean calendars do.
        let label_color = if row == 6 { RED } else { TEXT };
        cv.text(
            name,
            (l - th.px(10.0), cy),
            size,
            label_color,
            HPos::Right,
            VAlign::Middle,
        )?;
        for (col, hour) in hours.iter().enumerate() {
            let x0 = l + cell_w * col as i32;
            let v = grid[row][usize::from(*hour)];
            let t = if max > 0.0 { v / max } else { 0.0 };
            let color = if v > 0.0 { ramp(&RAMP, t) } else { SURFACE_2 };
            cv.fill_rect((x0 + gap, y0 + gap), (x0 + cell_w, y0 + cell_h), color)?;
            if show_values && v > 0.0 {
                let ink = if t > 0.45 { WHITE } else { TEXT };
                cv.text(
                    &number_value(v),
                    (x0 + (cell_w + gap) / 2, y0 + (cell_h + gap) / 2),
                    value_size,
                    ink,
                    HPos::Center,
                    VAlign::Middle,
                )?;
            }
        }
    }
    // Hour labels: "9시" when they fit, every other hour when they don't.
    let long = hours
        .iter()
        .all(|h| cv.text_width(&format!("{h}시"), size) + th.px(6.0) <= cell_w);
    let stride = if long
        || hours
            .iter()
            .all(|h| cv.text_width(&h.to_string(), size) + th.px(4.0) <= cell_w)
    {
        1
    } else {
        label_stride(hours.len(), r - l, cv.text_width("23", size), &[2, 3, 4, 6])
    };
    for (col, hour) in hours.iter().enumerate().filter(|(i, _)| i % stride == 0) {
        let cx = l + cell_w * col as i32 + (cell_w + gap) / 2;
        let label = if long {
            format!("{hour}시")
        } else {
            hour.to_string()
        };
        cv.text(
            &label,
            (cx, b + th.px(8.0)),
            size,
            TEXT_2,
            HPos::Center,
            VAlign::Top,
        )?;
    }
    let p = Plot {
        l,
        t: top,
        r,
        b,
        x0: 0.0,
        x1: 1.0,
        y0: 0.0,
        y1: 1.0,
    };
    cv.x_title(&p, "시간대")
}
