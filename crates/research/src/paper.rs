//! The imported paper, the two export formats PubMed offers, and the all-or-nothing import
//! rule: a file becomes a list of papers only when every record in it is whole, otherwise
//! the import is refused with the 1-based line of the first problem, so staff can open the
//! file at that line, and the library never holds half a file.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One paper of the local library, as both export formats describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paper {
    /// `pubmed:<PMID>`: the id the API shows and cites.
    pub id: String,
    pub pmid: String,
    pub title: String,
    /// `Smith J` form (last name and initials), or a group's name as written.
    pub authors: Vec<String>,
    /// The ISO abbreviation when the record has one, else the journal's full title.
    pub journal: String,
    pub year: Option<i32>,
    /// The abstract's sections in order, joined by a space, each labelled section as
    /// `BACKGROUND: …` — the way MEDLINE writes them, so both formats give the same text.
    pub abstract_text: String,
    pub doi: Option<String>,
    /// MeSH descriptor names, then author keywords; first spelling kept, no repeats.
    pub keywords: Vec<String>,
    /// The record's language code as PubMed writes it (`eng`, `kor`).
    pub language: Option<String>,
}

/// The export formats PubMed's "Send to → File" offers that carry abstracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    PubmedXml,
    /// The tagged MEDLINE format; PubMed saves it as `.txt`, citation managers as `.nbib`.
    Medline,
}

/// Why an export file was refused. `line` is 1-based; `message` is Korean and says what is
/// wrong in words staff can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportError {
    pub line: usize,
    pub message: String,
}

impl ImportError {
    pub(crate) fn new(line: usize, message: impl Into<String>) -> ImportError {
        ImportError {
            line: line.max(1),
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}행: {}", self.line, self.message)
    }
}

impl std::error::Error for ImportError {}

/// Which format a file is in, from its first non-blank line: markup means PubMed XML (so a
/// broken XML file is still reported as XML, with its line), a `TAG - ` line means MEDLINE.
pub fn detect_format(text: &str) -> Option<Format> {
    let first = strip_bom(text).lines().find(|l| !l.trim().is_empty())?;
    let first = first.trim_start();
    if first.starts_with('<') {
        Some(Format::PubmedXml)
    } else if crate::medline::tag_of(first).is_some() {
        Some(Format::Medline)
    } else {
        None
    }
}

/// Detects the format and parses the whole file. A file with no record at all is refused
/// too: importing it would silently do nothing, which staff would read as success.
pub fn parse_export(text: &str) -> Result<Vec<Paper>, ImportError> {
    let papers = match detect_format(text) {
        Some(Format::PubmedXml) => crate::xml::parse_pubmed_xml(text)?,
        Some(Format::Medline) => crate::medline::parse_medline(text)?,
        None => {
            let line = strip_bom(text)
                .lines()
                .position(|l| !l.trim().is_empty())
                .map_or(1, |i| i + 1);
            let message = if strip_bom(text).trim().is_empty() {
                "빈 파일입니다. PubMed XML 또는 MEDLINE(.nbib/.txt) 내보내기 파일을 선택하세요."
            } else {
                "PubMed XML 또는 MEDLINE(.nbib/.txt) 내보내기 파일이 아닙니다. \
                 PubMed에서 'Send to → File'로 'PubMed' 또는 'XML' 형식을 선택해 저장하세요."
            };
            return Err(ImportError::new(line, message));
        }
    };
    if papers.is_empty() {
        return Err(ImportError::new(1, "파일에 논문 레코드가 하나도 없습니다."));
    }
    Ok(papers)
}

pub(crate) fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Field values as collected from either format, before the required fields are checked.
#[derive(Debug, Default)]
pub(crate) struct RawRecord {
    pub pmid: Option<String>,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub iso_abbreviation: Option<String>,
    pub journal_title: Option<String>,
    pub year: Option<i32>,
    pub abstract_sections: Vec<String>,
    pub doi: Option<String>,
    pub keywords: Vec<String>,
    pub language: Option<String>,
}

impl RawRecord {
    /// The finished paper, or what is missing. `line` is where the record starts, the line
    /// the error points at because the missing field has no line of its own.
    pub fn finish(self, line: usize, kind: &str) -> Result<Paper, ImportError> {
        let pmid = match self.pmid.filter(|p| !p.is_empty()) {
            Some(p) => p,
            None => {
                return Err(ImportError::new(
                    line,
                    format!(
                        "{kind} 레코드에 PMID가 없습니다. 이 레코드가 잘렸거나 편집된 것 같습니다."
                    ),
                ))
            }
        };
        if !pmid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ImportError::new(
                line,
                format!("PMID '{pmid}'가 숫자가 아닙니다."),
            ));
        }
        let title = match self.title.filter(|t| !t.is_empty()) {
            Some(t) => t,
            None => {
                return Err(ImportError::new(
                    line,
                    format!("PMID {pmid} 레코드에 제목이 없습니다."),
                ))
            }
        };
        Ok(Paper {
            id: format!("pubmed:{pmid}"),
            pmid,
            title,
            authors: self.authors,
            journal: self
                .iso_abbreviation
                .filter(|j| !j.is_empty())
                .or(self.journal_title)
                .unwrap_or_default(),
            year: self.year,
            abstract_text: self
                .abstract_sections
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
            doi: self.doi.filter(|d| !d.is_empty()),
            keywords: dedupe_case_insensitive(self.keywords),
            language: self.language.filter(|l| !l.is_empty()),
        })
    }
}

