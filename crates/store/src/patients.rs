//! Patients of allergy care (seed 001): a customer registered for it, under a patient number
//! `P-YYYY-NNNN`. The patient record shares its customer's id.
//!
//! Patient numbers must be unique across desktops that register offline. Where numbers are
//! issued — a central server, or a desktop with no server — each year has a counter. A node
//! that syncs upstream instead spends blocks its server leased to it (`lease_block`, asked for
//! in every sync round), so two offline desktops never hand out the same number.

use crate::row;
use crate::{StoreResult, WriteTx};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

/// How many numbers a node asks for at a time, and when it asks for more.
pub const BLOCK_SIZE: i64 = 50;
pub const TOP_UP_BELOW: i64 = 20;

#[derive(Debug, Clone, PartialEq)]
pub struct PatientRecord {
    pub id: String,
    pub patient_number: String,
    pub birth_date: Option<String>,
    pub assigned_doctor_id: Option<String>,
    pub consent_signed: bool,
    pub consent_signed_at: Option<String>,
    pub registered_by: Option<String>,
    pub registered_at: String,
}

/// A patient with what the lists and the detail show of their customer and diagnoses.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientView {
    pub patient: PatientRecord,
    pub name: String,
    pub phone: String,
    pub assigned_doctor_name: Option<String>,
    pub diagnosis_count: i64,
    pub last_diagnosis: Option<String>,
}

const VIEW: &str = "p.id, p.patient_number, p.birth_date, p.assigned_doctor_id, p.consent_signed, \
     p.consent_signed_at, p.registered_by, p.registered_at, c.name, c.phone, u.display_name AS doctor_name, \
     (SELECT COUNT(*) FROM diagnoses d WHERE d.patient_id = p.id) AS diagnosis_count, \
     (SELECT MAX(d.diagnosis_date) FROM diagnoses d WHERE d.patient_id = p.id) AS last_diagnosis \
     FROM patients p JOIN customers c ON c.id = p.id LEFT JOIN users u ON u.id = p.assigned_doctor_id \
     WHERE p.deleted_at IS NULL AND c.deleted_at IS NULL AND c.anonymized_at IS NULL";

fn view_from(r: &AnyRow) -> Result<PatientView, sqlx::Error> {
    Ok(PatientView {
        patient: PatientRecord {
            id: row::text(r, "id")?,
            patient_number: row::text(r, "patient_number")?,
            birth_date: row::opt_text(r, "birth_date")?,
            assigned_doctor_id: row::opt_text(r, "assigned_doctor_id")?,
            consent_signed: row::flag(r, "consent_signed")?,
            consent_signed_at: row::opt_text(r, "consent_signed_at")?,
            registered_by: row::opt_text(r, "registered_by")?,
            registered_at: row::text(r, "registered_at")?,
        },
        name: row::text(r, "name")?,
        phone: row::text(r, "phone")?,
        assigned_doctor_name: row::opt_text(r, "doctor_name")?,
        diagnosis_count: row::int(r, "diagnosis_count")?,
        last_diagnosis: row::opt_text(r, "last_diagnosis")?,
    })
}

