use crate::auth::{self as a, AuthUser, Claims, DeviceHeader};
use crate::body::JsonBody;
use crate::envelope::{ok, ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use clinicdesk_domain::fields::{object, opt_text, reject_unknown, required_text};
use clinicdesk_domain::{DomainError, ErrorCode, Role};
use clinicdesk_store::users::{self, AuthSession, User};
use clinicdesk_store::Actor;
use serde_json::{json, Value};

fn user_json(id: &str, username: &str, display_name: &str, role: &str) -> Value {
    json!({ "id": id, "username": username, "display_name": display_name, "role": role })
}

async fn token_pair(
    state: &AppState,
    user: &User,
    session_id: &str,
    refresh_token: String,
) -> ApiResult {
    let now = state.now().timestamp();
    let claims = Claims {
        sub: user.id.clone(),
        sid: session_id.to_string(),
        username: user.username.clone(),
        role: user.role.clone(),
        iat: now,
        exp: now + state.access_ttl_seconds,
    };
    Ok(ok(json!({
        "access_token": a::issue_access_token(state, &claims)?,
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": state.access_ttl_seconds,
        "user": user_json(&user.id, &user.username, &user.display_name, &user.role),
    })))
}

fn refresh_expiry(state: &AppState) -> String {
    clinicdesk_store::timestamp(state.now() + chrono::Duration::days(state.refresh_ttl_days))
}

pub async fn login(
    State(state): State<AppState>,
    device: DeviceHeader,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let obj = object(&body)?;
    reject_unknown(obj, &["username", "password", "device_id"], "")?;
    // Usernames are stored lower-case (`account::normalize_username`).
    let username = required_text("username", obj.get("username"), 100)?.to_ascii_lowercase();
    let password = match obj.get("password") {
        Some(Value::String(p)) if !p.is_empty() && p.len() <= 1024 => p.clone(),
        _ => return Err(DomainError::invalid("password", "password 항목은 필수입니다").into()),
    };
    // The device header (set by the desktop shell) wins over what the body claims.
    let device_id = match device.0 {
        Some(d) => Some(d),
        None => opt_text(
            "device_id",
            obj.get("device_id").unwrap_or(&Value::Null),
            100,
        )?,
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
    let password_ok = clinicdesk_security::verify_password_async(password, hash).await;
    // A demo account outside demo mode answers exactly like a wrong password.
    let user = match user {
        Some(u) if password_ok && u.usable(state.demo_mode) && Role::parse(&u.role).is_some() => u,
        _ => return Err(ApiError::code(ErrorCode::AuthInvalidCredentials)),
    };
    open_session(&state, &user, device_id).await
}

/// Starts a login session for `user` (whose credentials were just checked) and answers with
/// the token pair: login, and the first administrator's set-up.
pub(crate) async fn open_session(
    state: &AppState,
    user: &User,
    device_id: Option<String>,
) -> ApiResult {
    let refresh = a::new_refresh_token();
    let session = AuthSession {
        id: clinicdesk_domain::ids::new_id(),
        user_id: user.id.clone(),
        device_id: device_id.clone(),
        expires_at: refresh_expiry(state),
        revoked_at: None,
    };
    let actor = Actor {
        user_id: Some(user.id.clone()),
        username: Some(user.username.clone()),
        role: Some(user.role.clone()),
        device_id,
        request_id: Some(crate::envelope::request_id()),
    };
    let mut w = state.db.begin_write(&actor, &state.now_text()).await?;
    users::create_session(&mut w, &session, &a::refresh_token_hash(&refresh)).await?;
    w.commit().await?;
    token_pair(state, user, &session.id, refresh).await
}

pub async fn refresh(State(state): State<AppState>, JsonBody(body): JsonBody) -> ApiResult {
    let obj = object(&body)?;
    reject_unknown(obj, &["refresh_token"], "")?;
    let token = required_text("refresh_token", obj.get("refresh_token"), 200)?;
    let old_hash = a::refresh_token_hash(&token);
    let invalid = || {
        ApiError(DomainError::new(ErrorCode::AuthInvalidToken).with_message("다시 로그인해 주세요"))
    };

    let mut conn = state.db.conn().await?;
    let session = users::session_by_refresh_hash(&mut conn, &old_hash)
        .await?
        .ok_or_else(invalid)?;
    if session.revoked_at.is_some() || session.expires_at <= state.now_text() {
        return Err(invalid());
    }
    let user = users::by_id(&mut conn, &session.user_id)
        .await?
        .filter(|u| u.usable(state.demo_mode))
        .ok_or_else(invalid)?;
    drop(conn);

    let new_token = a::new_refresh_token();
    let actor = Actor {
        user_id: Some(user.id.clone()),
        username: Some(user.username.clone()),
        role: Some(user.role.clone()),
        device_id: session.device_id.clone(),
        request_id: Some(crate::envelope::request_id()),
    };
    let mut w = state.db.begin_write(&actor, &state.now_text()).await?;
    let rotated = users::rotate_refresh(
        &mut w,
        &session.id,
        &old_hash,
        &a::refresh_token_hash(&new_token),
        &refresh_expiry(&state),
    )
    .await?;
    if !rotated {
        return Err(invalid());
    }
    w.commit().await?;
    token_pair(&state, &user, &session.id, new_token).await
}

pub async fn logout(State(state): State<AppState>, user: AuthUser) -> ApiResult {
    let mut w = state
        .db
        .begin_write(&user.actor(), &state.now_text())
        .await?;
    users::revoke_session(&mut w, &user.session_id).await?;
    w.commit().await?;
    Ok(crate::envelope::respond(
        axum::http::StatusCode::OK,
        json!({ "logged_out": true }),
        "로그아웃 되었습니다.",
    ))
}

pub async fn me(user: AuthUser) -> ApiResult {
    Ok(ok(user_json(
        &user.user_id,
        &user.username,
        &user.display_name,
        user.role.as_str(),
    )))
}
