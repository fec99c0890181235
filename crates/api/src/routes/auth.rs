//! Login, refresh, logout, me.
//!
//! Where the refresh token travels depends on the transport: in-process (the desktop) it is in
//! the response body, and the desktop keeps it in the OS keyring; over HTTP it is only ever in
//! an `HttpOnly`, `SameSite=Strict` cookie scoped to `/api/v1/auth`, so a script in the page
//! cannot read it. A login lasts at most [`AppState::refresh_absolute_days`] however often it
//! is refreshed, and a refresh token presented again after it was replaced revokes its whole
//! login (it was copied: theft detection).

use crate::auth::{self as a, AuthUser, Claims, LoginDevice};
use crate::body::JsonBody;
use crate::envelope::{ok, ApiError, ApiResult};
use crate::limits::ClientIp;
use crate::openapi::schemas::{
    LoggedOut, LoginRequest, RefreshRequest, TokenPair, User as UserSchema,
};
use crate::state::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use clinicdesk_domain::fields::{object, opt_text, reject_unknown, required_text};
use clinicdesk_domain::{DomainError, ErrorCode, Role};
use clinicdesk_store::access_log::Access;
use clinicdesk_store::users::{self, AuthSession, User};
use clinicdesk_store::Actor;
use serde_json::{json, Value};

/// The refresh cookie's name.
pub const REFRESH_COOKIE: &str = "clinicdesk_refresh";
/// Only the auth endpoints ever receive the cookie.
const COOKIE_PATH: &str = "/api/v1/auth";

/// What the auth endpoints need to know about how a request came.
pub struct Transport {
    in_process: bool,
    device_header: Option<String>,
    refresh_cookie: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Transport {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let refresh_cookie = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == REFRESH_COOKIE)
            .map(|(_, value)| value.trim().to_string())
            .filter(|v| !v.is_empty());
        Ok(Transport {
            in_process: crate::transport::is_in_process(&parts.extensions),
            device_header: parts
                .headers
                .get("x-device-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            refresh_cookie,
        })
    }
}

impl crate::openapi::ExtractorDoc for Transport {}

impl Transport {
    /// The device a login from this request names for its session (see [`LoginDevice`]).
    pub(crate) fn login_device(&self, claimed_in_body: Option<&str>) -> Option<String> {
        LoginDevice::resolve(
            self.in_process,
            self.device_header.as_deref(),
            claimed_in_body,
        )
        .0
    }
}

fn user_json(id: &str, username: &str, display_name: &str, role: &str) -> Value {
    json!({ "id": id, "username": username, "display_name": display_name, "role": role })
}

/// The answer of a login or refresh: a new access token (never outliving its login) and the
/// refresh token — in the body in-process, in the cookie over HTTP.
fn token_pair(
    state: &AppState,
    transport: &Transport,
    user: &User,
    session: &AuthSession,
    refresh_token: String,
) -> ApiResult {
    token_pair_with(state, transport, user, session, refresh_token, json!({}))
}

/// [`token_pair`] with `extra` keys beside the tokens (a patient's sign-up shows its PIN).
pub(crate) fn token_pair_with(
    state: &AppState,
    transport: &Transport,
    user: &User,
    session: &AuthSession,
    refresh_token: String,
    extra: Value,
) -> ApiResult {
    let now = state.now().timestamp();
    let session_end = chrono::DateTime::parse_from_rfc3339(&session.expires_at)
        .map(|t| t.timestamp())
        .unwrap_or(now);
    let exp = (now + state.access_ttl_seconds).min(session_end);
    let claims = Claims {
        sub: user.id.clone(),
        sid: session.id.clone(),
        username: user.username.clone(),
        role: user.role.clone(),
        iat: now,
        exp,
    };
    let mut data = json!({
        "access_token": a::issue_access_token(state, &claims)?,
        "token_type": "Bearer",
        "expires_in": exp - now,
        "user": user_json(&user.id, &user.username, &user.display_name, &user.role),
    });
    if let (Some(data), Value::Object(extra)) = (data.as_object_mut(), extra) {
        data.extend(extra);
    }
    if transport.in_process {
        data["refresh_token"] = json!(refresh_token);
        return Ok(ok(data));
    }
    let max_age = (session_end - now).max(0);
    let mut resp = ok(data);
    set_cookie(state, &mut resp, &refresh_token, max_age)?;
    Ok(resp)
}

