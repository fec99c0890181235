//! The front desk's day (issue 8): follow-ups across customers and their completion,
//! rescheduling and cancellation; the Today screen's lists; the audited phone reveal for
//! staff, and the reveals' review for managers.

use super::customers::{checked_id, not_found};
use crate::auth::{
    AuthUser, Authorized, CancelActivity, ReadCustomers, RecordActivity, ReviewReveals,
};
use crate::body::{JsonBody, QueryMap};
use crate::envelope::{ok, ApiError, ApiResult};
use crate::openapi::schemas::{
    CustomerId, FollowUpActionResult, FollowUpCancelInput, FollowUpCompleteInput, FollowUpId,
    FollowUpListParams, FollowUpPage, FollowUpRescheduleInput, PhoneReveal, PhoneRevealInput,
    RevealEventList, RevealEventParams, TodayOverview,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use chrono::Duration;
use clinicdesk_domain::follow_up::{
    days_left, due_bucket, due_window, ensure_open, expiring_window, kst_day_start, parse_cancel,
    parse_complete, parse_reschedule, parse_reveal, DUE_WINDOWS, EXPIRING_WITHIN_DAYS,
    FOLLOW_UP_STATES,
};
use clinicdesk_domain::stats::{newly_at_risk_bounds, NEWLY_AT_RISK_DAYS, RISK_WARNING_DAYS};
use clinicdesk_domain::{DomainError, ErrorCode};
use clinicdesk_store::audit::{self, AuditFilter};
use clinicdesk_store::follow_ups::{self, FollowUpFilter, FollowUpItem, NewEvent};
use clinicdesk_store::{customers, timestamp};
use serde_json::{json, Value};
use std::collections::HashMap;

/// The audit action of a phone reveal.
pub const PHONE_REVEAL: &str = "customer.phone.reveal";

fn item_json(f: &FollowUpItem, today: chrono::NaiveDate) -> Value {
    json!({
        "follow_up_id": f.id,
        "customer_id": f.customer_id,
        "customer_name": f.customer_name,
        "assigned_staff": f.assigned_staff,
        "state": f.state,
        "due_date": timestamp(f.due),
        "due": if f.state == "open" { Some(due_bucket(f.due, today)) } else { None },
        "asked_date": f.asked_due.map(timestamp),
        "type": f.kind,
        "notes": f.notes,
        "interaction_type": f.interaction_type,
        "interaction_date": f.interaction_at,
        "recorded_by": f.recorded_by,
        "closed_at": f.closed_at,
    })
}

/// The list filter of a query: `due`, `state`, `assigned_staff` (`me`: the caller's name).
fn filter_of(
    q: &QueryMap,
    user: &AuthUser,
    today: chrono::NaiveDate,
) -> Result<FollowUpFilter, ApiError> {
    let due = q
        .one_of("due", &DUE_WINDOWS)?
        .unwrap_or_else(|| "all".into());
    let (from, to) = due_window(&due, today).unwrap_or((None, None));
    let state = match q.text("state") {
        None => Some("open".to_string()),
        Some("all") => None,
        Some(_) => q.one_of("state", &FOLLOW_UP_STATES)?,
    };
    let assigned_staff = match q.text("assigned_staff") {
        Some("me") => Some(user.display_name.clone()),
        Some(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    };
    Ok(FollowUpFilter {
        state,
        from,
        to,
        assigned_staff,
        customer_id: None,
    })
}

/// Logs a page of follow-ups like any list of customers: who saw which customers.
async fn log_list(
    state: &AppState,
    user: &AuthUser,
    action: &str,
    details: Value,
    customers: Vec<String>,
) -> Result<(), ApiError> {
    let mut access = user.access(&state.now_text(), action, "customer", None);
    access.details = details;
    let mut subjects = customers;
    subjects.sort();
    subjects.dedup();
    access.subjects = subjects;
    state.db.record_access(access).await?;
    Ok(())
}

/// 후속 조치 목록 (follow-ups across customers)
///
/// 기한이 이른 순(가장 오래 밀린 것이 맨 위). `due`: `overdue` 오늘(KST) 이전 날짜, `today` 오늘,
/// `due` 밀린 것과 오늘 것, `week` 오늘부터 6일 뒤까지(밀린 것 제외), `all`(기본) 날짜 무관.
/// `state` 기본 `open`; `all`은 모든 상태. `assigned_staff`는 고객의 담당 직원 이름(정확히),
/// `me`는 로그인한 사람의 이름.
#[utoipa::path(get, path = "/follow-ups",
    params(FollowUpListParams),
    responses((status = 200, body = FollowUpPage)))]
