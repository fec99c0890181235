//! Contract cases: each takes a [`Harness`] and must hold on both transports.

use super::harness::{unique_phone, user_name, Harness, Payload, PASSWORD, ROLES};
use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

fn today() -> NaiveDate {
    (chrono::Utc::now() + Duration::hours(9)).date_naive()
}

fn days_ago(n: i64) -> String {
    (today() - Duration::days(n)).to_string()
}

pub(crate) fn unique_name(prefix: &str) -> String {
    let id = uuid::Uuid::now_v7().simple().to_string();
    format!("{prefix}{}", &id[id.len() - 8..])
}

pub(crate) async fn new_customer(h: &Harness, extra: Value) -> (String, Value) {
    let admin = h.token("admin").await;
    // Health-data consent too, so a case may write health fields later; `extra`'s consent
    // flags override these one by one.
    let mut body = json!({"name": unique_name("김테스트"), "phone": unique_phone(),
                          "consent": {"privacy": true, "health_data": true}});
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        match (k.as_str(), v) {
            ("consent", Value::Object(flags)) => {
                for (flag, on) in flags {
                    body["consent"][flag] = on;
                }
            }
            (_, v) => body[k] = v,
        }
    }
    let r = h.post("/api/v1/customers", &admin, body).await;
    r.expect(201);
    (
        r.data()["id"].as_str().unwrap().to_string(),
        r.data().clone(),
    )
}

pub(crate) async fn new_template(h: &Harness, sessions: Value, validity_days: i64) -> String {
    let manager = h.token("manager").await;
    let r = h
        .post(
            "/api/v1/packages",
            &manager,
            json!({"name": unique_name("테스트 패키지 "), "price": 1_000_000, "validity_days": validity_days, "sessions": sessions}),
        )
        .await;
    r.expect(201);
    r.data()["package_id"].as_str().unwrap().to_string()
}

pub(crate) async fn purchase(
    h: &Harness,
    customer: &str,
    package: &str,
    date: Option<String>,
) -> Value {
    let staff = h.token("staff").await;
    let mut body = json!({"package_id": package, "payment_method": "card"});
    if let Some(d) = date {
        body["purchase_date"] = json!(d);
    }
    let r = h
        .post(
            &format!("/api/v1/customers/{customer}/packages"),
            &staff,
            body,
        )
        .await;
    r.expect(201);
    r.data().clone()
}

async fn sessions_of(h: &Harness, customer: &str) -> i64 {
    h.count("service_sessions", "customer_id = $1", customer)
        .await
}

pub async fn health_and_readiness(h: &Harness) {
    let r = h.send("GET", "/healthz", None, Payload::None, &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "ok");
    let r = h.send("GET", "/readyz", None, Payload::None, &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "ready");
}

/// The document this code generates is what the API serves, and Swagger UI shows it from the
/// same origin.
pub async fn openapi_document_and_swagger_ui(h: &Harness) {
    let r = h
        .send("GET", "/api/v1/openapi.json", None, Payload::None, &[])
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["openapi"], "3.1.0");
    assert_eq!(&r.body, clinicdesk_api::openapi_document());
    let r = h.send("GET", "/docs", None, Payload::None, &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(
        r.headers.get("location").map(String::as_str),
        Some("/docs/")
    );
    let r = h.send("GET", "/docs/", None, Payload::None, &[]).await;
    assert_eq!(r.status, 200);
    assert!(r.headers["content-type"].starts_with("text/html"));
    assert!(r
        .body
        .as_str()
        .is_some_and(|html| html.contains("swagger-ui-bundle.js")));
    for (file, kind) in [
        ("swagger-ui.css", "text/css"),
        ("swagger-ui-bundle.js", "javascript"),
        ("swagger-initializer.js", "javascript"),
    ] {
        let r = h
            .send("GET", &format!("/docs/{file}"), None, Payload::None, &[])
            .await;
        assert_eq!(r.status, 200, "{file}");
        assert!(
            r.headers["content-type"].contains(kind),
            "{file}: {:?}",
            r.headers
        );
    }
    let r = h
        .send(
            "GET",
            "/docs/swagger-initializer.js",
            None,
            Payload::None,
            &[],
        )
        .await;
    let init = r.body.as_str().unwrap_or("");
    assert!(init.contains("/api/v1/openapi.json") && init.contains("\"validatorUrl\": \"none\""));
}

pub async fn unknown_paths_and_methods(h: &Harness) {
    let admin = h.token("admin").await;
    h.get("/api/v1/nope", &admin)
        .await
        .expect_error(404, "NOT_FOUND");
    h.send(
        "PATCH",
        "/api/v1/customers",
        Some(&admin),
        Payload::None,
        &[],
    )
    .await
    .expect_error(405, "METHOD_NOT_ALLOWED");
}

pub async fn login_returns_tokens(h: &Harness) {
    let r = h.login(&user_name("doctor"), PASSWORD).await;
    r.expect(200);
    let d = r.data();
    assert_eq!(d["token_type"], "Bearer");
    assert!(d["access_token"].as_str().unwrap().split('.').count() == 3);
    assert!(r.refresh_token().len() >= 32);
    assert!(d["expires_in"].as_i64().unwrap() > 0 && d["expires_in"].as_i64().unwrap() <= 3600);
    assert_eq!(d["user"]["role"], "doctor");
    assert_eq!(d["user"]["username"], user_name("doctor"));
}

pub async fn login_rejects_bad_credentials(h: &Harness) {
    h.login(&user_name("staff"), "wrong-password")
        .await
        .expect_error(401, "AUTH_INVALID_CREDENTIALS");
    h.login("nobody-here", PASSWORD)
        .await
        .expect_error(401, "AUTH_INVALID_CREDENTIALS");
}

pub async fn login_rejects_bad_input(h: &Harness) {
    let r = h
        .send(
            "POST",
            "/api/v1/auth/login",
            None,
            Payload::Raw("{\"username\": "),
            &[],
        )
        .await;
    r.expect_error(400, "INVALID_JSON");
    let r = h
        .send(
            "POST",
            "/api/v1/auth/login",
            None,
            Payload::Json(json!({"username": "x"})),
            &[],
        )
        .await;
    r.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(r.field(), "password");
    let r = h
        .send(
            "POST",
            "/api/v1/auth/login",
            None,
            Payload::Json(json!({"username": 5, "password": "x"})),
            &[],
        )
        .await;
    r.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(r.field(), "username");
}

pub async fn me_requires_a_token(h: &Harness) {
    let t = h.token("manager").await;
    let r = h.get("/api/v1/auth/me", &t).await;
    r.expect(200);
    assert_eq!(r.data()["role"], "manager");
    h.send("GET", "/api/v1/auth/me", None, Payload::None, &[])
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    h.get("/api/v1/auth/me", "garbage")
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
}

pub async fn refresh_rotates_the_token(h: &Harness) {
    let login = h.login(&user_name("staff"), PASSWORD).await;
    let old = login.refresh_token();
    let r = h.refresh(&old).await;
    r.expect(200);
    let new_access = r.data()["access_token"].as_str().unwrap().to_string();
    let new_refresh = r.refresh_token();
    assert_ne!(new_refresh, old);
    h.get("/api/v1/auth/me", &new_access).await.expect(200);
    h.refresh(&old)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    h.refresh("deadbeef")
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
}

pub async fn logout_revokes_the_session(h: &Harness) {
    let login = h.login(&user_name("doctor"), PASSWORD).await;
    let access = login.data()["access_token"].as_str().unwrap().to_string();
    let refresh = login.refresh_token();
    let r = h
        .send(
            "POST",
            "/api/v1/auth/logout",
            Some(&access),
            Payload::None,
            &[],
        )
        .await;
    r.expect(200);
    assert_eq!(r.data()["logged_out"], true);
    h.get("/api/v1/auth/me", &access)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    h.refresh(&refresh)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    if !h.in_process() {
        let cleared = r
            .headers
            .get("set-cookie")
            .expect("logout clears the cookie");
        assert!(cleared.starts_with("clinicdesk_refresh=;"), "{cleared}");
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
    }
}

/// The token's claims edited and signed again with `key`, named in the header as the server
/// names its keys.
fn resign(token: &str, key: &clinicdesk_security::Key, edit: impl FnOnce(&mut Value)) -> String {
    let mut claims: Value =
        serde_json::from_slice(&base64url_decode(token.split('.').nth(1).unwrap())).unwrap();
    edit(&mut claims);
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(key.id().to_string());
    jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(key.secret()),
    )
    .unwrap()
}

pub async fn expired_token_is_rejected(h: &Harness) {
    let t = h.token("staff").await;
    let secret = h.secrets.tokens.current().clone();
    let expired = resign(&t, &secret, |c| {
        c["exp"] = json!(chrono::Utc::now().timestamp() - 10)
    });
    h.get("/api/v1/auth/me", &expired)
        .await
        .expect_error(401, "AUTH_EXPIRED_TOKEN");
    let still_valid = resign(&t, &secret, |c| {
        c["exp"] = json!(chrono::Utc::now().timestamp() + 60)
    });
    h.get("/api/v1/auth/me", &still_valid).await.expect(200);
}

