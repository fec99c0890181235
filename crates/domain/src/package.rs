//! Package templates, purchases and their derived usage. A purchase snapshots the template's
//! sessions and validity; what is used, what remains and the status are always computed from
//! the visits that consumed it, never kept as a counter — two offline desktops can both record
//! visits, and an overdraw shows up instead of being lost.

use crate::error::{DomainError, DomainResult, ErrorCode};
use crate::fields::*;
use crate::messages::Msg;
use crate::service::ServiceType;
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub const PAYMENT_METHODS: [&str; 3] = ["card", "cash", "transfer"];
pub const PACKAGE_STATUSES: [&str; 3] = ["active", "expiring", "expired"];
/// The status of a cancelled or refunded purchase. Not one of the search filter's
/// [`PACKAGE_STATUSES`]: a cancelled package is no package for search, the renewal list or
/// the filters (its `purchase_stats` row is removed).
pub const CANCELLED: &str = "cancelled";
/// A package is "expiring" this many days before its expiry date…
pub const EXPIRING_WITHIN_DAYS: i64 = 14;
/// …or when at most this share (in percent) of its sessions is left.
pub const EXPIRING_REMAINING_PERCENT: i64 = 20;

pub type Sessions = BTreeMap<ServiceType, i64>;

#[derive(Debug, Clone, PartialEq)]
pub struct PackageTemplate {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub price: i64,
    pub validity_days: i64,
    pub sessions: Sessions,
    pub created_at: String,
}

impl PackageTemplate {
    pub fn total_sessions(&self) -> i64 {
        self.sessions.values().sum()
    }

    pub fn to_json(&self) -> Value {
        json!({
            "package_id": self.id,
            "name": self.name,
            "description": self.description,
            "price": self.price,
            "validity_days": self.validity_days,
            "total_sessions": self.total_sessions(),
            "sessions": sessions_json(&self.sessions),
            "created_at": self.created_at,
        })
    }
}

pub fn sessions_json(s: &Sessions) -> Value {
    Value::Object(
        s.iter()
            .map(|(k, v)| (k.as_str().to_string(), json!(v)))
            .collect::<Map<_, _>>(),
    )
}

/// Parses `{"brain": 10, …}`; used for templates and read back from storage.
pub fn parse_sessions(field: &str, v: &Value) -> DomainResult<Sessions> {
    let obj = v.as_object().ok_or_else(|| {
        DomainError::field_error(
            field,
            Msg::SessionsObject {
                field: field.to_string(),
            },
        )
    })?;
    let mut p = Problems::new();
    let mut out = Sessions::new();
    for (k, n) in obj {
        let service = p.take(ServiceType::parse(k).ok_or_else(|| {
            DomainError::not_allowed(&format!("{field}.{k}"), &json!(k), &ServiceType::CODES)
        }));
        let count = p.take(opt_int(&format!("{field}.{k}"), n, 0, 1000));
        if let (Some(service), Some(Some(count))) = (service, count) {
            if count > 0 {
                out.insert(service, count);
            }
        }
    }
    p.finish()?;
    if out.is_empty() {
        return Err(DomainError::field_error(field, Msg::PackageNeedsService));
    }
    Ok(out)
}

/// Validates a `POST /packages` body into a new template; every field error at once.
pub fn parse_template(body: &Value, id: String, now: &str) -> DomainResult<PackageTemplate> {
    let obj = object(body)?;
    let mut p = Problems::new();
    p.take(reject_unknown(
        obj,
        &["name", "description", "price", "validity_days", "sessions"],
        "",
    ));
    let null = Value::Null;
    let required = |field: &str| {
        DomainError::field_error(
            field,
            Msg::Required {
                field: field.to_string(),
            },
        )
    };
    let name = p.take(required_text("name", obj.get("name"), 100));
    let description = p.take(opt_text(
        "description",
        obj.get("description").unwrap_or(&null),
        500,
    ));
    let price = p.take(
        opt_int("price", obj.get("price").unwrap_or(&null), 0, 100_000_000)
            .and_then(|v| v.ok_or_else(|| required("price"))),
    );
    let validity_days = p.take(
        opt_int(
            "validity_days",
            obj.get("validity_days").unwrap_or(&null),
            1,
            3650,
        )
        .and_then(|v| v.ok_or_else(|| required("validity_days"))),
    );
    let sessions = p.take(parse_sessions(
        "sessions",
        obj.get("sessions").unwrap_or(&null),
    ));
    p.finish()?;
    // Past `finish`, every reader succeeded; the defaults are never used.
    Ok(PackageTemplate {
        id,
        name: name.unwrap_or_default(),
        description: description.flatten(),
        price: price.unwrap_or_default(),
        validity_days: validity_days.unwrap_or_default(),
        sessions: sessions.unwrap_or_default(),
        created_at: now.to_string(),
    })
}

