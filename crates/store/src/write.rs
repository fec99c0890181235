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
    clock: std::sync::Arc<clinicdesk_sync::clock::SyncClock>,
    central: bool,
    actor: Actor,
    now: String,
    chain: String,
    key: clinicdesk_security::Key,
    signer: std::sync::Arc<clinicdesk_security::DeviceSigner>,
    head_seq: i64,
    head_hash: String,
    audited: bool,
}

impl Db {
    /// Begins a write. The first statement claims this node's change chain head, which takes
    /// the write lock up front: concurrent writers queue here instead of failing later.
    pub async fn begin_write(&self, actor: &Actor, now: &str) -> StoreResult<WriteTx> {
        self.begin_write_in(&self.pool, actor, now).await
    }

    /// [`Db::begin_write`] on the connection for work that sorts millions of rows
    /// (`Db::sorting_pool`).
    pub async fn begin_sorting_write(&self, actor: &Actor, now: &str) -> StoreResult<WriteTx> {
        self.begin_write_in(&self.sorting_pool, actor, now).await
    }

    async fn begin_write_in(
        &self,
        pool: &sqlx::AnyPool,
        actor: &Actor,
        now: &str,
    ) -> StoreResult<WriteTx> {
        let audit = self.audit_setup()?;
        let mut tx = pool.begin().await?;
        let (head_seq, head_hash) = audit::claim_head(&mut tx, &audit.change_chain).await?;
        Ok(WriteTx {
            tx,
            clock: audit.clock.clone(),
            central: self.is_central(),
            actor: actor.clone(),
            now: now.to_string(),
            chain: audit.change_chain.clone(),
            key: audit.keys.current().clone(),
            signer: audit.signer.clone(),
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

/// An op's kind as the outbox's `op` column holds it (`upsert`, `fact`, `tombstone`).
fn op_kind(op: &clinicdesk_sync::protocol::Op) -> String {
    serde_json::to_value(op.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
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

    /// Captures what this write did to a synced row (`entity` as its declaration names it)
    /// and queues it for sync: in the outbox on a node, in the log on the central server.
    pub async fn change(&mut self, entity: &str, entity_id: &str) -> StoreResult<()> {
        self.capture(entity, entity_id, &[]).await
    }

    /// The same, giving `fields` a new version even where the value did not change (a
    /// conflict resolved in favour of the value kept).
    pub async fn touch(
        &mut self,
        entity: &str,
        entity_id: &str,
        fields: &[&str],
    ) -> StoreResult<()> {
        self.capture(entity, entity_id, fields).await
    }

    async fn capture(&mut self, entity: &str, entity_id: &str, force: &[&str]) -> StoreResult<()> {
        let Some(t) = crate::synced::table(entity) else {
            return Err(crate::StoreError::Db(sqlx::Error::Protocol(format!(
                "{entity} is not a synced table (synced.rs)"
            ))));
        };
        let clock = self.clock.clone();
        let op =
            crate::capture::capture(&mut self.tx, t, entity_id, || clock.stamp(), force).await?;
        if let Some(op) = op {
            self.queue(&op).await?;
        }
        Ok(())
    }

    /// Queues ops this node made, in order.
    pub(crate) async fn queue_all(
        &mut self,
        ops: &[clinicdesk_sync::protocol::Op],
    ) -> StoreResult<()> {
        if self.central {
            let now = self.now.clone();
            let refs: Vec<&clinicdesk_sync::protocol::Op> = ops.iter().collect();
            return crate::sync_log::log(
                &mut self.tx,
                crate::sync_node::CENTRAL_DEVICE,
                &refs,
                &now,
            )
            .await;
        }
        for chunk in ops.chunks(100) {
            let sql = format!(
                "INSERT INTO outbox (op_id, entity, entity_id, op, payload, created_at) VALUES {}",
                crate::row::value_tuples(chunk.len(), 6)
            );
            let sql = crate::row::positional(&self.tx, &sql);
            let mut q = sqlx::query(&sql);
            for op in chunk {
                let text =
                    serde_json::to_string(op).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
                q = q
                    .bind(op.op_id.clone())
                    .bind(op.entity.clone())
                    .bind(op.entity_id.clone())
                    .bind(op_kind(op))
                    .bind(text)
                    .bind(self.now.clone());
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Queues an op this node made.
    pub(crate) async fn queue(&mut self, op: &clinicdesk_sync::protocol::Op) -> StoreResult<()> {
        if self.central {
            let now = self.now.clone();
            return crate::sync_log::log(
                &mut self.tx,
                crate::sync_node::CENTRAL_DEVICE,
                &[op],
                &now,
            )
            .await;
        }
        let text = serde_json::to_string(op).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        let kind = op_kind(op);
        sqlx::query("INSERT INTO outbox (op_id, entity, entity_id, op, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(op.op_id.clone())
            .bind(op.entity.clone())
            .bind(op.entity_id.clone())
            .bind(kind)
            .bind(text)
            .bind(self.now.clone())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// The clock that stamps this node's writes.
    pub(crate) fn clock(&self) -> std::sync::Arc<clinicdesk_sync::clock::SyncClock> {
        self.clock.clone()
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
        let signature = self.signer.sign_hex(&event.signed_bytes(&hash));
        let seq = event.seq;
        let id = event.id.clone();
        let sealed = audit::SealedEvent {
            event,
            hash: hash.clone(),
            signature: Some(signature),
            subjects,
        };
        audit::insert(&mut self.tx, &[sealed]).await?;
        // Each node's chain travels whole (`synced.rs`).
        self.change("audit_event", &id).await?;
        self.head_seq = seq;
        self.head_hash = hash;
        self.audited = true;
        Ok(())
    }

    /// A change and its audit event together: the common case for an entity write.
    /// `payload` is what was written: the audit event keeps its field names only.
    pub async fn record(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: &str,
        payload: &Value,
    ) -> StoreResult<()> {
        self.change(entity, entity_id).await?;
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

    /// Gives this transaction's connection a large page cache (SQLite), for a long pull's
    /// pages, or the usual one back before it commits (`db::SQLITE_BULK_CACHE_SIZE`).
    pub async fn bulk_cache(&mut self, on: bool) -> StoreResult<()> {
        if self.tx.backend_name() == "SQLite" {
            let pragma = if on {
                crate::db::SQLITE_BULK_CACHE_SIZE
            } else {
                crate::db::SQLITE_CACHE_SIZE
            };
            sqlx::query(pragma).execute(&mut *self.tx).await?;
        }
        Ok(())
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
