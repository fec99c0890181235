//! The patient's own API (seed 001 §4.4): their diagnoses and guides, food, cross-reactivity
//! and lifestyle guides, and emergency guidance. A patient's login names one patient; every
//! diagnosis read goes through [`own_diagnosis`], so another patient's id is 404 — exactly as an
//! id that does not exist — and never their data. Every read of a diagnosis is audited.

use super::customers::checked_id;
use super::diagnoses::{diagnosis_read, knowledge_of, results_json, stored_results};
use crate::auth::{AuthUser, Authorized, OwnAllergyData};
use crate::envelope::{ok, ApiError, ApiResult};
use crate::openapi::schemas::{
    AllergenCode, ConsumerActionPlan, ConsumerCrossReactivity, ConsumerDiagnoses,
    ConsumerDiagnosis, ConsumerEpinephrine, ConsumerFoods, ConsumerGuide, ConsumerGuidelines,
    ConsumerLifestyle, DiagnosisId,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use clinicdesk_allergy::{Knowledge, TestResult};
use clinicdesk_domain::{DomainError, ErrorCode};
use clinicdesk_store::diagnoses::{self, DiagnosisRecord};
use clinicdesk_store::users;
use serde_json::{json, Value};
use std::sync::Arc;

/// The patient the caller's login may read.
pub async fn caller_patient(state: &AppState, user: &AuthUser) -> Result<String, ApiError> {
    let mut conn = state.db.conn().await?;
    users::patient_of(&mut conn, &user.user_id)
        .await?
        // A patient login whose patient was erased: nothing is theirs any more.
        .ok_or_else(|| ApiError::code(ErrorCode::AuthInvalidToken))
}

/// One of the caller's own diagnoses, or 404 — for someone else's as for none at all.
async fn own_diagnosis(
    state: &AppState,
    user: &AuthUser,
    id: &str,
) -> Result<DiagnosisRecord, ApiError> {
    let patient_id = caller_patient(state, user).await?;
    let not_found = || ApiError::code(ErrorCode::DiagnosisNotFound);
    let id = checked_id(id, ErrorCode::DiagnosisNotFound)?;
    let mut conn = state.db.conn().await?;
    let d = diagnoses::get(&mut conn, id)
        .await?
        .filter(|d| d.patient_id == patient_id)
        .ok_or_else(not_found)?;
    drop(conn);
    state
        .db
        .record_access(diagnosis_read(
            user,
            &state.now_text(),
            "diagnosis.read_own",
            &d,
        ))
        .await?;
    Ok(d)
}

/// The caller's latest diagnosis, if any (the food and lifestyle guides follow it).
async fn latest_own(
    state: &AppState,
    user: &AuthUser,
) -> Result<Option<DiagnosisRecord>, ApiError> {
    let patient_id = caller_patient(state, user).await?;
    let mut conn = state.db.conn().await?;
    let latest = diagnoses::of_patient(&mut conn, &patient_id)
        .await?
        .into_iter()
        .next();
    drop(conn);
    if let Some(d) = &latest {
        state
            .db
            .record_access(diagnosis_read(
                user,
                &state.now_text(),
                "diagnosis.read_own",
                d,
            ))
            .await?;
    }
    Ok(latest)
}

/// The knowledge and results of the caller's latest diagnosis — the current knowledge and no
/// results when they have none yet, so their guides read as "nothing to avoid".
async fn latest_own_results(
    state: &AppState,
    user: &AuthUser,
) -> Result<(Arc<Knowledge>, Vec<TestResult>), ApiError> {
    Ok(match latest_own(state, user).await? {
        Some(d) => (knowledge_of(state, &d).await?, stored_results(&d)?),
        None => (state.knowledge.current(&state.db).await?, Vec::new()),
    })
}

fn prescription_of(d: &DiagnosisRecord) -> Result<Value, ApiError> {
    serde_json::from_str(&d.prescription)
        .map_err(|e| ApiError(DomainError::internal(format!("diagnosis {}: {e}", d.id))))
}

/// 내 진단 목록 (my diagnoses)
#[utoipa::path(get, path = "/consumer/my/diagnoses",
    responses((status = 200, body = ConsumerDiagnoses)))]
