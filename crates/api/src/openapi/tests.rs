use super::*;
use crate::{router, AppState};
use axum::body::Body;
use clinicdesk_store::users::{self, User};
use clinicdesk_store::{Actor, Db};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// Every documented operation as (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in HTTP_METHODS {
            if let Some(op) = item.get(method) {
                out.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    out
}

#[test]
fn the_document_holds_together() {
    let doc = complete(crate::routes::openapi());
    assert!(
        doc.problems.is_empty(),
        "the OpenAPI document has problems:\n{}",
        doc.problems.join("\n")
    );
    assert_eq!(doc.json["openapi"], "3.1.0");
    assert_eq!(
        doc.json["components"]["securitySchemes"][BEARER]["scheme"],
        "bearer"
    );
    let ops = operations(&doc.json);
    assert!(ops.len() >= 27, "{} operations", ops.len());
    for (method, path, op) in &ops {
        let roles = op["x-roles"].as_array().expect("x-roles");
        let bearer = op["security"]
            .as_array()
            .is_some_and(|s| s.iter().any(|r| r.get(BEARER).is_some()));
        assert_eq!(bearer, !roles.is_empty(), "{method} {path}");
        assert!(op["summary"].is_string(), "{method} {path}: no summary");
        for (status, response) in op["responses"].as_object().expect("responses") {
            assert!(
                response["description"].is_string(),
                "{method} {path} {status}: no description"
            );
        }
    }
}

/// What [`route!`] records comes from the handler's extractors, and the roles from role.rs.
#[test]
fn documented_roles_come_from_the_handlers_requirement() {
    let doc = document();
    let op = |method: &str, path: &str| doc["paths"][path][method].clone();
    let roles = |v: &Value| -> Vec<String> {
        v["x-roles"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(String::from))
            .collect()
    };
    assert_eq!(roles(&op("post", "/api/v1/packages")), ["admin", "manager"]);
    assert_eq!(op("post", "/api/v1/packages")["x-capability"], "Analytics");
    assert_eq!(roles(&op("delete", "/api/v1/customers/{id}")), ["admin"]);
    assert_eq!(
        roles(&op("post", "/api/v1/purchases/{id}/cancel")),
        ["admin", "manager"]
    );
    // Anyone who records a visit may void their own for ten minutes; the rule is in the handler.
    assert_eq!(
        roles(&op("post", "/api/v1/sessions/{id}/cancel")),
        ["admin", "manager", "doctor", "staff"]
    );
    assert_eq!(
        roles(&op("get", "/api/v1/customers/{id}")),
        ["admin", "manager", "doctor", "staff"]
    );
    assert!(roles(&op("post", "/api/v1/auth/login")).is_empty());
    assert!(op("post", "/api/v1/auth/login").get("security").is_none());
    assert_eq!(roles(&op("get", "/api/v1/auth/me")).len(), Role::ALL.len());
}

#[test]
fn error_codes_are_listed_under_their_status() {
    let doc = document();
    let codes_at = |method: &str, path: &str, status: &str| -> Vec<String> {
        doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
            ["allOf"][1]["properties"]["error"]["properties"]["code"]["enum"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str().map(String::from))
            .collect()
    };
    let visit = "/api/v1/customers/{id}/sessions";
    assert_eq!(
        codes_at("post", visit, "409"),
        [
            "PACKAGE_EXHAUSTED",
            "PACKAGE_EXPIRED",
            "PACKAGE_CANCELLED",
            "DUPLICATE_VISIT",
            "CUSTOMER_ANONYMIZED"
        ]
    );
    assert_eq!(
        codes_at("get", visit.trim_end_matches("/sessions"), "429"),
        ["RATE_LIMIT_EXCEEDED"],
        "every route under /api/v1 can be rate-limited"
    );
    assert_eq!(
        codes_at("post", visit, "422"),
        ["SERVICE_NOT_IN_PACKAGE", "VALIDATION_ERROR"]
    );
    assert_eq!(
        codes_at("post", visit, "401"),
        ["AUTH_INVALID_TOKEN", "AUTH_EXPIRED_TOKEN"]
    );
    assert_eq!(
        codes_at("post", visit, "400"),
        ["INVALID_JSON"],
        "a body reader answers INVALID_JSON"
    );
    assert_eq!(
        codes_at("post", "/api/v1/auth/login", "401"),
        ["AUTH_INVALID_CREDENTIALS"]
    );
    assert!(
        doc["paths"]["/healthz"]["get"]["responses"]
            .as_object()
            .is_some_and(|r| r.len() == 1),
        "the liveness probe cannot fail"
    );
}

