//! Applying ops made elsewhere (`docs/SYNC.md`, merge rule): on the central server as a push
//! arrives, on a node as a pulled page arrives. Facts are inserted once; record fields go
//! through the merge rule against the versions held; concurrent edits that lose keep their
//! value in `sync_conflicts`. Afterwards the derived state — roll-ups, follow-up states, the
//! search index, and the scrubbing that anonymisation and deletion do — is brought up to
//! date exactly as a local write does it. Applying an op never makes an op of its own.

use crate::capture;
use crate::synced::{self, Kind, SyncedTable};
use crate::{row, Db, StoreResult, WriteTx};
use clinicdesk_domain::{DomainError, ErrorCode};
use clinicdesk_sync::clock::{ClockError, SyncClock};
use clinicdesk_sync::merge::{merge, Version};
use clinicdesk_sync::protocol::{Op, OpKind};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::any::AnyArguments;
use sqlx::Arguments;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

/// What applying a batch did, and what it touched (for the derived state).
#[derive(Debug, Default, Serialize)]
pub struct Applied {
    /// Ops that changed something.
    pub changed: usize,
    /// Ops already held (replays) or outrun by later writes.
    pub unchanged: usize,
    /// Conflicts found.
    pub conflicts: usize,
    #[serde(skip)]
    customers: BTreeSet<String>,
    #[serde(skip)]
    purchases: BTreeSet<String>,
    #[serde(skip)]
    follow_ups: BTreeSet<String>,
    #[serde(skip)]
    created_customers: BTreeSet<String>,
    /// Customers whose record changed in fields their roll-up does not read (all but
    /// `created_at`): their search entry and their deletion or anonymisation are brought up to
    /// date, the roll-up is not recomputed.
    #[serde(skip)]
    edited_customers: BTreeSet<String>,
    /// Days whose visits or sales changed (`clinic_stats`).
    #[serde(skip)]
    days: BTreeSet<String>,
    /// Every row is brought up to date (after a first pull): the day roll-ups are rebuilt in
    /// one pass instead of day by day.
    #[serde(skip)]
    everything: bool,
}

impl Applied {
    /// Each set of rows whose derived state waits, with its kind in `sync_dirty`.
    fn dirty_sets(&self) -> [(&'static str, &BTreeSet<String>); 6] {
        [
            ("customer", &self.customers),
            ("purchase", &self.purchases),
            ("follow_up", &self.follow_ups),
            ("new_customer", &self.created_customers),
            ("edited_customer", &self.edited_customers),
            ("day", &self.days),
        ]
    }
}

/// Takes every stamp of `ops` into the clock first: a stamp too far ahead refuses the whole
/// batch before anything is written.
fn observe(clock: &SyncClock, ops: &[&Op]) -> StoreResult<()> {
    for op in ops {
        for v in op.fields.values() {
            if let Err(ClockError::TooFarAhead { by_secs, .. }) = clock.observe(v.stamp) {
                return Err(DomainError::new(ErrorCode::SyncClockSkew)
                    .with_details(json!({
                        "op_id": op.op_id, "ahead_by_seconds": by_secs,
                        "max_ahead_seconds": clinicdesk_sync::clock::MAX_DRIFT.as_secs(),
                    }))
                    .into());
            }
        }
    }
    Ok(())
}

/// Applies `ops` in order to the tables (not yet the derived state: see [`finish`]).
pub async fn apply_ops(db: &Db, w: &mut WriteTx, ops: &[&Op]) -> StoreResult<Applied> {
    apply_page(db, w, ops, Prepared::default(), Track::Rows).await
}

/// Whether applying ops records which rows' derived state they touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Track {
    /// Each touched customer, purchase and follow-up, for [`finish`] or [`defer`].
    Rows,
    /// Nothing: every row's derived state is recomputed afterwards anyway (a first pull, see
    /// [`defer_everything`]).
    Nothing,
}

