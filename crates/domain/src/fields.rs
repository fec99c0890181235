//! Readers for fields of a JSON request body. Each one checks type, length and allowed values
//! and names the field in its error, so every endpoint reports bad input the same way.

use crate::error::{DomainError, DomainResult};
use crate::messages::{BadChar, Kind, Msg};
use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value};

fn type_error(field: &str, expected: Kind, got: &Value) -> DomainError {
    DomainError::field_error(
        field,
        Msg::WrongType {
            field: field.to_string(),
            expected,
        },
    )
    .with_details(serde_json::json!({ "expected": expected.code(), "received_value": got }))
}

/// Every field error of one request body, so one answer names them all: readers' results go
/// through [`Problems::take`], and [`Problems::finish`] answers the first error carrying the
/// others (see [`DomainError::several`]).
#[derive(Debug, Default)]
pub struct Problems(Vec<DomainError>);

impl Problems {
    pub fn new() -> Self {
        Problems::default()
    }

    /// The value, or `None` after noting the error.
    pub fn take<T>(&mut self, result: DomainResult<T>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }

    /// Notes an error; one that already carries several is unpacked.
    pub fn push(&mut self, e: DomainError) {
        if e.errors.is_empty() {
            self.0.push(e);
        } else {
            self.0.extend(e.errors);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when a field (or a field under it, `consent.marketing` for `consent`) has an error.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| {
            e.field.as_deref().is_some_and(|f| {
                f == field
                    || f.strip_prefix(field)
                        .is_some_and(|rest| rest.starts_with('.'))
            })
        })
    }

    pub fn finish(self) -> DomainResult<()> {
        match DomainError::several(self.0) {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }
}

/// A body must be a JSON object; anything else is a validation error, not a crash.
pub fn object(body: &Value) -> DomainResult<&Map<String, Value>> {
    body.as_object()
        .ok_or_else(|| DomainError::field_error("body", Msg::BodyNotObject))
}

/// Rejects keys the endpoint does not know, so a typo never silently does nothing; every
/// unknown key is named.
pub fn reject_unknown(obj: &Map<String, Value>, known: &[&str], prefix: &str) -> DomainResult<()> {
    let mut problems = Problems::new();
    for key in obj.keys() {
        if !known.contains(&key.as_str()) {
            let field = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            problems.push(
                DomainError::field_error(
                    &field,
                    Msg::UnknownField {
                        field: field.clone(),
                    },
                )
                .with_details(serde_json::json!({ "allowed_fields": known })),
            );
        }
    }
    problems.finish()
}

/// A trimmed string of 1..=max characters; `null` gives `None`. Empty strings count as `None`
/// so clearing a form field clears the value.
pub fn opt_text(field: &str, v: &Value, max: usize) -> DomainResult<Option<String>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() {
                return Ok(None);
            }
            if t.chars().count() > max {
                return Err(DomainError::field_error(
                    field,
                    Msg::TooLong {
                        field: field.to_string(),
                        max,
                    },
                )
                .with_details(
                    serde_json::json!({ "max_length": max, "received_length": t.chars().count() }),
                ));
            }
            if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                return Err(DomainError::field_error(
                    field,
                    Msg::ControlChars {
                        field: field.to_string(),
                    },
                ));
            }
            Ok(Some(t.to_string()))
        }
        other => Err(type_error(field, Kind::Text, other)),
    }
}

pub fn required_text(field: &str, v: Option<&Value>, max: usize) -> DomainResult<String> {
    match v.map(|v| opt_text(field, v, max)).transpose()?.flatten() {
        Some(s) => Ok(s),
        None => Err(DomainError::field_error(
            field,
            Msg::Required {
                field: field.to_string(),
            },
        )),
    }
}

pub fn opt_enum(field: &str, v: &Value, allowed: &[&str]) -> DomainResult<Option<String>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if allowed.contains(&s.as_str()) => Ok(Some(s.clone())),
        other => Err(DomainError::not_allowed(field, other, allowed)),
    }
}

