//! This database as a sync node (`docs/SYNC.md`): whether it is the central server's, its
//! clock, its state row (`sync_state`), its outbox and the conflicts and merge candidates
//! sync found.

use crate::row::{self, in_list, Params};
use crate::{Db, DbKind, StoreResult};
use clinicdesk_sync::clock::SyncClock;
use clinicdesk_sync::protocol::Op;
use serde::Serialize;
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Where a database's own changes go, and the column types sync binds values with.
#[derive(Debug, Default)]
pub struct SyncRole {
    /// The central server logs its own writes straight into `sync_log` for the devices to
    /// pull; a node keeps them in its outbox until the server holds them.
    central: AtomicBool,
    /// Per table, each column's SQL type (read once from the database).
    types: Mutex<HashMap<String, std::sync::Arc<HashMap<String, String>>>>,
}

/// The device id the central server's own changes carry in its log.
pub const CENTRAL_DEVICE: &str = "central";

/// The clock of a node, its HLC id taken from the node id (a UUID: 128 bits).
pub fn clock_of(node: &str) -> SyncClock {
    let hex: String = node.chars().filter(char::is_ascii_hexdigit).collect();
    let tail = &hex[hex.len().saturating_sub(32)..];
    // Id 0 is no clock id; a node id is a UUIDv7, never all zeros.
    let id = u128::from_str_radix(tail, 16).unwrap_or(1).max(1);
    match SyncClock::new(id) {
        Some(c) => c,
        None => SyncClock::new(1).expect("1 is a clock id"),
    }
}

impl Db {
    /// Makes this database the central server's (its writes go to `sync_log`) or a node's
    /// (its writes wait in the outbox). A node is the default.
    pub fn set_central(&self, central: bool) {
        self.sync.central.store(central, Ordering::SeqCst);
    }

