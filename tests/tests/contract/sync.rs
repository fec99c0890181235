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

/// The digests of `h`, table by table: `(digest, rows)`.
async fn digests(h: &Harness) -> std::collections::BTreeMap<String, (String, i64)> {
    let r = h.get("/api/v1/sync/digest", &h.token("admin").await).await;
    r.expect(200);
    r.data()["tables"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                (
                    v["digest"].as_str().unwrap().to_string(),
                    v["rows"].as_i64().unwrap(),
                ),
            )
        })
        .collect()
}

/// Copies one customer row, as it is, from one database to another (what applying a pulled
/// change will do), through the store's write path.
async fn copy_customer(from: &Harness, to: &Harness, id: &str) {
    let record = clinicdesk_store::customers::get(&mut from.db.conn().await.unwrap(), id)
        .await
        .unwrap()
        .unwrap();
    let mut w = to
        .db
        .begin_write(
            &clinicdesk_store::Actor::system("contract-test"),
            &record.updated_at,
        )
        .await
        .unwrap();
    clinicdesk_store::customers::insert(&mut w, &record, &[])
        .await
        .unwrap();
    w.commit().await.unwrap();
}

pub async fn the_digest_says_whether_two_databases_hold_the_same_rows(h: &Harness) {
    for role in ["staff", "doctor", "manager"] {
        h.get("/api/v1/sync/digest", &h.token(role).await)
            .await
            .expect_error(403, "FORBIDDEN_ROLE");
    }
    // Two nodes of their own: the same (empty) synced content, the same digests.
    let a = h.fresh().await;
    let b = h.fresh().await;
    let (da, db) = (digests(&a).await, digests(&b).await);
    assert!(da.len() >= 10, "every synced table: {:?}", da.keys());
    for name in [
        "customer",
        "service_session",
        "package_purchase",
        "audit_event",
        "user",
    ] {
        assert!(da.contains_key(name), "{name}");
    }
    assert!(da.values().all(|(d, _)| d.len() == 64));
    assert_eq!(da["customer"], db["customer"]);
    assert_eq!(da["customer"].1, 0);

    // A customer on one only: that table differs, with its row counted.
    let (id, _) = super::cases::new_customer(&a, json!({"occupation": "교사"})).await;
    let after = digests(&a).await;
    assert_ne!(after["customer"], da["customer"]);
    assert_eq!(after["customer"].1, 1);
    assert_eq!(after["service_session"], da["service_session"]);
    assert_eq!(digests(&b).await["customer"], db["customer"]);
    // The same row on the other: the same digest again.
    copy_customer(&a, &b, &id).await;
    assert_eq!(digests(&b).await["customer"], after["customer"]);
    // And on the other kind of database, the same text: SQLite and PostgreSQL agree.
    let other_kind = if h.in_process() && h.database_url.starts_with("sqlite") {
        None
    } else {
        Some(super::harness::sqlite().await)
    };
    if let Some(c) = other_kind {
        copy_customer(&a, &c, &id).await;
        assert_eq!(digests(&c).await["customer"], after["customer"]);
    }
    // Password hashes never travel, so they are not in the digest: another hash (set here
    // directly, as no endpoint changes a hash alone) leaves it as it was.
    let users_before = digests(&a).await["user"].clone();
    sqlx::query("UPDATE users SET password_hash = 'another'")
        .execute(&a.db.pool)
        .await
        .unwrap();
    assert_eq!(digests(&a).await["user"], users_before);
    sqlx::query("UPDATE users SET display_name = display_name || '님'")
        .execute(&a.db.pool)
        .await
        .unwrap();
    assert_ne!(
        digests(&a).await["user"],
        users_before,
        "a synced column does count"
    );
}
