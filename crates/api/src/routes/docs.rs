//! The API's own documentation: the OpenAPI document and Swagger UI. Swagger UI is vendored
//! into the binary (`utoipa-swagger-ui`'s `vendored` feature) and its online validator is off,
//! so the page loads nothing from outside the origin that served it. Requests handed over
//! in-process (the desktop's docs window) get a read-only page: there is no token there to
//! try an endpoint with.

use crate::openapi;
use crate::openapi::ExtractorDoc;
use crate::transport::is_in_process;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::{Arc, OnceLock};
use utoipa_swagger_ui::Config;

/// Where Swagger UI reads the document from.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// What `/docs` needs from a Content-Security-Policy: Swagger UI's scripts and styles come from
/// the same origin, but it sets inline `style` attributes and draws icons as `data:` images.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' \
    'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The OpenAPI document
///
/// 이 API의 OpenAPI 3.1 문서 (이 문서 자신). 봉투 없이 답합니다.
#[utoipa::path(get, path = "/openapi.json", tag = "docs",
    responses((status = 200, description = "OpenAPI 3.1", body = Object,
        content_type = "application/json")),
    extensions(("x-envelope" = json!(false))))]
pub async fn openapi_json() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        openapi::document_bytes(),
    )
        .into_response()
}

/// Swagger UI
///
/// `/docs/`로 보냅니다 (Swagger UI의 파일은 상대 경로로 읽힙니다).
#[utoipa::path(get, path = "/docs", tag = "docs",
    responses((status = 303, description = "`/docs/`로", headers(("Location" = String)))),
    extensions(("x-envelope" = json!(false))))]
pub async fn docs_redirect() -> Redirect {
    Redirect::to("/docs/")
}

/// Swagger UI 페이지
///
/// 이 문서를 보여 주는 Swagger UI (HTML). 데스크톱 안에서는 읽기 전용입니다.
#[utoipa::path(get, path = "/docs/", tag = "docs",
    responses((status = 200, description = "HTML", content_type = "text/html")),
    extensions(("x-envelope" = json!(false))))]
pub async fn docs_index(via: Via) -> Response {
    swagger_file("index.html", via)
}

/// Swagger UI의 파일 (스크립트, 스타일, 아이콘)
#[utoipa::path(get, path = "/docs/{file}", tag = "docs",
    params(("file" = String, Path, description = "`swagger-ui.css`, `swagger-ui-bundle.js` …")),
    responses(
        (status = 200, description = "파일 (a file of Swagger UI)", content(
            ("text/css"), ("text/javascript"), ("text/html"), ("image/png"))),
        (status = 404, description = "그런 파일이 없음 (no such file)"),
    ),
    extensions(("x-envelope" = json!(false))))]
pub async fn docs_file(Path(file): Path<String>, via: Via) -> Response {
    swagger_file(&file, via)
}

/// The bundled Korean font's stylesheet, at the root of the web UI's build (`ui/vite.config.ts`
/// names it). Served by the server from the UI directory and by the desktop's documentation
/// scheme from the app's assets; where there is no UI, the link fails quietly and the system's
/// fonts are used.
pub const KOREAN_FONT_CSS: &str = "/korean-font.css";

/// ClinicDesk's additions to Swagger UI's look: Korean text in the bundled font, no top bar
/// (its address box would load other documents), the read-only notice and no "Authorize"
/// where nothing can be tried.
const DOCS_CSS: &str = "\
.swagger-ui .topbar { display: none; }
.clinicdesk-read-only-page .swagger-ui .auth-wrapper { display: none; }
.clinicdesk-read-only {
  margin: 0; padding: 10px 20px; background: #fff8e1; border-bottom: 1px solid #f0d58a;
  color: #5b4a12; font: 14px 'Noto Sans KR Variable', 'Malgun Gothic', 'Apple SD Gothic Neo', sans-serif;
}
.swagger-ui, .swagger-ui * {
  font-family: 'Noto Sans KR Variable', 'Malgun Gothic', 'Apple SD Gothic Neo', 'Noto Sans CJK KR',
    sans-serif !important;
}
.swagger-ui code, .swagger-ui code *, .swagger-ui pre, .swagger-ui pre *,
.swagger-ui .opblock-summary-path, .swagger-ui .opblock-summary-path *,
.swagger-ui .parameter__type, .swagger-ui .prop-format {
  font-family: ui-monospace, 'DejaVu Sans Mono', Consolas, monospace, 'Noto Sans KR Variable',
    'Malgun Gothic', 'Apple SD Gothic Neo' !important;
}
";

