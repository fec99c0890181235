//! Rate limits (seed 000: general 1000/h, analytics 100/h, recommendations 50/h per user) and
//! the client address they fall back to.
//!
//! - **Who is counted.** A request with a bearer token whose signature and expiry check out
//!   is counted against that token's user (`sub`); anything else — no token, a forged or
//!   expired one, login, refresh — against the client's address (an IPv6 client by its /64).
//!   A claim that was not verified never picks the bucket, or anyone could spend someone
//!   else's budget.
//! - **Which budget.** Each route has a [`RateClass`]; routes not listed in the router's class
//!   table are `General`. Each (who, class) pair has its own bucket.
//! - **Algorithm.** GCRA, a token bucket that stores one instant per bucket: the limit is a
//!   burst allowance refilled evenly over the hour (1000/h: one request back every 3.6 s). A
//!   fixed hourly window would allow twice the limit across a window edge and make every
//!   client's budget come back at the same instant; GCRA has neither problem, and a bucket
//!   whose instant has passed is exactly a fresh bucket, so idle buckets are dropped without
//!   losing anything (memory stays bounded by the active clients).
//! - **Transport.** Requests handed over in-process (the desktop: one user at a time) are not
//!   limited and get no rate-limit headers.
//! - **Scope.** Counters live in this process's memory: several server processes behind one
//!   load balancer each count on their own.

use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use clinicdesk_domain::{DomainError, ErrorCode};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

/// The budgets of seed 000, per user per hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateClass {
    General,
    Analytics,
    Recommendations,
    /// A device's push and pull (issue 9): a desktop syncing every second makes 3,600 of
    /// each an hour, several desktops behind one address more.
    Sync,
}

/// Requests per hour allowed at most; above this a budget is as good as unlimited and the
/// arithmetic below stays exact.
pub const MAX_PER_HOUR: u32 = 1_000_000_000;

/// Failed-login handling for one kind of key (a username, or a client address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failures after which each further attempt is answered only after a delay that doubles
    /// (250 ms, 500 ms, 1 s, then 2 s each).
    pub delay_after: u32,
    /// Failures after which attempts are refused (429) without checking the password.
    pub lock_after: u32,
    /// How long the lock lasts, and how long a streak of failures is remembered.
    pub lock_seconds: u64,
}

/// Every limit of one process; the server reads it from flags, the desktop uses the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitConfig {
    pub general_per_hour: u32,
    pub analytics_per_hour: u32,
    pub recommendations_per_hour: u32,
    pub sync_per_hour: u32,
    /// Failed logins for one username (on every transport: it protects the account).
    pub login_username: LockoutPolicy,
    /// Failed logins from one client address (over HTTP only; in-process there is none).
    pub login_client: LockoutPolicy,
    /// Reverse proxies whose `X-Forwarded-For` is believed. Empty: the header is ignored and
    /// the TCP peer is the client.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for LimitConfig {
    fn default() -> Self {
        LimitConfig {
            general_per_hour: 1000,
            analytics_per_hour: 100,
            recommendations_per_hour: 50,
            sync_per_hour: 100_000,
            login_username: LockoutPolicy {
                delay_after: 5,
                lock_after: 10,
                lock_seconds: 15 * 60,
            },
            login_client: LockoutPolicy {
                delay_after: 10,
                lock_after: 30,
                lock_seconds: 15 * 60,
            },
            trusted_proxies: Vec::new(),
        }
    }
}

impl LimitConfig {
    pub fn per_hour(&self, class: RateClass) -> u32 {
        let n = match class {
            RateClass::General => self.general_per_hour,
            RateClass::Analytics => self.analytics_per_hour,
            RateClass::Recommendations => self.recommendations_per_hour,
            RateClass::Sync => self.sync_per_hour,
        };
        n.clamp(1, MAX_PER_HOUR)
    }
}

