//! The OpenAPI 3.1 document of the API, generated from the code.
//!
//! Each handler carries `#[utoipa::path]` (path, parameters, request and data schemas, the
//! error codes particular to it in `x-errors`) and is registered with [`route!`], which adds
//! what its extractor types say: the roles that may call it, whether it reads a JSON body or
//! the query string. [`complete`] then turns that into the published document, the same way
//! for every operation: the data schema wrapped in the response envelope, one response per
//! error status listing its codes (those of the handler plus those every such endpoint can
//! answer: token, role, body, query, readiness, rate limit), the bearer security with the role
//! names, the rate-limit class and headers, unique operation ids. It also reports what does not hold together (a route without
//! `route!`, an unknown error code, a body read but not documented…) — a unit test keeps
//! that list empty.

mod allergy;
mod analytics;
mod handler;
pub mod schemas;

pub use crate::routes::docs::{DOCS_CSP, KOREAN_FONT_CSS, OPENAPI_PATH};
pub(crate) use handler::route;
pub use handler::{reads_of, Access, ExtractorDoc, HandlerArgs, Reads};

use crate::limits::{LimitConfig, RateClass};
use clinicdesk_domain::role::Role;
use clinicdesk_domain::ErrorCode;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use utoipa::openapi::path::Paths;

/// Where the marks of [`route!`] travel to [`complete`] inside an operation.
const READS_MARK: &str = "x-clinicdesk-reads";
/// The security scheme of every endpoint that needs a token.
pub const BEARER: &str = "bearer";
/// The security scheme of the sync endpoints a registered device calls.
pub const DEVICE: &str = "device";
/// The security scheme of the refresh cookie (`POST /auth/refresh` over HTTP).
pub const REFRESH_COOKIE_SCHEME: &str = "refresh_cookie";
/// Codes every endpoint under `/api/v1` can answer: the rate limit (over HTTP), the readiness
/// gate, a storage failure.
const API_CODES: [ErrorCode; 3] = [
    ErrorCode::RateLimitExceeded,
    ErrorCode::ServiceUnavailable,
    ErrorCode::InternalError,
];
/// Codes any request can get before its route runs, whatever the route (the bounds of the
/// request; the server's HTTP parser): documented once, as `components.responses`, not per
/// operation.
pub const TRANSPORT_CODES: [ErrorCode; 3] = [
    ErrorCode::BadRequest,
    ErrorCode::UriTooLong,
    ErrorCode::HeadersTooLarge,
];
/// Headers of every answer under `/api/v1` over HTTP (the rate limit), as `components.headers`.
const RATE_LIMIT_HEADERS: [&str; 3] = [
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
];
/// Codes of an endpoint that needs a token.
const TOKEN_CODES: [ErrorCode; 2] = [ErrorCode::AuthInvalidToken, ErrorCode::AuthExpiredToken];
/// Codes of an endpoint that reads a JSON body ([`crate::body::JsonBody`]).
const BODY_CODES: [ErrorCode; 3] = [
    ErrorCode::InvalidJson,
    ErrorCode::PayloadTooLarge,
    ErrorCode::ValidationError,
];
/// Response objects whose properties may be left out; every other response object always
/// carries each of its keys (`null` when empty), and the document says so (`required`). A
/// forecast insight carries `type` and `message` and then the numbers of its kind.
const SPARSE_OBJECTS: [&str; 2] = ["FiltersApplied", "ForecastInsight"];
/// Single keys of response objects that are there only sometimes (each schema's description
/// says when): the refresh token travels in the body only in-process; a duplicate warning
/// names the existing customer only to roles that see phone numbers whole.
const SOMETIMES_ABSENT: [(&str, &str); 10] = [
    ("TokenPair", "refresh_token"),
    ("DuplicateCustomerDetails", "existing_customer_id"),
    ("SimpleRegistered", "refresh_token"),
    // A prescription entry has `ku_l` when the result was sent as kU/L; a cross-reaction has a
    // `note` where the knowledge base gives one.
    ("PrescriptionEntry", "ku_l"),
    ("PrescriptionCrossReaction", "note"),
    // A customer's analytics carry the sections asked for (`metrics`) and allowed.
    ("CustomerAnalyticsAnswer", "visitPattern"),
    ("CustomerAnalyticsAnswer", "serviceUsage"),
    ("CustomerAnalyticsAnswer", "revenueContribution"),
    ("CustomerAnalyticsAnswer", "healthMetrics"),
    ("CustomerAnalyticsAnswer", "riskAssessment"),
];
/// The schema of `details` for error codes whose details are part of the contract.
const DETAILS_SCHEMAS: [(ErrorCode, &str); 2] = [
    (ErrorCode::DuplicateCustomer, "DuplicateCustomerDetails"),
    (ErrorCode::DuplicateVisit, "DuplicateVisitDetails"),
];

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Called by [`route!`]: records what the handler reads, its operation id and its tag.
pub fn mark_operations(paths: &mut Paths, reads: Reads, handler: &str) {
    let name: Vec<&str> = handler.split("::").map(str::trim).collect();
    let operation_id = name.join(".");
    let tag = name.first().copied().unwrap_or("api").to_string();
    let capability = match reads.access {
        Access::Requires(c) => json!(format!("{c:?}")),
        _ => Value::Null,
    };
    let mark = json!({
        "public": reads.access == Access::Public,
        "device": reads.access == Access::Device,
        "capability": capability,
        "roles": roles_for(reads.access),
        "json_body": reads.json_body,
        "query": reads.query,
    });
    for item in paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ]
        .into_iter()
        .flatten()
        {
            op.operation_id = Some(operation_id.clone());
            if op.tags.as_ref().is_none_or(|t| t.is_empty()) {
                op.tags = Some(vec![tag.clone()]);
            }
            op.extensions
                .get_or_insert_with(Default::default)
                .insert(READS_MARK.to_string(), mark.clone());
        }
    }
}

