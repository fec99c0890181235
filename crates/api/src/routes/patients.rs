//! Allergy-care patients (seed 001 §4.3): register a customer (new or existing) as a patient
//! under a patient number, list and read them; and the allergy alert every clinic role sees
//! on a customer with a high-risk result.

use super::customers::{check_duplicates, checked_id, customer_in};
use crate::auth::{Authorized, HealthData, ReadCustomers};
use crate::body::{JsonBody, QueryMap};
use crate::envelope::{created, ok, ApiError, ApiResult};
use crate::openapi::schemas::{
    AllergyAlert, ConfirmDistinctParams, CustomerId, Patient, PatientCreate, PatientCreated,
    PatientId, PatientList, PatientListParams,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use chrono::Datelike;
use clinicdesk_domain::customer::{apply_patch, CustomerRecord};
use clinicdesk_domain::fields::{object, opt_date, opt_text, reject_unknown};
use clinicdesk_domain::mask::mask_phone;
use clinicdesk_domain::{ids, DomainError, ErrorCode, Role};
use clinicdesk_store::patients::{self, PatientRecord, PatientView};
use clinicdesk_store::{customers, diagnoses, users, WriteTx};
use serde_json::{json, Map, Value};

pub fn patient_not_found() -> ApiError {
    ApiError::code(ErrorCode::PatientNotFound)
}

/// A live patient, or 404 `PATIENT_NOT_FOUND`.
pub async fn patient_of(state: &AppState, id: &str) -> Result<PatientView, ApiError> {
    let id = checked_id(id, ErrorCode::PatientNotFound)?;
    let mut conn = state.db.conn().await?;
    patients::get(&mut conn, id)
        .await?
        .ok_or_else(patient_not_found)
}

fn person(id: &Option<String>, name: &Option<String>) -> Value {
    match (id, name) {
        (Some(id), Some(name)) => json!({ "id": id, "name": name }),
        _ => Value::Null,
    }
}

/// A patient as the detail shows it (doctors and admins see contact data whole).
pub fn patient_json(p: &PatientView) -> Value {
    json!({
        "id": p.patient.id,
        "customer_id": p.patient.id,
        "name": p.name,
        "phone": p.phone,
        "birth_date": p.patient.birth_date,
        "patient_number": p.patient.patient_number,
        "assigned_doctor": person(&p.patient.assigned_doctor_id, &p.assigned_doctor_name),
        "consent_signed": p.patient.consent_signed,
        "diagnosis_count": p.diagnosis_count,
        "last_diagnosis": p.last_diagnosis,
        "registered_at": p.patient.registered_at,
    })
}

/// 환자 목록 (allergy-care patients)
///
/// 이름·환자 번호(포함)나 전화번호 숫자(세 자리 이상, 포함)로 찾습니다. 목록의 전화번호는
/// 가려져 있습니다 (`010-****-5678`); 상세에서 전체를 봅니다. 최근 등록 순.
#[utoipa::path(get, path = "/pro/patients",
    params(PatientListParams),
    responses((status = 200, body = PatientList)))]
pub async fn list(
    State(state): State<AppState>,
    user: Authorized<HealthData>,
    q: QueryMap,
) -> ApiResult {
    let search = q.text("search").unwrap_or("").to_string();
    if search.chars().count() > 100 {
        return Err(DomainError::invalid("search", "검색어는 100자까지입니다").into());
    }
    let page = q.int("page", 1, 1, 100_000)?;
    let limit = q.int("limit", 20, 1, 100)?;
    let mut conn = state.db.conn().await?;
    let (items, total) = patients::list(&mut conn, &search, limit, (page - 1) * limit).await?;
    drop(conn);
    state
        .db
        .record_access(user.access(&state.now_text(), "patient.list", "patient", None))
        .await?;
    Ok(ok(json!({
        "items": items.iter().map(|p| json!({
            "id": p.patient.id,
            "name": p.name,
            "phone": mask_phone(&p.phone),
            "patient_number": p.patient.patient_number,
            "last_diagnosis": p.last_diagnosis,
            "diagnosis_count": p.diagnosis_count,
        })).collect::<Vec<_>>(),
        "total": total,
        "page": page,
        "pages": (total + limit - 1) / limit,
    })))
}

/// What a registration asks for, validated.
struct Registration {
    customer_id: Option<String>,
    name: Option<String>,
    phone: Option<String>,
    birth_date: Option<chrono::NaiveDate>,
    assigned_doctor_id: Option<String>,
}

