//! Service sessions (visits): append-only events. A visit may consume one session of a
//! package; a cancellation is a separate compensating event, never an edit.

use crate::error::{DomainError, DomainResult, ErrorCode};
use crate::fields::*;
use crate::follow_up::{kst_day, kst_day_start};
use crate::messages::Msg;
use crate::package::PAYMENT_METHODS;
use crate::service::ServiceType;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{json, Value};

/// A validated "record a visit" request.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitRequest {
    pub service_type: ServiceType,
    pub service_date: NaiveDate,
    pub package_usage_id: Option<String>,
    /// How a paid visit was paid; a visit a package pays for has none.
    pub payment_method: Option<String>,
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
            "payment_method",
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
    let payment_method = p.take(opt_enum(
        "payment_method",
        get("payment_method"),
        &PAYMENT_METHODS,
    ));
    // A visit without a package is paid at the list price, and only ever because the person
    // chose it and said how it was paid; a package visit takes no money.
    match (&package_usage_id, &payment_method) {
        (Some(None), Some(None)) => p.push(DomainError::field_error(
            "payment_method",
            Msg::PaymentMethodRequired,
        )),
        (Some(Some(_)), Some(Some(_))) => p.push(DomainError::field_error(
            "payment_method",
            Msg::PaymentMethodNotForPackage,
        )),
        _ => {}
    }
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
        payment_method: payment_method.flatten(),
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
    pub payment_method: Option<String>,
    /// The user id of who recorded it (none for imported and demo history).
    pub created_by: Option<String>,
    pub created_at: String,
    pub cancelled_at: Option<String>,
    pub cancel_reason: Option<String>,
    /// The display name of who cancelled it.
    pub cancelled_by: Option<String>,
}

/// How long the person who recorded a visit may void it themselves; after that (or once the
/// clinic day has changed) only a manager cancels it.
pub const VOID_WINDOW_MINUTES: i64 = 10;

/// The end of the window in which a visit recorded at `created_at` may be voided by its
/// recorder: ten minutes, and never past the end of that clinic day.
pub fn void_until(created_at: &str) -> Option<DateTime<Utc>> {
    let created = DateTime::parse_from_rfc3339(created_at)
        .ok()?
        .with_timezone(&Utc);
    let day_end = kst_day_start(kst_day(created) + Duration::days(1));
    Some((created + Duration::minutes(VOID_WINDOW_MINUTES)).min(day_end))
}

/// Whether `user_id`, who is not a manager, may void this visit at `now`.
pub fn check_own_void(s: &SessionRecord, user_id: &str, now: DateTime<Utc>) -> DomainResult<()> {
    if s.created_by.as_deref() != Some(user_id) {
        return Err(DomainError::new(ErrorCode::VisitVoidNotOwn));
    }
    match void_until(&s.created_at) {
        Some(until) if now < until => Ok(()),
        until => Err(
            DomainError::new(ErrorCode::VisitVoidWindowPassed).with_details(json!({
                "void_until": until.map(|u| u.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
            })),
        ),
    }
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
            "payment_method": self.payment_method,
            "cancelled": self.cancelled_at.is_some(),
            "cancelled_at": self.cancelled_at,
            "cancel_reason": self.cancel_reason,
            "cancelled_by": self.cancelled_by,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "void_until": void_until(&self.created_at)
                .map(|u| u.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
        })
    }
}

