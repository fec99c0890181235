//! The two transports the contract runs on: the in-process router on SQLite (what the
//! desktop does) and the server binary over HTTP on PostgreSQL (what a clinic chain runs).
//! Cases see only [`Harness`], so one case proves both.

use axum::body::Body;
use clinicdesk_api::AppState;
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
    pub db: Db,
    /// The database the API under test uses, for a second writer beside it.
    pub database_url: String,
    pub kind: &'static str,
    tokens: tokio::sync::Mutex<HashMap<String, String>>,
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
                let headers = resp
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                    .collect();
                let bytes = resp.into_body().collect().await.unwrap().to_bytes();
                Resp {
                    status,
                    headers,
                    body: parse(&bytes),
                }
            }
            Transport::Http { base, client } => {
                let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
                let mut req = client.request(method, format!("{base}{path}"));
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
                Resp {
                    status,
                    headers,
                    body: parse(&bytes),
                }
            }
        }
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

    pub async fn jwt_secret(&self) -> Vec<u8> {
        let mut conn = self.db.conn().await.unwrap();
        let hex_secret = users::setting(&mut conn, "jwt_secret")
            .await
            .unwrap()
            .unwrap();
        hex::decode(hex_secret).unwrap()
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

/// The router in-process on `database_url`, with the state set up as `opts` says.
async fn in_process(database_url: String, opts: StateOptions, kind: &'static str) -> Harness {
    let db = Db::connect(&database_url).await.unwrap();
    let state = AppState::new(db.clone())
        .with_demo_mode(opts.demo_mode)
        .with_first_run_setup(opts.first_run_setup);
    state.prepare().await.unwrap();
    Harness {
        transport: Transport::InProcess(clinicdesk_api::router(state)),
        db,
        database_url,
        kind,
        tokens: Default::default(),
    }
}

/// A fresh SQLite file and the router in-process, as the desktop runs it.
pub async fn sqlite() -> Harness {
    let h = in_process(
        new_sqlite_url(),
        StateOptions::default(),
        "sqlite-inprocess",
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
        if self.kind.starts_with("sqlite") {
            in_process(new_sqlite_url(), opts, "sqlite-inprocess-empty").await
        } else {
            in_process(create_pg_database().await, opts, "postgres-inprocess-empty").await
        }
    }

    /// Another router in-process on this harness's database, set up as `opts` says (e.g. a
    /// process in demo mode beside one that is not).
    pub async fn beside(&self, opts: StateOptions) -> Harness {
        in_process(self.database_url.clone(), opts, "in-process-beside").await
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
    _child: Child,
}

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
    SERVER.get_or_init(|| {
        std::thread::spawn(|| {
            let rt = tokio::runtime::Runtime::new().unwrap();
            let database_url = rt.block_on(create_pg_database());
            let mut child = Command::new(server_binary())
                .args([
                    "--addr",
                    "127.0.0.1:0",
                    "--database-url",
                    &database_url,
                    "--exit-on-stdin-close",
                    "--log-format",
                    "json",
                ])
                .args(["--ui-dir", "/nonexistent"])
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
                _child: child,
            }
        })
        .join()
        .unwrap()
    })
}

/// The server binary over HTTP on a fresh PostgreSQL database (shared by this binary's cases).
pub async fn postgres() -> Harness {
    let server = server();
    let db = Db::connect(&server.database_url).await.unwrap();
    ensure_users(&db).await;
    Harness {
        transport: Transport::Http {
            base: server.base.clone(),
            client: reqwest::Client::new(),
        },
        db,
        database_url: server.database_url.clone(),
        kind: "postgres-http",
        tokens: Default::default(),
    }
}

/// A phone number no other case uses.
pub fn unique_phone() -> String {
    let n = uuid::Uuid::now_v7().as_u128();
    format!("010-{:04}-{:04}", (n >> 20) % 10000, n % 10000)
}
