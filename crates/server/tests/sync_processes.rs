//! Sync between processes (issue 9): a central server (PostgreSQL when
//! `CLINICDESK_TEST_PG_URL` is set — always under CI — else SQLite) and nodes, each the server
//! binary started with `--upstream`, on their own SQLite files, over HTTP. Nodes sync in the
//! background once at start and then only when a case says `POST /sync/run`: in between they
//! work offline. Processes are killed with SIGKILL where the case says "killed".

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{run, BIN};

const ADMIN: &str = "head";
const PASSWORD: &str = "sync-test-pass-1";

/// A PostgreSQL database of the case's own, or a SQLite file in `dir`.
async fn central_url(dir: &Path) -> String {
    clinic_url(dir, "central").await
}

/// The same for the clinic `name`.
async fn clinic_url(dir: &Path, name: &str) -> String {
    let pg = std::env::var("CLINICDESK_TEST_PG_URL").ok();
    if pg.is_none() && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CLINICDESK_TEST_PG_URL must be set under CI: the central server runs on PostgreSQL"
        );
    }
    let Some(admin) = pg else {
        return format!("sqlite://{}", dir.join(format!("{name}.db")).display());
    };
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!(
        "clinicdesk_sync_{}_{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos() ^ rand_suffix()
    );
    let mut conn = sqlx::AnyConnection::connect(&admin)
        .await
        .expect("PostgreSQL for the central server");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let i = admin.rfind('/').expect("a database URL");
    format!("{}/{name}", &admin[..i])
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One server process; killed when dropped.
struct Proc {
    child: Child,
    base: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl Proc {
    fn start(args: Vec<String>, env: Vec<(String, String)>) -> Proc {
        let mut child = Command::new(BIN)
            .args(&args)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("RUST_LOG", "info,sqlx=warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("a stdout pipe");
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("the server logs before exiting")
                .expect("a log line");
            let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
            if v["message"] == "listening" {
                break v["addr"].as_str().expect("the address").to_string();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Proc {
            child,
            base: format!("http://{addr}"),
            args,
            env,
        }
    }

    /// The same process again, on the same database, port and secrets.
    fn restart(&mut self) {
        let again = Proc::start(self.args.clone(), self.env.clone());
        let old = std::mem::replace(self, again);
        drop(old);
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    async fn ready(&self) {
        ready_at(&self.base).await;
    }
}

async fn ready_at(base: &str) {
    let client = reqwest::Client::new();
    for _ in 0..1200 {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{base} never became ready");
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

fn common_args(url: &str, secrets: &Path, port: u16) -> Vec<String> {
    [
        "--addr",
        &format!("127.0.0.1:{port}"),
        "--database-url",
        url,
        "--secrets-dir",
        &secrets.display().to_string(),
        "--ui-dir",
        "/nonexistent",
        "--log-format",
        "json",
        "--exit-on-stdin-close",
        "--refresh-reuse-grace-secs",
        "0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// A central server with an administrator, optionally with demo data (logged for the devices
/// at start).
async fn central(dir: &Path, demo_customers: Option<usize>) -> Proc {
    central_of(dir, demo_customers, &[]).await
}

/// The same, hosting more clinics (`--clinic <slug>=<url>`), each with its own administrator
/// of the same name and password.
async fn central_of(dir: &Path, demo_customers: Option<usize>, clinics: &[(&str, &str)]) -> Proc {
    let url = central_url(dir).await;
    let secrets = dir.join("central-secrets");
    let mut targets = vec![vec!["--database-url".to_string(), url.clone()]];
    for (slug, clinic_url) in clinics {
        targets.push(vec![
            "--database-url".to_string(),
            url.clone(),
            "--clinic".to_string(),
            format!("{slug}={clinic_url}"),
        ]);
    }
    for target in &targets {
        let mut args: Vec<String> = ["users", "create"].iter().map(|s| s.to_string()).collect();
        args.extend(target.iter().cloned());
        args.extend(
            [
                "--secrets-dir",
                &secrets.display().to_string(),
                "--username",
                ADMIN,
                "--role",
                "admin",
            ]
            .iter()
            .map(|s| s.to_string()),
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args, &format!("{PASSWORD}\n{PASSWORD}\n"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut args = common_args(&url, &secrets, free_port());
    if let Some(n) = demo_customers {
        args.extend([
            "--demo".to_string(),
            "--demo-customers".to_string(),
            n.to_string(),
        ]);
    }
    for (slug, clinic_url) in clinics {
        args.extend(["--clinic".to_string(), format!("{slug}={clinic_url}")]);
    }
    let p = Proc::start(args, vec![]);
    p.ready().await;
    for (slug, _) in clinics {
        ready_at(&format!("{}/clinics/{slug}", p.base)).await;
    }
    p
}

/// A node of `central`, connected at start as its administrator, its first round done.
/// (`/readyz` answers once the node serves, before it has connected: a node serves offline
/// too. Until its first round is done it knows no accounts.)
async fn node(dir: &Path, name: &str, upstream: &str, extra: &[&str]) -> Proc {
    let p = node_started(dir, name, upstream, extra);
    p.ready().await;
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        // Readable without a login until the first round is done; for the node's users after.
        let r = http
            .get(format!("{}/api/v1/sync/status", p.base))
            .send()
            .await
            .expect("the node answers");
        if r.status() == 401 {
            return p;
        }
        let v: Value = r.json().await.unwrap_or(Value::Null);
        if v["data"]["last_sync_at"].is_string() {
            return p;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "{name} never finished its first round: {v}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The same, as soon as it listens.
fn node_started(dir: &Path, name: &str, upstream: &str, extra: &[&str]) -> Proc {
    let home: PathBuf = dir.join(name);
    std::fs::create_dir_all(&home).unwrap();
    let url = format!("sqlite://{}", home.join("node.db").display());
    let mut args = common_args(&url, &home.join("secrets"), free_port());
    args.extend(
        [
            "--upstream",
            upstream,
            "--upstream-username",
            ADMIN,
            "--sync-interval-ms",
            "3600000",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    if !extra.iter().any(|a| a.starts_with("--sync-pull-limit")) {
        args.extend(["--sync-pull-limit".to_string(), "100".to_string()]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    Proc::start(
        args,
        vec![("CLINICDESK_UPSTREAM_PASSWORD".into(), PASSWORD.into())],
    )
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn login(p: &Proc) -> Client {
        Client::login_at(&p.base).await
    }

    /// Logs in to the clinic whose API is under `base`.
    async fn login_at(base: &str) -> Client {
        let http = reqwest::Client::new();
        let r = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": ADMIN, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login on {base}");
        let body: Value = r.json().await.unwrap();
        Client {
            http,
            base: base.to_string(),
            token: body["data"]["access_token"].as_str().unwrap().to_string(),
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(
                method.parse().unwrap(),
                format!("{}/api/v1{path}", self.base),
            )
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.call(method, path, body).await;
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {v}"
        );
        v["data"].clone()
    }

    async fn status(&self) -> Value {
        self.ok("GET", "/sync/status", None).await
    }

    async fn digest(&self) -> Value {
        self.ok("GET", "/sync/digest", None).await["tables"].clone()
    }
}

/// Waits until the node's first background round has finished.
async fn synced_once(c: &Client) {
    let started = Instant::now();
    loop {
        let s = c.status().await;
        if s["last_sync_at"].is_string() {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the first sync never finished: {s}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// After a last round on every node (logins and the cases' own calls write audit events),
/// every node holds what the server holds.
async fn assert_same(central: &Client, nodes: &[&Client]) {
    for _ in 0..2 {
        for n in nodes {
            n.ok("POST", "/sync/run", Some(json!({}))).await;
        }
    }
    let reference = central.digest().await;
    assert!(reference["customer"]["rows"].as_u64().unwrap() > 0);
    for (i, n) in nodes.iter().enumerate() {
        assert_eq!(
            n.digest().await,
            reference,
            "node {i} differs from the server"
        );
    }
}

async fn new_customer(c: &Client, name: &str, phone: &str) -> String {
    c.ok(
        "POST",
        "/customers",
        Some(json!({"name": name, "phone": phone, "consent": {"privacy": true}})),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_work_offline_and_converge_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let central = central(dir.path(), Some(60)).await;
    let nodes = [
        node(dir.path(), "n1", &central.base, &[]).await,
        node(dir.path(), "n2", &central.base, &[]).await,
        node(dir.path(), "n3", &central.base, &[]).await,
    ];
    let c = Client::login(&central).await;
    let mut clients = Vec::new();
    for n in &nodes {
        let client = Client::login(n).await;
        synced_once(&client).await;
        clients.push(client);
    }
    // The demo customers came down with the first sync.
    let listed = clients[0].ok("GET", "/customers?limit=5", None).await;
    let shared = listed["customers"][0]["id"].as_str().unwrap().to_string();

    // Offline: each node registers customers, everyone edits the same field.
    for (i, client) in clients.iter().enumerate() {
        for k in 0..3 {
            new_customer(
                client,
                &format!("노드{i} 고객{k}"),
                &format!("010-7{i}{k}0-{:04}", i * 10 + k),
            )
            .await;
        }
        client
            .ok(
                "PUT",
                &format!("/customers/{shared}"),
                Some(json!({"memo": format!("노드 {i}의 메모")})),
            )
            .await;
    }
    c.ok(
        "PUT",
        &format!("/customers/{shared}"),
        Some(json!({"memo": "서버의 메모"})),
    )
    .await;

    // Back online in one order, then another.
    for i in [2, 0, 1, 0, 1, 2] {
        let moved = clients[i].ok("POST", "/sync/run", Some(json!({}))).await;
        assert!(moved["pages"].as_u64().unwrap() >= 1);
    }
    let refs: Vec<&Client> = clients.iter().collect();
    assert_same(&c, &refs).await;
    // The concurrent memos: one kept everywhere, the others listed on every node.
    let kept: Vec<Value> = {
        let mut v = Vec::new();
        for client in std::iter::once(&c).chain(clients.iter()) {
            let shown = client
                .ok("GET", &format!("/customers/{shared}"), None)
                .await;
            v.push(shown["memo"].clone());
        }
        v
    };
    assert!(kept.windows(2).all(|w| w[0] == w[1]), "{kept:?}");
    let counts: Vec<usize> = {
        let mut v = Vec::new();
        for client in std::iter::once(&c).chain(clients.iter()) {
            let listed = client.ok("GET", "/sync/conflicts", None).await;
            v.push(listed["conflicts"].as_array().unwrap().len());
        }
        v
    };
    assert!(counts[0] >= 1, "{counts:?}");
    assert!(
        counts.windows(2).all(|w| w[0] == w[1]),
        "the same conflicts everywhere: {counts:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_restarted_mid_pull_and_a_node_killed_mid_apply_resume() {
    let dir = tempfile::tempdir().unwrap();
    let mut central = central(dir.path(), Some(400)).await;
    let c = Client::login(&central).await;

    // The server dies while a new node pulls its first pages.
    // Small pages, so the first pull takes long enough to be interrupted.
    let small = ["--sync-pull-limit", "5"];
    let n1 = node_started(dir.path(), "n1", &central.base, &small);
    let mid = wait_mid_pull(dir.path(), "n1").await;
    central.kill();
    // The node keeps working offline; its account logs in with the verifier cached at
    // connect, and it keeps what it applied.
    n1.ready().await;
    let c1 = Client::login(&n1).await;
    let saved = c1.status().await["pull"]["cursor"].as_i64().unwrap();
    assert!(
        saved >= mid,
        "the cursor saved with the last applied page stays: {saved} < {mid}"
    );
    let (status, body) = c1.call("POST", "/sync/run", Some(json!({}))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (502, Some("SYNC_UPSTREAM_FAILED"))
    );
    central.restart();
    central.ready().await;
    let resumed = c1.ok("POST", "/sync/run", Some(json!({}))).await;
    let head = c1.status().await["pull"]["head"].as_i64().unwrap();
    assert!(
        (resumed["pulled"].as_i64().unwrap()) < head,
        "resumed from the saved cursor, not from the start: {resumed} of {head}"
    );

    // A node killed while it applies pages starts again from its saved cursor. Its first pull
    // builds the visits' indexes at its end: killed mid-pull they are still waiting, and
    // built once the resumed pull has caught up.
    let mut n2 = node_started(dir.path(), "n2", &central.base, &small);
    wait_mid_pull(dir.path(), "n2").await;
    n2.kill();
    let (waiting, indexes) = node_indexes(dir.path(), "n2").await;
    assert!(waiting > 0, "the first pull deferred the indexes");
    assert!(!indexes.contains(&"service_sessions_customer".to_string()));
    n2.restart();
    n2.ready().await;
    let c2 = Client::login(&n2).await;
    let before = c2.status().await["pull"]["cursor"].as_i64().unwrap();
    assert!(before > 0, "the pages applied before the kill are kept");
    c2.ok("POST", "/sync/run", Some(json!({}))).await;

    assert_same(&c, &[&c1, &c2]).await;
    let (waiting, rebuilt) = node_indexes(dir.path(), "n2").await;
    assert_eq!(waiting, 0);
    assert!(rebuilt.contains(&"service_sessions_customer".to_string()));
    assert_eq!(rebuilt, node_indexes(dir.path(), "n1").await.1);
}

/// A node's indexes waiting to be built, and the indexes its database has (by name), read
/// from its file.
async fn node_indexes(dir: &Path, name: &str) -> (i64, Vec<String>) {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let url = format!(
        "sqlite://{}?mode=ro",
        dir.join(name).join("node.db").display()
    );
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sync_deferred_indexes")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let names = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect();
    let _ = conn.close().await;
    (waiting, names)
}

/// Waits until the node has applied some pages of its first pull but not all, reading its
/// database file directly (a login would take longer than the pull); the cursor.
async fn wait_mid_pull(dir: &Path, name: &str) -> i64 {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let url = format!(
        "sqlite://{}?mode=ro",
        dir.join(name).join("node.db").display()
    );
    let started = Instant::now();
    loop {
        if let Ok(mut conn) = sqlx::AnyConnection::connect(&url).await {
            if let Ok(r) =
                sqlx::query("SELECT cursor, pull_head, last_sync_at FROM sync_state WHERE id = 1")
                    .fetch_one(&mut conn)
                    .await
            {
                let cursor: i64 = r.get(0);
                let head: Option<i64> = r.get(1);
                let done: Option<String> = r.get(2);
                assert!(
                    done.is_none(),
                    "the pull finished before the case could interrupt it"
                );
                // The account that connected can log in offline once its verifier is kept.
                let verifier: Option<String> =
                    sqlx::query_scalar("SELECT password_hash FROM users WHERE username = $1")
                        .bind(ADMIN)
                        .fetch_optional(&mut conn)
                        .await
                        .ok()
                        .flatten();
                let kept = verifier.is_some_and(|h| h.starts_with("$argon2"));
                if kept && cursor > 0 && head.is_some_and(|h| cursor < h) {
                    let _ = conn.close().await;
                    return cursor;
                }
            }
            let _ = conn.close().await;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no pull started"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clocks_hours_off_sync_and_weeks_off_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let central = central(dir.path(), None).await;
    let c = Client::login(&central).await;
    let ahead = node(
        dir.path(),
        "ahead",
        &central.base,
        &["--clock-offset-secs", "10800"],
    )
    .await;
    let behind = node(
        dir.path(),
        "behind",
        &central.base,
        &["--clock-offset-secs=-10800"],
    )
    .await;
    let a = Client::login(&ahead).await;
    let b = Client::login(&behind).await;
    synced_once(&a).await;
    synced_once(&b).await;
    let id = new_customer(&a, "세시간 빠른 PC", "010-7000-1001").await;
    new_customer(&b, "세시간 느린 PC", "010-7000-1002").await;
    a.ok("POST", "/sync/run", Some(json!({}))).await;
    b.ok("POST", "/sync/run", Some(json!({}))).await;
    // The slow PC edits after it has seen the fast PC's stamps: its edit wins, as it came later.
    b.ok(
        "PUT",
        &format!("/customers/{id}"),
        Some(json!({"memo": "나중에 고친 메모"})),
    )
    .await;
    b.ok("POST", "/sync/run", Some(json!({}))).await;
    a.ok("POST", "/sync/run", Some(json!({}))).await;
    let shown = a.ok("GET", &format!("/customers/{id}"), None).await;
    assert_eq!(shown["memo"], "나중에 고친 메모");
    assert_same(&c, &[&a, &b]).await;

    // A clock 30 days ahead is refused with its reason, and changes nothing on the server.
    let wrong = node(
        dir.path(),
        "wrong",
        &central.base,
        &["--clock-offset-secs", "2592000"],
    )
    .await;
    let w = Client::login(&wrong).await;
    synced_once(&w).await;
    let before = c.digest().await;
    new_customer(&w, "한 달 빠른 PC", "010-7000-1003").await;
    let (status, body) = w.call("POST", "/sync/run", Some(json!({}))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("SYNC_CLOCK_SKEW")),
        "{body}"
    );
    assert!(w.status().await["last_error"]
        .as_str()
        .unwrap()
        .starts_with("SYNC_CLOCK_SKEW"));
    assert_eq!(c.digest().await["customer"], before["customer"]);
}

/// Issue 9's tenants: one central server hosting two clinics, each with a node. Every clinic
/// has its own database and keys; a device of one never receives the other's rows, its secret
/// and its staff's tokens are refused at the other, and each node converges with its own
/// clinic only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_of_one_clinic_never_receives_another_clinics_rows() {
    let dir = tempfile::tempdir().unwrap();
    let hongdae_url = clinic_url(dir.path(), "hongdae").await;
    let central = central_of(dir.path(), None, &[("hongdae", &hongdae_url)]).await;
    let hongdae = format!("{}/clinics/hongdae", central.base);
    let a = Client::login(&central).await;
    let b = Client::login_at(&hongdae).await;
    let a_customer = new_customer(&a, "강남고객", "010-1111-2222").await;
    let b_customer = new_customer(&b, "홍대고객", "010-3333-4444").await;

    // A browser keeps one refresh cookie per clinic, sent to that clinic only.
    let r = reqwest::Client::new()
        .post(format!("{hongdae}/api/v1/auth/login"))
        .json(&json!({"username": ADMIN, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("; Path=/clinics/hongdae/api/v1/auth;"),
        "{cookie}"
    );

    // A clinic's token is worthless at the other (its own signing keys), both ways.
    for (token, base) in [(&a.token, &hongdae), (&b.token, &central.base)] {
        let crossed = Client {
            http: reqwest::Client::new(),
            base: base.clone(),
            token: token.clone(),
        };
        let (status, body) = crossed.call("GET", "/customers?limit=5", None).await;
        assert_eq!(status, 401, "{body}");
    }

    // A device registered at clinic A: its pull holds A's rows and nothing of B's; at B its
    // secret is unknown.
    let device = a
        .ok("POST", "/devices", Some(json!({"name": "강남 접수 2"})))
        .await;
    let secret = device["secret"].as_str().unwrap().to_string();
    let pull = |base: String| {
        let secret = secret.clone();
        async move {
            let r = reqwest::Client::new()
                .get(format!("{base}/api/v1/sync/pull?cursor=0&limit=5000"))
                .header("authorization", format!("Device {secret}"))
                .header("x-clinicdesk-sync-version", "1")
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, own) = pull(central.base.clone()).await;
    assert_eq!(status, 200, "{own}");
    assert!(
        own.contains(&a_customer) && own.contains("강남고객"),
        "{own}"
    );
    assert!(!own.contains(&b_customer) && !own.contains("홍대고객"));
    let (status, other) = pull(hongdae.clone()).await;
    assert_eq!(status, 401, "{other}");
    assert!(other.contains("AUTH_INVALID_TOKEN"), "{other}");

    // A node of each clinic: each receives its own clinic's customers only…
    let na = node(dir.path(), "na", &central.base, &[]).await;
    let nb = node(dir.path(), "nb", &hongdae, &[]).await;
    let ca = Client::login(&na).await;
    let cb = Client::login(&nb).await;
    synced_once(&ca).await;
    synced_once(&cb).await;
    for (client, own, foreign) in [
        (&ca, &a_customer, &b_customer),
        (&cb, &b_customer, &a_customer),
    ] {
        assert_eq!(
            client
                .call("GET", &format!("/customers/{own}"), None)
                .await
                .0,
            200
        );
        assert_eq!(
            client
                .call("GET", &format!("/customers/{foreign}"), None)
                .await
                .0,
            404
        );
    }
    // …and what it makes offline reaches its own clinic only.
    let made_at_b = new_customer(&cb, "홍대 새 고객", "010-5555-6666").await;
    assert_same(&b, &[&cb]).await;
    assert_same(&a, &[&ca]).await;
    assert_eq!(
        b.call("GET", &format!("/customers/{made_at_b}"), None)
            .await
            .0,
        200
    );
    assert_eq!(
        a.call("GET", &format!("/customers/{made_at_b}"), None)
            .await
            .0,
        404
    );
    assert_eq!(
        ca.call("GET", &format!("/customers/{made_at_b}"), None)
            .await
            .0,
        404
    );
    let found = ca.ok("GET", "/customers/search?q=홍대", None).await;
    assert_eq!(found["pagination"]["total"], 0, "{found}");
    assert_ne!(a.digest().await["customer"], b.digest().await["customer"]);

    // An account made on the running server with the command line (clinic B) reaches B's
    // node at its next round, and A's never.
    let secrets = dir.path().join("central-secrets").display().to_string();
    let clinic = format!("hongdae={hongdae_url}");
    let out = run(
        &[
            "users",
            "create",
            "--clinic",
            &clinic,
            "--secrets-dir",
            &secrets,
            "--username",
            "hongdae-front",
            "--role",
            "staff",
        ],
        &format!("{PASSWORD}\n{PASSWORD}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    cb.ok("POST", "/sync/run", Some(json!({}))).await;
    ca.ok("POST", "/sync/run", Some(json!({}))).await;
    let has = |users: &Value| users.to_string().contains("hongdae-front");
    assert!(has(&cb.ok("GET", "/users", None).await));
    assert!(!has(&ca.ok("GET", "/users", None).await));

    // The command line verifies each clinic's trail there, the nodes' chains by their
    // signatures.
    let at = central
        .args
        .iter()
        .position(|a| a == "--database-url")
        .unwrap();
    let first = central.args[at + 1].clone();
    for target in [vec!["--database-url", &first], vec!["--clinic", &clinic]] {
        let mut args = vec!["audit", "verify", "--secrets-dir", &secrets];
        args.extend(target);
        let out = run(&args, "");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("each signed by its device"), "{text}");
    }
}
