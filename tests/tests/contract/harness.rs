//! The two transports the contract runs on: the in-process router on SQLite (what the
//! desktop does) and the server binary over HTTP on PostgreSQL (what a clinic chain runs).
//! Cases see only [`Harness`], so one case proves both.

use super::openapi::{contract, Exchange, Exercised};
use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use clinicdesk_api::{AppState, Secrets};
use clinicdesk_domain::ids;
use clinicdesk_store::users::{self, User};
use clinicdesk_store::{Actor, Db};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;
use tower::ServiceExt;

pub const PASSWORD: &str = "contract-pass-1";
pub const ROLES: [&str; 4] = ["admin", "manager", "doctor", "staff"];

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Value,
    /// The body as it came (a chart's PNG).
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn field(&self) -> &str {
        self.body["error"]["field"].as_str().unwrap_or("")
    }

    /// Asserts the status and, for errors, the envelope and code.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        if status >= 400 && status != 503 || status == 503 && self.body.get("error").is_some() {
            assert_eq!(
                self.body["success"],
                json!(false),
                "error envelope: {}",
                self.body
            );
            assert!(
                self.body["error"]["code"].is_string(),
                "error code: {}",
                self.body
            );
            assert!(self.body["error"]["message"].is_string());
            assert!(self.body["request_id"].is_string());
            assert!(self.body["timestamp"].is_string());
        } else if (200..300).contains(&status) && status != 204 {
            assert_eq!(
                self.body["success"],
                json!(true),
                "success envelope: {}",
                self.body
            );
            assert!(self.body["request_id"].is_string());
        }
        self
    }

    /// The refresh token a login or refresh handed out: in the body in-process, in the
    /// `HttpOnly` cookie over HTTP.
    #[track_caller]
    pub fn refresh_token(&self) -> String {
        if let Some(t) = self.data()["refresh_token"].as_str() {
            return t.to_string();
        }
        let cookie = self.headers.get("set-cookie").expect("a refresh cookie");
        let value = cookie
            .split(';')
            .next()
            .and_then(|kv| kv.split_once('='))
            .filter(|(k, _)| k.trim() == "clinicdesk_refresh")
            .map(|(_, v)| v.trim().to_string())
            .expect("the refresh cookie");
        assert!(!value.is_empty(), "an empty refresh cookie: {cookie}");
        value
    }

    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) -> &Self {
        self.expect(status);
        assert_eq!(self.code(), code, "body: {}", self.body);
        self
    }
}

enum Transport {
    InProcess(axum::Router),
    Http {
        base: String,
        client: reqwest::Client,
    },
}

pub struct Harness {
    transport: Transport,
    /// A server process of this harness alone (see [`dedicated_http`]); stopped on drop.
    _own_server: Option<Server>,
    pub db: Db,
    /// The key rings of the API under test (the server's, read from its secrets directory).
    pub secrets: Secrets,
    /// The database the API under test uses, for a second writer beside it.
    pub database_url: String,
    pub kind: &'static str,
    tokens: tokio::sync::Mutex<HashMap<String, String>>,
    /// Where the operations the cases reach are recorded (the coverage sweep).
    exercised: Option<Exercised>,
}

/// The route that answered an in-process request, as the router matched it.
#[derive(Clone)]
struct RoutedAs(String);

/// Wraps every route of the router (and its fallbacks): records which route matched.
async fn record_route(req: Request, next: Next) -> Response {
    let matched = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let mut resp = next.run(req).await;
    if let Some(m) = matched {
        resp.extensions_mut().insert(RoutedAs(m));
    }
    resp
}

