//! Recommendations (seed 000 §3, seed 003 §3 re-read for a clinic): services, packages and
//! visit times for one customer, feedback on them, and services used together. The
//! clinic-wide tables come from `whole_clinic` (rebuilt whenever their inputs change); the
//! customer's own history, record and feedback are read fresh on every request.

use super::customers::checked_id;
use crate::auth::{Analytics, AuthUser, Authorized};
use crate::body::{JsonBody, QueryMap};
use crate::envelope::{created, ok, ApiError, ApiResult};
use crate::openapi::schemas::{
    CustomerId, RecommendationFeedbackAnswer, RecommendationFeedbackInput, RecommendationId,
    RecommendationList, RecommendationParams, RelatedServiceList, RelatedServicesParams,
    ServiceInPath, ServiceRecommendationList, ServiceRecommendationParams,
};
use crate::state::AppState;
use crate::whole_clinic::{self, WholeClinic};
use axum::extract::{Path, State};
use clinicdesk_domain::fields::{object, opt_text, reject_unknown};
use clinicdesk_domain::{ids, DomainError, ErrorCode};
use clinicdesk_recommend::{Algorithm, Kind, Profile, Recommendation, Request};
use clinicdesk_store::recommendations::{self as store, Served, StoredFeedback};
use clinicdesk_store::{customers, histories};
use serde_json::{json, Value};
use std::sync::Arc;

/// The longest feedback comment kept.
pub const MAX_COMMENT: usize = 500;

/// What each algorithm reads, for `recommendation_metadata.factors_considered`.
fn factors(algorithm: Algorithm) -> &'static [&'static str] {
    match algorithm {
        Algorithm::Collaborative => &[
            "service_history",
            "satisfaction_ratings",
            "peer_patterns",
            "feedback",
        ],
        Algorithm::ContentBased => &[
            "service_history",
            "health_goals",
            "preferred_times",
            "feedback",
        ],
        Algorithm::Hybrid => &[
            "service_history",
            "satisfaction_ratings",
            "peer_patterns",
            "health_goals",
            "preferred_times",
            "feedback",
        ],
    }
}

fn algorithm_of(q: &QueryMap) -> Result<Algorithm, ApiError> {
    Ok(
        q.one_of("algorithm", &["collaborative", "content_based", "hybrid"])?
            .as_deref()
            .and_then(Algorithm::parse)
            .unwrap_or(Algorithm::Hybrid),
    )
}

async fn whole(state: &AppState) -> Result<Arc<WholeClinic>, ApiError> {
    let served = state.customer_model.current(&state.db).await?;
    state
        .whole_clinic
        .current(&state.db, served, state.today())
        .await
}

/// One customer's recommendations of one kind, with what was shown remembered so feedback can
/// name it, and the read in the access log.
async fn recommend_for(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    request: Request,
) -> Result<(Arc<WholeClinic>, Vec<Recommendation>), ApiError> {
    let today = state.today();
    let mut conn = state.db.conn().await?;
    let record = customers::get(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::CustomerNotFound))?;
    let history = histories::of_customer(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::CustomerNotFound))?;
    let feedback = whole_clinic::feedback_of(&store::feedback_of(&mut conn, id).await?);
    drop(conn);
    let whole = whole(state).await?;
    let profile = Profile::from_record(&record);
    let list = clinicdesk_recommend::recommend(
        &whole.recommender,
        &history,
        &profile,
        request,
        &feedback,
        today,
    );
    let served: Vec<Served> = list
        .iter()
        .map(|r| Served {
            recommendation_id: r.recommendation_id.clone(),
            customer_id: id.to_string(),
            kind: r.kind.as_str().to_string(),
            item_code: r.item.code.clone(),
            item_name: r.item.name.clone(),
            algorithm: r.algorithm.as_str().to_string(),
            score: r.score,
            served_on: today,
        })
        .collect();
    let mut conn = state.db.conn().await?;
    store::remember_served(&mut conn, &served).await?;
    drop(conn);
    state
        .db
        .record_access(user.access(
            &state.now_text(),
            "customer.recommendations.read",
            "customer",
            Some(id),
        ))
        .await?;
    Ok((whole, list))
}

