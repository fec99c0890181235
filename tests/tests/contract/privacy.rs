//! What a role may not see, no answer may carry and no query may match on: the masking view
//! proven at every exit, not only on the detail screen.

use super::harness::{unique_phone, Harness, Payload};
use serde_json::{json, Value};

fn unique(prefix: &str) -> String {
    let id = uuid::Uuid::now_v7().simple().to_string();
    format!("{prefix}{}", &id[id.len() - 8..])
}

/// A customer with distinctive contact data, created by an admin, and the strings that must
/// never reach a masked role: the whole numbers (with and without dashes), their hidden
/// middle digits, the whole e-mail address and its hidden part, the hidden end of the address.
struct Secret {
    id: String,
    name: String,
    phone: String,
    forbidden: Vec<String>,
}

async fn secret_customer(h: &Harness) -> Secret {
    let admin = h.token("admin").await;
    let phone = unique_phone();
    let emergency = unique_phone();
    let local = unique("hidden.mail.");
    let name = unique("비밀고객");
    let street = unique("숨김로");
    let r = h
        .post(
            "/api/v1/customers",
            &admin,
            json!({"consent": {"privacy": true, "health_data": true}, "name": name, "phone": phone, "email": format!("{local}@example.com"),
                   "address": format!("서울시 강남구 {street} 77"), "emergency_contact": emergency,
                   "health_goals": "숨겨진 건강 목표"}),
        )
        .await;
    r.expect(201);
    let middle = |p: &str| p.split('-').nth(1).unwrap_or_default().to_string();
    let forbidden = vec![
        phone.clone(),
        phone.replace('-', ""),
        format!("-{}-", middle(&phone)),
        emergency.clone(),
        emergency.replace('-', ""),
        format!("-{}-", middle(&emergency)),
        format!("{local}@example.com"),
        local[1..].to_string(),
        street,
        "숨겨진 건강 목표".to_string(),
    ];
    Secret {
        id: r.data()["id"].as_str().unwrap().to_string(),
        name,
        phone,
        forbidden,
    }
}

#[track_caller]
fn assert_clean(
    what: &str,
    body: &Value,
    headers: &std::collections::HashMap<String, String>,
    s: &Secret,
) {
    let text = without_uuids(&format!("{body} {headers:?}"));
    for f in &s.forbidden {
        assert!(
            !text.contains(f.as_str()),
            "{what}: `{f}` visible to staff in {text}"
        );
    }
}

/// `text` with every UUID (record and request ids) blanked: a phone's middle digits `-7730-`
/// can be a group of an id too, and an id is no contact data.
fn without_uuids(text: &str) -> String {
    const SHAPE: [usize; 5] = [8, 4, 4, 4, 12];
    let b = text.as_bytes();
    let uuid_at = |i: usize| -> bool {
        let mut at = i;
        for (n, len) in SHAPE.iter().enumerate() {
            if n > 0 {
                if b.get(at) != Some(&b'-') {
                    return false;
                }
                at += 1;
            }
            if at + len > b.len() || !b[at..at + len].iter().all(u8::is_ascii_hexdigit) {
                return false;
            }
            at += len;
        }
        true
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if uuid_at(i) {
            out.push_str("<uuid>");
            i += 36;
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8().max(1);
        }
    }
    out
}

/// One request of the sweep below.
struct Call {
    method: String,
    path: String,
    body: Option<Value>,
}

