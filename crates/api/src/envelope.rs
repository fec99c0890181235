//! The response envelope of seeds 000/003 and the error type every handler returns.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use clinicdesk_domain::{DomainError, ErrorCode, Lang};
use clinicdesk_store::StoreError;
use serde_json::{json, Value};

/// The ids of the request being handled: the server's own (always made here, never taken
/// from the client) and the one the client sent in `X-Request-Id`, if it sent a sane one.
#[derive(Debug, Clone, Default)]
pub struct RequestIds {
    pub server: String,
    pub client: Option<String>,
    /// The language the caller asked for (`Accept-Language`): error messages are written in it.
    pub lang: Lang,
}

tokio::task_local! {
    /// Set for the whole handling of a request by the request-id middleware.
    pub static REQUEST_IDS: RequestIds;
}

/// The server's id of the request being handled: in the envelope's `request_id`, the
/// `X-Request-Id` response header, the logs and the audit trail.
pub fn request_id() -> String {
    REQUEST_IDS
        .try_with(|ids| ids.server.clone())
        .unwrap_or_default()
}

/// The `X-Request-Id` the client sent (sanitised: ASCII letters, digits and `-_.:`, at most
/// [`crate::routes::MAX_CLIENT_REQUEST_ID`] characters). Recorded as the client's, never as
/// the server's.
pub fn client_request_id() -> Option<String> {
    REQUEST_IDS
        .try_with(|ids| ids.client.clone())
        .ok()
        .flatten()
}

/// The language of the request being handled (Korean outside a request).
pub fn request_lang() -> Lang {
    REQUEST_IDS.try_with(|ids| ids.lang).unwrap_or_default()
}

fn timestamp() -> String {
    clinicdesk_store::timestamp(chrono::Utc::now())
}

pub fn ok(data: Value) -> Response {
    let message = match request_lang() {
        Lang::Ko => "성공",
        Lang::En => "OK",
    };
    respond(StatusCode::OK, data, message)
}

pub fn created(data: Value) -> Response {
    let message = match request_lang() {
        Lang::Ko => "생성되었습니다",
        Lang::En => "Created",
    };
    respond(StatusCode::CREATED, data, message)
}

/// [`ok`] for an answer serialised straight from its type: no tree of values is built (a sync
/// page carries thousands of ops as the log holds them).
pub fn ok_serialized<T: serde::Serialize>(data: &T) -> Response {
    #[derive(serde::Serialize)]
    struct Envelope<'a, T> {
        success: bool,
        data: &'a T,
        message: &'a str,
        timestamp: String,
        request_id: String,
    }
    let message = match request_lang() {
        Lang::Ko => "성공",
        Lang::En => "OK",
    };
    Json(Envelope {
        success: true,
        data,
        message,
        timestamp: timestamp(),
        request_id: request_id(),
    })
    .into_response()
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
        let retry_after = (e.code == ErrorCode::RateLimitExceeded)
            .then(|| e.details["retry_after_seconds"].as_u64())
            .flatten();
        let status =
            StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (status, Json(error_json(&e))).into_response();
        resp.headers_mut().insert(
            axum::http::header::CONTENT_LANGUAGE,
            HeaderValue::from_static(request_lang().code()),
        );
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert("www-authenticate", HeaderValue::from_static("Bearer"));
        }
        // Every 429 (rate limit or login lock) tells the client when to come back.
        if let Some(secs) = retry_after {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

pub type ApiResult = Result<Response, ApiError>;

/// The error envelope for an answer the HTTP layer gives before any request exists (a
/// malformed request line, a URI or header section beyond the parser's hard limits): a fresh
/// request id, nothing else to say.
pub fn transport_error_body(code: ErrorCode) -> Vec<u8> {
    let id = format!("req-{}", clinicdesk_domain::ids::new_id());
    let resp = REQUEST_IDS.sync_scope(
        RequestIds {
            server: id,
            client: None,
            lang: Lang::Ko,
        },
        || error_json(&DomainError::new(code)),
    );
    resp.to_string().into_bytes()
}

/// The error object of the envelope, in the request's language. A 422 that names a field
/// lists the field errors in `details.errors` (all of them when a body had several; the
/// top-level `field` and `message` are the first's).
fn error_json(e: &DomainError) -> Value {
    let lang = request_lang();
    let mut details = e.details.clone();
    let field_errors = e.field_errors();
    if !field_errors.is_empty() && e.code.http_status() == 422 {
        if !details.is_object() {
            details = json!({});
        }
        details["errors"] = field_errors
            .iter()
            .map(|f| field_error_json(f, lang))
            .collect();
    }
    let mut error = json!({
        "code": e.code.as_str(),
        "message": e.render(lang),
        "details": details,
    });
    if let Some(field) = &e.field {
        error["field"] = json!(field);
    }
    json!({
        "success": false,
        "error": error,
        "timestamp": timestamp(),
        "request_id": request_id(),
    })
}

/// One entry of `details.errors`: `{field, code, reason, message, allowed_values}`
/// (`allowed_values` null unless the field takes a closed set).
fn field_error_json(e: &DomainError, lang: Lang) -> Value {
    json!({
        "field": e.field,
        "code": e.code.as_str(),
        "reason": e.text.as_ref().map_or("invalid", |m| m.reason()),
        "message": e.render(lang),
        "allowed_values": e.details.get("allowed_values").cloned().unwrap_or(Value::Null),
    })
}
