//! Authentication and authorisation: Argon2id password hashes, short-lived HS256 access
//! tokens bound to a revocable login session, hashed rotating refresh tokens, and the
//! extractor that turns a bearer token into an [`AuthUser`] holding a required capability.

use crate::envelope::{request_id, ApiError};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use clinicdesk_domain::role::Capability;
use clinicdesk_domain::{DomainError, ErrorCode, Role};
use clinicdesk_security::KeyRing;
use clinicdesk_store::access_log::Access;
use clinicdesk_store::{users, Actor};
use jsonwebtoken::{errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::marker::PhantomData;

/// The token signing keys: each key of the ring, by id. Tokens are signed with the current
/// key and name it in their header (`kid`); any key still in the ring verifies, so tokens
/// signed before a rotation stay valid until they expire.
pub struct Keys {
    current: (String, EncodingKey),
    decoding: Vec<(String, DecodingKey)>,
}

impl Keys {
    pub fn new(ring: &KeyRing) -> Keys {
        let current = ring.current();
        Keys {
            current: (
                current.id().to_string(),
                EncodingKey::from_secret(current.secret()),
            ),
            decoding: ring
                .keys()
                .iter()
                .map(|k| (k.id().to_string(), DecodingKey::from_secret(k.secret())))
                .collect(),
        }
    }

    fn decoding(&self, kid: &str) -> Option<&DecodingKey> {
        self.decoding
            .iter()
            .find(|(id, _)| id == kid)
            .map(|(_, k)| k)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// user id
    pub sub: String,
    /// login session id; revoking it ends this token too
    pub sid: String,
    pub username: String,
    pub role: String,
    pub iat: i64,
    pub exp: i64,
}

/// How an opaque secret (a refresh token, a device secret) is stored: its SHA-256, hex. The
/// secret is 256 random bits, so a plain hash is enough: there is nothing to guess.
pub fn opaque_token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// 256 random bits, hex: a refresh token or a device secret.
pub fn new_opaque_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn issue_access_token(state: &AppState, claims: &Claims) -> Result<String, ApiError> {
    let keys = state
        .keys()
        .ok_or_else(|| ApiError::code(ErrorCode::ServiceUnavailable))?;
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(keys.current.0.clone());
    jsonwebtoken::encode(&header, claims, &keys.current.1)
        .map_err(|e| ApiError(DomainError::internal(e.to_string())))
}

fn decode_access_token(state: &AppState, token: &str) -> Result<Claims, ApiError> {
    let keys = state
        .keys()
        .ok_or_else(|| ApiError::code(ErrorCode::ServiceUnavailable))?;
    let invalid = || ApiError::code(ErrorCode::AuthInvalidToken);
    let header = jsonwebtoken::decode_header(token).map_err(|_| invalid())?;
    let key = header
        .kid
        .as_deref()
        .and_then(|kid| keys.decoding(kid))
        .ok_or_else(invalid)?;
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<Claims>(token, key, &validation)
        .map(|d| d.claims)
        .map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => ApiError::code(ErrorCode::AuthExpiredToken),
            _ => invalid(),
        })?;
    // Expiry is checked against the app's clock (not the library's), so one notion of "now"
    // governs tokens, dates and tests alike.
    if claims.exp <= state.now().timestamp() {
        return Err(ApiError::code(ErrorCode::AuthExpiredToken));
    }
    Ok(claims)
}

/// The device a login names for its session (the audit trail shows it on every event of the
/// session; requests after the login cannot change it).
///
/// In-process, it is the desktop's installation id, which the bridge puts in `X-Device-Id`
/// whatever the web view sent. Over HTTP anyone can send any header, so a claimed device is
/// recorded as the client's claim (`client:` + the id), never as one of our nodes.
pub struct LoginDevice(pub Option<String>);

fn sane_id(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()
        && v.len() <= 100
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c)))
    .then(|| v.to_string())
}

impl LoginDevice {
    /// `claimed` from the header or, over HTTP only, the login body.
    pub fn resolve(in_process: bool, header: Option<&str>, body: Option<&str>) -> LoginDevice {
        if in_process {
            return LoginDevice(header.and_then(sane_id));
        }
        LoginDevice(
            header
                .or(body)
                .and_then(sane_id)
                .map(|id| format!("client:{id}")),
        )
    }
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub session_id: String,
    pub device_id: Option<String>,
}