fn parse_registration(body: &Value, today: chrono::NaiveDate) -> Result<Registration, ApiError> {
    let obj = object(body)?;
    reject_unknown(
        obj,
        &[
            "customer_id",
            "name",
            "phone",
            "birth_date",
            "consent",
            "assigned_doctor_id",
        ],
        "",
    )?;
    let null = Value::Null;
    let mut errors = Vec::new();
    if obj.get("consent") != Some(&Value::Bool(true)) {
        errors.push(
            DomainError::new(ErrorCode::HealthConsentRequired)
                .with_field("consent")
                .with_message(
                    "알레르기 검사 결과(건강정보)의 수집·이용 동의(consent: true)가 있어야 환자로 등록할 수 있습니다",
                ),
        );
    }
    let customer_id = opt_text("customer_id", obj.get("customer_id").unwrap_or(&null), 64)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let birth_date = match opt_date("birth_date", obj.get("birth_date").unwrap_or(&null)) {
        Ok(Some(d)) if d > today || d.year() < 1900 => {
            errors.push(DomainError::invalid(
                "birth_date",
                "생년월일은 1900년 이후, 오늘 이전이어야 합니다",
            ));
            None
        }
        Ok(d) => d,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let assigned_doctor_id = opt_text(
        "assigned_doctor_id",
        obj.get("assigned_doctor_id").unwrap_or(&null),
        64,
    )
    .map_err(|e| errors.push(e))
    .ok()
    .flatten();
    let text = |f: &str| obj.get(f).and_then(Value::as_str).map(str::to_string);
    if customer_id.is_some() && (obj.contains_key("name") || obj.contains_key("phone")) {
        errors.push(DomainError::invalid(
            "customer_id",
            "이미 있는 고객을 등록할 때는 이름과 전화번호를 보내지 않습니다 (고객 정보에서 고치세요)",
        ));
    }
    if let Some(e) = DomainError::several(errors) {
        return Err(e.into());
    }
    Ok(Registration {
        customer_id,
        name: text("name"),
        phone: text("phone"),
        birth_date,
        assigned_doctor_id,
    })
}

/// The next patient number of `year` on this node (see `clinicdesk_store::patients`).
async fn next_patient_number(w: &mut WriteTx, year: i32) -> Result<String, ApiError> {
    let upstream = clinicdesk_store::sync_node::state(w.conn())
        .await?
        .upstream_url
        .is_some();
    let n = if upstream {
        patients::take_from_blocks(w.conn(), year)
            .await?
            .ok_or_else(|| ApiError::code(ErrorCode::PatientNumberUnavailable))?
    } else {
        patients::take_from_counter(w.conn(), year, 1).await?
    };
    Ok(patients::format_number(year, n))
}

/// 환자 등록 (register a patient)
///
/// 새 고객이면 `name`, `phone`(그리고 선택으로 `birth_date`)을, 이미 있는 고객이면
/// `customer_id`를 보냅니다. `consent: true`(알레르기 검사 결과의 수집·이용 동의)가 없으면 422
/// `HEALTH_CONSENT_REQUIRED`; 고객의 건강정보 동의도 함께 기록됩니다. 환자 번호
/// `P-YYYY-NNNN`은 서버가 이 기기에 미리 나눠 준 번호에서 나오므로 오프라인에서도 겹치지
/// 않습니다; 남은 번호가 없으면 409 `PATIENT_NUMBER_UNAVAILABLE`. 같은 사람일 수 있는 고객이
/// 있으면 409 `DUPLICATE_CUSTOMER` (`?confirm_distinct=true`로 다시 보냄).
#[utoipa::path(post, path = "/pro/patients/new",
    params(ConfirmDistinctParams),
    request_body = PatientCreate,
    responses((status = 201, body = PatientCreated)),
    extensions(("x-errors" = json!(["HEALTH_CONSENT_REQUIRED", "PRIVACY_CONSENT_REQUIRED",
        "DUPLICATE_CUSTOMER", "CUSTOMER_NOT_FOUND", "CUSTOMER_ANONYMIZED", "PATIENT_ALREADY_REGISTERED",
        "PATIENT_NUMBER_UNAVAILABLE"]))))]
