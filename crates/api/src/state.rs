use crate::auth::Keys;
use crate::limits::{LimitConfig, Limits};
use chrono::{DateTime, NaiveDate, Utc};
use clinicdesk_store::{Db, StoreResult};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// Where "now" comes from; tests may pin it.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub access_ttl_seconds: i64,
    pub refresh_ttl_days: i64,
    ready: Arc<AtomicBool>,
    keys: Arc<OnceLock<Keys>>,
    limits: Arc<Limits>,
}

impl AppState {
    pub fn new(db: Db) -> AppState {
        AppState {
            db,
            clock: Arc::new(Utc::now),
            access_ttl_seconds: 15 * 60,
            refresh_ttl_days: 30,
            ready: Arc::new(AtomicBool::new(false)),
            keys: Arc::new(OnceLock::new()),
            limits: Arc::new(Limits::new(LimitConfig::default())),
        }
    }

    /// The same state with other rate limits and login lockout (the server's flags); fresh
    /// counters.
    pub fn with_limits(mut self, config: LimitConfig) -> AppState {
        self.limits = Arc::new(Limits::new(config));
        self
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Runs the migrations and loads (or creates) the token signing secret, without opening
    /// the API yet: a caller that seeds data first calls [`AppState::mark_ready`] after it.
    pub async fn open(&self) -> StoreResult<()> {
        self.db.migrate().await?;
        let secret = crate::auth::load_or_create_secret(&self.db).await?;
        let _ = self.keys.set(Keys::new(&secret));
        Ok(())
    }

    /// [`AppState::open`], then open the API.
    pub async fn prepare(&self) -> StoreResult<()> {
        self.open().await?;
        self.mark_ready();
        Ok(())
    }

    pub fn mark_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire) && self.keys.get().is_some()
    }

    pub(crate) fn keys(&self) -> Option<&Keys> {
        self.keys.get()
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    pub fn now_text(&self) -> String {
        clinicdesk_store::timestamp(self.now())
    }

    /// The clinic's calendar day. Clinics are in Korea: dates follow KST, not UTC.
    pub fn today(&self) -> NaiveDate {
        (self.now() + chrono::Duration::hours(9)).date_naive()
    }
}
