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
use std::collections::BTreeMap;

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
    let rows = sqlx::query(
        "SELECT field, value, stamp, base FROM field_versions WHERE entity = $1 AND entity_id = $2",
    )
    .bind(entity.to_string())
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut out = BTreeMap::new();
    for r in &rows {
        let stamp = parse_stamp(&row::text(r, "stamp")?)?;
        let base = row::opt_text(r, "base")?
            .map(|b| parse_stamp(&b))
            .transpose()?;
        let value = row::opt_text(r, "value")?.map_or(Value::Null, Value::String);
        out.insert(row::text(r, "field")?, Version { value, stamp, base });
    }
    Ok(out)
}

pub(crate) fn parse_stamp(s: &str) -> StoreResult<Stamp> {
    s.parse::<Stamp>()
        .map_err(|e| crate::StoreError::Db(sqlx::Error::Decode(e.to_string().into())))
}

/// Stores the versions a write or an applied op set.
pub(crate) async fn store_versions<'a>(
    conn: &mut AnyConnection,
    entity: &str,
    id: &str,
    fields: impl Iterator<Item = (&'a String, &'a Version)>,
) -> StoreResult<()> {
    for (field, v) in fields {
        sqlx::query(
            "INSERT INTO field_versions (entity, entity_id, field, value, stamp, base) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (entity, entity_id, field) DO UPDATE SET value = excluded.value, stamp = excluded.stamp, \
             base = excluded.base",
        )
        .bind(entity.to_string())
        .bind(id.to_string())
        .bind(field.clone())
        .bind(v.value.as_str().map(str::to_string))
        .bind(v.stamp.to_string())
        .bind(v.base.map(|b| b.to_string()))
        .execute(&mut *conn)
        .await?;
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
            store_versions(conn, t.name, id, fields.iter()).await?;
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

/// The op that tells the server about a row as it stands, for a node's first sync: a fact
/// whole, a record with every field's version (fields never captured — rows written before
/// sync existed, or by the demo's bulk load — get versions now).
pub(crate) async fn snapshot(
    conn: &mut AnyConnection,
    t: &SyncedTable,
    id: &str,
    stamp: &(dyn Fn() -> Stamp + Send + Sync),
) -> StoreResult<Option<Op>> {
    if t.kind == Kind::Fact {
        return capture(conn, t, id, stamp, &[]).await;
    }
    let Some(row) = read_row(conn, t, id).await? else {
        return Ok(None);
    };
    let held = versions(conn, t.name, id).await?;
    let mut fresh = BTreeMap::new();
    let mut fields = BTreeMap::new();
    let mut new_stamp: Option<Stamp> = None;
    for (f, v) in row {
        match held.get(&f) {
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
                fresh.insert(f.clone(), version.clone());
                fields.insert(f, version);
            }
        }
    }
    store_versions(conn, t.name, id, fresh.iter()).await?;
    Ok(Some(Op {
        op_id: clinicdesk_domain::ids::new_id(),
        entity: t.name.to_string(),
        entity_id: id.to_string(),
        kind: OpKind::Upsert,
        fields,
        row: None,
    }))
}
