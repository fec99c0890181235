//! Staff accounts: user management for administrators (`/users`, `Administer`) and every
//! user's own password change (`/auth/password`). Every change goes through the write path
//! (audited, outboxed without password material). Deactivation, a role change and a password
//! reset reach the user's open sessions at their next request: the extractor reads the user
//! row every time, and a reset or a deactivation revokes the sessions outright.

use crate::auth::{Administer, AuthUser, Authorized};
use crate::body::JsonBody;
use crate::envelope::{created, ok, ApiError, ApiResult};
use crate::openapi::schemas::{
    Account, AccountInput, AccountList, AccountUpdate, AccountUpdated, PasswordChange,
    PasswordChanged, PasswordReset, PasswordResetDone, UserId,
};
use crate::routes::customers::checked_id;
use crate::state::AppState;
use axum::extract::{Path, State};
use clinicdesk_domain::account::{self, password_field, AccountChange, AccountState, NewAccount};
use clinicdesk_domain::fields::{object, reject_unknown, required_enum, required_text, Problems};
use clinicdesk_domain::messages::{Kind, Msg};
use clinicdesk_domain::{DomainError, ErrorCode, Role};
use clinicdesk_store::users::{self, User, UserSummary, UserUpdate};
use clinicdesk_store::WriteTx;
use serde_json::{json, Value};

pub fn account_json(u: &UserSummary) -> Value {
    json!({
        "id": u.id,
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role,
        "active": u.active,
        "demo": u.demo,
        "created_at": u.created_at,
        "last_login_at": u.last_login_at,
    })
}

fn duplicate_username(username: &str) -> ApiError {
    ApiError(
        DomainError::new(ErrorCode::DuplicateUsername)
            .with_field("username")
            .with_details(json!({ "username": username })),
    )
}

/// Creates an account inside a write; a taken username is 409 `DUPLICATE_USERNAME`.
pub async fn insert_account(
    w: &mut WriteTx,
    account: &NewAccount,
    role: &str,
    password_hash: String,
) -> Result<User, ApiError> {
    let user = User::new(
        &account.username,
        &account.display_name,
        role,
        password_hash,
    );
    if !users::insert_unique(w, &user).await? {
        return Err(duplicate_username(&account.username));
    }
    Ok(user)
}

/// The password's Argon2id hash, computed off the async workers.
pub async fn hash(password: String) -> Result<String, ApiError> {
    clinicdesk_security::hash_password_async(password)
        .await
        .map_err(|e| ApiError(DomainError::internal(e.to_string())))
}

async fn summary_of(state: &AppState, id: &str) -> Result<Value, ApiError> {
    let mut conn = state.db.conn().await?;
    let summary = users::summary(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::UserNotFound))?;
    Ok(account_json(&summary))
}

/// 사용자 목록 (accounts)
///
/// 모든 직원 계정, 아이디순. `last_login_at`은 가장 최근 로그인 세션이 시작된 때입니다.
#[utoipa::path(get, path = "/users", responses((status = 200, body = AccountList)))]
pub async fn list(State(state): State<AppState>, _admin: Authorized<Administer>) -> ApiResult {
    let mut conn = state.db.conn().await?;
    let all = users::list(&mut conn).await?;
    Ok(ok(json!({
        "users": all.iter().map(account_json).collect::<Vec<_>>(),
        "total": all.len(),
    })))
}

/// 사용자 만들기 (new account)
///
/// 아이디는 앞뒤 공백을 빼고 소문자로 저장합니다. 비밀번호 규칙에 맞지 않으면 422
/// `VALIDATION_ERROR` (`field: password`, `details.problems`).
#[utoipa::path(post, path = "/users",
    request_body = AccountInput,
    responses((status = 201, body = Account)),
    extensions(("x-errors" = json!(["DUPLICATE_USERNAME"]))))]
