//! Sync (issue 9): the devices that may sync with the central server.

use super::harness::Harness;
use serde_json::{json, Value};

async fn texts(h: &Harness, sql: &str) -> Vec<String> {
    use sqlx::Row;
    sqlx::query(sql)
        .fetch_all(&h.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.try_get::<Option<String>, _>(0)
                .unwrap()
                .unwrap_or_default()
        })
        .collect()
}

pub async fn devices_are_registered_once_and_revoked(h: &Harness) {
    let manager = h.token("manager").await;
    let admin = h.token("admin").await;
    for role in ["staff", "doctor"] {
        let t = h.token(role).await;
        h.post("/api/v1/devices", &t, json!({"name": "접수 PC"}))
            .await
            .expect_error(403, "FORBIDDEN_ROLE");
        h.get("/api/v1/devices", &t)
            .await
            .expect_error(403, "FORBIDDEN_ROLE");
    }
    let r = h
        .post("/api/v1/devices", &manager, json!({"secret": "mine"}))
        .await;
    r.expect_error(422, "VALIDATION_ERROR");

    let r = h
        .post("/api/v1/devices", &manager, json!({"name": "접수 PC 1"}))
        .await;
    r.expect(201);
    let id = r.data()["device_id"].as_str().unwrap().to_string();
    let secret = r.data()["secret"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 64, "256 random bits, hex");
    assert!(secret.chars().all(|c| c.is_ascii_hexdigit()));
    let other = h
        .post("/api/v1/devices", &admin, json!({"name": "원장실 노트북"}))
        .await;
    assert_ne!(
        other.data()["secret"],
        json!(secret),
        "each device its own secret"
    );

    // The secret is in that one answer and nowhere else: not stored, not listed, not in the
    // audit trail or the outbox.
    let stored = texts(h, "SELECT secret_hash FROM devices").await;
    assert!(!stored.is_empty());
    assert!(stored.iter().all(|s| s != &secret));
    let listed = h.get("/api/v1/devices", &manager).await;
    listed.expect(200);
    let devices: Vec<Value> = listed.data()["devices"].as_array().unwrap().clone();
    let ours = devices
        .iter()
        .find(|d| d["device_id"] == json!(id))
        .unwrap();
    assert_eq!(ours["name"], "접수 PC 1");
    assert_eq!(ours["revoked"], false);
    assert!(ours["registered_by"].is_string());
    assert!(!listed.body.to_string().contains(&secret));
    assert!(
        !listed.body.to_string().contains(&stored[0]),
        "nor its hash"
    );
    for sql in [
        "SELECT details FROM audit_events",
        "SELECT payload FROM outbox",
    ] {
        assert!(
            texts(h, sql).await.iter().all(|t| !t.contains(&secret)),
            "{sql}"
        );
    }
    let events = h.audit_events(&id, Some("device.register")).await;
    assert_eq!(events.len(), 1, "the registration is in the trail");
    assert_eq!(
        events[0].username.as_deref(),
        Some(super::harness::user_name("manager").as_str())
    );
    assert_eq!(events[0].details["name"], "접수 PC 1");

    // Revoked: kept in the list, marked; a second revoke and an unknown id are refused.
    let path = format!("/api/v1/devices/{id}");
    h.delete(&path, &h.token("staff").await)
        .await
        .expect_error(403, "FORBIDDEN_ROLE");
    let r = h.delete(&path, &admin).await;
    r.expect(200);
    assert_eq!(r.data()["revoked"], true);
    assert!(r.data()["revoked_at"].is_string());
    assert_eq!(h.audit_events(&id, Some("device.revoke")).await.len(), 1);
    h.delete(&path, &admin)
        .await
        .expect_error(409, "DEVICE_ALREADY_REVOKED");
    let missing = clinicdesk_domain::ids::new_id();
    h.delete(&format!("/api/v1/devices/{missing}"), &admin)
        .await
        .expect_error(404, "DEVICE_NOT_FOUND");
    h.delete("/api/v1/devices/not-an-id", &admin)
        .await
        .expect_error(404, "DEVICE_NOT_FOUND");
}
