//! Accounts: demo accounts only in demo mode, the first administrator's set-up, user
//! management for administrators, password changes, and what reaches open sessions. Each case
//! holds on both transports; first-run cases need a database without users, which they get
//! from [`Harness::empty`] (in-process, on SQLite or on a new PostgreSQL database).

use super::cases::futures_join_all;
use super::harness::{user_name, Harness, Payload, Resp, StateOptions, PASSWORD};
use clinicdesk_store::users::{self, User};
use clinicdesk_store::Actor;
use serde_json::{json, Value};

/// A password every rule accepts.
const STRONG: &str = "Blue-Harbor-Lamp-42";
const STRONGER: &str = "Quiet river 7 stones";

fn unique_username(prefix: &str) -> String {
    let id = uuid::Uuid::now_v7().simple().to_string();
    format!("{prefix}-{}", &id[id.len() - 10..])
}

fn setup_allowed() -> StateOptions {
    StateOptions {
        first_run_setup: true,
        ..StateOptions::default()
    }
}

fn demo_mode() -> StateOptions {
    StateOptions {
        demo_mode: true,
        ..StateOptions::default()
    }
}

async fn anonymous(h: &Harness, method: &str, path: &str, body: Value) -> Resp {
    let payload = if body.is_null() {
        Payload::None
    } else {
        Payload::Json(body)
    };
    h.send(method, path, None, payload, &[]).await
}

/// An account made by the contract administrator through the API: (id, username).
async fn new_user(h: &Harness, role: &str) -> (String, String) {
    let username = unique_username(&format!("acct-{role}"));
    let r = h
        .post(
            "/api/v1/users",
            &h.token("admin").await,
            json!({"username": username, "display_name": "계정 테스트", "role": role, "password": STRONG}),
        )
        .await;
    r.expect(201);
    (r.data()["id"].as_str().unwrap().to_string(), username)
}

/// Logs in; (access token, refresh token).
async fn tokens(h: &Harness, username: &str, password: &str) -> (String, String) {
    let r = h.login(username, password).await;
    r.expect(200);
    (
        r.data()["access_token"].as_str().unwrap().to_string(),
        r.refresh_token(),
    )
}

async fn refresh(h: &Harness, refresh_token: &str) -> Resp {
    h.refresh(refresh_token).await
}

/// An account written straight into the database, as an older version or the demo seed left
/// it.
async fn insert_user(h: &Harness, username: &str, role: &str, demo: bool, password: &str) -> User {
    let mut user = User::new(
        username,
        "직접 넣은 계정",
        role,
        clinicdesk_security::hash_password(password).unwrap(),
    );
    user.demo = demo;
    let mut w =
        h.db.begin_write(
            &Actor::system("contract-test"),
            &clinicdesk_store::timestamp(chrono::Utc::now()),
        )
        .await
        .unwrap();
    users::insert(&mut w, &user).await.unwrap();
    w.commit().await.unwrap();
    user
}

