//! Follow-ups and the front desk's day. A follow-up is asked for by an interaction
//! (`follow_up.required` with a date); what happens to it afterwards is a series of
//! append-only events — completed, rescheduled to a new date, cancelled — and its state and
//! current due date are folded from them. Dates are clinic days (KST).

use crate::error::{DomainError, DomainResult, ErrorCode};
use crate::fields::*;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde_json::Value;

pub const FOLLOW_UP_STATES: [&str; 3] = ["open", "done", "cancelled"];
pub const FOLLOW_UP_EVENT_KINDS: [&str; 3] = ["complete", "reschedule", "cancel"];
/// `due` filter values of `GET /follow-ups` (see [`DueWindow`]).
pub const DUE_WINDOWS: [&str; 5] = ["overdue", "today", "due", "week", "all"];
/// Why staff reveal a phone number (`other` needs a note).
pub const REVEAL_REASONS: [&str; 3] = ["follow_up_call", "booking", "other"];
/// The renewal call list: packages whose last day is at most this many days ahead.
pub const EXPIRING_WITHIN_DAYS: i64 = 14;

/// The clinic is in Korea: a clinic day runs from 00:00 to 24:00 KST.
pub fn kst_day(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(9)).date_naive()
}

/// The UTC instant a clinic day (KST) starts.
pub fn kst_day_start(d: NaiveDate) -> DateTime<Utc> {
    (d.and_time(NaiveTime::MIN) - Duration::hours(9)).and_utc()
}

/// One fact about a follow-up, in the order it was recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpEvent {
    pub id: String,
    pub kind: String,
    pub new_due: Option<DateTime<Utc>>,
    pub occurred_at: String,
}

/// What the events say about a follow-up now.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpStatus {
    pub state: &'static str,
    pub due: DateTime<Utc>,
    pub closed_at: Option<String>,
}

/// Folds the events (any order) over the date the interaction asked for. The first closing
/// event (by time, then id) decides: two desks closing one follow-up at once — or two
/// devices offline — end with the same state everywhere, and nothing after a close counts.
pub fn fold(asked_due: DateTime<Utc>, events: &[FollowUpEvent]) -> FollowUpStatus {
    let mut ordered: Vec<&FollowUpEvent> = events.iter().collect();
    ordered.sort_by(|a, b| a.occurred_at.cmp(&b.occurred_at).then(a.id.cmp(&b.id)));
    let mut status = FollowUpStatus {
        state: "open",
        due: asked_due,
        closed_at: None,
    };
    for e in ordered {
        match e.kind.as_str() {
            "reschedule" => {
                if let Some(d) = e.new_due {
                    status.due = d;
                }
            }
            "complete" | "cancel" => {
                status.state = if e.kind == "complete" {
                    "done"
                } else {
                    "cancelled"
                };
                status.closed_at = Some(e.occurred_at.clone());
                break;
            }
            _ => {}
        }
    }
    status
}

/// Only an open follow-up can be completed, rescheduled or cancelled.
pub fn ensure_open(status: &FollowUpStatus) -> DomainResult<()> {
    if status.state == "open" {
        Ok(())
    } else {
        Err(DomainError::new(ErrorCode::FollowUpClosed)
            .with_details(serde_json::json!({ "state": status.state })))
    }
}

/// Where a due date stands on a clinic day: `overdue` (an earlier day), `today`, `upcoming`.
pub fn due_bucket(due: DateTime<Utc>, today: NaiveDate) -> &'static str {
    let day = kst_day(due);
    if day < today {
        "overdue"
    } else if day == today {
        "today"
    } else {
        "upcoming"
    }
}

/// The `due` filter as a half-open range of instants `[from, to)` (`None`: unbounded):
/// - `overdue`: due on a clinic day before today;
/// - `today`: due today;
/// - `due`: overdue or due today — what is to be done now (the Today screen's list);
/// - `week`: due today or on the six days after it (not the overdue ones);
/// - `all`: any date.
pub fn due_window(
    due: &str,
    today: NaiveDate,
) -> Option<(Option<DateTime<Utc>>, Option<DateTime<Utc>>)> {
    let start = kst_day_start(today);
    let day = Duration::days(1);
    match due {
        "overdue" => Some((None, Some(start))),
        "today" => Some((Some(start), Some(start + day))),
        "due" => Some((None, Some(start + day))),
        "week" => Some((Some(start), Some(start + day * 7))),
        "all" => Some((None, None)),
        _ => None,
    }
}

