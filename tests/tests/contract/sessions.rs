//! Logins and their secrets: where the refresh token travels, how long a login lasts, what a
//! copied refresh token does, and that no secret can be read from the database.

use super::harness::{user_name, Harness, Payload, PASSWORD};
use serde_json::json;

/// In-process (the desktop) the refresh token is in the body, for the OS keyring; over HTTP
/// it is only in an `HttpOnly`, `SameSite=Strict` cookie scoped to the auth endpoints, and a
/// token sent in a body is not accepted.
pub async fn refresh_token_travels_by_transport(h: &Harness) {
    let login = h.login(&user_name("staff"), PASSWORD).await;
    login.expect(200);
    let token = login.refresh_token();
    if h.in_process() {
        assert!(login.data()["refresh_token"].is_string());
        assert!(!login.headers.contains_key("set-cookie"));
        return;
    }
    assert!(
        login.data().get("refresh_token").is_none(),
        "no refresh token in an HTTP body: {}",
        login.body
    );
    let cookie = login.headers.get("set-cookie").unwrap();
    for part in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/v1/auth",
        "Max-Age=",
    ] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    // A script that read a token somewhere cannot use it from a body.
    let r = h
        .send(
            "POST",
            "/api/v1/auth/refresh",
            None,
            Payload::Json(json!({ "refresh_token": token })),
            &[],
        )
        .await;
    assert!(r.status == 401 || r.status == 422, "{}", r.body);
    h.refresh(&token).await.expect(200);
}

/// A refresh token presented again after it was replaced was copied: the whole login is
/// revoked — the thief's and the owner's tokens alike — and the trail says why.
pub async fn a_reused_refresh_token_ends_the_login(h: &Harness) {
    let login = h.login(&user_name("doctor"), PASSWORD).await;
    let first = login.refresh_token();
    let next = h.refresh(&first).await;
    next.expect(200);
    let second = next.refresh_token();
    let access = next.data()["access_token"].as_str().unwrap().to_string();
    h.get("/api/v1/auth/me", &access).await.expect(200);

    h.refresh(&first)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    h.refresh(&second)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    h.get("/api/v1/auth/me", &access)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    let sid = claims(&access)["sid"].as_str().unwrap().to_string();
    let events = h.audit_events(&sid, Some("auth.refresh_reused")).await;
    assert_eq!(events.len(), 1, "the revocation is audited");
}

fn claims(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&super::cases::base64url_decode(payload)).unwrap()
}

/// However often it is refreshed, a login ends at its absolute expiry; an access token never
/// outlives its login.
pub async fn a_login_has_an_absolute_lifetime(h: &Harness) {
    let login = h.login(&user_name("manager"), PASSWORD).await;
    let access = login.data()["access_token"].as_str().unwrap().to_string();
    let sid = claims(&access)["sid"].as_str().unwrap().to_string();
    // The login is about to reach its absolute end: a refresh can give no more than that.
    let soon = clinicdesk_store::timestamp(chrono::Utc::now() + chrono::Duration::seconds(90));
    sqlx::query("UPDATE auth_sessions SET absolute_expires_at = $1 WHERE id = $2")
        .bind(soon)
        .bind(sid.clone())
        .execute(&h.db.pool)
        .await
        .unwrap();
    let r = h.refresh(&login.refresh_token()).await;
    r.expect(200);
    let exp = claims(r.data()["access_token"].as_str().unwrap())["exp"]
        .as_i64()
        .unwrap();
    assert!(
        exp <= chrono::Utc::now().timestamp() + 90,
        "the access token ends with its login"
    );
    assert!(r.data()["expires_in"].as_i64().unwrap() <= 90);
    let fresh_access = r.data()["access_token"].as_str().unwrap().to_string();
    let refresh = r.refresh_token();

    // Past the absolute end: neither the refresh token nor the access token works.
    let past = clinicdesk_store::timestamp(chrono::Utc::now() - chrono::Duration::seconds(1));
    sqlx::query("UPDATE auth_sessions SET absolute_expires_at = $1 WHERE id = $2")
        .bind(past)
        .bind(sid)
        .execute(&h.db.pool)
        .await
        .unwrap();
    h.refresh(&refresh)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    h.get("/api/v1/auth/me", &fresh_access)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
}

