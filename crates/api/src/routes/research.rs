//! The research library (seed 001 §4.3): doctors import PubMed XML or MEDLINE export files,
//! search the papers (filtered by an allergen, optionally with the allergens it cross-reacts
//! with) and ask questions answered with sentences extracted from the best papers.
//!
//! An import is read whole before anything is stored: a malformed file is refused with the
//! line of its first problem and nothing imported. A valid one is stored in one transaction by
//! a background job whose progress the UI polls — again all or nothing.

use crate::auth::{Authorized, HealthData};
use crate::body::{ImportBody, JsonBody};
use crate::envelope::{ok, respond, ApiError, ApiResult};
use crate::openapi::schemas::{
    ImportId, PaperId, ResearchImport, ResearchImportRequest, ResearchLibrary, ResearchPaper,
    ResearchQa, ResearchQaRequest, ResearchSearch, ResearchSearchRequest,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use clinicdesk_allergy::Knowledge;
use clinicdesk_domain::fields::{object, opt_bool, opt_int, reject_unknown};
use clinicdesk_domain::{DomainError, ErrorCode};
use clinicdesk_research::{self as research, Paper, Passage};
use clinicdesk_store::research::{self as store, FullText};
use clinicdesk_store::DbKind;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// How many finished imports the library remembers (this process's; the papers themselves,
/// and an audit event per import, are what last).
const KEEP_IMPORTS: usize = 20;

#[derive(Debug, Clone, Serialize)]
pub struct ImportJob {
    pub import_id: String,
    pub filename: String,
    /// `running`, `done` or `failed`.
    pub status: &'static str,
    pub total: usize,
    pub processed: usize,
    pub imported: usize,
    pub duplicates: usize,
    pub error: Option<String>,
    pub finished_at: Option<String>,
}

/// The imports of this process, newest first.
#[derive(Default)]
pub struct ImportJobs(Mutex<VecDeque<ImportJob>>);

impl ImportJobs {
    fn with<T>(&self, f: impl FnOnce(&mut VecDeque<ImportJob>) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn start(&self, job: ImportJob) {
        self.with(|jobs| {
            jobs.push_front(job);
            while jobs.len() > KEEP_IMPORTS {
                // Drop the oldest finished one; running imports stay.
                match jobs.iter().rposition(|j| j.status != "running") {
                    Some(i) => {
                        jobs.remove(i);
                    }
                    None => break,
                }
            }
        });
    }

    fn update(&self, id: &str, f: impl FnOnce(&mut ImportJob)) {
        self.with(|jobs| {
            if let Some(j) = jobs.iter_mut().find(|j| j.import_id == id) {
                f(j);
            }
        });
    }

    fn get(&self, id: &str) -> Option<ImportJob> {
        self.with(|jobs| jobs.iter().find(|j| j.import_id == id).cloned())
    }

    fn all(&self) -> Vec<ImportJob> {
        self.with(|jobs| jobs.iter().cloned().collect())
    }
}

/// 논문 가져오기 (import an export file)
///
/// PubMed XML(`.xml`)이나 MEDLINE(`.nbib`, `.txt`) 내보내기 파일의 글 전체를 `content`로
/// 보냅니다 (24 MB까지). 먼저 파일 전체를 읽어, 잘못된 곳이 있으면 422
/// `RESEARCH_IMPORT_INVALID`(`details.line`, `details.message`)로 아무것도 가져오지 않습니다.
/// 올바르면 202와 함께 가져오기를 시작하고, `GET /pro/research/imports/{import_id}`로 진행을
/// 봅니다. 이미 있는 논문(같은 PubMed id)은 그대로 두고 `duplicates`로 셉니다.
#[utoipa::path(post, path = "/pro/research/imports",
    request_body = ResearchImportRequest,
    responses((status = 202, body = ResearchImport)),
    extensions(("x-errors" = json!(["RESEARCH_IMPORT_INVALID", "PAYLOAD_TOO_LARGE"]))))]
