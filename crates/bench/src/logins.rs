//! `/healthz` while logins are in flight (issue 7 §5). Argon2 takes tens of milliseconds of a
//! core per login; computed on the async workers, a burst of logins stalls every other
//! request. The server runs it on blocking threads, a bounded number at once. This phase shows
//! it: `/healthz` one probe at a time with the server idle, then again while `logins`
//! concurrent logins (each on its own connection) are in flight. A figure for the report, not
//! a pass/fail: the load generator shares the machine's cores with the server.

use crate::stats::{Samples, Summary};
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Serialize, Default)]
pub struct LoginLoadRow {
    pub database: String,
    /// Logins sent at once.
    pub logins: usize,
    pub logins_ok: usize,
    /// From sending the first login to the last login's answer.
    pub logins_secs: f64,
    /// `/healthz`, one probe at a time, nothing else running.
    pub idle: Summary,
    /// `/healthz`, one probe at a time, while logins were still in flight.
    pub under_logins: Summary,
    pub errors: Vec<String>,
}

async fn probe(http: &reqwest::Client, base: &str) -> Result<Duration, String> {
    let t0 = Instant::now();
    match http.get(format!("{base}/healthz")).send().await {
        Ok(r) if r.status().is_success() => match r.bytes().await {
            Ok(_) => Ok(t0.elapsed()),
            Err(e) => Err(format!("/healthz body: {e}")),
        },
        Ok(r) => Err(format!("/healthz → {}", r.status())),
        Err(e) => Err(format!("/healthz: {e}")),
    }
}

pub async fn run(
    base: &str,
    database: &str,
    username: &str,
    password: &str,
    logins: usize,
) -> LoginLoadRow {
    let mut row = LoginLoadRow {
        database: database.into(),
        logins,
        ..Default::default()
    };
    let prober = crate::client::http_client(1);
    let mut idle = Samples::default();
    for _ in 0..200 {
        match probe(&prober, base).await {
            Ok(d) => idle.record(d),
            Err(e) => idle.error(e),
        }
    }
    row.idle = idle.summary();

    let http = crate::client::http_client(logins);
    let body = serde_json::json!({ "username": username, "password": password }).to_string();
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..logins)
        .map(|_| {
            let (http, body, done) = (http.clone(), body.clone(), done.clone());
            let url = format!("{base}/api/v1/auth/login");
            tokio::spawn(async move {
                let r = http
                    .post(url)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                let outcome = match r {
                    Ok(resp) if resp.status().is_success() => Ok(()),
                    Ok(resp) => Err(format!("login → {}", resp.status())),
                    Err(e) => Err(format!("login: {e}")),
                };
                done.fetch_add(1, Ordering::SeqCst);
                outcome
            })
        })
        .collect();
    let mut under = Samples::default();
    while done.load(Ordering::SeqCst) < logins {
        let result = probe(&prober, base).await;
        // Only probes answered while logins were still outstanding count.
        if done.load(Ordering::SeqCst) >= logins {
            break;
        }
        match result {
            Ok(d) => under.record(d),
            Err(e) => under.error(e),
        }
    }
    for t in tasks {
        match t.await {
            Ok(Ok(())) => row.logins_ok += 1,
            Ok(Err(e)) => row.errors.push(e),
            Err(e) => row.errors.push(format!("login task: {e}")),
        }
    }
    row.logins_secs = started.elapsed().as_secs_f64();
    row.under_logins = under.summary();
    row.errors.extend(idle.error_examples);
    row.errors.extend(under.error_examples);
    row
}
