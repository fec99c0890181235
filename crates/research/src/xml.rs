//! PubMed XML (`PubmedArticleSet`): a pull parser walks the file once, keeps the path of open
//! elements, and collects the fields of each `PubmedArticle` (and `PubmedBookArticle`, which
//! PubMed mixes into the same export) by their path below the record. Any XML error, and any
//! record without PMID or title, refuses the whole file with its line.

use crate::paper::{
    author_name, collapse_ws, dedupe_papers, strip_bom, year_of, ImportError, LineIndex, Paper,
    RawRecord,
};
use quick_xml::errors::{Error as XmlError, IllFormedError, SyntaxError};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// Parses a PubMed XML export. See [`crate::parse_export`] for the all-or-nothing rule.
pub fn parse_pubmed_xml(text: &str) -> Result<Vec<Paper>, ImportError> {
    // The BOM sits on line 1, so dropping it shifts byte offsets but no line number.
    let body = strip_bom(text);
    let lines = LineIndex::new(body);
    let mut reader = Reader::from_str(body);
    let mut state = State::default();
    loop {
        // Whitespace between tags comes as its own text event, so the position before an
        // event is where its markup starts: the line a start tag is reported at.
        let at = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            let line = lines.line_of(reader.error_position() as usize);
            ImportError::new(line, xml_error_message(&e))
        })?;
        let line = lines.line_of(at);
        match event {
            Event::Start(e) => state.open(&e, line)?,
            Event::Empty(e) => {
                state.open(&e, line)?;
                state.close()?;
            }
            Event::End(_) => state.close()?,
            Event::Text(t) => state.text(&t.xml10_content()),
            Event::CData(t) => state.text(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    Ok(None) => predefined_entity(&r.xml10_content()),
                    Err(_) => None,
                };
                match resolved {
                    Some(c) => state.text(c.encode_utf8(&mut [0; 4])),
                    None => {
                        return Err(ImportError::new(
                            line,
                            format!(
                                "알 수 없는 XML 엔티티 '&{};'가 있습니다.",
                                r.xml10_content()
                            ),
                        ))
                    }
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some((name, line)) = state.open.last() {
        return Err(ImportError::new(
            *line,
            format!(
                "<{name}> 태그가 닫히지 않은 채 파일이 끝났습니다. 파일이 잘렸는지 확인하세요."
            ),
        ));
    }
    Ok(dedupe_papers(state.papers))
}

fn predefined_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

fn xml_error_message(e: &XmlError) -> String {
    let what = match e {
        XmlError::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            format!("닫는 태그 </{found}>가 열린 태그 <{expected}>와 맞지 않습니다.")
        }
        XmlError::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
            format!("열린 적 없는 태그를 닫는 </{name}>가 있습니다.")
        }
        XmlError::IllFormed(IllFormedError::UnclosedReference) => {
            "'&' 뒤의 엔티티가 ';'로 끝나지 않습니다 (본문의 &는 &amp;로 써야 합니다).".to_string()
        }
        XmlError::Syntax(SyntaxError::UnclosedTag) => {
            "태그가 '>'로 닫히지 않은 채 파일이 끝났습니다.".to_string()
        }
        XmlError::Syntax(SyntaxError::UnclosedComment) => {
            "주석이 '-->'로 닫히지 않았습니다.".to_string()
        }
        XmlError::Syntax(_) | XmlError::IllFormed(_) | XmlError::InvalidAttr(_) => {
            format!("XML 구문이 잘못되었습니다 ({e}).")
        }
        _ => format!("XML을 읽을 수 없습니다 ({e})."),
    };
    format!("PubMed XML 형식 오류: {what}")
}

/// Which field of the record an element's text fills.
#[derive(Debug, Clone, PartialEq)]
enum Field {
    Pmid,
    Title,
    VernacularTitle,
    BookTitle,
    /// An `AbstractText`, with its `Label` attribute.
    Section(Option<String>),
    LastName,
    ForeName,
    Initials,
    CollectiveName,
    IsoAbbreviation,
    MedlineTa,
    JournalTitle,
    PubYear,
    MedlineDate,
    ArticleYear,
    /// `ELocationID EIdType="doi"`: the publisher's DOI, preferred.
    ElocationDoi,
    /// `ArticleId IdType="doi"` in PubmedData: the fallback.
    ArticleIdDoi,
    Mesh,
    Keyword,
    Language,
}

