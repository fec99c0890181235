//! The in-process API bridge. The UI's `api()` helper sends `{method, path, headers, body}`
//! through the `api_request` command; here it becomes an `http::Request` handed to the shared
//! axum `Router` with `tower::ServiceExt::oneshot` — the very router the server serves over
//! HTTP — and the response comes back as `{status, headers, body}`. No socket is opened.
//!
//! Until the background warm-up ([`crate::startup`]) has opened and migrated the database (and
//! seeded the demo data on a first run), `/readyz` answers 503 `not_ready` and every other
//! request answers 503 `SERVICE_UNAVAILABLE` in the API's error envelope — in the app after
//! holding it for a few seconds first ([`Desktop::with_ready_wait`]), so a UI that calls the
//! API the moment it loads is not turned away by a start-up race.

use axum::body::Body;
use axum::http;
use axum::Router;
use base64::Engine as _;
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::watch;
use tower::ServiceExt;

/// A request from the UI, as the `api_request` command receives it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct ApiRequest {
    pub method: String,
    /// Path and query, e.g. `/api/v1/customers/search?q=김`.
    pub path: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Option<String>,
}

/// The router's answer. Header names are lower-case; repeated headers are joined with `, `.
/// A body that is not UTF-8 (a PDF, a PNG) is sent base64-encoded, and then the header
/// `x-clinicdesk-body-encoding: base64` says so.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct ApiResponse {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

pub const BODY_ENCODING_HEADER: &str = "x-clinicdesk-body-encoding";
pub const DEVICE_ID_HEADER: &str = "x-device-id";

/// Where warm-up stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Starting,
    Ready,
    Failed,
}

/// The desktop's shared state: the router once the database is open, this installation's
/// device id, and whether warm-up has finished.
pub struct Desktop {
    router: OnceLock<Router>,
    device_id: OnceLock<String>,
    phase: watch::Sender<Phase>,
    failure: Mutex<Option<String>>,
    ready_wait: Duration,
}

impl Default for Desktop {
    fn default() -> Self {
        Self::new()
    }
}

impl Desktop {
    /// A bridge that answers 503 at once while warm-up runs.
    pub fn new() -> Desktop {
        Desktop::with_ready_wait(Duration::ZERO)
    }

    /// A bridge that holds an API request arriving during warm-up for up to `wait` before it
    /// answers 503 (`/readyz` and `/healthz` never wait). The app uses a few seconds, so a UI
    /// that calls the API as soon as it loads just sees a slower first answer.
    pub fn with_ready_wait(wait: Duration) -> Desktop {
        Desktop {
            router: OnceLock::new(),
            device_id: OnceLock::new(),
            phase: watch::Sender::new(Phase::Starting),
            failure: Mutex::new(None),
            ready_wait: wait,
        }
    }

    /// Installs the shared router (built from an `AppState` right after the database opened).
    pub fn install_router(&self, router: Router) {
        let _ = self.router.set(router);
    }

    pub fn set_device_id(&self, id: String) {
        let _ = self.device_id.set(id);
    }

    pub fn device_id(&self) -> Option<&str> {
        self.device_id.get().map(String::as_str)
    }

    /// Opens the bridge: from now on requests reach the router.
    pub fn mark_ready(&self) {
        self.phase.send_replace(Phase::Ready);
    }

    pub fn is_ready(&self) -> bool {
        *self.phase.borrow() == Phase::Ready && self.router.get().is_some()
    }