pub async fn create(
    State(state): State<AppState>,
    user: Authorized<HealthData>,
    q: QueryMap,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let confirmed = q.flag("confirm_distinct")?;
    let now = state.now_text();
    let today = state.today();
    let reg = parse_registration(&body, today)?;
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    let doctor = match &reg.assigned_doctor_id {
        Some(id) => {
            let found = users::by_id(w.conn(), checked_id(id, ErrorCode::ValidationError)?)
                .await?
                .filter(|u| u.active && u.role == Role::Doctor.as_str());
            Some(found.map(|u| u.id).ok_or_else(|| {
                ApiError(DomainError::invalid(
                    "assigned_doctor_id",
                    "담당 의사는 활성 상태인 의사 계정이어야 합니다",
                ))
            })?)
        }
        None if user.role == Role::Doctor => Some(user.user_id.clone()),
        None => None,
    };
    let consent: Map<String, Value> =
        serde_json::from_value(json!({ "privacy": true, "health_data": true })).unwrap_or_default();
    let customer_id = match &reg.customer_id {
        Some(id) => {
            let record = customer_in(&mut w, id).await?;
            if patients::exists(w.conn(), &record.id).await? {
                return Err(ApiError::code(ErrorCode::PatientAlreadyRegistered));
            }
            if !record.consent_health_data {
                let patch = json!({ "consent": { "health_data": true } });
                let (next, changes) =
                    apply_patch(&record, &patch, user.role, false, &now, today.year())?;
                customers::update(&mut w, &next, &changes.written_fields(), &[]).await?;
            }
            record.id
        }
        None => {
            let blank = CustomerRecord::new(ids::new_id(), &now);
            let mut patch = json!({ "consent": consent });
            for (field, value) in [("name", &reg.name), ("phone", &reg.phone)] {
                patch[field] = value.clone().map_or(Value::Null, Value::String);
            }
            if let Some(d) = reg.birth_date {
                patch["birth_year"] = json!(d.year());
            }
            let (record, _) = apply_patch(&blank, &patch, user.role, true, &now, today.year())?;
            let similar = check_duplicates(&mut w, &record, &user, confirmed, today).await?;
            customers::insert(&mut w, &record, &similar).await?;
            record.id
        }
    };
    let patient_number = next_patient_number(&mut w, today.year()).await?;
    let record = PatientRecord {
        id: customer_id.clone(),
        patient_number: patient_number.clone(),
        birth_date: reg.birth_date.map(|d| d.to_string()),
        assigned_doctor_id: doctor,
        consent_signed: true,
        consent_signed_at: Some(now.clone()),
        registered_by: Some(user.user_id.clone()),
        registered_at: now.clone(),
    };
    patients::insert(&mut w, &record).await?;
    w.commit().await?;
    if let Some(engine) = &state.sync_engine {
        engine.nudge();
    }
    Ok(created(json!({
        "success": true,
        "patient_id": customer_id,
        "patient_number": patient_number,
        "message": "환자가 등록되었습니다.",
    })))
}

/// 환자 상세 (a patient)
#[utoipa::path(get, path = "/pro/patients/{id}",
    params(PatientId),
    responses((status = 200, body = Patient)),
    extensions(("x-errors" = json!(["PATIENT_NOT_FOUND"]))))]
pub async fn get_one(
    State(state): State<AppState>,
    user: Authorized<HealthData>,
    Path(id): Path<String>,
) -> ApiResult {
    let p = patient_of(&state, &id).await?;
    state
        .db
        .record_access(user.access(
            &state.now_text(),
            "patient.read",
            "patient",
            Some(&p.patient.id),
        ))
        .await?;
    Ok(ok(patient_json(&p)))
}

/// 알레르기 경고 (allergy alert of a customer)
///
/// 고객 상세의 경고 배너: 가장 최근 진단에서 고위험(등급 4–6)인 항목의 이름만 알려 줍니다.
/// 서비스(오일, 장갑, 간식 등)에서 알레르기 유발 물질을 피하는 것은 모든 직원의 일이라 모든
/// 직원 역할이 봅니다; 등급과 전체 결과는 의사·관리자만 진단에서 봅니다. 환자가 아니거나
/// 진단이 없으면 `patient_number`가 `null`이거나 목록이 비어 있습니다.
#[utoipa::path(get, path = "/customers/{id}/allergy-alert",
    params(CustomerId),
    responses((status = 200, body = AllergyAlert)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND"]))))]
pub async fn alert(
    State(state): State<AppState>,
    user: Authorized<ReadCustomers>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::CustomerNotFound)?;
    let mut conn = state.db.conn().await?;
    customers::get(&mut conn, id)
        .await?
        .ok_or_else(super::customers::not_found)?;
    let patient = patients::get(&mut conn, id).await?;
    let latest = match &patient {
        Some(_) => diagnoses::of_patient(&mut conn, id)
            .await?
            .into_iter()
            .next(),
        None => None,
    };
    drop(conn);
    // The names as the prescription gave them (its knowledge version's tiers).
    let high: Vec<Value> = latest
        .as_ref()
        .and_then(|d| serde_json::from_str::<Value>(&d.prescription).ok())
        .and_then(|p| p["high_risk"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|e| json!({ "allergen": e["allergen"], "name_ko": e["name_ko"] }))
        .collect();
    state
        .db
        .record_access(user.access(
            &state.now_text(),
            "customer.allergy_alert.read",
            "customer",
            Some(id),
        ))
        .await?;
    Ok(ok(json!({
        "customer_id": id,
        "patient_number": patient.as_ref().map(|p| p.patient.patient_number.clone()),
        "high_risk_allergens": high,
        "diagnosis_date": latest.as_ref().map(|d| d.diagnosis_date.clone()),
    })))
}