pub fn required_enum(field: &str, v: Option<&Value>, allowed: &[&str]) -> DomainResult<String> {
    match v
        .map(|v| opt_enum(field, v, allowed))
        .transpose()?
        .flatten()
    {
        Some(s) => Ok(s),
        None => Err(DomainError::not_allowed(field, &Value::Null, allowed)),
    }
}

/// A list of distinct values from a closed set, in the order given. `null` is the empty list.
pub fn enum_list(field: &str, v: &Value, allowed: &[&str]) -> DomainResult<Vec<String>> {
    let items = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => return Err(type_error(field, Kind::List, other)),
    };
    let mut out: Vec<String> = Vec::new();
    for item in items {
        match item {
            Value::String(s) if allowed.contains(&s.as_str()) => {
                if !out.contains(s) {
                    out.push(s.clone());
                }
            }
            other => return Err(DomainError::not_allowed(field, other, allowed)),
        }
    }
    Ok(out)
}

pub fn opt_int(field: &str, v: &Value, min: i64, max: i64) -> DomainResult<Option<i64>> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => match n.as_i64() {
            Some(i) if (min..=max).contains(&i) => Ok(Some(i)),
            _ => Err(DomainError::field_error(
                field,
                Msg::IntRange {
                    field: field.to_string(),
                    min,
                    max,
                },
            )
            .with_details(serde_json::json!({ "min": min, "max": max, "received_value": v }))),
        },
        other => Err(type_error(field, Kind::Integer, other)),
    }
}

pub fn opt_bool(field: &str, v: &Value) -> DomainResult<Option<bool>> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        other => Err(type_error(field, Kind::Bool, other)),
    }
}

/// The years a date may fall in. Visits, purchases, follow-ups and search bounds of a clinic
/// that opened this century never need more; `0000-01-01` or `+2020-01-01` are typing or
/// tooling accidents, not dates.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2100;

/// Exactly `YYYY-MM-DD` in ASCII digits: no sign, no fifth year digit, no one-digit month.
fn has_date_shape(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

fn year_out_of_range(field: &str, s: &str) -> DomainError {
    DomainError::field_error(
        field,
        Msg::YearRange {
            field: field.to_string(),
            min: MIN_YEAR,
            max: MAX_YEAR,
        },
    )
    .with_details(serde_json::json!({
        "received_value": s, "min_year": MIN_YEAR, "max_year": MAX_YEAR,
    }))
}

/// A calendar date written exactly `YYYY-MM-DD`, in [`MIN_YEAR`]..=[`MAX_YEAR`].
pub fn parse_date(field: &str, s: &str) -> DomainResult<NaiveDate> {
    let date = has_date_shape(s)
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| {
            DomainError::field_error(
                field,
                Msg::DateFormat {
                    field: field.to_string(),
                },
            )
            .with_details(serde_json::json!({ "received_value": s, "example": "2024-05-30" }))
        })?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        return Err(year_out_of_range(field, s));
    }
    Ok(date)
}

pub fn opt_date(field: &str, v: &Value) -> DomainResult<Option<NaiveDate>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => parse_date(field, s).map(Some),
        other => Err(type_error(field, Kind::Date, other)),
    }
}

/// An instant in RFC 3339 (`2024-05-30T10:00:00+09:00`) or a bare `YYYY-MM-DD` (midnight
/// UTC); stored and returned in UTC. The date part must have the strict shape and a year in
/// [`MIN_YEAR`]..=[`MAX_YEAR`] as written (before conversion to UTC).
pub fn opt_datetime(field: &str, v: &Value) -> DomainResult<Option<chrono::DateTime<chrono::Utc>>> {
    let s = match v {
        Value::Null => return Ok(None),
        Value::String(s) => s,
        other => return Err(type_error(field, Kind::DateTime, other)),
    };
    if s.len() == 10 {
        return parse_date(field, s).map(|d| Some(d.and_time(chrono::NaiveTime::MIN).and_utc()));
    }
    let parsed = s
        .get(..10)
        .filter(|head| has_date_shape(head))
        .and_then(|_| chrono::DateTime::parse_from_rfc3339(s).ok())
        .ok_or_else(|| {
            DomainError::field_error(
                field,
                Msg::DateTimeFormat {
                    field: field.to_string(),
                },
            )
            .with_details(serde_json::json!({
                "received_value": s, "example": "2024-05-30T10:00:00+09:00",
            }))
        })?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&parsed.naive_local().year()) {
        return Err(year_out_of_range(field, s));
    }
    Ok(Some(parsed.with_timezone(&chrono::Utc)))
}