/// A raw request body: JSON, or bytes sent as they are (malformed-input cases).
pub enum Payload {
    None,
    Json(Value),
    Raw(&'static str),
}

impl Harness {
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        payload: Payload,
        extra: &[(&str, &str)],
    ) -> Resp {
        let body = match &payload {
            Payload::None => Vec::new(),
            Payload::Json(v) => v.to_string().into_bytes(),
            Payload::Raw(s) => s.as_bytes().to_vec(),
        };
        match &self.transport {
            Transport::InProcess(router) => {
                let mut req = axum::http::Request::builder().method(method).uri(path);
                if !matches!(payload, Payload::None) {
                    req = req.header("content-type", "application/json");
                }
                if let Some(t) = token {
                    req = req.header("authorization", format!("Bearer {t}"));
                }
                for (k, v) in extra {
                    req = req.header(*k, *v);
                }
                let mut req = req.body(Body::from(body)).unwrap();
                clinicdesk_api::transport::mark_in_process(&mut req);
                let resp = router.clone().oneshot(req).await.unwrap();
                let status = resp.status().as_u16();
                let matched = resp.extensions().get::<RoutedAs>().map(|r| r.0.clone());
                let headers = resp
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                    .collect();
                let bytes = resp.into_body().collect().await.unwrap().to_bytes();
                let resp = Resp {
                    status,
                    headers,
                    body: parse(&bytes),
                    bytes: bytes.to_vec(),
                };
                self.check(method, path, matched.as_deref(), &payload, &resp);
                resp
            }
            Transport::Http { base, client } => {
                let http_method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
                let mut req = client.request(http_method, format!("{base}{path}"));
                if !matches!(payload, Payload::None) {
                    req = req.header("content-type", "application/json").body(body);
                }
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                for (k, v) in extra {
                    req = req.header(*k, *v);
                }
                let resp = req.send().await.expect("server answers");
                let status = resp.status().as_u16();
                let headers = resp
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                    .collect();
                let bytes = resp.bytes().await.unwrap();
                let resp = Resp {
                    status,
                    headers,
                    body: parse(&bytes),
                    bytes: bytes.to_vec(),
                };
                self.check(method, path, None, &payload, &resp);
                resp
            }
        }
    }

