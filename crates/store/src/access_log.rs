//! The access log: reads of personal data, list pages, refusals and failed logins — events
//! that change no data but that a privacy officer must be able to review. They form the
//! node's `<node>:access` audit chain (see `audit`).
//!
//! Group commit. Every customer detail view is an event, so each used to be a write
//! transaction of its own. Instead, requests hand their event to one writer task per
//! database; it appends everything queued in one transaction (one multi-row insert) and
//! answers each request only after that commit. A read is never answered before its event is
//! durable — the access log's SQLite file runs `synchronous = FULL`, and PostgreSQL commits
//! durably by default — and a burst of reads costs one commit instead of hundreds.
//!
//! Why a file of its own on SQLite: in WAL mode, a commit to a database file makes every
//! other connection to it drop its whole page cache at its next read. With the access log in
//! the main file, every audited read emptied the caches of all the other readers. On
//! PostgreSQL the chain lives in the main database under its own head row, so access events
//! never wait for the change chain's writers.

use crate::audit::{self, AuditEvent};
use crate::{Actor, Db, StoreError, StoreResult};
use serde_json::Value;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// Events appended per transaction at most; more wait for the next one.
const MAX_BATCH: usize = 512;

/// One access to log.
#[derive(Debug, Clone)]
pub struct Access {
    pub actor: Actor,
    pub occurred_at: String,
    /// `customer.detail.read`, `customer.search`, `access.denied`, `auth.login_failed`…
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    /// JSON details (never personal data: filters as given, codes, counts).
    pub details: Value,
    /// Customers the access showed beyond its entity (the rows of a list page).
    pub subjects: Vec<String>,
}

impl Access {
    /// An access by `actor` at `now`, to one record or (`None`) to no single one; details and
    /// subjects empty.
    pub fn new(
        actor: &Actor,
        now: &str,
        action: &str,
        entity: &str,
        entity_id: Option<&str>,
    ) -> Access {
        Access {
            actor: actor.clone(),
            occurred_at: now.to_string(),
            action: action.to_string(),
            entity: entity.to_string(),
            entity_id: entity_id.map(str::to_string),
            details: Value::Null,
            subjects: Vec::new(),
        }
    }
}

struct Pending {
    access: Access,
    done: oneshot::Sender<Result<(), String>>,
}

/// The writer task's inbox, shared by every clone of a [`Db`].
#[derive(Clone, Default)]
pub(crate) struct Handle(Arc<OnceLock<mpsc::UnboundedSender<Pending>>>);

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessLogger")
    }
}

impl Handle {
    fn sender(&self, db: &Db) -> &mpsc::UnboundedSender<Pending> {
        self.0.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            // The writer holds the pools but not this inbox, so it ends when the last Db does.
            let writer = db.without_background_tasks();
            tokio::spawn(run(writer, rx));
            tx
        })
    }
}

pub(crate) async fn record(db: &Db, access: Access) -> StoreResult<()> {
    db.audit_setup()?;
    let (done, answer) = oneshot::channel();
    let pending = Pending {
        access: access.clone(),
        done,
    };
    match db.access_logger.sender(db).send(pending) {
        Ok(()) => match answer.await {
            Ok(result) => result.map_err(|e| StoreError::Db(sqlx::Error::Protocol(e))),
            // The writer is gone (its runtime shut down): write this one directly.
            Err(_) => append(db, &[access]).await,
        },
        Err(_) => append(db, &[access]).await,
    }
}

async fn run(db: Db, mut inbox: mpsc::UnboundedReceiver<Pending>) {
    while let Some(first) = inbox.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match inbox.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        let accesses: Vec<Access> = batch.iter().map(|p| p.access.clone()).collect();
        let result = append(&db, &accesses).await.map_err(|e| e.to_string());
        if let Err(e) = &result {
            tracing::error!(error = %e, events = batch.len(), "accesses could not be logged");
        }
        for p in batch {
            let _ = p.done.send(result.clone());
        }
    }
}

/// Appends `accesses` to the access chain in one transaction.
async fn append(db: &Db, accesses: &[Access]) -> StoreResult<()> {
    let setup = db.audit_setup()?;
    let key = setup.keys.current();
    let mut tx = db.access_pool.begin().await?;
    let (mut seq, mut prev) = audit::claim_head(&mut tx, &setup.access_chain).await?;
    let mut sealed = Vec::with_capacity(accesses.len());
    for a in accesses {
        seq += 1;
        let event = AuditEvent {
            chain: setup.access_chain.clone(),
            seq,
            id: clinicdesk_domain::ids::new_id(),
            occurred_at: a.occurred_at.clone(),
            user_id: a.actor.user_id.clone(),
            username: a.actor.username.clone(),
            role: a.actor.role.clone(),
            device_id: a.actor.device_id.clone(),
            request_id: a.actor.request_id.clone(),
            client_request_id: a.actor.client_request_id.clone(),
            action: a.action.clone(),
            entity: a.entity.clone(),
            entity_id: a.entity_id.clone(),
            details: a.details.to_string(),
            key_id: key.id().to_string(),
            prev_hash: prev.clone(),
        };
        let hash = event.seal(key);
        prev = hash.clone();
        // Reads never leave the node: nobody else verifies them, so no device signature.
        sealed.push(audit::SealedEvent {
            event,
            hash,
            signature: None,
            subjects: a.subjects.clone(),
        });
    }
    audit::insert(&mut tx, &sealed).await?;
    audit::set_head(&mut tx, &setup.access_chain, seq, &prev, key).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_reads_are_all_recorded_in_one_unbroken_chain() {
        let (db, path) = crate::db::temp_sqlite("access-log").await;
        let mut tasks = Vec::new();
        for i in 0..200 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let actor = Actor {
                    username: Some(format!("reader-{i}")),
                    ..Actor::default()
                };
                db.record_access(Access::new(
                    &actor,
                    "2024-06-01T00:00:00.000Z",
                    "customer.detail.read",
                    "customer",
                    Some(&format!("c{i}")),
                ))
                .await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let keys = db.audit_setup().unwrap().keys.clone();
        let reports = audit::verify(&db, &keys).await.unwrap();
        let access = reports
            .iter()
            .find(|r| r.chain.ends_with(":access"))
            .expect("the access chain");
        assert_eq!(access.events, 200);
        assert!(reports.iter().all(|r| r.intact()), "{reports:?}");
        for i in [0, 99, 199] {
            let events = audit::of_entity(&db, &format!("c{i}")).await.unwrap();
            assert_eq!(events.len(), 1);
            assert_eq!(
                events[0].username.as_deref(),
                Some(format!("reader-{i}").as_str())
            );
        }
        // On SQLite the access log is a file of its own: the main file took no commit.
        let main: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(main, 0);
        db.close().await;
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(crate::access_log_path(&path));
    }
}
