//! Customer analysis with the trained model (seed 002, served by the same API): a profile —
//! a real customer's or a hypothetical one — gets its segment, persona and churn risk. The
//! model is trained apart from serving (`clinicdesk-server train`, or a manager from the UI)
//! and stored as a synced version; these endpoints only read it.

use super::customers::checked_id;
use crate::auth::{Analytics, Authorized};
use crate::body::{JsonBody, QueryMap};
use crate::envelope::{ok, ok_serialized, ApiError, ApiResult};
use crate::openapi::schemas::{
    AnalysisBatchInput, AnalysisProfile, AnalysisResult, AnalysisResults, CustomerAnalyticsAnswer,
    CustomerAnalyticsParams, CustomerBehaviorAnswer, CustomerId, CustomerModelList,
    CustomerSegmentAnswer, TrainingJobId, TrainingRunAnswer,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use clinicdesk_domain::package::package_usage;
use clinicdesk_domain::role::Capability;
use clinicdesk_domain::{DomainError, ErrorCode};
use clinicdesk_models::{Artifact, Profile, ProfileError};
use clinicdesk_store::customer_models;
use clinicdesk_store::{histories, packages};
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
    let mut names = std::collections::HashMap::new();
    for id in versions.iter().filter_map(|m| m.trained_by.as_deref()) {
        if !names.contains_key(id) {
            let user = clinicdesk_store::users::by_id(&mut conn, id).await?;
            names.insert(id.to_string(), user.map(|u| u.display_name));
        }
    }
    drop(conn);
    let items: Vec<Value> = versions
        .iter()
        .map(|m| {
            json!({
                "version": m.version,
                "trained_at": m.trained_at,
                "trained_by": m.trained_by,
                "trained_by_name": m.trained_by.as_ref().and_then(|id| names.get(id).cloned().flatten()),
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

/// 고객 분석 (one customer's analytics, seed 000 §2.1)
///
/// `period`(`30d`·`90d`·`180d`·`1y`, 기본 `90d`)의 방문 패턴(`visitPattern`), 서비스 이용
/// (`serviceUsage`), 매출 기여(`revenueContribution`: 월별 추이, 추정 방법을 밝힌 LTV, 전체
/// 고객 중 백분위), 건강 지표(`healthMetrics`, 관리자(admin)만: 기록된 자가 보고의 처음과
/// 마지막), 위험 평가(`riskAssessment`: 학습된 모델의 이탈 확률, 데이터에서 읽은 위험 요인,
/// 유지 점수, 다음 조치). `metrics`로 일부만 (`visitPattern,riskAssessment`). 기록이 너무
/// 짧으면 400 `INSUFFICIENT_DATA`. 숫자는 모두 데이터에서 계산하며 낼 수 없는 값은 `null`과
/// 그 이유(`unavailable`)입니다.
#[utoipa::path(get, path = "/customers/{id}/analytics",
    params(CustomerId, CustomerAnalyticsParams),
    responses((status = 200, body = CustomerAnalyticsAnswer)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND", "INSUFFICIENT_DATA"]))))]
pub async fn customer_analytics(
    State(state): State<AppState>,
    user: Authorized<Analytics>,
    Path(id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    use clinicdesk_analytics::{AnalysisPeriod, Metric, MetricSet};
    let id = checked_id(&id, ErrorCode::CustomerNotFound)?;
    let period = AnalysisPeriod::from_query(q.text("period")).map_err(DomainError::from)?;
    let asked = MetricSet::parse(q.text("metrics")).map_err(DomainError::from)?;
    // Health figures are health data: only roles that read health data get them.
    let allowed: Vec<Metric> = Metric::ALL
        .into_iter()
        .filter(|m| asked.contains(*m))
        .filter(|m| *m != Metric::HealthMetrics || user.role.can(Capability::HealthData))
        .collect();
    let metrics = MetricSet::only(&allowed);
    let today = state.today();
    let inputs = customer_inputs(&state, id, today).await?;
    // Read only when they will be shown (a stored report outlives no consent: withdrawing
    // it erases them).
    let self_reports = if metrics.contains(Metric::HealthMetrics) {
        let mut conn = state.db.conn().await?;
        super::self_reports::for_analytics(
            &clinicdesk_store::self_reports::of_customer(&mut conn, id).await?,
        )
    } else {
        Vec::new()
    };
    let extras = clinicdesk_analytics::CustomerExtras {
        self_reports,
        packages: inputs.packages,
    };
    let answer = clinicdesk_analytics::customer_analytics(
        &inputs.history,
        period,
        &metrics,
        today,
        &inputs.population,
        inputs.churn.as_ref(),
        &extras,
    )
    .map_err(DomainError::from)?;
    state
        .db
        .record_access(user.access(
            &state.now_text(),
            "customer.analytics.read",
            "customer",
            Some(id),
        ))
        .await?;
    Ok(ok_serialized(&answer))
}

/// What a customer's analytics and behaviour read: their history, their packages that were
/// not cancelled, every customer's totals, and the churn risk from the served model (`None`
/// without one).
struct CustomerInputs {
    history: clinicdesk_domain::history::CustomerHistory,
    packages: Vec<clinicdesk_analytics::PackageSnapshot>,
    population: std::sync::Arc<clinicdesk_analytics::Population>,
    churn: Option<clinicdesk_analytics::ChurnInput>,
}

async fn customer_inputs(
    state: &AppState,
    id: &str,
    today: chrono::NaiveDate,
) -> Result<CustomerInputs, ApiError> {
    let mut conn = state.db.conn().await?;
    let history = histories::of_customer(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::CustomerNotFound))?;
    let purchases = packages::purchases_of(&mut conn, id).await?;
    let purchase_ids: Vec<String> = purchases.iter().map(|p| p.id.clone()).collect();
    let used = packages::used_by_service(&mut conn, &purchase_ids).await?;
    drop(conn);
    let packages: Vec<_> = purchases
        .iter()
        .filter_map(|p| {
            let usage = package_usage(p, used.get(&p.id).unwrap_or(&Default::default()), today);
            clinicdesk_analytics::PackageSnapshot::from_usage(p, &usage)
        })
        .collect();
    let population = state.peers.current(&state.db, today).await?;
    let churn = match state.customer_model.current(&state.db).await? {
        Some((version, artifact)) => {
            clinicdesk_models::churn_probability(&artifact, &history, today)
                .ok()
                .map(|c| clinicdesk_analytics::ChurnInput {
                    probability: c.probability,
                    horizon_days: clinicdesk_models::churn::CHURN_HORIZON_DAYS,
                    model_version: Some(version),
                })
        }
        None => None,
    };
    Ok(CustomerInputs {
        history,
        packages,
        population,
        churn,
    })
}

/// 고객 행동 분석 (customer behaviour, seed 003 §2.2)
///
/// 행동 점수(0–100, 최근성·빈도·매출 백분위·참여로 계산하며 공식을 함께 줌), 구매 이력 요약,
/// 즐겨 찾는 서비스, 참여도, 학습된 모델의 이탈 확률, 데이터에서 읽은 다음 조치와 그 이유.
#[utoipa::path(get, path = "/analytics/customers/{id}/behavior",
    params(CustomerId),
    responses((status = 200, body = CustomerBehaviorAnswer)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND", "INSUFFICIENT_DATA"]))))]
pub async fn customer_behavior(
    State(state): State<AppState>,
    user: Authorized<Analytics>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::CustomerNotFound)?;
    let today = state.today();
    let inputs = customer_inputs(&state, id, today).await?;
    let answer = clinicdesk_analytics::customer_behavior(
        &inputs.history,
        today,
        &inputs.population,
        inputs.churn.as_ref(),
        &inputs.packages,
    )
    .map_err(DomainError::from)?;
    state
        .db
        .record_access(user.access(
            &state.now_text(),
            "customer.behavior.read",
            "customer",
            Some(id),
        ))
        .await?;
    Ok(ok_serialized(&answer))
}

/// 고객 세그먼트 (a customer's segment among peers, seed 000 §2.2)
///
/// 학습된 모델로 정한 주 세그먼트(페르소나)와 전체 고객 중 백분위로 붙인 보조 세그먼트,
/// 네 가지 특성(방문 빈도, 지출 수준, 서비스 다양성, 충성도), 같은 세그먼트 고객들과 전체
/// 고객 중 백분위(방문, 지출, 만족도, 최근성)와 그 차이를 쓴 문장. 모델이 없으면 503
/// `MODEL_NOT_READY`.
#[utoipa::path(get, path = "/customers/segments/{id}",
    params(CustomerId),
    responses((status = 200, body = CustomerSegmentAnswer)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND", "MODEL_NOT_READY"]))))]
pub async fn customer_segments(
    State(state): State<AppState>,
    user: Authorized<Analytics>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::CustomerNotFound)?;
    let today = state.today();
    let mut conn = state.db.conn().await?;
    let history = histories::of_customer(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::CustomerNotFound))?;
    drop(conn);
    let served = state.customer_model.required(&state.db).await?;
    let whole = state
        .whole_clinic
        .current(&state.db, Some(served), today)
        .await?;
    let Some(segments) = whole.segments.as_ref() else {
        return Err(ApiError::code(ErrorCode::ModelNotReady));
    };
    // The customer's own segment from their history now (the table may have been built
    // before a write that is not theirs; theirs is always read fresh).
    let profile = clinicdesk_models::Profile::from_history(&history, today);
    let assignment = clinicdesk_models::predict(&segments.artifact, &profile)
        .map_err(|e| ApiError(DomainError::internal(format!("segment: {e:?}"))))?;
    let peers = segments
        .peers
        .get(assignment.cluster_id)
        .cloned()
        .unwrap_or_default();
    let comparison = clinicdesk_analytics::segment_comparison(
        &history,
        today,
        &assignment.persona_key,
        Some(&assignment.persona),
        &peers,
        &whole.everyone,
    )
    .map_err(DomainError::from)?;
    state
        .db
        .record_access(user.access(
            &state.now_text(),
            "customer.segment.read",
            "customer",
            Some(id),
        ))
        .await?;
    let mut answer = serde_json::to_value(&comparison)
        .map_err(|e| ApiError(DomainError::internal(e.to_string())))?;
    if let Some(o) = answer.as_object_mut() {
        o.insert("model_version".into(), json!(segments.model_version));
        o.insert("cluster_id".into(), json!(assignment.cluster_id));
        o.insert("segment_description".into(), json!(assignment.description));
        o.insert("distance".into(), json!(assignment.distance));
    }
    Ok(ok(answer))
}

/// 모델 다시 학습 (train a new model version)
///
/// 지금의 모든 고객 기록으로 세그먼트와 이탈 모델을 학습해 새 버전으로 저장합니다
/// (동기화되어 모든 PC가 씀). 202와 `job_id`를 바로 주고, 진행은
/// `GET /analysis/models/train/{job_id}`로 봅니다. 학습 중이면 409 `TRAINING_IN_PROGRESS`.
#[utoipa::path(post, path = "/analysis/models/train",
    responses((status = 202, body = TrainingRunAnswer)),
    extensions(("x-errors" = json!(["TRAINING_IN_PROGRESS"]))))]
pub async fn train_model(State(state): State<AppState>, user: Authorized<Analytics>) -> ApiResult {
    use crate::customer_model::TrainingRun;
    use clinicdesk_models::TrainStage;
    let now = state.now();
    let run = TrainingRun {
        job_id: clinicdesk_domain::ids::new_id(),
        state: "running",
        stage: TrainStage::Features,
        stage_label: TrainStage::Features.label_ko(),
        fraction: 0.0,
        detail: String::new(),
        started_at: state.now_text(),
        finished_at: None,
        started_by: Some(user.username.clone()),
        version: None,
        report: None,
        error: None,
    };
    let run = state.training_runs.start(run).map_err(|running| {
        // The running job's id, so a second manager's screen can follow it.
        ApiError(
            DomainError::new(ErrorCode::TrainingInProgress)
                .with_details(json!({ "job_id": running })),
        )
    })?;
    let job_id = run.job_id.clone();
    let actor = user.actor();
    let today = state.today();
    let runs = state.training_runs.clone();
    let db = state.db.clone();
    let clock_state = state.clone();
    tokio::spawn(async move {
        let progress_runs = runs.clone();
        let progress_id = job_id.clone();
        let outcome = crate::customer_model::train_and_store(&db, &actor, today, now, move |p| {
            progress_runs.update(&progress_id, |r| {
                r.stage = p.stage;
                r.stage_label = p.stage.label_ko();
                r.fraction = r.fraction.max(p.fraction);
                r.detail = p.detail;
            });
        })
        .await;
        let finished = clock_state.now_text();
        runs.update(&job_id, |r| {
            r.finished_at = Some(finished);
            match outcome {
                Ok((stored, report)) => {
                    r.state = "done";
                    r.stage = TrainStage::Done;
                    r.stage_label = TrainStage::Done.label_ko();
                    r.fraction = 1.0;
                    r.version = Some(stored.version);
                    r.report = Some(report);
                }
                Err(e) => {
                    r.state = "failed";
                    r.error = Some(json!({
                        "code": e.0.code.as_str(),
                        "message": e.0.render(clinicdesk_domain::Lang::Ko),
                    }));
                }
            }
        });
    });
    Ok(crate::envelope::respond(
        axum::http::StatusCode::ACCEPTED,
        serde_json::to_value(&run).map_err(|e| ApiError(DomainError::internal(e.to_string())))?,
        "학습을 시작했습니다",
    ))
}

/// 학습 진행 (a training run's progress)
#[utoipa::path(get, path = "/analysis/models/train/{job_id}",
    params(TrainingJobId),
    responses((status = 200, body = TrainingRunAnswer)),
    extensions(("x-errors" = json!(["TRAINING_JOB_NOT_FOUND"]))))]
pub async fn train_status(
    State(state): State<AppState>,
    _user: Authorized<Analytics>,
    Path(job_id): Path<String>,
) -> ApiResult {
    let run = state
        .training_runs
        .get(&job_id)
        .ok_or_else(|| ApiError::code(ErrorCode::TrainingJobNotFound))?;
    Ok(ok(serde_json::to_value(&run).map_err(|e| {
        ApiError(DomainError::internal(e.to_string()))
    })?))
}