/// A PMID that appears twice in one file (PubMed does this when a search is exported in
/// pages that overlap) keeps its later version at its first position.
pub(crate) fn dedupe_papers(papers: Vec<Paper>) -> Vec<Paper> {
    let mut out: Vec<Paper> = Vec::with_capacity(papers.len());
    let mut at = std::collections::HashMap::new();
    for p in papers {
        match at.get(&p.pmid) {
            Some(&i) => out[i] = p,
            None => {
                at.insert(p.pmid.clone(), out.len());
                out.push(p);
            }
        }
    }
    out
}

fn dedupe_case_insensitive(items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .filter(|k| !k.is_empty() && seen.insert(k.to_lowercase()))
        .collect()
}

/// Runs of whitespace (line breaks of a wrapped field, indentation of pretty-printed XML)
/// become one space.
pub(crate) fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The year of a publication date in any of PubMed's spellings: `2023`, `2023 Jan`,
/// `2023 Jan-Feb`, `1998 Dec-1999 Jan`, `Winter 2021`: the first four-digit number.
pub(crate) fn year_of(date: &str) -> Option<i32> {
    let bytes = date.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 4 {
                return date[start..i]
                    .parse()
                    .ok()
                    .filter(|y| (1000..3000).contains(y));
            }
        } else {
            i += 1;
        }
    }
    None
}

/// `Smith J` from the parts of a personal name; initials are made from the fore name when
/// the record has none.
pub(crate) fn author_name(last: &str, initials: &str, fore: &str) -> String {
    let initials = if initials.is_empty() {
        fore.split(|c: char| c.is_whitespace() || c == '-' || c == '.')
            .filter_map(|part| part.chars().next())
            .filter(|c| c.is_alphabetic())
            .collect::<String>()
    } else {
        initials.replace(['.', ' '], "")
    };
    if initials.is_empty() {
        last.to_string()
    } else {
        format!("{last} {initials}")
    }
}

/// Line numbers of byte offsets, for both parsers' error reports.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_from_medline_dates() {
        assert_eq!(year_of("2023 Jan"), Some(2023));
        assert_eq!(year_of("1998 Dec-1999 Jan"), Some(1998));
        assert_eq!(year_of("Winter 2021"), Some(2021));
        assert_eq!(year_of("Spring"), None);
        assert_eq!(year_of("12345"), None);
    }

    #[test]
    fn author_names() {
        assert_eq!(author_name("Smith", "J", "John"), "Smith J");
        assert_eq!(author_name("Kim", "", "Min-Jung"), "Kim MJ");
        assert_eq!(author_name("Lee", "S. H.", ""), "Lee SH");
        assert_eq!(author_name("Plato", "", ""), "Plato");
    }

    #[test]
    fn line_index() {
        let idx = LineIndex::new("a\nbc\n\nd");
        assert_eq!(idx.line_of(0), 1);
        assert_eq!(idx.line_of(1), 1);
        assert_eq!(idx.line_of(2), 2);
        assert_eq!(idx.line_of(5), 3);
        assert_eq!(idx.line_of(6), 4);
    }

    #[test]
    fn detects_formats() {
        assert_eq!(
            detect_format("\u{feff}<?xml version=\"1.0\"?>"),
            Some(Format::PubmedXml)
        );
        assert_eq!(detect_format("\n\nPMID- 1\n"), Some(Format::Medline));
        assert_eq!(detect_format("title,authors\n"), None);
        assert_eq!(detect_format("   \n"), None);
    }

    #[test]
    fn unknown_or_empty_files_are_refused_at_their_first_line() {
        let err = parse_export("\n\ntitle,authors\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("PubMed XML"));
        let err = parse_export("").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("빈 파일"));
    }

    #[test]
    fn a_file_without_records_is_refused() {
        let err =
            parse_export("<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n</PubmedArticleSet>\n")
                .unwrap_err();
        assert!(err.message.contains("하나도 없습니다"), "{err}");
    }

    #[test]
    fn duplicate_pmids_keep_the_later_version_in_place() {
        let p = |pmid: &str, title: &str| Paper {
            id: format!("pubmed:{pmid}"),
            pmid: pmid.into(),
            title: title.into(),
            authors: vec![],
            journal: String::new(),
            year: None,
            abstract_text: String::new(),
            doi: None,
            keywords: vec![],
            language: None,
        };
        let out = dedupe_papers(vec![p("1", "old"), p("2", "b"), p("1", "new")]);
        assert_eq!(out, vec![p("1", "new"), p("2", "b")]);
    }
}
