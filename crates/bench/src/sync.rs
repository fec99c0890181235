//! Sync figures (issue 9): the server binary as the central server on the data set, and nodes
//! (the same binary with `--upstream`) on empty SQLite files beside it. Measured:
//! - the initial pull of the whole data set into an empty node (target < 60 s);
//! - a push of 1,000 changes made offline on a node (< 2 s);
//! - a pull of 1,000 changes made on the server (< 2 s);
//! - from a change on one node to its appearance on another, both syncing every second (< 3 s).
//!
//! A "change" is one customer edit through the API; it travels as two ops (the edit and its
//! audit event), and the figures say how many ops moved.

use crate::report::SyncFigure;
use crate::targets::Verdict;
use anyhow::{bail, Context};
use clinicdesk_store::users::{self, User};
use clinicdesk_store::{Actor, Db};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

const USER: &str = "bench-sync";
const PASSWORD: &str = "bench-sync-password-1";
const CHANGES: usize = 1000;

/// An account the nodes connect with (demo accounts never travel): made once per data set, on
/// the central server's log.
async fn ensure_sync_admin(db: &Db) -> anyhow::Result<()> {
    let mut conn = db.conn().await?;
    if users::by_username(&mut conn, USER).await?.is_some() {
        return Ok(());
    }
    drop(conn);
    db.set_central(true);
    let hash = clinicdesk_security::hash_password(PASSWORD)?;
    let mut w = db
        .begin_write(
            &Actor::system("bench"),
            &clinicdesk_store::timestamp(chrono::Utc::now()),
        )
        .await?;
    users::insert(
        &mut w,
        &User {
            id: clinicdesk_domain::ids::new_id(),
            username: USER.into(),
            password_hash: hash,
            display_name: "벤치 동기화".into(),
            role: "admin".into(),
            active: true,
            demo: false,
        },
    )
    .await?;
    w.commit().await?;
    Ok(())
}