/// `POST /follow-ups/{id}/complete`: an optional note on how it went.
pub fn parse_complete(body: &Value) -> DomainResult<Option<String>> {
    let obj = object(body)?;
    reject_unknown(obj, &["note"], "")?;
    opt_text("note", obj.get("note").unwrap_or(&Value::Null), 500)
}

/// `POST /follow-ups/{id}/reschedule`: a new date (a clinic day `YYYY-MM-DD` or an instant),
/// not before today, and an optional note.
pub fn parse_reschedule(
    body: &Value,
    today: NaiveDate,
) -> DomainResult<(DateTime<Utc>, Option<String>)> {
    let obj = object(body)?;
    reject_unknown(obj, &["date", "note"], "")?;
    let date = opt_datetime("date", obj.get("date").unwrap_or(&Value::Null))?
        .ok_or_else(|| DomainError::invalid("date", "새 날짜를 입력하세요"))?;
    if kst_day(date) < today {
        return Err(DomainError::invalid(
            "date",
            "새 날짜는 오늘이거나 그 이후여야 합니다",
        ));
    }
    let note = opt_text("note", obj.get("note").unwrap_or(&Value::Null), 500)?;
    Ok((date, note))
}

/// `POST /follow-ups/{id}/cancel`: why it is no longer needed (required).
pub fn parse_cancel(body: &Value) -> DomainResult<String> {
    let obj = object(body)?;
    reject_unknown(obj, &["reason"], "")?;
    required_text("reason", obj.get("reason"), 500)
}

/// `POST /customers/{id}/phone-reveal`: a reason, and a note that `other` requires.
pub fn parse_reveal(body: &Value) -> DomainResult<(String, Option<String>)> {
    let obj = object(body)?;
    reject_unknown(obj, &["reason", "note"], "")?;
    let reason = required_enum("reason", obj.get("reason"), &REVEAL_REASONS)?;
    let note = opt_text("note", obj.get("note").unwrap_or(&Value::Null), 200)?;
    if reason == "other" && note.is_none() {
        return Err(DomainError::invalid(
            "note",
            "기타 사유로 열람하려면 사유를 적어 주세요",
        ));
    }
    Ok((reason, note))
}

/// Days until a package's last day (0: it ends today).
pub fn days_left(expiry: NaiveDate, today: NaiveDate) -> i64 {
    (expiry - today).num_days()
}