impl AuthUser {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user_id.clone()),
            username: Some(self.username.clone()),
            role: Some(self.role.as_str().to_string()),
            device_id: self.device_id.clone(),
            request_id: Some(request_id()),
            client_request_id: crate::envelope::client_request_id(),
        }
    }

    /// An access by this caller, for the access log: to one record, or (`None`) to no single
    /// one.
    pub fn access(&self, now: &str, action: &str, entity: &str, entity_id: Option<&str>) -> Access {
        Access::new(&self.actor(), now, action, entity, entity_id)
    }
}

/// The user a bearer token was issued to, when its signature and expiry check out. No
/// session lookup: the rate limiter keys by it before the handler runs, and a revoked
/// session's token can still only spend its own user's budget (for at most its lifetime).
pub(crate) fn verified_token_user(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Option<String> {
    let token = bearer_token(headers).ok()?;
    decode_access_token(state, token).ok().map(|c| c.sub)
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    bearer_token(&parts.headers)
}

fn bearer_token(headers: &axum::http::HeaderMap) -> Result<&str, ApiError> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::code(ErrorCode::AuthInvalidToken))
}

/// A device syncing with this server (`docs/SYNC.md`): `Authorization: Device <secret>` names
/// a registered device that is not revoked, and `X-ClinicDesk-Sync-Version` a protocol version
/// the server speaks. A user's token is not a device's.
#[derive(Debug, Clone)]
pub struct SyncDevice {
    pub device_id: String,
    pub name: String,
}

impl SyncDevice {
    pub fn actor(&self) -> Actor {
        Actor {
            username: Some(format!("device:{}", self.name)),
            device_id: Some(self.device_id.clone()),
            request_id: Some(request_id()),
            client_request_id: crate::envelope::client_request_id(),
            ..Actor::default()
        }
    }
}

impl FromRequestParts<AppState> for SyncDevice {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        use clinicdesk_sync::protocol::{PROTOCOL_VERSION, VERSION_HEADER};
        let version = parts
            .headers
            .get(VERSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim);
        if version != Some(PROTOCOL_VERSION.to_string().as_str()) {
            return Err(ApiError(
                DomainError::new(ErrorCode::SyncVersionUnsupported).with_details(
                    serde_json::json!({ "supported": [PROTOCOL_VERSION], "received": version }),
                ),
            ));
        }
        let secret = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Device "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::code(ErrorCode::AuthInvalidToken))?;
        let mut conn = state.db.conn().await?;
        let device = clinicdesk_store::devices::by_secret(&mut conn, &opaque_token_hash(secret))
            .await?
            .ok_or_else(|| ApiError::code(ErrorCode::AuthInvalidToken))?;
        if device.revoked_at.is_some() {
            return Err(ApiError::code(ErrorCode::SyncDeviceRevoked));
        }
        Ok(SyncDevice {
            device_id: device.id,
            name: device.name,
        })
    }
}

/// Who may connect this node to a central server: an admin or manager signed in here, or —
/// on a node with no users yet (a new desktop whose first screen is "connect to your clinic's
/// server") — anyone, since the server's own login in the same call is what authorises it.
pub struct ConnectCaller(pub Option<AuthUser>);

impl FromRequestParts<AppState> for ConnectCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let mut conn = state.db.conn().await?;
        let users = users::count(&mut conn).await?;
        drop(conn);
        if users == 0 {
            return Ok(ConnectCaller(None));
        }
        let caller = Authorized::<RegisterDevices>::from_request_parts(parts, state).await?;
        Ok(ConnectCaller(Some(caller.user)))
    }
}

/// Who may read the sync status: anyone signed in, or — on a node that has not finished its
/// first sync (no accounts yet, or the first pull still running) — the connect screen, which
/// has no login and shows how far the pull has come. The status holds counts and addresses,
/// no personal data.
pub struct StatusCaller;