pub async fn my_diagnoses(
    State(state): State<AppState>,
    user: Authorized<OwnAllergyData>,
) -> ApiResult {
    let patient_id = caller_patient(&state, &user).await?;
    let mut conn = state.db.conn().await?;
    let list = diagnoses::of_patient(&mut conn, &patient_id).await?;
    drop(conn);
    state
        .db
        .record_access(user.access(
            &state.now_text(),
            "diagnosis.list_own",
            "patient",
            Some(&patient_id),
        ))
        .await?;
    let mut items = Vec::with_capacity(list.len());
    for d in &list {
        let p = prescription_of(d)?;
        let names: Vec<Value> = p["high_risk"]
            .as_array()
            .map(|a| a.iter().map(|e| e["name_ko"].clone()).collect())
            .unwrap_or_default();
        items.push(json!({
            "id": d.id,
            "diagnosis_date": d.diagnosis_date,
            "summary": {
                "high_risk_allergens": names,
                "max_grade": d.max_grade,
                "total_tested": d.total_tested,
            },
        }));
    }
    Ok(ok(json!({ "items": items, "total": list.len() })))
}

/// Each prescription entry's `key` list, per allergen, for the tiers a patient acts on.
fn per_allergen(p: &Value, key: &str) -> Vec<Value> {
    ["high_risk", "moderate_risk"]
        .iter()
        .flat_map(|tier| p[*tier].as_array().cloned().unwrap_or_default())
        .filter(|e| e[key].as_array().is_some_and(|a| !a.is_empty()))
        .map(|e| json!({ "allergen": e["allergen"], "name_ko": e["name_ko"], "items": e[key] }))
        .collect()
}

/// 내 진단 상세 (one of my diagnoses)
///
/// 결과와 그 뜻, 그리고 처방에서 피할 음식·대체 식품·생활 수칙·응급 정보. 다른 환자의 진단은
/// 없는 진단처럼 404 `DIAGNOSIS_NOT_FOUND`.
#[utoipa::path(get, path = "/consumer/my/diagnoses/{id}",
    params(DiagnosisId),
    responses((status = 200, body = ConsumerDiagnosis)),
    extensions(("x-errors" = json!(["DIAGNOSIS_NOT_FOUND"]))))]
pub async fn my_diagnosis(
    State(state): State<AppState>,
    user: Authorized<OwnAllergyData>,
    Path(id): Path<String>,
) -> ApiResult {
    let d = own_diagnosis(&state, &user, &id).await?;
    let k = knowledge_of(&state, &d).await?;
    let results = stored_results(&d)?;
    let p = prescription_of(&d)?;
    Ok(ok(json!({
        "id": d.id,
        "diagnosis_date": d.diagnosis_date,
        "knowledge_version": d.knowledge_version,
        "results": results_json(&k, &results),
        "guide": {
            "avoid_foods": per_allergen(&p, "avoid_foods"),
            "substitutes": per_allergen(&p, "substitutes"),
            "lifestyle_tips": per_allergen(&p, "lifestyle_tips"),
            "emergency_info": p["emergency_plan"],
        },
    })))
}

/// 내 환자 가이드 (my patient guide)
///
/// 진단을 만든 지식 베이스 버전으로 만든 가이드: 증상, 식단 관리(피할 음식, 숨은 원료, 대체 식품,
/// 교차반응), 응급 대처. 인쇄용 화면이 이 내용을 그대로 씁니다.
#[utoipa::path(get, path = "/consumer/my/diagnoses/{id}/guide",
    params(DiagnosisId),
    responses((status = 200, body = ConsumerGuide)),
    extensions(("x-errors" = json!(["DIAGNOSIS_NOT_FOUND"]))))]