/// The requests of one documented operation in the sweep: its path with the fixture's ids,
/// and — where the operation needs more than an id to reach the customer's data — plausible
/// queries and bodies (writes of the contact fields themselves, refusals, validation errors).
/// Any other operation is called as it is, with `{}` when it reads a body: a new endpoint is
/// swept without anyone adding it here.
fn calls_of(method: &str, template: &str, op: &Value, s: &Secret, f: &Fixture) -> Vec<Call> {
    let path = if template.starts_with("/api/v1/sessions/") {
        template.replace("{id}", &f.session_id)
    } else if template.starts_with("/api/v1/purchases/") {
        template.replace("{id}", &f.purchase_id)
    } else {
        template.replace("{id}", &s.id)
    };
    let tail = &s.phone[s.phone.len() - 4..];
    let with = |query: &str, body: Option<Value>| Call {
        method: method.to_string(),
        path: if query.is_empty() {
            path.clone()
        } else {
            format!("{path}?{query}")
        },
        body,
    };
    let key = format!("{method} {template}");
    let plausible: Vec<Call> = match key.as_str() {
        "GET /api/v1/customers" => vec![
            with(&format!("search={tail}"), None),
            with("limit=100", None),
        ],
        "GET /api/v1/customers/search" => vec![
            with(&format!("q={tail}"), None),
            with(&format!("q={}", urlencode(&s.name)), None),
        ],
        "GET /api/v1/customers/{id}/detail" => {
            vec![with("", None), with("history_limit=500", None)]
        }
        "POST /api/v1/customers" => vec![with(
            "",
            Some(json!({"name": s.name, "phone": s.phone, "consent": {"privacy": true}})),
        )],
        "PUT /api/v1/customers/{id}" => vec![
            with("", Some(json!({"occupation": "교사"}))),
            // A write of the contact fields themselves: the summary must not show the old values.
            with(
                "",
                Some(
                    json!({"phone": unique_phone(), "email": "new.one@example.org",
                            "address": "부산시 해운대구 새주소 1", "emergency_contact": unique_phone()}),
                ),
            ),
            // Refusals and validation errors about this customer.
            with("", Some(json!({"health_goals": "x"}))),
            with("", Some(json!({"gender": "robot"}))),
            with("", Some(json!({"email": "x***@example.com"}))),
        ],
        "PUT /api/v1/customers/{id}/detail" => vec![
            with("", Some(json!({"occupation": "간호사"}))),
            with("", Some(json!({"phone": unique_phone()}))),
        ],
        "DELETE /api/v1/customers/{id}" => {
            vec![with("", None), with("data_retention_policy=delete", None)]
        }
        "POST /api/v1/customers/{id}/interactions" => vec![with(
            "",
            Some(json!({"interaction_type": "call", "notes": "마스킹 확인"})),
        )],
        "POST /api/v1/customers/{id}/packages" => vec![with(
            "",
            Some(json!({"package_id": f.package_id, "payment_method": "card"})),
        )],
        "POST /api/v1/customers/{id}/sessions" => vec![
            with(
                "",
                Some(json!({"payment_method": "card", "service_type": "brain"})),
            ),
            with(
                "",
                Some(json!({"payment_method": "card", "service_type": "sauna"})),
            ),
        ],
        "GET /api/v1/audit/events" => vec![with(&format!("customer_id={}", s.id), None)],
        _ => vec![],
    };
    if !plausible.is_empty() {
        return plausible;
    }
    let body = op.get("requestBody").map(|_| json!({}));
    vec![with("", body)]
}

/// Operations whose purpose is to show staff a contact field whole, each audited: the sweep
/// calls them apart and checks that they answer that one field, for that one customer, and
/// leave an audit event naming who, whom and why.
const REVEALS_ON_PURPOSE: [&str; 1] = ["POST /api/v1/customers/{id}/phone-reveal"];

/// What the sweep needs besides the customer: a package template and a visit of the customer.
struct Fixture {
    package_id: String,
    session_id: String,
    /// The customer's purchase (its receipt and cancellation are swept).
    purchase_id: String,
}

