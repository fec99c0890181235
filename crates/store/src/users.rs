//! Staff users, their login sessions (refresh tokens stored hashed) and app settings.

use crate::row;
use crate::{StoreResult, WriteTx};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
}

fn user_from(r: &AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: row::text(r, "id")?,
        username: row::text(r, "username")?,
        password_hash: row::text(r, "password_hash")?,
        display_name: row::text(r, "display_name")?,
        role: row::text(r, "role")?,
        active: row::flag(r, "active")?,
    })
}

const USER_COLUMNS: &str = "id, username, password_hash, display_name, role, active";

pub async fn by_username(conn: &mut AnyConnection, username: &str) -> StoreResult<Option<User>> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
    ))
    .bind(username.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(user_from).transpose()?)
}

pub async fn by_id(conn: &mut AnyConnection, id: &str) -> StoreResult<Option<User>> {
    let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(user_from).transpose()?)
}

pub async fn insert(w: &mut WriteTx, u: &User) -> StoreResult<()> {
    let now = w.now().to_string();
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, display_name, role, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(u.id.clone())
    .bind(u.username.clone())
    .bind(u.password_hash.clone())
    .bind(u.display_name.clone())
    .bind(u.role.clone())
    .bind(u.active as i64)
    .bind(now)
    .execute(w.conn())
    .await?;
    w.audit(
        "user.create",
        "user",
        Some(&u.id),
        json!({ "username": u.username, "role": u.role }),
    )
    .await
}

pub async fn count(conn: &mut AnyConnection) -> StoreResult<i64> {
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(conn)
        .await?
        .try_get("n")?)
}

/// A login: refreshable until `expires_at` (moved forward by each refresh, the idle limit)
/// and never after `absolute_expires_at`.
#[derive(Debug, Clone)]
pub struct AuthSession {
    pub id: String,
    pub user_id: String,
    pub device_id: Option<String>,
    pub expires_at: String,
    pub absolute_expires_at: String,
    pub revoked_at: Option<String>,
}

impl AuthSession {
    /// Usable at `now` (RFC 3339 text, which sorts as time).
    pub fn live_at(&self, now: &str) -> bool {
        self.revoked_at.is_none()
            && self.expires_at.as_str() > now
            && self.absolute_expires_at.as_str() > now
    }
}

const SESSION_COLUMNS: &str = "s.id, s.user_id, s.device_id, s.expires_at, \
    COALESCE(s.absolute_expires_at, s.expires_at) AS absolute_expires_at, s.revoked_at";

fn session_from(r: &AnyRow) -> Result<AuthSession, sqlx::Error> {
    Ok(AuthSession {
        id: row::text(r, "id")?,
        user_id: row::text(r, "user_id")?,
        device_id: row::opt_text(r, "device_id")?,
        expires_at: row::text(r, "expires_at")?,
        absolute_expires_at: row::text(r, "absolute_expires_at")?,
        revoked_at: row::opt_text(r, "revoked_at")?,
    })
}

pub async fn create_session(
    w: &mut WriteTx,
    s: &AuthSession,
    refresh_hash: &str,
) -> StoreResult<()> {
    let now = w.now().to_string();
    sqlx::query(
        "INSERT INTO auth_sessions (id, user_id, refresh_token_hash, device_id, created_at, expires_at, \
         absolute_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(s.id.clone())
    .bind(s.user_id.clone())
    .bind(refresh_hash.to_string())
    .bind(s.device_id.clone())
    .bind(now)
    .bind(s.expires_at.clone())
    .bind(s.absolute_expires_at.clone())
    .execute(w.conn())
    .await?;
    w.audit(
        "auth.login",
        "auth_session",
        Some(&s.id),
        json!({ "device_id": s.device_id }),
    )
    .await
}

pub async fn session_by_refresh_hash(
    conn: &mut AnyConnection,
    hash: &str,
) -> StoreResult<Option<AuthSession>> {
    let row = sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS} FROM auth_sessions s WHERE s.refresh_token_hash = $1"
    ))
    .bind(hash.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(session_from).transpose()?)
}

