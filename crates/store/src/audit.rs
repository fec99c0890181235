//! The audit trail: append-only chains of events, each sealed with an HMAC under a key kept
//! outside the database.
//!
//! An event's `hash` is HMAC-SHA-256 over a canonical encoding of all its fields (absent and
//! empty values encode differently) and the previous event's `hash`. Editing, deleting or
//! reordering any event breaks the chain from there; recomputing the whole chain needs the
//! key, which a copy of the database does not hold. Each chain's head row (newest sequence
//! number and hash, MAC'd too) catches the deletion of the newest events.
//!
//! Chains belong to a node (a database that appends events: a desktop, a server) and a
//! stream: `<node>` for the events of changes, written in the same transaction as the change
//! (see `write`), and `<node>:access` for reads, refusals and failed logins (see
//! `access_log`). Per-node chains never need a global sequence, so chains made offline on many
//! desktops can later be merged on a server and each verified on its own (docs/AUDIT.md).

use crate::row;
use crate::{Db, StoreResult};
use clinicdesk_security::{Key, KeyRing};
use serde_json::Value;
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::HashMap;

/// The `prev_hash` of a chain's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The chain of a node's changes.
pub fn change_chain(node: &str) -> String {
    node.to_string()
}

/// The chain of a node's reads, refusals and failed logins.
pub fn access_chain(node: &str) -> String {
    format!("{node}:access")
}

/// One event as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub chain: String,
    pub seq: i64,
    pub id: String,
    pub occurred_at: String,
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub role: Option<String>,
    /// The device the user acted from, as their login session names it.
    pub device_id: Option<String>,
    /// The request id this server gave the request.
    pub request_id: Option<String>,
    /// The `X-Request-Id` the client sent, recorded as the client's claim.
    pub client_request_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    /// JSON; never personal data or secrets (which fields, not their values).
    pub details: String,
    pub key_id: String,
    pub prev_hash: String,
}

/// Appends a field to a canonical encoding: absent, or present with its length.
fn field(out: &mut Vec<u8>, v: Option<&str>) {
    match v {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            out.extend_from_slice(&(s.len() as u64).to_be_bytes());
            out.extend_from_slice(s.as_bytes());
        }
    }
}

impl AuditEvent {
    /// The bytes the MAC covers.
    pub fn canonical(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256 + self.details.len());
        field(&mut out, Some("clinicdesk-audit-event-v1"));
        field(&mut out, Some(&self.chain));
        field(&mut out, Some(&self.seq.to_string()));
        field(&mut out, Some(&self.id));
        field(&mut out, Some(&self.occurred_at));
        field(&mut out, self.user_id.as_deref());
        field(&mut out, self.username.as_deref());
        field(&mut out, self.role.as_deref());
        field(&mut out, self.device_id.as_deref());
        field(&mut out, self.request_id.as_deref());
        field(&mut out, self.client_request_id.as_deref());
        field(&mut out, Some(&self.action));
        field(&mut out, Some(&self.entity));
        field(&mut out, self.entity_id.as_deref());
        field(&mut out, Some(&self.details));
        field(&mut out, Some(&self.key_id));
        field(&mut out, Some(&self.prev_hash));
        out
    }

    pub fn seal(&self, key: &Key) -> String {
        key.mac_hex(&self.canonical())
    }

    /// The bytes a device signature covers: the event and its seal, so a server holding the
    /// public key alone can tell the event, its link and its seal are the node's.
    pub fn signed_bytes(&self, hash: &str) -> Vec<u8> {
        let mut out = self.canonical();
        field(&mut out, Some("clinicdesk-audit-signature-v1"));
        field(&mut out, Some(hash));
        out
    }
}

/// An event ready to insert: its seal, its device signature (change chains only) and the
/// customers it concerns beside its own entity.
#[derive(Debug, Clone)]
pub struct SealedEvent {
    pub event: AuditEvent,
    pub hash: String,
    pub signature: Option<String>,
    pub subjects: Vec<String>,
}

