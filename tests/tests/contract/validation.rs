//! Issue 8, "correctness seen on screen": the consents Korean privacy law asks for (privacy
//! consent to register a customer, a separate consent for health data), every field error of a
//! body in one answer, and error messages in the caller's language.

use super::cases::unique_name;
use super::harness::{unique_phone, Harness, Payload};
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

/// The changes logged for the devices about `id`, oldest first.
async fn outbox_payloads(h: &Harness, id: &str) -> Vec<Value> {
    h.logged_changes(id).await
}

pub async fn registration_needs_the_privacy_consent(h: &Harness) {
    let staff = h.token("staff").await;
    let name = unique_name("동의없음");
    for consent in [
        None,
        Some(json!({"privacy": false})),
        Some(json!({"marketing": true})),
    ] {
        let mut body = json!({"name": name, "phone": unique_phone()});
        if let Some(c) = consent {
            body["consent"] = c;
        }
        let r = h.post("/api/v1/customers", &staff, body.clone()).await;
        r.expect_error(422, "PRIVACY_CONSENT_REQUIRED");
        assert_eq!(r.field(), "consent.privacy", "{body}");
        assert_eq!(
            r.body["error"]["details"]["statutory_items"],
            json!([
                "collected_items",
                "purpose",
                "retention_period",
                "right_to_refuse"
            ])
        );
    }
    assert_eq!(
        h.count("customers", "name = $1", &name).await,
        0,
        "nothing stored"
    );

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
    let given = saved
        .consent_updated_at
        .clone()
        .expect("when consent was given");
    assert_eq!(given, saved.created_at, "given at registration");
    assert_eq!(r.data()["consent"]["updated_at"], json!(given));
    let created = outbox_payloads(h, &id).await;
    assert!(
        !created.is_empty(),
        "the creation is logged for the devices"
    );
    assert_eq!(created[0]["consent_privacy"], json!("1"));
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
    assert_eq!(
        r.body["error"]["details"]["reason"],
        "withdrawal_needs_erasure"
    );
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
        let r = h
            .put(&put, &doctor, json!({"health_interests": ["immunity"]}))
            .await;
        r.expect_error(422, "HEALTH_CONSENT_REQUIRED");
        assert_eq!(
            r.body["error"]["details"]["fields"],
            json!(["health_interests"])
        );
    }
    assert!(
        stored(h, &id).await.health_interests.is_empty(),
        "nothing stored"
    );

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
    assert!(
        !text.contains("수면"),
        "no health value in the answer: {text}"
    );
    let saved = stored(h, &id).await;
    assert!(!saved.consent_health_data);
    assert_eq!(saved.health_goals, None);
    assert!(saved.health_interests.is_empty());
    let payloads = outbox_payloads(h, &id).await;
    let last = payloads
        .last()
        .expect("the withdrawal is logged for the devices");
    // Values travel as the database's text (`synced.rs`): flags as 0 and 1.
    assert_eq!(last["consent_health_data"], json!("0"));
    assert_eq!(last["health_goals"], Value::Null);
    assert!(
        last["_fields"]
            .as_array()
            .expect("the fields")
            .contains(&json!("health_goals")),
        "{last}"
    );
    assert_eq!(last["health_interests"], json!("[]"));
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

