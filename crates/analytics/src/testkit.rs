//! Hand-made histories for the tests, and the checks every serialised answer must pass.

use crate::inputs::PackageSnapshot;
use chrono::NaiveDate;
use clinicdesk_domain::history::{CustomerHistory, PurchaseFact, VisitFact};
use clinicdesk_domain::ServiceType;
use serde::Serialize;
use serde_json::Value;

pub(crate) fn d(s: &str) -> NaiveDate {
    // A typo in a test's own literal should stop the test loudly.
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date literal")
}

pub(crate) fn history(registered: &str) -> CustomerHistory {
    CustomerHistory {
        customer_id: "c-1".into(),
        registered: d(registered),
        birth_year: None,
        gender: None,
        membership_level: "basic".into(),
        preferred_services: vec![],
        visits: vec![],
        purchases: vec![],
    }
}

pub(crate) fn visit(
    date: &str,
    service: ServiceType,
    amount: i64,
    rating: Option<i64>,
    hour: Option<u8>,
) -> VisitFact {
    VisitFact {
        date: d(date),
        hour,
        service,
        duration_minutes: 40,
        amount,
        rating,
        from_package: amount == 0,
    }
}

pub(crate) fn purchase(date: &str, price: i64, services: &[ServiceType]) -> PurchaseFact {
    PurchaseFact {
        date: d(date),
        package_id: "pkg".into(),
        package_name: "패키지".into(),
        price_paid: price,
        total_sessions: 10,
        services: services.to_vec(),
    }
}

pub(crate) fn package(
    name: &str,
    bought: &str,
    expiry: &str,
    total: i64,
    remaining: i64,
    services: &[ServiceType],
) -> PackageSnapshot {
    PackageSnapshot {
        package_name: name.into(),
        purchase_date: d(bought),
        expiry_date: d(expiry),
        total_sessions: total,
        remaining_sessions: remaining,
        services: services.to_vec(),
    }
}

/// Serialises `x` (which fails on any NaN or infinity, see `Num`) and checks every number
/// in the JSON is finite.
pub(crate) fn json_checked<T: Serialize>(x: &T) -> Value {
    let v = serde_json::to_value(x).expect("answer serialises (no NaN or infinity)");
    fn walk(v: &Value, path: &str) {
        match v {
            Value::Number(n) => {
                let f = n.as_f64().expect("number");
                assert!(f.is_finite(), "{path} = {f}");
            }
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| walk(x, &format!("{path}[{i}]"))),
            Value::Object(o) => o.iter().for_each(|(k, x)| walk(x, &format!("{path}.{k}"))),
            _ => {}
        }
    }
    walk(&v, "$");
    v
}

/// Every top-level `null` of a section is explained in its `unavailable` list.
pub(crate) fn nulls_explained(section: &Value) {
    let obj = section.as_object().expect("section is an object");
    let explained: Vec<&str> = obj
        .get("unavailable")
        .and_then(Value::as_array)
        .expect("section has an unavailable list")
        .iter()
        .filter_map(|u| u.get("field").and_then(Value::as_str))
        .collect();
    for (k, v) in obj {
        if v.is_null() {
            assert!(
                explained.contains(&k.as_str()),
                "{k} is null without a reason"
            );
        }
    }
}
