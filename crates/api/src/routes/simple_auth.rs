//! A patient's simple sign-up and login (seed 001 §4.2). Sign-up proves the patient holds the
//! kit (its serial and PIN) and is the person its result was entered for (name, and phone or
//! birth date); it creates a login of role `patient` for that patient, registers the kit, and
//! answers a new 6-digit `access_pin` — shown this once, stored only as an Argon2id hash.
//! Login is name + phone (or birth date) + access PIN. Both go through the login guard: failures
//! slow down and then lock the kit or the person for a while, whatever is typed next.

use super::auth::{create_session_in, open_session, system_actor, token_pair_with, Transport};
use super::kits::{normalize_serial, verify_kit_pin};
use crate::body::JsonBody;
use crate::envelope::{ApiError, ApiResult};
use crate::limits::ClientIp;
use crate::openapi::schemas::{SimpleLogin, SimpleRegister, SimpleRegistered, TokenPair};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use clinicdesk_domain::fields::{object, opt_date, reject_unknown};
use clinicdesk_domain::{DomainError, ErrorCode};
use clinicdesk_store::access_log::Access;
use clinicdesk_store::users::{self, User};
use clinicdesk_store::{kits, patients};
use rand::Rng;
use serde_json::{json, Value};

/// Who a patient says they are: a name and a phone number or a birth date.
struct Identity {
    name: String,
    phone_digits: Option<String>,
    birth_date: Option<String>,
}

impl Identity {
    /// The login guard's key for this person (a name alone is not a person).
    fn guard_key(&self) -> String {
        format!(
            "patient:{}|{}",
            self.name,
            self.phone_digits
                .clone()
                .or(self.birth_date.clone())
                .unwrap_or_default()
        )
    }
}

fn parse_identity(obj: &serde_json::Map<String, Value>) -> Vec<Result<Identity, DomainError>> {
    let null = Value::Null;
    let mut errors = Vec::new();
    let name = match obj.get("name").and_then(Value::as_str).map(str::trim) {
        Some(n) if !n.is_empty() && n.chars().count() <= 50 => n.to_string(),
        _ => {
            errors.push(DomainError::invalid("name", "이름을 적어 주세요"));
            String::new()
        }
    };
    let phone_digits = match obj.get("phone") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) => {
            let digits: String = p.chars().filter(char::is_ascii_digit).collect();
            if (9..=11).contains(&digits.len()) {
                Some(digits)
            } else {
                errors.push(DomainError::invalid(
                    "phone",
                    "전화번호를 확인해 주세요 (예: 010-1234-5678)",
                ));
                None
            }
        }
        Some(_) => {
            errors.push(DomainError::invalid("phone", "전화번호는 문자열입니다"));
            None
        }
    };
    let birth_date = match opt_date("birth_date", obj.get("birth_date").unwrap_or(&null)) {
        Ok(d) => d.map(|d| d.to_string()),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    if errors.is_empty() && phone_digits.is_none() && birth_date.is_none() {
        errors.push(DomainError::invalid(
            "phone",
            "전화번호나 생년월일 중 하나를 적어 주세요",
        ));
    }
    if errors.is_empty() {
        vec![Ok(Identity {
            name,
            phone_digits,
            birth_date,
        })]
    } else {
        errors.into_iter().map(Err).collect()
    }
}

/// Collects the identity and the other fields' errors into one answer.
fn identity_or_errors(
    found: Vec<Result<Identity, DomainError>>,
    mut others: Vec<DomainError>,
) -> Result<Identity, ApiError> {
    let mut identity = None;
    let mut errors = Vec::new();
    for f in found {
        match f {
            Ok(i) => identity = Some(i),
            Err(e) => errors.push(e),
        }
    }
    errors.append(&mut others);
    if let Some(e) = DomainError::several(errors) {
        return Err(e.into());
    }
    identity.ok_or_else(|| ApiError(DomainError::internal("no identity")))
}

fn new_access_pin() -> String {
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000))
}

