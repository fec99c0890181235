//! Nodes and a central server (issue 9): desktops connect, work offline, sync in different
//! orders and end up holding the same data — every conflict shown, the overdrawn package and
//! the customer created twice flagged on every node, anonymisation reaching every copy.
//! The central server is a database of its own (SQLite, or PostgreSQL in the PostgreSQL run)
//! served over HTTP; the nodes are in-process SQLite desktops without a background loop: they
//! are "offline" until a case calls `POST /sync/run`.

use super::cases::{new_template, purchase, unique_name};
use super::harness::{unique_phone, user_name, Harness, Resp, PASSWORD};
use serde_json::{json, Value};

/// Connects `node` to the central server at `url` as its admin; the answer.
async fn connect(node: &Harness, url: &str, name: &str) -> Resp {
    node.send(
        "POST",
        "/api/v1/sync/connect",
        None,
        super::harness::Payload::Json(json!({
            "server_url": url, "username": user_name("admin"), "password": PASSWORD,
            "device_name": name,
        })),
        &[],
    )
    .await
}

/// `POST /sync/run` on a node; what moved.
async fn run(node: &Harness) -> Value {
    let r = node
        .post("/api/v1/sync/run", &node.token("staff").await, json!({}))
        .await;
    r.expect(200);
    r.data().clone()
}

async fn digest(h: &Harness) -> Value {
    let r = h.get("/api/v1/sync/digest", &h.token("admin").await).await;
    r.expect(200);
    r.data()["tables"].clone()
}

/// After a final round on every node, every table's digest is equal on all of them (and the
/// tables that matter hold rows). Logging in writes to the audit trail, so every login the
/// comparison needs happens before that round.
async fn assert_converged(all: &[&Harness]) {
    assert_converged_holding(
        all,
        &[
            "customer",
            "service_session",
            "package_purchase",
            "audit_event",
            "user",
        ],
    )
    .await;
}

/// [`assert_converged`], with the tables that must hold rows named.
async fn assert_converged_holding(all: &[&Harness], tables: &[&str]) {
    for h in all {
        h.token("admin").await;
        h.token("staff").await;
    }
    for _ in 0..2 {
        for node in &all[1..] {
            run(node).await;
        }
    }
    let first = digest(all[0]).await;
    for t in tables {
        assert!(
            first[t]["rows"].as_u64().unwrap_or(0) > 0,
            "{t} holds rows: {first}"
        );
    }
    for (i, h) in all.iter().enumerate().skip(1) {
        let other = digest(h).await;
        for (table, d) in first.as_object().unwrap() {
            if &other[table] != d {
                let ids = |h: &Harness| {
                    let pool = h.db.pool.clone();
                    async move {
                        use sqlx::Row;
                        sqlx::query("SELECT id, action, chain FROM audit_events ORDER BY id")
                            .fetch_all(&pool)
                            .await
                            .unwrap()
                            .iter()
                            .map(|r| {
                                format!(
                                    "{} {} {}",
                                    r.get::<String, _>(0),
                                    r.get::<String, _>(1),
                                    r.get::<String, _>(2)
                                )
                            })
                            .collect::<Vec<_>>()
                    }
                };
                let (x, y) = (ids(all[0]).await, ids(h).await);
                let only_x: Vec<_> = x.iter().filter(|e| !y.contains(e)).collect();
                let only_y: Vec<_> = y.iter().filter(|e| !x.contains(e)).collect();
                panic!("{table} differs on node {i}: only on the first {only_x:?}, only here {only_y:?}");
            }
        }
    }
}

async fn conflicts(h: &Harness) -> Value {
    let r = h
        .get("/api/v1/sync/conflicts", &h.token("manager").await)
        .await;
    r.expect(200);
    r.data().clone()
}

async fn new_customer_on(h: &Harness, name: &str, phone: &str) -> String {
    let r = h
        .post(
            "/api/v1/customers",
            &h.token("staff").await,
            json!({"name": name, "phone": phone, "consent": {"privacy": true}}),
        )
        .await;
    r.expect(201);
    r.data()["id"].as_str().unwrap().to_string()
}

