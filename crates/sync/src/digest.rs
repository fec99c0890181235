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

/// The digest of a table's rows (each row as the JSON of its synced columns): SHA-256 over
/// the rows' canonical forms in sorted order, hex.
pub fn table_digest<'a>(rows: impl IntoIterator<Item = &'a Value>) -> String {
    let mut lines: Vec<String> = rows.into_iter().map(canonical).collect();
    lines.sort_unstable();
    let mut h = Sha256::new();
    for line in &lines {
        h.update(line.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