impl FromRequestParts<AppState> for StatusCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.sync_engine.is_some() {
            let mut conn = state.db.conn().await?;
            let first_pull_running = users::count(&mut conn).await? == 0
                || clinicdesk_store::sync_node::state(&mut conn)
                    .await?
                    .last_sync_at
                    .is_none();
            if first_pull_running {
                return Ok(StatusCaller);
            }
        }
        AuthUser::from_request_parts(parts, state).await?;
        Ok(StatusCaller)
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let claims = decode_access_token(state, bearer(parts)?)?;
        let mut conn = state.db.conn().await?;
        let found = users::session_with_user(&mut conn, &claims.sid).await?;
        drop(conn);
        let revoked = || {
            ApiError(
                DomainError::new(ErrorCode::AuthInvalidToken)
                    .with_msg(clinicdesk_domain::Msg::SessionRevoked),
            )
        };
        // The user row is read on every request, so deactivating an account, a role change or
        // leaving demo mode takes effect on the next request of every open session.
        let now = state.now_text();
        let (session, user) = found
            .filter(|(s, u)| {
                s.live_at(&now) && s.user_id == claims.sub && u.usable(state.demo_mode)
            })
            .ok_or_else(revoked)?;
        let role = Role::parse(&user.role).ok_or_else(revoked)?;
        Ok(AuthUser {
            user_id: user.id,
            username: user.username,
            display_name: user.display_name,
            role,
            session_id: session.id,
            device_id: session.device_id,
        })
    }
}

/// A capability an endpoint requires, as a type, so each handler states its permission in
/// its signature and the check itself lives only in [`Authorized`].
pub trait Requirement {
    const CAPABILITY: Capability;
}

macro_rules! requirement {
    ($name:ident) => {
        pub struct $name;
        impl Requirement for $name {
            const CAPABILITY: Capability = Capability::$name;
        }
    };
}
requirement!(ReadCustomers);
requirement!(EditCustomers);
requirement!(RecordActivity);
requirement!(CancelActivity);
requirement!(DeleteCustomers);
requirement!(Analytics);
requirement!(Administer);
requirement!(ReviewReveals);
requirement!(RegisterDevices);
requirement!(ResolveConflicts);
requirement!(HealthData);
requirement!(AllergyStats);
requirement!(OwnAllergyData);

/// An authenticated caller whose role has `R`'s capability; otherwise 403 `FORBIDDEN_ROLE`.
pub struct Authorized<R: Requirement> {
    pub user: AuthUser,
    _requirement: PhantomData<R>,
}

impl<R: Requirement> std::ops::Deref for Authorized<R> {
    type Target = AuthUser;
    fn deref(&self) -> &AuthUser {
        &self.user
    }
}

impl<R: Requirement + Send + Sync> FromRequestParts<AppState> for Authorized<R> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        if !user.role.can(R::CAPABILITY) {
            let details = serde_json::json!({
                "role": user.role.as_str(),
                "required": format!("{:?}", R::CAPABILITY),
            });
            // A privacy officer reviews refusals too: someone probing what they may not see.
            let mut access = user.access(&state.now_text(), "access.denied", "endpoint", None);
            access.details = serde_json::json!({
                "method": parts.method.as_str(),
                // The whole path: inside the nested API router `uri` lacks `/api/v1`.
                "path": parts
                    .extensions
                    .get::<axum::extract::OriginalUri>()
                    .map_or(parts.uri.path(), |u| u.0.path()),
                "required": details["required"],
                "ip": crate::limits::client_ip(
                    &parts.extensions,
                    &parts.headers,
                    &state.limits().config.trusted_proxies,
                )
                .map(|ip| ip.to_string()),
            });
            if let Err(e) = state.db.record_access(access).await {
                tracing::error!(error = %e, "a refusal could not be logged");
            }
            return Err(ApiError(
                DomainError::new(ErrorCode::ForbiddenRole).with_details(details),
            ));
        }
        Ok(Authorized {
            user,
            _requirement: PhantomData,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_are_random_and_stored_hashed() {
        let a = new_opaque_token();
        assert_ne!(a, new_opaque_token());
        assert_eq!(opaque_token_hash(&a).len(), 64);
        assert_ne!(opaque_token_hash(&a), a);
    }
}
