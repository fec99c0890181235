//! Package purchases and visits (service sessions): purchase, list a customer's packages,
//! record a visit (consuming a package session), cancel a visit (compensating event).

use super::customers::{checked_id, customer_in, not_found};
use crate::auth::{Authorized, ReadCustomers, RecordActivity};
use crate::body::{JsonBody, QueryMap};
use crate::envelope::{created, ok, ApiError, ApiResult};
use crate::openapi::schemas::{
    CancelInput, CancelResult, ConfirmDuplicateParams, CustomerId, CustomerPackages,
    PackageListParams, PackageUsage, PurchaseInput, Session, SessionId, VisitInput,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use clinicdesk_domain::package::{
    check_consumption, package_usage, parse_purchase_request, usage_json, Purchase, CANCELLED,
    PACKAGE_STATUSES,
};
use clinicdesk_domain::role::Capability;
use clinicdesk_domain::session::{check_own_void, parse_cancel_reason, parse_visit, SessionRecord};
use clinicdesk_domain::{ids, DomainError, ErrorCode};
use clinicdesk_store::{clinic_stats, customers, packages, sessions, stats};
use serde_json::{json, Value};

/// 패키지 구매 (a customer buys a package)
///
/// 템플릿의 횟수와 유효 기간을 구매 시점 그대로 복사합니다. 받는 금액이 있으면 결제 수단
/// (`payment_method`)이 필수입니다: 아무것도 미리 고르지 않습니다.
#[utoipa::path(post, path = "/customers/{id}/packages",
    params(CustomerId),
    request_body = PurchaseInput,
    responses((status = 201, body = PackageUsage)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND", "PACKAGE_NOT_FOUND",
        "CUSTOMER_ANONYMIZED"]))))]
pub async fn purchase(
    State(state): State<AppState>,
    user: Authorized<RecordActivity>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let today = state.today();
    let now = state.now_text();
    let request = parse_purchase_request(&body, today)?;
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    let customer = customer_in(&mut w, &id).await?;
    let template = if ids::is_valid_id(&request.package_id) {
        packages::get_template(w.conn(), &request.package_id).await?
    } else {
        None
    };
    let template = template.ok_or_else(|| {
        ApiError(DomainError::new(ErrorCode::PackageNotFound).with_field("package_id"))
    })?;
    let purchase = Purchase::from_template(
        ids::new_id(),
        customer.id.clone(),
        &template,
        &request,
        today,
        &now,
    );
    packages::insert_purchase(&mut w, &purchase).await?;
    stats::refresh_purchase(w.conn(), &purchase.id, today).await?;
    stats::refresh_customer(w.conn(), &customer.id).await?;
    clinic_stats::refresh_days(w.conn(), &[purchase.purchase_date.to_string()]).await?;
    w.commit().await?;
    let usage = package_usage(&purchase, &Default::default(), today);
    Ok(created(usage_json(&purchase, &usage)))
}

/// 고객의 패키지 (a customer's packages)
#[utoipa::path(get, path = "/customers/{id}/packages",
    params(CustomerId, PackageListParams),
    responses((status = 200, body = CustomerPackages)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND"]))))]
pub async fn packages_of(
    State(state): State<AppState>,
    user: Authorized<ReadCustomers>,
    Path(id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::CustomerNotFound)?;
    let mut statuses: Vec<&str> = PACKAGE_STATUSES.to_vec();
    statuses.extend([CANCELLED, "all"]);
    let wanted = q
        .one_of("status", &statuses)?
        .unwrap_or_else(|| "all".into());
    let today = state.today();
    let mut conn = state.db.conn().await?;
    customers::get(&mut conn, id).await?.ok_or_else(not_found)?;
    let purchases = packages::purchases_of(&mut conn, id).await?;
    let purchase_ids: Vec<String> = purchases.iter().map(|p| p.id.clone()).collect();
    let used = packages::used_by_service(&mut conn, &purchase_ids).await?;
    drop(conn);
    state
        .db
        .record_access(user.access(
            &state.now_text(),
            "customer.packages.read",
            "customer",
            Some(id),
        ))
        .await?;
    let items: Vec<Value> = purchases
        .iter()
        .map(|p| {
            (
                p,
                package_usage(p, used.get(&p.id).unwrap_or(&Default::default()), today),
            )
        })
        .filter(|(_, u)| wanted == "all" || u.package_status == wanted)
        .map(|(p, u)| usage_json(p, &u))
        .collect();
    Ok(ok(json!({ "customer_id": id, "packages": items })))
}

/// 방문 기록 (record a visit)
///
/// `package_usage_id`가 있으면 그 패키지의 해당 서비스 한 회차를 씁니다 (두 PC가 마지막 회차를
/// 동시에 쓸 수 없습니다). 없으면 카탈로그 가격의 단건 방문이고, 그때는 결제 수단
/// (`payment_method`)이 필수입니다: 패키지 회차가 없다고 저절로 유료 방문이 되지 않습니다.
///
/// 같은 고객의 같은 날 같은 서비스 방문이 이미 있으면 409 `DUPLICATE_VISIT`
/// (`details.existing`); 정말 두 번이면 `?confirm_duplicate=true`로 다시 보냅니다.
#[utoipa::path(post, path = "/customers/{id}/sessions",
    params(CustomerId, ConfirmDuplicateParams),
    request_body = VisitInput,
    responses((status = 201, body = Session)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND", "PACKAGE_NOT_FOUND",
        "SERVICE_NOT_IN_PACKAGE", "PACKAGE_EXHAUSTED", "PACKAGE_EXPIRED", "PACKAGE_CANCELLED",
        "DUPLICATE_VISIT", "CUSTOMER_ANONYMIZED"]))))]