pub async fn import(
    State(state): State<AppState>,
    user: Authorized<HealthData>,
    ImportBody(body): ImportBody,
) -> ApiResult {
    let obj = object(&body)?;
    reject_unknown(obj, &["filename", "content"], "")?;
    let filename = match obj.get("filename").and_then(Value::as_str).map(str::trim) {
        Some(f) if !f.is_empty() && f.chars().count() <= 200 => f.to_string(),
        _ => return Err(DomainError::invalid("filename", "파일 이름이 필요합니다").into()),
    };
    let Some(content) = obj.get("content").and_then(Value::as_str) else {
        return Err(DomainError::invalid("content", "파일 내용(글)이 필요합니다").into());
    };
    let content = content.to_string();
    // Parsing a large file is CPU work: off the async workers.
    let parsed = tokio::task::spawn_blocking(move || research::parse_export(&content))
        .await
        .map_err(|e| ApiError(DomainError::internal(e.to_string())))?;
    let papers = parsed.map_err(|e| {
        ApiError(
            DomainError::new(ErrorCode::ResearchImportInvalid)
                .with_message(format!(
                    "{filename} {}행: {} — 아무것도 가져오지 않았습니다",
                    e.line, e.message
                ))
                .with_details(json!({ "line": e.line, "message": e.message })),
        )
    })?;
    let id = clinicdesk_domain::ids::new_id();
    let job = ImportJob {
        import_id: id.clone(),
        filename: filename.clone(),
        status: "running",
        total: papers.len(),
        processed: 0,
        imported: 0,
        duplicates: 0,
        error: None,
        finished_at: None,
    };
    state.research_imports.start(job.clone());
    let (jobs, db, actor, now) = (
        state.research_imports.clone(),
        state.db.clone(),
        user.actor(),
        state.now_text(),
    );
    let engine = state.sync_engine.clone();
    let clock = state.clock.clone();
    tokio::spawn(async move {
        let outcome = store_papers(&db, &actor, &now, &jobs, &id, &filename, &papers).await;
        let finished = clinicdesk_store::timestamp(clock());
        jobs.update(&id, |j| {
            j.finished_at = Some(finished);
            match outcome {
                Ok(new) => {
                    j.status = "done";
                    j.imported = new;
                    j.duplicates = j.total - new;
                }
                Err(e) => {
                    tracing::error!(error = %e.0.message, import = %j.filename, "research import failed");
                    j.status = "failed";
                    j.processed = 0;
                    j.imported = 0;
                    j.error = Some(format!(
                        "저장하지 못해 아무것도 가져오지 않았습니다: {}",
                        e.0.message
                    ));
                }
            }
        });
        if let Some(engine) = engine {
            engine.nudge();
        }
    });
    Ok(respond(
        StatusCode::ACCEPTED,
        serde_json::to_value(&job).map_err(|e| ApiError(DomainError::internal(e.to_string())))?,
        "가져오기를 시작했습니다",
    ))
}

/// Stores an import's papers in one transaction (all or none), reporting progress.
async fn store_papers(
    db: &clinicdesk_store::Db,
    actor: &clinicdesk_store::Actor,
    now: &str,
    jobs: &Arc<ImportJobs>,
    id: &str,
    filename: &str,
    papers: &[Paper],
) -> Result<usize, ApiError> {
    let mut w = db.begin_write(actor, now).await?;
    let new = store::insert_papers(&mut w, papers, |processed, _| {
        jobs.update(id, |j| j.processed = processed);
    })
    .await?;
    w.audit(
        "research.import",
        "research_import",
        Some(id),
        json!({ "filename": filename, "papers": papers.len(), "new": new }),
    )
    .await?;
    w.commit().await?;
    Ok(new)
}

/// 가져오기 진행 (an import's progress)
#[utoipa::path(get, path = "/pro/research/imports/{import_id}",
    params(ImportId),
    responses((status = 200, body = ResearchImport)),
    extensions(("x-errors" = json!(["RESEARCH_IMPORT_NOT_FOUND"]))))]
pub async fn import_status(
    State(state): State<AppState>,
    _user: Authorized<HealthData>,
    Path(import_id): Path<String>,
) -> ApiResult {
    let job = state
        .research_imports
        .get(&import_id)
        .ok_or_else(|| ApiError::code(ErrorCode::ResearchImportNotFound))?;
    Ok(ok(serde_json::to_value(&job).map_err(|e| {
        ApiError(DomainError::internal(e.to_string()))
    })?))
}

/// 자료실 현황 (the library)
///
/// 논문 수와 이 서버(또는 PC)가 켜진 뒤의 최근 가져오기.
#[utoipa::path(get, path = "/pro/research/library",
    responses((status = 200, body = ResearchLibrary)))]
pub async fn library(State(state): State<AppState>, _user: Authorized<HealthData>) -> ApiResult {
    let mut conn = state.db.conn().await?;
    let total = store::count(&mut conn).await?;
    Ok(ok(json!({
        "total_papers": total,
        "recent_imports": state.research_imports.all(),
    })))
}

