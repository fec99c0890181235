//! Customer interactions and their follow-ups: insert-only.

use crate::row;
use crate::{StoreResult, WriteTx};
use chrono::{DateTime, Utc};
use clinicdesk_domain::interaction::{FollowUp, InteractionRecord};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

fn instant(raw: &str) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::parse_from_rfc3339(raw)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn from_row(r: &AnyRow) -> Result<InteractionRecord, sqlx::Error> {
    let follow_up_date = row::opt_text(r, "follow_up_date")?
        .map(|d| instant(&d))
        .transpose()?;
    let follow_up_type = row::opt_text(r, "follow_up_type")?;
    let follow_up_notes = row::opt_text(r, "follow_up_notes")?;
    let required = row::flag(r, "follow_up_required")?;
    let has_follow_up = required
        || follow_up_date.is_some()
        || follow_up_type.is_some()
        || follow_up_notes.is_some();
    Ok(InteractionRecord {
        id: row::text(r, "id")?,
        customer_id: row::text(r, "customer_id")?,
        interaction_type: row::text(r, "interaction_type")?,
        occurred_at: instant(&row::text(r, "occurred_at")?)?,
        duration_minutes: row::opt_int(r, "duration_minutes")?,
        notes: row::opt_text(r, "notes")?,
        outcome: row::opt_text(r, "outcome")?,
        staff_name: row::opt_text(r, "staff_name")?,
        follow_up: has_follow_up.then_some(FollowUp {
            required,
            date: follow_up_date,
            kind: follow_up_type,
            notes: follow_up_notes,
        }),
        created_at: row::text(r, "created_at")?,
    })
}

pub async fn insert(w: &mut WriteTx, i: &InteractionRecord) -> StoreResult<()> {
    let f = i.follow_up.as_ref();
    let creator = w.actor().user_id.clone();
    sqlx::query(
        "INSERT INTO interactions (id, customer_id, interaction_type, occurred_at, duration_minutes, notes, outcome, \
         staff_name, follow_up_required, follow_up_date, follow_up_type, follow_up_notes, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(i.id.clone())
    .bind(i.customer_id.clone())
    .bind(i.interaction_type.clone())
    .bind(crate::timestamp(i.occurred_at))
    .bind(i.duration_minutes)
    .bind(i.notes.clone())
    .bind(i.outcome.clone())
    .bind(i.staff_name.clone())
    .bind(f.map(|f| f.required as i64).unwrap_or(0))
    .bind(f.and_then(|f| f.date).map(crate::timestamp))
    .bind(f.and_then(|f| f.kind.clone()))
    .bind(f.and_then(|f| f.notes.clone()))
    .bind(creator)
    .bind(i.created_at.clone())
    .execute(w.conn())
    .await?;
    w.record("interaction.create", "interaction", &i.id, &i.to_json())
        .await?;
    if f.is_some_and(|f| f.required && f.date.is_some()) {
        crate::follow_ups::opened(w, &i.id).await?;
    }
    Ok(())
}

/// A customer's interactions, newest first.
pub async fn of_customer(
    conn: &mut AnyConnection,
    customer_id: &str,
    limit: i64,
) -> StoreResult<Vec<InteractionRecord>> {
    let rows = sqlx::query(
        "SELECT id, customer_id, interaction_type, occurred_at, duration_minutes, notes, outcome, staff_name, \
         follow_up_required, follow_up_date, follow_up_type, follow_up_notes, created_at \
         FROM interactions WHERE customer_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT $2",
    )
    .bind(customer_id.to_string())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}