/// Registers a customer for allergy care.
pub async fn insert(w: &mut WriteTx, p: &PatientRecord) -> StoreResult<()> {
    let now = w.now().to_string();
    sqlx::query(
        "INSERT INTO patients (id, patient_number, birth_date, assigned_doctor_id, consent_signed, consent_signed_at, \
         registered_by, registered_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(p.id.clone())
    .bind(p.patient_number.clone())
    .bind(p.birth_date.clone())
    .bind(p.assigned_doctor_id.clone())
    .bind(i64::from(p.consent_signed))
    .bind(p.consent_signed_at.clone())
    .bind(p.registered_by.clone())
    .bind(p.registered_at.clone())
    .bind(now.clone())
    .bind(now)
    .execute(w.conn())
    .await?;
    w.record(
        "patient.register",
        "patient",
        &p.id,
        &serde_json::json!({
            "customer_id": p.id,
            "patient_number": p.patient_number,
            "birth_date": p.birth_date,
            "assigned_doctor_id": p.assigned_doctor_id,
            "consent_signed": p.consent_signed,
        }),
    )
    .await
}

/// Whether `id` is registered for allergy care (also when its customer is gone).
pub async fn exists(conn: &mut AnyConnection, id: &str) -> StoreResult<bool> {
    Ok(
        sqlx::query("SELECT 1 AS x FROM patients WHERE id = $1 AND deleted_at IS NULL")
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// A live patient whose customer is live and not anonymised.
pub async fn get(conn: &mut AnyConnection, id: &str) -> StoreResult<Option<PatientView>> {
    let row = sqlx::query(&format!("SELECT {VIEW} AND p.id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(view_from).transpose()?)
}

/// One page of patients, newest registration first, and how many match. `search` matches
/// the name or the patient number (contains) or the phone number's digits (contains, at least
/// three digits).
pub async fn list(
    conn: &mut AnyConnection,
    search: &str,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<PatientView>, i64)> {
    let needle = search.trim().to_lowercase();
    let digits: String = needle.chars().filter(char::is_ascii_digit).collect();
    let filter = "AND ($1 = '' OR LOWER(c.name) LIKE $2 OR LOWER(p.patient_number) LIKE $2 \
                  OR ($3 <> '' AND c.phone_digits LIKE $4))";
    let like = format!("%{}%", escape_like(&needle));
    let digits_like = format!("%{digits}%");
    let digits = if digits.len() >= 3 {
        digits
    } else {
        String::new()
    };
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM patients p JOIN customers c ON c.id = p.id \
         WHERE p.deleted_at IS NULL AND c.deleted_at IS NULL AND c.anonymized_at IS NULL {filter}"
    ))
    .bind(needle.clone())
    .bind(like.clone())
    .bind(digits.clone())
    .bind(digits_like.clone())
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query(&format!(
        "SELECT {VIEW} {filter} ORDER BY p.registered_at DESC, p.id DESC LIMIT $5 OFFSET $6"
    ))
    .bind(needle)
    .bind(like)
    .bind(digits)
    .bind(digits_like)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    let items = rows.iter().map(view_from).collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// `%` and `_` typed by a person would be wildcards, and a backslash escapes on PostgreSQL
/// but not on SQLite: none of them is in a name, number or phone, so they are dropped.
fn escape_like(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '%' | '_' | '\\'))
        .collect()
}

/// How many live patients there are, and how many registered in `[since, until)`
/// (timestamps).
pub async fn counts(conn: &mut AnyConnection, since: &str, until: &str) -> StoreResult<(i64, i64)> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS total, \
         COALESCE(SUM(CASE WHEN p.registered_at >= $1 AND p.registered_at < $2 THEN 1 ELSE 0 END), 0) AS recent \
         FROM patients p JOIN customers c ON c.id = p.id \
         WHERE p.deleted_at IS NULL AND c.deleted_at IS NULL AND c.anonymized_at IS NULL",
    )
    .bind(since.to_string())
    .bind(until.to_string())
    .fetch_one(conn)
    .await?;
    Ok((row::int(&r, "total")?, row::int(&r, "recent")?))
}

/// `P-2026-0042`: at least four digits.
pub fn format_number(year: i32, n: i64) -> String {
    format!("P-{year}-{n:04}")
}

fn number_in_year(number: &str, year: i32) -> Option<i64> {
    number
        .strip_prefix(&format!("P-{year}-"))
        .and_then(|n| n.parse::<i64>().ok())
}

/// The highest number of `year` this database holds (a server's counter starts past it, so a
/// desktop that issued numbers before it first connected does not collide with later ones).
async fn highest_number(conn: &mut AnyConnection, year: i32) -> StoreResult<i64> {
    let rows = sqlx::query("SELECT patient_number FROM patients WHERE patient_number LIKE $1")
        .bind(format!("P-{year}-%"))
        .fetch_all(conn)
        .await?;
    let mut max = 0;
    for r in &rows {
        if let Some(n) = number_in_year(&row::text(r, "patient_number")?, year) {
            max = max.max(n);
        }
    }
    Ok(max)
}

/// Takes `count` consecutive numbers of `year` from this database's counter: the first one.
/// Only where numbers are issued (see the module comment).
pub async fn take_from_counter(
    conn: &mut AnyConnection,
    year: i32,
    count: i64,
) -> StoreResult<i64> {
    let start = highest_number(&mut *conn, year).await? + 1;
    sqlx::query(
        "INSERT INTO patient_number_counters (year, next_number) VALUES ($1, $2) ON CONFLICT (year) DO NOTHING",
    )
    .bind(i64::from(year))
    .bind(start)
    .execute(&mut *conn)
    .await?;
    // One statement: two writers on PostgreSQL each get their own range.
    let next: i64 = sqlx::query_scalar(
        "UPDATE patient_number_counters SET next_number = next_number + $2 WHERE year = $1 RETURNING next_number",
    )
    .bind(i64::from(year))
    .bind(count)
    .fetch_one(conn)
    .await?;
    Ok(next - count)
}

/// Takes the next number of `year` from the blocks leased to this node; `None` when none is
/// left (the node must reach its server first).
pub async fn take_from_blocks(conn: &mut AnyConnection, year: i32) -> StoreResult<Option<i64>> {
    let block = sqlx::query(
        "SELECT first_number, next_number FROM patient_number_blocks \
         WHERE year = $1 AND next_number <= last_number ORDER BY first_number LIMIT 1",
    )
    .bind(i64::from(year))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(block) = block else {
        return Ok(None);
    };
    let (first, next) = (
        row::int(&block, "first_number")?,
        row::int(&block, "next_number")?,
    );
    sqlx::query(
        "UPDATE patient_number_blocks SET next_number = next_number + 1 WHERE year = $1 AND first_number = $2",
    )
    .bind(i64::from(year))
    .bind(first)
    .execute(conn)
    .await?;
    Ok(Some(next))
}