    /// Between the commits of a long pull: writes the WAL back into the database file and
    /// empties it (SQLite). The background checkpoint cannot while pages keep committing, so a
    /// first pull of a big clinic would otherwise grow a WAL several times the database's size.
    pub async fn truncate_wal(&self) -> StoreResult<()> {
        if self.kind == DbKind::Sqlite {
            let mut conn = self.conn().await?;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    pub fn is_central(&self) -> bool {
        self.sync.central.load(Ordering::SeqCst)
    }

    /// This node's clock, once [`Db::init_audit`] ran.
    pub fn clock(&self) -> StoreResult<std::sync::Arc<SyncClock>> {
        Ok(self.audit_setup()?.clock.clone())
    }

    /// [`Db::column_types`] when they have been read already.
    pub(crate) fn known_column_types(
        &self,
        table: &str,
    ) -> Option<std::sync::Arc<HashMap<String, String>>> {
        self.sync
            .types
            .lock()
            .ok()
            .and_then(|m| m.get(table).cloned())
    }

    /// Each column's SQL type in `table`, lower case (`text`, `bigint`, `integer`, …).
    pub(crate) async fn column_types(
        &self,
        conn: &mut AnyConnection,
        table: &str,
    ) -> StoreResult<std::sync::Arc<HashMap<String, String>>> {
        if let Some(t) = self.known_column_types(table) {
            return Ok(t);
        }
        let sql = match self.kind {
            DbKind::Sqlite => "SELECT name AS c, type AS t FROM pragma_table_info($1)",
            DbKind::Postgres => {
                "SELECT CAST(column_name AS TEXT) AS c, CAST(data_type AS TEXT) AS t \
                 FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema()"
            }
        };
        let mut types = HashMap::new();
        for r in sqlx::query(sql)
            .bind(table.to_string())
            .fetch_all(&mut *conn)
            .await?
        {
            types.insert(row::text(&r, "c")?, row::text(&r, "t")?.to_lowercase());
        }
        let types = std::sync::Arc::new(types);
        if let Ok(mut m) = self.sync.types.lock() {
            m.insert(table.to_string(), types.clone());
        }
        Ok(types)
    }

    /// `$n` as the column's type: every synced value travels as text.
    pub(crate) fn cast(&self, placeholder: &str, sql_type: &str) -> String {
        let t = sql_type.to_lowercase();
        if t.contains("int") {
            match self.kind {
                DbKind::Sqlite => format!("CAST({placeholder} AS INTEGER)"),
                DbKind::Postgres => format!("CAST({placeholder} AS BIGINT)"),
            }
        } else if t.contains("real") || t.contains("double") || t.contains("numeric") {
            match self.kind {
                DbKind::Sqlite => format!("CAST({placeholder} AS REAL)"),
                DbKind::Postgres => format!("CAST({placeholder} AS {t})"),
            }
        } else {
            placeholder.to_string()
        }
    }
}

/// The node's sync state row.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncState {
    pub upstream_url: Option<String>,
    pub device_id: Option<String>,
    pub cursor: i64,
    pub snapshot_sent: bool,
    pub last_sync_at: Option<String>,
    pub last_attempt_at: Option<String>,
    pub last_error: Option<String>,
    /// The server's head at the last pull: with `cursor`, how far a first pull has come.
    pub pull_head: Option<i64>,
}

pub async fn state(conn: &mut AnyConnection) -> StoreResult<SyncState> {
    let r = sqlx::query(
        "SELECT upstream_url, device_id, cursor, snapshot_sent, last_sync_at, last_attempt_at, last_error, pull_head \
         FROM sync_state WHERE id = 1",
    )
    .fetch_one(conn)
    .await?;
    Ok(SyncState {
        upstream_url: row::opt_text(&r, "upstream_url")?,
        device_id: row::opt_text(&r, "device_id")?,
        cursor: row::int(&r, "cursor")?,
        snapshot_sent: row::flag(&r, "snapshot_sent")?,
        last_sync_at: row::opt_text(&r, "last_sync_at")?,
        last_attempt_at: row::opt_text(&r, "last_attempt_at")?,
        last_error: row::opt_text(&r, "last_error")?,
        pull_head: row::opt_int(&r, "pull_head")?,
    })
}

/// Remembers the server this node syncs with and the device id it got; a new server starts
/// from cursor 0 and a fresh snapshot.
pub async fn set_upstream(conn: &mut AnyConnection, url: &str, device_id: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE sync_state SET upstream_url = $1, device_id = $2, cursor = 0, snapshot_sent = 0, \
         last_error = NULL, pull_head = NULL WHERE id = 1",
    )
    .bind(url.to_string())
    .bind(device_id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Saves the cursor of an applied page (inside the page's transaction).
pub async fn set_cursor(conn: &mut AnyConnection, cursor: i64, head: i64) -> StoreResult<()> {
    sqlx::query("UPDATE sync_state SET cursor = $1, pull_head = $2 WHERE id = 1")
        .bind(cursor)
        .bind(head)
        .execute(conn)
        .await?;
    Ok(())
}

/// How the last round went: `error` is `None` after a round that finished.
pub async fn set_outcome(
    conn: &mut AnyConnection,
    now: &str,
    error: Option<&str>,
) -> StoreResult<()> {
    match error {
        None => {
            sqlx::query(
                "UPDATE sync_state SET last_sync_at = $1, last_attempt_at = $1, last_error = NULL WHERE id = 1",
            )
            .bind(now.to_string())
            .execute(conn)
            .await?
        }
        Some(e) => {
            sqlx::query("UPDATE sync_state SET last_attempt_at = $1, last_error = $2 WHERE id = 1")
                .bind(now.to_string())
                .bind(e.to_string())
                .execute(conn)
                .await?
        }
    };
    Ok(())
}

/// The oldest ops waiting in the outbox.
pub async fn outbox_batch(conn: &mut AnyConnection, limit: i64) -> StoreResult<Vec<Op>> {
    let rows = sqlx::query("SELECT payload FROM outbox ORDER BY seq LIMIT $1")
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            let text = row::text(r, "payload")?;
            serde_json::from_str(&text)
                .map_err(|e| crate::StoreError::Db(sqlx::Error::Decode(Box::new(e))))
        })
        .collect()
}

pub async fn outbox_len(conn: &mut AnyConnection) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(conn)
        .await?)
}