/// A customer's purchase of a package, with the template's terms copied at purchase time.
#[derive(Debug, Clone, PartialEq)]
pub struct Purchase {
    pub id: String,
    pub customer_id: String,
    pub package_id: String,
    pub package_name: String,
    pub purchase_date: NaiveDate,
    pub expiry_date: NaiveDate,
    pub price_paid: i64,
    pub payment_method: Option<String>,
    pub notes: Option<String>,
    pub sessions: Sessions,
    pub created_at: String,
    /// The compensating event, once a manager cancelled or refunded the purchase.
    pub cancellation: Option<PurchaseCancellation>,
}

/// A purchase's cancellation or refund: appended, never an edit of the sale.
#[derive(Debug, Clone, PartialEq)]
pub struct PurchaseCancellation {
    /// `None` only once the customer was anonymised (the reason is free text).
    pub reason: Option<String>,
    pub refund_amount: i64,
    pub refund_method: Option<String>,
    pub cancelled_at: String,
    /// The display name of who cancelled it.
    pub cancelled_by: Option<String>,
}

impl PurchaseCancellation {
    pub fn to_json(&self) -> Value {
        json!({
            "reason": self.reason,
            "refund_amount": self.refund_amount,
            "refund_method": self.refund_method,
            "cancelled_at": self.cancelled_at,
            "cancelled_by": self.cancelled_by,
        })
    }
}

/// A validated purchase request, before it is bound to a template.
#[derive(Debug, Clone, PartialEq)]
pub struct PurchaseRequest {
    pub package_id: String,
    pub purchase_date: Option<NaiveDate>,
    pub price_paid: Option<i64>,
    pub payment_method: Option<String>,
    pub notes: Option<String>,
}

pub fn parse_purchase_request(body: &Value, today: NaiveDate) -> DomainResult<PurchaseRequest> {
    let obj = object(body)?;
    let mut p = Problems::new();
    p.take(reject_unknown(
        obj,
        &[
            "package_id",
            "purchase_date",
            "price_paid",
            "payment_method",
            "notes",
        ],
        "",
    ));
    let null = Value::Null;
    let get = |k: &str| obj.get(k).unwrap_or(&null);
    let package_id = p.take(required_text("package_id", obj.get("package_id"), 64));
    let purchase_date = p
        .take(opt_date("purchase_date", get("purchase_date")))
        .flatten();
    if purchase_date.is_some_and(|d| d > today) {
        p.push(DomainError::field_error(
            "purchase_date",
            Msg::FuturePurchase,
        ));
    }
    let price_paid = p.take(opt_int("price_paid", get("price_paid"), 0, 100_000_000));
    let payment_method = p.take(opt_enum(
        "payment_method",
        get("payment_method"),
        &PAYMENT_METHODS,
    ));
    // Money is taken only with its method named: nothing is assumed (the dialog used to
    // preselect a card). A package given away (price 0) has none.
    if matches!(payment_method, Some(None)) && price_paid != Some(Some(0)) {
        p.push(DomainError::field_error(
            "payment_method",
            Msg::PaymentMethodRequired,
        ));
    }
    let notes = p.take(opt_text("notes", get("notes"), 500));
    p.finish()?;
    // Past `finish`, every reader succeeded; the defaults are never used.
    Ok(PurchaseRequest {
        package_id: package_id.unwrap_or_default(),
        purchase_date,
        price_paid: price_paid.flatten(),
        payment_method: payment_method.flatten(),
        notes: notes.flatten(),
    })
}

