//! The merge rule for one row's fields: last writer wins per field, by [`Stamp`], and a real
//! conflict — two writers who each changed a field without having seen the other's value —
//! keeps its losing value for a person to review.
//!
//! Every write of a field carries the stamp of the value it replaced (its `base`): a write
//! whose base is the value a node holds is a plain successor, never a conflict. Whatever the
//! order ops arrive in, every node ends with the value of the highest stamp, so nodes that hold
//! the same ops hold the same row.
//!
//! Append-only facts (visits, purchases, cancellations, audit events) never come here: each is
//! inserted once under its own id, and a replay changes nothing.

use crate::clock::Stamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// One field as written: its value, the write's stamp and the stamp of the value it replaced
/// (`None` when the writer saw no earlier value: the row's creation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    pub value: Value,
    pub stamp: Stamp,
    pub base: Option<Stamp>,
}

/// What became of one incoming field.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// It is the field's new value.
    Apply,
    /// This very write is already held (a replayed push or pull).
    Replay,
    /// A later write that had seen it is already held.
    Stale,
    /// A concurrent write with a later stamp is held; this one loses.
    Lost,
}

/// A value that lost to a concurrent write, for the conflicts list.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub field: String,
    pub kept: Version,
    pub lost: Version,
}

/// What merging an incoming write of a row's fields into the fields held decided.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Merged {
    pub outcomes: BTreeMap<String, Outcome>,
    pub conflicts: Vec<Conflict>,
}

impl Merged {
    /// The fields to write, with the versions to store.
    pub fn applied<'a>(
        &'a self,
        incoming: &'a BTreeMap<String, Version>,
    ) -> impl Iterator<Item = (&'a String, &'a Version)> + 'a {
        incoming
            .iter()
            .filter(move |(f, _)| self.outcomes.get(*f) == Some(&Outcome::Apply))
    }
}

