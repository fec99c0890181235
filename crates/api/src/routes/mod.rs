//! Route table (each route with its OpenAPI operation) and the middleware every request
//! passes, outermost first:
//! - the client's `X-Request-Id` set aside (kept as the *client* request id) and the server's
//!   own id made (tower-http request-id; echoed in `X-Request-Id`),
//! - one trace span and log line per request (tower-http trace),
//! - both ids as task-locals for the envelope, the logs and the audit trail,
//! - a panic in a handler answered with the 500 envelope (tower-http catch-panic),
//! - URI and header-section bounds (414/431 in the envelope),
//!
//! and under `/api/v1`: rate limits, the readiness gate, envelope-shaped 404/405.

mod analysis;
mod analytics;
mod audit;
mod auth;
mod catalogue;
mod consumer;
mod customers;
mod devices;
mod diagnoses;
pub(crate) mod docs;
mod health;
mod interactions;
mod kits;
mod knowledge;
mod money;
mod patients;
mod recommendations;
mod research;
mod self_reports;
mod setup;
mod simple_auth;
mod sync;
mod today;
mod users;
mod visits;

pub(crate) use auth::REFRESH_COOKIE;
pub(crate) use research::ImportJobs;

use crate::envelope::{request_id, ApiError, RequestIds, REQUEST_IDS};
use crate::limits::{self, ClassTable, RateClass};
use crate::openapi::route;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use clinicdesk_domain::{DomainError, ErrorCode, Lang};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;

/// The longest request target (path and query) answered; longer is 414 `URI_TOO_LONG`. The
/// longest real one, a search with every filter, is a few hundred bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// The largest header section answered (names, values and separators); larger is 431.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// The longest client request id kept; longer ones are dropped.
pub const MAX_CLIENT_REQUEST_ID: usize = 100;

/// Rate-limit class of every route that is not `General` (seed 000: analytics 100/h,
/// recommendations 50/h per user; a device's push and pull have their own budget), by its full
/// route path, e.g. `("/api/v1/customers/{id}/analytics", RateClass::Analytics)`.
/// `POST /packages` needs the Analytics *capability* but edits the price list, so it stays
/// general. Analytics and recommendation endpoints add their line here when they arrive.
pub(crate) const RATE_CLASSES: ClassTable = &[
    ("/api/v1/sync/push", RateClass::Sync),
    ("/api/v1/sync/pull", RateClass::Sync),
    ("/api/v1/sync/patient-numbers", RateClass::Sync),
    ("/api/v1/analytics/dashboard", RateClass::Analytics),
    ("/api/v1/analytics/forecast", RateClass::Analytics),
    ("/api/v1/charts/{name}", RateClass::Analytics),
    ("/api/v1/analysis", RateClass::Analytics),
    ("/api/v1/analysis/batch", RateClass::Analytics),
    ("/api/v1/customers/{id}/analytics", RateClass::Analytics),
    (
        "/api/v1/analytics/customers/{id}/behavior",
        RateClass::Analytics,
    ),
    ("/api/v1/customers/segments/{id}", RateClass::Analytics),
    (
        "/api/v1/customers/{id}/recommendations",
        RateClass::Recommendations,
    ),
    (
        "/api/v1/recommendations/customers/{id}/services",
        RateClass::Recommendations,
    ),
    (
        "/api/v1/recommendations/services/{code}/related",
        RateClass::Recommendations,
    ),
];

pub fn router(state: AppState) -> Router {
    with_layers(api_router(), RATE_CLASSES, state)
}

