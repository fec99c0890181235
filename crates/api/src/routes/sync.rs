//! Sync (issue 9, `docs/SYNC.md`): the digest that says whether two databases hold the same
//! synced data; the central server's push (applied to its tables and logged) and pull for
//! registered devices; a node's connect, run and status; the conflicts and their resolution.

use crate::auth::{
    Administer, AuthUser, Authorized, ConnectCaller, ResolveConflicts, StatusCaller, SyncDevice,
};
use crate::body::{JsonBody, QueryMap};
use crate::envelope::{ok, ok_serialized, ApiError, ApiResult};
use crate::openapi::schemas::{
    PatientNumberLease, PatientNumberLeaseRequest, SyncConflicts, SyncConnect, SyncConnected,
    SyncDigest, SyncHeld, SyncPage, SyncPullParams, SyncPush, SyncResolve, SyncResolved, SyncRound,
    SyncStatus,
};
use crate::state::AppState;
use crate::sync_engine::SyncEngine;
use axum::extract::Path;
use axum::extract::State;
use clinicdesk_domain::customer::HEALTH_FIELDS;
use clinicdesk_domain::fields::Problems;
use clinicdesk_domain::fields::{object, opt_text, reject_unknown, required_text};
use clinicdesk_domain::role::Capability;
use clinicdesk_domain::{DomainError, ErrorCode};
use clinicdesk_store::{devices, sync_node};
use clinicdesk_store::{sync_log, synced};
use clinicdesk_sync::protocol::{
    Digest, PushRequest, TableDigest, MAX_PULL_LIMIT, MAX_PUSH_OPS, NEXT_PAGE_HEADER,
};
use serde_json::{json, Value};

/// 동기화 다이제스트 (one hash per synced table; admins)
///
/// 동기화되는 테이블마다 정규화한 내용(키 정렬, 모든 값을 글자로, id 순)의 SHA-256과 행 수.
/// 동기화가 끝난 기기와 서버는 모두 같은 값을 답합니다: "이 PC들이 맞춰졌나?"에 답하는 용도.
/// 파생 데이터(통계, 검색 색인), 로그인과 열람 기록은 들어가지 않습니다.
#[utoipa::path(get, path = "/sync/digest",
    responses((status = 200, body = SyncDigest)))]
pub async fn digest(State(state): State<AppState>, _user: Authorized<Administer>) -> ApiResult {
    let tables = synced::digests(&state.db)
        .await?
        .into_iter()
        .map(|(name, (digest, rows))| (name.to_string(), TableDigest { digest, rows }))
        .collect();
    let digest = serde_json::to_value(Digest { tables })
        .map_err(|e| ApiError(DomainError::internal(e.to_string())))?;
    Ok(ok(digest))
}

/// 변경 보내기 (push a device's changes)
///
/// 등록된 기기만 부릅니다 (`Authorization: Device <secret>`, `X-ClinicDesk-Sync-Version: 1`).
/// 서버는 처음 보는 변경만 받은 순서대로 기록하고, 이 push의 변경 id를 모두 돌려줍니다: 답을
/// 못 받아 다시 보내도 아무것도 두 번 남지 않습니다. 한 번에 최대 1,000개 (`SYNC_BATCH_TOO_LARGE`).
/// `audit_keys`는 기기의 감사 기록 서명 공개키: 서버가 기기의 감사 체인을 검증하는 데 씁니다.
#[utoipa::path(post, path = "/sync/push",
    request_body = SyncPush,
    responses((status = 200, body = SyncHeld)),
    extensions(("x-errors" = json!(["SYNC_BATCH_TOO_LARGE", "SYNC_AUDIT_KEY_MISMATCH"]))))]
