//! Change capture (`docs/SYNC.md`): what a local write changed, as an op. The row is read
//! back after the write, through its table's declaration, and compared with the field
//! versions held: a changed field gets the write's stamp and, as its base, the stamp it
//! replaced. No caller lists fields, so no change can slip past the outbox.

use crate::row::{self};
use crate::synced::{Kind, SyncedTable};
use crate::StoreResult;
use clinicdesk_sync::clock::Stamp;
use clinicdesk_sync::merge::Version;
use clinicdesk_sync::protocol::{Op, OpKind};
use serde_json::{Map, Value};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A synced row's columns, each as text (or null), as the digest reads them; `None` when
/// there is no such row.
pub(crate) async fn read_row(
    conn: &mut AnyConnection,
    t: &SyncedTable,
    id: &str,
) -> StoreResult<Option<Map<String, Value>>> {
    let columns: Vec<String> = t
        .columns
        .iter()
        .map(|c| format!("CAST({c} AS TEXT) AS {c}"))
        .collect();
    let only = t.only.map(|w| format!(" AND {w}")).unwrap_or_default();
    let sql = format!(
        "SELECT {} FROM {} WHERE {} = $1{only}",
        columns.join(", "),
        t.table,
        t.id
    );
    let Some(r) = sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let mut obj = Map::new();
    for c in t.columns {
        let v = row::opt_text(&r, c)?.map_or(Value::Null, Value::String);
        obj.insert((*c).to_string(), v);
    }
    Ok(Some(obj))
}

/// The field versions held for one record row.
pub(crate) async fn versions(
    conn: &mut AnyConnection,
    entity: &str,
    id: &str,
) -> StoreResult<BTreeMap<String, Version>> {
    Ok(versions_of_many(conn, entity, &[id.to_string()])
        .await?
        .remove(id)
        .unwrap_or_default())
}

/// The field versions held for several rows of one entity, by row id.
pub(crate) async fn versions_of_many(
    conn: &mut AnyConnection,
    entity: &str,
    ids: &[String],
) -> StoreResult<HashMap<String, BTreeMap<String, Version>>> {
    let mut out: HashMap<String, BTreeMap<String, Version>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut params = row::Params::default();
        let entity = params.text(entity);
        let list = row::in_list(&mut params, chunk);
        let sql = format!(
            "SELECT entity_id, versions FROM record_versions \
             WHERE entity = {entity} AND entity_id IN {list}"
        );
        let sql = row::positional(conn, &sql);
        for r in &params.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await? {
            let versions: BTreeMap<String, Version> =
                serde_json::from_str(&row::text(r, "versions")?)
                    .map_err(|e| crate::StoreError::Db(sqlx::Error::Decode(Box::new(e))))?;
            out.insert(row::text(r, "entity_id")?, versions);
        }
    }
    Ok(out)
}

/// Which of `ids` are rows of `t` here, as [`read_row`] sees them (its `only` applies).
pub(crate) async fn existing_ids(
    conn: &mut AnyConnection,
    t: &SyncedTable,
    ids: &[String],
) -> StoreResult<HashSet<String>> {
    let mut out = HashSet::new();
    let only = t.only.map(|w| format!(" AND {w}")).unwrap_or_default();
    for chunk in ids.chunks(500) {
        let mut params = row::Params::default();
        let list = row::in_list(&mut params, chunk);
        let sql = format!(
            "SELECT {id} AS id FROM {table} WHERE {id} IN {list}{only}",
            id = t.id,
            table = t.table
        );
        let sql = row::positional(conn, &sql);
        for r in &params.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await? {
            out.insert(row::text(r, "id")?);
        }
    }
    Ok(out)
}

