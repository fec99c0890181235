//! The middleware stack on a router that has two extra routes only tests can reach: one whose
//! handler panics, and one declared in the `Analytics` rate class.

use super::*;
use crate::limits::{LimitConfig, RateClass};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use axum::routing::get;
use http_body_util::BodyExt;
use serde_json::Value;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

const TEST_CLASSES: ClassTable = &[("/api/v1/__test/analytics", RateClass::Analytics)];

async fn panics() -> Response {
    panic!("a bug in a handler");
}

async fn fine() -> Response {
    crate::envelope::ok(serde_json::json!({ "fine": true }))
}

async fn state(config: LimitConfig) -> AppState {
    let path = std::env::temp_dir().join(format!(
        "clinicdesk-api-layers-{}.db",
        clinicdesk_domain::ids::new_id()
    ));
    let db = clinicdesk_store::Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("a test database");
    let state = AppState::new(db, crate::Secrets::generate()).with_limits(config);
    state.prepare().await.expect("migrations");
    state
}

fn test_router(state: AppState) -> Router {
    let api = api_router()
        .route("/__test/panic", get(panics))
        .route("/__test/analytics", get(fine))
        .route("/__test/general", get(fine));
    with_layers(api, TEST_CLASSES, state)
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
}

/// A request as the server hands it over (peer address attached) or, with `in_process`, as
/// the desktop does.
async fn call(router: &Router, path: &str, token: Option<&str>, in_process: bool) -> Answer {
    let mut req = axum::http::Request::get(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let mut req = req.body(Body::empty()).unwrap();
    if in_process {
        crate::transport::mark_in_process(&mut req);
    } else {
        req.extensions_mut().insert(ConnectInfo(
            "192.0.2.10:40000".parse::<SocketAddr>().unwrap(),
        ));
    }
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

fn token_for(state: &AppState, user: &str) -> String {
    let now = state.now().timestamp();
    let claims = crate::auth::Claims {
        sub: user.into(),
        sid: "s".into(),
        username: user.into(),
        role: "staff".into(),
        iat: now,
        exp: now + 600,
    };
    crate::auth::issue_access_token(state, &claims).unwrap()
}

fn header(a: &Answer, name: &str) -> String {
    a.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn a_panicking_handler_answers_the_500_envelope_in_process() {
    let router = test_router(state(LimitConfig::default()).await);
    let a = call(&router, "/api/v1/__test/panic", None, true).await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(a.body["success"], false);
    assert_eq!(a.body["error"]["code"], "INTERNAL_ERROR");
    let id = a.body["request_id"].as_str().unwrap();
    assert!(id.starts_with("req-"), "{id}");
    assert_eq!(header(&a, "x-request-id"), id);
    // The router keeps working after the panic.
    assert_eq!(
        call(&router, "/healthz", None, true).await.status,
        StatusCode::OK
    );
}

/// Sends raw bytes to `addr` and reads until the server closes the connection.
async fn raw_exchange(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn a_panicking_handler_answers_the_500_envelope_over_http() {
    let router = test_router(state(LimitConfig::default()).await);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    let text = raw_exchange(
        addr,
        b"GET /api/v1/__test/panic HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(text.starts_with("HTTP/1.1 500"), "{text}");
    let body: Value = serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "INTERNAL_ERROR");
    assert!(text.contains(body["request_id"].as_str().unwrap()));
}

#[tokio::test]
async fn the_server_makes_its_own_request_id_and_keeps_the_clients_apart() {
    let router = test_router(state(LimitConfig::default()).await);
    for client_id in ["front-desk-42", "a.b:c_d-1"] {
        let req = axum::http::Request::get("/api/v1/__test/general")
            .header("x-request-id", client_id)
            .body(Body::empty())
            .unwrap();
        let resp = router.clone().oneshot(req).await.unwrap();
        let server_id = resp.headers()["x-request-id"].to_str().unwrap().to_string();
        assert!(server_id.starts_with("req-"));
        assert_ne!(server_id, client_id);
        assert_eq!(resp.headers()["x-client-request-id"], client_id);
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["request_id"], server_id.as_str());
    }
    // Unusable client ids are dropped, not repaired.
    for bad in ["", "has space", "<script>", &"x".repeat(101), "ㄱ"] {
        let Ok(v) = HeaderValue::from_str(bad) else {
            continue;
        };
        assert_eq!(sane_client_request_id(&v), None, "{bad:?}");
    }
    let ok = HeaderValue::from_static("abc-123");
    assert_eq!(sane_client_request_id(&ok).as_deref(), Some("abc-123"));
}

#[tokio::test]
async fn both_ids_reach_the_handler() {
    async fn echo() -> Response {
        crate::envelope::ok(serde_json::json!({
            "server": request_id(),
            "client": crate::envelope::client_request_id(),
        }))
    }
    let api = Router::new().route("/__test/ids", get(echo));
    let router = with_layers(api, TEST_CLASSES, state(LimitConfig::default()).await);
    let req = axum::http::Request::get("/api/v1/__test/ids")
        .header("x-request-id", "desk-7")
        .body(Body::empty())
        .unwrap();
    let resp = router.oneshot(req).await.unwrap();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["data"]["client"], "desk-7");
    assert_eq!(body["data"]["server"], body["request_id"]);
    assert_ne!(body["data"]["server"], "desk-7");
}

#[tokio::test]
async fn overlong_uris_and_header_sections_answer_the_envelope() {
    let router = test_router(state(LimitConfig::default()).await);
    let long = format!("/api/v1/customers?q={}", "a".repeat(MAX_URI_BYTES));
    let a = call(&router, &long, None, true).await;
    assert_eq!(a.status, StatusCode::URI_TOO_LONG);
    assert_eq!(a.body["error"]["code"], "URI_TOO_LONG");
    assert_eq!(a.body["error"]["details"]["max_bytes"], MAX_URI_BYTES);
    let just_fits = format!(
        "/api/v1/__test/general?q={}",
        "a".repeat(MAX_URI_BYTES - 30)
    );
    assert_eq!(
        call(&router, &just_fits, None, true).await.status,
        StatusCode::OK
    );

    let mut req = axum::http::Request::get("/api/v1/__test/general");
    for i in 0..40 {
        req = req.header(format!("x-filler-{i}"), "v".repeat(1000));
    }
    let resp = router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["code"], "REQUEST_HEADERS_TOO_LARGE");
}

fn small_limits() -> LimitConfig {
    LimitConfig {
        general_per_hour: 5,
        analytics_per_hour: 2,
        ..LimitConfig::default()
    }
}

#[tokio::test]
async fn in_process_requests_are_not_limited_and_carry_no_headers() {
    let st = state(small_limits()).await;
    let token = token_for(&st, "u-inproc");
    let router = test_router(st);
    for _ in 0..20 {
        let a = call(&router, "/api/v1/__test/analytics", Some(&token), true).await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(a.headers.get("x-ratelimit-limit").is_none());
        assert!(a.headers.get("x-ratelimit-remaining").is_none());
    }
}

#[tokio::test]
async fn each_class_has_its_own_budget_per_user() {
    let st = state(small_limits()).await;
    let alice = token_for(&st, "u-alice");
    let bob = token_for(&st, "u-bob");
    let router = test_router(st);
    for left in [1, 0] {
        let a = call(&router, "/api/v1/__test/analytics", Some(&alice), false).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(header(&a, "x-ratelimit-limit"), "2");
        assert_eq!(header(&a, "x-ratelimit-remaining"), left.to_string());
    }
    let refused = call(&router, "/api/v1/__test/analytics", Some(&alice), false).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.body["error"]["code"], "RATE_LIMIT_EXCEEDED");
    assert_eq!(refused.body["error"]["details"]["class"], "analytics");
    assert_eq!(header(&refused, "retry-after"), "1800");
    assert_eq!(header(&refused, "x-ratelimit-remaining"), "0");
    // The general budget of the same user, and the analytics budget of another, are untouched.
    let g = call(&router, "/api/v1/__test/general", Some(&alice), false).await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(header(&g, "x-ratelimit-limit"), "5");
    assert_eq!(header(&g, "x-ratelimit-remaining"), "4");
    let b = call(&router, "/api/v1/__test/analytics", Some(&bob), false).await;
    assert_eq!(b.status, StatusCode::OK);
    // 404s and the routes of the real table count as general.
    let nf = call(&router, "/api/v1/nowhere", Some(&alice), false).await;
    assert_eq!(nf.status, StatusCode::NOT_FOUND);
    assert_eq!(header(&nf, "x-ratelimit-remaining"), "3");
    // Health probes are not limited.
    let h = call(&router, "/healthz", None, false).await;
    assert!(h.headers.get("x-ratelimit-limit").is_none());
}