async fn log_failure(
    state: &AppState,
    action: &str,
    reason: &str,
    client: Option<std::net::IpAddr>,
) {
    let mut access = Access::new(
        &system_actor(None, None),
        &state.now_text(),
        action,
        "patient",
        None,
    );
    access.details = json!({ "reason": reason, "ip": client.map(|ip| ip.to_string()) });
    if let Err(e) = state.db.record_access(access).await {
        tracing::error!(error = %e, "a failed patient sign-in could not be logged");
    }
}

/// 환자 간편 가입 (patient sign-up with a kit)
///
/// 이름, 전화번호나 생년월일, 키트 번호와 PIN. 키트의 검사 결과가 이 사람의 것일 때만
/// 가입됩니다 (이름과 전화번호 또는 생년월일이 병원 기록과 같아야 함; 다르면 401
/// `AUTH_INVALID_CREDENTIALS`). 답의 `access_pin`(6자리)은 **이번 한 번만** 보입니다: 간편
/// 로그인에 씁니다. 키트 PIN을 거듭 틀리면 그 키트가 잠시 잠깁니다 (429).
#[utoipa::path(post, path = "/auth/simple/register",
    request_body = SimpleRegister,
    responses((status = 201, body = SimpleRegistered)),
    extensions(("x-errors" = json!(["KIT_INVALID_PIN", "KIT_ALREADY_REGISTERED", "KIT_RESULT_PENDING",
        "AUTH_INVALID_CREDENTIALS", "PATIENT_ACCOUNT_EXISTS", "RATE_LIMIT_EXCEEDED"]))))]
pub async fn register(
    State(state): State<AppState>,
    transport: Transport,
    ClientIp(client): ClientIp,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let obj = object(&body)?;
    reject_unknown(
        obj,
        &["name", "phone", "birth_date", "serial_number", "pin"],
        "",
    )?;
    let serial = obj
        .get("serial_number")
        .and_then(Value::as_str)
        .and_then(normalize_serial);
    let pin = obj
        .get("pin")
        .and_then(Value::as_str)
        .filter(|p| (4..=12).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()));
    let mut others = Vec::new();
    if serial.is_none() {
        others.push(DomainError::invalid(
            "serial_number",
            "키트 번호를 확인해 주세요",
        ));
    }
    if pin.is_none() {
        others.push(DomainError::invalid(
            "pin",
            "키트 PIN은 숫자 4–12자리입니다",
        ));
    }
    let who = identity_or_errors(parse_identity(obj), others)?;
    let (serial, pin) = (serial.unwrap_or_default(), pin.unwrap_or_default());
    let kit = match verify_kit_pin(&state, &serial, pin, client).await {
        Ok(kit) => kit,
        Err(e) => {
            log_failure(&state, "patient.sign_up_failed", e.0.code.as_str(), client).await;
            return Err(e);
        }
    };
    if kit.registered_at.is_some() {
        return Err(ApiError::code(ErrorCode::KitAlreadyRegistered));
    }
    let (Some(diagnosis_id), Some(patient_id)) = (kit.diagnosis_id.clone(), kit.patient_id.clone())
    else {
        return Err(ApiError::code(ErrorCode::KitResultPending));
    };
    let mut conn = state.db.conn().await?;
    let patient = patients::get(&mut conn, &patient_id).await?;
    drop(conn);
    let matches = patient.as_ref().is_some_and(|p| {
        let digits: String = p.phone.chars().filter(char::is_ascii_digit).collect();
        p.name.trim() == who.name
            && (who.phone_digits.as_deref() == Some(digits.as_str())
                || (who.birth_date.is_some() && who.birth_date == p.patient.birth_date))
    });
    if !matches {
        log_failure(
            &state,
            "patient.sign_up_failed",
            "identity_mismatch",
            client,
        )
        .await;
        return Err(ApiError::code(ErrorCode::AuthInvalidCredentials));
    }
    let access_pin = new_access_pin();
    let hash = clinicdesk_security::hash_password_async(access_pin.clone())
        .await
        .map_err(|e| ApiError(DomainError::internal(e.to_string())))?;
    let user = User::new(
        &format!("patient-{}", clinicdesk_domain::ids::new_id()),
        &who.name,
        "patient",
        hash,
    );
    let device_id = transport.login_device(None);
    let mut w = state
        .db
        .begin_write(
            &system_actor(Some(&user), device_id.clone()),
            &state.now_text(),
        )
        .await?;
    // Under the write lock: two sign-ups with one kit cannot both pass.
    if users::patient_has_login(w.conn(), &patient_id).await? {
        return Err(ApiError::code(ErrorCode::PatientAccountExists));
    }
    if kits::get(w.conn(), &kit.serial)
        .await?
        .is_some_and(|k| k.registered_at.is_some())
    {
        return Err(ApiError::code(ErrorCode::KitAlreadyRegistered));
    }
    users::insert_patient_login(&mut w, &user, &patient_id).await?;
    kits::register(&mut w, &kit.serial, &user.id, &patient_id).await?;
    let (session, refresh) = create_session_in(&mut w, &state, &user, device_id).await?;
    w.commit().await?;
    let mut resp = token_pair_with(
        &state,
        &transport,
        &user,
        &session,
        refresh,
        json!({
            "access_pin": access_pin,
            "patient_id": patient_id,
            "diagnosis_id": diagnosis_id,
        }),
    )?;
    *resp.status_mut() = StatusCode::CREATED;
    Ok(resp)
}

