//! Realistic inputs for every chart, shared by the tests and the preview example. Generated
//! from a fixed seed so every run draws the same pictures.

#![allow(dead_code)]

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use clinicdesk_charts::*;

/// A small deterministic generator (SplitMix64): no dependency, same numbers every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Roughly normal (sum of uniforms), mean 0, sd 1.
    pub fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.unit()).sum::<f64>() - 6.0
    }
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// A day's takings: Saturdays busiest, Sundays half-day.
fn daily_revenue(rng: &mut Rng, d: NaiveDate, level: f64) -> f64 {
    let weekday = match d.weekday() {
        Weekday::Sat => 1.45,
        Weekday::Sun => 0.45,
        Weekday::Fri => 1.15,
        _ => 1.0,
    };
    ((level * weekday * (1.0 + 0.18 * rng.normal())).max(0.0) / 1000.0).round() * 1000.0
}

pub fn revenue_trend() -> RevenueTrend {
    let mut rng = Rng::new(7);
    let start = date(2024, 12, 1);
    let points = (0..31)
        .map(|i| {
            let d = start + Days::new(i);
            DatedValue {
                date: d,
                value: daily_revenue(&mut rng, d, 1_450_000.0),
            }
        })
        .collect();
    let prev_start = date(2024, 11, 1);
    let previous = (0..30)
        .map(|i| {
            let d = prev_start + Days::new(i);
            DatedValue {
                date: d,
                value: daily_revenue(&mut rng, d, 1_280_000.0),
            }
        })
        .collect();
    RevenueTrend {
        title: Some("12월 일별 매출".into()),
        subtitle: Some("2024.12.01 – 12.31 · 환불 차감 후".into()),
        granularity: Granularity::Daily,
        style: None,
        points,
        previous,
        current_label: Some("12월".into()),
        previous_label: Some("11월".into()),
    }
}

pub fn revenue_monthly_line() -> RevenueTrend {
    let mut rng = Rng::new(11);
    let start = date(2023, 1, 1);
    let points = (0..24u32)
        .map(|i| DatedValue {
            date: start.checked_add_months(Months::new(i)).unwrap_or(start),
            value: ((32_000_000.0 + 650_000.0 * f64::from(i)) * (1.0 + 0.08 * rng.normal()))
                .round(),
        })
        .collect();
    RevenueTrend {
        title: Some("월별 매출".into()),
        granularity: Granularity::Monthly,
        style: Some(TrendStyle::Line),
        points,
        ..Default::default()
    }
}

pub fn service_mix() -> ServiceMix {
    let items = [
        ("수기 치료", 18_400_000.0),
        ("체형 교정", 12_950_000.0),
        ("알레르기 검사", 9_870_000.0),
        ("림프 마사지", 7_320_000.0),
        ("피부 관리", 6_100_000.0),
        ("도수 치료", 5_480_000.0),
        ("영양 상담", 2_150_000.0),
        ("산후 관리 프로그램(8주)", 4_300_000.0),
        ("두피 케어", 1_730_000.0),
        ("족부 관리", 980_000.0),
        ("아로마 테라피", 640_000.0),
        ("체험권", 210_000.0),
    ];
    ServiceMix {
        title: Some("12월 서비스별 매출 구성".into()),
        subtitle: None,
        unit: MixUnit::Krw,
        items: items
            .iter()
            .map(|(s, v)| ServiceShare {
                service: (*s).into(),
                value: *v,
            })
            .collect(),
        max_items: None,
    }
}

pub fn visit_heatmap() -> VisitHeatmap {
    let mut rng = Rng::new(3);
    let mut cells = Vec::new();
    let days = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
    for wd in days {
        for hour in 9u8..=20 {
            let base = match (wd, hour) {
                (Weekday::Sun, _) => 0.0,
                (Weekday::Sat, h) if h >= 15 => 0.0,
                (Weekday::Sat, _) => 14.0,
                (_, 12) => 3.0,
                (_, 18 | 19) => 13.0,
                (_, 20) => 6.0,
                (_, 10 | 11) => 9.0,
                _ => 7.0,
            };
            let count = (base * (1.0 + 0.25 * rng.normal())).max(0.0).round();
            cells.push(HeatCell {
                weekday: wd,
                hour,
                count,
            });
        }
    }
    VisitHeatmap {
        title: None,
        subtitle: Some("최근 4주 · 방문 시작 시각 기준".into()),
        cells,
        hour_from: Some(9),
        hour_to: Some(20),
    }
}

