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
        "SELECT op FROM sync_log",
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

/// A device of its own, registered by a manager: `(device_id, secret)`.
pub(super) async fn new_device(h: &Harness, name: &str) -> (String, String) {
    let r = h
        .post(
            "/api/v1/devices",
            &h.token("manager").await,
            json!({"name": name}),
        )
        .await;
    r.expect(201);
    (
        r.data()["device_id"].as_str().unwrap().to_string(),
        r.data()["secret"].as_str().unwrap().to_string(),
    )
}

/// A call as a device: `Authorization: Device <secret>` and the protocol version.
pub(super) async fn as_device(
    h: &Harness,
    method: &str,
    path: &str,
    secret: &str,
    body: Option<Value>,
) -> super::harness::Resp {
    let auth = format!("Device {secret}");
    let payload = body.map_or(super::harness::Payload::None, super::harness::Payload::Json);
    h.send(
        method,
        path,
        None,
        payload,
        &[
            ("authorization", auth.as_str()),
            ("x-clinicdesk-sync-version", "1"),
        ],
    )
    .await
}

/// A customer's creation, as a node makes it: every required field, one stamp.
fn op(n: u64, node: u128) -> Value {
    let stamp = clinicdesk_sync::Stamp {
        time: 1_000 + n,
        node,
    }
    .to_string();
    let version = |v: Value| json!({ "value": v, "stamp": stamp, "base": null });
    json!({
        "op_id": clinicdesk_domain::ids::new_id(),
        "entity": "customer",
        "entity_id": clinicdesk_domain::ids::new_id(),
        "kind": "upsert",
        "fields": {
            "name": version(json!(format!("동기화 고객 {n}"))),
            "occupation": version(json!(format!("직업 {n}"))),
            "membership_level": version(json!("basic")),
            "customer_status": version(json!("active")),
            "consent_privacy": version(json!("1")),
            "created_at": version(json!("2026-01-01T00:00:00.000Z")),
            "updated_at": version(json!("2026-01-01T00:00:00.000Z")),
        },
        "row": null,
    })
}

/// Pulls until the end from `cursor`; the last cursor.
async fn drain(h: &Harness, secret: &str, mut cursor: i64) -> i64 {
    loop {
        let r = as_device(
            h,
            "GET",
            &format!("/api/v1/sync/pull?cursor={cursor}&limit=5000"),
            secret,
            None,
        )
        .await;
        r.expect(200);
        cursor = r.data()["cursor"].as_i64().unwrap();
        if r.data()["more"] == false {
            return cursor;
        }
    }
}

