//! Allergy test kits: staff issue batches (serial + PIN, the PIN kept as an Argon2id hash);
//! a patient registers a kit with its PIN and checks a kit's status (seed 001 §4.4). Wrong PINs
//! count against the kit's serial in the login guard: after repeated failures the kit is
//! locked for a while (429), right PIN or not.

use super::consumer::caller_patient;
use crate::auth::{Authorized, HealthData, OwnAllergyData};
use crate::body::{JsonBody, QueryMap};
use crate::envelope::{created, ok, ApiError, ApiResult};
use crate::limits::ClientIp;
use crate::openapi::schemas::{
    KitIssue, KitIssued, KitList, KitListParams, KitRegister, KitRegistered, KitSerial, KitStatus,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use clinicdesk_domain::fields::{object, reject_unknown};
use clinicdesk_domain::{DomainError, ErrorCode};
use clinicdesk_store::kits::{self, KitView};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::net::IpAddr;

/// At most this many kits per request: each PIN is hashed with Argon2id (~50 ms).
pub const MAX_KITS_PER_BATCH: usize = 100;

/// Serials are upper-case letters, digits and hyphens, 4–40 characters (`SGT-2026-00001`).
pub fn normalize_serial(raw: &str) -> Option<String> {
    let s = raw.trim().to_uppercase();
    let ok =
        (4..=40).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    ok.then_some(s)
}

fn valid_pin(pin: &str) -> bool {
    (4..=12).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit())
}

fn status_message(status: &str) -> &'static str {
    match status {
        "registered" => "등록된 키트입니다. 내 진단에서 결과를 볼 수 있습니다.",
        "result_entered" => "검사 결과가 입력되었습니다. 등록 가능합니다.",
        _ => "검사 결과를 기다리고 있습니다.",
    }
}

fn kit_json(k: &KitView) -> Value {
    json!({
        "serial_number": k.serial,
        "batch": k.batch,
        "status": k.status(),
        "issued_at": k.created_at,
        "test_date": k.test_date,
        "patient_id": k.patient_id,
        "diagnosis_id": k.diagnosis_id,
        "registered_at": k.registered_at,
    })
}

/// 키트 발급 (issue a batch of kits)
///
/// 제조사에서 받은 키트의 번호와 PIN을 한 번에 최대 100개까지 등록합니다. PIN은 숫자 4–12자리로
/// 해시만 저장됩니다. 이미 있는 번호가 하나라도 있으면 409 `KIT_SERIAL_EXISTS`
/// (`details.serials`)로 아무것도 저장하지 않습니다.
#[utoipa::path(post, path = "/pro/kits",
    request_body = KitIssue,
    responses((status = 201, body = KitIssued)),
    extensions(("x-errors" = json!(["KIT_SERIAL_EXISTS"]))))]
pub async fn issue(
    State(state): State<AppState>,
    user: Authorized<HealthData>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let obj = object(&body)?;
    reject_unknown(obj, &["batch", "kits"], "")?;
    let batch = match obj.get("batch") {
        Some(Value::String(b)) if !b.trim().is_empty() && b.trim().chars().count() <= 60 => {
            b.trim().to_string()
        }
        _ => return Err(DomainError::invalid("batch", "배치 이름을 1–60자로 적어 주세요").into()),
    };
    let items = match obj.get("kits") {
        Some(Value::Array(items)) if !items.is_empty() && items.len() <= MAX_KITS_PER_BATCH => {
            items
        }
        _ => {
            return Err(DomainError::invalid(
                "kits",
                format!("키트를 1–{MAX_KITS_PER_BATCH}개 보내 주세요"),
            )
            .into())
        }
    };
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    let mut parsed = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let serial = item.get("serial_number").and_then(Value::as_str);
        let pin = item.get("pin").and_then(Value::as_str);
        if let Some(extra) = item
            .as_object()
            .and_then(|o| o.keys().find(|k| *k != "serial_number" && *k != "pin"))
        {
            errors.push(DomainError::invalid(
                &format!("kits[{i}].{extra}"),
                "알 수 없는 항목입니다",
            ));
        }
        match serial.and_then(normalize_serial) {
            Some(s) if !seen.insert(s.clone()) => errors.push(DomainError::invalid(
                &format!("kits[{i}].serial_number"),
                format!("{s}가 두 번 들어 있습니다"),
            )),
            Some(s) => {
                if pin.is_some_and(valid_pin) {
                    parsed.push((s, pin.unwrap_or_default().to_string()));
                }
            }
            None => errors.push(DomainError::invalid(
                &format!("kits[{i}].serial_number"),
                "키트 번호는 영문 대문자·숫자·하이픈 4–40자입니다",
            )),
        }
        if !pin.is_some_and(valid_pin) {
            errors.push(DomainError::invalid(
                &format!("kits[{i}].pin"),
                "PIN은 숫자 4–12자리입니다",
            ));
        }
    }
    if let Some(e) = DomainError::several(errors) {
        return Err(e.into());
    }
    let serials: Vec<String> = parsed.iter().map(|(s, _)| s.clone()).collect();
    let mut conn = state.db.conn().await?;
    let taken = kits::existing(&mut conn, &serials).await?;
    drop(conn);
    if !taken.is_empty() {
        return Err(ApiError(
            DomainError::new(ErrorCode::KitSerialExists).with_details(json!({ "serials": taken })),
        ));
    }
    let mut hashed = Vec::with_capacity(parsed.len());
    for (serial, pin) in parsed {
        let hash = clinicdesk_security::hash_password_async(pin)
            .await
            .map_err(|e| ApiError(DomainError::internal(e.to_string())))?;
        hashed.push((serial, hash));
    }
    let mut w = state
        .db
        .begin_write(&user.actor(), &state.now_text())
        .await?;
    // Checked again under the write lock: another request may have issued one meanwhile.
    if !kits::existing(w.conn(), &serials).await?.is_empty() {
        return Err(ApiError::code(ErrorCode::KitSerialExists));
    }
    kits::insert_batch(&mut w, &batch, &hashed).await?;
    w.commit().await?;
    if let Some(engine) = &state.sync_engine {
        engine.nudge();
    }
    Ok(created(json!({
        "batch": batch,
        "issued": serials.len(),
        "serial_numbers": serials,
    })))
}

