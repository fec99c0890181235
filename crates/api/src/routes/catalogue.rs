//! The service catalogue and package templates.

use crate::auth::{Analytics, Authorized, ReadCustomers};
use crate::body::JsonBody;
use crate::envelope::{created, ok, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use clinicdesk_domain::package::parse_template;
use clinicdesk_domain::{ids, ServiceType};
use clinicdesk_store::packages;
use serde_json::json;

pub async fn services(_user: Authorized<ReadCustomers>) -> ApiResult {
    Ok(ok(json!({ "services": ServiceType::catalogue() })))
}

pub async fn list_templates(
    State(state): State<AppState>,
    _user: Authorized<ReadCustomers>,
) -> ApiResult {
    let mut conn = state.db.conn().await?;
    let templates = packages::list_templates(&mut conn).await?;
    Ok(ok(
        json!({ "packages": templates.iter().map(|t| t.to_json()).collect::<Vec<_>>() }),
    ))
}

/// Package templates are part of the clinic's pricing: managers and admins define them.
pub async fn create_template(
    State(state): State<AppState>,
    user: Authorized<Analytics>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let now = state.now_text();
    let template = parse_template(&body, ids::new_id(), &now)?;
    let mut w = state.db.begin_write(&user.actor(), &now).await?;
    packages::insert_template(&mut w, &template).await?;
    w.commit().await?;
    Ok(created(template.to_json()))
}