/// Characters that change how the text around them is *ordered* on screen: embeddings,
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the directional marks. In a name
/// they make `김영희` display as something else than what is stored and searched.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that draw nothing: zero-width spaces and joiners, soft hyphen, word joiner and
/// invisible operators, the byte-order mark, variation selectors, tag characters, the Hangul
/// fillers (U+115F, U+1160, U+3164, U+FFA0: a "blank" Korean name) and the blank Braille
/// pattern. Unicode's Default_Ignorable_Code_Point set plus look-alike blanks.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// The rules for a person's name, beyond [`opt_text`]'s length and type: no control
/// characters at all (not even a line break), no bidi controls, no invisible characters
/// anywhere (they make two names that look the same differ, which defeats duplicate detection
/// and search), and at least one letter or digit. The error names the offending code point.
fn check_name(field: &str, name: &str) -> DomainResult<()> {
    let refuse = |c: char, kind: BadChar| {
        DomainError::field_error(
            field,
            Msg::NameChar {
                field: field.to_string(),
                kind,
            },
        )
        .with_details(serde_json::json!({ "code_point": format!("U+{:04X}", c as u32) }))
    };
    for c in name.chars() {
        if c.is_control() {
            return Err(refuse(c, BadChar::Control));
        }
        if is_bidi_control(c) {
            return Err(refuse(c, BadChar::Bidi));
        }
        if is_invisible(c) {
            return Err(refuse(c, BadChar::Invisible));
        }
    }
    if !name.chars().any(char::is_alphanumeric) {
        return Err(DomainError::field_error(
            field,
            Msg::NameNeedsLetter {
                field: field.to_string(),
            },
        ));
    }
    Ok(())
}

/// A person's name (customer, staff, display name): [`opt_text`] plus the name rules.
pub fn opt_name(field: &str, v: &Value, max: usize) -> DomainResult<Option<String>> {
    let name = opt_text(field, v, max)?;
    if let Some(n) = &name {
        check_name(field, n)?;
    }
    Ok(name)
}

/// A required person's name: [`required_text`] plus the name rules.
pub fn required_name(field: &str, v: Option<&Value>, max: usize) -> DomainResult<String> {
    let name = required_text(field, v, max)?;
    check_name(field, &name)?;
    Ok(name)
}

/// Normalises a Korean phone number to `010-1234-5678` / `02-123-4567`.
pub fn normalize_phone(field: &str, raw: &str) -> DomainResult<String> {
    let digits: String = raw.chars().filter(|c| c.is_ascii_digit()).collect();
    let only_phone_chars = raw
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ' || c == '+');
    let bad = || {
        DomainError::field_error(field, Msg::PhoneFormat)
            .with_details(serde_json::json!({ "received_value": raw, "example": "010-1234-5678" }))
    };
    if !only_phone_chars || !digits.starts_with('0') || !(9..=11).contains(&digits.len()) {
        return Err(bad());
    }
    let area = if digits.starts_with("02") { 2 } else { 3 };
    if digits.len() - area < 7 {
        return Err(bad());
    }
    let is_mobile = digits.starts_with("01");
    if is_mobile && !matches!(&digits[..3], "010" | "011" | "016" | "017" | "018" | "019") {
        return Err(bad());
    }
    let rest = &digits[area..];
    let mid = rest.len() - 4;
    Ok(format!(
        "{}-{}-{}",
        &digits[..area],
        &rest[..mid],
        &rest[mid..]
    ))
}

