//! What a handler's signature says about it, read at compile time from its extractor types:
//! who may call it (an [`Authorized<R>`] argument, a bare [`AuthUser`], or neither), whether it
//! reads a JSON body and whether it reads the query string. [`route!`](crate::route) writes this
//! into the handler's OpenAPI operation, so the documented roles come from the same type that
//! enforces them and cannot drift from it.
//!
//! Every extractor a handler takes implements [`ExtractorDoc`]; a new extractor type fails to
//! compile in `route!` until it says what it reads (one line below).

use crate::auth::{AuthUser, Authorized, Requirement, SyncDevice};
use crate::body::{JsonBody, QueryMap};
use crate::limits::ClientIp;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::handler::Handler;
use clinicdesk_domain::role::Capability;

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token needed.
    Public,
    /// Any signed-in user, whatever the role.
    Authenticated,
    /// Roles holding this capability (`crates/domain/src/role.rs`).
    Requires(Capability),
    /// A registered sync device (`Authorization: Device <secret>`), not a user.
    Device,
}

/// What the extractors of one handler read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reads {
    pub access: Access,
    pub json_body: bool,
    pub query: bool,
}

impl Reads {
    pub const NOTHING: Reads = Reads {
        access: Access::Public,
        json_body: false,
        query: false,
    };

    /// Both together; the stricter access wins (a capability over a bare sign-in).
    pub const fn and(self, other: Reads) -> Reads {
        Reads {
            access: match (self.access, other.access) {
                (Access::Device, _) | (_, Access::Device) => Access::Device,
                (Access::Requires(c), _) | (_, Access::Requires(c)) => Access::Requires(c),
                (Access::Authenticated, _) | (_, Access::Authenticated) => Access::Authenticated,
                _ => Access::Public,
            },
            json_body: self.json_body || other.json_body,
            query: self.query || other.query,
        }
    }
}

/// What one extractor reads. Implemented for every extractor type a handler of this API takes.
pub trait ExtractorDoc {
    const READS: Reads = Reads::NOTHING;
}

impl<R: Requirement> ExtractorDoc for Authorized<R> {
    const READS: Reads = Reads {
        access: Access::Requires(R::CAPABILITY),
        ..Reads::NOTHING
    };
}
impl ExtractorDoc for AuthUser {
    const READS: Reads = Reads {
        access: Access::Authenticated,
        ..Reads::NOTHING
    };
}
impl ExtractorDoc for crate::auth::ConnectCaller {
    const READS: Reads = Reads {
        access: Access::Requires(Capability::RegisterDevices),
        ..Reads::NOTHING
    };
}
impl ExtractorDoc for crate::auth::StatusCaller {
    const READS: Reads = Reads {
        access: Access::Authenticated,
        ..Reads::NOTHING
    };
}
impl ExtractorDoc for SyncDevice {
    const READS: Reads = Reads {
        access: Access::Device,
        ..Reads::NOTHING
    };
}
impl ExtractorDoc for JsonBody {
    const READS: Reads = Reads {
        json_body: true,
        ..Reads::NOTHING
    };
}
impl ExtractorDoc for crate::body::ImportBody {
    const READS: Reads = Reads {
        json_body: true,
        ..Reads::NOTHING
    };
}
impl ExtractorDoc for QueryMap {
    const READS: Reads = Reads {
        query: true,
        ..Reads::NOTHING
    };
}
impl<T> ExtractorDoc for axum::Json<T> {
    const READS: Reads = Reads {
        json_body: true,
        ..Reads::NOTHING
    };
}
impl<T> ExtractorDoc for axum::extract::Query<T> {
    const READS: Reads = Reads {
        query: true,
        ..Reads::NOTHING
    };
}
impl<S> ExtractorDoc for State<S> {}
impl<T> ExtractorDoc for axum::extract::ConnectInfo<T> {}
impl ExtractorDoc for axum::extract::MatchedPath {}
impl ExtractorDoc for axum::extract::Request {}
impl<T> ExtractorDoc for Path<T> {}
impl ExtractorDoc for ClientIp {}
/// An extractor that may be missing reads what it reads, but asks no sign-in of the caller.
impl<T: ExtractorDoc> ExtractorDoc for Option<T> {
    const READS: Reads = Reads {
        access: Access::Public,
        ..T::READS
    };
}
impl ExtractorDoc for axum::http::HeaderMap {}
impl ExtractorDoc for axum::http::Method {}
impl ExtractorDoc for axum::http::Uri {}
impl ExtractorDoc for axum::http::Extensions {}
impl<T> ExtractorDoc for axum::Extension<T> {}

/// The argument list of a handler, as axum's [`Handler`] impls spell it: `((),)` for no
/// argument, `(M, T1, …, Tn)` otherwise (`M` marks how the last one is extracted).
pub trait HandlerArgs {
    const READS: Reads;
}

impl HandlerArgs for ((),) {
    const READS: Reads = Reads::NOTHING;
}

macro_rules! handler_args {
    ($($t:ident),+) => {
        impl<M, $($t: ExtractorDoc),+> HandlerArgs for (M, $($t,)+) {
            const READS: Reads = Reads::NOTHING $(.and(<$t as ExtractorDoc>::READS))+;
        }
    };
}
handler_args!(T1);
handler_args!(T1, T2);
handler_args!(T1, T2, T3);
handler_args!(T1, T2, T3, T4);
handler_args!(T1, T2, T3, T4, T5);
handler_args!(T1, T2, T3, T4, T5, T6);
handler_args!(T1, T2, T3, T4, T5, T6, T7);
handler_args!(T1, T2, T3, T4, T5, T6, T7, T8);

/// What `handler` reads, from its type alone.
pub fn reads_of<H, T>(_handler: &H) -> Reads
where
    H: Handler<T, AppState>,
    T: HandlerArgs,
{
    T::READS
}

/// A route of the API: the handler (annotated with `#[utoipa::path]`) registered with
/// `utoipa_axum::routes!`, its operation marked with what its signature requires and named
/// after the handler (`customers::detail` → operation id `customers.detail`, tag `customers`).
/// Use it as `.routes(route!(customers::detail))` on the `OpenApiRouter`s in `routes/mod.rs` —
/// the only way routes are added, so every route is in the document.
macro_rules! route {
    ($handler:path) => {{
        let (schemas, mut paths, method_router) = utoipa_axum::routes!($handler);
        $crate::openapi::mark_operations(
            &mut paths,
            $crate::openapi::reads_of(&$handler),
            stringify!($handler),
        );
        (schemas, paths, method_router)
    }};
}
pub(crate) use route;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Analytics, ReadCustomers};

    async fn public(State(_): State<AppState>, _b: JsonBody) {}
    async fn signed_in(_u: AuthUser) {}
    async fn reader(_s: State<AppState>, _u: Authorized<ReadCustomers>, _q: QueryMap) {}
    async fn manager(_u: Authorized<Analytics>, _p: Path<String>, _b: JsonBody) {}
    async fn nothing() {}

    #[test]
    fn reads_come_from_the_extractor_types() {
        assert_eq!(
            reads_of(&public),
            Reads {
                json_body: true,
                ..Reads::NOTHING
            }
        );
        assert_eq!(reads_of(&signed_in).access, Access::Authenticated);
        let r = reads_of(&reader);
        assert_eq!(r.access, Access::Requires(Capability::ReadCustomers));
        assert!(r.query && !r.json_body);
        let m = reads_of(&manager);
        assert_eq!(m.access, Access::Requires(Capability::Analytics));
        assert!(m.json_body && !m.query);
        assert_eq!(reads_of(&nothing), Reads::NOTHING);
    }
}
