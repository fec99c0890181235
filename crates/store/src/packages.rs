//! Package templates and purchases.

use crate::row::{self, in_list, Params};
use crate::stats::NOT_CANCELLED;
use crate::{StoreResult, WriteTx};
use clinicdesk_domain::money::PurchaseCancelRequest;
use clinicdesk_domain::package::{
    parse_sessions, sessions_json, PackageTemplate, Purchase, PurchaseCancellation, Sessions,
};
use clinicdesk_domain::ServiceType;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;
use std::collections::HashMap;

fn sessions_from(raw: &str) -> Result<Sessions, sqlx::Error> {
    let v: serde_json::Value =
        serde_json::from_str(raw).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    parse_sessions("sessions", &v).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn template_from(r: &AnyRow) -> Result<PackageTemplate, sqlx::Error> {
    Ok(PackageTemplate {
        id: row::text(r, "id")?,
        name: row::text(r, "name")?,
        description: row::opt_text(r, "description")?,
        price: row::int(r, "price")?,
        validity_days: row::int(r, "validity_days")?,
        sessions: sessions_from(&row::text(r, "sessions")?)?,
        created_at: row::text(r, "created_at")?,
    })
}

const TEMPLATE_COLUMNS: &str = "id, name, description, price, validity_days, sessions, created_at";

pub async fn list_templates(conn: &mut AnyConnection) -> StoreResult<Vec<PackageTemplate>> {
    let rows = sqlx::query(&format!(
        "SELECT {TEMPLATE_COLUMNS} FROM package_templates WHERE deleted_at IS NULL ORDER BY price, name"
    ))
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(template_from).collect::<Result<_, _>>()?)
}

