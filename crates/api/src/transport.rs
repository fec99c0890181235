//! How a request reached the router: in-process from the desktop's own UI, or over HTTP.
//!
//! The desktop's bridge (and anything else calling the router in-process: the contract
//! harness, the benchmark) marks its requests with [`InProcess`], a request *extension*. An
//! HTTP client can set any header it likes but cannot set an extension, so a request without
//! the mark came over the network. What depends on it: rate limits (off in-process: one user
//! at a time), where the refresh token travels (the response body for the desktop's keyring,
//! an `HttpOnly` cookie over HTTP).

use axum::http::{Extensions, Request};

/// The mark of a request handed to the router in-process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InProcess;

/// Marks `req` as handed over in-process.
pub fn mark_in_process<B>(req: &mut Request<B>) {
    req.extensions_mut().insert(InProcess);
}

/// True for a request marked by [`mark_in_process`].
pub fn is_in_process(extensions: &Extensions) -> bool {
    extensions.get::<InProcess>().is_some()
}