/// Applies `ops` in order, with the fact inserts [`prepare`] built for them.
pub async fn apply_page(
    db: &Db,
    w: &mut WriteTx,
    ops: &[&Op],
    mut prepared: Prepared,
    track: Track,
) -> StoreResult<Applied> {
    observe(db.clock()?.as_ref(), ops)?;
    let mut out = Applied::default();
    for (i, j, t) in runs(ops)? {
        let run = &ops[i..j];
        let changed = if t.kind == Kind::Fact {
            let insert = match prepared.inserts.remove(&(i, j)) {
                Some(insert) => insert,
                None => {
                    let types = db.column_types(w.conn(), t.table).await?;
                    fact_insert(db, t, &types, run)?
                }
            };
            apply_facts(w, t, run, insert, track, &mut out).await?
        } else {
            apply_records(db, w, t, run, &mut out).await?
        };
        out.changed += changed;
        out.unchanged += run.len() - changed;
    }
    Ok(out)
}

/// The runs `ops` is applied in, as `(first, end, table)`: consecutive ops of one table, at
/// most a batch. A long pull is mostly visits (facts, many rows a statement), and a first pull
/// brings every customer (records, merged in memory in order, so a later op of a run sees
/// what an earlier one applied).
fn runs(ops: &[&Op]) -> StoreResult<Vec<(usize, usize, &'static SyncedTable)>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < ops.len() {
        let op = ops[i];
        let Some(t) = synced::table(&op.entity) else {
            return Err(DomainError::invalid(
                "entity",
                format!("동기화되지 않는 테이블입니다: {}", op.entity),
            )
            .into());
        };
        let batch = if t.kind == Kind::Fact {
            FACT_BATCH
        } else {
            RECORD_BATCH
        };
        let mut j = i + 1;
        while j < ops.len() && j - i < batch && ops[j].entity == op.entity {
            j += 1;
        }
        out.push((i, j, t));
        i = j;
    }
    Ok(out)
}

/// The inserts of a page's facts, built before its transaction (see [`prepare`]).
#[derive(Default)]
pub struct Prepared {
    /// By the run's `(first, end)` (see [`runs`]).
    inserts: HashMap<(usize, usize), FactInsert>,
}

/// One multi-row insert of a run of facts, ready to execute.
struct FactInsert {
    sql: String,
    args: AnyArguments<'static>,
}

/// Builds the inserts of the facts of `ops` without the write transaction. A long pull
/// prepares the next page this way while the current one is written, so the writer only
/// executes statements: building them was a quarter of its time in a first pull, with the
/// second core idle.
pub async fn prepare(db: &Db, ops: &[&Op]) -> StoreResult<Prepared> {
    let mut inserts = HashMap::new();
    for (i, j, t) in runs(ops)? {
        if t.kind != Kind::Fact {
            continue;
        }
        // Read once per table and process; a connection is taken only the first time.
        let types = match db.known_column_types(t.table) {
            Some(types) => types,
            None => db.column_types(&mut *db.conn().await?, t.table).await?,
        };
        inserts.insert((i, j), fact_insert(db, t, &types, &ops[i..j])?);
    }
    Ok(Prepared { inserts })
}

/// Record ops merged per batch.
const RECORD_BATCH: usize = 500;

/// Facts per statement.
const FACT_BATCH: usize = 100;

/// The insert of a run of facts of one table: every declared column, in one order (a column
/// an op lacks is null), each cell its placeholder cast to the column's type; a fact held
/// already is left as it is.
fn fact_insert(
    db: &Db,
    t: &SyncedTable,
    types: &HashMap<String, String>,
    ops: &[&Op],
) -> StoreResult<FactInsert> {
    let casts: Vec<(String, String)> = t
        .columns
        .iter()
        .map(|c| {
            let ty = types.get(*c).map(String::as_str).unwrap_or("text");
            let cast = db.cast("$", ty);
            let at = cast.find('$').unwrap_or(0);
            (cast[..at].to_string(), cast[at + 1..].to_string())
        })
        .collect();
    let mut args = AnyArguments::default();
    let mut n = 0;
    let mut tuples = String::with_capacity(ops.len() * t.columns.len() * 12);
    for (r, op) in ops.iter().enumerate() {
        let Some(Value::Object(row)) = &op.row else {
            return Err(DomainError::invalid("row", "사실(fact) 변경에 행이 없습니다").into());
        };
        tuples.push_str(if r == 0 { "(" } else { ", (" });
        for (i, (c, (before, after))) in t.columns.iter().zip(&casts).enumerate() {
            args.add(row.get(*c).and_then(text_of))
                .map_err(|e| crate::StoreError::Db(sqlx::Error::Encode(e)))?;
            n += 1;
            if i > 0 {
                tuples.push_str(", ");
            }
            tuples.push_str(before);
            // Writing to a String cannot fail.
            let _ = write!(tuples, "${n}");
            tuples.push_str(after);
        }
        tuples.push(')');
    }
    let sql = format!(
        "INSERT INTO {} ({}) VALUES {} ON CONFLICT ({}) DO NOTHING",
        t.table,
        t.columns.join(", "),
        tuples,
        t.id
    );
    Ok(FactInsert {
        sql: row::positional_for(db.kind, &sql).into_owned(),
        args,
    })
}

