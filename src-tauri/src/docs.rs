//! The API documentation inside the desktop. There is no HTTP server here, so Swagger UI and
//! the OpenAPI document come from the shared router through a custom URI scheme
//! (`clinicdesk-docs://localhost/docs/`; `http://clinicdesk-docs.localhost/docs/` on Windows),
//! each request handed over in-process like the UI's `api_request`. The UI's help entry
//! "API 문서" opens them in a window of their own (`open_api_docs`).
//!
//! The scheme serves the documentation only — `/docs…` and `/api/v1/openapi.json`, `GET`, plus the
//! UI's bundled Korean font from the app's assets — never the API itself, and the window holds no token: the router answers in-process requests with
//! a read-only Swagger UI ("Try it out" is off). The window cannot invoke the app's commands
//! either (see [`crate::register`]).

use crate::bridge::Desktop;
use axum::body::Body;
use axum::http;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The custom URI scheme of the documentation.
pub const SCHEME: &str = "clinicdesk-docs";
/// The label of the documentation window.
pub const WINDOW: &str = "api-docs";
/// Its title (the page is read-only; the UI's menu entry says so too).
pub const WINDOW_TITLE: &str = "ClinicDesk API 문서 (읽기 전용)";

/// Where the documentation window opens. Custom schemes are `scheme://localhost/…` on macOS and
/// Linux, `http://scheme.localhost/…` on Windows and Android (Tauri's convention).
pub fn docs_url() -> String {
    if cfg!(any(windows, target_os = "android")) {
        format!("http://{SCHEME}.localhost/docs/")
    } else {
        format!("{SCHEME}://localhost/docs/")
    }
}

/// The paths the scheme serves: the documentation, nothing else of the API.
pub fn is_docs_path(path: &str) -> bool {
    path == "/docs" || path.starts_with("/docs/") || path == clinicdesk_api::openapi::OPENAPI_PATH
}

/// The UI's bundled Korean font, which the documentation page links: its stylesheet and the
/// font files, served from the app's embedded UI assets.
pub fn is_font_path(path: &str) -> bool {
    path == clinicdesk_api::openapi::KOREAN_FONT_CSS
        || (path.starts_with("/assets/")
            && path.ends_with(".woff2")
            && !path[1..].contains("..")
            && path.matches('/').count() == 2)
}

/// The answer for an embedded UI asset (`None`: not there, e.g. a build without the UI).
pub fn asset_response(asset: Option<(Vec<u8>, String)>) -> http::Response<Vec<u8>> {
    match asset {
        Some((bytes, mime)) => {
            let mut response = http::Response::new(bytes);
            if let Ok(value) = http::HeaderValue::from_str(&mime) {
                response
                    .headers_mut()
                    .insert(http::header::CONTENT_TYPE, value);
            }
            response
        }
        None => plain(http::StatusCode::NOT_FOUND, "not in this build"),
    }
}

/// Answers one request of the documentation window from the shared router.
pub async fn serve(desktop: &Desktop, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
    let path = request.uri().path().to_string();
    if !matches!(*request.method(), http::Method::GET | http::Method::HEAD) {
        return plain(http::StatusCode::METHOD_NOT_ALLOWED, "GET only");
    }
    if !is_docs_path(&path) {
        return plain(
            http::StatusCode::NOT_FOUND,
            "the documentation window serves /docs and /api/v1/openapi.json only",
        );
    }
    let Some(router) = desktop.router_when_ready(&path).await else {
        return plain(
            http::StatusCode::SERVICE_UNAVAILABLE,
            "ClinicDesk is still starting; try again in a moment",
        );
    };
    // Only the path and query travel on: no header of the web view reaches the router.
    let target = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or(path);
    let mut forwarded = match http::Request::builder()
        .method(request.method().clone())
        .uri(target)
        .body(Body::empty())
    {
        Ok(r) => r,
        Err(e) => return plain(http::StatusCode::BAD_REQUEST, &e.to_string()),
    };
    clinicdesk_api::transport::mark_in_process(&mut forwarded);
    let response = match router.oneshot(forwarded).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let (parts, body) = response.into_parts();
    match body.collect().await {
        Ok(bytes) => http::Response::from_parts(parts, bytes.to_bytes().to_vec()),
        Err(e) => plain(http::StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

fn plain(status: http::StatusCode, text: &str) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(text.as_bytes().to_vec());
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_documentation_is_served() {
        assert!(is_docs_path("/docs"));
        assert!(is_docs_path("/docs/"));
        assert!(is_docs_path("/docs/swagger-ui.css"));
        assert!(is_docs_path("/api/v1/openapi.json"));
        assert!(!is_docs_path("/api/v1/customers"));
        assert!(!is_docs_path("/api/v1/auth/login"));
        assert!(!is_docs_path("/docsx"));
        assert!(!is_docs_path("/"));
        assert!(is_font_path("/korean-font.css"));
        assert!(is_font_path(
            "/assets/noto-sans-kr-12-wght-normal-Ab1.woff2"
        ));
        assert!(!is_font_path("/assets/index-Cjs2iItW.js"));
        assert!(!is_font_path("/assets/../secret.woff2"));
        assert!(!is_font_path("/assets/a/b.woff2"));
        assert!(!is_font_path("/index.html"));
    }

    #[test]
    fn the_window_opens_on_the_scheme() {
        let url = docs_url();
        assert!(url.contains(SCHEME) && url.ends_with("/docs/"), "{url}");
    }
}