/// The roles that may call an operation with this access, from `crates/domain/src/role.rs`.
pub fn roles_for(access: Access) -> Vec<&'static str> {
    Role::ALL
        .into_iter()
        .filter(|r| match access {
            Access::Public | Access::Authenticated => true,
            Access::Requires(c) => r.can(c),
            Access::Device => false,
        })
        .map(Role::as_str)
        .collect()
}

/// The finished document and what is wrong with it (empty when all is well).
pub struct Document {
    pub json: Value,
    pub problems: Vec<String>,
}

static DOCUMENT: OnceLock<(Value, axum::body::Bytes)> = OnceLock::new();

fn built() -> &'static (Value, axum::body::Bytes) {
    DOCUMENT.get_or_init(|| {
        let doc = complete(crate::routes::openapi());
        for problem in &doc.problems {
            tracing::error!(%problem, "OpenAPI document");
        }
        let bytes = serde_json::to_vec(&doc.json).unwrap_or_default();
        (doc.json, bytes.into())
    })
}

/// The published OpenAPI document (built once).
pub fn document() -> &'static Value {
    &built().0
}

/// [`document`] as JSON bytes, as `GET /api/v1/openapi.json` serves it.
pub fn document_bytes() -> axum::body::Bytes {
    built().1.clone()
}