/// Inserts a run of facts of one table once each (a replay inserts nothing); returns how many
/// were new. What they touch is brought up to date afterwards whether new or not
/// (recomputing is idempotent).
async fn apply_facts(
    w: &mut WriteTx,
    t: &SyncedTable,
    ops: &[&Op],
    insert: FactInsert,
    track: Track,
    out: &mut Applied,
) -> StoreResult<usize> {
    let inserted = sqlx::query_with(&insert.sql, insert.args)
        .execute(w.conn())
        .await?
        .rows_affected() as usize;
    if track == Track::Rows {
        touched_by_facts(w, t, ops, out).await?;
    }
    Ok(inserted)
}

/// Which customers, purchases and follow-ups a run of facts of one table touches: most facts
/// name them; a cancellation or a follow-up event is looked up, the run's in one query.
async fn touched_by_facts(
    w: &mut WriteTx,
    t: &SyncedTable,
    ops: &[&Op],
    out: &mut Applied,
) -> StoreResult<()> {
    let get = |op: &Op, c: &str| match &op.row {
        Some(Value::Object(row)) => row.get(c).and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    let all = |c: &str| -> Vec<String> { ops.iter().filter_map(|op| get(op, c)).collect() };
    out.customers.extend(all("customer_id"));
    // A diagnosis names its patient, whose id is the customer's.
    if t.name == "diagnosis" {
        out.edited_customers.extend(all("patient_id"));
        return Ok(());
    }
    // The rows a run's facts refer to, and what to take of each.
    let (lookup, table, columns): (Vec<String>, &str, &[&str]) = match t.name {
        "package_purchase" => {
            out.purchases.extend(all("id"));
            out.days.extend(all("purchase_date"));
            return Ok(());
        }
        "service_session" => {
            out.purchases.extend(all("package_usage_id"));
            out.days.extend(all("service_date"));
            return Ok(());
        }
        "interaction" => {
            out.follow_ups.extend(
                ops.iter()
                    .filter(|op| get(op, "follow_up_date").is_some())
                    .filter_map(|op| get(op, "id")),
            );
            return Ok(());
        }
        "purchase_cancellation" => {
            let ids = all("purchase_id");
            out.purchases.extend(ids.iter().cloned());
            (ids, "package_purchases", &["customer_id", "purchase_date"])
        }
        "session_cancellation" => (
            all("session_id"),
            "service_sessions",
            &["customer_id", "package_usage_id", "service_date"],
        ),
        "follow_up_event" => {
            let ids = all("follow_up_id");
            out.follow_ups.extend(ids.iter().cloned());
            (ids, "interactions", &["customer_id"])
        }
        _ => return Ok(()),
    };
    for chunk in lookup.chunks(500) {
        let mut params = row::Params::default();
        let list = row::in_list(&mut params, chunk);
        let sql = format!(
            "SELECT {} FROM {table} WHERE id IN {list}",
            columns.join(", ")
        );
        let sql = row::positional(w.conn(), &sql).into_owned();
        for r in params.bind(sqlx::query(&sql)).fetch_all(w.conn()).await? {
            out.customers.insert(row::text(&r, "customer_id")?);
            if columns.contains(&"package_usage_id") {
                out.purchases.extend(row::opt_text(&r, "package_usage_id")?);
            }
            for day in ["service_date", "purchase_date"] {
                if columns.contains(&day) {
                    out.days.insert(row::text(&r, day)?);
                }
            }
        }
    }
    Ok(())
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The id a conflict has on every node that finds it.
fn conflict_id(entity: &str, id: &str, field: &str, kept: &Version, lost: &Version) -> String {
    let mut h = Sha256::new();
    for part in [
        entity,
        id,
        field,
        &kept.stamp.to_string(),
        &lost.stamp.to_string(),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..16])
}

/// Applies a run of record ops of table `t`, in order, through the merge rule: the versions
/// and rows they concern are read once, merged in memory op after op, and written with a few
/// statements (new rows many per statement). Returns how many ops changed something.
async fn apply_records(
    db: &Db,
    w: &mut WriteTx,
    t: &SyncedTable,
    ops: &[&Op],
    out: &mut Applied,
) -> StoreResult<usize> {
    if let Some(op) = ops.iter().find(|op| op.kind == OpKind::Fact) {
        return Err(DomainError::invalid(
            "kind",
            format!("{}는 사실(fact)이 아니라 레코드입니다", op.entity),
        )
        .into());
    }
    let mut ids: Vec<String> = ops.iter().map(|op| op.entity_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let mut held = capture::versions_of_many(w.conn(), t.name, &ids).await?;
    let existing = capture::existing_ids(w.conn(), t, &ids).await?;
    let now = w.now().to_string();
    let mut changed = 0;
    // Per row: the fields to write and their values, the last applied winning.
    let mut writes: BTreeMap<String, BTreeMap<String, Option<String>>> = BTreeMap::new();
    for op in ops {
        // Only declared columns: an op can never write a column that does not travel.
        let incoming: BTreeMap<String, Version> = op
            .fields
            .iter()
            .filter(|(f, _)| t.columns.contains(&f.as_str()))
            .map(|(f, v)| (f.clone(), v.clone()))
            .collect();
        let row_versions = held.entry(op.entity_id.clone()).or_default();
        let merged = merge(row_versions, &incoming);
        for c in merged
            .conflicts
            .iter()
            .filter(|c| !t.quiet.contains(&c.field.as_str()))
        {
            sqlx::query(
                "INSERT INTO sync_conflicts (id, entity, entity_id, field, kept_value, kept_stamp, lost_value, lost_stamp, detected_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
            )
            .bind(conflict_id(t.name, &op.entity_id, &c.field, &c.kept, &c.lost))
            .bind(t.name.to_string())
            .bind(op.entity_id.clone())
            .bind(c.field.clone())
            .bind(text_of(&c.kept.value))
            .bind(c.kept.stamp.to_string())
            .bind(text_of(&c.lost.value))
            .bind(c.lost.stamp.to_string())
            .bind(now.clone())
            .execute(w.conn())
            .await?;
            out.conflicts += 1;
        }
        let apply: Vec<(&String, &Version)> = merged.applied(&incoming).collect();
        if apply.is_empty() {
            continue;
        }
        changed += 1;
        // A customer's roll-up reads its visits, purchases and interactions, and of the record
        // only when it was created.
        let rolls_up = apply.iter().any(|(f, _)| f.as_str() == "created_at");
        let fields = writes.entry(op.entity_id.clone()).or_default();
        for (f, v) in apply {
            row_versions.insert(f.clone(), v.clone());
            fields.insert(f.clone(), text_of(&v.value));
        }
        // A patient record is its customer's: if the customer was deleted or anonymised
        // elsewhere, `finish` takes the record with it.
        if t.name == "patient" {
            out.edited_customers.insert(op.entity_id.clone());
        }
        if t.name == "customer" {
            if !existing.contains(&op.entity_id) {
                out.created_customers.insert(op.entity_id.clone());
                out.customers.insert(op.entity_id.clone());
            } else if rolls_up {
                out.customers.insert(op.entity_id.clone());
            } else {
                out.edited_customers.insert(op.entity_id.clone());
            }
        }
    }
    let types = db.column_types(w.conn(), t.table).await?;
    let cast = |n: usize, field: &str| {
        let ty = types.get(field).map(String::as_str).unwrap_or("text");
        db.cast(&format!("${n}"), ty)
    };
    // Rows held already: their changed fields.
    let mut new_rows: BTreeMap<Vec<String>, Vec<(&String, &BTreeMap<String, Option<String>>)>> =
        BTreeMap::new();
    for (id, fields) in &writes {
        if !existing.contains(id) {
            let mut columns: Vec<String> = fields.keys().cloned().collect();
            if !columns.iter().any(|c| c == t.id) {
                columns.push(t.id.to_string());
            }
            new_rows.entry(columns).or_default().push((id, fields));
            continue;
        }
        let mut binds: Vec<Option<String>> = Vec::new();
        let mut sets = Vec::new();
        for (f, v) in fields {
            binds.push(v.clone());
            sets.push(format!("{f} = {}", cast(binds.len(), f)));
        }
        binds.push(Some(id.clone()));
        let sql = format!(
            "UPDATE {} SET {} WHERE {} = ${}",
            t.table,
            sets.join(", "),
            t.id,
            binds.len()
        );
        let mut q = sqlx::query(&sql);
        for b in binds {
            q = q.bind(b);
        }
        q.execute(w.conn()).await?;
    }
    // New rows: many per statement, grouped by the columns they bring, the statement written
    // into one string (a first pull inserts a hundred thousand customers of 29 columns).
    for (columns, rows) in &new_rows {
        let mut names = columns.clone();
        names.extend(t.local_defaults.iter().map(|(c, _)| c.to_string()));
        let casts: Vec<(String, String)> = columns
            .iter()
            .map(|c| {
                let cast = cast(0, c);
                let at = cast.find("$0").unwrap_or(0);
                (cast[..at].to_string(), cast[at + 2..].to_string())
            })
            .collect();
        let defaults: String = t
            .local_defaults
            .iter()
            .map(|(_, v)| format!(", {v}"))
            .collect();
        for chunk in rows.chunks(200) {
            let mut binds: Vec<Option<String>> = Vec::with_capacity(chunk.len() * columns.len());
            let mut tuples = String::with_capacity(chunk.len() * columns.len() * 12);
            for (r, (id, fields)) in chunk.iter().enumerate() {
                tuples.push_str(if r == 0 { "(" } else { ", (" });
                for (i, (c, (before, after))) in columns.iter().zip(&casts).enumerate() {
                    binds.push(match fields.get(c) {
                        Some(v) => v.clone(),
                        None => Some((*id).clone()),
                    });
                    if i > 0 {
                        tuples.push_str(", ");
                    }
                    tuples.push_str(before);
                    // Writing to a String cannot fail.
                    let _ = write!(tuples, "${}", binds.len());
                    tuples.push_str(after);
                }
                tuples.push_str(&defaults);
                tuples.push(')');
            }
            let sql = format!(
                "INSERT INTO {} ({}) VALUES {}",
                t.table,
                names.join(", "),
                tuples
            );
            let sql = row::positional(w.conn(), &sql);
            let mut q = sqlx::query(&sql);
            for b in binds {
                q = q.bind(b);
            }
            q.execute(w.conn()).await?;
        }
    }
    // Every row written has new versions: `held` has them merged with the ones it had.
    let rows: Vec<(&str, &BTreeMap<String, Version>)> = writes
        .keys()
        .filter_map(|id| held.get(id).map(|v| (id.as_str(), v)))
        .collect();
    capture::store_versions(w.conn(), t.name, &rows).await?;
    Ok(changed)
}

/// Leaves the derived state of what `applied` touched for [`finish_deferred`] (a page of a
/// long pull, with more pages to come).
pub async fn defer(w: &mut WriteTx, applied: &Applied) -> StoreResult<()> {
    for (kind, ids) in applied.dirty_sets() {
        let ids: Vec<&String> = ids.iter().collect();
        for chunk in ids.chunks(200) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("('{kind}', ${})", i + 1))
                .collect();
            let sql = format!(
                "INSERT INTO sync_dirty (kind, id) VALUES {} ON CONFLICT (kind, id) DO NOTHING",
                values.join(", ")
            );
            let sql = row::positional(w.conn(), &sql).into_owned();
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind((*id).clone());
            }
            q.execute(w.conn()).await?;
        }
    }
    Ok(())
}