fn set_cookie(
    state: &AppState,
    resp: &mut Response,
    value: &str,
    max_age: i64,
) -> Result<(), ApiError> {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{REFRESH_COOKIE}={value}; Path={}{COOKIE_PATH}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}",
        state.path_prefix
    );
    let value = HeaderValue::from_str(&cookie)
        .map_err(|e| ApiError(DomainError::internal(e.to_string())))?;
    resp.headers_mut().append(header::SET_COOKIE, value);
    Ok(())
}

fn timestamp_in(state: &AppState, days: i64) -> String {
    clinicdesk_store::timestamp(state.now() + chrono::Duration::days(days))
}

pub(crate) fn system_actor(user: Option<&User>, device_id: Option<String>) -> Actor {
    Actor {
        user_id: user.map(|u| u.id.clone()),
        username: user.map(|u| u.username.clone()),
        role: user.map(|u| u.role.clone()),
        device_id,
        request_id: Some(crate::envelope::request_id()),
        client_request_id: crate::envelope::client_request_id(),
    }
}

/// 로그인 (log in)
///
/// 아이디와 비밀번호로 로그인해 access 토큰과 refresh 토큰을 받습니다. 틀린 아이디와 틀린
/// 비밀번호는 같은 오류, 같은 시간으로 답합니다 (usernames cannot be probed).
///
/// **refresh 토큰이 가는 곳 (where the refresh token travels):**
/// - 프로세스 안(데스크톱): 답의 `refresh_token`. 데스크톱은 OS 키링에 둡니다.
/// - HTTP: 답에 `refresh_token`이 없고, `Set-Cookie: clinicdesk_refresh=…; HttpOnly;
///   SameSite=Strict; Path=/api/v1/auth` 쿠키로만 갑니다 (페이지의 스크립트가 읽을 수 없음).
///
/// 같은 아이디로 실패가 거듭되면 답이 느려지고, 10번이면 15분 동안 429
/// `RATE_LIMIT_EXCEEDED` (`details.locked`, `Retry-After`)로 잠깁니다 — 맞는 비밀번호도.
#[utoipa::path(post, path = "/auth/login",
    request_body = LoginRequest,
    responses((status = 200, body = TokenPair, headers(("Set-Cookie" = String,
        description = "HTTP로만: `clinicdesk_refresh` (HttpOnly, SameSite=Strict, Path=/api/v1/auth, Max-Age = 로그인의 남은 수명)")))),
    extensions(("x-errors" = json!(["AUTH_INVALID_CREDENTIALS", "RATE_LIMIT_EXCEEDED"]))))]