impl Purchase {
    pub fn from_template(
        id: String,
        customer_id: String,
        template: &PackageTemplate,
        request: &PurchaseRequest,
        today: NaiveDate,
        now: &str,
    ) -> Purchase {
        let purchase_date = request.purchase_date.unwrap_or(today);
        Purchase {
            id,
            customer_id,
            package_id: template.id.clone(),
            package_name: template.name.clone(),
            purchase_date,
            expiry_date: purchase_date + Duration::days(template.validity_days),
            price_paid: request.price_paid.unwrap_or(template.price),
            payment_method: request.payment_method.clone(),
            notes: request.notes.clone(),
            sessions: template.sessions.clone(),
            created_at: now.to_string(),
            cancellation: None,
        }
    }

    pub fn total_sessions(&self) -> i64 {
        self.sessions.values().sum()
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancellation.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceUsage {
    pub total: i64,
    pub used: i64,
    pub remaining: i64,
}

/// A purchase with everything derived from its visits (seed 000 `activePackages` item).
#[derive(Debug, Clone, PartialEq)]
pub struct PackageUsage {
    pub used_sessions: i64,
    pub remaining_sessions: i64,
    pub usage_rate: f64,
    /// Days from today to the expiry date: 0 on the last day the package can be used,
    /// negative once it has passed (-3: expired three days ago). Not clamped: an expired
    /// package must never read as "expires today".
    pub days_remaining: i64,
    pub package_status: &'static str,
    /// Sessions used beyond what was bought (two offline desktops used the last one).
    pub overdrawn_sessions: i64,
    pub service_breakdown: BTreeMap<ServiceType, ServiceUsage>,
}

/// Derives usage from the number of non-cancelled visits per service that consumed the
/// purchase. Services the package does not cover are ignored (they cannot be recorded).
/// A cancelled purchase keeps what was used and has nothing left.
pub fn package_usage(p: &Purchase, used: &Sessions, today: NaiveDate) -> PackageUsage {
    let mut breakdown = BTreeMap::new();
    let (mut used_total, mut remaining_total, mut overdrawn) = (0, 0, 0);
    let cancelled = p.is_cancelled();
    for (service, total) in &p.sessions {
        let u = used.get(service).copied().unwrap_or(0);
        let remaining = if cancelled { 0 } else { (total - u).max(0) };
        overdrawn += (u - total).max(0);
        used_total += u.min(*total);
        remaining_total += remaining;
        breakdown.insert(
            *service,
            ServiceUsage {
                total: *total,
                used: u,
                remaining,
            },
        );
    }
    let total = p.total_sessions();
    let days_remaining = (p.expiry_date - today).num_days();
    PackageUsage {
        used_sessions: used_total + overdrawn,
        remaining_sessions: remaining_total,
        usage_rate: if total > 0 {
            (used_total as f64 / total as f64 * 1000.0).round() / 10.0
        } else {
            0.0
        },
        days_remaining,
        package_status: if cancelled {
            CANCELLED
        } else {
            package_status(p.expiry_date, total, remaining_total, today)
        },
        overdrawn_sessions: overdrawn,
        service_breakdown: breakdown,
    }
}

/// `expired` after the expiry date or once every session is used; `expiring` within 14 days
/// of expiry or with at most 20 % of the sessions left; otherwise `active`.
pub fn package_status(
    expiry: NaiveDate,
    total: i64,
    remaining: i64,
    today: NaiveDate,
) -> &'static str {
    StatusDay::new(today).status(expiry, total, remaining)
}

/// [`package_status`] on one day, with the day's bounds worked out once: the search filter
/// asks it of every package of every customer, and date subtraction per package was a
/// measurable share of a search.
#[derive(Debug, Clone, Copy)]
pub struct StatusDay {
    today: NaiveDate,
    /// The last expiry date that counts as expiring soon.
    soon: NaiveDate,
}

impl StatusDay {
    pub fn new(today: NaiveDate) -> StatusDay {
        StatusDay {
            today,
            soon: today
                .checked_add_signed(chrono::Duration::days(EXPIRING_WITHIN_DAYS))
                .unwrap_or(NaiveDate::MAX),
        }
    }

    pub fn status(&self, expiry: NaiveDate, total: i64, remaining: i64) -> &'static str {
        PACKAGE_STATUSES[self.rank(expiry, total, remaining) as usize]
    }