/// The bytes a chain head's MAC covers.
fn head_canonical(chain: &str, seq: i64, hash: &str) -> Vec<u8> {
    let mut out = Vec::new();
    field(&mut out, Some("clinicdesk-audit-head-v1"));
    field(&mut out, Some(chain));
    field(&mut out, Some(&seq.to_string()));
    field(&mut out, Some(hash));
    out
}

/// Health and contact values do not belong in the audit trail: it records which fields a
/// write touched, not their contents.
pub fn redact(payload: &Value) -> Value {
    match payload {
        Value::Object(map) => Value::Array(map.keys().map(|k| Value::String(k.clone())).collect()),
        _ => Value::Null,
    }
}

/// Creates a chain's head (empty chain) unless it exists.
pub(crate) async fn ensure_head(
    conn: &mut AnyConnection,
    chain: &str,
    key: &Key,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_heads (chain, seq, hash, key_id, mac) VALUES ($1, 0, $2, $3, $4) \
         ON CONFLICT (chain) DO NOTHING",
    )
    .bind(chain.to_string())
    .bind(GENESIS.to_string())
    .bind(key.id().to_string())
    .bind(key.mac_hex(&head_canonical(chain, 0, GENESIS)))
    .execute(conn)
    .await?;
    Ok(())
}

/// Claims a chain's head inside a transaction: the statement takes the write lock (SQLite) or
/// the row lock (PostgreSQL), so one chain's appenders queue here, before they read anything.
pub(crate) async fn claim_head(
    conn: &mut AnyConnection,
    chain: &str,
) -> StoreResult<(i64, String)> {
    let head = sqlx::query("UPDATE audit_heads SET seq = seq WHERE chain = $1 RETURNING seq, hash")
        .bind(chain.to_string())
        .fetch_optional(conn)
        .await?;
    match head {
        Some(r) => Ok((r.try_get("seq")?, r.try_get("hash")?)),
        None => {
            Err(sqlx::Error::Protocol(format!("the audit chain {chain} has no head row")).into())
        }
    }
}

