//! Customer interactions (seed 004): record and list with a summary.

use super::customers::{checked_id, customer_in, not_found};
use crate::auth::{Authorized, ReadCustomers, RecordActivity};
use crate::body::{JsonBody, QueryMap};
use crate::envelope::{created, ok, ApiResult};
use crate::openapi::schemas::{
    CustomerId, InteractionCreated, InteractionInput, InteractionList, InteractionListParams,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use clinicdesk_domain::interaction::{interaction_summary, parse_interaction};
use clinicdesk_domain::{ids, ErrorCode};
use clinicdesk_store::{customers, follow_ups, interactions, stats};
use serde_json::json;

/// 상담 기록 (record an interaction)
#[utoipa::path(post, path = "/customers/{id}/interactions",
    params(CustomerId),
    request_body = InteractionInput,
    responses((status = 201, body = InteractionCreated)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND", "CUSTOMER_ANONYMIZED"]))))]
pub async fn create(
    State(state): State<AppState>,
    user: Authorized<RecordActivity>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let now = state.now();
    let record = parse_interaction(
        &body,
        ids::new_id(),
        id.clone(),
        Some(user.display_name.clone()),
        now,
    )?;
    let mut w = state
        .db
        .begin_write(&user.actor(), &state.now_text())
        .await?;
    customer_in(&mut w, &id).await?;
    interactions::insert(&mut w, &record).await?;
    stats::refresh_customer(w.conn(), &id).await?;
    w.commit().await?;
    Ok(created(json!({
        "interaction_id": record.id,
        "customer_id": record.customer_id,
        "recorded_at": record.created_at,
        "interaction": record.to_json(),
    })))
}

/// 상담 목록과 요약 (interactions and their summary)
#[utoipa::path(get, path = "/customers/{id}/interactions",
    params(CustomerId, InteractionListParams),
    responses((status = 200, body = InteractionList)),
    extensions(("x-errors" = json!(["CUSTOMER_NOT_FOUND"]))))]
pub async fn list(
    State(state): State<AppState>,
    user: Authorized<ReadCustomers>,
    Path(id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let id = checked_id(&id, ErrorCode::CustomerNotFound)?;
    let limit = q.int("limit", 20, 1, 200)?;
    let mut conn = state.db.conn().await?;
    customers::get(&mut conn, id).await?.ok_or_else(not_found)?;
    let all = interactions::of_customer(&mut conn, id, 100_000).await?;
    let statuses = follow_ups::statuses_of_customer(&mut conn, id).await?;
    drop(conn);
    state
        .db
        .record_access(user.access(
            &state.now_text(),
            "customer.interactions.read",
            "customer",
            Some(id),
        ))
        .await?;
    Ok(ok(json!({
        "customer_id": id,
        "interactions": all.iter().take(limit as usize).map(|i| i.to_json()).collect::<Vec<_>>(),
        "interaction_summary": interaction_summary(&all, state.now(), &statuses),
    })))
}
