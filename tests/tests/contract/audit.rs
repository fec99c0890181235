//! The audit trail as a privacy officer uses it: every read of a record, every page of a
//! list, every refusal and failed login is there, and an admin can see who read a customer
//! and check that nothing was altered.

use super::harness::{unique_phone, user_name, Harness, Payload};
use serde_json::{json, Value};

fn unique(prefix: &str) -> String {
    let id = uuid::Uuid::now_v7().simple().to_string();
    format!("{prefix}{}", &id[id.len() - 8..])
}

async fn customer(h: &Harness) -> (String, String) {
    let admin = h.token("admin").await;
    let name = unique("감사대상");
    let r = h
        .post(
            "/api/v1/customers",
            &admin,
            json!({"consent": {"privacy": true}, "name": name, "phone": unique_phone()}),
        )
        .await;
    r.expect(201);
    (r.data()["id"].as_str().unwrap().to_string(), name)
}

fn actions(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Who looked at a customer: their detail reads and the list pages they appeared on, with
/// who, when and from which role — newest first, for admins only.
pub async fn an_admin_sees_who_read_a_customer(h: &Harness) {
    let (id, name) = customer(h).await;
    let staff = h.token("staff").await;
    let doctor = h.token("doctor").await;
    h.get(&format!("/api/v1/customers/{id}/detail"), &staff)
        .await
        .expect(200);
    h.get(&format!("/api/v1/customers/{id}"), &doctor)
        .await
        .expect(200);
    let q = super::privacy::urlencode(&name);
    let found = h
        .get(&format!("/api/v1/customers/search?q={q}"), &staff)
        .await;
    found.expect(200);
    assert_eq!(found.data()["customers"].as_array().unwrap().len(), 1);
    h.get(&format!("/api/v1/customers?search={q}"), &doctor)
        .await
        .expect(200);
    h.get(&format!("/api/v1/customers/{id}/interactions"), &staff)
        .await
        .expect(200);
    h.get(&format!("/api/v1/customers/{id}/packages"), &staff)
        .await
        .expect(200);

    let admin = h.token("admin").await;
    let r = h
        .get(&format!("/api/v1/audit/events?customer_id={id}"), &admin)
        .await;
    r.expect(200);
    let events = r.data()["events"].as_array().unwrap().clone();
    assert!(!events.is_empty());
    let got = actions(&events);
    assert_eq!(
        got,
        [
            "customer.packages.read",
            "customer.interactions.read",
            "customer.list",
            "customer.search",
            "customer.read",
            "customer.detail.read",
            "customer.create",
        ],
        "newest first"
    );
    let detail = &events[5];
    assert_eq!(detail["username"], json!(user_name("staff")));
    assert_eq!(detail["role"], "staff");
    assert_eq!(detail["customer_name"], json!(name));
    assert!(detail["occurred_at"].as_str().unwrap().ends_with('Z'));
    let search = &events[3];
    assert_eq!(search["details"]["shown"], 1);
    assert_eq!(search["details"]["query"]["q"], json!(name));

    // Filters and pages.
    let r = h
        .get(
            &format!("/api/v1/audit/events?customer_id={id}&action=customer.detail.read"),
            &admin,
        )
        .await;
    assert_eq!(
        actions(r.data()["events"].as_array().unwrap()),
        ["customer.detail.read"]
    );
    let r = h
        .get(
            &format!("/api/v1/audit/events?customer_id={id}&action=customer."),
            &admin,
        )
        .await;
    assert_eq!(r.data()["events"].as_array().unwrap().len(), 7);
    let r = h
        .get(
            &format!("/api/v1/audit/events?customer_id={id}&size=3&page=2"),
            &admin,
        )
        .await;
    assert_eq!(
        actions(r.data()["events"].as_array().unwrap()),
        ["customer.search", "customer.read", "customer.detail.read"]
    );
    assert_eq!(r.data()["pagination"]["has_more"], true);
    let today = (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
    let r = h
        .get(
            &format!(
                "/api/v1/audit/events?customer_id={id}&from={}&to={}",
                today - chrono::Duration::days(3),
                today - chrono::Duration::days(1)
            ),
            &admin,
        )
        .await;
    assert!(
        r.data()["events"].as_array().unwrap().is_empty(),
        "nothing before today"
    );
    let r = h
        .get(
            &format!("/api/v1/audit/events?customer_id={id}&from={today}&to={today}"),
            &admin,
        )
        .await;
    assert_eq!(r.data()["events"].as_array().unwrap().len(), 7);
    h.get("/api/v1/audit/events?customer_id=nope", &admin)
        .await
        .expect_error(422, "VALIDATION_ERROR");
    h.get("/api/v1/audit/events?from=2026-02-30", &admin)
        .await
        .expect_error(422, "VALIDATION_ERROR");
}

/// Refusals and failed logins are in the trail too: someone probing what they may not see,
/// or guessing passwords.
pub async fn refusals_and_failed_logins_are_logged(h: &Harness) {
    let (id, _) = customer(h).await;
    let staff = h.token("staff").await;
    h.delete(
        &format!("/api/v1/customers/{id}?data_retention_policy=delete"),
        &staff,
    )
    .await
    .expect_error(403, "FORBIDDEN_ROLE");
    let admin = h.token("admin").await;
    let r = h
        .get(
            &format!(
                "/api/v1/audit/events?action=access.denied&username={}",
                user_name("staff")
            ),
            &admin,
        )
        .await;
    let denied = r.data()["events"].as_array().unwrap();
    assert!(!denied.is_empty());
    let ours = denied
        .iter()
        .find(|e| {
            e["details"]["path"]
                .as_str()
                .unwrap_or_default()
                .contains(&id)
        })
        .expect("the refused delete");
    assert_eq!(ours["details"]["method"], "DELETE");
    assert!(
        ours["details"]["path"]
            .as_str()
            .unwrap()
            .starts_with("/api/v1/customers/"),
        "the whole path: {}",
        ours["details"]["path"]
    );
    assert_eq!(ours["details"]["required"], "DeleteCustomers");
    assert_eq!(ours["role"], "staff");

    let stranger = unique("nobody-");
    h.login(&stranger, "whatever-password")
        .await
        .expect_error(401, "AUTH_INVALID_CREDENTIALS");
    h.login(&user_name("doctor"), "not-the-password")
        .await
        .expect_error(401, "AUTH_INVALID_CREDENTIALS");
    let r = h
        .get(
            "/api/v1/audit/events?action=auth.login_failed&size=200",
            &admin,
        )
        .await;
    let failed = r.data()["events"].as_array().unwrap();
    let unknown = failed
        .iter()
        .find(|e| e["details"]["username"] == json!(stranger))
        .expect("the unknown user's attempt");
    assert_eq!(unknown["details"]["reason"], "unknown_user");
    assert_eq!(unknown["username"], Value::Null);
    let wrong = failed
        .iter()
        .find(|e| e["username"] == json!(user_name("doctor")))
        .expect("the doctor's wrong password");
    assert_eq!(wrong["details"]["reason"], "wrong_password");
    assert!(wrong["entity_id"].is_string(), "names the account");
    assert!(
        !r.body.to_string().contains("not-the-password"),
        "the password typed is never kept"
    );
    if !h.in_process() {
        assert!(wrong["details"]["ip"]
            .as_str()
            .is_some_and(|ip| ip.starts_with("127.")));
    }
}

/// Only admins read or verify the trail; verifying finds every chain intact, the change
/// chain and the access chain of this node, and reading the trail is itself logged.
pub async fn admins_verify_the_trail(h: &Harness) {
    for role in ["staff", "doctor", "manager"] {
        let t = h.token(role).await;
        for path in ["/api/v1/audit/verify", "/api/v1/audit/events"] {
            h.get(path, &t).await.expect_error(403, "FORBIDDEN_ROLE");
        }
    }
    let admin = h.token("admin").await;
    let r = h.get("/api/v1/audit/verify", &admin).await;
    r.expect(200);
    let chains = r.data()["chains"].as_array().unwrap();
    assert!(chains.len() >= 2, "{}", r.body);
    assert!(chains
        .iter()
        .any(|c| c["chain"].as_str().unwrap().ends_with(":access")));
    assert_eq!(r.data()["intact"], true, "{}", r.body);
    assert!(r.data()["events"].as_i64().unwrap() > 0);
    let logged = h
        .get(
            &format!(
                "/api/v1/audit/events?action=audit.verify&username={}",
                user_name("admin")
            ),
            &admin,
        )
        .await;
    assert!(!logged.data()["events"].as_array().unwrap().is_empty());
    let _ = Payload::None;
}

/// What happened to a customer includes the visits, purchases, cancellations and
/// interactions recorded for them; several actions can be asked for at once.
pub async fn a_customers_trail_includes_their_visits_and_purchases(h: &Harness) {
    let (id, _) = customer(h).await;
    let staff = h.token("staff").await;
    let manager = h.token("manager").await;
    let pkg = h
        .post(
            "/api/v1/packages",
            &manager,
            json!({"name": unique("감사 패키지 "), "price": 100_000, "validity_days": 90,
                   "sessions": {"brain": 3}}),
        )
        .await;
    pkg.expect(201);
    let bought = h
        .post(
            &format!("/api/v1/customers/{id}/packages"),
            &staff,
            json!({"package_id": pkg.data()["package_id"], "payment_method": "card"}),
        )
        .await;
    bought.expect(201);
    let visit = h
        .post(
            &format!("/api/v1/customers/{id}/sessions"),
            &staff,
            json!({"service_type": "brain", "package_usage_id": bought.data()["package_usage_id"]}),
        )
        .await;
    visit.expect(201);
    let session = visit.data()["session_id"].as_str().unwrap().to_string();
    h.post(
        &format!("/api/v1/sessions/{session}/cancel"),
        &manager,
        json!({"reason": "잘못 기록"}),
    )
    .await
    .expect(200);
    h.post(
        &format!("/api/v1/customers/{id}/interactions"),
        &staff,
        json!({"interaction_type": "call"}),
    )
    .await
    .expect(201);

    let admin = h.token("admin").await;
    let r = h
        .get(
            &format!("/api/v1/audit/events?customer_id={id}&action=package.,session.,interaction."),
            &admin,
        )
        .await;
    r.expect(200);
    let got = actions(r.data()["events"].as_array().unwrap());
    assert_eq!(
        got,
        [
            "interaction.create",
            "session.cancel",
            "session.record",
            "package.purchase"
        ],
        "newest first, every write for this customer, nothing else"
    );
}