/// Moves a chain's head to its newest event, sealed with `key`.
pub async fn set_head(
    conn: &mut AnyConnection,
    chain: &str,
    seq: i64,
    hash: &str,
    key: &Key,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE audit_heads SET seq = $1, hash = $2, key_id = $3, mac = $4 WHERE chain = $5",
    )
    .bind(seq)
    .bind(hash.to_string())
    .bind(key.id().to_string())
    .bind(key.mac_hex(&head_canonical(chain, seq, hash)))
    .bind(chain.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

const EVENT_COLUMNS: &str =
    "chain, seq, id, occurred_at, user_id, username, role, device_id, request_id, \
    client_request_id, action, entity, entity_id, details, key_id, prev_hash, hash, signature";
const EVENT_COLUMN_COUNT: usize = 18;

/// Inserts sealed events and the customers each concerns, in as few statements as the
/// databases' parameter limits allow.
pub(crate) async fn insert(conn: &mut AnyConnection, events: &[SealedEvent]) -> StoreResult<()> {
    // 18 parameters a row; 200 rows stay under both databases' limits.
    for chunk in events.chunks(200) {
        let mut sql = format!("INSERT INTO audit_events ({EVENT_COLUMNS}) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..EVENT_COLUMN_COUNT {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", i * EVENT_COLUMN_COUNT + c + 1));
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for SealedEvent {
            event: e,
            hash,
            signature,
            ..
        } in chunk
        {
            q = q
                .bind(e.chain.clone())
                .bind(e.seq)
                .bind(e.id.clone())
                .bind(e.occurred_at.clone())
                .bind(e.user_id.clone())
                .bind(e.username.clone())
                .bind(e.role.clone())
                .bind(e.device_id.clone())
                .bind(e.request_id.clone())
                .bind(e.client_request_id.clone())
                .bind(e.action.clone())
                .bind(e.entity.clone())
                .bind(e.entity_id.clone())
                .bind(e.details.clone())
                .bind(e.key_id.clone())
                .bind(e.prev_hash.clone())
                .bind(hash.clone())
                .bind(signature.clone());
        }
        q.execute(&mut *conn).await?;
        let subjects: Vec<(&AuditEvent, &String)> = chunk
            .iter()
            .flat_map(|s| s.subjects.iter().map(move |c| (&s.event, c)))
            .collect();
        for part in subjects.chunks(500) {
            let mut sql =
                String::from("INSERT INTO audit_subjects (chain, seq, customer_id) VALUES ");
            for i in 0..part.len() {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("(${}, ${}, ${})", i * 3 + 1, i * 3 + 2, i * 3 + 3));
            }
            sql.push_str(" ON CONFLICT DO NOTHING");
            let mut q = sqlx::query(&sql);
            for (e, customer) in part {
                q = q
                    .bind(e.chain.clone())
                    .bind(e.seq)
                    .bind((*customer).clone());
            }
            q.execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// An event as the admin's audit screen and the tests read it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    pub id: String,
    pub chain: String,
    pub seq: i64,
    pub occurred_at: String,
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub role: Option<String>,
    pub device_id: Option<String>,
    pub request_id: Option<String>,
    pub client_request_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub details: Value,
}

/// An event as stored (its seal aside, in the `hash` column).
pub fn event_from(r: &sqlx::any::AnyRow) -> StoreResult<AuditEvent> {
    Ok(AuditEvent {
        chain: row::text(r, "chain")?,
        seq: row::int(r, "seq")?,
        id: row::text(r, "id")?,
        occurred_at: row::text(r, "occurred_at")?,
        user_id: row::opt_text(r, "user_id")?,
        username: row::opt_text(r, "username")?,
        role: row::opt_text(r, "role")?,
        device_id: row::opt_text(r, "device_id")?,
        request_id: row::opt_text(r, "request_id")?,
        client_request_id: row::opt_text(r, "client_request_id")?,
        action: row::text(r, "action")?,
        entity: row::text(r, "entity")?,
        entity_id: row::opt_text(r, "entity_id")?,
        details: row::text(r, "details")?,
        key_id: row::text(r, "key_id")?,
        prev_hash: row::text(r, "prev_hash")?,
    })
}

fn entry_from(r: &sqlx::any::AnyRow) -> StoreResult<AuditEntry> {
    let e = event_from(r)?;
    Ok(AuditEntry {
        details: serde_json::from_str(&e.details).unwrap_or(Value::String(e.details)),
        id: e.id,
        chain: e.chain,
        seq: e.seq,
        occurred_at: e.occurred_at,
        user_id: e.user_id,
        username: e.username,
        role: e.role,
        device_id: e.device_id,
        request_id: e.request_id,
        client_request_id: e.client_request_id,
        action: e.action,
        entity: e.entity,
        entity_id: e.entity_id,
    })
}

/// Which events to list; `None` is "any".
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Events about this customer: its own reads and writes, and list pages it appeared on.
    pub customer_id: Option<String>,
    /// By username.
    pub username: Option<String>,
    /// Actions, comma-separated, any of which matches: each exact (`customer.detail.read`) or
    /// a prefix ending in `.` (`auth.`).
    pub action: Option<String>,
    /// `occurred_at` bounds, RFC 3339 text (from inclusive, to exclusive).
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Events matching `filter`, newest first: `limit` of them after skipping `offset`, and
/// whether more follow. Both chains of a node are read (on SQLite two files), merged by time.
pub async fn events(
    db: &Db,
    filter: &AuditFilter,
    offset: usize,
    limit: usize,
) -> StoreResult<(Vec<AuditEntry>, bool)> {
    let want = offset + limit + 1;
    let mut all = Vec::new();
    for pool in db.audit_pools() {
        all.extend(events_in(pool, filter, want).await?);
    }
    all.sort_by(|a, b| {
        b.occurred_at
            .cmp(&a.occurred_at)
            .then_with(|| b.id.cmp(&a.id))
    });
    let more = all.len() > offset + limit;
    Ok((all.into_iter().skip(offset).take(limit).collect(), more))
}

async fn events_in(pool: &AnyPool, f: &AuditFilter, limit: usize) -> StoreResult<Vec<AuditEntry>> {
    let mut conditions = Vec::new();
    let mut params: Vec<String> = Vec::new();
    let mut param = |v: String| {
        params.push(v);
        format!("${}", params.len())
    };
    if let Some(c) = &f.customer_id {
        let p = param(c.clone());
        conditions.push(format!(
            "(e.entity_id = {p} OR EXISTS (SELECT 1 FROM audit_subjects s WHERE s.chain = e.chain \
             AND s.seq = e.seq AND s.customer_id = {p}))"
        ));
    }
    if let Some(u) = &f.username {
        conditions.push(format!("e.username = {}", param(u.clone())));
    }
    if let Some(actions) = &f.action {
        let any: Vec<String> = actions
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                if a.ends_with('.') {
                    format!("e.action LIKE {}", param(format!("{a}%")))
                } else {
                    format!("e.action = {}", param(a.to_string()))
                }
            })
            .collect();
        if !any.is_empty() {
            conditions.push(format!("({})", any.join(" OR ")));
        }
    }
    if let Some(from) = &f.from {
        conditions.push(format!("e.occurred_at >= {}", param(from.clone())));
    }
    if let Some(to) = &f.to {
        conditions.push(format!("e.occurred_at < {}", param(to.clone())));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let columns: Vec<String> = EVENT_COLUMNS
        .split(',')
        .map(|c| format!("e.{}", c.trim()))
        .collect();
    let sql = format!(
        "SELECT {} FROM audit_events e {filter} ORDER BY e.occurred_at DESC, e.id DESC LIMIT {limit}",
        columns.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for p in params {
        q = q.bind(p);
    }
    q.fetch_all(pool).await?.iter().map(entry_from).collect()
}

/// The events about one record, oldest first (tests and the desktop's checks).
pub async fn of_entity(db: &Db, entity_id: &str) -> StoreResult<Vec<AuditEntry>> {
    let filter = AuditFilter {
        customer_id: Some(entity_id.to_string()),
        ..AuditFilter::default()
    };
    let (mut list, _) = events(db, &filter, 0, 100_000).await?;
    list.reverse();
    Ok(list)
}

/// What verifying one chain found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChainReport {
    pub chain: String,
    /// Events checked.
    pub events: i64,
    /// Whether this node holds the chain's key and head, so seals were checked too; a chain
    /// another node wrote (it arrived by sync) is checked for gaps and links only.
    pub sealed_here: bool,
    /// Whether each event was checked against the signature of the device that sealed it:
    /// chains a central server received from its devices (`signing`, docs/AUDIT.md).
    pub device_signed: bool,
    /// `None` when intact; otherwise the first broken event's sequence number and why.
    pub broken_at: Option<i64>,
    pub problem: Option<String>,
}

