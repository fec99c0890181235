//! A customer's [`Profile`]: nine numbers computed from their history as of one day, the
//! same numbers the segmentation and the churn model read, and the body of
//! `POST /api/v1/analysis` (so a manager can also ask "what would a customer like this be?").
//!
//! Why these nine: each is a question the front desk already asks about a customer, in units
//! a person can read back from a centroid ("visits 11 times a quarter, 90 % on a package"):
//!
//! | feature | unit | why |
//! | --- | --- | --- |
//! | `age` | years | the services skew by age group; optional because birth year is often not given |
//! | `tenure_days` | days since registration (cap 3650) | tells new customers from long-standing ones |
//! | `recency_days` | days since the last visit, or since registration when there was none (cap 730) | the strongest single sign of lapsing |
//! | `visits_90d` | visits in the 90 days ending that day | current intensity, on the same window as the churn label |
//! | `visits_per_month` | lifetime visits / months since first contact (cap 31) | habitual intensity; with `visits_90d` it shows a slow-down |
//! | `revenue_365d` | KRW of visits paid on the spot plus packages bought in 365 days | value to the clinic |
//! | `package_share` | share of all visits paid from a package (0–1); optional: undefined without visits | commitment: package customers pre-pay |
//! | `service_diversity` | distinct services ever used (0–5) | breadth of engagement |
//! | `avg_rating` | mean 1–5 rating given; optional: many never rate | satisfaction |
//!
//! The caps keep a handful of extreme histories (imports from 2005, a customer gone for six
//! years) from stretching the standard deviation that every other customer is scaled by.

use crate::error::{FieldError, FieldProblem, ProfileError};
use chrono::{Datelike, NaiveDate};
use clinicdesk_domain::history::CustomerHistory;
use serde::{Deserialize, Serialize};

pub const N_FEATURES: usize = 9;

/// Days without a visit beyond which a customer is simply "gone"; two years.
pub const RECENCY_CAP_DAYS: i64 = 730;
/// Ten years: older than any clinic on the product, so only bad registration dates hit it.
pub const TENURE_CAP_DAYS: i64 = 3650;
/// One visit a day, every day.
pub const VISITS_PER_MONTH_CAP: f64 = 31.0;
/// Three visits a day for 90 days: beyond any real customer, so a larger number is an error.
pub const VISITS_90D_CAP: f64 = 270.0;
/// Ten billion KRW: a typo guard, not a business limit.
pub const REVENUE_CAP: f64 = 1e10;
/// The window of `visits_90d` (and of the churn label, so the two speak about the same span).
pub const WINDOW_90D: i64 = 90;
const DAYS_PER_MONTH: f64 = 30.44;

/// The features, in the order of every vector, matrix column and artifact list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    Age,
    TenureDays,
    RecencyDays,
    Visits90d,
    VisitsPerMonth,
    Revenue365d,
    PackageShare,
    ServiceDiversity,
    AvgRating,
}

/// What the rest of the crate (and the UI) needs to know about a feature.
#[derive(Debug, Clone, Copy)]
pub struct FeatureInfo {
    pub feature: Feature,
    /// The JSON field and artifact name.
    pub name: &'static str,
    pub label_ko: &'static str,
    pub label_en: &'static str,
    /// Valid range, inclusive; computed profiles are clamped into it, posted ones refused.
    pub min: f64,
    pub max: f64,
    /// May be absent (then imputed with the training mean).
    pub optional: bool,
    /// Imputation value used only when no training customer has the value at all: then the
    /// column is constant, so its value moves every centroid equally and cannot change an
    /// assignment; the midpoint of a plausible range keeps printed profiles readable.
    pub fallback: f64,
}