async fn texts(h: &Harness, sql: &str, id: &str) -> Vec<String> {
    use sqlx::Row;
    sqlx::query(sql)
        .bind(id.to_string())
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

async fn audit_actions(h: &Harness, id: &str) -> Vec<String> {
    clinicdesk_store::audit::of_entity(&h.db, id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

async fn stored_hash(h: &Harness, id: &str) -> String {
    let mut conn = h.db.conn().await.unwrap();
    users::by_id(&mut conn, id)
        .await
        .unwrap()
        .unwrap()
        .password_hash
}

// ---------------------------------------------------------------------------------------------
// Demo mode

pub async fn demo_accounts_only_in_demo_mode(h: &Harness) {
    // A demo account in the database, as a database that once ran in demo mode has it.
    let name = unique_username("demo");
    insert_user(h, &name, "admin", true, "clinicdesk-demo").await;
    // Not in demo mode (the shared harnesses never are): refused like a wrong password.
    h.login(&name, "clinicdesk-demo")
        .await
        .expect_error(401, "AUTH_INVALID_CREDENTIALS");

    // A process in demo mode on the same database lets it in…
    let demo = h.beside(demo_mode()).await;
    let (access, refresh_token) = tokens(&demo, &name, "clinicdesk-demo").await;
    demo.get("/api/v1/auth/me", &access).await.expect(200);
    // …but its token and refresh token are refused by a process that is not in demo mode.
    h.get("/api/v1/auth/me", &access)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    h.get("/api/v1/customers", &access)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    refresh(h, &refresh_token)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    // A real account beside it is unaffected.
    h.login(&user_name("admin"), PASSWORD).await.expect(200);
}

pub async fn demo_admins_do_not_count_outside_demo_mode(h: &Harness) {
    let fresh = h.empty(setup_allowed()).await;
    let r = anonymous(&fresh, "GET", "/api/v1/setup", Value::Null).await;
    r.expect(200);
    assert_eq!(r.data()["needs_setup"], true);
    insert_user(&fresh, "admin", "admin", true, "clinicdesk-demo").await;
    // Only a demo administrator: a plain install still needs its own.
    let r = anonymous(&fresh, "GET", "/api/v1/setup", Value::Null).await;
    assert_eq!(r.data()["needs_setup"], true, "{}", r.body);
    // In demo mode the demo administrator can log in: no set-up.
    let demo = fresh.beside(demo_mode()).await;
    let r = anonymous(&demo, "GET", "/api/v1/setup", Value::Null).await;
    assert_eq!(r.data()["needs_setup"], false, "{}", r.body);
}

// ---------------------------------------------------------------------------------------------
// First run

pub async fn setup_is_not_offered_by_a_server(h: &Harness) {
    // The shared harnesses run as a server does: set-up off; an administrator exists.
    let r = anonymous(h, "GET", "/api/v1/setup", Value::Null).await;
    r.expect(200);
    assert_eq!(
        r.data(),
        &json!({"needs_setup": false, "setup_allowed": false, "connect_allowed": false})
    );
    let r = anonymous(
        h,
        "POST",
        "/api/v1/setup",
        json!({"username": unique_username("setup"), "display_name": "원장", "password": STRONG}),
    )
    .await;
    r.expect_error(403, "SETUP_NOT_ALLOWED");
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("clinicdesk-server users create"),
        "{message}"
    );
}

pub async fn setup_creates_the_first_admin(h: &Harness) {
    let fresh = h.empty(setup_allowed()).await;
    let r = anonymous(&fresh, "GET", "/api/v1/setup", Value::Null).await;
    r.expect(200);
    assert_eq!(
        r.data(),
        &json!({"needs_setup": true, "setup_allowed": true, "connect_allowed": false})
    );

    // Bad input: nothing is created.
    let cases = [
        (
            json!({"username": "head.admin", "display_name": "원장", "password": "clinicdesk-demo"}),
            "password",
        ),
        (
            json!({"username": "head.admin", "display_name": "원장", "password": "short1!"}),
            "password",
        ),
        (
            json!({"username": "head.admin", "display_name": "원장", "password": "head.admin-2026"}),
            "password",
        ),
        (
            json!({"username": "원장님", "display_name": "원장", "password": STRONG}),
            "username",
        ),
        (
            json!({"username": "head.admin", "password": STRONG}),
            "display_name",
        ),
        (
            json!({"username": "head.admin", "display_name": "원장", "password": STRONG, "role": "staff"}),
            "role",
        ),
    ];
    for (body, field) in cases {
        let r = anonymous(&fresh, "POST", "/api/v1/setup", body.clone()).await;
        r.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(r.field(), field, "{body}: {}", r.body);
    }
    let weak = anonymous(
        &fresh,
        "POST",
        "/api/v1/setup",
        json!({"username": "head.admin", "display_name": "원장", "password": "12345678901"}),
    )
    .await;
    let message = weak.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("두 종류 이상") && message.contains("추측하기 쉬운"),
        "{message}"
    );
    assert_eq!(fresh.count("users", "username <> $1", "").await, 0);

    // The first administrator: answered like a login.
    let r = anonymous(
        &fresh,
        "POST",
        "/api/v1/setup",
        json!({"username": " Head.Admin ", "display_name": "김원장", "password": STRONG}),
    )
    .await;
    r.expect(201);
    assert_eq!(r.data()["token_type"], "Bearer");
    assert_eq!(r.data()["user"]["username"], "head.admin");
    assert_eq!(r.data()["user"]["role"], "admin");
    assert!(r.refresh_token().len() >= 32);
    let access = r.data()["access_token"].as_str().unwrap().to_string();
    let me = fresh.get("/api/v1/auth/me", &access).await;
    me.expect(200);
    assert_eq!(me.data()["display_name"], "김원장");
    let list = fresh.get("/api/v1/users", &access).await;
    list.expect(200);
    assert_eq!(list.data()["total"], 1);
    let id = me.data()["id"].as_str().unwrap().to_string();
    let actions = audit_actions(&fresh, &id).await;
    assert_eq!(
        actions[..2],
        ["user.create", "setup.first_admin"],
        "{actions:?}"
    );

    // Done: no second set-up, and logging in works as usual.
    let r = anonymous(&fresh, "GET", "/api/v1/setup", Value::Null).await;
    assert_eq!(r.data()["needs_setup"], false);
    anonymous(
        &fresh,
        "POST",
        "/api/v1/setup",
        json!({"username": "second", "display_name": "둘째", "password": STRONGER}),
    )
    .await
    .expect_error(409, "SETUP_ALREADY_DONE");
    tokens(&fresh, "HEAD.ADMIN", STRONG).await;
    fresh
        .login("head.admin", "wrong-password-1")
        .await
        .expect_error(401, "AUTH_INVALID_CREDENTIALS");
}

pub async fn setup_creates_one_admin_under_concurrency(h: &Harness) {
    let fresh = h.empty(setup_allowed()).await;
    let attempts = (0..3).map(|i| {
        anonymous(
            &fresh,
            "POST",
            "/api/v1/setup",
            json!({"username": format!("admin-{i}"), "display_name": "원장", "password": STRONG}),
        )
    });
    let results = futures_join_all(attempts).await;
    let created = results.iter().filter(|r| r.status == 201).count();
    let refused = results
        .iter()
        .filter(|r| r.status == 409 && r.code() == "SETUP_ALREADY_DONE")
        .count();
    assert_eq!(
        (created, refused),
        (1, 2),
        "{:?}",
        results.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    assert_eq!(fresh.count("users", "role = $1", "admin").await, 1);
}

// ---------------------------------------------------------------------------------------------
// User management

pub async fn admin_creates_and_lists_users(h: &Harness) {
    let admin = h.token("admin").await;
    let username = unique_username("kim.nurse");
    let r = h
        .post(
            "/api/v1/users",
            &admin,
            json!({"username": format!("  {}  ", username.to_uppercase()), "display_name": " 김간호 ", "role": "staff", "password": STRONG}),
        )
        .await;
    r.expect(201);
    let d = r.data();
    let id = d["id"].as_str().unwrap().to_string();
    assert_eq!(d["username"], username.as_str());
    assert_eq!(d["display_name"], "김간호");
    assert_eq!(d["role"], "staff");
    assert_eq!(d["active"], true);
    assert_eq!(d["demo"], false);
    assert!(d["created_at"].is_string());
    assert!(d["last_login_at"].is_null());
    assert!(d.get("password_hash").is_none() && d.get("password").is_none());

    // The new user logs in with that password; the list then shows the login.
    tokens(h, &username, STRONG).await;
    let list = h.get("/api/v1/users", &admin).await;
    list.expect(200);
    let all = list.data()["users"].as_array().unwrap();
    assert!(!all.is_empty());
    assert_eq!(list.data()["total"], all.len());
    assert!(
        !list.body.to_string().contains("$argon2"),
        "no hash in the list"
    );
    let row = all.iter().find(|u| u["id"] == id.as_str()).unwrap();
    assert!(row["last_login_at"].is_string(), "{row}");
    assert!(all.iter().any(|u| u["username"] == user_name("admin")));

    // A taken username, in any case, is 409.
    for taken in [username.clone(), username.to_uppercase()] {
        let r = h
            .post(
                "/api/v1/users",
                &admin,
                json!({"username": taken, "display_name": "둘", "role": "doctor", "password": STRONGER}),
            )
            .await;
        r.expect_error(409, "DUPLICATE_USERNAME");
        assert_eq!(r.field(), "username");
    }

    // Bad input names the field; nothing is created.
    let fresh_name = unique_username("bad");
    let base = json!({"username": fresh_name, "display_name": "이름", "role": "staff", "password": STRONG});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases = [
        (with("role", json!("root")), "role"),
        (with("role", json!("patient")), "role"),
        (with("username", json!("ab")), "username"),
        (with("username", json!("김간호사")), "username"),
        (with("username", json!("a".repeat(51))), "username"),
        (with("display_name", json!("")), "display_name"),
        (with("password", json!("password123")), "password"),
        (
            with("password", json!(format!("{fresh_name}!!X"))),
            "password",
        ),
        (with("password", Value::Null), "password"),
        (with("active", json!(true)), "active"),
    ];
    for (body, field) in cases {
        let r = h.post("/api/v1/users", &admin, body.clone()).await;
        r.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(r.field(), field, "{body}: {}", r.body);
    }
    assert_eq!(h.count("users", "username = $1", &fresh_name).await, 0);
}

pub async fn role_and_active_changes_reach_open_sessions(h: &Harness) {
    let admin = h.token("admin").await;
    let (id, username) = new_user(h, "staff").await;
    let (access, refresh_token) = tokens(h, &username, STRONG).await;
    let path = format!("/api/v1/users/{id}");
    let template = json!({"name": format!("권한 테스트 {username}"), "price": 1, "validity_days": 1, "sessions": {"red": 1}});

    // As staff: no package templates.
    h.post("/api/v1/packages", &access, template.clone())
        .await
        .expect_error(403, "FORBIDDEN_ROLE");
    // Promoted to manager: the very same token has the new role's permissions at once.
    let r = h.put(&path, &admin, json!({"role": "manager"})).await;
    r.expect(200);
    assert_eq!(r.data()["role"], "manager");
    assert_eq!(r.data()["updated_fields"], json!(["role"]));
    let me = h.get("/api/v1/auth/me", &access).await;
    assert_eq!(me.data()["role"], "manager");
    h.post("/api/v1/packages", &access, template.clone())
        .await
        .expect(201);
    // Back to staff: refused again.
    h.put(&path, &admin, json!({"role": "staff"}))
        .await
        .expect(200);
    h.post("/api/v1/packages", &access, template)
        .await
        .expect_error(403, "FORBIDDEN_ROLE");

    // Renaming changes nothing else.
    let r = h
        .put(&path, &admin, json!({"display_name": "새 이름"}))
        .await;
    r.expect(200);
    assert_eq!(r.data()["display_name"], "새 이름");
    assert_eq!(r.data()["updated_fields"], json!(["display_name"]));
    h.get("/api/v1/auth/me", &access).await.expect(200);

    // Deactivated: the token stops at the next request, refresh and login are refused.
    let r = h.put(&path, &admin, json!({"active": false})).await;
    r.expect(200);
    assert_eq!(r.data()["active"], false);
    assert_eq!(r.data()["sessions_revoked"], 1);
    h.get("/api/v1/auth/me", &access)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    refresh(h, &refresh_token)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    h.login(&username, STRONG)
        .await
        .expect_error(401, "AUTH_INVALID_CREDENTIALS");

    // Reactivated: a new login works; the old sessions stay ended.
    h.put(&path, &admin, json!({"active": true}))
        .await
        .expect(200);
    let (again, _) = tokens(h, &username, STRONG).await;
    h.get("/api/v1/auth/me", &again).await.expect(200);
    h.get("/api/v1/auth/me", &access)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");

    // The trail: before → after for role and active, no hash anywhere.
    let actions = audit_actions(h, &id).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "user.update").count(),
        5,
        "{actions:?}"
    );
    assert!(actions.contains(&"auth.sessions.revoke".to_string()));
    let details = texts(
        h,
        "SELECT details FROM audit_events WHERE entity_id = $1 AND action = 'user.update'",
        &id,
    )
    .await;
    assert!(!details.is_empty());
    assert!(
        details
            .iter()
            .any(|d| d.contains("\"from\":\"staff\"") && d.contains("\"to\":\"manager\"")),
        "{details:?}"
    );
}

