use crate::auth::Keys;
use crate::limits::{LimitConfig, Limits};
use chrono::{DateTime, NaiveDate, Utc};
use clinicdesk_security::KeyRing;
use clinicdesk_store::{Db, StoreResult};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// Where "now" comes from; tests may pin it.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The key rings a node runs with, read from outside the database (private files on a
/// server, the OS keyring on a desktop — see `clinicdesk_security::secrets`).
#[derive(Clone, Debug)]
pub struct Secrets {
    /// Signs access tokens.
    pub tokens: KeyRing,
    /// Seals the audit chains.
    pub audit: KeyRing,
}

impl Secrets {
    /// The rings as a server, a tool or a headless node finds them: each from its environment
    /// variables, else from private files in `dir`, made on first use (see
    /// `clinicdesk_security::secrets::configured_ring`).
    pub fn configured(dir: &std::path::Path) -> Result<Secrets, clinicdesk_security::SecretError> {
        use clinicdesk_security::secrets::{configured_ring, AUDIT_KEYS, JWT_KEYS};
        Ok(Secrets {
            tokens: configured_ring(dir, JWT_KEYS)?,
            audit: configured_ring(dir, AUDIT_KEYS)?,
        })
    }

    /// Fresh random rings, for tests and throw-away databases.
    pub fn generate() -> Secrets {
        Secrets {
            tokens: KeyRing::generate(),
            audit: KeyRing::generate(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub access_ttl_seconds: i64,
    /// A login is refreshable this long after its last refresh…
    pub refresh_idle_days: i64,
    /// …and never longer than this after it began.
    pub refresh_absolute_days: i64,
    /// Over HTTP the refresh token travels in a cookie; `Secure` when the server is reached
    /// over TLS (a proxy in front of it), which the server's configuration says.
    pub secure_cookies: bool,
    /// A replaced refresh token presented again within this many seconds of its replacement
    /// is taken for two tabs racing (both sent the old cookie), not for theft: refused, but
    /// the login is kept.
    pub refresh_reuse_grace_seconds: i64,
    /// Where this clinic's API is mounted on a server hosting several clinics
    /// (`/clinics/<slug>`; empty for the first): the refresh cookie's path starts with it, so a
    /// browser keeps one cookie per clinic and sends each only to its own clinic.
    pub path_prefix: String,
    secrets: Arc<Secrets>,
    /// Demo mode: demo accounts (published password) may log in. Off unless the process was
    /// started in demo mode; a demo account in the database is refused otherwise.
    pub demo_mode: bool,
    /// Whether `POST /api/v1/setup` may create the first administrator: the desktop's own
    /// first run does; a server never does (its administrator is made with
    /// `clinicdesk-server users create`).
    pub first_run_setup: bool,
    /// A node's sync engine (`None` on the central server, which syncs with no one).
    pub sync_engine: Option<Arc<crate::sync_engine::SyncEngine>>,
    /// Allergy knowledge versions, parsed once each.
    pub knowledge: Arc<crate::knowledge_cache::KnowledgeCache>,
    /// The customer model served (segments, churn), parsed once per version.
    pub customer_model: Arc<crate::customer_model::ModelCache>,
    /// Every customer's totals for percentiles, kept while nothing changes.
    pub peers: Arc<crate::peer_population::PeerPopulation>,
    /// Recommendations' and segments' clinic-wide tables, kept while their inputs stand still.
    pub whole_clinic: Arc<crate::whole_clinic::WholeClinicCache>,
    /// Model training runs started from the API.
    pub training_runs: Arc<crate::customer_model::TrainingRuns>,
    /// The research library's imports under way and recently finished.
    pub(crate) research_imports: Arc<crate::routes::ImportJobs>,
    ready: Arc<AtomicBool>,
    keys: Arc<OnceLock<Keys>>,
    limits: Arc<Limits>,
}

impl AppState {
    pub fn new(db: Db, secrets: Secrets) -> AppState {
        AppState {
            db,
            clock: Arc::new(Utc::now),
            access_ttl_seconds: 15 * 60,
            refresh_idle_days: 14,
            refresh_absolute_days: 30,
            secure_cookies: false,
            refresh_reuse_grace_seconds: 10,
            path_prefix: String::new(),
            secrets: Arc::new(secrets),
            demo_mode: false,
            first_run_setup: false,
            sync_engine: None,
            knowledge: Arc::default(),
            customer_model: Arc::default(),
            peers: Arc::default(),
            whole_clinic: Arc::default(),
            training_runs: Arc::default(),
            research_imports: Arc::default(),
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

    /// The same state with demo mode on or off.
    pub fn with_demo_mode(mut self, on: bool) -> AppState {
        self.demo_mode = on;
        self
    }

    /// This state as a sync node with `engine` (its database logs its writes in the outbox),
    /// or — `None` — as the central server (its database logs its writes for the devices).
    pub fn with_sync_engine(
        mut self,
        engine: Option<Arc<crate::sync_engine::SyncEngine>>,
    ) -> AppState {
        self.db.set_central(engine.is_none());
        self.sync_engine = engine;
        self
    }

    /// The same state with first-run set-up allowed or not.
    pub fn with_first_run_setup(mut self, on: bool) -> AppState {
        self.first_run_setup = on;
        self
    }

    /// Runs the migrations, settles the audit chains and loads the token keys, without
    /// opening the API yet: a caller that seeds data first calls [`AppState::mark_ready`]
    /// after it.
    pub async fn open(&self) -> StoreResult<()> {
        self.db.migrate().await?;
        self.db.init_audit(self.secrets.audit.clone()).await?;
        let _ = self.keys.set(Keys::new(&self.secrets.tokens));
        let mut w = self
            .db
            .begin_write(
                &clinicdesk_store::Actor::system("knowledge"),
                &self.now_text(),
            )
            .await?;
        crate::knowledge_cache::ensure_builtin(&mut w).await?;
        w.commit().await?;
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
        clinicdesk_domain::follow_up::kst_day(self.now())
    }
}
