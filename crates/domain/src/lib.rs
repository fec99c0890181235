//! ClinicDesk's domain: the types, validation rules, error codes and derived values of the
//! clinic (customers, services, packages, visits, interactions, roles, staff accounts). Everything here is
//! pure — no IO, no clock reads — so each rule is unit-tested on plain values, and the store
//! and the API stay thin layers around it.

pub mod account;
pub mod customer;
pub mod device;
pub mod error;
pub mod fields;
pub mod follow_up;
pub mod history;
pub mod ids;
pub mod interaction;
pub mod mask;
pub mod messages;
pub mod money;
pub mod package;
pub mod role;
pub mod search;
pub mod service;
pub mod session;
pub mod stats;

pub use error::{DomainError, ErrorCode};
pub use messages::{Lang, Msg};
pub use role::Role;
pub use service::ServiceType;