/// What the desktop's documentation window says above Swagger UI.
const READ_ONLY_NOTE: &str = "<p class=\"clinicdesk-read-only\" role=\"note\" \
    data-testid=\"docs-read-only\">읽기 전용: 데스크톱 안의 API 문서에서는 \
    \"Try it out\"으로 API를 호출할 수 없습니다. 서버의 <code>/docs</code>에서는 로그인 \
    토큰으로 호출해 볼 수 있습니다. (Read-only inside the desktop app.)</p>";

fn swagger_file(name: &str, via: Via) -> Response {
    if name == "clinicdesk.css" {
        return docs_response(
            DOCS_CSS.as_bytes().to_vec(),
            "text/css; charset=utf-8",
            false,
        );
    }
    let file = match utoipa_swagger_ui::serve(name, config(via.in_process)) {
        Ok(Some(file)) => file,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, file = name, "Swagger UI");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut bytes = file.bytes.into_owned();
    if (name == "index.html" || name.is_empty()) && !file.gzpipped {
        // Swagger UI's page, with the bundled Korean font and ClinicDesk's styles.
        let html = String::from_utf8_lossy(&bytes).replace(
            "</head>",
            &format!(
                "<link rel=\"stylesheet\" type=\"text/css\" href=\"{KOREAN_FONT_CSS}\" />\n\
                 <link rel=\"stylesheet\" type=\"text/css\" href=\"./clinicdesk.css\" />\n\
                 <title>ClinicDesk API</title>\n</head>"
            ),
        );
        let html = html.replace("<title>Swagger UI</title>", "");
        bytes = if via.in_process {
            html.replacen(
                "<body>",
                &format!("<body class=\"clinicdesk-read-only-page\">\n{READ_ONLY_NOTE}"),
                1,
            )
        } else {
            html
        }
        .into_bytes();
    }
    docs_response(bytes, &file.content_type, file.gzpipped)
}

fn docs_response(bytes: Vec<u8>, content_type: &str, gzipped: bool) -> Response {
    let mut resp = (StatusCode::OK, bytes).into_response();
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if gzipped {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DOCS_CSP),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

/// Swagger UI's settings: the document above, no online validator, nothing remembered in the
/// browser; on the in-process transport no "Try it out".
fn config(read_only: bool) -> Arc<Config<'static>> {
    static FULL: OnceLock<Arc<Config<'static>>> = OnceLock::new();
    static READ_ONLY: OnceLock<Arc<Config<'static>>> = OnceLock::new();
    let make = |read_only: bool| {
        let config = Config::new([OPENAPI_PATH])
            .validator_url("none")
            .persist_authorization(false)
            .show_extensions(true)
            .deep_linking(true)
            .display_request_duration(true);
        Arc::new(if read_only {
            config.supported_submit_methods(Vec::<String>::new())
        } else {
            config
        })
    };
    if read_only {
        READ_ONLY.get_or_init(|| make(true)).clone()
    } else {
        FULL.get_or_init(|| make(false)).clone()
    }
}

/// Whether the request was handed over in-process ([`crate::transport`]).
pub struct Via {
    in_process: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Via {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Via {
            in_process: is_in_process(&parts.extensions),
        })
    }
}

impl ExtractorDoc for Via {}