/// A client address as a rate-limit key: IPv4 as is, IPv6 by its /64 (one subscriber gets a
/// whole /64, so single addresses would be free to rotate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    V4(u32),
    V6Prefix(u64),
    /// The router was served without the peer's address (not how the server serves it).
    Unknown,
}

impl ClientKey {
    pub fn of(ip: Option<IpAddr>) -> ClientKey {
        match ip.map(|ip| ip.to_canonical()) {
            Some(IpAddr::V4(v4)) => ClientKey::V4(u32::from(v4)),
            Some(IpAddr::V6(v6)) => ClientKey::V6Prefix((u128::from(v6) >> 64) as u64),
            None => ClientKey::Unknown,
        }
    }
}

/// The client's address: the TCP peer, or — when the peer is a trusted proxy — the nearest
/// address in `X-Forwarded-For` that is not itself a trusted proxy. `None` in-process.
pub fn client_ip(
    extensions: &Extensions,
    headers: &HeaderMap,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    if crate::transport::is_in_process(extensions) {
        return None;
    }
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()?
        .0
        .ip()
        .to_canonical();
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    // Each proxy appends the address it received from, so the list is read right to left and
    // the first address not belonging to our own proxies is the client. Anything unreadable
    // stops the walk: left of it the client could have written anything.
    let mut client = peer;
    for value in headers.get_all("x-forwarded-for").iter().rev() {
        let Ok(text) = value.to_str() else {
            return Some(client);
        };
        for part in text.rsplit(',') {
            match part.trim().parse::<IpAddr>() {
                Ok(ip) => client = ip.to_canonical(),
                Err(_) => return Some(client),
            }
            if !trusted.contains(&client) {
                return Some(client);
            }
        }
    }
    Some(client)
}

/// The client address as an extractor (the login handler keys its lockout by it).
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let trusted = &state.limits().config.trusted_proxies;
        Ok(ClientIp(client_ip(
            &parts.extensions,
            &parts.headers,
            trusted,
        )))
    }
}

/// What a bucket says about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    /// Requests still allowed right now, after this one.
    pub remaining: u32,
    /// Epoch seconds at which the whole budget is back.
    pub reset_epoch: u64,
    /// Seconds until one more request is allowed (only when refused; at least 1).
    pub retry_after: u64,
}

const HOUR_MICROS: u64 = 3_600_000_000;

/// GCRA for `limit` requests per hour. `tat` (theoretical arrival time, epoch µs) is when the
/// bucket is full again; `None` is a fresh bucket. Returns the decision and the new `tat`.
pub fn gcra(tat: Option<u64>, now: u64, limit: u32) -> (Decision, u64) {
    let limit = limit.clamp(1, MAX_PER_HOUR);
    let interval = HOUR_MICROS / u64::from(limit);
    let window = interval * u64::from(limit);
    let base = tat.unwrap_or(now).max(now);
    let next = base + interval;
    let secs_up = |micros: u64| micros.div_ceil(1_000_000);
    if next - now <= window {
        let remaining = (window - (next - now)) / interval;
        let decision = Decision {
            allowed: true,
            limit,
            remaining: u32::try_from(remaining).unwrap_or(u32::MAX),
            reset_epoch: secs_up(next),
            retry_after: 0,
        };
        (decision, next)
    } else {
        let decision = Decision {
            allowed: false,
            limit,
            remaining: 0,
            reset_epoch: secs_up(base),
            retry_after: secs_up(next - window - now).max(1),
        };
        (decision, base)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Subject {
    User(String),
    Client(ClientKey),
}

/// How many buckets may exist before the least valuable are dropped. A bucket is a key and
/// one integer; 100,000 is a few MiB.
const MAX_BUCKETS: usize = 100_000;

/// One process's buckets.
pub struct RateLimiter {
    buckets: Mutex<Buckets>,
}

struct Buckets {
    tat: HashMap<(Subject, RateClass), u64>,
    /// Sweep idle buckets when a new one would grow the map past this (amortised: it
    /// doubles) …
    sweep_at: usize,
    /// … or when a new one arrives after this instant (so an idle map shrinks too).
    sweep_after: u64,
}

/// How often, at most, idle buckets are swept without the map growing.
const SWEEP_EVERY_MICROS: u64 = 60_000_000;

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter {
            buckets: Mutex::new(Buckets {
                tat: HashMap::new(),
                sweep_at: 1024,
                sweep_after: 0,
            }),
        }
    }
}

