//! Drawing primitives shared by every chart: the app's palette, the bundled font, text placed
//! by baseline the same way in SVG and PNG, the header with title and legend, axes, and the
//! "no data" state.
//!
//! Axes are drawn here by hand instead of through plotters' mesh so that every chart gets
//! the same Korean tick labels, the same thin gridlines and label sizes measured against the
//! real font, which keeps long service names and "1,240만원" ticks from being clipped.

use crate::ChartError;
use ab_glyph::{point, Font as _, FontRef, PxScale, ScaleFont as _};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle};
use std::sync::OnceLock;

// --- The palette, from ui/src/styles.css -------------------------------------------------

pub(crate) const WHITE: RGBColor = RGBColor(0xff, 0xff, 0xff);
/// --text
pub(crate) const TEXT: RGBColor = RGBColor(0x1b, 0x27, 0x33);
/// --text-2
pub(crate) const TEXT_2: RGBColor = RGBColor(0x3b, 0x4a, 0x58);
/// --muted
pub(crate) const MUTED: RGBColor = RGBColor(0x6b, 0x7a, 0x89);
/// --border: gridlines.
pub(crate) const GRID: RGBColor = RGBColor(0xe1, 0xe6, 0xeb);
/// --border-strong: axis lines and frames.
pub(crate) const AXIS: RGBColor = RGBColor(0xcb, 0xd3, 0xdb);
/// --surface-2: empty heat-map cells.
pub(crate) const SURFACE_2: RGBColor = RGBColor(0xf8, 0xfa, 0xfb);
/// --primary (teal)
pub(crate) const PRIMARY: RGBColor = RGBColor(0x0e, 0x7c, 0x74);
/// --primary-700
pub(crate) const PRIMARY_700: RGBColor = RGBColor(0x09, 0x57, 0x50);
/// --primary-50
pub(crate) const PRIMARY_50: RGBColor = RGBColor(0xe8, 0xf5, 0xf3);
/// --indigo
pub(crate) const INDIGO: RGBColor = RGBColor(0x43, 0x38, 0xca);
/// --amber
pub(crate) const AMBER: RGBColor = RGBColor(0xa1, 0x62, 0x07);
/// --red; also the high-risk tier.
pub(crate) const RED: RGBColor = RGBColor(0xb4, 0x23, 0x18);
/// --green
pub(crate) const GREEN: RGBColor = RGBColor(0x15, 0x80, 0x3d);
/// --side
pub(crate) const SIDE: RGBColor = RGBColor(0x11, 0x31, 0x3a);
/// The input border on hover (#aeb9c4): the previous period, grey beside the teal.
pub(crate) const PREVIOUS: RGBColor = RGBColor(0xae, 0xb9, 0xc4);
/// `.grade-bars .tier-low_risk .hbar-fill` on the allergy statistics screen.
pub(crate) const TIER_LOW: RGBColor = RGBColor(0x4c, 0xaf, 0x74);
/// `.grade-bars .tier-moderate_risk .hbar-fill`.
pub(crate) const TIER_MODERATE: RGBColor = RGBColor(0xe2, 0xb2, 0x3a);
/// `.grade-bars .tier-high_risk .hbar-fill` (var(--red)).
pub(crate) const TIER_HIGH: RGBColor = RED;

/// Segment colours: the app's accent colours, far enough apart to tell clusters apart, and
/// paired with marker shapes so a greyscale print still separates them.
pub(crate) const CATEGORICAL: [RGBColor; 6] = [PRIMARY, INDIGO, AMBER, RED, GREEN, SIDE];

