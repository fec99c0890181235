//! What the store's integration tests share: the PostgreSQL server they use and new,
//! empty databases on it.

use clinicdesk_store::Db;

/// The PostgreSQL server for these tests; under CI it must be there.
pub fn pg_url() -> Option<String> {
    match std::env::var("CLINICDESK_TEST_PG_URL") {
        Ok(url) => Some(url),
        Err(_) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CLINICDESK_TEST_PG_URL must be set under CI"
            );
            eprintln!("CLINICDESK_TEST_PG_URL not set: PostgreSQL variant skipped");
            None
        }
    }
}

/// A new, empty database `clinicdesk_<tag>_<id>` on the server `admin` names; its URL.
pub async fn new_pg_database(admin: &str, tag: &str) -> String {
    let name = format!(
        "clinicdesk_{tag}_{}",
        clinicdesk_domain::ids::new_id().replace('-', "")
    );
    let admin_db = Db::connect(admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin_db.pool)
        .await
        .unwrap();
    admin_db.close().await;
    let at = admin.rfind('/').unwrap();
    format!("{}/{name}", &admin[..at])
}
