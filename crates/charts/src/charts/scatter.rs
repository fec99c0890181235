//! Customers as points on two measures, coloured and shaped by segment, named by persona.

use super::value_axis;
use crate::canvas::*;
use crate::format::group_thousands;
use crate::model::SegmentScatter;
use plotters::prelude::{DrawingBackend, RGBColor};
use std::collections::BTreeMap;

pub(crate) fn draw<DB: DrawingBackend>(cv: &Canvas<DB>, d: &SegmentScatter) -> Res {
    let title = d.title.as_deref().unwrap_or("고객 세그먼트");
    let subtitle = d.subtitle.as_deref();
    if d.points.is_empty() {
        return cv.empty(title, subtitle);
    }
    let th = &cv.th;
    let mut clusters: BTreeMap<u32, usize> = BTreeMap::new();
    for p in &d.points {
        *clusters.entry(p.cluster).or_default() += 1;
    }
    // Colour and shape follow the cluster's rank among those present, so the same input
    // always draws the same way and neighbours never share a colour.
    let style_of: BTreeMap<u32, (Shape, RGBColor)> = clusters
        .keys()
        .enumerate()
        .map(|(i, c)| {
            (
                *c,
                (
                    SHAPES[(i / CATEGORICAL.len() + i) % SHAPES.len()],
                    CATEGORICAL[i % CATEGORICAL.len()],
                ),
            )
        })
        .collect();
    let name_of = |c: u32| {
        d.personas
            .iter()
            .find(|p| p.cluster == c)
            .map(|p| p.name.trim().to_string())
            .unwrap_or_else(|| format!("군집 {c}"))
    };
    let legend: Vec<LegendItem> = clusters
        .iter()
        .filter_map(|(c, n)| {
            let (shape, color) = style_of.get(c).copied()?;
            Some(LegendItem::new(
                Mark::Point(shape, color),
                format!("{} ({}명)", name_of(*c), group_thousands(*n as i128)),
            ))
        })
        .collect();
    let note = format!("고객 {}명", group_thousands(d.points.len() as i128));
    let top = cv.header(title, subtitle, Some(&note), &legend)?;
    let top = top + cv.y_title_height();

    let (xmin, xmax, ymin, ymax) = d.points.iter().fold(
        (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ),
        |(a, b, c, e), p| (a.min(p.x), b.max(p.x), c.min(p.y), e.max(p.y)),
    );
    let m = th.margin();
    let b = th.h - m - cv.x_labels_height() - cv.x_title_height();
    let (y_ticks, y0, y1) = value_axis(cv, ymin, ymax, b - top, d.y_unit);
    let l = m + cv.widest(&y_ticks) + th.px(8.0);
    let r = th.w - m;
    let (x_ticks, x0, x1) = value_axis(cv, xmin, xmax, (r - l) * 6 / 10, d.x_unit);
    // A little air beyond the outer ticks so points on them aren't cut in half by the frame,
    // without adding a tick (and a "-50" nobody has) below zero.
    let air = |lo: f64, hi: f64| {
        let pad = (hi - lo) * 0.03;
        (lo - pad, hi + pad)
    };
    let ((x0, x1), (y0, y1)) = (air(x0, x1), air(y0, y1));
    let p = Plot {
        l,
        t: top,
        r,
        b,
        x0,
        x1,
        y0,
        y1,
    };
    cv.y_grid(&p, &y_ticks)?;
    cv.x_grid(&p, &x_ticks, true)?;
    cv.stroke_rect((p.l, p.t), (p.r, p.b), AXIS, th.stroke(1.0))?;

    let radius = if d.points.len() > 2000 {
        th.px(2.5)
    } else {
        th.px(4.0)
    };
    let alpha = if d.points.len() > 500 { 0.55 } else { 0.8 };
    for pt in &d.points {
        if let Some((shape, color)) = style_of.get(&pt.cluster) {
            cv.marker(*shape, (p.x(pt.x), p.y(pt.y)), radius, *color, alpha)?;
        }
    }
    cv.x_title(&p, &d.x_label)?;
    cv.y_title(&p, &d.y_label)
}