/// Every answer staff can get from every documented operation — reads, lists, searches,
/// writes and their summaries, refusals and validation errors — shows the customer's contact
/// data masked only. The operations come from the OpenAPI document, so an endpoint added later
/// is swept too.
pub async fn staff_sees_no_contact_data_anywhere(h: &Harness) {
    let s = secret_customer(h).await;
    let staff = h.token("staff").await;
    let manager = h.token("manager").await;
    let id = &s.id;
    let c = format!("/api/v1/customers/{id}");
    let fixture = {
        let r = h
            .post(
                "/api/v1/packages",
                &manager,
                json!({"name": unique("마스킹 패키지 "), "price": 100_000, "validity_days": 90,
                       "sessions": {"brain": 3}}),
            )
            .await;
        r.expect(201);
        let visit = h
            .post(
                &format!("{c}/sessions"),
                &manager,
                json!({"payment_method": "card", "service_type": "pulse"}),
            )
            .await;
        visit.expect(201);
        let bought = h
            .post(
                &format!("{c}/packages"),
                &manager,
                json!({"package_id": r.data()["package_id"], "payment_method": "cash"}),
            )
            .await;
        bought.expect(201);
        Fixture {
            package_id: r.data()["package_id"].as_str().unwrap().to_string(),
            session_id: visit.data()["session_id"].as_str().unwrap().to_string(),
            purchase_id: bought.data()["package_usage_id"]
                .as_str()
                .unwrap()
                .to_string(),
        }
    };

    // Every operation of the document, but the probes and the documentation itself (fixed
    // texts about the API, no record's data); logging out last, since it ends staff's login.
    let doc = clinicdesk_api::openapi_document();
    let mut calls: Vec<Call> = Vec::new();
    let mut last: Vec<Call> = Vec::new();
    let mut reveals: Vec<String> = Vec::new();
    for (template, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let tags = op["tags"].as_array().cloned().unwrap_or_default();
            if tags.iter().any(|t| t == "docs" || t == "health") {
                continue;
            }
            let method = method.to_uppercase();
            if REVEALS_ON_PURPOSE.contains(&format!("{method} {template}").as_str()) {
                reveals.push(template.replace("{id}", &s.id));
                continue;
            }
            let these = calls_of(&method, template, op, &s, &fixture);
            if template == "/api/v1/auth/logout" {
                last.extend(these);
            } else {
                calls.extend(these);
            }
        }
    }
    calls.extend(last);
    assert!(!calls.is_empty(), "the OpenAPI document has no operations");
    assert!(
        calls
            .iter()
            .any(|c| c.path.starts_with("/api/v1/customers")),
        "the sweep reaches the customer endpoints"
    );
    // The one exception, explicitly (before the sweep changes the phone and logs staff out):
    // a reveal answers the phone of this customer only, with
    // nothing else of theirs, and only with its audit event written.
    assert_eq!(
        reveals.len(),
        REVEALS_ON_PURPOSE.len(),
        "every reveal is in the document"
    );
    for path in &reveals {
        let before = h.audit_count(id, Some("customer.phone.reveal")).await;
        let r = h
            .send(
                "POST",
                path,
                Some(&staff),
                Payload::Json(json!({"reason": "booking"})),
                &[],
            )
            .await;
        r.expect(200);
        let mut shown = r.body.clone();
        let phone = shown["data"]["phone"].take();
        assert!(phone.is_string(), "{path}: {}", r.body);
        assert_eq!(phone, s.phone.as_str(), "{path}: the customer's own phone");
        assert_clean(path, &shown, &r.headers, &s);
        assert_eq!(
            h.audit_count(id, Some("customer.phone.reveal")).await,
            before + 1,
            "{path} is audited"
        );
    }
    // The PUTs above change the phone: the old one is still forbidden, and so is every new
    // one, which the later answers may not show either.
    let mut checked = 0;
    for Call { method, path, body } in &calls {
        let payload = match body {
            Some(b) => Payload::Json(b.clone()),
            None => Payload::None,
        };
        let r = h.send(method, path, Some(&staff), payload, &[]).await;
        assert!(r.status < 500, "{method} {path}: {}", r.body);
        assert_clean(
            &format!("{method} {path} → {}", r.status),
            &r.body,
            &r.headers,
            &s,
        );
        if let Some(Value::Object(sent)) = body {
            for f in ["phone", "emergency_contact"] {
                if let Some(Value::String(p)) = sent.get(f) {
                    let text = r.body.to_string();
                    assert!(
                        !text.contains(p.as_str()),
                        "{method} {path}: the new {f} shown whole: {text}"
                    );
                }
            }
        }
        checked += 1;
    }
    assert_eq!(checked, calls.len());
    // The same customer as a manager: whole, so the checks above were not vacuous.
    let m = h.get(&c, &manager).await;
    m.expect(200);
    assert!(m.data()["phone"].as_str().unwrap().len() >= 12);
    assert!(!m.data()["phone"].as_str().unwrap().contains('*'));
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn found(r: &super::harness::Resp, id: &str) -> bool {
    let list = r.data()["customers"].as_array().expect("a customer list");
    list.iter().any(|c| c["id"] == id)
}

/// Staff find customers by what they see — the name, the last four digits, the whole number
/// or address typed exactly — and never by the hidden digits or a fragment of the e-mail.
pub async fn search_matches_only_what_the_role_sees(h: &Harness) {
    let s = secret_customer(h).await;
    let staff = h.token("staff").await;
    let manager = h.token("manager").await;
    let middle = s.phone.split('-').nth(1).unwrap().to_string();
    let digits = s.phone.replace('-', "");
    let email = h
        .get(&format!("/api/v1/customers/{}", s.id), &manager)
        .await
        .data()["email"]
        .as_str()
        .unwrap()
        .to_string();
    let fragment = &email[2..10];
    for path in [
        "/api/v1/customers/search?size=100&q=",
        "/api/v1/customers?limit=100&search=",
    ] {
        let q = |text: &str| format!("{path}{}", urlencode(text));
        for (text, staff_finds) in [
            (s.name.as_str(), true),
            (&s.phone[s.phone.len() - 4..], true),
            (s.phone.as_str(), true),
            (digits.as_str(), true),
            (email.as_str(), true),
            (middle.as_str(), false),
            (&digits[..7], false),
            (&digits[3..10], false),
            (fragment, false),
            ("example.com", false),
        ] {
            let r = h.get(&q(text), &staff).await;
            r.expect(200);
            assert_eq!(
                found(&r, &s.id),
                staff_finds,
                "staff searching {text:?} via {path}"
            );
            if text != "example.com" {
                // (Every test customer's address ends so: too many for one page.)
                let r = h.get(&q(text), &manager).await;
                assert!(found(&r, &s.id), "a manager searching {text:?} via {path}");
            }
        }
    }
}