/// 키트 목록 (kits)
///
/// 최근 발급 순. `status`로 `issued`(결과 대기), `result_entered`(결과 입력됨, 환자 등록 전),
/// `registered`(환자가 등록함)만 볼 수 있습니다.
#[utoipa::path(get, path = "/pro/kits",
    params(KitListParams),
    responses((status = 200, body = KitList)))]
pub async fn list(
    State(state): State<AppState>,
    _user: Authorized<HealthData>,
    q: QueryMap,
) -> ApiResult {
    let status = q.one_of("status", &KIT_STATUSES)?;
    let page = q.int("page", 1, 1, 100_000)?;
    let limit = q.int("limit", 50, 1, 200)?;
    let mut conn = state.db.conn().await?;
    let (items, total) =
        kits::list(&mut conn, status.as_deref(), limit, (page - 1) * limit).await?;
    Ok(ok(json!({
        "items": items.iter().map(kit_json).collect::<Vec<_>>(),
        "total": total,
        "page": page,
        "pages": (total + limit - 1) / limit,
    })))
}

pub const KIT_STATUSES: [&str; 3] = ["issued", "result_entered", "registered"];

/// Checks a kit's PIN behind the login guard (key `kit:<serial>`): a locked kit is refused
/// before its PIN is looked at, and an unknown serial costs as much as a wrong PIN, so serials
/// cannot be probed by time. Returns the kit when the PIN is right.
pub async fn verify_kit_pin(
    state: &AppState,
    serial: &str,
    pin: &str,
    client: Option<IpAddr>,
) -> Result<KitView, ApiError> {
    let now_ms = || state.now().timestamp_millis();
    let attempt = state
        .limits()
        .logins
        .begin(&format!("kit:{serial}"), client, now_ms)
        .await?;
    let mut conn = state.db.conn().await?;
    let kit = kits::get(&mut conn, serial).await?;
    drop(conn);
    let hash = kit.as_ref().map_or_else(
        || clinicdesk_security::passwords::dummy_hash().to_string(),
        |k| k.pin_hash.clone(),
    );
    let right = clinicdesk_security::verify_password_async(pin.to_string(), hash).await;
    match kit {
        Some(k) if right => {
            attempt.succeeded();
            Ok(k)
        }
        _ => Err(ApiError::code(ErrorCode::KitInvalidPin)),
    }
}