pub async fn push(
    State(state): State<AppState>,
    device: SyncDevice,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let request = parse_push(&body)?;
    let now = state.now_text();
    let mut w = state.db.begin_write(&device.actor(), &now).await?;
    let keys: Vec<devices::AuditKey> = request
        .audit_keys
        .iter()
        .map(|k| (k.chain.clone(), k.key_id.clone(), k.public_key.clone()))
        .collect();
    if !devices::keep_audit_keys(&mut w, &device.device_id, &keys).await? {
        return Err(ApiError::code(ErrorCode::SyncAuditKeyMismatch));
    }
    let (held, applied, new) =
        sync_log::append(&state.db, &mut w, &device.device_id, &request.ops).await?;
    w.commit().await?;
    // The changes are in the log under the device's id; that it pushed, in the access log
    // (the server's own trail, which does not travel to the devices).
    let mut access = clinicdesk_store::access_log::Access::new(
        &device.actor(),
        &now,
        "sync.push",
        "device",
        Some(&device.device_id),
    );
    access.details =
        json!({ "ops": request.ops.len(), "new": new, "conflicts": applied.conflicts });
    state.db.record_access(access).await?;
    Ok(ok(json!({ "held": held, "conflicts": applied.conflicts })))
}

/// An id a node sends (op, row, chain, key): 1–64 printable ASCII characters.
fn sane(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_graphic())
}

/// A push body: at most [`MAX_PUSH_OPS`] ops, each of a declared table, with sane ids.
fn parse_push(body: &Value) -> Result<PushRequest, ApiError> {
    if let Some(n) = body
        .get("ops")
        .and_then(Value::as_array)
        .map(Vec::len)
        .filter(|n| *n > MAX_PUSH_OPS)
    {
        return Err(ApiError(
            DomainError::new(ErrorCode::SyncBatchTooLarge)
                .with_details(json!({ "max_ops": MAX_PUSH_OPS, "received_ops": n })),
        ));
    }
    let request: PushRequest = serde_json::from_value(body.clone()).map_err(|e| {
        ApiError(DomainError::invalid(
            "ops",
            format!("변경 목록을 읽을 수 없습니다: {e}"),
        ))
    })?;
    let mut p = Problems::new();
    for (i, op) in request.ops.iter().enumerate() {
        if !sane(&op.op_id) {
            p.push(DomainError::invalid(
                &format!("ops[{i}].op_id"),
                "변경 id가 올바르지 않습니다",
            ));
        }
        if !sane(&op.entity_id) {
            p.push(DomainError::invalid(
                &format!("ops[{i}].entity_id"),
                "행 id가 올바르지 않습니다",
            ));
        }
        if !synced::SYNCED.iter().any(|t| t.name == op.entity) {
            let names: Vec<&str> = synced::SYNCED.iter().map(|t| t.name).collect();
            p.push(DomainError::not_allowed(
                &format!("ops[{i}].entity"),
                &json!(op.entity),
                &names,
            ));
        }
    }
    if request.audit_keys.len() > 16 {
        p.push(DomainError::invalid(
            "audit_keys",
            "서명 키가 너무 많습니다 (최대 16개)",
        ));
    }
    for (i, k) in request.audit_keys.iter().enumerate() {
        if !sane(&k.chain) || !sane(&k.key_id) {
            p.push(DomainError::invalid(
                &format!("audit_keys[{i}]"),
                "체인 이름이나 키 id가 올바르지 않습니다",
            ));
        }
        if !clinicdesk_security::signing::is_public_hex(&k.public_key) {
            p.push(DomainError::invalid(
                &format!("audit_keys[{i}].public_key"),
                "공개키는 16진수 64자리입니다",
            ));
        }
    }
    p.finish()?;
    Ok(request)
}

/// 변경 받기 (pull the changes after a cursor)
///
/// 커서 다음의 변경을 서버가 받은 순서대로, 요청한 기기 자신의 변경은 빼고 돌려줍니다. 기기는 한
/// 페이지를 적용하고 `cursor`를 같은 트랜잭션에서 저장합니다: 중간에 끊겨도 저장한 곳부터 다시
/// 받습니다. `more`가 true이면 바로 다음 페이지를 받습니다. 서버가 가진 것보다 앞선 커서(서버가
/// 백업에서 복원된 경우)는 409 `SYNC_CURSOR_AHEAD` (`details.head`): 처음부터 다시 받으면 되고,
/// 두 번 받은 변경은 아무것도 바꾸지 않습니다.
#[utoipa::path(get, path = "/sync/pull",
    params(SyncPullParams),
    responses((status = 200, body = SyncPage)),
    extensions(("x-errors" = json!(["SYNC_CURSOR_AHEAD"]))))]
