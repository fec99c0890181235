//! Money at the front desk (issue 8): a purchase needs its payment method; a manager cancels
//! or refunds it as a compensating event; staff void their own visit for ten minutes; the same
//! service twice on a day is asked about; receipts; the daily cash-up; the clinic's details.

use super::cases::{new_customer, new_template, purchase};
use super::harness::{user_name, Harness};
use chrono::{Duration, NaiveDate, Utc};
use serde_json::{json, Value};

fn kst_today() -> NaiveDate {
    (Utc::now() + Duration::hours(9)).date_naive()
}

/// What the outbox holds for a record, as JSON payloads.
async fn outbox_payloads(h: &Harness, entity_id: &str) -> Vec<Value> {
    h.logged_changes(entity_id).await
}

fn fields(r: &super::harness::Resp) -> Vec<String> {
    let mut f: Vec<String> = r.body["error"]["details"]["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_else(|| vec![r.field().to_string()]);
    f.sort();
    f
}

pub async fn purchases_are_cancelled_and_refunded_by_a_manager(h: &Harness) {
    let (id, _) = new_customer(h, json!({})).await;
    let pkg = new_template(h, json!({"brain": 2, "pulse": 2}), 90).await;
    let staff = h.token("staff").await;
    let manager = h.token("manager").await;

    // Nothing is assumed: no method, no sale.
    let path = format!("/api/v1/customers/{id}/packages");
    let r = h.post(&path, &staff, json!({"package_id": pkg})).await;
    r.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(fields(&r), ["payment_method"]);
    assert_eq!(
        h.count("package_purchases", "customer_id = $1", &id).await,
        0
    );

    let p = purchase(h, &id, &pkg, None).await;
    let pid = p["package_usage_id"].as_str().unwrap().to_string();
    assert_eq!(p["cancellation"], Value::Null);
    let visit = h
        .post(
            &format!("/api/v1/customers/{id}/sessions"),
            &staff,
            json!({"service_type": "brain", "package_usage_id": pid}),
        )
        .await;
    visit.expect(201);

    let cancel = format!("/api/v1/purchases/{pid}/cancel");
    let body =
        json!({"reason": "고객 요청 환불", "refund_amount": 600_000, "refund_method": "card"});
    for role in ["staff", "doctor"] {
        h.post(&cancel, &h.token(role).await, body.clone())
            .await
            .expect_error(403, "FORBIDDEN_ROLE");
    }
    let r = h
        .post(&cancel, &manager, json!({"refund_amount": 1_000_001}))
        .await;
    r.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(fields(&r), ["reason", "refund_amount", "refund_method"]);
    let over = r.body["error"]["details"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "refund_amount")
        .cloned()
        .unwrap();
    assert_eq!(over["reason"], "out_of_range");
    assert!(over["message"].as_str().unwrap().contains("1,000,000"));
    assert_eq!(
        h.count("purchase_cancellations", "purchase_id = $1", &pid)
            .await,
        0
    );

    let r = h.post(&cancel, &manager, body.clone()).await;
    r.expect(200);
    let d = r.data();
    assert_eq!(d["package_status"], "cancelled");
    assert_eq!(d["remaining_sessions"], 0);
    assert_eq!(d["used_sessions"], 1, "the session used stays counted");
    assert_eq!(d["cancellation"]["reason"], "고객 요청 환불");
    assert_eq!(d["cancellation"]["refund_amount"], 600_000);
    assert_eq!(d["cancellation"]["refund_method"], "card");
    assert!(d["cancellation"]["cancelled_by"].is_string());

    h.post(&cancel, &manager, body.clone())
        .await
        .expect_error(409, "PURCHASE_ALREADY_CANCELLED");
    let missing = clinicdesk_domain::ids::new_id();
    h.post(
        &format!("/api/v1/purchases/{missing}/cancel"),
        &manager,
        body.clone(),
    )
    .await
    .expect_error(404, "PURCHASE_NOT_FOUND");

    // The package cannot be used; the visit already made stays in the history.
    h.post(
        &format!("/api/v1/customers/{id}/sessions"),
        &staff,
        json!({"service_type": "pulse", "package_usage_id": pid}),
    )
    .await
    .expect_error(409, "PACKAGE_CANCELLED");
    let detail = h
        .get(&format!("/api/v1/customers/{id}/detail"), &staff)
        .await;
    let dd = detail.data();
    assert_eq!(dd["serviceHistory"].as_array().unwrap().len(), 1);
    assert_eq!(dd["serviceHistory"][0]["cancelled"], false);
    assert!(
        dd["activePackages"].as_array().unwrap().is_empty(),
        "a cancelled package is not an active one"
    );
    // Net revenue (seed 000): what the clinic kept.
    assert_eq!(dd["customer"]["total_revenue"], 400_000);
    let listed = h
        .get(
            &format!("/api/v1/customers/{id}/packages?status=cancelled"),
            &staff,
        )
        .await;
    assert_eq!(listed.data()["packages"][0]["package_usage_id"], json!(pid));
    let active = h
        .get(
            &format!("/api/v1/customers/{id}/packages?status=active"),
            &staff,
        )
        .await;
    assert!(active.data()["packages"].as_array().unwrap().is_empty());
    // No package for the search filters either.
    let name = dd["customer"]["name"].as_str().unwrap().to_string();
    for status in ["active", "expiring", "expired"] {
        let r = h
            .get(
                &format!(
                    "/api/v1/customers/search?q={}&package_status={status}",
                    super::privacy::urlencode(&name)
                ),
                &manager,
            )
            .await;
        r.expect(200);
        let shown: Vec<&Value> = r.data()["customers"].as_array().unwrap().iter().collect();
        assert!(
            shown.iter().all(|c| c["id"] != json!(id)),
            "{status}: a cancelled package is no package"
        );
    }

    // What is stored: the event in the outbox and in the audit trail.
    let payloads = outbox_payloads(h, &pid).await;
    let cancelled = payloads
        .iter()
        .find(|p| p.get("refund_amount").is_some())
        .expect("the cancellation is logged for the devices");
    assert_eq!(cancelled["_entity"], "purchase_cancellation");
    assert_eq!(cancelled["refund_amount"], "600000");
    assert_eq!(cancelled["refund_method"], "card");
    let events = h.audit_events(&id, Some("package.cancel")).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].entity_id.as_deref(), Some(pid.as_str()));
    assert_eq!(
        events[0].username.as_deref(),
        Some(user_name("manager").as_str())
    );
    // The trail names what changed (the values are in the record, not copied into the trail).
    let named: Vec<&str> = events[0]
        .details
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        named.contains(&"refund_amount") && named.contains(&"reason"),
        "{named:?}"
    );
}