pub async fn create(
    State(state): State<AppState>,
    admin: Authorized<Administer>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let obj = object(&body)?;
    let mut p = Problems::new();
    p.take(reject_unknown(
        obj,
        &["username", "display_name", "role", "password"],
        "",
    ));
    let role = p.take(required_enum("role", obj.get("role"), &Role::STAFF_ROLES));
    let account = p.take(NewAccount::from_json(obj));
    p.finish()?;
    let (Some(role), Some(account)) = (role, account) else {
        return Err(DomainError::internal("a body without errors lacks role or account").into());
    };
    // A taken name is refused before the (slow) hash; checked again under the write lock.
    if users::by_username(&mut *state.db.conn().await?, &account.username)
        .await?
        .is_some()
    {
        return Err(duplicate_username(&account.username));
    }
    let password_hash = hash(account.password.clone()).await?;
    let mut w = state
        .db
        .begin_write(&admin.actor(), &state.now_text())
        .await?;
    let user = insert_account(&mut w, &account, &role, password_hash).await?;
    w.commit().await?;
    Ok(created(summary_of(&state, &user.id).await?))
}

fn user_not_found() -> ApiError {
    ApiError::code(ErrorCode::UserNotFound)
}

async fn user_in(w: &mut WriteTx, id: &str) -> Result<User, ApiError> {
    // Patients' own logins are not staff accounts: they are not managed here.
    users::by_id(w.conn(), checked_id(id, ErrorCode::UserNotFound)?)
        .await?
        .filter(|u| u.role != "patient")
        .ok_or_else(user_not_found)
}

fn parse_update(body: &Value) -> Result<UserUpdate, ApiError> {
    let obj = object(body)?;
    let mut p = Problems::new();
    p.take(reject_unknown(obj, &["display_name", "role", "active"], ""));
    let mut update = UserUpdate::default();
    if obj.contains_key("display_name") {
        update.display_name = p.take(required_text(
            "display_name",
            obj.get("display_name"),
            account::DISPLAY_NAME_MAX,
        ));
    }
    if obj.contains_key("role") {
        update.role = p.take(required_enum("role", obj.get("role"), &Role::STAFF_ROLES));
    }
    match obj.get("active") {
        None => {}
        Some(Value::Bool(a)) => update.active = Some(*a),
        Some(other) => p.push(
            DomainError::field_error(
                "active",
                Msg::WrongType {
                    field: "active".into(),
                    expected: Kind::Bool,
                },
            )
            .with_details(json!({ "received_value": other })),
        ),
    }
    p.finish()?;
    Ok(update)
}

/// 사용자 바꾸기: 이름, 역할, 활성 (change an account)
///
/// 역할 변경과 비활성화는 그 사용자의 열린 세션의 다음 요청부터 적용되고, 비활성화는 그
/// 계정의 모든 세션을 끝냅니다. 관리자는 자신을 비활성화하거나 관리자에서 내릴 수 없고
/// (`OWN_ACCOUNT_CHANGE`), 마지막 활성 관리자는 그대로 남습니다 (`LAST_ACTIVE_ADMIN`).
#[utoipa::path(put, path = "/users/{id}",
    params(UserId),
    request_body = AccountUpdate,
    responses((status = 200, body = AccountUpdated)),
    extensions(("x-errors" = json!(["USER_NOT_FOUND", "OWN_ACCOUNT_CHANGE", "LAST_ACTIVE_ADMIN"]))))]
// An administrator cannot deactivate or demote themself, and the last active administrator
// stays one (checked under the write lock, so two administrators deactivating each other at
// once cannot both succeed).
pub async fn update(
    State(state): State<AppState>,
    admin: Authorized<Administer>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let change = parse_update(&body)?;
    let mut w = state
        .db
        .begin_write(&admin.actor(), &state.now_text())
        .await?;
    let target = user_in(&mut w, &id).await?;
    let target_role = Role::parse(&target.role)
        .ok_or_else(|| ApiError(DomainError::internal("a stored role is unknown")))?;
    let active_admins = users::usable_admins(w.conn(), state.demo_mode).await?;
    account::check_account_change(
        target.id == admin.user_id,
        AccountState {
            role: target_role,
            active: target.usable(state.demo_mode),
        },
        AccountChange {
            role: change.role.as_deref().and_then(Role::parse),
            active: change.active,
        },
        active_admins,
    )?;
    let fields = users::update(&mut w, &target, &change).await?;
    // Deactivation ends the sessions too, so reactivating an account later does not bring
    // its old sessions back.
    let revoked = if change.active == Some(false) && target.active {
        users::revoke_sessions_of(&mut w, &target.id, None).await?
    } else {
        0
    };
    w.commit().await?;
    let mut data = summary_of(&state, &target.id).await?;
    data["updated_fields"] = json!(fields);
    data["sessions_revoked"] = json!(revoked);
    Ok(ok(data))
}