/// `a` moved towards `b` by `t` (0 = a, 1 = b); used for tints that stay opaque on paper.
pub(crate) fn blend(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

// --- The bundled font --------------------------------------------------------------------

/// The name the font is registered under is also what an SVG's `font-family` says, so it is
/// a CSS fallback list: a browser without NanumGothic picks the app's own Korean fonts.
pub(crate) const FAMILY: &str =
    "NanumGothic, Noto Sans KR, Apple SD Gothic Neo, Malgun Gothic, sans-serif";

static NANUM_GOTHIC: &[u8] = include_bytes!("../fonts/NanumGothic.ttf");

/// The bundled font, parsed once: it measures all text, and draws the PNGs' text.
fn face() -> Option<&'static FontRef<'static>> {
    static FACE: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FACE.get_or_init(|| FontRef::try_from_slice(NANUM_GOTHIC).ok())
        .as_ref()
}

/// Registers the bundled font with plotters once per process (so any plotters text path
/// finds it by [`FAMILY`]) and checks it parses for our own text drawing.
pub(crate) fn ensure_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, NANUM_GOTHIC).is_ok()
    });
    if ok && face().is_some() {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

// --- Sizes -------------------------------------------------------------------------------

/// Sizes derived from the canvas so that a chart rendered large for print keeps the same
/// proportions as the one on screen.
#[derive(Debug, Clone)]
pub(crate) struct Theme {
    pub w: i32,
    pub h: i32,
    /// 1.0 at 800×500.
    pub s: f64,
    /// PNG and SVG place a text's baseline differently for the same anchor.
    pub bitmap: bool,
}

impl Theme {
    pub(crate) fn new((w, h): (u32, u32), bitmap: bool) -> Self {
        let (w, h) = (w as i32, h as i32);
        let s = (f64::from(w).min(f64::from(h) * 1.6) / 800.0).clamp(0.5, 8.0);
        Self { w, h, s, bitmap }
    }

    /// A length in pixels scaled with the canvas, at least 1.
    pub(crate) fn px(&self, v: f64) -> i32 {
        (v * self.s).round().max(1.0) as i32
    }

    /// Line widths grow with the canvas so print-size PNGs don't get hairlines.
    pub(crate) fn stroke(&self, v: f64) -> u32 {
        (v * self.s).round().max(1.0) as u32
    }

    pub(crate) fn margin(&self) -> i32 {
        self.px(20.0)
    }

    // Font sizes in plotters' units (≈ 1.24 × the em in pixels).
    pub(crate) fn title_size(&self) -> f64 {
        (25.0 * self.s).max(14.0)
    }
    pub(crate) fn subtitle_size(&self) -> f64 {
        (16.5 * self.s).max(11.0)
    }
    pub(crate) fn label_size(&self) -> f64 {
        (16.0 * self.s).max(11.0)
    }
    pub(crate) fn tick_size(&self) -> f64 {
        (15.0 * self.s).max(11.0)
    }
    pub(crate) fn value_size(&self) -> f64 {
        (14.5 * self.s).max(10.5)
    }
}

// --- The canvas --------------------------------------------------------------------------

/// How text sits against the y (or, rotated, x) coordinate it is given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum VAlign {
    /// Top of the capitals / Hangul at the coordinate.
    Top,
    /// Visually centred on it.
    Middle,
    /// Descenders end at it.
    Bottom,
}

pub(crate) type Res<T = ()> = Result<T, ChartError>;

/// A marker shape for scatter points and their legend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Shape {
    Circle,
    Triangle,
    Square,
    Diamond,
}

pub(crate) const SHAPES: [Shape; 4] = [
    Shape::Circle,
    Shape::Triangle,
    Shape::Square,
    Shape::Diamond,
];

/// What stands before a legend label.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Mark {
    Box(RGBColor),
    Line(RGBColor),
    Dashed(RGBColor),
    Point(Shape, RGBColor),
    /// A colour ramp, for the heat-map.
    Ramp(Vec<RGBColor>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LegendItem {
    pub mark: Mark,
    pub label: String,
}

impl LegendItem {
    pub(crate) fn new(mark: Mark, label: impl Into<String>) -> Self {
        Self {
            mark,
            label: label.into(),
        }
    }
}

pub(crate) struct Canvas<'a, DB: DrawingBackend> {
    pub area: &'a DrawingArea<DB, Shift>,
    pub th: Theme,
}

impl<'a, DB: DrawingBackend> Canvas<'a, DB> {
    pub(crate) fn new(area: &'a DrawingArea<DB, Shift>, th: Theme) -> Self {
        Self { area, th }
    }

