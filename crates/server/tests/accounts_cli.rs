//! The server binary's account commands and demo mode, end to end on SQLite:
//! `users create` / `users set-password` read the password from standard input, and the
//! account then logs in over HTTP; demo accounts log in only while the server runs with
//! `--demo`, also on a database that once ran in demo mode.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

mod common;

use common::{run, BIN};

fn database_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("clinicdesk.db").display())
}

/// The key rings beside a test's database (every command and server on it must share them).
fn secrets_dir(url: &str) -> String {
    let db = Path::new(url.trim_start_matches("sqlite://"));
    db.with_file_name("secrets").display().to_string()
}

fn users(action: &str, url: &str, extra: &[&str], stdin: &str) -> Output {
    let secrets = secrets_dir(url);
    let mut args = vec![
        "users",
        action,
        "--database-url",
        url,
        "--secrets-dir",
        &secrets,
    ];
    args.extend_from_slice(extra);
    run(&args, stdin)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A serving server on `url`; it exits when this value is dropped (its stdin closes).
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(url: &str, extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args([
                "--addr",
                "127.0.0.1:0",
                "--database-url",
                url,
                "--secrets-dir",
                &secrets_dir(url),
                "--ui-dir",
                "/nonexistent",
                "--log-format",
                "json",
                "--exit-on-stdin-close",
            ])
            .args(extra)
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
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            base: format!("http://{addr}"),
        }
    }

    async fn ready(&self) {
        let client = reqwest::Client::new();
        for _ in 0..600 {
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await {
                if r.status() == 200 {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server never became ready");
    }

    async fn login(&self, username: &str, password: &str) -> (u16, Value) {
        let r = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .expect("the server answers");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn users_create_reads_the_password_from_stdin_and_the_account_logs_in() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());

    // A fresh database: the command creates the tables and the first administrator.
    let out = users(
        "create",
        &url,
        &[
            "--username",
            "Head.Admin",
            "--role",
            "admin",
            "--display-name",
            "김원장",
        ],
        "Blue-Harbor-Lamp-42\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("created head.admin (admin, 김원장)"));

    // Refused, with a clear message and a failing exit code: a taken name, a weak or empty
    // password, an unknown role, a password on the command line.
    let refusals: [(&[&str], &str, &str); 6] = [
        (
            &["--username", "head.admin", "--role", "admin"],
            "Quiet river 7 stones\n",
            "already taken",
        ),
        (
            &["--username", "kim", "--role", "staff"],
            "password123\n",
            "추측하기 쉬운",
        ),
        (&["--username", "kim", "--role", "staff"], "\n", "empty"),
        (&["--username", "kim", "--role", "staff"], "", "no password"),
        (
            &["--username", "kim", "--role", "root"],
            "Quiet river 7 stones\n",
            "invalid value 'root'",
        ),
        (
            &[
                "--username",
                "kim",
                "--role",
                "staff",
                "--password",
                "Quiet river 7 stones",
            ],
            "",
            "unexpected argument",
        ),
    ];
    for (args, stdin, message) in refusals {
        let out = users("create", &url, args, stdin);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
    // Everything wrong is said at once, on one line.
    let out = users(
        "create",
        &url,
        &["--username=_kim", "--role", "staff"],
        "password123\n",
    );
    assert!(!out.status.success());
    let said = stderr(&out);
    assert!(
        said.contains("username:") && said.contains("password:"),
        "both problems: {said}"
    );

    // Written through the audited write path, by the command line, with no password material.
    {
        let store = clinicdesk_security::FileSecrets::new(secrets_dir(&url));
        let keys = clinicdesk_security::secrets::key_ring(
            &store,
            clinicdesk_security::secrets::AUDIT_KEYS,
        )
        .unwrap();
        let db = clinicdesk_store::Db::open(&url, keys).await.unwrap();
        let mut conn = db.conn().await.unwrap();
        let user = clinicdesk_store::users::by_username(&mut conn, "head.admin")
            .await
            .unwrap()
            .expect("the account exists");
        drop(conn);
        assert!(!user.demo && user.active);
        let events = clinicdesk_store::audit::of_entity(&db, &user.id)
            .await
            .unwrap();
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].action, "user.create");
        assert_eq!(events[0].username.as_deref(), Some("system:cli"));
        let chains = clinicdesk_store::audit::verify_all(&db).await.unwrap();
        assert!(!chains.is_empty());
        assert!(chains.iter().all(|c| c.intact()), "{chains:?}");
        db.close().await;
    }

    // The account works through the API (the server is not in demo mode).
    {
        let server = Server::start(&url, &[]);
        server.ready().await;
        let (status, body) = server.login("head.admin", "Blue-Harbor-Lamp-42").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["user"]["role"], "admin");
        assert_eq!(body["data"]["user"]["display_name"], "김원장");
    }

    // A forgotten password: set a new one (first line only; a trailing CR is not part of it).
    let out = users(
        "set-password",
        &url,
        &["--username", "HEAD.ADMIN"],
        "Quiet river 7 stones\r\nignored second line\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = users(
        "set-password",
        &url,
        &["--username", "nobody"],
        "Quiet river 7 stones\n",
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no account"), "{}", stderr(&out));
    let out = users(
        "set-password",
        &url,
        &["--username", "head.admin"],
        "qwerty1234\n",
    );
    assert!(!out.status.success());

    let server = Server::start(&url, &[]);
    server.ready().await;
    assert_eq!(
        server.login("head.admin", "Blue-Harbor-Lamp-42").await.0,
        401
    );
    assert_eq!(
        server.login("head.admin", "Quiet river 7 stones").await.0,
        200
    );
}

#[tokio::test]
async fn demo_accounts_log_in_only_while_the_server_runs_in_demo_mode() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    {
        let server = Server::start(&url, &["--demo", "--demo-customers", "5"]);
        server.ready().await;
        let (status, body) = server.login("staff", "clinicdesk-demo").await;
        assert_eq!(status, 200, "{body}");
    }
    // The same database later, without --demo: the demo rows are there, their password is
    // published, and they are refused.
    let server = Server::start(&url, &[]);
    server.ready().await;
    for user in ["admin", "manager", "doctor", "staff"] {
        let (status, body) = server.login(user, "clinicdesk-demo").await;
        assert_eq!(status, 401, "{user}: {body}");
        assert_eq!(body["error"]["code"], "AUTH_INVALID_CREDENTIALS");
    }
    // And set-password does not turn a demo account into a real one.
    let out = users(
        "set-password",
        &url,
        &["--username", "admin"],
        "Quiet river 7 stones\n",
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("demo account"), "{}", stderr(&out));
}