/// A copy of the database holds no signing or sealing secret.
pub async fn no_secret_is_in_the_database(h: &Harness) {
    use sqlx::Row;
    let rows = sqlx::query("SELECT key, value FROM app_settings")
        .fetch_all(&h.db.pool)
        .await
        .unwrap();
    assert!(!rows.is_empty(), "the settings hold at least the node id");
    let keys = h
        .secrets
        .tokens
        .keys()
        .iter()
        .chain(h.secrets.audit.keys())
        .map(|k| hex::encode(k.secret()))
        .collect::<Vec<_>>();
    assert!(!keys.is_empty());
    for r in &rows {
        let key: String = r.try_get("key").unwrap();
        let value: String = r.try_get("value").unwrap();
        assert_ne!(key, "jwt_secret");
        for secret in &keys {
            assert!(!value.contains(secret.as_str()), "{key} holds a secret");
        }
    }
    if h.in_process() {
        // The file itself (and its WAL), byte for byte.
        let path = clinicdesk_store_path(&h.database_url);
        for file in [path.clone(), format!("{path}-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                let text = String::from_utf8_lossy(&bytes);
                for secret in &keys {
                    assert!(!text.contains(secret.as_str()), "{file} holds a secret");
                    let raw = hex::decode(secret).unwrap();
                    assert!(
                        !bytes.windows(raw.len()).any(|w| w == raw.as_slice()),
                        "{file} holds a secret's bytes"
                    );
                }
            }
        }
    }
}

fn clinicdesk_store_path(url: &str) -> String {
    url.trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

/// The server answers with the headers a browser needs to protect the UI; the desktop's
/// in-process answers need none (the window has its own policy).
pub async fn security_headers_over_http(h: &Harness) {
    let r = h.send("GET", "/healthz", None, Payload::None, &[]).await;
    assert_eq!(r.status, 200);
    if h.in_process() {
        assert!(!r.headers.contains_key("content-security-policy"));
        return;
    }
    let csp = r.headers.get("content-security-policy").unwrap();
    for part in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(part), "{part} in {csp}");
    }
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert_eq!(r.headers["referrer-policy"], "no-referrer");
    assert_eq!(r.headers["x-frame-options"], "DENY");
    let err = h
        .send("GET", "/api/v1/nope", None, Payload::None, &[])
        .await;
    assert_eq!(
        err.headers["x-content-type-options"], "nosniff",
        "errors too"
    );
}

/// After a key rotation, tokens signed with the previous key keep working until they expire
/// and new ones name the new key; once the old key leaves the ring its tokens are refused.
pub async fn tokens_survive_a_key_rotation(h: &Harness) {
    let old_token = h.token("doctor").await;
    let old_kid = jwt_kid(&old_token);
    assert_eq!(old_kid, h.secrets.tokens.current().id());
    let mut rotated = h.secrets.clone();
    rotated.tokens = h.secrets.tokens.rotated();
    let after = h
        .beside_with_keys(super::harness::StateOptions::default(), rotated.clone())
        .await;
    after.get("/api/v1/auth/me", &old_token).await.expect(200);
    let login = after.login(&user_name("doctor"), PASSWORD).await;
    login.expect(200);
    let new_token = login.data()["access_token"].as_str().unwrap().to_string();
    assert_eq!(jwt_kid(&new_token), rotated.tokens.current().id());
    assert_ne!(jwt_kid(&new_token), old_kid);

    let mut pruned = rotated.clone();
    pruned.tokens = rotated.tokens.pruned(0);
    let later = h
        .beside_with_keys(super::harness::StateOptions::default(), pruned)
        .await;
    later
        .get("/api/v1/auth/me", &old_token)
        .await
        .expect_error(401, "AUTH_INVALID_TOKEN");
    later.get("/api/v1/auth/me", &new_token).await.expect(200);
}

fn jwt_kid(token: &str) -> String {
    let header = token.split('.').next().unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&super::cases::base64url_decode(header)).unwrap();
    v["kid"].as_str().unwrap_or_default().to_string()
}