/// The `sync_dirty` kind that stands for every row (see [`defer_everything`]).
const EVERYTHING: &str = "everything";

/// Leaves the derived state of every row for [`finish_deferred`]: a first pull into an empty
/// node touches every customer, so instead of recording each touched row page after page
/// (two million visits) it records this once, with its first page.
pub async fn defer_everything(w: &mut WriteTx) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sync_dirty (kind, id) VALUES ($1, '') ON CONFLICT (kind, id) DO NOTHING",
    )
    .bind(EVERYTHING)
    .execute(w.conn())
    .await?;
    Ok(())
}

/// Whether every row's derived state waits ([`defer_everything`]): the pull that recorded it
/// was stopped, and the one resuming it need not track rows either.
pub async fn everything_deferred(conn: &mut sqlx::AnyConnection) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sync_dirty WHERE kind = $1")
        .bind(EVERYTHING)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// Every row whose derived state a pull can leave waiting, as [`Applied`] would list it.
async fn every_row(w: &mut WriteTx) -> StoreResult<Applied> {
    let mut all = Applied {
        everything: true,
        ..Applied::default()
    };
    let ids = |sql: &'static str| sqlx::query_scalar::<_, String>(sql);
    all.customers = ids("SELECT id FROM customers")
        .fetch_all(w.conn())
        .await?
        .into_iter()
        .collect();
    all.created_customers = all.customers.clone();
    all.purchases = ids("SELECT id FROM package_purchases")
        .fetch_all(w.conn())
        .await?
        .into_iter()
        .collect();
    all.follow_ups = ids("SELECT id FROM interactions WHERE follow_up_date IS NOT NULL")
        .fetch_all(w.conn())
        .await?
        .into_iter()
        .collect();
    Ok(all)
}

