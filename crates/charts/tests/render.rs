//! Every chart, drawn for real: realistic and empty inputs in both formats, the decoded PNGs
//! checked for size and ink, and invalid input refused.

mod common;

use chrono::{Days, Weekday};
use clinicdesk_charts::*;
use common::date;

const SIZE: (u32, u32) = (800, 500);
/// --border in ui/src/styles.css, the gridlines' colour.
const GRID: [u8; 3] = [0xe1, 0xe6, 0xeb];

struct Image {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl Image {
    fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = ((y * self.width + x) * 3) as usize;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// Share of pixels in the box (fractions of width and height) that are neither the
    /// white background nor a gridline: what the data and labels put there.
    fn ink(&self, (fx0, fy0): (f64, f64), (fx1, fy1): (f64, f64)) -> f64 {
        let (x0, x1) = (
            (fx0 * self.width as f64) as u32,
            (fx1 * self.width as f64) as u32,
        );
        let (y0, y1) = (
            (fy0 * self.height as f64) as u32,
            (fy1 * self.height as f64) as u32,
        );
        let mut inked = 0usize;
        for y in y0..y1 {
            for x in x0..x1 {
                let p = self.pixel(x, y);
                if p != [255, 255, 255] && p != GRID {
                    inked += 1;
                }
            }
        }
        inked as f64 / ((x1 - x0) * (y1 - y0)) as f64
    }

