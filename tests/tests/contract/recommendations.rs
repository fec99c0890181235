//! Recommendations, their feedback, segments and training from the API (issue 11): figures
//! worked out by hand on small clinics, what is stored checked row by row, and the trained
//! model's answers checked against the model itself.

use super::analytics::{kst_today, own_clinic};
use super::cases::new_customer;
use super::harness::{Harness, Payload};
use chrono::Duration;
use serde_json::{json, Value};

async fn visits(h: &Harness, customer: &str, services: &[(&str, i64)]) {
    let staff = h.token("staff").await;
    let today = kst_today();
    for (service, back) in services {
        h.post(
            &format!("/api/v1/customers/{customer}/sessions"),
            &staff,
            json!({"service_type": service,
                   "service_date": (today - Duration::days(*back)).to_string(),
                   "payment_method": "card"}),
        )
        .await
        .expect(201);
    }
}

fn codes(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|r| r["item"]["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Six customers: A comes for 펄스 only; B, C and D for 펄스 and 레드 alike; E and F for 브레인.
/// Regular users (≥ 20 % of their visits): 펄스 4, 레드 3, both 3, of 6 — so 레드 goes with
/// 펄스 at lift 3·6/(4·3) = 1.5 and confidence 3/4, and it is what A's peers add to 펄스.
async fn small_clinic(h: &Harness) -> [String; 6] {
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(new_customer(h, json!({})).await.0);
    }
    visits(h, &ids[0], &[("pulse", 40), ("pulse", 25), ("pulse", 10)]).await;
    for c in &ids[1..4] {
        visits(
            h,
            c,
            &[("pulse", 50), ("red", 43), ("pulse", 30), ("red", 16)],
        )
        .await;
    }
    for c in &ids[4..6] {
        visits(h, c, &[("brain", 35), ("brain", 21), ("brain", 7)]).await;
    }
    ids.try_into().expect("six")
}

pub async fn recommendations_follow_peers_and_feedback(h: &Harness) {
    let own = own_clinic(h).await;
    let h = &own;
    let manager = h.token("manager").await;
    let [a, ..] = small_clinic(h).await;
    let path = format!("/api/v1/customers/{a}/recommendations?algorithm=collaborative");
    h.get(&path, &h.token("staff").await)
        .await
        .expect_error(403, "FORBIDDEN_ROLE");

    let r = h.get(&path, &manager).await;
    r.expect(200);
    let d = r.data();
    assert_eq!(d["customer_id"], a.as_str());
    assert_eq!(d["type"], "service");
    assert_eq!(d["algorithm"], "collaborative");
    assert_eq!(d["recommendation_metadata"]["customers_in_model"], 6);
    let list = d["recommendations"].as_array().unwrap();
    assert!(!list.is_empty(), "A's peers point somewhere");
    let got = codes(&d["recommendations"]);
    let new: Vec<&String> = got.iter().filter(|c| *c != "pulse").collect();
    assert_eq!(new.first().map(|c| c.as_str()), Some("red"), "{got:?}");
    let red = list.iter().find(|r| r["item"]["code"] == "red").unwrap();
    assert!(red["recommendation_id"]
        .as_str()
        .is_some_and(|id| id.starts_with("rec_") && id.len() == 16));
    let score = red["score"].as_f64().unwrap();
    assert!(score > 0.0 && score <= 1.0, "{score}");
    let reasons = red["reasons"].as_array().unwrap();
    assert!(!reasons.is_empty());
    assert!(
        reasons.iter().any(|s| s
            .as_str()
            .is_some_and(|s| s.chars().any(|c| c.is_ascii_digit()))),
        "a reason states a figure: {reasons:?}"
    );
    assert_eq!(red["service_details"]["service_type"], "red");
    let red_id = red["recommendation_id"].as_str().unwrap().to_string();

    // The same list again the same day: the same ids.
    let again = h.get(&path, &manager).await;
    assert_eq!(codes(&again.data()["recommendations"]), got);
    let again_red = again.data()["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["item"]["code"] == "red")
        .unwrap()["recommendation_id"]
        .clone();
    assert_eq!(again_red, red_id.as_str());

    // Feedback is checked before anything is stored.
    let fb = format!("/api/v1/customers/{a}/recommendations/{red_id}/feedback");
    for (body, field) in [
        (json!({"action": "maybe"}), "action"),
        (json!({}), "action"),
        (
            json!({"action": "rejected", "feedback_score": 9}),
            "feedback_score",
        ),
        (
            json!({"action": "rejected", "comment": "x".repeat(501)}),
            "comment",
        ),
        (json!({"action": "rejected", "mood": "good"}), "mood"),
    ] {
        let r = h.post(&fb, &manager, body.clone()).await;
        r.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(r.field(), field, "{body}");
    }
    h.post(
        &format!("/api/v1/customers/{a}/recommendations/rec_000000000000/feedback"),
        &manager,
        json!({"action": "accepted"}),
    )
    .await
    .expect_error(404, "RECOMMENDATION_NOT_FOUND");
    assert_eq!(
        h.count("recommendation_feedback", "customer_id = $1", &a)
            .await,
        0
    );

    // Rejected: stored with what it was about, audited, queued for sync — and 레드 is not
    // offered again.
    let r = h
        .post(
            &fb,
            &manager,
            json!({"action": "rejected", "feedback_score": 2, "comment": "레드는 시간이 안 맞아요"}),
        )
        .await;
    r.expect(201);
    let d = r.data();
    let feedback_id = d["feedback_id"].as_str().unwrap().to_string();
    assert_eq!(d["recommendation_id"], red_id.as_str());
    assert_eq!(d["type"], "service");
    assert_eq!(d["item"]["code"], "red");
    assert_eq!(d["action"], "rejected");
    assert_eq!(d["feedback_score"], 2);
    assert_eq!(d["given_on"], kst_today().to_string());
    let mut conn = h.db.conn().await.unwrap();
    let stored = clinicdesk_store::recommendations::feedback_of(&mut conn, &a)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, feedback_id);
    assert_eq!(stored[0].item_code, "red");
    assert_eq!(stored[0].action, "rejected");
    assert_eq!(stored[0].feedback_score, Some(2));
    assert_eq!(
        stored[0].comment.as_deref(),
        Some("레드는 시간이 안 맞아요")
    );
    assert_eq!(
        h.audit_count(&feedback_id, Some("recommendation.feedback"))
            .await,
        1
    );
    let logged = h.logged_changes(&feedback_id).await;
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0]["comment"], "레드는 시간이 안 맞아요");
    assert_eq!(logged[0]["customer_id"], a.as_str());

    let r = h.get(&path, &manager).await;
    r.expect(200);
    assert!(
        !codes(&r.data()["recommendations"]).contains(&"red".to_string()),
        "a rejected item is not offered again: {}",
        r.data()
    );

    // Seed 003's service list says the same, with its own field names.
    let r = h
        .get(
            &format!(
                "/api/v1/recommendations/customers/{a}/services?algorithm=collaborative&limit=3"
            ),
            &manager,
        )
        .await;
    r.expect(200);
    let items = r.data()["recommendations"].as_array().unwrap();
    assert!(items.iter().all(|i| i["service_code"] != "red"));
    assert_eq!(r.data()["metadata"]["total_recommendations"], items.len());

    // Other kinds.
    let r = h
        .get(
            &format!("/api/v1/customers/{a}/recommendations?type=schedule&count=2"),
            &manager,
        )
        .await;
    r.expect(200);
    let slots = r.data()["recommendations"].as_array().unwrap();
    assert!(slots.len() <= 2);
    assert!(slots.iter().all(|s| s["type"] == "schedule"));
    h.get(
        &format!("/api/v1/customers/{a}/recommendations?type=coupon"),
        &manager,
    )
    .await
    .expect_error(422, "VALIDATION_ERROR");
    let missing = clinicdesk_domain::ids::new_id();
    h.get(
        &format!("/api/v1/customers/{missing}/recommendations"),
        &manager,
    )
    .await
    .expect_error(404, "CUSTOMER_NOT_FOUND");

    // Anonymised: their words go, here and in what sync keeps; deleted: the feedback goes.
    let admin = h.token("admin").await;
    let gone = h
        .delete(
            &format!("/api/v1/customers/{a}?data_retention_policy=anonymize"),
            &admin,
        )
        .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    let mut conn = h.db.conn().await.unwrap();
    let stored = clinicdesk_store::recommendations::feedback_of(&mut conn, &a)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].comment, None);
    assert_eq!(stored[0].action, "rejected");
    for op in h.logged_changes(&feedback_id).await {
        assert!(
            !op.to_string().contains("시간이 안 맞아요"),
            "a kept copy still has the comment: {op}"
        );
    }
}