    /// Holds the exchange against the OpenAPI document (see `openapi.rs`).
    #[track_caller]
    fn check(
        &self,
        method: &str,
        uri: &str,
        matched: Option<&str>,
        payload: &Payload,
        resp: &Resp,
    ) {
        let request_body = match payload {
            Payload::Json(v) => Some(v),
            _ => None,
        };
        contract().check(
            &Exchange {
                method,
                uri,
                matched,
                request_body,
                status: resp.status,
                content_type: resp.headers.get("content-type").map(String::as_str),
                body: &resp.body,
            },
            self.exercised.as_ref(),
        );
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.send("GET", path, Some(token), Payload::None, &[])
            .await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.send("POST", path, Some(token), Payload::Json(body), &[])
            .await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Resp {
        self.send("PUT", path, Some(token), Payload::Json(body), &[])
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Resp {
        self.send("DELETE", path, Some(token), Payload::None, &[])
            .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Resp {
        self.send(
            "POST",
            "/api/v1/auth/login",
            None,
            Payload::Json(json!({"username": username, "password": password})),
            &[],
        )
        .await
    }

    /// Presents a refresh token the way the UI on this transport does: in the body
    /// in-process, in the cookie over HTTP.
    pub async fn refresh(&self, token: &str) -> Resp {
        match self.transport {
            Transport::InProcess(_) => {
                self.send(
                    "POST",
                    "/api/v1/auth/refresh",
                    None,
                    Payload::Json(json!({ "refresh_token": token })),
                    &[],
                )
                .await
            }
            Transport::Http { .. } => {
                let cookie = format!("clinicdesk_refresh={token}");
                self.send(
                    "POST",
                    "/api/v1/auth/refresh",
                    None,
                    Payload::None,
                    &[("cookie", cookie.as_str())],
                )
                .await
            }
        }
    }

    pub fn in_process(&self) -> bool {
        matches!(self.transport, Transport::InProcess(_))
    }

    /// An access token for a role's test user (logged in once per harness).
    pub async fn token(&self, role: &str) -> String {
        let mut tokens = self.tokens.lock().await;
        if let Some(t) = tokens.get(role) {
            return t.clone();
        }
        let resp = self.login(&user_name(role), PASSWORD).await;
        resp.expect(200);
        let t = resp.data()["access_token"].as_str().unwrap().to_string();
        tokens.insert(role.to_string(), t.clone());
        t
    }

    /// Audit events about a record (its own, and list pages it appeared on), newest first,
    /// optionally of one action.
    pub async fn audit_events(
        &self,
        entity_id: &str,
        action: Option<&str>,
    ) -> Vec<clinicdesk_store::audit::AuditEntry> {
        let filter = clinicdesk_store::audit::AuditFilter {
            customer_id: Some(entity_id.to_string()),
            action: action.map(str::to_string),
            ..Default::default()
        };
        clinicdesk_store::audit::events(&self.db, &filter, 0, 10_000)
            .await
            .unwrap()
            .0
    }

    pub async fn audit_count(&self, entity_id: &str, action: Option<&str>) -> usize {
        self.audit_events(entity_id, action).await.len()
    }

    /// Rows in `table` matching `where_sql` with one bound text value.
    pub async fn count(&self, table: &str, where_sql: &str, value: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM {table} WHERE {where_sql}"
        ))
        .bind(value.to_string())
        .fetch_one(&self.db.pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
    }

    /// The changes the server logged for its devices about row `entity_id` (its own writes
    /// and what devices pushed), oldest first, each flattened: the row of a fact, or the
    /// fields an upsert wrote with their values, plus `_kind` and `_fields` (the fields the op
    /// carries).
    pub async fn logged_changes(&self, entity_id: &str) -> Vec<Value> {
        use sqlx::Row;
        sqlx::query("SELECT op FROM sync_log WHERE entity_id = $1 ORDER BY seq")
            .bind(entity_id.to_string())
            .fetch_all(&self.db.pool)
            .await
            .expect("the sync log")
            .iter()
            .map(|r| {
                let op: Value =
                    serde_json::from_str(&r.try_get::<String, _>("op").unwrap()).unwrap();
                flatten_op(&op)
            })
            .collect()
    }

    /// Moves a visit's recording time `minutes` into the past: the recorder's void window is
    /// ten minutes of the server's clock, which a test cannot wait out.
    pub async fn backdate_visit(&self, session_id: &str, minutes: i64) {
        let at =
            clinicdesk_store::timestamp(chrono::Utc::now() - chrono::Duration::minutes(minutes));
        sqlx::query("UPDATE service_sessions SET created_at = $1 WHERE id = $2")
            .bind(at)
            .bind(session_id.to_string())
            .execute(&self.db.pool)
            .await
            .unwrap();
    }

    pub fn is_http(&self) -> bool {
        matches!(self.transport, Transport::Http { .. })
    }

    /// A user no other case knows (role `role`, password [`PASSWORD`]): cases that lock or
    /// exhaust an account use one, never the shared `contract-*` users.
    pub async fn throwaway_user(&self, role: &str) -> String {
        let username = format!("tmp-{}", ids::new_id());
        let user = User {
            id: ids::new_id(),
            username: username.clone(),
            password_hash: clinicdesk_security::hash_password_async(PASSWORD.into())
                .await
                .expect("a password hash"),
            display_name: format!("임시 {role}"),
            role: role.to_string(),
            active: true,
            demo: false,
        };
        let mut w = self
            .db
            .begin_write(
                &Actor::system("contract-test"),
                &clinicdesk_store::timestamp(chrono::Utc::now()),
            )
            .await
            .unwrap();
        users::insert(&mut w, &user).await.unwrap();
        w.commit().await.unwrap();
        username
    }
}

fn parse(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
    }
}

/// Test users are per-harness-kind names so cases never collide with demo users.
pub fn user_name(role: &str) -> String {
    format!("contract-{role}")
}

async fn ensure_users(db: &Db) {
    let hash = clinicdesk_security::hash_password(PASSWORD).expect("a password hash");
    for role in ROLES {
        let mut conn = db.conn().await.unwrap();
        if users::by_username(&mut conn, &user_name(role))
            .await
            .unwrap()
            .is_some()
        {
            continue;
        }
        drop(conn);
        let mut w = db
            .begin_write(
                &Actor::system("contract-test"),
                &clinicdesk_store::timestamp(chrono::Utc::now()),
            )
            .await
            .unwrap();
        let user = User {
            id: ids::new_id(),
            username: user_name(role),
            password_hash: hash.clone(),
            display_name: format!("테스트 {role}"),
            role: role.to_string(),
            active: true,
            demo: false,
        };
        // Two test threads may race to create the same user on the shared server database.
        if users::insert(&mut w, &user).await.is_ok() {
            let _ = w.commit().await;
        }
    }
}

/// How an in-process API state is set up: demo mode (demo accounts may log in) and first-run
/// set-up (`POST /api/v1/setup`). The shared harnesses have both off, as a server does.
#[derive(Debug, Clone, Copy, Default)]
pub struct StateOptions {
    pub demo_mode: bool,
    pub first_run_setup: bool,
}

/// A URL for a fresh SQLite file in the temp directory.
fn new_sqlite_url() -> String {
    let dir = std::env::temp_dir().join("clinicdesk-contract");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.db", ids::new_id()));
    format!("sqlite://{}", path.display())
}

/// A sync node in-process (the desktop, headless): a new SQLite database with no users, its
/// device secret in a private directory of its own. No background loop: cases sync with
/// `POST /sync/run` when they choose to, which is what "offline until now" means.
async fn in_process_node(exercised: Option<Exercised>) -> Harness {
    let database_url = new_sqlite_url();
    let secrets = Secrets::generate();
    let db = Db::connect(&database_url).await.unwrap();
    let dir = std::env::temp_dir()
        .join("clinicdesk-contract")
        .join(format!("node-{}", ids::new_id()));
    let store: std::sync::Arc<dyn clinicdesk_security::SecretStore> =
        std::sync::Arc::new(clinicdesk_security::FileSecrets::new(dir));
    let engine = clinicdesk_api::sync_engine::SyncEngine::new(
        db.clone(),
        store,
        clinicdesk_api::sync_engine::EngineConfig {
            // Small pages: a case's few hundred changes span several.
            pull_limit: 50,
            push_batch: 40,
            ..Default::default()
        },
        std::sync::Arc::new(chrono::Utc::now),
    );
    let mut state = AppState::new(db.clone(), secrets.clone()).with_sync_engine(Some(engine));
    state.refresh_reuse_grace_seconds = 0;
    state.prepare().await.unwrap();
    Harness {
        transport: Transport::InProcess(
            clinicdesk_api::router(state).layer(axum::middleware::from_fn(record_route)),
        ),
        _own_server: None,
        db,
        secrets,
        database_url,
        kind: "sqlite-node",
        tokens: Default::default(),
        exercised,
    }
}

/// The router in-process on `database_url` with these key rings, set up as `opts` says.
async fn in_process(
    database_url: String,
    secrets: Secrets,
    opts: StateOptions,
    kind: &'static str,
    exercised: Option<Exercised>,
) -> Harness {
    let db = Db::connect(&database_url).await.unwrap();
    let mut state = AppState::new(db.clone(), secrets.clone())
        .with_demo_mode(opts.demo_mode)
        .with_first_run_setup(opts.first_run_setup)
        // The suite's server is a central server, as the HTTP one is.
        .with_sync_engine(None);
    // Theft detection without a grace period, as the test server runs (see `launch`).
    state.refresh_reuse_grace_seconds = 0;
    state.prepare().await.unwrap();
    Harness {
        transport: Transport::InProcess(
            clinicdesk_api::router(state).layer(axum::middleware::from_fn(record_route)),
        ),
        _own_server: None,
        db,
        secrets,
        database_url,
        kind,
        tokens: Default::default(),
        exercised,
    }
}

/// A fresh SQLite file and the router in-process, as the desktop runs it.
pub async fn sqlite() -> Harness {
    sqlite_recording(None).await
}

/// [`sqlite`], recording the documented operations the case reaches (also through the
/// harnesses it makes with [`Harness::empty`] and [`Harness::beside`]) into `exercised`.
pub async fn sqlite_recording(exercised: Option<Exercised>) -> Harness {
    let h = in_process(
        new_sqlite_url(),
        Secrets::generate(),
        StateOptions::default(),
        "sqlite-inprocess",
        exercised,
    )
    .await;
    ensure_users(&h.db).await;
    h
}

impl Harness {
    /// A database of its own with no users at all (first-run cases), on this harness's kind of
    /// database — a new SQLite file, or a new PostgreSQL database — with the router in-process
    /// and set up as `opts` says. (The HTTP server never allows the first-run set-up, so those
    /// cases run in-process on both databases.)
    pub async fn empty(&self, opts: StateOptions) -> Harness {
        let url = if self.kind.starts_with("sqlite") {
            new_sqlite_url()
        } else {
            create_pg_database().await
        };
        in_process(
            url,
            Secrets::generate(),
            opts,
            "in-process-empty",
            self.exercised.clone(),
        )
        .await
    }

