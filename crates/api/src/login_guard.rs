//! Login brute-force protection. Failed logins are counted per username (on every transport:
//! it protects the account, also on an unattended desktop) and per client address (over HTTP;
//! in-process there is none). After [`LockoutPolicy::delay_after`] failures each further
//! attempt is answered only after a growing delay; after [`LockoutPolicy::lock_after`] the key
//! is locked for [`LockoutPolicy::lock_seconds`]: 429 with `Retry-After`, and the password is
//! not even checked, so a locked account never tells whether a guess was right. A success
//! clears the username's streak.
//!
//! Attempts still being verified count against the lock too: with `f` failures, at most
//! `lock_after − f` attempts per key are verified at once and further ones wait their turn, so
//! a burst of parallel guesses cannot slip past the lock while the first ones are checked —
//! yet many parallel logins that all succeed are never refused. Unknown usernames are counted
//! exactly like real ones (a lock must not reveal which accounts exist). Counters live in this
//! process's memory.

use crate::envelope::ApiError;
use crate::limits::{ClientKey, LockoutPolicy};
use clinicdesk_domain::{DomainError, ErrorCode};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The failed attempts for one key and the attempts under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streak {
    pub failures: u32,
    /// Epoch milliseconds of the latest failure.
    pub last_ms: i64,
    /// Attempts admitted and not finished yet.
    pub in_flight: u32,
}

/// What the policy says about one more attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Go ahead after `delay_ms`.
    Go { delay_ms: u64 },
    /// As many attempts as could still fail before the lock are being verified: wait.
    Busy,
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

fn keep_ms(policy: &LockoutPolicy) -> i64 {
    i64::try_from(policy.lock_seconds.saturating_mul(1000)).unwrap_or(i64::MAX)
}

/// The failures that still count at `now_ms`: a streak whose latest failure is older than
/// the lock time is forgotten.
pub fn live_failures(streak: &Streak, policy: &LockoutPolicy, now_ms: i64) -> u32 {
    if now_ms.saturating_sub(streak.last_ms) < keep_ms(policy) {
        streak.failures
    } else {
        0
    }
}

/// The pure rule. At the lock threshold the key is locked until `lock_seconds` after the
/// failure that reached it.
pub fn admit(streak: &Streak, policy: &LockoutPolicy, now_ms: i64) -> Admission {
    let failures = live_failures(streak, policy, now_ms);
    let lock_after = policy.lock_after.max(1);
    if failures >= lock_after {
        let left_ms = streak
            .last_ms
            .saturating_add(keep_ms(policy))
            .saturating_sub(now_ms)
            .max(1);
        return Admission::Locked {
            retry_after: u64::try_from(left_ms).unwrap_or(u64::MAX).div_ceil(1000),
        };
    }
    if failures.saturating_add(streak.in_flight) >= lock_after {
        return Admission::Busy;
    }
    Admission::Go {
        delay_ms: delay_ms(failures, policy),
    }
}

/// Entries kept at most per map; a streak is a key and three integers.
const MAX_ENTRIES: usize = 100_000;

struct Book<K> {
    policy: LockoutPolicy,
    streaks: HashMap<K, Streak>,
    sweep_at: usize,
    sweep_after_ms: i64,
}

impl<K: Eq + Hash + Clone> Book<K> {
    fn new(policy: LockoutPolicy) -> Self {
        Book {
            policy,
            streaks: HashMap::new(),
            sweep_at: 1024,
            sweep_after_ms: 0,
        }
    }

    fn admit(&self, key: &K, now_ms: i64) -> Admission {
        admit(
            &self.streaks.get(key).copied().unwrap_or_default(),
            &self.policy,
            now_ms,
        )
    }

    /// Marks an admitted attempt under way. Before a new key is added, forgotten streaks are
    /// dropped (when the map has doubled or a minute has passed) and, past [`MAX_ENTRIES`],
    /// the oldest half of the idle ones too.
    fn start(&mut self, key: K, now_ms: i64) {
        if !self.streaks.contains_key(&key)
            && (self.streaks.len() >= self.sweep_at || now_ms >= self.sweep_after_ms)
        {
            let policy = self.policy;
            let live = |s: &Streak| s.in_flight > 0 || live_failures(s, &policy, now_ms) > 0;
            self.streaks.retain(|_, s| live(s));
            if self.streaks.len() >= MAX_ENTRIES {
                let mut lasts: Vec<i64> = self.streaks.values().map(|s| s.last_ms).collect();
                let mid = lasts.len() / 2;
                let (_, cut, _) = lasts.select_nth_unstable(mid);
                let cut = *cut;
                self.streaks
                    .retain(|_, s| s.in_flight > 0 || s.last_ms > cut);
            }
            self.sweep_at = (self.streaks.len() * 2).clamp(1024, MAX_ENTRIES);
            self.sweep_after_ms = now_ms.saturating_add(60_000);
        }
        let streak = self.streaks.entry(key).or_default();
        streak.in_flight += 1;
    }

