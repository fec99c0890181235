//! Self-reported health scores (issue 11): what a customer says of their stress, sleep,
//! focus, pain and fatigue (1–10), recorded by a doctor or an admin with the customer's
//! health-data consent, read back by the customer's analytics as before and after.

use super::customers::checked_id;
use crate::auth::{Authorized, HealthData};
use crate::body::JsonBody;
use crate::envelope::{created, ok, ApiError, ApiResult};
use crate::openapi::schemas::{CustomerId, SelfReportAnswer, SelfReportInput, SelfReportList};
use crate::state::AppState;
use axum::extract::{Path, State};
use clinicdesk_analytics::{HealthMetric, SELF_REPORT_MAX, SELF_REPORT_MIN};
use clinicdesk_domain::fields::{object, opt_date, reject_unknown};
use clinicdesk_domain::{ids, DomainError, ErrorCode};
use clinicdesk_store::self_reports::{self as store, StoredSelfReport};
use serde_json::{json, Value};

fn metric_of(key: &str) -> Option<HealthMetric> {
    HealthMetric::ALL.into_iter().find(|m| m.key() == key)
}

fn item(r: &StoredSelfReport) -> Value {
    json!({
        "id": r.id,
        "reported_on": r.reported_on,
        "metric": r.metric,
        "label": metric_of(&r.metric).map(HealthMetric::label),
        "value": r.value,
        "recorded_by": r.recorded_by,
        "created_at": r.created_at,
    })
}

/// 건강 자가 보고 기록 (record a self-report)
///
/// 고객이 말한 스트레스(`stress_level`), 수면의 질(`sleep_quality`), 집중력(`focus_level`),
/// 통증(`pain_level`), 피로도(`fatigue_level`)를 1–10으로 `values`에 (하나 이상). 날짜
/// `reported_on`은 오늘(KST) 또는 그 전 (기본 오늘). 고객의 건강정보 동의가 있어야 합니다
/// (422 `HEALTH_CONSENT_REQUIRED`). 같은 날 다시 기록하면 나중 값이 그날의 값입니다.
#[utoipa::path(post, path = "/customers/{id}/self-reports",
    params(CustomerId),
    request_body = SelfReportInput,
    responses((status = 201, body = SelfReportAnswer)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND", "HEALTH_CONSENT_REQUIRED", "VALIDATION_ERROR"]))))]
pub async fn record_self_report(
    State(state): State<AppState>,
    user: Authorized<HealthData>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::CustomerNotFound)?;
    let today = state.today();
    let obj = object(&body)?;
    reject_unknown(obj, &["reported_on", "values"], "")?;
    let reported_on = match opt_date(
        "reported_on",
        obj.get("reported_on").unwrap_or(&Value::Null),
    )? {
        Some(d) if d > today => {
            return Err(
                DomainError::invalid("reported_on", "앞으로의 날짜는 기록할 수 없습니다").into(),
            )
        }
        Some(d) => d,
        None => today,
    };
    let Some(values) = obj.get("values").and_then(Value::as_object) else {
        return Err(DomainError::invalid(
            "values",
            "values에 하나 이상의 항목과 1–10 값을 주세요 (예: {\"stress_level\": 7})",
        )
        .into());
    };
    let mut problems = Vec::new();
    let mut chosen = Vec::new();
    for (key, v) in values {
        let field = format!("values.{key}");
        let Some(metric) = metric_of(key) else {
            problems.push(DomainError::invalid(
                &field,
                "알 수 없는 항목입니다 (stress_level, sleep_quality, focus_level, pain_level, fatigue_level)",
            ));
            continue;
        };
        match v.as_i64() {
            Some(n) if (SELF_REPORT_MIN..=SELF_REPORT_MAX).contains(&n) => chosen.push((metric, n)),
            _ => problems.push(DomainError::invalid(&field, "1–10의 정수입니다")),
        }
    }
    if let Some(e) = DomainError::several(problems) {
        return Err(e.into());
    }
    if chosen.is_empty() {
        return Err(DomainError::invalid("values", "하나 이상의 항목이 필요합니다").into());
    }
    let now = state.now_text();
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    let customer = super::customers::customer_in(&mut w, id).await?;
    if !customer.consent_health_data {
        return Err(ApiError(
            DomainError::new(ErrorCode::HealthConsentRequired)
                .with_field("consent")
                .with_message(
                    "고객의 건강정보 수집·이용 동의가 있어야 자가 보고를 기록할 수 있습니다",
                ),
        ));
    }
    let rows: Vec<StoredSelfReport> = chosen
        .into_iter()
        .map(|(metric, value)| StoredSelfReport {
            id: ids::new_id(),
            customer_id: id.to_string(),
            reported_on,
            metric: metric.key().to_string(),
            value,
            recorded_by: Some(user.username.clone()),
            created_at: now.clone(),
        })
        .collect();
    store::insert(&mut w, &rows).await?;
    w.commit().await?;
    Ok(created(json!({
        "customer_id": id,
        "reported_on": reported_on,
        "items": rows.iter().map(item).collect::<Vec<_>>(),
    })))
}

/// 건강 자가 보고 목록 (a customer's self-reports)
///
/// 오래된 것부터. 건강 정보를 보는 역할(관리자·의사)만.
#[utoipa::path(get, path = "/customers/{id}/self-reports",
    params(CustomerId),
    responses((status = 200, body = SelfReportList)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND"]))))]
pub async fn self_reports(
    State(state): State<AppState>,
    user: Authorized<HealthData>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::CustomerNotFound)?;
    let mut conn = state.db.conn().await?;
    clinicdesk_store::customers::get(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::CustomerNotFound))?;
    let rows = store::of_customer(&mut conn, id).await?;
    drop(conn);
    state
        .db
        .record_access(user.access(
            &state.now_text(),
            "customer.self_reports.read",
            "customer",
            Some(id),
        ))
        .await?;
    Ok(ok(json!({
        "customer_id": id,
        "items": rows.iter().map(item).collect::<Vec<_>>(),
    })))
}

/// A customer's reports in the analytics' form (those of unknown metrics, from a newer
/// build, left out).
pub fn for_analytics(rows: &[StoredSelfReport]) -> Vec<clinicdesk_analytics::SelfReport> {
    rows.iter()
        .filter_map(|r| {
            Some(clinicdesk_analytics::SelfReport {
                date: r.reported_on,
                metric: metric_of(&r.metric)?,
                value: r.value,
            })
        })
        .collect()
}