/// 비밀번호 재설정 (reset a password)
///
/// 비밀번호를 잊은 사용자에게 새 비밀번호를 정해 줍니다; 그 계정의 모든 세션이 끝납니다.
/// 자신의 계정에는 쓸 수 없습니다 (`OWN_ACCOUNT_CHANGE`): 그것은 현재 비밀번호가 필요한
/// `POST /auth/password`로 합니다.
#[utoipa::path(post, path = "/users/{id}/password",
    params(UserId),
    request_body = PasswordReset,
    responses((status = 200, body = PasswordResetDone)),
    extensions(("x-errors" = json!(["USER_NOT_FOUND", "OWN_ACCOUNT_CHANGE"]))))]
// Not for one's own account: that takes the current password, so a stolen session cannot take
// over the account.
pub async fn reset_password(
    State(state): State<AppState>,
    admin: Authorized<Administer>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let obj = object(&body)?;
    reject_unknown(obj, &["new_password"], "")?;
    let new_password = password_field(obj, "new_password")?;
    let target = {
        let mut conn = state.db.conn().await?;
        users::by_id(&mut conn, checked_id(&id, ErrorCode::UserNotFound)?)
            .await?
            .filter(|u| u.role != "patient")
            .ok_or_else(user_not_found)?
    };
    if target.id == admin.user_id {
        return Err(ApiError(
            DomainError::new(ErrorCode::OwnAccountChange).with_msg(Msg::OwnPasswordViaChange),
        ));
    }
    account::check_password("new_password", &new_password, &target.username)?;
    let password_hash = hash(new_password).await?;
    let mut w = state
        .db
        .begin_write(&admin.actor(), &state.now_text())
        .await?;
    users::set_password(&mut w, &target.id, &password_hash, "user.password.reset").await?;
    let revoked = users::revoke_sessions_of(&mut w, &target.id, None).await?;
    w.commit().await?;
    Ok(ok(json!({
        "user_id": target.id,
        "password_reset": true,
        "sessions_revoked": revoked,
    })))
}

/// 내 비밀번호 변경 (change my password)
///
/// 현재 비밀번호와 새 비밀번호를 보냅니다. 현재 비밀번호가 틀리면 422 (`field:
/// current_password`), 새 비밀번호가 같거나 약하면 422 (`field: new_password`). 이 사용자의 다른
/// 세션은 끝나고, 이 요청의 세션은 로그인된 채로 남습니다.
#[utoipa::path(post, path = "/auth/password", tag = "auth",
    request_body = PasswordChange,
    responses((status = 200, body = PasswordChanged)))]
pub async fn change_own_password(
    State(state): State<AppState>,
    user: AuthUser,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let obj = object(&body)?;
    let mut p = Problems::new();
    p.take(reject_unknown(
        obj,
        &["current_password", "new_password"],
        "",
    ));
    let current = p.take(password_field(obj, "current_password"));
    let new_password = p.take(password_field(obj, "new_password"));
    p.finish()?;
    let (Some(current), Some(new_password)) = (current, new_password) else {
        return Err(DomainError::internal("a body without errors lacks a password").into());
    };
    let stored = {
        let mut conn = state.db.conn().await?;
        users::by_id(&mut conn, &user.user_id)
            .await?
            .ok_or_else(user_not_found)?
    };
    if !clinicdesk_security::verify_password_async(current.clone(), stored.password_hash).await {
        return Err(DomainError::field_error("current_password", Msg::CurrentPasswordWrong).into());
    }
    if new_password == current {
        return Err(DomainError::field_error("new_password", Msg::SamePassword).into());
    }
    account::check_password("new_password", &new_password, &user.username)?;
    let password_hash = hash(new_password).await?;
    let mut w = state
        .db
        .begin_write(&user.actor(), &state.now_text())
        .await?;
    users::set_password(
        &mut w,
        &user.user_id,
        &password_hash,
        "user.password.change",
    )
    .await?;
    let revoked = users::revoke_sessions_of(&mut w, &user.user_id, Some(&user.session_id)).await?;
    w.commit().await?;
    Ok(ok(json!({
        "password_changed": true,
        "other_sessions_revoked": revoked,
    })))
}