/// Decides each incoming field against the version held.
pub fn merge(held: &BTreeMap<String, Version>, incoming: &BTreeMap<String, Version>) -> Merged {
    let mut out = Merged::default();
    for (field, new) in incoming {
        let outcome = match held.get(field) {
            None => Outcome::Apply,
            Some(old) if old.stamp == new.stamp => Outcome::Replay,
            Some(old) if new.base == Some(old.stamp) => Outcome::Apply,
            Some(old) if old.base == Some(new.stamp) => Outcome::Stale,
            Some(old) => {
                // Neither saw the other: concurrent. The later stamp wins everywhere alike;
                // a different losing value is kept for review.
                let (kept, lost, outcome) = if new.stamp > old.stamp {
                    (new, old, Outcome::Apply)
                } else {
                    (old, new, Outcome::Lost)
                };
                if kept.value != lost.value {
                    out.conflicts.push(Conflict {
                        field: field.clone(),
                        kept: kept.clone(),
                        lost: lost.clone(),
                    });
                }
                outcome
            }
        };
        out.outcomes.insert(field.clone(), outcome);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s(time: u64, node: u128) -> Stamp {
        Stamp { time, node }
    }

    fn v(value: Value, stamp: Stamp, base: Option<Stamp>) -> Version {
        Version { value, stamp, base }
    }

    fn one(field: &str, version: Version) -> BTreeMap<String, Version> {
        BTreeMap::from([(field.to_string(), version)])
    }

    /// Applies `ops` in order to an empty row, as a node would.
    fn replay(ops: &[BTreeMap<String, Version>]) -> (BTreeMap<String, Version>, usize) {
        let mut row = BTreeMap::new();
        let mut conflicts = 0;
        for op in ops {
            let m = merge(&row, op);
            conflicts += m.conflicts.len();
            let apply: Vec<(String, Version)> =
                m.applied(op).map(|(f, x)| (f.clone(), x.clone())).collect();
            row.extend(apply);
        }
        (row, conflicts)
    }

    #[test]
    fn a_successor_is_no_conflict() {
        let created = v(json!("교사"), s(10, 1), None);
        let edited = v(json!("간호사"), s(20, 2), Some(s(10, 1)));
        let m = merge(
            &one("occupation", created.clone()),
            &one("occupation", edited),
        );
        assert_eq!(m.outcomes["occupation"], Outcome::Apply);
        assert!(m.conflicts.is_empty());
        let again = merge(
            &one("occupation", created.clone()),
            &one("occupation", created),
        );
        assert_eq!(again.outcomes["occupation"], Outcome::Replay);
    }

    #[test]
    fn two_offline_edits_of_one_field_keep_the_later_and_list_the_other() {
        let base = s(10, 1);
        let a = v(json!("010-1111-2222"), s(30, 2), Some(base));
        let b = v(json!("010-3333-4444"), s(40, 3), Some(base));
        let held = one("phone", v(json!("010-0000-0000"), base, None));
        let first = merge(&held, &one("phone", a.clone()));
        assert_eq!(first.outcomes["phone"], Outcome::Apply);
        let after_a = one("phone", a.clone());
        let second = merge(&after_a, &one("phone", b.clone()));
        assert_eq!(second.outcomes["phone"], Outcome::Apply);
        assert_eq!(second.conflicts.len(), 1);
        assert_eq!(second.conflicts[0].lost, a);
        assert_eq!(second.conflicts[0].kept, b);
        // In the other order the same value stays and the same one is listed.
        let after_b = one("phone", b.clone());
        let other = merge(&after_b, &one("phone", a.clone()));
        assert_eq!(other.outcomes["phone"], Outcome::Lost);
        assert_eq!(other.conflicts[0].lost, a);
    }

    #[test]
    fn equal_values_written_concurrently_are_no_conflict() {
        let held = one("memo", v(json!("x"), s(30, 2), Some(s(1, 1))));
        let m = merge(&held, &one("memo", v(json!("x"), s(31, 3), Some(s(1, 1)))));
        assert_eq!(m.outcomes["memo"], Outcome::Apply);
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn a_late_predecessor_is_stale() {
        let first = v(json!(1), s(10, 1), None);
        let second = v(json!(2), s(20, 1), Some(s(10, 1)));
        let m = merge(&one("n", second), &one("n", first));
        assert_eq!(m.outcomes["n"], Outcome::Stale);
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn every_order_of_the_same_writes_ends_in_the_same_row() {
        let ops = vec![
            one("name", v(json!("김민영"), s(10, 1), None)),
            one("phone", v(json!("010-1"), s(11, 1), None)),
            one("name", v(json!("김민경"), s(30, 2), Some(s(10, 1)))),
            one("name", v(json!("김민정"), s(35, 3), Some(s(10, 1)))),
            one("phone", v(json!("010-2"), s(40, 2), Some(s(11, 1)))),
        ];
        let (expected, _) = replay(&ops);
        assert_eq!(expected["name"].value, json!("김민정"));
        assert_eq!(expected["phone"].value, json!("010-2"));
        // All 120 orders of the five writes.
        let mut idx: Vec<usize> = (0..ops.len()).collect();
        let mut orders = 0;
        permute(&mut idx, 0, &mut |order| {
            let shuffled: Vec<_> = order.iter().map(|&i| ops[i].clone()).collect();
            let (row, conflicts) = replay(&shuffled);
            // A creation that arrives after an edit of it is not re-applied: the edit holds.
            assert_eq!(row["name"].value, expected["name"].value, "{order:?}");
            assert_eq!(row["phone"].value, expected["phone"].value, "{order:?}");
            assert_eq!(conflicts, 1, "the two name edits, in any order: {order:?}");
            orders += 1;
        });
        assert_eq!(orders, 120);
    }

    fn permute(v: &mut Vec<usize>, k: usize, f: &mut impl FnMut(&[usize])) {
        if k == v.len() {
            f(v);
            return;
        }
        for i in k..v.len() {
            v.swap(k, i);
            permute(v, k + 1, f);
            v.swap(k, i);
        }
    }
}