pub async fn my_guide(
    State(state): State<AppState>,
    user: Authorized<OwnAllergyData>,
    Path(id): Path<String>,
) -> ApiResult {
    let d = own_diagnosis(&state, &user, &id).await?;
    let k = knowledge_of(&state, &d).await?;
    let results = stored_results(&d)?;
    let mut guide = k.guide(&results);
    guide["diagnosis_id"] = json!(d.id);
    guide["diagnosis_date"] = json!(d.diagnosis_date);
    guide["knowledge_version"] = json!(d.knowledge_version);
    Ok(ok(guide))
}

/// 식품 가이드 (food guide)
///
/// 가장 최근 진단에서 양성(등급 2 이상)인 항목의 피할 음식, 대체 식품, 숨은 원료. 진단이
/// 없으면 빈 목록입니다.
#[utoipa::path(get, path = "/consumer/guide/foods",
    responses((status = 200, body = ConsumerFoods)))]
pub async fn foods(State(state): State<AppState>, user: Authorized<OwnAllergyData>) -> ApiResult {
    let (k, results) = latest_own_results(&state, &user).await?;
    Ok(ok(k.foods_guide(&results)))
}

/// 교차반응 정보 (cross-reactivity of an allergen)
///
/// `allergen_code`에는 코드나 한글·영문 이름, 별칭을 써도 됩니다. 모르는 항목은 404
/// `ALLERGEN_NOT_FOUND`.
#[utoipa::path(get, path = "/consumer/guide/cross-reactivity/{allergen_code}",
    params(AllergenCode),
    responses((status = 200, body = ConsumerCrossReactivity)),
    extensions(("x-errors" = json!(["ALLERGEN_NOT_FOUND"]))))]
pub async fn cross_reactivity(
    State(state): State<AppState>,
    _user: Authorized<OwnAllergyData>,
    Path(code): Path<String>,
) -> ApiResult {
    let k = state.knowledge.current(&state.db).await?;
    let code = k
        .resolve(&code)
        .map(|a| a.code.clone())
        .ok_or_else(|| ApiError::code(ErrorCode::AllergenNotFound))?;
    k.cross_reactivity(&code)
        .map(ok)
        .ok_or_else(|| ApiError::code(ErrorCode::AllergenNotFound))
}

/// 생활 관리 (lifestyle guide)
///
/// 가장 최근 진단에서 양성인 흡입 항원(집먼지진드기, 꽃가루 등)별 수칙과 모두에게 맞는 수칙.
#[utoipa::path(get, path = "/consumer/guide/lifestyle",
    responses((status = 200, body = ConsumerLifestyle)))]
pub async fn lifestyle(
    State(state): State<AppState>,
    user: Authorized<OwnAllergyData>,
) -> ApiResult {
    let (k, results) = latest_own_results(&state, &user).await?;
    Ok(ok(k.lifestyle(&results)))
}

/// 응급 가이드라인 (emergency guidelines)
///
/// 증상의 심한 정도별 징후와 대처, 응급 연락처(119). 출처는 `knowledge/sources.json`.
#[utoipa::path(get, path = "/consumer/emergency/guidelines",
    responses((status = 200, body = ConsumerGuidelines)))]
pub async fn guidelines(
    State(state): State<AppState>,
    _user: Authorized<OwnAllergyData>,
) -> ApiResult {
    Ok(ok(state
        .knowledge
        .current(&state.db)
        .await?
        .emergency_guidelines()))
}

/// 응급 행동 계획 (anaphylaxis action plan)
#[utoipa::path(get, path = "/consumer/emergency/action-plan",
    responses((status = 200, body = ConsumerActionPlan)))]
pub async fn action_plan(
    State(state): State<AppState>,
    _user: Authorized<OwnAllergyData>,
) -> ApiResult {
    Ok(ok(state.knowledge.current(&state.db).await?.action_plan()))
}

/// 에피네프린 자가주사기 사용법 (adrenaline auto-injector)
#[utoipa::path(get, path = "/consumer/emergency/epinephrine",
    responses((status = 200, body = ConsumerEpinephrine)))]
pub async fn epinephrine(
    State(state): State<AppState>,
    _user: Authorized<OwnAllergyData>,
) -> ApiResult {
    Ok(ok(state.knowledge.current(&state.db).await?.epinephrine()))
}
