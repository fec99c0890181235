//! The node's side of sync (`docs/SYNC.md`): connecting to a central server, and rounds that
//! push the outbox and pull pages until both sides hold everything. It runs in the
//! background, never in a request that reads or writes local data: a node works the same
//! with the network gone. One round at a time; failures back off and retry.

use crate::envelope::ApiError;
use clinicdesk_domain::{DomainError, ErrorCode};
use clinicdesk_security::secrets::SecretStore;
use clinicdesk_store::{apply, sync_node, Actor, Db};
use clinicdesk_sync::protocol::{
    AuditKey, PullPage, PushRequest, PushResponse, NEXT_PAGE_HEADER, PROTOCOL_VERSION,
    VERSION_HEADER,
};
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, Notify};

/// The secret store's name for this node's device secret.
pub const DEVICE_SECRET: &str = "sync-device";

/// How a node syncs: how often, how much per message.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Between rounds when all is well.
    pub interval: Duration,
    /// The longest wait after repeated failures.
    pub max_backoff: Duration,
    /// Ops per push (at most the protocol's 1,000).
    pub push_batch: i64,
    /// Changes per pull page (at most the protocol's 5,000).
    pub pull_limit: i64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            interval: Duration::from_secs(5),
            max_backoff: Duration::from_secs(60),
            push_batch: 1000,
            pull_limit: 2000,
        }
    }
}

/// What one round moved.
#[derive(Debug, Default, Clone, Serialize)]
pub struct RoundReport {
    pub pushed: u64,
    pub pulled: u64,
    pub applied: u64,
    pub conflicts: u64,
    pub pages: u64,
}

pub struct SyncEngine {
    db: Db,
    secrets: Arc<dyn SecretStore>,
    http: reqwest::Client,
    config: EngineConfig,
    round: Mutex<()>,
    online: AtomicBool,
    /// Rounds that failed in a row (for the backoff).
    failures: AtomicU64,
    wake: Notify,
    now: crate::state::Clock,
    /// The verifier of the account that connected, `(username, hash)`, until its row has come
    /// down: a long first pull writes it in the transaction that brings the row.
    pending_verifier: std::sync::Mutex<Option<(String, String)>>,
}

impl std::fmt::Debug for SyncEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncEngine")
            .field("config", &self.config)
            .finish()
    }
}

fn upstream_error(what: impl std::fmt::Display) -> ApiError {
    ApiError(
        DomainError::new(ErrorCode::SyncUpstreamFailed)
            .with_details(json!({ "reason": what.to_string() })),
    )
}