impl RateLimiter {
    fn check(&self, subject: Subject, class: RateClass, limit: u32, now: u64) -> Decision {
        // A poisoned lock only means another request panicked mid-update of plain integers.
        let mut b = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let key = (subject, class);
        let (decision, tat) = gcra(b.tat.get(&key).copied(), now, limit);
        if !b.tat.contains_key(&key) && (b.tat.len() >= b.sweep_at || now >= b.sweep_after) {
            b.sweep(now);
        }
        b.tat.insert(key, tat);
        decision
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.buckets.lock().map(|b| b.tat.len()).unwrap_or(0)
    }
}

impl Buckets {
    /// Drops every bucket that is full again (identical to a fresh one); if that is not
    /// enough, the fullest half of the rest (the least spent budget is the least lost).
    fn sweep(&mut self, now: u64) {
        self.tat.retain(|_, tat| *tat > now);
        if self.tat.len() >= MAX_BUCKETS {
            let mut tats: Vec<u64> = self.tat.values().copied().collect();
            let mid = tats.len() / 2;
            let (_, cut, _) = tats.select_nth_unstable(mid);
            let cut = *cut;
            self.tat.retain(|_, tat| *tat > cut);
        }
        self.sweep_at = (self.tat.len() * 2).clamp(1024, MAX_BUCKETS);
        self.sweep_after = now + SWEEP_EVERY_MICROS;
    }
}

/// Rate-limit classes of the routes that are not `General`, by matched path.
pub type ClassTable = &'static [(&'static str, RateClass)];

fn class_of(table: ClassTable, extensions: &Extensions) -> RateClass {
    let Some(path) = extensions.get::<MatchedPath>() else {
        return RateClass::General;
    };
    table
        .iter()
        .find(|(p, _)| *p == path.as_str())
        .map_or(RateClass::General, |(_, class)| *class)
}

fn set_headers(resp: &mut Response, d: &Decision) {
    let h = resp.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(d.limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(d.remaining));
    h.insert("x-ratelimit-reset", HeaderValue::from(d.reset_epoch));
}

/// The middleware: counts the request, answers 429 past the limit, and puts the
/// `X-RateLimit-*` headers on every answer over HTTP.
pub(crate) async fn rate_limit(
    State((state, table)): State<(AppState, ClassTable)>,
    req: Request,
    next: Next,
) -> Response {
    if crate::transport::is_in_process(req.extensions()) {
        return next.run(req).await;
    }
    let limits = state.limits();
    let class = class_of(table, req.extensions());
    let subject = match crate::auth::verified_token_user(&state, req.headers()) {
        Some(user_id) => Subject::User(user_id),
        None => Subject::Client(ClientKey::of(client_ip(
            req.extensions(),
            req.headers(),
            &limits.config.trusted_proxies,
        ))),
    };
    let now = u64::try_from(state.now().timestamp_micros()).unwrap_or(0);
    let decision = limits
        .rates
        .check(subject, class, limits.config.per_hour(class), now);
    let mut resp = if decision.allowed {
        next.run(req).await
    } else {
        crate::envelope::ApiError(
            DomainError::new(ErrorCode::RateLimitExceeded)
                .with_msg(clinicdesk_domain::Msg::RateLimited {
                    limit: decision.limit,
                    seconds: decision.retry_after,
                })
                .with_details(serde_json::json!({
                    "limit": decision.limit,
                    "class": format!("{class:?}").to_lowercase(),
                    "retry_after_seconds": decision.retry_after,
                })),
        )
        .into_response()
    };
    set_headers(&mut resp, &decision);
    resp
}

