//! Route table (each route with its OpenAPI operation) and the middleware every request
//! passes: request id + structured log line, readiness gate, envelope-shaped 404/405.

mod auth;
mod catalogue;
mod customers;
pub(crate) mod docs;
mod health;
mod interactions;
mod visits;

use crate::envelope::{ApiError, REQUEST_ID};
use crate::openapi::route;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use clinicdesk_domain::ErrorCode;
use utoipa_axum::router::OpenApiRouter;

/// Every endpoint under `/api/v1`. A route is added here only as `.routes(route!(module::handler))`
/// with the handler annotated `#[utoipa::path]` — so it is in the OpenAPI document, with the
/// roles its `Authorized<…>` argument requires (docs/API.md, "Adding an endpoint").
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(route!(auth::login))
        .routes(route!(auth::refresh))
        .routes(route!(auth::logout))
        .routes(route!(auth::me))
        .routes(route!(customers::create))
        .routes(route!(customers::list))
        .routes(route!(customers::search))
        .routes(route!(customers::get_one))
        .routes(route!(customers::update))
        .routes(route!(customers::delete))
        .routes(route!(customers::detail))
        .routes(route!(customers::update_detail))
        .routes(route!(interactions::create))
        .routes(route!(interactions::list))
        .routes(route!(visits::purchase))
        .routes(route!(visits::packages_of))
        .routes(route!(visits::record_visit))
        .routes(route!(visits::cancel_visit))
        .routes(route!(catalogue::services))
        .routes(route!(catalogue::list_templates))
        .routes(route!(catalogue::create_template))
        .routes(route!(docs::openapi_json))
}

/// Routes outside `/api/v1`: the probes and Swagger UI; added the same way.
fn root_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(route!(health::healthz))
        .routes(route!(health::readyz))
        .routes(route!(docs::docs_redirect))
        .routes(route!(docs::docs_index))
        .routes(route!(docs::docs_file))
}

/// The raw OpenAPI document of every route, before [`crate::openapi::complete`].
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = api_routes().split_for_parts();
    let (_, root) = root_routes().split_for_parts();
    root.nest("/api/v1", api)
}

pub fn router(state: AppState) -> Router {
    let (api, _) = api_routes().split_for_parts();
    let api = api
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            readiness_gate,
        ));
    let (root, _) = root_routes().split_for_parts();
    root.nest("/api/v1", api)
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