impl ChainReport {
    pub fn intact(&self) -> bool {
        self.broken_at.is_none()
    }
}

/// The identity of an SQLite node's access log file.
pub(crate) async fn access_log_identity(conn: &mut AnyConnection) -> StoreResult<Option<String>> {
    Ok(sqlx::query("SELECT id FROM access_log_identity LIMIT 1")
        .fetch_optional(conn)
        .await?
        .map(|r| r.try_get("id"))
        .transpose()?)
}

/// On SQLite, whether the access log's file is the one this database was paired with.
async fn access_log_paired(db: &Db) -> StoreResult<bool> {
    if db.kind != crate::DbKind::Sqlite {
        return Ok(true);
    }
    let file = access_log_identity(&mut *db.access_pool.acquire().await?).await?;
    let main = crate::users::setting(&mut *db.conn().await?, "access_log_id").await?;
    Ok(file.is_some() && file == main)
}

/// [`verify`] with the key ring the database was opened with.
pub async fn verify_all(db: &Db) -> StoreResult<Vec<ChainReport>> {
    let keys = db.audit_setup()?.keys.clone();
    verify(db, &keys).await
}

/// Verifies every chain in the node's audit trail (both files on SQLite), streaming each
/// chain in pages: every event's MAC under the key it names, every link, the sequence without
/// gaps, and the head. Chains are reported in name order.
pub async fn verify(db: &Db, keys: &KeyRing) -> StoreResult<Vec<ChainReport>> {
    let mut reports = Vec::new();
    for pool in db.audit_pools() {
        let mut chains: Vec<String> = Vec::new();
        for q in [
            "SELECT chain FROM audit_heads",
            "SELECT DISTINCT chain FROM audit_events",
        ] {
            for r in sqlx::query(q).fetch_all(pool).await? {
                let c: String = r.try_get("chain")?;
                if !chains.contains(&c) {
                    chains.push(c);
                }
            }
        }
        // This node's own chains, by name: their head and seals are here, and a missing head
        // row is tampering. Any other chain arrived by sync (its key stays on its node).
        let own: Vec<String> = match db.audit.get() {
            Some(a) => vec![a.change_chain.clone(), a.access_chain.clone()],
            None => Vec::new(),
        };
        for chain in chains {
            let report = if own.is_empty() || own.contains(&chain) {
                verify_chain(pool, keys, &chain).await?
            } else {
                let fresh = ChainReport {
                    chain: chain.clone(),
                    events: 0,
                    sealed_here: false,
                    device_signed: false,
                    broken_at: None,
                    problem: None,
                };
                if !db.is_central() {
                    verify_received_chain(pool, fresh, None).await?
                } else if let Some(signers) = device_keys(pool, &chain).await? {
                    verify_received_chain(pool, fresh, Some(&signers)).await?
                } else {
                    ChainReport {
                        broken_at: Some(1),
                        problem: Some(
                            "no device registered a signing key for this chain: its events \
                             cannot be verified"
                                .into(),
                        ),
                        ..fresh
                    }
                }
            };
            reports.push(report);
        }
    }
    if !access_log_paired(db).await? {
        let chain = db
            .node_id()
            .map(access_chain)
            .unwrap_or_else(|| "access".into());
        match reports.iter_mut().find(|r| r.chain == chain) {
            Some(r) if r.intact() => {
                r.broken_at = Some(1);
                r.problem = Some(
                    "the access log's file is not the one this database was paired with: \
                     it was lost or replaced, and the events it held with it"
                        .into(),
                );
            }
            _ => {}
        }
    }
    reports.sort_by(|a, b| a.chain.cmp(&b.chain));
    Ok(reports)
}

