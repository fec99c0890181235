//! ClinicDesk's API: one axum [`Router`] holding every endpoint, the response envelope, the
//! auth extractor with the role checks, request ids, rate limits and the login lockout. The server serves this router over
//! HTTP; the desktop hands requests to the very same router in-process — so the two cannot
//! drift. The OpenAPI document of that router is generated from the same code ([`openapi`]).

mod auth;
mod body;
pub mod customer_model;
mod envelope;
mod knowledge_cache;
pub mod limits;
mod login_guard;
pub mod openapi;
mod peer_population;
mod routes;
mod state;
pub mod sync_engine;
pub mod transport;
mod whole_clinic;

pub use auth::Claims;
pub use envelope::{client_request_id, request_id, transport_error_body, ApiError};
pub use limits::{LimitConfig, LockoutPolicy, RateClass};
pub use state::{AppState, Clock, Secrets};

use axum::Router;

/// The whole API (`/api/v1/…`, `/healthz`, `/readyz`). The state may still be warming up:
/// until [`AppState::mark_ready`] the API answers 503 and `/readyz` says not ready.
pub fn router(state: AppState) -> Router {
    routes::router(state)
}

/// The OpenAPI 3.1 document of every route of [`router`], as `GET /api/v1/openapi.json`
/// serves it (Swagger UI at `/docs/`).
pub fn openapi_document() -> &'static serde_json::Value {
    openapi::document()
}
