//! Closed-loop load generator: `clients` tokio tasks sharing one keep-alive reqwest client,
//! each sending its next request as soon as the previous answer is read, for a fixed time.
//! Traffic goes only to the local server the harness started.

use crate::stats::Samples;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub type PathGen = Arc<dyn Fn(&mut ChaCha8Rng) -> String + Send + Sync>;

pub struct LoadResult {
    pub samples: Samples,
    /// From the first request to the last answer of the measured window.
    pub elapsed: Duration,
}

#[allow(clippy::too_many_arguments)]
async fn phase(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    clients: usize,
    duration: Duration,
    gen: &PathGen,
    seed: u64,
    record: bool,
) -> LoadResult {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(clients);
    for c in 0..clients {
        let http = http.clone();
        let base = base.to_string();
        let auth = format!("Bearer {token}");
        let gen = gen.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(c as u64 * 7919));
            let mut samples = Samples::with_capacity(4096);
            while Instant::now() < deadline {
                let path = gen(&mut rng);
                let t0 = Instant::now();
                let r = http
                    .get(format!("{base}{path}"))
                    .header("authorization", &auth)
                    .send()
                    .await;
                let outcome = match r {
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        match resp.bytes().await {
                            Ok(_) if (200..300).contains(&status) => Ok(()),
                            Ok(body) => Err(format!(
                                "GET {path} → {status} {}",
                                String::from_utf8_lossy(&body)
                                    .chars()
                                    .take(160)
                                    .collect::<String>()
                            )),
                            Err(e) => Err(format!("GET {path} → reading the body: {e}")),
                        }
                    }
                    Err(e) => Err(format!("GET {path} → {e}")),
                };
                let took = t0.elapsed();
                // Warm-up errors count too: every call must succeed.
                match outcome {
                    Ok(()) if record => samples.record(took),
                    Ok(()) => {}
                    Err(e) => samples.error(e),
                }
            }
            samples
        }));
    }
    let mut all = Samples::default();
    for t in tasks {
        match t.await {
            Ok(s) => all.merge(s),
            Err(e) => all.error(format!("load task failed: {e}")),
        }
    }
    LoadResult {
        samples: all,
        elapsed: started.elapsed(),
    }
}

/// A short unrecorded warm-up (a fifth of the time, at most 2 s), then the measured window.
pub async fn run(
    base: &str,
    token: &str,
    clients: usize,
    duration: Duration,
    gen: PathGen,
    seed: u64,
) -> LoadResult {
    let http = crate::client::http_client(clients);
    let warmup = (duration / 5).min(Duration::from_secs(2));
    let warm = phase(
        &http,
        base,
        token,
        clients,
        warmup,
        &gen,
        seed ^ 0x5eed,
        false,
    )
    .await;
    let mut measured = phase(&http, base, token, clients, duration, &gen, seed, true).await;
    measured.samples.merge(warm.samples);
    measured
}
