use crate::openapi::schemas::{Liveness, Readiness};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// 프로세스가 살아 있음 (liveness)
///
/// 봉투 없이 답합니다 (no envelope).
#[utoipa::path(get, path = "/healthz",
    responses((status = 200, body = Liveness)),
    extensions(("x-envelope" = json!(false))))]
pub async fn healthz() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}

/// 요청을 받을 준비가 됨 (readiness)
///
/// 마이그레이션이 끝나고 데이터베이스가 답하면 200, 그 전에는 503. 봉투 없이 답합니다.
#[utoipa::path(get, path = "/readyz",
    responses(
        (status = 200, body = Readiness, description = "ready"),
        (status = 503, body = Readiness, description = "not_ready"),
    ),
    extensions(("x-envelope" = json!(false))))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let migrated = state.is_ready();
    let database = migrated && state.db.ping().await;
    let body = json!({
        "status": if database { "ready" } else { "not_ready" },
        "checks": { "migrations": migrated, "database": database },
    });
    let status = if database {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}
