//! The service catalogue and package templates.

use crate::auth::{Analytics, Authorized, ReadCustomers};
use crate::body::JsonBody;
use crate::envelope::{created, ok, ApiResult};
use crate::openapi::schemas::{PackageTemplate, PackageTemplates, Services, TemplateInput};
use crate::state::AppState;
use axum::extract::State;
use clinicdesk_domain::package::parse_template;
use clinicdesk_domain::{ids, ServiceType};
use clinicdesk_store::packages;
use serde_json::json;

/// 서비스 목록 (service catalogue)
///
/// 다섯 가지 서비스의 이름, 기본 시간, 단건 가격.
#[utoipa::path(get, path = "/services", responses((status = 200, body = Services)))]
pub async fn services(_user: Authorized<ReadCustomers>) -> ApiResult {
    Ok(ok(json!({ "services": ServiceType::catalogue() })))
}

/// 패키지 템플릿 목록 (package templates)
#[utoipa::path(get, path = "/packages", responses((status = 200, body = PackageTemplates)))]
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

/// 패키지 템플릿 만들기 (new package template)
///
/// 패키지 템플릿은 클리닉의 가격표라서 manager와 admin이 정합니다.
#[utoipa::path(post, path = "/packages",
    request_body = TemplateInput,
    responses((status = 201, body = PackageTemplate)))]
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