pub async fn get_template(
    conn: &mut AnyConnection,
    id: &str,
) -> StoreResult<Option<PackageTemplate>> {
    let row = sqlx::query(&format!(
        "SELECT {TEMPLATE_COLUMNS} FROM package_templates WHERE id = $1 AND deleted_at IS NULL"
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(template_from).transpose()?)
}

pub async fn insert_template(w: &mut WriteTx, t: &PackageTemplate) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO package_templates (id, name, description, price, validity_days, sessions, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(t.id.clone())
    .bind(t.name.clone())
    .bind(t.description.clone())
    .bind(t.price)
    .bind(t.validity_days)
    .bind(sessions_json(&t.sessions).to_string())
    .bind(t.created_at.clone())
    .execute(w.conn())
    .await?;
    w.record(
        "package_template.create",
        "package_template",
        &t.id,
        &t.to_json(),
    )
    .await
}

fn purchase_from(r: &AnyRow) -> Result<Purchase, sqlx::Error> {
    Ok(Purchase {
        id: row::text(r, "id")?,
        customer_id: row::text(r, "customer_id")?,
        package_id: row::text(r, "package_id")?,
        package_name: row::text(r, "package_name")?,
        purchase_date: row::date(r, "purchase_date")?,
        expiry_date: row::date(r, "expiry_date")?,
        price_paid: row::int(r, "price_paid")?,
        payment_method: row::opt_text(r, "payment_method")?,
        notes: row::opt_text(r, "notes")?,
        sessions: sessions_from(&row::text(r, "sessions")?)?,
        created_at: row::text(r, "created_at")?,
        cancellation: match row::opt_text(r, "cancelled_at")? {
            Some(cancelled_at) => Some(PurchaseCancellation {
                reason: row::opt_text(r, "cancel_reason")?,
                refund_amount: row::int(r, "refund_amount")?,
                refund_method: row::opt_text(r, "refund_method")?,
                cancelled_at,
                cancelled_by: row::opt_text(r, "cancelled_by")?,
            }),
            None => None,
        },
    })
}

/// A purchase with its cancellation, if any (`FROM {PURCHASES}`).
const PURCHASE_COLUMNS: &str =
    "p.id, p.customer_id, p.package_id, p.package_name, p.purchase_date, p.expiry_date, p.price_paid, \
     p.payment_method, p.notes, p.sessions, p.created_at, x.cancelled_at, x.reason AS cancel_reason, \
     x.refund_amount, x.refund_method, cu.display_name AS cancelled_by";
const PURCHASES: &str =
    "package_purchases p LEFT JOIN purchase_cancellations x ON x.purchase_id = p.id \
     LEFT JOIN users cu ON cu.id = x.cancelled_by";

pub async fn insert_purchase(w: &mut WriteTx, p: &Purchase) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO package_purchases (id, customer_id, package_id, package_name, purchase_date, expiry_date, \
         price_paid, payment_method, notes, sessions, total_sessions, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(p.id.clone())
    .bind(p.customer_id.clone())
    .bind(p.package_id.clone())
    .bind(p.package_name.clone())
    .bind(p.purchase_date.to_string())
    .bind(p.expiry_date.to_string())
    .bind(p.price_paid)
    .bind(p.payment_method.clone())
    .bind(p.notes.clone())
    .bind(sessions_json(&p.sessions).to_string())
    .bind(p.total_sessions())
    .bind(w.actor().user_id.clone())
    .bind(p.created_at.clone())
    .execute(w.conn())
    .await?;
    let payload = json!({
        "customer_id": p.customer_id, "package_id": p.package_id, "package_name": p.package_name,
        "purchase_date": p.purchase_date.to_string(), "expiry_date": p.expiry_date.to_string(),
        "price_paid": p.price_paid, "payment_method": p.payment_method, "notes": p.notes,
        "sessions": sessions_json(&p.sessions),
    });
    w.record("package.purchase", "package_purchase", &p.id, &payload)
        .await
}

pub async fn get_purchase(conn: &mut AnyConnection, id: &str) -> StoreResult<Option<Purchase>> {
    let row = sqlx::query(&format!(
        "SELECT {PURCHASE_COLUMNS} FROM {PURCHASES} WHERE p.id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(purchase_from).transpose()?)
}

/// Several purchases by id (those that exist), in no particular order.
pub async fn get_purchases(conn: &mut AnyConnection, ids: &[String]) -> StoreResult<Vec<Purchase>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut params = Params::default();
    let list = in_list(&mut params, ids);
    let sql = format!("SELECT {PURCHASE_COLUMNS} FROM {PURCHASES} WHERE p.id IN {list}");
    let sql = row::positional(conn, &sql).into_owned();
    let rows = params.bind(sqlx::query(&sql)).fetch_all(conn).await?;
    Ok(rows.iter().map(purchase_from).collect::<Result<_, _>>()?)
}

/// Up to `limit` purchases after `after` in id order (every purchase, a page at a time).
pub async fn purchases_after(
    conn: &mut AnyConnection,
    after: &str,
    limit: i64,
) -> StoreResult<Vec<Purchase>> {
    let rows = sqlx::query(&format!(
        "SELECT {PURCHASE_COLUMNS} FROM {PURCHASES} WHERE p.id > $1 ORDER BY p.id LIMIT $2"
    ))
    .bind(after.to_string())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(purchase_from).collect::<Result<_, _>>()?)
}

/// A customer's purchases, newest first.
pub async fn purchases_of(
    conn: &mut AnyConnection,
    customer_id: &str,
) -> StoreResult<Vec<Purchase>> {
    let rows = sqlx::query(&format!(
        "SELECT {PURCHASE_COLUMNS} FROM {PURCHASES} WHERE p.customer_id = $1 ORDER BY p.purchase_date DESC, p.id DESC"
    ))
    .bind(customer_id.to_string())
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(purchase_from).collect::<Result<_, _>>()?)
}

/// Purchases of several customers (a page of search results).
pub async fn purchases_of_many(
    conn: &mut AnyConnection,
    customer_ids: &[String],
) -> StoreResult<Vec<Purchase>> {
    if customer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut params = Params::default();
    let list = in_list(&mut params, customer_ids);
    let sql = format!(
        "SELECT {PURCHASE_COLUMNS} FROM {PURCHASES} WHERE p.customer_id IN {list} ORDER BY p.purchase_date DESC, p.id DESC"
    );
    let rows = params.bind(sqlx::query(&sql)).fetch_all(conn).await?;
    Ok(rows.iter().map(purchase_from).collect::<Result<_, _>>()?)
}