pub async fn pull(State(state): State<AppState>, device: SyncDevice, q: QueryMap) -> ApiResult {
    let cursor = q.int("cursor", 0, 0, i64::MAX)?;
    let limit = q.int("limit", 1000, 1, MAX_PULL_LIMIT as i64)?;
    let mut conn = state.db.conn().await?;
    let head = sync_log::head(&mut conn).await?;
    if cursor > head {
        // The node has seen more than this server holds: never answer "nothing new".
        return Err(ApiError(
            DomainError::new(ErrorCode::SyncCursorAhead)
                .with_details(json!({ "head": head, "cursor": cursor })),
        ));
    }
    let (changes, cursor, more, head) =
        sync_log::page(&mut conn, cursor, limit, &device.device_id).await?;
    // `clinicdesk_sync::protocol::PullPage`'s shape, with each op as the log holds it.
    #[derive(serde::Serialize)]
    struct Page {
        changes: Vec<Box<serde_json::value::RawValue>>,
        cursor: i64,
        more: bool,
        head: i64,
    }
    let mut answer = ok_serialized(&Page {
        changes,
        cursor,
        more,
        head,
    });
    let next = format!("{cursor}{}", if more { "+" } else { "" });
    if let Ok(value) = axum::http::HeaderValue::from_str(&next) {
        answer.headers_mut().insert(NEXT_PAGE_HEADER, value);
    }
    Ok(answer)
}

/// The node's engine, or why there is none: the central server syncs with no one.
fn engine(state: &AppState) -> Result<&std::sync::Arc<SyncEngine>, ApiError> {
    state
        .sync_engine
        .as_ref()
        .ok_or_else(|| ApiError(DomainError::new(ErrorCode::SyncIsCentral)))
}

/// 중앙 서버에 연결 (connect this node to the clinic's central server)
///
/// 중앙 서버에 `username`/`password`로 로그인해 이 PC를 기기로 등록하고, 기기 비밀값을 이 PC에만
/// 보관합니다 (데스크톱: OS 키링, 헤드리스 노드: 데이터 폴더의 0600 파일). 이어서 첫 동기화를
/// 실행하고 결과를 답합니다 (이 PC의 데이터를 보내고 서버의 데이터를 받음). 서버에서 기기를
/// 등록할 수 있는 사람(관리자, 매니저)의 계정이어야 합니다. 사용자가 아직 없는 새 PC에서는 로그인
/// 없이 부를 수 있습니다: 서버의 로그인이 곧 허가입니다. 연결한 사람은 이 PC에서 같은 비밀번호로
/// 로그인할 수 있습니다 (서버가 확인한 비밀번호를 이 PC가 기억해 오프라인 로그인에 씁니다).
#[utoipa::path(post, path = "/sync/connect",
    request_body = SyncConnect,
    responses((status = 200, body = SyncConnected)),
    extensions(("x-errors" = json!(["SYNC_IS_CENTRAL", "SYNC_UPSTREAM_FAILED", "AUTH_INVALID_CREDENTIALS"]))))]
