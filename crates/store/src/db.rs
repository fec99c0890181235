use crate::StoreResult;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

/// The page cache of each SQLite connection (16 MiB), beside the shared memory map.
pub const SQLITE_CACHE_SIZE: &str = "PRAGMA cache_size = -16384";

/// The page cache of the connection applying a long pull (256 MiB), for the transaction only:
/// with the usual cache its changed index pages spill to the WAL mid-transaction and are read
/// back (a third of the time of a first pull at 100k customers).
pub const SQLITE_BULK_CACHE_SIZE: &str = "PRAGMA cache_size = -262144";

pub type PooledConn = sqlx::pool::PoolConnection<sqlx::Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// The node's audit chains and the key that seals them, settled by [`Db::init_audit`].
#[derive(Debug)]
pub(crate) struct AuditSetup {
    pub(crate) node: String,
    pub(crate) change_chain: String,
    pub(crate) access_chain: String,
    pub(crate) keys: clinicdesk_security::KeyRing,
    /// Signs this node's change events with the current audit key's pair (`audit`), so the
    /// central server can verify them.
    pub(crate) signer: std::sync::Arc<clinicdesk_security::DeviceSigner>,
    /// Stamps this node's writes (its id is derived from the node id).
    pub(crate) clock: std::sync::Arc<clinicdesk_sync::clock::SyncClock>,
}

/// A connection pool on either database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub kind: DbKind,
    /// Where reads, refusals and failed logins are logged (the `<node>:access` chain): on
    /// SQLite a file of its own beside the main one (see `access_log`), on PostgreSQL the
    /// main pool.
    pub(crate) access_pool: AnyPool,
    /// SQLite: one connection for work that sorts millions of rows — building the indexes a
    /// first pull deferred, recomputing every roll-up after it. SQLite sorts in its page cache
    /// and spills sorted runs to temporary files that worker threads merge; with temporary
    /// files in memory, as the other connections keep them (for statement journals), it uses
    /// no threads, and the same ten indexes took twice as long (13.7 s against 6.8 s at 2M
    /// visits). PostgreSQL: the main pool.
    pub(crate) sorting_pool: AnyPool,
    pub(crate) audit: std::sync::Arc<std::sync::OnceLock<AuditSetup>>,
    /// The group-commit writer of the access log, started on first use.
    pub(crate) access_logger: crate::access_log::Handle,
    /// List and search (see `search_index`), shared by every clone.
    pub(crate) search_index: std::sync::Arc<crate::search_index::SearchIndex>,
    /// Whether this database is the central server's, and what sync learnt about its tables.
    pub(crate) sync: std::sync::Arc<crate::sync_node::SyncRole>,
    /// SQLite only: the background WAL checkpoints.
    _checkpointer: Option<crate::checkpoint::Checkpointer>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static SQLITE_ACCESS_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate!("../../migrations/sqlite-access");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// The file path in an SQLite URL (`sqlite://path`, `sqlite:path`, query string cut off,
/// the percent-escapes the desktop writes decoded); `None` for an in-memory database.
pub(crate) fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    let decoded = path
        .replace("%3F", "?")
        .replace("%23", "#")
        .replace("%25", "%");
    Some(std::path::PathBuf::from(decoded))
}

/// The access log's file beside an SQLite database: `clinicdesk.db` → `clinicdesk.access.db`.
pub fn access_log_path(database: &std::path::Path) -> std::path::PathBuf {
    let stem = database
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "clinicdesk".into());
    database.with_file_name(format!("{stem}.access.db"))
}

/// An sqlx URL for an SQLite file: `sqlite:` + path (not `sqlite://`, whose next segment would
/// parse as a host — a Windows drive letter would break); `%`, `?` and `#` are percent-encoded
/// because sqlx decodes the path ([`sqlite_path`] reads it back).
pub fn sqlite_url(path: &std::path::Path) -> String {
    let mut url = String::from("sqlite:");
    for c in path.to_string_lossy().chars() {
        match c {
            '\\' => url.push('/'),
            '%' => url.push_str("%25"),
            '?' => url.push_str("%3F"),
            '#' => url.push_str("%23"),
            c => url.push(c),
        }
    }
    url
}

async fn sqlite_pool(url: &str, max: u32) -> StoreResult<AnyPool> {
    Ok(sqlite_pool_options(max, "")
        .connect_with(AnyConnectOptions::from_str(url)?)
        .await?)
}

/// The connection for work that sorts millions of rows (see `Db::sorting_pool`), opened
/// when first used and closed when idle.
fn sorting_pool(url: &str) -> StoreResult<AnyPool> {
    static PRAGMAS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let pragmas = PRAGMAS.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        format!("PRAGMA temp_store = FILE; PRAGMA threads = {threads};")
    });
    Ok(sqlite_pool_options(1, pragmas)
        .min_connections(0)
        .idle_timeout(Duration::from_secs(30))
        .connect_lazy_with(AnyConnectOptions::from_str(url)?))
}

