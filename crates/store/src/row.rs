//! Small helpers for reading `Any` rows the same way on both databases.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::borrow::Cow;

pub fn text(row: &AnyRow, col: &str) -> Result<String, sqlx::Error> {
    row.try_get::<String, _>(col)
}

pub fn opt_text(row: &AnyRow, col: &str) -> Result<Option<String>, sqlx::Error> {
    row.try_get::<Option<String>, _>(col)
}

pub fn int(row: &AnyRow, col: &str) -> Result<i64, sqlx::Error> {
    row.try_get::<i64, _>(col)
}

pub fn opt_int(row: &AnyRow, col: &str) -> Result<Option<i64>, sqlx::Error> {
    row.try_get::<Option<i64>, _>(col)
}

pub fn flag(row: &AnyRow, col: &str) -> Result<bool, sqlx::Error> {
    Ok(int(row, col)? != 0)
}

pub fn list(row: &AnyRow, col: &str) -> Result<Vec<String>, sqlx::Error> {
    let raw = text(row, col)?;
    serde_json::from_str(&raw).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

pub fn date(row: &AnyRow, col: &str) -> Result<chrono::NaiveDate, sqlx::Error> {
    let raw = text(row, col)?;
    chrono::NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

pub fn opt_date(row: &AnyRow, col: &str) -> Result<Option<chrono::NaiveDate>, sqlx::Error> {
    match opt_text(row, col)? {
        None => Ok(None),
        Some(raw) => chrono::NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
            .map(Some)
            .map_err(|e| sqlx::Error::Decode(Box::new(e))),
    }
}

/// Text bind values for queries assembled at run time (`IN` lists).
#[derive(Debug, Default)]
pub struct Params(pub Vec<String>);

impl Params {
    /// Adds a value and returns its placeholder (`$n`).
    pub fn text(&mut self, v: impl Into<String>) -> String {
        self.0.push(v.into());
        format!("${}", self.0.len())
    }

    pub fn bind<'q>(
        &self,
        mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for p in &self.0 {
            q = q.bind(p.clone());
        }
        q
    }
}

/// `($a, $b, …)` for an `IN` list.
pub fn in_list(params: &mut Params, values: &[String]) -> String {
    let placeholders: Vec<String> = values.iter().map(|v| params.text(v.clone())).collect();
    format!("({})", placeholders.join(", "))
}

/// `($1, $2, …), ($n+1, …), …`: `rows` tuples of `columns` placeholders each, numbered in
/// order, for a multi-row `INSERT … VALUES`.
pub fn value_tuples(rows: usize, columns: usize) -> String {
    use std::fmt::Write;
    // Written into one string: a long pull builds this for every few hundred rows, and a
    // string per placeholder was a twentieth of its time.
    let mut out = String::with_capacity(rows * columns * 7);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 1..=columns {
            if c > 1 {
                out.push_str(", ");
            }
            // Writing to a String cannot fail.
            let _ = write!(out, "${}", r * columns + c);
        }
        out.push(')');
    }
    out
}

/// `sql` with its `$1, $2, …` placeholders as SQLite's anonymous `?` when `conn` is SQLite and
/// they appear once each, in order (else `sql` unchanged).
///
/// Why: sqlx binds a numbered parameter by asking SQLite its name, a linear search of the
/// statement's parameter list, so a statement of n numbered parameters costs n² — a third of
/// a long pull's CPU time in statements of 1,000+ parameters. Anonymous ones bind in order.
pub fn positional<'a>(conn: &AnyConnection, sql: &'a str) -> Cow<'a, str> {
    let kind = if conn.backend_name() == "SQLite" {
        crate::DbKind::Sqlite
    } else {
        crate::DbKind::Postgres
    };
    positional_for(kind, sql)
}

/// [`positional`] for a database of `kind` (a statement built before its connection is).
pub fn positional_for(kind: crate::DbKind, sql: &str) -> Cow<'_, str> {
    if kind != crate::DbKind::Sqlite {
        return Cow::Borrowed(sql);
    }
    anonymous_placeholders(sql).map_or(Cow::Borrowed(sql), Cow::Owned)
}

fn anonymous_placeholders(sql: &str) -> Option<String> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut expected = 1u64;
    let mut quote: Option<u8> = None;
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if b == b'$' => {
                let digits = bytes[i + 1..]
                    .iter()
                    .take_while(|d| d.is_ascii_digit())
                    .count();
                if digits > 0 {
                    let n: u64 = sql[i + 1..i + 1 + digits].parse().ok()?;
                    if n != expected {
                        return None;
                    }
                    expected += 1;
                    out.push_str(&sql[copied..i]);
                    out.push('?');
                    i += 1 + digits;
                    copied = i;
                    continue;
                }
            }
            None => {}
        }
        i += 1;
    }
    out.push_str(&sql[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_in_order_become_anonymous() {
        use super::anonymous_placeholders as anon;
        assert_eq!(
            anon("INSERT INTO t VALUES ($1, CAST($2 AS INTEGER)), ($3, $4)").as_deref(),
            Some("INSERT INTO t VALUES (?, CAST(? AS INTEGER)), (?, ?)")
        );
        // Text and identifiers are left alone.
        assert_eq!(
            anon("SELECT '$1', \"$x\" FROM t WHERE a = $1").as_deref(),
            Some("SELECT '$1', \"$x\" FROM t WHERE a = ?")
        );
        assert_eq!(anon("SELECT 1").as_deref(), Some("SELECT 1"));
        // Out of order or used twice: left numbered.
        assert_eq!(anon("SELECT $2, $1"), None);
        assert_eq!(anon("SELECT $1 WHERE a = $1"), None);
    }

    #[test]
    fn value_tuples_number_every_cell_in_order() {
        assert_eq!(super::value_tuples(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::value_tuples(1, 1), "($1)");
        assert_eq!(super::value_tuples(0, 4), "");
    }
}
