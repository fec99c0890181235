//! The front desk's day (issue 8): follow-ups with a state across customers, the Today
//! screen's lists, and the audited phone reveal with its review by managers.

use super::cases::{new_customer, new_template, purchase};
use super::harness::{unique_phone, user_name, Harness};
use chrono::{Duration, NaiveDate, Utc};
use serde_json::{json, Value};
use sqlx::Row;

fn unique(prefix: &str) -> String {
    let id = uuid::Uuid::now_v7().simple().to_string();
    format!("{prefix}{}", &id[id.len() - 8..])
}

/// The clinic's day (KST), as the server computes it.
fn kst_today() -> NaiveDate {
    (Utc::now() + Duration::hours(9)).date_naive()
}

/// 10:00 KST on a clinic day `days` from today.
fn kst_at(days: i64) -> String {
    format!("{}T10:00:00+09:00", kst_today() + Duration::days(days))
}

/// A customer whose assigned staff member is a name no other case uses, so the lists
/// across customers can be narrowed to this case's rows.
async fn customer_for(h: &Harness) -> (String, String) {
    let staff_name = unique("담당");
    let (id, _) = new_customer(
        h,
        json!({"assigned_staff": staff_name, "consent": {"privacy": true}}),
    )
    .await;
    (id, staff_name)
}

/// Records an interaction (on `occurred`, a day offset) asking for a follow-up `due` days
/// from today; returns the follow-up id (the interaction's).
async fn ask_follow_up(h: &Harness, customer: &str, occurred: i64, due: i64, note: &str) -> String {
    let staff = h.token("staff").await;
    let mut body = json!({"interaction_type": "call",
                          "follow_up": {"date": kst_at(due), "type": "call", "notes": note}});
    if occurred < 0 {
        body["date"] = json!(kst_at(occurred));
    }
    let r = h
        .post(
            &format!("/api/v1/customers/{customer}/interactions"),
            &staff,
            body,
        )
        .await;
    r.expect(201);
    r.data()["interaction_id"].as_str().unwrap().to_string()
}

fn ids_of(r: &super::harness::Resp) -> Vec<String> {
    r.data()["follow_ups"]
        .as_array()
        .expect("a follow-up list")
        .iter()
        .map(|f| f["follow_up_id"].as_str().unwrap().to_string())
        .collect()
}

async fn listed(h: &Harness, token: &str, query: &str) -> Vec<String> {
    let r = h.get(&format!("/api/v1/follow-ups?{query}"), token).await;
    r.expect(200);
    ids_of(&r)
}

async fn summary(h: &Harness, customer: &str) -> Value {
    let staff = h.token("staff").await;
    let r = h
        .get(
            &format!("/api/v1/customers/{customer}/interactions"),
            &staff,
        )
        .await;
    r.expect(200);
    r.data()["interaction_summary"].clone()
}

/// The stored events of a follow-up: (kind, note, username, new_due_date).
async fn stored_events(
    h: &Harness,
    follow_up: &str,
) -> Vec<(String, Option<String>, Option<String>, Option<String>)> {
    sqlx::query(
        "SELECT kind, note, username, new_due_date FROM follow_up_events WHERE follow_up_id = $1 \
         ORDER BY occurred_at, id",
    )
    .bind(follow_up.to_string())
    .fetch_all(&h.db.pool)
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.try_get("kind").unwrap(),
            r.try_get("note").unwrap(),
            r.try_get("username").unwrap(),
            r.try_get("new_due_date").unwrap(),
        )
    })
    .collect()
}

/// The logged changes (what devices pull) of follow-up events about `follow_up`.
async fn outbox_payloads(h: &Harness, follow_up: &str) -> Vec<Value> {
    sqlx::query("SELECT op FROM sync_log WHERE entity = 'follow_up_event' ORDER BY seq")
        .fetch_all(&h.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            super::harness::flatten_op(
                &serde_json::from_str::<Value>(&r.try_get::<String, _>("op").unwrap()).unwrap(),
            )
        })
        .filter(|p| p["follow_up_id"] == follow_up)
        .collect()
}

