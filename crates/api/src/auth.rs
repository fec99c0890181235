//! Authentication and authorisation: Argon2id password hashes, short-lived HS256 access
//! tokens bound to a revocable login session, hashed rotating refresh tokens, and the
//! extractor that turns a bearer token into an [`AuthUser`] holding a required capability.

use crate::envelope::{request_id, ApiError};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use clinicdesk_domain::role::Capability;
use clinicdesk_domain::{DomainError, ErrorCode, Role};
use clinicdesk_store::{users, Actor, Db, StoreResult};
use jsonwebtoken::{errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::marker::PhantomData;

pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Keys {
    pub fn new(secret: &[u8]) -> Keys {
        Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }
}

/// The token signing secret lives in the database's settings: generated once, shared by every
/// process serving that database, surviving restarts.
pub async fn load_or_create_secret(db: &Db) -> StoreResult<Vec<u8>> {
    let mut fresh = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut fresh);
    let mut conn = db.conn().await?;
    let hex_secret = users::setting_or_insert(&mut conn, "jwt_secret", &hex::encode(fresh)).await?;
    Ok(hex::decode(&hex_secret).unwrap_or_else(|_| hex_secret.into_bytes()))
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

pub fn refresh_token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn issue_access_token(state: &AppState, claims: &Claims) -> Result<String, ApiError> {
    let keys = state
        .keys()
        .ok_or_else(|| ApiError::code(ErrorCode::ServiceUnavailable))?;
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &keys.encoding)
        .map_err(|e| ApiError(DomainError::internal(e.to_string())))
}

fn decode_access_token(state: &AppState, token: &str) -> Result<Claims, ApiError> {
    let keys = state
        .keys()
        .ok_or_else(|| ApiError::code(ErrorCode::ServiceUnavailable))?;
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<Claims>(token, &keys.decoding, &validation)
        .map(|d| d.claims)
        .map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => ApiError::code(ErrorCode::AuthExpiredToken),
            _ => ApiError::code(ErrorCode::AuthInvalidToken),
        })?;
    // Expiry is checked against the app's clock (not the library's), so one notion of "now"
    // governs tokens, dates and tests alike.
    if claims.exp <= state.now().timestamp() {
        return Err(ApiError::code(ErrorCode::AuthExpiredToken));
    }
    Ok(claims)
}

/// The `X-Device-Id` the request came with, if it is a sane id. It names the device for the
/// audit trail; the desktop shell always sets it to its installation id.
pub fn device_header(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get("x-device-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 100)
        .map(str::to_string)
}

/// [`device_header`] as an extractor, for endpoints without an authenticated caller (login).
pub struct DeviceHeader(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for DeviceHeader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(DeviceHeader(device_header(parts)))
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
        }
    }
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    parts
        .headers
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
                    .with_message("로그아웃되었거나 만료된 세션입니다"),
            )
        };
        // The user row is read on every request, so deactivating an account, a role change or
        // leaving demo mode takes effect on the next request of every open session.
        let (session, user) = found
            .filter(|(s, u)| {
                s.revoked_at.is_none() && s.user_id == claims.sub && u.usable(state.demo_mode)
            })
            .ok_or_else(revoked)?;
        let role = Role::parse(&user.role).ok_or_else(revoked)?;
        let device_from_header = device_header(parts);
        Ok(AuthUser {
            user_id: user.id,
            username: user.username,
            display_name: user.display_name,
            role,
            session_id: session.id,
            device_id: device_from_header.or(session.device_id),
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
            return Err(ApiError(
                DomainError::new(ErrorCode::ForbiddenRole).with_details(serde_json::json!({
                    "role": user.role.as_str(),
                    "required": format!("{:?}", R::CAPABILITY),
                })),
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
        let a = new_refresh_token();
        assert_ne!(a, new_refresh_token());
        assert_eq!(refresh_token_hash(&a).len(), 64);
        assert_ne!(refresh_token_hash(&a), a);
    }
}
