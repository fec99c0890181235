//! ClinicDesk's storage: one query layer over SQLite (the desktop and a single-site server)
//! and PostgreSQL (a clinic chain's server), through sqlx's `Any` driver and the portable SQL
//! subset. It owns the schema migrations, the repositories, and the single write path
//! ([`WriteTx`]) through which every change passes together with its audit event and its
//! sync outbox entry.

pub mod access_log;
pub mod apply;
pub mod audit;
mod capture;
mod checkpoint;
pub mod clinic_stats;
pub mod customer_models;
pub mod customers;
mod db;
pub mod devices;
pub mod diagnoses;
pub mod follow_ups;
pub mod histories;
pub mod interactions;
pub mod kits;
pub mod knowledge;
pub mod money;
pub mod packages;
pub mod patients;
pub mod recommendations;
pub mod research;
mod row;
mod search_index;
pub mod self_reports;
pub mod sessions;
pub mod stats;
pub mod sync_log;
pub mod sync_node;
pub mod synced;
pub mod users;
mod write;

pub use db::{
    access_log_path, sqlite_url, Db, DbKind, PooledConn, SQLITE_BULK_CACHE_SIZE, SQLITE_CACHE_SIZE,
};
pub use write::{Actor, WriteTx};

use clinicdesk_domain::DomainError;

/// What a store call can fail with: a database problem, or a domain rule the data broke.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Rule(#[from] DomainError),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database file: {0}")]
    Io(#[from] std::io::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Timestamps are stored as fixed-width RFC 3339 UTC text so they sort as text on both
/// databases.
pub fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