    /// Ends an attempt: a failure is added to the (still live) streak; a success clears it
    /// when `clear_on_success`.
    fn finish(&mut self, key: &K, failed: bool, clear_on_success: bool, now_ms: i64) {
        let policy = self.policy;
        let Some(s) = self.streaks.get_mut(key) else {
            return;
        };
        s.in_flight = s.in_flight.saturating_sub(1);
        if failed {
            s.failures = live_failures(s, &policy, now_ms) + 1;
            s.last_ms = now_ms;
        } else if clear_on_success {
            s.failures = 0;
        }
        if s.in_flight == 0 && live_failures(s, &policy, now_ms) == 0 {
            self.streaks.remove(key);
        }
    }
}

struct Books {
    usernames: Book<String>,
    clients: Book<ClientKey>,
}

pub struct LoginGuard {
    books: Arc<Mutex<Books>>,
}

fn lock_books(books: &Mutex<Books>) -> std::sync::MutexGuard<'_, Books> {
    // A poisoned lock only means a panic mid-update of plain integers; the data is usable.
    books.lock().unwrap_or_else(|e| e.into_inner())
}

fn locked(retry_after: u64, scope: &str) -> ApiError {
    let minutes = retry_after.div_ceil(60).max(1);
    ApiError(
        DomainError::new(ErrorCode::RateLimitExceeded)
            .with_msg(clinicdesk_domain::Msg::LoginLocked { minutes })
            .with_details(serde_json::json!({
                "retry_after_seconds": retry_after,
                "locked": scope,
            })),
    )
}

/// How often a waiting attempt looks again, and how long it waits at most.
const WAIT_STEP: Duration = Duration::from_millis(20);
const WAIT_AT_MOST: Duration = Duration::from_secs(30);

/// The outcome of trying to start an attempt.
pub enum Reservation {
    Go(LoginAttempt, u64),
    Busy,
}

impl LoginGuard {
    pub fn new(username_policy: LockoutPolicy, client_policy: LockoutPolicy) -> LoginGuard {
        LoginGuard {
            books: Arc::new(Mutex::new(Books {
                usernames: Book::new(username_policy),
                clients: Book::new(client_policy),
            })),
        }
    }

    /// Starts one login attempt for `username` from `client` (none in-process) — with the
    /// delay to wait before checking the password — or says to wait, or refuses it while a
    /// lock lasts.
    pub fn reserve(
        &self,
        username: &str,
        client: Option<IpAddr>,
        now_ms: i64,
    ) -> Result<Reservation, ApiError> {
        let username = username.to_lowercase();
        let client = client.map(|ip| ClientKey::of(Some(ip)));
        let mut books = lock_books(&self.books);
        let by_name = books.usernames.admit(&username, now_ms);
        let by_client = client.map(|k| books.clients.admit(&k, now_ms));
        let mut delay = 0;
        for (admission, scope) in [(Some(by_name), "username"), (by_client, "client")] {
            match admission {
                Some(Admission::Locked { retry_after }) => return Err(locked(retry_after, scope)),
                Some(Admission::Go { delay_ms }) => delay = delay.max(delay_ms),
                Some(Admission::Busy) | None => {}
            }
        }
        if by_name == Admission::Busy || by_client == Some(Admission::Busy) {
            return Ok(Reservation::Busy);
        }
        books.usernames.start(username.clone(), now_ms);
        if let Some(k) = client {
            books.clients.start(k, now_ms);
        }
        drop(books);
        let attempt = LoginAttempt {
            books: self.books.clone(),
            username,
            client,
            started_ms: now_ms,
            succeeded: false,
        };
        Ok(Reservation::Go(attempt, delay))
    }