pub async fn update_user_rejects_bad_input(h: &Harness) {
    let admin = h.token("admin").await;
    let (id, _) = new_user(h, "doctor").await;
    let path = format!("/api/v1/users/{id}");
    let cases = [
        (json!({"password": STRONGER}), "password"),
        (json!({"username": "renamed"}), "username"),
        (json!({"role": "root"}), "role"),
        (json!({"role": "patient"}), "role"),
        (json!({"active": "no"}), "active"),
        (json!({"display_name": ""}), "display_name"),
        (json!({"display_name": "가".repeat(51)}), "display_name"),
    ];
    for (body, field) in cases {
        let r = h.put(&path, &admin, body.clone()).await;
        r.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(r.field(), field, "{body}: {}", r.body);
    }
    let unknown = uuid::Uuid::now_v7().to_string();
    h.put(
        &format!("/api/v1/users/{unknown}"),
        &admin,
        json!({"active": false}),
    )
    .await
    .expect_error(404, "USER_NOT_FOUND");
    h.put("/api/v1/users/not-an-id", &admin, json!({"active": false}))
        .await
        .expect_error(404, "USER_NOT_FOUND");
    // Nothing to change: answered, nothing written.
    let r = h.put(&path, &admin, json!({})).await;
    r.expect(200);
    assert_eq!(r.data()["updated_fields"], json!([]));
    assert_eq!(
        audit_actions(h, &id).await,
        ["user.create"],
        "only the creation was audited"
    );
}

