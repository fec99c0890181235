//! The server's own transport: the serve loop, header-read timeout, hyper's refusals in the
//! envelope, the peer address reaching the router, and the flags' defaults.

use super::*;
use axum::extract::ConnectInfo;
use axum::routing::get;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn test_state(limits: LimitConfig) -> AppState {
    let path = std::env::temp_dir().join(format!(
        "clinicdesk-server-test-{}.db",
        clinicdesk_domain::ids::new_id()
    ));
    let db = Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("a test database");
    let state = AppState::new(db, clinicdesk_api::Secrets::generate()).with_limits(limits);
    state.prepare().await.expect("migrations");
    state
}

/// The server's app on an ephemeral port, plus a route only this test router has: it answers
/// the peer address the router was handed.
async fn start(limits: LimitConfig, header_read_timeout: Duration) -> SocketAddr {
    let state = test_state(limits).await;
    let app = app(state, &[], std::path::Path::new("/nonexistent")).route(
        "/__test/peer",
        get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let options = serve::ServeOptions {
        header_read_timeout,
    };
    tokio::spawn(serve::serve(
        listener,
        app,
        options,
        std::future::pending::<()>(),
    ));
    addr
}

/// Sends `request` and reads until the server closes the connection. The outer timeout only
/// keeps a broken server from hanging the test run; nothing is asserted about durations.
async fn exchange(addr: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.write_all(request).await?;
    let mut out = Vec::new();
    let read = stream.read_to_end(&mut out);
    match tokio::time::timeout(Duration::from_secs(120), read).await {
        Ok(result) => result.map(|_| out),
        Err(_) => panic!("the server neither answered nor closed the connection"),
    }
}

struct Http {
    status: u16,
    head: String,
    body: Value,
}

fn parse(bytes: &[u8]) -> Http {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Http {
        status: head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0),
        head: head.to_ascii_lowercase(),
        body: serde_json::from_str(body).unwrap_or(Value::Null),
    }
}

fn get_request(target: &str, extra_headers: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: t\r\n{extra_headers}Connection: close\r\n\r\n")
        .into_bytes()
}