    /// plotters' text style for the SVG's `<text>` elements; anchored at the top, where
    /// plotters writes `dy="0.76em"`, so the baseline lands exactly 0.76 em below.
    fn svg_style(&self, size: f64, color: RGBColor, h: HPos) -> TextStyle<'static> {
        let font = FontDesc::new(FontFamily::Name(FAMILY), size, FontStyle::Normal);
        TextStyle {
            font,
            color: color.to_backend_color(),
            pos: Pos::new(h, VPos::Top),
        }
    }

    /// Width in pixels of `text` at `size`, from the bundled font's advances and kerning:
    /// what the PNG draws and what an SVG viewer with NanumGothic lays out.
    pub(crate) fn text_width(&self, text: &str, size: f64) -> i32 {
        advance(text, em(size)).ceil() as i32
    }

    /// Line height in pixels for text at `size`.
    pub(crate) fn line_height(&self, size: f64) -> i32 {
        (em(size) * 1.3).round() as i32
    }

    /// The baseline for text aligned `v` at coordinate `at`. Hangul and digits reach about
    /// 0.8 em above the baseline in NanumGothic, descenders 0.2 em below.
    fn baseline(&self, at: i32, size: f64, v: VAlign) -> f64 {
        let em = em(size);
        f64::from(at)
            + match v {
                VAlign::Top => 0.80 * em,
                VAlign::Middle => 0.36 * em,
                VAlign::Bottom => -0.20 * em,
            }
    }

    pub(crate) fn text(
        &self,
        text: &str,
        (x, y): (i32, i32),
        size: f64,
        color: RGBColor,
        h: HPos,
        v: VAlign,
    ) -> Res {
        if text.is_empty() {
            return Ok(());
        }
        let base = self.baseline(y, size, v);
        if self.th.bitmap {
            return self.raster(text, (f64::from(x), base), size, color, h);
        }
        let style = self.svg_style(size, color, h);
        let top = base - 0.76 * em(size);
        self.area.draw_text(text, &style, (x, top.round() as i32))?;
        Ok(())
    }

    /// Draws text into a bitmap glyph by glyph with anti-aliased coverage. plotters' own
    /// ab_glyph text drops each glyph's left side bearing, which opens gaps after narrow
    /// glyphs ("1 6.4%", "( 26.2% )"); this places every outline where the font says.
    /// `origin` is the baseline point the anchor refers to.
    fn raster(&self, text: &str, origin: (f64, f64), size: f64, color: RGBColor, h: HPos) -> Res {
        let Some(font) = face() else {
            return Err(ChartError::Font);
        };
        let em = em(size);
        let width = advance(text, em);
        let start = match h {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        // ab_glyph scales by ascent − descent; this makes one em exactly `em` pixels.
        let px_scale =
            PxScale::from((em * f64::from(font.height_unscaled()) / units_per_em(font)) as f32);
        let scaled = font.as_scaled(px_scale);
        let mut caret = start as f32;
        let mut prev = None;
        let mut result = Ok(());
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                caret += scaled.kern(p, id);
            }
            let glyph = id.with_scale_and_position(px_scale, point(caret, 0.0));
            if let Some(outline) = scaled.outline_glyph(glyph) {
                let bounds = outline.px_bounds();
                outline.draw(|gx, gy, coverage| {
                    if result.is_err() || coverage <= 0.0 {
                        return;
                    }
                    let px = (origin.0 + f64::from(bounds.min.x) + f64::from(gx)).floor() as i32;
                    let py = (origin.1 + f64::from(bounds.min.y) + f64::from(gy)).floor() as i32;
                    let ink = color.mix(f64::from(coverage.min(1.0)));
                    if let Err(e) = self.area.draw_pixel((px, py), &ink) {
                        result = Err(ChartError::from(e));
                    }
                });
            }
            caret += scaled.h_advance(id);
            prev = Some(id);
        }
        result
    }

    /// `text` cut with "…" so it fits `max_w` pixels.
    pub(crate) fn fit(&self, text: &str, size: f64, max_w: i32) -> String {
        if self.text_width(text, size) <= max_w {
            return text.to_string();
        }
        let chars: Vec<char> = text.chars().collect();
        let (mut lo, mut hi) = (0usize, chars.len());
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            let candidate: String = chars[..mid].iter().collect::<String>() + "…";
            if self.text_width(&candidate, size) <= max_w {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        chars[..lo]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…"
    }

    pub(crate) fn fill_rect(&self, (x0, y0): (i32, i32), (x1, y1): (i32, i32), c: RGBColor) -> Res {
        let (l, r) = (x0.min(x1), x0.max(x1));
        let (t, b) = (y0.min(y1), y0.max(y1));
        self.area
            .draw(&Rectangle::new([(l, t), (r, b)], c.filled()))?;
        Ok(())
    }

    pub(crate) fn stroke_rect(
        &self,
        (x0, y0): (i32, i32),
        (x1, y1): (i32, i32),
        c: RGBColor,
        width: u32,
    ) -> Res {
        self.area
            .draw(&Rectangle::new([(x0, y0), (x1, y1)], c.stroke_width(width)))?;
        Ok(())
    }

    pub(crate) fn line(&self, pts: Vec<(i32, i32)>, c: RGBColor, width: u32) -> Res {
        if pts.len() < 2 {
            return Ok(());
        }
        self.area
            .draw(&PathElement::new(pts, c.stroke_width(width)))?;
        Ok(())
    }

    /// A dashed polyline, dashes measured along the whole path so corners don't restart them.
    pub(crate) fn dashed(
        &self,
        pts: &[(i32, i32)],
        c: RGBColor,
        width: u32,
        dash: f64,
        gap: f64,
    ) -> Res {
        let mut on = true;
        let mut left = dash;
        let mut current: Vec<(f64, f64)> = Vec::new();
        let mut segments: Vec<Vec<(f64, f64)>> = Vec::new();
        for pair in pts.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let (ax, ay) = (f64::from(a.0), f64::from(a.1));
            let (dx, dy) = (f64::from(b.0) - ax, f64::from(b.1) - ay);
            let len = (dx * dx + dy * dy).sqrt();
            let mut pos = 0.0;
            if on && current.is_empty() {
                current.push((ax, ay));
            }
            while len - pos > left {
                pos += left;
                let p = (ax + dx * pos / len, ay + dy * pos / len);
                if on {
                    current.push(p);
                    segments.push(std::mem::take(&mut current));
                } else {
                    current.push(p);
                }
                on = !on;
                left = if on { dash } else { gap };
            }
            left -= len - pos;
            if on {
                current.push((f64::from(b.0), f64::from(b.1)));
            } else {
                current.clear();
            }
        }
        if on && current.len() >= 2 {
            segments.push(current);
        }
        for seg in segments {
            let pts: Vec<(i32, i32)> = seg
                .into_iter()
                .map(|(x, y)| (x.round() as i32, y.round() as i32))
                .collect();
            self.line(pts, c, width)?;
        }
        Ok(())
    }

    pub(crate) fn polygon(&self, pts: Vec<(i32, i32)>, c: RGBColor) -> Res {
        if pts.len() < 3 {
            return Ok(());
        }
        self.area.draw(&Polygon::new(pts, c.filled()))?;
        Ok(())
    }

    /// A marker of radius `r`; `alpha` lets dense clouds of points show their density.
    pub(crate) fn marker(
        &self,
        shape: Shape,
        (x, y): (i32, i32),
        r: i32,
        c: RGBColor,
        alpha: f64,
    ) -> Res {
        let style = ShapeStyle {
            color: c.mix(alpha),
            filled: true,
            stroke_width: 1,
        };
        match shape {
            Shape::Circle => {
                self.area.draw(&Circle::new((x, y), r, style))?;
            }
            Shape::Square => {
                let h = (f64::from(r) * 0.88).round() as i32;
                self.area
                    .draw(&Rectangle::new([(x - h, y - h), (x + h, y + h)], style))?;
            }
            Shape::Triangle => {
                let rr = f64::from(r) * 1.2;
                let pts = vec![
                    (x, (f64::from(y) - rr).round() as i32),
                    (
                        (f64::from(x) + rr * 0.866).round() as i32,
                        (f64::from(y) + rr * 0.5).round() as i32,
                    ),
                    (
                        (f64::from(x) - rr * 0.866).round() as i32,
                        (f64::from(y) + rr * 0.5).round() as i32,
                    ),
                ];
                self.area.draw(&Polygon::new(pts, style))?;
            }
            Shape::Diamond => {
                let rr = (f64::from(r) * 1.2).round() as i32;
                let pts = vec![(x, y - rr), (x + rr, y), (x, y + rr), (x - rr, y)];
                self.area.draw(&Polygon::new(pts, style))?;
            }
        }
        Ok(())
    }

    // --- Header ------------------------------------------------------------------------

    /// Title, subtitle, an optional note on the right of the title line, and a legend row;
    /// returns the y where the chart body may start.
    pub(crate) fn header(
        &self,
        title: &str,
        subtitle: Option<&str>,
        note: Option<&str>,
        legend: &[LegendItem],
    ) -> Res<i32> {
        let th = &self.th;
        let m = th.margin();
        let usable = th.w - 2 * m;
        let mut y = m;
        let note = note.filter(|n| !n.is_empty());
        let note_w = note
            .map(|n| self.text_width(n, th.subtitle_size()))
            .unwrap_or(0);
        let title_w = self.text_width(title, th.title_size());
        let note_fits_on_title_line = note_w > 0 && title_w + note_w + th.px(24.0) <= usable;
        let title_max = if note_fits_on_title_line {
            usable - note_w - th.px(24.0)
        } else {
            usable
        };
        let title = self.fit(title, th.title_size(), title_max);
        self.text(
            &title,
            (m, y),
            th.title_size(),
            TEXT,
            HPos::Left,
            VAlign::Top,
        )?;
        let title_h = self.line_height(th.title_size());
        if note_fits_on_title_line {
            if let Some(n) = note {
                // Aligned to the title's baseline, so the two read as one line.
                let base = y + (0.80 * th.title_size() / 1.24).round() as i32;
                let top = base - (0.80 * th.subtitle_size() / 1.24).round() as i32;
                self.text(
                    n,
                    (th.w - m, top),
                    th.subtitle_size(),
                    TEXT_2,
                    HPos::Right,
                    VAlign::Top,
                )?;
            }
        }
        y += title_h;
        let mut sub_lines: Vec<String> = Vec::new();
        if let Some(s) = subtitle.filter(|s| !s.is_empty()) {
            sub_lines.push(s.to_string());
        }
        if !note_fits_on_title_line {
            if let Some(n) = note {
                sub_lines.push(n.to_string());
            }
        }
        for line in sub_lines {
            let line = self.fit(&line, th.subtitle_size(), usable);
            self.text(
                &line,
                (m, y),
                th.subtitle_size(),
                MUTED,
                HPos::Left,
                VAlign::Top,
            )?;
            y += self.line_height(th.subtitle_size());
        }
        if !legend.is_empty() {
            y += th.px(6.0);
            y = self.legend(legend, m, y, usable)?;
        }
        Ok(y + th.px(10.0))
    }

    /// Legend items left to right, wrapping onto further rows; returns the y below them.
    fn legend(&self, items: &[LegendItem], x0: i32, y0: i32, usable: i32) -> Res<i32> {
        let th = &self.th;
        let size = th.tick_size();
        let row_h = self.line_height(size) + th.px(4.0);
        let gap = th.px(18.0);
        let (mut x, mut y) = (x0, y0);
        for item in items {
            let mark_w = self.mark_width(&item.mark);
            let label = self.fit(&item.label, size, usable - mark_w - th.px(6.0));
            let w = mark_w + th.px(6.0) + self.text_width(&label, size);
            if x > x0 && x + w > x0 + usable {
                x = x0;
                y += row_h;
            }
            let cy = y + row_h / 2;
            self.draw_mark(&item.mark, x, cy, mark_w)?;
            self.text(
                &label,
                (x + mark_w + th.px(6.0), cy),
                size,
                TEXT_2,
                HPos::Left,
                VAlign::Middle,
            )?;
            x += w + gap;
        }
        Ok(y + row_h)
    }

    fn mark_width(&self, mark: &Mark) -> i32 {
        match mark {
            Mark::Box(_) | Mark::Point(..) => self.th.px(12.0),
            Mark::Line(_) | Mark::Dashed(_) => self.th.px(24.0),
            Mark::Ramp(_) => self.th.px(84.0),
        }
    }

    fn draw_mark(&self, mark: &Mark, x: i32, cy: i32, w: i32) -> Res {
        let th = &self.th;
        match mark {
            Mark::Box(c) => {
                let h = th.px(6.0);
                self.fill_rect((x, cy - h), (x + w, cy + h), *c)
            }
            Mark::Line(c) => self.line(vec![(x, cy), (x + w, cy)], *c, th.stroke(2.5)),
            Mark::Dashed(c) => self.dashed(
                &[(x, cy), (x + w, cy)],
                *c,
                th.stroke(2.5),
                f64::from(th.px(6.0)),
                f64::from(th.px(4.0)),
            ),
            Mark::Point(shape, c) => self.marker(*shape, (x + w / 2, cy), th.px(5.0), *c, 1.0),
            Mark::Ramp(stops) => {
                let h = th.px(6.0);
                let steps = w.max(1);
                for i in 0..steps {
                    let c = ramp(stops, f64::from(i) / f64::from(steps - 1).max(1.0));
                    self.fill_rect((x + i, cy - h), (x + i + 1, cy + h), c)?;
                }
                self.stroke_rect((x, cy - h), (x + w, cy + h), AXIS, 1)
            }
        }
    }

    // --- Empty state -------------------------------------------------------------------

    /// The chart's header and a framed "표시할 데이터가 없습니다" where the plot would be.
    pub(crate) fn empty(&self, title: &str, subtitle: Option<&str>) -> Res {
        let th = &self.th;
        let top = self.header(title, subtitle, None, &[])?;
        let m = th.margin();
        let (l, r, b) = (m, th.w - m, th.h - m);
        let t = top.min(b - th.px(20.0));
        self.stroke_rect((l, t), (r, b), AXIS, 1)?;
        let cy = (t + b) / 2;
        self.text(
            "표시할 데이터가 없습니다",
            ((l + r) / 2, cy),
            th.label_size() * 1.15,
            MUTED,
            HPos::Center,
            VAlign::Middle,
        )
    }
}