struct Node {
    child: tokio::process::Child,
    base: String,
    dir: PathBuf,
    port: u16,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Node {
    async fn start(
        bin: &Path,
        dir: &Path,
        port: u16,
        upstream: &str,
        interval_ms: u64,
        log: &Path,
    ) -> anyhow::Result<Node> {
        std::fs::create_dir_all(dir)?;
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        let err = out.try_clone()?;
        let child = tokio::process::Command::new(bin)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(dir)
            .args([
                "--log-format",
                "json",
                "--ui-dir",
                "/nonexistent",
                "--exit-on-stdin-close",
            ])
            .args(["--upstream", upstream, "--upstream-username", USER])
            .args([
                "--sync-interval-ms",
                &interval_ms.to_string(),
                "--sync-pull-limit",
                "5000",
            ])
            .args(["--rate-limit-general", "1000000000"])
            .env("CLINICDESK_UPSTREAM_PASSWORD", PASSWORD)
            .env("RUST_LOG", "info,sqlx=warn")
            .stdin(Stdio::piped())
            .stdout(out)
            .stderr(err)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        Ok(Node {
            child,
            base: format!("http://127.0.0.1:{port}"),
            dir: dir.to_path_buf(),
            port,
        })
    }

    async fn stop(mut self) {
        crate::procs::stop_child(&mut self.child).await;
    }
}

/// Polls the node's status (no login needed before its first sync is done) until its first
/// round has finished; the status then (read with a login: it is for users from then on).
async fn first_sync_done(
    http: &reqwest::Client,
    base: &str,
    limit: Duration,
) -> anyhow::Result<Value> {
    let started = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{base}/api/v1/sync/status")).send().await {
            match r.status().as_u16() {
                200 => {
                    let v: Value = r.json().await?;
                    if v["data"]["last_sync_at"].is_string() {
                        return Ok(v["data"].clone());
                    }
                }
                // Once the first sync is done, the status is for the node's users only.
                401 => {
                    let token = login(http, base).await?;
                    return call(
                        http,
                        &token,
                        "GET",
                        format!("{base}/api/v1/sync/status"),
                        None,
                    )
                    .await;
                }
                _ => {}
            }
        }
        if started.elapsed() > limit {
            bail!(
                "{base}: the first sync did not finish in {} s",
                limit.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn login(http: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let started = Instant::now();
    loop {
        // A node just started may not listen yet, nor hold the account yet.
        let answer = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": USER, "password": PASSWORD}))
            .send()
            .await;
        let status = match answer {
            Ok(r) if r.status() == 200 => {
                let v: Value = r.json().await?;
                return Ok(v["data"]["access_token"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string());
            }
            Ok(r) => r.status().to_string(),
            Err(e) => e.to_string(),
        };
        if started.elapsed() > Duration::from_secs(120) {
            bail!("{base}: cannot log in as {USER}: {status}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn call(
    http: &reqwest::Client,
    token: &str,
    method: &str,
    url: String,
    body: Option<Value>,
) -> anyhow::Result<Value> {
    let mut req = http.request(method.parse()?, &url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await?;
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("{method} {url}: {status} {v}");
    }
    Ok(v["data"].clone())
}

/// Edits the memo of each of `ids` through `editor` (base URL, token), then times one sync
/// round on `node`; its seconds and what moved. Fails when fewer ops than edits were `moved`
/// ("pushed" or "pulled"): a figure must measure the changes it names.
async fn edits_then_round(
    http: &reqwest::Client,
    editor: (&str, &str),
    node: (&str, &str),
    ids: &[String],
    memo: &str,
    moved_key: &str,
) -> anyhow::Result<(f64, Value)> {
    let (base, token) = editor;
    for (i, id) in ids.iter().enumerate() {
        let body = json!({"memo": format!("{memo} {i}")});
        call(
            http,
            token,
            "PUT",
            format!("{base}/api/v1/customers/{id}"),
            Some(body),
        )
        .await?;
    }
    let t = Instant::now();
    let moved = call(
        http,
        node.1,
        "POST",
        format!("{}/api/v1/sync/run", node.0),
        Some(json!({})),
    )
    .await?;
    let secs = t.elapsed().as_secs_f64();
    if moved[moved_key].as_u64().unwrap_or(0) < ids.len() as u64 {
        bail!(
            "the round {moved_key} {} ops for {} changes",
            moved[moved_key],
            ids.len()
        );
    }
    Ok((secs, moved))
}

/// The end of a first pull as the node logs it: the deferred indexes, then every roll-up
/// (customers', the clinic's days, duplicate flags, follow-ups, search entries). Empty when the
/// log does not say.
fn first_pull_phases(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    phases_from_log(&text)
}

pub fn phases_from_log(text: &str) -> String {
    let mut indexes = None;
    let mut rollups = None;
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let ms = v["ms"].as_f64().or_else(|| v["fields"]["ms"].as_f64());
        let message = v["message"]
            .as_str()
            .or_else(|| v["fields"]["message"].as_str())
            .unwrap_or("");
        if message.starts_with("first pull: indexes built") {
            indexes = ms;
        } else if message.starts_with("pull caught up") {
            rollups = ms;
        }
    }
    let mut parts = Vec::new();
    if let Some(ms) = indexes {
        parts.push(format!("indexes {:.1} s", ms / 1e3));
    }
    if let Some(ms) = rollups {
        parts.push(format!(
            "roll-ups, duplicate flags, follow-ups and search entries {:.1} s",
            ms / 1e3
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("; of which {}", parts.join(", "))
    }
}

fn figure(name: &str, secs: f64, target: f64, detail: String) -> SyncFigure {
    SyncFigure {
        name: name.into(),
        seconds: secs,
        target_seconds: target,
        verdict: if secs < target {
            Verdict::Met
        } else {
            Verdict::Missed
        },
        detail,
    }
}

pub async fn run(
    bin: &Path,
    central_url: &str,
    customer_ids: &[String],
    work: &Path,
    logs: &Path,
) -> anyhow::Result<Vec<SyncFigure>> {
    // 1,000 changes each way; a small data set (the smoke run) moves a third of its customers.
    let changes = CHANGES.min(customer_ids.len().saturating_sub(1) / 3);
    if changes == 0 {
        bail!("the data set has too few customers for the sync figures");
    }
    let db = crate::dataset::open(central_url).await?;
    ensure_sync_admin(&db).await?;
    db.close().await;
    let mut out = Vec::new();
    let started = Instant::now();
    let central = crate::server::start(bin, central_url, &logs.join("sync-central.log")).await?;
    eprintln!(
        "bench: sync central server ready in {:.1} s (logs the data set for the devices once)",
        started.elapsed().as_secs_f64()
    );
    let result = async {
        let http = reqwest::Client::new();
        let _ = std::fs::remove_dir_all(work);
        // The initial pull into an empty node.
        let t0 = Instant::now();
        let node1 = Node::start(bin, &work.join("node1"), free_port()?, &central.base, 3_600_000, &logs.join("sync-node1.log")).await?;
        let status = first_sync_done(&http, &node1.base, Duration::from_secs(3600)).await?;
        let secs = t0.elapsed().as_secs_f64();
        let ops = status["pull"]["cursor"].as_i64().unwrap_or(0);
        let phases = first_pull_phases(&logs.join("sync-node1.log"));
        eprintln!("bench: initial pull {secs:.1} s ({ops} ops){phases}");
        out.push(figure(
            "initial pull of the data set into an empty node",
            secs,
            60.0,
            format!("{ops} changes, pages of 5,000; from the node's start (connect, register) to its first round done, roll-ups and search index included{phases}"),
        ));
        let token1 = login(&http, &node1.base).await?;
        let central_token = login(&http, &central.base).await?;

        // 1,000 changes made offline on the node, then one push. The values are new on every
        // run: the data set is reused, and a value it holds already from an earlier run would
        // be no change at all.
        let run = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string();
        let node = (node1.base.as_str(), token1.as_str());
        let offline = &customer_ids[..changes];
        let (secs, moved) = edits_then_round(&http, node, node, offline, &format!("벤치 오프라인 {run}"), "pushed").await?;
        out.push(figure(
            &format!("push of {changes} offline changes"),
            secs,
            2.0,
            format!("{} ops pushed (edits and their audit events), applied and logged by the server", moved["pushed"]),
        ));

        // 1,000 changes made on the server, then one pull.
        let server = (central.base.as_str(), central_token.as_str());
        let remote = &customer_ids[changes..2 * changes];
        let (secs, moved) = edits_then_round(&http, server, node, remote, &format!("벤치 서버 {run}"), "pulled").await?;
        out.push(figure(
            &format!("pull of {changes} remote changes"),
            secs,
            2.0,
            format!("{} ops pulled and applied in {} page(s)", moved["pulled"], moved["pages"]),
        ));

        // A second node, then both syncing every second: a change on one, seen on the other.
        let t0 = Instant::now();
        let node2 = Node::start(bin, &work.join("node2"), free_port()?, &central.base, 1000, &logs.join("sync-node2.log")).await?;
        let status = first_sync_done(&http, &node2.base, Duration::from_secs(3600)).await?;
        let secs = t0.elapsed().as_secs_f64();
        out.push(figure(
            "initial pull (second node)",
            secs,
            60.0,
            format!("{} changes", status["pull"]["cursor"]),
        ));
        let (dir1, port1) = (node1.dir.clone(), node1.port);
        node1.stop().await;
        let node1 = Node::start(bin, &dir1, port1, &central.base, 1000, &logs.join("sync-node1.log")).await?;
        let token1 = login(&http, &node1.base).await?;
        let token2 = login(&http, &node2.base).await?;
        let target = &customer_ids[2 * changes];
        let mut samples = Vec::new();
        for i in 0..20 {
            let memo = format!("벤치 전파 {run} {i}");
            call(&http, &token1, "PUT", format!("{}/api/v1/customers/{target}", node1.base), Some(json!({"memo": memo}))).await?;
            let t = Instant::now();
            loop {
                let seen = call(&http, &token2, "GET", format!("{}/api/v1/customers/{target}", node2.base), None).await?;
                if seen["memo"] == json!(memo) {
                    break;
                }
                if t.elapsed() > Duration::from_secs(60) {
                    bail!("a change on node 1 did not reach node 2 in 60 s");
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            samples.push(t.elapsed().as_secs_f64());
        }
        samples.sort_by(f64::total_cmp);
        let p50 = samples[samples.len() / 2];
        let max = samples[samples.len() - 1];
        out.push(figure(
            "change on one node → visible on another (1 s interval)",
            max,
            3.0,
            format!("20 edits: p50 {p50:.2} s, max {max:.2} s (the figure is the max)"),
        ));
        node1.stop().await;
        node2.stop().await;
        anyhow::Ok(())
    }
    .await;
    central.stop().await;
    result?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn first_pull_phases_are_read_from_the_node_log() {
        let log = r#"{"message":"pulling","pulled":5000}
not json
{"message":"first pull: indexes built","indexes":14,"ms":6500}
{"fields":{"message":"pull caught up: roll-ups and search entries brought up to date","rows":3,"ms":11200}}"#;
        assert_eq!(
            super::phases_from_log(log),
            "; of which indexes 6.5 s, roll-ups, duplicate flags, follow-ups and search entries 11.2 s"
        );
        assert_eq!(super::phases_from_log("{}"), "");
    }
}