const VERIFY_PAGE: i64 = 2_000;

/// A chain another node sealed (it arrived by sync, `synced.rs`): every event there, numbered
/// from 1 without a gap, each linking to the one before. Its seals need that node's key, which
/// stays on that node (`docs/AUDIT.md`). With `signers` (on the central server: the public
/// keys its devices registered for the chain, by audit key id) every event's device signature
/// is checked too.
async fn verify_received_chain(
    pool: &AnyPool,
    mut report: ChainReport,
    signers: Option<&HashMap<String, String>>,
) -> StoreResult<ChainReport> {
    report.sealed_here = false;
    report.device_signed = signers.is_some();
    let mut prev = GENESIS.to_string();
    let mut last_seq = 0i64;
    loop {
        let rows = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE chain = $1 AND seq > $2 \
             ORDER BY seq LIMIT {VERIFY_PAGE}"
        ))
        .bind(report.chain.clone())
        .bind(last_seq)
        .fetch_all(pool)
        .await?;
        let n = rows.len() as i64;
        for r in &rows {
            let e = event_from(r)?;
            let hash = row::text(r, "hash")?;
            let why = if e.seq != last_seq + 1 {
                Some((
                    last_seq + 1,
                    format!(
                        "event {} is missing (the next one is {})",
                        last_seq + 1,
                        e.seq
                    ),
                ))
            } else if e.prev_hash != prev {
                Some((e.seq, "does not link to the event before it".to_string()))
            } else if let Some(signers) = signers {
                let signed = match (signers.get(&e.key_id), row::opt_text(r, "signature")?) {
                    (Some(key), Some(sig)) => {
                        clinicdesk_security::signing::verify_hex(key, &e.signed_bytes(&hash), &sig)
                    }
                    _ => false,
                };
                (!signed).then(|| {
                    (
                        e.seq,
                        "does not match the signature of the device that sealed it".to_string(),
                    )
                })
            } else {
                None
            };
            if let Some((seq, problem)) = why {
                report.broken_at = Some(seq);
                report.problem = Some(problem);
                return Ok(report);
            }
            prev = hash;
            last_seq = e.seq;
            report.events += 1;
        }
        if n < VERIFY_PAGE {
            return Ok(report);
        }
    }
}