/// How many leased numbers of `year` this node has left.
pub async fn numbers_left(conn: &mut AnyConnection, year: i32) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COALESCE(SUM(last_number - next_number + 1), 0) FROM patient_number_blocks \
         WHERE year = $1 AND next_number <= last_number",
    )
    .bind(i64::from(year))
    .fetch_one(conn)
    .await?)
}

/// Keeps a block the server leased to this node.
pub async fn keep_block(
    conn: &mut AnyConnection,
    year: i32,
    first: i64,
    last: i64,
    now: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO patient_number_blocks (year, first_number, next_number, last_number, leased_at) \
         VALUES ($1, $2, $2, $3, $4) ON CONFLICT (year, first_number) DO NOTHING",
    )
    .bind(i64::from(year))
    .bind(first)
    .bind(last)
    .bind(now.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Scrubs an anonymised customer's patient record: the birth date, the number (printed on
/// guides beside the name) and the assigned doctor go; the diagnoses stay, for statistics.
/// Their own login is closed. Returns the number of rows changed.
pub async fn scrub(w: &mut WriteTx, id: &str) -> StoreResult<i64> {
    let changed = sqlx::query(
        "UPDATE patients SET birth_date = NULL, patient_number = '-', assigned_doctor_id = NULL \
         WHERE id = $1 AND (birth_date IS NOT NULL OR patient_number <> '-' OR assigned_doctor_id IS NOT NULL)",
    )
    .bind(id.to_string())
    .execute(w.conn())
    .await?
    .rows_affected() as i64;
    if changed > 0 {
        w.change("patient", id).await?;
    }
    Ok(changed + close_logins(w, id).await?)
}

/// Removes a deleted customer's patient record, diagnoses and kit registrations (their copies
/// in the outbox and log go with them: `customers::remove_related`). Returns how many.
pub async fn remove(w: &mut WriteTx, id: &str) -> StoreResult<i64> {
    let mut removed = 0;
    for sql in [
        "DELETE FROM kit_registrations WHERE patient_id = $1",
        "DELETE FROM diagnoses WHERE patient_id = $1",
        "DELETE FROM patients WHERE id = $1",
        "DELETE FROM record_versions WHERE entity = 'patient' AND entity_id = $1",
    ] {
        let n = sqlx::query(sql)
            .bind(id.to_string())
            .execute(w.conn())
            .await?
            .rows_affected() as i64;
        if !sql.contains("record_versions") {
            removed += n;
        }
    }
    Ok(removed + close_logins(w, id).await?)
}

/// A patient's own logins end with their customer: no name left, no sessions.
async fn close_logins(w: &mut WriteTx, id: &str) -> StoreResult<i64> {
    let now = w.now().to_string();
    sqlx::query(
        "UPDATE auth_sessions SET revoked_at = $1 WHERE revoked_at IS NULL \
         AND user_id IN (SELECT id FROM users WHERE patient_id = $2)",
    )
    .bind(now.clone())
    .bind(id.to_string())
    .execute(w.conn())
    .await?;
    Ok(sqlx::query(
        "UPDATE users SET active = 0, display_name = '-', password_hash = '!', patient_id = NULL, updated_at = $1 \
         WHERE patient_id = $2",
    )
    .bind(now)
    .bind(id.to_string())
    .execute(w.conn())
    .await?
    .rows_affected() as i64)
}

/// The ids of the synced facts about a patient (for rewriting sync's copies of them).
pub async fn facts_of(
    conn: &mut AnyConnection,
    id: &str,
) -> StoreResult<Vec<(&'static str, String)>> {
    let mut out = Vec::new();
    for (entity, sql) in [
        (
            "diagnosis",
            "SELECT id AS x FROM diagnoses WHERE patient_id = $1",
        ),
        (
            "kit_registration",
            "SELECT serial AS x FROM kit_registrations WHERE patient_id = $1",
        ),
    ] {
        for r in sqlx::query(sql)
            .bind(id.to_string())
            .fetch_all(&mut *conn)
            .await?
        {
            out.push((entity, row::text(&r, "x")?));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_at_least_four_digits_and_read_back() {
        assert_eq!(format_number(2026, 7), "P-2026-0007");
        assert_eq!(format_number(2026, 12345), "P-2026-12345");
        assert_eq!(number_in_year("P-2026-0042", 2026), Some(42));
        assert_eq!(number_in_year("P-2025-0042", 2026), None);
        assert_eq!(number_in_year("-", 2026), None);
    }
}