/// The English names by which papers name an allergen: its English name and its ASCII
/// aliases of letters and spaces (not "Ara h 2"-style component names, which tokenise into
/// noise).
fn english_names(k: &Knowledge, code: &str) -> Vec<String> {
    let Some(a) = k.allergen(code) else {
        return Vec::new();
    };
    let mut names = vec![a.name_en.clone()];
    names.extend(a.aliases.iter().cloned());
    let mut out: Vec<String> = names
        .into_iter()
        .map(|n| {
            // "Egg (hen's egg)" → "egg"; "Cow's milk" stays a phrase.
            let n = n.split('(').next().unwrap_or("").trim().to_lowercase();
            n.replace("'s", "")
        })
        .filter(|n| {
            n.len() >= 3
                && n.split_whitespace().count() <= 3
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c == ' ' || c == '-')
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The allergen filter's names: the allergen's own, and with `cross`, those of every allergen
/// it cross-reacts with.
fn allergen_terms(
    k: &Knowledge,
    raw: &str,
    cross: bool,
) -> Result<(String, Vec<String>), ApiError> {
    let a = k.resolve(raw).ok_or_else(|| {
        ApiError(DomainError::invalid(
            "allergen",
            format!("알 수 없는 항목입니다: {raw}"),
        ))
    })?;
    let mut terms = english_names(k, &a.code);
    if cross {
        for c in &a.cross_reactivity {
            terms.extend(english_names(k, &c.to));
        }
    }
    terms.sort();
    terms.dedup();
    Ok((a.code.clone(), terms))
}

/// The full-text query: the question's terms, and — when filtering by an allergen — one of its
/// names as well.
fn full_text(kind: DbKind, terms: &[String], filter: &[String]) -> Option<FullText> {
    match kind {
        DbKind::Sqlite => {
            let q = research::fts5_match(terms);
            let f = research::fts5_match(filter);
            let m = match (q, f) {
                (Some(q), Some(f)) => format!("({q}) AND ({f})"),
                (Some(q), None) => q,
                (None, Some(f)) => f,
                (None, None) => return None,
            };
            Some(FullText::Fts5(m))
        }
        DbKind::Postgres => {
            let q = research::pg_tsquery(terms);
            let f = research::pg_tsquery(filter);
            let m = match (q, f) {
                (Some(q), Some(f)) => format!("({q}) & ({f})"),
                (Some(q), None) => q,
                (None, Some(f)) => f,
                (None, None) => return None,
            };
            Some(FullText::TsQuery(m))
        }
    }
}

struct Query {
    text: String,
    allergen: Option<String>,
    cross: bool,
    limit: i64,
}

fn parse_query(
    body: &Value,
    text_field: &str,
    limit_field: &str,
    max: i64,
) -> Result<Query, ApiError> {
    let obj = object(body)?;
    reject_unknown(
        obj,
        &[
            text_field,
            "allergen",
            "include_cross_reactivity",
            limit_field,
        ],
        "",
    )?;
    let null = Value::Null;
    let text = match obj.get(text_field).and_then(Value::as_str).map(str::trim) {
        Some(t) if !t.is_empty() && t.chars().count() <= 500 => t.to_string(),
        _ => {
            return Err(DomainError::invalid(text_field, "1–500자로 적어 주세요").into());
        }
    };
    let allergen = match obj.get("allergen") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => return Err(DomainError::invalid("allergen", "항목 코드나 이름입니다").into()),
    };
    let cross = opt_bool(
        "include_cross_reactivity",
        obj.get("include_cross_reactivity").unwrap_or(&null),
    )?
    .unwrap_or(false);
    let limit =
        opt_int(limit_field, obj.get(limit_field).unwrap_or(&null), 1, max)?.unwrap_or(max.min(20));
    Ok(Query {
        text,
        allergen,
        cross,
        limit,
    })
}

fn paper_json(p: &Paper, score: Option<f64>) -> Value {
    let mut v = json!({
        "id": p.id,
        "pmid": p.pmid,
        "title": p.title,
        "authors": p.authors,
        "journal": p.journal,
        "year": p.year,
        "abstract": p.abstract_text,
        "doi": p.doi,
        "keywords": p.keywords,
    });
    if let Some(s) = score {
        v["score"] = json!(s);
    }
    v
}

/// 논문 검색 (search the library)
///
/// 질문의 낱말(한국어 낱말은 영어 용어로 바꿈)로 전문 검색합니다 (데스크톱 SQLite FTS5의 BM25,
/// 서버 PostgreSQL의 `ts_rank_cd`). `allergen`을 주면 그 항목의 영어 이름이 든 논문만, 그리고
/// `include_cross_reactivity: true`면 교차반응하는 항목의 이름이 든 논문도 찾습니다.
/// `score`는 가장 나은 논문을 1로 둔 상대 점수입니다.
#[utoipa::path(post, path = "/pro/research/search",
    request_body = ResearchSearchRequest,
    responses((status = 200, body = ResearchSearch)))]