/// The em in pixels for a plotters font size; plotters' SVG writes `font-size` as size / 1.24.
fn em(size: f64) -> f64 {
    size / 1.24
}

fn units_per_em(font: &FontRef<'static>) -> f64 {
    f64::from(font.units_per_em().unwrap_or(1000.0))
}

/// Advance width of `text` in pixels at `em`, kerning included.
fn advance(text: &str, em: f64) -> f64 {
    let Some(font) = face() else {
        // Without the font nothing is drawn either; a rough width keeps layout sane.
        return text.chars().count() as f64 * em * 0.8;
    };
    let per_unit = em / units_per_em(font);
    let mut units = 0.0f64;
    let mut prev = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            units += f64::from(font.kern_unscaled(p, id));
        }
        units += f64::from(font.h_advance_unscaled(id));
        prev = Some(id);
    }
    units * per_unit
}

/// A colour at position `t` (0–1) along evenly spaced `stops`.
pub(crate) fn ramp(stops: &[RGBColor], t: f64) -> RGBColor {
    match stops {
        [] => WHITE,
        [only] => *only,
        _ => {
            let t = t.clamp(0.0, 1.0) * (stops.len() - 1) as f64;
            let i = (t.floor() as usize).min(stops.len() - 2);
            blend(stops[i], stops[i + 1], t - i as f64)
        }
    }
}

