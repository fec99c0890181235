//! Customer endpoints: create, list (seed 004), extended search (seed 000 §4.1), profile,
//! detail (seed 000 §1), update, delete/anonymise.

use crate::auth::{AuthUser, Authorized, DeleteCustomers, EditCustomers, ReadCustomers};
use crate::body::{JsonBody, QueryMap};
use crate::envelope::{created, ok, ApiError, ApiResult};
use crate::openapi::schemas::{
    ConfirmDistinctParams, Customer, CustomerCreate, CustomerDetail, CustomerId, CustomerList,
    CustomerUpdate, DeleteParams, DetailParams, DetailUpdateResult, ListParams, SearchParams,
    SearchResult, UpdateResult,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::IntoResponse;
use chrono::Datelike;
use clinicdesk_domain::customer::{
    self as dc, apply_patch, customer_json, preferences_json, ChangeSet, CustomerRecord, View,
    CUSTOMER_STATUSES, MEMBERSHIP_LEVELS,
};
use clinicdesk_domain::package::{
    package_usage, usage_json, usage_summary, PackageUsage, Purchase, StatusDay, CANCELLED,
    EXPIRED_RANK, PACKAGE_STATUSES,
};
use clinicdesk_domain::search::{standing, PackageKey, SortKey};
use clinicdesk_domain::stats::{CustomerStats, RISK_LEVELS};
use clinicdesk_domain::{ids, DomainError, ErrorCode, ServiceType};
use clinicdesk_store::customers::{self, ListQuery, ListedCustomer, SearchQuery};
use clinicdesk_store::{packages, sessions, WriteTx};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

pub fn not_found() -> ApiError {
    ApiError::code(ErrorCode::CustomerNotFound)
}

/// Ids in paths are UUIDs; anything else cannot name a record.
pub fn checked_id(id: &str, missing: ErrorCode) -> Result<&str, ApiError> {
    if ids::is_valid_id(id) {
        Ok(id)
    } else {
        Err(ApiError::code(missing))
    }
}

/// Loads a live customer inside a write, or 404; an anonymised customer is read-only (409),
/// so nobody can write identifying data back into it.
pub async fn customer_in(w: &mut WriteTx, id: &str) -> Result<CustomerRecord, ApiError> {
    let record = customers::get(w.conn(), checked_id(id, ErrorCode::CustomerNotFound)?)
        .await?
        .ok_or_else(not_found)?;
    if record.anonymized_at.is_some() {
        return Err(ApiError::code(ErrorCode::CustomerAnonymized));
    }
    Ok(record)
}

/// Refuses to save `record` when another customer may be the same person, unless the caller
/// confirmed they are different people (`confirm_distinct=true`).
///
/// What "may be the same person" means depends on what the caller can see. A role that sees
/// phone numbers whole is told of a customer with the same name and number. A role that sees
/// them masked must not learn whether a number it typed belongs to someone: for it the check
/// uses only what it can see anyway — the same name and the same last four digits — and the
/// answer describes the other customer as that role sees it. Its confirmation saves even an
/// exact duplicate (refusing it then would confirm the hidden number); the audit event names
/// the customers it resembled, for a manager to review or merge.
pub(crate) async fn check_duplicates(
    w: &mut WriteTx,
    record: &CustomerRecord,
    user: &AuthUser,
    confirmed: bool,
    today: chrono::NaiveDate,
) -> Result<Vec<String>, ApiError> {
    let exact = !View::for_role(user.role).masked;
    let similar = customers::possible_duplicates(w.conn(), record, exact).await?;
    let ids: Vec<String> = similar.iter().map(|(c, _)| c.id.clone()).collect();
    if similar.is_empty() || confirmed {
        return Ok(ids);
    }
    let candidates: Vec<Value> = similar
        .iter()
        .map(|(c, stats)| {
            let v = customer_json(c, stats, user.role, today);
            json!({
                "customer_id": v["id"], "name": v["name"], "phone": v["phone"],
                "membership_level": v["membership_level"], "last_visit_date": v["last_visit_date"],
            })
        })
        .collect();
    let mut details = json!({ "candidates": candidates, "confirm_with": "confirm_distinct=true" });
    if exact {
        details["existing_customer_id"] = json!(ids[0]);
    }
    let message = if exact {
        clinicdesk_domain::Msg::DuplicateExact
    } else {
        clinicdesk_domain::Msg::DuplicateLastFour
    };
    Err(ApiError(
        DomainError::new(ErrorCode::DuplicateCustomer)
            .with_field("phone")
            .with_msg(message)
            .with_details(details),
    ))
}

/// 고객 등록 (new customer)
///
/// 답은 요청한 역할이 볼 수 있는 고객 객체입니다 (staff는 가려진 연락처). 가려진 값
/// (`***`가 든 이메일·주소)은 입력으로 받지 않습니다.
///
/// 같은 사람일 수 있는 고객이 있으면 409 `DUPLICATE_CUSTOMER`: `details.candidates`가 그
/// 고객들을 요청한 역할이 보는 대로 알려 주고 (staff에게는 같은 이름과 전화번호 끝 네 자리로
/// 찾은 고객, 가려진 번호), 다른 사람이면 `?confirm_distinct=true`로 다시 보내 저장합니다.
///
/// 개인정보 수집·이용 동의(`consent.privacy: true`)가 없으면 422 `PRIVACY_CONSENT_REQUIRED`;
/// 건강 항목은 건강정보 동의(`consent.health_data: true`)와 함께만 저장합니다 (422
/// `HEALTH_CONSENT_REQUIRED`, `details.fields`).
#[utoipa::path(post, path = "/customers",
    params(ConfirmDistinctParams),
    request_body = CustomerCreate,
    responses((status = 201, body = Customer)),
    extensions(("x-errors" = json!(["DUPLICATE_CUSTOMER", "FORBIDDEN_ROLE",
        "PRIVACY_CONSENT_REQUIRED", "HEALTH_CONSENT_REQUIRED"]))))]
