//! Route table and the middleware every request passes: request id + structured log line,
//! readiness gate, envelope-shaped 404/405.

mod auth;
mod catalogue;
mod customers;
mod health;
mod interactions;
mod setup;
mod users;
mod visits;

use crate::envelope::{ApiError, REQUEST_ID};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use clinicdesk_domain::ErrorCode;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/me", get(auth::me))
        .route("/auth/password", post(users::change_own_password))
        .route("/setup", get(setup::status).post(setup::create_first_admin))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", put(users::update))
        .route("/users/{id}/password", post(users::reset_password))
        .route("/customers", post(customers::create).get(customers::list))
        .route("/customers/search", get(customers::search))
        .route(
            "/customers/{id}",
            get(customers::get_one)
                .put(customers::update)
                .delete(customers::delete),
        )
        .route(
            "/customers/{id}/detail",
            get(customers::detail).put(customers::update_detail),
        )
        .route(
            "/customers/{id}/interactions",
            post(interactions::create).get(interactions::list),
        )
        .route(
            "/customers/{id}/packages",
            post(visits::purchase).get(visits::packages_of),
        )
        .route("/customers/{id}/sessions", post(visits::record_visit))
        .route("/sessions/{id}/cancel", post(visits::cancel_visit))
        .route("/services", get(catalogue::services))
        .route(
            "/packages",
            get(catalogue::list_templates).post(catalogue::create_template),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            readiness_gate,
        ));

    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .with_state(state)
        .layer(middleware::from_fn(request_context))
}

async fn not_found() -> ApiError {
    ApiError::code(ErrorCode::NotFound)
}

async fn method_not_allowed() -> ApiError {
    ApiError::code(ErrorCode::MethodNotAllowed)
}

/// Until migrations ran and the signing key is loaded, the API answers 503.
async fn readiness_gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !state.is_ready() {
        return ApiError::code(ErrorCode::ServiceUnavailable).into_response();
    }
    next.run(req).await
}

/// Gives every request an id (the caller's `X-Request-Id` when it sent a sane one), makes it
/// available to the envelope, echoes it in the response and logs one line per request.
async fn request_context(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 100
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_string)
        .unwrap_or_else(|| format!("req-{}", clinicdesk_domain::ids::new_id()));
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = std::time::Instant::now();
    let mut resp = REQUEST_ID.scope(id.clone(), next.run(req)).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    tracing::info!(
        request_id = %id,
        method = %method,
        path = %path,
        status = resp.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    resp
}