/// Drops the ops the server said it holds.
pub async fn outbox_done(conn: &mut AnyConnection, held: &[String]) -> StoreResult<u64> {
    let mut done = 0;
    for chunk in held.chunks(500) {
        let mut params = Params::default();
        let list = in_list(&mut params, chunk);
        let sql = format!("DELETE FROM outbox WHERE op_id IN {list}");
        done += params
            .bind(sqlx::query(&sql))
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(done)
}

/// A conflict as the conflicts screen shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ConflictRow {
    pub id: String,
    pub entity: String,
    pub entity_id: String,
    pub field: String,
    pub kept_value: Option<String>,
    pub kept_stamp: String,
    pub lost_value: Option<String>,
    pub lost_stamp: String,
    pub detected_at: String,
}

/// Open conflicts: the field still holds the version that was kept (a later write of the
/// field — a resolution on any node — closes it everywhere).
pub async fn open_conflicts(conn: &mut AnyConnection) -> StoreResult<Vec<ConflictRow>> {
    let rows = sqlx::query(
        "SELECT id, entity, entity_id, field, kept_value, kept_stamp, lost_value, lost_stamp, detected_at \
         FROM sync_conflicts ORDER BY detected_at, id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let all = rows
        .iter()
        .map(|r| {
            Ok(ConflictRow {
                id: row::text(r, "id")?,
                entity: row::text(r, "entity")?,
                entity_id: row::text(r, "entity_id")?,
                field: row::text(r, "field")?,
                kept_value: row::opt_text(r, "kept_value")?,
                kept_stamp: row::text(r, "kept_stamp")?,
                lost_value: row::opt_text(r, "lost_value")?,
                lost_stamp: row::text(r, "lost_stamp")?,
                detected_at: row::text(r, "detected_at")?,
            })
        })
        .collect::<StoreResult<Vec<ConflictRow>>>()?;
    let mut records: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for c in &all {
        records
            .entry(c.entity.as_str())
            .or_default()
            .push(c.entity_id.clone());
    }
    let mut held = HashMap::new();
    for (entity, ids) in records {
        held.insert(
            entity.to_string(),
            crate::capture::versions_of_many(&mut *conn, entity, &ids).await?,
        );
    }
    let open = |c: &ConflictRow| {
        held.get(&c.entity)
            .and_then(|rows| rows.get(&c.entity_id))
            .and_then(|fields| fields.get(&c.field))
            .is_some_and(|v| v.stamp.to_string() == c.kept_stamp)
    };
    Ok(all.into_iter().filter(|c| open(c)).collect())
}

pub async fn conflict(conn: &mut AnyConnection, id: &str) -> StoreResult<Option<ConflictRow>> {
    Ok(open_conflicts(conn).await?.into_iter().find(|c| c.id == id))
}

/// Pairs of customers created apart with the same name and phone.
pub async fn merge_candidates(
    conn: &mut AnyConnection,
) -> StoreResult<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT m.customer_a, m.customer_b, m.detected_at FROM merge_candidates m \
         JOIN customers a ON a.id = m.customer_a JOIN customers b ON b.id = m.customer_b \
         WHERE a.deleted_at IS NULL AND b.deleted_at IS NULL ORDER BY m.detected_at",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                row::text(r, "customer_a")?,
                row::text(r, "customer_b")?,
                row::text(r, "detected_at")?,
            ))
        })
        .collect()
}

/// Packages used more times than they hold (visits recorded apart on two desktops).
pub async fn overdrawn_packages(
    conn: &mut AnyConnection,
) -> StoreResult<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT purchase_id, customer_id, overdrawn_sessions FROM purchase_stats WHERE overdrawn_sessions > 0 \
         ORDER BY purchase_id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                row::text(r, "purchase_id")?,
                row::text(r, "customer_id")?,
                row::int(r, "overdrawn_sessions")?,
            ))
        })
        .collect()
}