/// Brings up to date the derived state [`defer`] left, a few thousand rows per transaction
/// (every row in one when [`defer_everything`] left it); returns how many rows it brought up
/// to date.
pub async fn finish_deferred(db: &Db, actor: &crate::Actor, now: &str) -> StoreResult<u64> {
    if everything_deferred(&mut *db.conn().await?).await? {
        // One pass over each table, which sorts millions of rows: with the usual page cache,
        // as a large one makes SQLite's sorts slower.
        let mut w = db.begin_sorting_write(actor, now).await?;
        let all = every_row(&mut w).await?;
        sqlx::query("DELETE FROM sync_dirty")
            .execute(w.conn())
            .await?;
        finish(&mut w, &all).await?;
        w.commit().await?;
        return Ok((all.customers.len() + all.purchases.len() + all.follow_ups.len()) as u64);
    }
    let mut done = 0;
    // When most customers wait (a first pull), everything is brought up to date at once: the
    // roll-ups are then recomputed in one pass over each table (`stats::refresh_customers`).
    let waiting: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sync_dirty WHERE kind = 'customer'")
            .fetch_one(&mut *db.conn().await?)
            .await?;
    let all_at_once =
        crate::stats::covers_most(&mut *db.conn().await?, "customers", waiting as usize).await?;
    let limit = if all_at_once { i64::MAX } else { 5000 };
    loop {
        let mut w = db.begin_write(actor, now).await?;
        w.bulk_cache(true).await?;
        let rows = sqlx::query("SELECT kind, id FROM sync_dirty ORDER BY kind, id LIMIT $1")
            .bind(limit)
            .fetch_all(w.conn())
            .await?;
        if rows.is_empty() {
            w.bulk_cache(false).await?;
            w.commit().await?;
            return Ok(done);
        }
        let mut applied = Applied::default();
        for r in &rows {
            let (kind, id) = (row::text(r, "kind")?, row::text(r, "id")?);
            match kind.as_str() {
                "customer" => applied.customers.insert(id),
                "purchase" => applied.purchases.insert(id),
                "follow_up" => applied.follow_ups.insert(id),
                "edited_customer" => applied.edited_customers.insert(id),
                "day" => applied.days.insert(id),
                _ => applied.created_customers.insert(id),
            };
        }
        if all_at_once {
            sqlx::query("DELETE FROM sync_dirty")
                .execute(w.conn())
                .await?;
        } else {
            for (kind, ids) in applied.dirty_sets() {
                let ids: Vec<String> = ids.iter().cloned().collect();
                for chunk in ids.chunks(500) {
                    let mut params = row::Params::default();
                    let kind = params.text(kind);
                    let list = row::in_list(&mut params, chunk);
                    let sql =
                        format!("DELETE FROM sync_dirty WHERE kind = {kind} AND id IN {list}");
                    let sql = row::positional(w.conn(), &sql).into_owned();
                    params.bind(sqlx::query(&sql)).execute(w.conn()).await?;
                }
            }
        }
        finish(&mut w, &applied).await?;
        w.bulk_cache(false).await?;
        w.commit().await?;
        done += rows.len() as u64;
    }
}

