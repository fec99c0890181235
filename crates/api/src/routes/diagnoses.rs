//! Diagnoses and prescriptions (seed 001 §4.3): enter a patient's results, read a diagnosis
//! and a patient's history; the allergen list; the allergy dashboard's figures. Every read of a
//! diagnosis is in the access log.

use super::customers::checked_id;
use super::patients::{patient_not_found, patient_of};
use crate::auth::{AllergyStats, Authorized, HealthData};
use crate::body::{JsonBody, QueryMap};
use crate::envelope::{created, ok, ApiError, ApiResult};
use crate::openapi::schemas::{
    AllergenList, AllergyDashboard, AllergyDashboardParams, DiagnosisCreate, DiagnosisCreated,
    DiagnosisDetail, DiagnosisId, PatientDiagnoses, PatientId,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use chrono::{Datelike, NaiveDate};
use clinicdesk_allergy::{Knowledge, TestResult};
use clinicdesk_domain::fields::{object, opt_date, opt_text, reject_unknown};
use clinicdesk_domain::{ids, DomainError, ErrorCode};
use clinicdesk_store::diagnoses::{self, DiagnosisRecord};
use clinicdesk_store::{kits, patients};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The stored results of a diagnosis.
pub fn stored_results(d: &DiagnosisRecord) -> Result<Vec<TestResult>, ApiError> {
    serde_json::from_str(&d.results).map_err(|e| {
        ApiError(DomainError::internal(format!(
            "diagnosis {} results: {e}",
            d.id
        )))
    })
}

/// The knowledge version a diagnosis was made with.
pub async fn knowledge_of(
    state: &AppState,
    d: &DiagnosisRecord,
) -> Result<std::sync::Arc<Knowledge>, ApiError> {
    state
        .knowledge
        .version(&state.db, &d.knowledge_version)
        .await?
        .ok_or_else(|| {
            ApiError(DomainError::internal(format!(
                "knowledge version {} of diagnosis {} is not on this node yet",
                d.knowledge_version, d.id
            )))
        })
}

/// Each result with its allergen's Korean name and its grade's meaning, as that version said.
pub fn results_json(k: &Knowledge, results: &[TestResult]) -> Vec<Value> {
    results
        .iter()
        .map(|r| {
            let info = k.grade_info(r.grade);
            json!({
                "allergen": r.allergen,
                "name_ko": k.allergen(&r.allergen).map(|a| a.name_ko.clone()),
                "grade": r.grade,
                "ku_l": r.ku_l,
                "grade_label": info.map(|i| i.label_ko.clone()),
                "grade_description": info.map(|i| i.description_ko.clone()),
                "risk_level": k.tier_of(r.grade).as_str(),
            })
        })
        .collect()
}

fn prescription_of(d: &DiagnosisRecord) -> Result<Value, ApiError> {
    serde_json::from_str(&d.prescription).map_err(|e| {
        ApiError(DomainError::internal(format!(
            "diagnosis {} prescription: {e}",
            d.id
        )))
    })
}

/// A read of a diagnosis, for the access log: it concerns its patient, so "who read this
/// customer's data" lists it.
pub fn diagnosis_read(
    user: &crate::auth::AuthUser,
    now: &str,
    action: &str,
    d: &DiagnosisRecord,
) -> clinicdesk_store::access_log::Access {
    let mut access = user.access(now, action, "diagnosis", Some(&d.id));
    access.subjects = vec![d.patient_id.clone()];
    access
}

fn summary_json(d: &DiagnosisRecord) -> Value {
    json!({
        "high_risk_count": d.high_risk_count,
        "max_grade": d.max_grade,
        "total_tested": d.total_tested,
    })
}

/// 알레르기 항목 목록 (allergens)
///
/// 지금 쓰는 지식 베이스 버전의 항목: 코드, 한글·영문 이름, 별칭(진단 입력에서 코드 대신
/// 써도 되는 이름), 분류(food / inhalant / other).
#[utoipa::path(get, path = "/pro/allergens",
    responses((status = 200, body = AllergenList)))]
pub async fn allergens(State(state): State<AppState>, _user: Authorized<HealthData>) -> ApiResult {
    let k = state.knowledge.current(&state.db).await?;
    Ok(ok(json!({
        "knowledge_version": k.version,
        "items": k.allergen_list(),
    })))
}