pub async fn login(
    State(state): State<AppState>,
    transport: Transport,
    ClientIp(client): ClientIp,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let obj = object(&body)?;
    reject_unknown(obj, &["username", "password", "device_id"], "")?;
    // Usernames are stored lower-case (`account::normalize_username`).
    let username = required_text("username", obj.get("username"), 100)?.to_ascii_lowercase();
    let password = match obj.get("password") {
        Some(Value::String(p)) if !p.is_empty() && p.len() <= 1024 => p.clone(),
        _ => {
            return Err(DomainError::field_error(
                "password",
                clinicdesk_domain::Msg::Required {
                    field: "password".into(),
                },
            )
            .into())
        }
    };
    let body_device = opt_text(
        "device_id",
        obj.get("device_id").unwrap_or(&Value::Null),
        100,
    )?;
    let device_id = transport.login_device(body_device.as_deref());

    // Brute-force guard: refused while the username or client is locked (before any password
    // is checked), slowed after repeated failures; counted as a failure unless it succeeds.
    let now_ms = || state.now().timestamp_millis();
    let attempt = match state.limits().logins.begin(&username, client, now_ms).await {
        Ok(attempt) => attempt,
        Err(refused) => {
            let mut access = Access::new(
                &system_actor(None, device_id),
                &state.now_text(),
                "auth.login_refused",
                "user",
                None,
            );
            access.details = json!({
                "username": username.chars().take(50).collect::<String>(),
                "reason": refused.0.code.as_str(),
                "ip": client.map(|ip| ip.to_string()),
            });
            state.db.record_access(access).await?;
            return Err(refused);
        }
    };

    let mut conn = state.db.conn().await?;
    let user = users::by_username(&mut conn, &username).await?;
    drop(conn);
    // Argon2 runs off the async workers; a wrong username is verified against a dummy hash,
    // so it takes as long as a wrong password and usernames cannot be probed by timing.
    let hash = match &user {
        Some(u) => u.password_hash.clone(),
        None => clinicdesk_security::passwords::dummy_hash().to_string(),
    };
    let mut password_ok = clinicdesk_security::verify_password_async(password.clone(), hash).await;
    let mut user = user;
    // On a sync node, a password this node cannot confirm (an account that arrived by sync,
    // a password changed on the server) is asked of the central server when it is reachable;
    // confirmed, it is kept as this node's verifier for offline logins.
    if !password_ok {
        if let Some(engine) = &state.sync_engine {
            if let Ok(true) = engine.verify_upstream(&username, &password).await {
                if user.is_none() {
                    let _ = engine.run_round().await;
                    let mut conn = state.db.conn().await?;
                    user = users::by_username(&mut conn, &username).await?;
                }
                if user.is_some() {
                    if let Ok(hash) = clinicdesk_security::hash_password_async(password).await {
                        let mut conn = state.db.conn().await?;
                        users::cache_verifier(&mut conn, &username, &hash).await?;
                        password_ok = true;
                    }
                }
            }
        }
    }
    // A demo account outside demo mode answers exactly like a wrong password.
    let user = match user {
        Some(u) if password_ok && u.usable(state.demo_mode) && Role::parse(&u.role).is_some() => u,
        other => {
            let reason = match &other {
                None => "unknown_user",
                Some(u) if !u.active => "inactive_user",
                Some(u) if !u.usable(state.demo_mode) => "demo_account_outside_demo_mode",
                Some(_) if !password_ok => "wrong_password",
                Some(_) => "unknown_role",
            };
            let mut access = Access::new(
                &system_actor(other.as_ref(), device_id),
                &state.now_text(),
                "auth.login_failed",
                "user",
                other.as_ref().map(|u| u.id.as_str()),
            );
            // The name as typed (it may be a mistyped password: kept short), and why.
            access.details = json!({
                "username": username.chars().take(50).collect::<String>(),
                "reason": reason,
                "ip": client.map(|ip| ip.to_string()),
            });
            state.db.record_access(access).await?;
            return Err(ApiError::code(ErrorCode::AuthInvalidCredentials));
        }
    };
    attempt.succeeded();
    open_session(&state, &transport, &user, device_id).await
}

/// Starts a login session for `user` (whose credentials were just checked) and answers with
/// the token pair: login, and the first administrator's set-up.
pub(crate) async fn open_session(
    state: &AppState,
    transport: &Transport,
    user: &User,
    device_id: Option<String>,
) -> ApiResult {
    let actor = system_actor(Some(user), device_id.clone());
    let mut w = state.db.begin_write(&actor, &state.now_text()).await?;
    let (session, refresh) = create_session_in(&mut w, state, user, device_id).await?;
    w.commit().await?;
    token_pair(state, transport, user, &session, refresh)
}

