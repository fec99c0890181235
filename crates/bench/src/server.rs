//! Starts the server binary on 127.0.0.1 with an ephemeral port, waits for `/readyz`, and
//! stops it (SIGTERM; it also exits when our end of its stdin closes).

use anyhow::{bail, Context};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

pub struct ServerProc {
    child: tokio::process::Child,
    pub base: String,
}

/// Binaries sit next to the bench binary (same profile directory), unless overridden.
pub fn sibling_binary(name: &str) -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join(name)))
        .unwrap_or_else(|| PathBuf::from(name))
}

pub async fn start(bin: &Path, database_url: &str, log: &Path) -> anyhow::Result<ServerProc> {
    if !bin.is_file() {
        bail!(
            "no server binary at {} (cargo build -p clinicdesk-server, or --server-bin)",
            bin.display()
        );
    }
    // The log goes to a file, so the server never waits on a pipe we have to drain.
    let out = std::fs::File::create(log)?;
    let err = out.try_clone()?;
    let child = tokio::process::Command::new(bin)
        .args([
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            database_url,
            "--log-format",
            "json",
            "--ui-dir",
            "/nonexistent",
            "--exit-on-stdin-close",
            // The benchmark logs in with the demo accounts of its data set (the data set is
            // already there, so nothing is seeded).
            "--demo",
        ])
        .arg("--secrets-dir")
        .arg(crate::dataset::secrets_dir())
        // The rate limits are per user per hour (1000 by default): a benchmark sends that
        // many in a second. Measured here is the work behind the limit, so it is raised.
        .args([
            "--rate-limit-general",
            "1000000000",
            "--rate-limit-analytics",
            "1000000000",
            "--rate-limit-recommendations",
            "1000000000",
        ])
        .env(
            "RUST_LOG",
            std::env::var("CLINICDESK_BENCH_SERVER_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .stdin(Stdio::piped())
        .stdout(out)
        .stderr(err)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", bin.display()))?;
    let mut server = ServerProc {
        child,
        base: String::new(),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = loop {
        if let Some(status) = server.child.try_wait()? {
            bail!(
                "the server exited ({status}) before listening; see {}",
                log.display()
            );
        }
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let found = text.lines().find_map(|l| {
            let v: Value = serde_json::from_str(l).ok()?;
            (v["message"] == "listening").then(|| v["addr"].as_str().map(str::to_string))?
        });
        if let Some(a) = found {
            break a;
        }
        if Instant::now() > deadline {
            bail!(
                "the server did not log its address in 60 s; see {}",
                log.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    server.base = format!("http://{addr}");
    let http = crate::client::http_client(1);
    // Migrations on an existing large data set may take a while.
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if let Some(status) = server.child.try_wait()? {
            bail!(
                "the server exited ({status}) while warming up; see {}",
                log.display()
            );
        }
        if let Ok(r) = http.get(format!("{}/readyz", server.base)).send().await {
            if r.status() == 200 {
                break;
            }
        }
        if Instant::now() > deadline {
            bail!(
                "the server was not ready after 600 s; see {}",
                log.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(server)
}

impl ServerProc {
    pub async fn stop(mut self) {
        crate::procs::stop_child(&mut self.child).await;
    }
}
