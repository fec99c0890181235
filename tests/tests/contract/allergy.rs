//! Allergy care (issue 10, seed 001): patients under a patient number, diagnoses whose
//! prescription is made and kept with a knowledge version, knowledge versions published by an
//! admin, kits and the patient's own sign-up, login and guides — each patient seeing only
//! their own data — and the kit PIN's brute-force lock.

use super::cases::unique_name;
use super::harness::{dedicated_http, unique_phone, Harness, Resp};
use serde_json::{json, Value};

fn kst_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive()
}

/// Registers a new patient (a new customer) as a doctor; `(patient_id, number, name, phone)`.
pub(crate) async fn new_patient(h: &Harness) -> (String, String, String, String) {
    let name = unique_name("알레르기");
    let phone = unique_phone();
    let r = h
        .post(
            "/api/v1/pro/patients/new",
            &h.token("doctor").await,
            json!({"name": name, "phone": phone, "birth_date": "1990-05-15", "consent": true}),
        )
        .await;
    r.expect(201);
    (
        r.data()["patient_id"].as_str().unwrap().to_string(),
        r.data()["patient_number"].as_str().unwrap().to_string(),
        name,
        phone,
    )
}

pub(crate) async fn diagnose(
    h: &Harness,
    patient: &str,
    results: Value,
    kit: Option<&str>,
) -> Resp {
    let mut body = json!({"patient_id": patient, "results": results});
    if let Some(k) = kit {
        body["kit_serial"] = json!(k);
    }
    h.post("/api/v1/pro/diagnosis", &h.token("doctor").await, body)
        .await
}

fn codes(entries: &Value) -> Vec<String> {
    entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["allergen"].as_str().unwrap().to_string())
        .collect()
}

