//! Money moved at the desk: a purchase's cancellation or refund (a compensating event), the
//! clinic's details printed on receipts, receipt numbers and the daily cash-up by payment
//! method. Pure: the store reads the day's sales and refunds, this decides what they add up to.

use crate::error::{DomainError, DomainResult};
use crate::fields::*;
use crate::messages::Msg;
use crate::package::PAYMENT_METHODS;
use chrono::NaiveDate;
use serde_json::{json, Value};

/// A validated "cancel or refund a purchase" request.
#[derive(Debug, Clone, PartialEq)]
pub struct PurchaseCancelRequest {
    pub reason: String,
    pub refund_amount: i64,
    pub refund_method: Option<String>,
}

/// Validates a cancel body against what was paid; every field error at once. A refund is
/// never more than the price paid, and names how the money goes back when there is any.
pub fn parse_purchase_cancel(body: &Value, price_paid: i64) -> DomainResult<PurchaseCancelRequest> {
    let obj = object(body)?;
    let mut p = Problems::new();
    p.take(reject_unknown(
        obj,
        &["reason", "refund_amount", "refund_method"],
        "",
    ));
    let null = Value::Null;
    let get = |k: &str| obj.get(k).unwrap_or(&null);
    let reason = p.take(required_text("reason", obj.get("reason"), 500));
    let amount = p
        .take(opt_int("refund_amount", get("refund_amount"), 0, i64::MAX))
        .and_then(|a| {
            if a.is_none() {
                p.push(DomainError::field_error(
                    "refund_amount",
                    Msg::Required {
                        field: "refund_amount".into(),
                    },
                ));
            }
            a
        });
    if let Some(a) = amount.filter(|a| *a > price_paid) {
        p.push(
            DomainError::field_error("refund_amount", Msg::RefundOverPaid { max: price_paid })
                .with_details(json!({ "max": price_paid, "received_value": a })),
        );
    }
    let method = p.take(opt_enum(
        "refund_method",
        get("refund_method"),
        &PAYMENT_METHODS,
    ));
    match (amount, &method) {
        (Some(a), Some(None)) if a > 0 => p.push(DomainError::field_error(
            "refund_method",
            Msg::RefundMethodRequired,
        )),
        (Some(0), Some(Some(_))) => p.push(DomainError::field_error(
            "refund_method",
            Msg::RefundMethodNotForZero,
        )),
        _ => {}
    }
    p.finish()?;
    Ok(PurchaseCancelRequest {
        reason: reason.unwrap_or_default(),
        refund_amount: amount.unwrap_or_default(),
        refund_method: method.flatten(),
    })
}

/// The clinic's details on receipts and the cash-up. Unset until an admin enters them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClinicSettings {
    pub name: Option<String>,
    pub business_number: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

impl ClinicSettings {
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "business_number": self.business_number,
            "address": self.address,
            "phone": self.phone,
        })
    }

    /// Reads what [`ClinicSettings::to_json`] stored; anything unreadable is unset.
    pub fn from_stored(v: &Value) -> ClinicSettings {
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        ClinicSettings {
            name: text("name"),
            business_number: text("business_number"),
            address: text("address"),
            phone: text("phone"),
        }
    }
}

/// Validates `PUT /settings/clinic`; every field error at once.
pub fn parse_clinic(body: &Value) -> DomainResult<ClinicSettings> {
    let obj = object(body)?;
    let mut p = Problems::new();
    p.take(reject_unknown(
        obj,
        &["name", "business_number", "address", "phone"],
        "",
    ));
    let null = Value::Null;
    let get = |k: &str| obj.get(k).unwrap_or(&null);
    let name = p.take(required_text("name", obj.get("name"), 100));
    let business_number = p
        .take(opt_text("business_number", get("business_number"), 12))
        .flatten();
    if let Some(b) = &business_number {
        if !is_business_number(b) {
            p.push(DomainError::field_error(
                "business_number",
                Msg::BusinessNumberFormat,
            ));
        }
    }
    let address = p.take(opt_text("address", get("address"), 200)).flatten();
    let phone = p.take(opt_text("phone", get("phone"), 20)).flatten();
    if let Some(ph) = &phone {
        let allowed = |c: char| c.is_ascii_digit() || " -+()".contains(c);
        if !ph.chars().all(allowed) || !ph.chars().any(|c| c.is_ascii_digit()) {
            p.push(DomainError::field_error("phone", Msg::ClinicPhoneFormat));
        }
    }
    p.finish()?;
    Ok(ClinicSettings {
        name,
        business_number,
        address,
        phone,
    })
}