pub async fn connect(
    State(state): State<AppState>,
    caller: ConnectCaller,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let engine = engine(&state)?;
    let obj = object(&body)?;
    reject_unknown(
        obj,
        &["server_url", "username", "password", "device_name"],
        "",
    )?;
    let mut p = Problems::new();
    let url = p.take(required_text("server_url", obj.get("server_url"), 300));
    let username = p.take(required_text("username", obj.get("username"), 100));
    let password = p.take(required_text("password", obj.get("password"), 1024));
    let name = p.take(opt_text(
        "device_name",
        obj.get("device_name").unwrap_or(&Value::Null),
        100,
    ));
    p.finish()?;
    let (Some(url), Some(username), Some(password), Some(name)) = (url, username, password, name)
    else {
        return Err(ApiError(DomainError::invalid(
            "server_url",
            "연결 정보가 올바르지 않습니다",
        )));
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ApiError(DomainError::invalid(
            "server_url",
            "서버 주소는 http:// 또는 https://로 시작해야 합니다",
        )));
    }
    let name = name.unwrap_or_else(default_device_name);
    // On a node with no users yet, the server's login is the authority: the audit event
    // names who logged in there.
    let actor = match &caller.0 {
        Some(user) => user.actor(),
        None => clinicdesk_store::Actor::system(&format!("connect:{username}")),
    };
    let device_id = engine
        .connect(&actor, &url, &username, &password, &name)
        .await?;
    // The person who connected can log in here, offline too, with the password the server
    // just confirmed (kept as soon as their account has come down).
    engine.keep_verifier(&username, &password);
    // The first round right away: this node's rows go up, the clinic's come down.
    let round = engine.run_round().await;
    if round.is_ok() {
        // The account is here now: the verifier is kept before this answer.
        if let Ok(hash) = clinicdesk_security::hash_password_async(password).await {
            let mut conn = state.db.conn().await?;
            clinicdesk_store::users::cache_verifier(
                &mut conn,
                &username.to_ascii_lowercase(),
                &hash,
            )
            .await?;
        }
    }
    engine.nudge();
    let report = match round {
        Ok(r) => json!({ "ok": true, "moved": r }),
        Err(ApiError(e)) => {
            json!({ "ok": false, "error": { "code": e.code.as_str(), "message": e.message } })
        }
    };
    Ok(ok(
        json!({ "device_id": device_id, "server_url": url, "first_sync": report }),
    ))
}

fn default_device_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .unwrap_or_else(|| "ClinicDesk PC".to_string())
}

/// 지금 동기화 (sync now)
///
/// 보낼 변경을 모두 보내고 새 변경을 모두 받은 뒤 답합니다: 옮긴 수, 적용한 수, 찾은 충돌 수.
/// 서버에 닿지 않으면 502 `SYNC_UPSTREAM_FAILED` (이 PC의 데이터는 그대로, 나중에 다시 시도).
#[utoipa::path(post, path = "/sync/run",
    responses((status = 200, body = SyncRound)),
    extensions(("x-errors" = json!(["SYNC_IS_CENTRAL", "SYNC_NOT_CONNECTED", "SYNC_UPSTREAM_FAILED", "SYNC_DEVICE_REVOKED", "SYNC_CLOCK_SKEW"]))))]
pub async fn run(State(state): State<AppState>, _user: AuthUser) -> ApiResult {
    let report = engine(&state)?.run_round().await?;
    Ok(ok(serde_json::to_value(report).map_err(|e| {
        ApiError(DomainError::internal(e.to_string()))
    })?))
}

/// 동기화 상태 (sync status, for the indicator on every screen)
///
/// `role`: `node`(서버에 연결하는 PC) 또는 `central`(중앙 서버). 계정이 아직 없는 노드(첫 연결
/// 중인 새 PC)에서는 로그인 없이 읽을 수 있습니다: 연결 화면이 첫 동기화의 진행률을 보여 줍니다. 노드에서는 `online`, 보낼 변경 수
/// (`pending_changes`), 마지막 동기화 시각과 오류, 첫 동기화의 진행률(`pull`)도 답합니다.
/// `conflicts`(해결할 충돌), `overdrawn_packages`(두 PC에서 오프라인으로 같은 회차를 써 초과된
/// 패키지), `merge_candidates`(따로 만든 같은 이름·연락처 고객)는 어디서나 답합니다.
#[utoipa::path(get, path = "/sync/status",
    responses((status = 200, body = SyncStatus)))]
pub async fn status(State(state): State<AppState>, _caller: StatusCaller) -> ApiResult {
    let mut status = match &state.sync_engine {
        Some(engine) => {
            let mut s = engine.status().await?;
            s["role"] = json!("node");
            s
        }
        None => {
            let mut conn = state.db.conn().await?;
            json!({
                "role": "central",
                "connected": false,
                "online": true,
                "pending_changes": 0,
                "conflicts": sync_node::open_conflicts(&mut conn).await?.len(),
                "overdrawn_packages": sync_node::overdrawn_packages(&mut conn).await?.len(),
                "merge_candidates": sync_node::merge_candidates(&mut conn).await?.len(),
                "server_url": null, "device_id": null, "last_sync_at": null,
                "last_attempt_at": null, "last_error": null, "pull": null,
            })
        }
    };
    status["checked_at"] = json!(state.now_text());
    Ok(ok(status))
}

