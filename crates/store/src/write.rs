//! The one write path. A [`WriteTx`] is a database transaction that knows who is writing;
//! every change made through it is appended to the sync outbox and every action to the audit
//! chain, in the same transaction, so a change is never saved without its trail.

use crate::audit;
use crate::{Db, StoreResult};
use serde_json::Value;
use sqlx::{Any, AnyConnection, Transaction};

/// Who is acting, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub role: Option<String>,
    /// The device the user acts from, as their login session names it.
    pub device_id: Option<String>,
    /// The id this server gave the request.
    pub request_id: Option<String>,
    /// The `X-Request-Id` the client sent, kept as the client's claim.
    pub client_request_id: Option<String>,
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
    chain: String,
    key: clinicdesk_security::Key,
    head_seq: i64,
    head_hash: String,
    audited: bool,
}

impl Db {
    /// Begins a write. The first statement claims this node's change chain head, which takes
    /// the write lock up front: concurrent writers queue here instead of failing later.
    pub async fn begin_write(&self, actor: &Actor, now: &str) -> StoreResult<WriteTx> {
        let audit = self.audit_setup()?;
        let mut tx = self.pool.begin().await?;
        let (head_seq, head_hash) = audit::claim_head(&mut tx, &audit.change_chain).await?;
        Ok(WriteTx {
            tx,
            actor: actor.clone(),
            now: now.to_string(),
            chain: audit.change_chain.clone(),
            key: audit.keys.current().clone(),
            head_seq,
            head_hash,
            audited: false,
        })
    }

    /// Records an access that changes no data — a read of a customer's detail or health data,
    /// a list page, a refusal, a failed login — in the access log. Returns once the event is
    /// committed (durably: see `access_log`); concurrent accesses share one transaction.
    pub async fn record_access(&self, event: crate::access_log::Access) -> StoreResult<()> {
        crate::access_log::record(self, event).await
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
        self.append_event(action, entity, entity_id, details, Vec::new())
            .await
    }

    /// Appends a sealed event to the change chain; `subjects` are customers it concerns
    /// beside its own entity.
    async fn append_event(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: Option<&str>,
        details: Value,
        subjects: Vec<String>,
    ) -> StoreResult<()> {
        let actor = &self.actor;
        let event = audit::AuditEvent {
            chain: self.chain.clone(),
            seq: self.head_seq + 1,
            id: clinicdesk_domain::ids::new_id(),
            occurred_at: self.now.clone(),
            user_id: actor.user_id.clone(),
            username: actor.username.clone(),
            role: actor.role.clone(),
            device_id: actor.device_id.clone(),
            request_id: actor.request_id.clone(),
            client_request_id: actor.client_request_id.clone(),
            action: action.to_string(),
            entity: entity.to_string(),
            entity_id: entity_id.map(str::to_string),
            details: details.to_string(),
            key_id: self.key.id().to_string(),
            prev_hash: self.head_hash.clone(),
        };
        let hash = event.seal(&self.key);
        let seq = event.seq;
        audit::insert(&mut self.tx, &[(event, hash.clone(), subjects)]).await?;
        self.head_seq = seq;
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
        // A visit, purchase or interaction concerns its customer: "what happened to this
        // customer" finds it too.
        let subjects: Vec<String> = payload
            .get("customer_id")
            .and_then(Value::as_str)
            .filter(|c| *c != entity_id)
            .map(|c| vec![c.to_string()])
            .unwrap_or_default();
        self.append_event(
            action,
            entity,
            Some(entity_id),
            audit::redact(payload),
            subjects,
        )
        .await
    }

    pub async fn commit(mut self) -> StoreResult<()> {
        if self.audited {
            audit::set_head(
                &mut self.tx,
                &self.chain,
                self.head_seq,
                &self.head_hash,
                &self.key,
            )
            .await?;
        }
        self.tx.commit().await?;
        Ok(())
    }
}
