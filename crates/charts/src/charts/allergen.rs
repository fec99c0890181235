//! The allergens found positive most often.

use super::bars::{self, HBar, HBarChart};
use crate::canvas::*;
use crate::format::{group_thousands, percent};
use crate::model::{AllergenDistribution, ValueUnit};
use plotters::prelude::DrawingBackend;

const DEFAULT_TOP: usize = 15;

pub(crate) fn draw<DB: DrawingBackend>(cv: &Canvas<DB>, d: &AllergenDistribution) -> Res {
    let title = d.title.as_deref().unwrap_or("알레르겐 분포");
    let subtitle = d.subtitle.as_deref();
    let mut items: Vec<(&str, u64)> = d
        .items
        .iter()
        .filter(|i| i.count > 0)
        .map(|i| (i.allergen.trim(), i.count))
        .collect();
    if items.is_empty() {
        return cv.empty(title, subtitle);
    }
    items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let found = items.len();
    let top = d.top.unwrap_or(DEFAULT_TOP);
    items.truncate(top);
    let rows: Vec<HBar> = items
        .iter()
        .map(|(name, count)| HBar {
            label: (*name).to_string(),
            value: *count as f64,
            color: PRIMARY,
            value_text: match d.total_tested {
                Some(t) if t > 0 => format!(
                    "{}건 ({})",
                    group_thousands(*count as i128),
                    percent(*count as f64 / t as f64)
                ),
                _ => format!("{}건", group_thousands(*count as i128)),
            },
        })
        .collect();
    // Unlike a mix, positives of different allergens don't add up to anything, so the
    // allergens beyond the top are counted, not summed into a bar.
    let mut note_parts = Vec::new();
    if found > rows.len() {
        note_parts.push(format!("상위 {}종 / 양성 {}종", rows.len(), found));
    }
    if let Some(t) = d.total_tested {
        note_parts.push(format!("검사 {}명", group_thousands(t as i128)));
    }
    let note = note_parts.join(" · ");
    bars::draw(
        cv,
        &HBarChart {
            title,
            subtitle,
            note: Some(&note),
            rows: &rows,
            unit: ValueUnit::Count,
            x_title: "양성 건수",
        },
    )
}
