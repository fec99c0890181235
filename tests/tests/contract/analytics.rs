//! Managers' analytics (issue 11). The clinic-wide roll-ups the dashboard reads are never
//! stale: after every kind of write they equal what a rebuild from the facts gives.

use super::cases::{new_customer, new_template, purchase};
use super::harness::Harness;
use chrono::{Duration, Utc};
use serde_json::json;
use sqlx::Row;

/// Every roll-up row the analytics read, one line per row, in a stable order.
pub(crate) async fn roll_ups(h: &Harness) -> Vec<String> {
    let mut conn = h.db.conn().await.unwrap();
    let mut out = Vec::new();
    for (table, text_columns, number_columns) in [
        (
            "daily_visit_stats",
            &["day", "service_type"][..],
            &[
                "hour",
                "visits",
                "package_visits",
                "revenue",
                "rating_sum",
                "rating_count",
            ][..],
        ),
        (
            "daily_purchase_stats",
            &["day", "package_id"][..],
            &["purchases", "cancelled", "revenue"][..],
        ),
        (
            "customer_days",
            &["customer_id", "day", "prev_day"][..],
            &[][..],
        ),
        (
            "day_transitions",
            &["day", "prev_day"][..],
            &["customers"][..],
        ),
    ] {
        let columns = [text_columns, number_columns].concat().join(", ");
        let rows = sqlx::query(&format!("SELECT {columns} FROM {table}"))
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        for r in rows {
            let mut line = vec![table.to_string()];
            for c in text_columns {
                line.push(format!(
                    "{c}={}",
                    r.get::<Option<String>, _>(*c).unwrap_or_default()
                ));
            }
            for c in number_columns {
                line.push(format!("{c}={}", r.get::<i64, _>(*c)));
            }
            out.push(line.join(" "));
        }
    }
    out.sort();
    out
}

/// The roll-ups as they are, after checking they equal a rebuild from the facts.
pub(crate) async fn checked_roll_ups(h: &Harness, after: &str) -> Vec<String> {
    let kept = roll_ups(h).await;
    let mut conn = h.db.conn().await.unwrap();
    clinicdesk_store::clinic_stats::rebuild(&mut conn)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(
        kept,
        roll_ups(h).await,
        "roll-ups after {after} differ from a rebuild"
    );
    kept
}

fn line_of<'a>(rows: &'a [String], prefix: &str, contains: &[&str]) -> Option<&'a String> {
    rows.iter()
        .find(|l| l.starts_with(prefix) && contains.iter().all(|c| l.contains(c)))
}

pub async fn clinic_roll_ups_follow_every_write(h: &Harness) {
    let today = (Utc::now() + Duration::hours(9)).date_naive();
    let day = format!("day={today}");
    let (id, _) = new_customer(h, json!({})).await;
    let pkg = new_template(h, json!({"brain": 2, "pulse": 2}), 90).await;
    let staff = h.token("staff").await;
    let manager = h.token("manager").await;
    let p = purchase(h, &id, &pkg, None).await;
    let pid = p["package_usage_id"].as_str().unwrap().to_string();
    let visit = |body: serde_json::Value| {
        let path = format!("/api/v1/customers/{id}/sessions");
        let staff = staff.clone();
        async move {
            let r = h.post(&path, &staff, body).await;
            r.expect(201);
            r.data()["session_id"].as_str().unwrap().to_string()
        }
    };
    visit(json!({"service_type": "brain", "package_usage_id": pid, "satisfaction_rating": 5}))
        .await;
    visit(json!({"service_type": "red", "payment_method": "cash"})).await;
    let voided = visit(json!({"service_type": "ai_bike", "payment_method": "card"})).await;
    let rows = checked_roll_ups(h, "a sale and three visits").await;
    assert!(!rows.is_empty());
    let brain = line_of(&rows, "daily_visit_stats", &[&day, "service_type=brain"])
        .expect("brain visit counted");
    assert!(brain.contains("visits=1 package_visits=1 revenue=0 rating_sum=5 rating_count=1"));
    // Recorded just now, on its own day: its hour is known unless the clinic's clock is
    // before 09:00 KST.
    let red = line_of(&rows, "daily_visit_stats", &[&day, "service_type=red"])
        .expect("red visit counted");
    assert!(
        red.contains("visits=1 package_visits=0 revenue=40000"),
        "{red}"
    );
    let sale = line_of(&rows, "daily_purchase_stats", &[&day, &pkg]).expect("sale counted");
    assert!(
        sale.contains("purchases=1 cancelled=0 revenue=1000000"),
        "{sale}"
    );
    let active = line_of(&rows, "customer_days", &[&id, &day]).expect("day counted");
    assert!(
        active.ends_with("prev_day="),
        "the customer's first day: {active}"
    );
    let first_days = line_of(&rows, "day_transitions", &[&day, "prev_day= "])
        .expect("today's first-time customers");
    assert!(first_days.ends_with("customers=1"), "{first_days}");

    // A voided visit and a refunded sale leave the roll-ups at once.
    h.post(
        &format!("/api/v1/sessions/{voided}/cancel"),
        &manager,
        json!({"reason": "잘못 기록"}),
    )
    .await
    .expect(200);
    h.post(
        &format!("/api/v1/purchases/{pid}/cancel"),
        &manager,
        json!({"reason": "고객 요청 환불", "refund_amount": 600_000, "refund_method": "card"}),
    )
    .await
    .expect(200);
    let rows = checked_roll_ups(h, "a void and a refund").await;
    assert!(line_of(&rows, "daily_visit_stats", &[&day, "service_type=ai_bike"]).is_none());
    let sale = line_of(&rows, "daily_purchase_stats", &[&day, &pkg]).expect("sale kept");
    assert!(
        sale.contains("purchases=0 cancelled=1 revenue=400000"),
        "{sale}"
    );
    assert!(line_of(&rows, "customer_days", &[&id, &day]).is_some());

    // A customer back after ten days: today's row follows their earlier day.
    let (back, _) = new_customer(h, json!({})).await;
    let earlier = today - Duration::days(10);
    let bought = purchase(h, &back, &pkg, Some(earlier.to_string())).await;
    let r = h
        .post(
            &format!("/api/v1/customers/{back}/sessions"),
            &staff,
            json!({"service_type": "pulse", "package_usage_id": bought["package_usage_id"]}),
        )
        .await;
    r.expect(201);
    let rows = checked_roll_ups(h, "a return visit").await;
    let again = line_of(&rows, "customer_days", &[&back, &day]).expect("return counted");
    assert!(again.ends_with(&format!("prev_day={earlier}")), "{again}");
    let transition = line_of(
        &rows,
        "day_transitions",
        &[&day, &format!("prev_day={earlier} ")],
    )
    .expect("today after ten days away");
    assert!(transition.ends_with("customers=1"), "{transition}");

    // An erasure takes the customer's facts, and their share of each day, with it.
    let admin = h.token("admin").await;
    let gone = h
        .delete(
            &format!("/api/v1/customers/{id}?data_retention_policy=delete"),
            &admin,
        )
        .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    let rows = checked_roll_ups(h, "an erasure").await;
    assert!(line_of(&rows, "customer_days", &[&id]).is_none());
    assert!(
        line_of(&rows, "day_transitions", &[&day, "prev_day= "]).is_none(),
        "no first-time customer left today"
    );
    assert!(line_of(&rows, "daily_purchase_stats", &[&day, &pkg]).is_none());
}