/// 동기화 충돌 목록 (open conflicts)
///
/// 두 PC가 서로의 수정을 보기 전에 같은 항목을 다르게 고친 경우: 모든 PC에서 같은 값(나중 스탬프)이
/// 남고, 진 값은 여기 남아 사람이 고릅니다. 고객 항목이면 고객 이름도 함께 답합니다. 건강 항목의
/// 값은 건강정보를 볼 수 있는 역할(관리자)에게만 보입니다. 두 PC에서 오프라인으로 같은 회차를 써
/// 초과된 패키지(`overdrawn_packages`)와 합칠지 볼 고객 쌍(`merge_candidates`)도 함께 답합니다.
#[utoipa::path(get, path = "/sync/conflicts",
    responses((status = 200, body = SyncConflicts)))]
pub async fn conflicts(
    State(state): State<AppState>,
    user: Authorized<ResolveConflicts>,
) -> ApiResult {
    let mut conn = state.db.conn().await?;
    let open = sync_node::open_conflicts(&mut conn).await?;
    let health = user.role.can(Capability::HealthData);
    let mut items = Vec::new();
    for c in open {
        let hidden = c.entity == "customer" && HEALTH_FIELDS.contains(&c.field.as_str()) && !health;
        let label = row_label(&mut conn, &c.entity, &c.entity_id).await?;
        items.push(json!({
            "id": c.id, "entity": c.entity, "entity_id": c.entity_id, "label": label,
            "field": c.field,
            "kept": { "value": if hidden { Value::Null } else { json!(c.kept_value) }, "stamp": c.kept_stamp,
                      "at": stamp_time(&c.kept_stamp) },
            "lost": { "value": if hidden { Value::Null } else { json!(c.lost_value) }, "stamp": c.lost_stamp,
                      "at": stamp_time(&c.lost_stamp) },
            "hidden": hidden,
            "detected_at": c.detected_at,
        }));
    }
    let mut overdrawn = Vec::new();
    for (purchase, customer, by) in sync_node::overdrawn_packages(&mut conn).await? {
        let name: Option<String> = customer_name(&mut conn, &customer).await?;
        let package: Option<String> =
            clinicdesk_store::packages::get_purchase(&mut conn, &purchase)
                .await?
                .map(|p| p.package_name);
        overdrawn.push(json!({ "purchase_id": purchase, "customer_id": customer,
            "customer_name": name, "package_name": package, "overdrawn_sessions": by }));
    }
    let mut merges = Vec::new();
    for (a, b, at) in sync_node::merge_candidates(&mut conn).await? {
        merges.push(json!({ "customer_a": a, "customer_b": b, "detected_at": at,
            "name": customer_name(&mut conn, &a).await? }));
    }
    Ok(ok(
        json!({ "conflicts": items, "overdrawn_packages": overdrawn, "merge_candidates": merges }),
    ))
}

async fn customer_name(
    conn: &mut clinicdesk_store::PooledConn,
    customer: &str,
) -> Result<Option<String>, ApiError> {
    Ok(clinicdesk_store::customers::get(conn, customer)
        .await?
        .map(|c| c.name))
}

/// What a person calls the row a conflict is about.
async fn row_label(
    conn: &mut clinicdesk_store::PooledConn,
    entity: &str,
    id: &str,
) -> Result<Option<String>, ApiError> {
    Ok(match entity {
        "customer" => customer_name(conn, id).await?,
        "user" => clinicdesk_store::users::by_id(conn, id)
            .await?
            .map(|u| u.display_name),
        "package_template" => Some(id.to_string()),
        _ => None,
    })
}

/// A stamp's wall-clock time, for people.
fn stamp_time(stamp: &str) -> Option<String> {
    let s: clinicdesk_sync::clock::Stamp = stamp.parse().ok()?;
    let secs = s.unix_secs();
    chrono::DateTime::from_timestamp(secs as i64, ((secs.fract()) * 1e9) as u32)
        .map(clinicdesk_store::timestamp)
}