fn serial_and_pin(body: &Value) -> Result<(String, String), ApiError> {
    let obj = object(body)?;
    reject_unknown(obj, &["serial_number", "pin"], "")?;
    let mut errors = Vec::new();
    let serial = obj
        .get("serial_number")
        .and_then(Value::as_str)
        .and_then(normalize_serial);
    if serial.is_none() {
        errors.push(DomainError::invalid(
            "serial_number",
            "키트 번호를 확인해 주세요 (영문 대문자·숫자·하이픈)",
        ));
    }
    let pin = obj
        .get("pin")
        .and_then(Value::as_str)
        .filter(|p| valid_pin(p));
    if pin.is_none() {
        errors.push(DomainError::invalid("pin", "PIN은 숫자 4–12자리입니다"));
    }
    if let Some(e) = DomainError::several(errors) {
        return Err(e.into());
    }
    Ok((
        serial.unwrap_or_default(),
        pin.unwrap_or_default().to_string(),
    ))
}

/// 키트 등록 (register a kit, as a patient)
///
/// 로그인한 환자가 새 키트를 자기 것으로 등록합니다. 틀린 번호나 PIN은 400 `KIT_INVALID_PIN`,
/// 이미 등록된 키트는 400 `KIT_ALREADY_REGISTERED`, 결과가 아직이면 409 `KIT_RESULT_PENDING`.
/// 같은 키트에 PIN을 거듭 틀리면 잠시 잠깁니다 (429 `RATE_LIMIT_EXCEEDED`).
#[utoipa::path(post, path = "/consumer/kit/register",
    request_body = KitRegister,
    responses((status = 200, body = KitRegistered)),
    extensions(("x-errors" = json!(["KIT_INVALID_PIN", "KIT_ALREADY_REGISTERED", "KIT_RESULT_PENDING",
        "KIT_ALREADY_USED", "RATE_LIMIT_EXCEEDED"]))))]
pub async fn register(
    State(state): State<AppState>,
    user: Authorized<OwnAllergyData>,
    ClientIp(client): ClientIp,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let (serial, pin) = serial_and_pin(&body)?;
    let patient_id = caller_patient(&state, &user).await?;
    let kit = verify_kit_pin(&state, &serial, &pin, client).await?;
    let mut w = state
        .db
        .begin_write(&user.actor(), &state.now_text())
        .await?;
    // Read again under the write lock: two registrations of one kit cannot both pass.
    let kit = kits::get(w.conn(), &kit.serial)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::KitInvalidPin))?;
    if kit.registered_at.is_some() {
        return Err(ApiError::code(ErrorCode::KitAlreadyRegistered));
    }
    let Some(diagnosis_id) = kit.diagnosis_id.clone() else {
        return Err(ApiError::code(ErrorCode::KitResultPending));
    };
    if kit.patient_id.as_deref() != Some(patient_id.as_str()) {
        return Err(ApiError::code(ErrorCode::KitAlreadyUsed));
    }
    kits::register(&mut w, &kit.serial, &user.user_id, &patient_id).await?;
    w.commit().await?;
    Ok(ok(json!({
        "success": true,
        "message": "키트가 등록되었습니다.",
        "diagnosis_id": diagnosis_id,
    })))
}

/// 키트 상태 확인 (a kit's status, as a patient)
///
/// 결과를 기다리는 키트(`issued`)와 내 결과가 입력된 키트만 보입니다; 다른 환자의 키트와 없는
/// 번호는 똑같이 404 `KIT_NOT_FOUND`.
#[utoipa::path(get, path = "/consumer/kit/status/{serial}",
    params(KitSerial),
    responses((status = 200, body = KitStatus)),
    extensions(("x-errors" = json!(["KIT_NOT_FOUND"]))))]
pub async fn status(
    State(state): State<AppState>,
    user: Authorized<OwnAllergyData>,
    Path(serial): Path<String>,
) -> ApiResult {
    let patient_id = caller_patient(&state, &user).await?;
    let not_found = || ApiError::code(ErrorCode::KitNotFound);
    let serial = normalize_serial(&serial).ok_or_else(not_found)?;
    let mut conn = state.db.conn().await?;
    let kit = kits::get(&mut conn, &serial).await?.ok_or_else(not_found)?;
    drop(conn);
    if kit.patient_id.as_deref().is_some_and(|p| p != patient_id) {
        return Err(not_found());
    }
    Ok(ok(json!({
        "serial_number": kit.serial,
        "status": kit.status(),
        "message": status_message(kit.status()),
        "test_date": kit.test_date,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_and_pins_are_checked_in_shape_only() {
        assert_eq!(
            normalize_serial(" sgt-2026-00001 ").as_deref(),
            Some("SGT-2026-00001")
        );
        assert_eq!(normalize_serial("AB1"), None);
        assert_eq!(normalize_serial("SGT 2026"), None);
        assert_eq!(normalize_serial("키트-0001"), None);
        assert!(valid_pin("123456"));
        assert!(!valid_pin("12a456"));
        assert!(!valid_pin("123"));
    }
}
