use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Liveness: the process answers.
pub async fn healthz() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}

/// Readiness: migrations ran and the database answers.
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
