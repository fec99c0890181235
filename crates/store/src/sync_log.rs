//! The central server's log of pushed ops, and the pages pulls read from it (`docs/SYNC.md`:
//! messages and the cursor rule).

use crate::row::{self, in_list, Params};
use crate::{Db, StoreResult, WriteTx};
use clinicdesk_sync::protocol::Op;
use serde_json::value::RawValue;
use sqlx::AnyConnection;
use std::collections::HashSet;

/// Applies and keeps the ops of one push that the log does not hold yet, in the order given,
/// and answers the ids of every op of the push (all of them are held now) and what applying
/// did. A replayed push (the answer was lost) writes nothing and answers the same. The log
/// itself says which device sent which change and when; the push is in the access log.
pub async fn append(
    db: &Db,
    w: &mut WriteTx,
    device_id: &str,
    ops: &[Op],
) -> StoreResult<(Vec<String>, crate::apply::Applied, usize)> {
    let ids: Vec<String> = ops.iter().map(|o| o.op_id.clone()).collect();
    let mut held: HashSet<String> = HashSet::new();
    if !ids.is_empty() {
        let mut params = Params::default();
        let list = in_list(&mut params, &ids);
        let sql = format!("SELECT op_id FROM sync_log WHERE op_id IN {list}");
        for r in params.bind(sqlx::query(&sql)).fetch_all(w.conn()).await? {
            held.insert(row::text(&r, "op_id")?);
        }
    }
    let mut fresh: Vec<&Op> = Vec::new();
    for op in ops {
        if held.insert(op.op_id.clone()) {
            fresh.push(op);
        }
    }
    let applied = crate::apply::apply_ops(db, w, &fresh).await?;
    let now = w.now().to_string();
    log(w.conn(), device_id, &fresh, &now).await?;
    crate::apply::finish(w, &applied).await?;
    crate::devices::seen(w, device_id).await?;
    Ok((ids, applied, fresh.len()))
}

/// Gives `ops` the next sequence numbers and writes them to the log, in order. Taking the
/// counter row's lock here orders them after every change that committed before, and before
/// every change that commits after.
pub(crate) async fn log(
    conn: &mut AnyConnection,
    device_id: &str,
    ops: &[&Op],
    now: &str,
) -> StoreResult<()> {
    if ops.is_empty() {
        return Ok(());
    }
    let last: i64 =
        sqlx::query_scalar("UPDATE sync_head SET seq = seq + $1 WHERE id = 1 RETURNING seq")
            .bind(ops.len() as i64)
            .fetch_one(&mut *conn)
            .await?;
    let first = last - ops.len() as i64 + 1;
    // Many rows per statement: a snapshot logs millions.
    for (c, chunk) in ops.chunks(100).enumerate() {
        let sql = format!(
            "INSERT INTO sync_log (seq, op_id, device_id, entity, entity_id, op, received_at) VALUES {}",
            row::value_tuples(chunk.len(), 7)
        );
        let sql = row::positional(conn, &sql);
        let mut q = sqlx::query(&sql);
        for (i, op) in chunk.iter().enumerate() {
            let text = serde_json::to_string(op).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
            q = q
                .bind(first + (c * 100 + i) as i64)
                .bind(op.op_id.clone())
                .bind(device_id.to_string())
                .bind(op.entity.clone())
                .bind(op.entity_id.clone())
                .bind(text)
                .bind(now.to_string());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The last sequence number committed.
pub async fn head(conn: &mut AnyConnection) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT seq FROM sync_head WHERE id = 1")
        .fetch_one(conn)
        .await?)
}

/// One page of the log after `cursor`, without the asking device's own ops: the ops as the
/// log holds them (JSON text, checked but not rebuilt: a first pull sends millions, and
/// parsing each into a tree only to write it out again was most of the server's work), the
/// cursor to ask from next and whether more follow.
pub async fn page(
    conn: &mut AnyConnection,
    cursor: i64,
    limit: i64,
    except_device: &str,
) -> StoreResult<(Vec<Box<RawValue>>, i64, bool, i64)> {
    // What is committed now, read first: a push that commits while this page is read lies
    // beyond it and is read next time, never passed over.
    let head = head(&mut *conn).await?;
    // One more than asked for says whether more follow.
    let rows = sqlx::query(
        "SELECT seq, op FROM sync_log WHERE seq > $1 AND seq <= $2 AND device_id <> $3 \
         ORDER BY seq LIMIT $4",
    )
    .bind(cursor)
    .bind(head)
    .bind(except_device.to_string())
    .bind(limit + 1)
    .fetch_all(&mut *conn)
    .await?;
    let more = rows.len() as i64 > limit;
    let mut ops = Vec::with_capacity(rows.len());
    let mut last = cursor;
    for r in rows.iter().take(limit as usize) {
        last = row::int(r, "seq")?;
        let op = RawValue::from_string(row::text(r, "op")?)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        ops.push(op);
    }
    // Without more, everything up to the head is covered (the rest were this device's own):
    // the cursor moves past them. (A cursor beyond the head is refused before this.)
    let next = if more { last } else { head };
    Ok((ops, next, more, head))
}