#[tokio::test]
async fn an_unverified_token_is_counted_against_the_client_not_the_user_it_names() {
    let st = state(small_limits()).await;
    let real = token_for(&st, "u-victim");
    // Same claims, signed with another key: it must not spend the victim's budget.
    let forged = {
        let now = st.now().timestamp();
        let claims = crate::auth::Claims {
            sub: "u-victim".into(),
            sid: "s".into(),
            username: "victim".into(),
            role: "admin".into(),
            iat: now,
            exp: now + 600,
        };
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(b"not the server's key"),
        )
        .unwrap()
    };
    let router = test_router(st);
    for _ in 0..5 {
        let a = call(&router, "/api/v1/__test/general", Some(&forged), false).await;
        assert_eq!(a.status, StatusCode::OK);
    }
    let a = call(&router, "/api/v1/__test/general", Some(&forged), false).await;
    assert_eq!(
        a.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the client's budget is spent"
    );
    let a = call(&router, "/api/v1/__test/general", None, false).await;
    assert_eq!(
        a.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the same client without a token"
    );
    let v = call(&router, "/api/v1/__test/general", Some(&real), false).await;
    assert_eq!(v.status, StatusCode::OK);
    assert_eq!(
        header(&v, "x-ratelimit-remaining"),
        "4",
        "the victim's budget is whole"
    );
}