pub const FEATURES: [FeatureInfo; N_FEATURES] = [
    FeatureInfo {
        feature: Feature::Age,
        name: "age",
        label_ko: "나이",
        label_en: "age",
        min: 0.0,
        max: 120.0,
        optional: true,
        fallback: 45.0,
    },
    FeatureInfo {
        feature: Feature::TenureDays,
        name: "tenure_days",
        label_ko: "가입 기간",
        label_en: "tenure",
        min: 0.0,
        max: TENURE_CAP_DAYS as f64,
        optional: false,
        fallback: 0.0,
    },
    FeatureInfo {
        feature: Feature::RecencyDays,
        name: "recency_days",
        label_ko: "마지막 방문 후 경과일",
        label_en: "days since last visit",
        min: 0.0,
        max: RECENCY_CAP_DAYS as f64,
        optional: false,
        fallback: 0.0,
    },
    FeatureInfo {
        feature: Feature::Visits90d,
        name: "visits_90d",
        label_ko: "최근 90일 방문 횟수",
        label_en: "visits in the last 90 days",
        min: 0.0,
        max: VISITS_90D_CAP,
        optional: false,
        fallback: 0.0,
    },
    FeatureInfo {
        feature: Feature::VisitsPerMonth,
        name: "visits_per_month",
        label_ko: "월평균 방문 횟수",
        label_en: "visits per month",
        min: 0.0,
        max: VISITS_PER_MONTH_CAP,
        optional: false,
        fallback: 0.0,
    },
    FeatureInfo {
        feature: Feature::Revenue365d,
        name: "revenue_365d",
        label_ko: "최근 1년 결제액",
        label_en: "revenue in the last 365 days",
        min: 0.0,
        max: REVENUE_CAP,
        optional: false,
        fallback: 0.0,
    },
    FeatureInfo {
        feature: Feature::PackageShare,
        name: "package_share",
        label_ko: "패키지 이용 비중",
        label_en: "share of visits paid by package",
        min: 0.0,
        max: 1.0,
        optional: true,
        fallback: 0.5,
    },
    FeatureInfo {
        feature: Feature::ServiceDiversity,
        name: "service_diversity",
        label_ko: "이용 서비스 종류",
        label_en: "distinct services used",
        min: 0.0,
        max: 5.0,
        optional: false,
        fallback: 0.0,
    },
    FeatureInfo {
        feature: Feature::AvgRating,
        name: "avg_rating",
        label_ko: "평균 만족도",
        label_en: "average rating",
        min: 1.0,
        max: 5.0,
        optional: true,
        fallback: 3.0,
    },
];

