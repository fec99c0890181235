//! The research library's papers and their full-text search: SQLite's FTS5 index (BM25) on a
//! desktop, PostgreSQL's `tsvector` (`ts_rank_cd`) on a central server. The query text is built
//! by `clinicdesk_research` (`fts5_match`, `pg_tsquery`); this module only runs it.

use crate::row;
use crate::{DbKind, StoreResult, WriteTx};
use clinicdesk_research::Paper;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

const COLUMNS: &str =
    "p.id, p.pmid, p.title, p.authors, p.journal, p.year, p.abstract, p.doi, p.keywords, p.language";

fn paper_from(r: &AnyRow) -> Result<Paper, sqlx::Error> {
    let list = |c: &str| -> Result<Vec<String>, sqlx::Error> { row::list(r, c) };
    Ok(Paper {
        id: row::text(r, "id")?,
        pmid: row::text(r, "pmid")?,
        title: row::text(r, "title")?,
        authors: list("authors")?,
        journal: row::text(r, "journal")?,
        year: row::opt_int(r, "year")?.and_then(|y| i32::try_from(y).ok()),
        abstract_text: row::text(r, "abstract")?,
        doi: row::opt_text(r, "doi")?,
        keywords: list("keywords")?,
        language: row::opt_text(r, "language")?,
    })
}

/// Adds `papers` to the library; a paper already in it (the same PubMed id) is left as it is.
/// Returns how many were new. `progress` is told after every paper.
pub async fn insert_papers(
    w: &mut WriteTx,
    papers: &[Paper],
    mut progress: impl FnMut(usize, usize),
) -> StoreResult<usize> {
    let by = w.actor().user_id.clone();
    let now = w.now().to_string();
    let mut new = 0;
    for (i, p) in papers.iter().enumerate() {
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        let inserted = sqlx::query(
            "INSERT INTO research_papers (id, pmid, title, authors, journal, year, abstract, doi, keywords, \
             language, imported_by, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(p.id.clone())
        .bind(p.pmid.clone())
        .bind(p.title.clone())
        .bind(json(&p.authors))
        .bind(p.journal.clone())
        .bind(p.year.map(i64::from))
        .bind(p.abstract_text.clone())
        .bind(p.doi.clone())
        .bind(json(&p.keywords))
        .bind(p.language.clone())
        .bind(by.clone())
        .bind(now.clone())
        .execute(w.conn())
        .await?
        .rows_affected()
            > 0;
        if inserted {
            w.change("research_paper", &p.id).await?;
            new += 1;
        }
        progress(i + 1, new);
    }
    Ok(new)
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> StoreResult<Option<Paper>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM research_papers p WHERE p.id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(paper_from).transpose()?)
}

pub async fn count(conn: &mut AnyConnection) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM research_papers")
        .fetch_one(conn)
        .await?)
}

/// What to search for, as each database's full-text query language says it.
pub enum FullText {
    /// An FTS5 `MATCH` expression.
    Fts5(String),
    /// `to_tsquery('english', …)` input.
    TsQuery(String),
}

impl FullText {
    pub fn kind(&self) -> DbKind {
        match self {
            FullText::Fts5(_) => DbKind::Sqlite,
            FullText::TsQuery(_) => DbKind::Postgres,
        }
    }
}

/// The best `limit` papers for `query` (higher score is better), and how many match in all.
pub async fn search(
    conn: &mut AnyConnection,
    query: &FullText,
    limit: i64,
) -> StoreResult<(Vec<(Paper, f64)>, i64)> {
    let (sql, total_sql, text) = match query {
        // BM25 is lower-is-better; weights: title 10, abstract 1, keywords 3.
        FullText::Fts5(m) => (
            format!(
                "SELECT {COLUMNS}, -bm25(research_fts, 10.0, 1.0, 3.0) AS score FROM research_fts \
                 JOIN research_papers p ON p.rowid = research_fts.rowid \
                 WHERE research_fts MATCH $1 ORDER BY score DESC, p.id LIMIT $2"
            ),
            "SELECT COUNT(*) FROM research_fts WHERE research_fts MATCH $1".to_string(),
            m,
        ),
        FullText::TsQuery(q) => (
            format!(
                "SELECT {COLUMNS}, CAST(ts_rank_cd(p.search, to_tsquery('english', $1)) AS DOUBLE PRECISION) AS score \
                 FROM research_papers p WHERE p.search @@ to_tsquery('english', $1) \
                 ORDER BY score DESC, p.id LIMIT $2"
            ),
            "SELECT COUNT(*) FROM research_papers p WHERE p.search @@ to_tsquery('english', $1)"
                .to_string(),
            q,
        ),
    };
    let total: i64 = sqlx::query_scalar(&total_sql)
        .bind(text.clone())
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query(&sql)
        .bind(text.clone())
        .bind(limit)
        .fetch_all(conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let score: f64 = sqlx::Row::try_get(r, "score")?;
        out.push((paper_from(r)?, score));
    }
    Ok((out, total))
}