/// The duplicate check stays useful at the front desk without confirming a guessed number:
/// staff are told of a customer with the same name and the same visible last four digits,
/// whether or not the hidden digits match, and only as they may see that customer.
pub async fn duplicate_check_is_no_oracle(h: &Harness) {
    let s = secret_customer(h).await;
    let staff = h.token("staff").await;
    let admin = h.token("admin").await;
    let tail = &s.phone[s.phone.len() - 4..];
    let other_middle = if s.phone.contains("-0000-") {
        "1111"
    } else {
        "0000"
    };
    let guess = format!("010-{other_middle}-{tail}");
    let exact = h
        .post(
            "/api/v1/customers",
            &staff,
            json!({"consent": {"privacy": true}, "name": s.name, "phone": s.phone}),
        )
        .await;
    exact.expect_error(409, "DUPLICATE_CUSTOMER");
    let similar = h
        .post(
            "/api/v1/customers",
            &staff,
            json!({"consent": {"privacy": true}, "name": s.name, "phone": guess}),
        )
        .await;
    similar.expect_error(409, "DUPLICATE_CUSTOMER");
    assert_eq!(
        exact.body["error"], similar.body["error"],
        "a right and a wrong guess of the hidden digits answer alike"
    );
    let candidates = exact.body["error"]["details"]["candidates"]
        .as_array()
        .unwrap();
    assert_eq!(candidates.len(), 1);
    assert_eq!(candidates[0]["customer_id"], json!(s.id));
    assert!(candidates[0]["phone"].as_str().unwrap().contains("****"));
    assert!(exact.body["error"]["details"]
        .get("existing_customer_id")
        .is_none());
    assert_eq!(
        h.count("customers", "name = $1", &s.name).await,
        1,
        "nothing saved"
    );

    // Another last four: no warning. A confirmed different person: saved, and the audit
    // event names the customer it resembled.
    h.post(
        "/api/v1/customers",
        &staff,
        json!({"consent": {"privacy": true}, "name": s.name, "phone": unique_phone()}),
    )
    .await
    .expect(201);
    let r = h
        .send(
            "POST",
            "/api/v1/customers?confirm_distinct=true",
            Some(&staff),
            Payload::Json(json!({"consent": {"privacy": true}, "name": s.name, "phone": guess})),
            &[],
        )
        .await;
    r.expect(201);
    let new_id = r.data()["id"].as_str().unwrap().to_string();
    let created = h.audit_events(&new_id, Some("customer.create")).await;
    assert_eq!(created.len(), 1);
    assert_eq!(
        created[0].details["confirmed_distinct_from"][0],
        json!(s.id)
    );

    // Roles that see numbers whole keep the exact check, with the existing customer's id,
    // and a different number is no duplicate for them.
    let r = h
        .post(
            "/api/v1/customers",
            &admin,
            json!({"consent": {"privacy": true}, "name": s.name, "phone": s.phone}),
        )
        .await;
    r.expect_error(409, "DUPLICATE_CUSTOMER");
    assert_eq!(
        r.body["error"]["details"]["existing_customer_id"],
        json!(s.id)
    );
    h.post(
        "/api/v1/customers",
        &admin,
        json!({"consent": {"privacy": true}, "name": s.name, "phone": format!("010-{other_middle}-{}", &unique_phone()[9..])}),
    )
    .await
    .expect(201);

    // The same rule when an edit makes two customers alike.
    let (other, _) = {
        let r = h
            .post(
                "/api/v1/customers",
                &admin,
                json!({"consent": {"privacy": true}, "name": unique("다른고객"), "phone": guess}),
            )
            .await;
        r.expect(201);
        (r.data()["id"].as_str().unwrap().to_string(), ())
    };
    let r = h
        .put(
            &format!("/api/v1/customers/{other}"),
            &staff,
            json!({"name": s.name}),
        )
        .await;
    r.expect_error(409, "DUPLICATE_CUSTOMER");
    assert!(!r.body.to_string().contains(&s.phone));
}

