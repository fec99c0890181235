//! The server binary's administration commands on SQLite: `audit verify` (exit 0 with a count
//! when intact, 1 naming the first broken event) and `keys rotate`.

use std::path::Path;
use std::process::Output;

mod common;

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "clinicdesk-admin-cli-{tag}-{}",
        clinicdesk_domain::ids::new_id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `clinicdesk-server <args> --data-dir <dir>` with `stdin`.
fn run(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let dir = dir.display().to_string();
    let mut all = args.to_vec();
    all.extend(["--data-dir", dir.as_str()]);
    common::run(&all, stdin)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A fresh data directory whose database has an administrator (made by the CLI, audited).
fn with_an_admin(tag: &str) -> std::path::PathBuf {
    let dir = temp_dir(tag);
    let made = run(
        &dir,
        &[
            "users",
            "create",
            "--username",
            "head.admin",
            "--role",
            "admin",
        ],
        "Blue-Harbor-Lamp-42\n",
    );
    assert!(made.status.success(), "{}", text(&made));
    dir
}

#[test]
fn audit_verify_passes_an_intact_trail_and_names_a_tampered_event() {
    let dir = with_an_admin("verify");

    let ok = run(&dir, &["audit", "verify"], "");
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("intact:"), "{}", text(&ok));

    // Someone with the database file but not the key edits the first event.
    let db = dir.join("clinicdesk.db");
    let conn = update_without_the_key(
        &db,
        "UPDATE audit_events SET details = '{\"fields\":\"none\"}' WHERE seq = 1 AND chain NOT LIKE '%:access'",
    );
    assert_eq!(conn, 1, "one event edited");
    let broken = run(&dir, &["audit", "verify"], "");
    assert_eq!(broken.status.code(), Some(1), "{}", text(&broken));
    let out = text(&broken);
    assert!(out.contains("BROKEN at event 1"), "{out}");
    assert!(out.contains("do not match its seal"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs one statement on an SQLite file through the store's own driver (no key needed: that is
/// the point) and returns the rows changed.
fn update_without_the_key(db: &Path, sql: &str) -> u64 {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = clinicdesk_store::Db::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let n = sqlx_execute(&db, sql).await;
        db.close().await;
        n
    })
}

async fn sqlx_execute(db: &clinicdesk_store::Db, sql: &str) -> u64 {
    sqlx::query(sql)
        .execute(&db.pool)
        .await
        .unwrap()
        .rows_affected()
}

#[test]
fn keys_rotate_keeps_what_each_ring_must_keep() {
    let dir = with_an_admin("rotate");
    let keys_in = |name: &str| {
        let path = dir.join("secrets").join(format!("{name}.keys"));
        let ring =
            clinicdesk_security::KeyRing::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
        ring.keys().len()
    };
    assert_eq!(keys_in("jwt-signing"), 1);
    for expected in [2, 2, 2] {
        let r = run(&dir, &["keys", "rotate", "jwt-signing"], "");
        assert!(r.status.success(), "{}", text(&r));
        assert_eq!(
            keys_in("jwt-signing"),
            expected,
            "the previous token key only"
        );
    }
    for expected in [2, 3] {
        let r = run(&dir, &["keys", "rotate", "audit"], "");
        assert!(r.status.success(), "{}", text(&r));
        assert_eq!(keys_in("audit"), expected, "every audit key stays");
    }
    // Events sealed before the rotations still verify; a new one is sealed with the new key.
    let more = run(
        &dir,
        &[
            "users",
            "create",
            "--username",
            "second.admin",
            "--role",
            "admin",
        ],
        "Green-River-Stone-77\n",
    );
    assert!(more.status.success(), "{}", text(&more));
    let ok = run(&dir, &["audit", "verify"], "");
    assert!(ok.status.success(), "{}", text(&ok));
    let bad = run(&dir, &["keys", "rotate", "nonsense"], "");
    assert!(!bad.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}