/// Brings the derived state up to date after applied ops: what deletion and anonymisation
/// do to a customer's related rows and to every copy of their data, the merge flag for
/// customers created twice, roll-ups, follow-up states and the search index.
pub async fn finish(w: &mut WriteTx, applied: &Applied) -> StoreResult<()> {
    let created: Vec<String> = applied.created_customers.iter().cloned().collect();
    flag_duplicates(w, &created).await?;
    let today = clinicdesk_domain::follow_up::kst_day(
        chrono::DateTime::parse_from_rfc3339(w.now())
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(|_| chrono::Utc::now()),
    );
    let follow_ups: Vec<String> = applied.follow_ups.iter().cloned().collect();
    crate::follow_ups::refresh_if_asked(w.conn(), &follow_ups).await?;
    let purchases: Vec<String> = applied.purchases.iter().cloned().collect();
    crate::stats::refresh_purchases(w.conn(), &purchases, today).await?;
    // Customers deleted or anonymised elsewhere take their related rows (or their personal
    // data) with them; the others' roll-ups are recomputed together, and the search entries of
    // those edited otherwise renewed.
    let customers: Vec<String> = applied
        .customers
        .union(&applied.edited_customers)
        .cloned()
        .collect();
    let mut live = Vec::with_capacity(customers.len());
    for chunk in customers.chunks(crate::stats::REFRESH_BATCH) {
        let mut params = row::Params::default();
        let list = row::in_list(&mut params, chunk);
        let sql = format!(
            "SELECT id, anonymized_at, deleted_at FROM customers WHERE id IN {list} \
             AND (anonymized_at IS NOT NULL OR deleted_at IS NOT NULL)"
        );
        let gone = params.bind(sqlx::query(&sql)).fetch_all(w.conn()).await?;
        let mut deleted = BTreeSet::new();
        for state in &gone {
            let id = row::text(state, "id")?;
            if row::opt_text(state, "deleted_at")?.is_some() {
                crate::customers::remove_related(w, &id).await?;
                deleted.insert(id);
            } else {
                crate::customers::scrub_related(w, &id).await?;
            }
        }
        live.extend(chunk.iter().filter(|id| !deleted.contains(*id)).cloned());
    }
    let (refresh, edited): (Vec<String>, Vec<String>) = live
        .into_iter()
        .partition(|id| applied.customers.contains(id));
    crate::stats::refresh_customers(w.conn(), &refresh).await?;
    // A consent withdrawn elsewhere erases the self-reports held here; a report arriving for
    // a customer without consent is not kept.
    crate::customers::drop_self_reports(w, &customers).await?;
    if applied.everything {
        crate::clinic_stats::refresh_all_days(w.conn()).await?;
    } else {
        let days: Vec<String> = applied.days.iter().cloned().collect();
        crate::clinic_stats::refresh_days(w.conn(), &days).await?;
    }
    crate::search_index::touch_many(w.conn(), &edited).await
}

