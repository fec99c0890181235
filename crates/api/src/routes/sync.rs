//! Sync (issue 9, `docs/SYNC.md`): the digest that says whether two databases hold the same
//! synced data, and the central server's push and pull for registered devices. (Applying
//! pushed changes to the server's tables and the node's own endpoints are still to come.)

use crate::auth::{Administer, Authorized, SyncDevice};
use crate::body::{JsonBody, QueryMap};
use crate::envelope::{ok, ApiError, ApiResult};
use crate::openapi::schemas::{SyncDigest, SyncHeld, SyncPage, SyncPullParams, SyncPush};
use crate::state::AppState;
use axum::extract::State;
use clinicdesk_domain::fields::Problems;
use clinicdesk_domain::{DomainError, ErrorCode};
use clinicdesk_store::{sync_log, synced};
use clinicdesk_sync::protocol::{
    Digest, PullPage, PushRequest, TableDigest, MAX_PULL_LIMIT, MAX_PUSH_OPS,
};
use serde_json::{json, Value};

/// 동기화 다이제스트 (one hash per synced table; admins)
///
/// 동기화되는 테이블마다 정규화한 내용(키 정렬, 모든 값을 글자로, id 순)의 SHA-256과 행 수.
/// 동기화가 끝난 기기와 서버는 모두 같은 값을 답합니다: "이 PC들이 맞춰졌나?"에 답하는 용도.
/// 파생 데이터(통계, 검색 색인), 로그인과 열람 기록은 들어가지 않습니다.
#[utoipa::path(get, path = "/sync/digest",
    responses((status = 200, body = SyncDigest)))]
pub async fn digest(State(state): State<AppState>, _user: Authorized<Administer>) -> ApiResult {
    let tables = synced::digests(&state.db)
        .await?
        .into_iter()
        .map(|(name, (digest, rows))| (name.to_string(), TableDigest { digest, rows }))
        .collect();
    let digest = serde_json::to_value(Digest { tables })
        .map_err(|e| ApiError(DomainError::internal(e.to_string())))?;
    Ok(ok(digest))
}

/// 변경 보내기 (push a device's changes)
///
/// 등록된 기기만 부릅니다 (`Authorization: Device <secret>`, `X-ClinicDesk-Sync-Version: 1`).
/// 서버는 처음 보는 변경만 받은 순서대로 기록하고, 이 push의 변경 id를 모두 돌려줍니다: 답을
/// 못 받아 다시 보내도 아무것도 두 번 남지 않습니다. 한 번에 최대 1,000개 (`SYNC_BATCH_TOO_LARGE`).
#[utoipa::path(post, path = "/sync/push",
    request_body = SyncPush,
    responses((status = 200, body = SyncHeld)),
    extensions(("x-errors" = json!(["SYNC_BATCH_TOO_LARGE"]))))]
pub async fn push(
    State(state): State<AppState>,
    device: SyncDevice,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let request = parse_push(&body)?;
    let now = state.now_text();
    let mut w = state.db.begin_write(&device.actor(), &now).await?;
    let held = sync_log::append(&mut w, &device.device_id, &request.ops).await?;
    w.commit().await?;
    Ok(ok(json!({ "held": held })))
}

/// A push body: at most [`MAX_PUSH_OPS`] ops, each of a declared table, with sane ids.
fn parse_push(body: &Value) -> Result<PushRequest, ApiError> {
    if let Some(n) = body
        .get("ops")
        .and_then(Value::as_array)
        .map(Vec::len)
        .filter(|n| *n > MAX_PUSH_OPS)
    {
        return Err(ApiError(
            DomainError::new(ErrorCode::SyncBatchTooLarge)
                .with_details(json!({ "max_ops": MAX_PUSH_OPS, "received_ops": n })),
        ));
    }
    let request: PushRequest = serde_json::from_value(body.clone()).map_err(|e| {
        ApiError(DomainError::invalid(
            "ops",
            format!("변경 목록을 읽을 수 없습니다: {e}"),
        ))
    })?;
    let mut p = Problems::new();
    for (i, op) in request.ops.iter().enumerate() {
        let sane =
            |s: &str| !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_graphic());
        if !sane(&op.op_id) {
            p.push(DomainError::invalid(
                &format!("ops[{i}].op_id"),
                "변경 id가 올바르지 않습니다",
            ));
        }
        if !sane(&op.entity_id) {
            p.push(DomainError::invalid(
                &format!("ops[{i}].entity_id"),
                "행 id가 올바르지 않습니다",
            ));
        }
        if !synced::SYNCED.iter().any(|t| t.name == op.entity) {
            let names: Vec<&str> = synced::SYNCED.iter().map(|t| t.name).collect();
            p.push(DomainError::not_allowed(
                &format!("ops[{i}].entity"),
                &json!(op.entity),
                &names,
            ));
        }
    }
    p.finish()?;
    Ok(request)
}

/// 변경 받기 (pull the changes after a cursor)
///
/// 커서 다음의 변경을 서버가 받은 순서대로, 요청한 기기 자신의 변경은 빼고 돌려줍니다. 기기는 한
/// 페이지를 적용하고 `cursor`를 같은 트랜잭션에서 저장합니다: 중간에 끊겨도 저장한 곳부터 다시
/// 받습니다. `more`가 true이면 바로 다음 페이지를 받습니다. 서버가 가진 것보다 앞선 커서(서버가
/// 백업에서 복원된 경우)는 409 `SYNC_CURSOR_AHEAD` (`details.head`): 처음부터 다시 받으면 되고,
/// 두 번 받은 변경은 아무것도 바꾸지 않습니다.
#[utoipa::path(get, path = "/sync/pull",
    params(SyncPullParams),
    responses((status = 200, body = SyncPage)),
    extensions(("x-errors" = json!(["SYNC_CURSOR_AHEAD"]))))]
pub async fn pull(State(state): State<AppState>, device: SyncDevice, q: QueryMap) -> ApiResult {
    let cursor = q.int("cursor", 0, 0, i64::MAX)?;
    let limit = q.int("limit", 1000, 1, MAX_PULL_LIMIT as i64)?;
    let mut conn = state.db.conn().await?;
    let head = sync_log::head(&mut conn).await?;
    if cursor > head {
        // The node has seen more than this server holds: never answer "nothing new".
        return Err(ApiError(
            DomainError::new(ErrorCode::SyncCursorAhead)
                .with_details(json!({ "head": head, "cursor": cursor })),
        ));
    }
    let (changes, cursor, more) =
        sync_log::page(&mut conn, cursor, limit, &device.device_id).await?;
    let page = serde_json::to_value(PullPage {
        changes,
        cursor,
        more,
    })
    .map_err(|e| ApiError(DomainError::internal(e.to_string())))?;
    Ok(ok(page))
}