pub async fn devices_push_and_pull_pages_without_loss_or_repeat(h: &Harness) {
    // A server of its own: every write of the other cases is logged for the devices too.
    let h = &h.fresh().await;
    let (a_id, a) = new_device(h, "접수 PC A").await;
    let (_, b) = new_device(h, "접수 PC B").await;

    // Who may call: a registered device speaking version 1, not a user.
    let staff = h.token("staff").await;
    h.send(
        "GET",
        "/api/v1/sync/pull",
        Some(&staff),
        super::harness::Payload::None,
        &[("x-clinicdesk-sync-version", "1")],
    )
    .await
    .expect_error(401, "AUTH_INVALID_TOKEN");
    as_device(h, "GET", "/api/v1/sync/pull", "0".repeat(64).as_str(), None)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    for version in [None, Some("2")] {
        let auth = format!("Device {a}");
        let mut headers = vec![("authorization", auth.as_str())];
        if let Some(v) = version {
            headers.push(("x-clinicdesk-sync-version", v));
        }
        let r = h
            .send(
                "GET",
                "/api/v1/sync/pull",
                None,
                super::harness::Payload::None,
                &headers,
            )
            .await;
        r.expect_error(400, "SYNC_VERSION_UNSUPPORTED");
        assert_eq!(r.body["error"]["details"]["supported"], json!([1]));
    }

    // B catches up first; from there it must see exactly what A pushes.
    let start = drain(h, &b, 0).await;
    let ops: Vec<Value> = (0..5).map(|n| op(n, 0xA)).collect();
    let ids: Vec<Value> = ops.iter().map(|o| o["op_id"].clone()).collect();
    let r = as_device(
        h,
        "POST",
        "/api/v1/sync/push",
        &a,
        Some(json!({"ops": ops})),
    )
    .await;
    r.expect(200);
    assert_eq!(r.data()["held"], json!(ids));
    // The answer was lost: the same push again writes nothing and answers the same.
    let again = as_device(
        h,
        "POST",
        "/api/v1/sync/push",
        &a,
        Some(json!({"ops": ops})),
    )
    .await;
    assert_eq!(again.data()["held"], json!(ids));
    assert_eq!(h.count("sync_log", "device_id = $1", &a_id).await, 5);

    // Pages of exactly the limit, then empty; one over the limit; and small pages.
    let page = |cursor: i64, limit: i64| {
        let b = b.clone();
        async move {
            let r = as_device(
                h,
                "GET",
                &format!("/api/v1/sync/pull?cursor={cursor}&limit={limit}"),
                &b,
                None,
            )
            .await;
            r.expect(200);
            let d = r.data().clone();
            (
                d["changes"].as_array().unwrap().clone(),
                d["cursor"].as_i64().unwrap(),
                d["more"] == true,
            )
        }
    };
    let (changes, after, more) = page(start, 5).await;
    assert_eq!(
        changes
            .iter()
            .map(|c| c["op_id"].clone())
            .collect::<Vec<_>>(),
        ids
    );
    assert!(!more, "exactly the limit, and nothing after");
    assert_eq!(changes[0], ops[0], "what arrives is what was sent");
    let (empty, same, more) = page(after, 5).await;
    assert!(empty.is_empty() && !more);
    assert_eq!(same, after, "an empty page keeps the cursor");
    let (four, c1, more) = page(start, 4).await;
    assert_eq!(four.len(), 4);
    assert!(more, "one over the limit");
    let (last, c2, more) = page(c1, 4).await;
    assert_eq!((last.len(), more, c2), (1, false, after));
    let mut seen = Vec::new();
    let mut cursor = start;
    loop {
        let (changes, next, more) = page(cursor, 2).await;
        seen.extend(changes.into_iter().map(|c| c["op_id"].clone()));
        cursor = next;
        if !more {
            break;
        }
    }
    assert_eq!(seen, ids, "pages of two: every op once, in order");

    // A does not get its own ops back, and its cursor moves past them.
    let (own, a_cursor, _) = {
        let r = as_device(
            h,
            "GET",
            &format!("/api/v1/sync/pull?cursor={start}"),
            &a,
            None,
        )
        .await;
        let d = r.data().clone();
        (
            d["changes"].as_array().unwrap().clone(),
            d["cursor"].as_i64().unwrap(),
            d["more"] == true,
        )
    };
    assert!(own.iter().all(|c| !ids.contains(&c["op_id"])));
    assert!(a_cursor >= after);

    // Refusals: too many ops, a table that does not sync, a bad page size.
    let many: Vec<Value> = (0..1001).map(|n| op(n, 0xA)).collect();
    as_device(
        h,
        "POST",
        "/api/v1/sync/push",
        &a,
        Some(json!({"ops": many})),
    )
    .await
    .expect_error(413, "SYNC_BATCH_TOO_LARGE");
    let mut bad = op(9, 0xA);
    bad["entity"] = json!("auth_sessions");
    let r = as_device(
        h,
        "POST",
        "/api/v1/sync/push",
        &a,
        Some(json!({"ops": [bad]})),
    )
    .await;
    r.expect_error(422, "VALIDATION_ERROR");
    assert_eq!(r.field(), "ops[0].entity");
    as_device(h, "GET", "/api/v1/sync/pull?limit=0", &a, None)
        .await
        .expect_error(422, "VALIDATION_ERROR");
    // A cursor beyond what the server holds (a server restored from a backup) is said, never
    // answered with "nothing new".
    let beyond = format!("/api/v1/sync/pull?cursor={}", after + 1_000_000);
    let ahead = as_device(h, "GET", &beyond, &a, None).await;
    ahead.expect_error(409, "SYNC_CURSOR_AHEAD");
    assert!(ahead.body["error"]["details"]["head"].as_i64().unwrap() >= after);

    // Who pushed is in the trail and the device list; a revoked device syncs no more.
    assert!(!h.audit_events(&a_id, Some("sync.push")).await.is_empty());
    let listed = h.get("/api/v1/devices", &h.token("manager").await).await;
    let mine = listed.data()["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device_id"] == json!(a_id))
        .cloned()
        .unwrap();
    assert!(mine["last_seen_at"].is_string());
    h.delete(&format!("/api/v1/devices/{a_id}"), &h.token("admin").await)
        .await
        .expect(200);
    as_device(
        h,
        "POST",
        "/api/v1/sync/push",
        &a,
        Some(json!({"ops": [op(1, 0xA)]})),
    )
    .await
    .expect_error(403, "SYNC_DEVICE_REVOKED");
    as_device(h, "GET", "/api/v1/sync/pull", &a, None)
        .await
        .expect_error(403, "SYNC_DEVICE_REVOKED");
}