/// 환자 간편 로그인 (patient login)
///
/// 이름, 전화번호나 생년월일, 가입할 때 받은 `access_pin`. 틀리면 401
/// `AUTH_INVALID_CREDENTIALS`; 거듭 틀리면 느려지다가 잠시 잠깁니다 (429).
#[utoipa::path(post, path = "/auth/simple/login",
    request_body = SimpleLogin,
    responses((status = 200, body = TokenPair)),
    extensions(("x-errors" = json!(["AUTH_INVALID_CREDENTIALS", "RATE_LIMIT_EXCEEDED"]))))]
pub async fn login(
    State(state): State<AppState>,
    transport: Transport,
    ClientIp(client): ClientIp,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let obj = object(&body)?;
    reject_unknown(obj, &["name", "phone", "birth_date", "access_pin"], "")?;
    let pin = obj
        .get("access_pin")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty() && p.len() <= 12)
        .map(str::to_string);
    let others = if pin.is_none() {
        vec![DomainError::invalid("access_pin", "PIN을 적어 주세요")]
    } else {
        Vec::new()
    };
    let who = identity_or_errors(parse_identity(obj), others)?;
    let pin = pin.unwrap_or_default();
    let now_ms = || state.now().timestamp_millis();
    let attempt = match state
        .limits()
        .logins
        .begin(&who.guard_key(), client, now_ms)
        .await
    {
        Ok(a) => a,
        Err(refused) => {
            log_failure(
                &state,
                "patient.login_refused",
                refused.0.code.as_str(),
                client,
            )
            .await;
            return Err(refused);
        }
    };
    let mut conn = state.db.conn().await?;
    let candidates = users::patient_logins(
        &mut conn,
        &who.name,
        who.phone_digits.as_deref(),
        who.birth_date.as_deref(),
    )
    .await?;
    drop(conn);
    // Every candidate is tried (a family may share a name and a phone); with none, a dummy
    // hash takes the same time, so who has an account cannot be learnt by timing.
    let mut found = None;
    if candidates.is_empty() {
        let dummy = clinicdesk_security::passwords::dummy_hash().to_string();
        clinicdesk_security::verify_password_async(pin.clone(), dummy).await;
    }
    for c in candidates {
        if clinicdesk_security::verify_password_async(pin.clone(), c.password_hash.clone()).await {
            found = Some(c);
            break;
        }
    }
    let Some(user) = found.filter(|u| u.usable(state.demo_mode)) else {
        log_failure(
            &state,
            "patient.login_failed",
            "wrong_identity_or_pin",
            client,
        )
        .await;
        return Err(ApiError::code(ErrorCode::AuthInvalidCredentials));
    };
    attempt.succeeded();
    let device_id = transport.login_device(None);
    open_session(&state, &transport, &user, device_id).await
}