pub async fn create(
    State(state): State<AppState>,
    user: Authorized<EditCustomers>,
    q: QueryMap,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let confirmed = q.flag("confirm_distinct")?;
    let now = state.now_text();
    let today = state.today();
    let blank = CustomerRecord::new(ids::new_id(), &now);
    let (record, _) = apply_patch(&blank, &body, user.role, true, &now, today.year())?;
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    let similar = check_duplicates(&mut w, &record, &user, confirmed, today).await?;
    customers::insert(&mut w, &record, &similar).await?;
    w.commit().await?;
    Ok(created(customer_json(
        &record,
        &CustomerStats::default(),
        user.role,
        today,
    )))
}

fn list_item(c: &ListedCustomer, user: &AuthUser, today: chrono::NaiveDate) -> Value {
    let full = customer_json(&c.record, &c.stats, user.role, today);
    json!({
        "id": full["id"], "customer_id": full["customer_id"], "name": full["name"], "phone": full["phone"],
        "membership_level": full["membership_level"], "customer_status": full["customer_status"],
        "risk_level": full["risk_level"], "first_visit_date": full["first_visit_date"],
        "last_visit_date": full["last_visit_date"], "total_visits": full["total_visits"],
        "total_revenue": full["total_revenue"], "assigned_staff": full["assigned_staff"],
        "last_interaction": c.last_interaction_at, "interaction_count": c.interaction_count,
        "profile_completeness": full["profile_completeness"],
    })
}

/// Logs a page of customers shown to `user`: which query, and which customers were on it, so
/// "who saw this customer" finds list and search views too. Answered only once logged.
async fn log_page(
    state: &AppState,
    user: &AuthUser,
    action: &str,
    q: &QueryMap,
    items: &[ListedCustomer],
) -> Result<(), ApiError> {
    let mut access = user.access(&state.now_text(), action, "customer", None);
    let query: Map<String, Value> = q.0.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    access.details = json!({ "query": query, "shown": items.len() });
    access.subjects = items.iter().map(|c| c.record.id.clone()).collect();
    state.db.record_access(access).await?;
    Ok(())
}

/// 고객 목록 (customer list)
///
/// 이름순. `search`는 이름 일부, 전화번호 숫자, 이메일에 맞춥니다.
#[utoipa::path(get, path = "/customers",
    params(ListParams),
    responses((status = 200, body = CustomerList)))]