pub async fn search(
    State(state): State<AppState>,
    user: Authorized<HealthData>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let q = parse_query(&body, "query", "max_results", 100)?;
    let k = state.knowledge.current(&state.db).await?;
    let (_, filter) = match &q.allergen {
        Some(a) => allergen_terms(&k, a, q.cross)?,
        None => (String::new(), Vec::new()),
    };
    let terms = research::search_terms(&q.text, &[]);
    let (found, total) = match full_text(state.db.kind, &terms, &filter) {
        Some(ft) => {
            let mut conn = state.db.conn().await?;
            store::search(&mut conn, &ft, q.limit).await?
        }
        None => (Vec::new(), 0),
    };
    let scores = research::display_scores(&found.iter().map(|(_, s)| *s).collect::<Vec<_>>());
    state
        .db
        .record_access(user.access(&state.now_text(), "research.search", "research", None))
        .await?;
    let mut expanded = terms.clone();
    for t in filter {
        if !expanded.contains(&t) {
            expanded.push(t);
        }
    }
    Ok(ok(json!({
        "success": true,
        "query": q.text,
        "total_found": total,
        "expanded_terms": expanded,
        "papers": found.iter().zip(scores).map(|((p, _), s)| paper_json(p, Some(s))).collect::<Vec<_>>(),
    })))
}

/// 질문하기 (question answering over the library)
///
/// 질문으로 찾은 가장 나은 논문들에서 질문의 낱말을 담은 문장을 뽑아 답합니다: 답은 논문의 문장
/// 그대로(영어)와 그 인용 번호이며, 지어낸 말은 없습니다. `confidence`는 찾은 근거(질문의 낱말을
/// 얼마나 덮는지, 몇 편이 뒷받침하는지, 검색 점수)를 반영합니다. 근거가 없으면 `answer`가
/// `null`이고 `message`가 그렇게 말합니다.
#[utoipa::path(post, path = "/pro/research/qa",
    request_body = ResearchQaRequest,
    responses((status = 200, body = ResearchQa)))]
pub async fn qa(
    State(state): State<AppState>,
    user: Authorized<HealthData>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let q = parse_query(&body, "question", "max_citations", 10)?;
    let k = state.knowledge.current(&state.db).await?;
    let (_, names) = match &q.allergen {
        Some(a) => allergen_terms(&k, a, q.cross)?,
        None => (String::new(), Vec::new()),
    };
    let terms = research::search_terms(&q.text, &[]);
    // The passages: papers matching the question's terms, the allergen's names counting as
    // evidence too (a question about "땅콩" matches papers saying "groundnut").
    let mut any: Vec<String> = terms.clone();
    any.extend(names.iter().cloned());
    let found = match full_text(state.db.kind, &any, &[]) {
        Some(ft) => {
            let mut conn = state.db.conn().await?;
            store::search(&mut conn, &ft, 20).await?.0
        }
        None => Vec::new(),
    };
    let passages: Vec<Passage> = found
        .iter()
        .map(|(p, s)| Passage::from_paper(p, *s))
        .collect();
    let answer = research::answer_with_expansions(&terms, &names, &passages, q.limit as usize);
    state
        .db
        .record_access(user.access(&state.now_text(), "research.qa", "research", None))
        .await?;
    let message = if answer.answer.is_some() {
        format!("문헌 {}편에서 근거를 찾았습니다", answer.citations.len())
    } else if passages.is_empty() {
        "자료실에서 이 질문과 관련된 논문을 찾지 못했습니다. 답할 근거가 없습니다".to_string()
    } else {
        "관련 논문은 있으나 질문에 답하는 문장을 찾지 못했습니다. 답할 근거가 없습니다".to_string()
    };
    Ok(ok(json!({
        "success": true,
        "question": q.text,
        "answer": answer.answer,
        "confidence": answer.confidence,
        "citations": answer.citations.iter().map(|c| json!({
            "paper_id": c.paper_id, "title": c.title, "excerpt": c.excerpt,
        })).collect::<Vec<_>>(),
        "message": message,
    })))
}

/// 논문 하나 (a paper)
#[utoipa::path(get, path = "/pro/research/papers/{id}",
    params(PaperId),
    responses((status = 200, body = ResearchPaper)),
    extensions(("x-errors" = json!(["PAPER_NOT_FOUND"]))))]
pub async fn paper(
    State(state): State<AppState>,
    _user: Authorized<HealthData>,
    Path(id): Path<String>,
) -> ApiResult {
    let mut conn = state.db.conn().await?;
    let p = store::get(&mut conn, &id)
        .await?
        .ok_or_else(|| ApiError::code(ErrorCode::PaperNotFound))?;
    Ok(ok(paper_json(&p, None)))
}
