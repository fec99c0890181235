//! One way to call the API on either transport: the `Router` in-process (`oneshot`, exactly as
//! the desktop's bridge does) or HTTP to the server binary (reqwest, keep-alive).

use anyhow::{anyhow, Context};
use axum::body::{Body, Bytes};
use axum::http;
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

#[derive(Clone)]
pub enum Client {
    InProcess(Router),
    Http { http: reqwest::Client, base: String },
}

pub struct Resp {
    pub status: u16,
    pub body: Bytes,
}

impl Resp {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// `503 SERVICE_UNAVAILABLE: message` for a failed call.
    pub fn describe(&self) -> String {
        let v: Value = serde_json::from_slice(&self.body).unwrap_or(Value::Null);
        let code = v["error"]["code"].as_str().unwrap_or("");
        let msg = v["error"]["message"].as_str().unwrap_or("");
        let mut s = format!("{} {code}", self.status);
        if !msg.is_empty() {
            s.push_str(": ");
            s.push_str(&msg.chars().take(160).collect::<String>());
        } else if code.is_empty() {
            s.push_str(
                &String::from_utf8_lossy(&self.body)
                    .chars()
                    .take(160)
                    .collect::<String>(),
            );
        }
        s
    }

    pub fn json(&self) -> anyhow::Result<Value> {
        serde_json::from_slice(&self.body).context("response is not JSON")
    }
}

/// A keep-alive HTTP client for local benchmarking (no proxy, no compression).
pub fn http_client(pool_size: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(pool_size.max(1))
        .tcp_nodelay(true)
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("reqwest client")
}

impl Client {
    pub fn http(base: &str, pool_size: usize) -> Client {
        Client::Http {
            http: http_client(pool_size),
            base: base.trim_end_matches('/').to_string(),
        }
    }

    /// Sends one request and reads the whole response body. `body` is JSON text.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> anyhow::Result<Resp> {
        match self {
            Client::InProcess(router) => {
                let mut b = http::Request::builder()
                    .method(method)
                    .uri(path)
                    .header("accept", "application/json");
                if let Some(t) = token {
                    b = b.header("authorization", format!("Bearer {t}"));
                }
                let mut req = match body {
                    Some(text) => b
                        .header("content-type", "application/json")
                        .body(Body::from(text.to_string()))?,
                    None => b.body(Body::empty())?,
                };
                clinicdesk_api::transport::mark_in_process(&mut req);
                let resp = match router.clone().oneshot(req).await {
                    Ok(r) => r,
                    Err(never) => match never {},
                };
                let status = resp.status().as_u16();
                let body = resp
                    .into_body()
                    .collect()
                    .await
                    .map_err(|e| anyhow!("reading the body: {e}"))?
                    .to_bytes();
                Ok(Resp { status, body })
            }
            Client::Http { http, base } => {
                let method = reqwest::Method::from_bytes(method.as_bytes())?;
                let mut b = http
                    .request(method, format!("{base}{path}"))
                    .header("accept", "application/json");
                if let Some(t) = token {
                    b = b.bearer_auth(t);
                }
                if let Some(text) = body {
                    b = b
                        .header("content-type", "application/json")
                        .body(text.to_string());
                }
                let resp = b.send().await?;
                let status = resp.status().as_u16();
                let body = resp.bytes().await?;
                Ok(Resp { status, body })
            }
        }
    }

    /// Logs in and returns the access token.
    pub async fn login(&self, username: &str, password: &str) -> anyhow::Result<String> {
        let body = json!({"username": username, "password": password}).to_string();
        let r = self
            .send("POST", "/api/v1/auth/login", None, Some(&body))
            .await?;
        if !r.ok() {
            anyhow::bail!("login as {username} failed: {}", r.describe());
        }
        let v = r.json()?;
        v["data"]["access_token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("login answer without data.access_token"))
    }
}

/// Percent-encodes a query value (everything but RFC 3986 unreserved characters).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encode_korean_and_reserved() {
        assert_eq!(super::encode("김영"), "%EA%B9%80%EC%98%81");
        assert_eq!(super::encode("a b,c"), "a%20b%2Cc");
        assert_eq!(super::encode("5678"), "5678");
    }
}