impl Feature {
    pub const ALL: [Feature; N_FEATURES] = [
        Feature::Age,
        Feature::TenureDays,
        Feature::RecencyDays,
        Feature::Visits90d,
        Feature::VisitsPerMonth,
        Feature::Revenue365d,
        Feature::PackageShare,
        Feature::ServiceDiversity,
        Feature::AvgRating,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn info(self) -> &'static FeatureInfo {
        &FEATURES[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The value in its own unit, the way a person reads it ("11.8회", "93%", "1,250,000원").
    pub fn format_ko(self, value: f64) -> String {
        match self {
            Feature::Age => format!("{value:.0}세"),
            Feature::TenureDays | Feature::RecencyDays => format!("{value:.0}일"),
            Feature::Visits90d | Feature::VisitsPerMonth => format!("{value:.1}회"),
            Feature::Revenue365d => format!("{}원", group_thousands(value)),
            Feature::PackageShare => format!("{:.0}%", value * 100.0),
            Feature::ServiceDiversity => format!("{value:.1}종"),
            Feature::AvgRating => format!("{value:.1}점"),
        }
    }

    pub fn format_en(self, value: f64) -> String {
        match self {
            Feature::Age => format!("{value:.0} y"),
            Feature::TenureDays | Feature::RecencyDays => format!("{value:.0} d"),
            Feature::Visits90d | Feature::VisitsPerMonth => format!("{value:.1}"),
            Feature::Revenue365d => format!("KRW {}", group_thousands(value)),
            Feature::PackageShare => format!("{:.0}%", value * 100.0),
            Feature::ServiceDiversity => format!("{value:.1}"),
            Feature::AvgRating => format!("{value:.1}/5"),
        }
    }
}

fn group_thousands(value: f64) -> String {
    let rounded = value.round();
    let negative = rounded < 0.0;
    let digits = format!("{:.0}", rounded.abs());
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if negative {
        format!("-{out}")
    } else {
        out
    }
}

/// The feature names in order, as stored in an artifact.
pub fn feature_names() -> Vec<String> {
    FEATURES.iter().map(|f| f.name.to_string()).collect()
}

/// One customer (real or hypothetical) as the models see them. Field names are the JSON body
/// of `POST /api/v1/analysis`; unknown fields are refused so a typo cannot silently become an
/// imputed value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Profile {
    #[serde(default)]
    pub age: Option<f64>,
    pub tenure_days: f64,
    pub recency_days: f64,
    pub visits_90d: f64,
    pub visits_per_month: f64,
    pub revenue_365d: f64,
    #[serde(default)]
    pub package_share: Option<f64>,
    pub service_diversity: f64,
    #[serde(default)]
    pub avg_rating: Option<f64>,
}

/// A feature vector before imputation.
pub type RawRow = [Option<f64>; N_FEATURES];

impl Profile {
    /// The customer as known at the end of `day`: later visits and purchases are ignored, so
    /// the same function builds training rows at a past cut-off and serving rows today.
    pub fn from_history(h: &CustomerHistory, day: NaiveDate) -> Profile {
        let mut n_visits = 0usize;
        let mut visits_90d = 0usize;
        let mut from_package = 0usize;
        let mut first_visit: Option<NaiveDate> = None;
        let mut last_visit: Option<NaiveDate> = None;
        let mut revenue = 0i128;
        let mut services = [false; 5];
        let mut rating_sum = 0i64;
        let mut rating_n = 0i64;
        // History is documented as sorted, but min/max instead of first/last keeps a badly
        // ordered import from producing negative recencies.
        for v in h.visits.iter().filter(|v| v.date <= day) {
            n_visits += 1;
            let age_days = (day - v.date).num_days();
            if age_days < WINDOW_90D {
                visits_90d += 1;
            }
            if age_days < 365 {
                revenue += i128::from(v.amount);
            }
            if v.from_package {
                from_package += 1;
            }
            first_visit = Some(first_visit.map_or(v.date, |d| d.min(v.date)));
            last_visit = Some(last_visit.map_or(v.date, |d| d.max(v.date)));
            if let Some(i) = clinicdesk_domain::ServiceType::ALL
                .iter()
                .position(|s| *s == v.service)
            {
                services[i] = true;
            }
            // A rating outside 1–5 is a data error; skipping it keeps the mean meaningful.
            if let Some(r) = v.rating.filter(|r| (1..=5).contains(r)) {
                rating_sum += r;
                rating_n += 1;
            }
        }
        for p in h.purchases.iter().filter(|p| p.date <= day) {
            if (day - p.date).num_days() < 365 {
                revenue += i128::from(p.price_paid);
            }
        }

        let tenure_raw = (day - h.registered).num_days().max(0);
        let recency_raw = match last_visit {
            Some(d) => (day - d).num_days(),
            // Never visited: absent since registration.
            None => tenure_raw,
        };
        // Imports sometimes carry visits from before the registration date; the months a
        // customer has been coming count from whichever came first.
        let since = first_visit.map_or(h.registered, |d| d.min(h.registered));
        let months = ((day - since).num_days().max(30) as f64) / DAYS_PER_MONTH;

        let age = h
            .birth_year
            .map(|y| f64::from(day.year() - y))
            .filter(|a| (0.0..=120.0).contains(a));

        Profile {
            age,
            tenure_days: tenure_raw.min(TENURE_CAP_DAYS) as f64,
            recency_days: recency_raw.clamp(0, RECENCY_CAP_DAYS) as f64,
            visits_90d: (visits_90d as f64).min(VISITS_90D_CAP),
            visits_per_month: (n_visits as f64 / months).min(VISITS_PER_MONTH_CAP),
            revenue_365d: (revenue as f64).clamp(0.0, REVENUE_CAP),
            package_share: (n_visits > 0).then(|| from_package as f64 / n_visits as f64),
            service_diversity: services.iter().filter(|s| **s).count() as f64,
            avg_rating: (rating_n > 0).then(|| rating_sum as f64 / rating_n as f64),
        }
    }

    /// The values in feature order, `None` where an optional value is missing.
    pub fn raw(&self) -> RawRow {
        [
            self.age,
            Some(self.tenure_days),
            Some(self.recency_days),
            Some(self.visits_90d),
            Some(self.visits_per_month),
            Some(self.revenue_365d),
            self.package_share,
            Some(self.service_diversity),
            self.avg_rating,
        ]
    }

