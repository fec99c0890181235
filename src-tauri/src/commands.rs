//! The Tauri commands the UI invokes. All are `async`, so none runs on the window's main
//! thread; keyring calls (which may block on D-Bus or a keychain prompt) go to a blocking
//! thread. Argument names follow Tauri's camelCase convention on the JavaScript side:
//! `invoke('api_request', {request})`, `invoke('session_save', {refreshToken})`.

use crate::bridge::{ApiRequest, ApiResponse, Desktop};
use crate::docs;
use crate::session::SessionStore;
use std::sync::Arc;
use tauri::{Manager, State};

/// Hands one API request to the shared router in-process (see [`crate::bridge`]).
#[tauri::command]
pub async fn api_request(
    desktop: State<'_, Arc<Desktop>>,
    request: ApiRequest,
) -> Result<ApiResponse, String> {
    let desktop = Arc::clone(&desktop);
    desktop.handle(request).await
}

/// Stores the refresh token in the OS keyring (an empty token clears it).
#[tauri::command]
pub async fn session_save(
    sessions: State<'_, SessionStore>,
    refresh_token: String,
) -> Result<(), String> {
    let sessions = sessions.inner().clone();
    blocking(move || sessions.save(&refresh_token)).await
}

/// The stored refresh token, or `null`.
#[tauri::command]
pub async fn session_load(sessions: State<'_, SessionStore>) -> Result<Option<String>, String> {
    let sessions = sessions.inner().clone();
    blocking(move || sessions.load()).await
}

/// Forgets the stored refresh token (logout).
#[tauri::command]
pub async fn session_clear(sessions: State<'_, SessionStore>) -> Result<(), String> {
    let sessions = sessions.inner().clone();
    blocking(move || sessions.clear()).await
}

/// Opens the API documentation (Swagger UI, read-only) in a window of its own, or brings that
/// window forward when it is already open. See [`crate::docs`].
#[tauri::command]
pub async fn open_api_docs<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> Result<(), String> {
    if let Some(window) = app.get_webview_window(docs::WINDOW) {
        let _ = window.unminimize();
        return window.set_focus().map_err(|e| e.to_string());
    }
    let url = docs::docs_url()
        .parse()
        .map_err(|e| format!("the documentation URL: {e}"))?;
    tauri::WebviewWindowBuilder::new(&app, docs::WINDOW, tauri::WebviewUrl::CustomProtocol(url))
        .title(docs::WINDOW_TITLE)
        .inner_size(1100.0, 800.0)
        .min_inner_size(700.0, 500.0)
        .build()
        .map(|_| ())
        .map_err(|e| format!("the documentation window did not open: {e}"))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let result = tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| format!("keyring task failed: {e}"))?;
    if let Err(e) = &result {
        tracing::warn!(error = %e, "refresh-token store");
    }
    result
}