pub async fn tampered_token_is_rejected(h: &Harness) {
    let t = h.token("staff").await;
    // Promote yourself to admin without the key: signature no longer matches.
    let parts: Vec<&str> = t.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&base64url_decode(parts[1])).unwrap();
    claims["role"] = json!("admin");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        base64url_encode(claims.to_string().as_bytes()),
        parts[2]
    );
    h.get("/api/v1/auth/me", &forged)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    // Signed with another key, whether it claims the clinic key's id or its own.
    let stranger = clinicdesk_security::Key::generate();
    let wrong = resign(&t, &stranger, |_| {});
    h.get("/api/v1/auth/me", &wrong)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(h.secrets.tokens.current().id().to_string());
    let claims: Value =
        serde_json::from_slice(&base64url_decode(t.split('.').nth(1).unwrap())).unwrap();
    let impostor = jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(stranger.secret()),
    )
    .unwrap();
    h.get("/api/v1/auth/me", &impostor)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    // Without a key id the token names no key at all.
    let no_kid = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(h.secrets.tokens.current().secret()),
    )
    .unwrap();
    h.get("/api/v1/auth/me", &no_kid)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    let mut flipped = t.clone();
    let last = flipped.pop().unwrap();
    flipped.push(if last == 'A' { 'B' } else { 'A' });
    h.get("/api/v1/auth/me", &flipped)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub fn base64url_decode(s: &str) -> Vec<u8> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes() {
        let v = B64.iter().position(|b| *b == c).unwrap() as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    out
}