/// Pushes from several devices at once while another pulls all along: the puller gets every
/// op exactly once and each device's ops in the order it sent them — the cursor never passes
/// over a push that commits late.
pub async fn concurrent_pushes_reach_a_puller_exactly_once(h: &Harness) {
    let h = &h.fresh().await;
    const DEVICES: usize = 4;
    const BATCHES: usize = 5;
    const PER_BATCH: usize = 10;
    let mut pushers = Vec::new();
    for d in 0..DEVICES {
        pushers.push(new_device(h, &format!("동시 PC {d}")).await.1);
    }
    let (_, reader) = new_device(h, "읽는 PC").await;
    let start = drain(h, &reader, 0).await;
    let batches: Vec<(usize, Vec<Value>)> = (0..DEVICES)
        .flat_map(|d| (0..BATCHES).map(move |b| (d, b)))
        .map(|(d, b)| {
            let ops = (0..PER_BATCH)
                .map(|i| op((b * PER_BATCH + i) as u64, d as u128 + 1))
                .collect();
            (d, ops)
        })
        .collect();
    let sent: Vec<Value> = batches
        .iter()
        .flat_map(|(_, ops)| ops.iter().map(|o| o["op_id"].clone()))
        .collect();
    let pushes = async {
        // Each device sends its batches in order; the devices overlap.
        super::cases::futures_join_all((0..DEVICES).map(|d| {
            let mine: Vec<Vec<Value>> = batches
                .iter()
                .filter(|(x, _)| *x == d)
                .map(|(_, ops)| ops.clone())
                .collect();
            let secret = pushers[d].clone();
            async move {
                for ops in mine {
                    as_device(
                        h,
                        "POST",
                        "/api/v1/sync/push",
                        &secret,
                        Some(json!({"ops": ops})),
                    )
                    .await
                    .expect(200);
                }
            }
        }))
        .await
    };
    let pulls = async {
        let mut got: Vec<Value> = Vec::new();
        let mut cursor = start;
        for _ in 0..2_000 {
            let r = as_device(
                h,
                "GET",
                &format!("/api/v1/sync/pull?cursor={cursor}&limit=7"),
                &reader,
                None,
            )
            .await;
            r.expect(200);
            got.extend(
                r.data()["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["op_id"].clone()),
            );
            cursor = r.data()["cursor"].as_i64().unwrap();
            if got.len() >= sent.len() {
                break;
            }
            tokio::task::yield_now().await;
        }
        got
    };
    let (_, got) = tokio::join!(pushes, pulls);
    let mut unique = got.clone();
    unique.sort_by_key(|v| v.as_str().unwrap_or("").to_string());
    unique.dedup();
    assert_eq!(unique.len(), got.len(), "no op twice");
    let mut expected = sent.clone();
    expected.sort_by_key(|v| v.as_str().unwrap_or("").to_string());
    assert_eq!(unique, expected, "every op, none lost");
    // Each device's ops keep their order.
    for d in 0..DEVICES {
        let theirs: Vec<&Value> = batches
            .iter()
            .filter(|(x, _)| *x == d)
            .flat_map(|(_, ops)| ops.iter().map(|o| &o["op_id"]))
            .collect();
        let order: Vec<&Value> = got.iter().filter(|g| theirs.contains(g)).collect();
        assert_eq!(order, theirs, "device {d}'s order");
    }
}
