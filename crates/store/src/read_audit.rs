//! Group commit for audited reads. Every read of a customer's detail is audited, and the
//! audit chain has one head, so each such read used to be a write transaction of its own —
//! on PostgreSQL one WAL flush per page view, serialised. Instead, reads hand their event to
//! one writer task per database; it appends everything queued in a single transaction and
//! answers each request only after that commit, so a read is never answered before its
//! audit event is durable, and a burst of reads costs one commit instead of hundreds.

use crate::{Actor, Db, StoreError, StoreResult};
use serde_json::Value;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// Events appended per transaction at most; more wait for the next one.
const MAX_BATCH: usize = 512;

struct Pending {
    actor: Actor,
    occurred_at: String,
    action: String,
    entity: String,
    entity_id: String,
    done: oneshot::Sender<Result<(), String>>,
}

/// The writer task's inbox, shared by every clone of a [`Db`].
#[derive(Clone, Default)]
pub(crate) struct Handle(Arc<OnceLock<mpsc::UnboundedSender<Pending>>>);

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReadAuditor")
    }
}

impl Handle {
    fn sender(&self, db: &Db) -> &mpsc::UnboundedSender<Pending> {
        self.0.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            // The writer holds the pool but not this inbox, so it ends when the last Db does.
            let writer = db.without_background_tasks();
            tokio::spawn(run(writer, rx));
            tx
        })
    }
}

pub(crate) async fn record(
    db: &Db,
    actor: &Actor,
    now: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
) -> StoreResult<()> {
    let (done, answer) = oneshot::channel();
    let pending = Pending {
        actor: actor.clone(),
        occurred_at: now.to_string(),
        action: action.to_string(),
        entity: entity.to_string(),
        entity_id: entity_id.to_string(),
        done,
    };
    match db.read_auditor.sender(db).send(pending) {
        Ok(()) => match answer.await {
            Ok(result) => result.map_err(|e| StoreError::Db(sqlx::Error::Protocol(e))),
            // The writer is gone (its runtime shut down): write this one directly.
            Err(_) => direct(db, actor, now, action, entity, entity_id).await,
        },
        Err(_) => direct(db, actor, now, action, entity, entity_id).await,
    }
}

async fn direct(
    db: &Db,
    actor: &Actor,
    now: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
) -> StoreResult<()> {
    let mut w = db.begin_write(actor, now).await?;
    w.audit(action, entity, Some(entity_id), Value::Null)
        .await?;
    w.commit().await
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
        let result = append(&db, &batch).await.map_err(|e| e.to_string());
        if let Err(e) = &result {
            tracing::error!(error = %e, events = batch.len(), "audited reads could not be recorded");
        }
        for p in batch {
            let _ = p.done.send(result.clone());
        }
    }
}

async fn append(db: &Db, batch: &[Pending]) -> StoreResult<()> {
    let first = &batch[0];
    let mut w = db.begin_write(&first.actor, &first.occurred_at).await?;
    for p in batch {
        w.audit_as(
            &p.actor,
            &p.occurred_at,
            &p.action,
            &p.entity,
            Some(&p.entity_id),
            Value::Null,
        )
        .await?;
    }
    w.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_reads_are_all_recorded_in_one_unbroken_chain() {
        let (db, path) = crate::db::temp_sqlite("read-audit").await;
        db.migrate().await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..200 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let actor = Actor {
                    username: Some(format!("reader-{i}")),
                    ..Actor::default()
                };
                db.audit_read(
                    &actor,
                    "2024-06-01T00:00:00.000Z",
                    "customer.detail.read",
                    "customer",
                    &format!("c{i}"),
                )
                .await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(audit::verify_chain(&db).await.unwrap(), Ok(200));
        for i in [0, 99, 199] {
            let events = audit::of_entity(&db, &format!("c{i}")).await.unwrap();
            assert_eq!(events.len(), 1);
            assert_eq!(
                events[0].username.as_deref(),
                Some(format!("reader-{i}").as_str())
            );
        }
        let _ = std::fs::remove_file(&path);
    }
}
