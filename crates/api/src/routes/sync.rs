//! Sync (issue 9), on every node and the server: the digest that says whether two databases
//! hold the same synced data. (Push, pull and the node's own endpoints are still to come:
//! `docs/SYNC.md`.)

use crate::auth::{Administer, Authorized};
use crate::envelope::{ok, ApiError, ApiResult};
use crate::openapi::schemas::SyncDigest;
use crate::state::AppState;
use axum::extract::State;
use clinicdesk_domain::DomainError;
use clinicdesk_store::synced;
use clinicdesk_sync::protocol::{Digest, TableDigest};

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