fn error_fields(r: &Resp) -> Vec<String> {
    r.body["error"]["details"]["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_else(|| vec![r.field().to_string()])
}

fn is_patient_number(n: &str) -> bool {
    let parts: Vec<&str> = n.split('-').collect();
    parts.len() == 3
        && parts[0] == "P"
        && parts[1].len() == 4
        && parts[1].chars().all(|c| c.is_ascii_digit())
        && parts[2].len() >= 4
        && parts[2].chars().all(|c| c.is_ascii_digit())
}

pub async fn patients_are_registered_numbered_and_listed(h: &Harness) {
    // Counts across the clinic are asserted: over HTTP it runs on a server of its own.
    let dedicated;
    let h = if h.is_http() {
        dedicated = dedicated_http(&[]).await;
        &dedicated
    } else {
        h
    };
    let doctor = h.token("doctor").await;
    let no_consent = h
        .post(
            "/api/v1/pro/patients/new",
            &doctor,
            json!({"name": "박신규", "phone": unique_phone()}),
        )
        .await;
    no_consent.expect_error(422, "HEALTH_CONSENT_REQUIRED");
    assert_eq!(no_consent.field(), "consent");
    assert_eq!(h.count("patients", "id <> $1", "-").await, 0);

    for role in ["staff", "manager"] {
        h.post(
            "/api/v1/pro/patients/new",
            &h.token(role).await,
            json!({"name": "박신규", "phone": unique_phone(), "consent": true}),
        )
        .await
        .expect_error(403, "FORBIDDEN_ROLE");
        h.get("/api/v1/pro/patients", &h.token(role).await)
            .await
            .expect_error(403, "FORBIDDEN_ROLE");
    }

    let (a, number_a, name_a, phone_a) = new_patient(h).await;
    let (_, number_b, _, _) = new_patient(h).await;
    assert!(is_patient_number(&number_a), "{number_a}");
    let year = kst_today().format("%Y").to_string();
    assert!(number_a.starts_with(&format!("P-{year}-")));
    let n = |s: &str| s.rsplit('-').next().unwrap().parse::<i64>().unwrap();
    assert_eq!(n(&number_b), n(&number_a) + 1, "{number_a} {number_b}");

    // An existing customer is registered from their detail; their health consent is recorded.
    let admin = h.token("admin").await;
    let c = h
        .post(
            "/api/v1/customers",
            &admin,
            json!({"name": unique_name("기존고객"), "phone": unique_phone(), "consent": {"privacy": true}}),
        )
        .await;
    c.expect(201);
    let cid = c.data()["id"].as_str().unwrap().to_string();
    let r = h
        .post(
            "/api/v1/pro/patients/new",
            &doctor,
            json!({"customer_id": cid, "consent": true}),
        )
        .await;
    r.expect(201);
    assert_eq!(r.data()["patient_id"], json!(cid));
    let detail = h.get(&format!("/api/v1/customers/{cid}"), &admin).await;
    assert_eq!(detail.data()["consent"]["health_data"], true);
    h.post(
        "/api/v1/pro/patients/new",
        &doctor,
        json!({"customer_id": cid, "consent": true}),
    )
    .await
    .expect_error(409, "PATIENT_ALREADY_REGISTERED");

    // The same person again is a duplicate customer, as at the front desk.
    h.post(
        "/api/v1/pro/patients/new",
        &doctor,
        json!({"name": name_a, "phone": phone_a, "consent": true}),
    )
    .await
    .expect_error(409, "DUPLICATE_CUSTOMER");

    // The list masks phones; search by name, number and phone digits.
    let list = h
        .get(
            &format!(
                "/api/v1/pro/patients?search={}",
                super::privacy::urlencode(&name_a)
            ),
            &doctor,
        )
        .await;
    list.expect(200);
    let items = list.data()["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], json!(a));
    assert_eq!(items[0]["patient_number"], json!(number_a));
    let phone = items[0]["phone"].as_str().unwrap();
    assert!(phone.contains("****") && phone.ends_with(&phone_a[phone_a.len() - 4..]));
    let by_number = h
        .get(&format!("/api/v1/pro/patients?search={number_b}"), &doctor)
        .await;
    assert_eq!(by_number.data()["total"], 1);
    let digits: String = phone_a.chars().filter(char::is_ascii_digit).collect();
    let by_phone = h
        .get(
            &format!("/api/v1/pro/patients?search={}", &digits[3..]),
            &doctor,
        )
        .await;
    assert_eq!(codes_of_ids(&by_phone.data()["items"]), vec![a.clone()]);
    let page = h.get("/api/v1/pro/patients?page=1&limit=2", &doctor).await;
    assert_eq!(page.data()["total"], 3);
    assert_eq!(page.data()["pages"], 2);
    assert_eq!(page.data()["items"].as_array().unwrap().len(), 2);

    // The detail shows the phone whole, the assigned doctor (the registering one).
    let one = h.get(&format!("/api/v1/pro/patients/{a}"), &doctor).await;
    one.expect(200);
    assert_eq!(one.data()["phone"], json!(phone_a));
    assert_eq!(one.data()["birth_date"], "1990-05-15");
    assert_eq!(one.data()["consent_signed"], true);
    assert_eq!(one.data()["diagnosis_count"], 0);
    assert!(one.data()["assigned_doctor"]["id"].is_string());
    h.get(
        "/api/v1/pro/patients/0190c000-0000-7000-8000-000000000000",
        &doctor,
    )
    .await
    .expect_error(404, "PATIENT_NOT_FOUND");

    // What is stored: the row, its audit event and what sync carries.
    let events = h.audit_events(&a, Some("patient.register")).await;
    assert_eq!(events.len(), 1);
    if !h.in_process() {
        let logged = h.logged_changes(&a).await;
        let patient = logged
            .iter()
            .find(|op| op["_entity"] == "patient")
            .expect("the patient row is in the sync log");
        assert_eq!(patient["patient_number"], json!(number_a));
        assert_eq!(patient["birth_date"], "1990-05-15");
    }
}

fn codes_of_ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

pub async fn diagnoses_make_and_keep_prescriptions(h: &Harness) {
    // Counts across the clinic are asserted: over HTTP it runs on a server of its own.
    let dedicated;
    let h = if h.is_http() {
        dedicated = dedicated_http(&[]).await;
        &dedicated
    } else {
        h
    };
    let (p, _, _, _) = new_patient(h).await;
    let doctor = h.token("doctor").await;

    // Invalid input names its field, and nothing is stored.
    let r = diagnose(
        h,
        &p,
        json!([{"allergen": "unobtainium", "grade": 2}, {"allergen": "milk", "grade": 7}]),
        None,
    )
    .await;
    r.expect_error(422, "VALIDATION_ERROR");
    let fields = error_fields(&r);
    assert!(
        fields.contains(&"results[0].allergen".to_string()),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"results[1].grade".to_string()),
        "{fields:?}"
    );
    let twice = diagnose(
        h,
        &p,
        json!([{"allergen": "peanut", "grade": 4}, {"allergen": "땅콩", "grade": 3}]),
        None,
    )
    .await;
    twice.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(error_fields(&twice), ["results[1].allergen"]);
    diagnose(h, &p, json!([]), None)
        .await
        .expect_error(422, "VALIDATION_ERROR");
    assert_eq!(h.count("diagnoses", "patient_id = $1", &p).await, 0);
    diagnose(
        h,
        "0190c000-0000-7000-8000-000000000000",
        json!([{"allergen": "peanut", "grade": 1}]),
        None,
    )
    .await
    .expect_error(404, "PATIENT_NOT_FOUND");

    // Peanut grade 4 (high), milk as 2.1 kU/L (grade 2, moderate), egg negative.
    let r = diagnose(
        h,
        &p,
        json!([{"allergen": "peanut", "grade": 4}, {"allergen": "우유", "ku_l": 2.1}, {"allergen": "Egg", "grade": 0}]),
        None,
    )
    .await;
    r.expect(201);
    let d = r.data().clone();
    let id = d["diagnosis_id"].as_str().unwrap().to_string();
    let rx = &d["prescription"];
    assert_eq!(codes(&rx["high_risk"]), ["peanut"]);
    assert_eq!(codes(&rx["moderate_risk"]), ["milk"]);
    assert_eq!(codes(&rx["low_risk"]), ["egg"]);
    assert_eq!(rx["moderate_risk"][0]["grade"], 2);
    assert_eq!(rx["moderate_risk"][0]["ku_l"], 2.1);
    let peanut = &rx["high_risk"][0];
    assert!(!peanut["avoid_foods"].as_array().unwrap().is_empty());
    assert!(!peanut["hidden_sources"].as_array().unwrap().is_empty());
    let cross = codes(&peanut["cross_reactivity"]);
    assert!(cross.contains(&"lupin".to_string()), "{cross:?}");
    // A negative result never reads as "avoid".
    assert!(rx["low_risk"][0]["avoid_foods"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(!rx["emergency_plan"].is_null());
    assert_eq!(d["summary"]["high_risk_count"], 1);
    assert_eq!(d["summary"]["max_grade"], 4);
    assert_eq!(d["summary"]["total_tested"], 3);
    let version = d["knowledge_version"].as_str().unwrap().to_string();
    assert_eq!(rx["knowledge_version"], json!(version));

    // Read back exactly as given, and the read is logged against the patient.
    let got = h.get(&format!("/api/v1/pro/diagnosis/{id}"), &doctor).await;
    got.expect(200);
    assert_eq!(got.data()["prescription"], d["prescription"]);
    assert_eq!(got.data()["patient"]["id"], json!(p));
    assert_eq!(got.data()["results"][1]["risk_level"], "moderate_risk");
    let history = h
        .get(&format!("/api/v1/pro/diagnosis/patient/{p}"), &doctor)
        .await;
    history.expect(200);
    assert_eq!(history.data()["total"], 1);
    assert_eq!(history.data()["diagnoses"][0]["summary"]["max_grade"], 4);
    let admin = h.token("admin").await;
    let trail = h
        .get(&format!("/api/v1/audit/events?customer_id={p}"), &admin)
        .await;
    let actions: Vec<&str> = trail.data()["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in ["diagnosis.read", "diagnosis.list", "diagnosis.create"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    // The stored row: results and prescription as answered; the audit event keeps field names
    // only (results are health data).
    let stored = h.audit_events(&p, Some("diagnosis.create")).await;
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].details.to_string().contains("peanut"));

    h.get(
        "/api/v1/pro/diagnosis/0190c000-0000-7000-8000-000000000000",
        &doctor,
    )
    .await
    .expect_error(404, "DIAGNOSIS_NOT_FOUND");
    for role in ["staff", "manager"] {
        h.get(&format!("/api/v1/pro/diagnosis/{id}"), &h.token(role).await)
            .await
            .expect_error(403, "FORBIDDEN_ROLE");
    }

    // Every clinic role sees the alert on the customer: the names only.
    let alert = h
        .get(
            &format!("/api/v1/customers/{p}/allergy-alert"),
            &h.token("staff").await,
        )
        .await;
    alert.expect(200);
    assert_eq!(codes(&alert.data()["high_risk_allergens"]), ["peanut"]);
    assert_eq!(alert.data()["high_risk_allergens"][0]["name_ko"], "땅콩");
    let (plain, _) = super::cases::new_customer(h, json!({})).await;
    let none = h
        .get(
            &format!("/api/v1/customers/{plain}/allergy-alert"),
            &h.token("staff").await,
        )
        .await;
    assert_eq!(none.data()["patient_number"], Value::Null);
    assert!(none.data()["high_risk_allergens"]
        .as_array()
        .unwrap()
        .is_empty());

    // The dashboard counts it; managers read it, staff do not.
    let stats = h
        .get("/api/v1/pro/dashboard/stats", &h.token("manager").await)
        .await;
    stats.expect(200);
    let s = stats.data();
    assert_eq!(s["diagnoses"]["total"], 1);
    assert_eq!(s["diagnoses"]["this_month"], 1);
    assert_eq!(s["patients"]["total"], 1);
    assert_eq!(codes(&s["allergen_distribution"]), ["milk", "peanut"]);
    let grades = s["grade_distribution"].as_array().unwrap();
    assert_eq!(grades.len(), 7);
    assert_eq!(grades[0]["count"], 1);
    assert_eq!(grades[4]["count"], 1);
    h.get("/api/v1/pro/dashboard/stats", &h.token("staff").await)
        .await
        .expect_error(403, "FORBIDDEN_ROLE");
    h.get("/api/v1/pro/dashboard/stats?month=2026-13", &admin)
        .await
        .expect_error(422, "VALIDATION_ERROR");
}

pub async fn knowledge_versions_are_published_and_kept(h: &Harness) {
    // Counts across the clinic are asserted: over HTTP it runs on a server of its own.
    let dedicated;
    let h = if h.is_http() {
        dedicated = dedicated_http(&[]).await;
        &dedicated
    } else {
        h
    };
    let doctor = h.token("doctor").await;
    let admin = h.token("admin").await;
    let allergens = h.get("/api/v1/pro/allergens", &doctor).await;
    allergens.expect(200);
    let items = allergens.data()["items"].as_array().unwrap();
    assert!(items.len() >= 45, "{}", items.len());
    let mite = items
        .iter()
        .find(|a| a["code"] == "house_dust_mite")
        .expect("house dust mites");
    assert_eq!(mite["category"], "inhalant");
    h.get("/api/v1/pro/allergens", &h.token("staff").await)
        .await
        .expect_error(403, "FORBIDDEN_ROLE");

    let list = h.get("/api/v1/pro/knowledge", &doctor).await;
    list.expect(200);
    let builtin = list.data()["current"].as_str().unwrap().to_string();
    assert_eq!(list.data()["versions"][0]["builtin"], true);
    let current = h.get("/api/v1/pro/knowledge/current", &doctor).await;
    current.expect(200);
    let mut doc = current.data()["document"].clone();
    assert_eq!(doc["version"], json!(builtin));

    // A diagnosis made with the built-in version.
    let (p, _, _, _) = new_patient(h).await;
    let before = diagnose(h, &p, json!([{"allergen": "peanut", "grade": 5}]), None).await;
    before.expect(201);
    let old_id = before.data()["diagnosis_id"].as_str().unwrap().to_string();
    let old_rx = before.data()["prescription"].clone();

    // Only an admin publishes; an invalid document is refused with its reasons, nothing kept.
    h.put("/api/v1/pro/knowledge/2099-01-01.1", &doctor, doc.clone())
        .await
        .expect_error(403, "FORBIDDEN_ROLE");
    let mut broken = doc.clone();
    broken["version"] = json!("2099-01-01.1");
    broken["allergens"][0]["cross_reactivity"] =
        json!([{"to": "no_such_allergen", "probability": "high", "source": "francis2020"}]);
    broken["grades"]["grades"][3]["grade"] = json!(9);
    let r = h
        .put("/api/v1/pro/knowledge/2099-01-01.1", &admin, broken)
        .await;
    r.expect_error(422, "KNOWLEDGE_INVALID");
    let problems = r.body["error"]["details"]["problems"].as_array().unwrap();
    assert!(problems.len() >= 2, "{problems:?}");
    assert!(problems
        .iter()
        .any(|p| p["path"].as_str().unwrap().starts_with("allergens[0]")));
    assert!(problems
        .iter()
        .any(|p| p["path"].as_str().unwrap().starts_with("grades")));
    h.get("/api/v1/pro/knowledge/2099-01-01.1", &doctor)
        .await
        .expect_error(404, "KNOWLEDGE_VERSION_NOT_FOUND");

    // A new version: peanut's foods to avoid gain an item.
    doc["version"] = json!("2099-01-01.1");
    let peanut = doc["allergens"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|a| a["code"] == "peanut")
        .unwrap();
    peanut["avoid_foods_ko"]
        .as_array_mut()
        .unwrap()
        .push(json!("시험용 땅콩 과자"));
    let published = h
        .put("/api/v1/pro/knowledge/2099-01-01.1", &admin, doc.clone())
        .await;
    published.expect(201);
    assert_eq!(published.data()["version"], "2099-01-01.1");
    // Sent again: the same document is a replay; another under the same name is refused.
    h.put("/api/v1/pro/knowledge/2099-01-01.1", &admin, doc.clone())
        .await
        .expect(200);
    let mut other = doc.clone();
    other["allergens"][0]["name_en"] = json!("Changed");
    h.put("/api/v1/pro/knowledge/2099-01-01.1", &admin, other)
        .await
        .expect_error(409, "KNOWLEDGE_VERSION_EXISTS");
    let list = h.get("/api/v1/pro/knowledge", &doctor).await;
    assert_eq!(list.data()["current"], "2099-01-01.1");
    assert_eq!(list.data()["versions"].as_array().unwrap().len(), 2);

    // New prescriptions use it; the old diagnosis still reads exactly as it was given.
    let after = diagnose(h, &p, json!([{"allergen": "peanut", "grade": 5}]), None).await;
    after.expect(201);
    assert_eq!(after.data()["knowledge_version"], "2099-01-01.1");
    let foods = after.data()["prescription"]["high_risk"][0]["avoid_foods"].clone();
    assert!(foods
        .as_array()
        .unwrap()
        .contains(&json!("시험용 땅콩 과자")));
    let again = h
        .get(&format!("/api/v1/pro/diagnosis/{old_id}"), &doctor)
        .await;
    assert_eq!(again.data()["prescription"], old_rx);
    assert_eq!(again.data()["knowledge_version"], json!(builtin));
    assert!(!again.data()["prescription"]["high_risk"][0]["avoid_foods"]
        .as_array()
        .unwrap()
        .contains(&json!("시험용 땅콩 과자")));
    let events = h
        .audit_events("2099-01-01.1", Some("knowledge.publish"))
        .await;
    assert_eq!(events.len(), 1);
}

/// Issues one kit with `pin` as a doctor; its serial.
async fn issue_kit(h: &Harness, pin: &str) -> String {
    let serial = format!("SGT-{}", unique_name("").to_uppercase());
    let r = h
        .post(
            "/api/v1/pro/kits",
            &h.token("doctor").await,
            json!({"batch": "2026-12-A", "kits": [{"serial_number": serial, "pin": pin}]}),
        )
        .await;
    r.expect(201);
    serial
}

/// A patient with a kit whose result was entered: `(patient_id, name, phone, serial, diagnosis)`.
async fn patient_with_kit(h: &Harness, pin: &str) -> (String, String, String, String, String) {
    let (p, _, name, phone) = new_patient(h).await;
    let serial = issue_kit(h, pin).await;
    let d = diagnose(
        h,
        &p,
        json!([{"allergen": "shrimp", "grade": 4}, {"allergen": "house dust mite", "grade": 3}]),
        Some(&serial),
    )
    .await;
    d.expect(201);
    let did = d.data()["diagnosis_id"].as_str().unwrap().to_string();
    (p, name, phone, serial, did)
}

async fn sign_up(h: &Harness, body: Value) -> Resp {
    h.post("/api/v1/auth/simple/register", "", body).await
}

pub async fn patients_sign_up_with_their_kit_and_read_their_guide(h: &Harness) {
    // Failures count against this client; over HTTP they run on a server of their own.
    let dedicated;
    let h = if h.is_http() {
        dedicated = dedicated_http(&[]).await;
        &dedicated
    } else {
        h
    };
    let doctor = h.token("doctor").await;
    let (p, name, phone, serial, did) = patient_with_kit(h, "482913").await;
    let issued = issue_kit(h, "111111").await;

    // Kits: a serial issued twice is refused whole; the list shows each status.
    let dup = h
        .post(
            "/api/v1/pro/kits",
            &doctor,
            json!({"batch": "B", "kits": [{"serial_number": "SGT-NEW-0001", "pin": "1234"},
                                          {"serial_number": serial, "pin": "1234"}]}),
        )
        .await;
    dup.expect_error(409, "KIT_SERIAL_EXISTS");
    assert_eq!(h.count("kits", "serial = $1", "SGT-NEW-0001").await, 0);
    let kits = h
        .get("/api/v1/pro/kits?status=result_entered", &doctor)
        .await;
    kits.expect(200);
    assert_eq!(
        kits.data()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["serial_number"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [serial.as_str()]
    );
    assert_eq!(
        h.count(
            "kits",
            "serial = $1 AND pin_hash LIKE '$argon2id$%'",
            &serial
        )
        .await,
        1
    );
    // A kit holds one patient's result.
    let (other, _, _, _) = new_patient(h).await;
    diagnose(
        h,
        &other,
        json!([{"allergen": "egg", "grade": 1}]),
        Some(&serial),
    )
    .await
    .expect_error(409, "KIT_ALREADY_USED");

    // Sign-up: the kit PIN, then who the result belongs to.
    let body = |pin: &str, name: &str| json!({"name": name, "phone": phone, "serial_number": serial, "pin": pin});
    sign_up(h, body("000000", &name))
        .await
        .expect_error(400, "KIT_INVALID_PIN");
    sign_up(h, body("482913", "다른사람"))
        .await
        .expect_error(401, "AUTH_INVALID_CREDENTIALS");
    sign_up(
        h,
        json!({"name": "누구", "phone": "010-0000-0000", "serial_number": issued, "pin": "111111"}),
    )
    .await
    .expect_error(409, "KIT_RESULT_PENDING");
    let missing = sign_up(
        h,
        json!({"name": name, "serial_number": serial, "pin": "482913"}),
    )
    .await;
    missing.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(missing.field(), "phone");
    let r = sign_up(h, body("482913", &name)).await;
    r.expect(201);
    let pin = r.data()["access_pin"].as_str().unwrap().to_string();
    assert_eq!(pin.len(), 6);
    assert!(pin.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(r.data()["user"]["role"], "patient");
    assert_eq!(r.data()["patient_id"], json!(p));
    assert_eq!(r.data()["diagnosis_id"], json!(did));
    // The PIN is stored only as a hash; the patient's login is not a staff account.
    assert_eq!(h.count("users", "password_hash = $1", &pin).await, 0);
    let staff_list = h.get("/api/v1/users", &h.token("admin").await).await;
    assert!(!staff_list.body.to_string().contains("patient-"));
    sign_up(h, body("482913", &name))
        .await
        .expect_error(400, "KIT_ALREADY_REGISTERED");

    // Login: name + phone (or birth date) + access PIN.
    let login = |body: Value| async move { h.post("/api/v1/auth/simple/login", "", body).await };
    login(json!({"name": name, "phone": phone, "access_pin": "999999"}))
        .await
        .expect_error(401, "AUTH_INVALID_CREDENTIALS");
    let by_birth =
        login(json!({"name": name, "birth_date": "1990-05-15", "access_pin": pin})).await;
    by_birth.expect(200);
    let ok = login(json!({"name": name, "phone": phone, "access_pin": pin})).await;
    ok.expect(200);
    let token = ok.data()["access_token"].as_str().unwrap().to_string();
    let me = h.get("/api/v1/auth/me", &token).await;
    me.expect(200);
    assert_eq!(me.data()["role"], "patient");

    // Their diagnoses and guide: the same prescription the doctor saw.
    let mine = h.get("/api/v1/consumer/my/diagnoses", &token).await;
    mine.expect(200);
    assert_eq!(mine.data()["total"], 1);
    assert_eq!(
        mine.data()["items"][0]["summary"]["high_risk_allergens"],
        json!(["새우"])
    );
    let detail = h
        .get(&format!("/api/v1/consumer/my/diagnoses/{did}"), &token)
        .await;
    detail.expect(200);
    assert_eq!(detail.data()["results"][0]["allergen"], "shrimp");
    assert_eq!(detail.data()["results"][0]["risk_level"], "high_risk");
    let guide = h
        .get(
            &format!("/api/v1/consumer/my/diagnoses/{did}/guide"),
            &token,
        )
        .await;
    guide.expect(200);
    let g = guide.data();
    assert!(!g["diet_management"]["avoid"].as_array().unwrap().is_empty());
    assert!(!g["emergency"]["action_plan"].as_array().unwrap().is_empty());
    let pro = h
        .get(&format!("/api/v1/pro/diagnosis/{did}"), &doctor)
        .await;
    assert_eq!(
        g["knowledge_version"],
        pro.data()["knowledge_version"],
        "the guide is made with the diagnosis's version"
    );
    let foods = h.get("/api/v1/consumer/guide/foods", &token).await;
    foods.expect(200);
    assert!(foods.body.to_string().contains("shrimp"));
    let cross = h
        .get("/api/v1/consumer/guide/cross-reactivity/새우", &token)
        .await;
    cross.expect(200);
    assert_eq!(cross.data()["allergen"], "shrimp");
    assert!(cross.body.to_string().contains("house_dust_mite"));
    h.get(
        "/api/v1/consumer/guide/cross-reactivity/unobtainium",
        &token,
    )
    .await
    .expect_error(404, "ALLERGEN_NOT_FOUND");
    let life = h.get("/api/v1/consumer/guide/lifestyle", &token).await;
    life.expect(200);
    assert!(life.body.to_string().contains("house_dust_mite"));
    for path in ["guidelines", "action-plan", "epinephrine"] {
        let r = h
            .get(&format!("/api/v1/consumer/emergency/{path}"), &token)
            .await;
        r.expect(200);
        assert!(r.body.to_string().contains("119"), "{path}");
        assert!(!r.body.to_string().contains("1339"), "{path}");
    }
    let status = h
        .get(&format!("/api/v1/consumer/kit/status/{serial}"), &token)
        .await;
    status.expect(200);
    assert_eq!(status.data()["status"], "registered");
    let waiting = h
        .get(&format!("/api/v1/consumer/kit/status/{issued}"), &token)
        .await;
    assert_eq!(waiting.data()["status"], "issued");

    // A second kit of theirs, registered from the app.
    let second = issue_kit(h, "777777").await;
    let d2 = diagnose(
        h,
        &p,
        json!([{"allergen": "cat", "grade": 2}]),
        Some(&second),
    )
    .await;
    d2.expect(201);
    let reg = |pin: &str| {
        let token = token.clone();
        let second = second.clone();
        let pin = pin.to_string();
        async move {
            h.post(
                "/api/v1/consumer/kit/register",
                &token,
                json!({"serial_number": second, "pin": pin}),
            )
            .await
        }
    };
    reg("000000").await.expect_error(400, "KIT_INVALID_PIN");
    let done = reg("777777").await;
    done.expect(200);
    assert_eq!(done.data()["diagnosis_id"], d2.data()["diagnosis_id"]);
    reg("777777")
        .await
        .expect_error(400, "KIT_ALREADY_REGISTERED");
    let kits = h.get("/api/v1/pro/kits?status=registered", &doctor).await;
    assert_eq!(kits.data()["total"], 2);
}

pub async fn a_patient_sees_only_their_own_data(h: &Harness) {
    let dedicated;
    let h = if h.is_http() {
        dedicated = dedicated_http(&[]).await;
        &dedicated
    } else {
        h
    };
    let mut tokens = Vec::new();
    let mut diagnoses = Vec::new();
    let mut serials = Vec::new();
    for pin in ["246810", "135791"] {
        let (_, name, phone, serial, did) = patient_with_kit(h, pin).await;
        let r = sign_up(
            h,
            json!({"name": name, "phone": phone, "serial_number": serial, "pin": pin}),
        )
        .await;
        r.expect(201);
        tokens.push(r.data()["access_token"].as_str().unwrap().to_string());
        diagnoses.push(did);
        serials.push(serial);
    }
    let (a, b) = (&tokens[0], &tokens[1]);
    // Every consumer endpoint that takes an id: another patient's is 404, like none at all.
    for path in [
        format!("/api/v1/consumer/my/diagnoses/{}", diagnoses[1]),
        format!("/api/v1/consumer/my/diagnoses/{}/guide", diagnoses[1]),
    ] {
        let theirs = h.get(&path, a).await;
        theirs.expect_error(404, "DIAGNOSIS_NOT_FOUND");
        assert!(!theirs.body.to_string().contains("shrimp"));
        h.get(&path, b).await.expect(200);
    }
    h.get(&format!("/api/v1/consumer/kit/status/{}", serials[1]), a)
        .await
        .expect_error(404, "KIT_NOT_FOUND");
    h.get(&format!("/api/v1/consumer/kit/status/{}", serials[1]), b)
        .await
        .expect(200);
    // Registering the other patient's kit, even with its PIN, takes nothing of theirs.
    h.post(
        "/api/v1/consumer/kit/register",
        a,
        json!({"serial_number": serials[1], "pin": "135791"}),
    )
    .await
    .expect_error(400, "KIT_ALREADY_REGISTERED");
    // Lists hold their own only.
    let mine = h.get("/api/v1/consumer/my/diagnoses", a).await;
    assert_eq!(mine.data()["total"], 1);
    assert_eq!(mine.data()["items"][0]["id"], json!(diagnoses[0]));
    // The guides without an id follow the caller's own latest results: B's newer peanut
    // result shows in B's food guide and never in A's.
    let b_patient = h
        .get(
            &format!("/api/v1/consumer/my/diagnoses/{}", diagnoses[1]),
            b,
        )
        .await;
    b_patient.expect(200);
    let kit = &serials[1];
    let b_id = h
        .get(&format!("/api/v1/consumer/kit/status/{kit}"), b)
        .await;
    b_id.expect(200);
    let pro_b = h
        .get(
            &format!("/api/v1/pro/diagnosis/{}", diagnoses[1]),
            &h.token("doctor").await,
        )
        .await;
    let b_patient_id = pro_b.data()["patient"]["id"].as_str().unwrap().to_string();
    diagnose(
        h,
        &b_patient_id,
        json!([{"allergen": "peanut", "grade": 5}]),
        None,
    )
    .await
    .expect(201);
    let foods_b = h.get("/api/v1/consumer/guide/foods", b).await;
    assert!(foods_b.body.to_string().contains("\"peanut\""));
    for path in [
        "/api/v1/consumer/guide/foods",
        "/api/v1/consumer/guide/lifestyle",
    ] {
        let r = h.get(path, a).await;
        r.expect(200);
        assert!(
            !r.body.to_string().contains("\"peanut\""),
            "{path}: {}",
            r.body
        );
    }
    assert_eq!(
        h.get("/api/v1/consumer/my/diagnoses", a).await.data()["total"],
        1
    );
    // A patient's token opens no clinic endpoint; staff open no patient endpoint.
    for path in [
        "/api/v1/pro/patients".to_string(),
        format!("/api/v1/pro/diagnosis/{}", diagnoses[1]),
        "/api/v1/customers".to_string(),
        "/api/v1/pro/dashboard/stats".to_string(),
        "/api/v1/pro/kits".to_string(),
    ] {
        h.get(&path, a).await.expect_error(403, "FORBIDDEN_ROLE");
    }
    for role in ["admin", "doctor", "staff"] {
        let t = h.token(role).await;
        for path in [
            "/api/v1/consumer/my/diagnoses".to_string(),
            format!("/api/v1/consumer/my/diagnoses/{}", diagnoses[0]),
            "/api/v1/consumer/guide/foods".to_string(),
            "/api/v1/consumer/emergency/guidelines".to_string(),
        ] {
            h.get(&path, &t).await.expect_error(403, "FORBIDDEN_ROLE");
        }
    }
    // Without a token, nothing.
    h.get("/api/v1/consumer/my/diagnoses", "")
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
}

pub async fn kit_pin_guessing_is_stopped(h: &Harness) {
    let dedicated;
    let h = if h.is_http() {
        dedicated = dedicated_http(&[]).await;
        &dedicated
    } else {
        h
    };
    let (_, name, phone, serial, _) = patient_with_kit(h, "908172").await;
    let body =
        |pin: &str| json!({"name": name, "phone": phone, "serial_number": serial, "pin": pin});
    for i in 0..10 {
        sign_up(h, body(&format!("{:06}", 100_000 + i)))
            .await
            .expect_error(400, "KIT_INVALID_PIN");
    }
    // Locked: the right PIN is refused too, and says for how long.
    let locked = sign_up(h, body("908172")).await;
    locked.expect_error(429, "RATE_LIMIT_EXCEEDED");
    assert!(
        locked.body["error"]["details"]["retry_after_seconds"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(h.count("users", "role = $1", "patient").await, 0);
    // The access PIN of a patient's login is guarded the same way, per person.
    let (_, name3, phone3, serial3, _) = patient_with_kit(h, "777333").await;
    sign_up(
        h,
        json!({"name": name3, "phone": phone3, "serial_number": serial3, "pin": "777333"}),
    )
    .await
    .expect(201);
    for i in 0..10 {
        h.post(
            "/api/v1/auth/simple/login",
            "",
            json!({"name": name3, "phone": phone3, "access_pin": format!("{:06}", 200_000 + i)}),
        )
        .await
        .expect_error(401, "AUTH_INVALID_CREDENTIALS");
    }
    h.post(
        "/api/v1/auth/simple/login",
        "",
        json!({"name": name3, "phone": phone3, "access_pin": "000000"}),
    )
    .await
    .expect_error(429, "RATE_LIMIT_EXCEEDED");
    // Other kits are not locked.
    let (_, name2, phone2, serial2, _) = patient_with_kit(h, "555111").await;
    sign_up(
        h,
        json!({"name": name2, "phone": phone2, "serial_number": serial2, "pin": "555111"}),
    )
    .await
    .expect(201);
}

/// A small MEDLINE export written for this test (invented records, PMIDs 91000001…).
const MEDLINE_FIXTURE: &str = "PMID- 91000001
TI  - Test fixture: tropomyosin sensitisation to house dust mite in Korean adults.
AB  - Tropomyosin from house dust mite (Der p 10) was recognised by serum IgE in 12% of
      sensitised adults. Tropomyosin is a conserved muscle protein.
AU  - Kim J
AU  - Lee S
TA  - Fixture J Allergy
DP  - 2024 Mar
LA  - eng

PMID- 91000002
TI  - Test fixture: birch pollen and apple in oral allergy syndrome.
AB  - Patients sensitised to birch pollen often report itching of the mouth after eating raw
      apple, a PR-10 mediated reaction.
AU  - Park H
TA  - Fixture J Allergy
DP  - 2023
LA  - eng
";

async fn import_file(h: &Harness, token: &str, filename: &str, content: &str) -> Value {
    let r = h
        .post(
            "/api/v1/pro/research/imports",
            token,
            json!({"filename": filename, "content": content}),
        )
        .await;
    r.expect(202);
    let id = r.data()["import_id"].as_str().unwrap().to_string();
    assert_eq!(r.data()["status"], "running");
    for _ in 0..200 {
        let s = h
            .get(&format!("/api/v1/pro/research/imports/{id}"), token)
            .await;
        s.expect(200);
        if s.data()["status"] != "running" {
            return s.data().clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the import of {filename} did not finish");
}

pub async fn the_research_library_imports_searches_and_answers(h: &Harness) {
    // Counts across the clinic are asserted: over HTTP it runs on a server of its own.
    let dedicated;
    let h = if h.is_http() {
        dedicated = dedicated_http(&[]).await;
        &dedicated
    } else {
        h
    };
    let doctor = h.token("doctor").await;
    // A malformed file names its line and imports nothing.
    let broken = format!("{MEDLINE_FIXTURE}\nthis line is not MEDLINE\n");
    let r = h
        .post(
            "/api/v1/pro/research/imports",
            &doctor,
            json!({"filename": "broken.nbib", "content": broken}),
        )
        .await;
    r.expect_error(422, "RESEARCH_IMPORT_INVALID");
    // The fixture is 18 lines, then an empty one, then the bad one.
    assert_eq!(r.body["error"]["details"]["line"], 20);
    assert_eq!(h.count("research_papers", "id <> $1", "-").await, 0);
    h.post(
        "/api/v1/pro/research/imports",
        &h.token("staff").await,
        json!({"filename": "a.nbib", "content": MEDLINE_FIXTURE}),
    )
    .await
    .expect_error(403, "FORBIDDEN_ROLE");

    let xml = include_str!("../../../crates/research/tests/fixtures/pubmed_export.xml");
    let done = import_file(h, &doctor, "pubmed_export.xml", xml).await;
    assert_eq!(done["status"], "done");
    assert_eq!(done["total"], 4);
    assert_eq!(done["imported"], 4);
    let done = import_file(h, &doctor, "mites.nbib", MEDLINE_FIXTURE).await;
    assert_eq!(done["imported"], 2);
    // Again: nothing new, both counted as already there.
    let again = import_file(h, &doctor, "mites.nbib", MEDLINE_FIXTURE).await;
    assert_eq!(
        (again["imported"].clone(), again["duplicates"].clone()),
        (json!(0), json!(2))
    );
    let lib = h.get("/api/v1/pro/research/library", &doctor).await;
    assert_eq!(lib.data()["total_papers"], 6);
    assert_eq!(lib.data()["recent_imports"].as_array().unwrap().len(), 3);

    // Search: ranked, filtered by an allergen, widened by its cross-reactions.
    let search = |body: Value| {
        let doctor = doctor.clone();
        async move {
            let r = h.post("/api/v1/pro/research/search", &doctor, body).await;
            r.expect(200);
            r.data().clone()
        }
    };
    let peanut = search(json!({"query": "hidden peanut allergens"})).await;
    let ids: Vec<&str> = peanut["papers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(!ids.is_empty());
    assert!(
        ids[0] == "pubmed:90000001" || ids[0] == "pubmed:90000002",
        "{ids:?}"
    );
    assert_eq!(peanut["papers"][0]["score"], 1.0);
    let narrow = search(json!({"query": "tropomyosin", "allergen": "새우"})).await;
    assert_eq!(narrow["total_found"], 0);
    let wide = search(
        json!({"query": "tropomyosin", "allergen": "shrimp", "include_cross_reactivity": true}),
    )
    .await;
    assert_eq!(wide["papers"][0]["id"], "pubmed:91000001");
    assert!(wide["expanded_terms"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t.as_str().unwrap().contains("mite")));
    h.post(
        "/api/v1/pro/research/search",
        &doctor,
        json!({"query": "x", "allergen": "unobtainium"}),
    )
    .await
    .expect_error(422, "VALIDATION_ERROR");

    // Q&A: sentences from the papers with their citations; nothing found says so.
    let qa = h
        .post(
            "/api/v1/pro/research/qa",
            &doctor,
            json!({"question": "땅콩 알레르기 환자가 피해야 할 숨겨진 식품은?", "allergen": "peanut", "max_citations": 3}),
        )
        .await;
    qa.expect(200);
    let a = qa.data();
    let answer = a["answer"].as_str().unwrap();
    assert!(answer.contains("[1]"), "{answer}");
    let citations = a["citations"].as_array().unwrap();
    assert!(!citations.is_empty() && citations.len() <= 3);
    let confidence = a["confidence"].as_f64().unwrap();
    assert!(confidence > 0.0 && confidence < 1.0);
    let cited = citations[0]["paper_id"].as_str().unwrap();
    let paper = h
        .get(&format!("/api/v1/pro/research/papers/{cited}"), &doctor)
        .await;
    paper.expect(200);
    assert!(paper.data()["abstract"]
        .as_str()
        .unwrap()
        .contains(&citations[0]["excerpt"].as_str().unwrap()[..20]));
    let none = h
        .post(
            "/api/v1/pro/research/qa",
            &doctor,
            json!({"question": "라텍스 장갑 대체품은?"}),
        )
        .await;
    none.expect(200);
    assert_eq!(none.data()["answer"], Value::Null);
    assert_eq!(none.data()["confidence"], 0.0);
    assert!(none.data()["citations"].as_array().unwrap().is_empty());
    assert!(none.data()["message"].as_str().unwrap().contains("근거"));
    h.get("/api/v1/pro/research/papers/pubmed:1", &doctor)
        .await
        .expect_error(404, "PAPER_NOT_FOUND");
    h.get("/api/v1/pro/research/imports/nothing-like-this", &doctor)
        .await
        .expect_error(404, "RESEARCH_IMPORT_NOT_FOUND");
}

pub async fn erasing_a_patient_takes_their_allergy_data(h: &Harness) {
    let dedicated;
    let h = if h.is_http() {
        dedicated = dedicated_http(&[]).await;
        &dedicated
    } else {
        h
    };
    let admin = h.token("admin").await;
    let doctor = h.token("doctor").await;
    // Anonymised: the birth date and number go, the person's login closes, the diagnosis stays
    // for statistics but is no one's record any more.
    let (anon, name, phone, serial, did) = patient_with_kit(h, "314159").await;
    let number = h
        .get(&format!("/api/v1/pro/patients/{anon}"), &doctor)
        .await
        .data()["patient_number"]
        .as_str()
        .unwrap()
        .to_string();
    let r = sign_up(
        h,
        json!({"name": name, "phone": phone, "serial_number": serial, "pin": "314159"}),
    )
    .await;
    r.expect(201);
    let pin = r.data()["access_pin"].as_str().unwrap().to_string();
    let token = r.data()["access_token"].as_str().unwrap().to_string();
    let gone = h
        .delete(
            &format!("/api/v1/customers/{anon}?data_retention_policy=anonymize"),
            &admin,
        )
        .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    h.get(&format!("/api/v1/pro/patients/{anon}"), &doctor)
        .await
        .expect_error(404, "PATIENT_NOT_FOUND");
    h.get(&format!("/api/v1/pro/diagnosis/{did}"), &doctor)
        .await
        .expect_error(404, "DIAGNOSIS_NOT_FOUND");
    assert_eq!(h.count("patients", "patient_number = $1", &number).await, 0);
    assert_eq!(
        h.count("patients", "birth_date = $1", "1990-05-15").await,
        0
    );
    assert_eq!(h.count("diagnoses", "id = $1", &did).await, 1);
    assert_eq!(h.count("users", "display_name = $1", &name).await, 0);
    h.get("/api/v1/consumer/my/diagnoses", &token)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    h.post(
        "/api/v1/auth/simple/login",
        "",
        json!({"name": name, "phone": phone, "access_pin": pin}),
    )
    .await
    .expect_error(401, "AUTH_INVALID_CREDENTIALS");
    let versions = h
        .count(
            "record_versions",
            "entity_id = $1 AND versions LIKE '%1990-05-15%'",
            &anon,
        )
        .await;
    assert_eq!(versions, 0, "no kept version holds the birth date");

    // Deleted: the patient record, diagnoses and kit registrations go, with sync's copies.
    let (del, _, _, _, did2) = patient_with_kit(h, "271828").await;
    let gone = h
        .delete(
            &format!("/api/v1/customers/{del}?data_retention_policy=delete"),
            &admin,
        )
        .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    for (table, condition) in [
        ("patients", "id = $1"),
        ("diagnoses", "patient_id = $1"),
        ("kit_registrations", "patient_id = $1"),
        ("record_versions", "entity = 'patient' AND entity_id = $1"),
    ] {
        assert_eq!(h.count(table, condition, &del).await, 0, "{table}");
    }
    assert_eq!(h.count("diagnoses", "id = $1", &did2).await, 0);
    if !h.in_process() {
        let logged = h.logged_changes(&did2).await;
        assert!(
            logged.is_empty(),
            "the diagnosis left the sync log: {logged:?}"
        );
    }
}