/// Every endpoint under `/api/v1`. A route is added here only as `.routes(route!(module::handler))`
/// with the handler annotated `#[utoipa::path]` — so it is in the OpenAPI document, with the
/// roles its `Authorized<…>` argument requires (docs/API.md, "Adding an endpoint").
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(route!(auth::login))
        .routes(route!(auth::refresh))
        .routes(route!(auth::logout))
        .routes(route!(auth::me))
        .routes(route!(users::change_own_password))
        .routes(route!(setup::status))
        .routes(route!(setup::create_first_admin))
        .routes(route!(users::list))
        .routes(route!(users::create))
        .routes(route!(users::update))
        .routes(route!(users::reset_password))
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
        .routes(route!(audit::verify))
        .routes(route!(audit::events))
        .routes(route!(catalogue::services))
        .routes(route!(catalogue::list_templates))
        .routes(route!(catalogue::create_template))
        .routes(route!(docs::openapi_json))
        // Follow-ups, Today and phone reveal (issue 8).
        .routes(route!(today::list))
        .routes(route!(today::complete))
        .routes(route!(today::reschedule))
        .routes(route!(today::cancel))
        .routes(route!(today::today))
        .routes(route!(today::reveal_phone))
        .routes(route!(today::reveal_events))
        // Money: cancellations and refunds, receipts, the cash-up, the clinic's details.
        .routes(route!(money::cancel_purchase))
        .routes(route!(money::purchase_receipt))
        .routes(route!(money::visit_receipt))
        .routes(route!(money::cash_up))
        .routes(route!(money::clinic))
        .routes(route!(money::update_clinic))
        // Sync (issue 9).
        .routes(route!(devices::register))
        .routes(route!(devices::list))
        .routes(route!(devices::revoke))
        .routes(route!(sync::digest))
        .routes(route!(sync::push))
        .routes(route!(sync::pull))
        .routes(route!(sync::connect))
        .routes(route!(sync::run))
        .routes(route!(sync::status))
        .routes(route!(sync::conflicts))
        .routes(route!(sync::resolve))
        .routes(route!(sync::lease_patient_numbers))
        // Allergy care (issue 10, seed 001).
        .routes(route!(simple_auth::register))
        .routes(route!(simple_auth::login))
        .routes(route!(diagnoses::allergens))
        .routes(route!(diagnoses::create))
        .routes(route!(diagnoses::get_one))
        .routes(route!(diagnoses::of_patient))
        .routes(route!(diagnoses::dashboard))
        .routes(route!(patients::list))
        .routes(route!(patients::create))
        .routes(route!(patients::get_one))
        .routes(route!(patients::alert))
        .routes(route!(knowledge::list))
        .routes(route!(knowledge::get_one))
        .routes(route!(knowledge::publish))
        .routes(route!(kits::issue))
        .routes(route!(kits::list))
        .routes(route!(kits::register))
        .routes(route!(kits::status))
        .routes(route!(consumer::my_diagnoses))
        .routes(route!(consumer::my_diagnosis))
        .routes(route!(consumer::my_guide))
        .routes(route!(consumer::foods))
        .routes(route!(consumer::cross_reactivity))
        .routes(route!(consumer::lifestyle))
        .routes(route!(consumer::guidelines))
        .routes(route!(consumer::action_plan))
        .routes(route!(consumer::epinephrine))
        .routes(route!(research::import))
        .routes(route!(research::import_status))
        .routes(route!(research::library))
        .routes(route!(research::search))
        .routes(route!(research::qa))
        .routes(route!(research::paper))
        .routes(route!(analytics::dashboard))
        .routes(route!(analytics::forecast))
        .routes(route!(analytics::chart))
        .routes(route!(analysis::analyse))
        .routes(route!(analysis::analyse_batch))
        .routes(route!(analysis::models))
        .routes(route!(analysis::customer_analytics))
        .routes(route!(analysis::customer_behavior))
        .routes(route!(analysis::customer_segments))
        .routes(route!(analysis::train_model))
        .routes(route!(analysis::train_status))
        .routes(route!(recommendations::customer_recommendations))
        .routes(route!(recommendations::recommendation_feedback))
        .routes(route!(recommendations::service_recommendations))
        .routes(route!(recommendations::related_services))
        .routes(route!(self_reports::record_self_report))
        .routes(route!(self_reports::self_reports))
}

