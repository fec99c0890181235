//! The audit trail for admins: verify the chains, and list who did what — above all, who
//! looked at a customer's record.

use crate::auth::{Administer, Authorized};
use crate::body::QueryMap;
use crate::envelope::{ok, ApiResult};
use crate::openapi::schemas::{AuditEventList, AuditEventParams, AuditVerification};
use crate::state::AppState;
use axum::extract::State;
use chrono::{Duration, NaiveDate, NaiveTime};
use clinicdesk_domain::{ids, DomainError};
use clinicdesk_store::audit::{self, AuditFilter};
use clinicdesk_store::customers;
use serde_json::{json, Value};
use std::collections::HashMap;

/// 감사 기록 검증 (verify the audit trail)
///
/// 이 노드의 모든 감사 체인을 다시 계산합니다: 각 이벤트의 HMAC 봉인, 순번, 앞 이벤트와의
/// 연결, 체인의 head. 깨진 체인은 처음 깨진 이벤트(`broken_at`)와 이유(`problem`)를 알려 줍니다
/// (docs/AUDIT.md). 검증한 일도 감사 기록에 남습니다.
#[utoipa::path(get, path = "/audit/verify", responses((status = 200, body = AuditVerification)))]
pub async fn verify(State(state): State<AppState>, user: Authorized<Administer>) -> ApiResult {
    let now = state.now_text();
    state
        .db
        .record_access(user.access(&now, "audit.verify", "audit", None))
        .await?;
    let reports = audit::verify_all(&state.db).await?;
    let intact = !reports.is_empty() && reports.iter().all(|r| r.intact());
    let events: i64 = reports.iter().map(|r| r.events).sum();
    Ok(ok(json!({
        "intact": intact,
        "events": events,
        "chains": reports,
        "verified_at": now,
    })))
}

/// The UTC instant a clinic day (KST) starts.
fn kst_day_start(d: NaiveDate) -> String {
    clinicdesk_store::timestamp((d.and_time(NaiveTime::MIN) - Duration::hours(9)).and_utc())
}

/// 감사 이벤트 목록 (audit events)
///
/// 최신순. `customer_id`로 "누가 이 고객의 기록을 보았나"를 찾습니다: 그 고객 자신의
/// 이벤트(읽기, 수정 …), 그 고객의 방문·구매·상담, 그 고객이 보인 목록·검색 페이지. 필터끼리는
/// AND, `action`의 여러 값끼리는 OR. 조회한 일도 감사 기록에 남습니다.
#[utoipa::path(get, path = "/audit/events",
    params(AuditEventParams),
    responses((status = 200, body = AuditEventList)))]
pub async fn events(
    State(state): State<AppState>,
    user: Authorized<Administer>,
    q: QueryMap,
) -> ApiResult {
    let customer_id = match q.text("customer_id") {
        Some(id) if ids::is_valid_id(id) => Some(id.to_string()),
        Some(_) => {
            return Err(
                DomainError::invalid("customer_id", "customer_id 값이 올바르지 않습니다").into(),
            )
        }
        None => None,
    };
    let from = q.date("from")?;
    let to = q.date("to")?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(DomainError::field_error("from", clinicdesk_domain::Msg::DateOrder).into());
        }
    }
    let filter = AuditFilter {
        customer_id,
        username: q.text("username").map(str::to_string),
        action: q.text("action").map(str::to_string),
        from: from.map(kst_day_start),
        to: to.map(|t| kst_day_start(t + Duration::days(1))),
    };
    let page = q.int("page", 1, 1, 1_000)?;
    let size = q.int("size", 50, 1, 200)?;
    let offset = ((page - 1) * size) as usize;
    let (list, has_more) = audit::events(&state.db, &filter, offset, size as usize).await?;

    // Admins see customers whole: name the customers the page is about.
    let customer_ids: Vec<String> = list
        .iter()
        .filter(|e| e.entity == "customer")
        .filter_map(|e| e.entity_id.clone())
        .collect();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut conn = state.db.conn().await?;
    for id in customer_ids {
        if names.contains_key(&id) {
            continue;
        }
        if let Some(c) = customers::get(&mut conn, &id).await? {
            names.insert(id, c.name);
        }
    }
    drop(conn);

    let mut access = user.access(&state.now_text(), "audit.events.read", "audit", None);
    access.details = json!({ "query": q.0 });
    state.db.record_access(access).await?;

    let events: Vec<Value> = list
        .iter()
        .map(|e| {
            let mut v = json!(e);
            v["customer_name"] = json!(e.entity_id.as_ref().and_then(|id| names.get(id)));
            v
        })
        .collect();
    Ok(ok(json!({
        "events": events,
        "pagination": { "page": page, "size": size, "has_more": has_more },
    })))
}