/// Stores every field version of rows of one entity, each row's set replacing the one held,
/// many rows per statement (a first pull brings a hundred thousand customers). A row's
/// versions are one JSON object, `{field: {value, stamp, base}}`: read and written whole, as
/// the merge and change capture use them, never a field at a time.
pub(crate) async fn store_versions(
    conn: &mut AnyConnection,
    entity: &str,
    rows: &[(&str, &BTreeMap<String, Version>)],
) -> StoreResult<()> {
    for chunk in rows.chunks(300) {
        let sql = format!(
            "INSERT INTO record_versions (entity, entity_id, versions) VALUES {} \
             ON CONFLICT (entity, entity_id) DO UPDATE SET versions = excluded.versions",
            row::value_tuples(chunk.len(), 3)
        );
        let sql = row::positional(conn, &sql);
        let mut q = sqlx::query(&sql);
        for (id, versions) in chunk {
            let json = serde_json::to_string(versions)
                .map_err(|e| crate::StoreError::Db(sqlx::Error::Encode(Box::new(e))))?;
            q = q.bind(entity.to_string()).bind(id.to_string()).bind(json);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The op a local write of row `id` makes, or `None` when it changed nothing that syncs.
/// `force` names fields that get a new version even with an unchanged value (a conflict
/// resolved in favour of the value kept still supersedes the conflict everywhere).
pub(crate) async fn capture(
    conn: &mut AnyConnection,
    t: &SyncedTable,
    id: &str,
    stamp: impl FnOnce() -> Stamp,
    force: &[&str],
) -> StoreResult<Option<Op>> {
    let Some(row) = read_row(conn, t, id).await? else {
        return Ok(None);
    };
    match t.kind {
        Kind::Fact => Ok(Some(Op {
            op_id: clinicdesk_domain::ids::new_id(),
            entity: t.name.to_string(),
            entity_id: id.to_string(),
            kind: OpKind::Fact,
            fields: BTreeMap::new(),
            row: Some(Value::Object(row)),
        })),
        Kind::Record => {
            let held = versions(conn, t.name, id).await?;
            let changed: Vec<(&String, &Value)> = row
                .iter()
                .filter(|(f, v)| {
                    force.contains(&f.as_str()) || held.get(*f).map(|h| &h.value) != Some(*v)
                })
                .collect();
            if changed.is_empty() {
                return Ok(None);
            }
            let stamp = stamp();
            let fields: BTreeMap<String, Version> = changed
                .into_iter()
                .map(|(f, v)| {
                    let version = Version {
                        value: v.clone(),
                        stamp,
                        base: held.get(f).map(|h| h.stamp),
                    };
                    (f.clone(), version)
                })
                .collect();
            let mut all = held;
            all.extend(fields.iter().map(|(f, v)| (f.clone(), v.clone())));
            store_versions(conn, t.name, &[(id, &all)]).await?;
            Ok(Some(Op {
                op_id: clinicdesk_domain::ids::new_id(),
                entity: t.name.to_string(),
                entity_id: id.to_string(),
                kind: OpKind::Upsert,
                fields,
                row: None,
            }))
        }
    }
}

/// The ops that tell the server about rows as they stand, for a node's first sync (and the
/// central server's rows written past capture): up to `limit` rows of `t` after `after` in id
/// order, a fact whole, a record with every field's version (fields never captured — rows
/// written before sync existed, or by the demo's bulk load — get versions now). Returns the
/// ops and the last id read (`None`: the table is done).
pub(crate) async fn snapshot_page(
    conn: &mut AnyConnection,
    t: &SyncedTable,
    after: Option<&str>,
    limit: i64,
    stamp: &(dyn Fn() -> Stamp + Send + Sync),
) -> StoreResult<(Vec<Op>, Option<String>)> {
    let columns: Vec<String> = t
        .columns
        .iter()
        .map(|c| format!("CAST({c} AS TEXT) AS {c}"))
        .collect();
    let mut conditions: Vec<String> = t.only.map(|w| vec![w.to_string()]).unwrap_or_default();
    if after.is_some() {
        conditions.push(format!("{} > $1", t.id));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT {} FROM {}{filter} ORDER BY {} LIMIT {limit}",
        columns.join(", "),
        t.table,
        t.id
    );
    let mut q = sqlx::query(&sql);
    if let Some(a) = after {
        q = q.bind(a.to_string());
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let mut page: Vec<Map<String, Value>> = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut obj = Map::new();
        for c in t.columns {
            let v = row::opt_text(r, c)?.map_or(Value::Null, Value::String);
            obj.insert((*c).to_string(), v);
        }
        page.push(obj);
    }
    let id_of = |o: &Map<String, Value>| {
        o.get(t.id)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let last = page.last().map(id_of);
    let mut ops = Vec::with_capacity(page.len());
    if t.kind == Kind::Fact {
        for obj in page {
            ops.push(Op {
                op_id: clinicdesk_domain::ids::new_id(),
                entity: t.name.to_string(),
                entity_id: id_of(&obj),
                kind: OpKind::Fact,
                fields: BTreeMap::new(),
                row: Some(Value::Object(obj)),
            });
        }
        return Ok((ops, last));
    }
    let ids: Vec<String> = page.iter().map(id_of).collect();
    let held = versions_of_many(conn, t.name, &ids).await?;
    let empty = BTreeMap::new();
    // Rows that get a version now, with all their versions.
    let mut fresh_rows: Vec<(String, BTreeMap<String, Version>)> = Vec::new();
    for obj in page {
        let id = id_of(&obj);
        let versions = held.get(&id).unwrap_or(&empty);
        let mut fields = BTreeMap::new();
        let mut new_stamp: Option<Stamp> = None;
        for (f, v) in obj {
            match versions.get(&f) {
                Some(h) if h.value == v => {
                    fields.insert(f, h.clone());
                }
                h => {
                    let s = *new_stamp.get_or_insert_with(stamp);
                    let version = Version {
                        value: v,
                        stamp: s,
                        base: h.map(|h| h.stamp),
                    };
                    fields.insert(f, version);
                }
            }
        }
        if new_stamp.is_some() {
            // A field held but no longer a column keeps its version, as a write keeps it.
            let mut all = versions.clone();
            all.extend(fields.iter().map(|(f, v)| (f.clone(), v.clone())));
            fresh_rows.push((id.clone(), all));
        }
        ops.push(Op {
            op_id: clinicdesk_domain::ids::new_id(),
            entity: t.name.to_string(),
            entity_id: id,
            kind: OpKind::Upsert,
            fields,
            row: None,
        });
    }
    let rows: Vec<(&str, &BTreeMap<String, Version>)> =
        fresh_rows.iter().map(|(id, v)| (id.as_str(), v)).collect();
    store_versions(conn, t.name, &rows).await?;
    Ok((ops, last))
}