pub async fn record_visit(
    State(state): State<AppState>,
    user: Authorized<RecordActivity>,
    Path(id): Path<String>,
    q: QueryMap,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let today = state.today();
    let now = state.now_text();
    let visit = parse_visit(&body, today)?;
    let confirmed = q.flag("confirm_duplicate")?;
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    let customer = customer_in(&mut w, &id).await?;
    // The package check runs inside the write transaction, after the write lock is taken,
    // so two front-desk PCs cannot both use the last session.
    let mut package_name = None;
    if let Some(pid) = &visit.package_usage_id {
        let package_missing = || {
            ApiError(DomainError::new(ErrorCode::PackageNotFound).with_field("package_usage_id"))
        };
        let purchase = if ids::is_valid_id(pid) {
            packages::get_purchase(w.conn(), pid).await?
        } else {
            None
        };
        let purchase = purchase
            .filter(|p| p.customer_id == customer.id)
            .ok_or_else(package_missing)?;
        let used = packages::used_by_service(w.conn(), std::slice::from_ref(pid)).await?;
        check_consumption(
            &purchase,
            used.get(pid).unwrap_or(&Default::default()),
            visit.service_type,
            visit.service_date,
        )?;
        package_name = Some(purchase.package_name.clone());
    }

    // Asked only of a visit that could be recorded: a refusal above comes first.
    if !confirmed {
        let same = sessions::standing_on_day(
            w.conn(),
            &customer.id,
            visit.service_type,
            visit.service_date,
        )
        .await?;
        if !same.is_empty() {
            let existing: Vec<Value> = same
                .iter()
                .map(|s| {
                    json!({
                        "session_id": s.id, "service_date": s.service_date.to_string(),
                        "service_type": s.service_type.as_str(), "staff_name": s.staff_name,
                        "created_at": s.created_at,
                    })
                })
                .collect();
            return Err(ApiError(
                DomainError::new(ErrorCode::DuplicateVisit)
                    .with_field("service_type")
                    .with_details(
                        json!({ "existing": existing, "confirm_with": "confirm_duplicate=true" }),
                    ),
            ));
        }
    }

    let session = SessionRecord {
        id: ids::new_id(),
        customer_id: customer.id.clone(),
        service_type: visit.service_type,
        service_date: visit.service_date,
        duration_minutes: visit.duration_minutes,
        satisfaction_rating: visit.satisfaction_rating,
        session_notes: visit.session_notes.clone(),
        staff_name: visit
            .staff_name
            .clone()
            .or_else(|| Some(user.display_name.clone())),
        package_usage_id: visit.package_usage_id.clone(),
        package_name,
        amount: visit.amount(),
        payment_method: visit.payment_method.clone(),
        created_by: Some(user.user_id.clone()),
        created_at: now.clone(),
        cancelled_at: None,
        cancel_reason: None,
        cancelled_by: None,
    };
    sessions::insert(&mut w, &session).await?;
    if let Some(pid) = &session.package_usage_id {
        stats::refresh_purchase(w.conn(), pid, today).await?;
    }
    stats::refresh_customer(w.conn(), &customer.id).await?;
    clinic_stats::refresh_days(w.conn(), &[session.service_date.to_string()]).await?;
    w.commit().await?;
    Ok(created(session.to_json()))
}

/// 방문 취소 (cancel a visit)
///
/// 보정 이벤트입니다: 방문은 기록에 `cancelled: true`와 사유로 남고, 쓴 패키지 회차는
/// 돌아옵니다 (단건 방문의 금액은 환불로 정산에 잡힙니다). 사유는 필수입니다.
///
/// 관리자(manager, admin)는 언제든 취소합니다. 직원(staff, doctor)은 자신이 기록한 방문만,
/// 기록 후 10분 안에, 같은 날에 취소합니다 (`void_until`): 아니면 403 `VISIT_VOID_NOT_OWN`
/// 또는 `VISIT_VOID_WINDOW_PASSED`.
#[utoipa::path(post, path = "/sessions/{id}/cancel",
    params(SessionId),
    request_body = CancelInput,
    responses((status = 200, body = CancelResult)),
    extensions(("x-errors" = json!(["SESSION_NOT_FOUND", "SESSION_ALREADY_CANCELLED",
        "VISIT_VOID_NOT_OWN", "VISIT_VOID_WINDOW_PASSED", "CUSTOMER_NOT_FOUND",
        "CUSTOMER_ANONYMIZED"]))))]
pub async fn cancel_visit(
    State(state): State<AppState>,
    user: Authorized<RecordActivity>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let reason = parse_cancel_reason(&body)?;
    let id = checked_id(&id, ErrorCode::SessionNotFound)?;
    let now = state.now_text();
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    let session = sessions::get(w.conn(), id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::SessionNotFound))?;
    customer_in(&mut w, &session.customer_id).await?;
    if session.cancelled_at.is_some() {
        return Err(ApiError::code(ErrorCode::SessionAlreadyCancelled));
    }
    // A manager's cancel any time; anyone else voids only their own mistake, straight away.
    if !user.role.can(Capability::CancelActivity) {
        check_own_void(&session, &user.user_id, state.now())?;
    }
    if !sessions::cancel(&mut w, id, &reason).await? {
        return Err(ApiError::code(ErrorCode::SessionAlreadyCancelled));
    }
    if let Some(pid) = &session.package_usage_id {
        stats::refresh_purchase(w.conn(), pid, state.today()).await?;
    }
    stats::refresh_customer(w.conn(), &session.customer_id).await?;
    clinic_stats::refresh_days(w.conn(), &[session.service_date.to_string()]).await?;
    w.commit().await?;
    Ok(ok(json!({
        "session_id": id, "cancelled_at": now, "reason": reason,
        "refunded_amount": session.amount, "payment_method": session.payment_method,
    })))
}