/// Follow-ups have a state: listed across customers by due window, completed and
/// rescheduled by staff, cancelled by managers — each an appended event with its outbox
/// entry and audit event — and an overdue follow-up still counts as open.
pub async fn follow_ups_are_listed_and_worked_through(h: &Harness) {
    let (customer, assignee) = customer_for(h).await;
    let staff = h.token("staff").await;
    let manager = h.token("manager").await;
    let overdue = ask_follow_up(h, &customer, -10, -3, "밀린 전화").await;
    let today = ask_follow_up(h, &customer, -2, 0, "오늘 전화").await;
    let soon = ask_follow_up(h, &customer, 0, 3, "사흘 뒤").await;
    let later = ask_follow_up(h, &customer, 0, 20, "한참 뒤").await;
    let mine = format!("assigned_staff={}", super::privacy::urlencode(&assignee));

    // Each window, soonest due first.
    assert_eq!(
        listed(h, &staff, &format!("{mine}&due=overdue")).await,
        [overdue.clone()]
    );
    assert_eq!(
        listed(h, &staff, &format!("{mine}&due=today")).await,
        [today.clone()]
    );
    assert_eq!(
        listed(h, &staff, &format!("{mine}&due=due")).await,
        [overdue.clone(), today.clone()]
    );
    assert_eq!(
        listed(h, &staff, &format!("{mine}&due=week")).await,
        [today.clone(), soon.clone()]
    );
    let all = [overdue.clone(), today.clone(), soon.clone(), later.clone()];
    assert_eq!(listed(h, &staff, &format!("{mine}&due=all")).await, all);
    assert_eq!(
        listed(h, &staff, &mine).await,
        all,
        "the default is every open one"
    );
    let page = h
        .get(
            &format!("/api/v1/follow-ups?{mine}&limit=2&offset=1"),
            &staff,
        )
        .await;
    page.expect(200);
    assert_eq!(ids_of(&page), [today.clone(), soon.clone()]);
    assert_eq!(page.data()["total_count"], 4);
    assert_eq!(page.data()["pagination"]["has_more"], true);
    let first = &h
        .get(&format!("/api/v1/follow-ups?{mine}&due=overdue"), &staff)
        .await
        .data()["follow_ups"][0]
        .clone();
    assert_eq!(first["customer_id"], customer.as_str());
    assert_eq!(first["state"], "open");
    assert_eq!(first["due"], "overdue");
    assert_eq!(first["notes"], "밀린 전화");
    assert_eq!(first["assigned_staff"], assignee.as_str());

    let s = summary(h, &customer).await;
    assert_eq!(s["open_follow_ups"], 4, "overdue follow-ups are still open");
    assert_eq!(s["overdue_follow_ups"], 1);

    // Staff complete the overdue one; a second completion is refused.
    let done = h
        .post(
            &format!("/api/v1/follow-ups/{overdue}/complete"),
            &staff,
            json!({"note": "통화 완료, 다음 주 예약"}),
        )
        .await;
    done.expect(200);
    assert_eq!(done.data()["follow_up"]["state"], "done");
    assert_eq!(done.data()["follow_up"]["due"], Value::Null);
    assert!(done.data()["follow_up"]["closed_at"].is_string());
    let events = done.data()["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["kind"], "complete");
    assert_eq!(events[0]["by"], "테스트 staff");
    h.post(
        &format!("/api/v1/follow-ups/{overdue}/complete"),
        &staff,
        json!({}),
    )
    .await
    .expect_error(409, "FOLLOW_UP_CLOSED");
    h.post(
        &format!("/api/v1/follow-ups/{overdue}/reschedule"),
        &staff,
        json!({"date": kst_at(5)}),
    )
    .await
    .expect_error(409, "FOLLOW_UP_CLOSED");
    assert!(listed(h, &staff, &format!("{mine}&due=overdue"))
        .await
        .is_empty());
    assert_eq!(
        listed(h, &staff, &format!("{mine}&state=done")).await,
        [overdue.clone()]
    );

    // Staff move today's to the day after tomorrow; not into the past.
    h.post(
        &format!("/api/v1/follow-ups/{today}/reschedule"),
        &staff,
        json!({"date": (kst_today() - Duration::days(1)).to_string()}),
    )
    .await
    .expect_error(422, "VALIDATION_ERROR");
    let new_day = (kst_today() + Duration::days(2)).to_string();
    let moved = h
        .post(
            &format!("/api/v1/follow-ups/{today}/reschedule"),
            &staff,
            json!({"date": new_day, "note": "고객 요청"}),
        )
        .await;
    moved.expect(200);
    assert_eq!(moved.data()["follow_up"]["state"], "open");
    assert_eq!(moved.data()["follow_up"]["due"], "upcoming");
    assert!(listed(h, &staff, &format!("{mine}&due=today"))
        .await
        .is_empty());
    assert_eq!(
        listed(h, &staff, &format!("{mine}&due=week")).await,
        [today.clone(), soon.clone()],
        "still this week, on its new day"
    );

    // Cancelling takes a manager, and a reason.
    h.post(
        &format!("/api/v1/follow-ups/{soon}/cancel"),
        &staff,
        json!({"reason": "불필요"}),
    )
    .await
    .expect_error(403, "FORBIDDEN_ROLE");
    h.post(
        &format!("/api/v1/follow-ups/{soon}/cancel"),
        &manager,
        json!({}),
    )
    .await
    .expect_error(422, "VALIDATION_ERROR");
    let cancelled = h
        .post(
            &format!("/api/v1/follow-ups/{soon}/cancel"),
            &manager,
            json!({"reason": "고객이 연락 거부"}),
        )
        .await;
    cancelled.expect(200);
    assert_eq!(cancelled.data()["follow_up"]["state"], "cancelled");
    assert_eq!(
        listed(h, &staff, &format!("{mine}&state=all")).await,
        [overdue.clone(), today.clone(), soon.clone(), later.clone()]
    );
    assert_eq!(
        listed(h, &staff, &mine).await,
        [today.clone(), later.clone()]
    );
    let s = summary(h, &customer).await;
    assert_eq!(s["open_follow_ups"], 2);
    assert_eq!(s["overdue_follow_ups"], 0);

    // Unknown and malformed ids.
    let nobody = uuid::Uuid::now_v7().to_string();
    h.post(
        &format!("/api/v1/follow-ups/{nobody}/complete"),
        &staff,
        json!({}),
    )
    .await
    .expect_error(404, "FOLLOW_UP_NOT_FOUND");
    h.post("/api/v1/follow-ups/x/complete", &staff, json!({}))
        .await
        .expect_error(404, "FOLLOW_UP_NOT_FOUND");
    h.get("/api/v1/follow-ups?due=soon", &staff)
        .await
        .expect_error(422, "VALIDATION_ERROR");

    // What is stored: the facts, their outbox entries and their audit events.
    assert_eq!(
        stored_events(h, &overdue).await,
        [(
            "complete".to_string(),
            Some("통화 완료, 다음 주 예약".to_string()),
            Some(user_name("staff")),
            None
        )]
    );
    let moved_events = stored_events(h, &today).await;
    assert_eq!(moved_events.len(), 1);
    assert_eq!(moved_events[0].0, "reschedule");
    assert_eq!(moved_events[0].1.as_deref(), Some("고객 요청"));
    assert!(
        moved_events[0]
            .3
            .as_deref()
            .is_some_and(|d| d.starts_with(&new_day)),
        "new day {new_day} stored: {:?}",
        moved_events[0].3
    );
    let outbox = outbox_payloads(h, &overdue).await;
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    assert_eq!(outbox[0]["_kind"], "fact");
    assert_eq!(outbox[0]["kind"], "complete");
    assert_eq!(outbox[0]["note"], "통화 완료, 다음 주 예약");
    assert_eq!(outbox[0]["username"], user_name("staff"));
    let outbox = outbox_payloads(h, &soon).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0]["kind"], "cancel");
    assert_eq!(outbox[0]["note"], "고객이 연락 거부");
    assert_eq!(outbox[0]["username"], user_name("manager"));
    for (action, who) in [
        ("follow_up.complete", "staff"),
        ("follow_up.reschedule", "staff"),
        ("follow_up.cancel", "manager"),
    ] {
        let events = h.audit_events(&customer, Some(action)).await;
        assert_eq!(events.len(), 1, "{action}");
        assert_eq!(events[0].username.as_deref(), Some(user_name(who).as_str()));
        assert_eq!(events[0].role.as_deref(), Some(who));
        assert_eq!(events[0].entity, "follow_up_event");
        let keys = events[0].details.as_array().expect("the changed fields");
        assert!(keys.iter().any(|k| k == "follow_up_id"), "{keys:?}");
    }
}

