//! Staff users (demo accounts marked as such), their login sessions (refresh tokens stored
//! hashed) and app settings. Password hashes never leave this table: not into the audit trail,
//! not into the sync outbox.

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
    /// A demo account (published password): usable only while the process runs in demo mode.
    pub demo: bool,
}

impl User {
    /// A new, active, non-demo account with a fresh id.
    pub fn new(username: &str, display_name: &str, role: &str, password_hash: String) -> User {
        User {
            id: clinicdesk_domain::ids::new_id(),
            username: username.to_string(),
            password_hash,
            display_name: display_name.to_string(),
            role: role.to_string(),
            active: true,
            demo: false,
        }
    }

    /// May this account log in and act, in a process that does (or does not) run in demo mode?
    pub fn usable(&self, demo_mode: bool) -> bool {
        self.active && (!self.demo || demo_mode)
    }
}

fn user_from(r: &AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: row::text(r, "id")?,
        username: row::text(r, "username")?,
        password_hash: row::text(r, "password_hash")?,
        display_name: row::text(r, "display_name")?,
        role: row::text(r, "role")?,
        active: row::flag(r, "active")?,
        demo: row::flag(r, "demo")?,
    })
}

const USER_COLUMNS: &str = "id, username, password_hash, display_name, role, active, demo";

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
        "INSERT INTO users (id, username, password_hash, display_name, role, active, demo, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(u.id.clone())
    .bind(u.username.clone())
    .bind(u.password_hash.clone())
    .bind(u.display_name.clone())
    .bind(u.role.clone())
    .bind(u.active as i64)
    .bind(u.demo as i64)
    .bind(now)
    .execute(w.conn())
    .await?;
    // A demo account is local to a demo installation: it never travels to a server.
    if !u.demo {
        w.change("user", &u.id).await?;
    }
    w.audit(
        "user.create",
        "user",
        Some(&u.id),
        json!({ "username": u.username, "role": u.role, "demo": u.demo }),
    )
    .await
}

/// A patient's own login (role `patient`), naming the patient it may read. It stays on the
/// node where the patient signed up (`synced.rs`); the audit trail keeps the sign-up.
pub async fn insert_patient_login(w: &mut WriteTx, u: &User, patient_id: &str) -> StoreResult<()> {
    let now = w.now().to_string();
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, display_name, role, active, demo, created_at, updated_at, patient_id) \
         VALUES ($1, $2, $3, $4, 'patient', 1, 0, $5, $5, $6)",
    )
    .bind(u.id.clone())
    .bind(u.username.clone())
    .bind(u.password_hash.clone())
    .bind(u.display_name.clone())
    .bind(now)
    .bind(patient_id.to_string())
    .execute(w.conn())
    .await?;
    w.audit(
        "patient.sign_up",
        "user",
        Some(&u.id),
        json!({ "patient_id": patient_id }),
    )
    .await
}

/// The active patient logins whose patient's name is `name` and whose phone digits are
/// `phone_digits` or birth date is `birth_date` (a family may share a name and a phone).
pub async fn patient_logins(
    conn: &mut AnyConnection,
    name: &str,
    phone_digits: Option<&str>,
    birth_date: Option<&str>,
) -> StoreResult<Vec<User>> {
    let rows = sqlx::query(
        "SELECT u.id, u.username, u.password_hash, u.display_name, u.role, u.active, u.demo FROM users u \
         JOIN patients p ON p.id = u.patient_id JOIN customers c ON c.id = p.id \
         WHERE u.role = 'patient' AND u.active = 1 AND c.name = $1 AND c.deleted_at IS NULL \
         AND ((CAST($2 AS TEXT) IS NOT NULL AND c.phone_digits = $2) OR (CAST($3 AS TEXT) IS NOT NULL AND p.birth_date = $3)) \
         ORDER BY u.created_at LIMIT 5",
    )
    .bind(name.to_string())
    .bind(phone_digits.map(str::to_string))
    .bind(birth_date.map(str::to_string))
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(user_from).collect::<Result<_, _>>()?)
}

/// The patient a patient login may read.
pub async fn patient_of(conn: &mut AnyConnection, user_id: &str) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar::<_, Option<String>>(
        "SELECT patient_id FROM users WHERE id = $1 AND role = 'patient'",
    )
    .bind(user_id.to_string())
    .fetch_optional(conn)
    .await?
    .flatten())
}