fn sqlite_pool_options(max: u32, then: &'static str) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                // WAL lets readers run beside the writer. FULL sync: a commit is on disk
                // before the answer, so what staff were told is saved survives a power cut
                // (measured: ~0.3 ms a commit here). Checkpoints run in the background
                // (see `checkpoint`). No memory map: every commit makes the other
                // connections unmap it at their next read (perf showed munmap in the read
                // path). Statement journals in memory: a multi-row insert inside a larger
                // transaction journals the pages it changes, and in a temporary file that was
                // a quarter of a long pull's time in pwrite.
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA wal_autocheckpoint = 0; PRAGMA temp_store = MEMORY;",
                )
                .await?;
                conn.execute(SQLITE_CACHE_SIZE).await?;
                if !then.is_empty() {
                    conn.execute(then).await?;
                }
                Ok(())
            })
        })
}

impl Db {
    /// Connects to `sqlite://path` (created if missing, owner-only) or `postgres://…`. Writes
    /// need [`Db::init_audit`] first (or use [`Db::open`]).
    pub async fn connect(url: &str) -> StoreResult<Db> {
        sqlx::any::install_default_drivers();
        let kind = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            DbKind::Postgres
        } else {
            DbKind::Sqlite
        };
        let (pool, access_pool, sorting_pool) = match kind {
            DbKind::Sqlite => {
                let url = if url.contains("mode=") {
                    url.to_string()
                } else {
                    format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
                };
                let path = sqlite_path(&url);
                let access_url = match &path {
                    Some(path) => {
                        // Created private before SQLite opens them (its -wal and -shm files copy
                        // the database file's mode): personal data is never world-readable.
                        clinicdesk_security::secrets::private_file_or_new(path)?;
                        let access = access_log_path(path);
                        clinicdesk_security::secrets::private_file_or_new(&access)?;
                        format!("{}?mode=rwc", sqlite_url(&access))
                    }
                    None => "sqlite::memory:".to_string(),
                };
                let pool = sqlite_pool(&url, 8).await?;
                // An in-memory database is one per connection: it sorts where it is.
                let sorting = match path {
                    Some(_) => sorting_pool(&url)?,
                    None => pool.clone(),
                };
                (pool, sqlite_pool(&access_url, 4).await?, sorting)
            }
            DbKind::Postgres => {
                let options = AnyConnectOptions::from_str(url)?;
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options.clone())
                    .await?;
                // The access log's writer has connections of its own: a request waits for its
                // access to be logged, so were the writer to queue for the pool behind the very
                // requests it holds up, a burst of requests that each keep a connection would
                // wait for one another until the pool's timeout.
                let access = AnyPoolOptions::new()
                    .max_connections(2)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?;
                (pool.clone(), access, pool)
            }
        };
        let checkpointer = (kind == DbKind::Sqlite).then(|| {
            crate::checkpoint::Checkpointer::start(vec![pool.clone(), access_pool.clone()])
        });
        Ok(Db {
            pool,
            kind,
            access_pool,
            sorting_pool,
            audit: Default::default(),
            access_logger: Default::default(),
            search_index: Default::default(),
            sync: Default::default(),
            _checkpointer: checkpointer,
        })
    }

    /// [`Db::connect`], the migrations and [`Db::init_audit`]: a database ready for writes.
    pub async fn open(url: &str, audit_keys: clinicdesk_security::KeyRing) -> StoreResult<Db> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        db.init_audit(audit_keys).await?;
        Ok(db)
    }

    /// Settles this node's audit chains — the node id (made once, kept in the settings; a
    /// desktop's earlier `device_id` becomes it) and each chain's head row — and the key ring
    /// that seals new events and verifies old ones. Call after [`Db::migrate`]; calling it
    /// again changes nothing.
    pub async fn init_audit(&self, keys: clinicdesk_security::KeyRing) -> StoreResult<()> {
        if self.audit.get().is_some() {
            return Ok(());
        }
        let mut conn = self.conn().await?;
        let node = match crate::users::setting(&mut conn, "node_id").await? {
            Some(node) => node,
            None => {
                let earlier = crate::users::setting(&mut conn, "device_id").await?;
                let fresh = earlier.unwrap_or_else(clinicdesk_domain::ids::new_id);
                crate::users::setting_or_insert(&mut conn, "node_id", &fresh).await?
            }
        };
        let change_chain = crate::audit::change_chain(&node);
        let access_chain = crate::audit::access_chain(&node);
        crate::audit::ensure_head(&mut conn, &change_chain, keys.current()).await?;
        let mut access = self.access_pool.acquire().await?;
        crate::audit::ensure_head(&mut access, &access_chain, keys.current()).await?;
        if self.kind == DbKind::Sqlite {
            // Pair the access log's file with this database (see `audit::access_log_paired`).
            // A file that went missing gets a new identity but the database keeps the old
            // one, so verification goes on reporting the loss.
            let file_id = crate::audit::access_log_identity(&mut access).await?;
            let main_id = crate::users::setting(&mut conn, "access_log_id").await?;
            let id = match (&main_id, file_id) {
                (_, Some(id)) => id,
                (Some(_), None) | (None, None) => {
                    let fresh = clinicdesk_domain::ids::new_id();
                    sqlx::query("INSERT INTO access_log_identity (id) VALUES ($1)")
                        .bind(fresh.clone())
                        .execute(&mut *access)
                        .await?;
                    fresh
                }
            };
            if main_id.is_none() {
                crate::users::setting_or_insert(&mut conn, "access_log_id", &id).await?;
            }
        }
        drop(conn);
        let clock = crate::sync_node::clock_of(&node);
        let _ = self.audit.set(AuditSetup {
            node,
            change_chain,
            access_chain,
            signer: std::sync::Arc::new(clinicdesk_security::DeviceSigner::of(keys.current())),
            keys,
            clock: std::sync::Arc::new(clock),
        });
        Ok(())
    }

    /// The public halves of this node's audit signing keys, one per key of its audit ring, as
    /// `(chain, key id, public key)`: what a node tells its central server (docs/AUDIT.md).
    pub fn audit_public_keys(&self) -> StoreResult<Vec<crate::devices::AuditKey>> {
        let audit = self.audit_setup()?;
        Ok(audit
            .keys
            .keys()
            .iter()
            .map(|k| {
                let signer = clinicdesk_security::DeviceSigner::of(k);
                (
                    audit.change_chain.clone(),
                    signer.key_id().to_string(),
                    signer.public_hex(),
                )
            })
            .collect())
    }

    /// This node's id (its audit chains are named after it), once [`Db::init_audit`] ran.
    pub fn node_id(&self) -> Option<&str> {
        self.audit.get().map(|a| a.node.as_str())
    }

    pub(crate) fn audit_setup(&self) -> StoreResult<&AuditSetup> {
        self.audit.get().ok_or_else(|| {
            crate::StoreError::Db(sqlx::Error::Protocol(
                "the audit trail is not initialised (Db::init_audit)".into(),
            ))
        })
    }

    /// The pools holding audit events: the main one, and the access log's file on SQLite (on
    /// PostgreSQL the access log's own pool reaches the same database).
    pub(crate) fn audit_pools(&self) -> Vec<&AnyPool> {
        match self.kind {
            DbKind::Sqlite => vec![&self.pool, &self.access_pool],
            DbKind::Postgres => vec![&self.pool],
        }
    }

    /// A handle for a background task: the same pool and index, without the handles that
    /// keep background tasks alive (which would then keep themselves alive).
    pub(crate) fn without_background_tasks(&self) -> Db {
        Db {
            pool: self.pool.clone(),
            kind: self.kind,
            access_pool: self.access_pool.clone(),
            sorting_pool: self.sorting_pool.clone(),
            audit: self.audit.clone(),
            access_logger: Default::default(),
            search_index: self.search_index.clone(),
            sync: self.sync.clone(),
            _checkpointer: None,
        }
    }

    /// Applies the migrations of this database's kind (and of the access log's file on
    /// SQLite); safe to call on every start.
    pub async fn migrate(&self) -> StoreResult<()> {
        match self.kind {
            DbKind::Sqlite => {
                SQLITE_MIGRATIONS.run(&self.pool).await?;
                SQLITE_ACCESS_MIGRATIONS.run(&self.access_pool).await?;
            }
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
        self.sorting_pool.close().await;
        self.access_pool.close().await;
    }
}

