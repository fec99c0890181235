//! Demo allergy care: some of the demo customers who consented to health data registered as
//! patients, with diagnoses made by the real prescription engine from results drawn per
//! patient (mites, pollens and pets common; foods rarer), and a few test kits.
//!
//! Like the rest of the demo data the rows are loaded directly, not through the per-row sync
//! capture: a first sync sends a snapshot in the tables' declared order (customers before
//! their patients), where per-row ops written now would reach a node before the customers they
//! belong to. One `demo.seed` audit event of their own counts them.

use crate::gen::rng_for;
use chrono::{Datelike, Duration, NaiveDate};
use clinicdesk_allergy::TestResult;
use clinicdesk_store::diagnoses::DiagnosisRecord;
use clinicdesk_store::knowledge::KnowledgeVersion;
use clinicdesk_store::patients;
use clinicdesk_store::{kits, timestamp, users, Actor, Db};
use rand::Rng;
use sqlx::Row;

/// The PIN of every demo kit (published like the demo password: demo data only).
pub const DEMO_KIT_PIN: &str = "246810";

/// The panel the demo clinic tests, with how often each allergen is positive (per mille) —
/// an invented but plausible mix for Korean adults: inhalants most often.
const PANEL: [(&str, u32); 14] = [
    ("house_dust_mite", 420),
    ("cockroach", 150),
    ("cat", 140),
    ("dog", 110),
    ("birch_pollen", 90),
    ("mugwort_pollen", 110),
    ("japanese_hop_pollen", 100),
    ("mould", 60),
    ("peanut", 40),
    ("egg", 30),
    ("milk", 35),
    ("shrimp", 60),
    ("wheat", 25),
    ("buckwheat", 20),
];

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AllergySummary {
    pub patients: usize,
    pub diagnoses: usize,
    pub kits: usize,
}

fn draw_results(rng: &mut impl Rng) -> Vec<TestResult> {
    PANEL
        .iter()
        .map(|(code, per_mille)| {
            let grade = if rng.gen_range(0..1000) < *per_mille {
                // Positive: mostly classes 2–3, sometimes higher.
                [2u8, 2, 2, 3, 3, 3, 4, 4, 5, 6][rng.gen_range(0..10)]
            } else {
                [0u8, 0, 0, 0, 1][rng.gen_range(0..5)]
            };
            TestResult {
                allergen: (*code).to_string(),
                grade,
                ku_l: None,
            }
        })
        .collect()
}