pub async fn services_used_together_are_related(h: &Harness) {
    let own = own_clinic(h).await;
    let h = &own;
    let manager = h.token("manager").await;
    let [_, b, ..] = small_clinic(h).await;
    let r = h
        .get("/api/v1/recommendations/services/pulse/related", &manager)
        .await;
    r.expect(200);
    let d = r.data();
    assert_eq!(d["service_code"], "pulse");
    assert_eq!(d["service_name"], "펄스 케어");
    let related = d["related_services"].as_array().unwrap();
    assert!(!related.is_empty());
    let first = &related[0];
    assert_eq!(first["service"]["code"], "red");
    assert_eq!(first["relation_type"], "frequently_used_together");
    assert_eq!(first["support"], 3);
    assert_eq!(first["lift"], 1.5);
    assert_eq!(first["confidence"], 0.75);
    // 브레인 is never used with 펄스: if listed at all, it is for its effect.
    for other in related.iter().skip(1) {
        assert_eq!(other["relation_type"], "similar_effect", "{other}");
    }
    h.get("/api/v1/recommendations/services/sauna/related", &manager)
        .await
        .expect_error(404, "SERVICE_NOT_FOUND");
    h.get(
        "/api/v1/recommendations/services/pulse/related",
        &h.token("staff").await,
    )
    .await
    .expect_error(403, "FORBIDDEN_ROLE");

    // A deleted customer's feedback and what was shown to them go with them.
    let list = h
        .get(
            &format!("/api/v1/customers/{b}/recommendations?algorithm=collaborative"),
            &manager,
        )
        .await;
    list.expect(200);
    let first = list.data()["recommendations"][0]["recommendation_id"]
        .as_str()
        .expect("B has a recommendation")
        .to_string();
    h.post(
        &format!("/api/v1/customers/{b}/recommendations/{first}/feedback"),
        &manager,
        json!({"action": "accepted", "feedback_score": 5}),
    )
    .await
    .expect(201);
    assert_eq!(
        h.count("recommendation_feedback", "customer_id = $1", &b)
            .await,
        1
    );
    assert!(
        h.count("recommendations_served", "customer_id = $1", &b)
            .await
            > 0
    );
    let gone = h
        .delete(
            &format!("/api/v1/customers/{b}?data_retention_policy=delete"),
            &h.token("admin").await,
        )
        .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    assert_eq!(
        h.count("recommendation_feedback", "customer_id = $1", &b)
            .await,
        0
    );
    assert_eq!(
        h.count("recommendations_served", "customer_id = $1", &b)
            .await,
        0
    );
}

