//! First run without demo data: while no administrator can log in, the desktop's set-up
//! screen creates the clinic's first one (`POST /api/v1/setup`). Only where the state allows
//! it (the desktop) and only in-process; a server answers 403 and points to
//! `clinicdesk-server users create`.

use crate::body::JsonBody;
use crate::envelope::{ok, ApiError, ApiResult};
use crate::openapi::schemas::{SetupInput, SetupStatus, TokenPair};
use crate::routes::auth::{open_session, Transport};
use crate::routes::users::{hash, insert_account};
use crate::state::AppState;
use crate::transport::InProcess;
use axum::extract::State;
use axum::Extension;
use clinicdesk_domain::account::NewAccount;
use clinicdesk_domain::fields::{object, reject_unknown};
use clinicdesk_domain::ErrorCode;
use clinicdesk_store::{users, Actor};
use serde_json::json;

/// Set-up is needed while no active administrator can log in (demo administrators count only
/// in demo mode).
async fn needs_setup(state: &AppState) -> Result<bool, ApiError> {
    let mut conn = state.db.conn().await?;
    Ok(users::usable_admins(&mut conn, state.demo_mode).await? == 0)
}

fn already_done() -> ApiError {
    ApiError::code(ErrorCode::SetupAlreadyDone)
}

/// 첫 실행 설정이 필요한지 (first-run status)
///
/// 로그인할 수 있는 활성 관리자가 없으면 `needs_setup`. `setup_allowed`는 이 요청에서 첫
/// 관리자를 만들 수 있는지입니다: 데스크톱 안에서만 (서버는 `clinicdesk-server users create`).
/// `connect_allowed`: 계정이 하나도 없는 동기화 노드(새 데스크톱, `--upstream` 서버)는 로그인
/// 없이 중앙 서버에 연결할 수 있습니다 (`POST /sync/connect`, 서버의 로그인이 허가).
#[utoipa::path(get, path = "/setup", responses((status = 200, body = SetupStatus)))]
pub async fn status(
    State(state): State<AppState>,
    in_process: Option<Extension<InProcess>>,
) -> ApiResult {
    let needed = needs_setup(&state).await?;
    // A sync node without any account yet may connect to its central server with the
    // server's login alone (`POST /sync/connect`).
    let connect_allowed = match &state.sync_engine {
        Some(_) => {
            let mut conn = state.db.conn().await?;
            clinicdesk_store::users::count(&mut conn).await? == 0
        }
        None => false,
    };
    Ok(ok(json!({
        "needs_setup": needed,
        "setup_allowed": state.first_run_setup && in_process.is_some(),
        "connect_allowed": connect_allowed,
    })))
}

/// 첫 관리자 만들기 (create the first administrator)
///
/// 데스크톱의 첫 실행 화면이 씁니다: 관리자를 만들고 바로 로그인시킵니다 (답은 로그인과 같은
/// 토큰 쌍, 프로세스 안이므로 `refresh_token`이 본문에 있음). 데스크톱 안에서만 되고, 그 밖에서는
/// 403 `SETUP_NOT_ALLOWED` (메시지가 서버 명령을 알려 줌). 관리자가 이미 있으면 409
/// `SETUP_ALREADY_DONE`; 동시에 두 번 보내도 관리자는 하나만 생깁니다.
#[utoipa::path(post, path = "/setup",
    request_body = SetupInput,
    responses((status = 201, body = TokenPair)),
    extensions(("x-errors" = json!(["SETUP_NOT_ALLOWED", "SETUP_ALREADY_DONE",
        "DUPLICATE_USERNAME"]))))]
// Checked again under the write lock: of two set-ups at once, one creates the administrator
// and the other gets 409.
pub async fn create_first_admin(
    State(state): State<AppState>,
    in_process: Option<Extension<InProcess>>,
    transport: Transport,
    JsonBody(body): JsonBody,
) -> ApiResult {
    // Also refused over HTTP on a state that allows it: the set-up belongs to the desktop's
    // own window, never to whoever reaches a port first.
    if !state.first_run_setup || in_process.is_none() {
        return Err(ApiError::code(ErrorCode::SetupNotAllowed));
    }
    let obj = object(&body)?;
    reject_unknown(obj, &["username", "display_name", "password"], "")?;
    let account = NewAccount::from_json(obj)?;
    // Before the slow hash: a set-up that is no longer needed is refused at once.
    if !needs_setup(&state).await? {
        return Err(already_done());
    }
    let password_hash = hash(account.password.clone()).await?;
    let device_id = transport.login_device(None);
    let actor = Actor {
        device_id: device_id.clone(),
        request_id: Some(crate::envelope::request_id()),
        ..Actor::system("setup")
    };
    let mut w = state.db.begin_write(&actor, &state.now_text()).await?;
    if users::usable_admins(w.conn(), state.demo_mode).await? > 0 {
        return Err(already_done());
    }
    let user = insert_account(&mut w, &account, "admin", password_hash).await?;
    w.audit(
        "setup.first_admin",
        "user",
        Some(&user.id),
        json!({ "username": user.username }),
    )
    .await?;
    w.commit().await?;
    open_session(&state, &transport, &user, device_id)
        .await
        .map(|resp| with_status(resp, axum::http::StatusCode::CREATED))
}

fn with_status(
    mut resp: axum::response::Response,
    status: axum::http::StatusCode,
) -> axum::response::Response {
    *resp.status_mut() = status;
    resp
}