/// The fields of one record in the order they are met, before precedence is applied.
#[derive(Debug, Default)]
struct XmlRecord {
    line: usize,
    book: bool,
    pmid: Option<String>,
    title: Option<String>,
    vernacular_title: Option<String>,
    book_title: Option<String>,
    sections: Vec<String>,
    authors: Vec<String>,
    iso: Option<String>,
    medline_ta: Option<String>,
    journal_title: Option<String>,
    pub_year: Option<i32>,
    medline_date_year: Option<i32>,
    article_year: Option<i32>,
    elocation_doi: Option<String>,
    article_id_doi: Option<String>,
    mesh: Vec<String>,
    keywords: Vec<String>,
    language: Option<String>,
}

impl XmlRecord {
    fn finish(self) -> Result<Paper, ImportError> {
        let kind = if self.book {
            "PubmedBookArticle"
        } else {
            "PubmedArticle"
        };
        // A title PubMed could not give in English is "[Not Available]." with the original
        // in VernacularTitle; a whole-book record has only the book's title.
        let title = self
            .title
            .filter(|t| !t.is_empty() && !t.starts_with("[Not Available]"))
            .or(self.vernacular_title)
            .or_else(|| self.book_title.clone());
        let raw = RawRecord {
            pmid: self.pmid,
            title,
            authors: self.authors,
            iso_abbreviation: self.iso.or(self.medline_ta),
            journal_title: self.journal_title.or(self.book_title),
            year: self
                .pub_year
                .or(self.medline_date_year)
                .or(self.article_year),
            abstract_sections: self.sections,
            doi: self.elocation_doi.or(self.article_id_doi),
            keywords: self.mesh.into_iter().chain(self.keywords).collect(),
            language: self.language,
        };
        raw.finish(self.line, kind)
    }

    fn set(&mut self, field: Field, value: String) {
        fn first(slot: &mut Option<String>, value: String) {
            if slot.is_none() && !value.is_empty() {
                *slot = Some(value);
            }
        }
        match field {
            Field::Pmid => first(&mut self.pmid, value),
            Field::Title => first(&mut self.title, value),
            Field::VernacularTitle => first(&mut self.vernacular_title, value),
            Field::BookTitle => first(&mut self.book_title, value),
            Field::Section(label) => {
                if value.is_empty() {
                    return;
                }
                // MEDLINE writes labelled sections as "LABEL: text"; so do we.
                self.sections.push(match label {
                    Some(l) if !l.is_empty() => format!("{l}: {value}"),
                    _ => value,
                });
            }
            Field::IsoAbbreviation => first(&mut self.iso, value),
            Field::MedlineTa => first(&mut self.medline_ta, value),
            Field::JournalTitle => first(&mut self.journal_title, value),
            Field::PubYear => self.pub_year = self.pub_year.or(year_of(&value)),
            Field::MedlineDate => {
                self.medline_date_year = self.medline_date_year.or(year_of(&value))
            }
            Field::ArticleYear => self.article_year = self.article_year.or(year_of(&value)),
            Field::ElocationDoi => first(&mut self.elocation_doi, value),
            Field::ArticleIdDoi => first(&mut self.article_id_doi, value),
            Field::Mesh => self.mesh.push(value),
            Field::Keyword => self.keywords.push(value),
            Field::Language => first(&mut self.language, value),
            // Author parts are kept by the walker until the Author element closes.
            Field::LastName | Field::ForeName | Field::Initials | Field::CollectiveName => {}
        }
    }
}

#[derive(Debug, Default)]
struct AuthorParts {
    depth: usize,
    last: String,
    fore: String,
    initials: String,
    collective: String,
}

#[derive(Debug)]
struct Capture {
    field: Field,
    depth: usize,
    buf: String,
}

#[derive(Debug, Default)]
struct State {
    /// Open elements with the line of their start tag, for the "not closed" report.
    open: Vec<(String, usize)>,
    saw_root: bool,
    /// The record being read and the depth of its element.
    record: Option<(XmlRecord, usize)>,
    author: Option<AuthorParts>,
    capture: Option<Capture>,
    papers: Vec<Paper>,
}

