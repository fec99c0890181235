//! Multi-row `INSERT … VALUES (…), (…)` with the bind count per statement kept well under
//! SQLite's (32,766) and PostgreSQL's (65,535) limits.
//!
//! The one place the two databases differ: SQLite gets anonymous `?` placeholders instead of
//! the portable `$n`, because SQLite resolves a named parameter's name with a linear scan, so
//! binding a statement with thousands of `$n` parameters costs O(n²) (it was 70 % of the load
//! time with `$n`).

use clinicdesk_store::DbKind;
use sqlx::AnyConnection;

/// Binds per statement. Full batches reuse one cached prepared statement.
const MAX_BINDS: usize = 8_000;
const MAX_ROWS: usize = 500;

pub enum Val {
    Text(Option<String>),
    Int(Option<i64>),
}

impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::Text(Some(v))
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Val {
        Val::Text(Some(v.to_string()))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Val {
        Val::Text(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::Int(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Val {
        Val::Int(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Val {
        Val::Int(Some(v as i64))
    }
}

/// Rows waiting to be inserted into one table.
pub struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    values: Vec<Val>,
}

impl Table {
    pub fn new(name: &'static str, columns: &'static [&'static str]) -> Table {
        Table {
            name,
            columns,
            values: Vec::new(),
        }
    }

    pub fn row(&mut self, values: Vec<Val>) {
        assert_eq!(
            values.len(),
            self.columns.len(),
            "row width for {}",
            self.name
        );
        self.values.extend(values);
    }

    pub fn len(&self) -> usize {
        self.values.len() / self.columns.len()
    }

    fn statement(&self, kind: DbKind, rows: usize) -> String {
        let width = self.columns.len();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            self.name,
            self.columns.join(", ")
        );
        let mut n = 0;
        for r in 0..rows {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..width {
                if c > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                match kind {
                    DbKind::Sqlite => sql.push('?'),
                    DbKind::Postgres => {
                        sql.push('$');
                        sql.push_str(&n.to_string());
                    }
                }
            }
            sql.push(')');
        }
        sql
    }

    /// Inserts every pending row and empties the table.
    pub async fn flush(
        &mut self,
        kind: DbKind,
        conn: &mut AnyConnection,
    ) -> Result<(), sqlx::Error> {
        let width = self.columns.len();
        let per_statement = (MAX_BINDS / width).clamp(1, MAX_ROWS);
        let full = self.statement(kind, per_statement);
        let mut values = std::mem::take(&mut self.values).into_iter();
        let mut left = values.len() / width;
        while left > 0 {
            let rows = left.min(per_statement);
            let partial;
            let sql: &str = if rows == per_statement {
                &full
            } else {
                partial = self.statement(kind, rows);
                &partial
            };
            let mut q = sqlx::query(sql);
            for v in values.by_ref().take(rows * width) {
                q = match v {
                    Val::Text(t) => q.bind(t),
                    Val::Int(i) => q.bind(i),
                };
            }
            q.execute(&mut *conn).await?;
            left -= rows;
        }
        Ok(())
    }
}
