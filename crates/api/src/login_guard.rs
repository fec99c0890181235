//! Login brute-force protection. Failed logins are counted per username (on every transport:
//! it protects the account, also on an unattended desktop) and per client address (over HTTP;
//! in-process there is none). After [`LockoutPolicy::delay_after`] failures each further
//! attempt is answered only after a growing delay; after [`LockoutPolicy::lock_after`] the key
//! is locked for [`LockoutPolicy::lock_seconds`]: 429 with `Retry-After`, and the password is
//! not even checked, so a locked account never tells whether a guess was right. A success
//! clears the username's streak.
//!
//! Every attempt counts as a failure from the moment it starts until it succeeds, so a burst
//! of parallel guesses cannot slip past the lock while the first ones are still being
//! verified. Unknown usernames are counted exactly like real ones (a lock must not reveal
//! which accounts exist). Counters live in this process's memory.

use crate::envelope::ApiError;
use crate::limits::{ClientKey, LockoutPolicy};
use clinicdesk_domain::{DomainError, ErrorCode};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// A run of failed attempts for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Streak {
    pub failures: u32,
    /// Epoch milliseconds of the latest attempt counted.
    pub last_ms: i64,
}

/// What the policy says about one more attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Go ahead after `delay_ms`; `streak` already counts this attempt as a failure.
    Go { delay_ms: u64, streak: Streak },
    /// Refused for `retry_after` more seconds.
    Locked { retry_after: u64 },
}

/// The delay before answering an attempt made after `failures` failures: none below the
/// policy's threshold, then 250 ms doubling up to 2 s.
pub fn delay_ms(failures: u32, policy: &LockoutPolicy) -> u64 {
    match failures.checked_sub(policy.delay_after) {
        None => 0,
        Some(extra) => 250u64 << extra.min(3),
    }
}