/// Rewrites every copy sync keeps of one row — its ops in the outbox and in the central
/// server's log, and conflicts about it — to the row as it stands now, or removes them when
/// the row is gone. Anonymisation and deletion call it so that no copy keeps what they
/// removed.
pub async fn rewrite_copies(conn: &mut AnyConnection, entity: &str, id: &str) -> StoreResult<()> {
    let Some(t) = crate::synced::table(entity) else {
        return Ok(());
    };
    let current = crate::capture::read_row(&mut *conn, t, id).await?;
    for (table, column) in [("outbox", "payload"), ("sync_log", "op")] {
        let rows = sqlx::query(&format!(
            "SELECT seq, {column} AS op FROM {table} WHERE entity = $1 AND entity_id = $2"
        ))
        .bind(entity.to_string())
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            let seq = row::int(r, "seq")?;
            let Some(now) = &current else {
                sqlx::query(&format!("DELETE FROM {table} WHERE seq = $1"))
                    .bind(seq)
                    .execute(&mut *conn)
                    .await?;
                continue;
            };
            let mut op: Op = serde_json::from_str(&row::text(r, "op")?)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
            if op.row.is_some() {
                op.row = Some(serde_json::Value::Object(now.clone()));
            }
            for (f, v) in op.fields.iter_mut() {
                v.value = now.get(f).cloned().unwrap_or(serde_json::Value::Null);
            }
            let text = serde_json::to_string(&op).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
            sqlx::query(&format!("UPDATE {table} SET {column} = $1 WHERE seq = $2"))
                .bind(text)
                .bind(seq)
                .execute(&mut *conn)
                .await?;
        }
    }
    sqlx::query("DELETE FROM sync_conflicts WHERE entity = $1 AND entity_id = $2")
        .bind(entity.to_string())
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A node's first sync: the outbox is replaced by one op per synced row as it stands (the
/// outbox of a database older than sync, rows the demo's bulk load wrote, and changes made
/// before connecting are all in it). Returns the number of ops queued.
pub async fn queue_snapshot(w: &mut crate::WriteTx) -> StoreResult<u64> {
    sqlx::query("DELETE FROM outbox").execute(w.conn()).await?;
    let clock = w.clock();
    let stamp = move || clock.stamp();
    let mut queued = 0;
    for t in crate::synced::SYNCED {
        let mut after: Option<String> = None;
        loop {
            let (ops, last) =
                crate::capture::snapshot_page(w.conn(), t, after.as_deref(), 1000, &stamp).await?;
            queued += ops.len() as u64;
            w.queue_all(&ops).await?;
            match last {
                Some(l) => after = Some(l),
                None => break,
            }
        }
    }
    sqlx::query("UPDATE sync_state SET snapshot_sent = 1 WHERE id = 1")
        .execute(w.conn())
        .await?;
    Ok(queued)
}

/// Resolves an open conflict with the value kept (`keep_lost = false`) or the value that lost:
/// either way the field gets a new version, which closes the conflict on every node when it
/// arrives there (a later write of the field supersedes both values).
pub async fn resolve(
    db: &Db,
    w: &mut crate::WriteTx,
    conflict: &ConflictRow,
    keep_lost: bool,
) -> StoreResult<()> {
    let Some(t) = crate::synced::table(&conflict.entity) else {
        return Ok(());
    };
    if !t.columns.contains(&conflict.field.as_str()) {
        return Ok(());
    }
    if keep_lost {
        let types = db.column_types(w.conn(), t.table).await?;
        let ty = types
            .get(&conflict.field)
            .map(String::as_str)
            .unwrap_or("text");
        let sql = format!(
            "UPDATE {} SET {} = {} WHERE {} = $2",
            t.table,
            conflict.field,
            db.cast("$1", ty),
            t.id
        );
        sqlx::query(&sql)
            .bind(conflict.lost_value.clone())
            .bind(conflict.entity_id.clone())
            .execute(w.conn())
            .await?;
    }
    w.touch(
        &conflict.entity,
        &conflict.entity_id,
        &[conflict.field.as_str()],
    )
    .await?;
    if conflict.entity == "customer" {
        crate::stats::refresh_customer(w.conn(), &conflict.entity_id).await?;
    }
    Ok(())
}

