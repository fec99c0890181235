//! The sync property (issue 9): nodes and a central server doing random work, every message
//! between them passing a proxy that drops requests, drops answers after the server acted on
//! them, delivers requests twice, replays old pushes out of order and cuts pulls into odd
//! pages. After a final clean sync every digest is equal and every write that was answered
//! "done" is present exactly once, everywhere. The seed is printed; a failure names it.

use super::cases::new_template;
use super::harness::{unique_phone, user_name, Harness, PASSWORD};
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What the proxy did, for the failure message.
#[derive(Default)]
struct Tally {
    forwarded: AtomicU64,
    refused: AtomicU64,
    answer_lost: AtomicU64,
    doubled: AtomicU64,
    replayed: AtomicU64,
    small_pages: AtomicU64,
}

/// A request as the proxy keeps it: the headers it forwards and the body.
type Kept = (Vec<(String, String)>, Bytes);

#[derive(Clone)]
struct Proxy {
    upstream: String,
    client: reqwest::Client,
    rng: Arc<Mutex<ChaCha8Rng>>,
    faults: Arc<AtomicBool>,
    /// Pushes seen, to deliver again later (out of order).
    old_pushes: Arc<Mutex<Vec<Kept>>>,
    tally: Arc<Tally>,
}

impl Proxy {
    fn roll(&self) -> f64 {
        self.rng.lock().unwrap().gen::<f64>()
    }

    async fn forward(
        &self,
        method: &str,
        uri: &str,
        headers: &[(String, String)],
        body: Bytes,
    ) -> Option<(u16, Bytes)> {
        let mut req = self
            .client
            .request(method.parse().ok()?, format!("{}{uri}", self.upstream));
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let resp = req.body(body).send().await.ok()?;
        let status = resp.status().as_u16();
        Some((status, resp.bytes().await.ok()?))
    }
}

fn dropped() -> Response {
    (StatusCode::BAD_GATEWAY, "connection lost").into_response()
}

async fn relay(State(p): State<Proxy>, req: Request) -> Response {
    let method = req.method().to_string();
    let mut uri = req
        .uri()
        .path_and_query()
        .map(|x| x.to_string())
        .unwrap_or_default();
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "authorization" | "content-type" | "x-clinicdesk-sync-version"
            )
        })
        .filter_map(|(k, v)| Some((k.to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let Ok(body) = axum::body::to_bytes(req.into_body(), 4 << 20).await else {
        return dropped();
    };
    let is_push = uri.starts_with("/api/v1/sync/push");
    let is_pull = uri.starts_with("/api/v1/sync/pull");
    if p.faults.load(Ordering::SeqCst) && (is_push || is_pull) {
        let t = &p.tally;
        if p.roll() < 0.1 {
            t.refused.fetch_add(1, Ordering::SeqCst);
            return dropped();
        }
        if is_push {
            if p.roll() < 0.15 {
                let old = {
                    let olds = p.old_pushes.lock().unwrap();
                    (!olds.is_empty())
                        .then(|| olds[p.rng.lock().unwrap().gen_range(0..olds.len())].clone())
                };
                if let Some((h, b)) = old {
                    t.replayed.fetch_add(1, Ordering::SeqCst);
                    let _ = p.forward("POST", "/api/v1/sync/push", &h, b).await;
                }
            }
            p.old_pushes
                .lock()
                .unwrap()
                .push((headers.clone(), body.clone()));
        }
        if is_pull && p.roll() < 0.3 {
            // Odd page sizes: the cursor rule must hold for any of them.
            let limit = p.rng.lock().unwrap().gen_range(1..6);
            let path = uri.split('?').next().unwrap_or_default().to_string();
            let query: Vec<String> = uri
                .split('?')
                .nth(1)
                .unwrap_or_default()
                .split('&')
                .filter(|kv| !kv.starts_with("limit="))
                .map(str::to_string)
                .collect();
            uri = format!("{path}?{}&limit={limit}", query.join("&"));
            t.small_pages.fetch_add(1, Ordering::SeqCst);
        }
        if p.roll() < 0.15 {
            t.doubled.fetch_add(1, Ordering::SeqCst);
            let _ = p.forward(&method, &uri, &headers, body.clone()).await;
        }
        let answer = p.forward(&method, &uri, &headers, body).await;
        if p.roll() < 0.15 {
            // The server acted; the node never hears of it.
            t.answer_lost.fetch_add(1, Ordering::SeqCst);
            return dropped();
        }
        t.forwarded.fetch_add(1, Ordering::SeqCst);
        return match answer {
            Some((status, bytes)) => (
                StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
                [("content-type", "application/json")],
                bytes,
            )
                .into_response(),
            None => dropped(),
        };
    }
    match p.forward(&method, &uri, &headers, body).await {
        Some((status, bytes)) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
            [("content-type", "application/json")],
            bytes,
        )
            .into_response(),
        None => dropped(),
    }
}

async fn start_proxy(upstream: String, seed: u64) -> (String, Proxy) {
    let proxy = Proxy {
        upstream,
        client: reqwest::Client::new(),
        rng: Arc::new(Mutex::new(ChaCha8Rng::seed_from_u64(seed))),
        faults: Arc::new(AtomicBool::new(false)),
        old_pushes: Default::default(),
        tally: Default::default(),
    };
    let app = axum::Router::new()
        .fallback(relay)
        .with_state(proxy.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), proxy)
}

