//! Diagnoses (seed 001): a patient's allergy test results and the prescription made from them
//! with one knowledge version. Inserted once, never changed.

use crate::row;
use crate::{StoreResult, WriteTx};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

#[derive(Debug, Clone, PartialEq)]
pub struct DiagnosisRecord {
    pub id: String,
    pub patient_id: String,
    pub diagnosis_date: String,
    /// JSON: `[{allergen, grade, ku_l?}]`, as the engine read them.
    pub results: String,
    pub knowledge_version: String,
    /// JSON: the prescription as it was given.
    pub prescription: String,
    pub kit_serial: Option<String>,
    pub high_risk_count: i64,
    pub max_grade: Option<i64>,
    pub total_tested: i64,
    pub created_by: Option<String>,
    pub created_by_name: Option<String>,
    pub created_at: String,
}

const COLUMNS: &str = "d.id, d.patient_id, d.diagnosis_date, d.results, d.knowledge_version, d.prescription, \
     d.kit_serial, d.high_risk_count, d.max_grade, d.total_tested, d.created_by, d.created_by_name, d.created_at";

/// Only diagnoses of live patients whose customer is live: an erased or anonymised person's
/// results are statistics, not anyone's record.
const LIVE: &str = "JOIN patients p ON p.id = d.patient_id JOIN customers c ON c.id = p.id \
     WHERE p.deleted_at IS NULL AND c.deleted_at IS NULL AND c.anonymized_at IS NULL";

fn from_row(r: &AnyRow) -> Result<DiagnosisRecord, sqlx::Error> {
    Ok(DiagnosisRecord {
        id: row::text(r, "id")?,
        patient_id: row::text(r, "patient_id")?,
        diagnosis_date: row::text(r, "diagnosis_date")?,
        results: row::text(r, "results")?,
        knowledge_version: row::text(r, "knowledge_version")?,
        prescription: row::text(r, "prescription")?,
        kit_serial: row::opt_text(r, "kit_serial")?,
        high_risk_count: row::int(r, "high_risk_count")?,
        max_grade: row::opt_int(r, "max_grade")?,
        total_tested: row::int(r, "total_tested")?,
        created_by: row::opt_text(r, "created_by")?,
        created_by_name: row::opt_text(r, "created_by_name")?,
        created_at: row::text(r, "created_at")?,
    })
}

pub async fn insert(w: &mut WriteTx, d: &DiagnosisRecord) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO diagnoses (id, patient_id, diagnosis_date, results, knowledge_version, prescription, kit_serial, \
         high_risk_count, max_grade, total_tested, created_by, created_by_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(d.id.clone())
    .bind(d.patient_id.clone())
    .bind(d.diagnosis_date.clone())
    .bind(d.results.clone())
    .bind(d.knowledge_version.clone())
    .bind(d.prescription.clone())
    .bind(d.kit_serial.clone())
    .bind(d.high_risk_count)
    .bind(d.max_grade)
    .bind(d.total_tested)
    .bind(d.created_by.clone())
    .bind(d.created_by_name.clone())
    .bind(d.created_at.clone())
    .execute(w.conn())
    .await?;
    // The audit event keeps field names only (`audit::redact`): results are health data.
    w.record(
        "diagnosis.create",
        "diagnosis",
        &d.id,
        &serde_json::json!({
            "customer_id": d.patient_id,
            "diagnosis_date": d.diagnosis_date,
            "results": d.results,
            "knowledge_version": d.knowledge_version,
            "kit_serial": d.kit_serial,
        }),
    )
    .await
}

/// A diagnosis of a live patient.
pub async fn get(conn: &mut AnyConnection, id: &str) -> StoreResult<Option<DiagnosisRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM diagnoses d {LIVE} AND d.id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// A patient's diagnoses, newest first.
pub async fn of_patient(
    conn: &mut AnyConnection,
    patient_id: &str,
) -> StoreResult<Vec<DiagnosisRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM diagnoses d {LIVE} AND d.patient_id = $1 \
         ORDER BY d.diagnosis_date DESC, d.created_at DESC, d.id DESC"
    ))
    .bind(patient_id.to_string())
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// The diagnosis entered for a kit, if any (the latest, should a result be entered twice).
pub async fn of_kit(
    conn: &mut AnyConnection,
    serial: &str,
) -> StoreResult<Option<DiagnosisRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM diagnoses d {LIVE} AND d.kit_serial = $1 \
         ORDER BY d.created_at DESC, d.id DESC LIMIT 1"
    ))
    .bind(serial.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Whether a diagnosis (of anyone, live or not) already names this kit.
pub async fn kit_used(conn: &mut AnyConnection, serial: &str) -> StoreResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT patient_id FROM diagnoses WHERE kit_serial = $1 LIMIT 1")
            .bind(serial.to_string())
            .fetch_optional(conn)
            .await?,
    )
}

/// Every live diagnosis's date and results, for the allergy dashboard (a clinic has
/// thousands, not millions: they are read whole).
pub async fn all_results(conn: &mut AnyConnection) -> StoreResult<Vec<(String, String)>> {
    let rows = sqlx::query(&format!(
        "SELECT d.diagnosis_date, d.results FROM diagnoses d {LIVE}"
    ))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((row::text(r, "diagnosis_date")?, row::text(r, "results")?)))
        .collect()
}
