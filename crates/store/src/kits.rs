//! Allergy test kits (seed 001 §4.4): issued in batches with a PIN (kept as an Argon2id hash);
//! a result is entered for a kit (a diagnosis naming its serial); the patient registers it.
//! The status is derived from those facts: `issued` → `result_entered` → `registered`.

use crate::row;
use crate::{StoreResult, WriteTx};
use sqlx::AnyConnection;

#[derive(Debug, Clone, PartialEq)]
pub struct KitView {
    pub serial: String,
    pub batch: String,
    pub created_at: String,
    pub pin_hash: String,
    /// The latest diagnosis entered for this kit, and its patient and date.
    pub diagnosis_id: Option<String>,
    pub patient_id: Option<String>,
    pub test_date: Option<String>,
    /// Who registered it, and when.
    pub registered_by: Option<String>,
    pub registered_at: Option<String>,
}

impl KitView {
    pub fn status(&self) -> &'static str {
        if self.registered_at.is_some() {
            "registered"
        } else if self.diagnosis_id.is_some() {
            "result_entered"
        } else {
            "issued"
        }
    }
}

const VIEW: &str = "SELECT k.serial, k.batch, k.created_at, k.pin_hash, \
     (SELECT d.id FROM diagnoses d WHERE d.kit_serial = k.serial ORDER BY d.created_at DESC, d.id DESC LIMIT 1) AS diagnosis_id, \
     (SELECT d.patient_id FROM diagnoses d WHERE d.kit_serial = k.serial ORDER BY d.created_at DESC, d.id DESC LIMIT 1) AS patient_id, \
     (SELECT d.diagnosis_date FROM diagnoses d WHERE d.kit_serial = k.serial ORDER BY d.created_at DESC, d.id DESC LIMIT 1) AS test_date, \
     r.user_id AS registered_by, r.registered_at \
     FROM kits k LEFT JOIN kit_registrations r ON r.serial = k.serial";

fn from_row(r: &sqlx::any::AnyRow) -> Result<KitView, sqlx::Error> {
    Ok(KitView {
        serial: row::text(r, "serial")?,
        batch: row::text(r, "batch")?,
        created_at: row::text(r, "created_at")?,
        pin_hash: row::text(r, "pin_hash")?,
        diagnosis_id: row::opt_text(r, "diagnosis_id")?,
        patient_id: row::opt_text(r, "patient_id")?,
        test_date: row::opt_text(r, "test_date")?,
        registered_by: row::opt_text(r, "registered_by")?,
        registered_at: row::opt_text(r, "registered_at")?,
    })
}

pub async fn get(conn: &mut AnyConnection, serial: &str) -> StoreResult<Option<KitView>> {
    let row = sqlx::query(&format!("{VIEW} WHERE k.serial = $1"))
        .bind(serial.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Which of `serials` exist already.
pub async fn existing(conn: &mut AnyConnection, serials: &[String]) -> StoreResult<Vec<String>> {
    let mut out = Vec::new();
    for chunk in serials.chunks(500) {
        let mut params = row::Params::default();
        let list = row::in_list(&mut params, chunk);
        let sql = format!("SELECT serial FROM kits WHERE serial IN {list} ORDER BY serial");
        let sql = row::positional(conn, &sql).into_owned();
        for r in params.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await? {
            out.push(row::text(&r, "serial")?);
        }
    }
    Ok(out)
}

/// Issues a batch of kits: `(serial, pin_hash)` each.
pub async fn insert_batch(
    w: &mut WriteTx,
    batch: &str,
    kits: &[(String, String)],
) -> StoreResult<()> {
    let creator = w.actor().user_id.clone();
    let now = w.now().to_string();
    for (serial, pin_hash) in kits {
        sqlx::query(
            "INSERT INTO kits (serial, pin_hash, batch, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(serial.clone())
        .bind(pin_hash.clone())
        .bind(batch.to_string())
        .bind(creator.clone())
        .bind(now.clone())
        .execute(w.conn())
        .await?;
        w.change("kit", serial).await?;
    }
    let serials: Vec<&String> = kits.iter().map(|(s, _)| s).collect();
    w.audit(
        "kit.issue",
        "kit_batch",
        Some(batch),
        serde_json::json!({ "count": kits.len(), "serials": serials }),
    )
    .await
}

/// Kits, newest batch first, optionally of one status.
pub async fn list(
    conn: &mut AnyConnection,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<KitView>, i64)> {
    let rows = sqlx::query(&format!("{VIEW} ORDER BY k.created_at DESC, k.serial"))
        .fetch_all(conn)
        .await?;
    let all: Vec<KitView> = rows.iter().map(from_row).collect::<Result<_, _>>()?;
    let matching: Vec<KitView> = all
        .into_iter()
        .filter(|k| status.is_none_or(|s| k.status() == s))
        .collect();
    let total = matching.len() as i64;
    let page = matching
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    Ok((page, total))
}

pub async fn register(
    w: &mut WriteTx,
    serial: &str,
    user_id: &str,
    patient_id: &str,
) -> StoreResult<()> {
    let now = w.now().to_string();
    sqlx::query(
        "INSERT INTO kit_registrations (serial, user_id, patient_id, registered_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(serial.to_string())
    .bind(user_id.to_string())
    .bind(patient_id.to_string())
    .bind(now)
    .execute(w.conn())
    .await?;
    w.record(
        "kit.register",
        "kit_registration",
        serial,
        &serde_json::json!({ "customer_id": patient_id, "user_id": user_id }),
    )
    .await
}
