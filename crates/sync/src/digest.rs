//! One hash per synced table over its canonical content: equal on every node that holds the
//! same rows, whatever order they arrived in and however each database orders its keys. Support
//! staff compare them to answer "are these desktops in step?"; the sync tests compare them
//! after every scenario.

use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// `v` as JSON with every object's keys sorted and no whitespace.
pub fn canonical(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                write_canonical(&map[*k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// A table's digest, fed one row at a time in the order of the rows' ids (byte order): SHA-256
/// over each row's canonical form and a newline, hex. Streaming, so a table of two million
/// visits is hashed without holding it.
#[derive(Default)]
pub struct TableHasher {
    hash: Sha256,
    rows: u64,
}

impl TableHasher {
    pub fn new() -> TableHasher {
        TableHasher::default()
    }

    pub fn push(&mut self, row: &Value) {
        self.hash.update(canonical(row).as_bytes());
        self.hash.update(b"\n");
        self.rows += 1;
    }

    /// The digest and how many rows went into it.
    pub fn finish(self) -> (String, u64) {
        (hex::encode(self.hash.finalize()), self.rows)
    }
}

/// The digest of rows given in any order: each row's `id` (a string) puts it in place.
pub fn table_digest<'a>(rows: impl IntoIterator<Item = &'a Value>) -> String {
    let mut rows: Vec<&Value> = rows.into_iter().collect();
    rows.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let mut h = TableHasher::new();
    for row in rows {
        h.push(row);
    }
    h.finish().0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn streaming_in_id_order_is_the_same_digest() {
        let a = json!({"id": "01a", "n": 1});
        let b = json!({"id": "01b", "n": 2});
        let mut h = TableHasher::new();
        h.push(&a);
        h.push(&b);
        let (streamed, rows) = h.finish();
        assert_eq!(rows, 2);
        assert_eq!(streamed, table_digest([&b, &a]));
    }

    #[test]
    fn the_same_rows_in_any_order_and_key_order_hash_alike() {
        let a = json!({"id": "1", "name": "김민영", "tags": ["a", {"y": 1, "x": 2}]});
        let b = json!({"name": "이서준", "id": "2"});
        let a_reordered: Value =
            serde_json::from_str(r#"{"tags":["a",{"x":2,"y":1}],"name":"김민영","id":"1"}"#)
                .unwrap();
        assert_eq!(table_digest([&a, &b]), table_digest([&b, &a_reordered]));
        assert_ne!(table_digest([&a, &b]), table_digest([&a]));
        let changed = json!({"id": "1", "name": "김민경", "tags": ["a", {"y": 1, "x": 2}]});
        assert_ne!(table_digest([&a, &b]), table_digest([&changed, &b]));
        assert_eq!(
            canonical(&json!({"b": null, "a": 1.5})),
            r#"{"a":1.5,"b":null}"#
        );
        assert_eq!(
            table_digest(std::iter::empty()),
            table_digest(std::iter::empty())
        );
    }
}
