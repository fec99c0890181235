//! Money after the sale: a manager cancels or refunds a purchase (a compensating event),
//! receipts for a purchase or a paid visit, the daily cash-up by payment method, and the
//! clinic's details that head them.

use super::customers::{checked_id, customer_in};
use crate::auth::{
    Administer, Analytics, AuthUser, Authorized, CancelActivity, ReadCustomers, RecordActivity,
};
use crate::body::{JsonBody, QueryMap};
use crate::envelope::{ok, ApiError, ApiResult};
use crate::openapi::schemas::{
    CashUp, CashUpParams, ClinicSettings, ClinicSettingsInput, PackageUsage, PurchaseCancelInput,
    PurchaseId, Receipt, SessionId,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use clinicdesk_domain::money::{
    cash_up as add_up, parse_clinic, parse_purchase_cancel, receipt_number,
};
use clinicdesk_domain::package::{package_usage, usage_json, Purchase};
use clinicdesk_domain::ErrorCode;
use clinicdesk_store::{clinic_stats, customers, money, packages, sessions, stats};
use serde_json::{json, Value};

/// 구매 취소·환불 (cancel or refund a purchase; managers)
///
/// 보정 이벤트입니다: 판매 기록은 그대로 남고 취소(사유, 환불 금액, 환불 수단)가 덧붙습니다.
/// 이미 쓴 회차는 방문 기록에 남고, 패키지는 `cancelled`가 되어 더는 쓸 수 없습니다 (방문 기록은
/// 409 `PACKAGE_CANCELLED`). 환불 금액은 결제한 금액 이하, 0보다 크면 환불 수단이 필수입니다.
/// 고객의 매출(`total_revenue`)은 환불을 뺀 금액이 됩니다.
#[utoipa::path(post, path = "/purchases/{id}/cancel",
    params(PurchaseId),
    request_body = PurchaseCancelInput,
    responses((status = 200, body = PackageUsage)),
    extensions(("x-errors" = json!(["PURCHASE_NOT_FOUND", "PURCHASE_ALREADY_CANCELLED",
        "CUSTOMER_NOT_FOUND", "CUSTOMER_ANONYMIZED"]))))]
pub async fn cancel_purchase(
    State(state): State<AppState>,
    user: Authorized<CancelActivity>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::PurchaseNotFound)?;
    let today = state.today();
    let now = state.now_text();
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    let purchase = packages::get_purchase(w.conn(), id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::PurchaseNotFound))?;
    customer_in(&mut w, &purchase.customer_id).await?;
    if purchase.is_cancelled() {
        return Err(ApiError::code(ErrorCode::PurchaseAlreadyCancelled));
    }
    let request = parse_purchase_cancel(&body, purchase.price_paid)?;
    if !packages::cancel_purchase(&mut w, &purchase, &request).await? {
        return Err(ApiError::code(ErrorCode::PurchaseAlreadyCancelled));
    }
    stats::refresh_purchase(w.conn(), id, today).await?;
    stats::refresh_customer(w.conn(), &purchase.customer_id).await?;
    clinic_stats::refresh_days(w.conn(), &[purchase.purchase_date.to_string()]).await?;
    let cancelled = packages::get_purchase(w.conn(), id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::PurchaseNotFound))?;
    let used = packages::used_by_service(w.conn(), &[id.to_string()]).await?;
    w.commit().await?;
    let usage = package_usage(
        &cancelled,
        used.get(id).unwrap_or(&Default::default()),
        today,
    );
    Ok(ok(usage_json(&cancelled, &usage)))
}

/// 패키지 구매 영수증 (a purchase's receipt)
///
/// 의원 정보, 판매일, 고객, 품목, 금액, 결제 수단, 판매한 직원. 취소·환불된 구매는 그 내용도
/// 함께 보여 줍니다. 다시 인쇄해도 영수증 번호는 같습니다.
#[utoipa::path(get, path = "/purchases/{id}/receipt",
    params(PurchaseId),
    responses((status = 200, body = Receipt)),
    extensions(("x-errors" = json!(["PURCHASE_NOT_FOUND"]))))]
pub async fn purchase_receipt(
    State(state): State<AppState>,
    user: Authorized<RecordActivity>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::PurchaseNotFound)?;
    let mut conn = state.db.conn().await?;
    let purchase = packages::get_purchase(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::PurchaseNotFound))?;
    let seller = money::seller_of(&mut conn, id).await?;
    let sale = Sale {
        kind: "purchase",
        id: &purchase.id,
        customer_id: &purchase.customer_id,
        date: purchase.purchase_date,
        staff_name: seller,
        item: &purchase.package_name,
        detail: package_contents(&purchase),
        amount: purchase.price_paid,
        payment_method: purchase.payment_method.clone(),
        cancellation: purchase.cancellation.as_ref().map(|c| {
            json!({
                "reason": c.reason, "refund_amount": c.refund_amount,
                "refund_method": c.refund_method, "cancelled_at": c.cancelled_at,
            })
        }),
    };
    issue(
        &state,
        &user,
        conn,
        "package_purchase",
        ErrorCode::PurchaseNotFound,
        sale,
    )
    .await
}

/// One sale as a receipt shows it: a purchase or a paid visit is one line.
struct Sale<'a> {
    kind: &'static str,
    id: &'a str,
    customer_id: &'a str,
    date: chrono::NaiveDate,
    staff_name: Option<String>,
    item: &'a str,
    detail: String,
    amount: i64,
    payment_method: Option<String>,
    cancellation: Option<Value>,
}