pub async fn list(
    State(state): State<AppState>,
    user: Authorized<ReadCustomers>,
    q: QueryMap,
) -> ApiResult {
    let query = ListQuery {
        search: q.text("search").map(str::to_string),
        masked: View::for_role(user.role).masked,
        membership_level: q.one_of("membership_level", &MEMBERSHIP_LEVELS)?,
        customer_status: q.one_of("customer_status", &CUSTOMER_STATUSES)?,
        assigned_staff: q.text("assigned_staff").map(str::to_string),
        limit: q.int("limit", 20, 1, 100)?,
        offset: q.int("offset", 0, 0, 10_000_000)?,
    };
    let today = state.today();
    let mut conn = state.db.conn().await?;
    let (items, total) = customers::list(&state.db, &mut conn, &query, today).await?;
    drop(conn);
    log_page(&state, &user, "customer.list", &q, &items).await?;
    Ok(ok(json!({
        "customers": items.iter().map(|c| list_item(c, &user, today)).collect::<Vec<_>>(),
        "total_count": total,
        "pagination": {
            "limit": query.limit,
            "offset": query.offset,
            "has_more": query.offset + (items.len() as i64) < total,
        },
    })))
}

/// 고객 검색 (extended search)
///
/// 필터를 모두 만족하는 고객을 정렬해 한 페이지씩 돌려줍니다. 정렬 규칙과 `active_package`는
/// docs/API.md에 있습니다: 방문한 적 없는 고객은 `last_visit` 정렬에서 방향과 상관없이 맨 뒤,
/// 같은 값은 이름, 그다음 id 순.
#[utoipa::path(get, path = "/customers/search",
    params(SearchParams),
    responses((status = 200, body = SearchResult)))]
