//! Customer analysis with the trained model (seed 002, served by the same API): a profile —
//! a real customer's or a hypothetical one — gets its segment, persona and churn risk. The
//! model is trained apart from serving (`clinicdesk-server train`, or a manager from the UI)
//! and stored as a synced version; these endpoints only read it.

use crate::auth::{Analytics, Authorized};
use crate::body::JsonBody;
use crate::envelope::{ok, ApiResult};
use crate::openapi::schemas::{
    AnalysisBatchInput, AnalysisProfile, AnalysisResult, AnalysisResults, CustomerModelList,
};
use crate::state::AppState;
use axum::extract::State;
use clinicdesk_domain::DomainError;
use clinicdesk_models::{Artifact, Profile, ProfileError};
use clinicdesk_store::customer_models;
use serde_json::{json, Value};

/// The most profiles one batch scores.
const MAX_BATCH: usize = 1000;

/// A profile from JSON, or the 422 naming what is wrong (`at` prefixes the field names of a
/// batch's profile).
fn profile_of(v: &Value, at: &str) -> Result<Profile, DomainError> {
    let profile: Profile = serde_json::from_value(v.clone()).map_err(|e| {
        // serde names the first unknown or missing field in its message.
        DomainError::invalid(
            at.trim_end_matches('.'),
            format!("분석 프로필이 올바르지 않습니다: {e}"),
        )
    })?;
    profile.validate().map_err(|e| profile_errors(&e, at))?;
    Ok(profile)
}

fn profile_errors(e: &ProfileError, at: &str) -> DomainError {
    DomainError::several(
        e.errors
            .iter()
            .map(|f| DomainError::invalid(&format!("{at}{}", f.field), f.message_ko()))
            .collect(),
    )
    .unwrap_or_else(|| {
        DomainError::invalid(at.trim_end_matches('.'), "분석 프로필이 올바르지 않습니다")
    })
}

/// One profile's answer: seed 002's three fields, then the rest.
fn answer(artifact: &Artifact, version: &str, profile: &Profile) -> Result<Value, DomainError> {
    let a = clinicdesk_models::predict(artifact, profile).map_err(|e| profile_errors(&e, ""))?;
    let churn = clinicdesk_models::churn_for_profile(artifact, profile, profile.visits_90d > 0.0);
    Ok(json!({
        "predicted_cluster": a.cluster_id,
        "cluster_name": a.persona,
        "cluster_description": a.description,
        "cluster_name_en": a.persona_en,
        "distance": a.distance,
        "churn": churn.ok(),
        "model_version": version,
    }))
}

/// 고객 프로필 분석 (analyse one profile)
///
/// 학습된 모델로 프로필(`age`, `tenure_days`, `recency_days`, `visits_90d`, `visits_per_month`,
/// `revenue_365d`, `package_share`, `service_diversity`, `avg_rating`; 빈 선택 값은 학습
/// 평균으로 채움)의 세그먼트(`predicted_cluster`), 페르소나 이름과 설명, 이탈 위험을 줍니다.
/// 모델이 없으면 503 `MODEL_NOT_READY`.
#[utoipa::path(post, path = "/analysis",
    request_body = AnalysisProfile,
    responses((status = 200, body = AnalysisResult)),
    extensions(("x-errors" = json!(["MODEL_NOT_READY"]))))]
pub async fn analyse(
    State(state): State<AppState>,
    _user: Authorized<Analytics>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let profile = profile_of(&body, "")?;
    let (version, artifact) = state.customer_model.required(&state.db).await?;
    Ok(ok(answer(&artifact, &version, &profile)?))
}

/// 여러 프로필 분석 (analyse profiles in a batch)
///
/// `{"profiles": [...]}`(최대 1,000개)를 한 번에 분석해 같은 순서의 `results`를 줍니다.
/// 잘못된 프로필이 있으면 아무것도 분석하지 않고 422로 그 위치(`profiles[3].age`)를 알립니다.
#[utoipa::path(post, path = "/analysis/batch",
    request_body = AnalysisBatchInput,
    responses((status = 200, body = AnalysisResults)),
    extensions(("x-errors" = json!(["MODEL_NOT_READY"]))))]
pub async fn analyse_batch(
    State(state): State<AppState>,
    _user: Authorized<Analytics>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let Some(list) = body.get("profiles").and_then(Value::as_array) else {
        return Err(DomainError::invalid("profiles", "profiles는 프로필의 배열입니다").into());
    };
    if list.is_empty() || list.len() > MAX_BATCH {
        return Err(DomainError::invalid(
            "profiles",
            format!(
                "프로필은 1–{MAX_BATCH}개를 보냅니다 (받은 수 {})",
                list.len()
            ),
        )
        .into());
    }
    let mut problems = Vec::new();
    let mut profiles = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        match profile_of(v, &format!("profiles[{i}].")) {
            Ok(p) => profiles.push(p),
            Err(e) => problems.extend(e.field_errors().into_iter().cloned()),
        }
    }
    if let Some(e) = DomainError::several(problems) {
        return Err(e.into());
    }
    let (version, artifact) = state.customer_model.required(&state.db).await?;
    let results = profiles
        .iter()
        .map(|p| answer(&artifact, &version, p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ok(json!({ "results": results, "model_version": version })))
}

/// 고객 분석 모델 (trained model versions)
///
/// 학습된 버전(새것부터)과 각 버전의 검증 지표(세그먼트 수와 실루엣, 이탈 모델 AUC와 기준선),
/// 지금 쓰는 버전(`serving`), 불러오지 못해 쓰지 않는 버전과 그 이유(`refused`).
#[utoipa::path(get, path = "/analysis/models",
    responses((status = 200, body = CustomerModelList)))]
pub async fn models(State(state): State<AppState>, _user: Authorized<Analytics>) -> ApiResult {
    let status = state.customer_model.status(&state.db).await?;
    let mut conn = state.db.conn().await?;
    let versions = customer_models::list(&mut conn).await?;
    drop(conn);
    let items: Vec<Value> = versions
        .iter()
        .map(|m| {
            json!({
                "version": m.version,
                "trained_at": m.trained_at,
                "trained_by": m.trained_by,
                "report": serde_json::from_str::<Value>(&m.report).unwrap_or(Value::Null),
            })
        })
        .collect();
    Ok(ok(json!({
        "items": items,
        "serving": status.serving,
        "refused": status.refused,
    })))
}