// --- Axes --------------------------------------------------------------------------------

/// The plot rectangle in pixels and the data range it shows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plot {
    pub l: i32,
    pub t: i32,
    pub r: i32,
    pub b: i32,
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
}

impl Plot {
    pub(crate) fn x(&self, v: f64) -> i32 {
        let span = if self.x1 == self.x0 {
            1.0
        } else {
            self.x1 - self.x0
        };
        (f64::from(self.l) + (v - self.x0) / span * f64::from(self.r - self.l)).round() as i32
    }

    pub(crate) fn y(&self, v: f64) -> i32 {
        let span = if self.y1 == self.y0 {
            1.0
        } else {
            self.y1 - self.y0
        };
        (f64::from(self.b) - (v - self.y0) / span * f64::from(self.b - self.t)).round() as i32
    }

    pub(crate) fn width(&self) -> i32 {
        self.r - self.l
    }
}

impl<DB: DrawingBackend> Canvas<'_, DB> {
    /// Horizontal gridlines and right-aligned labels left of the plot.
    pub(crate) fn y_grid(&self, p: &Plot, ticks: &[(f64, String)]) -> Res {
        let th = &self.th;
        for (v, label) in ticks {
            let y = p.y(*v);
            if y < p.t - 1 || y > p.b + 1 {
                continue;
            }
            self.line(vec![(p.l, y), (p.r, y)], GRID, th.stroke(1.0))?;
            self.text(
                label,
                (p.l - th.px(8.0), y),
                th.tick_size(),
                TEXT_2,
                HPos::Right,
                VAlign::Middle,
            )?;
        }
        Ok(())
    }

    /// Vertical gridlines and centred labels under the plot.
    pub(crate) fn x_grid(&self, p: &Plot, ticks: &[(f64, String)], lines: bool) -> Res {
        let th = &self.th;
        for (v, label) in ticks {
            let x = p.x(*v);
            if x < p.l - 1 || x > p.r + 1 {
                continue;
            }
            if lines {
                self.line(vec![(x, p.t), (x, p.b)], GRID, th.stroke(1.0))?;
            } else {
                self.line(vec![(x, p.b), (x, p.b + th.px(4.0))], AXIS, th.stroke(1.0))?;
            }
            // A label on the last (or first) tick would hang past the canvas edge; nudge
            // it inwards instead of clipping it.
            let half = self.text_width(label, th.tick_size()) / 2 + 1;
            let lx = x.min(th.w - half).max(half);
            self.text(
                label,
                (lx, p.b + th.px(8.0)),
                th.tick_size(),
                TEXT_2,
                HPos::Center,
                VAlign::Top,
            )?;
        }
        Ok(())
    }

    /// The x axis line along the bottom of the plot (or along y = 0 when it is inside).
    pub(crate) fn baseline_axis(&self, p: &Plot, at_zero: bool) -> Res {
        let y = if at_zero && p.y0 < 0.0 && p.y1 > 0.0 {
            p.y(0.0)
        } else {
            p.b
        };
        self.line(vec![(p.l, y), (p.r, y)], MUTED, self.th.stroke(1.0))
    }

    /// Height taken by one row of tick labels under the plot, gap included.
    pub(crate) fn x_labels_height(&self) -> i32 {
        self.th.px(8.0) + self.line_height(self.th.tick_size())
    }

    /// Axis title under the x tick labels.
    pub(crate) fn x_title(&self, p: &Plot, title: &str) -> Res {
        let th = &self.th;
        let title = self.fit(title, th.label_size(), p.width());
        let y = p.b + self.x_labels_height() + th.px(6.0);
        self.text(
            &title,
            ((p.l + p.r) / 2, y),
            th.label_size(),
            MUTED,
            HPos::Center,
            VAlign::Top,
        )
    }

    /// Height an x axis title takes.
    pub(crate) fn x_title_height(&self) -> i32 {
        self.th.px(6.0) + self.line_height(self.th.label_size())
    }

    /// The y axis title, written level above the axis's labels: rotated Hangul is hard to
    /// read, and Korean reports put the unit there.
    pub(crate) fn y_title(&self, p: &Plot, title: &str) -> Res {
        let th = &self.th;
        let title = self.fit(title, th.label_size(), th.w - 2 * th.margin());
        let y = p.t - self.line_height(th.tick_size()) / 2 - th.px(6.0);
        self.text(
            &title,
            (th.margin(), y),
            th.label_size(),
            MUTED,
            HPos::Left,
            VAlign::Bottom,
        )
    }

    /// Room a y axis title needs between the header and the plot.
    pub(crate) fn y_title_height(&self) -> i32 {
        self.line_height(self.th.label_size()) + self.th.px(6.0)
    }

    /// Widest of `labels` at tick size.
    pub(crate) fn widest(&self, labels: &[(f64, String)]) -> i32 {
        labels
            .iter()
            .map(|(_, l)| self.text_width(l, self.th.tick_size()))
            .max()
            .unwrap_or(0)
    }

    /// About how many y ticks fit in `height` pixels without crowding.
    pub(crate) fn y_tick_target(&self, height: i32) -> usize {
        let per = f64::from(self.line_height(self.th.tick_size())) * 3.2;
        ((f64::from(height) / per).floor() as usize).clamp(3, 8)
    }
}

