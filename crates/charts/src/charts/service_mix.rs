//! Each service's share of revenue or visits.

use super::bars::{self, HBar, HBarChart};
use crate::canvas::*;
use crate::format::{decimal, krw_value, percent};
use crate::model::{MixUnit, ServiceMix, ValueUnit};
use plotters::prelude::DrawingBackend;

const DEFAULT_ROWS: usize = 10;

pub(crate) fn draw<DB: DrawingBackend>(cv: &Canvas<DB>, d: &ServiceMix) -> Res {
    let title = d.title.as_deref().unwrap_or("서비스 구성");
    let subtitle = d.subtitle.as_deref();
    let total: f64 = d.items.iter().map(|i| i.value).sum();
    if d.items.is_empty() || total <= 0.0 {
        return cv.empty(title, subtitle);
    }
    let mut items: Vec<(String, f64)> = d
        .items
        .iter()
        .map(|i| (i.service.trim().to_string(), i.value))
        .collect();
    items.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let max_rows = d.max_items.unwrap_or(DEFAULT_ROWS);
    let truncated = items.len() > max_rows;
    if truncated {
        // Shares must still add up to 100%, so the tail is summed rather than dropped.
        let rest: Vec<(String, f64)> = items.split_off(max_rows - 1);
        let rest_sum: f64 = rest.iter().map(|r| r.1).sum();
        items.push((format!("기타 ({}개)", rest.len()), rest_sum));
    }
    let fmt = |v: f64| match d.unit {
        MixUnit::Krw => krw_value(v),
        MixUnit::Count => format!("{}건", decimal(v, 0)),
    };
    let other_index = truncated.then(|| items.len() - 1);
    let rows: Vec<HBar> = items
        .iter()
        .enumerate()
        .map(|(i, (name, v))| HBar {
            label: name.clone(),
            value: *v,
            color: if Some(i) == other_index {
                PREVIOUS
            } else {
                PRIMARY
            },
            value_text: format!("{} ({})", fmt(*v), percent(v / total)),
        })
        .collect();
    let note = format!("합계 {}", fmt(total));
    bars::draw(
        cv,
        &HBarChart {
            title,
            subtitle,
            note: Some(&note),
            rows: &rows,
            unit: match d.unit {
                MixUnit::Krw => ValueUnit::Krw,
                MixUnit::Count => ValueUnit::Count,
            },
            x_title: match d.unit {
                MixUnit::Krw => "매출",
                MixUnit::Count => "방문 수",
            },
        },
    )
}