/// The pure rule: a streak older than the lock time is forgotten; at the lock threshold the
/// key is locked until `lock_seconds` after the failure that reached it.
pub fn admit(streak: Option<Streak>, policy: &LockoutPolicy, now_ms: i64) -> Admission {
    let keep_ms = i64::try_from(policy.lock_seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
    let current = streak
        .filter(|s| now_ms.saturating_sub(s.last_ms) < keep_ms)
        .map_or(0, |s| s.failures);
    if current >= policy.lock_after.max(1) {
        let last = streak.map_or(now_ms, |s| s.last_ms);
        let left_ms = last.saturating_add(keep_ms).saturating_sub(now_ms).max(1);
        return Admission::Locked {
            retry_after: u64::try_from(left_ms).unwrap_or(u64::MAX).div_ceil(1000),
        };
    }
    Admission::Go {
        delay_ms: delay_ms(current, policy),
        streak: Streak {
            failures: current + 1,
            last_ms: now_ms,
        },
    }
}

/// Entries kept at most per map; a streak is a key and two integers.
const MAX_ENTRIES: usize = 100_000;

struct Book<K> {
    streaks: HashMap<K, Streak>,
    sweep_at: usize,
    sweep_after_ms: i64,
}

impl<K: Eq + Hash + Clone> Book<K> {
    fn new() -> Self {
        Book {
            streaks: HashMap::new(),
            sweep_at: 1024,
            sweep_after_ms: 0,
        }
    }

    /// Records an admitted attempt. Before a new key is added, forgotten streaks are dropped
    /// (when the map has doubled or a minute has passed) and, past [`MAX_ENTRIES`], the
    /// oldest half too.
    fn record(&mut self, key: K, streak: Streak, policy: &LockoutPolicy) {
        if !self.streaks.contains_key(&key)
            && (self.streaks.len() >= self.sweep_at || streak.last_ms >= self.sweep_after_ms)
        {
            let now = streak.last_ms;
            let keep_ms =
                i64::try_from(policy.lock_seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
            self.streaks
                .retain(|_, s| now.saturating_sub(s.last_ms) < keep_ms);
            if self.streaks.len() >= MAX_ENTRIES {
                let mut lasts: Vec<i64> = self.streaks.values().map(|s| s.last_ms).collect();
                let mid = lasts.len() / 2;
                let (_, cut, _) = lasts.select_nth_unstable(mid);
                let cut = *cut;
                self.streaks.retain(|_, s| s.last_ms > cut);
            }
            self.sweep_at = (self.streaks.len() * 2).clamp(1024, MAX_ENTRIES);
            self.sweep_after_ms = now.saturating_add(60_000);
        }
        self.streaks.insert(key, streak);
    }
}

struct Books {
    usernames: Book<String>,
    clients: Book<ClientKey>,
}

pub struct LoginGuard {
    books: Arc<Mutex<Books>>,
    username_policy: LockoutPolicy,
    client_policy: LockoutPolicy,
}

fn lock_books(books: &Mutex<Books>) -> std::sync::MutexGuard<'_, Books> {
    // A poisoned lock only means a panic mid-update of plain integers; the data is usable.
    books.lock().unwrap_or_else(|e| e.into_inner())
}

fn locked(retry_after: u64, scope: &str) -> ApiError {
    let minutes = retry_after.div_ceil(60).max(1);
    ApiError(
        DomainError::new(ErrorCode::RateLimitExceeded)
            .with_message(format!(
                "로그인 실패가 너무 많아 잠시 로그인할 수 없습니다. {minutes}분 후에 다시 시도하세요"
            ))
            .with_details(serde_json::json!({
                "retry_after_seconds": retry_after,
                "locked": scope,
            })),
    )
}

impl LoginGuard {
    pub fn new(username_policy: LockoutPolicy, client_policy: LockoutPolicy) -> LoginGuard {
        LoginGuard {
            books: Arc::new(Mutex::new(Books {
                usernames: Book::new(),
                clients: Book::new(),
            })),
            username_policy,
            client_policy,
        }
    }

    /// Admits one login attempt for `username` from `client` (none in-process), counting it
    /// as a failure until [`LoginAttempt::succeeded`]; or refuses it while a lock lasts. The
    /// returned delay is to be waited before checking the password.
    pub fn reserve(
        &self,
        username: &str,
        client: Option<IpAddr>,
        now_ms: i64,
    ) -> Result<(LoginAttempt, u64), ApiError> {
        let username = username.to_lowercase();
        let client = client.map(|ip| ClientKey::of(Some(ip)));
        let mut books = lock_books(&self.books);
        let by_name = admit(
            books.usernames.streaks.get(&username).copied(),
            &self.username_policy,
            now_ms,
        );
        let by_client = client.map(|k| {
            admit(
                books.clients.streaks.get(&k).copied(),
                &self.client_policy,
                now_ms,
            )
        });
        let mut delay = 0;
        match by_name {
            Admission::Locked { retry_after } => return Err(locked(retry_after, "username")),
            Admission::Go { delay_ms, .. } => delay = delay.max(delay_ms),
        }
        match by_client {
            Some(Admission::Locked { retry_after }) => return Err(locked(retry_after, "client")),
            Some(Admission::Go { delay_ms, .. }) => delay = delay.max(delay_ms),
            None => {}
        }
        // Both admit: count the attempt against both now.
        if let Admission::Go { streak, .. } = by_name {
            books
                .usernames
                .record(username.clone(), streak, &self.username_policy);
        }
        if let (Some(k), Some(Admission::Go { streak, .. })) = (client, by_client) {
            books.clients.record(k, streak, &self.client_policy);
        }
        drop(books);
        let attempt = LoginAttempt {
            books: self.books.clone(),
            username,
            client,
        };
        Ok((attempt, delay))
    }

    /// [`LoginGuard::reserve`], then the delay (a timer: no worker is held).
    pub async fn begin(
        &self,
        username: &str,
        client: Option<IpAddr>,
        now_ms: i64,
    ) -> Result<LoginAttempt, ApiError> {
        let (attempt, delay) = self.reserve(username, client, now_ms)?;
        if delay > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
        }
        Ok(attempt)
    }

    #[cfg(test)]
    fn failures(&self, username: &str, client: Option<IpAddr>) -> (u32, u32) {
        let books = lock_books(&self.books);
        let name = books
            .usernames
            .streaks
            .get(&username.to_lowercase())
            .map_or(0, |s| s.failures);
        let by_client = client
            .and_then(|ip| books.clients.streaks.get(&ClientKey::of(Some(ip))))
            .map_or(0, |s| s.failures);
        (name, by_client)
    }
}

