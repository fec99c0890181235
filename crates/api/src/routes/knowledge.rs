//! The allergy knowledge base's versions: list, read, publish. A version never changes once
//! published; the one published last is used for new prescriptions, and each diagnosis keeps
//! the version that made it.

use crate::auth::{Administer, Authorized, HealthData};
use crate::body::JsonBody;
use crate::envelope::{created, ok, ApiError, ApiResult};
use crate::knowledge_cache::stored_form;
use crate::openapi::schemas::{
    KnowledgeDocument, KnowledgePublished, KnowledgeVersionDetail, KnowledgeVersionName,
    KnowledgeVersions,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use clinicdesk_domain::{DomainError, ErrorCode};
use clinicdesk_store::knowledge::{self, KnowledgeVersion};
use serde_json::{json, Value};

fn publisher(v: &KnowledgeVersion) -> Value {
    match (&v.published_by, &v.published_by_name) {
        (Some(id), Some(name)) => json!({ "id": id, "name": name }),
        _ => Value::Null,
    }
}

fn summary(v: &KnowledgeVersion, current: &str) -> Value {
    json!({
        "version": v.version,
        "content_hash": v.content_hash,
        "published_at": v.published_at,
        "published_by": publisher(v),
        "builtin": v.published_by.is_none(),
        "current": v.version == current,
    })
}

/// 지식 베이스 버전 목록 (knowledge versions)
///
/// 최근 게시된 순. 맨 앞(`current: true`)이 새 처방에 쓰이는 버전입니다. 프로그램에 들어 있는
/// 기본 버전은 `builtin: true`이고 게시한 사람이 없습니다.
#[utoipa::path(get, path = "/pro/knowledge",
    responses((status = 200, body = KnowledgeVersions)))]
pub async fn list(State(state): State<AppState>, _user: Authorized<HealthData>) -> ApiResult {
    let mut conn = state.db.conn().await?;
    let versions = knowledge::list(&mut conn).await?;
    drop(conn);
    let current = versions
        .first()
        .map(|v| v.version.clone())
        .unwrap_or_default();
    Ok(ok(json!({
        "current": current,
        "versions": versions.iter().map(|v| summary(v, &current)).collect::<Vec<_>>(),
    })))
}

/// 지식 베이스 버전 하나 (one knowledge version, whole)
///
/// `version`에 `current`를 쓰면 지금 쓰는 버전입니다. `document`는 게시할 때 보내는 것과 같은
/// 모양의 문서 전체입니다 (`knowledge/README.md`).
#[utoipa::path(get, path = "/pro/knowledge/{version}",
    params(KnowledgeVersionName),
    responses((status = 200, body = KnowledgeVersionDetail)),
    extensions(("x-errors" = json!(["KNOWLEDGE_VERSION_NOT_FOUND"]))))]
pub async fn get_one(
    State(state): State<AppState>,
    _user: Authorized<HealthData>,
    Path(version): Path<String>,
) -> ApiResult {
    let mut conn = state.db.conn().await?;
    let current = knowledge::current_version(&mut conn)
        .await?
        .unwrap_or_default();
    let name = if version == "current" {
        current.clone()
    } else {
        version
    };
    let v = knowledge::get(&mut conn, &name)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::KnowledgeVersionNotFound))?;
    drop(conn);
    let document: Value = serde_json::from_str(&v.document)
        .map_err(|e| ApiError(DomainError::internal(format!("knowledge {name}: {e}"))))?;
    let mut out = summary(&v, &current);
    out["document"] = document;
    Ok(ok(out))
}

/// 지식 베이스 새 버전 게시 (publish a knowledge version)
///
/// 본문은 문서 전체이고, 문서의 `version`은 경로의 버전 이름과 같아야 합니다 (없으면 경로의
/// 이름을 씁니다). `published_at`은 게시한 시각으로 정해집니다. 문서는 모두 검사되고, 올바르지
/// 않으면 422 `KNOWLEDGE_INVALID`가 `details.problems`에 문제마다 위치(`path`)와 이유를 알려
/// 줍니다 — 아무것도 저장하지 않습니다. 이미 있는 버전 이름은 409 `KNOWLEDGE_VERSION_EXISTS`
/// (같은 문서를 다시 보내면 그대로 200). 게시된 버전은 모든 데스크톱에 동기화됩니다.
#[utoipa::path(put, path = "/pro/knowledge/{version}",
    params(KnowledgeVersionName),
    request_body = KnowledgeDocument,
    responses((status = 201, body = KnowledgePublished), (status = 200, body = KnowledgePublished)),
    extensions(("x-errors" = json!(["KNOWLEDGE_INVALID", "KNOWLEDGE_VERSION_EXISTS"]))))]
pub async fn publish(
    State(state): State<AppState>,
    user: Authorized<Administer>,
    Path(version): Path<String>,
    JsonBody(mut body): JsonBody,
) -> ApiResult {
    let now = state.now_text();
    let Some(doc) = body.as_object_mut() else {
        return Err(invalid(vec![(
            "".into(),
            "문서는 JSON 객체여야 합니다".into(),
        )]));
    };
    match doc.get("version") {
        None => {
            doc.insert("version".into(), json!(version));
        }
        Some(Value::String(v)) if *v == version => {}
        Some(other) => {
            return Err(invalid(vec![(
                "version".into(),
                format!("문서의 버전({other})이 주소의 버전({version})과 다릅니다"),
            )]))
        }
    }
    doc.insert("published_at".into(), json!(now));
    let k = clinicdesk_allergy::parse_document(&body)
        .map_err(|problems| invalid(problems.into_iter().map(|p| (p.path, p.message)).collect()))?;
    let stored = stored_form(&k, (user.user_id.clone(), user.display_name.clone()));
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    let answer = |v: &KnowledgeVersion| {
        json!({
            "version": v.version,
            "content_hash": v.content_hash,
            "published_at": v.published_at,
            "allergen_count": k.allergens.len(),
        })
    };
    if let Some(existing) = knowledge::get(w.conn(), &stored.version).await? {
        // The same document again is a replay (a double click, a retried request): equal
        // but for the time it was published.
        let same = serde_json::from_str::<Value>(&existing.document)
            .ok()
            .map(|mut d| {
                d["published_at"] = json!(now);
                d
            })
            == Some(k.document());
        if same {
            return Ok(ok(answer(&existing)));
        }
        return Err(ApiError::code(ErrorCode::KnowledgeVersionExists));
    }
    knowledge::insert(&mut w, &stored, true).await?;
    w.commit().await?;
    if let Some(engine) = &state.sync_engine {
        engine.nudge();
    }
    Ok(created(answer(&stored)))
}

fn invalid(problems: Vec<(String, String)>) -> ApiError {
    let first = problems
        .first()
        .map(|(path, message)| format!("{path}: {message}"))
        .unwrap_or_default();
    ApiError(
        DomainError::new(ErrorCode::KnowledgeInvalid)
            .with_message(format!("지식 베이스 문서가 올바르지 않습니다 — {first}"))
            .with_details(json!({
                "problems": problems
                    .iter()
                    .map(|(path, message)| json!({ "path": path, "message": message }))
                    .collect::<Vec<_>>(),
            })),
    )
}