/// Ids of one table on one database.
async fn ids(h: &Harness, sql: &str) -> Vec<String> {
    use sqlx::Row;
    sqlx::query(sql)
        .fetch_all(&h.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect()
}

/// One random write on `h`; the id of what it created when the answer said so.
async fn random_write(
    h: &Harness,
    rng: &mut ChaCha8Rng,
    template: &str,
    n: usize,
) -> Option<(&'static str, String)> {
    let staff = h.token("staff").await;
    let customers = ids(
        h,
        "SELECT id FROM customers WHERE deleted_at IS NULL ORDER BY id",
    )
    .await;
    match rng.gen_range(0..4) {
        0 => {
            let r = h
                .post(
                    "/api/v1/customers",
                    &staff,
                    json!({"name": format!("무작위 {n}"), "phone": unique_phone(),
                           "consent": {"privacy": true}}),
                )
                .await;
            r.expect(201);
            Some(("customers", r.data()["id"].as_str()?.to_string()))
        }
        1 if !customers.is_empty() => {
            let c = &customers[rng.gen_range(0..customers.len())];
            let field = ["occupation", "memo"][rng.gen_range(0..2)];
            h.put(
                &format!("/api/v1/customers/{c}"),
                &staff,
                json!({ field: format!("값 {n}") }),
            )
            .await
            .expect(200);
            None
        }
        2 if !customers.is_empty() => {
            let c = &customers[rng.gen_range(0..customers.len())];
            let r = h
                .post(
                    &format!("/api/v1/customers/{c}/packages"),
                    &staff,
                    json!({"package_id": template, "payment_method": "card"}),
                )
                .await;
            (r.status == 201).then(|| {
                (
                    "package_purchases",
                    r.data()["package_usage_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
        }
        _ => {
            let purchases = ids(
                h,
                "SELECT id || ' ' || customer_id FROM package_purchases ORDER BY id",
            )
            .await;
            if purchases.is_empty() {
                return None;
            }
            let pick = &purchases[rng.gen_range(0..purchases.len())];
            let (pid, customer) = pick.split_once(' ')?;
            let r = h
                .post(
                    &format!("/api/v1/customers/{customer}/sessions?confirm_duplicate=true"),
                    &staff,
                    json!({"service_type": "brain", "package_usage_id": pid}),
                )
                .await;
            (r.status == 201).then(|| {
                (
                    "service_sessions",
                    r.data()["session_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
        }
    }
}

pub async fn random_work_over_a_faulty_network_converges(h: &Harness) {
    let seed: u64 = std::env::var("CLINICDESK_SYNC_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen());
    eprintln!("sync property: seed {seed} (CLINICDESK_SYNC_SEED={seed} repeats it)");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let central = h.fresh().await;
    let direct = central.serve_http().await;
    let (via_proxy, proxy) = start_proxy(direct.clone(), seed ^ 0x5eed).await;
    let template = new_template(&central, json!({"brain": 3}), 365).await;
    let mut nodes = Vec::new();
    for i in 0..3 {
        let node = h.node().await;
        let r = node
            .send(
                "POST",
                "/api/v1/sync/connect",
                None,
                super::harness::Payload::Json(json!({
                    "server_url": via_proxy, "username": user_name("admin"),
                    "password": PASSWORD, "device_name": format!("무작위 PC {i}"),
                })),
                &[],
            )
            .await;
        r.expect(200);
        nodes.push(node);
    }
    proxy.faults.store(true, Ordering::SeqCst);

    let mut acknowledged: Vec<(&'static str, String)> = Vec::new();
    let mut failed_rounds = 0;
    for n in 0..90 {
        // Most work happens on the nodes, some on the server itself.
        let who = rng.gen_range(0..4);
        let h = if who == 3 { &central } else { &nodes[who] };
        if let Some(done) = random_write(h, &mut rng, &template, n).await {
            acknowledged.push(done);
        }
        if rng.gen_bool(0.3) {
            let node = &nodes[rng.gen_range(0..nodes.len())];
            let r = node
                .post("/api/v1/sync/run", &node.token("staff").await, json!({}))
                .await;
            if r.status != 200 {
                assert_eq!(r.status, 502, "only the network fails: {}", r.body);
                failed_rounds += 1;
            }
        }
    }
    assert!(!acknowledged.is_empty());

    // The network heals: every node syncs until nothing moves.
    proxy.faults.store(false, Ordering::SeqCst);
    for node in &nodes {
        node.token("admin").await;
    }
    central.token("admin").await;
    for _ in 0..3 {
        for node in &nodes {
            node.post("/api/v1/sync/run", &node.token("staff").await, json!({}))
                .await
                .expect(200);
        }
    }
    let t = &proxy.tally;
    let tally = format!(
        "seed {seed}: forwarded {}, refused {}, answers lost {}, doubled {}, old pushes replayed {}, small pages {}, failed rounds {failed_rounds}",
        t.forwarded.load(Ordering::SeqCst),
        t.refused.load(Ordering::SeqCst),
        t.answer_lost.load(Ordering::SeqCst),
        t.doubled.load(Ordering::SeqCst),
        t.replayed.load(Ordering::SeqCst),
        t.small_pages.load(Ordering::SeqCst),
    );
    eprintln!("{tally}");
    assert!(failed_rounds > 0, "the faults happened: {tally}");

    let admin = central.token("admin").await;
    let reference = central.get("/api/v1/sync/digest", &admin).await.data()["tables"].clone();
    for (i, node) in nodes.iter().enumerate() {
        let d = node
            .get("/api/v1/sync/digest", &node.token("admin").await)
            .await
            .data()["tables"]
            .clone();
        assert_eq!(d, reference, "node {i} differs from the server ({tally})");
    }
    for all in std::iter::once(&central).chain(nodes.iter()) {
        for (table, id) in &acknowledged {
            assert!(!id.is_empty(), "an acknowledged write names its row");
            assert_eq!(
                all.count(table, "id = $1", id).await,
                1,
                "{table} {id} on {} ({tally})",
                all.kind
            );
        }
    }
    for node in &nodes {
        let status = node
            .get("/api/v1/sync/status", &node.token("staff").await)
            .await;
        assert_eq!(
            status.data()["pending_changes"],
            0,
            "nothing left to push ({tally})"
        );
        assert_eq!(status.data()["online"], true);
    }
}
