//! Plain-language findings for a clinic manager, each with its numbers.

use crate::hw::PERIOD;
use crate::{weekday_index, Fitted, Forecast};
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// Weekly change below this (in %, either way) is reported as flat: a
/// percent a week is within what noise moves a 90-day fit's trend by.
pub const FLAT_TREND_PCT: f64 = 1.0;

/// A Sunday expected at or below this share of the weekday mean is treated as
/// a closed day rather than a quiet one.
pub const CLOSED_DAY_SHARE: f64 = 0.05;

/// One finding: `message` is a Korean sentence for the manager, `detail` the
/// numbers behind it. Serialises flat, as `{"type": "trend", "message": …, …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Insight {
    pub message: String,
    #[serde(flatten)]
    pub detail: InsightDetail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendDirection {
    Up,
    Down,
    Flat,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeakDay {
    pub date: NaiveDate,
    /// "월" … "일".
    pub weekday: String,
    /// e.g. "12월 12일 (토)".
    pub label: String,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InsightDetail {
    /// From the model's state at the end of the series: the mean of the next
    /// seven days against the seven after, as the forecast returns them
    /// (each week holds every weekday once, so the season cancels and the
    /// trend remains; closed days count as 0 in both weeks).
    Trend {
        direction: TrendDirection,
        /// None when the coming week's expected mean is not positive.
        weekly_change_pct: Option<f64>,
        /// The trend state b_n: change per day in the series' units.
        per_day: f64,
        next_week_mean: f64,
    },
    /// From the final seasonal states: each weekday's expected level (clamped
    /// at 0) against the Monday–Friday mean. None where that mean is not positive.
    WeekendEffect {
        weekday_mean: f64,
        saturday_pct: Option<f64>,
        sunday_pct: Option<f64>,
        /// Saturday and Sunday together.
        weekend_pct: Option<f64>,
        /// Sunday is a closed weekday (see [`crate::Fitted::forecast`]) or
        /// expected at ≤ 5% of a weekday.
        sunday_closed: bool,
    },
    /// The three highest point forecasts in the horizon (earlier date first
    /// on ties); empty when every day is forecast at 0.
    PeakDays { days: Vec<PeakDay> },
    /// Which model was chosen, by which criterion, with its parameters.
    Model {
        name: String,
        damped: bool,
        alpha: f64,
        beta: f64,
        gamma: f64,
        phi: f64,
        criterion: String,
        aicc: f64,
        /// The rejected candidate's AICc.
        other_aicc: Option<f64>,
    },
}

/// Trend, weekend effect, peak days and the chosen model, in that order.
pub fn insights(fitted: &Fitted, forecast: &Forecast) -> Vec<Insight> {
    vec![
        trend(fitted),
        weekend(fitted),
        peaks(forecast),
        model(forecast),
    ]
}

pub fn weekday_ko(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "월",
        Weekday::Tue => "화",
        Weekday::Wed => "수",
        Weekday::Thu => "목",
        Weekday::Fri => "금",
        Weekday::Sat => "토",
        Weekday::Sun => "일",
    }
}

/// "12월 12일 (토)".
pub fn date_label_ko(date: NaiveDate) -> String {
    format!(
        "{}월 {}일 ({})",
        date.month(),
        date.day(),
        weekday_ko(date.weekday())
    )
}

fn pct(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| 100.0 * (part - whole) / whole)
}

