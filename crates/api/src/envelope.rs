//! The response envelope of seeds 000/003 and the error type every handler returns.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use clinicdesk_domain::{DomainError, ErrorCode};
use clinicdesk_store::StoreError;
use serde_json::{json, Value};

tokio::task_local! {
    /// The id of the request being handled, set by the request-id middleware.
    pub static REQUEST_ID: String;
}

pub fn request_id() -> String {
    REQUEST_ID.try_with(|id| id.clone()).unwrap_or_default()
}

fn timestamp() -> String {
    clinicdesk_store::timestamp(chrono::Utc::now())
}

pub fn ok(data: Value) -> Response {
    respond(StatusCode::OK, data, "성공")
}

pub fn created(data: Value) -> Response {
    respond(StatusCode::CREATED, data, "생성되었습니다")
}

pub fn respond(status: StatusCode, data: Value, message: &str) -> Response {
    let body = json!({
        "success": true,
        "data": data,
        "message": message,
        "timestamp": timestamp(),
        "request_id": request_id(),
    });
    (status, Json(body)).into_response()
}

#[derive(Debug)]
pub struct ApiError(pub DomainError);

impl ApiError {
    pub fn code(code: ErrorCode) -> ApiError {
        ApiError(DomainError::new(code))
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        ApiError(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Rule(rule) => ApiError(rule),
            other => {
                tracing::error!(error = %other, request_id = %request_id(), "storage failure");
                ApiError(DomainError::new(ErrorCode::InternalError))
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status =
            StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut error = json!({
            "code": e.code.as_str(),
            "message": e.message,
            "details": e.details,
        });
        if let Some(field) = e.field {
            error["field"] = json!(field);
        }
        let body = json!({
            "success": false,
            "error": error,
            "timestamp": timestamp(),
            "request_id": request_id(),
        });
        let mut resp = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert("www-authenticate", HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

pub type ApiResult = Result<Response, ApiError>;