pub fn segment_scatter() -> SegmentScatter {
    let mut rng = Rng::new(5);
    // (cluster, centre days since last visit, centre yearly spend in KRW, spread, n)
    let clusters = [
        (0u32, 12.0, 2_600_000.0, (6.0, 450_000.0), 48),
        (1, 28.0, 1_150_000.0, (10.0, 260_000.0), 96),
        (2, 95.0, 700_000.0, (25.0, 220_000.0), 64),
        (3, 20.0, 260_000.0, (12.0, 90_000.0), 52),
    ];
    let mut points = Vec::new();
    for (c, x, y, (sx, sy), n) in clusters {
        for _ in 0..n {
            points.push(ScatterPoint {
                x: (x + sx * rng.normal()).max(0.0).round(),
                y: (y + sy * rng.normal()).max(30_000.0),
                cluster: c,
            });
        }
    }
    SegmentScatter {
        title: None,
        subtitle: Some("RFM 군집 · 최근 12개월".into()),
        x_label: "마지막 방문 후 경과일".into(),
        y_label: "연간 이용 금액".into(),
        x_unit: ValueUnit::Count,
        y_unit: ValueUnit::Krw,
        points,
        personas: vec![
            Persona {
                cluster: 0,
                name: "충성 VIP".into(),
            },
            Persona {
                cluster: 1,
                name: "꾸준한 관리형".into(),
            },
            Persona {
                cluster: 2,
                name: "이탈 우려".into(),
            },
            Persona {
                cluster: 3,
                name: "신규 탐색형".into(),
            },
        ],
    }
}

pub fn forecast() -> Forecast {
    let mut rng = Rng::new(9);
    let start = date(2024, 10, 20);
    let history: Vec<DatedValue> = (0..56)
        .map(|i| {
            let d = start + Days::new(i);
            DatedValue {
                date: d,
                value: daily_revenue(&mut rng, d, 1_300_000.0 + 4_000.0 * i as f64),
            }
        })
        .collect();
    let last = history.last().map(|p| p.date).unwrap_or(start);
    let forecast = (1..=28u64)
        .map(|i| {
            let d = last + Days::new(i);
            let weekday = match d.weekday() {
                Weekday::Sat => 1.45,
                Weekday::Sun => 0.45,
                Weekday::Fri => 1.15,
                _ => 1.0,
            };
            let mean = (1_530_000.0 + 4_000.0 * i as f64) * weekday;
            let sd = mean * (0.12 + 0.006 * i as f64);
            ForecastPoint {
                date: d,
                value: mean,
                lower_80: (mean - 1.2816 * sd).max(0.0),
                upper_80: mean + 1.2816 * sd,
                lower_95: (mean - 1.96 * sd).max(0.0),
                upper_95: mean + 1.96 * sd,
            }
        })
        .collect();
    Forecast {
        title: Some("일 매출 예측 (4주)".into()),
        subtitle: Some("계절성 포함 모형 · 음영은 예측 구간".into()),
        unit: Some(ValueUnit::Krw),
        granularity: Granularity::Daily,
        history,
        forecast,
        today: Some(last),
    }
}

pub fn churn_risk() -> ChurnRisk {
    let mut rng = Rng::new(13);
    let probabilities = (0..480)
        .map(|_| {
            // Most customers are safe; a long tail is at risk.
            let u = rng.unit();
            (u * u * 0.95 + 0.02 * rng.unit()).clamp(0.0, 1.0)
        })
        .collect();
    ChurnRisk {
        title: None,
        subtitle: Some("활성 고객 · 향후 90일 내 미방문 확률".into()),
        probabilities,
        medium_from: None,
        high_from: None,
    }
}