    fn has_colour(&self, rgb: [u8; 3]) -> bool {
        self.rgb.chunks_exact(3).any(|p| p == rgb)
    }
}

fn decode(bytes: &[u8]) -> Image {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().expect("PNG header decodes");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG data decodes");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    buf.truncate(info.buffer_size());
    Image {
        width: info.width,
        height: info.height,
        rgb: buf,
    }
}

fn svg(chart: &Chart) -> String {
    let out = render(chart, Format::Svg, SIZE).expect("SVG renders");
    assert_eq!(out.content_type, "image/svg+xml");
    String::from_utf8(out.bytes).expect("SVG is UTF-8")
}

fn png_image(chart: &Chart, size: (u32, u32)) -> Image {
    let out = render(chart, Format::Png, size).expect("PNG renders");
    assert_eq!(out.content_type, "image/png");
    assert_eq!(&out.bytes[..8], b"\x89PNG\r\n\x1a\n");
    decode(&out.bytes)
}

#[test]
fn every_realistic_chart_renders_svg_with_its_korean_title() {
    for (stem, chart) in common::realistic() {
        let s = svg(&chart);
        assert!(s.starts_with("<svg"), "{stem}: not an SVG");
        assert!(s.trim_end().ends_with("</svg>"), "{stem}: SVG not closed");
        let title = common::title_of(&chart);
        assert!(s.contains(&title), "{stem}: title {title:?} missing");
        assert!(s.contains("NanumGothic"), "{stem}: font family missing");
        assert!(
            !s.contains("표시할 데이터가 없습니다"),
            "{stem}: realistic data drew the empty state"
        );
    }
}

#[test]
fn every_realistic_chart_renders_a_png_of_the_requested_size_with_ink_in_the_plot() {
    for (stem, chart) in common::realistic() {
        for size in [SIZE, (1000, 640)] {
            let img = png_image(&chart, size);
            assert_eq!((img.width, img.height), size, "{stem}");
            // The corner is background: the chart is printed on white.
            assert_eq!(
                img.pixel(1, 1),
                [255, 255, 255],
                "{stem}: background not white"
            );
            let ink = img.ink((0.2, 0.35), (0.9, 0.85));
            assert!(
                ink > 0.01,
                "{stem}: plot area almost empty ({ink:.3} inked)"
            );
        }
    }
}

#[test]
fn every_chart_draws_the_empty_state_for_no_data() {
    for (stem, chart) in common::empty() {
        let s = svg(&chart);
        assert!(
            s.contains("표시할 데이터가 없습니다"),
            "{stem}: no empty message"
        );
        let img = png_image(&chart, SIZE);
        assert_eq!((img.width, img.height), SIZE, "{stem}");
        // The message sits in the middle; around it the frame is blank, not garbage.
        assert!(
            img.ink((0.3, 0.45), (0.7, 0.6)) > 0.005,
            "{stem}: message not drawn"
        );
        assert!(
            img.ink((0.1, 0.2), (0.3, 0.4)) < 0.001,
            "{stem}: something drawn in the empty frame"
        );
    }
}

#[test]
fn zero_totals_count_as_no_data() {
    let charts = [
        Chart::GradeDistribution(GradeDistribution {
            counts: vec![GradeCount { grade: 2, count: 0 }],
            ..Default::default()
        }),
        Chart::ServiceMix(ServiceMix {
            items: vec![ServiceShare {
                service: "수기 치료".into(),
                value: 0.0,
            }],
            ..Default::default()
        }),
        Chart::VisitHeatmap(VisitHeatmap {
            cells: vec![HeatCell {
                weekday: Weekday::Mon,
                hour: 10,
                count: 0.0,
            }],
            ..Default::default()
        }),
        Chart::AllergenDistribution(AllergenDistribution {
            items: vec![AllergenCount {
                allergen: "우유".into(),
                count: 0,
            }],
            ..Default::default()
        }),
    ];
    for chart in charts {
        assert!(
            svg(&chart).contains("표시할 데이터가 없습니다"),
            "{}",
            chart.name()
        );
    }
}

#[test]
fn sizes_outside_the_limits_are_refused() {
    let chart = Chart::GradeDistribution(common::grade_distribution());
    for size in [(0, 0), (199, 500), (800, 199), (4001, 500), (800, 4001)] {
        for format in [Format::Svg, Format::Png] {
            match render(&chart, format, size) {
                Err(ChartError::InvalidSize { width, height, .. }) => {
                    assert_eq!((width, height), size)
                }
                other => panic!("{size:?} {format:?}: expected InvalidSize, got {other:?}"),
            }
        }
    }
    // The limits themselves are fine, including lopsided shapes.
    for size in [(200, 200), (4000, 200), (200, 1200)] {
        let img = png_image(&chart, size);
        assert_eq!((img.width, img.height), size);
    }
}

fn assert_invalid(chart: Chart, field_part: &str) {
    let name = chart.name();
    for format in [Format::Svg, Format::Png] {
        match render(&chart, format, SIZE) {
            Err(ChartError::InvalidData {
                chart,
                field,
                problem,
            }) => {
                assert_eq!(chart, name);
                assert!(
                    field.contains(field_part),
                    "{name}: error names {field:?} ({problem}), expected {field_part:?}"
                );
            }
            other => panic!("{name}: expected InvalidData for {field_part}, got {other:?}"),
        }
    }
}

#[test]
fn non_finite_numbers_are_refused_and_named() {
    let mut d = common::revenue_trend();
    d.points[3].value = f64::NAN;
    assert_invalid(Chart::RevenueTrend(d), "points[3].value");

    let mut d = common::revenue_trend();
    d.previous[0].value = f64::INFINITY;
    assert_invalid(Chart::RevenueTrend(d), "previous[0].value");

    let mut d = common::service_mix();
    d.items[1].value = f64::NAN;
    assert_invalid(Chart::ServiceMix(d), "items[1].value");

    let mut d = common::visit_heatmap();
    d.cells[5].count = f64::NEG_INFINITY;
    assert_invalid(Chart::VisitHeatmap(d), "cells[5].count");

    let mut d = common::segment_scatter();
    d.points[7].y = f64::NAN;
    assert_invalid(Chart::SegmentScatter(d), "points[7].y");

    let mut d = common::forecast();
    d.forecast[2].upper_95 = f64::NAN;
    assert_invalid(Chart::Forecast(d), "forecast[2].upper_95");

    let mut d = common::forecast();
    d.history[0].value = f64::NAN;
    assert_invalid(Chart::Forecast(d), "history[0].value");

    let mut d = common::churn_risk();
    d.probabilities[4] = f64::NAN;
    assert_invalid(Chart::ChurnRisk(d), "probabilities[4]");

    let mut d = common::churn_risk();
    d.high_from = Some(f64::NAN);
    assert_invalid(Chart::ChurnRisk(d), "high_from");
}

#[test]
fn out_of_range_and_inconsistent_data_is_refused() {
    let mut d = common::revenue_trend();
    d.points.swap(1, 2);
    assert_invalid(Chart::RevenueTrend(d), "points[2].date");

    let mut d = common::service_mix();
    d.items[0].value = -1.0;
    assert_invalid(Chart::ServiceMix(d), "items[0].value");

    let mut d = common::service_mix();
    d.items[2].service = "  ".into();
    assert_invalid(Chart::ServiceMix(d), "items[2].service");

    let mut d = common::visit_heatmap();
    d.cells[0].hour = 24;
    assert_invalid(Chart::VisitHeatmap(d), "cells[0].hour");

    let mut d = common::visit_heatmap();
    let dup = d.cells[3].clone();
    d.cells.push(dup);
    assert_invalid(Chart::VisitHeatmap(d), "cells[");

    let mut d = common::forecast();
    d.forecast[1].lower_80 = d.forecast[1].upper_95 + 1.0;
    assert_invalid(Chart::Forecast(d), "forecast[1]");

    let mut d = common::forecast();
    d.forecast[0].date = d.history[10].date;
    assert_invalid(Chart::Forecast(d), "forecast[0].date");

    let mut d = common::churn_risk();
    d.probabilities[0] = 1.2;
    assert_invalid(Chart::ChurnRisk(d), "probabilities[0]");

    let mut d = common::churn_risk();
    d.medium_from = Some(0.7);
    d.high_from = Some(0.5);
    assert_invalid(Chart::ChurnRisk(d), "medium_from");

    let mut d = common::allergen_distribution();
    d.items[3].allergen = d.items[0].allergen.clone();
    assert_invalid(Chart::AllergenDistribution(d), "items[3].allergen");

    let mut d = common::allergen_distribution();
    d.total_tested = Some(100);
    assert_invalid(Chart::AllergenDistribution(d), "items[0].count");

    let mut d = common::grade_distribution();
    d.counts[0].grade = 7;
    assert_invalid(Chart::GradeDistribution(d), "counts[0].grade");

    let mut d = common::grade_distribution();
    d.counts[1].grade = 0;
    assert_invalid(Chart::GradeDistribution(d), "counts[1].grade");

    let mut d = common::segment_scatter();
    d.personas[1].cluster = d.personas[0].cluster;
    assert_invalid(Chart::SegmentScatter(d), "personas[1].cluster");

    let mut d = common::segment_scatter();
    d.points = vec![
        ScatterPoint {
            x: 1.0,
            y: 1.0,
            cluster: 0
        };
        MAX_POINTS + 1
    ];
    assert_invalid(Chart::SegmentScatter(d), "points");
}

#[test]
fn errors_read_as_sentences_naming_the_field() {
    let mut d = common::churn_risk();
    d.probabilities[2] = f64::NAN;
    let err = render(&Chart::ChurnRisk(d), Format::Svg, SIZE).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("churn-risk"), "{msg}");
    assert!(msg.contains("probabilities[2]"), "{msg}");
    assert!(msg.contains("NaN"), "{msg}");