/// The session a refresh token belonged to before it was replaced, and when it was replaced.
pub async fn session_by_rotated_hash(
    conn: &mut AnyConnection,
    hash: &str,
) -> StoreResult<Option<(AuthSession, String)>> {
    let row = sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS}, r.rotated_at FROM rotated_refresh_tokens r \
         JOIN auth_sessions s ON s.id = r.session_id WHERE r.refresh_token_hash = $1"
    ))
    .bind(hash.to_string())
    .fetch_optional(conn)
    .await?;
    match row {
        None => Ok(None),
        Some(r) => Ok(Some((session_from(&r)?, row::text(&r, "rotated_at")?))),
    }
}

/// A login session with its user, in one lookup (every authenticated request needs both).
pub async fn session_with_user(
    conn: &mut AnyConnection,
    session_id: &str,
) -> StoreResult<Option<(AuthSession, User)>> {
    let row = sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS}, u.username, u.password_hash, u.display_name, u.role, u.active \
         FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1"
    ))
    .bind(session_id.to_string())
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let session = session_from(&r)?;
    let user = User {
        id: session.user_id.clone(),
        username: row::text(&r, "username")?,
        password_hash: row::text(&r, "password_hash")?,
        display_name: row::text(&r, "display_name")?,
        role: row::text(&r, "role")?,
        active: row::flag(&r, "active")?,
    };
    Ok(Some((session, user)))
}

/// Replaces the session's refresh token (rotation): the old one stops working and is kept as
/// rotated, so that presenting it again can be told from a token never issued. Returns false
/// if the old hash no longer matches (a concurrent refresh or a revoked session).
pub async fn rotate_refresh(
    w: &mut WriteTx,
    session_id: &str,
    old_hash: &str,
    new_hash: &str,
    expires_at: &str,
) -> StoreResult<bool> {
    let n = sqlx::query(
        "UPDATE auth_sessions SET refresh_token_hash = $1, expires_at = $2 \
         WHERE id = $3 AND refresh_token_hash = $4 AND revoked_at IS NULL",
    )
    .bind(new_hash.to_string())
    .bind(expires_at.to_string())
    .bind(session_id.to_string())
    .bind(old_hash.to_string())
    .execute(w.conn())
    .await?
    .rows_affected();
    if n == 1 {
        let now = w.now().to_string();
        sqlx::query(
            "INSERT INTO rotated_refresh_tokens (refresh_token_hash, session_id, rotated_at) VALUES ($1, $2, $3)",
        )
        .bind(old_hash.to_string())
        .bind(session_id.to_string())
        .bind(now)
        .execute(w.conn())
        .await?;
        w.audit(
            "auth.refresh",
            "auth_session",
            Some(session_id),
            serde_json::Value::Null,
        )
        .await?;
    }
    Ok(n == 1)
}

/// Ends a session (`action` names why in the audit trail: `auth.logout`,
/// `auth.refresh_reused`…).
pub async fn revoke_session(w: &mut WriteTx, session_id: &str, action: &str) -> StoreResult<()> {
    let now = w.now().to_string();
    sqlx::query("UPDATE auth_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(session_id.to_string())
        .execute(w.conn())
        .await?;
    w.audit(
        action,
        "auth_session",
        Some(session_id),
        serde_json::Value::Null,
    )
    .await
}

pub async fn setting(conn: &mut AnyConnection, key: &str) -> StoreResult<Option<String>> {
    let row = sqlx::query("SELECT value FROM app_settings WHERE key = $1")
        .bind(key.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get("value")).transpose()?)
}

/// Stores a setting unless one is already there, and returns the value in force (so two
/// processes starting at once agree on one secret).
pub async fn setting_or_insert(
    conn: &mut AnyConnection,
    key: &str,
    value: &str,
) -> StoreResult<String> {
    sqlx::query(
        "INSERT INTO app_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
    )
    .bind(key.to_string())
    .bind(value.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(setting(conn, key)
        .await?
        .unwrap_or_else(|| value.to_string()))
}