async fn visit(h: &Harness, customer: &str, package: &str) -> Resp {
    h.post(
        &format!("/api/v1/customers/{customer}/sessions"),
        &h.token("staff").await,
        json!({"service_type": "brain", "package_usage_id": package}),
    )
    .await
}

pub async fn offline_desktops_converge_with_conflicts_and_flags(h: &Harness) {
    let central = h.fresh().await;
    let url = central.serve_http().await;
    let a = h.node().await;
    let b = h.node().await;

    // A new desktop: no users yet, so the server's login alone authorises connecting, and its
    // status (how far the first pull has come) needs no login either.
    let setup = a
        .send(
            "GET",
            "/api/v1/setup",
            None,
            super::harness::Payload::None,
            &[],
        )
        .await;
    assert_eq!(setup.data()["connect_allowed"], true);
    let before = a
        .send(
            "GET",
            "/api/v1/sync/status",
            None,
            super::harness::Payload::None,
            &[],
        )
        .await;
    before.expect(200);
    assert_eq!(before.data()["connected"], false);
    let r = connect(&a, &url, "접수 PC A").await;
    r.expect(200);
    assert_eq!(r.data()["first_sync"]["ok"], true, "{}", r.body);
    let device_a = r.data()["device_id"].as_str().unwrap().to_string();
    // The users came down; the connecting admin logs in here with the password the server
    // confirmed, and staff log in once the server confirms theirs.
    a.token("admin").await;
    a.token("staff").await;
    // Once its first sync is done, its status is for its users only.
    a.send(
        "GET",
        "/api/v1/sync/status",
        None,
        super::harness::Payload::None,
        &[],
    )
    .await
    .expect_error(401, "AUTH_INVALID_TOKEN");
    // Wrong credentials upstream are the server's answer, passed on.
    let wrong = b
        .send(
            "POST",
            "/api/v1/sync/connect",
            None,
            super::harness::Payload::Json(json!({
                "server_url": url, "username": user_name("admin"), "password": "wrong-password",
            })),
            &[],
        )
        .await;
    wrong.expect_error(401, "AUTH_INVALID_CREDENTIALS");
    connect(&b, &url, "접수 PC B").await.expect(200);
    // Once a node has users, connecting is for its admins and managers.
    connect(&a, &url, "다시")
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    // The central server connects to no one.
    central
        .post("/api/v1/sync/run", &central.token("staff").await, json!({}))
        .await
        .expect_error(409, "SYNC_IS_CENTRAL");

    // The clinic's data starts on the server: a customer with a one-session package.
    let customer = new_customer_on(&central, &unique_name("동기화"), &unique_phone()).await;
    let template = new_template(&central, json!({"brain": 1}), 30).await;
    let package = purchase(&central, &customer, &template, None).await["package_usage_id"]
        .as_str()
        .unwrap()
        .to_string();
    let moved = run(&a).await;
    assert!(moved["applied"].as_u64().unwrap() > 0, "{moved}");
    run(&b).await;
    let seen = a
        .get(
            &format!("/api/v1/customers/{customer}"),
            &a.token("staff").await,
        )
        .await;
    seen.expect(200);

    // Offline on both: the same field edited differently, the package's last session used on
    // each, and the same new customer registered on each.
    let edit = |h: &'static str| json!({ "occupation": h });
    a.put(
        &format!("/api/v1/customers/{customer}"),
        &a.token("staff").await,
        edit("교사"),
    )
    .await
    .expect(200);
    b.put(
        &format!("/api/v1/customers/{customer}"),
        &b.token("staff").await,
        edit("의사"),
    )
    .await
    .expect(200);
    visit(&a, &customer, &package).await.expect(201);
    visit(&b, &customer, &package).await.expect(201);
    let twin_name = unique_name("중복");
    let twin_phone = unique_phone();
    let twin_a = new_customer_on(&a, &twin_name, &twin_phone).await;
    let twin_b = new_customer_on(&b, &twin_name, &twin_phone).await;
    let pending = a.get("/api/v1/sync/status", &a.token("staff").await).await;
    pending.expect(200);
    assert_eq!(pending.data()["role"], "node");
    assert!(pending.data()["pending_changes"].as_i64().unwrap() > 0);

    // Back online, in different orders.
    run(&b).await;
    run(&a).await;
    run(&b).await;
    assert_converged(&[&central, &a, &b]).await;

    // Both visits kept; one overdraw flag, the same on every node.
    for node in [&central, &a, &b] {
        let c = conflicts(node).await;
        let over = c["overdrawn_packages"].as_array().unwrap();
        assert_eq!(over.len(), 1, "{c}");
        assert_eq!(over[0]["purchase_id"], json!(package));
        assert_eq!(over[0]["overdrawn_sessions"], 1);
        assert_eq!(
            node.count("service_sessions", "package_usage_id = $1", &package)
                .await,
            2
        );
        // The customer registered twice is flagged, not silently kept twice nor merged.
        let merges = c["merge_candidates"].as_array().unwrap();
        assert_eq!(merges.len(), 1, "{c}");
        let pair = [
            merges[0]["customer_a"].clone(),
            merges[0]["customer_b"].clone(),
        ];
        assert!(pair.contains(&json!(twin_a)) && pair.contains(&json!(twin_b)));
        // One conflict: the later edit is kept everywhere, the other shown beside it.
        let list = c["conflicts"].as_array().unwrap();
        assert_eq!(list.len(), 1, "{c}");
        assert_eq!(list[0]["field"], "occupation");
        assert_eq!(list[0]["entity_id"], json!(customer));
        let values = [
            list[0]["kept"]["value"].clone(),
            list[0]["lost"]["value"].clone(),
        ];
        assert!(values.contains(&json!("교사")) && values.contains(&json!("의사")));
        let status = node
            .get("/api/v1/sync/status", &node.token("staff").await)
            .await;
        assert_eq!(status.data()["conflicts"], 1);
        assert_eq!(status.data()["overdrawn_packages"], 1);
    }
    // Every node's audit trail verifies: its own chains with their seals, the chains that
    // arrived from the others for gaps and links (their keys stay on their nodes) — and on the
    // central server, every device's events against that device's signature.
    for node in [&central, &a, &b] {
        let v = node
            .get("/api/v1/audit/verify", &node.token("admin").await)
            .await;
        v.expect(200);
        assert_eq!(v.data()["intact"], true, "{}", v.body);
        let chains = v.data()["chains"].as_array().unwrap();
        assert!(chains.iter().any(|c| c["sealed_here"] == true));
        assert!(
            chains
                .iter()
                .any(|c| c["sealed_here"] == false && c["events"].as_i64().unwrap() > 0),
            "chains from the other nodes: {chains:?}"
        );
        let signed = chains.iter().filter(|c| c["device_signed"] == true).count();
        if std::ptr::eq(node, &central) {
            let received = chains.iter().filter(|c| c["sealed_here"] == false).count();
            assert!(received >= 2, "a chain from each desktop: {chains:?}");
            assert_eq!(signed, received, "{chains:?}");
        } else {
            assert_eq!(signed, 0, "a desktop holds no device keys: {chains:?}");
        }
    }
    let c = conflicts(&a).await;
    let conflict = c["conflicts"][0].clone();
    let kept = conflict["kept"]["value"].clone();
    let lost = conflict["lost"]["value"].clone();
    let shown = central
        .get(
            &format!("/api/v1/customers/{customer}"),
            &central.token("admin").await,
        )
        .await;
    assert_eq!(shown.data()["occupation"], kept, "the later edit wins");

    // Staff may neither see nor resolve conflicts.
    a.get("/api/v1/sync/conflicts", &a.token("staff").await)
        .await
        .expect_error(403, "FORBIDDEN_ROLE");
    // A manager on A picks the value that lost; it syncs like any edit and closes the
    // conflict everywhere.
    let id = conflict["id"].as_str().unwrap();
    let manager = a.token("manager").await;
    a.post(
        &format!("/api/v1/sync/conflicts/{id}/resolve"),
        &manager,
        json!({"choice": "maybe"}),
    )
    .await
    .expect_error(422, "VALIDATION_ERROR");
    a.post(
        &format!("/api/v1/sync/conflicts/{id}/resolve"),
        &manager,
        json!({"choice": "lost"}),
    )
    .await
    .expect(200);
    a.post(
        &format!("/api/v1/sync/conflicts/{id}/resolve"),
        &manager,
        json!({"choice": "lost"}),
    )
    .await
    .expect_error(404, "SYNC_CONFLICT_NOT_FOUND");
    run(&a).await;
    run(&b).await;
    for node in [&central, &a, &b] {
        assert_eq!(conflicts(node).await["conflicts"], json!([]));
        let got = node
            .get(
                &format!("/api/v1/customers/{customer}"),
                &node.token("admin").await,
            )
            .await;
        assert_eq!(got.data()["occupation"], lost);
    }
    assert_converged(&[&central, &a, &b]).await;

    // Anonymised on the server: every node's copy — the row, the field versions, the
    // conflict rows, the outbox — keeps none of the name.
    let name: String = {
        let r = central
            .get(
                &format!("/api/v1/customers/{customer}"),
                &central.token("admin").await,
            )
            .await;
        r.data()["name"].as_str().unwrap().to_string()
    };
    central
        .delete(
            &format!("/api/v1/customers/{customer}?data_retention_policy=anonymize"),
            &central.token("admin").await,
        )
        .await
        .expect(204);
    run(&a).await;
    run(&b).await;
    for node in [&central, &a, &b] {
        for (table, column) in [
            ("customers", "name"),
            ("record_versions", "versions"),
            ("sync_conflicts", "kept_value"),
            ("sync_conflicts", "lost_value"),
            ("outbox", "payload"),
            ("sync_log", "op"),
        ] {
            let n = node
                .count(table, &format!("{column} LIKE '%' || $1 || '%'"), &name)
                .await;
            assert_eq!(
                n, 0,
                "{table}.{column} on {} still holds the name",
                node.kind
            );
        }
    }
    assert_converged(&[&central, &a, &b]).await;
    // The analytics' roll-ups follow what sync applied (an erasure included), on every node.
    let clinic = super::analytics::checked_roll_ups(&central, "sync").await;
    assert!(!clinic.is_empty());
    for node in [&a, &b] {
        assert_eq!(
            super::analytics::checked_roll_ups(node, "sync").await,
            clinic,
            "{}",
            node.kind
        );
    }

    // Users flow down: a user deactivated on the server cannot log in on a node after the
    // next sync, not even offline with the verifier the node keeps.
    let users = central
        .get("/api/v1/users", &central.token("admin").await)
        .await;
    let doctor = users.data()["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == json!(user_name("doctor")))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    a.login(&user_name("doctor"), PASSWORD).await.expect(200);
    central
        .put(
            &format!("/api/v1/users/{doctor}"),
            &central.token("admin").await,
            json!({"active": false}),
        )
        .await
        .expect(200);
    run(&a).await;
    a.login(&user_name("doctor"), PASSWORD)
        .await
        .expect_error(401, "AUTH_INVALID_CREDENTIALS");

    // A revoked device syncs no more, and says why.
    central
        .delete(
            &format!("/api/v1/devices/{device_a}"),
            &central.token("admin").await,
        )
        .await
        .expect(200);
    a.post("/api/v1/sync/run", &a.token("staff").await, json!({}))
        .await
        .expect_error(403, "SYNC_DEVICE_REVOKED");
    let status = a.get("/api/v1/sync/status", &a.token("staff").await).await;
    assert!(status.data()["last_error"]
        .as_str()
        .unwrap()
        .starts_with("SYNC_DEVICE_REVOKED"));
}

/// The audit chain a desktop seals offline verifies on the central server: every event against
/// the signature of the device that made it, with the public key it presented as it pushed
/// (docs/AUDIT.md). An event edited on the server, a second key claimed for the chain and a
/// chain no device registered a key for all fail.
pub async fn a_central_server_verifies_each_devices_audit_signatures(h: &Harness) {
    let central = h.fresh().await;
    let url = central.serve_http().await;
    let a = h.node().await;
    connect(&a, &url, "접수 PC A").await.expect(200);
    new_customer_on(&a, &unique_name("서명"), &unique_phone()).await;
    run(&a).await;
    let chain = a.db.node_id().unwrap().to_string();
    let chain_of = |report: &Value| -> Value {
        report["chains"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["chain"] == json!(chain))
            .cloned()
            .unwrap_or_else(|| panic!("the desktop's chain on the server: {report}"))
    };
    let verify = || async {
        let v = central
            .get("/api/v1/audit/verify", &central.token("admin").await)
            .await;
        v.expect(200);
        v.data().clone()
    };
    let report = verify().await;
    assert_eq!(report["intact"], true, "{report}");
    let mine = chain_of(&report);
    assert_eq!(mine["device_signed"], true, "{mine}");
    assert_eq!(mine["sealed_here"], false, "{mine}");
    assert!(mine["events"].as_i64().unwrap() >= 2, "{mine}");

    // The server keeps the desktop's own public keys, nothing else.
    use sqlx::Row;
    let kept: Vec<(String, String, String)> = sqlx::query(
        "SELECT chain, key_id, public_key FROM device_audit_keys ORDER BY chain, key_id",
    )
    .fetch_all(&central.db.pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect();
    assert_eq!(kept, a.db.audit_public_keys().unwrap());

    // Another device cannot claim the chain with a key of its own.
    let (_, secret) = super::sync::new_device(&central, "다른 PC").await;
    let forged = json!({"ops": [], "audit_keys": [
        {"chain": chain, "key_id": kept[0].1, "public_key": "ab".repeat(32)}
    ]});
    super::sync::as_device(&central, "POST", "/api/v1/sync/push", &secret, Some(forged))
        .await
        .expect_error(409, "SYNC_AUDIT_KEY_MISMATCH");
    let malformed = json!({"ops": [], "audit_keys": [
        {"chain": chain, "key_id": kept[0].1, "public_key": "not a key"}
    ]});
    super::sync::as_device(
        &central,
        "POST",
        "/api/v1/sync/push",
        &secret,
        Some(malformed),
    )
    .await
    .expect_error(422, "VALIDATION_ERROR");
    let same = json!({"ops": [], "audit_keys": [
        {"chain": chain, "key_id": kept[0].1, "public_key": kept[0].2}
    ]});
    super::sync::as_device(&central, "POST", "/api/v1/sync/push", &secret, Some(same))
        .await
        .expect(200);

    // An event of the desktop's edited on the server no longer verifies there.
    sqlx::query("UPDATE audit_events SET details = $1 WHERE chain = $2 AND seq = 2")
        .bind(r#"["memo"]"#)
        .bind(chain.clone())
        .execute(&central.db.pool)
        .await
        .unwrap();
    let report = verify().await;
    assert_eq!(report["intact"], false);
    let mine = chain_of(&report);
    assert_eq!(mine["broken_at"], 2, "{mine}");
    assert!(
        mine["problem"].as_str().unwrap().contains("signature"),
        "{mine}"
    );

    // A chain no device registered a key for cannot be told from a forgery.
    sqlx::query("DELETE FROM device_audit_keys WHERE chain = $1")
        .bind(chain.clone())
        .execute(&central.db.pool)
        .await
        .unwrap();
    let mine = chain_of(&verify().await);
    assert_eq!(mine["broken_at"], 1, "{mine}");
    assert_eq!(mine["device_signed"], false, "{mine}");
    assert!(
        mine["problem"]
            .as_str()
            .unwrap()
            .contains("no device registered"),
        "{mine}"
    );
}

/// The roll-ups of `h` as text, row by row: what the customer list, search filters and the
/// package screens read.
async fn roll_ups(h: &Harness) -> Vec<String> {
    use sqlx::Row;
    let mut out = Vec::new();
    for sql in [
        "SELECT 'customer' AS k, CAST(customer_id AS TEXT) AS id, CAST(total_visits AS TEXT) || '|' || \
         COALESCE(first_visit_date, '-') || '|' || COALESCE(last_visit_date, '-') || '|' || \
         last_activity_date || '|' || CAST(total_revenue AS TEXT) || '|' || \
         CAST(satisfaction_sum AS TEXT) || '|' || CAST(satisfaction_count AS TEXT) || '|' || \
         COALESCE(last_interaction_at, '-') || '|' || CAST(interaction_count AS TEXT) || '|' || \
         CAST(services_used AS TEXT) AS v FROM customer_stats",
        "SELECT 'purchase' AS k, purchase_id AS id, customer_id || '|' || expiry_date || '|' || \
         CAST(total_sessions AS TEXT) || '|' || CAST(used_sessions AS TEXT) || '|' || \
         CAST(remaining_sessions AS TEXT) || '|' || CAST(overdrawn_sessions AS TEXT) AS v \
         FROM purchase_stats",
    ] {
        for r in sqlx::query(sql).fetch_all(&h.db.pool).await.unwrap() {
            out.push(format!(
                "{} {} {}",
                r.get::<String, _>("k"),
                r.get::<String, _>("id"),
                r.get::<String, _>("v")
            ));
        }
    }
    out.sort();
    out
}

/// A first pull of many pages leaves the roll-ups of every row it brought to be recomputed
/// once at its end (`apply::defer_everything`): the node ends with the very roll-ups the
/// server computed write by write, visits voided and packages cancelled included, and nothing
/// left waiting.
pub async fn a_first_pull_of_many_pages_recomputes_every_roll_up(h: &Harness) {
    let central = h.fresh().await;
    let url = central.serve_http().await;
    let staff = central.token("staff").await;
    let manager = central.token("manager").await;
    let template = new_template(&central, json!({"brain": 2, "pulse": 1}), 30).await;
    for i in 0..12 {
        let customer = new_customer_on(&central, &unique_name("첫동기화"), &unique_phone()).await;
        if i % 4 == 3 {
            continue; // never visited: the roll-up's last activity is the registration
        }
        let package = purchase(&central, &customer, &template, None).await["package_usage_id"]
            .as_str()
            .unwrap()
            .to_string();
        for service in ["brain", "pulse"] {
            let r = central
                .post(
                    &format!("/api/v1/customers/{customer}/sessions"),
                    &staff,
                    json!({"service_type": service, "package_usage_id": package, "satisfaction_rating": 4}),
                )
                .await;
            r.expect(201);
            if i % 4 == 1 && service == "brain" {
                let session = r.data()["session_id"].as_str().unwrap().to_string();
                central
                    .post(
                        &format!("/api/v1/sessions/{session}/cancel"),
                        &manager,
                        json!({"reason": "잘못 기록"}),
                    )
                    .await
                    .expect(200);
            }
        }
        central
            .post(
                &format!("/api/v1/customers/{customer}/interactions"),
                &staff,
                json!({"interaction_type": "call"}),
            )
            .await
            .expect(201);
        if i % 4 == 2 {
            central
                .post(
                    &format!("/api/v1/purchases/{package}/cancel"),
                    &manager,
                    json!({"reason": "환불 요청", "refund_amount": 1000, "refund_method": "card"}),
                )
                .await
                .expect(200);
        }
    }
    let expected = roll_ups(&central).await;
    // Every customer; every package but the three cancelled ones.
    assert_eq!(expected.len(), 12 + 6, "{expected:?}");

    // The node pulls 50 ops a page (the harness's limit): this is many pages.
    let node = h.node().await;
    let r = connect(&node, &url, "새 PC").await;
    r.expect(200);
    assert_eq!(r.data()["first_sync"]["ok"], true, "{}", r.body);
    let status = node
        .get("/api/v1/sync/status", &node.token("admin").await)
        .await;
    status.expect(200);
    assert_eq!(roll_ups(&node).await, expected);
    assert_eq!(node.count("sync_dirty", "kind <> $1", "").await, 0);
    let clinic = super::analytics::checked_roll_ups(&central, "writes").await;
    assert!(!clinic.is_empty());
    assert_eq!(
        super::analytics::checked_roll_ups(&node, "a first pull").await,
        clinic
    );
}

/// Registers a patient on `h` as its doctor; the answer.
async fn register_patient(h: &Harness, name: &str) -> Resp {
    h.post(
        "/api/v1/pro/patients/new",
        &h.token("doctor").await,
        json!({"name": name, "phone": unique_phone(), "consent": true}),
    )
    .await
}

pub async fn patient_numbers_stay_unique_across_offline_desktops(h: &Harness) {
    let central = h.fresh().await;
    let url = central.serve_http().await;
    let a = h.node().await;
    let b = h.node().await;
    connect(&a, &url, "진료실 PC A").await.expect(200);
    connect(&b, &url, "진료실 PC B").await.expect(200);
    // Connected, each desktop holds numbers leased for offline registration; offline now,
    // each registers patients — and so does the server.
    let mut numbers = Vec::new();
    let mut patients = Vec::new();
    for (node, who) in [(&a, "A"), (&b, "B"), (&central, "C"), (&a, "A"), (&b, "B")] {
        let r = register_patient(node, &unique_name(&format!("환자{who}"))).await;
        r.expect(201);
        numbers.push(r.data()["patient_number"].as_str().unwrap().to_string());
        patients.push(r.data()["patient_id"].as_str().unwrap().to_string());
    }
    let mut unique = numbers.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), numbers.len(), "{numbers:?}");

    // A diagnosis on A, a knowledge version published on the server: both reach everyone.
    let d = a
        .post(
            "/api/v1/pro/diagnosis",
            &a.token("doctor").await,
            json!({"patient_id": patients[0], "results": [{"allergen": "peanut", "grade": 4}]}),
        )
        .await;
    d.expect(201);
    let did = d.data()["diagnosis_id"].as_str().unwrap().to_string();
    let admin = central.token("admin").await;
    let mut doc = central
        .get("/api/v1/pro/knowledge/current", &admin)
        .await
        .data()["document"]
        .clone();
    doc["version"] = json!("2099-02-01.1");
    central
        .put("/api/v1/pro/knowledge/2099-02-01.1", &admin, doc)
        .await
        .expect(201);
    run(&a).await;
    run(&b).await;
    let on_b = b
        .get(
            &format!("/api/v1/pro/diagnosis/{did}"),
            &b.token("doctor").await,
        )
        .await;
    on_b.expect(200);
    assert_eq!(on_b.data()["prescription"], d.data()["prescription"]);
    assert_eq!(on_b.data()["patient"]["patient_number"], json!(numbers[0]));
    let current = b
        .get("/api/v1/pro/knowledge", &b.token("doctor").await)
        .await;
    assert_eq!(current.data()["current"], "2099-02-01.1");
    let list = b
        .get("/api/v1/pro/patients?limit=100", &b.token("doctor").await)
        .await;
    assert_eq!(list.data()["total"], 5);

    // A desktop that has spent its numbers says so, and has more after its next sync.
    sqlx::query("DELETE FROM patient_number_blocks")
        .execute(&a.db.pool)
        .await
        .unwrap();
    register_patient(&a, &unique_name("환자A"))
        .await
        .expect_error(409, "PATIENT_NUMBER_UNAVAILABLE");
    run(&a).await;
    let r = register_patient(&a, &unique_name("환자A")).await;
    r.expect(201);
    assert!(!numbers.contains(&r.data()["patient_number"].as_str().unwrap().to_string()));
    assert_converged_holding(
        &[&central, &a, &b],
        &[
            "customer",
            "patient",
            "diagnosis",
            "knowledge_version",
            "audit_event",
        ],
    )
    .await;
}