/// The renewal call list's window: last days from today through today + 14, inclusive.
pub fn expiring_window(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    (today, today + Duration::days(EXPIRING_WITHIN_DAYS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn ev(id: &str, kind: &str, new_due: Option<&str>, when: &str) -> FollowUpEvent {
        FollowUpEvent {
            id: id.into(),
            kind: kind.into(),
            new_due: new_due.map(at),
            occurred_at: when.into(),
        }
    }

    #[test]
    fn state_is_folded_from_the_events() {
        let asked = at("2024-06-03T01:00:00Z");
        let open = fold(asked, &[]);
        assert_eq!(
            (open.state, open.due, open.closed_at.clone()),
            ("open", asked, None)
        );

        let moved = fold(
            asked,
            &[
                ev(
                    "b",
                    "reschedule",
                    Some("2024-06-10T00:00:00Z"),
                    "2024-06-04T00:00:00Z",
                ),
                ev(
                    "a",
                    "reschedule",
                    Some("2024-06-07T00:00:00Z"),
                    "2024-06-03T00:00:00Z",
                ),
            ],
        );
        assert_eq!(moved.state, "open");
        assert_eq!(
            moved.due,
            at("2024-06-10T00:00:00Z"),
            "the latest reschedule wins"
        );

        let done = fold(
            asked,
            &[
                ev(
                    "a",
                    "reschedule",
                    Some("2024-06-07T00:00:00Z"),
                    "2024-06-03T00:00:00Z",
                ),
                ev("b", "complete", None, "2024-06-05T00:00:00Z"),
                ev("c", "cancel", None, "2024-06-06T00:00:00Z"),
                ev(
                    "d",
                    "reschedule",
                    Some("2024-07-01T00:00:00Z"),
                    "2024-06-07T00:00:00Z",
                ),
            ],
        );
        assert_eq!(done.state, "done", "the first close decides");
        assert_eq!(
            done.due,
            at("2024-06-07T00:00:00Z"),
            "nothing after a close counts"
        );
        assert_eq!(done.closed_at.as_deref(), Some("2024-06-05T00:00:00Z"));

        let same_time = fold(
            asked,
            &[
                ev("z", "complete", None, "2024-06-05T00:00:00Z"),
                ev("y", "cancel", None, "2024-06-05T00:00:00Z"),
            ],
        );
        assert_eq!(
            same_time.state, "cancelled",
            "ties are broken by id, everywhere alike"
        );
        assert!(ensure_open(&same_time).is_err());
        assert_eq!(
            ensure_open(&same_time).unwrap_err().code,
            ErrorCode::FollowUpClosed
        );
        assert!(ensure_open(&open).is_ok());
    }

    #[test]
    fn due_buckets_follow_the_clinic_day() {
        let today = NaiveDate::from_ymd_opt(2024, 6, 3).unwrap();
        // 2024-06-02T15:00Z is 2024-06-03 00:00 KST: already today.
        assert_eq!(due_bucket(at("2024-06-02T14:59:59Z"), today), "overdue");
        assert_eq!(due_bucket(at("2024-06-02T15:00:00Z"), today), "today");
        assert_eq!(due_bucket(at("2024-06-03T14:59:59Z"), today), "today");
        assert_eq!(due_bucket(at("2024-06-03T15:00:00Z"), today), "upcoming");
    }

    #[test]
    fn due_windows_agree_with_the_buckets() {
        let today = NaiveDate::from_ymd_opt(2024, 6, 3).unwrap();
        let inside = |w: &str, d: DateTime<Utc>| {
            let (from, to) = due_window(w, today).unwrap();
            from.is_none_or(|f| d >= f) && to.is_none_or(|t| d < t)
        };
        let start = kst_day_start(today);
        assert_eq!(start, at("2024-06-02T15:00:00Z"));
        for hours in -24 * 40..24 * 40 {
            let d = start + Duration::hours(hours);
            let bucket = due_bucket(d, today);
            assert_eq!(inside("overdue", d), bucket == "overdue", "{d}");
            assert_eq!(inside("today", d), bucket == "today", "{d}");
            assert_eq!(inside("due", d), bucket != "upcoming", "{d}");
            let days_ahead = (kst_day(d) - today).num_days();
            assert_eq!(inside("week", d), (0..7).contains(&days_ahead), "{d}");
            assert!(inside("all", d));
        }
        assert!(due_window("soon", today).is_none());
    }

    #[test]
    fn actions_are_validated() {
        let today = NaiveDate::from_ymd_opt(2024, 6, 3).unwrap();
        assert_eq!(parse_complete(&json!({})).unwrap(), None);
        assert_eq!(
            parse_complete(&json!({"note": "통화 완료"}))
                .unwrap()
                .as_deref(),
            Some("통화 완료")
        );
        assert_eq!(
            parse_complete(&json!({"mood": 1}))
                .unwrap_err()
                .field
                .as_deref(),
            Some("mood")
        );

        let (d, note) = parse_reschedule(&json!({"date": "2024-06-03"}), today).unwrap();
        assert_eq!(kst_day(d), today);
        assert_eq!(note, None);
        for bad in [
            json!({}),
            json!({"date": "2024-06-02"}),
            json!({"date": "next week"}),
        ] {
            assert_eq!(
                parse_reschedule(&bad, today).unwrap_err().field.as_deref(),
                Some("date"),
                "{bad}"
            );
        }

        assert_eq!(
            parse_cancel(&json!({"reason": "고객 요청"})).unwrap(),
            "고객 요청"
        );
        for bad in [json!({}), json!({"reason": ""}), json!({"reason": 3})] {
            assert_eq!(
                parse_cancel(&bad).unwrap_err().field.as_deref(),
                Some("reason"),
                "{bad}"
            );
        }
    }

    #[test]
    fn reveals_need_a_reason() {
        assert_eq!(
            parse_reveal(&json!({"reason": "booking"})).unwrap(),
            ("booking".to_string(), None)
        );
        assert_eq!(
            parse_reveal(&json!({"reason": "other", "note": "보호자 확인"})).unwrap(),
            ("other".to_string(), Some("보호자 확인".to_string()))
        );
        for (bad, field) in [
            (json!({}), "reason"),
            (json!({"reason": "curious"}), "reason"),
            (json!({"reason": "other"}), "note"),
            (json!({"reason": "booking", "why": 1}), "why"),
        ] {
            assert_eq!(
                parse_reveal(&bad).unwrap_err().field.as_deref(),
                Some(field),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_renewal_window_is_fourteen_days_inclusive() {
        let today = NaiveDate::from_ymd_opt(2024, 6, 3).unwrap();
        let (from, to) = expiring_window(today);
        assert_eq!(from, today);
        assert_eq!(to, NaiveDate::from_ymd_opt(2024, 6, 17).unwrap());
        assert_eq!(days_left(to, today), 14);
        assert_eq!(days_left(today, today), 0);
    }
}
