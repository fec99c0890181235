use crate::body::QueryMap;
use crate::openapi::schemas::{Liveness, Readiness, ReadinessParams};
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
/// `checks.customer_model`은 쓰고 있는 고객 분석 모델 버전입니다. 모델이 없어도 고객 관리와
/// 동기화는 되므로 기본으로는 준비됨이며, `require=model`이면 모델이 올라올 때까지 503입니다.
#[utoipa::path(get, path = "/readyz",
    params(ReadinessParams),
    responses(
        (status = 200, body = Readiness, description = "ready"),
        (status = 503, body = Readiness, description = "not_ready"),
    ),
    extensions(("x-envelope" = json!(false))))]
pub async fn readyz(State(state): State<AppState>, q: QueryMap) -> Response {
    let migrated = state.is_ready();
    let database = migrated && state.db.ping().await;
    // An unreadable model table reads as "no model": readiness never fails on the model
    // unless it was asked for.
    let model = if database {
        state
            .customer_model
            .status(&state.db)
            .await
            .ok()
            .and_then(|s| s.serving)
    } else {
        None
    };
    let model_required = q.text("require") == Some("model");
    let ready = database && (!model_required || model.is_some());
    let body = json!({
        "status": if ready { "ready" } else { "not_ready" },
        "checks": { "migrations": migrated, "database": database, "customer_model": model },
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}