/// The Today screen: overdue and today's follow-ups, today's visits, packages ending
/// within 14 days with sessions left, and customers who crossed the at-risk threshold this
/// week — each with the customer to open — for every clinic role.
pub async fn today_shows_the_days_work(h: &Harness) {
    let (customer, _) = customer_for(h).await;
    let staff = h.token("staff").await;
    // Older than any other case's, so it is on the first page of the list.
    let overdue = ask_follow_up(h, &customer, -400, -399, "아주 밀린 전화").await;
    let upcoming = ask_follow_up(h, &customer, 0, 1, "내일 전화").await;
    let visit = h
        .post(
            &format!("/api/v1/customers/{customer}/sessions"),
            &staff,
            json!({"payment_method": "card", "service_type": "brain"}),
        )
        .await;
    visit.expect(201);
    let visit_id = visit.data()["session_id"].as_str().unwrap().to_string();

    // Bought 80 days ago, valid 90: ends in 10 days, sessions left. Another ends in 60.
    let ending = new_template(h, json!({"pulse": 5}), 90).await;
    let bought = purchase(
        h,
        &customer,
        &ending,
        Some((kst_today() - Duration::days(80)).to_string()),
    )
    .await;
    let ending_purchase = bought["package_usage_id"].as_str().unwrap().to_string();
    let lasting = new_template(h, json!({"pulse": 5}), 90).await;
    let kept = purchase(
        h,
        &customer,
        &lasting,
        Some((kst_today() - Duration::days(30)).to_string()),
    )
    .await;
    let lasting_purchase = kept["package_usage_id"].as_str().unwrap().to_string();

    // Last visit 48 days ago: at risk now, stable a week ago. 60 days ago: at risk for weeks.
    let (newly, _) = customer_for(h).await;
    let (long_gone, _) = customer_for(h).await;
    for (c, days) in [(&newly, 48), (&long_gone, 60)] {
        h.post(
            &format!("/api/v1/customers/{c}/sessions"),
            &staff,
            json!({"payment_method": "card", "service_type": "red", "service_date": (kst_today() - Duration::days(days)).to_string()}),
        )
        .await
        .expect(201);
    }

    for role in ["staff", "doctor", "manager", "admin"] {
        let token = h.token(role).await;
        let r = h.get("/api/v1/today", &token).await;
        r.expect(200);
        let d = r.data();
        assert_eq!(d["date"], kst_today().to_string());

        let follow_ups = d["follow_ups"]["items"].as_array().unwrap();
        assert!(!follow_ups.is_empty());
        let mine: Vec<&Value> = follow_ups
            .iter()
            .filter(|f| f["customer_id"] == customer.as_str())
            .collect();
        assert_eq!(mine.len(), 1, "{role}: the overdue one, not tomorrow's");
        assert_eq!(mine[0]["follow_up_id"], overdue.as_str());
        assert_eq!(mine[0]["due"], "overdue");
        assert!(follow_ups
            .iter()
            .all(|f| f["follow_up_id"] != upcoming.as_str()));
        assert!(follow_ups
            .iter()
            .all(|f| f["due"] == "overdue" || f["due"] == "today"));
        assert!(d["follow_ups"]["overdue_count"].as_i64().unwrap() >= 1);

        let visits = d["visits"]["items"].as_array().unwrap();
        assert!(!visits.is_empty());
        let v = visits
            .iter()
            .find(|v| v["session_id"] == visit_id.as_str())
            .expect("today's visit");
        assert_eq!(v["customer_id"], customer.as_str());
        assert_eq!(v["service_type"], "brain");
        assert!(d["visits"]["count"].as_i64().unwrap() >= visits.len() as i64);

        let expiring = d["expiring_packages"]["items"].as_array().unwrap();
        assert!(!expiring.is_empty());
        assert_eq!(d["expiring_packages"]["within_days"], 14);
        let p = expiring
            .iter()
            .find(|p| p["purchase_id"] == ending_purchase.as_str())
            .expect("the package ending in 10 days");
        assert_eq!(p["customer_id"], customer.as_str());
        assert_eq!(p["days_left"], 10);
        assert_eq!(
            p["expiry_date"],
            (kst_today() + Duration::days(10)).to_string()
        );
        assert_eq!(p["remaining_sessions"], 5);
        assert!(expiring
            .iter()
            .all(|p| p["purchase_id"] != lasting_purchase.as_str()));
        assert!(expiring
            .iter()
            .all(|p| (0..=14).contains(&p["days_left"].as_i64().unwrap())));

        let at_risk = d["newly_at_risk"]["items"].as_array().unwrap();
        assert!(!at_risk.is_empty());
        let n = at_risk
            .iter()
            .find(|c| c["customer_id"] == newly.as_str())
            .expect("newly at risk");
        assert_eq!(n["days_since"], 48);
        assert!(at_risk
            .iter()
            .all(|c| c["customer_id"] != long_gone.as_str()));
        assert!(at_risk
            .iter()
            .all(|c| (46..=52).contains(&c["days_since"].as_i64().unwrap())));
        assert_eq!(
            d["newly_at_risk"]["from"],
            (kst_today() - Duration::days(52)).to_string()
        );
        assert_eq!(
            d["newly_at_risk"]["to"],
            (kst_today() - Duration::days(46)).to_string()
        );
    }

    // Reading the day is an access like any list: the customers it showed are on record.
    let reads = h.audit_events(&customer, Some("today.read")).await;
    assert!(!reads.is_empty());
    assert_eq!(
        reads[0].username.as_deref(),
        Some(user_name("admin").as_str())
    );

    // Completing from the list takes it off the day.
    h.post(
        &format!("/api/v1/follow-ups/{overdue}/complete"),
        &staff,
        json!({}),
    )
    .await
    .expect(200);
    let r = h.get("/api/v1/today", &staff).await;
    r.expect(200);
    assert!(r.data()["follow_ups"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["follow_up_id"] != overdue.as_str()));
    let patient = h
        .send(
            "GET",
            "/api/v1/today",
            None,
            super::harness::Payload::None,
            &[],
        )
        .await;
    assert_eq!(patient.status, 401);
}