/// Every `k`-th of `n` category positions such that labels `label_w` wide don't touch in a
/// plot `plot_w` wide, with `k` from `steps` (calendar-friendly: weeks, quarters).
pub(crate) fn label_stride(n: usize, plot_w: i32, label_w: i32, steps: &[usize]) -> usize {
    if n == 0 {
        return 1;
    }
    let per = f64::from(plot_w.max(1)) / n as f64;
    let need = f64::from(label_w) * 1.35;
    steps
        .iter()
        .copied()
        .find(|k| per * *k as f64 >= need)
        .unwrap_or_else(|| ((need / per).ceil() as usize).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::SVGBackend;

    /// Every character inside a string literal of the chart sources: the text the charts
    /// write themselves.
    fn literal_chars() -> Vec<char> {
        let sources = [
            include_str!("canvas.rs"),
            include_str!("format.rs"),
            include_str!("charts/mod.rs"),
            include_str!("charts/bars.rs"),
            include_str!("charts/revenue.rs"),
            include_str!("charts/service_mix.rs"),
            include_str!("charts/heatmap.rs"),
            include_str!("charts/scatter.rs"),
            include_str!("charts/forecast.rs"),
            include_str!("charts/churn.rs"),
            include_str!("charts/allergen.rs"),
            include_str!("charts/grade.rs"),
        ];
        let mut out: Vec<char> = sources
            .iter()
            .flat_map(|src| src.lines())
            .filter(|l| !l.trim_start().starts_with("//"))
            .flat_map(|l| {
                l.split('"')
                    .skip(1)
                    .step_by(2)
                    .flat_map(str::chars)
                    .collect::<Vec<_>>()
            })
            .filter(|c| !c.is_control())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    #[test]
    fn the_bundled_font_has_every_character_the_charts_write() {
        let font = face().expect("the bundled font parses");
        let chars = literal_chars();
        assert!(chars.contains(&'없'), "the scan found no Korean literals");
        let missing: String = chars.iter().filter(|c| font.glyph_id(**c).0 == 0).collect();
        assert!(missing.is_empty(), "would draw as tofu: {missing:?}");
        // And what callers' data brings: every Hangul syllable, digits, ASCII punctuation.
        for c in ('가'..='힣').chain(' '..='~') {
            assert_ne!(font.glyph_id(c).0, 0, "{c:?} is missing from the font");
        }
    }

    fn with_canvas(f: impl FnOnce(&Canvas<SVGBackend>)) {
        let mut out = String::new();
        let root = SVGBackend::with_string(&mut out, (800, 500)).into_drawing_area();
        let cv = Canvas::new(&root, Theme::new((800, 500), false));
        f(&cv);
    }

    #[test]
    fn text_is_measured_with_the_fonts_advances() {
        with_canvas(|cv| {
            let size = 1.24 * 20.0; // a 20 px em
                                    // NanumGothic's Hangul advance is 940 of 1000 units.
            assert_eq!(
                cv.text_width("가나다", size),
                (3.0f64 * 0.94 * 20.0).ceil() as i32
            );
            assert!(cv.text_width("1,240만원", size) > cv.text_width("240만원", size));
            assert_eq!(cv.text_width("", size), 0);
        });
    }

    #[test]
    fn fitting_shortens_with_an_ellipsis_only_when_needed() {
        with_canvas(|cv| {
            let size = cv.th.tick_size();
            assert_eq!(cv.fit("수기 치료", size, 500), "수기 치료");
            let long = "산후 관리 프로그램 프리미엄 전신 코스";
            let max = cv.text_width(long, size) / 2;
            let short = cv.fit(long, size, max);
            assert!(short.ends_with('…'), "{short}");
            assert!(
                cv.text_width(&short, size) <= max,
                "{short} is still too wide"
            );
            assert!(short.chars().count() > 3, "{short} cut more than needed");
        });
    }

    #[test]
    fn label_stride_keeps_labels_apart() {
        // 31 days, 700 px, 40 px labels: every 2nd day would crowd, weekly fits.
        assert_eq!(label_stride(31, 700, 40, &[1, 2, 7, 14]), 7);
        assert_eq!(label_stride(12, 900, 40, &[1, 2, 3, 6, 12]), 1);
        // Nothing in the list fits: fall back to whatever stride does.
        assert!(label_stride(1000, 200, 40, &[1, 2]) >= 270);
    }

    #[test]
    fn ramp_runs_from_the_first_stop_to_the_last() {
        let stops = [PRIMARY_50, PRIMARY, PRIMARY_700];
        assert_eq!(ramp(&stops, 0.0), PRIMARY_50);
        assert_eq!(ramp(&stops, 0.5), PRIMARY);
        assert_eq!(ramp(&stops, 1.0), PRIMARY_700);
        assert_eq!(blend(WHITE, TEXT, 0.0), WHITE);
        assert_eq!(blend(WHITE, TEXT, 1.0), TEXT);
    }
}