    /// [`LoginGuard::reserve`], waiting while the key is busy (at most 30 s, then 429), then
    /// the delay — on the timer, no worker is held.
    pub async fn begin(
        &self,
        username: &str,
        client: Option<IpAddr>,
        now_ms: impl Fn() -> i64,
    ) -> Result<LoginAttempt, ApiError> {
        let mut waited = Duration::ZERO;
        loop {
            match self.reserve(username, client, now_ms())? {
                Reservation::Go(attempt, delay) => {
                    if delay > 0 {
                        tokio::time::sleep(Duration::from_millis(delay)).await;
                    }
                    return Ok(attempt);
                }
                Reservation::Busy if waited < WAIT_AT_MOST => {
                    tokio::time::sleep(WAIT_STEP).await;
                    waited += WAIT_STEP;
                }
                Reservation::Busy => {
                    return Err(ApiError(
                        DomainError::new(ErrorCode::RateLimitExceeded)
                            .with_msg(clinicdesk_domain::Msg::LoginBusy)
                            .with_details(serde_json::json!({ "retry_after_seconds": 1 })),
                    ))
                }
            }
        }
    }

    #[cfg(test)]
    fn streak(&self, username: &str, client: Option<IpAddr>) -> (Streak, Streak) {
        let books = lock_books(&self.books);
        let name = books
            .usernames
            .streaks
            .get(&username.to_lowercase())
            .copied();
        let by_client =
            client.and_then(|ip| books.clients.streaks.get(&ClientKey::of(Some(ip))).copied());
        (name.unwrap_or_default(), by_client.unwrap_or_default())
    }
}

/// A login attempt under way. Dropped without [`LoginAttempt::succeeded`] it counts as a
/// failure (a wrong password, an unknown or inactive user — or a handler that gave up).
pub struct LoginAttempt {
    books: Arc<Mutex<Books>>,
    username: String,
    client: Option<ClientKey>,
    started_ms: i64,
    succeeded: bool,
}

impl LoginAttempt {
    /// The password was right: the username's streak is cleared; the client's is left as it
    /// is (one valid account must not wipe a client's record of guessing others).
    pub fn succeeded(mut self) {
        self.succeeded = true;
    }
}