#[test]
fn problems_are_reported() {
    // A route registered without `route!` and an unknown error code are caught.
    let mut raw = crate::routes::openapi();
    let mut bare = utoipa::openapi::path::Operation::new();
    bare.extensions = Some(
        [("x-errors".to_string(), json!(["NO_SUCH_CODE"]))]
            .into_iter()
            .collect(),
    );
    raw.paths.paths.insert(
        "/api/v1/bare".into(),
        utoipa::openapi::path::PathItem::new(utoipa::openapi::HttpMethod::Get, bare),
    );
    let doc = complete(raw);
    assert!(
        doc.problems
            .iter()
            .any(|p| p.contains("GET /api/v1/bare") && p.contains("route!")),
        "{:?}",
        doc.problems
    );
}

// ---------------------------------------------------------------------------------------------
// The documented roles against the running router.

const PASSWORD: &str = "openapi-roles-1";

async fn app() -> (axum::Router, std::path::PathBuf) {
    let dir = std::env::temp_dir().join("clinicdesk-api-openapi");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("{}.db", clinicdesk_domain::ids::new_id()));
    let db = Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("sqlite");
    let state = AppState::new(db.clone(), crate::Secrets::generate());
    state.prepare().await.expect("migrations");
    let hash = clinicdesk_security::hash_password(PASSWORD).expect("hash");
    let mut w = db
        .begin_write(&Actor::system("openapi-test"), &state.now_text())
        .await
        .expect("write");
    for role in Role::ALL {
        let user = User::new(
            &format!("openapi-{}", role.as_str()),
            role.as_str(),
            role.as_str(),
            hash.clone(),
        );
        users::insert(&mut w, &user).await.expect("user");
    }
    w.commit().await.expect("commit");
    (router(state), path)
}