pub async fn admins_cannot_lock_the_clinic_out(h: &Harness) {
    // Oneself: never deactivated or demoted.
    let admin = h.token("admin").await;
    let me = h.get("/api/v1/auth/me", &admin).await;
    let own = format!("/api/v1/users/{}", me.data()["id"].as_str().unwrap());
    for body in [json!({"active": false}), json!({"role": "manager"})] {
        h.put(&own, &admin, body)
            .await
            .expect_error(409, "OWN_ACCOUNT_CHANGE");
    }
    h.put(&own, &admin, json!({"role": "admin", "active": true}))
        .await
        .expect(200);
    h.get("/api/v1/auth/me", &admin).await.expect(200);

    // Two administrators deactivating each other at once on a clinic with just them: one
    // wins, and the clinic keeps an active administrator.
    let fresh = h.empty(setup_allowed()).await;
    let first = anonymous(
        &fresh,
        "POST",
        "/api/v1/setup",
        json!({"username": "first.admin", "display_name": "첫째", "password": STRONG}),
    )
    .await;
    first.expect(201);
    let a = first.data()["access_token"].as_str().unwrap().to_string();
    let a_id = first.data()["user"]["id"].as_str().unwrap().to_string();
    let second = fresh
        .post(
            "/api/v1/users",
            &a,
            json!({"username": "second.admin", "display_name": "둘째", "role": "admin", "password": STRONGER}),
        )
        .await;
    second.expect(201);
    let b_id = second.data()["id"].as_str().unwrap().to_string();
    let (b, _) = tokens(&fresh, "second.admin", STRONGER).await;
    let results = futures_join_all(
        [(a.clone(), b_id.clone()), (b.clone(), a_id.clone())]
            .into_iter()
            .map(|(token, target)| {
                let fresh = &fresh;
                async move {
                    fresh
                        .put(
                            &format!("/api/v1/users/{target}"),
                            &token,
                            json!({"active": false}),
                        )
                        .await
                }
            }),
    )
    .await;
    let won = results.iter().filter(|r| r.status == 200).count();
    let lost = results
        .iter()
        .filter(|r| {
            (r.status == 409 && r.code() == "LAST_ACTIVE_ADMIN")
                || (r.status == 401 && r.code() == "AUTH_INVALID_TOKEN")
        })
        .count();
    assert_eq!(
        (won, lost),
        (1, 1),
        "{:?}",
        results.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    let mut conn = fresh.db.conn().await.unwrap();
    assert_eq!(users::usable_admins(&mut conn, false).await.unwrap(), 1);
}

pub async fn admin_resets_a_password(h: &Harness) {
    let admin = h.token("admin").await;
    let (id, username) = new_user(h, "doctor").await;
    let (one, _) = tokens(h, &username, STRONG).await;
    let (two, two_refresh) = tokens(h, &username, STRONG).await;
    let path = format!("/api/v1/users/{id}/password");

    for (body, field) in [
        (json!({}), "new_password"),
        (json!({"new_password": "qwerty1234"}), "new_password"),
        (
            json!({"new_password": format!("{username}-Xy")}),
            "new_password",
        ),
        (
            json!({"new_password": STRONGER, "current_password": STRONG}),
            "current_password",
        ),
    ] {
        let r = h.post(&path, &admin, body.clone()).await;
        r.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(r.field(), field, "{body}: {}", r.body);
    }
    let hash_before = stored_hash(h, &id).await;

    let r = h
        .post(&path, &admin, json!({"new_password": STRONGER}))
        .await;
    r.expect(200);
    assert_eq!(r.data()["password_reset"], true);
    assert_eq!(r.data()["sessions_revoked"], 2);
    h.get("/api/v1/auth/me", &one)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    assert_password_replaced(
        h,
        &id,
        &username,
        &two,
        &two_refresh,
        &hash_before,
        "user.password.reset",
    )
    .await;

    // Not one's own (that takes the current password), not an unknown account.
    let me = h.get("/api/v1/auth/me", &admin).await;
    let own = format!(
        "/api/v1/users/{}/password",
        me.data()["id"].as_str().unwrap()
    );
    h.post(&own, &admin, json!({"new_password": STRONGER}))
        .await
        .expect_error(409, "OWN_ACCOUNT_CHANGE");
    let unknown = uuid::Uuid::now_v7().to_string();
    h.post(
        &format!("/api/v1/users/{unknown}/password"),
        &admin,
        json!({"new_password": STRONGER}),
    )
    .await
    .expect_error(404, "USER_NOT_FOUND");
}

pub async fn users_change_their_own_password(h: &Harness) {
    let (id, username) = new_user(h, "staff").await;
    let (current, _) = tokens(h, &username, STRONG).await;
    let (other, other_refresh) = tokens(h, &username, STRONG).await;
    let change = |body: Value| {
        let token = current.clone();
        async move { h.post("/api/v1/auth/password", &token, body).await }
    };

    anonymous(
        h,
        "POST",
        "/api/v1/auth/password",
        json!({"current_password": STRONG, "new_password": STRONGER}),
    )
    .await
    .expect_error(401, "AUTH_INVALID_TOKEN");
    for (body, field) in [
        (
            json!({"current_password": "not-my-password", "new_password": STRONGER}),
            "current_password",
        ),
        (json!({"new_password": STRONGER}), "current_password"),
        (json!({"current_password": STRONG}), "new_password"),
        (
            json!({"current_password": STRONG, "new_password": STRONG}),
            "new_password",
        ),
        (
            json!({"current_password": STRONG, "new_password": "short"}),
            "new_password",
        ),
        (
            json!({"current_password": STRONG, "new_password": "clinicdesk-demo"}),
            "new_password",
        ),
        (
            json!({"current_password": STRONG, "new_password": STRONGER, "username": "x"}),
            "username",
        ),
    ] {
        let r = change(body.clone()).await;
        r.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(r.field(), field, "{body}: {}", r.body);
    }
    let wrong =
        change(json!({"current_password": "not-my-password", "new_password": STRONGER})).await;
    assert!(
        wrong.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("현재 비밀번호"),
        "{}",
        wrong.body
    );
    let hash_before = stored_hash(h, &id).await;

    let r = change(json!({"current_password": STRONG, "new_password": STRONGER})).await;
    r.expect(200);
    assert_eq!(r.data()["password_changed"], true);
    assert_eq!(r.data()["other_sessions_revoked"], 1);
    // This session goes on; the other one ended.
    h.get("/api/v1/auth/me", &current).await.expect(200);
    assert_password_replaced(
        h,
        &id,
        &username,
        &other,
        &other_refresh,
        &hash_before,
        "user.password.change",
    )
    .await;

    // Every role may change its own password.
    for role in ["admin", "manager", "doctor"] {
        let (_, name) = new_user(h, role).await;
        let (token, _) = tokens(h, &name, STRONG).await;
        h.post(
            "/api/v1/auth/password",
            &token,
            json!({"current_password": STRONG, "new_password": STRONGER}),
        )
        .await
        .expect(200);
    }
}

/// After `STRONG` was replaced by `STRONGER` on account `id`: the ended session (`access`,
/// `refresh_token`) is refused, only the new password logs in, the change is audited as
/// `action`, and no password material was stored with it.
async fn assert_password_replaced(
    h: &Harness,
    id: &str,
    username: &str,
    access: &str,
    refresh_token: &str,
    hash_before: &str,
    action: &str,
) {
    h.get("/api/v1/auth/me", access)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    refresh(h, refresh_token)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    h.login(username, STRONG)
        .await
        .expect_error(401, "AUTH_INVALID_CREDENTIALS");
    tokens(h, username, STRONGER).await;
    let actions = audit_actions(h, id).await;
    assert!(actions.iter().any(|a| a == action), "{actions:?}");
    assert_no_password_material(
        h,
        id,
        &[hash_before, &stored_hash(h, id).await, STRONG, STRONGER],
    )
    .await;
}

/// Neither the audit trail nor the sync outbox holds any of `secrets` (hashes, passwords) or
/// any Argon2 hash at all, for the account `id`.
async fn assert_no_password_material(h: &Harness, id: &str, secrets: &[&str]) {
    let details = texts(
        h,
        "SELECT details FROM audit_events WHERE entity_id = $1",
        id,
    )
    .await;
    let payloads = texts(h, "SELECT op FROM sync_log WHERE entity_id = $1", id).await;
    assert!(!details.is_empty(), "the account's changes are audited");
    assert!(
        !payloads.is_empty(),
        "the account's creation is logged for the devices"
    );
    for stored in details.iter().chain(payloads.iter()) {
        assert!(!stored.contains("$argon2"), "a hash was stored: {stored}");
        assert!(!stored.contains("password_hash"), "{stored}");
        for secret in secrets {
            assert!(!stored.contains(secret), "{secret} in {stored}");
        }
    }
}