/// Whether a patient already has a login.
pub async fn patient_has_login(conn: &mut AnyConnection, patient_id: &str) -> StoreResult<bool> {
    Ok(
        sqlx::query("SELECT 1 AS x FROM users WHERE patient_id = $1 AND role = 'patient'")
            .bind(patient_id.to_string())
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// Inserts `u` unless its username is taken (checked under the write lock, so two creations
/// of one name cannot both pass). Returns false, writing nothing, for a taken username.
pub async fn insert_unique(w: &mut WriteTx, u: &User) -> StoreResult<bool> {
    if by_username(w.conn(), &u.username).await?.is_some() {
        return Ok(false);
    }
    insert(w, u).await?;
    Ok(true)
}

/// An account as the user list shows it.
#[derive(Debug, Clone)]
pub struct UserSummary {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
    pub demo: bool,
    pub created_at: String,
    /// When the user last logged in (the newest login session; refreshes keep a session).
    pub last_login_at: Option<String>,
}

const SUMMARY_SELECT: &str = "SELECT u.id, u.username, u.display_name, u.role, u.active, u.demo, \
     u.created_at, (SELECT MAX(s.created_at) FROM auth_sessions s WHERE s.user_id = u.id) AS last_login_at \
     FROM users u";

fn summary_from(r: &AnyRow) -> Result<UserSummary, sqlx::Error> {
    Ok(UserSummary {
        id: row::text(r, "id")?,
        username: row::text(r, "username")?,
        display_name: row::text(r, "display_name")?,
        role: row::text(r, "role")?,
        active: row::flag(r, "active")?,
        demo: row::flag(r, "demo")?,
        created_at: row::text(r, "created_at")?,
        last_login_at: row::opt_text(r, "last_login_at")?,
    })
}

/// Every account, by username.
pub async fn list(conn: &mut AnyConnection) -> StoreResult<Vec<UserSummary>> {
    let rows = sqlx::query(&format!(
        "{SUMMARY_SELECT} WHERE u.role <> 'patient' ORDER BY u.username"
    ))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(summary_from)
        .collect::<Result<_, sqlx::Error>>()?)
}

/// One account as the user list shows it.
pub async fn summary(conn: &mut AnyConnection, id: &str) -> StoreResult<Option<UserSummary>> {
    let row = sqlx::query(&format!(
        "{SUMMARY_SELECT} WHERE u.id = $1 AND u.role <> 'patient'"
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(summary_from).transpose()?)
}

/// Active administrators who can log in: non-demo ones, and demo ones too in demo mode.
pub async fn usable_admins(conn: &mut AnyConnection, demo_mode: bool) -> StoreResult<i64> {
    Ok(sqlx::query(
        "SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND active = 1 AND (demo = 0 OR $1 = 1)",
    )
    .bind(demo_mode as i64)
    .fetch_one(conn)
    .await?
    .try_get("n")?)
}

/// What an administrator changes on an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserUpdate {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
}

/// Applies the fields of `change` that differ from `before`; returns their names (empty:
/// nothing to do, nothing written). Role and active state are recorded in the audit trail as
/// before → after; the display name only as changed.
pub async fn update(
    w: &mut WriteTx,
    before: &User,
    change: &UserUpdate,
) -> StoreResult<Vec<&'static str>> {
    let display_name = change
        .display_name
        .clone()
        .filter(|d| *d != before.display_name);
    let role = change.role.clone().filter(|r| *r != before.role);
    let active = change.active.filter(|a| *a != before.active);
    let mut details = serde_json::Map::new();
    if let Some(r) = &role {
        details.insert("role".into(), json!({ "from": before.role, "to": r }));
    }
    if let Some(a) = active {
        details.insert("active".into(), json!({ "from": before.active, "to": a }));
    }
    let fields: Vec<&'static str> = [
        ("display_name", display_name.is_some()),
        ("role", role.is_some()),
        ("active", active.is_some()),
    ]
    .into_iter()
    .filter_map(|(f, changed)| changed.then_some(f))
    .collect();
    if fields.is_empty() {
        return Ok(fields);
    }
    let now = w.now().to_string();
    sqlx::query(
        "UPDATE users SET display_name = COALESCE($1, display_name), role = COALESCE($2, role), \
         active = COALESCE($3, active), updated_at = $4 WHERE id = $5",
    )
    .bind(display_name)
    .bind(role)
    .bind(active.map(i64::from))
    .bind(now)
    .bind(before.id.clone())
    .execute(w.conn())
    .await?;
    details.insert("fields".into(), json!(fields));
    w.change("user", &before.id).await?;
    w.audit(
        "user.update",
        "user",
        Some(&before.id),
        serde_json::Value::Object(details),
    )
    .await?;
    Ok(fields)
}

/// Stores a new password hash. `action` says whose doing it is (`user.password.change` by the
/// user, `user.password.reset` by an administrator). The audit event names the account only:
/// no hash, and nothing in the sync outbox (credentials do not travel with the data).
pub async fn set_password(
    w: &mut WriteTx,
    user_id: &str,
    password_hash: &str,
    action: &str,
) -> StoreResult<()> {
    let now = w.now().to_string();
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(password_hash.to_string())
        .bind(now)
        .bind(user_id.to_string())
        .execute(w.conn())
        .await?;
    w.audit(action, "user", Some(user_id), serde_json::Value::Null)
        .await
}

/// Ends every open session of a user except `keep` (the caller's own, when a user changes
/// their own password). Returns how many were ended.
pub async fn revoke_sessions_of(
    w: &mut WriteTx,
    user_id: &str,
    keep: Option<&str>,
) -> StoreResult<u64> {
    let now = w.now().to_string();
    let n = sqlx::query(
        "UPDATE auth_sessions SET revoked_at = $1 \
         WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3",
    )
    .bind(now)
    .bind(user_id.to_string())
    .bind(keep.unwrap_or("").to_string())
    .execute(w.conn())
    .await?
    .rows_affected();
    if n > 0 {
        w.audit(
            "auth.sessions.revoke",
            "user",
            Some(user_id),
            json!({ "sessions": n, "kept_current": keep.is_some() }),
        )
        .await?;
    }
    Ok(n)
}

/// Keeps a verifier of a password the central server just confirmed, so the user can log in
/// on this node while it is offline. It never travels (`synced.rs`: no hash does), and it is
/// no record of its own: no audit event, no outbox entry. A deactivated account stays
/// refused whatever its verifier: `active` arrives by sync.
pub async fn cache_verifier(
    conn: &mut AnyConnection,
    username: &str,
    hash: &str,
) -> StoreResult<bool> {
    Ok(
        sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
            .bind(hash.to_string())
            .bind(username.to_string())
            .execute(conn)
            .await?
            .rows_affected()
            > 0,
    )
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
        "SELECT {SESSION_COLUMNS}, u.username, u.password_hash, u.display_name, u.role, u.active, \
         u.demo FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1"
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
        demo: row::flag(&r, "demo")?,
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