/// Why a visit is cancelled: required, so the history can say it.
pub fn parse_cancel_reason(body: &Value) -> DomainResult<String> {
    let obj = object(body)?;
    let mut p = Problems::new();
    p.take(reject_unknown(obj, &["reason"], ""));
    let reason = p.take(required_text("reason", obj.get("reason"), 500));
    p.finish()?;
    Ok(reason.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
    }

    #[test]
    fn visit_defaults_come_from_the_catalogue() {
        let v = parse_visit(
            &json!({"service_type": "brain", "payment_method": "card"}),
            today(),
        )
        .unwrap();
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
                    "staff_name": "", "extra": true, "payment_method": "card"}),
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
        for (mut body, field) in cases {
            // Each case is a paid visit, with its method named: only its own fault is found.
            body["payment_method"] = json!("card");
            assert_eq!(
                parse_visit(&body, today()).unwrap_err().field.as_deref(),
                Some(field),
                "{body}"
            );
        }
        assert!(parse_visit(&json!([]), today()).is_err());
    }

    #[test]
    fn a_cancel_says_why() {
        assert_eq!(
            parse_cancel_reason(&json!({"reason": "고객 요청"})).unwrap(),
            "고객 요청"
        );
        for body in [
            Value::Null,
            json!({}),
            json!({"reason": " "}),
            json!({"why": "x"}),
        ] {
            let e = parse_cancel_reason(&body).unwrap_err();
            assert_eq!(e.code, ErrorCode::ValidationError, "{body}");
        }
        let e = parse_cancel_reason(&json!({"why": "x"})).unwrap_err();
        assert_eq!(e.field_names(), vec!["why", "reason"]);
    }

    #[test]
    fn a_paid_visit_names_its_method_and_a_package_visit_has_none() {
        let e = parse_visit(&json!({"service_type": "pulse"}), today()).unwrap_err();
        assert_eq!(e.field_names(), vec!["payment_method"]);
        assert_eq!(e.text, Some(Msg::PaymentMethodRequired));
        let e = parse_visit(
            &json!({"service_type": "pulse", "package_usage_id": "p1", "payment_method": "cash"}),
            today(),
        )
        .unwrap_err();
        assert_eq!(e.text, Some(Msg::PaymentMethodNotForPackage));
        let v = parse_visit(
            &json!({"service_type": "pulse", "payment_method": "transfer"}),
            today(),
        )
        .unwrap();
        assert_eq!(
            (v.amount(), v.payment_method.as_deref()),
            (50_000, Some("transfer"))
        );
    }

    fn recorded(by: &str, at: &str) -> SessionRecord {
        SessionRecord {
            id: "s1".into(),
            customer_id: "c1".into(),
            service_type: ServiceType::Brain,
            service_date: today(),
            duration_minutes: 40,
            satisfaction_rating: None,
            session_notes: None,
            staff_name: None,
            package_usage_id: None,
            package_name: None,
            amount: 60_000,
            payment_method: Some("card".into()),
            created_by: Some(by.into()),
            created_at: at.into(),
            cancelled_at: None,
            cancel_reason: None,
            cancelled_by: None,
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_recorder_may_void_for_ten_minutes_on_the_same_day() {
        // 11:00 KST.
        let s = recorded("u1", "2024-06-01T02:00:00.000Z");
        assert!(check_own_void(&s, "u1", utc("2024-06-01T02:09:59Z")).is_ok());
        let late = check_own_void(&s, "u1", utc("2024-06-01T02:10:00Z")).unwrap_err();
        assert_eq!(late.code, ErrorCode::VisitVoidWindowPassed);
        let other = check_own_void(&s, "u2", utc("2024-06-01T02:01:00Z")).unwrap_err();
        assert_eq!(other.code, ErrorCode::VisitVoidNotOwn);
        let imported = SessionRecord {
            created_by: None,
            ..recorded("u1", "2024-06-01T02:00:00.000Z")
        };
        assert_eq!(
            check_own_void(&imported, "u1", utc("2024-06-01T02:01:00Z"))
                .unwrap_err()
                .code,
            ErrorCode::VisitVoidNotOwn
        );
        // 23:55 KST: the window ends at midnight, five minutes later.
        let s = recorded("u1", "2024-06-01T14:55:00.000Z");
        assert!(check_own_void(&s, "u1", utc("2024-06-01T14:59:00Z")).is_ok());
        assert!(check_own_void(&s, "u1", utc("2024-06-01T15:00:00Z")).is_err());
        assert_eq!(s.to_json()["void_until"], "2024-06-01T15:00:00.000Z");
        assert_eq!(
            kst_day(utc("2024-06-01T15:00:00Z")).to_string(),
            "2024-06-02"
        );
    }
}
