use crate::auth::Keys;
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
    /// Demo mode: demo accounts (published password) may log in. Off unless the process was
    /// started in demo mode; a demo account in the database is refused otherwise.
    pub demo_mode: bool,
    /// Whether `POST /api/v1/setup` may create the first administrator: the desktop's own
    /// first run does; a server never does (its administrator is made with
    /// `clinicdesk-server users create`).
    pub first_run_setup: bool,
    ready: Arc<AtomicBool>,
    keys: Arc<OnceLock<Keys>>,
}

impl AppState {
    pub fn new(db: Db) -> AppState {
        AppState {
            db,
            clock: Arc::new(Utc::now),
            access_ttl_seconds: 15 * 60,
            refresh_ttl_days: 30,
            demo_mode: false,
            first_run_setup: false,
            ready: Arc::new(AtomicBool::new(false)),
            keys: Arc::new(OnceLock::new()),
        }
    }

    /// The same state with demo mode on or off.
    pub fn with_demo_mode(mut self, on: bool) -> AppState {
        self.demo_mode = on;
        self
    }

    /// The same state with first-run set-up allowed or not.
    pub fn with_first_run_setup(mut self, on: bool) -> AppState {
        self.first_run_setup = on;
        self
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
