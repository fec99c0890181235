//! Service sessions (visits): append-only events. A visit may consume one session of a
//! package; a cancellation is a separate compensating event, never an edit.

use crate::error::{DomainError, DomainResult};
use crate::fields::*;
use crate::messages::Msg;
use crate::service::ServiceType;
use chrono::NaiveDate;
use serde_json::{json, Value};

/// A validated "record a visit" request.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitRequest {
    pub service_type: ServiceType,
    pub service_date: NaiveDate,
    pub package_usage_id: Option<String>,
    pub duration_minutes: i64,
    pub satisfaction_rating: Option<i64>,
    pub session_notes: Option<String>,
    pub staff_name: Option<String>,
}

impl VisitRequest {
    /// What the visit itself costs: nothing when a package pays for it, else the list price.
    pub fn amount(&self) -> i64 {
        if self.package_usage_id.is_some() {
            0
        } else {
            self.service_type.info().price
        }
    }
}

/// Validates a "record a visit" body; every field error is answered at once.
pub fn parse_visit(body: &Value, today: NaiveDate) -> DomainResult<VisitRequest> {
    let obj = object(body)?;
    let mut p = Problems::new();
    p.take(reject_unknown(
        obj,
        &[
            "service_type",
            "service_date",
            "package_usage_id",
            "duration_minutes",
            "satisfaction_rating",
            "session_notes",
            "staff_name",
        ],
        "",
    ));
    let null = Value::Null;
    let get = |k: &str| obj.get(k).unwrap_or(&null);
    let service_type = p
        .take(required_enum(
            "service_type",
            obj.get("service_type"),
            &ServiceType::CODES,
        ))
        .and_then(|code| ServiceType::parse(&code));
    let service_date = p
        .take(opt_date("service_date", get("service_date")))
        .flatten()
        .unwrap_or(today);
    if service_date > today {
        p.push(DomainError::field_error("service_date", Msg::FutureVisit));
    }
    let package_usage_id = p.take(opt_text("package_usage_id", get("package_usage_id"), 64));
    let duration = p.take(opt_int("duration_minutes", get("duration_minutes"), 1, 480));
    let satisfaction_rating = p.take(opt_int(
        "satisfaction_rating",
        get("satisfaction_rating"),
        1,
        5,
    ));
    let session_notes = p.take(opt_text("session_notes", get("session_notes"), 1000));
    let staff_name = p.take(opt_name("staff_name", get("staff_name"), 50));
    p.finish()?;
    // Past `finish`, every reader succeeded: the `None`s below are absent values.
    let service_type = service_type.ok_or_else(|| {
        DomainError::field_error(
            "service_type",
            Msg::Required {
                field: "service_type".into(),
            },
        )
    })?;
    Ok(VisitRequest {
        service_type,
        service_date,
        package_usage_id: package_usage_id.flatten(),
        duration_minutes: duration
            .flatten()
            .unwrap_or(service_type.info().duration_minutes),
        satisfaction_rating: satisfaction_rating.flatten(),
        session_notes: session_notes.flatten(),
        staff_name: staff_name.flatten(),
    })
}

/// A recorded visit as the API shows it (seed 000 `serviceHistory` item).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub id: String,
    pub customer_id: String,
    pub service_type: ServiceType,
    pub service_date: NaiveDate,
    pub duration_minutes: i64,
    pub satisfaction_rating: Option<i64>,
    pub session_notes: Option<String>,
    pub staff_name: Option<String>,
    pub package_usage_id: Option<String>,
    pub package_name: Option<String>,
    pub amount: i64,
    pub created_at: String,
    pub cancelled_at: Option<String>,
    pub cancel_reason: Option<String>,
}