/// A login session for `user`, created in `w` (a patient's sign-up creates the account and
/// its first session in one transaction): the session and its refresh token.
pub(crate) async fn create_session_in(
    w: &mut clinicdesk_store::WriteTx,
    state: &AppState,
    user: &User,
    device_id: Option<String>,
) -> Result<(AuthSession, String), ApiError> {
    let refresh = a::new_opaque_token();
    let session = AuthSession {
        id: clinicdesk_domain::ids::new_id(),
        user_id: user.id.clone(),
        device_id: device_id.clone(),
        expires_at: timestamp_in(
            state,
            state.refresh_idle_days.min(state.refresh_absolute_days),
        ),
        absolute_expires_at: timestamp_in(state, state.refresh_absolute_days),
        revoked_at: None,
    };
    users::create_session(w, &session, &a::opaque_token_hash(&refresh)).await?;
    Ok((session, refresh))
}

/// Whether presenting a refresh token replaced at `rotated_at` (RFC 3339) means it was
/// copied: only once the grace period for racing tabs has passed.
fn reuse_is_theft(
    rotated_at: &str,
    now: chrono::DateTime<chrono::Utc>,
    grace_seconds: i64,
) -> bool {
    match chrono::DateTime::parse_from_rfc3339(rotated_at) {
        Ok(t) => now - t.with_timezone(&chrono::Utc) >= chrono::Duration::seconds(grace_seconds),
        // An unreadable time is no reason to keep a login that may be stolen.
        Err(_) => true,
    }
}

fn invalid_refresh() -> ApiError {
    ApiError(
        DomainError::new(ErrorCode::AuthInvalidToken).with_msg(clinicdesk_domain::Msg::SignInAgain),
    )
}

/// The refresh token of this request: the body's in-process, the cookie's over HTTP.
fn presented_refresh(transport: &Transport, body: &Value) -> Result<String, ApiError> {
    if transport.in_process {
        let obj = object(body)?;
        reject_unknown(obj, &["refresh_token"], "")?;
        return Ok(required_text(
            "refresh_token",
            obj.get("refresh_token"),
            200,
        )?);
    }
    if let Some(obj) = body.as_object() {
        reject_unknown(obj, &[], "")?;
    }
    transport.refresh_cookie.clone().ok_or_else(invalid_refresh)
}

/// 토큰 갱신 (refresh)
///
/// refresh 토큰을 새 토큰 쌍으로 바꿉니다. 바뀐 refresh 토큰은 다시 쓸 수 없고, 다시 내밀면
/// (복사된 것이므로) 그 로그인 전체가 끝납니다. 로그인은 마지막 갱신 뒤 14일, 시작 뒤 30일을
/// 넘지 못합니다.
///
/// **두 가지 전송 (two transports):**
/// - 프로세스 안(데스크톱): 본문 `{"refresh_token": "…"}` (필수); 답의 `refresh_token`이 새 토큰.
/// - HTTP: 본문 없이 보냅니다. 브라우저가 `clinicdesk_refresh` 쿠키를 보내고, 새 토큰은
///   `Set-Cookie`로 옵니다 (답에 `refresh_token` 없음). 본문에 토큰이 있으면 422.
#[utoipa::path(post, path = "/auth/refresh",
    request_body(content = Option<RefreshRequest>,
        description = "프로세스 안에서만 (in-process only); HTTP로는 본문 없음"),
    security(("refresh_cookie" = []), ()),
    responses((status = 200, body = TokenPair, headers(("Set-Cookie" = String,
        description = "HTTP로만: 새 `clinicdesk_refresh` 쿠키")))),
    extensions(("x-errors" = json!(["AUTH_INVALID_TOKEN"]))))]