    /// The status as its place in [`PACKAGE_STATUSES`] (0 active, 1 expiring, 2 expired):
    /// lower is better, and comparing bytes is cheaper than comparing strings.
    pub fn rank(&self, expiry: NaiveDate, total: i64, remaining: i64) -> u8 {
        if self.today > expiry || remaining <= 0 {
            EXPIRED_RANK
        } else if expiry <= self.soon || remaining * 100 <= total * EXPIRING_REMAINING_PERCENT {
            1
        } else {
            0
        }
    }
}

/// [`StatusDay::rank`] of `expired`.
pub const EXPIRED_RANK: u8 = 2;

/// The [`StatusDay::rank`] of a status name, if it is one.
pub fn status_rank(status: &str) -> Option<u8> {
    PACKAGE_STATUSES
        .iter()
        .position(|s| *s == status)
        .map(|i| i as u8)
}

pub fn usage_json(p: &Purchase, u: &PackageUsage) -> Value {
    let breakdown: Map<String, Value> = u
        .service_breakdown
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), json!(v)))
        .collect();
    json!({
        "package_usage_id": p.id,
        "package_id": p.package_id,
        "package_name": p.package_name,
        "purchase_date": p.purchase_date.to_string(),
        "expiry_date": p.expiry_date.to_string(),
        "price_paid": p.price_paid,
        "payment_method": p.payment_method,
        "notes": p.notes,
        "total_sessions": p.total_sessions(),
        "used_sessions": u.used_sessions,
        "remaining_sessions": u.remaining_sessions,
        "usage_rate": u.usage_rate,
        "days_remaining": u.days_remaining,
        "package_status": u.package_status,
        "overdrawn_sessions": u.overdrawn_sessions,
        "service_breakdown": breakdown,
        "cancellation": p.cancellation.as_ref().map(PurchaseCancellation::to_json),
    })
}