pub fn opt_phone(field: &str, v: &Value) -> DomainResult<Option<String>> {
    match opt_text(field, v, 20)? {
        None => Ok(None),
        Some(s) => normalize_phone(field, &s).map(Some),
    }
}

pub fn opt_email(field: &str, v: &Value) -> DomainResult<Option<String>> {
    let Some(s) = opt_text(field, v, 254)? else {
        return Ok(None);
    };
    let valid = match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    };
    if valid {
        Ok(Some(s.to_lowercase()))
    } else {
        Err(DomainError::field_error(field, Msg::EmailFormat)
            .with_details(serde_json::json!({ "received_value": s })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn phone_numbers_normalise() {
        assert_eq!(
            normalize_phone("p", "01012345678").unwrap(),
            "010-1234-5678"
        );
        assert_eq!(
            normalize_phone("p", "010-1234-5678").unwrap(),
            "010-1234-5678"
        );
        assert_eq!(
            normalize_phone("p", "010 123 4567").unwrap(),
            "010-123-4567"
        );
        assert_eq!(normalize_phone("p", "0212345678").unwrap(), "02-1234-5678");
        assert_eq!(normalize_phone("p", "021234567").unwrap(), "02-123-4567");
        assert_eq!(normalize_phone("p", "0311234567").unwrap(), "031-123-4567");
        for bad in [
            "12345678",
            "010-12",
            "phone",
            "013-1234-5678",
            "010-1234-56789",
            "010-abcd-5678",
        ] {
            let e = normalize_phone("phone", bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("phone"), "{bad}");
        }
    }

    #[test]
    fn emails_are_checked_and_lowercased() {
        assert_eq!(
            opt_email("email", &json!("Kim@Example.com"))
                .unwrap()
                .as_deref(),
            Some("kim@example.com")
        );
        assert_eq!(opt_email("email", &json!(null)).unwrap(), None);
        assert_eq!(opt_email("email", &json!("")).unwrap(), None);
        for bad in [
            "kim",
            "kim@",
            "@example.com",
            "kim@example",
            "k m@example.com",
            "a@b@c.com",
        ] {
            assert!(opt_email("email", &json!(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(
            opt_text("f", &json!("  김영희 "), 5).unwrap().as_deref(),
            Some("김영희")
        );
        assert_eq!(opt_text("f", &json!("   "), 5).unwrap(), None);
        let e = opt_text("f", &json!("가나다라마바"), 5).unwrap_err();
        assert_eq!(e.details["max_length"], 5);
        assert!(opt_text("f", &json!(12), 5).is_err());
        assert!(opt_text("f", &json!("a\u{0}b"), 5).is_err());
        assert!(required_text("name", None, 5).is_err());
    }

    #[test]
    fn enums_and_lists_reject_unknown_values() {
        assert_eq!(
            opt_enum("g", &json!("male"), &["male", "female"])
                .unwrap()
                .as_deref(),
            Some("male")
        );
        let e = opt_enum("g", &json!("robot"), &["male", "female"]).unwrap_err();
        assert_eq!(e.details["allowed_values"], json!(["male", "female"]));
        assert_eq!(
            enum_list("l", &json!(["a", "b", "a"]), &["a", "b"]).unwrap(),
            vec!["a", "b"]
        );
        assert!(enum_list("l", &json!(["c"]), &["a", "b"]).is_err());
        assert!(enum_list("l", &json!("a"), &["a", "b"]).is_err());
        assert!(required_enum("l", None, &["a"]).is_err());
    }

    #[test]
    fn numbers_dates_and_bools() {
        assert_eq!(opt_int("n", &json!(5), 1, 5).unwrap(), Some(5));
        assert!(opt_int("n", &json!(-1), 0, 5).is_err());
        assert!(opt_int("n", &json!(1.5), 0, 5).is_err());
        assert!(opt_int("n", &json!("3"), 0, 5).is_err());
        assert_eq!(
            opt_date("d", &json!("2024-02-29"))
                .unwrap()
                .unwrap()
                .to_string(),
            "2024-02-29"
        );
        assert!(opt_date("d", &json!("2023-02-29")).is_err());
        assert!(opt_date("d", &json!("29/02/2024")).is_err());
        assert!(opt_datetime("d", &json!("2024-05-30T10:00:00+09:00"))
            .unwrap()
            .is_some());
        assert!(opt_datetime("d", &json!("2024-05-30")).unwrap().is_some());
        assert!(opt_datetime("d", &json!("yesterday")).is_err());
        assert_eq!(opt_bool("b", &json!(true)).unwrap(), Some(true));
        assert!(opt_bool("b", &json!("yes")).is_err());
    }

    #[test]
    fn dates_must_be_plain_yyyy_mm_dd_in_a_sane_year() {
        for good in ["1900-01-01", "2024-02-29", "2100-12-31", "1999-12-31"] {
            assert_eq!(parse_date("d", good).unwrap().to_string(), good);
        }
        let malformed = [
            "-0001-01-01",
            "+2020-01-01",
            "+02020-01-01",
            "12020-01-01",
            "2020-1-01",
            "2020-01-1",
            "2020-1-1",
            " 2020-01-01",
            "2020-01-01 ",
            "2020/01/01",
            "2020-01-01T00:00:00Z",
            "２０２０-01-01",
            "2020-13-01",
            "2023-02-29",
            "2020-00-10",
            "",
        ];
        for bad in malformed {
            let e = parse_date("service_date", bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("service_date"), "{bad:?}");
            assert_eq!(e.details["received_value"], json!(bad), "{bad:?}");
        }
        for out_of_range in [
            "0000-01-01",
            "0001-01-01",
            "1899-12-31",
            "2101-01-01",
            "9999-12-31",
        ] {
            let e = parse_date("purchase_date", out_of_range).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("purchase_date"));
            assert_eq!(e.details["min_year"], json!(MIN_YEAR), "{out_of_range}");
            assert_eq!(e.details["max_year"], json!(MAX_YEAR));
        }
        assert!(opt_date("d", &json!(20200101)).is_err());
        assert_eq!(opt_date("d", &json!(null)).unwrap(), None);
    }

    #[test]
    fn datetimes_have_the_same_date_rules() {
        let at = |s: &str| opt_datetime("date", &json!(s));
        assert_eq!(
            at("2024-05-30T10:00:00+09:00")
                .unwrap()
                .unwrap()
                .to_rfc3339(),
            "2024-05-30T01:00:00+00:00"
        );
        assert!(at("2024-05-30T10:00:00Z").unwrap().is_some());
        assert!(at("2024-05-30T10:00:00.250Z").unwrap().is_some());
        assert_eq!(
            at("2024-05-30").unwrap().unwrap().to_rfc3339(),
            "2024-05-30T00:00:00+00:00"
        );
        for bad in [
            "+2020-01-01T00:00:00Z",
            "-0001-01-01T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "1899-12-31T23:59:59Z",
            "2101-01-01T00:00:00Z",
            "0000-01-01",
            "+2020-01-01",
            "2020-1-01T00:00:00Z",
            "2024-05-30T25:00:00Z",
            "2024-05-30T10:00:00",
            "yesterday",
            "",
        ] {
            let e = at(bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("date"), "{bad:?}");
        }
        // The year as written counts, not the UTC one: 1900-01-01 in Seoul is 1899 in UTC.
        assert!(at("1900-01-01T00:00:00+09:00").unwrap().is_some());
        assert!(at("2100-12-31T23:00:00-09:00").unwrap().is_some());
        assert!(opt_datetime("date", &json!(5)).is_err());
    }

    #[test]
    fn names_refuse_invisible_bidi_and_control_characters() {
        for good in [
            "김영희",
            "Kim Young-hee",
            "O'Brien",
            "이 서연",
            "김영희2",
            "José",
            "陳大文",
            "ㄱㅁㅇ",
        ] {
            assert_eq!(
                opt_name("name", &json!(good), 50).unwrap().as_deref(),
                Some(good)
            );
        }
        // Surrounding whitespace is trimmed as for any text; an empty name is no name.
        assert_eq!(
            opt_name("name", &json!("  김영희 "), 50)
                .unwrap()
                .as_deref(),
            Some("김영희")
        );
        assert_eq!(opt_name("name", &json!("   "), 50).unwrap(), None);
        assert!(required_name("name", Some(&json!("  ")), 50).is_err());

        let only_invisible = [
            "\u{200B}",
            "\u{200B}\u{200C}\u{200D}",
            "\u{FEFF}",
            "\u{2060}\u{2060}",
            "\u{3164}",
            "\u{3164}\u{3164}\u{3164}",
            "\u{115F}\u{1160}",
            "\u{FFA0}",
            "\u{00AD}",
            "\u{2800}",
            "\u{E0041}\u{E0042}",
            "\u{FE0F}",
            " \u{200B} ",
        ];
        let bidi = [
            "김영희\u{202E}",
            "\u{202E}희영김",
            "Kim\u{202A}x",
            "a\u{202B}b",
            "a\u{202C}b",
            "a\u{202D}b",
            "a\u{2066}b\u{2069}",
            "a\u{2067}b",
            "a\u{2068}b",
            "a\u{200E}b",
            "a\u{200F}b",
            "a\u{061C}b",
        ];
        let control = [
            "김\n영희",
            "김\t영희",
            "김\u{0}",
            "a\u{7}b",
            "a\u{1B}[31mb",
            "a\u{85}b",
            "a\u{9F}b",
        ];
        let invisible_inside = [
            "김\u{200B}영희",
            "김영\u{2063}희",
            "김영희\u{FEFF}",
            "김\u{034F}영희",
        ];
        let no_letter = ["---", "...", "\u{0301}", "·", "!!"];
        let all: Vec<&str> = only_invisible
            .iter()
            .chain(&bidi)
            .chain(&control)
            .chain(&invisible_inside)
            .chain(&no_letter)
            .copied()
            .collect();
        assert!(all.len() > 30);
        for bad in all {
            let e = opt_name("staff_name", &json!(bad), 50).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("staff_name"), "{bad:?}");
            assert_eq!(e.code, crate::ErrorCode::ValidationError);
            let e = required_name("name", Some(&json!(bad)), 50).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("name"), "{bad:?}");
        }
        let e = opt_name("name", &json!("a\u{202E}b"), 50).unwrap_err();
        assert_eq!(e.details["code_point"], "U+202E");
        assert!(e.message.contains("방향"));
        let e = opt_name("name", &json!("\u{3164}"), 50).unwrap_err();
        assert_eq!(e.details["code_point"], "U+3164");
        // Length and type rules still apply.
        assert!(opt_name("name", &json!("가".repeat(51)), 50).is_err());
        assert!(opt_name("name", &json!(7), 50).is_err());
    }

    #[test]
    fn every_bidi_control_is_also_invisible() {
        let bidi: Vec<char> = ('\u{0}'..='\u{10FFFF}')
            .filter(|c| is_bidi_control(*c))
            .collect();
        assert_eq!(bidi.len(), 12);
        assert!(bidi.iter().all(|c| is_invisible(*c)));
        // Nothing a Korean or Latin name is written with counts as invisible.
        let visible = ('가'..='힣')
            .chain('a'..='z')
            .chain('A'..='Z')
            .chain('ㄱ'..='ㅎ');
        assert!(visible.clone().count() > 11_000);
        assert!(visible.clone().all(|c| !is_invisible(c)));
    }

    #[test]
    fn unknown_keys_are_named() {
        let body = json!({"name": "a", "nmae": "b"});
        let e = reject_unknown(object(&body).unwrap(), &["name"], "").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("nmae"));
        assert!(object(&json!([1])).is_err());
    }
}