/// The limits of one process: configuration, request buckets and the login lockout.
pub struct Limits {
    pub config: LimitConfig,
    pub(crate) rates: RateLimiter,
    pub(crate) logins: crate::login_guard::LoginGuard,
}

impl Limits {
    pub fn new(config: LimitConfig) -> Limits {
        Limits {
            logins: crate::login_guard::LoginGuard::new(config.login_username, config.login_client),
            rates: RateLimiter::default(),
            config,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_700_000_000_000_000;

    #[test]
    fn a_fresh_bucket_allows_the_limit_then_refuses() {
        let mut tat = None;
        for i in 0..3u32 {
            let (d, t) = gcra(tat, T0, 3);
            assert!(d.allowed, "request {i}");
            assert_eq!(d.remaining, 2 - i);
            assert_eq!(d.limit, 3);
            tat = Some(t);
        }
        let (d, t) = gcra(tat, T0, 3);
        assert!(!d.allowed);
        assert_eq!(d.remaining, 0);
        // One request comes back every 20 minutes; the whole budget an hour after the burst.
        assert_eq!(d.retry_after, 20 * 60);
        assert_eq!(d.reset_epoch, T0 / 1_000_000 + 3600);
        assert_eq!(Some(t), tat, "a refused request spends nothing");
    }

    #[test]
    fn the_budget_refills_evenly() {
        let mut tat = None;
        for _ in 0..1000 {
            let (d, t) = gcra(tat, T0, 1000);
            assert!(d.allowed);
            tat = Some(t);
        }
        let (d, _) = gcra(tat, T0, 1000);
        assert!(!d.allowed);
        assert_eq!(d.retry_after, 4, "3.6 s, rounded up");
        let (d, _) = gcra(tat, T0 + 3_600_000, 1000);
        assert!(d.allowed, "one request back after 3.6 s");
        assert_eq!(d.remaining, 0);
        let (d, _) = gcra(tat, T0 + 36_000_000, 1000);
        assert!(d.allowed);
        assert_eq!(d.remaining, 9, "ten back after 36 s, this one spent");
        let (d, _) = gcra(tat, T0 + HOUR_MICROS, 1000);
        assert_eq!(d.remaining, 999, "the whole budget after an hour");
        // A bucket idle for longer than that is a fresh bucket.
        let (later, _) = gcra(tat, T0 + 5 * HOUR_MICROS, 1000);
        let (fresh, _) = gcra(None, T0 + 5 * HOUR_MICROS, 1000);
        assert_eq!(later, fresh);
    }

    #[test]
    fn reset_is_when_the_whole_budget_is_back() {
        let (d, tat) = gcra(None, T0, 100);
        assert_eq!(d.remaining, 99);
        assert_eq!(d.reset_epoch, (T0 + 36_000_000) / 1_000_000);
        let (d, _) = gcra(Some(tat), T0 + 1, 100);
        assert_eq!(d.reset_epoch, (T0 + 72_000_000) / 1_000_000);
    }

    #[test]
    fn extreme_limits_stay_exact() {
        let (d, _) = gcra(None, T0, 0);
        assert!(d.allowed);
        assert_eq!(d.limit, 1);
        let (d, _) = gcra(None, T0, u32::MAX);
        assert!(d.allowed);
        assert_eq!(d.limit, MAX_PER_HOUR);
        assert_eq!(d.remaining, MAX_PER_HOUR - 1);
    }

    #[test]
    fn buckets_are_per_subject_and_class() {
        let r = RateLimiter::default();
        let alice = || Subject::User("alice".into());
        assert!(r.check(alice(), RateClass::General, 1, T0).allowed);
        assert!(!r.check(alice(), RateClass::General, 1, T0).allowed);
        assert!(r.check(alice(), RateClass::Analytics, 1, T0).allowed);
        assert!(
            r.check(Subject::User("bob".into()), RateClass::General, 1, T0)
                .allowed
        );
        let ip = Subject::Client(ClientKey::V4(0x7f00_0001));
        assert!(r.check(ip, RateClass::General, 1, T0).allowed);
    }

    #[test]
    fn idle_buckets_are_dropped_and_memory_is_bounded() {
        let r = RateLimiter::default();
        for i in 0..5_000u32 {
            r.check(
                Subject::Client(ClientKey::V4(i)),
                RateClass::General,
                1000,
                T0,
            );
        }
        assert_eq!(r.len(), 5_000);
        // An hour later every one of them is full again: the next new key sweeps them.
        let later = T0 + HOUR_MICROS;
        r.check(Subject::User("x".into()), RateClass::General, 1000, later);
        assert_eq!(r.len(), 1);
        // A flood of distinct keys that never go idle stays under the bound.
        for i in 0..(MAX_BUCKETS as u32 + 50_000) {
            r.check(
                Subject::Client(ClientKey::V4(i)),
                RateClass::General,
                10,
                later + u64::from(i),
            );
        }
        assert!(r.len() <= MAX_BUCKETS, "{}", r.len());
    }

    fn ext(peer: &str) -> Extensions {
        let mut e = Extensions::new();
        e.insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        e
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        let proxy: Vec<IpAddr> = vec!["10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap()];
        // No trusted proxy: the header is the client's own words.
        assert_eq!(
            client_ip(&ext("203.0.113.9:5000"), &xff(&["1.2.3.4"]), &[]),
            ip("203.0.113.9")
        );
        // From an untrusted peer, even with proxies configured.
        assert_eq!(
            client_ip(&ext("203.0.113.9:5000"), &xff(&["1.2.3.4"]), &proxy),
            ip("203.0.113.9")
        );
        // Through our proxies: the rightmost address that is not one of them.
        assert_eq!(
            client_ip(
                &ext("10.0.0.1:80"),
                &xff(&["6.6.6.6, 198.51.100.7, 10.0.0.2"]),
                &proxy
            ),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(
                &ext("10.0.0.1:80"),
                &xff(&["6.6.6.6", "198.51.100.7"]),
                &proxy
            ),
            ip("198.51.100.7")
        );
        // Garbage stops the walk at the last address a proxy vouched for.
        assert_eq!(
            client_ip(&ext("10.0.0.1:80"), &xff(&["1.1.1.1, junk"]), &proxy),
            ip("10.0.0.1")
        );
        assert_eq!(
            client_ip(&ext("10.0.0.1:80"), &HeaderMap::new(), &proxy),
            ip("10.0.0.1")
        );
        // IPv4-mapped IPv6 peers are their IPv4 address.
        assert_eq!(
            client_ip(&ext("[::ffff:10.0.0.1]:80"), &xff(&["5.5.5.5"]), &proxy),
            ip("5.5.5.5")
        );
        // In-process requests and routers served without the peer address have none.
        let mut inproc = ext("127.0.0.1:1");
        inproc.insert(crate::transport::InProcess);
        assert_eq!(client_ip(&inproc, &HeaderMap::new(), &[]), None);
        assert_eq!(client_ip(&Extensions::new(), &HeaderMap::new(), &[]), None);
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_prefix() {
        let k = |s: &str| ClientKey::of(Some(s.parse().unwrap()));
        assert_eq!(k("2001:db8:1:2::1"), k("2001:db8:1:2:ffff::9"));
        assert_ne!(k("2001:db8:1:2::1"), k("2001:db8:1:3::1"));
        assert_eq!(k("::ffff:192.0.2.1"), k("192.0.2.1"));
        assert_ne!(k("192.0.2.1"), k("192.0.2.2"));
        assert_eq!(ClientKey::of(None), ClientKey::Unknown);
    }
}