/// The receipt of a sale: headed with the clinic's details and the customer's name, its
/// reading logged (`receipt.read` on `entity`).
async fn issue(
    state: &AppState,
    user: &AuthUser,
    mut conn: clinicdesk_store::PooledConn,
    entity: &str,
    missing: ErrorCode,
    s: Sale<'_>,
) -> ApiResult {
    let customer = customers::get(&mut conn, s.customer_id)
        .await?
        .ok_or_else(|| ApiError::code(missing))?;
    let clinic = money::clinic(&mut conn).await?;
    drop(conn);
    let now = state.now_text();
    state
        .db
        .record_access(user.access(&now, "receipt.read", entity, Some(s.id)))
        .await?;
    Ok(ok(json!({
        "receipt_number": receipt_number(s.date, s.id),
        "kind": s.kind,
        "issued_at": now,
        "clinic": clinic.to_json(),
        "customer_name": customer.name,
        "date": s.date.to_string(),
        "staff_name": s.staff_name,
        "items": [{
            "name": s.item,
            "detail": s.detail,
            "quantity": 1,
            "unit_price": s.amount,
            "amount": s.amount,
        }],
        "total": s.amount,
        "payment_method": s.payment_method,
        "cancellation": s.cancellation,
    })))
}

/// `브레인 피드백 10회, 펄스 케어 10회 · 90일`: what the package holds, as a receipt line.
fn package_contents(p: &Purchase) -> String {
    let sessions: Vec<String> = p
        .sessions
        .iter()
        .map(|(s, n)| format!("{} {n}회", s.info().name))
        .collect();
    format!("{} · {}까지", sessions.join(", "), p.expiry_date)
}

/// 단건 방문 영수증 (a paid visit's receipt)
///
/// 패키지로 이용한 방문에는 영수증이 없습니다 (422 `NO_RECEIPT`: 패키지 구매 영수증을 씁니다).
#[utoipa::path(get, path = "/sessions/{id}/receipt",
    params(SessionId),
    responses((status = 200, body = Receipt)),
    extensions(("x-errors" = json!(["SESSION_NOT_FOUND", "NO_RECEIPT"]))))]
pub async fn visit_receipt(
    State(state): State<AppState>,
    user: Authorized<RecordActivity>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::SessionNotFound)?;
    let mut conn = state.db.conn().await?;
    let visit = sessions::get(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::SessionNotFound))?;
    if visit.package_usage_id.is_some() || visit.amount == 0 {
        return Err(ApiError::code(ErrorCode::NoReceipt));
    }
    let sale = Sale {
        kind: "visit",
        id: &visit.id,
        customer_id: &visit.customer_id,
        date: visit.service_date,
        staff_name: visit.staff_name.clone(),
        item: visit.service_type.info().name,
        detail: format!("{}분", visit.duration_minutes),
        amount: visit.amount,
        payment_method: visit.payment_method.clone(),
        cancellation: visit.cancelled_at.as_ref().map(|at| {
            json!({
                "reason": visit.cancel_reason, "refund_amount": visit.amount,
                "refund_method": visit.payment_method, "cancelled_at": at,
            })
        }),
    };
    issue(
        &state,
        &user,
        conn,
        "service_session",
        ErrorCode::SessionNotFound,
        sale,
    )
    .await
}

/// 일일 정산 (the day's sales and refunds by payment method; managers)
///
/// 매출: 그날 판 패키지(받은 금액)와 그날의 단건 방문. 나중에 취소된 매출도 `cancelled`로
/// 남습니다 — 그 돈은 취소한 날의 환불로 빠집니다. 환불: 그날(한국 시간) 취소·환불한 구매의
/// 환불 금액과 취소한 단건 방문의 금액. 결제 수단이 없는 예전 매출은 `unrecorded`.
#[utoipa::path(get, path = "/cash-up",
    params(CashUpParams),
    responses((status = 200, body = CashUp)))]
pub async fn cash_up(
    State(state): State<AppState>,
    user: Authorized<Analytics>,
    q: QueryMap,
) -> ApiResult {
    let day = q.date("date")?.unwrap_or_else(|| state.today());
    let mut conn = state.db.conn().await?;
    let (sales, refunds) = money::day_of_money(&mut conn, day).await?;
    drop(conn);
    let mut access = user.access(&state.now_text(), "cashup.read", "cash_up", None);
    access.details = json!({ "date": day.to_string() });
    state.db.record_access(access).await?;
    Ok(ok(add_up(day, sales, refunds)))
}

/// 의원 정보 (the clinic's details on receipts and the cash-up)
#[utoipa::path(get, path = "/settings/clinic",
    responses((status = 200, body = ClinicSettings)))]
pub async fn clinic(State(state): State<AppState>, _user: Authorized<ReadCustomers>) -> ApiResult {
    let mut conn = state.db.conn().await?;
    Ok(ok(money::clinic(&mut conn).await?.to_json()))
}

/// 의원 정보 저장 (admins)
///
/// 이름은 필수, 사업자등록번호는 000-00-00000. 모든 항목의 오류를 한 번에 알려 줍니다.
#[utoipa::path(put, path = "/settings/clinic",
    request_body = ClinicSettingsInput,
    responses((status = 200, body = ClinicSettings)))]
pub async fn update_clinic(
    State(state): State<AppState>,
    user: Authorized<Administer>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let settings = parse_clinic(&body)?;
    let now = state.now_text();
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    money::set_clinic(&mut w, &settings).await?;
    w.commit().await?;
    let value: Value = settings.to_json();
    Ok(ok(value))
}
