//! ClinicDesk's analytics charts, drawn to SVG or PNG with plotters and a bundled Korean font
//! (NanumGothic), so nothing depends on the fonts of the machine that renders them.
//!
//! Every chart is a pure function of its input: [`render`] takes a [`Chart`] (one variant per
//! chart, deserialisable from JSON with `"name": "revenue-trend"` and so on), a [`Format`] and
//! a size, and returns the encoded image. Invalid sizes and data are refused with a
//! [`ChartError`] naming the problem; empty data draws a chart that says
//! "표시할 데이터가 없습니다".
//!
//! ```
//! use clinicdesk_charts::{render, Chart, Format};
//!
//! let chart: Chart = serde_json::from_str(
//!     r#"{"name": "grade-distribution", "counts": [{"grade": 0, "count": 12}, {"grade": 3, "count": 4}]}"#,
//! )?;
//! let svg = render(&chart, Format::Svg, (800, 500))?;
//! assert_eq!(svg.content_type, "image/svg+xml");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod canvas;
mod charts;
mod format;
mod model;

pub use model::*;

use canvas::{ensure_font, Canvas, Theme, WHITE};
use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

/// Smallest width or height drawn: below it labels can't be placed legibly.
pub const MIN_SIDE: u32 = 200;
/// Largest width or height drawn: 4000 px is A4 at well over 300 dpi; beyond, memory grows
/// for no visible gain.
pub const MAX_SIDE: u32 = 4000;

/// A chart and its data. In JSON the variant is named by `"name"` in kebab-case and the
/// data's fields sit beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "kebab-case")]
pub enum Chart {
    RevenueTrend(RevenueTrend),
    ServiceMix(ServiceMix),
    VisitHeatmap(VisitHeatmap),
    SegmentScatter(SegmentScatter),
    Forecast(Forecast),
    ChurnRisk(ChurnRisk),
    AllergenDistribution(AllergenDistribution),
    GradeDistribution(GradeDistribution),
}

impl Chart {
    /// The chart's name as used in JSON and URLs.
    pub fn name(&self) -> &'static str {
        match self {
            Chart::RevenueTrend(_) => "revenue-trend",
            Chart::ServiceMix(_) => "service-mix",
            Chart::VisitHeatmap(_) => "visit-heatmap",
            Chart::SegmentScatter(_) => "segment-scatter",
            Chart::Forecast(_) => "forecast",
            Chart::ChurnRisk(_) => "churn-risk",
            Chart::AllergenDistribution(_) => "allergen-distribution",
            Chart::GradeDistribution(_) => "grade-distribution",
        }
    }

    /// Refuses data that would draw wrongly: non-finite numbers, out-of-range values,
    /// repeated or unordered dates, and the like.
    pub fn validate(&self) -> Result<(), ChartError> {
        match self {
            Chart::RevenueTrend(d) => d.validate(),
            Chart::ServiceMix(d) => d.validate(),
            Chart::VisitHeatmap(d) => d.validate(),
            Chart::SegmentScatter(d) => d.validate(),
            Chart::Forecast(d) => d.validate(),
            Chart::ChurnRisk(d) => d.validate(),
            Chart::AllergenDistribution(d) => d.validate(),
            Chart::GradeDistribution(d) => d.validate(),
        }
    }
}

/// The encoding asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Svg,
    Png,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Svg => "image/svg+xml",
            Format::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = ChartError;

    /// "svg" or "png", any case, as a query parameter or file extension gives it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "svg" => Ok(Format::Svg),
            "png" => Ok(Format::Png),
            other => Err(ChartError::UnknownFormat(other.to_string())),
        }
    }
}

/// An encoded chart, ready to send as an HTTP body or write to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChartError {
    #[error("chart size {width}×{height} px is outside {min}–{max} px per side")]
    InvalidSize {
        width: u32,
        height: u32,
        min: u32,
        max: u32,
    },
    #[error("{chart}: {field} {problem}")]
    InvalidData {
        chart: &'static str,
        field: String,
        problem: String,
    },
    #[error("unknown chart format {0:?}; use \"svg\" or \"png\"")]
    UnknownFormat(String),
    #[error("the bundled Korean font could not be loaded")]
    Font,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("encoding the PNG failed: {0}")]
    Encode(String),
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        ChartError::Draw(e.to_string())
    }
}

/// Draws `chart` at `size` (width, height in pixels) as SVG or PNG.
pub fn render(chart: &Chart, format: Format, size: (u32, u32)) -> Result<Rendered, ChartError> {
    let (width, height) = size;
    if !(MIN_SIDE..=MAX_SIDE).contains(&width) || !(MIN_SIDE..=MAX_SIDE).contains(&height) {
        return Err(ChartError::InvalidSize {
            width,
            height,
            min: MIN_SIDE,
            max: MAX_SIDE,
        });
    }
    chart.validate()?;
    ensure_font()?;
    let bytes = match format {
        Format::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                draw_on(&root, chart, Theme::new(size, false))?;
                root.present()?;
            }
            svg.into_bytes()
        }
        Format::Png => {
            let mut rgb = vec![0u8; width as usize * height as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
                draw_on(&root, chart, Theme::new(size, true))?;
                root.present()?;
            }
            encode_png(&rgb, width, height)?
        }
    };
    Ok(Rendered {
        content_type: format.content_type(),
        bytes,
    })
}

fn draw_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    theme: Theme,
) -> Result<(), ChartError> {
    // White, not transparent: these charts are printed and pasted into documents.
    root.fill(&WHITE)?;
    let cv = Canvas::new(root, theme);
    match chart {
        Chart::RevenueTrend(d) => charts::revenue::draw(&cv, d),
        Chart::ServiceMix(d) => charts::service_mix::draw(&cv, d),
        Chart::VisitHeatmap(d) => charts::heatmap::draw(&cv, d),
        Chart::SegmentScatter(d) => charts::scatter::draw(&cv, d),
        Chart::Forecast(d) => charts::forecast::draw(&cv, d),
        Chart::ChurnRisk(d) => charts::churn::draw(&cv, d),
        Chart::AllergenDistribution(d) => charts::allergen::draw(&cv, d),
        Chart::GradeDistribution(d) => charts::grade::draw(&cv, d),
    }
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc
            .write_header()
            .map_err(|e| ChartError::Encode(e.to_string()))?;
        writer
            .write_image_data(rgb)
            .map_err(|e| ChartError::Encode(e.to_string()))?;
        writer
            .finish()
            .map_err(|e| ChartError::Encode(e.to_string()))?;
    }
    Ok(out)
}