/// A fresh SQLite database file in the temp directory, for the store's own tests.
#[cfg(test)]
pub(crate) async fn temp_sqlite(what: &str) -> (Db, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!(
        "clinicdesk-{what}-{}.db",
        clinicdesk_domain::ids::new_id()
    ));
    let db = Db::open(
        &format!("sqlite://{}", path.display()),
        clinicdesk_security::KeyRing::generate(),
    )
    .await
    .expect("a temporary SQLite database");
    (db, path)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn sqlite_urls_round_trip() {
        assert_eq!(
            super::sqlite_url(Path::new("/home/a b/x.db")),
            "sqlite:/home/a b/x.db"
        );
        let odd = Path::new("/tmp/50%?#/x.db");
        let url = super::sqlite_url(odd);
        assert_eq!(url, "sqlite:/tmp/50%25%3F%23/x.db");
        assert_eq!(super::sqlite_path(&url).as_deref(), Some(odd));
    }

    /// Customer data is never readable by other users of the machine: the database, its
    /// access log and their WAL files are created owner-only.
    #[cfg(unix)]
    #[tokio::test]
    async fn database_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let (db, path) = super::temp_sqlite("private").await;
        let mut w = db
            .begin_write(&crate::Actor::system("test"), "2026-01-01T00:00:00.000Z")
            .await
            .unwrap();
        w.audit("test", "thing", None, serde_json::Value::Null)
            .await
            .unwrap();
        w.commit().await.unwrap();
        let access = super::access_log_path(&path);
        let files = [
            path.clone(),
            std::path::PathBuf::from(format!("{}-wal", path.display())),
            access.clone(),
        ];
        for f in &files {
            let mode = std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", f.display());
        }
        db.close().await;
        for f in files {
            let _ = std::fs::remove_file(f);
        }
    }
}