fn base64url_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        for i in 0..(chunk.len() + 1) {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

pub async fn create_customer(h: &Harness) {
    let staff = h.token("staff").await;
    let name = unique_name("이서연");
    let r = h
        .post(
            "/api/v1/customers",
            &staff,
            json!({"name": name, "phone": "01055557777", "email": "Seo@Example.com", "birth_year": 1990,
                   "gender": "female", "membership_level": "premium", "preferred_time_slots": ["morning"],
                   "communication_preferences": {"preferred_channels": ["kakao"]}, "consent": {"privacy": true}}),
        )
        .await;
    r.expect(201);
    let c = r.data();
    assert_eq!(c["name"], name);
    assert_eq!(c["id"], c["customer_id"]);
    assert!(clinicdesk_domain::ids::is_valid_id(
        c["id"].as_str().unwrap()
    ));
    assert_eq!(
        c["phone"], "010-****-7777",
        "staff get the masked number back"
    );
    assert_eq!(c["membership_level"], "premium");
    assert_eq!(c["customer_status"], "active");
    assert_eq!(c["total_visits"], 0);
    assert!(c["profile_completeness"].as_f64().unwrap() > 0.4);
    let id = c["id"].as_str().unwrap();
    let admin = h.token("admin").await;
    let full = h.get(&format!("/api/v1/customers/{id}"), &admin).await;
    assert_eq!(full.data()["phone"], "010-5555-7777");
    assert_eq!(full.data()["email"], "seo@example.com");
    let logged = h.logged_changes(id).await;
    assert_eq!(
        logged.len(),
        1,
        "the write is logged for the devices: {logged:?}"
    );
    assert_eq!(logged[0]["_kind"], "upsert");
    assert_eq!(logged[0]["phone"], "010-5555-7777");
    assert_eq!(logged[0]["email"], "seo@example.com");
    assert!(h.audit_count(id, None).await >= 1, "the write is audited");
}

pub async fn create_customer_validation(h: &Harness) {
    let staff = h.token("staff").await;
    let name = unique_name("검증");
    let phone = unique_phone();
    let cases = [
        (json!({"phone": phone}), "name"),
        (json!({"name": name}), "phone"),
        (json!({"name": name, "phone": "12345"}), "phone"),
        (
            json!({"name": name, "phone": phone, "membership_level": "gold"}),
            "membership_level",
        ),
        (
            json!({"name": name, "phone": phone, "gender": "robot"}),
            "gender",
        ),
        (
            json!({"name": name, "phone": phone, "birth_year": "1990"}),
            "birth_year",
        ),
        (
            json!({"name": name, "phone": phone, "birth_year": -5}),
            "birth_year",
        ),
        (
            json!({"name": name, "phone": phone, "email": "not-an-email"}),
            "email",
        ),
        (
            json!({"name": name, "phone": phone, "preferred_services": ["sauna"]}),
            "preferred_services",
        ),
        (
            json!({"name": name, "phone": phone, "preferred_time_slots": "morning"}),
            "preferred_time_slots",
        ),
        (
            json!({"name": name, "phone": phone, "address": "가".repeat(201)}),
            "address",
        ),
        (json!({"name": "가".repeat(51), "phone": phone}), "name"),
        (
            json!({"name": name, "phone": phone, "unknown_field": 1}),
            "unknown_field",
        ),
        (
            json!({"name": name, "phone": phone, "consent": {"marketing": "yes"}}),
            "consent.marketing",
        ),
    ];
    for (mut body, field) in cases {
        if body.get("consent").is_none() {
            body["consent"] = json!({"privacy": true});
        }
        let r = h.post("/api/v1/customers", &staff, body.clone()).await;
        r.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(r.field(), field, "{body} → {}", r.body);
    }
    let r = h
        .post(
            "/api/v1/customers",
            &staff,
            json!({"consent": {"privacy": true}, "name": name, "phone": phone, "membership_level": "gold"}),
        )
        .await;
    assert_eq!(
        r.body["error"]["details"]["allowed_values"],
        json!(["basic", "premium", "vip"])
    );
    assert_eq!(
        h.count("customers", "name = $1", &name).await,
        0,
        "nothing was written"
    );
}

pub async fn malformed_bodies_write_nothing(h: &Harness) {
    let staff = h.token("staff").await;
    let (id, _) = new_customer(h, json!({})).await;
    let before_outbox = h.logged_changes(&id).await.len();
    for raw in ["{\"name\": ", "not json", "{\"name\": \"a\",}", "\u{0}"] {
        let r = h
            .send(
                "POST",
                "/api/v1/customers",
                Some(&staff),
                Payload::Raw(raw),
                &[],
            )
            .await;
        r.expect_error(400, "INVALID_JSON");
        let r = h
            .send(
                "PUT",
                &format!("/api/v1/customers/{id}"),
                Some(&staff),
                Payload::Raw(raw),
                &[],
            )
            .await;
        r.expect_error(400, "INVALID_JSON");
        let r = h
            .send(
                "POST",
                &format!("/api/v1/customers/{id}/sessions"),
                Some(&staff),
                Payload::Raw(raw),
                &[],
            )
            .await;
        r.expect_error(400, "INVALID_JSON");
    }
    for body in [json!([1, 2]), json!("text"), json!(42)] {
        h.post("/api/v1/customers", &staff, body.clone())
            .await
            .expect_error(422, "VALIDATION_ERROR");
        h.post(&format!("/api/v1/customers/{id}/sessions"), &staff, body)
            .await
            .expect_error(422, "VALIDATION_ERROR");
    }
    let huge = "가".repeat(400_000);
    let r = h
        .post(
            "/api/v1/customers",
            &staff,
            json!({"consent": {"privacy": true}, "name": "x", "phone": unique_phone(), "memo": huge}),
        )
        .await;
    r.expect_error(413, "PAYLOAD_TOO_LARGE");
    assert_eq!(sessions_of(h, &id).await, 0);
    assert_eq!(h.logged_changes(&id).await.len(), before_outbox);
}

pub async fn duplicate_customer(h: &Harness) {
    let (id, c) = new_customer(h, json!({})).await;
    let admin = h.token("admin").await;
    let full = h.get(&format!("/api/v1/customers/{id}"), &admin).await;
    let phone = full.data()["phone"].as_str().unwrap().replace('-', "");
    let r = h
        .post(
            "/api/v1/customers",
            &admin,
            json!({"consent": {"privacy": true}, "name": c["name"], "phone": phone}),
        )
        .await;
    r.expect_error(409, "DUPLICATE_CUSTOMER");
    assert_eq!(
        r.body["error"]["details"]["existing_customer_id"],
        json!(id)
    );
    assert_eq!(
        h.count("customers", "name = $1", c["name"].as_str().unwrap())
            .await,
        1
    );
    // Same name, other phone: a different person.
    h.post(
        "/api/v1/customers",
        &admin,
        json!({"consent": {"privacy": true}, "name": c["name"], "phone": unique_phone()}),
    )
    .await
    .expect(201);
}

pub async fn get_customer_and_not_found(h: &Harness) {
    let (id, _) = new_customer(h, json!({"occupation": "회사원"})).await;
    let t = h.token("manager").await;
    let r = h.get(&format!("/api/v1/customers/{id}"), &t).await;
    r.expect(200);
    assert_eq!(r.data()["occupation"], "회사원");
    let missing = clinicdesk_domain::ids::new_id();
    for path in [
        format!("/api/v1/customers/{missing}"),
        format!("/api/v1/customers/{missing}/detail"),
        "/api/v1/customers/not-a-uuid".to_string(),
        "/api/v1/customers/1%27%20OR%201=1/detail".to_string(),
        format!("/api/v1/customers/{missing}/interactions"),
        format!("/api/v1/customers/{missing}/packages"),
    ] {
        h.get(&path, &t)
            .await
            .expect_error(404, "CUSTOMER_NOT_FOUND");
    }
    h.post(
        &format!("/api/v1/customers/{missing}/sessions"),
        &t,
        json!({"payment_method": "card", "service_type": "brain"}),
    )
    .await
    .expect_error(404, "CUSTOMER_NOT_FOUND");
}

pub async fn staff_sees_masked_personal_data(h: &Harness) {
    let (id, _) = new_customer(
        h,
        json!({"phone": "010-2345-6789", "name": unique_name("박민준"), "email": "minjun@example.com",
               "address": "서울시 마포구 월드컵로 12", "emergency_contact": "010-9999-1111", "health_goals": "허리 통증 완화"}),
    )
    .await;
    let staff = h
        .get(&format!("/api/v1/customers/{id}"), &h.token("staff").await)
        .await;
    let c = staff.data();
    assert_eq!(c["phone"], "010-****-6789");
    assert_eq!(c["email"], "m***@example.com");
    assert_eq!(c["address"], "서울시 마포구 ***");
    assert_eq!(c["emergency_contact"], "010-****-1111");
    assert_eq!(c["health_goals"], Value::Null);
    let detail = h
        .get(
            &format!("/api/v1/customers/{id}/detail"),
            &h.token("staff").await,
        )
        .await;
    assert_eq!(detail.data()["customer"]["phone"], "010-****-6789");
    assert_eq!(
        detail.data()["preferences"]["health_interests"],
        Value::Null
    );
    let listed = h
        .get("/api/v1/customers/search?q=6789", &h.token("staff").await)
        .await;
    let rows = listed.data()["customers"].as_array().unwrap();
    assert!(
        rows.iter().any(|c| c["id"] == json!(id)),
        "the customer is found by what staff see, so the check below is not vacuous"
    );
    assert!(rows
        .iter()
        .all(|c| c["phone"].as_str().unwrap().contains("****")));
    let manager = h
        .get(
            &format!("/api/v1/customers/{id}"),
            &h.token("manager").await,
        )
        .await;
    assert_eq!(manager.data()["phone"], "010-2345-6789");
    assert_eq!(
        manager.data()["health_goals"],
        Value::Null,
        "managers do not see health data"
    );
    let doctor = h
        .get(&format!("/api/v1/customers/{id}"), &h.token("doctor").await)
        .await;
    assert_eq!(doctor.data()["health_goals"], "허리 통증 완화");
}

pub async fn health_fields_need_health_access(h: &Harness) {
    let (id, _) = new_customer(h, json!({"health_goals": "수면 개선"})).await;
    for role in ["staff", "manager"] {
        let t = h.token(role).await;
        let r = h
            .put(
                &format!("/api/v1/customers/{id}"),
                &t,
                json!({"health_goals": "체중 감량", "occupation": "교사"}),
            )
            .await;
        r.expect_error(403, "FORBIDDEN_ROLE");
        assert_eq!(r.field(), "health_goals");
        let r = h
            .put(
                &format!("/api/v1/customers/{id}"),
                &t,
                json!({"health_interests": ["sleep_quality"]}),
            )
            .await;
        r.expect_error(403, "FORBIDDEN_ROLE");
        let r = h.post("/api/v1/customers", &t, json!({"consent": {"privacy": true}, "name": unique_name("건강"), "phone": unique_phone(), "preferred_intensity": "low"})).await;
        r.expect_error(403, "FORBIDDEN_ROLE");
    }
    let doctor = h.token("doctor").await;
    let r = h.get(&format!("/api/v1/customers/{id}"), &doctor).await;
    assert_eq!(
        r.data()["health_goals"],
        "수면 개선",
        "the forbidden update changed nothing"
    );
    assert_eq!(
        r.data()["occupation"],
        Value::Null,
        "not even the allowed field of a refused update"
    );
    h.put(
        &format!("/api/v1/customers/{id}"),
        &doctor,
        json!({"health_goals": "체중 감량", "preferred_intensity": "high"}),
    )
    .await
    .expect(200);
    let r = h.get(&format!("/api/v1/customers/{id}"), &doctor).await;
    assert_eq!(r.data()["health_goals"], "체중 감량");
    assert_eq!(r.data()["preferred_intensity"], "high");
}

pub async fn update_customer(h: &Harness) {
    let (id, _) = new_customer(h, json!({"membership_level": "basic"})).await;
    let staff = h.token("staff").await;
    let r = h
        .put(
            &format!("/api/v1/customers/{id}"),
            &staff,
            json!({"membership_level": "vip", "occupation": "프리랜서", "preferred_time_slots": ["evening", "weekend"]}),
        )
        .await;
    r.expect(200);
    let d = r.data();
    assert_eq!(d["id"], json!(id));
    assert_eq!(
        d["updated_fields"],
        json!(["membership_level", "occupation", "preferred_time_slots"])
    );
    assert_eq!(d["changes_summary"]["membership_level"], "basic → vip");
    assert_eq!(d["changes_summary"]["occupation"], "(없음) → 프리랜서");
    assert!(d["profile_completeness"].is_number());
    assert!(d["last_updated"].is_string());
    let got = h.get(&format!("/api/v1/customers/{id}"), &staff).await;
    assert_eq!(got.data()["membership_level"], "vip");
    assert_eq!(
        got.data()["preferred_time_slots"],
        json!(["evening", "weekend"])
    );
    // Clearing an optional field with null.
    let r = h
        .put(
            &format!("/api/v1/customers/{id}"),
            &staff,
            json!({"occupation": null}),
        )
        .await;
    assert_eq!(r.data()["updated_fields"], json!(["occupation"]));
    let got = h.get(&format!("/api/v1/customers/{id}"), &staff).await;
    assert_eq!(got.data()["occupation"], Value::Null);
    // The creation and two edits, each edit carrying exactly the fields it changed.
    let logged = h.logged_changes(&id).await;
    assert_eq!(logged.len(), 3, "{logged:?}");
    assert_eq!(
        logged[1]["_fields"],
        json!([
            "membership_level",
            "occupation",
            "preferred_time_slots",
            "updated_at"
        ])
    );
    assert_eq!(logged[1]["occupation"], "프리랜서");
    assert_eq!(logged[2]["_fields"], json!(["occupation", "updated_at"]));
    assert_eq!(logged[2]["occupation"], Value::Null);
}

pub async fn update_detail(h: &Harness) {
    let (id, _) = new_customer(h, json!({})).await;
    let doctor = h.token("doctor").await;
    let r = h
        .put(
            &format!("/api/v1/customers/{id}/detail"),
            &doctor,
            json!({"email": "newemail@example.com", "occupation": "프리랜서", "health_goals": "체중 감량, 근력 향상",
                   "preferred_time_slots": ["evening", "weekend"]}),
        )
        .await;
    r.expect(200);
    let d = r.data();
    assert_eq!(d["customer"]["email"], "newemail@example.com");
    assert_eq!(d["customer"]["health_goals"], "체중 감량, 근력 향상");
    assert_eq!(d["preferences"]["preferred_time"], "evening");
    assert_eq!(d["updated_fields"].as_array().unwrap().len(), 4);
    assert!(d["serviceHistory"].is_array() && d["activePackages"].is_array());
}

pub async fn update_rejects_bad_input(h: &Harness) {
    let (id, created) = new_customer(h, json!({"membership_level": "premium"})).await;
    let staff = h.token("staff").await;
    for (body, field) in [
        (json!({"membership_level": "platinum"}), "membership_level"),
        (json!({"phone": null}), "phone"),
        (json!({"name": ""}), "name"),
        (
            json!({"occupation": "x", "customer_status": "sleeping"}),
            "customer_status",
        ),
        (json!({"birth_year": 1899}), "birth_year"),
        (
            json!({"communication_preferences": {"preferred_channels": ["pigeon"]}}),
            "communication_preferences.preferred_channels",
        ),
    ] {
        let r = h
            .put(&format!("/api/v1/customers/{id}"), &staff, body.clone())
            .await;
        r.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(r.field(), field, "{body}");
    }
    let got = h.get(&format!("/api/v1/customers/{id}"), &staff).await;
    assert_eq!(got.data()["membership_level"], "premium");
    assert_eq!(got.data()["occupation"], Value::Null);
    assert_eq!(
        got.data()["updated_at"],
        created["updated_at"],
        "nothing was saved"
    );
    let missing = clinicdesk_domain::ids::new_id();
    h.put(
        &format!("/api/v1/customers/{missing}"),
        &staff,
        json!({"occupation": "x"}),
    )
    .await
    .expect_error(404, "CUSTOMER_NOT_FOUND");
}

pub async fn list_customers(h: &Harness) {
    let tag = unique_name("목록");
    let mut ids = Vec::new();
    for (i, level) in ["vip", "basic", "vip"].iter().enumerate() {
        let (id, _) = new_customer(
            h,
            json!({"name": format!("{tag}{i}"), "membership_level": level, "assigned_staff": tag}),
        )
        .await;
        ids.push(id);
    }
    let t = h.token("staff").await;
    let r = h
        .get(
            &format!("/api/v1/customers?search={}&limit=2", urlencode(&tag)),
            &t,
        )
        .await;
    r.expect(200);
    let d = r.data();
    assert_eq!(d["total_count"], 3);
    assert_eq!(d["customers"].as_array().unwrap().len(), 2);
    assert_eq!(
        d["pagination"],
        json!({"limit": 2, "offset": 0, "has_more": true})
    );
    assert_eq!(d["customers"][0]["name"], format!("{tag}0"));
    let page2 = h
        .get(
            &format!(
                "/api/v1/customers?search={}&limit=2&offset=2",
                urlencode(&tag)
            ),
            &t,
        )
        .await;
    assert_eq!(page2.data()["customers"].as_array().unwrap().len(), 1);
    assert_eq!(page2.data()["pagination"]["has_more"], false);
    let vip = h
        .get(
            &format!(
                "/api/v1/customers?assigned_staff={}&membership_level=vip",
                urlencode(&tag)
            ),
            &t,
        )
        .await;
    assert_eq!(vip.data()["total_count"], 2);
    let item = &vip.data()["customers"][0];
    for key in [
        "id",
        "customer_id",
        "name",
        "phone",
        "membership_level",
        "last_visit_date",
        "interaction_count",
        "profile_completeness",
    ] {
        assert!(item.get(key).is_some(), "list item has {key}");
    }
    for bad in [
        "limit=0",
        "limit=101",
        "limit=abc",
        "offset=-1",
        "membership_level=gold",
        "customer_status=zzz",
    ] {
        let r = h.get(&format!("/api/v1/customers?{bad}"), &t).await;
        r.expect_error(422, "VALIDATION_ERROR");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub async fn search_customers(h: &Harness) {
    let tag = unique_name("검색");
    let pkg = new_template(h, json!({"brain": 10, "pulse": 10}), 90).await;
    let (regular, _) = new_customer(
        h,
        json!({"name": format!("{tag}가"), "membership_level": "vip"}),
    )
    .await;
    let (lapsed, _) = new_customer(
        h,
        json!({"name": format!("{tag}나"), "membership_level": "basic"}),
    )
    .await;
    let (newbie, _) = new_customer(
        h,
        json!({"name": format!("{tag}다"), "membership_level": "basic"}),
    )
    .await;
    let p = purchase(h, &regular, &pkg, Some(days_ago(10))).await;
    let staff = h.token("staff").await;
    for (d, service) in [(9, "brain"), (5, "pulse"), (2, "brain")] {
        h.post(
            &format!("/api/v1/customers/{regular}/sessions"),
            &staff,
            json!({"service_type": service, "service_date": days_ago(d), "package_usage_id": p["package_usage_id"], "satisfaction_rating": 5}),
        )
        .await
        .expect(201);
    }
    h.post(
        &format!("/api/v1/customers/{lapsed}/sessions"),
        &staff,
        json!({"payment_method": "card", "service_type": "red", "service_date": days_ago(60)}),
    )
    .await
    .expect(201);

    let q = urlencode(&tag);
    let (q, token) = (&q, &staff);
    let search = |params: String| async move {
        h.get(&format!("/api/v1/customers/search?q={q}&{params}"), token)
            .await
    };
    let all = search(String::new()).await;
    all.expect(200);
    let d = all.data();
    assert_eq!(
        d["pagination"],
        json!({"total": 3, "page": 1, "size": 20, "total_pages": 1})
    );
    let names: Vec<&str> = d["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [format!("{tag}가"), format!("{tag}나"), format!("{tag}다")]
    );
    let first = &d["customers"][0];
    assert_eq!(first["customer_id"], json!(regular));
    assert_eq!(first["total_visits"], 3);
    assert_eq!(first["last_visit_date"], days_ago(2));
    assert_eq!(first["active_package"], p["package_name"]);
    assert_eq!(
        first["package_usage_summary"],
        "브레인 피드백 8회 남음 / 10회, 펄스 케어 9회 남음 / 10회"
    );
    assert_eq!(first["risk_level"], "stable");
    assert_eq!(first["total_revenue"], 1_000_000);
    assert_eq!(d["filters_applied"]["q"], json!(tag));

    let ids = |r: &super::harness::Resp| -> Vec<String> {
        r.data()["customers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(&search("service_filter=brain,lymph".into()).await),
        [regular.clone()]
    );
    assert_eq!(
        ids(&search("service_filter=red".into()).await),
        [lapsed.clone()]
    );
    assert_eq!(
        ids(&search("package_status=active".into()).await),
        [regular.clone()]
    );
    assert!(ids(&search("package_status=expired".into()).await).is_empty());
    assert_eq!(
        ids(&search("membership_level=vip".into()).await),
        [regular.clone()]
    );
    assert_eq!(
        ids(&search("risk_level=warning".into()).await),
        [lapsed.clone()]
    );
    assert_eq!(
        ids(&search("risk_level=stable".into()).await),
        [regular.clone(), newbie.clone()]
    );
    assert_eq!(
        ids(&search(format!(
            "last_visit_from={}&last_visit_to={}",
            days_ago(70),
            days_ago(30)
        ))
        .await),
        [lapsed.clone()]
    );
    assert_eq!(
        ids(&search("sort_by=total_visits".into()).await)[0],
        regular
    );
    assert_eq!(
        ids(&search("sort_by=last_visit&sort_order=desc".into()).await),
        [regular.clone(), lapsed.clone(), newbie.clone()]
    );
    assert_eq!(
        ids(&search("sort_by=revenue&sort_order=asc".into()).await)[2],
        regular
    );
    let paged = search("size=2&page=2".into()).await;
    assert_eq!(paged.data()["pagination"]["total_pages"], 2);
    assert_eq!(ids(&paged), [newbie.clone()]);
    let filters = search("service_filter=brain&package_status=active".into()).await;
    assert_eq!(
        filters.data()["filters_applied"]["service_filter"],
        json!(["brain"])
    );
    assert_eq!(
        filters.data()["filters_applied"]["package_status"],
        "active"
    );

    // Phone digits and Korean name fragments.
    let admin = h.token("admin").await;
    let phone = h
        .get(&format!("/api/v1/customers/{lapsed}"), &admin)
        .await
        .data()["phone"]
        .as_str()
        .unwrap()
        .to_string();
    // Any run of digits for a role that sees numbers whole; staff: what they see.
    let digits = &phone.replace('-', "")[3..];
    let by_phone = h
        .get(&format!("/api/v1/customers/search?q={digits}"), &admin)
        .await;
    assert!(ids(&by_phone).contains(&lapsed));
    let by_tail = h
        .get(
            &format!("/api/v1/customers/search?q={}", &phone[phone.len() - 4..]),
            &staff,
        )
        .await;
    assert!(ids(&by_tail).contains(&lapsed));
    let fragment = urlencode(&format!("{}나", &tag[tag.len() - 4..]));
    let by_name = h
        .get(&format!("/api/v1/customers/search?q={fragment}"), &staff)
        .await;
    assert_eq!(ids(&by_name), [lapsed.clone()]);
    // LIKE wildcards in the search text are literal.
    let wildcard = h.get("/api/v1/customers/search?q=%25%25%25", &staff).await;
    assert_eq!(wildcard.data()["pagination"]["total"], 0);
}

/// A name made of random Hangul syllables: no other case's customer shares its fragments.
fn random_korean_name(syllables: usize) -> String {
    let n = uuid::Uuid::now_v7().as_u128();
    (0..syllables)
        .map(|i| char::from_u32(0xAC00 + ((n >> (14 * i)) % 11172) as u32).unwrap())
        .collect()
}

/// Korean fragments and phone digits go through the search index; renames re-index.
pub async fn search_index_follows_writes(h: &Harness) {
    let name = random_korean_name(4);
    let (id, _) = new_customer(h, json!({"name": name})).await;
    let staff = h.token("staff").await;
    let found = |q: String| {
        let staff = staff.clone();
        async move {
            let r = h
                .get(
                    &format!("/api/v1/customers/search?q={}", urlencode(&q)),
                    &staff,
                )
                .await;
            r.expect(200);
            r.data()["customers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    let chars: Vec<char> = name.chars().collect();
    let middle: String = chars[1..3].iter().collect();
    let tail: String = chars[1..].iter().collect();
    assert_eq!(
        found(middle.clone()).await,
        [id.clone()],
        "a two-syllable fragment"
    );
    assert_eq!(
        found(tail.clone()).await,
        [id.clone()],
        "a three-syllable fragment"
    );
    let reversed: String = chars.iter().rev().collect();
    assert!(
        found(reversed).await.is_empty(),
        "bigrams in the wrong order do not match"
    );
    let renamed = random_korean_name(3);
    h.put(
        &format!("/api/v1/customers/{id}"),
        &staff,
        json!({"name": renamed}),
    )
    .await
    .expect(200);
    assert!(
        found(tail).await.is_empty(),
        "the old name is no longer indexed"
    );
    assert_eq!(found(renamed.clone()).await, [id.clone()]);
    let admin = h.token("admin").await;
    let phone = h
        .get(&format!("/api/v1/customers/{id}"), &admin)
        .await
        .data()["phone"]
        .as_str()
        .unwrap()
        .replace('-', "");
    assert!(
        found(phone[phone.len() - 4..].to_string())
            .await
            .contains(&id),
        "the phone's last four digits (what staff see of it)"
    );
    h.delete(
        &format!("/api/v1/customers/{id}?data_retention_policy=delete"),
        &admin,
    )
    .await;
    assert!(
        found(renamed).await.is_empty(),
        "a deleted customer is not found"
    );
}

/// A change another process writes to the same database (a second server of a chain, a
/// sync run) shows in the next search: the search index follows the database, not only the
/// writes of its own process.
pub async fn search_follows_other_writers(h: &Harness) {
    use clinicdesk_domain::session::SessionRecord;
    use clinicdesk_domain::ServiceType;
    use clinicdesk_store::{customers, sessions, stats, Actor, Db};

    let name = random_korean_name(4);
    let (id, _) = new_customer(h, json!({"name": name, "membership_level": "basic"})).await;
    let staff = h.token("staff").await;
    let found = |query: String| {
        let staff = staff.clone();
        async move {
            let r = h
                .get(&format!("/api/v1/customers/search?{query}"), &staff)
                .await;
            r.expect(200);
            let ids: Vec<String> = r.data()["customers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect();
            (ids, r.data()["pagination"]["total"].as_i64())
        }
    };
    let by_name = |n: &str| format!("q={}", urlencode(n));
    assert_eq!(found(by_name(&name)).await.0, [id.clone()]);

    let other = Db::open(&h.database_url, h.secrets.audit.clone())
        .await
        .unwrap();
    let now = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let mut record = {
        let mut conn = other.conn().await.unwrap();
        customers::get(&mut conn, &id).await.unwrap().unwrap()
    };
    let renamed = random_korean_name(4);
    record.name = renamed.clone();
    record.membership_level = "vip".into();
    let mut w = other
        .begin_write(&Actor::system("contract-test"), &now)
        .await
        .unwrap();
    customers::update(
        &mut w,
        &record,
        &["name".into(), "membership_level".into()],
        &[],
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    assert!(
        found(by_name(&name)).await.0.is_empty(),
        "the old name is gone"
    );
    assert_eq!(
        found(format!("{}&membership_level=vip", by_name(&renamed)))
            .await
            .0,
        [id.clone()],
        "the new name and level"
    );

    // A visit the other process records changes the roll-up the index filters on.
    let red = format!("{}&service_filter=red", by_name(&renamed));
    assert!(found(red.clone()).await.0.is_empty());
    let today = chrono::Utc::now().date_naive();
    let visit = SessionRecord {
        id: clinicdesk_domain::ids::new_id(),
        customer_id: id.clone(),
        service_type: ServiceType::Red,
        service_date: today,
        duration_minutes: 30,
        satisfaction_rating: None,
        session_notes: None,
        staff_name: None,
        package_usage_id: None,
        package_name: None,
        amount: 50_000,
        payment_method: Some("cash".into()),
        created_by: None,
        created_at: now.clone(),
        cancelled_at: None,
        cancel_reason: None,
        cancelled_by: None,
    };
    let mut w = other
        .begin_write(&Actor::system("contract-test"), &now)
        .await
        .unwrap();
    sessions::insert(&mut w, &visit).await.unwrap();
    stats::refresh_customer(w.conn(), &id).await.unwrap();
    w.commit().await.unwrap();
    let (ids, total) = found(format!("{red}&risk_level=stable")).await;
    assert_eq!(ids, [id.clone()], "visited red today");
    assert_eq!(total, Some(1));
    other.close().await;
}

pub async fn search_rejects_bad_parameters(h: &Harness) {
    let t = h.token("staff").await;
    for (bad, field) in [
        ("service_filter=brain,sauna", "service_filter"),
        ("package_status=paused", "package_status"),
        ("membership_level=gold", "membership_level"),
        ("risk_level=extreme", "risk_level"),
        ("sort_by=age", "sort_by"),
        ("sort_order=sideways", "sort_order"),
        ("last_visit_from=2024-13-01", "last_visit_from"),
        (
            "last_visit_from=2024-05-01&last_visit_to=2024-04-01",
            "last_visit_from",
        ),
        ("page=0", "page"),
        ("size=1000", "size"),
    ] {
        let r = h.get(&format!("/api/v1/customers/search?{bad}"), &t).await;
        r.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(r.field(), field, "{bad}");
    }
}

pub async fn customer_detail(h: &Harness) {
    let (id, _) = new_customer(h, json!({"preferred_services": ["brain"], "communication_preferences": {"preferred_channels": ["kakao"]}, "consent": {"marketing": true}})).await;
    let pkg = new_template(
        h,
        json!({"brain": 10, "pulse": 10, "lymph": 10, "red": 10}),
        90,
    )
    .await;
    let p = purchase(h, &id, &pkg, Some(days_ago(30))).await;
    let staff = h.token("staff").await;
    for (d, s, rating) in [(20, "brain", 5), (10, "pulse", 4)] {
        h.post(
            &format!("/api/v1/customers/{id}/sessions"),
            &staff,
            json!({"service_type": s, "service_date": days_ago(d), "package_usage_id": p["package_usage_id"], "satisfaction_rating": rating, "session_notes": "컨디션 좋음"}),
        )
        .await
        .expect(201);
    }
    h.post(
        &format!("/api/v1/customers/{id}/sessions"),
        &staff,
        json!({"payment_method": "card", "service_type": "ai_bike", "service_date": days_ago(3)}),
    )
    .await
    .expect(201);
    let audits_before = h.audit_count(&id, Some("customer.detail.read")).await;
    let r = h
        .get(&format!("/api/v1/customers/{id}/detail"), &staff)
        .await;
    r.expect(200);
    let d = r.data();
    let c = &d["customer"];
    assert_eq!(c["total_visits"], 3);
    assert_eq!(c["first_visit_date"], days_ago(20));
    assert_eq!(c["last_visit_date"], days_ago(3));
    assert_eq!(c["average_visit_interval"], 9, "17 days over 2 gaps");
    assert_eq!(c["total_revenue"], 1_000_000 + 30_000);
    assert_eq!(c["average_satisfaction"], 4.5);
    let history = d["serviceHistory"].as_array().unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0]["service_type"], "ai_bike");
    assert_eq!(history[0]["service_name"], "AI 바이크");
    assert_eq!(history[0]["amount"], 30_000);
    assert_eq!(history[2]["package_name"], p["package_name"]);
    assert_eq!(history[2]["session_notes"], "컨디션 좋음");
    let pkgs = d["activePackages"].as_array().unwrap();
    assert_eq!(pkgs.len(), 1);
    let a = &pkgs[0];
    assert_eq!(a["total_sessions"], 40);
    assert_eq!(a["used_sessions"], 2);
    assert_eq!(a["remaining_sessions"], 38);
    assert_eq!(a["usage_rate"], 5.0);
    assert_eq!(a["days_remaining"], 60);
    assert_eq!(a["package_status"], "active");
    assert_eq!(
        a["service_breakdown"]["brain"],
        json!({"total": 10, "used": 1, "remaining": 9})
    );
    assert_eq!(
        a["service_breakdown"]["red"],
        json!({"total": 10, "used": 0, "remaining": 10})
    );
    let prefs = &d["preferences"];
    assert_eq!(prefs["preferred_services"], json!(["brain"]));
    assert_eq!(prefs["communication_preference"], "kakao");
    assert_eq!(prefs["marketing_consent"], true);
    let limited = h
        .get(
            &format!("/api/v1/customers/{id}/detail?history_limit=1"),
            &staff,
        )
        .await;
    assert_eq!(
        limited.data()["serviceHistory"].as_array().unwrap().len(),
        1
    );
    h.get(
        &format!("/api/v1/customers/{id}/detail?history_limit=0"),
        &staff,
    )
    .await
    .expect_error(422, "VALIDATION_ERROR");
    let audits_after = h.audit_count(&id, Some("customer.detail.read")).await;
    assert_eq!(
        audits_after,
        audits_before + 2,
        "every detail read is audited"
    );
}

pub async fn anonymize_customer(h: &Harness) {
    let (id, c) = new_customer(h, json!({"email": "gone@example.com", "address": "서울시 강남구 테헤란로 1", "health_goals": "비밀"})).await;
    let staff = h.token("staff").await;
    h.post(
        &format!("/api/v1/customers/{id}/sessions"),
        &staff,
        json!({"payment_method": "card", "service_type": "brain", "session_notes": "개인적인 메모"}),
    )
    .await
    .expect(201);
    h.post(
        &format!("/api/v1/customers/{id}/interactions"),
        &staff,
        json!({"interaction_type": "call", "notes": "통화 내용"}),
    )
    .await
    .expect(201);
    let admin = h.token("admin").await;
    let r = h
        .delete(
            &format!("/api/v1/customers/{id}?data_retention_policy=anonymize"),
            &admin,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        r.headers.get("x-data-retention").map(String::as_str),
        Some("anonymized")
    );
    assert_eq!(
        r.headers
            .get("x-related-records-updated")
            .map(String::as_str),
        Some("2")
    );
    let got = h
        .get(&format!("/api/v1/customers/{id}/detail"), &admin)
        .await;
    got.expect(200);
    let d = got.data();
    assert!(d["customer"]["name"]
        .as_str()
        .unwrap()
        .starts_with("익명고객-"));
    assert_ne!(d["customer"]["name"], c["name"]);
    for f in [
        "phone",
        "email",
        "address",
        "health_goals",
        "birth_year",
        "emergency_contact",
    ] {
        assert_eq!(d["customer"][f], Value::Null, "{f} removed");
    }
    assert_eq!(
        d["customer"]["total_visits"], 1,
        "visits stay for statistics"
    );
    assert_eq!(d["customer"]["total_revenue"], 60_000);
    assert_eq!(d["serviceHistory"][0]["session_notes"], Value::Null);
    let interactions = h
        .get(&format!("/api/v1/customers/{id}/interactions"), &admin)
        .await;
    assert_eq!(interactions.data()["interactions"][0]["notes"], Value::Null);
    assert_eq!(
        h.count("customers", "name = $1", c["name"].as_str().unwrap())
            .await,
        0
    );
}

pub async fn delete_customer(h: &Harness) {
    let (id, c) = new_customer(h, json!({})).await;
    let staff = h.token("staff").await;
    h.post(
        &format!("/api/v1/customers/{id}/sessions"),
        &staff,
        json!({"payment_method": "card", "service_type": "pulse"}),
    )
    .await
    .expect(201);
    let admin = h.token("admin").await;
    let r = h
        .delete(
            &format!("/api/v1/customers/{id}?data_retention_policy=delete"),
            &admin,
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        r.headers.get("x-data-retention").map(String::as_str),
        Some("deleted")
    );
    assert_eq!(
        r.headers
            .get("x-related-records-updated")
            .map(String::as_str),
        Some("1")
    );
    h.get(&format!("/api/v1/customers/{id}"), &admin)
        .await
        .expect_error(404, "CUSTOMER_NOT_FOUND");
    assert_eq!(sessions_of(h, &id).await, 0);
    assert_eq!(
        h.count("customers", "name = $1", c["name"].as_str().unwrap())
            .await,
        0,
        "no personal data left in the tombstone"
    );
    let logged = h.logged_changes(&id).await;
    let tombstone = logged.last().expect("the deletion is logged");
    assert!(
        tombstone["deleted_at"].is_string(),
        "the deletion will sync: {tombstone}"
    );
    for op in &logged {
        assert_ne!(op["name"], c["name"], "no copy keeps the name: {op}");
    }
    h.delete(
        &format!("/api/v1/customers/{id}?data_retention_policy=delete"),
        &admin,
    )
    .await
    .expect_error(404, "CUSTOMER_NOT_FOUND");
}

pub async fn delete_needs_admin_and_a_valid_policy(h: &Harness) {
    let (id, _) = new_customer(h, json!({})).await;
    for role in ["staff", "doctor", "manager"] {
        let t = h.token(role).await;
        h.delete(
            &format!("/api/v1/customers/{id}?data_retention_policy=delete"),
            &t,
        )
        .await
        .expect_error(403, "FORBIDDEN_ROLE");
    }
    let admin = h.token("admin").await;
    let r = h
        .delete(
            &format!("/api/v1/customers/{id}?data_retention_policy=shred"),
            &admin,
        )
        .await;
    r.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(r.field(), "data_retention_policy");
    h.get(&format!("/api/v1/customers/{id}"), &admin)
        .await
        .expect(200);
}

pub async fn interactions(h: &Harness) {
    let (id, _) = new_customer(h, json!({})).await;
    let staff = h.token("staff").await;
    let path = format!("/api/v1/customers/{id}/interactions");
    let r = h
        .post(
            &path,
            &staff,
            json!({"interaction_type": "consultation", "duration_minutes": 30, "notes": "패키지 상담", "outcome": "구매 검토",
                   "follow_up": {"required": true, "date": (chrono::Utc::now() + Duration::days(3)).to_rfc3339(), "type": "call", "notes": "결정 여부 확인"}}),
        )
        .await;
    r.expect(201);
    assert_eq!(r.data()["customer_id"], json!(id));
    assert!(r.data()["interaction_id"].is_string());
    h.post(
        &path,
        &staff,
        json!({"interaction_type": "call", "duration_minutes": 10, "date": days_ago(5)}),
    )
    .await
    .expect(201);
    let list = h.get(&path, &staff).await;
    list.expect(200);
    let d = list.data();
    assert_eq!(d["interactions"].as_array().unwrap().len(), 2);
    assert_eq!(d["interactions"][0]["type"], "consultation");
    assert_eq!(d["interactions"][0]["follow_up"]["type"], "call");
    assert_eq!(d["interactions"][0]["staff_name"], "테스트 staff");
    let s = &d["interaction_summary"];
    assert_eq!(s["total_interactions"], 2);
    assert_eq!(s["average_duration"], 20);
    assert_eq!(s["by_type"]["call"], 1);
    assert_eq!(s["open_follow_ups"], 1);
    let limited = h.get(&format!("{path}?limit=1"), &staff).await;
    assert_eq!(limited.data()["interactions"].as_array().unwrap().len(), 1);
    assert_eq!(
        limited.data()["interaction_summary"]["total_interactions"],
        2
    );
    for (body, field) in [
        (json!({"interaction_type": "telepathy"}), "interaction_type"),
        (
            json!({"interaction_type": "call", "follow_up": {"required": true}}),
            "follow_up.date",
        ),
        (
            json!({"interaction_type": "call", "duration_minutes": -3}),
            "duration_minutes",
        ),
    ] {
        let r = h.post(&path, &staff, body).await;
        r.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(r.field(), field);
    }
    assert_eq!(h.count("interactions", "customer_id = $1", &id).await, 2);
    let listed = h.get(&format!("/api/v1/customers/{id}"), &staff).await;
    listed.expect(200);
    let roll_up = h
        .get(
            &format!(
                "/api/v1/customers?search={}",
                urlencode(listed.data()["name"].as_str().unwrap())
            ),
            &staff,
        )
        .await;
    assert_eq!(roll_up.data()["customers"][0]["interaction_count"], 2);
    assert!(roll_up.data()["customers"][0]["last_interaction"].is_string());
}

pub async fn services_catalogue(h: &Harness) {
    let r = h.get("/api/v1/services", &h.token("staff").await).await;
    r.expect(200);
    let services = r.data()["services"].as_array().unwrap();
    let types: Vec<&str> = services
        .iter()
        .map(|s| s["service_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["brain", "pulse", "lymph", "red", "ai_bike"]);
    assert_eq!(services[0]["name"], "브레인 피드백");
    assert!(services
        .iter()
        .all(|s| s["duration_minutes"].as_i64().unwrap() > 0 && s["price"].as_i64().unwrap() > 0));
}

pub async fn package_templates(h: &Harness) {
    let manager = h.token("manager").await;
    let name = unique_name("웰니스 플러스 ");
    let r = h
        .post("/api/v1/packages", &manager, json!({"name": name, "price": 1_680_000, "validity_days": 120, "sessions": {"brain": 15, "pulse": 12, "ai_bike": 8}}))
        .await;
    r.expect(201);
    assert_eq!(r.data()["total_sessions"], 35);
    assert_eq!(
        r.data()["sessions"],
        json!({"brain": 15, "pulse": 12, "ai_bike": 8})
    );
    let list = h.get("/api/v1/packages", &h.token("staff").await).await;
    assert!(list.data()["packages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == json!(name)));
    h.post(
        "/api/v1/packages",
        &h.token("staff").await,
        json!({"name": "x", "price": 1, "validity_days": 1, "sessions": {"brain": 1}}),
    )
    .await
    .expect_error(403, "FORBIDDEN_ROLE");
    for (body, field) in [
        (
            json!({"name": "x", "price": -1, "validity_days": 1, "sessions": {"brain": 1}}),
            "price",
        ),
        (
            json!({"name": "x", "price": 1, "validity_days": 1, "sessions": {"sauna": 1}}),
            "sessions.sauna",
        ),
        (
            json!({"name": "x", "price": 1, "validity_days": 1, "sessions": {}}),
            "sessions",
        ),
    ] {
        let r = h.post("/api/v1/packages", &manager, body).await;
        r.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(r.field(), field);
    }
}

pub async fn purchase_package(h: &Harness) {
    let (id, _) = new_customer(h, json!({})).await;
    let pkg = new_template(h, json!({"brain": 4, "red": 6}), 30).await;
    let p = purchase(h, &id, &pkg, None).await;
    assert_eq!(p["purchase_date"], today().to_string());
    assert_eq!(p["expiry_date"], (today() + Duration::days(30)).to_string());
    assert_eq!(p["total_sessions"], 10);
    assert_eq!(p["remaining_sessions"], 10);
    assert_eq!(p["price_paid"], 1_000_000);
    assert_eq!(p["package_status"], "active");
    let staff = h.token("staff").await;
    let list = h
        .get(&format!("/api/v1/customers/{id}/packages"), &staff)
        .await;
    assert_eq!(list.data()["packages"].as_array().unwrap().len(), 1);
    let expired = h
        .get(
            &format!("/api/v1/customers/{id}/packages?status=expired"),
            &staff,
        )
        .await;
    assert!(expired.data()["packages"].as_array().unwrap().is_empty());
    h.get(
        &format!("/api/v1/customers/{id}/packages?status=frozen"),
        &staff,
    )
    .await
    .expect_error(422, "VALIDATION_ERROR");
    let missing = clinicdesk_domain::ids::new_id();
    let path = format!("/api/v1/customers/{id}/packages");
    h.post(
        &path,
        &staff,
        json!({"package_id": missing, "payment_method": "card"}),
    )
    .await
    .expect_error(404, "PACKAGE_NOT_FOUND");
    let r = h
        .post(
            &path,
            &staff,
            json!({"package_id": pkg, "payment_method": "card", "purchase_date": (today() + Duration::days(1)).to_string()}),
        )
        .await;
    r.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(r.field(), "purchase_date");
    let r = h
        .post(
            &path,
            &staff,
            json!({"package_id": pkg, "payment_method": "card", "price_paid": -100}),
        )
        .await;
    assert_eq!(r.field(), "price_paid");
    assert_eq!(
        h.count("package_purchases", "customer_id = $1", &id).await,
        1
    );
    let detail = h.get(&format!("/api/v1/customers/{id}"), &staff).await;
    assert_eq!(detail.data()["total_revenue"], 1_000_000);
}

pub async fn record_visit(h: &Harness) {
    let (id, _) = new_customer(h, json!({})).await;
    let pkg = new_template(h, json!({"brain": 2, "lymph": 3}), 60).await;
    let p = purchase(h, &id, &pkg, Some(days_ago(5))).await;
    let pid = p["package_usage_id"].as_str().unwrap();
    let staff = h.token("staff").await;
    let r = h
        .post(
            &format!("/api/v1/customers/{id}/sessions"),
            &staff,
            json!({"service_type": "lymph", "package_usage_id": pid, "satisfaction_rating": 5, "session_notes": "림프 순환 개선"}),
        )
        .await;
    r.expect(201);
    let s = r.data();
    assert_eq!(s["service_type"], "lymph");
    assert_eq!(s["service_name"], "림프 순환");
    assert_eq!(s["duration_minutes"], 45);
    assert_eq!(s["service_date"], today().to_string());
    assert_eq!(s["package_usage_id"], json!(pid));
    assert_eq!(s["amount"], 0);
    assert_eq!(s["cancelled"], false);
    assert_eq!(s["staff_name"], "테스트 staff");
    let pkgs = h
        .get(&format!("/api/v1/customers/{id}/packages"), &staff)
        .await;
    let u = &pkgs.data()["packages"][0];
    assert_eq!(u["used_sessions"], 1);
    assert_eq!(u["remaining_sessions"], 4);
    assert_eq!(
        u["service_breakdown"]["lymph"],
        json!({"total": 3, "used": 1, "remaining": 2})
    );
    let paid = h
        .post(
            &format!("/api/v1/customers/{id}/sessions"),
            &staff,
            json!({"payment_method": "card", "service_type": "red", "duration_minutes": 20}),
        )
        .await;
    paid.expect(201);
    assert_eq!(paid.data()["amount"], 40_000);
    assert_eq!(paid.data()["package_usage_id"], Value::Null);
    let c = h.get(&format!("/api/v1/customers/{id}"), &staff).await;
    assert_eq!(c.data()["total_visits"], 2);
    assert_eq!(c.data()["last_visit_date"], today().to_string());
    assert_eq!(c.data()["total_revenue"], 1_040_000);
}

pub async fn visit_rule_violations(h: &Harness) {
    let (id, _) = new_customer(h, json!({})).await;
    let (other, _) = new_customer(h, json!({})).await;
    let one_brain = new_template(h, json!({"brain": 1}), 30).await;
    let p = purchase(h, &id, &one_brain, Some(days_ago(3))).await;
    let pid = p["package_usage_id"].as_str().unwrap().to_string();
    let old = purchase(h, &id, &one_brain, Some(days_ago(40))).await;
    let old_pid = old["package_usage_id"].as_str().unwrap().to_string();
    let staff = h.token("staff").await;
    let path = format!("/api/v1/customers/{id}/sessions");

    let r = h
        .post(
            &path,
            &staff,
            json!({"service_type": "pulse", "package_usage_id": pid}),
        )
        .await;
    r.expect_error(422, "SERVICE_NOT_IN_PACKAGE");
    assert_eq!(
        r.body["error"]["details"]["covered_services"],
        json!(["brain"])
    );
    h.post(
        &path,
        &staff,
        json!({"service_type": "brain", "package_usage_id": old_pid}),
    )
    .await
    .expect_error(409, "PACKAGE_EXPIRED");
    h.post(
        &path,
        &staff,
        json!({"service_type": "brain", "package_usage_id": pid, "service_date": days_ago(4)}),
    )
    .await
    .expect_error(409, "PACKAGE_EXPIRED");
    h.post(
        &format!("/api/v1/customers/{other}/sessions"),
        &staff,
        json!({"service_type": "brain", "package_usage_id": pid}),
    )
    .await
    .expect_error(404, "PACKAGE_NOT_FOUND");
    h.post(
        &path,
        &staff,
        json!({"service_type": "brain", "package_usage_id": "bogus"}),
    )
    .await
    .expect_error(404, "PACKAGE_NOT_FOUND");
    for (body, field) in [
        (
            json!({"payment_method": "card", "service_type": "sauna"}),
            "service_type",
        ),
        (
            json!({"payment_method": "card", "service_type": "brain", "satisfaction_rating": 9}),
            "satisfaction_rating",
        ),
        (
            json!({"payment_method": "card", "service_type": "brain", "service_date": (today() + Duration::days(1)).to_string()}),
            "service_date",
        ),
        (
            json!({"payment_method": "card", "service_type": "brain", "duration_minutes": 0}),
            "duration_minutes",
        ),
        (
            json!({"payment_method": "card", "service_type": "brain", "session_notes": "가".repeat(1001)}),
            "session_notes",
        ),
    ] {
        let r = h.post(&path, &staff, body).await;
        r.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(r.field(), field);
    }
    assert_eq!(sessions_of(h, &id).await, 0, "no refused visit was written");
    h.post(
        &path,
        &staff,
        json!({"service_type": "brain", "package_usage_id": pid}),
    )
    .await
    .expect(201);
    let r = h
        .post(
            &path,
            &staff,
            json!({"service_type": "brain", "package_usage_id": pid}),
        )
        .await;
    r.expect_error(409, "PACKAGE_EXHAUSTED");
    assert_eq!(r.body["error"]["details"]["used"], 1);
    assert_eq!(sessions_of(h, &id).await, 1);
    let pkgs = h
        .get(
            &format!("/api/v1/customers/{id}/packages?status=expired"),
            &staff,
        )
        .await;
    assert_eq!(
        pkgs.data()["packages"].as_array().unwrap().len(),
        2,
        "used up and past expiry both count as expired"
    );
}

pub async fn cancel_visit(h: &Harness) {
    let (id, _) = new_customer(h, json!({})).await;
    let pkg = new_template(h, json!({"pulse": 1}), 30).await;
    let p = purchase(h, &id, &pkg, None).await;
    let staff = h.token("staff").await;
    let visit = h
        .post(
            &format!("/api/v1/customers/{id}/sessions"),
            &staff,
            json!({"service_type": "pulse", "package_usage_id": p["package_usage_id"]}),
        )
        .await;
    let sid = visit.data()["session_id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/sessions/{sid}/cancel");
    // Someone who did not record it cannot void it; staff's own void is tested in money.rs.
    h.post(&path, &h.token("doctor").await, json!({"reason": "x"}))
        .await
        .expect_error(403, "VISIT_VOID_NOT_OWN");
    let manager = h.token("manager").await;
    h.post(&path, &manager, json!({}))
        .await
        .expect_error(422, "VALIDATION_ERROR");
    let r = h
        .post(&path, &manager, json!({"reason": "잘못 입력"}))
        .await;
    r.expect(200);
    assert_eq!(r.data()["session_id"], json!(sid));
    assert_eq!(r.data()["reason"], "잘못 입력");
    h.post(&path, &manager, json!({"reason": "again"}))
        .await
        .expect_error(409, "SESSION_ALREADY_CANCELLED");
    let detail = h
        .get(&format!("/api/v1/customers/{id}/detail"), &staff)
        .await;
    let d = detail.data();
    assert_eq!(
        d["serviceHistory"][0]["cancelled"], true,
        "the visit stays in history, marked"
    );
    assert_eq!(d["serviceHistory"][0]["cancel_reason"], "잘못 입력");
    assert_eq!(d["customer"]["total_visits"], 0);
    assert_eq!(
        d["activePackages"][0]["remaining_sessions"], 1,
        "the package session is freed"
    );
    assert_eq!(
        sessions_of(h, &id).await,
        1,
        "append-only: the visit row is still there"
    );
    h.post(
        &format!("/api/v1/customers/{id}/sessions"),
        &staff,
        json!({"service_type": "pulse", "package_usage_id": p["package_usage_id"]}),
    )
    .await
    .expect(201);
    let missing = clinicdesk_domain::ids::new_id();
    h.post(
        &format!("/api/v1/sessions/{missing}/cancel"),
        &manager,
        json!({"reason": "x"}),
    )
    .await
    .expect_error(404, "SESSION_NOT_FOUND");
    h.post(
        "/api/v1/sessions/xyz/cancel",
        &manager,
        json!({"reason": "x"}),
    )
    .await
    .expect_error(404, "SESSION_NOT_FOUND");
}

pub async fn last_session_used_once_under_concurrency(h: &Harness) {
    let (id, _) = new_customer(h, json!({})).await;
    let pkg = new_template(h, json!({"red": 1}), 30).await;
    let p = purchase(h, &id, &pkg, None).await;
    let staff = h.token("staff").await;
    let path = format!("/api/v1/customers/{id}/sessions");
    let body = json!({"service_type": "red", "package_usage_id": p["package_usage_id"]});
    let attempts = (0..4).map(|_| h.post(&path, &staff, body.clone()));
    let results = futures_join_all(attempts).await;
    let created = results.iter().filter(|r| r.status == 201).count();
    let refused = results
        .iter()
        .filter(|r| r.status == 409 && r.code() == "PACKAGE_EXHAUSTED")
        .count();
    assert_eq!(
        (created, refused),
        (1, 3),
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(sessions_of(h, &id).await, 1);
}

pub async fn futures_join_all<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut out = Vec::with_capacity(set.len());
    // Poll all at once so the requests really overlap.
    let mut pending: Vec<_> = set.into_iter().map(Some).collect();
    let mut results: Vec<Option<F::Output>> = (0..pending.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (i, slot) in pending.iter_mut().enumerate() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        results[i] = Some(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    for r in results {
        out.push(r.unwrap());
    }
    out
}

/// Every endpoint called as every role: allowed roles get past authorisation, the others get
/// 403 FORBIDDEN_ROLE, nobody gets in without a token.
pub async fn role_matrix(h: &Harness) {
    let (id, _) = new_customer(h, json!({})).await;
    let pkg = new_template(h, json!({"brain": 50}), 365).await;
    let p = purchase(h, &id, &pkg, None).await;
    let pid = p["package_usage_id"].as_str().unwrap().to_string();
    let all = ["admin", "manager", "doctor", "staff"];
    let customer = format!("/api/v1/customers/{id}");
    let someone = h
        .post(
            "/api/v1/users",
            &h.token("admin").await,
            json!({"username": unique_name("matrix-").to_lowercase(), "display_name": "권한", "role": "staff", "password": "Blue-Harbor-Lamp-42"}),
        )
        .await;
    someone.expect(201);
    let account = format!("/api/v1/users/{}", someone.data()["id"].as_str().unwrap());
    let endpoints: Vec<(&str, String, Value, Vec<&str>)> = vec![
        ("GET", "/api/v1/customers".into(), Value::Null, all.to_vec()),
        (
            "GET",
            "/api/v1/customers/search".into(),
            Value::Null,
            all.to_vec(),
        ),
        (
            "POST",
            "/api/v1/customers".into(),
            json!({"consent": {"privacy": true}, "name": "권한", "phone": "010-1111-2222"}),
            all.to_vec(),
        ),
        ("GET", customer.clone(), Value::Null, all.to_vec()),
        (
            "GET",
            format!("{customer}/detail"),
            Value::Null,
            all.to_vec(),
        ),
        (
            "PUT",
            customer.clone(),
            json!({"occupation": "교사"}),
            all.to_vec(),
        ),
        (
            "PUT",
            format!("{customer}/detail"),
            json!({"occupation": "교사"}),
            all.to_vec(),
        ),
        (
            "GET",
            format!("{customer}/interactions"),
            Value::Null,
            all.to_vec(),
        ),
        (
            "POST",
            format!("{customer}/interactions"),
            json!({"interaction_type": "call"}),
            all.to_vec(),
        ),
        (
            "GET",
            format!("{customer}/packages"),
            Value::Null,
            all.to_vec(),
        ),
        (
            "POST",
            format!("{customer}/packages"),
            json!({"package_id": pkg, "payment_method": "card"}),
            all.to_vec(),
        ),
        (
            "POST",
            // Each role records one: the same service on one day, confirmed.
            format!("{customer}/sessions?confirm_duplicate=true"),
            json!({"service_type": "brain", "package_usage_id": pid}),
            all.to_vec(),
        ),
        ("GET", "/api/v1/services".into(), Value::Null, all.to_vec()),
        ("GET", "/api/v1/packages".into(), Value::Null, all.to_vec()),
        (
            "POST",
            "/api/v1/packages".into(),
            json!({"name": "권한 패키지", "price": 1, "validity_days": 1, "sessions": {"red": 1}}),
            vec!["admin", "manager"],
        ),
        ("GET", "/api/v1/auth/me".into(), Value::Null, all.to_vec()),
        ("GET", "/api/v1/users".into(), Value::Null, vec!["admin"]),
        (
            "POST",
            "/api/v1/users".into(),
            json!({"username": unique_name("matrix-new-").to_lowercase(), "display_name": "권한", "role": "doctor", "password": "Blue-Harbor-Lamp-42"}),
            vec!["admin"],
        ),
        (
            "PUT",
            account.clone(),
            json!({"display_name": "권한 변경"}),
            vec!["admin"],
        ),
        (
            "POST",
            format!("{account}/password"),
            json!({"new_password": "Quiet river 7 stones"}),
            vec!["admin"],
        ),
    ];
    for (method, path, body, allowed) in &endpoints {
        let anonymous = h.send(method, path, None, payload(body), &[]).await;
        anonymous.expect_error(401, "AUTH_INVALID_TOKEN");
        for role in ROLES {
            let t = h.token(role).await;
            let r = h.send(method, path, Some(&t), payload(body), &[]).await;
            if allowed.contains(&role) {
                assert!(
                    r.status < 400 || r.code() == "DUPLICATE_CUSTOMER",
                    "{role} {method} {path}: {}",
                    r.body
                );
            } else {
                r.expect_error(403, "FORBIDDEN_ROLE");
            }
        }
    }
    // Cancelling someone else's visit needs manager/admin (staff void their own: money.rs);
    // deleting needs admin (its own cases check the rest).
    for role in ROLES {
        let visit = h
            .post(
                &format!("{customer}/sessions?confirm_duplicate=true"),
                &h.token("admin").await,
                json!({"service_type": "brain", "package_usage_id": pid}),
            )
            .await;
        let sid = visit.data()["session_id"].as_str().unwrap().to_string();
        let r = h
            .post(
                &format!("/api/v1/sessions/{sid}/cancel"),
                &h.token(role).await,
                json!({"reason": "역할 확인"}),
            )
            .await;
        if ["admin", "manager"].contains(&role) {
            r.expect(200);
        } else if role == "patient" {
            r.expect_error(403, "FORBIDDEN_ROLE");
        } else {
            r.expect_error(403, "VISIT_VOID_NOT_OWN");
        }
    }
}

fn payload(body: &Value) -> Payload {
    if body.is_null() {
        Payload::None
    } else {
        Payload::Json(body.clone())
    }
}

pub async fn audit_trail(h: &Harness) {
    let (id, _) = new_customer(h, json!({})).await;
    // The device is the one the login named; a header on a later request changes nothing.
    let login = h
        .send(
            "POST",
            "/api/v1/auth/login",
            None,
            Payload::Json(json!({"username": user_name("staff"), "password": PASSWORD})),
            &[("x-device-id", "front-desk-1")],
        )
        .await;
    login.expect(200);
    let staff = login.data()["access_token"].as_str().unwrap().to_string();
    h.send(
        "GET",
        &format!("/api/v1/customers/{id}/detail"),
        Some(&staff),
        Payload::None,
        &[
            ("x-device-id", "spoofed-device"),
            ("x-request-id", "front-desk-req-7"),
        ],
    )
    .await
    .expect(200);
    h.put(
        &format!("/api/v1/customers/{id}"),
        &staff,
        json!({"occupation": "교사"}),
    )
    .await
    .expect(200);
    let mine = clinicdesk_store::audit::of_entity(&h.db, &id)
        .await
        .unwrap();
    let actions: Vec<&str> = mine.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["customer.create", "customer.detail.read", "customer.update"]
    );
    // Over HTTP a device id is the client's claim and recorded as one.
    let device = if h.kind == "sqlite-inprocess" {
        "front-desk-1"
    } else {
        "client:front-desk-1"
    };
    for e in mine.iter().skip(1) {
        assert_eq!(e.username.as_deref(), Some(user_name("staff").as_str()));
        assert_eq!(e.role.as_deref(), Some("staff"));
        assert_eq!(e.device_id.as_deref(), Some(device), "{}", e.action);
        assert!(e.request_id.as_deref().is_some_and(|r| !r.is_empty()));
    }
    // A client's request id is kept as the client's, never as the server's.
    let read = mine
        .iter()
        .find(|e| e.action == "customer.detail.read")
        .unwrap();
    assert_eq!(read.client_request_id.as_deref(), Some("front-desk-req-7"));
    assert_ne!(read.request_id.as_deref(), Some("front-desk-req-7"));
    let chains = clinicdesk_store::audit::verify_all(&h.db).await.unwrap();
    assert!(!chains.is_empty());
    assert!(
        chains.iter().all(|c| c.intact()),
        "audit chain broken: {chains:?} on {}",
        h.kind
    );
}
