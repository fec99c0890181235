//! Readers for fields of a JSON request body. Each one checks type, length and allowed values
//! and names the field in its error, so every endpoint reports bad input the same way.

use crate::error::{DomainError, DomainResult};
use chrono::NaiveDate;
use serde_json::{Map, Value};

fn type_error(field: &str, expected: &str, got: &Value) -> DomainError {
    DomainError::invalid(
        field,
        format!("{field} 항목은 {expected} 형식이어야 합니다"),
    )
    .with_details(serde_json::json!({ "expected": expected, "received_value": got }))
}

/// A body must be a JSON object; anything else is a validation error, not a crash.
pub fn object(body: &Value) -> DomainResult<&Map<String, Value>> {
    body.as_object()
        .ok_or_else(|| DomainError::invalid("body", "요청 본문은 JSON 객체여야 합니다"))
}

/// Rejects keys the endpoint does not know, so a typo never silently does nothing.
pub fn reject_unknown(obj: &Map<String, Value>, known: &[&str], prefix: &str) -> DomainResult<()> {
    for key in obj.keys() {
        if !known.contains(&key.as_str()) {
            let field = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            return Err(
                DomainError::invalid(&field, format!("알 수 없는 항목입니다: {field}"))
                    .with_details(serde_json::json!({ "allowed_fields": known })),
            );
        }
    }
    Ok(())
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
                return Err(DomainError::invalid(
                    field,
                    format!("{field} 항목은 최대 {max}자입니다"),
                )
                .with_details(
                    serde_json::json!({ "max_length": max, "received_length": t.chars().count() }),
                ));
            }
            if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                return Err(DomainError::invalid(
                    field,
                    format!("{field} 항목에 제어 문자를 쓸 수 없습니다"),
                ));
            }
            Ok(Some(t.to_string()))
        }
        other => Err(type_error(field, "문자열", other)),
    }
}

pub fn required_text(field: &str, v: Option<&Value>, max: usize) -> DomainResult<String> {
    match v.map(|v| opt_text(field, v, max)).transpose()?.flatten() {
        Some(s) => Ok(s),
        None => Err(DomainError::invalid(
            field,
            format!("{field} 항목은 필수입니다"),
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
        other => return Err(type_error(field, "배열", other)),
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
            _ => Err(DomainError::invalid(
                field,
                format!("{field} 항목은 {min}부터 {max}까지의 정수여야 합니다"),
            )
            .with_details(serde_json::json!({ "min": min, "max": max, "received_value": v }))),
        },
        other => Err(type_error(field, "정수", other)),
    }
}

pub fn opt_bool(field: &str, v: &Value) -> DomainResult<Option<bool>> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        other => Err(type_error(field, "true/false", other)),
    }
}

pub fn parse_date(field: &str, s: &str) -> DomainResult<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        DomainError::invalid(
            field,
            format!("{field} 항목은 YYYY-MM-DD 형식의 날짜여야 합니다"),
        )
        .with_details(serde_json::json!({ "received_value": s }))
    })
}

pub fn opt_date(field: &str, v: &Value) -> DomainResult<Option<NaiveDate>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => parse_date(field, s).map(Some),
        other => Err(type_error(field, "날짜(YYYY-MM-DD)", other)),
    }
}

/// An instant in RFC 3339; stored and returned in UTC.
pub fn opt_datetime(field: &str, v: &Value) -> DomainResult<Option<chrono::DateTime<chrono::Utc>>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|d| Some(d.with_timezone(&chrono::Utc)))
            .or_else(|_| {
                parse_date(field, s)
                    .map(|d| Some(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()))
            })
            .map_err(|_| {
                DomainError::invalid(
                    field,
                    format!("{field} 항목은 날짜/시각(RFC 3339) 형식이어야 합니다"),
                )
                .with_details(serde_json::json!({ "received_value": s }))
            }),
        other => Err(type_error(field, "날짜/시각", other)),
    }
}

/// Normalises a Korean phone number to `010-1234-5678` / `02-123-4567`.
pub fn normalize_phone(field: &str, raw: &str) -> DomainResult<String> {
    let digits: String = raw.chars().filter(|c| c.is_ascii_digit()).collect();
    let only_phone_chars = raw
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ' || c == '+');
    let bad = || {
        DomainError::invalid(
            field,
            "전화번호 형식이 올바르지 않습니다 (예: 010-1234-5678)",
        )
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
        Err(DomainError::invalid(
            field,
            "이메일 형식이 올바르지 않습니다 (예: name@example.com)",
        )
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
    fn unknown_keys_are_named() {
        let body = json!({"name": "a", "nmae": "b"});
        let e = reject_unknown(object(&body).unwrap(), &["name"], "").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("nmae"));
        assert!(object(&json!([1])).is_err());
    }
}