/// Staff see a phone masked; revealing it for a reason answers it whole and writes who, whom
/// and why to the audit trail; a refused reveal writes nothing and answers no phone.
/// Managers (and admins) review the reveals; staff and doctors may not.
pub async fn staff_reveal_a_phone_and_the_reveal_is_audited(h: &Harness) {
    let phone = unique_phone();
    let (customer, created) =
        new_customer(h, json!({"phone": phone, "consent": {"privacy": true}})).await;
    let name = created["name"].as_str().unwrap().to_string();
    let staff = h.token("staff").await;
    let reveal = format!("/api/v1/customers/{customer}/phone-reveal");

    let masked = h
        .get(&format!("/api/v1/customers/{customer}"), &staff)
        .await;
    masked.expect(200);
    assert_ne!(masked.data()["phone"], phone.as_str());
    assert!(masked.data()["phone"].as_str().unwrap().contains('*'));

    for (body, field) in [
        (json!({}), "reason"),
        (json!({"reason": "curious"}), "reason"),
        (json!({"reason": "other"}), "note"),
    ] {
        let r = h.post(&reveal, &staff, body).await;
        r.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(r.field(), field);
        assert!(!r.body.to_string().contains(&phone));
    }
    assert_eq!(
        h.audit_count(&customer, Some("customer.phone.reveal"))
            .await,
        0,
        "no reason, no event"
    );
    let nobody = uuid::Uuid::now_v7().to_string();
    h.post(
        &format!("/api/v1/customers/{nobody}/phone-reveal"),
        &staff,
        json!({"reason": "booking"}),
    )
    .await
    .expect_error(404, "CUSTOMER_NOT_FOUND");

    let r = h
        .post(&reveal, &staff, json!({"reason": "follow_up_call"}))
        .await;
    r.expect(200);
    assert_eq!(r.data()["phone"], phone.as_str());
    assert_eq!(r.data()["customer_id"], customer.as_str());
    assert_eq!(r.data()["reason"], "follow_up_call");
    h.post(
        &reveal,
        &staff,
        json!({"reason": "other", "note": "보호자 연락"}),
    )
    .await
    .expect(200);

    // Who, whom and why, in the trail itself.
    let events = h
        .audit_events(&customer, Some("customer.phone.reveal"))
        .await;
    assert_eq!(events.len(), 2);
    let first = &events[1];
    assert_eq!(first.username.as_deref(), Some(user_name("staff").as_str()));
    assert_eq!(first.role.as_deref(), Some("staff"));
    assert!(first.user_id.is_some());
    assert_eq!(first.entity, "customer");
    assert_eq!(first.entity_id.as_deref(), Some(customer.as_str()));
    assert_eq!(first.details["reason"], "follow_up_call");
    assert_eq!(first.details["staff_name"], "테스트 staff");
    assert_eq!(events[0].details["reason"], "other");
    assert_eq!(events[0].details["note"], "보호자 연락");
    assert!(
        !first.details.to_string().contains(&phone),
        "the trail holds no phone"
    );

    // The review: managers and admins, not staff or doctors.
    let q = format!("/api/v1/audit/phone-reveals?customer_id={customer}");
    for role in ["staff", "doctor"] {
        h.get(&q, &h.token(role).await)
            .await
            .expect_error(403, "FORBIDDEN_ROLE");
    }
    for role in ["manager", "admin"] {
        let r = h.get(&q, &h.token(role).await).await;
        r.expect(200);
        let list = r.data()["events"].as_array().unwrap();
        assert_eq!(list.len(), 2, "{role}");
        assert_eq!(list[1]["username"], user_name("staff"));
        assert_eq!(list[1]["staff_name"], "테스트 staff");
        assert_eq!(list[1]["customer_id"], customer.as_str());
        assert_eq!(list[1]["customer_name"], name.as_str());
        assert_eq!(list[1]["reason"], "follow_up_call");
        assert_eq!(list[0]["note"], "보호자 연락");
    }
    let manager = h.token("manager").await;
    let by_user = h
        .get(
            &format!(
                "/api/v1/audit/phone-reveals?username={}&from={}&to={}&size=200",
                user_name("staff"),
                kst_today(),
                kst_today()
            ),
            &manager,
        )
        .await;
    by_user.expect(200);
    let list = by_user.data()["events"].as_array().unwrap();
    assert!(!list.is_empty());
    assert!(list.iter().all(|e| e["username"] == user_name("staff")));
    h.get("/api/v1/audit/phone-reveals?customer_id=x", &manager)
        .await
        .expect_error(422, "VALIDATION_ERROR");
    // Managers still cannot read the rest of the trail.
    h.get("/api/v1/audit/events", &manager)
        .await
        .expect_error(403, "FORBIDDEN_ROLE");
}
