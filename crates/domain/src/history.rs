//! A customer's history as the analytics read it: their live (not cancelled) visits and
//! purchases, in plain values. The store builds it from the facts; the analytics, the models
//! and the charts only ever see this shape, so each of them is tested on hand-made histories.

use crate::ServiceType;
use chrono::{NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// One visit that was not cancelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitFact {
    pub date: NaiveDate,
    /// The hour (0–23, clinic local time, KST) the visit started, when the record tells it:
    /// the time it was recorded minus its duration.
    pub hour: Option<u8>,
    pub service: ServiceType,
    pub duration_minutes: i64,
    /// KRW paid at the visit; 0 when a package session paid for it.
    pub amount: i64,
    /// 1–5, when the customer gave one.
    pub rating: Option<i64>,
    /// Paid from a package session.
    pub from_package: bool,
}

/// The KST hour a visit was recorded, when it was recorded on its own day — the same rule the
/// store's day roll-ups apply in SQL (`clinic_stats::VISIT_HOUR`): a UTC timestamp of the
/// visit's date before 15:00 is KST 09:00–23:59 of that date; anything else (entered on another
/// day, or before the clinic opens) says nothing about when the visit took place.
pub fn visit_hour(created_at: &str, service_date: NaiveDate) -> Option<u8> {
    let date = created_at.get(0..10)?;
    let hour: u8 = created_at.get(11..13)?.parse().ok()?;
    (date == service_date.to_string() && hour < 15).then_some(hour + 9)
}

impl VisitFact {
    pub fn weekday(&self) -> Weekday {
        chrono::Datelike::weekday(&self.date)
    }
}

/// One package purchase that was not cancelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurchaseFact {
    pub date: NaiveDate,
    pub package_id: String,
    pub package_name: String,
    /// KRW.
    pub price_paid: i64,
    pub total_sessions: i64,
    /// The services the package covers.
    pub services: Vec<ServiceType>,
}

/// Everything the analytics know about one customer. `visits` and `purchases` are sorted by
/// date, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerHistory {
    pub customer_id: String,
    /// The day they registered.
    pub registered: NaiveDate,
    pub birth_year: Option<i32>,
    /// `male`, `female` or `other`, when known.
    pub gender: Option<String>,
    /// `basic`, `premium` or `vip`.
    pub membership_level: String,
    pub preferred_services: Vec<ServiceType>,
    pub visits: Vec<VisitFact>,
    pub purchases: Vec<PurchaseFact>,
}

impl CustomerHistory {
    /// All the money the customer brought: visits paid on the spot plus package purchases.
    pub fn revenue(&self) -> i64 {
        self.visits.iter().map(|v| v.amount).sum::<i64>()
            + self.purchases.iter().map(|p| p.price_paid).sum::<i64>()
    }

    /// The history as it was at the end of `day` (for time-based splits: train on what was
    /// known then, judge on what came after).
    pub fn as_of(&self, day: NaiveDate) -> CustomerHistory {
        CustomerHistory {
            visits: self
                .visits
                .iter()
                .filter(|v| v.date <= day)
                .cloned()
                .collect(),
            purchases: self
                .purchases
                .iter()
                .filter(|p| p.date <= day)
                .cloned()
                .collect(),
            ..self.clone()
        }
    }

    pub fn last_visit(&self) -> Option<NaiveDate> {
        self.visits.last().map(|v| v.date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    fn visit(date: &str, amount: i64) -> VisitFact {
        VisitFact {
            date: day(date),
            hour: Some(10),
            service: ServiceType::Brain,
            duration_minutes: 40,
            amount,
            rating: None,
            from_package: amount == 0,
        }
    }

    #[test]
    fn the_hour_is_known_only_for_a_visit_recorded_on_its_day() {
        let d = day("2026-12-07");
        assert_eq!(visit_hour("2026-12-07T01:50:00.000Z", d), Some(10));
        assert_eq!(visit_hour("2026-12-07T14:59:00Z", d), Some(23));
        assert_eq!(visit_hour("2026-12-07T15:00:00Z", d), None, "next KST day");
        assert_eq!(visit_hour("2026-12-08T01:00:00Z", d), None, "entered later");
        assert_eq!(visit_hour("garbage", d), None);
    }

    #[test]
    fn as_of_keeps_only_what_was_known_that_day() {
        let h = CustomerHistory {
            customer_id: "c".into(),
            registered: day("2026-01-01"),
            birth_year: None,
            gender: None,
            membership_level: "basic".into(),
            preferred_services: vec![],
            visits: vec![visit("2026-01-05", 60_000), visit("2026-02-05", 0)],
            purchases: vec![PurchaseFact {
                date: day("2026-02-01"),
                package_id: "p".into(),
                package_name: "패키지".into(),
                price_paid: 500_000,
                total_sessions: 10,
                services: vec![ServiceType::Brain],
            }],
        };
        assert_eq!(h.revenue(), 560_000);
        let jan = h.as_of(day("2026-01-31"));
        assert_eq!(jan.visits.len(), 1);
        assert!(jan.purchases.is_empty());
        assert_eq!(jan.revenue(), 60_000);
        assert_eq!(jan.last_visit(), Some(day("2026-01-05")));
    }
}