impl State {
    fn open(&mut self, e: &BytesStart<'_>, line: usize) -> Result<(), ImportError> {
        let name = e.name().0.to_string();
        if !self.saw_root {
            self.saw_root = true;
            if name != "PubmedArticleSet" {
                return Err(ImportError::new(
                    line,
                    format!(
                        "PubMed XML 내보내기 파일이 아닙니다: 최상위 요소가 <{name}>입니다 \
                         (<PubmedArticleSet>이어야 합니다)."
                    ),
                ));
            }
        }
        self.open.push((name, line));
        let depth = self.open.len();
        let Some(record_depth) = self.record.as_ref().map(|(_, d)| *d) else {
            let name = &self.open[depth - 1].0;
            if name == "PubmedArticle" || name == "PubmedBookArticle" {
                let record = XmlRecord {
                    line,
                    book: name == "PubmedBookArticle",
                    ..XmlRecord::default()
                };
                self.record = Some((record, depth));
            }
            return Ok(());
        };
        if self.capture.is_some() {
            // Markup inside a captured field (<i>, <sup>, <b>) only carries its text.
            return Ok(());
        }
        let path: Vec<&str> = self.open[record_depth..]
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        let attr = |key: &str| -> Option<String> {
            e.try_get_attribute(key)
                .ok()
                .flatten()
                .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok())
                .map(|v| v.trim().to_string())
        };
        let field = match path.as_slice() {
            ["MedlineCitation" | "BookDocument", "PMID"] => Some(Field::Pmid),
            ["MedlineCitation", "Article", "ArticleTitle"] | ["BookDocument", "ArticleTitle"] => {
                Some(Field::Title)
            }
            ["MedlineCitation", "Article", "VernacularTitle"] => Some(Field::VernacularTitle),
            ["BookDocument", "Book", "BookTitle"] => Some(Field::BookTitle),
            ["MedlineCitation", "Article", "Abstract", "AbstractText"]
            | ["BookDocument", "Abstract", "AbstractText"] => {
                Some(Field::Section(attr("Label").map(|l| collapse_ws(&l))))
            }
            ["MedlineCitation", "Article", "AuthorList", "Author"]
            | ["BookDocument", "AuthorList", "Author"] => {
                self.author = Some(AuthorParts {
                    depth,
                    ..AuthorParts::default()
                });
                None
            }
            ["MedlineCitation", "Article", "AuthorList", "Author", part]
            | ["BookDocument", "AuthorList", "Author", part] => match *part {
                "LastName" => Some(Field::LastName),
                "ForeName" => Some(Field::ForeName),
                "Initials" => Some(Field::Initials),
                "CollectiveName" => Some(Field::CollectiveName),
                _ => None,
            },
            ["MedlineCitation", "Article", "Journal", "ISOAbbreviation"] => {
                Some(Field::IsoAbbreviation)
            }
            ["MedlineCitation", "MedlineJournalInfo", "MedlineTA"] => Some(Field::MedlineTa),
            ["MedlineCitation", "Article", "Journal", "Title"] => Some(Field::JournalTitle),
            ["MedlineCitation", "Article", "Journal", "JournalIssue", "PubDate", "Year"]
            | ["BookDocument", "Book", "PubDate", "Year"] => Some(Field::PubYear),
            ["MedlineCitation", "Article", "Journal", "JournalIssue", "PubDate", "MedlineDate"] => {
                Some(Field::MedlineDate)
            }
            ["MedlineCitation", "Article", "ArticleDate", "Year"] => Some(Field::ArticleYear),
            ["MedlineCitation", "Article", "ELocationID"] => {
                let is_doi = attr("EIdType").is_some_and(|t| t.eq_ignore_ascii_case("doi"));
                let valid = attr("ValidYN").is_none_or(|v| v != "N");
                (is_doi && valid).then_some(Field::ElocationDoi)
            }
            ["PubmedData" | "PubmedBookData", "ArticleIdList", "ArticleId"]
            | ["BookDocument", "ArticleIdList", "ArticleId"] => attr("IdType")
                .is_some_and(|t| t.eq_ignore_ascii_case("doi"))
                .then_some(Field::ArticleIdDoi),
            ["MedlineCitation", "MeshHeadingList", "MeshHeading", "DescriptorName"] => {
                Some(Field::Mesh)
            }
            ["MedlineCitation" | "BookDocument", "KeywordList", "Keyword"] => Some(Field::Keyword),
            ["MedlineCitation", "Article", "Language"] | ["BookDocument", "Language"] => {
                Some(Field::Language)
            }
            _ => None,
        };
        if let Some(field) = field {
            self.capture = Some(Capture {
                field,
                depth,
                buf: String::new(),
            });
        }
        Ok(())
    }

    fn text(&mut self, s: &str) {
        if let Some(c) = &mut self.capture {
            c.buf.push_str(s);
        }
    }

    fn close(&mut self) -> Result<(), ImportError> {
        let depth = self.open.len();
        if self.capture.as_ref().is_some_and(|c| c.depth == depth) {
            if let Some(c) = self.capture.take() {
                let value = collapse_ws(&c.buf);
                match (&mut self.author, c.field) {
                    (Some(a), Field::LastName) => a.last = value,
                    (Some(a), Field::ForeName) => a.fore = value,
                    (Some(a), Field::Initials) => a.initials = value,
                    (Some(a), Field::CollectiveName) => a.collective = value,
                    (_, field) => {
                        if let Some((record, _)) = &mut self.record {
                            record.set(field, value);
                        }
                    }
                }
            }
        }
        if self.author.as_ref().is_some_and(|a| a.depth == depth) {
            if let (Some(a), Some((record, _))) = (self.author.take(), &mut self.record) {
                let name = if !a.last.is_empty() {
                    author_name(&a.last, &a.initials, &a.fore)
                } else {
                    a.collective
                };
                if !name.is_empty() {
                    record.authors.push(name);
                }
            }
        }
        if self.record.as_ref().is_some_and(|(_, d)| *d == depth) {
            if let Some((record, _)) = self.record.take() {
                self.papers.push(record.finish()?);
            }
        }
        self.open.pop();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrap(records: &str) -> String {
        format!("<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n{records}\n</PubmedArticleSet>\n")
    }

    #[test]
    fn inline_markup_and_entities_keep_their_text() {
        let xml = wrap(
            "<PubmedArticle><MedlineCitation><PMID Version=\"1\">90000100</PMID><Article>\
             <ArticleTitle>IgE to <i>Ara h</i>&#160;2 &amp; &#x3b2;-lactoglobulin</ArticleTitle>\
             <Abstract><AbstractText>Tolerance &lt; 1 mg.</AbstractText>\
             <AbstractText Label=\"\"/></Abstract>\
             </Article></MedlineCitation></PubmedArticle>",
        );
        let papers = parse_pubmed_xml(&xml).unwrap();
        // The no-break space is whitespace like any other: one space.
        assert_eq!(papers[0].title, "IgE to Ara h 2 & β-lactoglobulin");
        assert_eq!(papers[0].abstract_text, "Tolerance < 1 mg.");
    }

    #[test]
    fn reference_pmids_do_not_replace_the_records_own() {
        let xml = wrap(
            "<PubmedArticle><MedlineCitation><PMID>90000101</PMID><Article>\
             <ArticleTitle>T.</ArticleTitle></Article>\
             <CommentsCorrectionsList><CommentsCorrections><PMID>1</PMID>\
             </CommentsCorrections></CommentsCorrectionsList></MedlineCitation>\
             <PubmedData><ArticleIdList><ArticleId IdType=\"pubmed\">90000101</ArticleId>\
             <ArticleId IdType=\"doi\">10.9999/fallback</ArticleId></ArticleIdList>\
             </PubmedData></PubmedArticle>",
        );
        let papers = parse_pubmed_xml(&xml).unwrap();
        assert_eq!(papers[0].pmid, "90000101");
        assert_eq!(papers[0].doi.as_deref(), Some("10.9999/fallback"));
    }

    #[test]
    fn other_xml_is_not_pubmed() {
        let err = parse_pubmed_xml("<?xml version=\"1.0\"?>\n\n<eSearchResult/>").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("PubmedArticleSet"), "{err}");
    }

    #[test]
    fn a_truncated_file_points_at_the_unclosed_element() {
        let xml = "<PubmedArticleSet>\n<PubmedArticle>\n<MedlineCitation>\n<PMID>1</PMID>\n";
        let err = parse_pubmed_xml(xml).unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(err.message.contains("MedlineCitation"), "{err}");
    }

    #[test]
    fn an_unknown_entity_is_refused_at_its_line() {
        let xml = wrap("<PubmedArticle><MedlineCitation><PMID>1</PMID><Article>\n\
                        <ArticleTitle>A &nbsp; B</ArticleTitle></Article></MedlineCitation></PubmedArticle>");
        let err = parse_pubmed_xml(&xml).unwrap_err();
        assert_eq!(err.line, 4, "{err}");
        assert!(err.message.contains("&nbsp;"), "{err}");
    }

    #[test]
    fn a_book_article_is_read_too() {
        let xml = wrap(
            "<PubmedBookArticle><BookDocument><PMID>90000102</PMID>\
             <ArticleIdList><ArticleId IdType=\"doi\">10.9999/book</ArticleId></ArticleIdList>\
             <Book><BookTitle>Fixture Handbook of Food Allergy</BookTitle>\
             <PubDate><Year>2020</Year></PubDate></Book>\
             <ArticleTitle>Peanut</ArticleTitle><Language>eng</Language>\
             <AuthorList Type=\"authors\"><Author><LastName>Doe</LastName>\
             <ForeName>Jane Q</ForeName></Author></AuthorList>\
             <Abstract><AbstractText>Peanut is a legume.</AbstractText></Abstract>\
             </BookDocument></PubmedBookArticle>",
        );
        let p = &parse_pubmed_xml(&xml).unwrap()[0];
        assert_eq!(p.title, "Peanut");
        assert_eq!(p.journal, "Fixture Handbook of Food Allergy");
        assert_eq!(p.year, Some(2020));
        assert_eq!(p.authors, vec!["Doe JQ"]);
        assert_eq!(p.doi.as_deref(), Some("10.9999/book"));
    }
}