    /// Warm-up failed for good (the database cannot be opened or migrated): requests keep
    /// answering 503, now with the reason in `error.details.reason`.
    pub fn mark_failed(&self, reason: String) {
        *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason);
        self.phase.send_replace(Phase::Failed);
    }

    pub fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Hands one request to the router in-process and collects the whole response.
    /// `Err` only for a request that cannot be expressed in HTTP at all (bad method, header or
    /// path) — a UI bug, which the UI's `invoke` sees as a rejected promise.
    pub async fn handle(&self, request: ApiRequest) -> Result<ApiResponse, String> {
        let http_request = self.to_http(request)?;
        let Some(router) = self.router_when_ready(http_request.uri().path()).await else {
            return Ok(self.not_ready_response(http_request.uri().path()));
        };
        let response = match router.oneshot(http_request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        from_http(response).await
    }

    /// The router, once warm-up has finished; `None` before (after holding a request for `path`
    /// up to the ready wait — probes never wait).
    pub async fn router_when_ready(&self, path: &str) -> Option<Router> {
        let probe = matches!(path, "/readyz" | "/healthz");
        if !probe && !self.ready_wait.is_zero() && *self.phase.borrow() == Phase::Starting {
            let mut phase = self.phase.subscribe();
            let _ =
                tokio::time::timeout(self.ready_wait, phase.wait_for(|p| *p != Phase::Starting))
                    .await;
        }
        match self.router.get() {
            Some(router) if self.is_ready() => Some(router.clone()),
            _ => None,
        }
    }

    fn to_http(&self, request: ApiRequest) -> Result<http::Request<Body>, String> {
        let method =
            http::Method::from_bytes(request.method.trim().to_ascii_uppercase().as_bytes())
                .map_err(|_| format!("invalid HTTP method {:?}", request.method))?;
        if !request.path.starts_with('/') {
            return Err(format!("the path must start with '/': {:?}", request.path));
        }
        let uri: http::Uri = request
            .path
            .parse()
            .map_err(|e| format!("invalid path {:?}: {e}", request.path))?;
        let mut builder = http::Request::builder().method(method).uri(uri);
        let headers = builder
            .headers_mut()
            .expect("a fresh request builder has headers");
        for (name, value) in &request.headers {
            let name = http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("invalid header name {name:?}"))?;
            let value = http::HeaderValue::from_str(value)
                .map_err(|_| format!("invalid value for header {name}"))?;
            headers.append(name, value);
        }
        // This installation is the device: its id is authoritative for the audit trail,
        // whatever the web view made up for itself.
        if let Some(value) = self
            .device_id()
            .and_then(|id| http::HeaderValue::from_str(id).ok())
        {
            headers.insert(DEVICE_ID_HEADER, value);
        }
        let body = match request.body {
            Some(body) => {
                if !headers.contains_key(http::header::CONTENT_TYPE) {
                    headers.insert(
                        http::header::CONTENT_TYPE,
                        http::HeaderValue::from_static("application/json"),
                    );
                }
                Body::from(body)
            }
            None => Body::empty(),
        };
        let mut req = builder
            .body(body)
            .map_err(|e| format!("invalid request: {e}"))?;
        clinicdesk_api::transport::mark_in_process(&mut req);
        Ok(req)
    }

    /// What the bridge answers before the router is ready: the API's own shapes, 503.
    fn not_ready_response(&self, path: &str) -> ApiResponse {
        let failure = self.failure();
        let body = if path == "/readyz" {
            json!({
                "status": "not_ready",
                "checks": { "migrations": false, "database": false },
            })
        } else {
            let details = match &failure {
                Some(reason) => json!({ "reason": reason }),
                None => json!({}),
            };
            json!({
                "success": false,
                "error": {
                    "code": "SERVICE_UNAVAILABLE",
                    "message": "서비스를 준비 중입니다",
                    "details": details,
                },
                "timestamp": clinicdesk_store::timestamp(chrono::Utc::now()),
                "request_id": uuid::Uuid::now_v7().to_string(),
            })
        };
        let mut headers = BTreeMap::new();
        headers.insert("content-type".to_string(), "application/json".to_string());
        if failure.is_none() {
            headers.insert("retry-after".to_string(), "1".to_string());
        }
        ApiResponse {
            status: 503,
            headers,
            body: body.to_string(),
        }
    }
}