/// 고객 맞춤 추천 (recommendations for a customer, seed 000 §3.1)
///
/// `type`(`service`·`package`·`schedule`, 기본 `service`)의 추천 `count`개(기본 5, 최대 20)를
/// `algorithm`(`collaborative`·`content_based`·`hybrid`, 기본 `hybrid`)으로 냅니다. 점수(0–1)는
/// 데이터가 그 항목을 얼마나 가리키는지이며 확률이 아닙니다. 이유(`reasons`)는 모두 데이터의
/// 숫자를 밝힌 문장입니다. 근거가 없는 항목은 빼므로 목록이 요청보다 짧을 수 있습니다. 이
/// 고객의 피드백(거절한 항목은 한동안 빠짐)과 병원 전체의 수락률이 반영됩니다.
#[utoipa::path(get, path = "/customers/{id}/recommendations",
    params(CustomerId, RecommendationParams),
    responses((status = 200, body = RecommendationList)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND"]))))]
pub async fn customer_recommendations(
    State(state): State<AppState>,
    user: Authorized<Analytics>,
    Path(id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::CustomerNotFound)?;
    let kind = q
        .one_of("type", &["service", "package", "schedule"])?
        .as_deref()
        .and_then(Kind::parse)
        .unwrap_or(Kind::Service);
    let count = q.int(
        "count",
        Request::DEFAULT_COUNT as i64,
        1,
        Request::MAX_COUNT as i64,
    )?;
    let algorithm = algorithm_of(&q)?;
    let request = Request::new(kind, count as usize, algorithm);
    let (whole, list) = recommend_for(&state, &user, id, request).await?;
    Ok(ok(json!({
        "customer_id": id,
        "type": kind,
        "algorithm": algorithm,
        "recommendations": list,
        "recommendation_metadata": {
            "generated_at": state.now_text(),
            "data_as_of": whole.today,
            "customers_in_model": whole.recommender.customers(),
            "factors_considered": factors(algorithm),
        },
    })))
}

/// 추천 피드백 (feedback on a recommendation, seed 000 §3.2)
///
/// `action`(`accepted`·`rejected`·`ignored`), 선택 `feedback_score`(1–5)와 `comment`(500자
/// 까지). 이 PC(또는 서버)가 이 고객에게 보여 준 추천이어야 합니다 (아니면 404
/// `RECOMMENDATION_NOT_FOUND`). 피드백은 저장되고 동기화되며 이후 추천에 반영됩니다: 거절한
/// 항목은 한동안 다시 나오지 않고, 수락한 항목과 비슷한 것이 올라갑니다.
#[utoipa::path(post, path = "/customers/{id}/recommendations/{recommendation_id}/feedback",
    params(CustomerId, RecommendationId),
    request_body = RecommendationFeedbackInput,
    responses((status = 201, body = RecommendationFeedbackAnswer)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND", "RECOMMENDATION_NOT_FOUND", "VALIDATION_ERROR"]))))]
pub async fn recommendation_feedback(
    State(state): State<AppState>,
    user: Authorized<Analytics>,
    Path((id, recommendation_id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::CustomerNotFound)?;
    let obj = object(&body)?;
    reject_unknown(obj, &["action", "feedback_score", "comment"], "")?;
    let action = match obj.get("action").and_then(Value::as_str) {
        Some(a) if clinicdesk_recommend::Action::parse(a).is_some() => a.to_string(),
        _ => {
            return Err(DomainError::invalid(
                "action",
                "action은 accepted, rejected, ignored 중 하나입니다",
            )
            .into())
        }
    };
    let feedback_score = match obj.get("feedback_score") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(s) if (1..=5).contains(&s) => Some(s),
            _ => {
                return Err(DomainError::invalid(
                    "feedback_score",
                    "feedback_score는 1–5의 정수입니다",
                )
                .into())
            }
        },
    };
    let comment = opt_text(
        "comment",
        obj.get("comment").unwrap_or(&Value::Null),
        MAX_COMMENT,
    )?;
    let now = state.now_text();
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    super::customers::customer_in(&mut w, id).await?;
    let shown = store::served(w.conn(), id, &recommendation_id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::RecommendationNotFound))?;
    let feedback = StoredFeedback {
        id: ids::new_id(),
        recommendation_id: shown.recommendation_id.clone(),
        customer_id: id.to_string(),
        kind: shown.kind.clone(),
        item_code: shown.item_code.clone(),
        item_name: shown.item_name.clone(),
        action,
        feedback_score,
        comment,
        given_on: state.today(),
        created_by: Some(user.user_id.clone()),
        created_at: now,
    };
    store::insert_feedback(&mut w, &feedback).await?;
    w.commit().await?;
    Ok(created(json!({
        "feedback_id": feedback.id,
        "recommendation_id": feedback.recommendation_id,
        "customer_id": feedback.customer_id,
        "type": feedback.kind,
        "item": { "code": feedback.item_code, "name": feedback.item_name },
        "action": feedback.action,
        "feedback_score": feedback.feedback_score,
        "comment": feedback.comment,
        "given_on": feedback.given_on,
    })))
}