impl SessionRecord {
    pub fn to_json(&self) -> Value {
        json!({
            "session_id": self.id,
            "customer_id": self.customer_id,
            "service_date": self.service_date.to_string(),
            "service_type": self.service_type.as_str(),
            "service_name": self.service_type.info().name,
            "duration_minutes": self.duration_minutes,
            "satisfaction_rating": self.satisfaction_rating,
            "session_notes": self.session_notes,
            "staff_name": self.staff_name,
            "package_usage_id": self.package_usage_id,
            "package_name": self.package_name,
            "amount": self.amount,
            "cancelled": self.cancelled_at.is_some(),
            "cancelled_at": self.cancelled_at,
            "cancel_reason": self.cancel_reason,
            "created_at": self.created_at,
        })
    }
}

pub fn parse_cancel_reason(body: &Value) -> DomainResult<Option<String>> {
    if body.is_null() {
        return Ok(None);
    }
    let obj = object(body)?;
    reject_unknown(obj, &["reason"], "")?;
    opt_text("reason", obj.get("reason").unwrap_or(&Value::Null), 500)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
    }

    #[test]
    fn visit_defaults_come_from_the_catalogue() {
        let v = parse_visit(&json!({"service_type": "brain"}), today()).unwrap();
        assert_eq!(v.service_date, today());
        assert_eq!(v.duration_minutes, 40);
        assert_eq!(
            v.amount(),
            60_000,
            "a visit without a package is paid at list price"
        );
        let v = parse_visit(
            &json!({"service_type": "brain", "package_usage_id": "p1"}),
            today(),
        )
        .unwrap();
        assert_eq!(v.amount(), 0);
    }

    #[test]
    fn a_visit_body_answers_every_field_error() {
        let e = parse_visit(
            &json!({"service_type": "sauna", "service_date": "2099-01-01", "satisfaction_rating": 9,
                    "staff_name": "", "extra": true}),
            today(),
        )
        .unwrap_err();
        let mut fields = e.field_names();
        fields.sort_unstable();
        assert_eq!(
            fields,
            vec![
                "extra",
                "satisfaction_rating",
                "service_date",
                "service_type"
            ]
        );
    }

    #[test]
    fn visit_validation() {
        let cases = [
            (json!({}), "service_type"),
            (json!({"service_type": "sauna"}), "service_type"),
            (
                json!({"service_type": "brain", "service_date": "2024-06-02"}),
                "service_date",
            ),
            (
                json!({"service_type": "brain", "service_date": "06/01/2024"}),
                "service_date",
            ),
            (
                json!({"service_type": "brain", "service_date": "-0001-01-01"}),
                "service_date",
            ),
            (
                json!({"service_type": "brain", "service_date": "0000-01-01"}),
                "service_date",
            ),
            (
                json!({"service_type": "brain", "service_date": "+2020-01-01"}),
                "service_date",
            ),
            (
                json!({"service_type": "brain", "staff_name": "\u{2066}김\u{2069}"}),
                "staff_name",
            ),
            (
                json!({"service_type": "brain", "satisfaction_rating": 6}),
                "satisfaction_rating",
            ),
            (
                json!({"service_type": "brain", "satisfaction_rating": 0}),
                "satisfaction_rating",
            ),
            (
                json!({"service_type": "brain", "duration_minutes": -5}),
                "duration_minutes",
            ),
            (
                json!({"service_type": "brain", "session_notes": "가".repeat(1001)}),
                "session_notes",
            ),
            (json!({"service_type": "brain", "price": 0}), "price"),
        ];
        for (body, field) in cases {
            assert_eq!(
                parse_visit(&body, today()).unwrap_err().field.as_deref(),
                Some(field),
                "{body}"
            );
        }
        assert!(parse_visit(&json!([]), today()).is_err());
    }

    #[test]
    fn cancel_reason_is_optional() {
        assert_eq!(parse_cancel_reason(&Value::Null).unwrap(), None);
        assert_eq!(
            parse_cancel_reason(&json!({"reason": "고객 요청"}))
                .unwrap()
                .as_deref(),
            Some("고객 요청")
        );
        assert!(parse_cancel_reason(&json!({"why": "x"})).is_err());
    }
}