/// Marks this database for a snapshot: rows were written past change capture (the demo's bulk
/// load), so the next first sync — or, on the central server, the next start — sends every
/// row as it stands.
pub async fn needs_snapshot(conn: &mut AnyConnection) -> StoreResult<()> {
    sqlx::query("UPDATE sync_state SET snapshot_sent = 0 WHERE id = 1")
        .execute(conn)
        .await?;
    Ok(())
}

/// The central server's start: rows its log does not hold yet (a bulk load, a database from
/// before sync) are logged for the devices, once. Returns how many.
pub async fn log_unlogged_rows(db: &Db, now: &str) -> StoreResult<u64> {
    let mut conn = db.conn().await?;
    if state(&mut conn).await?.snapshot_sent {
        return Ok(0);
    }
    drop(conn);
    let mut w = db.begin_write(&crate::Actor::system("sync"), now).await?;
    let n = queue_snapshot(&mut w).await?;
    w.commit().await?;
    if n > 0 {
        // Millions of rows just arrived in the log: without fresh statistics PostgreSQL plans
        // the first pulls as a full scan and sort of the log (4–6 s a page at 100k customers)
        // until autovacuum gets round to it.
        let mut conn = db.conn().await?;
        sqlx::query("ANALYZE sync_log").execute(&mut *conn).await?;
    }
    Ok(n)
}

/// The tables a first pull fills with many rows (`defer_indexes`).
const BULK_TABLES: &[&str] = &[
    "customers",
    "service_sessions",
    "package_purchases",
    "audit_events",
    "interactions",
];

/// At the start of a long first pull into an empty SQLite node: drops the secondary indexes
/// of the customers and the big fact tables, keeping their definitions in
/// `sync_deferred_indexes` in the same transaction. Inserting into bare tables and building each index once, sorted, at the end
/// ([`restore_indexes`]) is several times faster than keeping four indexes of two million
/// visits up to date row by row. Nothing the pull itself reads uses them (it looks rows up by
/// id). Returns how many it dropped; none on PostgreSQL or a node that holds visits.
pub async fn defer_indexes(w: &mut crate::WriteTx) -> StoreResult<usize> {
    if w.conn().backend_name() != "SQLite" {
        return Ok(0);
    }
    let held: Option<String> = sqlx::query_scalar("SELECT id FROM service_sessions LIMIT 1")
        .fetch_optional(w.conn())
        .await?;
    if held.is_some() {
        return Ok(0);
    }
    let mut params = Params::default();
    let list = in_list(
        &mut params,
        &BULK_TABLES
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>(),
    );
    let sql = format!(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
         AND tbl_name IN {list} ORDER BY name"
    );
    let indexes = params.bind(sqlx::query(&sql)).fetch_all(w.conn()).await?;
    for r in &indexes {
        let name = row::text(r, "name")?;
        sqlx::query("INSERT INTO sync_deferred_indexes (name, sql) VALUES ($1, $2)")
            .bind(name.clone())
            .bind(row::text(r, "sql")?)
            .execute(w.conn())
            .await?;
        // The name comes from sqlite_master, never from input.
        sqlx::query(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))
            .execute(w.conn())
            .await?;
    }
    Ok(indexes.len())
}

/// Builds again the indexes [`defer_indexes`] dropped (when a pull has caught up), on the
/// connection for sorting (`Db::sorting_pool`); returns how many.
pub async fn restore_indexes(db: &Db) -> StoreResult<usize> {
    use sqlx::Connection;
    let mut conn = db.sorting_pool.acquire().await?;
    let waiting = sqlx::query("SELECT name, sql FROM sync_deferred_indexes ORDER BY name")
        .fetch_all(&mut *conn)
        .await?;
    if waiting.is_empty() {
        return Ok(0);
    }
    // The transaction's first statement writes: begun with a read, it could not take the
    // write lock after another connection's commit (SQLite's snapshot rule), and would fail
    // instead of waiting its turn.
    let mut tx = conn.begin().await?;
    for r in &waiting {
        // Definitions read from sqlite_master by `defer_indexes`.
        sqlx::query(&row::text(r, "sql")?).execute(&mut *tx).await?;
    }
    sqlx::query("DELETE FROM sync_deferred_indexes")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(waiting.len())
}