/// Appends a purchase's cancellation (the compensating event of a sale). Returns `false` when
/// it was already cancelled (nothing is written then).
pub async fn cancel_purchase(
    w: &mut WriteTx,
    purchase: &Purchase,
    request: &PurchaseCancelRequest,
) -> StoreResult<bool> {
    let now = w.now().to_string();
    let by = w.actor().user_id.clone();
    let inserted = sqlx::query(
        "INSERT INTO purchase_cancellations (purchase_id, reason, refund_amount, refund_method, cancelled_by, cancelled_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (purchase_id) DO NOTHING",
    )
    .bind(purchase.id.clone())
    .bind(request.reason.clone())
    .bind(request.refund_amount)
    .bind(request.refund_method.clone())
    .bind(by)
    .bind(now.clone())
    .execute(w.conn())
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(false);
    }
    let payload = json!({
        "customer_id": purchase.customer_id, "reason": request.reason,
        "refund_amount": request.refund_amount, "refund_method": request.refund_method,
        "price_paid": purchase.price_paid, "cancelled_at": now,
    });
    w.record(
        "package.cancel",
        "purchase_cancellation",
        &purchase.id,
        &payload,
    )
    .await?;
    Ok(true)
}

/// Sessions left on each of the given purchases, from the roll-up.
pub async fn remaining_sessions(
    conn: &mut AnyConnection,
    purchase_ids: &[String],
) -> StoreResult<HashMap<String, i64>> {
    if purchase_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut params = Params::default();
    let list = in_list(&mut params, purchase_ids);
    let sql = format!(
        "SELECT purchase_id, remaining_sessions FROM purchase_stats WHERE purchase_id IN {list}"
    );
    params
        .bind(sqlx::query(&sql))
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                row::text(r, "purchase_id")?,
                row::int(r, "remaining_sessions")?,
            ))
        })
        .collect()
}

/// Non-cancelled visits per service for each of the given purchases.
pub async fn used_by_service(
    conn: &mut AnyConnection,
    purchase_ids: &[String],
) -> StoreResult<HashMap<String, Sessions>> {
    if purchase_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut params = Params::default();
    let list = in_list(&mut params, purchase_ids);
    used_where(conn, &format!("s.package_usage_id IN {list}"), params).await
}

/// [`used_by_service`] for the purchases with ids in `(after, last]`: a range of the index
/// read in order, for a recompute of every purchase.
pub async fn used_by_service_between(
    conn: &mut AnyConnection,
    after: &str,
    last: &str,
) -> StoreResult<HashMap<String, Sessions>> {
    let mut params = Params::default();
    let (a, l) = (params.text(after), params.text(last));
    used_where(
        conn,
        &format!("s.package_usage_id > {a} AND s.package_usage_id <= {l}"),
        params,
    )
    .await
}

async fn used_where(
    conn: &mut AnyConnection,
    which: &str,
    params: Params,
) -> StoreResult<HashMap<String, Sessions>> {
    let mut out: HashMap<String, Sessions> = HashMap::new();
    let sql = format!(
        "SELECT s.package_usage_id AS pid, s.service_type AS service, COUNT(*) AS n FROM service_sessions s \
         WHERE {which} AND {NOT_CANCELLED} GROUP BY s.package_usage_id, s.service_type"
    );
    let sql = row::positional(conn, &sql).into_owned();
    for r in params.bind(sqlx::query(&sql)).fetch_all(conn).await? {
        let service = row::text(&r, "service")?;
        if let Some(service) = ServiceType::parse(&service) {
            out.entry(row::text(&r, "pid")?)
                .or_default()
                .insert(service, row::int(&r, "n")?);
        }
    }
    Ok(out)
}