pub async fn list(
    State(state): State<AppState>,
    user: Authorized<ReadCustomers>,
    q: QueryMap,
) -> ApiResult {
    let today = state.today();
    let filter = filter_of(&q, &user, today)?;
    let limit = q.int("limit", 50, 1, 200)?;
    let offset = q.int("offset", 0, 0, 10_000_000)?;
    let mut conn = state.db.conn().await?;
    let (items, total) = follow_ups::list(&mut conn, &filter, limit, offset).await?;
    drop(conn);
    log_list(
        &state,
        &user,
        "follow_up.list",
        json!({ "query": q.0, "shown": items.len() }),
        items.iter().map(|f| f.customer_id.clone()).collect(),
    )
    .await?;
    Ok(ok(json!({
        "follow_ups": items.iter().map(|f| item_json(f, today)).collect::<Vec<_>>(),
        "total_count": total,
        "pagination": {
            "limit": limit,
            "offset": offset,
            "has_more": offset + (items.len() as i64) < total,
        },
        "today": today.to_string(),
    })))
}

/// Loads an open follow-up inside a write, or 404 / 409.
async fn open_follow_up(
    w: &mut clinicdesk_store::WriteTx,
    id: &str,
) -> Result<FollowUpItem, ApiError> {
    let id = checked_id(id, ErrorCode::FollowUpNotFound)?;
    let f = follow_ups::get(w.conn(), id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::FollowUpNotFound))?;
    ensure_open(&clinicdesk_domain::follow_up::FollowUpStatus {
        state: match f.state.as_str() {
            "done" => "done",
            "cancelled" => "cancelled",
            _ => "open",
        },
        due: f.due,
        closed_at: f.closed_at.clone(),
    })?;
    Ok(f)
}

/// Appends one event to an open follow-up and answers its new state.
async fn act(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    kind: &str,
    new_due: Option<chrono::DateTime<chrono::Utc>>,
    note: Option<String>,
) -> ApiResult {
    let today = state.today();
    let mut w = state
        .db
        .begin_write(&user.actor(), &state.now_text())
        .await?;
    let f = open_follow_up(&mut w, id).await?;
    let (event_id, _) = follow_ups::add_event(
        &mut w,
        NewEvent {
            follow_up: &f,
            kind,
            new_due,
            note,
            staff_name: Some(user.display_name.clone()),
        },
    )
    .await?;
    let after = follow_ups::get(w.conn(), &f.id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::FollowUpNotFound))?;
    let events = follow_ups::events_of(w.conn(), &f.id).await?;
    w.commit().await?;
    Ok(ok(json!({
        "event_id": event_id,
        "follow_up": item_json(&after, today),
        "events": events,
    })))
}

/// 후속 조치 완료 (complete a follow-up)
///
/// 열린 후속 조치만; 완료·취소된 것은 409 FOLLOW_UP_CLOSED. 누가 언제 완료했는지가 기록됩니다.
#[utoipa::path(post, path = "/follow-ups/{id}/complete",
    params(FollowUpId),
    request_body = FollowUpCompleteInput,
    responses((status = 200, body = FollowUpActionResult)),
    extensions(("x-errors" = json!(["FOLLOW_UP_NOT_FOUND", "FOLLOW_UP_CLOSED"]))))]
pub async fn complete(
    State(state): State<AppState>,
    user: Authorized<RecordActivity>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let note = parse_complete(&body)?;
    act(&state, &user, &id, "complete", None, note).await
}

/// 후속 조치 일정 변경 (reschedule a follow-up)
///
/// 새 날짜(`YYYY-MM-DD` 병원 날짜 또는 일시)는 오늘(KST)이거나 그 이후.
#[utoipa::path(post, path = "/follow-ups/{id}/reschedule",
    params(FollowUpId),
    request_body = FollowUpRescheduleInput,
    responses((status = 200, body = FollowUpActionResult)),
    extensions(("x-errors" = json!(["FOLLOW_UP_NOT_FOUND", "FOLLOW_UP_CLOSED"]))))]
pub async fn reschedule(
    State(state): State<AppState>,
    user: Authorized<RecordActivity>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let (date, note) = parse_reschedule(&body, state.today())?;
    act(&state, &user, &id, "reschedule", Some(date), note).await
}