    let err = render(
        &Chart::ChurnRisk(common::churn_risk()),
        Format::Png,
        (100, 100),
    )
    .unwrap_err();
    assert!(err.to_string().contains("100×100"), "{err}");
}

#[test]
fn charts_deserialise_by_kebab_case_name() {
    let names = [
        "revenue-trend",
        "service-mix",
        "visit-heatmap",
        "segment-scatter",
        "forecast",
        "churn-risk",
        "allergen-distribution",
        "grade-distribution",
    ];
    for (stem, chart) in common::realistic() {
        let json = serde_json::to_value(&chart).expect("serialises");
        assert!(
            names.contains(&json["name"].as_str().unwrap_or("")),
            "{stem}: {}",
            json["name"]
        );
        assert_eq!(json["name"], chart.name());
        let back: Chart = serde_json::from_value(json).expect("deserialises");
        assert_eq!(back, chart, "{stem}: round trip changed the chart");
    }

    let chart: Chart = serde_json::from_str(
        r#"{
            "name": "visit-heatmap",
            "title": "방문 분포",
            "cells": [{"weekday": "Tue", "hour": 10, "count": 4}, {"weekday": "Sat", "hour": 9, "count": 11}]
        }"#,
    )
    .expect("hand-written JSON deserialises");
    assert!(svg(&chart).contains("방문 분포"));

    let chart: Chart = serde_json::from_str(
        r#"{"name": "revenue-trend", "granularity": "monthly", "style": "line",
            "points": [{"date": "2024-11-01", "value": 41000000}, {"date": "2024-12-01", "value": 45500000}]}"#,
    )
    .expect("monthly revenue deserialises");
    assert!(svg(&chart).contains("24.12"), "monthly labels are YY.MM");

    assert!(serde_json::from_str::<Chart>(r#"{"name": "pie", "items": []}"#).is_err());
    assert!(
        serde_json::from_str::<Chart>(r#"{"name": "churn-risk", "probabilities": [], "bins": 20}"#)
            .is_err(),
        "unknown fields are refused, not ignored"
    );
}

#[test]
fn money_axes_read_in_man_won_and_dates_as_month_day() {
    let s = svg(&Chart::RevenueTrend(common::revenue_trend()));
    assert!(s.contains("만원"), "no 만원 tick");
    assert!(s.contains("12/01"), "first day not labelled 12/01");
    assert!(s.contains("합계"), "no total");
    assert!(
        s.contains("11월 대비"),
        "no comparison with the previous period"
    );
}

#[test]
fn a_previous_period_longer_than_the_current_keeps_dated_labels() {
    let mut d = common::revenue_trend();
    d.points.truncate(10);
    let s = svg(&Chart::RevenueTrend(d));
    // 12/29 is past the ten current days: it exists only as a continued date.
    assert!(
        s.contains("12/29"),
        "dates not continued past the current series"
    );
}

#[test]
fn the_service_mix_sums_the_tail_into_others() {
    let s = svg(&Chart::ServiceMix(common::service_mix()));
    assert!(s.contains("기타 (3개)"), "tail not summed");
    assert!(s.contains("26.2%"), "share of the top service missing");
    assert!(s.contains("수기 치료"));
}

#[test]
fn the_heatmap_widens_its_hours_to_every_visit() {
    let mut d = common::visit_heatmap();
    d.cells.push(HeatCell {
        weekday: Weekday::Wed,
        hour: 7,
        count: 2.0,
    });
    let s = svg(&Chart::VisitHeatmap(d));
    assert!(s.contains("7시"), "an early visit's hour was hidden");
    for day in ["월", "화", "수", "목", "금", "토", "일"] {
        assert!(s.contains(day), "weekday {day} missing");
    }
}

#[test]
fn scatter_legend_names_personas_and_falls_back_to_cluster_numbers() {
    let mut d = common::segment_scatter();
    d.personas.retain(|p| p.cluster != 3);
    let s = svg(&Chart::SegmentScatter(d));
    assert!(s.contains("충성 VIP (48명)"), "persona with count missing");
    assert!(
        s.contains("군집 3"),
        "unnamed cluster not labelled by number"
    );
    assert!(s.contains("마지막 방문 후 경과일"), "x label missing");
    assert!(s.contains("연간 이용 금액"), "y label missing");
}

#[test]
fn the_forecast_marks_today_and_both_intervals() {
    let s = svg(&Chart::Forecast(common::forecast()));
    for text in ["오늘", "실적", "예측", "80% 구간", "95% 구간"] {
        assert!(s.contains(text), "{text} missing");
    }
    // History only (no forecast yet) and forecast only both still draw.
    let mut d = common::forecast();
    d.forecast.clear();
    assert!(svg(&Chart::Forecast(d)).contains("오늘"));
    let mut d = common::forecast();
    d.history.clear();
    d.today = None;
    let img = png_image(&Chart::Forecast(d), SIZE);
    assert!(img.ink((0.2, 0.35), (0.9, 0.85)) > 0.02);
}

#[test]
fn churn_bins_include_certain_churners_in_the_last_bin() {
    let d = ChurnRisk {
        probabilities: vec![0.05, 0.35, 0.65, 1.0, 1.0],
        ..Default::default()
    };
    let s = svg(&Chart::ChurnRisk(d));
    assert!(s.contains("높음 (≥60%) 3명"), "legend counts wrong");
    assert!(s.contains("낮음 (&lt;30%) 1명"), "legend counts wrong");
}

#[test]
fn grades_use_the_allergy_screens_tier_colours() {
    let img = png_image(
        &Chart::GradeDistribution(common::grade_distribution()),
        SIZE,
    );
    assert!(img.has_colour([0x4c, 0xaf, 0x74]), "low tier green missing");
    assert!(
        img.has_colour([0xe2, 0xb2, 0x3a]),
        "moderate tier amber missing"
    );
    assert!(img.has_colour([0xb4, 0x23, 0x18]), "high tier red missing");

    let s = svg(&Chart::GradeDistribution(common::grade_distribution()));
    assert!(s.contains("등급 0") && s.contains("등급 6"));
    assert!(s.contains("#4CAF74") && s.contains("#E2B23A") && s.contains("#B42318"));
}

#[test]
fn the_teal_primary_is_the_series_colour() {
    for chart in [
        Chart::RevenueTrend(common::revenue_trend()),
        Chart::ServiceMix(common::service_mix()),
        Chart::AllergenDistribution(common::allergen_distribution()),
    ] {
        let img = png_image(&chart, SIZE);
        assert!(
            img.has_colour([0x0e, 0x7c, 0x74]),
            "{}: no --primary",
            chart.name()
        );
    }
}

#[test]
fn rendering_is_deterministic_and_follows_the_data() {
    let chart = Chart::GradeDistribution(common::grade_distribution());
    let a = render(&chart, Format::Png, SIZE).map(|r| r.bytes);
    let b = render(&chart, Format::Png, SIZE).map(|r| r.bytes);
    assert_eq!(a, b);
    let mut d = common::grade_distribution();
    d.counts[6].count = 900;
    let c = render(&Chart::GradeDistribution(d), Format::Png, SIZE).map(|r| r.bytes);
    assert_ne!(a, c, "different data drew the same picture");
}

#[test]
fn long_labels_are_shortened_not_spilled() {
    let mut d = common::service_mix();
    d.items[0].service = "아주 긴 이름의 프리미엄 전신 관리 패키지 ".repeat(6);
    let s = svg(&Chart::ServiceMix(d));
    assert!(s.contains('…'), "long service name not shortened");

    let mut d = common::service_mix();
    d.items[0].service = "가".repeat(MAX_LABEL_CHARS + 1);
    assert_invalid(Chart::ServiceMix(d), "items[0].service");
}

#[test]
fn one_point_series_still_draw() {
    let d = RevenueTrend {
        points: vec![DatedValue {
            date: date(2024, 12, 1),
            value: 1_200_000.0,
        }],
        ..Default::default()
    };
    let img = png_image(&Chart::RevenueTrend(d), SIZE);
    assert!(img.ink((0.2, 0.35), (0.9, 0.85)) > 0.01);

    let d = Forecast {
        history: vec![DatedValue {
            date: date(2024, 12, 1),
            value: 5.0,
        }],
        forecast: vec![ForecastPoint {
            date: date(2024, 12, 1) + Days::new(1),
            value: 6.0,
            lower_80: 5.0,
            upper_80: 7.0,
            lower_95: 4.0,
            upper_95: 8.0,
        }],
        unit: Some(ValueUnit::Count),
        ..Default::default()
    };
    let img = png_image(&Chart::Forecast(d), SIZE);
    assert!(img.ink((0.2, 0.35), (0.9, 0.85)) > 0.01);
}

#[test]
fn negative_revenue_days_draw_below_zero() {
    let mut d = common::revenue_trend();
    d.previous.clear();
    d.points[4].value = -800_000.0;
    let s = svg(&Chart::RevenueTrend(d));
    // SVG text content sits on its own line; a negative money tick reads "-50만원".
    assert!(
        s.lines().any(|l| l.starts_with('-') && l.ends_with("만원")),
        "no negative tick"
    );
}

#[test]
fn formats_parse_from_query_strings() {
    assert_eq!("svg".parse::<Format>(), Ok(Format::Svg));
    assert_eq!(" PNG ".parse::<Format>(), Ok(Format::Png));
    assert!(matches!("pdf".parse::<Format>(), Err(ChartError::UnknownFormat(f)) if f == "pdf"));
    assert_eq!(Format::Png.content_type(), "image/png");
    assert_eq!(Format::Svg.extension(), "svg");
}

/// A histogram counts every value it is given: a chain's hundred thousand active customers
/// are counted, not refused as too many points to draw.
#[test]
fn churn_risk_counts_a_hundred_thousand_customers() {
    let mut d = common::churn_risk();
    d.probabilities = (0..100_000).map(|i| f64::from(i % 100) / 100.0).collect();
    let svg = render(&Chart::ChurnRisk(d), Format::Svg, (900, 560)).expect("drawn");
    let text = String::from_utf8(svg.bytes).expect("svg is text");
    assert!(
        text.contains("100,000"),
        "the total is the whole population"
    );
}