pub async fn staff_void_their_own_visit_for_ten_minutes(h: &Harness) {
    let (id, _) = new_customer(h, json!({})).await;
    let staff = h.token("staff").await;
    let doctor = h.token("doctor").await;
    let manager = h.token("manager").await;
    let record = |service: &'static str| {
        let path = format!("/api/v1/customers/{id}/sessions");
        let staff = staff.clone();
        async move {
            let r = h
                .post(
                    &path,
                    &staff,
                    json!({"service_type": service, "payment_method": "cash"}),
                )
                .await;
            r.expect(201);
            r.data().clone()
        }
    };
    let v = record("pulse").await;
    let sid = v["session_id"].as_str().unwrap().to_string();
    assert_eq!(v["payment_method"], "cash");
    assert_eq!(v["amount"], 50_000);
    assert!(v["void_until"].is_string());
    assert!(v["created_by"].is_string());
    let void = format!("/api/v1/sessions/{sid}/cancel");
    h.post(&void, &staff, json!({}))
        .await
        .expect_error(422, "VALIDATION_ERROR");
    h.post(&void, &doctor, json!({"reason": "남의 기록"}))
        .await
        .expect_error(403, "VISIT_VOID_NOT_OWN");
    let r = h
        .post(&void, &staff, json!({"reason": "다른 고객에게 잘못 기록"}))
        .await;
    r.expect(200);
    assert_eq!(r.data()["refunded_amount"], 50_000);
    assert_eq!(r.data()["payment_method"], "cash");
    let detail = h
        .get(&format!("/api/v1/customers/{id}/detail"), &staff)
        .await;
    let shown = &detail.data()["serviceHistory"][0];
    assert_eq!(shown["cancelled"], true);
    assert_eq!(shown["cancel_reason"], "다른 고객에게 잘못 기록");
    assert!(shown["cancelled_by"].is_string());
    assert_eq!(h.audit_count(&id, Some("session.cancel")).await, 1);

    // After ten minutes it is a manager's cancel.
    let late = record("red").await;
    let late_id = late["session_id"].as_str().unwrap().to_string();
    h.backdate_visit(&late_id, 11).await;
    let path = format!("/api/v1/sessions/{late_id}/cancel");
    h.post(&path, &staff, json!({"reason": "늦은 취소"}))
        .await
        .expect_error(403, "VISIT_VOID_WINDOW_PASSED");
    h.post(&path, &manager, json!({"reason": "관리자 취소"}))
        .await
        .expect(200);
}