/// A masked placeholder is never saved, by any role; an anonymised customer takes no writes
/// at all, so nobody can write identifying data back into it.
pub async fn masked_values_and_anonymised_customers_are_refused(h: &Harness) {
    let s = secret_customer(h).await;
    let admin = h.token("admin").await;
    let staff = h.token("staff").await;
    let c = format!("/api/v1/customers/{}", s.id);
    let shown = h.get(&c, &staff).await;
    for field in ["email", "address", "phone", "emergency_contact"] {
        let masked = shown.data()[field].clone();
        assert!(
            masked.as_str().unwrap().contains('*'),
            "{field} is masked for staff"
        );
        for t in [&staff, &admin] {
            let r = h.put(&c, t, json!({ field: masked })).await;
            r.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(r.field(), field);
        }
    }
    let whole = h.get(&c, &admin).await;
    assert!(
        !whole.data()["email"].as_str().unwrap().contains('*'),
        "the e-mail was kept"
    );

    h.delete(&format!("{c}?data_retention_policy=anonymize"), &admin)
        .await
        .expect(204);
    for (t, body) in [
        (&staff, json!({"name": s.name, "phone": s.phone})),
        (&admin, json!({"email": "back@example.com"})),
    ] {
        h.put(&c, t, body.clone())
            .await
            .expect_error(409, "CUSTOMER_ANONYMIZED");
        h.put(&format!("{c}/detail"), t, body)
            .await
            .expect_error(409, "CUSTOMER_ANONYMIZED");
    }
    h.post(
        &format!("{c}/interactions"),
        &staff,
        json!({"interaction_type": "call"}),
    )
    .await
    .expect_error(409, "CUSTOMER_ANONYMIZED");
    h.post(
        &format!("{c}/sessions"),
        &staff,
        json!({"payment_method": "card", "service_type": "brain"}),
    )
    .await
    .expect_error(409, "CUSTOMER_ANONYMIZED");
    h.delete(&format!("{c}?data_retention_policy=anonymize"), &admin)
        .await
        .expect_error(409, "CUSTOMER_ANONYMIZED");
    let after = h.get(&c, &admin).await;
    assert_eq!(after.data()["phone"], Value::Null, "still anonymous");
    // Erasure stays possible.
    h.delete(&format!("{c}?data_retention_policy=delete"), &admin)
        .await
        .expect(204);
}

/// Profile completeness is the same number for every role: it does not reveal whether the
/// health fields a role cannot read are filled.
pub async fn completeness_reveals_no_hidden_fields(h: &Harness) {
    let admin = h.token("admin").await;
    let base = json!({"name": unique("완성도"), "phone": unique_phone(), "occupation": "교사",
                      "consent": {"privacy": true}});
    let plain = h.post("/api/v1/customers", &admin, base.clone()).await;
    plain.expect(201);
    let mut with_health = base.clone();
    with_health["name"] = json!(unique("완성도"));
    with_health["phone"] = json!(unique_phone());
    with_health["health_goals"] = json!("수면");
    with_health["health_interests"] = json!(["sleep_quality"]);
    with_health["consent"] = json!({"privacy": true, "health_data": true});
    let health = h.post("/api/v1/customers", &admin, with_health).await;
    health.expect(201);
    for role in ["staff", "manager", "doctor", "admin"] {
        let t = h.token(role).await;
        let a = h
            .get(
                &format!("/api/v1/customers/{}", plain.data()["id"].as_str().unwrap()),
                &t,
            )
            .await;
        let b = h
            .get(
                &format!(
                    "/api/v1/customers/{}",
                    health.data()["id"].as_str().unwrap()
                ),
                &t,
            )
            .await;
        assert_eq!(
            a.data()["profile_completeness"],
            b.data()["profile_completeness"],
            "{role}"
        );
    }
}

#[test]
fn ids_are_blanked_before_the_check() {
    let text =
        r#"{"request_id":"req-01a24cbb-fc35-7730-8d3d-8dfdac49220e","phone":"010-****-5678"}"#;
    let clean = without_uuids(text);
    assert!(!clean.contains("-7730-"), "{clean}");
    assert!(
        clean.contains("req-<uuid>") && clean.contains("010-****-5678"),
        "{clean}"
    );
    assert_eq!(
        without_uuids("김민영 010-7730-1234"),
        "김민영 010-7730-1234"
    );
}