pub fn allergen_distribution() -> AllergenDistribution {
    let items = [
        ("집먼지진드기 (D. farinae)", 168),
        ("집먼지진드기 (D. pteronyssinus)", 152),
        ("고양이 털", 74),
        ("개 털", 61),
        ("바퀴벌레", 48),
        ("자작나무", 45),
        ("참나무", 39),
        ("돼지풀", 36),
        ("쑥", 33),
        ("환삼덩굴", 29),
        ("우유", 22),
        ("달걀 흰자", 21),
        ("땅콩", 14),
        ("대두", 12),
        ("밀", 11),
        ("새우", 10),
        ("게", 8),
        ("메밀", 6),
        ("복숭아", 5),
        ("알터나리아", 4),
    ];
    AllergenDistribution {
        title: None,
        subtitle: Some("2024년 하반기 검사 결과 · 양성(등급 1 이상)".into()),
        items: items
            .iter()
            .map(|(a, c)| AllergenCount {
                allergen: (*a).into(),
                count: *c,
            })
            .collect(),
        total_tested: Some(420),
        top: None,
    }
}

pub fn grade_distribution() -> GradeDistribution {
    let counts = [1804u64, 640, 522, 381, 214, 92, 31];
    GradeDistribution {
        title: None,
        subtitle: Some("2024년 하반기 · 항목별 결과".into()),
        counts: counts
            .iter()
            .enumerate()
            .map(|(g, c)| GradeCount {
                grade: g as u8,
                count: *c,
            })
            .collect(),
    }
}

/// One realistic chart of each kind, with the file stem the preview uses.
pub fn realistic() -> Vec<(&'static str, Chart)> {
    vec![
        ("revenue-trend", Chart::RevenueTrend(revenue_trend())),
        (
            "revenue-trend-monthly",
            Chart::RevenueTrend(revenue_monthly_line()),
        ),
        ("service-mix", Chart::ServiceMix(service_mix())),
        ("visit-heatmap", Chart::VisitHeatmap(visit_heatmap())),
        ("segment-scatter", Chart::SegmentScatter(segment_scatter())),
        ("forecast", Chart::Forecast(forecast())),
        ("churn-risk", Chart::ChurnRisk(churn_risk())),
        (
            "allergen-distribution",
            Chart::AllergenDistribution(allergen_distribution()),
        ),
        (
            "grade-distribution",
            Chart::GradeDistribution(grade_distribution()),
        ),
    ]
}

/// Every chart with no data at all.
pub fn empty() -> Vec<(&'static str, Chart)> {
    vec![
        (
            "revenue-trend",
            Chart::RevenueTrend(RevenueTrend::default()),
        ),
        ("service-mix", Chart::ServiceMix(ServiceMix::default())),
        (
            "visit-heatmap",
            Chart::VisitHeatmap(VisitHeatmap::default()),
        ),
        (
            "segment-scatter",
            Chart::SegmentScatter(SegmentScatter {
                x_label: "방문 횟수".into(),
                y_label: "이용 금액".into(),
                ..Default::default()
            }),
        ),
        ("forecast", Chart::Forecast(Forecast::default())),
        ("churn-risk", Chart::ChurnRisk(ChurnRisk::default())),
        (
            "allergen-distribution",
            Chart::AllergenDistribution(AllergenDistribution::default()),
        ),
        (
            "grade-distribution",
            Chart::GradeDistribution(GradeDistribution::default()),
        ),
    ]
}

/// The Korean title each realistic chart must carry in its SVG.
pub fn title_of(chart: &Chart) -> String {
    let (title, default) = match chart {
        Chart::RevenueTrend(d) => (&d.title, "매출 추이"),
        Chart::ServiceMix(d) => (&d.title, "서비스 구성"),
        Chart::VisitHeatmap(d) => (&d.title, "요일·시간대별 방문"),
        Chart::SegmentScatter(d) => (&d.title, "고객 세그먼트"),
        Chart::Forecast(d) => (&d.title, "예측"),
        Chart::ChurnRisk(d) => (&d.title, "이탈 위험 분포"),
        Chart::AllergenDistribution(d) => (&d.title, "알레르겐 분포"),
        Chart::GradeDistribution(d) => (&d.title, "등급 분포"),
    };
    title.clone().unwrap_or_else(|| default.to_string())
}
