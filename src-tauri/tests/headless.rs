//! Headless tests of the desktop's commands: `tauri::test::mock_builder()` with exactly the
//! state and commands the real app registers ([`clinicdesk_desktop::register`]), on a temporary
//! SQLite database, invoked through Tauri's IPC layer as the UI invokes them. The keyring is
//! keyring's mock store. No display is needed.

use clinicdesk_desktop::{
    docs, register, startup, ApiResponse, Desktop, KeyringChoice, SessionStore, StartupConfig,
};
use serde_json::{json, Value};
use std::sync::Arc;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

/// The origin the bundled UI is served from (custom commands answer only local origins).
#[cfg(not(windows))]
const LOCAL_ORIGIN: &str = "tauri://localhost";
#[cfg(windows)]
const LOCAL_ORIGIN: &str = "http://tauri.localhost";

struct Harness {
    app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
}

fn harness(desktop: Arc<Desktop>) -> Harness {
    keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
    let sessions = SessionStore::new(KeyringChoice::Default);
    let app = register(mock_builder(), desktop, sessions)
        .build(mock_context(noop_assets()))
        .expect("the mock app builds");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("a mock window");
    Harness { app, webview }
}

impl Harness {
    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        invoke_from(&self.webview, cmd, args)
    }
}

/// Invokes a command from `webview`, as the page in it would.
fn invoke_from(
    webview: &WebviewWindow<MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: LOCAL_ORIGIN.parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("a JSON answer"))
}

impl Harness {
    fn api(
        &self,
        method: &str,
        path: &str,
        headers: Value,
        body: Option<Value>,
    ) -> (ApiResponse, Value) {
        let request = json!({
            "method": method,
            "path": path,
            "headers": headers,
            "body": body.map(|b| b.to_string()),
        });
        let out = self
            .invoke("api_request", json!({ "request": request }))
            .expect("api_request resolves");
        let response: ApiResponse = serde_json::from_value(out).expect("{status, headers, body}");
        let parsed = serde_json::from_str(&response.body).unwrap_or(Value::Null);
        (response, parsed)
    }
}