/// The public keys the devices registered for `chain` (`device_audit_keys`), by audit key id;
/// `None` when there are none — a chain that cannot be told from a forgery.
async fn device_keys(pool: &AnyPool, chain: &str) -> StoreResult<Option<HashMap<String, String>>> {
    let mut public = HashMap::new();
    for r in sqlx::query("SELECT key_id, public_key FROM device_audit_keys WHERE chain = $1")
        .bind(chain.to_string())
        .fetch_all(pool)
        .await?
    {
        public.insert(row::text(&r, "key_id")?, row::text(&r, "public_key")?);
    }
    Ok((!public.is_empty()).then_some(public))
}

async fn verify_chain(pool: &AnyPool, keys: &KeyRing, chain: &str) -> StoreResult<ChainReport> {
    let mut report = ChainReport {
        chain: chain.to_string(),
        events: 0,
        sealed_here: true,
        device_signed: false,
        broken_at: None,
        problem: None,
    };
    fn broken(report: &mut ChainReport, seq: i64, why: String) {
        report.broken_at = Some(seq);
        report.problem = Some(why);
    }
    // The head first: events appended while this runs come after it and are left for the
    // next verification (each event commits together with its head, so the head never
    // points past what is committed).
    let head = sqlx::query("SELECT seq, hash, key_id, mac FROM audit_heads WHERE chain = $1")
        .bind(chain.to_string())
        .fetch_optional(pool)
        .await?;
    let Some(head) = head else {
        broken(&mut report, 1, "the chain has no head row".into());
        return Ok(report);
    };
    let (head_seq, head_hash): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
    let key_id: String = head.try_get("key_id")?;
    let mac: String = head.try_get("mac")?;
    let head_ok = keys
        .get(&key_id)
        .is_some_and(|k| k.verify_mac_hex(&head_canonical(chain, head_seq, &head_hash), &mac));
    if !head_ok {
        broken(
            &mut report,
            head_seq,
            "the chain's head row does not match its seal".into(),
        );
        return Ok(report);
    }
    let mut prev = GENESIS.to_string();
    let mut last_seq = 0i64;
    loop {
        let rows = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE chain = $1 AND seq > $2 AND seq <= $3 \
             ORDER BY seq LIMIT {VERIFY_PAGE}"
        ))
        .bind(chain.to_string())
        .bind(last_seq)
        .bind(head_seq)
        .fetch_all(pool)
        .await?;
        let n = rows.len() as i64;
        for r in &rows {
            let e = event_from(r)?;
            let stored = row::text(r, "hash")?;
            if e.seq != last_seq + 1 {
                broken(
                    &mut report,
                    last_seq + 1,
                    format!(
                        "event {} is missing (the next one is {})",
                        last_seq + 1,
                        e.seq
                    ),
                );
                return Ok(report);
            }
            if e.prev_hash != prev {
                broken(
                    &mut report,
                    e.seq,
                    "does not link to the event before it".into(),
                );
                return Ok(report);
            }
            let Some(key) = keys.get(&e.key_id) else {
                broken(
                    &mut report,
                    e.seq,
                    format!("sealed with key {} which is not in the key ring", e.key_id),
                );
                return Ok(report);
            };
            if !key.verify_mac_hex(&e.canonical(), &stored) {
                broken(
                    &mut report,
                    e.seq,
                    "its contents do not match its seal".into(),
                );
                return Ok(report);
            }
            report.events += 1;
            prev = stored;
            last_seq = e.seq;
        }
        if n < VERIFY_PAGE {
            break;
        }
    }
    if last_seq != head_seq || prev != head_hash {
        broken(
            &mut report,
            last_seq + 1,
            format!(
                "the head says the newest event is {head_seq}, the chain ends at {last_seq}: events were removed"
            ),
        );
    }
    Ok(report)
}