/// `123-45-67890`: the Korean business registration number as printed.
fn is_business_number(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 3
        && parts
            .iter()
            .zip([3, 2, 5])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_digit()))
}

/// A receipt's number: the sale's day and the start of its id (`R-20240601-01a2b3c4`), the
/// same every time the receipt is printed again.
pub fn receipt_number(date: NaiveDate, id: &str) -> String {
    let short: String = id.chars().filter(|c| *c != '-').take(8).collect();
    format!("R-{}-{short}", date.format("%Y%m%d"))
}

/// One sale or refund of a day, as the cash-up lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct CashEntry {
    /// `purchase` or `visit`.
    pub kind: &'static str,
    pub id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub description: String,
    pub amount: i64,
    pub payment_method: Option<String>,
    /// When it was recorded (a sale) or cancelled (a refund).
    pub at: String,
    /// Who sold it, or who cancelled it.
    pub by: Option<String>,
    /// A sale: whether it was cancelled later. A refund: why.
    pub cancelled: bool,
    pub reason: Option<String>,
}

/// The method a cash-up row stands for: sales without one (recorded before methods were
/// required) are `unrecorded`, never silently counted as card.
const UNRECORDED: &str = "unrecorded";

fn method_of(e: &CashEntry) -> &str {
    e.payment_method
        .as_deref()
        .filter(|m| PAYMENT_METHODS.contains(m))
        .unwrap_or(UNRECORDED)
}

