//! Follow-ups across customers and the front desk's day. The facts are the interaction that
//! asked for a follow-up and the append-only `follow_up_events`; `follow_ups` is their
//! roll-up (state and current due date), refolded by the domain rule in the transaction that
//! adds an event.

use crate::row::{self, Params};
use crate::{StoreResult, WriteTx};
use chrono::{DateTime, NaiveDate, Utc};
use clinicdesk_domain::follow_up::{fold, FollowUpEvent, FollowUpStatus};
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use std::collections::HashMap;

fn instant(raw: &str) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::parse_from_rfc3339(raw)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// A follow-up as the lists show it.
#[derive(Debug, Clone)]
pub struct FollowUpItem {
    pub id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub assigned_staff: Option<String>,
    pub state: String,
    pub due: DateTime<Utc>,
    pub asked_due: Option<DateTime<Utc>>,
    pub closed_at: Option<String>,
    pub kind: Option<String>,
    pub notes: Option<String>,
    pub interaction_type: String,
    pub interaction_at: String,
    pub recorded_by: Option<String>,
}

const ITEM_COLUMNS: &str =
    "f.id, f.customer_id, f.due_date, f.state, f.closed_at, i.follow_up_date, \
     i.follow_up_type, i.follow_up_notes, i.interaction_type, i.occurred_at, i.staff_name, \
     c.name AS customer_name, c.assigned_staff";
const ITEM_FROM: &str = "FROM follow_ups f JOIN interactions i ON i.id = f.id \
     JOIN customers c ON c.id = f.customer_id";

fn item(r: &AnyRow) -> Result<FollowUpItem, sqlx::Error> {
    Ok(FollowUpItem {
        id: row::text(r, "id")?,
        customer_id: row::text(r, "customer_id")?,
        customer_name: row::text(r, "customer_name")?,
        assigned_staff: row::opt_text(r, "assigned_staff")?,
        state: row::text(r, "state")?,
        due: instant(&row::text(r, "due_date")?)?,
        asked_due: row::opt_text(r, "follow_up_date")?
            .map(|d| instant(&d))
            .transpose()?,
        closed_at: row::opt_text(r, "closed_at")?,
        kind: row::opt_text(r, "follow_up_type")?,
        notes: row::opt_text(r, "follow_up_notes")?,
        interaction_type: row::text(r, "interaction_type")?,
        interaction_at: row::text(r, "occurred_at")?,
        recorded_by: row::opt_text(r, "staff_name")?,
    })
}

/// Which follow-ups a list shows. `from`/`to` bound the current due date (`[from, to)`).
#[derive(Debug, Clone, Default)]
pub struct FollowUpFilter {
    /// `None`: every state.
    pub state: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// The customer's assigned staff member, as the customer record names them.
    pub assigned_staff: Option<String>,
    pub customer_id: Option<String>,
}

fn where_clause(f: &FollowUpFilter, p: &mut Params) -> String {
    let mut c = vec!["c.deleted_at IS NULL".to_string()];
    if let Some(s) = &f.state {
        c.push(format!("f.state = {}", p.text(s.clone())));
    }
    if let Some(from) = f.from {
        c.push(format!("f.due_date >= {}", p.text(crate::timestamp(from))));
    }
    if let Some(to) = f.to {
        c.push(format!("f.due_date < {}", p.text(crate::timestamp(to))));
    }
    if let Some(s) = &f.assigned_staff {
        c.push(format!("c.assigned_staff = {}", p.text(s.clone())));
    }
    if let Some(id) = &f.customer_id {
        c.push(format!("f.customer_id = {}", p.text(id.clone())));
    }
    format!("WHERE {}", c.join(" AND "))
}

/// A page of follow-ups, soonest due first (the most overdue on top), and how many match.
pub async fn list(
    conn: &mut AnyConnection,
    f: &FollowUpFilter,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<FollowUpItem>, i64)> {
    let mut p = Params::default();
    let filter = where_clause(f, &mut p);
    let sql = format!(
        "SELECT {ITEM_COLUMNS} {ITEM_FROM} {filter} ORDER BY f.due_date ASC, f.id ASC LIMIT {limit} OFFSET {offset}"
    );
    let rows = p.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await?;
    let items = rows.iter().map(item).collect::<Result<Vec<_>, _>>()?;
    let total = count(conn, f).await?;
    Ok((items, total))
}