#[tokio::test]
async fn half_a_request_is_closed_after_the_header_timeout() {
    let addr = start(LimitConfig::default(), Duration::from_secs(1)).await;
    // Headers started but never finished: the server closes without answering.
    let result = exchange(addr, b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: a").await;
    match result {
        Ok(bytes) => assert!(bytes.is_empty(), "{}", String::from_utf8_lossy(&bytes)),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
    // A connection that never sends a byte is closed too.
    let silent = exchange(addr, b"").await;
    assert!(silent.map_or(true, |b| b.is_empty()));
    // The server keeps serving complete requests.
    let ok = parse(&exchange(addr, &get_request("/healthz", "")).await.unwrap());
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn uris_beyond_the_bound_answer_the_414_envelope() {
    let addr = start(LimitConfig::default(), Duration::from_secs(10)).await;
    // Past the API's bound (8 KiB): the router's own 414, with the request's id.
    let target = format!("/api/v1/customers?q={}", "a".repeat(10 * 1024));
    let r = parse(&exchange(addr, &get_request(&target, "")).await.unwrap());
    assert_eq!(r.status, 414);
    assert_eq!(r.body["success"], false);
    assert_eq!(r.body["error"]["code"], "URI_TOO_LONG");
    let id = r.body["request_id"].as_str().unwrap();
    assert!(
        r.head.contains(&format!("x-request-id: {id}")),
        "{}",
        r.head
    );
    // Past hyper's hard limit (64 KiB): hyper refuses before any request exists; the answer
    // is still the envelope.
    let target = format!("/api/v1/customers?q={}", "a".repeat(70 * 1024));
    let r = parse(&exchange(addr, &get_request(&target, "")).await.unwrap());
    assert_eq!(r.status, 414);
    assert_eq!(r.body["error"]["code"], "URI_TOO_LONG");
    assert!(r.body["request_id"].as_str().unwrap().starts_with("req-"));
    assert!(
        r.head.contains("content-type: application/json"),
        "{}",
        r.head
    );
}

#[tokio::test]
async fn oversized_or_malformed_heads_answer_the_envelope() {
    let addr = start(LimitConfig::default(), Duration::from_secs(10)).await;
    // 40 KiB of headers: the API's 431.
    let big: String = (0..40)
        .map(|i| format!("X-Fill-{i}: {}\r\n", "v".repeat(1000)))
        .collect();
    let r = parse(
        &exchange(addr, &get_request("/api/v1/services", &big))
            .await
            .unwrap(),
    );
    assert_eq!(r.status, 431);
    assert_eq!(r.body["error"]["code"], "REQUEST_HEADERS_TOO_LARGE");
    // More headers than hyper parses at all (100): hyper's 431, in the envelope.
    let many: String = (0..150).map(|i| format!("X-H{i}: v\r\n")).collect();
    let r = parse(
        &exchange(addr, &get_request("/api/v1/services", &many))
            .await
            .unwrap(),
    );
    assert_eq!(r.status, 431);
    assert_eq!(r.body["error"]["code"], "REQUEST_HEADERS_TOO_LARGE");
    // Not HTTP/1.x at all, or a broken header line: hyper's 400, in the envelope.
    for garbage in [
        &b"GET / HTTP/9.9\r\nHost: t\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost t\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    ] {
        let r = parse(&exchange(addr, garbage).await.unwrap());
        assert_eq!(r.status, 400, "{}", r.head);
        assert_eq!(r.body["error"]["code"], "BAD_REQUEST");
        assert_eq!(r.body["success"], false);
    }
}

#[test]
fn only_hypers_bare_error_heads_are_rewritten() {
    let bare = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: Tue, 24 Nov 2026 10:00:00 GMT\r\n\r\n";
    let out = String::from_utf8(serve::envelope_for_bare_error(bare).unwrap()).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"));
    assert!(head.contains("date: Tue, 24 Nov 2026 10:00:00 GMT"));
    assert!(head.contains(&format!("content-length: {}", body.len())));
    assert!(!head.contains("content-length: 0"));
    let v: Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["error"]["code"], "URI_TOO_LONG");
    // Anything with a body, another status, or more than one head passes untouched.
    for other in [
        &b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 12\r\n\r\n"[..],
        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
        b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
        b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n",
        b"{\"HTTP/1.1 400 \": 1}",
        b"",
    ] {
        assert!(serve::envelope_for_bare_error(other).is_none(), "{other:?}");
    }
}

#[tokio::test]
async fn the_router_is_handed_the_peer_address() {
    let addr = start(LimitConfig::default(), Duration::from_secs(10)).await;
    let bytes = exchange(addr, &get_request("/__test/peer", ""))
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.ends_with("127.0.0.1"), "{text}");
}

#[tokio::test]
async fn clients_without_a_token_are_limited_by_address_over_http() {
    let limits = LimitConfig {
        general_per_hour: 3,
        ..LimitConfig::default()
    };
    let addr = start(limits, Duration::from_secs(10)).await;
    for left in ["2", "1", "0"] {
        let r = parse(
            &exchange(addr, &get_request("/api/v1/services", ""))
                .await
                .unwrap(),
        );
        assert_eq!(r.status, 401);
        assert!(r.head.contains("x-ratelimit-limit: 3"), "{}", r.head);
        assert!(
            r.head.contains(&format!("x-ratelimit-remaining: {left}")),
            "{}",
            r.head
        );
        assert!(r.head.contains("x-ratelimit-reset: "), "{}", r.head);
    }
    let r = parse(
        &exchange(addr, &get_request("/api/v1/services", ""))
            .await
            .unwrap(),
    );
    assert_eq!(r.status, 429);
    assert_eq!(r.body["error"]["code"], "RATE_LIMIT_EXCEEDED");
    assert!(r.head.contains("retry-after: 1200"), "{}", r.head);
    // A client-sent X-Forwarded-For changes nothing without a trusted proxy.
    let r = parse(
        &exchange(
            addr,
            &get_request("/api/v1/services", "X-Forwarded-For: 203.0.113.77\r\n"),
        )
        .await
        .unwrap(),
    );
    assert_eq!(r.status, 429);
    // Health probes are never limited.
    let r = parse(&exchange(addr, &get_request("/healthz", "")).await.unwrap());
    assert_eq!(r.status, 200);
}

#[test]
fn the_flags_default_to_the_seeds_limits() {
    let args = Cli::parse_from(["clinicdesk-server"]).serve;
    assert_eq!(args.limits(), LimitConfig::default());
    assert_eq!(LimitConfig::default().general_per_hour, 1000);
    assert_eq!(LimitConfig::default().analytics_per_hour, 100);
    assert_eq!(LimitConfig::default().recommendations_per_hour, 50);
    let args = Cli::parse_from([
        "clinicdesk-server",
        "--rate-limit-general",
        "7",
        "--trusted-proxy",
        "10.0.0.1,10.0.0.2",
        "--login-lock-minutes",
        "2",
    ])
    .serve;
    let l = args.limits();
    assert_eq!(l.general_per_hour, 7);
    assert_eq!(l.trusted_proxies.len(), 2);
    assert_eq!(l.login_username.lock_seconds, 120);
    assert!(Cli::try_parse_from(["clinicdesk-server", "--rate-limit-general", "0"]).is_err());
}