impl SyncEngine {
    pub fn new(
        db: Db,
        secrets: Arc<dyn SecretStore>,
        config: EngineConfig,
        now: crate::state::Clock,
    ) -> Arc<SyncEngine> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap_or_default();
        Arc::new(SyncEngine {
            db,
            secrets,
            http,
            config,
            round: Mutex::new(()),
            online: AtomicBool::new(false),
            failures: AtomicU64::new(0),
            wake: Notify::new(),
            now,
            pending_verifier: std::sync::Mutex::new(None),
        })
    }

    /// The node's database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    fn now_text(&self) -> String {
        clinicdesk_store::timestamp((self.now)())
    }

    pub fn is_online(&self) -> bool {
        self.online.load(Ordering::SeqCst)
    }

    /// Asks the background loop for a round now (after a local write, for instance).
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    /// Logs in upstream as `username`, registers this node as a device there, keeps the
    /// device secret in the secret store and queues this node's rows for its first push.
    /// Returns the device id. The caller runs the first round.
    pub async fn connect(
        &self,
        actor: &Actor,
        server_url: &str,
        username: &str,
        password: &str,
        device_name: &str,
    ) -> Result<String, ApiError> {
        let base = server_url.trim_end_matches('/').to_string();
        let login = data_of(
            self.http
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({ "username": username, "password": password })),
        )
        .await?;
        let token = login["access_token"]
            .as_str()
            .ok_or_else(|| upstream_error("no access token in the login answer"))?
            .to_string();
        let registered = data_of(
            self.http
                .post(format!("{base}/api/v1/devices"))
                .bearer_auth(&token)
                .json(&json!({ "name": device_name })),
        )
        .await?;
        let (Some(device_id), Some(secret)) = (
            registered["device_id"].as_str(),
            registered["secret"].as_str(),
        ) else {
            return Err(upstream_error("no device id or secret in the answer"));
        };
        self.secrets.replace(DEVICE_SECRET, secret).map_err(|e| {
            ApiError(DomainError::internal(format!(
                "cannot keep the device secret: {e}"
            )))
        })?;
        let _round = self.round.lock().await;
        let mut w = self.db.begin_write(actor, &self.now_text()).await?;
        sync_node::set_upstream(w.conn(), &base, device_id).await?;
        sync_node::queue_snapshot(&mut w).await?;
        w.audit(
            "sync.connect",
            "device",
            Some(device_id),
            json!({ "server_url": base, "username": username }),
        )
        .await?;
        w.commit().await?;
        self.failures.store(0, Ordering::SeqCst);
        Ok(device_id.to_string())
    }

    /// Keeps a verifier of the password the central server just confirmed for `username`, as
    /// soon as the account has arrived here (the first pages of the first pull), so that the
    /// person who connected can log in on this node — offline too. Waits in the background,
    /// at most ten minutes.
    pub fn keep_verifier(self: &Arc<Self>, username: &str, password: &str) {
        let engine = self.clone();
        let username = username.to_ascii_lowercase();
        let password = password.to_string();
        tokio::spawn(async move {
            let Ok(hash) = clinicdesk_security::hash_password_async(password).await else {
                return;
            };
            if let Ok(mut pending) = engine.pending_verifier.lock() {
                *pending = Some((username.clone(), hash.clone()));
            }
            // A pull in progress writes it with the page that brings the row (see
            // `pull_all`); this covers the row being here already, or arriving otherwise.
            for _ in 0..3000 {
                let waiting = engine
                    .pending_verifier
                    .lock()
                    .map(|p| p.is_some())
                    .unwrap_or(false);
                if !waiting {
                    return;
                }
                if let Ok(mut conn) = engine.db.conn().await {
                    if let Ok(true) =
                        clinicdesk_store::users::cache_verifier(&mut conn, &username, &hash).await
                    {
                        if let Ok(mut pending) = engine.pending_verifier.lock() {
                            *pending = None;
                        }
                        return;
                    }
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
    }

    /// Writes the connecting account's verifier in `w` once its row is there (see
    /// `keep_verifier`): a long first pull leaves other writers little room between its
    /// transactions.
    async fn write_pending_verifier(
        &self,
        w: &mut clinicdesk_store::WriteTx,
    ) -> Result<(), ApiError> {
        let pending = self.pending_verifier.lock().ok().and_then(|p| p.clone());
        if let Some((username, hash)) = pending {
            if clinicdesk_store::users::cache_verifier(w.conn(), &username, &hash).await? {
                if let Ok(mut p) = self.pending_verifier.lock() {
                    *p = None;
                }
            }
        }
        Ok(())
    }

    /// Checks a password with the central server (a login on this node that the cached
    /// verifier could not confirm). `Ok(false)`: the server said no; an error: it could not
    /// be asked.
    pub async fn verify_upstream(&self, username: &str, password: &str) -> Result<bool, ApiError> {
        let mut conn = self.db.conn().await?;
        let state = sync_node::state(&mut conn).await?;
        drop(conn);
        let Some(base) = state.upstream_url else {
            return Ok(false);
        };
        let answer = self
            .http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .map_err(upstream_error)?;
        match answer.status().as_u16() {
            200 => Ok(true),
            401 | 403 => Ok(false),
            other => Err(upstream_error(format!("HTTP {other}"))),
        }
    }

    /// One round: push the outbox, then pull until nothing more is new. Answers when it has
    /// finished or failed; the outcome is kept for `GET /sync/status`.
    pub async fn run_round(&self) -> Result<RoundReport, ApiError> {
        let _round = self.round.lock().await;
        let result = self.round_inner().await;
        let mut conn = self.db.conn().await?;
        let now = self.now_text();
        match &result {
            Ok(_) => {
                sync_node::set_outcome(&mut conn, &now, None).await?;
                self.online.store(true, Ordering::SeqCst);
                self.failures.store(0, Ordering::SeqCst);
            }
            Err(ApiError(e)) => {
                let text = format!("{}: {}", e.code.as_str(), e.message);
                sync_node::set_outcome(&mut conn, &now, Some(&text)).await?;
                // Refused by the server (revoked, skew) is not offline; unreachable is.
                self.online
                    .store(e.code != ErrorCode::SyncUpstreamFailed, Ordering::SeqCst);
                self.failures.fetch_add(1, Ordering::SeqCst);
            }
        }
        result
    }

    async fn round_inner(&self) -> Result<RoundReport, ApiError> {
        let mut conn = self.db.conn().await?;
        let state = sync_node::state(&mut conn).await?;
        drop(conn);
        let Some(base) = state.upstream_url.clone() else {
            return Err(ApiError(DomainError::new(ErrorCode::SyncNotConnected)));
        };
        let secret = self
            .secrets
            .load(DEVICE_SECRET)
            .map_err(|e| {
                ApiError(DomainError::internal(format!(
                    "cannot read the device secret: {e}"
                )))
            })?
            .ok_or_else(|| ApiError(DomainError::new(ErrorCode::SyncNotConnected)))?;
        if !state.snapshot_sent {
            let mut w = self
                .db
                .begin_write(&Actor::system("sync"), &self.now_text())
                .await?;
            sync_node::queue_snapshot(&mut w).await?;
            w.commit().await?;
        }
        let mut report = RoundReport::default();
        self.push_all(&base, &secret, &mut report).await?;
        self.pull_all(&base, &secret, state.cursor, &mut report)
            .await?;
        // Numbers for registering patients offline. A server that cannot lease them (an older
        // one) does not stop the round: registrations here stop only when the numbers held run
        // out, and say why.
        if let Err(e) = self.top_up_patient_numbers(&base, &secret).await {
            tracing::warn!(error = %e.0.message, "could not lease patient numbers");
        }
        Ok(report)
    }

    /// Leases a block of patient numbers when fewer than `TOP_UP_BELOW` of this year's are
    /// left — and, in December, of next year's too, so New Year's Day can be spent offline.
    async fn top_up_patient_numbers(&self, base: &str, secret: &str) -> Result<(), ApiError> {
        use chrono::Datelike;
        use clinicdesk_store::patients::{keep_block, numbers_left, BLOCK_SIZE, TOP_UP_BELOW};
        let today = clinicdesk_domain::follow_up::kst_day((self.now)());
        let mut years = vec![today.year()];
        if today.month() == 12 {
            years.push(today.year() + 1);
        }
        for year in years {
            let mut conn = self.db.conn().await?;
            let left = numbers_left(&mut conn, year).await?;
            drop(conn);
            if left >= TOP_UP_BELOW {
                continue;
            }
            let data = data_of(
                self.http
                    .post(format!("{base}/api/v1/sync/patient-numbers"))
                    .header("authorization", format!("Device {secret}"))
                    .header(VERSION_HEADER, PROTOCOL_VERSION.to_string())
                    .json(&json!({ "year": year, "count": BLOCK_SIZE })),
            )
            .await?;
            let (Some(first), Some(last)) = (data["first"].as_i64(), data["last"].as_i64()) else {
                return Err(upstream_error("unreadable patient-number lease"));
            };
            let mut conn = self.db.conn().await?;
            keep_block(&mut conn, year, first, last, &self.now_text()).await?;
        }
        Ok(())
    }

    async fn push_all(
        &self,
        base: &str,
        secret: &str,
        report: &mut RoundReport,
    ) -> Result<(), ApiError> {
        // With every batch: the server verifies this node's audit chain with them.
        let audit_keys: Vec<AuditKey> = self
            .db
            .audit_public_keys()?
            .into_iter()
            .map(|(chain, key_id, public_key)| AuditKey {
                chain,
                key_id,
                public_key,
            })
            .collect();
        loop {
            let mut conn = self.db.conn().await?;
            let ops = sync_node::outbox_batch(&mut conn, self.config.push_batch).await?;
            drop(conn);
            if ops.is_empty() {
                return Ok(());
            }
            let data = data_of(
                self.http
                    .post(format!("{base}/api/v1/sync/push"))
                    .header("authorization", format!("Device {secret}"))
                    .header(VERSION_HEADER, PROTOCOL_VERSION.to_string())
                    .json(&PushRequest {
                        ops,
                        audit_keys: audit_keys.clone(),
                    }),
            )
            .await?;
            let held: PushResponse = serde_json::from_value(data.clone())
                .map_err(|e| upstream_error(format!("unreadable push answer: {e}")))?;
            report.conflicts += data["conflicts"].as_u64().unwrap_or(0);
            let mut conn = self.db.conn().await?;
            report.pushed += sync_node::outbox_done(&mut conn, &held.held).await?;
        }
    }

    async fn pull_all(
        &self,
        base: &str,
        secret: &str,
        cursor: i64,
        report: &mut RoundReport,
    ) -> Result<(), ApiError> {
        // Pages come fetched, read and with their fact inserts built (`apply::prepare`) by the
        // time the writer wants them (see `Pages`).
        let pages = |cursor: i64| {
            Pages::start(
                self.http.clone(),
                format!("{base}/api/v1/sync/pull"),
                secret.to_string(),
                self.config.pull_limit,
                self.db.clone(),
                cursor,
            )
        };
        // Whether the rows each page touches are recorded for their derived state: not in a
        // first pull, which recomputes everything at its end.
        let mut track = if apply::everything_deferred(&mut *self.db.conn().await?).await? {
            apply::Track::Nothing
        } else {
            apply::Track::Rows
        };
        let mut next = pages(cursor);
        // Pages applied but not committed yet.
        let mut open: Option<clinicdesk_store::WriteTx> = None;
        // Whether the open transaction's connection has the large page cache.
        let mut bulk = false;
        loop {
            let answer = next.next().await;
            let (page, prepared) = match answer {
                Err(ApiError(e)) if e.code == ErrorCode::SyncCursorAhead => {
                    // The server lost changes (restored from a backup): everything is pulled
                    // again and what is held already is a replay. What this node made since
                    // is in its outbox or gets pushed again by a new snapshot.
                    if let Some(mut w) = open.take() {
                        if bulk {
                            w.bulk_cache(false).await?;
                            bulk = false;
                        }
                        w.commit().await?;
                    }
                    let mut w = self
                        .db
                        .begin_write(&Actor::system("sync"), &self.now_text())
                        .await?;
                    sync_node::set_cursor(w.conn(), 0, 0).await?;
                    sync_node::queue_snapshot(&mut w).await?;
                    w.commit().await?;
                    next = pages(0);
                    continue;
                }
                other => other?,
            };
            report.pages += 1;
            report.pulled += page.changes.len() as u64;
            if report.pages % 50 == 0 {
                tracing::info!(pulled = report.pulled, head = page.head, "pulling");
            }
            // The page and its cursor in one transaction: a node killed here resumes from the
            // cursor saved with the last page it committed. A long pull commits every few
            // pages: each commit writes every index page it touched to the WAL again, and a
            // first pull touches the same ones page after page.
            let mut w = match open.take() {
                Some(w) => w,
                None => {
                    let mut w = self
                        .db
                        .begin_write(&Actor::system("sync"), &self.now_text())
                        .await?;
                    if page.more {
                        w.bulk_cache(true).await?;
                        bulk = true;
                        if cursor == 0 && report.pages == 1 {
                            let dropped = sync_node::defer_indexes(&mut w).await?;
                            tracing::info!(
                                indexes = dropped,
                                "first pull: indexes built at its end"
                            );
                            apply::defer_everything(&mut w).await?;
                            track = apply::Track::Nothing;
                        }
                    }
                    w
                }
            };
            let ops: Vec<&clinicdesk_sync::protocol::Op> = page.changes.iter().collect();
            let applied = apply::apply_page(&self.db, &mut w, &ops, prepared, track).await?;
            self.write_pending_verifier(&mut w).await?;
            if page.more {
                // Catching up: each touched customer's roll-up is recomputed once at the end,
                // not once per page.
                apply::defer(&mut w, &applied).await?;
            } else {
                apply::finish(&mut w, &applied).await?;
            }
            sync_node::set_cursor(w.conn(), page.cursor, page.head).await?;
            if page.more && report.pages % PAGES_PER_COMMIT != 0 {
                open = Some(w);
            } else {
                if bulk {
                    w.bulk_cache(false).await?;
                    bulk = false;
                }
                w.commit().await?;
                if report.pages >= PAGES_PER_COMMIT {
                    // Page after page leaves the background checkpoint no pause to finish in:
                    // the WAL grew to 5 GB in a first pull at 100k customers, and every read
                    // and write slowed with it. Between commits nothing writes, so the WAL is
                    // written back and emptied here. A failure loses nothing.
                    if let Err(e) = self.db.truncate_wal().await {
                        tracing::warn!(error = %e, "could not truncate the WAL during a long pull");
                    }
                }
            }
            if !page.more {
                let started = std::time::Instant::now();
                let built = sync_node::restore_indexes(&self.db).await?;
                if built > 0 {
                    tracing::info!(
                        indexes = built,
                        ms = started.elapsed().as_millis() as u64,
                        "first pull: indexes built"
                    );
                    // The new indexes are hundreds of megabytes of WAL: written back first,
                    // the roll-ups below read them from the database file (twice as fast).
                    if let Err(e) = self.db.truncate_wal().await {
                        tracing::warn!(error = %e, "could not truncate the WAL after a first pull");
                    }
                }
                let started = std::time::Instant::now();
                let rows =
                    apply::finish_deferred(&self.db, &Actor::system("sync"), &self.now_text())
                        .await?;
                if rows > 0 {
                    tracing::info!(
                        rows,
                        ms = started.elapsed().as_millis() as u64,
                        "pull caught up: roll-ups and search entries brought up to date"
                    );
                }
            }
            report.applied += applied.changed as u64;
            report.conflicts += applied.conflicts as u64;
            if !page.more {
                return Ok(());
            }
        }
    }

    /// Runs rounds in the background for as long as the process lives: every interval, at
    /// once when nudged, further apart after failures.
    pub fn spawn(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let engine = self.clone();
        tokio::spawn(async move {
            loop {
                let connected = match engine.db.conn().await {
                    Ok(mut conn) => sync_node::state(&mut conn)
                        .await
                        .map(|s| s.upstream_url.is_some())
                        .unwrap_or(false),
                    Err(_) => false,
                };
                if connected {
                    if let Err(e) = engine.run_round().await {
                        tracing::info!(code = e.0.code.as_str(), message = %e.0.message, "sync round failed");
                    }
                }
                let failures = engine.failures.load(Ordering::SeqCst).min(6) as u32;
                let wait = if failures == 0 {
                    engine.config.interval
                } else {
                    (engine.config.interval * 2u32.pow(failures)).min(engine.config.max_backoff)
                };
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = engine.wake.notified() => {}
                }
            }
        })
    }

    /// `GET /sync/status`.
    pub async fn status(&self) -> Result<Value, ApiError> {
        let mut conn = self.db.conn().await?;
        let state = sync_node::state(&mut conn).await?;
        let pending = sync_node::outbox_len(&mut conn).await?;
        let conflicts = sync_node::open_conflicts(&mut conn).await?.len();
        let overdrawn = sync_node::overdrawn_packages(&mut conn).await?.len();
        let merges = sync_node::merge_candidates(&mut conn).await?.len();
        let progress = match state.pull_head {
            Some(head) if head > 0 => json!({ "cursor": state.cursor, "head": head,
                "fraction": (state.cursor as f64 / head as f64).min(1.0) }),
            _ => json!({ "cursor": state.cursor, "head": Value::Null, "fraction": Value::Null }),
        };
        Ok(json!({
            "connected": state.upstream_url.is_some(),
            "server_url": state.upstream_url,
            "device_id": state.device_id,
            "online": self.is_online(),
            "pending_changes": pending,
            "last_sync_at": state.last_sync_at,
            "last_attempt_at": state.last_attempt_at,
            "last_error": state.last_error,
            "conflicts": conflicts,
            "overdrawn_packages": overdrawn,
            "merge_candidates": merges,
            "pull": progress,
        }))
    }
}

/// Sends a request to the central server; the `data` of a successful answer, or the server's
/// error passed on (or `SYNC_UPSTREAM_FAILED` when it could not be asked).
async fn data_of(req: reqwest::RequestBuilder) -> Result<Value, ApiError> {
    let answer = req.send().await.map_err(upstream_error)?;
    let status = answer.status();
    let mut body: Value = answer.json().await.map_err(upstream_error)?;
    if !status.is_success() {
        return Err(passed_on(status.as_u16(), &body));
    }
    Ok(body["data"].take())
}

/// A pulled page, read straight into its type (a first pull reads millions of ops: going
/// through a tree of JSON values first doubled the node's parsing).
async fn page_of(answer: reqwest::Response) -> Result<PullPage, ApiError> {
    #[derive(serde::Deserialize)]
    struct Answer {
        data: PullPage,
    }
    let status = answer.status();
    let bytes = answer.bytes().await.map_err(upstream_error)?;
    if !status.is_success() {
        let body: Value = serde_json::from_slice(&bytes).map_err(upstream_error)?;
        return Err(passed_on(status.as_u16(), &body));
    }
    serde_json::from_slice::<Answer>(&bytes)
        .map(|a| a.data)
        .map_err(|e| upstream_error(format!("unreadable page: {e}")))
}

/// Pulled pages per transaction in a long pull (see `pull_all`).
const PAGES_PER_COMMIT: u64 = 10;

/// A pulled page, read and with its fact inserts built.
type ReadPage = Result<(PullPage, apply::Prepared), ApiError>;

/// The pages of a pull, in order, fetched ahead by a task of their own: it asks for the next
/// page as soon as an answer's headers name its cursor (`NEXT_PAGE_HEADER`), and each answer
/// is read and its inserts built on a task of its own. The server reads a page, the node reads
/// the one before and the writer writes the one before that, at once: one after the other,
/// the writer waited for pages a quarter of a first pull. At most two pages wait, read or
/// being read. Dropped (a failed apply, a finished pull), the fetching stops.
struct Pages {
    ready: tokio::sync::mpsc::Receiver<tokio::task::JoinHandle<ReadPage>>,
    fetcher: tokio::task::JoinHandle<()>,
}

impl Pages {
    fn start(
        http: reqwest::Client,
        url: String,
        secret: String,
        limit: i64,
        db: Db,
        mut cursor: i64,
    ) -> Pages {
        let (send, ready) = tokio::sync::mpsc::channel(1);
        let fetcher = tokio::spawn(async move {
            loop {
                let request = http
                    .get(&url)
                    .query(&[("cursor", cursor), ("limit", limit)])
                    .header("authorization", format!("Device {secret}"))
                    .header(VERSION_HEADER, PROTOCOL_VERSION.to_string());
                let answer = request.send().await;
                let next = answer.as_ref().ok().and_then(next_page_of);
                let db = db.clone();
                let read = tokio::spawn(async move {
                    let page = page_of(answer.map_err(upstream_error)?).await?;
                    let ops: Vec<&clinicdesk_sync::protocol::Op> = page.changes.iter().collect();
                    let prepared = apply::prepare(&db, &ops).await?;
                    Ok((page, prepared))
                });
                let (read, after) = match next {
                    Some(next) => (read, Some(next)),
                    // An error, or a server that does not say: the page itself says.
                    None => {
                        let page = read.await;
                        let after = match &page {
                            Ok(Ok((p, _))) => Some((p.cursor, p.more)),
                            _ => None,
                        };
                        (
                            tokio::spawn(async move { page.map_err(upstream_error)? }),
                            after,
                        )
                    }
                };
                if send.send(read).await.is_err() {
                    return;
                }
                match after {
                    Some((c, true)) => cursor = c,
                    _ => return,
                }
            }
        });
        Pages { ready, fetcher }
    }

    /// The next page; an error when the fetching failed or stopped.
    async fn next(&mut self) -> ReadPage {
        match self.ready.recv().await {
            Some(read) => read.await.map_err(upstream_error)?,
            None => Err(upstream_error("the pull stopped before its last page")),
        }
    }
}

impl Drop for Pages {
    fn drop(&mut self) {
        self.fetcher.abort();
    }
}

/// The cursor and "more" a pull answer's `NEXT_PAGE_HEADER` names.
fn next_page_of(answer: &reqwest::Response) -> Option<(i64, bool)> {
    if !answer.status().is_success() {
        return None;
    }
    let text = answer.headers().get(NEXT_PAGE_HEADER)?.to_str().ok()?;
    let (cursor, more) = match text.strip_suffix('+') {
        Some(cursor) => (cursor, true),
        None => (text, false),
    };
    Some((cursor.parse().ok()?, more))
}

/// An error answer of the server, passed on with its own code where it is one of ours.
fn passed_on(status: u16, body: &Value) -> ApiError {
    let code = body["error"]["code"]
        .as_str()
        .and_then(ErrorCode::parse)
        .unwrap_or(ErrorCode::SyncUpstreamFailed);
    let message = body["error"]["message"].as_str().unwrap_or("").to_string();
    let mut e = DomainError::new(code).with_details(json!({
        "upstream_status": status,
        "upstream": body["error"].clone(),
    }));
    if !message.is_empty() {
        e.message = message;
    }
    ApiError(e)
}

#[cfg(test)]
mod tests {
    use super::next_page_of;

    fn answer(status: u16, next: Option<&str>) -> reqwest::Response {
        let mut r = axum::http::Response::builder().status(status);
        if let Some(next) = next {
            r = r.header(super::NEXT_PAGE_HEADER, next);
        }
        reqwest::Response::from(r.body(Vec::<u8>::new()).expect("a response"))
    }

    #[test]
    fn the_next_page_is_read_from_the_answers_header() {
        assert_eq!(
            next_page_of(&answer(200, Some("1234+"))),
            Some((1234, true))
        );
        assert_eq!(
            next_page_of(&answer(200, Some("1234"))),
            Some((1234, false))
        );
        // Without a usable header, or on an error, the page itself says.
        assert_eq!(next_page_of(&answer(200, None)), None);
        assert_eq!(next_page_of(&answer(200, Some("abc+"))), None);
        assert_eq!(next_page_of(&answer(409, Some("1234+"))), None);
    }
}