pub async fn search(
    State(state): State<AppState>,
    user: Authorized<ReadCustomers>,
    q: QueryMap,
) -> ApiResult {
    let sort_name = q
        .one_of("sort_by", &SortKey::NAMES)?
        .unwrap_or_else(|| "name".into());
    let sort_by = SortKey::parse(&sort_name).unwrap_or_default();
    let descending = match q.one_of("sort_order", &["asc", "desc"])? {
        Some(order) => order == "desc",
        None => !sort_by.ascending_by_default(),
    };
    let service_codes = q.list_of("service_filter", &ServiceType::CODES)?;
    let query = SearchQuery {
        q: q.text("q").map(str::to_string),
        masked: View::for_role(user.role).masked,
        service_filter: service_codes
            .iter()
            .filter_map(|s| ServiceType::parse(s))
            .collect(),
        package_status: q.one_of("package_status", &PACKAGE_STATUSES)?,
        membership_level: q.one_of("membership_level", &MEMBERSHIP_LEVELS)?,
        risk_level: q.one_of("risk_level", &RISK_LEVELS)?,
        last_visit_from: q.date("last_visit_from")?,
        last_visit_to: q.date("last_visit_to")?,
        sort_by,
        descending,
        page: q.int("page", 1, 1, 100_000)?,
        size: q.int("size", 20, 1, 100)?,
    };
    if let (Some(from), Some(to)) = (query.last_visit_from, query.last_visit_to) {
        if from > to {
            return Err(DomainError::field_error(
                "last_visit_from",
                clinicdesk_domain::Msg::DateOrder,
            )
            .into());
        }
    }
    let today = state.today();
    let mut conn = state.db.conn().await?;
    let (items, total) = customers::search(&state.db, &mut conn, &query, today).await?;

    // The package of each customer on the page that shows their package standing (the one the
    // package-status filter and the expiry sort went by), from the same rule as the index.
    // The roll-up says which one it is; visits are counted for those alone.
    let ids: Vec<String> = items.iter().map(|c| c.record.id.clone()).collect();
    let purchases = packages::purchases_of_many(&mut conn, &ids).await?;
    let all_ids: Vec<String> = purchases.iter().map(|p| p.id.clone()).collect();
    let remaining = packages::remaining_sessions(&mut conn, &all_ids).await?;
    let mut by_customer: HashMap<&str, Vec<&Purchase>> = HashMap::new();
    // A cancelled package is no package here, as in the filters that chose these rows.
    for p in purchases.iter().filter(|p| !p.is_cancelled()) {
        by_customer.entry(&p.customer_id).or_default().push(p);
    }
    let day = StatusDay::new(today);
    let chosen: Vec<&Purchase> = by_customer
        .values()
        .filter_map(|held| {
            let keys: Vec<PackageKey> = held
                .iter()
                .map(|p| PackageKey {
                    expiry: p.expiry_date,
                    total_sessions: p.total_sessions(),
                    remaining_sessions: remaining.get(&p.id).copied().unwrap_or(0),
                })
                .collect();
            standing(&day, &keys).map(|s| held[s.index])
        })
        .collect();
    let chosen_ids: Vec<String> = chosen.iter().map(|p| p.id.clone()).collect();
    let used = packages::used_by_service(&mut conn, &chosen_ids).await?;
    let mut shown: HashMap<String, (Value, String)> = HashMap::new();
    for p in chosen {
        let u = package_usage(p, used.get(&p.id).unwrap_or(&Default::default()), today);
        shown.insert(
            p.customer_id.clone(),
            (search_package_json(p, &u), usage_summary(&u)),
        );
    }

    drop(conn);
    log_page(&state, &user, "customer.search", &q, &items).await?;

    let customers: Vec<Value> = items
        .iter()
        .map(|c| {
            let mut item = list_item(c, &user, today);
            let pkg = shown.remove(&c.record.id);
            // The older fields name the package only while it can still be used.
            let usable = pkg
                .as_ref()
                .filter(|(p, _)| p["package_status"] != PACKAGE_STATUSES[EXPIRED_RANK as usize]);
            item["active_package"] = usable.map_or(Value::Null, |(p, _)| p["package_name"].clone());
            item["package_usage_summary"] =
                usable.map_or(Value::Null, |(_, summary)| json!(summary));
            item["package"] = pkg.map_or(Value::Null, |(p, _)| p);
            item
        })
        .collect();

    let mut filters = Map::new();
    for key in [
        "q",
        "package_status",
        "membership_level",
        "risk_level",
        "last_visit_from",
        "last_visit_to",
    ] {
        if let Some(v) = q.text(key) {
            filters.insert(key.into(), json!(v));
        }
    }
    if !service_codes.is_empty() {
        filters.insert("service_filter".into(), json!(service_codes));
    }
    filters.insert("sort_by".into(), json!(sort_name));
    filters.insert(
        "sort_order".into(),
        json!(if query.descending { "desc" } else { "asc" }),
    );

    Ok(ok(json!({
        "customers": customers,
        "pagination": {
            "total": total,
            "page": query.page,
            "size": query.size,
            "total_pages": (total + query.size - 1) / query.size,
        },
        "filters_applied": filters,
    })))
}

/// A search row's package: what the list shows of it (no price, payment or notes).
fn search_package_json(p: &Purchase, u: &PackageUsage) -> Value {
    let full = usage_json(p, u);
    let mut out = Map::new();
    for key in [
        "package_usage_id",
        "package_name",
        "package_status",
        "purchase_date",
        "expiry_date",
        "days_remaining",
        "total_sessions",
        "used_sessions",
        "remaining_sessions",
        "service_breakdown",
    ] {
        out.insert(key.into(), full[key].clone());
    }
    Value::Object(out)
}

/// 고객 프로필 (a customer)
///
/// 읽기는 감사 기록에 남습니다 (audited read).
#[utoipa::path(get, path = "/customers/{id}",
    params(CustomerId),
    responses((status = 200, body = Customer)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND"]))))]
pub async fn get_one(
    State(state): State<AppState>,
    user: Authorized<ReadCustomers>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::CustomerNotFound)?;
    let access = user.access(&state.now_text(), "customer.read", "customer", Some(id));
    let (record, stats) = logged_read(&state, access, async {
        let mut conn = state.db.conn().await?;
        customers::get_with_stats(&mut conn, id)
            .await?
            .ok_or_else(not_found)
    })
    .await?;
    Ok(ok(customer_json(&record, &stats, user.role, state.today())))
}

/// Reads and logs the read at the same time. The answer waits for both — it is never sent
/// before its access event is committed — but the commit's flush to disk overlaps the reading
/// instead of following it. The event records the request: it is there even when the record
/// turns out not to exist (a probe of an id is worth knowing too).
pub async fn logged_read<T>(
    state: &AppState,
    access: clinicdesk_store::access_log::Access,
    read: impl std::future::Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    let (data, logged) = tokio::join!(read, state.db.record_access(access));
    logged?;
    data
}