async fn from_http(response: http::Response<Body>) -> Result<ApiResponse, String> {
    let (parts, body) = response.into_parts();
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers
            .entry(name.as_str().to_string())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    let bytes = body
        .collect()
        .await
        .map_err(|e| format!("reading the response failed: {e}"))?
        .to_bytes();
    let body = match String::from_utf8(bytes.to_vec()) {
        Ok(text) => text,
        Err(_) => {
            headers.insert(BODY_ENCODING_HEADER.to_string(), "base64".to_string());
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        }
    };
    Ok(ApiResponse {
        status: parts.status.as_u16(),
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::{get, post};

    fn echo_router() -> Router {
        Router::new()
            .route(
                "/echo",
                post(|headers: http::HeaderMap, body: String| async move {
                    let device = headers
                        .get(DEVICE_ID_HEADER)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    let ctype = headers
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    axum::Json(json!({ "device": device, "ctype": ctype, "body": body }))
                }),
            )
            .route("/bytes", get(|| async { vec![0xffu8, 0x00, 0xfe] }))
    }

    fn req(method: &str, path: &str, body: Option<&str>) -> ApiRequest {
        ApiRequest {
            method: method.into(),
            path: path.into(),
            headers: BTreeMap::new(),
            body: body.map(str::to_string),
        }
    }

    #[tokio::test]
    async fn answers_503_in_the_api_envelope_until_ready() {
        let desktop = Desktop::new();
        let r = desktop
            .handle(req("GET", "/api/v1/auth/me", None))
            .await
            .unwrap();
        assert_eq!(r.status, 503);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["success"], false);
        assert_eq!(v["error"]["code"], "SERVICE_UNAVAILABLE");
        assert_eq!(v["error"]["details"], json!({}));
        let r = desktop.handle(req("GET", "/readyz", None)).await.unwrap();
        assert_eq!(r.status, 503);
        assert!(r.body.contains("not_ready"));

        // A router that is installed but not yet marked ready still answers 503.
        desktop.install_router(echo_router());
        let r = desktop
            .handle(req("POST", "/echo", Some("{}")))
            .await
            .unwrap();
        assert_eq!(r.status, 503);

        desktop.mark_failed("disk full".into());
        let r = desktop
            .handle(req("GET", "/api/v1/customers", None))
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["error"]["details"]["reason"], "disk full");
    }

    #[tokio::test]
    async fn a_request_during_warm_up_waits_for_readiness() {
        let desktop = std::sync::Arc::new(Desktop::with_ready_wait(Duration::from_secs(10)));
        desktop.install_router(echo_router());
        let opener = desktop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            opener.mark_ready();
        });
        // The probe answers at once, before readiness.
        let r = desktop.handle(req("GET", "/readyz", None)).await.unwrap();
        assert_eq!(r.status, 503);
        let started = std::time::Instant::now();
        let r = desktop
            .handle(req("POST", "/echo", Some("{}")))
            .await
            .unwrap();
        assert_eq!(r.status, 200);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn waiting_ends_with_503_on_timeout_or_failure() {
        let desktop = std::sync::Arc::new(Desktop::with_ready_wait(Duration::from_millis(50)));
        let r = desktop
            .handle(req("GET", "/api/v1/auth/me", None))
            .await
            .unwrap();
        assert_eq!(r.status, 503);

        let desktop = std::sync::Arc::new(Desktop::with_ready_wait(Duration::from_secs(30)));
        let failing = desktop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            failing.mark_failed("cannot open the database".into());
        });
        let started = std::time::Instant::now();
        let r = desktop
            .handle(req("GET", "/api/v1/auth/me", None))
            .await
            .unwrap();
        assert_eq!(r.status, 503);
        assert!(r.body.contains("cannot open the database"));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn the_desktop_names_the_device() {
        let desktop = Desktop::new();
        desktop.install_router(echo_router());
        desktop.set_device_id("0190-desktop".into());
        desktop.mark_ready();

        let r = desktop
            .handle(req("post", "/echo", Some("{\"a\":1}")))
            .await
            .unwrap();
        assert_eq!(r.status, 200);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["device"], "0190-desktop");
        assert_eq!(v["ctype"], "application/json");
        assert_eq!(v["body"], "{\"a\":1}");
        assert_eq!(
            r.headers.get("content-type").map(String::as_str),
            Some("application/json")
        );

        let mut own = req("POST", "/echo", Some("x"));
        own.headers.insert("X-Device-Id".into(), "ui-device".into());
        own.headers
            .insert("Content-Type".into(), "text/plain".into());
        let v: serde_json::Value =
            serde_json::from_str(&desktop.handle(own).await.unwrap().body).unwrap();
        assert_eq!(
            v["device"], "0190-desktop",
            "the web view's own id is replaced"
        );
        assert_eq!(v["ctype"], "text/plain");
    }

    #[tokio::test]
    async fn binary_bodies_come_back_base64() {
        let desktop = Desktop::new();
        desktop.install_router(echo_router());
        desktop.mark_ready();
        let r = desktop.handle(req("GET", "/bytes", None)).await.unwrap();
        assert_eq!(
            r.headers.get(BODY_ENCODING_HEADER).map(String::as_str),
            Some("base64")
        );
        assert_eq!(r.body, "/wD+");
    }

    #[tokio::test]
    async fn rejects_requests_http_cannot_express() {
        let desktop = Desktop::new();
        assert!(desktop.handle(req("GE T", "/x", None)).await.is_err());
        assert!(desktop.handle(req("GET", "no-slash", None)).await.is_err());
        let mut bad = req("GET", "/x", None);
        bad.headers.insert("bad header".into(), "v".into());
        assert!(desktop.handle(bad).await.is_err());
    }
}