#[test]
fn api_request_reaches_the_shared_router_in_process() {
    let dir = tempfile::tempdir().unwrap();
    let desktop = Arc::new(Desktop::new());
    let h = harness(desktop.clone());

    // Before the database is open: 503 in the API's error envelope.
    let (r, v) = h.api("GET", "/readyz", json!({}), None);
    assert_eq!(r.status, 503);
    assert_eq!(v["status"], "not_ready");
    let (r, v) = h.api(
        "POST",
        "/api/v1/auth/login",
        json!({}),
        Some(json!({"username": "admin", "password": "x"})),
    );
    assert_eq!(r.status, 503);
    assert_eq!(v["success"], false);
    assert_eq!(v["error"]["code"], "SERVICE_UNAVAILABLE");
    assert_eq!(v["error"]["message"], "서비스를 준비 중입니다");

    // Warm up exactly as a plain install does (no demo mode), on a database that also holds
    // the demo accounts, as one that once ran in demo mode would.
    let config = StartupConfig {
        data_dir: dir.path().join("data"),
        demo: false,
        secrets: startup::SecretsPlace::Files,
    };
    let state = tauri::async_runtime::block_on(startup::open(&desktop, &config))
        .expect("the database opens");
    tauri::async_runtime::block_on(clinicdesk_demo::ensure_demo_users(&state.db))
        .expect("demo users");

    let (r, v) = h.api("GET", "/readyz", json!({}), None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(v["status"], "ready");
    let (r, v) = h.api("GET", "/healthz", json!({}), None);
    assert_eq!((r.status, v["status"].as_str()), (200, Some("ok")));

    // Not in demo mode: the published demo password does not open the demo admin, and the
    // first run asks for the clinic's own administrator.
    let (r, v) = h.api(
        "POST",
        "/api/v1/auth/login",
        json!({}),
        Some(json!({"username": "admin", "password": "clinicdesk-demo"})),
    );
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(v["error"]["code"], "AUTH_INVALID_CREDENTIALS");
    let (r, v) = h.api("GET", "/api/v1/setup", json!({}), None);
    assert_eq!(r.status, 200, "{}", r.body);
    // The demo accounts are there (though refused): not a node without accounts, so
    // connecting to a central server needs an administrator's login.
    assert_eq!(
        v["data"],
        json!({"needs_setup": true, "setup_allowed": true, "connect_allowed": false})
    );

    // The set-up screen's request creates the administrator and logs them in.
    let (r, v) = h.api(
        "POST",
        "/api/v1/setup",
        json!({"Content-Type": "application/json"}),
        Some(json!({"username": "head.admin", "display_name": "원장", "password": "Blue-Harbor-Lamp"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(v["success"], true);
    let access = v["data"]["access_token"]
        .as_str()
        .expect("an access token")
        .to_string();
    assert!(!access.is_empty());
    assert!(v["data"]["refresh_token"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    assert_eq!(v["data"]["user"]["role"], "admin");
    assert_eq!(
        r.headers.get("content-type").map(String::as_str),
        Some("application/json")
    );
    let (_, v) = h.api("GET", "/api/v1/setup", json!({}), None);
    assert_eq!(v["data"]["needs_setup"], false);
    let (r, v) = h.api(
        "POST",
        "/api/v1/auth/login",
        json!({}),
        Some(json!({"username": "head.admin", "password": "Blue-Harbor-Lamp"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(v["data"]["user"]["username"], "head.admin");

    // The bearer token works on the next in-process call.
    let (r, v) = h.api(
        "GET",
        "/api/v1/auth/me",
        json!({"Authorization": format!("Bearer {access}")}),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(v["data"]["username"], "head.admin");

    // A wrong password is the API's own 401 envelope, not a bridge error.
    let (r, v) = h.api(
        "POST",
        "/api/v1/auth/login",
        json!({}),
        Some(json!({"username": "head.admin", "password": "nope"})),
    );
    assert_eq!(r.status, 401);
    assert_eq!(v["error"]["code"], "AUTH_INVALID_CREDENTIALS");

    // This installation's device id: a UUIDv7 kept in app_settings.
    let device = desktop.device_id().expect("a device id").to_string();
    assert_eq!(uuid::Uuid::parse_str(&device).unwrap().get_version_num(), 7);

    // A request HTTP cannot express rejects the invoke promise.
    let bad = h.invoke(
        "api_request",
        json!({"request": {"method": "GET", "path": "no-slash", "headers": {}, "body": null}}),
    );
    assert!(bad.is_err());
}

#[test]
fn refresh_token_round_trips_through_the_keyring_commands() {
    let h = harness(Arc::new(Desktop::new()));
    assert_eq!(h.invoke("session_load", json!({})).unwrap(), Value::Null);
    assert_eq!(
        h.invoke("session_save", json!({"refreshToken": "rt-abc"}))
            .unwrap(),
        Value::Null
    );
    assert_eq!(
        h.invoke("session_load", json!({})).unwrap(),
        json!("rt-abc")
    );
    assert_eq!(
        h.invoke("session_save", json!({"refreshToken": "rt-def"}))
            .unwrap(),
        Value::Null
    );
    assert_eq!(
        h.invoke("session_load", json!({})).unwrap(),
        json!("rt-def")
    );
    assert_eq!(h.invoke("session_clear", json!({})).unwrap(), Value::Null);
    assert_eq!(h.invoke("session_load", json!({})).unwrap(), Value::Null);
    // Clearing twice is fine; a missing argument is an IPC error.
    assert_eq!(h.invoke("session_clear", json!({})).unwrap(), Value::Null);
    assert!(h.invoke("session_save", json!({})).is_err());
}

fn docs_request(method: &str, path: &str) -> tauri::http::Request<Vec<u8>> {
    tauri::http::Request::builder()
        .method(method)
        .uri(format!("{}://localhost{path}", docs::SCHEME))
        .body(Vec::new())
        .unwrap()
}

fn header(r: &tauri::http::Response<Vec<u8>>, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The documentation window's scheme hands its requests to the shared router in-process:
/// Swagger UI read-only, the OpenAPI document the API crate generates; nothing else of the API.
#[test]
fn api_docs_come_from_the_shared_router_through_the_scheme() {
    let dir = tempfile::tempdir().unwrap();
    let desktop = Arc::new(Desktop::new());
    let serve = |method: &str, path: &str| {
        tauri::async_runtime::block_on(docs::serve(&desktop, docs_request(method, path)))
    };
    assert_eq!(serve("GET", "/docs/").status(), 503, "before warm-up");

    let config = StartupConfig {
        data_dir: dir.path().join("data"),
        demo: false,
        secrets: startup::SecretsPlace::Files,
    };
    tauri::async_runtime::block_on(startup::open(&desktop, &config)).expect("the database opens");

    let r = serve("GET", "/docs");
    assert_eq!(r.status(), 303);
    assert_eq!(header(&r, "location"), "/docs/");
    let r = serve("GET", "/docs/");
    assert_eq!(r.status(), 200);
    assert!(header(&r, "content-type").starts_with("text/html"));
    assert!(String::from_utf8_lossy(r.body()).contains("swagger-ui-bundle.js"));
    assert!(header(&r, "content-security-policy").contains("script-src 'self'"));
    let r = serve("GET", "/docs/swagger-ui-bundle.js");
    assert_eq!(r.status(), 200);
    assert!(r.body().len() > 100_000);
    let init = serve("GET", "/docs/swagger-initializer.js");
    let init = String::from_utf8_lossy(init.body()).into_owned();
    assert!(
        init.contains("\"supportedSubmitMethods\": []"),
        "read-only: {init}"
    );
    assert!(init.contains("\"validatorUrl\": \"none\""), "{init}");

    let r = serve("GET", "/api/v1/openapi.json");
    assert_eq!(r.status(), 200);
    let doc: Value = serde_json::from_slice(r.body()).expect("JSON");
    assert_eq!(&doc, clinicdesk_api::openapi_document());
    assert_eq!(doc["openapi"], "3.1.0");

    // The API itself is not reachable through the documentation's scheme.
    assert_eq!(serve("GET", "/api/v1/customers").status(), 404);
    assert_eq!(serve("GET", "/readyz").status(), 404);
    assert_eq!(serve("POST", "/api/v1/openapi.json").status(), 405);
}

/// The help entry's command opens the documentation window on the scheme (once), and that
/// window cannot call the app's commands.
#[test]
fn the_help_entry_opens_the_docs_window_which_cannot_call_commands() {
    let h = harness(Arc::new(Desktop::new()));
    assert!(h.app.get_webview_window(docs::WINDOW).is_none());
    assert_eq!(h.invoke("open_api_docs", json!({})).unwrap(), Value::Null);
    let window = h
        .app
        .get_webview_window(docs::WINDOW)
        .expect("the docs window");
    assert_eq!(window.url().unwrap().as_str(), docs::docs_url());
    // A second click brings the same window forward.
    assert_eq!(h.invoke("open_api_docs", json!({})).unwrap(), Value::Null);
    assert_eq!(h.app.webview_windows().len(), 2);

    let denied = invoke_from(&window, "session_load", json!({}));
    assert!(denied.is_err(), "{denied:?}");
    let denied = invoke_from(
        &window,
        "api_request",
        json!({"request": {"method": "GET", "path": "/readyz", "headers": {}, "body": null}}),
    );
    assert!(denied.is_err(), "{denied:?}");
    // The main window still may.
    assert_eq!(h.invoke("session_load", json!({})).unwrap(), Value::Null);
}