async fn detail_json(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    history_limit: i64,
) -> Result<Value, ApiError> {
    let today = state.today();
    let mut conn = state.db.conn().await?;
    let (record, stats) = customers::get_with_stats(&mut conn, id)
        .await?
        .ok_or_else(not_found)?;
    let history = sessions::history(&mut conn, id, history_limit).await?;
    let purchases = packages::purchases_of(&mut conn, id).await?;
    let purchase_ids: Vec<String> = purchases.iter().map(|p| p.id.clone()).collect();
    let used = packages::used_by_service(&mut conn, &purchase_ids).await?;
    let active: Vec<Value> = purchases
        .iter()
        .filter_map(|p| {
            let u = package_usage(p, used.get(&p.id).unwrap_or(&Default::default()), today);
            (u.package_status != "expired" && u.package_status != CANCELLED)
                .then(|| usage_json(p, &u))
        })
        .collect();
    Ok(json!({
        "customer": customer_json(&record, &stats, user.role, today),
        "serviceHistory": history.iter().map(|s| s.to_json()).collect::<Vec<_>>(),
        "activePackages": active,
        "preferences": preferences_json(&record, user.role),
    }))
}

/// 고객 상세 (customer detail)
///
/// 프로필, 최근 방문, 만료되지 않은 패키지와 사용 현황, 선호. 읽기는 감사 기록에 남습니다.
#[utoipa::path(get, path = "/customers/{id}/detail",
    params(CustomerId, DetailParams),
    responses((status = 200, body = CustomerDetail)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND"]))))]
pub async fn detail(
    State(state): State<AppState>,
    user: Authorized<ReadCustomers>,
    Path(id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::CustomerNotFound)?;
    let limit = q.int("history_limit", 50, 1, 500)?;
    let access = user.access(
        &state.now_text(),
        "customer.detail.read",
        "customer",
        Some(id),
    );
    let data = logged_read(&state, access, detail_json(&state, &user, id, limit)).await?;
    Ok(ok(data))
}

/// Validates and saves an update; returns the saved record and what changed.
async fn apply_update(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    body: &Value,
    confirmed: bool,
) -> Result<(CustomerRecord, ChangeSet), ApiError> {
    let now = state.now_text();
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    let current = customer_in(&mut w, id).await?;
    let (next, changes) =
        apply_patch(&current, body, user.role, false, &now, state.today().year())?;
    if changes.updated_fields.is_empty() {
        return Ok((current, changes));
    }
    let mut similar = Vec::new();
    if next.identity() != current.identity() {
        similar = check_duplicates(&mut w, &next, user, confirmed, state.today()).await?;
    }
    customers::update(&mut w, &next, &changes.written_fields(), &similar).await?;
    w.commit().await?;
    Ok((next, changes))
}

/// 고객 수정 (update a customer)
///
/// 부분 수정: 보낸 필드만 바뀝니다. 건강 정보는 doctor/admin만 쓸 수 있습니다.
/// `changes_summary`는 요청한 역할이 보는 값으로 씁니다 (staff: `010-****-5678 → 010-****-1111`).
/// 가려진 값은 입력으로 받지 않고, 익명화된 고객은 바꿀 수 없습니다 (409 `CUSTOMER_ANONYMIZED`).
///
/// 건강 항목에 값을 쓰려면 건강정보 동의가 저장되어 있거나 같은 요청에 있어야 합니다 (422
/// `HEALTH_CONSENT_REQUIRED`). 건강정보 동의를 철회하면 저장된 건강 항목이 함께 지워집니다.
/// 개인정보 동의는 수정으로 철회할 수 없습니다 (422 `PRIVACY_CONSENT_REQUIRED`: 삭제나 익명 처리).
///
/// 바꾼 이름·전화번호가 다른 고객과 같은 사람일 수 있으면 409 `DUPLICATE_CUSTOMER`
/// (`details.candidates`); 다른 사람이면 `?confirm_distinct=true`로 다시 보냅니다.
#[utoipa::path(put, path = "/customers/{id}",
    params(CustomerId, ConfirmDistinctParams),
    request_body = CustomerUpdate,
    responses((status = 200, body = UpdateResult)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND", "DUPLICATE_CUSTOMER",
        "CUSTOMER_ANONYMIZED", "FORBIDDEN_ROLE", "PRIVACY_CONSENT_REQUIRED",
        "HEALTH_CONSENT_REQUIRED"]))))]
