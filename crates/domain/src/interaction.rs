//! Interactions with a customer (calls, messages, consultations, visit notes, complaints) and
//! their follow-ups (seed 004). Append-only records; the summary is derived.

use crate::error::{DomainError, DomainResult};
use crate::fields::*;
use crate::follow_up::{due_bucket, kst_day, FollowUpStatus};
use crate::messages::Msg;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

pub const INTERACTION_TYPES: [&str; 5] =
    ["call", "message", "consultation", "visit_note", "complaint"];
pub const FOLLOW_UP_TYPES: [&str; 4] = ["call", "message", "visit", "consultation"];

#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    pub required: bool,
    pub date: Option<DateTime<Utc>>,
    pub kind: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InteractionRecord {
    pub id: String,
    pub customer_id: String,
    pub interaction_type: String,
    pub occurred_at: DateTime<Utc>,
    pub duration_minutes: Option<i64>,
    pub notes: Option<String>,
    pub outcome: Option<String>,
    pub staff_name: Option<String>,
    pub follow_up: Option<FollowUp>,
    pub created_at: String,
}

/// Validates a `POST …/interactions` body. `now` is the default date; a date in the future
/// is refused (follow-ups are where future dates go).
pub fn parse_interaction(
    body: &Value,
    id: String,
    customer_id: String,
    staff_name: Option<String>,
    now: DateTime<Utc>,
) -> DomainResult<InteractionRecord> {
    let obj = object(body)?;
    let mut p = Problems::new();
    p.take(reject_unknown(
        obj,
        &[
            "interaction_type",
            "date",
            "duration_minutes",
            "notes",
            "outcome",
            "follow_up",
        ],
        "",
    ));
    let null = Value::Null;
    let get = |k: &str| obj.get(k).unwrap_or(&null);
    let interaction_type = p.take(required_enum(
        "interaction_type",
        obj.get("interaction_type"),
        &INTERACTION_TYPES,
    ));
    let occurred_at = p
        .take(opt_datetime("date", get("date")))
        .flatten()
        .unwrap_or(now);
    if occurred_at > now + chrono::Duration::minutes(5) {
        p.push(DomainError::field_error("date", Msg::FutureInteraction));
    }
    let duration_minutes = p.take(opt_int("duration_minutes", get("duration_minutes"), 0, 600));
    let notes = p.take(opt_text("notes", get("notes"), 2000));
    let outcome = p.take(opt_text("outcome", get("outcome"), 200));
    let follow_up = match get("follow_up") {
        Value::Null => None,
        Value::Object(f) => p.take(parse_follow_up(f, occurred_at)),
        other => {
            p.push(
                DomainError::field_error(
                    "follow_up",
                    Msg::WrongType {
                        field: "follow_up".into(),
                        expected: crate::messages::Kind::Object,
                    },
                )
                .with_details(json!({ "expected": "object", "received_value": other })),
            );
            None
        }
    };
    p.finish()?;
    // Past `finish`, every reader succeeded; the defaults are never used.
    Ok(InteractionRecord {
        id,
        customer_id,
        interaction_type: interaction_type.unwrap_or_default(),
        occurred_at,
        duration_minutes: duration_minutes.flatten(),
        notes: notes.flatten(),
        outcome: outcome.flatten(),
        staff_name,
        follow_up,
        created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

fn parse_follow_up(f: &Map<String, Value>, occurred_at: DateTime<Utc>) -> DomainResult<FollowUp> {
    let mut p = Problems::new();
    p.take(reject_unknown(
        f,
        &["required", "date", "type", "notes"],
        "follow_up",
    ));
    let null = Value::Null;
    let get = |k: &str| f.get(k).unwrap_or(&null);
    let required = p
        .take(opt_bool("follow_up.required", get("required")))
        .flatten()
        .unwrap_or(true);
    let date = p.take(opt_datetime("follow_up.date", get("date")));
    if let Some(date) = date {
        if required && date.is_none() {
            p.push(DomainError::field_error(
                "follow_up.date",
                Msg::FollowUpDateRequired,
            ));
        }
        if date.is_some_and(|d| d < occurred_at - chrono::Duration::days(1)) {
            p.push(DomainError::field_error(
                "follow_up.date",
                Msg::FollowUpBeforeInteraction,
            ));
        }
    }
    let kind = p.take(opt_enum("follow_up.type", get("type"), &FOLLOW_UP_TYPES));
    let notes = p.take(opt_text("follow_up.notes", get("notes"), 500));
    p.finish()?;
    Ok(FollowUp {
        required,
        date: date.flatten(),
        kind: kind.flatten(),
        notes: notes.flatten(),
    })
}

fn rfc3339(d: &DateTime<Utc>) -> String {
    d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl InteractionRecord {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "interaction_id": self.id,
            "customer_id": self.customer_id,
            "date": rfc3339(&self.occurred_at),
            "type": self.interaction_type,
            "interaction_type": self.interaction_type,
            "duration_minutes": self.duration_minutes,
            "notes": self.notes,
            "outcome": self.outcome,
            "staff_name": self.staff_name,
            "follow_up": self.follow_up.as_ref().map(|f| json!({
                "required": f.required,
                "date": f.date.as_ref().map(rfc3339),
                "type": f.kind,
                "notes": f.notes,
            })),
            "recorded_at": self.created_at,
        })
    }
}

/// `interaction_summary` of seed 004, for a clinic: counts, average duration, last contact,
/// a count per type and the open follow-ups — overdue ones included (they are the most
/// urgent), done and cancelled ones not. `statuses` holds the folded status of every
/// follow-up that has events; one without any is open on the date it was asked for.
pub fn interaction_summary(
    items: &[InteractionRecord],
    now: DateTime<Utc>,
    statuses: &HashMap<String, FollowUpStatus>,
) -> Value {
    let durations: Vec<i64> = items.iter().filter_map(|i| i.duration_minutes).collect();
    let mut by_type: BTreeMap<&str, i64> = BTreeMap::new();
    for i in items {
        *by_type.entry(i.interaction_type.as_str()).or_default() += 1;
    }
    let open_dues: Vec<DateTime<Utc>> = items
        .iter()
        .filter_map(|i| {
            let asked = i.follow_up.as_ref().filter(|f| f.required)?.date?;
            match statuses.get(&i.id) {
                Some(s) if s.state != "open" => None,
                Some(s) => Some(s.due),
                None => Some(asked),
            }
        })
        .collect();
    let today = kst_day(now);
    let open_follow_ups = open_dues.len();
    let overdue_follow_ups = open_dues
        .iter()
        .filter(|d| due_bucket(**d, today) == "overdue")
        .count();
    json!({
        "total_interactions": items.len(),
        "average_duration": if durations.is_empty() { None } else {
            Some((durations.iter().sum::<i64>() as f64 / durations.len() as f64).round() as i64)
        },
        "last_interaction_date": items.iter().map(|i| i.occurred_at).max().as_ref().map(rfc3339),
        "by_type": by_type,
        "open_follow_ups": open_follow_ups,
        "overdue_follow_ups": overdue_follow_ups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2024-06-01T09:00:00Z".parse().unwrap()
    }

    fn parse(body: Value) -> DomainResult<InteractionRecord> {
        parse_interaction(
            &body,
            "i1".into(),
            "c1".into(),
            Some("이직원".into()),
            now(),
        )
    }

    #[test]
    fn minimal_interaction() {
        let i = parse(json!({"interaction_type": "call"})).unwrap();
        assert_eq!(i.occurred_at, now());
        assert_eq!(i.follow_up, None);
        assert_eq!(i.to_json()["type"], "call");
    }

    #[test]
    fn follow_up_needs_a_date_when_required() {
        let e = parse(json!({"interaction_type": "call", "follow_up": {"required": true}}))
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("follow_up.date"));
        let i = parse(
            json!({"interaction_type": "consultation", "duration_minutes": 30,
                              "follow_up": {"date": "2024-06-05T10:00:00+09:00", "type": "visit"}}),
        )
        .unwrap();
        let f = i.follow_up.unwrap();
        assert!(f.required);
        assert_eq!(f.kind.as_deref(), Some("visit"));
    }

    #[test]
    fn an_interaction_body_answers_every_field_error() {
        let now = Utc::now();
        let e = parse_interaction(
            &json!({"interaction_type": "fax", "duration_minutes": 9999,
                    "follow_up": {"required": true, "type": "pigeon"}}),
            "i".into(),
            "c".into(),
            None,
            now,
        )
        .unwrap_err();
        let mut fields = e.field_names();
        fields.sort_unstable();
        assert_eq!(
            fields,
            vec![
                "duration_minutes",
                "follow_up.date",
                "follow_up.type",
                "interaction_type"
            ]
        );
    }

    #[test]
    fn invalid_interactions() {
        let cases = [
            (json!({}), "interaction_type"),
            (json!({"interaction_type": "fax"}), "interaction_type"),
            (
                json!({"interaction_type": "call", "date": "2030-01-01"}),
                "date",
            ),
            (
                json!({"interaction_type": "call", "duration_minutes": -1}),
                "duration_minutes",
            ),
            (
                json!({"interaction_type": "call", "follow_up": {"date": "2024-06-05", "type": "fax"}}),
                "follow_up.type",
            ),
            (
                json!({"interaction_type": "call", "follow_up": "tomorrow"}),
                "follow_up",
            ),
            (json!({"interaction_type": "call", "mood": "ok"}), "mood"),
        ];
        for (body, field) in cases {
            assert_eq!(
                parse(body.clone()).unwrap_err().field.as_deref(),
                Some(field),
                "{body}"
            );
        }
    }

    #[test]
    fn summary_counts() {
        let a = parse(json!({"interaction_type": "call", "duration_minutes": 10, "date": "2024-05-01T00:00:00Z"})).unwrap();
        let b = parse(json!({"interaction_type": "call", "duration_minutes": 21,
                              "follow_up": {"date": "2024-06-03T00:00:00Z"}}))
        .unwrap();
        let c = parse(
            json!({"interaction_type": "complaint", "date": "2024-05-20T00:00:00Z",
                              "follow_up": {"date": "2024-05-21T00:00:00Z"}}),
        )
        .unwrap();
        let none = HashMap::new();
        let s = interaction_summary(&[a.clone(), b.clone(), c.clone()], now(), &none);
        assert_eq!(s["total_interactions"], 3);
        assert_eq!(s["average_duration"], 16);
        assert_eq!(s["by_type"]["call"], 2);
        assert_eq!(
            s["open_follow_ups"], 2,
            "an overdue follow-up is still open"
        );
        assert_eq!(s["overdue_follow_ups"], 1);
        assert_eq!(s["last_interaction_date"], "2024-06-01T09:00:00Z");
        assert_eq!(
            interaction_summary(&[], now(), &none)["average_duration"],
            Value::Null
        );
        // Completing the overdue one closes it; rescheduling the other to a past day keeps
        // it open, and overdue.
        let (mut b, mut c) = (b, c);
        b.id = "i2".into();
        c.id = "i3".into();
        let statuses = HashMap::from([
            (
                "i3".to_string(),
                FollowUpStatus {
                    state: "done",
                    due: now(),
                    closed_at: Some("2024-06-01T08:00:00Z".into()),
                },
            ),
            (
                "i2".to_string(),
                FollowUpStatus {
                    state: "open",
                    due: "2024-05-25T00:00:00Z".parse().unwrap(),
                    closed_at: None,
                },
            ),
        ]);
        let s = interaction_summary(&[a, b, c], now(), &statuses);
        assert_eq!(s["open_follow_ups"], 1);
        assert_eq!(s["overdue_follow_ups"], 1);
    }
}