pub async fn count(conn: &mut AnyConnection, f: &FollowUpFilter) -> StoreResult<i64> {
    let mut p = Params::default();
    let filter = where_clause(f, &mut p);
    let sql = format!("SELECT COUNT(*) AS n {ITEM_FROM} {filter}");
    let r = p.bind(sqlx::query(&sql)).fetch_one(conn).await?;
    Ok(row::int(&r, "n")?)
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> StoreResult<Option<FollowUpItem>> {
    let sql = format!("SELECT {ITEM_COLUMNS} {ITEM_FROM} WHERE f.id = $1 AND c.deleted_at IS NULL");
    let r = sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(r.as_ref().map(item).transpose()?)
}

/// The status of each of a customer's follow-ups.
pub async fn statuses_of_customer(
    conn: &mut AnyConnection,
    customer_id: &str,
) -> StoreResult<HashMap<String, FollowUpStatus>> {
    let rows =
        sqlx::query("SELECT id, due_date, state, closed_at FROM follow_ups WHERE customer_id = $1")
            .bind(customer_id.to_string())
            .fetch_all(conn)
            .await?;
    let mut out = HashMap::new();
    for r in &rows {
        let state = match row::text(r, "state")?.as_str() {
            "done" => "done",
            "cancelled" => "cancelled",
            _ => "open",
        };
        out.insert(
            row::text(r, "id")?,
            FollowUpStatus {
                state,
                due: instant(&row::text(r, "due_date")?)?,
                closed_at: row::opt_text(r, "closed_at")?,
            },
        );
    }
    Ok(out)
}

/// The events of one follow-up, oldest first.
pub async fn events_of(conn: &mut AnyConnection, id: &str) -> StoreResult<Vec<Value>> {
    let rows = sqlx::query(
        "SELECT id, kind, new_due_date, note, username, staff_name, occurred_at FROM follow_up_events \
         WHERE follow_up_id = $1 ORDER BY occurred_at ASC, id ASC",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(json!({
                "id": row::text(r, "id")?,
                "kind": row::text(r, "kind")?,
                "new_due_date": row::opt_text(r, "new_due_date")?,
                "note": row::opt_text(r, "note")?,
                "by": row::opt_text(r, "staff_name")?.or(row::opt_text(r, "username")?),
                "occurred_at": row::text(r, "occurred_at")?,
            }))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(Into::into)
}

/// Refolds one follow-up's roll-up from the interaction and its events.
async fn refresh(conn: &mut AnyConnection, id: &str) -> StoreResult<FollowUpStatus> {
    refresh_if_asked(conn, &[id.to_string()])
        .await?
        .remove(id)
        .ok_or_else(|| sqlx::Error::RowNotFound.into())
}

/// Refolds the follow-ups these interactions asked for (those that asked for one: an
/// interaction or an event that arrived by sync), a few statements per 500; returns their
/// new states.
pub(crate) async fn refresh_if_asked(
    conn: &mut AnyConnection,
    ids: &[String],
) -> StoreResult<HashMap<String, FollowUpStatus>> {
    let mut states = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut params = Params::default();
        let list = row::in_list(&mut params, chunk);
        let sql = format!(
            "SELECT id, customer_id, follow_up_date FROM interactions \
             WHERE id IN {list} AND follow_up_date IS NOT NULL"
        );
        let sql = row::positional(conn, &sql).into_owned();
        let asked = params.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await?;
        if asked.is_empty() {
            continue;
        }
        let sql = format!(
            "SELECT id, follow_up_id, kind, new_due_date, occurred_at FROM follow_up_events \
             WHERE follow_up_id IN {list}"
        );
        let sql = row::positional(conn, &sql).into_owned();
        let mut events: HashMap<String, Vec<FollowUpEvent>> = HashMap::new();
        for r in params.bind(sqlx::query(&sql)).fetch_all(&mut *conn).await? {
            events
                .entry(row::text(&r, "follow_up_id")?)
                .or_default()
                .push(FollowUpEvent {
                    id: row::text(&r, "id")?,
                    kind: row::text(&r, "kind")?,
                    new_due: row::opt_text(&r, "new_due_date")?
                        .map(|d| instant(&d))
                        .transpose()?,
                    occurred_at: row::text(&r, "occurred_at")?,
                });
        }
        let sql = format!(
            "INSERT INTO follow_ups (id, customer_id, due_date, state, closed_at) VALUES {} \
             ON CONFLICT (id) DO UPDATE SET due_date = excluded.due_date, state = excluded.state, \
             closed_at = excluded.closed_at",
            row::value_tuples(asked.len(), 5)
        );
        let sql = row::positional(conn, &sql).into_owned();
        let mut q = sqlx::query(&sql);
        for r in &asked {
            let id = row::text(r, "id")?;
            let due = instant(&row::text(r, "follow_up_date")?)?;
            let status = fold(due, events.get(&id).map_or(&[][..], Vec::as_slice));
            q = q
                .bind(id.clone())
                .bind(row::text(r, "customer_id")?)
                .bind(crate::timestamp(status.due))
                .bind(status.state.to_string())
                .bind(status.closed_at.clone());
            states.insert(id, status);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(states)
}

/// Opens the roll-up row of a follow-up an interaction just asked for.
pub(crate) async fn opened(w: &mut WriteTx, interaction_id: &str) -> StoreResult<()> {
    refresh(w.conn(), interaction_id).await.map(|_| ())
}

/// One completion, reschedule or cancellation, as the caller checked it.
pub struct NewEvent<'a> {
    pub follow_up: &'a FollowUpItem,
    pub kind: &'a str,
    pub new_due: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub staff_name: Option<String>,
}

/// Appends the event (outbox and audit in the same transaction) and returns the new status.
pub async fn add_event(w: &mut WriteTx, e: NewEvent<'_>) -> StoreResult<(String, FollowUpStatus)> {
    let id = clinicdesk_domain::ids::new_id();
    let now = w.now().to_string();
    let actor = w.actor().clone();
    let new_due = e.new_due.map(crate::timestamp);
    sqlx::query(
        "INSERT INTO follow_up_events (id, follow_up_id, kind, new_due_date, note, user_id, username, staff_name, occurred_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.clone())
    .bind(e.follow_up.id.clone())
    .bind(e.kind.to_string())
    .bind(new_due.clone())
    .bind(e.note.clone())
    .bind(actor.user_id.clone())
    .bind(actor.username.clone())
    .bind(e.staff_name.clone())
    .bind(now.clone())
    .execute(w.conn())
    .await?;
    let status = refresh(w.conn(), &e.follow_up.id).await?;
    w.record(
        &format!("follow_up.{}", e.kind),
        "follow_up_event",
        &id,
        &json!({
            "follow_up_id": e.follow_up.id,
            "customer_id": e.follow_up.customer_id,
            "kind": e.kind,
            "previous_due_date": crate::timestamp(e.follow_up.due),
            "new_due_date": new_due,
            "note": e.note,
            "user_id": actor.user_id,
            "username": actor.username,
            "staff_name": e.staff_name,
            "occurred_at": now,
            "state": status.state,
        }),
    )
    .await?;
    Ok((id, status))
}

/// Fills the roll-up for interactions written without the write path (the demo's bulk load).
pub async fn backfill(conn: &mut AnyConnection) -> StoreResult<u64> {
    let done = sqlx::query(
        "INSERT INTO follow_ups (id, customer_id, due_date, state) \
         SELECT i.id, i.customer_id, i.follow_up_date, 'open' FROM interactions i \
         WHERE i.follow_up_required = 1 AND i.follow_up_date IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.id = i.id)",
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// A visit of the day, for the Today screen.
pub async fn visits_on(
    conn: &mut AnyConnection,
    day: NaiveDate,
    limit: i64,
) -> StoreResult<Vec<Value>> {
    let rows = sqlx::query(&format!(
        "SELECT s.id, s.customer_id, s.service_type, s.staff_name, s.created_at, s.package_usage_id, \
         p.package_name, c.name AS customer_name FROM service_sessions s \
         JOIN customers c ON c.id = s.customer_id \
         LEFT JOIN package_purchases p ON p.id = s.package_usage_id \
         WHERE s.service_date = $1 AND c.deleted_at IS NULL AND {} \
         ORDER BY s.created_at DESC, s.id DESC LIMIT {limit}",
        crate::stats::NOT_CANCELLED
    ))
    .bind(day.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(json!({
                "session_id": row::text(r, "id")?,
                "customer_id": row::text(r, "customer_id")?,
                "customer_name": row::text(r, "customer_name")?,
                "service_type": row::text(r, "service_type")?,
                "staff_name": row::opt_text(r, "staff_name")?,
                "package_name": row::opt_text(r, "package_name")?,
                "recorded_at": row::text(r, "created_at")?,
            }))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(Into::into)
}

/// Packages with sessions left whose last day is in `[from, to]`, soonest first.
pub async fn expiring_packages(
    conn: &mut AnyConnection,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> StoreResult<Vec<(Value, NaiveDate)>> {
    let rows = sqlx::query(&format!(
        "SELECT ps.purchase_id, ps.customer_id, ps.expiry_date, ps.total_sessions, ps.used_sessions, \
         ps.remaining_sessions, p.package_name, c.name AS customer_name FROM purchase_stats ps \
         JOIN package_purchases p ON p.id = ps.purchase_id JOIN customers c ON c.id = ps.customer_id \
         WHERE ps.expiry_date >= $1 AND ps.expiry_date <= $2 AND ps.remaining_sessions > 0 \
         AND c.deleted_at IS NULL AND c.anonymized_at IS NULL \
         ORDER BY ps.expiry_date ASC, c.name ASC, ps.purchase_id ASC LIMIT {limit}"
    ))
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let expiry = row::date(r, "expiry_date")?;
            Ok((
                json!({
                    "purchase_id": row::text(r, "purchase_id")?,
                    "customer_id": row::text(r, "customer_id")?,
                    "customer_name": row::text(r, "customer_name")?,
                    "package_name": row::text(r, "package_name")?,
                    "expiry_date": expiry.to_string(),
                    "total_sessions": row::int(r, "total_sessions")?,
                    "used_sessions": row::int(r, "used_sessions")?,
                    "remaining_sessions": row::int(r, "remaining_sessions")?,
                }),
                expiry,
            ))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(Into::into)
}

/// Customers whose last activity is in `[from, to]` (the newly-at-risk band), the longest
/// idle first.
pub async fn idle_between(
    conn: &mut AnyConnection,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> StoreResult<Vec<(Value, NaiveDate)>> {
    let rows = sqlx::query(&format!(
        "SELECT cs.customer_id, cs.last_activity_date, cs.last_visit_date, cs.total_visits, \
         c.name AS customer_name, c.membership_level, c.assigned_staff FROM customer_stats cs \
         JOIN customers c ON c.id = cs.customer_id \
         WHERE cs.last_activity_date >= $1 AND cs.last_activity_date <= $2 \
         AND c.deleted_at IS NULL AND c.anonymized_at IS NULL \
         ORDER BY cs.last_activity_date ASC, c.name ASC, cs.customer_id ASC LIMIT {limit}"
    ))
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let last = row::date(r, "last_activity_date")?;
            Ok((
                json!({
                    "customer_id": row::text(r, "customer_id")?,
                    "customer_name": row::text(r, "customer_name")?,
                    "membership_level": row::text(r, "membership_level")?,
                    "assigned_staff": row::opt_text(r, "assigned_staff")?,
                    "last_visit_date": row::opt_text(r, "last_visit_date")?,
                    "last_activity_date": last.to_string(),
                    "total_visits": row::int(r, "total_visits")?,
                }),
                last,
            ))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(Into::into)
}