async fn call(
    app: &axum::Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = axum::http::Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let body = match body {
        Some(b) => {
            req = req.header("content-type", "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let mut req = req.body(body).expect("request");
    crate::transport::mark_in_process(&mut req);
    let resp = app.clone().oneshot(req).await.expect("infallible");
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn login(app: &axum::Router, role: Role) -> String {
    let (status, body) = call(
        app,
        "POST",
        "/api/v1/auth/login",
        None,
        Some(json!({"username": format!("openapi-{}", role.as_str()), "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"]["access_token"]
        .as_str()
        .expect("token")
        .to_string()
}

/// Every documented operation, called by every role (and without a token), answers as its
/// `x-roles` say: a role outside them gets 403 `FORBIDDEN_ROLE` naming the capability, a role
/// inside never does, a caller without a token gets 401 unless the operation is public. The
/// calls name records that do not exist and send empty bodies, so nothing is written (except
/// a logout, after which the role signs in again). Each answer's status is one the operation
/// documents.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documented_roles_hold_on_the_router() {
    let (app, _db) = app().await;
    let doc = document();
    let ops = operations(doc);
    assert!(!ops.is_empty());
    let mut tokens = Vec::new();
    for role in Role::ALL {
        tokens.push((role, login(&app, role).await));
    }
    let missing = clinicdesk_domain::ids::new_id();
    for (method, template, op) in &ops {
        let path = template
            .replace("{id}", &missing)
            .replace("{file}", "index.css");
        let body = op.get("requestBody").map(|_| json!({}));
        let allowed: Vec<&str> = op["x-roles"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let documented = |status: u16| op["responses"].get(status.to_string()).is_some();

        let (status, answer) = call(&app, method, &path, None, body.clone()).await;
        if allowed.is_empty() {
            assert_ne!(
                answer["error"]["code"], "FORBIDDEN_ROLE",
                "{method} {template} is public"
            );
        } else {
            assert_eq!(status, 401, "{method} {template} without a token: {answer}");
        }
        assert!(
            documented(status),
            "{method} {template} answered {status}: {answer}"
        );

        for (role, token) in tokens.iter_mut() {
            // A logout ends the session: sign in again when the token stopped working.
            if call(&app, "GET", "/api/v1/auth/me", Some(token), None)
                .await
                .0
                == 401
            {
                *token = login(&app, *role).await;
            }
            let (status, answer) = call(&app, method, &path, Some(token), body.clone()).await;
            let refused = status == 403 && answer["error"]["details"]["required"].is_string();
            let role_name = role.as_str();
            if allowed.is_empty() || allowed.contains(&role_name) {
                assert!(
                    !refused,
                    "{method} {template} documents {role_name} but refuses it: {answer}"
                );
            } else {
                assert!(
                    refused,
                    "{method} {template} does not document {role_name}, which got {status}: {answer}"
                );
                assert_eq!(answer["error"]["code"], "FORBIDDEN_ROLE");
                assert_eq!(answer["error"]["details"]["required"], op["x-capability"]);
            }
            assert!(
                documented(status),
                "{method} {template} answered {role_name} {status}, not documented: {answer}"
            );
            assert!(
                !(status == 404 && answer["error"]["code"] == "NOT_FOUND") && status != 405,
                "{method} {template} is documented but not routed: {answer}"
            );
        }
    }
}

#[tokio::test]
async fn swagger_ui_is_served_offline_and_read_only_in_process() {
    let (app, _db) = app().await;
    let (status, _) = call(&app, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, 200);

    let get = |path: &'static str, in_process: bool| {
        let app = app.clone();
        async move {
            let mut req = axum::http::Request::builder()
                .uri(path)
                .body(Body::empty())
                .expect("request");
            if in_process {
                crate::transport::mark_in_process(&mut req);
            }
            let resp = app.oneshot(req).await.expect("infallible");
            let status = resp.status().as_u16();
            let csp = resp
                .headers()
                .get("content-security-policy")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let bytes = resp.into_body().collect().await.expect("body").to_bytes();
            (status, String::from_utf8_lossy(&bytes).into_owned(), csp)
        }
    };
    let (status, html, csp) = get("/docs/", false).await;
    assert_eq!(status, 200);
    assert!(html.contains("swagger-ui-bundle.js"));
    assert!(html.contains("href=\"/korean-font.css\"") && html.contains("./clinicdesk.css"));
    assert!(html.contains("<title>ClinicDesk API</title>"), "{html}");
    let (status, css, _) = get("/docs/clinicdesk.css", false).await;
    assert_eq!(status, 200);
    assert!(css.contains("Noto Sans KR Variable"));
    assert_eq!(csp, crate::routes::docs::DOCS_CSP);
    let (status, _, _) = get("/docs", false).await;
    assert_eq!(status, 303);

    let (status, init, _) = get("/docs/swagger-initializer.js", false).await;
    assert_eq!(status, 200);
    assert!(init.contains("\"/api/v1/openapi.json\""), "{init}");
    assert!(init.contains("\"validatorUrl\": \"none\""), "{init}");
    assert!(!init.contains("supportedSubmitMethods"), "{init}");
    assert!(
        !init.contains("https://"),
        "nothing from the network: {init}"
    );

    assert!(!html.contains("docs-read-only"));
    let (_, html, _) = get("/docs/", true).await;
    assert!(
        html.contains("docs-read-only"),
        "the desktop's page says it is read-only"
    );
    let (_, init, _) = get("/docs/swagger-initializer.js", true).await;
    assert!(
        init.contains("\"supportedSubmitMethods\": []"),
        "the desktop's docs are read-only: {init}"
    );
    let (status, _, _) = get("/docs/no-such-file.js", false).await;
    assert_eq!(status, 404);
}

/// What the transport adds: the rate limit on every route under `/api/v1` (class, headers,
/// 429 with `Retry-After`), the refresh cookie, the answers any request can get before its
/// route runs, and the details of a duplicate warning.
#[test]
fn limits_cookies_and_transport_answers_are_documented() {
    let doc = document();
    let ops = operations(doc);
    let api: Vec<_> = ops
        .iter()
        .filter(|(_, path, _)| path.starts_with("/api/v1/"))
        .collect();
    assert!(!api.is_empty());
    for (method, path, op) in &api {
        // Seed 000's analytics budget covers the clinic's analytics, charts and the model.
        let analytics = ["/api/v1/analytics/", "/api/v1/charts/", "/api/v1/analysis"]
            .iter()
            .any(|p| path.starts_with(p))
            && !path.starts_with("/api/v1/analysis/models")
            || path == "/api/v1/customers/{id}/analytics"
            || path == "/api/v1/customers/segments/{id}";
        // And its recommendations budget the reads that serve recommendations (feedback is
        // a write like any other).
        let recommendations = method.eq_ignore_ascii_case("get")
            && (path.starts_with("/api/v1/recommendations/")
                || path == "/api/v1/customers/{id}/recommendations");
        let class = if path.starts_with("/api/v1/sync/p") {
            "sync"
        } else if recommendations {
            "recommendations"
        } else if analytics {
            "analytics"
        } else {
            "general"
        };
        assert_eq!(op["x-rate-limit-class"], class, "{method} {path}");
        let responses = op["responses"].as_object().expect("responses");
        assert!(!responses.is_empty());
        for (status, response) in responses {
            assert_eq!(
                response["headers"]["X-RateLimit-Remaining"]["$ref"],
                "#/components/headers/X-RateLimit-Remaining",
                "{method} {path} {status}"
            );
        }
        assert_eq!(
            op["responses"]["429"]["headers"]["Retry-After"]["$ref"],
            "#/components/headers/Retry-After",
            "{method} {path}"
        );
    }
    assert!(doc["paths"]["/healthz"]["get"]
        .get("x-rate-limit-class")
        .is_none());

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes[REFRESH_COOKIE_SCHEME]["in"], "cookie");
    assert_eq!(schemes[REFRESH_COOKIE_SCHEME]["name"], "clinicdesk_refresh");
    let refresh = &doc["paths"]["/api/v1/auth/refresh"]["post"];
    assert_eq!(refresh["security"][0][REFRESH_COOKIE_SCHEME], json!([]));
    assert_ne!(refresh["requestBody"]["required"], json!(true));
    let pair = &doc["components"]["schemas"]["TokenPair"];
    let required: Vec<&str> = pair["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert!(required.contains(&"access_token") && !required.contains(&"refresh_token"));
    for path in [
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
    ] {
        assert!(
            doc["paths"][path]["post"]["responses"]["200"]["headers"]["Set-Cookie"].is_object(),
            "{path}"
        );
    }

    for code in TRANSPORT_CODES {
        let r = &doc["components"]["responses"][code.as_str()];
        assert!(r["description"].is_string(), "{}", code.as_str());
    }
    let conflict =
        serde_json::to_string(&doc["paths"]["/api/v1/customers"]["post"]["responses"]["409"])
            .expect("json");
    assert!(conflict.contains("#/components/schemas/DuplicateCustomerDetails"));
    assert!(
        doc["components"]["schemas"]["DuplicateCustomerDetails"]["properties"]["candidates"]
            .is_object()
    );
}