pub async fn refresh(
    State(state): State<AppState>,
    transport: Transport,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let token = presented_refresh(&transport, &body)?;
    let old_hash = a::opaque_token_hash(&token);
    let now = state.now_text();

    let mut conn = state.db.conn().await?;
    let current = users::session_by_refresh_hash(&mut conn, &old_hash).await?;
    let session = match current {
        Some(s) => s,
        None => {
            // A token this session already replaced: someone kept a copy.
            let rotated = users::session_by_rotated_hash(&mut conn, &old_hash).await?;
            drop(conn);
            if let Some((session, rotated_at)) = rotated {
                let theft =
                    reuse_is_theft(&rotated_at, state.now(), state.refresh_reuse_grace_seconds);
                if theft && session.revoked_at.is_none() {
                    let actor = system_actor(None, session.device_id.clone());
                    let mut w = state.db.begin_write(&actor, &now).await?;
                    users::revoke_session(&mut w, &session.id, "auth.refresh_reused").await?;
                    w.commit().await?;
                }
            }
            return Err(invalid_refresh());
        }
    };
    if !session.live_at(&now) {
        return Err(invalid_refresh());
    }
    let user = users::by_id(&mut conn, &session.user_id)
        .await?
        .filter(|u| u.usable(state.demo_mode))
        .ok_or_else(invalid_refresh)?;
    drop(conn);

    let new_token = a::new_opaque_token();
    // The idle limit moves forward; the absolute one never does.
    let expires_at =
        timestamp_in(&state, state.refresh_idle_days).min(session.absolute_expires_at.clone());
    let actor = system_actor(Some(&user), session.device_id.clone());
    let mut w = state.db.begin_write(&actor, &now).await?;
    let rotated = users::rotate_refresh(
        &mut w,
        &session.id,
        &old_hash,
        &a::opaque_token_hash(&new_token),
        &expires_at,
    )
    .await?;
    if !rotated {
        return Err(invalid_refresh());
    }
    w.commit().await?;
    let session = AuthSession {
        expires_at,
        ..session
    };
    token_pair(&state, &transport, &user, &session, new_token)
}

/// 로그아웃 (log out)
///
/// 이 로그인 세션을 끝냅니다: 그 access/refresh 토큰은 더 쓸 수 없습니다. HTTP로는
/// `clinicdesk_refresh` 쿠키도 지웁니다.
#[utoipa::path(post, path = "/auth/logout",
    responses((status = 200, body = LoggedOut, headers(("Set-Cookie" = String,
        description = "HTTP로만: `clinicdesk_refresh=; Max-Age=0` (쿠키를 지움)")))))]
pub async fn logout(
    State(state): State<AppState>,
    transport: Transport,
    user: AuthUser,
) -> ApiResult {
    let mut w = state
        .db
        .begin_write(&user.actor(), &state.now_text())
        .await?;
    users::revoke_session(&mut w, &user.session_id, "auth.logout").await?;
    w.commit().await?;
    let mut resp = crate::envelope::respond(
        axum::http::StatusCode::OK,
        json!({ "logged_out": true }),
        "로그아웃 되었습니다.",
    );
    if !transport.in_process {
        set_cookie(&state, &mut resp, "", 0)?;
    }
    Ok(resp)
}

/// 현재 사용자 (who am I)
#[utoipa::path(get, path = "/auth/me", responses((status = 200, body = UserSchema)))]
pub async fn me(user: AuthUser) -> ApiResult {
    Ok(ok(user_json(
        &user.user_id,
        &user.username,
        &user.display_name,
        user.role.as_str(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuse_within_the_grace_period_is_a_race_not_theft() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-01-01T09:00:10.000Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert!(!reuse_is_theft("2026-01-01T09:00:05.000Z", now, 10));
        assert!(reuse_is_theft("2026-01-01T09:00:00.000Z", now, 10));
        assert!(reuse_is_theft("2026-01-01T09:00:09.000Z", now, 0));
        assert!(reuse_is_theft("garbage", now, 10));
    }
}