/// A login attempt under way; it stays counted as a failure unless it [succeeded].
///
/// [succeeded]: LoginAttempt::succeeded
pub struct LoginAttempt {
    books: Arc<Mutex<Books>>,
    username: String,
    client: Option<ClientKey>,
}

impl LoginAttempt {
    /// The password was right: the username's streak is cleared; the client's only loses this
    /// attempt (one valid account must not wipe a client's record of guessing others).
    pub fn succeeded(self) {
        let mut books = lock_books(&self.books);
        books.usernames.streaks.remove(&self.username);
        if let Some(k) = self.client {
            if let Some(s) = books.clients.streaks.get_mut(&k) {
                s.failures = s.failures.saturating_sub(1);
                if s.failures == 0 {
                    books.clients.streaks.remove(&k);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: LockoutPolicy = LockoutPolicy {
        delay_after: 5,
        lock_after: 10,
        lock_seconds: 900,
    };
    const T0: i64 = 1_700_000_000_000;

    fn run(failures: u32, policy: &LockoutPolicy, now: i64) -> Option<Streak> {
        let mut streak = None;
        for _ in 0..failures {
            match admit(streak, policy, now) {
                Admission::Go { streak: s, .. } => streak = Some(s),
                Admission::Locked { .. } => panic!("locked early"),
            }
        }
        streak
    }

    #[test]
    fn delays_start_after_the_threshold_and_grow() {
        let delays: Vec<u64> = (0..12).map(|n| delay_ms(n, &POLICY)).collect();
        assert_eq!(
            delays,
            [0, 0, 0, 0, 0, 250, 500, 1000, 2000, 2000, 2000, 2000]
        );
        let mut streak = None;
        let mut seen = Vec::new();
        for _ in 0..10 {
            match admit(streak, &POLICY, T0) {
                Admission::Go {
                    delay_ms,
                    streak: s,
                } => {
                    seen.push(delay_ms);
                    streak = Some(s);
                }
                Admission::Locked { .. } => panic!("locked before the threshold"),
            }
        }
        assert_eq!(seen, [0, 0, 0, 0, 0, 250, 500, 1000, 2000, 2000]);
        assert_eq!(
            admit(streak, &POLICY, T0),
            Admission::Locked { retry_after: 900 }
        );
    }

    #[test]
    fn a_lock_lasts_its_time_then_the_streak_is_forgotten() {
        let streak = run(10, &POLICY, T0);
        assert_eq!(
            admit(streak, &POLICY, T0 + 60_000),
            Admission::Locked { retry_after: 840 }
        );
        assert_eq!(
            admit(streak, &POLICY, T0 + 899_001),
            Admission::Locked { retry_after: 1 }
        );
        match admit(streak, &POLICY, T0 + 900_000) {
            Admission::Go { delay_ms, streak } => {
                assert_eq!(delay_ms, 0);
                assert_eq!(streak.failures, 1, "a new streak");
            }
            other => panic!("{other:?}"),
        }
        // A few failures long ago do not add up with new ones.
        let old = run(4, &POLICY, T0);
        match admit(old, &POLICY, T0 + 900_000) {
            Admission::Go { streak, .. } => assert_eq!(streak.failures, 1),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parallel_attempts_count_before_they_finish() {
        let guard = LoginGuard::new(POLICY, POLICY);
        let mut in_flight = Vec::new();
        let mut refused = 0;
        for _ in 0..50 {
            match guard.reserve("kim", None, T0) {
                Ok((attempt, _)) => in_flight.push(attempt),
                Err(_) => refused += 1,
            }
        }
        assert_eq!(in_flight.len(), 10, "no more guesses than the lock allows");
        assert_eq!(refused, 40);
    }

    #[test]
    fn a_locked_username_is_refused_without_looking_at_the_password() {
        let guard = LoginGuard::new(POLICY, POLICY);
        for _ in 0..10 {
            let (attempt, _) = guard.reserve("Kim", None, T0).unwrap();
            drop(attempt); // a failure
        }
        let e = guard.reserve("kim", None, T0 + 1).err().unwrap();
        assert_eq!(e.0.code, ErrorCode::RateLimitExceeded);
        assert_eq!(e.0.details["retry_after_seconds"], 900);
        assert_eq!(e.0.details["locked"], "username");
        assert!(e.0.message.contains("15분"), "{}", e.0.message);
        // Other usernames are not affected.
        assert!(guard.reserve("lee", None, T0 + 1).is_ok());
    }

    #[test]
    fn success_clears_the_username_but_not_the_clients_record() {
        let ip: IpAddr = "198.51.100.4".parse().unwrap();
        let guard = LoginGuard::new(POLICY, POLICY);
        for _ in 0..4 {
            drop(guard.reserve("kim", Some(ip), T0).unwrap().0);
        }
        assert_eq!(guard.failures("kim", Some(ip)), (4, 4));
        let (attempt, _) = guard.reserve("kim", Some(ip), T0).unwrap();
        attempt.succeeded();
        assert_eq!(guard.failures("kim", Some(ip)), (0, 4));
    }

    #[test]
    fn a_client_guessing_many_usernames_is_locked() {
        let ip: IpAddr = "198.51.100.5".parse().unwrap();
        let client_policy = LockoutPolicy {
            delay_after: 2,
            lock_after: 4,
            lock_seconds: 600,
        };
        let guard = LoginGuard::new(POLICY, client_policy);
        let mut delays = Vec::new();
        for i in 0..4 {
            let (attempt, delay) = guard.reserve(&format!("user{i}"), Some(ip), T0).unwrap();
            delays.push(delay);
            drop(attempt);
        }
        assert_eq!(delays, [0, 0, 250, 500]);
        let e = guard.reserve("someone-else", Some(ip), T0).err().unwrap();
        assert_eq!(e.0.details["locked"], "client");
        assert_eq!(e.0.details["retry_after_seconds"], 600);
        // In-process (no client address) only the username counts.
        assert!(guard.reserve("someone-else", None, T0).is_ok());
        let other: IpAddr = "198.51.100.6".parse().unwrap();
        assert!(guard.reserve("someone-else", Some(other), T0).is_ok());
    }

    #[test]
    fn forgotten_streaks_are_dropped_and_memory_is_bounded() {
        let guard = LoginGuard::new(POLICY, POLICY);
        for i in 0..3_000 {
            drop(guard.reserve(&format!("u{i}"), None, T0).unwrap().0);
        }
        assert_eq!(lock_books(&guard.books).usernames.streaks.len(), 3_000);
        drop(guard.reserve("late", None, T0 + 900_000).unwrap().0);
        assert_eq!(lock_books(&guard.books).usernames.streaks.len(), 1);
        for i in 0..(MAX_ENTRIES as i64 + 20_000) {
            drop(
                guard
                    .reserve(&format!("f{i}"), None, T0 + 900_000 + i)
                    .unwrap()
                    .0,
            );
        }
        assert!(lock_books(&guard.books).usernames.streaks.len() <= MAX_ENTRIES);
    }
}
