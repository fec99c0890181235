use crate::StoreResult;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

/// The page cache of each SQLite connection (16 MiB), beside the shared memory map.
pub const SQLITE_CACHE_SIZE: &str = "PRAGMA cache_size = -16384";

pub type PooledConn = sqlx::pool::PoolConnection<sqlx::Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// A connection pool on either database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub kind: DbKind,
    /// The group-commit writer for audited reads, started on first use.
    pub(crate) read_auditor: crate::read_audit::Handle,
    /// List and search (see `search_index`), shared by every clone.
    pub(crate) search_index: std::sync::Arc<crate::search_index::SearchIndex>,
    /// SQLite only: the background WAL checkpoints.
    _checkpointer: Option<crate::checkpoint::Checkpointer>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

impl Db {
    /// Connects to `sqlite://path` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> StoreResult<Db> {
        sqlx::any::install_default_drivers();
        let kind = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            DbKind::Postgres
        } else {
            DbKind::Sqlite
        };
        let url = match kind {
            DbKind::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
            }
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = match kind {
            DbKind::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL lets readers run beside the writer; NORMAL sync is durable
                            // across application crashes, which is what a desktop needs.
                            // Checkpoints run in the background (see `checkpoint`). No memory
                            // map: every commit (each detail read writes its audit event) makes
                            // the other connections unmap it at their next read, and perf
                            // showed that munmap in the read path.
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                                 PRAGMA wal_autocheckpoint = 0;",
                            )
                            .await?;
                            conn.execute(SQLITE_CACHE_SIZE).await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            DbKind::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?
            }
        };
        let checkpointer =
            (kind == DbKind::Sqlite).then(|| crate::checkpoint::Checkpointer::start(pool.clone()));
        Ok(Db {
            pool,
            kind,
            read_auditor: Default::default(),
            search_index: Default::default(),
            _checkpointer: checkpointer,
        })
    }

    /// A handle for a background task: the same pool and index, without the handles that
    /// keep background tasks alive (which would then keep themselves alive).
    pub(crate) fn without_background_tasks(&self) -> Db {
        Db {
            pool: self.pool.clone(),
            kind: self.kind,
            read_auditor: Default::default(),
            search_index: self.search_index.clone(),
            _checkpointer: None,
        }
    }

    /// Applies the migrations of this database's kind; safe to call on every start.
    pub async fn migrate(&self) -> StoreResult<()> {
        match self.kind {
            DbKind::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            DbKind::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// A pooled connection for reads.
    pub async fn conn(&self) -> StoreResult<PooledConn> {
        Ok(self.pool.acquire().await?)
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Loads the customer search index now, so the first search does not wait for it.
    pub async fn warm_search_index(&self) -> StoreResult<()> {
        let mut conn = self.conn().await?;
        self.search_index.warm(&mut conn).await
    }

    /// Makes the next search reload the index: for bulk loads that bypass the write path.
    pub fn reset_search_index(&self) {
        self.search_index.reset();
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A fresh SQLite database file in the temp directory, for the store's own tests.
#[cfg(test)]
pub(crate) async fn temp_sqlite(what: &str) -> (Db, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!(
        "clinicdesk-{what}-{}.db",
        clinicdesk_domain::ids::new_id()
    ));
    let db = Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("a temporary SQLite database");
    (db, path)
}