pub async fn the_same_service_twice_on_a_day_is_asked_about(h: &Harness) {
    let (id, _) = new_customer(h, json!({})).await;
    let staff = h.token("staff").await;
    let path = format!("/api/v1/customers/{id}/sessions");
    let body = json!({"service_type": "lymph", "payment_method": "card"});
    let first = h.post(&path, &staff, body.clone()).await;
    first.expect(201);
    let r = h.post(&path, &staff, body.clone()).await;
    r.expect_error(409, "DUPLICATE_VISIT");
    let details = &r.body["error"]["details"];
    assert_eq!(
        details["existing"][0]["session_id"],
        first.data()["session_id"]
    );
    assert_eq!(details["confirm_with"], "confirm_duplicate=true");
    assert_eq!(
        h.count("service_sessions", "customer_id = $1", &id).await,
        1
    );
    // Another service that day is no duplicate; a deliberate second one is recorded.
    h.post(
        &path,
        &staff,
        json!({"service_type": "red", "payment_method": "card"}),
    )
    .await
    .expect(201);
    h.post(
        &format!("{path}?confirm_duplicate=true"),
        &staff,
        body.clone(),
    )
    .await
    .expect(201);
    // A package visit says what is left, never turns into a paid one.
    let pkg = new_template(h, json!({"pulse": 1}), 30).await;
    let p = purchase(h, &id, &pkg, None).await;
    let with_package = json!({"service_type": "pulse", "package_usage_id": p["package_usage_id"]});
    h.post(&path, &staff, with_package.clone())
        .await
        .expect(201);
    let r = h
        .post(
            &format!("{path}?confirm_duplicate=true"),
            &staff,
            with_package,
        )
        .await;
    r.expect_error(409, "PACKAGE_EXHAUSTED");
    assert!(r.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("펄스 케어 0회 남음"));
    let r = h
        .post(
            &path,
            &staff,
            json!({"service_type": "pulse", "package_usage_id": p["package_usage_id"], "payment_method": "card"}),
        )
        .await;
    r.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(
        r.body["error"]["details"]["errors"][0]["reason"],
        "not_applicable"
    );
}