/// Amounts for a sentence: whole numbers with thousands separators from 100
/// up (revenue), one decimal below (visit counts, small averages).
fn amount(v: f64) -> String {
    if v.abs() < 100.0 {
        return format!("{v:.1}");
    }
    let rounded = v.round();
    let digits = format!("{:.0}", rounded.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if rounded < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

fn trend(fitted: &Fitted) -> Insight {
    let p = fitted.params();
    let n = fitted.series().len();
    // As the forecast returns them, so the percentage describes the numbers
    // the manager sees (closed days at 0).
    let mean: Vec<f64> = fitted
        .states()
        .forecast_mean(&p, 2 * PERIOD)
        .into_iter()
        .enumerate()
        .map(|(i, m)| fitted.as_returned(n + i, m))
        .collect();
    let week1 = mean[..PERIOD].iter().sum::<f64>() / PERIOD as f64;
    let week2 = mean[PERIOD..].iter().sum::<f64>() / PERIOD as f64;
    let change = pct(week2, week1);
    let direction = match change {
        Some(c) if c > FLAT_TREND_PCT => TrendDirection::Up,
        Some(c) if c < -FLAT_TREND_PCT => TrendDirection::Down,
        Some(_) => TrendDirection::Flat,
        None if week2 > week1 => TrendDirection::Up,
        None if week2 < week1 => TrendDirection::Down,
        None => TrendDirection::Flat,
    };
    let message = match (direction, change) {
        (_, None) => "예상 일평균이 0 이하라 추세를 백분율로 나타낼 수 없습니다.".to_string(),
        (TrendDirection::Up, Some(c)) => {
            format!("증가 추세입니다. 일평균이 주당 약 {c:.1}% 늘어날 것으로 예상됩니다.")
        }
        (TrendDirection::Down, Some(c)) => format!(
            "감소 추세입니다. 일평균이 주당 약 {:.1}% 줄어들 것으로 예상됩니다.",
            -c
        ),
        (TrendDirection::Flat, Some(c)) => {
            format!("뚜렷한 추세 없이 보합세입니다 (주당 변화 {c:+.1}%).")
        }
    };
    Insight {
        message,
        detail: InsightDetail::Trend {
            direction,
            weekly_change_pct: change,
            per_day: fitted.states().trend,
            next_week_mean: week1,
        },
    }
}

fn weekend(fitted: &Fitted) -> Insight {
    let states = fitted.states();
    let p = fitted.params();
    let base = states.level + p.phi * states.trend;
    let start = fitted.series().start;
    // Expected level per weekday from the latest seasonal state of that weekday.
    // Closed weekdays are 0 and nothing is negative, as in the forecast.
    let mut by_weekday = [0.0; PERIOD];
    for (pos, s) in states.season.iter().enumerate() {
        by_weekday[weekday_index(start, pos)] = fitted.as_returned(pos, base + s);
    }
    let weekday_mean = by_weekday[..5].iter().sum::<f64>() / 5.0;
    let (sat, sun) = (by_weekday[5], by_weekday[6]);
    let saturday_pct = pct(sat, weekday_mean);
    let sunday_pct = pct(sun, weekday_mean);
    let weekend_pct = pct((sat + sun) / 2.0, weekday_mean);
    let sunday_closed = weekday_mean > 0.0 && sun <= CLOSED_DAY_SHARE * weekday_mean;

    let message = match (weekend_pct, saturday_pct, sunday_pct) {
        (Some(we), Some(sa), Some(su)) => {
            let more_less = if we >= 0.0 {
                "많습니다"
            } else {
                "적습니다"
            };
            let mut m = format!(
                "주말(토·일) 일평균은 평일보다 {:.1}% {more_less}. 토요일은 평일 대비 {sa:+.1}%, 일요일은 {su:+.1}%입니다.",
                we.abs()
            );
            if sunday_closed {
                m.push_str(" 일요일은 휴진이거나 방문이 거의 없어 주말 평균을 끌어내립니다.");
            } else if su < 0.0 {
                m.push_str(" 일요일은 평일보다 한산합니다.");
            }
            m
        }
        _ => "평일 예상 일평균이 0 이하라 주말 효과를 백분율로 나타낼 수 없습니다.".to_string(),
    };
    Insight {
        message,
        detail: InsightDetail::WeekendEffect {
            weekday_mean,
            saturday_pct,
            sunday_pct,
            weekend_pct,
            sunday_closed,
        },
    }
}

fn peaks(forecast: &Forecast) -> Insight {
    let mut order: Vec<usize> = (0..forecast.points.len()).collect();
    // Stable sort: equal values keep date order, so the earlier day wins a tie.
    order.sort_by(|&a, &b| {
        forecast.points[b]
            .value
            .total_cmp(&forecast.points[a].value)
    });
    let days: Vec<PeakDay> = order
        .into_iter()
        .map(|i| &forecast.points[i])
        .filter(|p| p.value > 0.0)
        .take(3)
        .map(|p| PeakDay {
            date: p.date,
            weekday: weekday_ko(p.date.weekday()).to_string(),
            label: date_label_ko(p.date),
            value: p.value,
        })
        .collect();
    let message = if days.is_empty() {
        "예측 기간의 모든 날이 0으로 예상되어 가장 붐비는 날을 꼽을 수 없습니다.".to_string()
    } else {
        let list: Vec<String> = days
            .iter()
            .map(|d| format!("{} 약 {}", d.label, amount(d.value)))
            .collect();
        format!(
            "예측 기간 중 가장 붐빌 것으로 예상되는 날은 {}입니다.",
            list.join(", ")
        )
    };
    Insight {
        message,
        detail: InsightDetail::PeakDays { days },
    }
}

fn model(forecast: &Forecast) -> Insight {
    let m = &forecast.model;
    let other_aicc = m
        .candidates
        .iter()
        .find(|c| c.damped != m.damped)
        .map(|c| c.aicc);
    let kind = if m.damped {
        "감쇠 추세"
    } else {
        "선형 추세"
    };
    let other_kind = if m.damped {
        "선형 추세"
    } else {
        "감쇠 추세"
    };
    let comparison = match other_aicc {
        Some(o) if o.is_finite() => format!(", {other_kind} 모형은 {o:.1}"),
        _ => String::new(),
    };
    let params = if m.damped {
        format!(
            "α={:.3}, β={:.3}, γ={:.3}, φ={:.3}",
            m.alpha, m.beta, m.gamma, m.phi
        )
    } else {
        format!("α={:.3}, β={:.3}, γ={:.3}", m.alpha, m.beta, m.gamma)
    };
    let message = format!(
        "AICc 기준으로 주간 계절성을 반영한 {kind} 홀트-윈터스 모형({})을 선택했습니다 (AICc {:.1}{comparison}). 매개변수: {params}.",
        m.name, m.aicc
    );
    Insight {
        message,
        detail: InsightDetail::Model {
            name: m.name.clone(),
            damped: m.damped,
            alpha: m.alpha,
            beta: m.beta,
            gamma: m.gamma,
            phi: m.phi,
            criterion: m.criterion.clone(),
            aicc: m.aicc,
            other_aicc,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit;
    use chrono::Days;

    /// Weekdays 40 + 0.2·t, Saturday 50% busier, Sunday closed, plus a small
    /// deterministic wiggle. Starts on a Wednesday so weekday positions are
    /// not aligned with the series index.
    fn known_pattern(n: u64) -> Vec<(NaiveDate, f64)> {
        let start = NaiveDate::from_ymd_opt(2025, 9, 3).unwrap();
        (0..n)
            .map(|i| {
                let date = start + Days::new(i);
                let weekday = 40.0 + 0.2 * i as f64 + ((i * 37 % 11) as f64 - 5.0) * 0.3;
                let v = match date.weekday() {
                    Weekday::Sat => 1.5 * weekday,
                    Weekday::Sun => 0.0,
                    _ => weekday,
                };
                (date, v)
            })
            .collect()
    }

    fn all(n: u64) -> Vec<Insight> {
        let fitted = fit(&known_pattern(n)).unwrap();
        let fc = fitted.forecast(30).unwrap();
        insights(&fitted, &fc)
    }

    #[test]
    fn finds_the_upward_trend() {
        let ins = all(91);
        let InsightDetail::Trend {
            direction,
            weekly_change_pct: Some(pct),
            per_day,
            ..
        } = ins[0].detail
        else {
            panic!("first insight is the trend: {:?}", ins[0]);
        };
        // Truth at the end of the series: the week mean rises by
        // (5·1.4 + 2.1)/7 = 1.3 a week on a mean near 52, about 2.5%.
        assert_eq!(direction, TrendDirection::Up);
        assert!((1.5..3.5).contains(&pct), "{pct}");
        assert!(per_day > 0.0);
        assert!(ins[0].message.contains("증가 추세"), "{}", ins[0].message);
    }

    #[test]
    fn finds_the_weekend_effect_and_the_closed_sunday() {
        let ins = all(91);
        let InsightDetail::WeekendEffect {
            saturday_pct: Some(sat),
            sunday_pct: Some(sun),
            weekend_pct: Some(we),
            sunday_closed,
            ..
        } = ins[1].detail
        else {
            panic!("second insight is the weekend effect: {:?}", ins[1]);
        };
        assert!((40.0..60.0).contains(&sat), "saturday {sat}");
        assert!(sun < -90.0, "sunday {sun}");
        // (1.5 + 0)/2 − 1 = −25%.
        assert!((-32.0..-18.0).contains(&we), "weekend {we}");
        assert!(sunday_closed);
        assert!(ins[1].message.contains("적습니다"), "{}", ins[1].message);
        assert!(
            ins[1].message.contains("일요일은 휴진"),
            "{}",
            ins[1].message
        );
    }

    #[test]
    fn peak_days_are_saturdays_with_korean_labels() {
        let ins = all(91);
        let InsightDetail::PeakDays { days } = &ins[2].detail else {
            panic!("third insight is the peak days: {:?}", ins[2]);
        };
        assert_eq!(days.len(), 3);
        for d in days {
            assert_eq!(d.date.weekday(), Weekday::Sat);
            assert_eq!(d.weekday, "토");
            assert!(d.label.ends_with("(토)"), "{}", d.label);
        }
        // With an upward trend the last Saturdays of the horizon are the highest.
        assert!(days[0].value >= days[1].value && days[1].value >= days[2].value);
        assert!(days[0].date > days[1].date);
        assert!(ins[2].message.contains(&days[0].label));
    }

    #[test]
    fn model_insight_names_the_criterion() {
        let ins = all(91);
        let InsightDetail::Model {
            criterion,
            other_aicc,
            aicc,
            ..
        } = &ins[3].detail
        else {
            panic!("fourth insight is the model: {:?}", ins[3]);
        };
        assert_eq!(criterion, "aicc");
        assert!(other_aicc.is_some_and(|o| o >= *aicc));
        assert!(ins[3].message.contains("AICc"));
    }

    #[test]
    fn flat_series_is_reported_flat() {
        let start = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap();
        let series: Vec<_> = (0..70u64)
            .map(|i| {
                let w = [20.0, 22.0, 21.0, 23.0, 25.0, 30.0, 5.0][(i % 7) as usize];
                (start + Days::new(i), w + ((i * 37 % 11) as f64 - 5.0) * 0.2)
            })
            .collect();
        let fitted = fit(&series).unwrap();
        let fc = fitted.forecast(14).unwrap();
        let ins = insights(&fitted, &fc);
        let InsightDetail::Trend { direction, .. } = ins[0].detail else {
            panic!("{:?}", ins[0]);
        };
        assert_eq!(direction, TrendDirection::Flat, "{}", ins[0].message);
        let InsightDetail::WeekendEffect {
            sunday_closed,
            sunday_pct: Some(sun),
            ..
        } = ins[1].detail
        else {
            panic!("{:?}", ins[1]);
        };
        // Sunday at 5 against a weekday mean of 22 is quiet, not closed.
        assert!(!sunday_closed);
        assert!((-85.0..-70.0).contains(&sun), "{sun}");
        assert!(ins[1].message.contains("한산"), "{}", ins[1].message);
    }

    #[test]
    fn labels_and_amounts() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 12).unwrap();
        assert_eq!(date_label_ko(d), "12월 12일 (토)");
        assert_eq!(amount(1_234_567.4), "1,234,567");
        assert_eq!(amount(100.0), "100");
        assert_eq!(amount(58.26), "58.3");
        assert_eq!(amount(-1234.0), "-1,234");
    }

    #[test]
    fn serialises_flat_with_a_type_tag() {
        let ins = all(40);
        let json = serde_json::to_value(&ins).unwrap();
        assert_eq!(json[0]["type"], "trend");
        assert!(json[0]["message"].is_string());
        assert_eq!(json[1]["type"], "weekend_effect");
        assert_eq!(json[2]["type"], "peak_days");
        assert_eq!(json[3]["type"], "model");
        let back: Vec<Insight> = serde_json::from_value(json).unwrap();
        assert_eq!(back, ins);
    }
}