/// The day's cash-up: sales and refunds per payment method (card, cash and transfer always,
/// `unrecorded` when it has anything), the totals, and both lists in time order.
pub fn cash_up(date: NaiveDate, mut sales: Vec<CashEntry>, mut refunds: Vec<CashEntry>) -> Value {
    sales.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
    refunds.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
    let row = |method: &str| {
        let of = |list: &[CashEntry]| {
            let hits: Vec<&CashEntry> = list.iter().filter(|e| method_of(e) == method).collect();
            (
                hits.len() as i64,
                hits.iter().map(|e| e.amount).sum::<i64>(),
            )
        };
        let (sc, sa) = of(&sales);
        let (rc, ra) = of(&refunds);
        (sc, sa, rc, ra)
    };
    let mut methods = Vec::new();
    let mut totals = (0, 0, 0, 0);
    for method in PAYMENT_METHODS.iter().copied().chain([UNRECORDED]) {
        let (sc, sa, rc, ra) = row(method);
        if method == UNRECORDED && sc == 0 && rc == 0 {
            continue;
        }
        totals = (totals.0 + sc, totals.1 + sa, totals.2 + rc, totals.3 + ra);
        methods.push(json!({
            "payment_method": method,
            "sales_count": sc, "sales_amount": sa,
            "refund_count": rc, "refund_amount": ra,
            "net_amount": sa - ra,
        }));
    }
    let sale = |e: &CashEntry| {
        json!({
            "kind": e.kind, "id": e.id, "customer_id": e.customer_id,
            "customer_name": e.customer_name, "description": e.description, "amount": e.amount,
            "payment_method": e.payment_method, "recorded_at": e.at, "staff_name": e.by,
            "cancelled": e.cancelled,
        })
    };
    let refund = |e: &CashEntry| {
        json!({
            "kind": e.kind, "id": e.id, "customer_id": e.customer_id,
            "customer_name": e.customer_name, "description": e.description, "amount": e.amount,
            "payment_method": e.payment_method, "cancelled_at": e.at, "cancelled_by": e.by,
            "reason": e.reason,
        })
    };
    json!({
        "date": date.to_string(),
        "methods": methods,
        "totals": {
            "sales_count": totals.0, "sales_amount": totals.1,
            "refund_count": totals.2, "refund_amount": totals.3,
            "net_amount": totals.1 - totals.3,
        },
        "sales": sales.iter().map(sale).collect::<Vec<_>>(),
        "refunds": refunds.iter().map(refund).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn fields(e: &DomainError) -> Vec<&str> {
        let mut f = e.field_names();
        f.sort_unstable();
        f
    }

    #[test]
    fn a_refund_is_at_most_what_was_paid_and_names_its_method() {
        let ok = parse_purchase_cancel(
            &json!({"reason": "고객 요청", "refund_amount": 100_000, "refund_method": "card"}),
            250_000,
        )
        .unwrap();
        assert_eq!(ok.refund_amount, 100_000);
        assert_eq!(ok.refund_method.as_deref(), Some("card"));
        let nothing_back =
            parse_purchase_cancel(&json!({"reason": "착오 등록", "refund_amount": 0}), 250_000)
                .unwrap();
        assert_eq!(nothing_back.refund_method, None);

        let e = parse_purchase_cancel(&json!({"refund_amount": 300_000}), 250_000).unwrap_err();
        assert_eq!(fields(&e), vec!["reason", "refund_amount", "refund_method"]);
        let over = e
            .field_errors()
            .into_iter()
            .find(|x| x.field.as_deref() == Some("refund_amount"))
            .cloned()
            .unwrap();
        assert_eq!(over.text, Some(Msg::RefundOverPaid { max: 250_000 }));
        assert_eq!(over.details["max"], 250_000);

        let e = parse_purchase_cancel(&json!({"reason": "x"}), 250_000).unwrap_err();
        assert_eq!(fields(&e), vec!["refund_amount"]);
        let e = parse_purchase_cancel(
            &json!({"reason": "x", "refund_amount": 0, "refund_method": "cash"}),
            250_000,
        )
        .unwrap_err();
        assert_eq!(e.text, Some(Msg::RefundMethodNotForZero));
        let e = parse_purchase_cancel(
            &json!({"reason": "x", "refund_amount": -1, "refund_method": "gold", "extra": 1}),
            250_000,
        )
        .unwrap_err();
        assert_eq!(fields(&e), vec!["extra", "refund_amount", "refund_method"]);
        assert_eq!(e.code, ErrorCode::ValidationError);
    }

    #[test]
    fn clinic_details_are_checked_together() {
        let c = parse_clinic(
            &json!({"name": "서울 웰니스 의원", "business_number": "123-45-67890",
            "phone": "02-123-4567", "address": "서울시 강남구"}),
        )
        .unwrap();
        assert_eq!(c.name.as_deref(), Some("서울 웰니스 의원"));
        assert_eq!(ClinicSettings::from_stored(&c.to_json()), c);
        let e =
            parse_clinic(&json!({"business_number": "1234567890", "phone": "전화"})).unwrap_err();
        assert_eq!(fields(&e), vec!["business_number", "name", "phone"]);
        assert!(parse_clinic(&json!({"name": "x", "phone": "--"})).is_err());
        assert_eq!(
            ClinicSettings::from_stored(&Value::Null),
            ClinicSettings::default()
        );
    }

    #[test]
    fn receipt_numbers_are_stable() {
        let d = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        assert_eq!(
            receipt_number(d, "01a2b3c4-d5e6-7000-8000-000000000000"),
            "R-20240601-01a2b3c4"
        );
    }

    fn entry(kind: &'static str, amount: i64, method: Option<&str>, at: &str) -> CashEntry {
        CashEntry {
            kind,
            id: format!("{kind}-{at}"),
            customer_id: "c1".into(),
            customer_name: "김민영".into(),
            description: "x".into(),
            amount,
            payment_method: method.map(str::to_string),
            at: at.into(),
            by: None,
            cancelled: false,
            reason: None,
        }
    }

    #[test]
    fn the_cash_up_adds_up_per_method() {
        let d = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        let sales = vec![
            entry("purchase", 250_000, Some("card"), "2024-06-01T02:00:00Z"),
            entry("visit", 50_000, Some("cash"), "2024-06-01T01:00:00Z"),
            entry("visit", 60_000, Some("card"), "2024-06-01T03:00:00Z"),
            entry("purchase", 100_000, None, "2024-06-01T04:00:00Z"),
        ];
        let refunds = vec![entry(
            "purchase",
            90_000,
            Some("card"),
            "2024-06-01T05:00:00Z",
        )];
        let v = cash_up(d, sales, refunds);
        let methods = v["methods"].as_array().unwrap();
        let names: Vec<&str> = methods
            .iter()
            .map(|m| m["payment_method"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["card", "cash", "transfer", "unrecorded"]);
        assert_eq!(methods[0]["sales_count"], 2);
        assert_eq!(methods[0]["sales_amount"], 310_000);
        assert_eq!(methods[0]["refund_amount"], 90_000);
        assert_eq!(methods[0]["net_amount"], 220_000);
        assert_eq!(methods[2]["sales_count"], 0);
        assert_eq!(v["totals"]["sales_amount"], 460_000);
        assert_eq!(v["totals"]["refund_count"], 1);
        assert_eq!(v["totals"]["net_amount"], 370_000);
        assert_eq!(v["sales"][0]["kind"], "visit", "in time order");
        let empty = cash_up(d, vec![], vec![]);
        assert_eq!(empty["methods"].as_array().unwrap().len(), 3);
        assert_eq!(empty["totals"]["net_amount"], 0);
    }
}