    /// A sync node with an empty database of its own (see [`in_process_node`]).
    pub async fn node(&self) -> Harness {
        in_process_node(self.exercised.clone()).await
    }

    /// Serves this harness's API over HTTP on a free local port (for nodes to sync with);
    /// the base URL. An HTTP harness answers its own.
    pub async fn serve_http(&self) -> String {
        match &self.transport {
            Transport::Http { base, .. } => base.clone(),
            Transport::InProcess(router) => {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let app = router
                    .clone()
                    .into_make_service_with_connect_info::<std::net::SocketAddr>();
                tokio::spawn(async move {
                    let _ = axum::serve(listener, app).await;
                });
                format!("http://{addr}")
            }
        }
    }

    /// A database of its own with the test users, in-process: what a second node would hold.
    pub async fn fresh(&self) -> Harness {
        let h = self.empty(StateOptions::default()).await;
        ensure_users(&h.db).await;
        h
    }

    /// Another router in-process on this harness's database and key rings, set up as `opts`
    /// says (e.g. a process in demo mode beside one that is not).
    pub async fn beside(&self, opts: StateOptions) -> Harness {
        self.beside_with_keys(opts, self.secrets.clone()).await
    }

    /// [`Harness::beside`] with other key rings (a process after a key rotation).
    pub async fn beside_with_keys(&self, opts: StateOptions, secrets: Secrets) -> Harness {
        in_process(
            self.database_url.clone(),
            secrets,
            opts,
            "in-process-beside",
            self.exercised.clone(),
        )
        .await
    }
}

/// A new, empty PostgreSQL database; returns its URL.
async fn create_pg_database() -> String {
    use sqlx::Connection;
    let admin = pg_admin_url();
    let name = format!("clinicdesk_contract_{}", ids::new_id().replace('-', "_"));
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is needed for the contract suite ({admin}): {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let _ = conn.close().await;
    match admin.rfind('/') {
        Some(i) => format!("{}/{name}", &admin[..i]),
        None => panic!("bad CLINICDESK_TEST_PG_URL"),
    }
}

struct Server {
    base: String,
    database_url: String,
    secrets_dir: std::path::PathBuf,
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        // Only dedicated servers are ever dropped; the shared one lives as long as the
        // process and exits when its stdin closes.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The shared server runs every HTTP case of the suite, all from 127.0.0.1 with the same
/// `contract-*` users — well past the real hourly budgets and the per-client login lock.
/// Its limits are raised; cases that test the real ones start a [`dedicated_http`] server.
const SHARED_SERVER_LIMITS: [&str; 10] = [
    "--rate-limit-general",
    "1000000000",
    "--rate-limit-analytics",
    "1000000000",
    "--rate-limit-recommendations",
    "1000000000",
    "--login-client-delay-after",
    "1000000",
    "--login-client-lock-after",
    "1000000",
];

fn server_binary() -> std::path::PathBuf {
    if let Ok(p) = std::env::var("CLINICDESK_SERVER_BIN") {
        return p.into();
    }
    // The test executable lives in <target>/<profile>/deps/; the server beside <profile>/.
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .and_then(|d| d.parent())
        .unwrap()
        .join("clinicdesk-server");
    assert!(
        bin.is_file(),
        "build the server first: cargo build -p clinicdesk-server (looked for {})",
        bin.display()
    );
    bin
}

pub fn pg_admin_url() -> String {
    std::env::var("CLINICDESK_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://clinicdesk:clinicdesk@127.0.0.1:5432/postgres".into())
}

/// One PostgreSQL database and one server process per test binary, started on first use.
/// The server exits when this process does (its stdin closes).
fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| launch(&SHARED_SERVER_LIMITS))
}

/// Creates a fresh PostgreSQL database and starts the server binary on it with `extra_args`,
/// waiting until it is ready. Blocking (it runs its own runtime on a thread of its own).
fn launch(extra_args: &[&str]) -> Server {
    let extra: Vec<String> = extra_args.iter().map(|a| a.to_string()).collect();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let database_url = rt.block_on(create_pg_database());
        let name = database_url.rsplit('/').next().unwrap_or("db").to_string();
        let secrets_dir = std::env::temp_dir()
            .join("clinicdesk-contract")
            .join(format!("secrets-{name}"));
        let mut child = Command::new(server_binary())
            .args([
                "--addr",
                "127.0.0.1:0",
                "--database-url",
                &database_url,
                "--secrets-dir",
                secrets_dir.to_str().unwrap(),
                // Theft detection without a grace period for racing tabs.
                "--refresh-reuse-grace-secs",
                "0",
                "--exit-on-stdin-close",
                "--log-format",
                "json",
            ])
            .args(["--ui-dir", "/nonexistent"])
            .args(&extra)
            .env("RUST_LOG", "info,sqlx=warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start clinicdesk-server");
        // The server logs the address it bound (port 0 → an ephemeral port).
        let stdout = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("server exited before listening")
                .unwrap();
            let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
            if v["message"] == "listening" {
                break v["addr"].as_str().unwrap().to_string();
            }
        };
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let base = format!("http://{addr}");
        rt.block_on(async {
            let client = reqwest::Client::new();
            for _ in 0..300 {
                if let Ok(r) = client.get(format!("{base}/readyz")).send().await {
                    if r.status() == 200 {
                        return;
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("server never became ready");
        });
        Server {
            base,
            database_url,
            secrets_dir,
            child,
        }
    })
    .join()
    .unwrap()
}

/// The server binary over HTTP on a fresh PostgreSQL database (shared by this binary's cases).
pub async fn postgres() -> Harness {
    let server = server();
    http_harness(
        &server.base,
        &server.database_url,
        &server.secrets_dir,
        None,
        "postgres-http",
    )
    .await
}

/// A server process of its own on a fresh PostgreSQL database, started with `extra_args`
/// (nothing: the real default limits), for cases that exhaust a budget or lock a client
/// address. It stops when the harness is dropped.
pub async fn dedicated_http(extra_args: &[&'static str]) -> Harness {
    let args = extra_args.to_vec();
    let server = tokio::task::spawn_blocking(move || launch(&args))
        .await
        .unwrap();
    let (base, url, secrets_dir) = (
        server.base.clone(),
        server.database_url.clone(),
        server.secrets_dir.clone(),
    );
    http_harness(
        &base,
        &url,
        &secrets_dir,
        Some(server),
        "postgres-http-dedicated",
    )
    .await
}

async fn http_harness(
    base: &str,
    database_url: &str,
    secrets_dir: &std::path::Path,
    own_server: Option<Server>,
    kind: &'static str,
) -> Harness {
    // The key rings the server made in its secrets directory on its first start.
    let secrets = Secrets::configured(secrets_dir).expect("the server's key rings");
    let db = Db::open(database_url, secrets.audit.clone()).await.unwrap();
    // The server is a central one: what the suite writes beside it goes to its log as well.
    db.set_central(true);
    ensure_users(&db).await;
    Harness {
        transport: Transport::Http {
            base: base.to_string(),
            // Redirects are answers of their own (`/docs` → `/docs/`), as in-process.
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
        },
        _own_server: own_server,
        db,
        secrets,
        database_url: database_url.to_string(),
        kind,
        tokens: Default::default(),
        exercised: None,
    }
}

/// An op as `logged_changes` answers it.
pub fn flatten_op(op: &Value) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("_kind".into(), op["kind"].clone());
    out.insert("_entity".into(), op["entity"].clone());
    if let Some(row) = op["row"].as_object() {
        for (k, v) in row {
            out.insert(k.clone(), v.clone());
        }
    }
    let mut fields = Vec::new();
    if let Some(f) = op["fields"].as_object() {
        for (k, v) in f {
            out.insert(k.clone(), v["value"].clone());
            fields.push(Value::String(k.clone()));
        }
    }
    out.insert("_fields".into(), Value::Array(fields));
    Value::Object(out)
}

/// A phone number no other case uses.
pub fn unique_phone() -> String {
    let n = uuid::Uuid::now_v7().as_u128();
    format!("010-{:04}-{:04}", (n >> 20) % 10000, n % 10000)
}