/// What is left per service, said so: `브레인 피드백 3회 남음 / 4회, 펄스 케어 0회 남음 / 4회`.
/// (Seed 000's `브3/4` left the reader guessing whether 3 was used or left.)
pub fn usage_summary(u: &PackageUsage) -> String {
    u.service_breakdown
        .iter()
        .map(|(s, b)| format!("{} {}회 남음 / {}회", s.info().name, b.remaining, b.total))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a visit may not consume a session of `service` from this package on `date`, if it
/// may not. The desktop and the server refuse such a visit when it is recorded; sync
/// accepts visits recorded offline anyway and the overdraw shows in `overdrawn_sessions`.
pub fn check_consumption(
    p: &Purchase,
    used: &Sessions,
    service: ServiceType,
    date: NaiveDate,
) -> DomainResult<()> {
    if let Some(c) = &p.cancellation {
        return Err(DomainError::new(ErrorCode::PackageCancelled)
            .with_field("package_usage_id")
            .with_details(json!({
                "package_usage_id": p.id,
                "cancelled_at": c.cancelled_at,
            })));
    }
    let Some(total) = p.sessions.get(&service) else {
        return Err(DomainError::new(ErrorCode::ServiceNotInPackage)
            .with_field("service_type")
            .with_message(format!(
                "'{}' 패키지에는 {}가(이) 포함되어 있지 않습니다",
                p.package_name,
                service.info().name
            ))
            .with_details(json!({
                "package_usage_id": p.id,
                "covered_services": p.sessions.keys().map(|s| s.as_str()).collect::<Vec<_>>(),
            })));
    };
    if date < p.purchase_date || date > p.expiry_date {
        return Err(DomainError::new(ErrorCode::PackageExpired)
            .with_field("service_date")
            .with_message(format!(
                "'{}' 패키지는 {}부터 {}까지 이용할 수 있습니다",
                p.package_name, p.purchase_date, p.expiry_date
            ))
            .with_details(json!({
                "purchase_date": p.purchase_date.to_string(),
                "expiry_date": p.expiry_date.to_string(),
                "service_date": date.to_string(),
            })));
    }
    let u = used.get(&service).copied().unwrap_or(0);
    if u >= *total {
        return Err(DomainError::new(ErrorCode::PackageExhausted)
            .with_field("package_usage_id")
            .with_message(format!(
                "'{}' 패키지: {} 0회 남음 ({total}회 모두 사용)",
                p.package_name,
                service.info().name
            ))
            .with_details(json!({ "service_type": service.as_str(), "total": total, "used": u })));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn premium() -> PackageTemplate {
        parse_template(
            &json!({"name": "프리미엄 케어", "price": 1_500_000, "validity_days": 90,
                    "sessions": {"brain": 10, "pulse": 10, "lymph": 10, "red": 10}}),
            "t1".into(),
            "now",
        )
        .unwrap()
    }

    fn bought(on: &str) -> Purchase {
        let req = parse_purchase_request(
            &json!({"package_id": "t1", "purchase_date": on, "payment_method": "card"}),
            d("2030-01-01"),
        )
        .unwrap();
        Purchase::from_template("p1".into(), "c1".into(), &premium(), &req, d(on), "now")
    }

    fn used(pairs: &[(ServiceType, i64)]) -> Sessions {
        pairs.iter().copied().collect()
    }

    fn sorted_fields(e: &DomainError) -> Vec<&str> {
        let mut f = e.field_names();
        f.sort_unstable();
        f
    }

    #[test]
    fn template_and_purchase_bodies_answer_every_field_error() {
        let e = parse_template(
            &json!({"price": -1, "validity_days": 0, "sessions": {"sauna": 1, "brain": "x"}}),
            "t".into(),
            "now",
        )
        .unwrap_err();
        assert_eq!(
            sorted_fields(&e),
            vec![
                "name",
                "price",
                "sessions.brain",
                "sessions.sauna",
                "validity_days"
            ]
        );
        let e = parse_purchase_request(
            &json!({"purchase_date": "2099-01-01", "payment_method": "bitcoin", "price_paid": "x"}),
            d("2024-06-01"),
        )
        .unwrap_err();
        assert_eq!(
            sorted_fields(&e),
            vec![
                "package_id",
                "payment_method",
                "price_paid",
                "purchase_date"
            ]
        );
    }

    #[test]
    fn template_validation() {
        assert_eq!(premium().total_sessions(), 40);
        let bad = [
            (
                json!({"price": 1, "validity_days": 1, "sessions": {"brain": 1}}),
                "name",
            ),
            (
                json!({"name": "x", "validity_days": 1, "sessions": {"brain": 1}}),
                "price",
            ),
            (
                json!({"name": "x", "price": -1, "validity_days": 1, "sessions": {"brain": 1}}),
                "price",
            ),
            (
                json!({"name": "x", "price": 1, "validity_days": 0, "sessions": {"brain": 1}}),
                "validity_days",
            ),
            (
                json!({"name": "x", "price": 1, "validity_days": 1, "sessions": {"sauna": 1}}),
                "sessions.sauna",
            ),
            (
                json!({"name": "x", "price": 1, "validity_days": 1, "sessions": {"brain": -2}}),
                "sessions.brain",
            ),
            (
                json!({"name": "x", "price": 1, "validity_days": 1, "sessions": {"brain": 0}}),
                "sessions",
            ),
            (
                json!({"name": "x", "price": 1, "validity_days": 1, "sessions": []}),
                "sessions",
            ),
        ];
        for (body, field) in bad {
            assert_eq!(
                parse_template(&body, "t".into(), "now")
                    .unwrap_err()
                    .field
                    .as_deref(),
                Some(field),
                "{body}"
            );
        }
    }

    #[test]
    fn purchase_takes_template_terms() {
        let p = bought("2024-04-01");
        assert_eq!(p.expiry_date, d("2024-06-30"));
        assert_eq!(p.price_paid, 1_500_000);
        assert_eq!(p.total_sessions(), 40);
        let future = parse_purchase_request(
            &json!({"package_id": "t1", "purchase_date": "2024-06-02"}),
            d("2024-06-01"),
        );
        assert_eq!(future.unwrap_err().field.as_deref(), Some("purchase_date"));
        for nonsense in ["-0001-01-01", "0000-01-01", "+2020-01-01", "2020-1-1"] {
            let e = parse_purchase_request(
                &json!({"package_id": "t1", "purchase_date": nonsense}),
                d("2024-06-01"),
            )
            .unwrap_err();
            assert_eq!(e.field.as_deref(), Some("purchase_date"), "{nonsense}");
        }
        let bad = parse_purchase_request(
            &json!({"package_id": "t1", "payment_method": "bitcoin"}),
            d("2024-06-01"),
        );
        assert_eq!(bad.unwrap_err().field.as_deref(), Some("payment_method"));
    }

    #[test]
    fn money_is_taken_only_with_its_method_named() {
        let today = d("2024-06-01");
        let e = parse_purchase_request(&json!({"package_id": "t1"}), today).unwrap_err();
        assert_eq!(e.field_names(), vec!["payment_method"]);
        assert_eq!(e.text, Some(Msg::PaymentMethodRequired));
        // A package given away takes no money, so no method.
        let free = parse_purchase_request(&json!({"package_id": "t1", "price_paid": 0}), today);
        assert_eq!(free.unwrap().payment_method, None);
        let paid = parse_purchase_request(
            &json!({"package_id": "t1", "price_paid": 10, "payment_method": "cash"}),
            today,
        );
        assert_eq!(paid.unwrap().payment_method.as_deref(), Some("cash"));
    }

    #[test]
    fn a_cancelled_package_keeps_its_history_and_has_nothing_left() {
        let mut p = bought("2024-04-01");
        p.cancellation = Some(PurchaseCancellation {
            reason: Some("고객 요청".into()),
            refund_amount: 900_000,
            refund_method: Some("card".into()),
            cancelled_at: "2024-05-01T01:00:00Z".into(),
            cancelled_by: Some("매니저".into()),
        });
        let u = package_usage(&p, &used(&[(ServiceType::Brain, 3)]), d("2024-05-02"));
        assert_eq!(u.package_status, CANCELLED);
        assert_eq!((u.used_sessions, u.remaining_sessions), (3, 0));
        assert!(u.service_breakdown.values().all(|b| b.remaining == 0));
        assert_eq!(u.service_breakdown[&ServiceType::Brain].used, 3);
        let e = check_consumption(&p, &Sessions::new(), ServiceType::Pulse, d("2024-05-02"))
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::PackageCancelled);
        let j = usage_json(&p, &u);
        assert_eq!(j["package_status"], "cancelled");
        assert_eq!(j["cancellation"]["refund_amount"], 900_000);
        assert_eq!(j["cancellation"]["reason"], "고객 요청");
        p.cancellation = None;
        assert_eq!(
            usage_json(&p, &package_usage(&p, &Sessions::new(), d("2024-05-02")))["cancellation"],
            Value::Null
        );
    }

    #[test]
    fn an_exhausted_service_says_what_is_left() {
        let p = bought("2024-04-01");
        let e = check_consumption(
            &p,
            &used(&[(ServiceType::Pulse, 10)]),
            ServiceType::Pulse,
            d("2024-05-02"),
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::PackageExhausted);
        assert!(e.message.contains("펄스 케어 0회 남음"), "{}", e.message);
    }

    #[test]
    fn usage_is_derived_per_service() {
        let p = bought("2024-04-01");
        let u = package_usage(
            &p,
            &used(&[
                (ServiceType::Brain, 8),
                (ServiceType::Pulse, 6),
                (ServiceType::Lymph, 4),
            ]),
            d("2024-06-05"),
        );
        assert_eq!(u.used_sessions, 18);
        assert_eq!(u.remaining_sessions, 22);
        assert_eq!(u.usage_rate, 45.0);
        assert_eq!(u.days_remaining, 25);
        assert_eq!(u.package_status, "active");
        assert_eq!(
            u.service_breakdown[&ServiceType::Brain],
            ServiceUsage {
                total: 10,
                used: 8,
                remaining: 2
            }
        );
        assert_eq!(
            u.service_breakdown[&ServiceType::Red],
            ServiceUsage {
                total: 10,
                used: 0,
                remaining: 10
            }
        );
        assert_eq!(
            usage_summary(&u),
            "브레인 피드백 2회 남음 / 10회, 펄스 케어 4회 남음 / 10회, \
             림프 순환 6회 남음 / 10회, 레드 테라피 10회 남음 / 10회"
        );
        let j = usage_json(&p, &u);
        assert_eq!(j["service_breakdown"]["brain"]["remaining"], 2);
        assert_eq!(j["package_status"], "active");
    }

    /// An expired package counts its days past expiry below zero: only the last usable day
    /// is 0, so nothing expired can read as "expires today" (it used to be clamped to 0).
    #[test]
    fn days_remaining_goes_negative_after_expiry() {
        let p = bought("2024-04-01"); // expires 2024-06-30
        let on = |day: &str| package_usage(&p, &Sessions::new(), d(day));
        assert_eq!(on("2024-06-29").days_remaining, 1);
        let last_day = on("2024-06-30");
        assert_eq!(last_day.days_remaining, 0);
        assert_eq!(last_day.package_status, "expiring");
        let day_after = on("2024-07-01");
        assert_eq!(day_after.days_remaining, -1);
        assert_eq!(day_after.package_status, "expired");
        assert_eq!(on("2024-09-28").days_remaining, -90);
        let used_up = package_usage(
            &p,
            &used(&[
                (ServiceType::Brain, 10),
                (ServiceType::Pulse, 10),
                (ServiceType::Lymph, 10),
                (ServiceType::Red, 10),
            ]),
            d("2024-05-01"),
        );
        assert_eq!(used_up.package_status, "expired");
        assert_eq!(used_up.days_remaining, 60, "used up, not past its date");
        assert_eq!(usage_json(&p, &day_after)["days_remaining"], -1);
    }

    #[test]
    fn status_boundaries() {
        let expiry = d("2024-06-30");
        assert_eq!(
            package_status(expiry, 40, 22, d("2024-06-15")),
            "active",
            "15 days left"
        );
        assert_eq!(
            package_status(expiry, 40, 22, d("2024-06-16")),
            "expiring",
            "14 days left"
        );
        assert_eq!(
            package_status(expiry, 40, 22, d("2024-06-30")),
            "expiring",
            "last day"
        );
        assert_eq!(package_status(expiry, 40, 22, d("2024-07-01")), "expired");
        assert_eq!(
            package_status(expiry, 40, 9, d("2024-05-01")),
            "active",
            "22.5% left"
        );
        assert_eq!(
            package_status(expiry, 40, 8, d("2024-05-01")),
            "expiring",
            "20% left"
        );
        assert_eq!(
            package_status(expiry, 40, 0, d("2024-05-01")),
            "expired",
            "all used"
        );
    }

    #[test]
    fn consumption_rules() {
        let p = bought("2024-04-01");
        let none = Sessions::new();
        assert!(check_consumption(&p, &none, ServiceType::Brain, d("2024-04-01")).is_ok());
        assert!(check_consumption(&p, &none, ServiceType::Brain, d("2024-06-30")).is_ok());
        let e = check_consumption(&p, &none, ServiceType::AiBike, d("2024-05-01")).unwrap_err();
        assert_eq!(e.code, ErrorCode::ServiceNotInPackage);
        let e = check_consumption(&p, &none, ServiceType::Brain, d("2024-07-01")).unwrap_err();
        assert_eq!(e.code, ErrorCode::PackageExpired);
        let e = check_consumption(&p, &none, ServiceType::Brain, d("2024-03-31")).unwrap_err();
        assert_eq!(e.code, ErrorCode::PackageExpired);
        let full = used(&[(ServiceType::Brain, 10)]);
        let e = check_consumption(&p, &full, ServiceType::Brain, d("2024-05-01")).unwrap_err();
        assert_eq!(e.code, ErrorCode::PackageExhausted);
        assert_eq!(e.details["used"], 10);
        assert!(check_consumption(&p, &full, ServiceType::Pulse, d("2024-05-01")).is_ok());
    }

    #[test]
    fn overdraw_from_offline_desktops_is_shown_not_lost() {
        let p = bought("2024-04-01");
        let u = package_usage(&p, &used(&[(ServiceType::Brain, 11)]), d("2024-05-01"));
        assert_eq!(u.overdrawn_sessions, 1);
        assert_eq!(u.used_sessions, 11);
        assert_eq!(u.service_breakdown[&ServiceType::Brain].remaining, 0);
        assert_eq!(u.remaining_sessions, 30);
        assert_eq!(u.usage_rate, 25.0);
    }
}
