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

/// A clinic of the case's own: the analytics sum the whole database, which the shared
/// PostgreSQL server's other cases write to as well.
pub(crate) async fn own_clinic(h: &Harness) -> Harness {
    if h.kind.starts_with("postgres") {
        super::harness::dedicated_http(&[]).await
    } else {
        h.fresh().await
    }
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
    let own = own_clinic(h).await;
    let h = &own;
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

pub(crate) fn kst_today() -> chrono::NaiveDate {
    (Utc::now() + Duration::hours(9)).date_naive()
}

/// Records a paid visit of `service` on `date` for `customer`.
async fn paid_visit(h: &Harness, customer: &str, service: &str, date: chrono::NaiveDate) {
    h.post(
        &format!("/api/v1/customers/{customer}/sessions"),
        &h.token("staff").await,
        json!({"service_type": service, "service_date": date.to_string(), "payment_method": "card"}),
    )
    .await
    .expect(201);
}

pub async fn the_dashboard_adds_up_the_clinic(h: &Harness) {
    let own = own_clinic(h).await;
    let h = &own;
    let today = kst_today();
    let manager = h.token("manager").await;
    for role in ["staff", "doctor"] {
        h.get("/api/v1/analytics/dashboard", &h.token(role).await)
            .await
            .expect_error(403, "FORBIDDEN_ROLE");
    }
    // A: first came yesterday, again today, and bought a package that was refunded in part.
    let (a, _) = new_customer(h, json!({})).await;
    paid_visit(h, &a, "red", today - Duration::days(1)).await; // 40,000
    paid_visit(h, &a, "brain", today).await; // 60,000
    let pkg = new_template(h, json!({"brain": 2}), 90).await;
    let p = purchase(h, &a, &pkg, None).await; // 1,000,000
    h.post(
        &format!(
            "/api/v1/purchases/{}/cancel",
            p["package_usage_id"].as_str().unwrap()
        ),
        &manager,
        json!({"reason": "고객 요청 환불", "refund_amount": 600_000, "refund_method": "card"}),
    )
    .await
    .expect(200);
    // B: came ten days ago (the week before) and again today.
    let (b, _) = new_customer(h, json!({})).await;
    paid_visit(h, &b, "pulse", today - Duration::days(10)).await; // 50,000
    paid_visit(h, &b, "lymph", today).await; // 70,000

    let r = h
        .get("/api/v1/analytics/dashboard?period=week", &manager)
        .await;
    r.expect(200);
    let d = r.data();
    assert_eq!(d["period"], "week");
    assert_eq!(
        d["date_range"]["start"],
        (today - Duration::days(6)).to_string()
    );
    assert_eq!(d["date_range"]["end"], today.to_string());
    assert_eq!(
        d["previous_range"]["end"],
        (today - Duration::days(7)).to_string()
    );
    // 40,000 + 60,000 + 70,000 paid at visits, 1,000,000 − 600,000 kept of the sale.
    assert_eq!(d["revenue"]["total"], 570_000);
    assert_eq!(d["revenue"]["visit_revenue"], 170_000);
    assert_eq!(d["revenue"]["purchase_revenue"], 400_000);
    assert_eq!(d["revenue"]["previous_total"], 50_000);
    assert_eq!(d["revenue"]["growth_rate"], 1040.0);
    assert_eq!(d["revenue"]["trend"], "increasing");
    assert_eq!(d["purchases"]["total"], 0, "the sale was cancelled");
    assert_eq!(d["visits"]["total"], 3);
    assert_eq!(d["visits"]["previous_total"], 1);
    assert_eq!(d["customers"]["total_active"], 2);
    assert_eq!(d["customers"]["new_customers"], 1, "A first came this week");
    assert_eq!(
        d["customers"]["returning_customers"], 1,
        "B came the week before too"
    );
    assert_eq!(d["customers"]["previous_active"], 1);
    assert_eq!(d["customers"]["retention_rate"], 100.0);
    let days = d["daily_trend"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    let last = &days[6];
    assert_eq!(last["date"], today.to_string());
    assert_eq!(last["revenue"], 60_000 + 70_000 + 400_000);
    assert_eq!(last["visits"], 2);
    assert_eq!(days[5]["new_customers"], 1);
    let services = d["services"].as_array().unwrap();
    assert_eq!(services.len(), 5);
    let red = services.iter().find(|s| s["service"] == "red").unwrap();
    assert_eq!(red["visits"], 1);
    assert_eq!(red["revenue"], 40_000);
    assert!(!d["top_services"].as_array().unwrap().is_empty());

    // The same figures for explicit dates; a bad query names its field.
    let start = (today - Duration::days(6)).to_string();
    let r = h
        .get(
            &format!("/api/v1/analytics/dashboard?start_date={start}&end_date={today}"),
            &manager,
        )
        .await;
    r.expect(200);
    assert_eq!(r.data()["period"], "custom");
    assert_eq!(r.data()["revenue"]["total"], 570_000);
    for (query, field) in [
        ("period=quarter", "period"),
        ("start_date=2026-01-01", "end_date"),
        ("start_date=2026-02-30&end_date=2026-03-01", "start_date"),
        ("start_date=2026-03-02&end_date=2026-03-01", "start_date"),
    ] {
        let r = h
            .get(&format!("/api/v1/analytics/dashboard?{query}"), &manager)
            .await;
        r.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(r.field(), field, "{query}: {}", r.body);
    }
}

pub async fn the_forecast_fits_the_recorded_days(h: &Harness) {
    let own = own_clinic(h).await;
    let h = &own;
    let today = kst_today();
    let manager = h.token("manager").await;
    h.get("/api/v1/analytics/forecast", &h.token("staff").await)
        .await
        .expect_error(403, "FORBIDDEN_ROLE");
    let r = h.get("/api/v1/analytics/forecast", &manager).await;
    r.expect_error(400, "INSUFFICIENT_DATA");

    // Fifty days: one visit on weekdays, two on Saturdays, none on Sundays.
    let (c, _) = new_customer(h, json!({})).await;
    let (d2, _) = new_customer(h, json!({})).await;
    let mut expected: Vec<(chrono::NaiveDate, f64)> = Vec::new();
    for back in (1..=50).rev() {
        let day = today - Duration::days(back);
        let n = match chrono::Datelike::weekday(&day) {
            chrono::Weekday::Sun => 0,
            chrono::Weekday::Sat => 2,
            _ => 1,
        };
        if n >= 1 {
            paid_visit(h, &c, "ai_bike", day).await;
        }
        if n == 2 {
            paid_visit(h, &d2, "ai_bike", day).await;
        }
        expected.push((day, n as f64));
    }
    // The first recorded day starts the series.
    while expected.first().is_some_and(|(_, v)| *v == 0.0) {
        expected.remove(0);
    }
    let r = h
        .get("/api/v1/analytics/forecast?metric=visits&days=14", &manager)
        .await;
    r.expect(200);
    let f = r.data();
    assert_eq!(f["metric"], "visits");
    assert_eq!(f["unit"], "visits");
    assert_eq!(f["history_end"], (today - Duration::days(1)).to_string());
    assert_eq!(f["history_start"], expected[0].0.to_string());
    // The same numbers as the forecasting core on the series the days hold.
    let fitted = clinicdesk_forecast::fit(&expected).unwrap();
    let want = fitted.forecast(14).unwrap();
    let points = f["forecast"]["points"].as_array().unwrap();
    assert_eq!(points.len(), 14);
    assert_eq!(points[0]["date"], today.to_string());
    for (got, want) in points.iter().zip(&want.points) {
        let v = got["value"].as_f64().unwrap();
        assert!((v - want.value).abs() < 1e-9, "{got} vs {want:?}");
        let (l95, l80, u80, u95) = (
            got["lower95"].as_f64().unwrap(),
            got["lower80"].as_f64().unwrap(),
            got["upper80"].as_f64().unwrap(),
            got["upper95"].as_f64().unwrap(),
        );
        assert!(
            0.0 <= l95 && l95 <= l80 && l80 <= v && v <= u80 && u80 <= u95,
            "{got}"
        );
    }
    assert_eq!(f["forecast"]["closed_weekdays"], json!(["Sun"]));
    let kinds: Vec<&str> = f["insights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["type"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"trend") && kinds.contains(&"weekend_effect"),
        "{kinds:?}"
    );
    assert_eq!(f["accuracy"]["holdout_days"], 28);
    assert_eq!(f["accuracy"]["points"].as_array().unwrap().len(), 28);
    assert_eq!(f["history"].as_array().unwrap().len(), expected.len());

    // One service only; another has no visits at all.
    let r = h
        .get(
            "/api/v1/analytics/forecast?metric=revenue&service=ai_bike&days=7",
            &manager,
        )
        .await;
    r.expect(200);
    assert_eq!(r.data()["unit"], "KRW");
    h.get("/api/v1/analytics/forecast?service=red", &manager)
        .await
        .expect_error(400, "INSUFFICIENT_DATA");
    for (query, field) in [
        ("days=0", "days"),
        ("metric=profit", "metric"),
        ("service=spa", "service"),
    ] {
        let r = h
            .get(&format!("/api/v1/analytics/forecast?{query}"), &manager)
            .await;
        r.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(r.field(), field, "{query}");
    }
}

pub async fn charts_are_drawn_from_the_same_figures(h: &Harness) {
    let own = own_clinic(h).await;
    let h = &own;
    let today = kst_today();
    let manager = h.token("manager").await;
    h.get("/api/v1/charts/revenue-trend", &h.token("staff").await)
        .await
        .expect_error(403, "FORBIDDEN_ROLE");
    let (c, _) = new_customer(h, json!({})).await;
    paid_visit(h, &c, "brain", today).await;
    for name in ["revenue-trend", "service-mix", "visit-heatmap"] {
        let r = h
            .get(&format!("/api/v1/charts/{name}?period=week"), &manager)
            .await;
        assert_eq!(r.status, 200, "{name}: {}", r.body);
        assert_eq!(r.headers["content-type"], "image/svg+xml", "{name}");
        let svg = String::from_utf8(r.bytes.clone()).unwrap();
        assert!(
            svg.starts_with("<svg") || svg.starts_with("<?xml"),
            "{name}"
        );
        let title = match name {
            "revenue-trend" => "매출 추이",
            "service-mix" => "서비스별 방문",
            _ => "요일·시간대별 방문",
        };
        assert!(svg.contains(title), "{name} has its Korean title");
        let r = h
            .get(
                &format!("/api/v1/charts/{name}?period=week&format=png&width=640&height=400"),
                &manager,
            )
            .await;
        assert_eq!(r.status, 200, "{name}");
        assert_eq!(r.headers["content-type"], "image/png");
        assert_eq!(&r.bytes[..8], b"\x89PNG\r\n\x1a\n", "{name}");
        // IHDR: width and height, big-endian, right after the signature and chunk header.
        assert_eq!(u32::from_be_bytes(r.bytes[16..20].try_into().unwrap()), 640);
        assert_eq!(u32::from_be_bytes(r.bytes[20..24].try_into().unwrap()), 400);
    }
    let svg = h
        .get("/api/v1/charts/service-mix?period=week", &manager)
        .await;
    assert!(String::from_utf8_lossy(&svg.bytes).contains("브레인 피드백"));
    h.get("/api/v1/charts/forecast", &manager)
        .await
        .expect_error(400, "INSUFFICIENT_DATA");
    // The allergy charts count every diagnosis, with no one's name on them.
    let (patient, ..) = super::allergy::new_patient(h).await;
    super::allergy::diagnose(
        h,
        &patient,
        json!([{"allergen": "peanut", "grade": 4}, {"allergen": "milk", "grade": 1}]),
        None,
    )
    .await
    .expect(201);
    for (name, text) in [
        ("allergen-distribution", "땅콩"),
        ("grade-distribution", "검사 결과 등급 분포"),
    ] {
        let r = h.get(&format!("/api/v1/charts/{name}"), &manager).await;
        assert_eq!(r.status, 200, "{name}: {}", r.body);
        let svg = String::from_utf8_lossy(&r.bytes).into_owned();
        assert!(svg.contains(text), "{name} shows {text}");
        assert!(
            !svg.contains("우유"),
            "{name}: milk at grade 1 is not positive"
        );
    }
    h.get("/api/v1/charts/pie-of-everything", &manager)
        .await
        .expect_error(404, "CHART_NOT_FOUND");
    let r = h
        .get("/api/v1/charts/service-mix?width=100", &manager)
        .await;
    r.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(r.field(), "width");
}

fn profile() -> serde_json::Value {
    json!({"age": 41, "tenure_days": 400, "recency_days": 6, "visits_90d": 11,
           "visits_per_month": 4.2, "revenue_365d": 2_400_000, "package_share": 0.8,
           "service_diversity": 3, "avg_rating": 4.6})
}

pub async fn profiles_are_analysed_with_the_trained_model(h: &Harness) {
    let own = own_clinic(h).await;
    let h = &own;
    let manager = h.token("manager").await;
    let today = kst_today();
    h.post("/api/v1/analysis", &h.token("staff").await, profile())
        .await
        .expect_error(403, "FORBIDDEN_ROLE");
    h.post("/api/v1/analysis", &manager, profile())
        .await
        .expect_error(503, "MODEL_NOT_READY");
    let r = h.get("/api/v1/analysis/models", &manager).await;
    r.expect(200);
    assert_eq!(r.data()["serving"], serde_json::Value::Null);

    // A clinic's worth of history, and a model trained on it apart from serving.
    clinicdesk_demo::seed(&h.db, today, &clinicdesk_demo::DemoOptions::default())
        .await
        .unwrap();
    let (stored, report) = clinicdesk_api::customer_model::train_and_store(
        &h.db,
        &clinicdesk_store::Actor::system("contract-test"),
        today,
        Utc::now(),
        |_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("{:?}", e.0));
    assert_eq!(report.n_customers, 300);
    assert!(report.k >= 2 && report.silhouette > 0.0);
    let r = h.get("/api/v1/analysis/models", &manager).await;
    r.expect(200);
    assert_eq!(r.data()["serving"], stored.version.as_str());
    let items = r.data()["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["report"]["k"], report.k);

    // The answer is the stored model's, field for field.
    let artifact = clinicdesk_models::Artifact::from_json(stored.artifact.as_bytes()).unwrap();
    let p: clinicdesk_models::Profile = serde_json::from_value(profile()).unwrap();
    let want = clinicdesk_models::predict(&artifact, &p).unwrap();
    let r = h.post("/api/v1/analysis", &manager, profile()).await;
    r.expect(200);
    let d = r.data();
    assert_eq!(d["predicted_cluster"], want.cluster_id);
    assert_eq!(d["cluster_name"], want.persona.as_str());
    assert!(!want.persona.is_empty());
    assert_eq!(d["cluster_description"], want.description.as_str());
    assert_eq!(d["model_version"], stored.version.as_str());

    // What is wrong is named; a batch is all or nothing.
    let mut bad = profile();
    bad["visits_90d"] = json!(-3);
    bad["avg_rating"] = json!(9);
    let r = h.post("/api/v1/analysis", &manager, bad.clone()).await;
    r.expect_error(422, "VALIDATION_ERROR");
    let mut fields: Vec<&str> = r.body["error"]["details"]["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    fields.sort();
    assert_eq!(fields, ["avg_rating", "visits_90d"], "{}", r.body);
    let mut typo = profile();
    typo["visit_90d"] = json!(3);
    h.post("/api/v1/analysis", &manager, typo)
        .await
        .expect_error(422, "VALIDATION_ERROR");
    let r = h
        .post(
            "/api/v1/analysis/batch",
            &manager,
            json!({"profiles": [profile(), bad]}),
        )
        .await;
    r.expect_error(422, "VALIDATION_ERROR");
    assert!(
        r.body.to_string().contains("profiles[1].visits_90d"),
        "{}",
        r.body
    );
    let r = h
        .post(
            "/api/v1/analysis/batch",
            &manager,
            json!({"profiles": [profile(), profile()]}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.data()["results"].as_array().unwrap().len(), 2);
    assert_eq!(
        r.data()["results"][1]["cluster_name"],
        want.persona.as_str()
    );

    // A newer version that does not load is refused with its reason; the previous serves on.
    let broken = clinicdesk_store::customer_models::StoredModel {
        version: "cm-broken".into(),
        trained_at: "2999-01-01T00:00:00.000Z".into(),
        artifact: r#"{"format_version": 1}"#.into(),
        report: "{}".into(),
        trained_by: None,
        created_at: "2999-01-01T00:00:00.000Z".into(),
    };
    let mut w =
        h.db.begin_write(
            &clinicdesk_store::Actor::system("contract-test"),
            "2026-12-07T00:00:00.000Z",
        )
        .await
        .unwrap();
    assert!(clinicdesk_store::customer_models::insert(&mut w, &broken)
        .await
        .unwrap());
    w.commit().await.unwrap();
    let r = h.get("/api/v1/analysis/models", &manager).await;
    r.expect(200);
    assert_eq!(r.data()["serving"], stored.version.as_str());
    let refused = r.data()["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["version"], "cm-broken");
    assert!(!refused[0]["reason"].as_str().unwrap().is_empty());
    let r = h.post("/api/v1/analysis", &manager, profile()).await;
    r.expect(200);
    assert_eq!(r.data()["model_version"], stored.version.as_str());
}

pub async fn a_customers_analytics_come_from_their_visits(h: &Harness) {
    let own = own_clinic(h).await;
    let h = &own;
    let today = kst_today();
    let manager = h.token("manager").await;
    let admin = h.token("admin").await;
    // A: a brain visit every ten days; B: one red visit.
    let (a, _) = new_customer(h, json!({})).await;
    for back in [40, 30, 20, 10] {
        paid_visit(h, &a, "brain", today - Duration::days(back)).await;
    }
    let (b, _) = new_customer(h, json!({})).await;
    paid_visit(h, &b, "red", today - Duration::days(5)).await;
    let path = format!("/api/v1/customers/{a}/analytics");
    for role in ["staff", "doctor"] {
        h.get(&path, &h.token(role).await)
            .await
            .expect_error(403, "FORBIDDEN_ROLE");
    }
    let r = h.get(&format!("{path}?period=90d"), &admin).await;
    r.expect(200);
    let d = r.data();
    assert_eq!(d["customer_id"], a.as_str());
    let v = &d["visitPattern"];
    assert_eq!(v["average_interval_days"], 10.0);
    assert_eq!(v["consistency_score"], 100, "every gap is ten days");
    assert_eq!(v["visits_in_period"], 4);
    let revenue = &d["revenueContribution"];
    assert_eq!(revenue["total_revenue"], 240_000);
    // Mid-rank among two customers, A above B: 100 × (1 + ½) ÷ 2.
    assert_eq!(revenue["revenue_percentile"], 75.0);
    assert_eq!(revenue["compared_customers"], 2);
    assert_eq!(d["serviceUsage"]["most_used_service"], "brain");
    assert!(d["healthMetrics"].is_object(), "admin reads health figures");
    assert!(d["riskAssessment"].is_object());

    // A manager's answer has no health section; `metrics` picks sections.
    let r = h.get(&path, &manager).await;
    r.expect(200);
    assert!(r.data().get("healthMetrics").is_none());
    let r = h
        .get(&format!("{path}?metrics=visitPattern"), &manager)
        .await;
    r.expect(200);
    assert!(r.data()["visitPattern"].is_object());
    assert!(r.data().get("revenueContribution").is_none());

    // A visit recorded now moves the percentile at once: the population is never stale.
    for back in [3, 2, 1] {
        paid_visit(h, &b, "lymph", today - Duration::days(back)).await;
    }
    let r = h.get(&format!("{path}?period=90d"), &admin).await;
    r.expect(200);
    assert_eq!(r.data()["revenueContribution"]["revenue_percentile"], 25.0);

    let (new, _) = new_customer(h, json!({})).await;
    h.get(&format!("/api/v1/customers/{new}/analytics"), &manager)
        .await
        .expect_error(400, "INSUFFICIENT_DATA");
    let missing = clinicdesk_domain::ids::new_id();
    h.get(&format!("/api/v1/customers/{missing}/analytics"), &manager)
        .await
        .expect_error(404, "CUSTOMER_NOT_FOUND");
    let r = h.get(&format!("{path}?period=2w"), &manager).await;
    r.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(r.field(), "period");
}

pub async fn a_customers_behaviour_is_scored_from_their_data(h: &Harness) {
    let own = own_clinic(h).await;
    let h = &own;
    let today = kst_today();
    let manager = h.token("manager").await;
    let (a, _) = new_customer(h, json!({})).await;
    for back in [40, 30, 20, 10] {
        paid_visit(h, &a, "pulse", today - Duration::days(back)).await;
    }
    let path = format!("/api/v1/analytics/customers/{a}/behavior");
    h.get(&path, &h.token("staff").await)
        .await
        .expect_error(403, "FORBIDDEN_ROLE");
    let r = h.get(&path, &manager).await;
    r.expect(200);
    let d = r.data();
    assert_eq!(d["customer_id"], a.as_str());
    let score = d["behavior_score"].as_f64().expect("a score");
    assert!((0.0..=100.0).contains(&score), "{score}");
    assert!(d["score_components"]["formula"]
        .as_str()
        .is_some_and(|f| !f.is_empty()));
    let favourites = d["favorite_services"].as_array().unwrap();
    assert!(!favourites.is_empty());
    assert_eq!(favourites[0]["service"], "pulse");
    let actions = d["next_best_actions"].as_array().unwrap();
    assert!(!actions.is_empty(), "there is always a next action");
    // No model trained here: the churn part says so instead of inventing a number.
    assert!(d["churn_prediction"].is_object());
    let missing = clinicdesk_domain::ids::new_id();
    h.get(
        &format!("/api/v1/analytics/customers/{missing}/behavior"),
        &manager,
    )
    .await
    .expect_error(404, "CUSTOMER_NOT_FOUND");
}

pub async fn self_reports_give_the_health_before_and_after(h: &Harness) {
    let today = kst_today();
    let admin = h.token("admin").await;
    let doctor = h.token("doctor").await;
    let (a, _) = new_customer(h, json!({})).await;
    for back in [40, 30, 20, 10] {
        paid_visit(h, &a, "brain", today - Duration::days(back)).await;
    }
    let path = format!("/api/v1/customers/{a}/self-reports");
    for role in ["staff", "manager"] {
        h.post(
            &path,
            &h.token(role).await,
            json!({"values": {"stress_level": 7}}),
        )
        .await
        .expect_error(403, "FORBIDDEN_ROLE");
    }
    for (body, field) in [
        (
            json!({"values": {"stress_level": 11}}),
            "values.stress_level",
        ),
        (json!({"values": {"mood": 3}}), "values.mood"),
        (json!({"values": {}}), "values"),
        (json!({}), "values"),
        (
            json!({"reported_on": (today + Duration::days(1)).to_string(), "values": {"pain_level": 2}}),
            "reported_on",
        ),
    ] {
        let r = h.post(&path, &doctor, body.clone()).await;
        r.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(r.field(), field, "{body}");
    }
    assert_eq!(
        h.count("health_self_reports", "customer_id = $1", &a).await,
        0
    );
    let (no_consent, _) = new_customer(h, json!({"consent": {"health_data": false}})).await;
    h.post(
        &format!("/api/v1/customers/{no_consent}/self-reports"),
        &doctor,
        json!({"values": {"stress_level": 5}}),
    )
    .await
    .expect_error(422, "HEALTH_CONSENT_REQUIRED");

    // Stress 7 → 4 and sleep 5 → 8 over a month: both better.
    let r = h
        .post(
            &path,
            &doctor,
            json!({"reported_on": (today - Duration::days(30)).to_string(),
                   "values": {"stress_level": 7, "sleep_quality": 5}}),
        )
        .await;
    r.expect(201);
    let first_ids: Vec<String> = r.data()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(first_ids.len(), 2);
    h.post(
        &path,
        &doctor,
        json!({"values": {"stress_level": 4, "sleep_quality": 8}}),
    )
    .await
    .expect(201);
    let r = h.get(&path, &admin).await;
    r.expect(200);
    let items = r.data()["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(
        items[0]["reported_on"],
        (today - Duration::days(30)).to_string()
    );
    for id in &first_ids {
        assert_eq!(h.audit_count(id, Some("health.self_report")).await, 1);
        let logged = h.logged_changes(id).await;
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0]["customer_id"], a.as_str());
    }

    let r = h
        .get(
            &format!("/api/v1/customers/{a}/analytics?metrics=healthMetrics"),
            &admin,
        )
        .await;
    r.expect(200);
    let improvements = &r.data()["healthMetrics"]["reported_improvements"];
    let stress = &improvements["stress_level"];
    assert_eq!(stress["before"], 7);
    assert_eq!(stress["after"], 4);
    // (4 − 7) / 7 = −42.9 % → −43.
    assert_eq!(stress["change"], -43);
    assert_eq!(stress["direction"], "improved");
    assert_eq!(improvements["sleep_quality"]["before"], 5);
    assert_eq!(improvements["sleep_quality"]["after"], 8);
    assert_eq!(improvements["sleep_quality"]["direction"], "improved");

    // Withdrawing the health-data consent erases the reports, and sync's copies of them.
    h.put(
        &format!("/api/v1/customers/{a}"),
        &h.token("staff").await,
        json!({"consent": {"health_data": false}}),
    )
    .await
    .expect(200);
    assert_eq!(
        h.count("health_self_reports", "customer_id = $1", &a).await,
        0
    );
    for id in &first_ids {
        for op in h.logged_changes(id).await {
            assert!(
                op.get("value").is_none_or(|v| v.is_null()),
                "a kept copy: {op}"
            );
        }
    }
}