impl Drop for LoginAttempt {
    fn drop(&mut self) {
        let failed = !self.succeeded;
        let mut books = lock_books(&self.books);
        books
            .usernames
            .finish(&self.username, failed, true, self.started_ms);
        if let Some(k) = &self.client {
            books.clients.finish(k, failed, false, self.started_ms);
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

    fn failed(n: u32, at: i64) -> Streak {
        Streak {
            failures: n,
            last_ms: at,
            in_flight: 0,
        }
    }

    fn go(guard: &LoginGuard, name: &str, ip: Option<IpAddr>, now: i64) -> (LoginAttempt, u64) {
        match guard.reserve(name, ip, now) {
            Ok(Reservation::Go(a, d)) => (a, d),
            Ok(Reservation::Busy) => panic!("busy"),
            Err(e) => panic!("refused: {}", e.0),
        }
    }

    #[test]
    fn delays_start_after_the_threshold_and_grow() {
        let delays: Vec<u64> = (0..12).map(|n| delay_ms(n, &POLICY)).collect();
        assert_eq!(
            delays,
            [0, 0, 0, 0, 0, 250, 500, 1000, 2000, 2000, 2000, 2000]
        );
        let seen: Vec<Admission> = (0..11)
            .map(|n| admit(&failed(n, T0), &POLICY, T0))
            .collect();
        assert_eq!(seen[0], Admission::Go { delay_ms: 0 });
        assert_eq!(seen[5], Admission::Go { delay_ms: 250 });
        assert_eq!(seen[9], Admission::Go { delay_ms: 2000 });
        assert_eq!(seen[10], Admission::Locked { retry_after: 900 });
    }

    #[test]
    fn a_lock_lasts_its_time_then_the_streak_is_forgotten() {
        let s = failed(10, T0);
        assert_eq!(
            admit(&s, &POLICY, T0 + 60_000),
            Admission::Locked { retry_after: 840 }
        );
        assert_eq!(
            admit(&s, &POLICY, T0 + 899_001),
            Admission::Locked { retry_after: 1 }
        );
        assert_eq!(
            admit(&s, &POLICY, T0 + 900_000),
            Admission::Go { delay_ms: 0 }
        );
        assert_eq!(live_failures(&s, &POLICY, T0 + 900_000), 0);
        // A few failures long ago do not add up with new ones.
        assert_eq!(live_failures(&failed(4, T0), &POLICY, T0 + 900_000), 0);
        assert_eq!(live_failures(&failed(4, T0), &POLICY, T0 + 899_999), 4);
    }

    #[test]
    fn attempts_under_way_cap_how_many_guesses_are_checked_at_once() {
        let busy = Streak {
            failures: 7,
            last_ms: T0,
            in_flight: 3,
        };
        assert_eq!(admit(&busy, &POLICY, T0), Admission::Busy);
        let room = Streak {
            in_flight: 2,
            ..busy
        };
        assert_eq!(admit(&room, &POLICY, T0), Admission::Go { delay_ms: 1000 });

        let guard = LoginGuard::new(POLICY, POLICY);
        let mut in_flight = Vec::new();
        let mut waiting = 0;
        for _ in 0..50 {
            match guard.reserve("kim", None, T0).unwrap() {
                Reservation::Go(a, _) => in_flight.push(a),
                Reservation::Busy => waiting += 1,
            }
        }
        assert_eq!(
            in_flight.len(),
            10,
            "no more guesses checked at once than could fail"
        );
        assert_eq!(waiting, 40);
        // They were all wrong: the waiting ones now meet the lock, not a password check.
        drop(in_flight);
        let e = guard.reserve("kim", None, T0 + 5).err().unwrap();
        assert_eq!(e.0.details["locked"], "username");
    }

    #[test]
    fn many_parallel_logins_that_succeed_are_never_refused() {
        let guard = LoginGuard::new(POLICY, POLICY);
        let ip: IpAddr = "198.51.100.3".parse().unwrap();
        for round in 0..10 {
            let batch: Vec<LoginAttempt> = (0..10)
                .map(|_| go(&guard, "staff", Some(ip), T0 + round).0)
                .collect();
            assert!(matches!(
                guard.reserve("staff", Some(ip), T0),
                Ok(Reservation::Busy)
            ));
            for a in batch {
                a.succeeded();
            }
        }
        assert_eq!(
            guard.streak("staff", Some(ip)),
            (Streak::default(), Streak::default())
        );
    }

    #[test]
    fn a_locked_username_is_refused_without_looking_at_the_password() {
        let guard = LoginGuard::new(POLICY, POLICY);
        for i in 0..10 {
            drop(go(&guard, "Kim", None, T0 + i).0); // a failure
        }
        let e = guard.reserve("kim", None, T0 + 10).err().unwrap();
        assert_eq!(e.0.code, ErrorCode::RateLimitExceeded);
        assert_eq!(e.0.details["retry_after_seconds"], 900);
        assert_eq!(e.0.details["locked"], "username");
        assert!(e.0.message.contains("15분"), "{}", e.0.message);
        // Other usernames are not affected.
        assert!(guard.reserve("lee", None, T0 + 10).is_ok());
    }

    #[test]
    fn success_clears_the_username_but_not_the_clients_record() {
        let ip: IpAddr = "198.51.100.4".parse().unwrap();
        let guard = LoginGuard::new(POLICY, POLICY);
        for _ in 0..4 {
            drop(go(&guard, "kim", Some(ip), T0).0);
        }
        let (name, by_client) = guard.streak("kim", Some(ip));
        assert_eq!((name.failures, by_client.failures), (4, 4));
        go(&guard, "kim", Some(ip), T0).0.succeeded();
        let (name, by_client) = guard.streak("kim", Some(ip));
        assert_eq!(name, Streak::default());
        assert_eq!((by_client.failures, by_client.in_flight), (4, 0));
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
            let (attempt, delay) = go(&guard, &format!("user{i}"), Some(ip), T0);
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

    #[tokio::test]
    async fn begin_waits_its_turn_instead_of_failing() {
        let guard = Arc::new(LoginGuard::new(POLICY, POLICY));
        let held: Vec<LoginAttempt> = (0..10).map(|_| go(&guard, "park", None, T0).0).collect();
        let g = guard.clone();
        let waiter =
            tokio::spawn(async move { g.begin("park", None, || T0).await.map(|a| a.succeeded()) });
        tokio::task::yield_now().await;
        for a in held {
            a.succeeded();
        }
        assert!(waiter.await.unwrap().is_ok());
    }

    #[test]
    fn forgotten_streaks_are_dropped_and_memory_is_bounded() {
        let guard = LoginGuard::new(POLICY, POLICY);
        let len = |g: &LoginGuard| lock_books(&g.books).usernames.streaks.len();
        for i in 0..3_000 {
            drop(go(&guard, &format!("u{i}"), None, T0).0);
        }
        assert_eq!(len(&guard), 3_000);
        drop(go(&guard, "late", None, T0 + 900_000).0);
        assert_eq!(len(&guard), 1);
        for i in 0..(MAX_ENTRIES as i64 + 20_000) {
            drop(go(&guard, &format!("f{i}"), None, T0 + 900_000 + i).0);
        }
        assert!(len(&guard) <= MAX_ENTRIES);
        // Successful logins leave nothing behind.
        go(&guard, "ok-user", None, T0 + 2_000_000).0.succeeded();
        assert_eq!(guard.streak("ok-user", None).0, Streak::default());
    }
}