/// 충돌 해결 (resolve a conflict)
///
/// `choice`: `kept`(지금 값 유지) 또는 `lost`(진 값으로 바꿈). 어느 쪽이든 새 수정으로 기록되어
/// 다른 PC와 서버로 동기화되고, 그 수정이 닿는 곳마다 충돌이 닫힙니다.
#[utoipa::path(post, path = "/sync/conflicts/{id}/resolve",
    params(("id" = String, Path)),
    request_body = SyncResolve,
    responses((status = 200, body = SyncResolved)),
    extensions(("x-errors" = json!(["SYNC_CONFLICT_NOT_FOUND"]))))]
pub async fn resolve(
    State(state): State<AppState>,
    user: Authorized<ResolveConflicts>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let obj = object(&body)?;
    reject_unknown(obj, &["choice"], "")?;
    let choice = required_text("choice", obj.get("choice"), 10)?;
    let keep_lost = match choice.as_str() {
        "kept" => false,
        "lost" => true,
        _ => {
            return Err(ApiError(DomainError::not_allowed(
                "choice",
                &json!(choice),
                &["kept", "lost"],
            )))
        }
    };
    let now = state.now_text();
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    let conflict = sync_node::conflict(w.conn(), &id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::SyncConflictNotFound))?;
    if conflict.entity == "customer"
        && HEALTH_FIELDS.contains(&conflict.field.as_str())
        && !user.role.can(Capability::HealthData)
    {
        return Err(ApiError::code(ErrorCode::ForbiddenRole));
    }
    sync_node::resolve(&state.db, &mut w, &conflict, keep_lost).await?;
    w.audit(
        "sync.conflict.resolve",
        &conflict.entity,
        Some(&conflict.entity_id),
        json!({ "field": conflict.field, "choice": choice, "conflict_id": conflict.id }),
    )
    .await?;
    w.commit().await?;
    if let Some(engine) = &state.sync_engine {
        engine.nudge();
    }
    Ok(ok(
        json!({ "id": id, "choice": choice, "field": conflict.field }),
    ))
}

/// 환자 번호 받기 (lease patient numbers to a device)
///
/// 등록된 기기가 오프라인에서 환자를 등록할 때 쓸 번호를 미리 받아 갑니다: `year`의 번호
/// `count`개(1–200)를 이어서 나눠 주고, 나눠 준 번호는 다시 주지 않습니다. 기기는 동기화할 때마다
/// 남은 번호가 적으면 더 받습니다.
#[utoipa::path(post, path = "/sync/patient-numbers",
    request_body = PatientNumberLeaseRequest,
    responses((status = 200, body = PatientNumberLease)))]
pub async fn lease_patient_numbers(
    State(state): State<AppState>,
    device: SyncDevice,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let obj = clinicdesk_domain::fields::object(&body)?;
    clinicdesk_domain::fields::reject_unknown(obj, &["year", "count"], "")?;
    let this_year = chrono::Datelike::year(&state.today());
    let year = clinicdesk_domain::fields::opt_int(
        "year",
        obj.get("year").unwrap_or(&Value::Null),
        i64::from(this_year) - 1,
        i64::from(this_year) + 1,
    )?
    .unwrap_or(i64::from(this_year));
    let count = clinicdesk_domain::fields::opt_int(
        "count",
        obj.get("count").unwrap_or(&Value::Null),
        1,
        200,
    )?
    .unwrap_or(clinicdesk_store::patients::BLOCK_SIZE);
    let year = i32::try_from(year).unwrap_or(this_year);
    let mut w = state
        .db
        .begin_write(&device.actor(), &state.now_text())
        .await?;
    // Only where numbers are issued: a branch server spends blocks of its own server's.
    if sync_node::state(w.conn()).await?.upstream_url.is_some() {
        return Err(ApiError::code(ErrorCode::PatientNumberUnavailable));
    }
    let first = clinicdesk_store::patients::take_from_counter(w.conn(), year, count).await?;
    let last = first + count - 1;
    w.audit(
        "patient_number.lease",
        "device",
        Some(&device.device_id),
        json!({ "year": year, "first": first, "last": last }),
    )
    .await?;
    w.commit().await?;
    Ok(ok(json!({ "year": year, "first": first, "last": last })))
}
