//! Request bodies and query strings, read so that any bad input becomes an envelope error
//! (never axum's plain-text rejection).

use crate::envelope::ApiError;
use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use clinicdesk_domain::{DomainError, ErrorCode};
use serde_json::Value;
use std::collections::HashMap;

pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// A research library export file travels inside its JSON body: PubMed exports of a few
/// thousand papers run to several megabytes.
pub const MAX_IMPORT_BYTES: usize = 24 * 1024 * 1024;

/// A JSON body as a value; an empty body is `null`. Endpoints validate it with the domain's
/// field readers, which name the offending field.
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request<Body>, state: &S) -> Result<Self, Self::Rejection> {
        read_json(req, state, MAX_BODY_BYTES).await.map(JsonBody)
    }
}

/// A JSON body of up to [`MAX_IMPORT_BYTES`] (an export file to import), read like
/// [`JsonBody`].
pub struct ImportBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for ImportBody {
    type Rejection = ApiError;

    async fn from_request(req: Request<Body>, state: &S) -> Result<Self, Self::Rejection> {
        read_json(req, state, MAX_IMPORT_BYTES)
            .await
            .map(ImportBody)
    }
}

async fn read_json<S: Send + Sync>(
    req: Request<Body>,
    _state: &S,
    limit: usize,
) -> Result<Value, ApiError> {
    let bytes = axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| ApiError::code(ErrorCode::PayloadTooLarge))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError(
            DomainError::new(ErrorCode::InvalidJson).with_details(serde_json::json!({
                "line": e.line(), "column": e.column(),
            })),
        )
    })
}

/// The query string as a map; each endpoint validates the parameters it knows.
pub struct QueryMap(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryMap {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let pairs: Vec<(String, String)> = serde_urlencoded_pairs(q);
        Ok(QueryMap(pairs.into_iter().collect()))
    }
}

fn serde_urlencoded_pairs(q: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl QueryMap {
    pub fn text(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    /// An integer parameter within `min..=max`, or the default when absent.
    pub fn int(&self, key: &str, default: i64, min: i64, max: i64) -> Result<i64, ApiError> {
        match self.text(key) {
            None => Ok(default),
            Some(raw) => match raw.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(ApiError(
                    DomainError::field_error(
                        key,
                        clinicdesk_domain::Msg::IntRange {
                            field: key.to_string(),
                            min,
                            max,
                        },
                    )
                    .with_details(
                        serde_json::json!({ "min": min, "max": max, "received_value": raw }),
                    ),
                )),
            },
        }
    }

    /// A parameter from a closed set.
    pub fn one_of(&self, key: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        match self.text(key) {
            None => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v.to_string())),
            Some(v) => Err(ApiError(DomainError::not_allowed(
                key,
                &Value::String(v.into()),
                allowed,
            ))),
        }
    }

    /// A comma-separated list of values from a closed set.
    pub fn list_of(&self, key: &str, allowed: &[&str]) -> Result<Vec<String>, ApiError> {
        let mut out: Vec<String> = Vec::new();
        for v in self
            .text(key)
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            if !allowed.contains(&v) {
                return Err(ApiError(DomainError::not_allowed(
                    key,
                    &Value::String(v.into()),
                    allowed,
                )));
            }
            if !out.iter().any(|o| o == v) {
                out.push(v.to_string());
            }
        }
        Ok(out)
    }

    /// A yes/no parameter (`true`/`false`, `1`/`0`); absent is no.
    pub fn flag(&self, key: &str) -> Result<bool, ApiError> {
        match self.text(key) {
            None => Ok(false),
            Some("true" | "1") => Ok(true),
            Some("false" | "0") => Ok(false),
            Some(v) => Err(ApiError(DomainError::not_allowed(
                key,
                &Value::String(v.into()),
                &["true", "false"],
            ))),
        }
    }

    pub fn date(&self, key: &str) -> Result<Option<chrono::NaiveDate>, ApiError> {
        self.text(key)
            .map(|v| clinicdesk_domain::fields::parse_date(key, v))
            .transpose()
            .map_err(ApiError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode_korean_and_plus() {
        let pairs = serde_urlencoded_pairs("q=%EA%B9%80%EC%98%81&a=b+c&empty=&bad=%zz&trail=%");
        let m: HashMap<_, _> = pairs.into_iter().collect();
        assert_eq!(m["q"], "김영");
        assert_eq!(m["a"], "b c");
        assert_eq!(m["empty"], "");
        assert_eq!(m["bad"], "%zz");
        assert_eq!(m["trail"], "%");
    }
}
