//! ClinicDesk's analytics maths: the numbers managers read about customers and the clinic,
//! as pure functions of plain inputs (a customer's history, daily roll-up rows, a population
//! to compare with, a churn model's answer). No IO and no clock: `today` is a parameter.
//! Every result serialises to the API's JSON; a number that cannot be given honestly is
//! `null` with its reason, never a made-up 0, NaN or infinity. Definitions: README.md.
//!
//! - [`customer`]: `GET /customers/{id}/analytics` (seed 000 §2.1)
//! - [`segments`]: peer comparison for `GET /customers/segments/{id}` (seed 000 §2.2)
//! - [`dashboard`]: the clinic dashboard (seed 003 §2.1)
//! - [`behavior`]: customer behaviour, churn and next best actions (seed 003 §2.2)

pub mod behavior;
pub mod customer;
pub mod dashboard;
pub mod error;
pub mod inputs;
pub mod num;
pub mod period;
pub mod population;
pub mod segments;
pub mod signals;

#[cfg(test)]
mod testkit;

pub use behavior::{customer_behavior, CustomerBehavior};
pub use customer::{customer_analytics, CustomerAnalytics, Metric, MetricSet};
pub use dashboard::{dashboard, CustomerActivity, DailyRow, Dashboard};
pub use error::AnalyticsError;
pub use inputs::{
    ChurnInput, ChurnRisk, CustomerExtras, HealthMetric, PackageSnapshot, SelfReport,
    SELF_REPORT_MAX, SELF_REPORT_MIN,
};
pub use num::Num;
pub use period::{AnalysisPeriod, DashboardPeriod, DashboardRange, DateRange};
pub use population::{PeerSummary, Population};
pub use segments::{segment_comparison, SegmentComparison};
pub use signals::{Level, NextAction, RetentionScore, RiskFactor, Unavailable};
