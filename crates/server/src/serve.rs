//! The HTTP/1.1 server loop. Like `axum::serve`, plus what it cannot configure:
//! - a **header-read timeout**: a client must send a request's whole header section within
//!   the timeout, else the connection is closed (slowloris: connections that trickle a header
//!   byte now and then were held forever). It also closes keep-alive connections idle for as
//!   long;
//! - the **peer address** on every request (`ConnectInfo<SocketAddr>`), which the API's rate
//!   limits and login lockout key unauthenticated requests by;
//! - hyper's **own error answers** in the error envelope: requests hyper refuses before any
//!   request exists (a malformed request line 400, a URI over 64 KiB 414, a header section
//!   over its buffer or with more than 100 headers 431) get the same JSON envelope as every
//!   other error instead of an empty body;
//! - graceful shutdown: no new connections, in-flight requests finish (at most 30 s).

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use clinicdesk_domain::ErrorCode;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tower::ServiceExt;

#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    pub header_read_timeout: Duration,
}

fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = app
            .clone()
            .map_request(move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req.map(Body::new)
            });
        let conn = builder.serve_connection(
            TokioIo::new(EnvelopedIo::new(stream)),
            TowerToHyperService::new(service),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, peer = %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(30)) => {
            tracing::warn!("connections still busy 30 s after shutdown began; leaving them");
        }
    }
}

/// A connection whose bare 400/414/431 answers — the ones hyper writes itself when it cannot
/// parse a request head — go out as the error envelope. Our own answers always have a body,
/// so an answer with one of these statuses and `content-length: 0` is hyper's; it is the last
/// thing hyper writes on that connection before closing it.
pub struct EnvelopedIo<T> {
    inner: T,
    /// A rewritten head still being written, and how many bytes of hyper's it stands for.
    pending: Option<(Vec<u8>, usize, usize)>,
}

impl<T> EnvelopedIo<T> {
    pub fn new(inner: T) -> Self {
        EnvelopedIo {
            inner,
            pending: None,
        }
    }
}

/// The envelope version of `head` when it is one of hyper's bare error answers.
pub fn envelope_for_bare_error(head: &[u8]) -> Option<Vec<u8>> {
    let status = head.get(..13)?;
    let code = match status.get(9..12)? {
        b"400" => ErrorCode::BadRequest,
        b"414" => ErrorCode::UriTooLong,
        b"431" => ErrorCode::HeadersTooLarge,
        _ => return None,
    };
    if !(status.starts_with(b"HTTP/1.1 ") || status.starts_with(b"HTTP/1.0 ")) {
        return None;
    }
    // Exactly one head, ending at its blank line, nothing after it.
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    if end + 4 != head.len() {
        return None;
    }
    let text = std::str::from_utf8(&head[..end]).ok()?;
    let mut lines: Vec<&str> = text.split("\r\n").collect();
    let empty_body = lines
        .iter()
        .position(|l| l.eq_ignore_ascii_case("content-length: 0"))?;
    lines.remove(empty_body);
    let body = clinicdesk_api::transport_error_body(code);
    let mut out = lines.join("\r\n").into_bytes();
    out.extend_from_slice(
        format!(
            "\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&body);
    Some(out)
}

impl<T: AsyncWrite + Unpin> EnvelopedIo<T> {
    /// Writes the rewritten head to the end; then reports hyper's bytes as written.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        while let Some((bytes, written, _)) = self.pending.as_mut() {
            if *written == bytes.len() {
                let (_, _, stands_for) = self.pending.take().unwrap_or_default();
                return Poll::Ready(Ok(stands_for));
            }
            match ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..])) {
                Ok(0) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Ok(n) => *written += n,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        Poll::Ready(Ok(0))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for EnvelopedIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for EnvelopedIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.pending.is_none() {
            match envelope_for_bare_error(buf) {
                Some(bytes) => this.pending = Some((bytes, 0, buf.len())),
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
            }
        }
        this.drain(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.pending.is_none() {
            // hyper queues a head as one buffer; a bare answer has no body buffers after it.
            let first = bufs.iter().find(|b| !b.is_empty());
            match first.and_then(|b| envelope_for_bare_error(b).map(|e| (e, b.len()))) {
                Some((bytes, len)) => this.pending = Some((bytes, 0, len)),
                None => return Pin::new(&mut this.inner).poll_write_vectored(cx, bufs),
            }
        }
        this.drain(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}
