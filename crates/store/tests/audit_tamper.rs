//! The audit trail detects each way of altering it, on SQLite and on PostgreSQL: an edited
//! event, a deleted newest event, two events swapped, an event removed from the middle, a
//! chain re-sealed with another key, a missing head, a changed absent value. On SQLite also
//! the loss of the access log's own file.

mod common;

use clinicdesk_security::KeyRing;
use clinicdesk_store::access_log::Access;
use clinicdesk_store::audit::{self, ChainReport};
use clinicdesk_store::{Actor, Db};
use serde_json::json;

const NOW: &str = "2026-01-01T09:00:00.000Z";

enum Kind {
    Sqlite,
    Postgres(String),
}

/// A fresh database with a few events in both chains.
async fn fresh(kind: &Kind, keys: &KeyRing) -> (Db, String) {
    let id = clinicdesk_domain::ids::new_id().replace('-', "");
    let url = match kind {
        Kind::Sqlite => format!(
            "sqlite://{}",
            std::env::temp_dir()
                .join(format!("clinicdesk-tamper-{id}.db"))
                .display()
        ),
        Kind::Postgres(admin) => common::new_pg_database(admin, "tamper").await,
    };
    let db = Db::open(&url, keys.clone()).await.unwrap();
    let actor = Actor {
        username: Some("tester".into()),
        ..Actor::default()
    };
    for i in 0..5 {
        let mut w = db.begin_write(&actor, NOW).await.unwrap();
        w.audit(
            "test.write",
            "thing",
            Some(&format!("t{i}")),
            json!({ "i": i }),
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
        db.record_access(Access::new(
            &actor,
            NOW,
            "test.read",
            "thing",
            Some(&format!("t{i}")),
        ))
        .await
        .unwrap();
    }
    (db, url)
}

async fn reports(db: &Db) -> Vec<ChainReport> {
    let r = audit::verify_all(db).await.unwrap();
    assert_eq!(r.len(), 2, "the change chain and the access chain: {r:?}");
    r
}

fn change_chain(r: &[ChainReport]) -> &ChainReport {
    r.iter().find(|c| !c.chain.ends_with(":access")).unwrap()
}

/// A fresh database whose change chain was altered by `statements` (run in order; `{c}`
/// stands for "the change chain, not the access chain"), and what verifying it found there.
async fn tampered(kind: &Kind, keys: &KeyRing, statements: &[&str]) -> ChainReport {
    let (db, _) = fresh(kind, keys).await;
    for sql in statements {
        sqlx::query(&sql.replace("{c}", "chain NOT LIKE '%:access'"))
            .execute(&db.pool)
            .await
            .unwrap();
    }
    let r = reports(&db).await;
    db.close().await;
    change_chain(&r).clone()
}

async fn run(kind: Kind) {
    let keys = KeyRing::generate();

    let (db, _) = fresh(&kind, &keys).await;
    let r = reports(&db).await;
    assert!(r.iter().all(|c| c.intact()), "{r:?}");
    assert_eq!(change_chain(&r).events, 5);
    db.close().await;

    let cases: [(&str, &[&str], i64, &str); 5] = [
        (
            "an edited event",
            &["UPDATE audit_events SET details = '{\"i\":99}' WHERE seq = 3 AND {c}"],
            3,
            "seal",
        ),
        (
            "the newest event deleted",
            &["DELETE FROM audit_events WHERE seq = 5 AND {c}"],
            5,
            "removed",
        ),
        (
            "two events swapped",
            &[
                "UPDATE audit_events SET seq = -2 WHERE seq = 2 AND {c}",
                "UPDATE audit_events SET seq = 2 WHERE seq = 3 AND {c}",
                "UPDATE audit_events SET seq = 3 WHERE seq = -2 AND {c}",
            ],
            2,
            "link",
        ),
        (
            "an event removed from the middle",
            &["DELETE FROM audit_events WHERE seq = 2 AND {c}"],
            2,
            "missing",
        ),
        (
            // Absent and empty seal differently.
            "an absent value made empty",
            &["UPDATE audit_events SET user_id = '' WHERE seq = 4 AND {c}"],
            4,
            "seal",
        ),
    ];
    for (what, statements, seq, why) in cases {
        let c = tampered(&kind, &keys, statements).await;
        assert_eq!(c.broken_at, Some(seq), "{what}: {c:?}");
        assert!(c.problem.as_deref().unwrap().contains(why), "{what}: {c:?}");
    }

    let c = tampered(&kind, &keys, &["DELETE FROM audit_heads WHERE {c}"]).await;
    assert!(c.problem.as_deref().unwrap().contains("no head"), "{c:?}");

    // The chain re-sealed by someone with write access but without the key: the same events
    // verified with the real ring fail at the first one.
    let (db, url) = fresh(&kind, &keys).await;
    let last_real_hash: String =
        sqlx::query_scalar("SELECT hash FROM audit_heads WHERE chain NOT LIKE '%:access'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    db.close().await;
    let forger_keys = KeyRing::generate();
    let forged = Db::connect(&url).await.unwrap();
    forged.init_audit(forger_keys.clone()).await.unwrap();
    let entries = audit::events(&forged, &audit::AuditFilter::default(), 0, 100)
        .await
        .unwrap()
        .0;
    assert!(!entries.is_empty());
    resealed_with(&forged, &forger_keys).await;
    assert!(
        audit::verify(&forged, &forger_keys).await.unwrap()[0].intact(),
        "the forger's chain is consistent under the forger's key"
    );
    let r = audit::verify(&forged, &keys).await.unwrap();
    let c = change_chain(&r);
    assert!(!c.intact(), "{r:?}");
    assert!(c.problem.as_deref().unwrap().contains("seal"), "{r:?}");
    // Even with the real head kept, the first re-sealed event gives it away.
    audit::set_head(
        &mut forged.conn().await.unwrap(),
        &c.chain,
        5,
        &last_real_hash,
        keys.current(),
    )
    .await
    .unwrap();
    let r = audit::verify(&forged, &keys).await.unwrap();
    assert_eq!(change_chain(&r).broken_at, Some(1), "{r:?}");
    forged.close().await;

    // SQLite: the access log's file deleted while the app was closed.
    if let Kind::Sqlite = kind {
        let (db, url) = fresh(&kind, &keys).await;
        db.close().await;
        let path = std::path::PathBuf::from(url.trim_start_matches("sqlite://"));
        let access = clinicdesk_store::access_log_path(&path);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", access.display()));
        }
        let db = Db::open(&url, keys.clone()).await.unwrap();
        let r = reports(&db).await;
        let lost = r.iter().find(|c| c.chain.ends_with(":access")).unwrap();
        assert!(!lost.intact(), "{r:?}");
        assert!(lost
            .problem
            .as_deref()
            .unwrap()
            .contains("lost or replaced"));
        assert!(change_chain(&r).intact());
        db.close().await;
    }
}

/// Recomputes every seal of the change chain with `keys` (what a forger with database access
/// but their own key would do), head included.
async fn resealed_with(db: &Db, keys: &KeyRing) {
    let key = keys.current();
    let rows =
        sqlx::query("SELECT * FROM audit_events WHERE chain NOT LIKE '%:access' ORDER BY seq")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    let mut prev = audit::GENESIS.to_string();
    let mut chain = String::new();
    let mut last = 0;
    for r in &rows {
        let e = audit::AuditEvent {
            key_id: key.id().to_string(),
            prev_hash: prev.clone(),
            ..audit::event_from(r).unwrap()
        };
        let hash = e.seal(key);
        sqlx::query("UPDATE audit_events SET key_id = $1, prev_hash = $2, hash = $3 WHERE chain = $4 AND seq = $5")
            .bind(e.key_id.clone())
            .bind(e.prev_hash.clone())
            .bind(hash.clone())
            .bind(e.chain.clone())
            .bind(e.seq)
            .execute(&db.pool)
            .await
            .unwrap();
        prev = hash;
        chain = e.chain;
        last = e.seq;
    }
    let mut conn = db.conn().await.unwrap();
    audit::set_head(&mut conn, &chain, last, &prev, key)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_is_detected_on_sqlite() {
    run(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_is_detected_on_postgres() {
    if let Some(url) = common::pg_url() {
        run(Kind::Postgres(url)).await;
    }
}
