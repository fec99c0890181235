//! The sync protocol's pure core (issue 9): what nodes and the central server exchange
//! ([`protocol`]), the hybrid logical clock that stamps every field a node writes
//! ([`clock`]), the merge rule that decides which write of a field wins and which goes to the
//! conflicts list ([`merge`]), and the per-table digest that says whether two nodes hold the
//! same data ([`digest`]). No IO here: the store applies what [`merge`] decides, inside its
//! own transactions; the client engine and the server endpoints move these messages.
//! The protocol is written down in `docs/SYNC.md`.

pub mod clock;
pub mod digest;
pub mod merge;
pub mod protocol;

pub use clock::{Stamp, SyncClock};
