//! What each chart is drawn from: plain values the server or the desktop app fill in, and the
//! checks that refuse data a chart would otherwise draw as garbage.

use crate::ChartError;
use chrono::{NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// More points than any clinic report needs; past this a chart is unreadable and an SVG
/// runs to megabytes, so the caller is told to aggregate first.
pub const MAX_POINTS: usize = 20_000;

/// Values a histogram is counted from. Only the bins are drawn, so the count costs memory
/// (8 bytes a value) and not ink: a chain's every customer fits.
pub const MAX_HISTOGRAM_VALUES: usize = 10_000_000;

/// Longest label kept whole; longer ones are refused rather than silently cut to nonsense.
pub const MAX_LABEL_CHARS: usize = 200;

/// How far apart consecutive dates of a series are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    #[default]
    Daily,
    Monthly,
}

/// Bars or a line for a revenue series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendStyle {
    Bar,
    Line,
}

/// What the numbers on an axis are, which decides how they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueUnit {
    /// Korean won: "120만원".
    Krw,
    /// Whole things counted (visits, customers): "1,204".
    Count,
    /// Any other measure: "3.5".
    #[default]
    Number,
    /// A share 0–1 written as a percentage: "42%".
    Percent,
}

/// One value on one day (or the first day of its month).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatedValue {
    pub date: NaiveDate,
    pub value: f64,
}

/// Revenue per day or month, optionally beside the previous period's.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevenueTrend {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub subtitle: Option<String>,
    #[serde(default)]
    pub granularity: Granularity,
    /// `None` draws bars for up to 45 points and a line beyond.
    #[serde(default)]
    pub style: Option<TrendStyle>,
    /// KRW per period, dates strictly increasing.
    pub points: Vec<DatedValue>,
    /// The previous period, matched to `points` by position (day 1 with day 1), so a month
    /// in progress can be set against the whole of last month.
    #[serde(default)]
    pub previous: Vec<DatedValue>,
    #[serde(default)]
    pub current_label: Option<String>,
    #[serde(default)]
    pub previous_label: Option<String>,
}

/// Whether the mix is of money or of visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MixUnit {
    #[default]
    Krw,
    Count,
}

/// One service and what it brought in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceShare {
    /// The service's Korean name as shown to staff, e.g. "수기 치료".
    pub service: String,
    pub value: f64,
}

/// Each service's share of revenue (or visits).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceMix {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub subtitle: Option<String>,
    #[serde(default)]
    pub unit: MixUnit,
    pub items: Vec<ServiceShare>,
    /// Rows drawn; the smallest services beyond this are added up as "기타". Default 10.
    #[serde(default)]
    pub max_items: Option<usize>,
}

/// Visits in one weekday-and-hour slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeatCell {
    /// "Mon" … "Sun" in JSON.
    pub weekday: Weekday,
    /// 0–23, clinic local time.
    pub hour: u8,
    /// Visits (or average visits per week) in that slot.
    pub count: f64,
}

/// Visits by weekday (월–일) and hour.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitHeatmap {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub subtitle: Option<String>,
    pub cells: Vec<HeatCell>,
    /// First hour column, default 9; widened to any hour that has visits.
    #[serde(default)]
    pub hour_from: Option<u8>,
    /// Last hour column, default 20; widened to any hour that has visits.
    #[serde(default)]
    pub hour_to: Option<u8>,
}

/// One customer placed by two measures, with the cluster they fell in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScatterPoint {
    pub x: f64,
    pub y: f64,
    pub cluster: u32,
}

/// The name a cluster goes by, e.g. "꾸준한 관리형".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    pub cluster: u32,
    pub name: String,
}

/// Customers as points coloured by segment.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentScatter {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub subtitle: Option<String>,
    pub x_label: String,
    pub y_label: String,
    #[serde(default)]
    pub x_unit: ValueUnit,
    #[serde(default)]
    pub y_unit: ValueUnit,
    pub points: Vec<ScatterPoint>,
    /// Clusters without a persona are shown as "군집 N".
    #[serde(default)]
    pub personas: Vec<Persona>,
}

/// One forecast period: the expected value and its 80% and 95% intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastPoint {
    pub date: NaiveDate,
    pub value: f64,
    pub lower_80: f64,
    pub upper_80: f64,
    pub lower_95: f64,
    pub upper_95: f64,
}