pub async fn receipts_and_the_clinic_details(h: &Harness) {
    let admin = h.token("admin").await;
    let manager = h.token("manager").await;
    let staff = h.token("staff").await;
    let clinic = json!({"name": "서울 웰니스 의원", "business_number": "123-45-67890",
                        "address": "서울시 강남구 테헤란로 1", "phone": "02-123-4567"});
    h.put("/api/v1/settings/clinic", &manager, clinic.clone())
        .await
        .expect_error(403, "FORBIDDEN_ROLE");
    let r = h
        .put(
            "/api/v1/settings/clinic",
            &admin,
            json!({"business_number": "12345", "phone": "call me"}),
        )
        .await;
    r.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(fields(&r), ["business_number", "name", "phone"]);
    h.put("/api/v1/settings/clinic", &admin, clinic.clone())
        .await
        .expect(200);
    let read = h.get("/api/v1/settings/clinic", &staff).await;
    read.expect(200);
    assert_eq!(read.data()["business_number"], "123-45-67890");

    let (id, c) = new_customer(h, json!({})).await;
    let pkg = new_template(h, json!({"brain": 3}), 60).await;
    let p = purchase(h, &id, &pkg, None).await;
    let pid = p["package_usage_id"].as_str().unwrap();
    let r = h
        .get(&format!("/api/v1/purchases/{pid}/receipt"), &staff)
        .await;
    r.expect(200);
    let receipt = r.data();
    assert_eq!(receipt["kind"], "purchase");
    assert_eq!(receipt["clinic"]["name"], "서울 웰니스 의원");
    assert_eq!(receipt["customer_name"], c["name"]);
    assert_eq!(receipt["total"], 1_000_000);
    assert_eq!(receipt["payment_method"], "card");
    assert_eq!(receipt["items"][0]["amount"], 1_000_000);
    assert!(receipt["items"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("브레인 피드백 3회"));
    assert!(receipt["staff_name"].is_string(), "who sold it");
    assert!(receipt["receipt_number"]
        .as_str()
        .unwrap()
        .starts_with("R-"));
    assert_eq!(receipt["cancellation"], Value::Null);
    let again = h
        .get(&format!("/api/v1/purchases/{pid}/receipt"), &staff)
        .await;
    assert_eq!(again.data()["receipt_number"], receipt["receipt_number"]);

    // A package visit has none; a paid visit has one.
    let path = format!("/api/v1/customers/{id}/sessions");
    let covered = h
        .post(
            &path,
            &staff,
            json!({"service_type": "brain", "package_usage_id": pid}),
        )
        .await;
    let covered_id = covered.data()["session_id"].as_str().unwrap();
    h.get(&format!("/api/v1/sessions/{covered_id}/receipt"), &staff)
        .await
        .expect_error(422, "NO_RECEIPT");
    let paid = h
        .post(
            &path,
            &staff,
            json!({"service_type": "ai_bike", "payment_method": "transfer"}),
        )
        .await;
    let paid_id = paid.data()["session_id"].as_str().unwrap();
    let r = h
        .get(&format!("/api/v1/sessions/{paid_id}/receipt"), &staff)
        .await;
    r.expect(200);
    assert_eq!(r.data()["kind"], "visit");
    assert_eq!(r.data()["payment_method"], "transfer");
    assert_eq!(r.data()["items"][0]["name"], "AI 바이크");
    let missing = clinicdesk_domain::ids::new_id();
    h.get(&format!("/api/v1/sessions/{missing}/receipt"), &staff)
        .await
        .expect_error(404, "SESSION_NOT_FOUND");
    h.get(&format!("/api/v1/purchases/{missing}/receipt"), &staff)
        .await
        .expect_error(404, "PURCHASE_NOT_FOUND");

    // A refunded purchase's receipt says so.
    h.post(
        &format!("/api/v1/purchases/{pid}/cancel"),
        &manager,
        json!({"reason": "중복 결제", "refund_amount": 1_000_000, "refund_method": "card"}),
    )
    .await
    .expect(200);
    let r = h
        .get(&format!("/api/v1/purchases/{pid}/receipt"), &staff)
        .await;
    assert_eq!(r.data()["cancellation"]["refund_amount"], 1_000_000);
    assert_eq!(r.data()["cancellation"]["reason"], "중복 결제");
}

pub async fn the_cash_up_adds_up_a_day(h: &Harness) {
    let manager = h.token("manager").await;
    let staff = h.token("staff").await;
    h.get("/api/v1/cash-up", &staff)
        .await
        .expect_error(403, "FORBIDDEN_ROLE");
    // A day of its own, far back, so no other case sells on it.
    let offset = 2_000 + (uuid::Uuid::new_v4().as_u128() % 20_000) as i64;
    let day = kst_today() - Duration::days(offset);
    let (id, _) = new_customer(h, json!({})).await;
    let pkg = new_template(h, json!({"red": 4}), 3650).await;
    let p = purchase(h, &id, &pkg, Some(day.to_string())).await;
    let path = format!("/api/v1/customers/{id}/sessions");
    for (service, method) in [("brain", "cash"), ("pulse", "card")] {
        h.post(
            &path,
            &staff,
            json!({"service_type": service, "payment_method": method, "service_date": day.to_string()}),
        )
        .await
        .expect(201);
    }
    let r = h
        .get(&format!("/api/v1/cash-up?date={day}"), &manager)
        .await;
    r.expect(200);
    let v = r.data();
    assert_eq!(v["date"], day.to_string());
    let rows = v["methods"].as_array().unwrap();
    assert!(!rows.is_empty());
    let row = |m: &str| {
        rows.iter()
            .find(|r| r["payment_method"] == m)
            .cloned()
            .unwrap()
    };
    assert_eq!(row("card")["sales_count"], 2);
    assert_eq!(row("card")["sales_amount"], 1_050_000);
    assert_eq!(row("cash")["sales_amount"], 60_000);
    assert_eq!(row("transfer")["sales_count"], 0);
    assert_eq!(v["totals"]["sales_amount"], 1_110_000);
    assert_eq!(v["totals"]["refund_amount"], 0);
    assert_eq!(v["sales"].as_array().unwrap().len(), 3);

    // A refund counts on the day it is made (today), and the sale stays on its own day.
    let pid = p["package_usage_id"].as_str().unwrap();
    h.post(
        &format!("/api/v1/purchases/{pid}/cancel"),
        &manager,
        json!({"reason": "정산 확인", "refund_amount": 300_000, "refund_method": "transfer"}),
    )
    .await
    .expect(200);
    let then = h
        .get(&format!("/api/v1/cash-up?date={day}"), &manager)
        .await;
    assert_eq!(then.data()["totals"]["sales_amount"], 1_110_000);
    let sold = then.data()["sales"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == json!(pid))
        .cloned()
        .unwrap();
    assert_eq!(sold["cancelled"], true);
    let today = h.get("/api/v1/cash-up", &manager).await;
    today.expect(200);
    let t = today.data();
    assert_eq!(t["date"], kst_today().to_string());
    let ours: Vec<&Value> = t["refunds"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["id"] == json!(pid))
        .collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0]["amount"], 300_000);
    assert_eq!(ours[0]["payment_method"], "transfer");
    assert_eq!(ours[0]["reason"], "정산 확인");
    // The rows add up to the totals.
    let sum = |k: &str| {
        t["methods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[k].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!(json!(sum("refund_amount")), t["totals"]["refund_amount"]);
    assert_eq!(json!(sum("net_amount")), t["totals"]["net_amount"]);
    h.get("/api/v1/cash-up?date=2024-13-01", &manager)
        .await
        .expect_error(422, "VALIDATION_ERROR");
}