/// 후속 조치 취소 (cancel a follow-up; managers and admins)
///
/// 할 일을 없애는 일이라 취소 권한(manager, admin)이 필요하고 사유가 필수입니다. 직원은 완료나
/// 일정 변경을 합니다.
#[utoipa::path(post, path = "/follow-ups/{id}/cancel",
    params(FollowUpId),
    request_body = FollowUpCancelInput,
    responses((status = 200, body = FollowUpActionResult)),
    extensions(("x-errors" = json!(["FOLLOW_UP_NOT_FOUND", "FOLLOW_UP_CLOSED"]))))]
pub async fn cancel(
    State(state): State<AppState>,
    user: Authorized<CancelActivity>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let reason = parse_cancel(&body)?;
    act(&state, &user, &id, "cancel", None, Some(reason)).await
}

/// How many rows each list of the Today screen shows at most.
const TODAY_ROWS: i64 = 100;

/// 오늘 (the Today screen)
///
/// 병원 날짜(KST) 기준: 밀린 후속 조치와 오늘 할 후속 조치(`follow_ups`, 기한순), 오늘의 방문,
/// 14일 안에 끝나는 패키지 중 남은 횟수가 있는 것(재구매 안내 전화 목록), 새로 이탈 위험이 된
/// 고객(마지막 활동이 46–52일 전: 오늘은 위험, 7일 전에는 안정). 목록마다 최대 100행, 건수는
/// 전체. 전화번호는 싣지 않습니다 (직원은 `phone-reveal`로).
#[utoipa::path(get, path = "/today",
    responses((status = 200, body = TodayOverview)))]
pub async fn today(State(state): State<AppState>, user: Authorized<ReadCustomers>) -> ApiResult {
    let today = state.today();
    let open = |from, to| FollowUpFilter {
        state: Some("open".into()),
        from,
        to,
        ..FollowUpFilter::default()
    };
    let (due_from, due_to) = due_window("due", today).unwrap_or((None, None));
    let (expiring_from, expiring_to) = expiring_window(today);
    let (risk_from, risk_to) = newly_at_risk_bounds(today);
    let mut conn = state.db.conn().await?;
    let (due, due_total) =
        follow_ups::list(&mut conn, &open(due_from, due_to), TODAY_ROWS, 0).await?;
    let overdue_total =
        follow_ups::count(&mut conn, &open(None, Some(kst_day_start(today)))).await?;
    let visits = follow_ups::visits_on(&mut conn, today, TODAY_ROWS).await?;
    let expiring =
        follow_ups::expiring_packages(&mut conn, expiring_from, expiring_to, TODAY_ROWS).await?;
    let at_risk = follow_ups::idle_between(&mut conn, risk_from, risk_to, TODAY_ROWS).await?;
    drop(conn);

    let mut shown: Vec<String> = due.iter().map(|f| f.customer_id.clone()).collect();
    for v in visits
        .iter()
        .chain(expiring.iter().map(|e| &e.0))
        .chain(at_risk.iter().map(|r| &r.0))
    {
        if let Some(id) = v["customer_id"].as_str() {
            shown.push(id.to_string());
        }
    }
    log_list(
        &state,
        &user,
        "today.read",
        json!({
            "date": today.to_string(),
            "follow_ups": due.len(), "visits": visits.len(),
            "expiring_packages": expiring.len(), "newly_at_risk": at_risk.len(),
        }),
        shown,
    )
    .await?;

    Ok(ok(json!({
        "date": today.to_string(),
        "follow_ups": {
            "overdue_count": overdue_total,
            "today_count": due_total - overdue_total,
            "items": due.iter().map(|f| item_json(f, today)).collect::<Vec<_>>(),
        },
        "visits": {
            "count": visits.len(),
            "items": visits,
        },
        "expiring_packages": {
            "within_days": EXPIRING_WITHIN_DAYS,
            "items": expiring.into_iter().map(|(mut v, expiry)| {
                v["days_left"] = json!(days_left(expiry, today));
                v
            }).collect::<Vec<_>>(),
        },
        "newly_at_risk": {
            "from": risk_from.to_string(),
            "to": risk_to.to_string(),
            "threshold_days": RISK_WARNING_DAYS,
            "window_days": NEWLY_AT_RISK_DAYS,
            "items": at_risk.into_iter().map(|(mut v, last)| {
                v["days_since"] = json!((today - last).num_days());
                v
            }).collect::<Vec<_>>(),
        },
    })))
}

