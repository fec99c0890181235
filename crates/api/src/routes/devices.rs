//! Devices that sync with this server (issue 9): a manager or admin registers a front-desk PC
//! and gets its secret once; the list never shows a secret; revoking stops its next sync.

use super::customers::checked_id;
use crate::auth::{new_opaque_token, opaque_token_hash, Authorized, RegisterDevices};
use crate::body::JsonBody;
use crate::envelope::{created, ok, ApiError, ApiResult};
use crate::openapi::schemas::{DeviceId, DeviceInput, DeviceItem, DeviceList, DeviceRegistered};
use crate::state::AppState;
use axum::extract::{Path, State};
use clinicdesk_domain::device::parse_device;
use clinicdesk_domain::{ids, ErrorCode};
use clinicdesk_store::devices;
use serde_json::json;

/// 기기 등록 (register a device; managers, admins)
///
/// 답의 `secret`은 이때 한 번만 보입니다: 서버는 그 해시만 보관하고, 기록(감사, 동기화)에도
/// 남기지 않습니다.
#[utoipa::path(post, path = "/devices",
    request_body = DeviceInput,
    responses((status = 201, body = DeviceRegistered)))]
pub async fn register(
    State(state): State<AppState>,
    user: Authorized<RegisterDevices>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let request = parse_device(&body)?;
    let now = state.now_text();
    let id = ids::new_id();
    let secret = new_opaque_token();
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    devices::register(&mut w, &id, &request.name, &opaque_token_hash(&secret)).await?;
    w.commit().await?;
    Ok(created(json!({
        "device_id": id, "name": request.name, "secret": secret, "registered_at": now,
    })))
}

/// 기기 목록 (the registered devices; managers, admins)
#[utoipa::path(get, path = "/devices",
    responses((status = 200, body = DeviceList)))]
pub async fn list(State(state): State<AppState>, _user: Authorized<RegisterDevices>) -> ApiResult {
    let mut conn = state.db.conn().await?;
    let all = devices::list(&mut conn).await?;
    Ok(ok(
        json!({ "devices": all.iter().map(|d| d.to_json()).collect::<Vec<_>>() }),
    ))
}

/// 기기 등록 취소 (revoke a device; managers, admins)
///
/// 기록은 남습니다 (누가 언제까지 접근했는지). 취소된 기기의 다음 동기화는 거절됩니다.
#[utoipa::path(delete, path = "/devices/{id}",
    params(DeviceId),
    responses((status = 200, body = DeviceItem)),
    extensions(("x-errors" = json!(["DEVICE_NOT_FOUND", "DEVICE_ALREADY_REVOKED"]))))]
pub async fn revoke(
    State(state): State<AppState>,
    user: Authorized<RegisterDevices>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::DeviceNotFound)?;
    let now = state.now_text();
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    if devices::get(w.conn(), id).await?.is_none() {
        return Err(ApiError::code(ErrorCode::DeviceNotFound));
    }
    if !devices::revoke(&mut w, id).await? {
        return Err(ApiError::code(ErrorCode::DeviceAlreadyRevoked));
    }
    let device = devices::get(w.conn(), id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::DeviceNotFound))?;
    w.commit().await?;
    Ok(ok(device.to_json()))
}