/// Registers up to `count` consenting demo customers as patients, with one or two diagnoses
/// each, and issues ten kits (the first five with a patient's result entered).
pub async fn seed(
    db: &Db,
    seed: u64,
    today: NaiveDate,
    count: usize,
) -> anyhow::Result<AllergySummary> {
    let k = clinicdesk_allergy::builtin();
    let mut summary = AllergySummary::default();
    let mut conn = db.conn().await?;
    let doctor = users::by_username(&mut conn, "doctor").await?;
    let ids: Vec<String> = sqlx::query(
        "SELECT id FROM customers WHERE consent_health_data = 1 AND anonymized_at IS NULL \
         AND deleted_at IS NULL ORDER BY id LIMIT $1",
    )
    .bind(count as i64)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>("id"))
    .collect::<Result<_, _>>()?;
    drop(conn);
    let now = timestamp(chrono::Utc::now());
    let mut w = db.begin_write(&Actor::system("demo"), &now).await?;
    let conn = w.conn();
    let stored = KnowledgeVersion::builtin(
        &k.version,
        k.document().to_string(),
        k.content_hash(),
        &k.published_at,
    );
    sqlx::query(
        "INSERT INTO knowledge_versions (version, document, content_hash, published_at, published_by, \
         published_by_name) VALUES ($1, $2, $3, $4, NULL, NULL) ON CONFLICT (version) DO NOTHING",
    )
    .bind(stored.version)
    .bind(stored.document)
    .bind(stored.content_hash)
    .bind(stored.published_at)
    .execute(&mut *conn)
    .await?;
    let (doctor_id, doctor_name) = match &doctor {
        Some(d) => (Some(d.id.clone()), Some(d.display_name.clone())),
        None => (None, None),
    };
    let serials: Vec<String> = (1..=10).map(|i| format!("DEMO-KIT-{i:04}")).collect();
    if kits::existing(&mut *conn, &serials).await?.is_empty() {
        let pin_hash = clinicdesk_security::hash_password(DEMO_KIT_PIN)?;
        for serial in &serials {
            sqlx::query(
                "INSERT INTO kits (serial, pin_hash, batch, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(serial.clone())
            .bind(pin_hash.clone())
            .bind("데모 배치")
            .bind(doctor_id.clone())
            .bind(now.clone())
            .execute(&mut *conn)
            .await?;
        }
        summary.kits = serials.len();
    }
    for (i, id) in ids.iter().enumerate() {
        let mut rng = rng_for(seed, (1 << 40) + i as u64);
        let registered = today - Duration::days(rng.gen_range(20..400));
        let year = registered.year();
        let n = patients::take_from_counter(&mut *conn, year, 1).await?;
        let birth = NaiveDate::from_ymd_opt(
            rng.gen_range(1950..2005),
            rng.gen_range(1..=12),
            rng.gen_range(1..=28),
        );
        let at = timestamp(
            registered
                .and_hms_opt(2, 0, 0)
                .unwrap_or_default()
                .and_utc(),
        );
        sqlx::query(
            "INSERT INTO patients (id, patient_number, birth_date, assigned_doctor_id, consent_signed, \
             consent_signed_at, registered_by, registered_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 1, $5, $6, $5, $5, $5)",
        )
        .bind(id.clone())
        .bind(patients::format_number(year, n))
        .bind(birth.map(|d| d.to_string()))
        .bind(doctor_id.clone())
        .bind(at)
        .bind(doctor_id.clone())
        .execute(&mut *conn)
        .await?;
        summary.patients += 1;
        let visits = if rng.gen_bool(0.3) { 2 } else { 1 };
        let mut date = registered + Duration::days(rng.gen_range(0..10));
        for v in 0..visits {
            if date > today {
                break;
            }
            let results = draw_results(&mut rng);
            let prescription = serde_json::to_value(k.prescribe(&results))?;
            let s = k.summary(&results);
            let created = date.and_hms_opt(3, 0, 0).unwrap_or_default().and_utc();
            let kit = (v == 0 && i < 5 && summary.kits > 0).then(|| serials[i].clone());
            let d = DiagnosisRecord {
                id: crate::gen::id_at(&mut rng, created),
                patient_id: id.clone(),
                diagnosis_date: date.to_string(),
                results: serde_json::to_string(&results)?,
                knowledge_version: k.version.clone(),
                prescription: prescription.to_string(),
                kit_serial: kit,
                high_risk_count: s.high_risk_count as i64,
                max_grade: s.max_grade.map(i64::from),
                total_tested: s.total_tested as i64,
                created_by: doctor_id.clone(),
                created_by_name: doctor_name.clone(),
                created_at: timestamp(created),
            };
            sqlx::query(
                "INSERT INTO diagnoses (id, patient_id, diagnosis_date, results, knowledge_version, prescription, \
                 kit_serial, high_risk_count, max_grade, total_tested, created_by, created_by_name, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(d.id)
            .bind(d.patient_id)
            .bind(d.diagnosis_date)
            .bind(d.results)
            .bind(d.knowledge_version)
            .bind(d.prescription)
            .bind(d.kit_serial)
            .bind(d.high_risk_count)
            .bind(d.max_grade)
            .bind(d.total_tested)
            .bind(d.created_by)
            .bind(d.created_by_name)
            .bind(d.created_at)
            .execute(&mut *conn)
            .await?;
            summary.diagnoses += 1;
            date += Duration::days(rng.gen_range(90..240));
        }
    }
    w.audit(
        "demo.seed",
        "allergy_care",
        None,
        serde_json::json!({
            "patients": summary.patients,
            "diagnoses": summary.diagnoses,
            "kits": summary.kits,
            "knowledge_version": k.version,
        }),
    )
    .await?;
    w.commit().await?;
    Ok(summary)
}
