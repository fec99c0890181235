//! The messages between a node and the central server (`docs/SYNC.md`). Both ends build and
//! read these types, so a field renamed on one side fails to compile on the other.

use crate::merge::Version;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Sent as `X-ClinicDesk-Sync-Version` on push and pull; another version is refused with
/// `SYNC_VERSION_UNSUPPORTED` and the versions the server speaks.
pub const PROTOCOL_VERSION: u32 = 1;
pub const VERSION_HEADER: &str = "x-clinicdesk-sync-version";
/// On a pull page's answer: the page's `cursor` and, when more changes follow it, `more`
/// (`<cursor>` or `<cursor>+`). A node asks for the next page as soon as it has the answer's
/// headers, while it still reads this one.
pub const NEXT_PAGE_HEADER: &str = "x-clinicdesk-sync-next";
/// The most ops one push may carry (`SYNC_BATCH_TOO_LARGE` above it).
pub const MAX_PUSH_OPS: usize = 1_000;
/// The most changes one pull page carries, whatever `limit` asks for.
pub const MAX_PULL_LIMIT: usize = 5_000;

/// What an op does to its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// Writes the given fields (the row's creation is its first upsert).
    Upsert,
    /// Inserts an append-only fact once; a replay changes nothing.
    Fact,
    /// Marks the row deleted; a tombstone is never undone by an older write.
    Tombstone,
}

/// One change made on a node, as it travels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Op {
    /// A UUIDv7 made by the node: the server keeps it, so a replayed push changes nothing.
    pub op_id: String,
    /// The synced table, by the name its declaration gives.
    pub entity: String,
    pub entity_id: String,
    pub kind: OpKind,
    /// Upserts and tombstones: each field written with its stamp and base.
    #[serde(default)]
    pub fields: BTreeMap<String, Version>,
    /// Facts: the whole row.
    #[serde(default)]
    pub row: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub ops: Vec<Op>,
    /// The public halves of the node's audit signing keys (docs/AUDIT.md): the server keeps
    /// the first presented for each chain and key id, and verifies the chain with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audit_keys: Vec<AuditKey>,
}

/// One public audit signing key of a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditKey {
    /// The node's change chain.
    pub chain: String,
    /// The audit key the pair is derived from.
    pub key_id: String,
    /// Ed25519, 64 hex digits.
    pub public_key: String,
}

/// The op ids the server now holds — those of this push it applied, and those it already had.
/// The node deletes exactly these from its outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    pub held: Vec<String>,
}

/// One page of changes after a cursor. `cursor` is the server's sequence of the last change
/// in the page (or the one asked for when the page is empty); the node saves it together with
/// the applied page, in one transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullPage {
    pub changes: Vec<Op>,
    pub cursor: i64,
    /// Whether more changes follow this page.
    pub more: bool,
    /// The server's last sequence number when the page was read: with `cursor`, how far a
    /// long first pull has come.
    #[serde(default)]
    pub head: i64,
}

/// `GET /sync/digest`: one hash per synced table over its canonical content, with its rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Digest {
    pub tables: BTreeMap<String, TableDigest>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableDigest {
    pub digest: String,
    pub rows: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Stamp;
    use serde_json::json;

    #[test]
    fn an_op_reads_back_as_written() {
        let op = Op {
            op_id: "01a2".into(),
            entity: "customer".into(),
            entity_id: "c1".into(),
            kind: OpKind::Upsert,
            fields: BTreeMap::from([(
                "occupation".to_string(),
                Version {
                    value: json!("교사"),
                    stamp: Stamp { time: 5, node: 9 },
                    base: None,
                },
            )]),
            row: None,
        };
        let text = serde_json::to_string(&PushRequest {
            ops: vec![op.clone()],
            audit_keys: Vec::new(),
        })
        .unwrap();
        assert!(text.contains("\"kind\":\"upsert\""), "{text}");
        let back: PushRequest = serde_json::from_str(&text).unwrap();
        assert_eq!(back.ops, vec![op]);
    }
}
