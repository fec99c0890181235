//! The request, response and feedback shapes. Field names follow seed 000 §3 where it shows
//! one (`type`, `recommendation_id`, `suggested_schedule`, `package_details`, the feedback
//! body's `action` and `feedback_score`); everything else is snake_case.

use crate::catalogue::{Category, Intensity};
use chrono::NaiveDate;
use clinicdesk_domain::ServiceType;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Service,
    Package,
    Schedule,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Package => "package",
            Kind::Schedule => "schedule",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        [Kind::Service, Kind::Package, Kind::Schedule]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    Collaborative,
    ContentBased,
    Hybrid,
}

impl Algorithm {
    pub const ALL: [Algorithm; 3] = [
        Algorithm::Collaborative,
        Algorithm::ContentBased,
        Algorithm::Hybrid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Collaborative => "collaborative",
            Algorithm::ContentBased => "content_based",
            Algorithm::Hybrid => "hybrid",
        }
    }

    pub fn parse(s: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// What the customer (or staff on their behalf) did with a recommendation. Seed 000 §3.2 shows
/// `accepted`; `rejected` and `ignored` complete the set so a shown-and-passed-over item can be
/// told from an explicit no.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Accepted,
    Rejected,
    Ignored,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        match s {
            "accepted" => Some(Action::Accepted),
            "rejected" => Some(Action::Rejected),
            "ignored" => Some(Action::Ignored),
            _ => None,
        }
    }
}

/// Feedback on one recommendation. The API fills `customer_id`, `kind` and `item` from the
/// recommendation the id names; `feedback_score` is the seed body's optional 1–5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub recommendation_id: String,
    pub customer_id: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    /// The item's code: a service code, a package id, or a schedule slot (`2025-12-10T10`).
    pub item: String,
    pub action: Action,
    #[serde(default)]
    pub feedback_score: Option<u8>,
    /// The day it was given (KST).
    pub at: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRef {
    /// Service code, package id, or schedule slot `YYYY-MM-DDTHH`.
    pub code: String,
    /// Korean display name.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub recommendation_id: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub item: ItemRef,
    /// 0–1: how strongly the data point to this item (not a calibrated probability).
    pub score: f64,
    /// Korean sentences, each stating a figure from the data behind the score.
    pub reasons: Vec<String>,
    pub algorithm: Algorithm,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_details: Option<ServiceDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_details: Option<PackageDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleSlot>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceDetails {
    pub service_type: ServiceType,
    pub category: Category,
    pub intensity: Intensity,
    pub duration_minutes: i64,
    pub price: i64,
    pub suggested_schedule: SuggestedSchedule,
}

/// Seed 000's `suggested_schedule`: how often and when, from the customer's own rhythm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedSchedule {
    /// "주 1회", "2주 1회".
    pub frequency: String,
    /// "40분".
    pub duration: String,
    /// "목요일 오전".
    pub best_times: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageDetails {
    pub package_id: String,
    pub sessions: BTreeMap<ServiceType, i64>,
    pub total_sessions: i64,
    pub price: i64,
    pub validity_days: i64,
    /// What the same sessions cost as single visits.
    pub list_price: i64,
    /// `list_price - price` (negative when the package costs more than single visits).
    pub savings: i64,
    /// The customer's current purchase of this same package, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holding: Option<HoldingInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldingInfo {
    pub remaining_sessions: i64,
    pub expiry_date: NaiveDate,
    pub days_remaining: i64,
    /// The domain's package status: `active`, `expiring` or `expired`.
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleSlot {
    pub date: NaiveDate,
    /// Korean weekday, "목".
    pub weekday: String,
    /// Start hour 0–23 (KST).
    pub hour: u8,
    /// "10:00"
    pub time: String,
    pub services: Vec<ServiceType>,
    pub service_names: Vec<String>,
    pub duration_minutes: i64,
}

/// What to recommend and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    #[serde(rename = "type")]
    pub kind: Kind,
    pub count: usize,
    pub algorithm: Algorithm,
}

impl Request {
    /// Seed 000's default count.
    pub const DEFAULT_COUNT: usize = 5;
    /// A list longer than this is not a recommendation any more; callers asking for more get
    /// this many.
    pub const MAX_COUNT: usize = 20;

    pub fn new(kind: Kind, count: usize, algorithm: Algorithm) -> Request {
        Request {
            kind,
            count,
            algorithm,
        }
    }
}
