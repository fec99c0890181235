//! The one write path. A [`WriteTx`] is a database transaction that knows who is writing;
//! every change made through it is appended to the sync outbox and every action to the audit
//! chain, in the same transaction, so a change is never saved without its trail.

use crate::audit;
use crate::{Db, StoreResult};
use serde_json::Value;
use sqlx::{Any, AnyConnection, Row, Transaction};

/// Who is acting, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub role: Option<String>,
    pub device_id: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    /// The system itself (migrations, demo seeding).
    pub fn system(what: &str) -> Actor {
        Actor {
            username: Some(format!("system:{what}")),
            ..Actor::default()
        }
    }
}

pub struct WriteTx {
    tx: Transaction<'static, Any>,
    actor: Actor,
    now: String,
    head_seq: i64,
    head_hash: String,
    audited: bool,
}

impl Db {
    /// Begins a write. The first statement claims the audit chain's head row, which takes
    /// the write lock up front: concurrent writers queue here instead of failing later.
    pub async fn begin_write(&self, actor: &Actor, now: &str) -> StoreResult<WriteTx> {
        let mut tx = self.pool.begin().await?;
        let head = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
        Ok(WriteTx {
            tx,
            actor: actor.clone(),
            now: now.to_string(),
            head_seq: head.try_get("seq")?,
            head_hash: head.try_get("hash")?,
            audited: false,
        })
    }

    /// Records an audited read (a customer's detail or health data). Returns once the event
    /// is committed; concurrent reads share one transaction (see `read_audit`).
    pub async fn audit_read(
        &self,
        actor: &Actor,
        now: &str,
        action: &str,
        entity: &str,
        entity_id: &str,
    ) -> StoreResult<()> {
        crate::read_audit::record(self, actor, now, action, entity, entity_id).await
    }
}

impl WriteTx {
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub fn now(&self) -> &str {
        &self.now
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Appends a change to the sync outbox (`op` is `insert`, `update`, `delete` or an event
    /// name; `payload` the changed fields).
    pub async fn change(
        &mut self,
        entity: &str,
        entity_id: &str,
        op: &str,
        payload: &Value,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO outbox (op_id, entity, entity_id, op, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(clinicdesk_domain::ids::new_id())
            .bind(entity.to_string())
            .bind(entity_id.to_string())
            .bind(op.to_string())
            .bind(payload.to_string())
            .bind(self.now.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Appends an audit event to the chain.
    pub async fn audit(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: Option<&str>,
        details: Value,
    ) -> StoreResult<()> {
        let (actor, now) = (self.actor.clone(), self.now.clone());
        self.audit_as(&actor, &now, action, entity, entity_id, details)
            .await
    }

    /// Appends an audit event by another actor at another time (batched audited reads).
    pub(crate) async fn audit_as(
        &mut self,
        actor: &Actor,
        occurred_at: &str,
        action: &str,
        entity: &str,
        entity_id: Option<&str>,
        details: Value,
    ) -> StoreResult<()> {
        let event = audit::AuditEvent {
            seq: self.head_seq + 1,
            id: clinicdesk_domain::ids::new_id(),
            occurred_at: occurred_at.to_string(),
            user_id: actor.user_id.clone(),
            username: actor.username.clone(),
            role: actor.role.clone(),
            device_id: actor.device_id.clone(),
            request_id: actor.request_id.clone(),
            action: action.to_string(),
            entity: entity.to_string(),
            entity_id: entity_id.map(str::to_string),
            details: details.to_string(),
            prev_hash: self.head_hash.clone(),
        };
        let hash = event.hash();
        audit::insert(&mut self.tx, &event, &hash).await?;
        self.head_seq = event.seq;
        self.head_hash = hash;
        self.audited = true;
        Ok(())
    }

    /// A change and its audit event together: the common case for an entity write.
    pub async fn record(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: &str,
        op: &str,
        payload: &Value,
    ) -> StoreResult<()> {
        self.change(entity, entity_id, op, payload).await?;
        self.audit(action, entity, Some(entity_id), audit::redact(payload))
            .await
    }

    pub async fn commit(mut self) -> StoreResult<()> {
        if self.audited {
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(self.head_seq)
                .bind(self.head_hash.clone())
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        Ok(())
    }
}