/// 고객에게 맞는 서비스 (service recommendations, seed 003 §3.1)
///
/// seed 003의 상품 추천을 병원에 맞게 읽은 것: 서비스만, `algorithm`(기본 `hybrid`)과
/// `limit`(기본 5, 최대 20). `confidence_score`는 추천 점수의 평균입니다.
#[utoipa::path(get, path = "/recommendations/customers/{id}/services",
    params(CustomerId, ServiceRecommendationParams),
    responses((status = 200, body = ServiceRecommendationList)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND"]))))]
pub async fn service_recommendations(
    State(state): State<AppState>,
    user: Authorized<Analytics>,
    Path(id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::CustomerNotFound)?;
    let algorithm = algorithm_of(&q)?;
    let limit = q.int(
        "limit",
        Request::DEFAULT_COUNT as i64,
        1,
        Request::MAX_COUNT as i64,
    )?;
    let request = Request::new(Kind::Service, limit as usize, algorithm);
    let (_, list) = recommend_for(&state, &user, id, request).await?;
    let confidence = if list.is_empty() {
        None
    } else {
        Some(list.iter().map(|r| r.score).sum::<f64>() / list.len() as f64)
    };
    let items: Vec<Value> = list
        .iter()
        .map(|r| {
            json!({
                "recommendation_id": r.recommendation_id,
                "service_code": r.item.code,
                "service_name": r.item.name,
                "score": r.score,
                "reasons": r.reasons,
                "service_details": r.service_details,
            })
        })
        .collect();
    Ok(ok(json!({
        "customer_id": id,
        "algorithm": algorithm,
        "recommendations": items,
        "metadata": {
            "total_recommendations": list.len(),
            "algorithm": algorithm,
            "confidence_score": confidence,
        },
    })))
}

/// 함께 이용하는 서비스 (related services, seed 003 §3.2)
///
/// 같은 고객이 정기적으로 함께 이용하는 서비스(`frequently_used_together`: 향상도와 신뢰도)와
/// 효과가 비슷한 서비스(`similar_effect`). 모르는 서비스는 404 `SERVICE_NOT_FOUND`.
#[utoipa::path(get, path = "/recommendations/services/{code}/related",
    params(ServiceInPath, RelatedServicesParams),
    responses((status = 200, body = RelatedServiceList)),
    extensions(("x-errors" = json!(["SERVICE_NOT_FOUND"]))))]
pub async fn related_services(
    State(state): State<AppState>,
    _user: Authorized<Analytics>,
    Path(code): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let limit = q.int("limit", 5, 1, 10)?;
    let whole = whole(&state).await?;
    let related = clinicdesk_recommend::related(&whole.recommender, &code, limit as usize)
        .map_err(|_| ApiError::code(ErrorCode::ServiceNotFound))?;
    let name = whole
        .catalogue
        .services
        .iter()
        .find(|s| s.service.as_str() == code)
        .map(|s| s.name.clone());
    Ok(ok(json!({
        "service_code": code,
        "service_name": name,
        "related_services": related,
    })))
}
