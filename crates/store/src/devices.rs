//! Devices registered to sync with this server. The secret's hash is written once and never
//! read back into an answer, an audit event or the outbox.

use crate::row;
use crate::{StoreResult, WriteTx};
use clinicdesk_domain::device::Device;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

const COLUMNS: &str =
    "d.id, d.name, u.display_name AS registered_by, d.registered_at, d.revoked_at, d.last_seen_at";
const FROM: &str = "devices d LEFT JOIN users u ON u.id = d.registered_by";

fn from_row(r: &AnyRow) -> Result<Device, sqlx::Error> {
    Ok(Device {
        id: row::text(r, "id")?,
        name: row::text(r, "name")?,
        registered_by: row::opt_text(r, "registered_by")?,
        registered_at: row::text(r, "registered_at")?,
        revoked_at: row::opt_text(r, "revoked_at")?,
        last_seen_at: row::opt_text(r, "last_seen_at")?,
    })
}

/// Registers a device under `secret_hash` (the caller made the secret and shows it once).
pub async fn register(w: &mut WriteTx, id: &str, name: &str, secret_hash: &str) -> StoreResult<()> {
    let now = w.now().to_string();
    let by = w.actor().user_id.clone();
    sqlx::query(
        "INSERT INTO devices (id, name, secret_hash, registered_by, registered_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.to_string())
    .bind(name.to_string())
    .bind(secret_hash.to_string())
    .bind(by)
    .bind(now)
    .execute(w.conn())
    .await?;
    // The server's own record: devices do not sync to the nodes, so no outbox entry.
    w.audit(
        "device.register",
        "device",
        Some(id),
        json!({ "name": name }),
    )
    .await
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> StoreResult<Option<Device>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM {FROM} WHERE d.id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Every device, the newest first, revoked ones included.
pub async fn list(conn: &mut AnyConnection) -> StoreResult<Vec<Device>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM {FROM} ORDER BY d.registered_at DESC, d.id DESC"
    ))
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Revokes a device; `false` when it was already revoked (nothing is written then).
pub async fn revoke(w: &mut WriteTx, id: &str) -> StoreResult<bool> {
    let now = w.now().to_string();
    let by = w.actor().user_id.clone();
    let changed = sqlx::query(
        "UPDATE devices SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(by)
    .bind(id.to_string())
    .execute(w.conn())
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    w.audit("device.revoke", "device", Some(id), json!({}))
        .await?;
    Ok(true)
}

/// The device whose secret hashes to `secret_hash`, revoked or not (the caller tells a revoked
/// device apart from an unknown secret).
pub async fn by_secret(conn: &mut AnyConnection, secret_hash: &str) -> StoreResult<Option<Device>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE d.secret_hash = $1"
    ))
    .bind(secret_hash.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Notes that a device synced (shown in the device list).
pub async fn seen(w: &mut WriteTx, id: &str) -> StoreResult<()> {
    let now = w.now().to_string();
    sqlx::query("UPDATE devices SET last_seen_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id.to_string())
        .execute(w.conn())
        .await?;
    Ok(())
}

/// A public audit signing key a device presented: `(chain, key id, public key)`.
pub type AuditKey = (String, String, String);

/// Keeps the public audit signing keys a device presents as it pushes, the first one for each
/// chain and key id (docs/AUDIT.md). `false` when one differs from the key kept for its chain
/// and key id: somebody else's chain, or a key that changed — either way the push is refused,
/// since the events it carries would not verify.
pub async fn keep_audit_keys(
    w: &mut WriteTx,
    device_id: &str,
    keys: &[AuditKey],
) -> StoreResult<bool> {
    let now = w.now().to_string();
    for (chain, key_id, public_key) in keys {
        sqlx::query(
            "INSERT INTO device_audit_keys (chain, key_id, public_key, device_id, registered_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (chain, key_id) DO NOTHING",
        )
        .bind(chain.clone())
        .bind(key_id.clone())
        .bind(public_key.clone())
        .bind(device_id.to_string())
        .bind(now.clone())
        .execute(w.conn())
        .await?;
        let kept: String = sqlx::query_scalar(
            "SELECT public_key FROM device_audit_keys WHERE chain = $1 AND key_id = $2",
        )
        .bind(chain.clone())
        .bind(key_id.clone())
        .fetch_one(w.conn())
        .await?;
        if &kept != public_key {
            return Ok(false);
        }
    }
    Ok(true)
}