struct Entry {
    patient_id: String,
    date: NaiveDate,
    kit_serial: Option<String>,
    results: Value,
}

fn parse_entry(body: &Value, today: NaiveDate) -> Result<Entry, ApiError> {
    let obj = object(body)?;
    reject_unknown(
        obj,
        &["patient_id", "diagnosis_date", "results", "kit_serial"],
        "",
    )?;
    let null = Value::Null;
    let mut errors = Vec::new();
    let patient_id = match obj.get("patient_id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        _ => {
            errors.push(DomainError::invalid("patient_id", "환자를 골라 주세요"));
            String::new()
        }
    };
    let date = match opt_date("diagnosis_date", obj.get("diagnosis_date").unwrap_or(&null)) {
        Ok(Some(d)) if d > today => {
            errors.push(DomainError::invalid(
                "diagnosis_date",
                "진단일은 오늘 이후일 수 없습니다",
            ));
            today
        }
        Ok(Some(d)) if d.year() < 2000 => {
            errors.push(DomainError::invalid(
                "diagnosis_date",
                "진단일은 2000년 이후여야 합니다",
            ));
            today
        }
        Ok(d) => d.unwrap_or(today),
        Err(e) => {
            errors.push(e);
            today
        }
    };
    let kit_serial = opt_text("kit_serial", obj.get("kit_serial").unwrap_or(&null), 64)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten()
        .map(|s| s.trim().to_uppercase())
        .filter(|s| !s.is_empty());
    if let Some(e) = DomainError::several(errors) {
        return Err(e.into());
    }
    Ok(Entry {
        patient_id,
        date,
        kit_serial,
        results: obj.get("results").cloned().unwrap_or(Value::Null),
    })
}

/// 진단 입력 (enter a diagnosis)
///
/// `results`의 각 항목은 `allergen`(코드나 한글·영문 이름, 별칭)과 `grade`(0–6) 또는 `ku_l`
/// (특이 IgE 농도, kU/L — 등급으로 바뀝니다) 중 하나. 모르는 항목, 0–6 밖의 등급, 같은 항목을
/// 두 번 보내면 422 `VALIDATION_ERROR`가 그 필드(`results[2].allergen` 등)를 알려 줍니다.
/// 처방(`high_risk` / `moderate_risk` / `low_risk`, 교차반응, 응급 계획)은 지금 쓰는 지식
/// 베이스 버전으로 만들어지고 그 버전과 함께 저장되어, 나중에도 똑같이 다시 보입니다.
/// `kit_serial`을 보내면 그 키트의 상태가 `result_entered`가 됩니다.
#[utoipa::path(post, path = "/pro/diagnosis",
    request_body = DiagnosisCreate,
    responses((status = 201, body = DiagnosisCreated)),
    extensions(("x-errors" = json!(["PATIENT_NOT_FOUND", "KIT_NOT_FOUND", "KIT_ALREADY_USED"]))))]
pub async fn create(
    State(state): State<AppState>,
    user: Authorized<HealthData>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let now = state.now_text();
    let entry = parse_entry(&body, state.today())?;
    let k = state.knowledge.current(&state.db).await?;
    let results = k.parse_results(&entry.results)?;
    let prescription = k.prescribe(&results);
    let summary = k.summary(&results);
    let patient_id = checked_id(&entry.patient_id, ErrorCode::PatientNotFound)?.to_string();
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    if patients::get(w.conn(), &patient_id).await?.is_none() {
        return Err(patient_not_found());
    }
    if let Some(serial) = &entry.kit_serial {
        kits::get(w.conn(), serial)
            .await?
            .ok_or_else(|| ApiError::code(ErrorCode::KitNotFound))?;
        if let Some(other) = diagnoses::kit_used(w.conn(), serial).await? {
            if other != patient_id {
                return Err(ApiError::code(ErrorCode::KitAlreadyUsed));
            }
        }
    }
    let prescription_json = serde_json::to_value(&prescription)
        .map_err(|e| ApiError(DomainError::internal(e.to_string())))?;
    let record = DiagnosisRecord {
        id: ids::new_id(),
        patient_id: patient_id.clone(),
        diagnosis_date: entry.date.to_string(),
        results: serde_json::to_string(&results)
            .map_err(|e| ApiError(DomainError::internal(e.to_string())))?,
        knowledge_version: k.version.clone(),
        prescription: prescription_json.to_string(),
        kit_serial: entry.kit_serial.clone(),
        high_risk_count: summary.high_risk_count as i64,
        max_grade: summary.max_grade.map(i64::from),
        total_tested: summary.total_tested as i64,
        created_by: Some(user.user_id.clone()),
        created_by_name: Some(user.display_name.clone()),
        created_at: now.clone(),
    };
    diagnoses::insert(&mut w, &record).await?;
    w.commit().await?;
    if let Some(engine) = &state.sync_engine {
        engine.nudge();
    }
    Ok(created(json!({
        "success": true,
        "diagnosis_id": record.id,
        "patient_id": patient_id,
        "diagnosis_date": record.diagnosis_date,
        "knowledge_version": record.knowledge_version,
        "results": results_json(&k, &results),
        "summary": summary_json(&record),
        "prescription": prescription_json,
    })))
}

