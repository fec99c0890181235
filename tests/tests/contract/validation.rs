//! Issue 8, "correctness seen on screen": the consents Korean privacy law asks for (privacy
//! consent to register a customer, a separate consent for health data), every field error of a
//! body in one answer, and error messages in the caller's language.

use super::cases::unique_name;
use super::harness::{unique_phone, Harness};
use clinicdesk_domain::customer::CustomerRecord;
use serde_json::{json, Value};

/// The customer as stored, read through the store (not through the API under test).
async fn stored(h: &Harness, id: &str) -> CustomerRecord {
    let mut conn = h.db.pool.acquire().await.expect("a connection");
    clinicdesk_store::customers::get(&mut conn, id)
        .await
        .expect("the read")
        .expect("the customer is stored")
}

/// The sync outbox's payloads for `id`, oldest first.
async fn outbox_payloads(h: &Harness, id: &str) -> Vec<Value> {
    use sqlx::Row;
    sqlx::query("SELECT payload FROM outbox WHERE entity_id = $1 ORDER BY created_at, op_id")
        .bind(id.to_string())
        .fetch_all(&h.db.pool)
        .await
        .expect("the outbox")
        .iter()
        .map(|r| {
            let text: String = r.try_get(0).expect("a payload");
            serde_json::from_str(&text).expect("a JSON payload")
        })
        .collect()
}

pub async fn registration_needs_the_privacy_consent(h: &Harness) {
    let staff = h.token("staff").await;
    let name = unique_name("동의없음");
    for consent in [None, Some(json!({"privacy": false})), Some(json!({"marketing": true}))] {
        let mut body = json!({"name": name, "phone": unique_phone()});
        if let Some(c) = consent {
            body["consent"] = c;
        }
        let r = h.post("/api/v1/customers", &staff, body.clone()).await;
        r.expect_error(422, "PRIVACY_CONSENT_REQUIRED");
        assert_eq!(r.field(), "consent.privacy", "{body}");
        assert_eq!(
            r.body["error"]["details"]["statutory_items"],
            json!(["collected_items", "purpose", "retention_period", "right_to_refuse"])
        );
    }
    assert_eq!(h.count("customers", "name = $1", &name).await, 0, "nothing stored");

    let r = h
        .post(
            "/api/v1/customers",
            &staff,
            json!({"name": name, "phone": unique_phone(), "consent": {"privacy": true}}),
        )
        .await;
    r.expect(201);
    let id = r.data()["id"].as_str().expect("an id").to_string();
    let saved = stored(h, &id).await;
    assert!(saved.consent_privacy);
    assert!(!saved.consent_health_data && !saved.consent_marketing);
    let given = saved.consent_updated_at.clone().expect("when consent was given");
    assert_eq!(given, saved.created_at, "given at registration");
    assert_eq!(r.data()["consent"]["updated_at"], json!(given));
    let created = outbox_payloads(h, &id).await;
    assert!(!created.is_empty(), "the creation is in the outbox");
    assert_eq!(created[0]["consent_privacy"], json!(true));
    assert_eq!(created[0]["consent_updated_at"], json!(given));

    // An edit cannot withdraw it: withdrawal means erasure or anonymisation.
    let admin = h.token("admin").await;
    let r = h
        .put(
            &format!("/api/v1/customers/{id}"),
            &admin,
            json!({"consent": {"privacy": false}}),
        )
        .await;
    r.expect_error(422, "PRIVACY_CONSENT_REQUIRED");
    assert_eq!(r.body["error"]["details"]["reason"], "withdrawal_needs_erasure");
    assert!(stored(h, &id).await.consent_privacy);
}

pub async fn health_fields_need_the_health_consent(h: &Harness) {
    let doctor = h.token("doctor").await;
    let name = unique_name("건강동의");
    let r = h
        .post(
            "/api/v1/customers",
            &doctor,
            json!({"name": name, "phone": unique_phone(), "consent": {"privacy": true},
                   "health_goals": "수면 개선", "preferred_intensity": "low", "health_interests": []}),
        )
        .await;
    r.expect_error(422, "HEALTH_CONSENT_REQUIRED");
    assert_eq!(r.field(), "health_goals");
    assert_eq!(
        r.body["error"]["details"]["fields"],
        json!(["health_goals", "preferred_intensity"]),
        "every health field with a value is named; an empty list writes nothing"
    );
    assert_eq!(h.count("customers", "name = $1", &name).await, 0);

    let r = h
        .post(
            "/api/v1/customers",
            &doctor,
            json!({"name": name, "phone": unique_phone(), "consent": {"privacy": true}}),
        )
        .await;
    r.expect(201);
    let id = r.data()["id"].as_str().expect("an id").to_string();
    let path = format!("/api/v1/customers/{id}");
    for put in [path.clone(), format!("{path}/detail")] {
        let r = h.put(&put, &doctor, json!({"health_interests": ["immunity"]})).await;
        r.expect_error(422, "HEALTH_CONSENT_REQUIRED");
        assert_eq!(r.body["error"]["details"]["fields"], json!(["health_interests"]));
    }
    assert!(stored(h, &id).await.health_interests.is_empty(), "nothing stored");

    // The consent given in the same request lets the value through.
    let r = h
        .put(
            &path,
            &doctor,
            json!({"consent": {"health_data": true}, "health_goals": "수면 개선",
                   "health_interests": ["sleep_quality"]}),
        )
        .await;
    r.expect(200);
    let saved = stored(h, &id).await;
    assert!(saved.consent_health_data);
    assert_eq!(saved.health_goals.as_deref(), Some("수면 개선"));
    assert_eq!(saved.health_interests, vec!["sleep_quality".to_string()]);

    // Staff records the customer's withdrawal: the health data goes in the same write, the
    // answer says nothing about fields staff may not read, storage and sync get all of it.
    let staff = h.token("staff").await;
    let r = h
        .put(&path, &staff, json!({"consent": {"health_data": false}}))
        .await;
    r.expect(200);
    assert_eq!(r.data()["updated_fields"], json!(["consent"]));
    let text = r.body.to_string();
    assert!(!text.contains("수면"), "no health value in the answer: {text}");
    let saved = stored(h, &id).await;
    assert!(!saved.consent_health_data);
    assert_eq!(saved.health_goals, None);
    assert!(saved.health_interests.is_empty());
    let payloads = outbox_payloads(h, &id).await;
    let last = payloads.last().expect("the withdrawal is in the outbox");
    assert_eq!(last["consent_health_data"], json!(false));
    assert_eq!(last["health_goals"], Value::Null);
    assert!(last.as_object().expect("a patch").contains_key("health_goals"));
    assert_eq!(last["health_interests"], json!([]));
    let events = h.audit_events(&id, Some("customer.update")).await;
    assert!(!events.is_empty(), "the withdrawal is audited");
    let fields = &events[0].details["fields"];
    for f in ["consent", "health_goals", "health_interests"] {
        assert!(
            fields.as_array().expect("fields").contains(&json!(f)),
            "{f} in {fields}"
        );
    }

    // Without the consent, clearing stays possible; a value does not.
    let r = h.put(&path, &doctor, json!({"health_goals": null})).await;
    r.expect(200);
    h.put(&path, &doctor, json!({"preferred_intensity": "high"}))
        .await
        .expect_error(422, "HEALTH_CONSENT_REQUIRED");
}