/// 전화번호 열람 (reveal one customer's phone, audited)
///
/// 직원은 전화번호를 가려서 봅니다. 다시 전화해야 할 때 사유(`follow_up_call`, `booking`,
/// `other` + `note`)를 밝히고 한 고객의 번호를 엽니다. 누가, 누구의, 왜 열었는지가 번호를 돌려주는
/// 같은 트랜잭션에서 감사 기록(`customer.phone.reveal`)에 남습니다: 기록이 안 되면 번호도 없습니다.
#[utoipa::path(post, path = "/customers/{id}/phone-reveal",
    params(CustomerId),
    request_body = PhoneRevealInput,
    responses((status = 200, body = PhoneReveal)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND"]))))]
pub async fn reveal_phone(
    State(state): State<AppState>,
    user: Authorized<ReadCustomers>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::CustomerNotFound)?.to_string();
    let (reason, note) = parse_reveal(&body)?;
    let now = state.now_text();
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    let customer = customers::get(w.conn(), &id).await?.ok_or_else(not_found)?;
    w.audit(
        PHONE_REVEAL,
        "customer",
        Some(&id),
        json!({ "reason": reason, "note": note, "staff_name": user.display_name }),
    )
    .await?;
    w.commit().await?;
    Ok(ok(json!({
        "customer_id": id,
        "phone": customer.phone,
        "reason": reason,
        "revealed_at": now,
    })))
}

/// 전화번호 열람 기록 (phone reveals, for managers and admins)
///
/// 감사 기록 중 `customer.phone.reveal`만, 최신순: 누가(사용자·역할), 누구의(고객 id와 이름), 왜
/// (사유와 메모), 언제. 관리자 외에 매니저도 볼 수 있는 감사 기록은 이것뿐입니다. 조회한 일도
/// 기록됩니다.
#[utoipa::path(get, path = "/audit/phone-reveals",
    params(RevealEventParams),
    responses((status = 200, body = RevealEventList)))]
pub async fn reveal_events(
    State(state): State<AppState>,
    user: Authorized<ReviewReveals>,
    q: QueryMap,
) -> ApiResult {
    let customer_id = match q.text("customer_id") {
        Some(id) if clinicdesk_domain::ids::is_valid_id(id) => Some(id.to_string()),
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
            return Err(DomainError::invalid("from", "시작일이 종료일보다 늦습니다").into());
        }
    }
    let filter = AuditFilter {
        customer_id,
        username: q.text("username").map(str::to_string),
        action: Some(PHONE_REVEAL.to_string()),
        from: from.map(|d| timestamp(kst_day_start(d))),
        to: to.map(|d| timestamp(kst_day_start(d + Duration::days(1)))),
    };
    let page = q.int("page", 1, 1, 1_000)?;
    let size = q.int("size", 50, 1, 200)?;
    let offset = ((page - 1) * size) as usize;
    let (list, has_more) = audit::events(&state.db, &filter, offset, size as usize).await?;
    let mut names: HashMap<String, Option<String>> = HashMap::new();
    let mut conn = state.db.conn().await?;
    for e in &list {
        if let Some(id) = &e.entity_id {
            if !names.contains_key(id) {
                let name = customers::get(&mut conn, id).await?.map(|c| c.name);
                names.insert(id.clone(), name);
            }
        }
    }
    drop(conn);
    let mut access = user.access(&state.now_text(), "audit.phone_reveals.read", "audit", None);
    access.details = json!({ "query": q.0 });
    state.db.record_access(access).await?;
    let events: Vec<Value> = list
        .iter()
        .map(|e| {
            let details = &e.details;
            json!({
                "id": e.id,
                "occurred_at": e.occurred_at,
                "username": e.username,
                "role": e.role,
                "staff_name": details.get("staff_name").cloned().unwrap_or(Value::Null),
                "customer_id": e.entity_id,
                "customer_name": e.entity_id.as_ref().and_then(|id| names.get(id).cloned().flatten()),
                "reason": details.get("reason").cloned().unwrap_or(Value::Null),
                "note": details.get("note").cloned().unwrap_or(Value::Null),
            })
        })
        .collect();
    Ok(ok(json!({
        "events": events,
        "pagination": { "page": page, "size": size, "has_more": has_more },
    })))
}