/// 진단 조회 (a diagnosis)
///
/// 결과, 저장된 처방, 만든 지식 베이스 버전. 읽을 때마다 접근 기록에 남습니다.
#[utoipa::path(get, path = "/pro/diagnosis/{id}",
    params(DiagnosisId),
    responses((status = 200, body = DiagnosisDetail)),
    extensions(("x-errors" = json!(["DIAGNOSIS_NOT_FOUND"]))))]
pub async fn get_one(
    State(state): State<AppState>,
    user: Authorized<HealthData>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::DiagnosisNotFound)?;
    let mut conn = state.db.conn().await?;
    let d = diagnoses::get(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::DiagnosisNotFound))?;
    let p = patients::get(&mut conn, &d.patient_id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::DiagnosisNotFound))?;
    drop(conn);
    let k = knowledge_of(&state, &d).await?;
    let results = stored_results(&d)?;
    state
        .db
        .record_access(diagnosis_read(
            &user,
            &state.now_text(),
            "diagnosis.read",
            &d,
        ))
        .await?;
    Ok(ok(json!({
        "id": d.id,
        "patient": {
            "id": p.patient.id,
            "name": p.name,
            "patient_number": p.patient.patient_number,
            "birth_date": p.patient.birth_date,
        },
        "diagnosis_date": d.diagnosis_date,
        "kit_serial": d.kit_serial,
        "knowledge_version": d.knowledge_version,
        "results": results_json(&k, &results),
        "summary": summary_json(&d),
        "prescription": prescription_of(&d)?,
        "created_at": d.created_at,
        "created_by": match (&d.created_by, &d.created_by_name) {
            (Some(id), Some(name)) => json!({ "id": id, "name": name }),
            _ => Value::Null,
        },
    })))
}

/// 환자별 진단 이력 (a patient's diagnoses)
#[utoipa::path(get, path = "/pro/diagnosis/patient/{id}",
    params(PatientId),
    responses((status = 200, body = PatientDiagnoses)),
    extensions(("x-errors" = json!(["PATIENT_NOT_FOUND"]))))]
pub async fn of_patient(
    State(state): State<AppState>,
    user: Authorized<HealthData>,
    Path(id): Path<String>,
) -> ApiResult {
    let p = patient_of(&state, &id).await?;
    let mut conn = state.db.conn().await?;
    let list = diagnoses::of_patient(&mut conn, &p.patient.id).await?;
    drop(conn);
    state
        .db
        .record_access(user.access(
            &state.now_text(),
            "diagnosis.list",
            "patient",
            Some(&p.patient.id),
        ))
        .await?;
    Ok(ok(json!({
        "patient": {
            "id": p.patient.id,
            "name": p.name,
            "patient_number": p.patient.patient_number,
        },
        "diagnoses": list.iter().map(|d| json!({
            "id": d.id,
            "diagnosis_date": d.diagnosis_date,
            "kit_serial": d.kit_serial,
            "knowledge_version": d.knowledge_version,
            "summary": summary_json(d),
        })).collect::<Vec<_>>(),
        "total": list.len(),
    })))
}

/// `+12%`, `-5%`, `0%`; `None` when there is nothing to compare with.
fn trend(this: i64, before: i64) -> Option<String> {
    if before == 0 {
        return None;
    }
    let pct = ((this - before) as f64 / before as f64 * 100.0).round() as i64;
    Some(if pct > 0 {
        format!("+{pct}%")
    } else {
        format!("{pct}%")
    })
}

