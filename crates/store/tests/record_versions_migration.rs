//! Migration 0020 moves the field versions a node or the central server already holds (a row
//! per field) into one row per record, on SQLite and on PostgreSQL: every version arrives with
//! its value, stamp and base, null values and bases included, and the old table is gone.

mod common;

use clinicdesk_store::Db;
use clinicdesk_sync::merge::Version;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The migrations of `dialect` before 0020, copied into a directory of their own.
fn migrations_before_0020(dialect: &str) -> PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(dialect);
    let to = std::env::temp_dir().join(format!(
        "clinicdesk-migrations-{dialect}-{}",
        clinicdesk_domain::ids::new_id()
    ));
    std::fs::create_dir_all(&to).unwrap();
    let mut copied = Vec::new();
    for entry in std::fs::read_dir(&from).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.as_str() < "0020" {
            std::fs::copy(from.join(&name), to.join(&name)).unwrap();
            copied.push(name);
        }
    }
    assert!(
        copied.iter().any(|n| n.starts_with("0016_"))
            && copied.iter().any(|n| n.starts_with("0019_")),
        "the migrations before 0020 are not all in {from:?}: {copied:?}"
    );
    to
}

const STAMP_A: &str = "187c3a5e00000000-000000000000000000000000000000a1";
const STAMP_B: &str = "187c3b0000000001-000000000000000000000000000000b2";

async fn check(url: &str, dialect: &str) {
    let db = Db::connect(url).await.unwrap();
    sqlx::migrate::Migrator::new(migrations_before_0020(dialect))
        .await
        .unwrap()
        .run(&db.pool)
        .await
        .unwrap();
    for (entity, id, field, value, stamp, base) in [
        (
            "customer",
            "c1",
            "name",
            Some("김하나"),
            STAMP_B,
            Some(STAMP_A),
        ),
        ("customer", "c1", "deleted_at", None, STAMP_A, None),
        ("customer", "c2", "name", Some("이둘"), STAMP_A, None),
        ("user", "c1", "role", Some("doctor"), STAMP_A, None),
    ] {
        sqlx::query(
            "INSERT INTO field_versions (entity, entity_id, field, value, stamp, base) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(entity)
        .bind(id)
        .bind(field)
        .bind(value)
        .bind(stamp)
        .bind(base)
        .execute(&db.pool)
        .await
        .unwrap();
    }
    db.migrate().await.unwrap();

    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT entity, entity_id, versions FROM record_versions ORDER BY entity, entity_id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 3, "{dialect}: {rows:?}");
    let parsed: Vec<(String, String, BTreeMap<String, Version>)> = rows
        .into_iter()
        .map(|(e, id, v)| (e, id, serde_json::from_str(&v).unwrap()))
        .collect();
    let version = |value: serde_json::Value, stamp: &str, base: Option<&str>| Version {
        value,
        stamp: stamp.parse().unwrap(),
        base: base.map(|b| b.parse().unwrap()),
    };
    assert_eq!(parsed[0].0, "customer");
    assert_eq!(parsed[0].1, "c1");
    assert_eq!(
        parsed[0].2,
        BTreeMap::from([
            (
                "name".to_string(),
                version(json!("김하나"), STAMP_B, Some(STAMP_A))
            ),
            (
                "deleted_at".to_string(),
                version(serde_json::Value::Null, STAMP_A, None)
            ),
        ]),
        "{dialect}"
    );
    assert_eq!(
        (parsed[1].0.as_str(), parsed[1].1.as_str()),
        ("customer", "c2")
    );
    assert_eq!(
        parsed[1].2,
        BTreeMap::from([("name".to_string(), version(json!("이둘"), STAMP_A, None))])
    );
    assert_eq!((parsed[2].0.as_str(), parsed[2].1.as_str()), ("user", "c1"));
    assert_eq!(
        parsed[2].2,
        BTreeMap::from([("role".to_string(), version(json!("doctor"), STAMP_A, None))])
    );
    let old = sqlx::query("SELECT 1 FROM field_versions")
        .fetch_optional(&db.pool)
        .await;
    assert!(old.is_err(), "{dialect}: field_versions is still there");
    db.close().await;
}

#[tokio::test]
async fn field_versions_become_one_row_per_record_on_sqlite() {
    let path = std::env::temp_dir().join(format!(
        "clinicdesk-record-versions-{}.db",
        clinicdesk_domain::ids::new_id()
    ));
    check(&format!("sqlite://{}", path.display()), "sqlite").await;
}

#[tokio::test]
async fn field_versions_become_one_row_per_record_on_postgres() {
    let Some(admin) = common::pg_url() else {
        return;
    };
    let url = common::new_pg_database(&admin, "versions").await;
    check(&url, "postgres").await;
}