/// Customers that arrived from elsewhere with the name and phone of another live customer
/// are flagged for a person to merge.
async fn flag_duplicates(w: &mut WriteTx, ids: &[String]) -> StoreResult<()> {
    let now = w.now().to_string();
    // Every customer (after a first pull): every pair in one pass over the table, each once.
    let whole = !ids.is_empty() && {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers")
            .fetch_one(w.conn())
            .await?;
        ids.len() as i64 == total
    };
    let queries: Vec<(row::Params, String)> = if whole {
        vec![(row::Params::default(), "c.id < o.id".to_string())]
    } else {
        ids.chunks(500)
            .map(|chunk| {
                let mut params = row::Params::default();
                let which = format!("c.id IN {}", row::in_list(&mut params, chunk));
                (params, which)
            })
            .collect()
    };
    for (params, which) in queries {
        let sql = format!(
            "SELECT c.id AS id, o.id AS other FROM customers c JOIN customers o ON o.name = c.name \
             AND o.phone_digits = c.phone_digits AND o.id <> c.id WHERE {which} \
             AND c.deleted_at IS NULL AND o.deleted_at IS NULL \
             AND c.anonymized_at IS NULL AND o.anonymized_at IS NULL"
        );
        let sql = row::positional(w.conn(), &sql).into_owned();
        let twins = params.bind(sqlx::query(&sql)).fetch_all(w.conn()).await?;
        for r in &twins {
            let (id, other) = (row::text(r, "id")?, row::text(r, "other")?);
            let (a, b) = if other < id { (other, id) } else { (id, other) };
            sqlx::query(
                "INSERT INTO merge_candidates (id, customer_a, customer_b, detected_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(format!("{a}:{b}"))
            .bind(a)
            .bind(b)
            .bind(now.clone())
            .execute(w.conn())
            .await?;
        }
    }
    Ok(())
}
