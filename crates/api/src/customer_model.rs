//! The customer model this process serves (segments with personas, churn), and training a new
//! version. Versions are stored facts (`customer_models`, synced); the one served is the
//! newest that passes `Artifact::from_json`'s checks. A version that fails them — corrupt, or
//! made by a build whose features differ — is refused with its reason and the previous one
//! keeps serving. Which version is newest is asked of the database on each use (another node
//! may have trained one since), each artifact parsed once.

use crate::envelope::ApiError;
use chrono::{DateTime, NaiveDate, Utc};
use clinicdesk_domain::{DomainError, ErrorCode};
use clinicdesk_models::{Artifact, TrainProgress, TrainReport};
use clinicdesk_store::customer_models::{self, StoredModel};
use clinicdesk_store::{histories, Actor, Db};
use serde::Serialize;
use std::sync::{Arc, Mutex};

/// How many of the newest versions are tried before saying no model can be served.
const FALLBACK_DEPTH: i64 = 5;

#[derive(Default)]
struct Loaded {
    /// The newest version when last looked at, and the artifact served for it (which may be
    /// an older one when the newest was refused).
    newest: Option<String>,
    serving: Option<(String, Arc<Artifact>)>,
    refused: Vec<Refusal>,
}

/// A stored version that could not be served, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    pub version: String,
    pub reason: String,
}

/// What is served, for `/readyz` and the model list.
#[derive(Debug, Clone, Serialize)]
pub struct ModelStatus {
    pub serving: Option<String>,
    pub refused: Vec<Refusal>,
}

#[derive(Default)]
pub struct ModelCache {
    loaded: Mutex<Loaded>,
}

impl ModelCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Loaded> {
        self.loaded.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The artifact to serve, or `None` when no stored version can be served.
    pub async fn current(&self, db: &Db) -> Result<Option<(String, Arc<Artifact>)>, ApiError> {
        let mut conn = db.conn().await?;
        let newest = customer_models::newest_version(&mut conn).await?;
        {
            let loaded = self.lock();
            if loaded.newest == newest {
                return Ok(loaded.serving.clone());
            }
        }
        let candidates = customer_models::newest(&mut conn, FALLBACK_DEPTH).await?;
        drop(conn);
        let mut refused = Vec::new();
        let mut serving = None;
        for m in candidates {
            match Artifact::from_json(m.artifact.as_bytes()) {
                Ok(a) => {
                    serving = Some((m.version, Arc::new(a)));
                    break;
                }
                Err(e) => {
                    tracing::warn!(version = %m.version, error = %e, "customer model refused");
                    refused.push(Refusal {
                        version: m.version,
                        reason: e.to_string(),
                    });
                }
            }
        }
        let mut loaded = self.lock();
        loaded.newest = newest;
        loaded.serving = serving.clone();
        loaded.refused = refused;
        Ok(serving)
    }

    /// The artifact to serve, or 503 `MODEL_NOT_READY` saying why there is none.
    pub async fn required(&self, db: &Db) -> Result<(String, Arc<Artifact>), ApiError> {
        if let Some(s) = self.current(db).await? {
            return Ok(s);
        }
        let refused = self.lock().refused.clone();
        let mut e = DomainError::new(ErrorCode::ModelNotReady);
        if !refused.is_empty() {
            e = e.with_details(serde_json::json!({ "refused": refused }));
        }
        Err(ApiError(e))
    }

    pub async fn status(&self, db: &Db) -> Result<ModelStatus, ApiError> {
        let serving = self.current(db).await?.map(|(v, _)| v);
        Ok(ModelStatus {
            serving,
            refused: self.lock().refused.clone(),
        })
    }
}

/// A new version's name: when it was trained, to the second (UTC).
pub fn version_name(trained_at: DateTime<Utc>) -> String {
    trained_at.format("cm-%Y%m%d-%H%M%S").to_string()
}

/// Trains a new version on every customer's history as of `today` and stores it; the report.
/// The fitting runs on a blocking thread: it takes seconds at a hundred thousand customers.
pub async fn train_and_store(
    db: &Db,
    actor: &Actor,
    today: NaiveDate,
    now: DateTime<Utc>,
    progress: impl FnMut(TrainProgress) + Send + 'static,
) -> Result<(StoredModel, TrainReport), ApiError> {
    let histories = {
        let mut conn = db.conn().await?;
        histories::all(&mut conn).await?
    };
    let version = version_name(now);
    let v = version.clone();
    let mut progress = progress;
    let (artifact, report) = tokio::task::spawn_blocking(move || {
        clinicdesk_models::train(&histories, today, &v, now, &mut progress)
    })
    .await
    .map_err(|e| ApiError(DomainError::internal(format!("training stopped: {e}"))))?
    .map_err(|e| match e {
        clinicdesk_models::ModelError::InsufficientData { .. } => {
            ApiError(DomainError::new(ErrorCode::InsufficientData).with_message(e.to_string()))
        }
        other => ApiError(DomainError::internal(format!("training failed: {other}"))),
    })?;
    let stamp = clinicdesk_store::timestamp(now);
    let stored = StoredModel {
        version,
        trained_at: stamp.clone(),
        artifact: String::from_utf8(artifact.to_json())
            .map_err(|e| ApiError(DomainError::internal(format!("artifact: {e}"))))?,
        report: serde_json::to_string(&report)
            .map_err(|e| ApiError(DomainError::internal(format!("report: {e}"))))?,
        trained_by: actor.user_id.clone(),
        created_at: stamp.clone(),
    };
    let mut w = db.begin_write(actor, &stamp).await?;
    customer_models::insert(&mut w, &stored).await?;
    w.commit().await?;
    Ok((stored, report))
}

/// How many finished training runs are remembered (this process's; the versions themselves,
/// with their reports and an audit event each, are what last).
const KEEP_TRAINING_RUNS: usize = 10;

/// One training run started from the API, as its progress is polled.
#[derive(Debug, Clone, Serialize)]
pub struct TrainingRun {
    pub job_id: String,
    /// `running`, `done` or `failed`.
    pub state: &'static str,
    pub stage: clinicdesk_models::TrainStage,
    pub stage_label: &'static str,
    /// 0–1, never decreasing.
    pub fraction: f64,
    pub detail: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub started_by: Option<String>,
    /// The version written, once done.
    pub version: Option<String>,
    pub report: Option<TrainReport>,
    pub error: Option<serde_json::Value>,
}

/// The training runs of this process, newest first. One runs at a time: a second would
/// read the same data and race the first to be the newest version.
#[derive(Default)]
pub struct TrainingRuns(Mutex<std::collections::VecDeque<TrainingRun>>);

impl TrainingRuns {
    fn with<T>(&self, f: impl FnOnce(&mut std::collections::VecDeque<TrainingRun>) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Registers a new run, or gives the id of the one running.
    pub fn start(&self, run: TrainingRun) -> Result<TrainingRun, String> {
        self.with(|runs| {
            if let Some(running) = runs.iter().find(|r| r.state == "running") {
                return Err(running.job_id.clone());
            }
            runs.push_front(run.clone());
            runs.truncate(KEEP_TRAINING_RUNS);
            Ok(run)
        })
    }

    pub fn update(&self, job_id: &str, f: impl FnOnce(&mut TrainingRun)) {
        self.with(|runs| {
            if let Some(r) = runs.iter_mut().find(|r| r.job_id == job_id) {
                f(r);
            }
        });
    }

    pub fn get(&self, job_id: &str) -> Option<TrainingRun> {
        self.with(|runs| runs.iter().find(|r| r.job_id == job_id).cloned())
    }
}