/// Over every diagnosis' results: how many diagnoses found each allergen positive (grade 2 or
/// more), most first (ties by code), and how many results fell at each grade 0–6.
pub fn distributions(all: &[(String, String)]) -> (Vec<(String, i64)>, [i64; 7]) {
    let mut positives: BTreeMap<String, i64> = BTreeMap::new();
    let mut grades = [0i64; 7];
    for (_, results) in all {
        let results: Vec<TestResult> = serde_json::from_str(results).unwrap_or_default();
        for r in results {
            if let Some(slot) = grades.get_mut(usize::from(r.grade)) {
                *slot += 1;
            }
            if r.grade >= 2 {
                *positives.entry(r.allergen).or_default() += 1;
            }
        }
    }
    let mut distribution: Vec<(String, i64)> = positives.into_iter().collect();
    distribution.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    (distribution, grades)
}

/// 알레르기 대시보드 통계 (allergy dashboard)
///
/// `month`(기본: 이번 달, KST)의 진단 수와 그 전달 대비 추세, 환자 수, 그리고 지금까지의 모든
/// 진단에 대한 항목별 양성(등급 2 이상) 수와 등급 분포. 개인을 알 수 있는 값은 없어 관리자
/// (manager)도 봅니다.
#[utoipa::path(get, path = "/pro/dashboard/stats",
    params(AllergyDashboardParams),
    responses((status = 200, body = AllergyDashboard)))]
pub async fn dashboard(
    State(state): State<AppState>,
    _user: Authorized<AllergyStats>,
    q: QueryMap,
) -> ApiResult {
    let today = state.today();
    let month = match q.text("month") {
        None => NaiveDate::from_ymd_opt(today.year(), today.month(), 1),
        Some(m) => NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok(),
    }
    .ok_or_else(|| ApiError(DomainError::invalid("month", "month는 YYYY-MM 형식입니다")))?;
    let next = month
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(month);
    let previous = month
        .checked_sub_months(chrono::Months::new(1))
        .unwrap_or(month);
    let mut conn = state.db.conn().await?;
    let all = diagnoses::all_results(&mut conn).await?;
    // Registration times are UTC; the month is the clinic's (KST, UTC+9).
    let kst_start = |d: NaiveDate| {
        clinicdesk_store::timestamp(
            d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - chrono::Duration::hours(9),
        )
    };
    let (patients_total, patients_new) =
        patients::counts(&mut conn, &kst_start(month), &kst_start(next)).await?;
    drop(conn);
    let k = state.knowledge.current(&state.db).await?;
    let in_month = |d: &str, from: NaiveDate, to: NaiveDate| {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok_and(|d| d >= from && d < to)
    };
    let this_month = all.iter().filter(|(d, _)| in_month(d, month, next)).count() as i64;
    let last_month = all
        .iter()
        .filter(|(d, _)| in_month(d, previous, month))
        .count() as i64;
    let (distribution, grades) = distributions(&all);
    let total = all.len() as i64;
    Ok(ok(json!({
        "period": month.format("%Y-%m").to_string(),
        "diagnoses": {
            "total": total,
            "this_month": this_month,
            "previous_month": last_month,
            "trend": trend(this_month, last_month),
        },
        "patients": { "total": patients_total, "new_this_month": patients_new },
        "allergen_distribution": distribution.iter().map(|(code, count)| json!({
            "allergen": code,
            "name_ko": k.allergen(code).map(|a| a.name_ko.clone()),
            "count": count,
            "percentage": if total == 0 { 0.0 } else { (*count as f64 * 1000.0 / total as f64).round() / 10.0 },
        })).collect::<Vec<_>>(),
        "grade_distribution": grades.iter().enumerate().map(|(g, c)| json!({ "grade": g, "count": c })).collect::<Vec<_>>(),
    })))
}

#[cfg(test)]
mod tests {
    use super::trend;

    #[test]
    fn the_trend_compares_with_the_month_before() {
        assert_eq!(trend(45, 40).as_deref(), Some("+13%"));
        assert_eq!(trend(30, 40).as_deref(), Some("-25%"));
        assert_eq!(trend(40, 40).as_deref(), Some("0%"));
        assert_eq!(trend(5, 0), None);
    }
}