pub async fn update(
    State(state): State<AppState>,
    user: Authorized<EditCustomers>,
    Path(id): Path<String>,
    q: QueryMap,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let (record, changes) =
        apply_update(&state, &user, &id, &body, q.flag("confirm_distinct")?).await?;
    Ok(ok(json!({
        "id": record.id,
        "updated_fields": changes.updated_fields,
        "profile_completeness": record.profile_completeness(),
        "last_updated": record.updated_at,
        "changes_summary": changes.changes_summary,
    })))
}

/// 상세 화면에서 고객 수정 (update, answering the detail)
///
/// `PUT /customers/{id}`와 같은 규칙 (`confirm_distinct`, 익명화된 고객은 409); 답은 수정 뒤의
/// 상세와 바뀐 내용입니다.
#[utoipa::path(put, path = "/customers/{id}/detail",
    params(CustomerId, ConfirmDistinctParams),
    request_body = CustomerUpdate,
    responses((status = 200, body = DetailUpdateResult)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND", "DUPLICATE_CUSTOMER",
        "CUSTOMER_ANONYMIZED", "FORBIDDEN_ROLE", "PRIVACY_CONSENT_REQUIRED",
        "HEALTH_CONSENT_REQUIRED"]))))]
pub async fn update_detail(
    State(state): State<AppState>,
    user: Authorized<EditCustomers>,
    Path(id): Path<String>,
    q: QueryMap,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let (record, changes) =
        apply_update(&state, &user, &id, &body, q.flag("confirm_distinct")?).await?;
    let mut data = detail_json(&state, &user, &record.id, 50).await?;
    data["updated_fields"] = json!(changes.updated_fields);
    data["changes_summary"] = Value::Object(changes.changes_summary);
    Ok(ok(data))
}

/// 고객 삭제 또는 익명화 (delete or anonymise)
///
/// `anonymize`(기본)는 이름, 연락처, 주소, 건강 정보, 메모를 지우고 방문 기록은 통계용으로
/// 남깁니다. 본문 없이 204로 답합니다. 이미 익명화된 고객을 다시 익명화하면 409
/// `CUSTOMER_ANONYMIZED`; `delete`로 지우는 것은 됩니다.
#[utoipa::path(delete, path = "/customers/{id}",
    params(CustomerId, DeleteParams),
    responses((status = 204, description = "삭제됨 (no body)", headers(
        ("X-Data-Retention" = String, description = "`anonymized` 또는 `deleted`"),
        ("X-Related-Records-Updated" = i64, description = "함께 바뀐 기록 수"),
    ))),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND", "CUSTOMER_ANONYMIZED"]))))]
pub async fn delete(
    State(state): State<AppState>,
    user: Authorized<DeleteCustomers>,
    Path(id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let policy = q
        .one_of("data_retention_policy", &["anonymize", "delete"])?
        .unwrap_or_else(|| "anonymize".into());
    let now = state.now_text();
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    let current = customers::get(w.conn(), checked_id(&id, ErrorCode::CustomerNotFound)?)
        .await?
        .ok_or_else(not_found)?;
    // An anonymised customer can still be erased, but not anonymised a second time.
    if current.anonymized_at.is_some() && policy != "delete" {
        return Err(ApiError::code(ErrorCode::CustomerAnonymized));
    }
    let scrubbed = dc::anonymized(&current, &now);
    let (related, label) = if policy == "delete" {
        (customers::delete(&mut w, &scrubbed).await?, "deleted")
    } else {
        (customers::anonymize(&mut w, &scrubbed).await?, "anonymized")
    };
    w.commit().await?;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut()
        .insert("x-data-retention", HeaderValue::from_static(label));
    resp.headers_mut()
        .insert("x-related-records-updated", HeaderValue::from(related));
    Ok(resp)
}
