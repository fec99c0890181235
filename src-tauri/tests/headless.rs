//! Headless tests of the desktop's commands: `tauri::test::mock_builder()` with exactly the
//! state and commands the real app registers ([`clinicdesk_desktop::register`]), on a temporary
//! SQLite database, invoked through Tauri's IPC layer as the UI invokes them. The keyring is
//! keyring's mock store. No display is needed.

use clinicdesk_desktop::{
    register, startup, ApiResponse, Desktop, KeyringChoice, SessionStore, StartupConfig,
};
use serde_json::{json, Value};
use std::sync::Arc;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

/// The origin the bundled UI is served from (custom commands answer only local origins).
#[cfg(not(windows))]
const LOCAL_ORIGIN: &str = "tauri://localhost";
#[cfg(windows)]
const LOCAL_ORIGIN: &str = "http://tauri.localhost";

struct Harness {
    _app: tauri::App<MockRuntime>,
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
    Harness { _app: app, webview }
}

impl Harness {
    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.webview,
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
    assert_eq!(
        v["data"],
        json!({"needs_setup": true, "setup_allowed": true})
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