/// What happened, what is expected, and how sure the model is.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forecast {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub subtitle: Option<String>,
    /// Default KRW.
    #[serde(default)]
    pub unit: Option<ValueUnit>,
    #[serde(default)]
    pub granularity: Granularity,
    /// Dates strictly increasing.
    pub history: Vec<DatedValue>,
    /// Dates strictly increasing, after the history.
    pub forecast: Vec<ForecastPoint>,
    /// Where the "오늘" line goes; default the last day of history.
    #[serde(default)]
    pub today: Option<NaiveDate>,
}

/// Customers' churn probabilities, drawn as a 10-bin histogram.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChurnRisk {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub subtitle: Option<String>,
    /// One per customer, each 0–1.
    pub probabilities: Vec<f64>,
    /// Where "보통" starts, default 0.3.
    #[serde(default)]
    pub medium_from: Option<f64>,
    /// Where "높음" starts, default 0.6.
    #[serde(default)]
    pub high_from: Option<f64>,
}

/// How often one allergen came back positive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllergenCount {
    /// Korean name as on the allergy screens, e.g. "집먼지진드기".
    pub allergen: String,
    pub count: u64,
}

/// The allergens found most often.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllergenDistribution {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub subtitle: Option<String>,
    pub items: Vec<AllergenCount>,
    /// People tested; when given, each bar also shows its share of them.
    #[serde(default)]
    pub total_tested: Option<u64>,
    /// Bars drawn, default 15.
    #[serde(default)]
    pub top: Option<usize>,
}

/// Results at one allergy grade (0–6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeCount {
    pub grade: u8,
    pub count: u64,
}

/// Allergy results by grade 0–6, in the allergy screens' tier colours.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeDistribution {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub subtitle: Option<String>,
    /// Grades left out count as 0.
    pub counts: Vec<GradeCount>,
}

// ---------------------------------------------------------------------------------------
// Validation

/// Collects the chart's name so every error says which chart and which field.
pub(crate) struct Check {
    chart: &'static str,
}

impl Check {
    pub(crate) fn new(chart: &'static str) -> Self {
        Self { chart }
    }

    pub(crate) fn fail(&self, field: impl Into<String>, problem: impl Into<String>) -> ChartError {
        ChartError::InvalidData {
            chart: self.chart,
            field: field.into(),
            problem: problem.into(),
        }
    }

    fn finite(&self, field: impl FnOnce() -> String, v: f64) -> Result<(), ChartError> {
        if v.is_finite() {
            Ok(())
        } else {
            Err(self.fail(field(), format!("{v} is not a finite number")))
        }
    }

    fn text(&self, field: &str, s: &Option<String>) -> Result<(), ChartError> {
        match s {
            Some(s) => self.label(|| field.to_string(), s, true),
            None => Ok(()),
        }
    }