    /// Rebuild a profile from a complete vector in feature order (e.g. a centroid in raw
    /// units).
    pub fn from_values(v: &[f64; N_FEATURES]) -> Profile {
        Profile {
            age: Some(v[0]),
            tenure_days: v[1],
            recency_days: v[2],
            visits_90d: v[3],
            visits_per_month: v[4],
            revenue_365d: v[5],
            package_share: Some(v[6]),
            service_diversity: v[7],
            avg_rating: Some(v[8]),
        }
    }

    /// Every field that is not finite or is outside its range.
    pub fn validate(&self) -> Result<(), ProfileError> {
        let errors: Vec<FieldError> = FEATURES
            .iter()
            .zip(self.raw())
            .filter_map(|(info, value)| {
                let value = value?;
                let problem = if !value.is_finite() {
                    FieldProblem::NotFinite
                } else if value < info.min || value > info.max {
                    FieldProblem::OutOfRange {
                        value,
                        min: info.min,
                        max: info.max,
                    }
                } else {
                    return None;
                };
                Some(FieldError {
                    field: info.name,
                    problem,
                })
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ProfileError { errors })
        }
    }
}

/// Fill the gaps of a row with the given means.
pub fn impute(row: &RawRow, means: &[f64]) -> [f64; N_FEATURES] {
    let mut out = [0.0; N_FEATURES];
    for (i, v) in row.iter().enumerate() {
        out[i] = v.unwrap_or(means[i]);
    }
    out
}

/// Per-feature mean over the rows that have the value; the feature's fallback when none do.
pub fn imputation_means(rows: &[RawRow]) -> Vec<f64> {
    (0..N_FEATURES)
        .map(|j| {
            let (sum, n) = rows
                .iter()
                .filter_map(|r| r[j])
                .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
            if n == 0 {
                FEATURES[j].fallback
            } else {
                sum / n as f64
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clinicdesk_domain::history::{PurchaseFact, VisitFact};
    use clinicdesk_domain::ServiceType;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    fn visit(date: &str, service: ServiceType, amount: i64, rating: Option<i64>) -> VisitFact {
        VisitFact {
            date: day(date),
            hour: Some(10),
            service,
            duration_minutes: 30,
            amount,
            rating,
            from_package: amount == 0,
        }
    }

    fn history(visits: Vec<VisitFact>, purchases: Vec<PurchaseFact>) -> CustomerHistory {
        CustomerHistory {
            customer_id: "c1".into(),
            registered: day("2025-01-01"),
            birth_year: Some(1980),
            gender: None,
            membership_level: "basic".into(),
            preferred_services: vec![],
            visits,
            purchases,
        }
    }

    #[test]
    fn profile_from_history_counts_each_feature_as_documented() {
        let h = history(
            vec![
                visit("2025-01-10", ServiceType::Brain, 60_000, Some(5)),
                visit("2025-11-20", ServiceType::Pulse, 0, Some(3)),
                visit("2026-01-15", ServiceType::Pulse, 0, None),
                visit("2026-02-20", ServiceType::Red, 40_000, Some(9)),
                // After the as-of day: must be ignored everywhere.
                visit("2026-03-10", ServiceType::AiBike, 30_000, Some(1)),
            ],
            vec![PurchaseFact {
                date: day("2025-11-01"),
                package_id: "p".into(),
                package_name: "펄스 10회".into(),
                price_paid: 450_000,
                total_sessions: 10,
                services: vec![ServiceType::Pulse],
            }],
        );
        let p = Profile::from_history(&h, day("2026-03-01"));
        assert_eq!(p.age, Some(46.0));
        assert_eq!(p.tenure_days, 424.0);
        assert_eq!(p.recency_days, 9.0);
        // 2026-01-15 is 45 days back, 2025-11-20 is 101 days back.
        assert_eq!(p.visits_90d, 2.0);
        assert!((p.visits_per_month - 4.0 / (424.0 / 30.44)).abs() < 1e-12);
        // 2025-01-10 is more than 365 days back; the package of 2025-11-01 is inside.
        assert_eq!(p.revenue_365d, 450_000.0 + 40_000.0);
        assert_eq!(p.package_share, Some(0.5));
        assert_eq!(p.service_diversity, 3.0);
        // The 9 is not a rating; the mean is over 5 and 3.
        assert_eq!(p.avg_rating, Some(4.0));
        assert!(p.validate().is_ok());
    }

    #[test]
    fn a_customer_without_visits_has_recency_since_registration_and_no_share() {
        let h = history(vec![], vec![]);
        let p = Profile::from_history(&h, day("2025-03-02"));
        assert_eq!(p.recency_days, 60.0);
        assert_eq!(p.tenure_days, 60.0);
        assert_eq!(p.package_share, None);
        assert_eq!(p.avg_rating, None);
        assert_eq!(p.visits_per_month, 0.0);
        // Years later the recency is capped so one ghost account cannot stretch the scale.
        let later = Profile::from_history(&h, day("2031-01-01"));
        assert_eq!(later.recency_days, RECENCY_CAP_DAYS as f64);
        assert!(later.validate().is_ok());
        // Registered after the as-of day: zero tenure rather than a negative one.
        let before = Profile::from_history(&h, day("2024-12-01"));
        assert_eq!(before.tenure_days, 0.0);
        assert_eq!(before.recency_days, 0.0);
    }

    #[test]
    fn validation_names_every_bad_field() {
        let mut p = Profile {
            age: Some(35.0),
            tenure_days: 100.0,
            recency_days: 5.0,
            visits_90d: 4.0,
            visits_per_month: 1.5,
            revenue_365d: 300_000.0,
            package_share: Some(0.2),
            service_diversity: 2.0,
            avg_rating: None,
        };
        assert!(p.validate().is_ok());
        p.package_share = Some(1.5);
        p.visits_90d = f64::NAN;
        p.age = Some(-1.0);
        let err = p.validate().expect_err("three bad fields");
        assert_eq!(err.fields(), vec!["age", "visits_90d", "package_share"]);
        assert_eq!(err.errors[1].problem, FieldProblem::NotFinite);
        assert_eq!(
            err.errors[2].problem,
            FieldProblem::OutOfRange {
                value: 1.5,
                min: 0.0,
                max: 1.0
            }
        );
        let text = err.to_string();
        assert!(text.contains("package_share") && text.contains("허용 범위"));
    }

    #[test]
    fn posted_json_uses_snake_case_and_refuses_unknown_fields() {
        let ok: Profile = serde_json::from_str(
            r#"{"tenure_days":30,"recency_days":2,"visits_90d":3,"visits_per_month":3,
                "revenue_365d":150000,"service_diversity":1}"#,
        )
        .expect("optional fields may be left out");
        assert_eq!(ok.age, None);
        assert!(serde_json::from_str::<Profile>(
            r#"{"tenure_days":30,"recency_days":2,"visits_90d":3,"visits_per_month":3,
                "revenue_365d":150000,"service_diversity":1,"Age":30}"#
        )
        .is_err());
    }

    #[test]
    fn imputation_uses_present_values_and_falls_back_when_none_exist() {
        let rows: Vec<RawRow> = vec![
            [
                Some(30.0),
                Some(1.0),
                Some(1.0),
                Some(1.0),
                Some(1.0),
                Some(1.0),
                None,
                Some(1.0),
                None,
            ],
            [
                None,
                Some(3.0),
                Some(1.0),
                Some(1.0),
                Some(1.0),
                Some(1.0),
                None,
                Some(1.0),
                None,
            ],
            [
                Some(50.0),
                Some(5.0),
                Some(1.0),
                Some(1.0),
                Some(1.0),
                Some(1.0),
                None,
                Some(1.0),
                None,
            ],
        ];
        let means = imputation_means(&rows);
        assert_eq!(means[0], 40.0);
        assert_eq!(means[1], 3.0);
        assert_eq!(means[6], FEATURES[6].fallback);
        let filled = impute(&rows[1], &means);
        assert_eq!(filled[0], 40.0);
        assert_eq!(filled[1], 3.0);
    }

    #[test]
    fn feature_table_is_in_enum_order_and_formats_read_well() {
        for (i, f) in Feature::ALL.iter().enumerate() {
            assert_eq!(f.index(), i);
            assert_eq!(f.info().feature, *f);
        }
        assert_eq!(Feature::Revenue365d.format_ko(1_250_000.4), "1,250,000원");
        assert_eq!(Feature::PackageShare.format_ko(0.934), "93%");
        assert_eq!(group_thousands(999.0), "999");
        assert_eq!(group_thousands(1000.0), "1,000");
    }
}