/// Completes the raw document of [`crate::routes::openapi`]; see the module comment.
pub fn complete(mut raw: utoipa::openapi::OpenApi) -> Document {
    let mut problems = Vec::new();
    let extra = raw.components.get_or_insert_with(Default::default);
    for (name, schema) in schemas::error_details_schemas() {
        extra.schemas.entry(name).or_insert(schema);
    }
    let mut doc = serde_json::to_value(&raw).unwrap_or_else(|e| {
        problems.push(format!("the document does not serialise: {e}"));
        json!({})
    });
    doc["openapi"] = json!("3.1.0");
    doc["info"] = json!({
        "title": "ClinicDesk API",
        "version": env!("CARGO_PKG_VERSION"),
        "description": INFO_DESCRIPTION,
    });
    let components = &mut doc["components"];
    components["securitySchemes"] = json!({
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "POST /api/v1/auth/login 이 주는 access_token (15분). \
                            The access_token from POST /api/v1/auth/login (15 minutes).",
        },
        DEVICE: {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Device <secret>`: 기기 등록(POST /api/v1/devices)이 한 번 주는 비밀값, \
                            `X-ClinicDesk-Sync-Version: 1`과 함께. The secret a device registration \
                            answered once, with the protocol version header.",
        },
        REFRESH_COOKIE_SCHEME: {
            "type": "apiKey",
            "in": "cookie",
            "name": crate::routes::REFRESH_COOKIE,
            "description": "HTTP로만: 로그인과 갱신이 `Set-Cookie`로 주는 refresh 토큰 \
                            (HttpOnly, SameSite=Strict, Path=/api/v1/auth; 스크립트가 읽을 수 없음, \
                            브라우저가 보냄). Over HTTP only; in-process the token is in the body.",
        },
    });
    components["schemas"]["SuccessEnvelope"] = success_envelope();
    components["schemas"]["ErrorEnvelope"] = error_envelope();
    components["schemas"]["FieldError"] = field_error_schema();
    components["headers"] = rate_limit_headers();
    components["responses"] = transport_responses();
    doc["tags"] = json!(TAGS
        .iter()
        .map(|(name, description)| json!({"name": name, "description": description}))
        .collect::<Vec<_>>());

    let mut operation_ids = BTreeSet::new();
    let paths: Vec<String> = doc["paths"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    if paths.is_empty() {
        problems.push("the document has no paths".into());
    }
    for path in paths {
        for method in HTTP_METHODS {
            let Some(op) = doc["paths"][&path].get_mut(method) else {
                continue;
            };
            let where_ = format!("{} {path}", method.to_uppercase());
            if let Some(id) = op["operationId"].as_str() {
                if !operation_ids.insert(id.to_string()) {
                    problems.push(format!("{where_}: operation id {id} is used twice"));
                }
            }
            complete_operation(op, &path, &where_, &mut problems);
        }
    }
    mark_required(&mut doc, &mut problems);
    Document {
        json: doc,
        problems,
    }
}

fn take(op: &mut Value, key: &str) -> Value {
    op.as_object_mut()
        .and_then(|o| o.remove(key))
        .unwrap_or(Value::Null)
}

fn complete_operation(op: &mut Value, path: &str, where_: &str, problems: &mut Vec<String>) {
    let mark = take(op, READS_MARK);
    if !mark.is_object() {
        problems.push(format!(
            "{where_}: not registered with route!(…), so its roles are unknown"
        ));
        return;
    }
    let public = mark["public"] == json!(true);
    let device = mark["device"] == json!(true);
    let roles: Vec<Value> = mark["roles"].as_array().cloned().unwrap_or_default();
    let enveloped = take(op, "x-envelope") != json!(false);
    let under_api = path.starts_with("/api/v1/");

    // Roles and security.
    let roles_line = if public {
        "**역할 (roles):** 누구나, 토큰 없이 (anyone, no token)".to_string()
    } else if device {
        "**호출자 (caller):** 등록된 동기화 기기 (`Authorization: Device <secret>`, \
         `X-ClinicDesk-Sync-Version: 1`); 사용자 토큰으로는 부를 수 없음 (a registered sync \
         device, not a user)"
            .to_string()
    } else {
        format!(
            "**역할 (roles):** {}",
            roles
                .iter()
                .filter_map(Value::as_str)
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let description = op["description"].as_str().unwrap_or("").trim().to_string();
    op["description"] = json!(if description.is_empty() {
        roles_line
    } else {
        format!("{description}\n\n{roles_line}")
    });
    if public {
        op["x-roles"] = json!([]);
    } else if device {
        op["x-roles"] = json!([]);
        op["security"] = json!([{ DEVICE: [] }]);
    } else {
        op["x-roles"] = json!(roles);
        op["security"] = json!([{ BEARER: roles }]);
        if !mark["capability"].is_null() {
            op["x-capability"] = mark["capability"].clone();
        }
    }

    // What the extractors read must be what the document says.
    let json_body = mark["json_body"] == json!(true);
    let query = mark["query"] == json!(true);
    if json_body != op.get("requestBody").is_some() {
        problems.push(format!(
            "{where_}: the handler {} a JSON body but the document {} one (request_body = …)",
            if json_body { "reads" } else { "does not read" },
            if json_body { "has no" } else { "describes" },
        ));
    }
    let documented_query = op["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
    if query != documented_query {
        problems.push(format!(
            "{where_}: the handler {} the query string but the document {} query parameters",
            if query { "reads" } else { "does not read" },
            if query { "lists no" } else { "lists" },
        ));
    }

    // Error codes: the handler's own and those its kind of endpoint can always answer.
    let mut codes: Vec<ErrorCode> = Vec::new();
    for name in take(op, "x-errors").as_array().cloned().unwrap_or_default() {
        match name.as_str().and_then(ErrorCode::parse) {
            Some(code) => codes.push(code),
            None => problems.push(format!(
                "{where_}: x-errors names {name}, which is not in ErrorCode::ALL"
            )),
        }
    }
    if under_api {
        codes.extend(API_CODES);
        let class = crate::routes::RATE_CLASSES
            .iter()
            .find(|(p, _)| *p == path)
            .map_or(RateClass::General, |(_, c)| *c);
        let name = format!("{class:?}").to_lowercase();
        op["x-rate-limit-class"] = json!(name);
        let line = format!(
            "**요청 한도 (rate limit, HTTP):** `{name}` — 기본 {}회/시간 (사용자별; 토큰이 없으면 \
             클라이언트 주소별)",
            LimitConfig::default().per_hour(class)
        );
        let description = op["description"].as_str().unwrap_or("").to_string();
        op["description"] = json!(format!("{description}\n\n{line}"));
    }
    if device {
        codes.extend([
            ErrorCode::AuthInvalidToken,
            ErrorCode::SyncDeviceRevoked,
            ErrorCode::SyncVersionUnsupported,
        ]);
    } else if !public {
        codes.extend(TOKEN_CODES);
    }
    if !device && roles.len() < Role::ALL.len() {
        codes.push(ErrorCode::ForbiddenRole);
    }
    if json_body {
        codes.extend(BODY_CODES);
    }
    if query {
        codes.push(ErrorCode::ValidationError);
    }
    let mut by_status: BTreeMap<u16, Vec<ErrorCode>> = BTreeMap::new();
    for code in codes {
        let list = by_status.entry(code.http_status()).or_default();
        if !list.contains(&code) {
            list.push(code);
        }
    }

    let responses = &mut op["responses"];
    if !responses
        .as_object()
        .is_some_and(|r| r.keys().any(|k| k.starts_with('2') || k.starts_with('3')))
    {
        problems.push(format!("{where_}: no success response documented"));
    }
    if let Some(rs) = responses.as_object_mut() {
        for (status, response) in rs.iter_mut() {
            if under_api {
                add_rate_limit_headers(response);
            }
            if !status.starts_with('2') {
                continue;
            }
            if response["description"].as_str().unwrap_or("").is_empty() {
                response["description"] = json!("성공 (success)");
            }
            if enveloped {
                if let Some(schema) = response
                    .pointer_mut("/content/application~1json/schema")
                    .map(Value::take)
                {
                    response["content"]["application/json"]["schema"] = json!({
                        "allOf": [
                            {"$ref": "#/components/schemas/SuccessEnvelope"},
                            {"properties": {"data": schema}},
                        ]
                    });
                }
            }
        }
    }
    for (status, codes) in by_status {
        let key = status.to_string();
        if responses.get(&key).is_some() {
            problems.push(format!(
                "{where_}: answers {status} itself; list its codes in x-errors instead"
            ));
            continue;
        }
        let mut response = error_response(status, &codes);
        if under_api {
            add_rate_limit_headers(&mut response);
        }
        responses[&key] = response;
    }
}

/// Over HTTP every answer under `/api/v1` carries the rate-limit headers.
fn add_rate_limit_headers(response: &mut Value) {
    for name in RATE_LIMIT_HEADERS {
        response["headers"][name] = json!({ "$ref": format!("#/components/headers/{name}") });
    }
}

fn rate_limit_headers() -> Value {
    json!({
        "X-RateLimit-Limit": {
            "description": "HTTP로만: 이 경로의 등급(`x-rate-limit-class`)이 한 시간에 허용하는 요청 수 \
                            (requests per hour of this route's class; over HTTP only)",
            "schema": {"type": "integer"},
        },
        "X-RateLimit-Remaining": {
            "description": "HTTP로만: 지금 더 보낼 수 있는 요청 수 (requests still allowed now)",
            "schema": {"type": "integer"},
        },
        "X-RateLimit-Reset": {
            "description": "HTTP로만: 한도가 모두 돌아오는 때, epoch 초 (when the whole budget is back)",
            "schema": {"type": "integer"},
        },
        "Retry-After": {
            "description": "몇 초 뒤에 다시 보낼 수 있는지 (seconds until a request is allowed again)",
            "schema": {"type": "integer"},
        },
    })
}

/// The answers of [`TRANSPORT_CODES`], which any request can get before its route runs.
fn transport_responses() -> Value {
    let mut out = serde_json::Map::new();
    for code in TRANSPORT_CODES {
        let mut response = error_response(code.http_status(), &[code]);
        response["description"] = json!(format!(
            "`{}` — {} (경로와 상관없이, 경로가 정해지기 전에 답함; answered before any route runs)",
            code.as_str(),
            code.default_message()
        ));
        out.insert(code.as_str().to_string(), response);
    }
    Value::Object(out)
}

fn error_response(status: u16, codes: &[ErrorCode]) -> Value {
    let names: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    let description = codes
        .iter()
        .map(|c| format!("`{}` — {}", c.as_str(), c.default_message()))
        .collect::<Vec<_>>()
        .join("<br>");
    let mut all_of = vec![
        json!({"$ref": "#/components/schemas/ErrorEnvelope"}),
        json!({"properties": {"error": {"properties": {"code": {"enum": names}}}}}),
    ];
    // Where a code's details are part of the contract, they are checked when it is that code.
    for (code, schema) in DETAILS_SCHEMAS {
        if codes.contains(&code) {
            all_of.push(json!({
                "if": {"properties": {"error": {"properties": {"code": {"const": code.as_str()}}}}},
                "then": {"properties": {"error": {"properties": {
                    "details": {"$ref": format!("#/components/schemas/{schema}")}
                }}}},
            }));
        }
    }
    let mut response = json!({
        "description": description,
        "content": {"application/json": {"schema": {"allOf": all_of}}},
    });
    if status == 401 {
        response["headers"]["WWW-Authenticate"] =
            json!({"description": "`Bearer`", "schema": {"type": "string"}});
    }
    if codes.contains(&ErrorCode::RateLimitExceeded) {
        response["headers"]["Retry-After"] = json!({"$ref": "#/components/headers/Retry-After"});
    }
    response
}

fn success_envelope() -> Value {
    json!({
        "type": "object",
        "description": "성공 응답의 봉투. `data`가 각 엔드포인트의 결과입니다. \
                        The envelope of every success answer; `data` is the endpoint's result.",
        "required": ["success", "data", "message", "timestamp", "request_id"],
        "properties": {
            "success": {"const": true},
            "data": {},
            "message": {"type": "string", "description": "사람이 읽는 한국어 메시지"},
            "timestamp": {"type": "string", "format": "date-time"},
            "request_id": {"type": "string", "description": "X-Request-Id 응답 헤더와 같은 값"},
        },
        "additionalProperties": false,
    })
}

fn field_error_schema() -> Value {
    json!({
        "type": "object",
        "description": "한 필드의 오류 (One field's error, in `details.errors`).",
        "required": ["field", "code", "reason", "message"],
        "properties": {
            "field": {"type": "string", "description": "`consent.privacy`처럼 점으로 이은 경로"},
            "code": {"type": "string", "description": "이 필드의 오류 코드 (VALIDATION_ERROR, HEALTH_CONSENT_REQUIRED …)"},
            "reason": {
                "type": "string",
                "description": "언어와 무관한 이유: required, not_allowed, too_long, format, \
                                out_of_range, wrong_type, unknown_field, …",
            },
            "message": {"type": "string", "description": "`Accept-Language`의 언어로 쓴 설명"},
            "allowed_values": {
                "type": ["array", "null"],
                "items": {},
                "description": "값이 정해진 필드일 때 허용 값 (otherwise null)",
            },
        },
        "additionalProperties": false,
    })
}

fn error_envelope() -> Value {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    json!({
        "type": "object",
        "description": "오류 응답의 봉투. Every error answer.",
        "required": ["success", "error", "timestamp", "request_id"],
        "properties": {
            "success": {"const": false},
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "properties": {
                    "code": {"type": "string", "enum": codes},
                    "message": {
                        "type": "string",
                        "description": "사람이 읽는 설명: `Accept-Language`의 언어 (ko 기본, en). \
                                        In the caller's language: Korean unless `Accept-Language` \
                                        prefers English",
                    },
                    "details": {
                        "type": "object",
                        "description": "기계가 읽는 세부 정보: allowed_values, received_value, \
                                        max_length, existing_customer_id …; 필드를 가리키는 422에는 \
                                        `errors` — every field error of the request at once",
                        "properties": {
                            "errors": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/FieldError"},
                            },
                        },
                    },
                    "field": {
                        "type": "string",
                        "description": "문제가 된 필드 (VALIDATION_ERROR, FORBIDDEN_ROLE …); \
                                        the offending field, when there is one",
                    },
                },
                "additionalProperties": false,
            },
            "timestamp": {"type": "string", "format": "date-time"},
            "request_id": {"type": "string"},
        },
        "additionalProperties": false,
    })
}

/// Every property of a response object is always present: say so with `required`. Request
/// bodies keep their optional fields. A schema used by both would be ambiguous: reported.
fn mark_required(doc: &mut Value, problems: &mut Vec<String>) {
    let mut request_refs = BTreeSet::new();
    let mut response_refs = BTreeSet::new();
    if let Some(paths) = doc["paths"].as_object() {
        for item in paths.values() {
            for method in HTTP_METHODS {
                let Some(op) = item.get(method) else {
                    continue;
                };
                collect_refs(&op["requestBody"], &mut request_refs);
                collect_refs(&op["parameters"], &mut request_refs);
                collect_refs(&op["responses"], &mut response_refs);
            }
        }
    }
    let schemas = doc["components"]["schemas"].clone();
    let requests = closure(&schemas, request_refs);
    let responses = closure(&schemas, response_refs);
    for both in requests.intersection(&responses) {
        if schemas[both]["properties"].is_null() {
            continue; // a closed set of strings is the same on both sides
        }
        problems.push(format!(
            "schema {both} describes both a request and a response; give each its own type"
        ));
    }
    for name in &responses {
        if requests.contains(name) || SPARSE_OBJECTS.contains(&name.as_str()) {
            continue;
        }
        let schema = &mut doc["components"]["schemas"][name];
        if let Some(props) = schema["properties"].as_object() {
            let keys: Vec<Value> = props
                .keys()
                .filter(|k| !SOMETIMES_ABSENT.contains(&(name.as_str(), k.as_str())))
                .map(|k| json!(k))
                .collect();
            schema["required"] = Value::Array(keys);
            if schema["additionalProperties"] != json!(false) && !name.ends_with("Envelope") {
                problems.push(format!(
                    "response schema {name} lets unknown keys through: \
                     add #[serde(deny_unknown_fields)]"
                ));
            }
        }
    }
}

/// The component names `value` refers to, directly.
fn collect_refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.insert(name.to_string());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// `start` and every component reachable from it.
fn closure(schemas: &Value, start: BTreeSet<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = start.into_iter().collect();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            let mut next = BTreeSet::new();
            collect_refs(&schemas[&name], &mut next);
            todo.extend(next);
        }
    }
    seen
}

const INFO_DESCRIPTION: &str = "\
ClinicDesk의 API. 데스크톱은 같은 라우터를 프로세스 안에서 호출하고, 서버는 HTTP로 제공합니다. \
The same router serves the desktop in-process and the server over HTTP.

- 모든 성공 응답은 `{success, data, message, timestamp, request_id}` 봉투에, 오류는 \
`{success: false, error: {code, message, details, field?}, timestamp, request_id}` 봉투에 담깁니다. \
`request_id`는 서버가 만든 id로 `X-Request-Id` 응답 헤더와 같습니다; 클라이언트가 보낸 \
`X-Request-Id`는 클라이언트의 것으로 따로 `X-Client-Request-Id`에 돌려줍니다.
- 인증: `POST /api/v1/auth/login`의 `access_token`을 `Authorization: Bearer …`로 보냅니다. \
각 엔드포인트의 `x-roles`가 호출할 수 있는 역할입니다. refresh 토큰은 프로세스 안에서는 본문으로, \
HTTP로는 `HttpOnly` 쿠키 `clinicdesk_refresh`로만 오갑니다 (`POST /api/v1/auth/refresh` 참고).
- 요청 한도 (HTTP로만): `/api/v1` 아래의 모든 답에 `X-RateLimit-Limit`, `X-RateLimit-Remaining`, \
`X-RateLimit-Reset`; 넘으면 429 `RATE_LIMIT_EXCEEDED`와 `Retry-After`. 각 엔드포인트의 \
`x-rate-limit-class`가 그 등급입니다. 데스크톱(프로세스 안)에는 한도가 없습니다.
- 어느 경로든 경로가 정해지기 전에 400 `BAD_REQUEST`(HTTP가 읽을 수 없는 요청), \
414 `URI_TOO_LONG`(경로와 쿼리 8 KiB 초과), 431 `REQUEST_HEADERS_TOO_LARGE`(헤더 32 KiB 초과)로 \
답할 수 있습니다 (`components.responses`).
- staff는 연락처(전화, 이메일, 주소, 비상 연락처)를 가려진 값으로 받고, 건강 정보는 doctor/admin만 봅니다.
- 규칙과 정렬 등 설명은 저장소의 `docs/API.md`에 있습니다. Conventions, masking and ordering rules: `docs/API.md`.";

const TAGS: [(&str, &str); 10] = [
    (
        "auth",
        "로그인, 토큰 갱신, 로그아웃, 비밀번호 변경 (login, refresh, logout, password)",
    ),
    (
        "setup",
        "첫 실행: 첫 관리자 만들기 (first run, desktop only)",
    ),
    (
        "users",
        "사용자 관리: 계정, 역할, 비활성화, 비밀번호 재설정 (administrators)",
    ),
    (
        "customers",
        "고객: 등록, 목록, 검색, 프로필, 상세, 수정, 삭제",
    ),
    (
        "interactions",
        "고객 상담 기록 (calls, messages, consultations)",
    ),
    (
        "visits",
        "패키지 구매와 방문 기록 (package purchases and visits)",
    ),
    (
        "catalogue",
        "서비스와 패키지 템플릿 (services, package templates)",
    ),
    (
        "audit",
        "감사 기록: 검증과 조회 (verify the trail, who saw what; administrators)",
    ),
    ("health", "프로세스 상태 (liveness, readiness)"),
    ("docs", "이 문서와 Swagger UI (this document)"),
];

#[cfg(test)]
mod tests;