fn hangul(s: &str) -> bool {
    s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

/// `details.errors` of an error answer: asserted non-empty, every entry complete, the first
/// one the top level's.
#[track_caller]
fn field_errors(r: &super::harness::Resp) -> Vec<Value> {
    let errors = r.body["error"]["details"]["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!errors.is_empty(), "details.errors: {}", r.body);
    for e in &errors {
        for key in ["field", "code", "reason", "message"] {
            assert!(e[key].is_string(), "{key} of {e}");
        }
    }
    assert_eq!(errors[0]["field"].as_str(), Some(r.field()));
    assert_eq!(errors[0]["message"], r.body["error"]["message"]);
    errors
}

fn fields(errors: &[Value]) -> Vec<String> {
    let mut f: Vec<String> = errors
        .iter()
        .filter_map(|e| e["field"].as_str().map(str::to_string))
        .collect();
    f.sort();
    f
}

pub async fn every_field_error_is_answered_at_once(h: &Harness) {
    let admin = h.token("admin").await;
    let name = unique_name("여러오류");
    let r = h
        .post(
            "/api/v1/customers",
            &admin,
            json!({"name": name, "phone": "123", "email": "not-an-email", "gender": "robot",
                   "birth_year": 1800, "favourite_colour": "red"}),
        )
        .await;
    r.expect_error(422, "VALIDATION_ERROR");
    let errors = field_errors(&r);
    assert_eq!(
        fields(&errors),
        vec![
            "birth_year",
            "consent.privacy",
            "email",
            "favourite_colour",
            "gender",
            "phone"
        ]
    );
    let gender = errors
        .iter()
        .find(|e| e["field"] == "gender")
        .expect("gender");
    assert_eq!(gender["allowed_values"], json!(["male", "female", "other"]));
    assert_eq!(gender["reason"], "not_allowed");
    let consent = errors
        .iter()
        .find(|e| e["field"] == "consent.privacy")
        .expect("consent");
    assert_eq!(consent["code"], "PRIVACY_CONSENT_REQUIRED");
    assert_eq!(
        h.count("customers", "name = $1", &name).await,
        0,
        "nothing stored"
    );

    // An update: all of them, and nothing applied.
    let (id, _) = super::cases::new_customer(h, json!({})).await;
    let r = h
        .put(
            &format!("/api/v1/customers/{id}"),
            &admin,
            json!({"occupation": "교사", "membership_level": "gold", "phone": null, "memo": 5}),
        )
        .await;
    r.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(
        fields(&field_errors(&r)),
        vec!["membership_level", "memo", "phone"]
    );
    assert_eq!(stored(h, &id).await.occupation, None, "all or nothing");

    // One error still comes as a list of one.
    let r = h
        .put(
            &format!("/api/v1/customers/{id}"),
            &admin,
            json!({"gender": "robot"}),
        )
        .await;
    assert_eq!(fields(&field_errors(&r)), vec!["gender"]);

    // The other body parsers.
    let visit = h
        .post(
            &format!("/api/v1/customers/{id}/sessions"),
            &admin,
            json!({"payment_method": "card", "service_type": "sauna", "service_date": "2020-13-01", "satisfaction_rating": 9}),
        )
        .await;
    visit.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(
        fields(&field_errors(&visit)),
        vec!["satisfaction_rating", "service_date", "service_type"]
    );
    let purchase = h
        .post(
            &format!("/api/v1/customers/{id}/packages"),
            &admin,
            json!({"payment_method": "bitcoin", "price_paid": -1}),
        )
        .await;
    purchase.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(
        fields(&field_errors(&purchase)),
        vec!["package_id", "payment_method", "price_paid"]
    );
    let interaction = h
        .post(
            &format!("/api/v1/customers/{id}/interactions"),
            &admin,
            json!({"interaction_type": "fax", "duration_minutes": -1, "follow_up": {"type": "pigeon"}}),
        )
        .await;
    interaction.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(
        fields(&field_errors(&interaction)),
        vec![
            "duration_minutes",
            "follow_up.date",
            "follow_up.type",
            "interaction_type"
        ]
    );
    let template = h
        .post(
            "/api/v1/packages",
            &admin,
            json!({"price": "비쌈", "sessions": {}}),
        )
        .await;
    template.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(
        fields(&field_errors(&template)),
        vec!["name", "price", "sessions", "validity_days"]
    );
    let user = h
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": "!", "display_name": "", "role": "king", "password": "short"}),
        )
        .await;
    user.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(
        fields(&field_errors(&user)),
        vec!["display_name", "password", "role", "username"]
    );
    for table in ["service_sessions", "package_purchases", "interactions"] {
        assert_eq!(
            h.count(table, "customer_id = $1", &id).await,
            0,
            "nothing written to {table}"
        );
    }
}

pub async fn errors_follow_the_callers_language(h: &Harness) {
    let staff = h.token("staff").await;
    let body = json!({"name": "", "phone": "123", "gender": "robot"});
    let send = |lang: Option<&'static str>| {
        let body = body.clone();
        let staff = staff.clone();
        async move {
            let headers: Vec<(&str, &str)> =
                lang.map(|l| ("accept-language", l)).into_iter().collect();
            h.send(
                "POST",
                "/api/v1/customers",
                Some(&staff),
                Payload::Json(body),
                &headers,
            )
            .await
        }
    };
    let korean = send(None).await;
    let english = send(Some("en-US,en;q=0.9")).await;
    let korean_asked = send(Some("ko-KR,ko;q=0.9,en;q=0.8")).await;
    for r in [&korean, &english, &korean_asked] {
        r.expect_error(422, "VALIDATION_ERROR");
    }
    let (ko, en) = (field_errors(&korean), field_errors(&english));
    assert_eq!(fields(&ko), fields(&en), "the same errors");
    assert_eq!(korean.body["error"], korean_asked.body["error"]);
    for (k, e) in ko.iter().zip(&en) {
        assert_eq!(k["code"], e["code"]);
        assert_eq!(k["reason"], e["reason"]);
        let (k, e) = (
            k["message"].as_str().unwrap_or(""),
            e["message"].as_str().unwrap_or(""),
        );
        assert!(hangul(k), "Korean by default: {k}");
        assert!(!hangul(e), "English when asked: {e}");
    }
    let gender = en.iter().find(|e| e["field"] == "gender").expect("gender");
    assert_eq!(
        gender["message"],
        "gender must be one of: male, female, other"
    );
    if h.is_http() {
        assert_eq!(
            english.headers.get("content-language").map(String::as_str),
            Some("en")
        );
        assert_eq!(
            korean.headers.get("content-language").map(String::as_str),
            Some("ko")
        );
    }

    // Every kind of error, not only validation: an unknown customer, a missing token.
    let missing = format!("/api/v1/customers/{}", uuid::Uuid::now_v7());
    let r = h
        .send(
            "GET",
            &missing,
            Some(&staff),
            Payload::None,
            &[("accept-language", "en")],
        )
        .await;
    r.expect_error(404, "CUSTOMER_NOT_FOUND");
    assert_eq!(r.body["error"]["message"], "Customer not found");
    let r = h
        .send(
            "GET",
            "/api/v1/customers",
            None,
            Payload::None,
            &[("accept-language", "en")],
        )
        .await;
    r.expect(401);
    assert!(
        !hangul(r.body["error"]["message"].as_str().unwrap_or("")),
        "{}",
        r.body
    );
    // The consent codes too.
    let r = h
        .send(
            "POST",
            "/api/v1/customers",
            Some(&staff),
            Payload::Json(json!({"name": unique_name("영어"), "phone": unique_phone()})),
            &[("accept-language", "en")],
        )
        .await;
    r.expect_error(422, "PRIVACY_CONSENT_REQUIRED");
    assert!(
        !hangul(r.body["error"]["message"].as_str().unwrap_or("")),
        "{}",
        r.body
    );
    // A rule's own message (not the code's): the duplicate warning.
    let (_, existing) = super::cases::new_customer(h, json!({})).await;
    let admin = h.token("admin").await;
    let full = h
        .get(
            &format!(
                "/api/v1/customers/{}",
                existing["id"].as_str().unwrap_or("")
            ),
            &admin,
        )
        .await;
    let r = h
        .send(
            "POST",
            "/api/v1/customers",
            Some(&admin),
            Payload::Json(
                json!({"name": existing["name"], "phone": full.data()["phone"],
                                 "consent": {"privacy": true}}),
            ),
            &[("accept-language", "en")],
        )
        .await;
    r.expect_error(409, "DUPLICATE_CUSTOMER");
    assert_eq!(
        r.body["error"]["message"],
        "A customer with the same name and phone number already exists"
    );
    // A success says so in the language asked.
    let r = h
        .send(
            "GET",
            "/api/v1/services",
            Some(&staff),
            Payload::None,
            &[("accept-language", "en")],
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["message"], "OK");
}