    fn label(
        &self,
        field: impl FnOnce() -> String,
        s: &str,
        allow_empty: bool,
    ) -> Result<(), ChartError> {
        if !allow_empty && s.trim().is_empty() {
            return Err(self.fail(field(), "is empty"));
        }
        if s.chars().count() > MAX_LABEL_CHARS {
            return Err(self.fail(
                field(),
                format!("is longer than {MAX_LABEL_CHARS} characters"),
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(self.fail(field(), "contains control characters"));
        }
        Ok(())
    }

    fn len(&self, field: &str, n: usize) -> Result<(), ChartError> {
        if n > MAX_POINTS {
            Err(self.fail(
                field,
                format!("has {n} entries; at most {MAX_POINTS} can be drawn, aggregate first"),
            ))
        } else {
            Ok(())
        }
    }

    fn increasing(
        &self,
        field: &str,
        dates: impl Iterator<Item = NaiveDate>,
    ) -> Result<(), ChartError> {
        let mut prev: Option<NaiveDate> = None;
        for (i, d) in dates.enumerate() {
            if let Some(p) = prev {
                if d <= p {
                    return Err(self.fail(
                        format!("{field}[{i}].date"),
                        format!("{d} does not come after {p}; dates must increase without repeats"),
                    ));
                }
            }
            prev = Some(d);
        }
        Ok(())
    }

    fn series(&self, field: &str, s: &[DatedValue]) -> Result<(), ChartError> {
        self.len(field, s.len())?;
        for (i, p) in s.iter().enumerate() {
            self.finite(|| format!("{field}[{i}].value"), p.value)?;
        }
        self.increasing(field, s.iter().map(|p| p.date))
    }
}

impl RevenueTrend {
    pub(crate) fn validate(&self) -> Result<(), ChartError> {
        let c = Check::new("revenue-trend");
        for (f, v) in [
            ("title", &self.title),
            ("subtitle", &self.subtitle),
            ("current_label", &self.current_label),
            ("previous_label", &self.previous_label),
        ] {
            c.text(f, v)?;
        }
        c.series("points", &self.points)?;
        c.series("previous", &self.previous)
    }
}

impl ServiceMix {
    pub(crate) fn validate(&self) -> Result<(), ChartError> {
        let c = Check::new("service-mix");
        c.text("title", &self.title)?;
        c.text("subtitle", &self.subtitle)?;
        c.len("items", self.items.len())?;
        for (i, it) in self.items.iter().enumerate() {
            c.label(|| format!("items[{i}].service"), &it.service, false)?;
            c.finite(|| format!("items[{i}].value"), it.value)?;
            if it.value < 0.0 {
                return Err(c.fail(
                    format!("items[{i}].value"),
                    format!("{} is negative; a share cannot be", it.value),
                ));
            }
        }
        if let Some(m) = self.max_items {
            if !(2..=40).contains(&m) {
                return Err(c.fail("max_items", format!("{m} is outside 2–40")));
            }
        }
        Ok(())
    }
}

impl VisitHeatmap {
    pub(crate) fn validate(&self) -> Result<(), ChartError> {
        let c = Check::new("visit-heatmap");
        c.text("title", &self.title)?;
        c.text("subtitle", &self.subtitle)?;
        c.len("cells", self.cells.len())?;
        let mut seen = BTreeSet::new();
        for (i, cell) in self.cells.iter().enumerate() {
            if cell.hour > 23 {
                return Err(c.fail(
                    format!("cells[{i}].hour"),
                    format!("{} is not an hour 0–23", cell.hour),
                ));
            }
            c.finite(|| format!("cells[{i}].count"), cell.count)?;
            if cell.count < 0.0 {
                return Err(c.fail(format!("cells[{i}].count"), "is negative"));
            }
            if !seen.insert((cell.weekday.num_days_from_monday(), cell.hour)) {
                return Err(c.fail(
                    format!("cells[{i}]"),
                    format!("{} {}시 appears twice", cell.weekday, cell.hour),
                ));
            }
        }
        for (f, h) in [("hour_from", self.hour_from), ("hour_to", self.hour_to)] {
            if let Some(h) = h.filter(|h| *h > 23) {
                return Err(c.fail(f, format!("{h} is not an hour 0–23")));
            }
        }
        if let (Some(a), Some(b)) = (self.hour_from, self.hour_to) {
            if a > b {
                return Err(c.fail("hour_from", format!("{a} is after hour_to {b}")));
            }
        }
        Ok(())
    }
}

impl SegmentScatter {
    pub(crate) fn validate(&self) -> Result<(), ChartError> {
        let c = Check::new("segment-scatter");
        c.text("title", &self.title)?;
        c.text("subtitle", &self.subtitle)?;
        c.label(|| "x_label".into(), &self.x_label, true)?;
        c.label(|| "y_label".into(), &self.y_label, true)?;
        c.len("points", self.points.len())?;
        for (i, p) in self.points.iter().enumerate() {
            c.finite(|| format!("points[{i}].x"), p.x)?;
            c.finite(|| format!("points[{i}].y"), p.y)?;
        }
        let mut seen = BTreeSet::new();
        for (i, p) in self.personas.iter().enumerate() {
            c.label(|| format!("personas[{i}].name"), &p.name, false)?;
            if !seen.insert(p.cluster) {
                return Err(c.fail(
                    format!("personas[{i}].cluster"),
                    format!("cluster {} is named twice", p.cluster),
                ));
            }
        }
        Ok(())
    }
}

impl Forecast {
    pub(crate) fn validate(&self) -> Result<(), ChartError> {
        let c = Check::new("forecast");
        c.text("title", &self.title)?;
        c.text("subtitle", &self.subtitle)?;
        c.series("history", &self.history)?;
        c.len("forecast", self.forecast.len())?;
        for (i, p) in self.forecast.iter().enumerate() {
            for (name, v) in [
                ("value", p.value),
                ("lower_80", p.lower_80),
                ("upper_80", p.upper_80),
                ("lower_95", p.lower_95),
                ("upper_95", p.upper_95),
            ] {
                c.finite(|| format!("forecast[{i}].{name}"), v)?;
            }
            if !(p.lower_95 <= p.lower_80 && p.lower_80 <= p.upper_80 && p.upper_80 <= p.upper_95) {
                return Err(c.fail(
                    format!("forecast[{i}]"),
                    "intervals must nest: lower_95 ≤ lower_80 ≤ upper_80 ≤ upper_95",
                ));
            }
        }
        c.increasing("forecast", self.forecast.iter().map(|p| p.date))?;
        if let (Some(last), Some(first)) = (self.history.last(), self.forecast.first()) {
            if first.date <= last.date {
                return Err(c.fail(
                    "forecast[0].date",
                    format!(
                        "{} is not after the last history date {}",
                        first.date, last.date
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl ChurnRisk {
    pub(crate) fn thresholds(&self) -> (f64, f64) {
        (
            self.medium_from.unwrap_or(0.3),
            self.high_from.unwrap_or(0.6),
        )
    }

    pub(crate) fn validate(&self) -> Result<(), ChartError> {
        let c = Check::new("churn-risk");
        c.text("title", &self.title)?;
        c.text("subtitle", &self.subtitle)?;
        if self.probabilities.len() > MAX_HISTOGRAM_VALUES {
            return Err(c.fail(
                "probabilities",
                format!(
                    "has {} entries; at most {MAX_HISTOGRAM_VALUES} are counted",
                    self.probabilities.len()
                ),
            ));
        }
        for (i, p) in self.probabilities.iter().enumerate() {
            c.finite(|| format!("probabilities[{i}]"), *p)?;
            if !(0.0..=1.0).contains(p) {
                return Err(c.fail(
                    format!("probabilities[{i}]"),
                    format!("{p} is not a probability 0–1"),
                ));
            }
        }
        let (m, h) = self.thresholds();
        c.finite(|| "medium_from".into(), m)?;
        c.finite(|| "high_from".into(), h)?;
        if !(0.0 < m && m < h && h <= 1.0) {
            return Err(c.fail(
                "medium_from",
                format!("thresholds {m} and {h} must satisfy 0 < medium_from < high_from ≤ 1"),
            ));
        }
        Ok(())
    }
}

impl AllergenDistribution {
    pub(crate) fn validate(&self) -> Result<(), ChartError> {
        let c = Check::new("allergen-distribution");
        c.text("title", &self.title)?;
        c.text("subtitle", &self.subtitle)?;
        c.len("items", self.items.len())?;
        let mut seen = BTreeSet::new();
        for (i, it) in self.items.iter().enumerate() {
            c.label(|| format!("items[{i}].allergen"), &it.allergen, false)?;
            if !seen.insert(it.allergen.trim()) {
                return Err(c.fail(
                    format!("items[{i}].allergen"),
                    format!("{} appears twice", it.allergen),
                ));
            }
        }
        if let Some(t) = self.top {
            if !(1..=40).contains(&t) {
                return Err(c.fail("top", format!("{t} is outside 1–40")));
            }
        }
        if let Some(total) = self.total_tested {
            if let Some((i, it)) = self
                .items
                .iter()
                .enumerate()
                .find(|(_, it)| it.count > total)
            {
                return Err(c.fail(
                    format!("items[{i}].count"),
                    format!("{} is more than total_tested {total}", it.count),
                ));
            }
        }
        Ok(())
    }
}

impl GradeDistribution {
    pub(crate) fn validate(&self) -> Result<(), ChartError> {
        let c = Check::new("grade-distribution");
        c.text("title", &self.title)?;
        c.text("subtitle", &self.subtitle)?;
        let mut seen = BTreeSet::new();
        for (i, g) in self.counts.iter().enumerate() {
            if g.grade > 6 {
                return Err(c.fail(
                    format!("counts[{i}].grade"),
                    format!("{} is not a grade 0–6", g.grade),
                ));
            }
            if !seen.insert(g.grade) {
                return Err(c.fail(
                    format!("counts[{i}].grade"),
                    format!("grade {} appears twice", g.grade),
                ));
            }
        }
        Ok(())
    }

    /// Counts indexed by grade.
    pub(crate) fn by_grade(&self) -> [u64; 7] {
        let mut out = [0u64; 7];
        for g in &self.counts {
            if let Some(slot) = out.get_mut(usize::from(g.grade)) {
                *slot += g.count;
            }
        }
        out
    }
}