async fn readiness(h: &Harness, query: &str) -> (u16, Value) {
    let r = h
        .send("GET", &format!("/readyz{query}"), None, Payload::None, &[])
        .await;
    (r.status, r.body.clone())
}

pub async fn a_manager_trains_the_model_and_segments_follow(h: &Harness) {
    let own = own_clinic(h).await;
    let h = &own;
    let manager = h.token("manager").await;
    let today = kst_today();
    clinicdesk_demo::seed(&h.db, today, &clinicdesk_demo::DemoOptions::default())
        .await
        .unwrap();
    let mut conn = h.db.conn().await.unwrap();
    let all = clinicdesk_store::histories::all(&mut conn).await.unwrap();
    drop(conn);
    assert_eq!(all.len(), 300);
    let someone = all
        .iter()
        .find(|c| c.visits.len() >= 5)
        .expect("a demo customer with visits")
        .clone();
    let segment_path = format!("/api/v1/customers/segments/{}", someone.customer_id);

    // No model yet: said plainly, and readiness says so only when asked to.
    h.get(&segment_path, &manager)
        .await
        .expect_error(503, "MODEL_NOT_READY");
    h.get("/api/v1/charts/segment-scatter", &manager)
        .await
        .expect_error(503, "MODEL_NOT_READY");
    let (status, body) = readiness(h, "").await;
    assert_eq!(status, 200);
    assert_eq!(body["checks"]["customer_model"], Value::Null);
    let (status, body) = readiness(h, "?require=model").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "not_ready");

    // Training runs in the background; its progress is polled.
    h.post(
        "/api/v1/analysis/models/train",
        &h.token("staff").await,
        json!({}),
    )
    .await
    .expect_error(403, "FORBIDDEN_ROLE");
    let r = h
        .post("/api/v1/analysis/models/train", &manager, json!({}))
        .await;
    r.expect(202);
    let job = r.data()["job_id"].as_str().unwrap().to_string();
    assert_eq!(r.data()["state"], "running");
    let second = h
        .post("/api/v1/analysis/models/train", &manager, json!({}))
        .await;
    let job_path = format!("/api/v1/analysis/models/train/{job}");
    if second.status != 409 {
        // Only when the first had already ended.
        assert_ne!(h.get(&job_path, &manager).await.data()["state"], "running");
    } else {
        second.expect_error(409, "TRAINING_IN_PROGRESS");
        assert_eq!(second.body["error"]["details"]["job_id"], job.as_str());
    }
    let mut last_fraction = 0.0;
    let mut done = Value::Null;
    // A bound on waiting, not a performance check: training 300 customers takes seconds.
    for _ in 0..600 {
        let r = h.get(&job_path, &manager).await;
        r.expect(200);
        let d = r.data().clone();
        let fraction = d["fraction"].as_f64().unwrap();
        assert!(fraction >= last_fraction, "progress never goes back");
        last_fraction = fraction;
        assert!(d["stage_label"].as_str().is_some_and(|l| !l.is_empty()));
        if d["state"] != "running" {
            done = d;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["fraction"], 1.0);
    let version = done["version"].as_str().unwrap().to_string();
    assert_eq!(done["report"]["n_customers"], 300);
    h.get("/api/v1/analysis/models/train/nope", &manager)
        .await
        .expect_error(404, "TRAINING_JOB_NOT_FOUND");
    let models = h.get("/api/v1/analysis/models", &manager).await;
    assert_eq!(models.data()["serving"], version.as_str());
    let trained = &models.data()["items"][0];
    assert_eq!(trained["version"], version.as_str());
    assert!(
        trained["trained_by_name"]
            .as_str()
            .is_some_and(|n| !n.is_empty()),
        "the manager who trained it is named: {trained}"
    );
    let (status, body) = readiness(h, "?require=model").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["checks"]["customer_model"], version.as_str());

    // The segment is the served model's, and the peers are its members.
    let mut conn = h.db.conn().await.unwrap();
    let stored = clinicdesk_store::customer_models::newest(&mut conn, 1)
        .await
        .unwrap();
    drop(conn);
    let artifact = clinicdesk_models::Artifact::from_json(stored[0].artifact.as_bytes()).unwrap();
    let cluster = |h: &clinicdesk_domain::history::CustomerHistory| {
        clinicdesk_models::predict(
            &artifact,
            &clinicdesk_models::Profile::from_history(h, today),
        )
        .unwrap()
    };
    let mine = cluster(&someone);
    let members = all
        .iter()
        .filter(|h| cluster(h).cluster_id == mine.cluster_id)
        .count();
    h.get(&segment_path, &h.token("staff").await)
        .await
        .expect_error(403, "FORBIDDEN_ROLE");
    let r = h.get(&segment_path, &manager).await;
    r.expect(200);
    let d = r.data();
    assert_eq!(d["model_version"], version.as_str());
    assert_eq!(d["cluster_id"], mine.cluster_id);
    assert_eq!(d["primary_segment"], mine.persona_key.as_str());
    assert_eq!(d["primary_segment_name"], mine.persona.as_str());
    assert_eq!(d["peer_comparison"]["customers"], members);
    assert_eq!(d["overall_comparison"]["customers"], 300);
    assert_eq!(d["customer_values"]["visits"], someone.visits.len());
    for key in [
        "visit_frequency",
        "spending_level",
        "service_diversity",
        "loyalty_level",
    ] {
        assert!(d["characteristics"][key].is_string(), "{key}");
    }

    // The charts drawn from the same model.
    let r = h.get("/api/v1/charts/segment-scatter", &manager).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let svg = String::from_utf8_lossy(&r.bytes).to_string();
    assert!(svg.contains("고객 세그먼트"));
    assert!(svg.contains(&mine.persona), "the legend names the segments");
    let r = h.get("/api/v1/charts/churn-risk", &manager).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let svg = String::from_utf8_lossy(&r.bytes).to_string();
    let active = all
        .iter()
        .filter(|h| clinicdesk_models::churn::is_active(h, today))
        .count();
    assert!(active > 0);
    assert!(
        svg.contains(&format!("최근 90일에 방문한 고객 {active}명")),
        "the chart counts every active customer"
    );
}