/// The routes of [`api_routes`] as a plain router (their documentation set aside).
fn api_router() -> Router<AppState> {
    api_routes().split_for_parts().0
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

/// `api` under `/api/v1` with its gates, beside the probes and Swagger UI, inside the
/// middleware every request passes (see the module comment).
fn with_layers(api: Router<AppState>, classes: ClassTable, state: AppState) -> Router {
    let api = api
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            readiness_gate,
        ))
        .layer(middleware::from_fn_with_state(
            (state.clone(), classes),
            limits::rate_limit,
        ));
    let (root, _) = root_routes().split_for_parts();
    root.nest("/api/v1", api).with_state(state).layer(
        ServiceBuilder::new()
            .layer(middleware::from_fn(set_client_request_id_aside))
            .layer(SetRequestIdLayer::x_request_id(ServerRequestId))
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(|req: &Request| {
                        let id = req
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("");
                        let span = tracing::info_span!(
                            "request",
                            request_id = %id,
                            client_request_id = tracing::field::Empty,
                            method = %req.method(),
                            path = %req.uri().path(),
                        );
                        if let Some(c) = req.extensions().get::<ClientRequestId>() {
                            span.record("client_request_id", c.0.as_str());
                        }
                        span
                    })
                    .on_request(())
                    .on_response(
                        |resp: &Response, latency: std::time::Duration, _: &tracing::Span| {
                            tracing::info!(
                                status = resp.status().as_u16(),
                                micros = latency.as_micros() as u64,
                                "request"
                            );
                        },
                    ),
            )
            .layer(middleware::from_fn(request_scope))
            .layer(CatchPanicLayer::custom(panic_envelope))
            .layer(middleware::from_fn(bounds)),
    )
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

/// The server's request ids: `req-` and a UUIDv7 (time-ordered, so logs sort by them).
#[derive(Clone, Copy)]
struct ServerRequestId;

impl MakeRequestId for ServerRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&format!("req-{}", clinicdesk_domain::ids::new_id()))
            .ok()
            .map(RequestId::new)
    }
}

/// The client's `X-Request-Id`, when it is a sane one.
#[derive(Clone)]
struct ClientRequestId(String);

/// A client request id is kept only if it is 1–100 ASCII letters, digits or `-_.:`; anything
/// else is dropped rather than repaired.
fn sane_client_request_id(v: &HeaderValue) -> Option<String> {
    let v = v.to_str().ok()?;
    let ok = !v.is_empty()
        && v.len() <= MAX_CLIENT_REQUEST_ID
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    ok.then(|| v.to_string())
}

/// Takes the client's `X-Request-Id` off the request (so the server always makes its own)
/// and keeps it as the client request id, echoed back in `X-Client-Request-Id`.
async fn set_client_request_id_aside(mut req: Request, next: Next) -> Response {
    let client = req
        .headers_mut()
        .remove("x-request-id")
        .and_then(|v| sane_client_request_id(&v));
    if let Some(c) = &client {
        req.extensions_mut().insert(ClientRequestId(c.clone()));
    }
    let mut resp = next.run(req).await;
    if let Some(v) = client.and_then(|c| HeaderValue::from_str(&c).ok()) {
        resp.headers_mut().insert("x-client-request-id", v);
    }
    resp
}

/// Makes both ids available to everything that handles the request (the envelope, logs,
/// the audit trail) — also to the panic handler, which runs inside this scope.
async fn request_scope(req: Request, next: Next) -> Response {
    let server = req
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| format!("req-{}", clinicdesk_domain::ids::new_id()));
    let client = req
        .extensions()
        .get::<ClientRequestId>()
        .map(|c| c.0.clone());
    let lang = req
        .headers()
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Lang::Ko, Lang::from_accept_language);
    REQUEST_IDS
        .scope(
            RequestIds {
                server,
                client,
                lang,
            },
            next.run(req),
        )
        .await
}

/// A panicking handler answers the 500 envelope instead of dropping the connection.
fn panic_envelope(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(request_id = %request_id(), panic = %what, "handler panicked");
    ApiError::code(ErrorCode::InternalError).into_response()
}

/// 414 and 431 in the envelope. (The HTTP server's own parser has hard limits far above
/// these; what it refuses itself the server binary also wraps in the envelope.)
async fn bounds(req: Request, next: Next) -> Response {
    let uri_bytes = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri_bytes > MAX_URI_BYTES {
        return ApiError(DomainError::new(ErrorCode::UriTooLong).with_details(
            serde_json::json!({ "max_bytes": MAX_URI_BYTES, "received_bytes": uri_bytes }),
        ))
        .into_response();
    }
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return ApiError(DomainError::new(ErrorCode::HeadersTooLarge).with_details(
            serde_json::json!({ "max_bytes": MAX_HEADER_BYTES, "received_bytes": header_bytes }),
        ))
        .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests;
