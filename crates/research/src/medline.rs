//! The tagged MEDLINE format (PubMed's "PubMed" export, saved as `.txt`; `.nbib` from
//! citation managers): `TAG - value` lines whose tag is padded to four characters,
//! continuation lines indented by six spaces, records separated by blank lines. The format
//! has no other kind of line, so anything else means the file was edited or is something
//! else, and the import is refused at that line rather than guessing.

use crate::paper::{
    author_name, collapse_ws, dedupe_papers, strip_bom, year_of, ImportError, Paper, RawRecord,
};

/// Splits `TAG - value` (tag of 1–4 upper-case letters or digits, padded to four) into its
/// tag and value.
pub(crate) fn tag_of(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    if b.len() < 5 || b[4] != b'-' || (b.len() > 5 && b[5] != b' ') {
        return None;
    }
    let tag = line[..4].trim_end_matches(' ');
    let tag_ok = !tag.is_empty()
        && tag
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if !tag_ok {
        return None;
    }
    Some((tag, line.get(6..).unwrap_or("")))
}

/// Parses a MEDLINE export. See [`crate::parse_export`] for the all-or-nothing rule.
pub fn parse_medline(text: &str) -> Result<Vec<Paper>, ImportError> {
    let mut papers = Vec::new();
    let mut record: Option<TaggedRecord> = None;
    for (i, raw) in strip_bom(text).split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if let Some(r) = record.take() {
                papers.push(r.finish()?);
            }
        } else if let Some((tag, value)) = tag_of(line) {
            record
                .get_or_insert_with(|| TaggedRecord {
                    line: line_no,
                    fields: Vec::new(),
                })
                .fields
                .push((tag.to_string(), value.trim().to_string()));
        } else if line.starts_with("      ") {
            match record.as_mut().and_then(|r| r.fields.last_mut()) {
                Some((_, value)) => {
                    if !value.is_empty() {
                        value.push(' ');
                    }
                    value.push_str(line.trim());
                }
                None => {
                    return Err(ImportError::new(
                        line_no,
                        "이어지는 줄(공백 6칸으로 시작)이 앞에 태그 줄 없이 나왔습니다.",
                    ))
                }
            }
        } else {
            let shown: String = line.chars().take(40).collect();
            return Err(ImportError::new(
                line_no,
                format!(
                    "MEDLINE 형식이 아닌 줄입니다: '{shown}'. 각 줄은 'TI  - '처럼 태그로 \
                     시작하거나, 앞 줄에 이어질 때 공백 6칸으로 시작해야 합니다."
                ),
            ));
        }
    }
    if let Some(r) = record.take() {
        papers.push(r.finish()?);
    }
    Ok(dedupe_papers(papers))
}

struct TaggedRecord {
    /// The record's first line: where a missing PMID or title is reported.
    line: usize,
    fields: Vec<(String, String)>,
}

impl TaggedRecord {
    fn finish(self) -> Result<Paper, ImportError> {
        let mut raw = RawRecord::default();
        let mut book_title = None;
        let mut full_authors = Vec::new();
        let mut has_au = false;
        let mut lid_doi = None;
        let mut aid_doi = None;
        let mut mesh = Vec::new();
        let mut other_terms = Vec::new();
        for (tag, value) in self.fields {
            let value = collapse_ws(&value);
            if value.is_empty() {
                continue;
            }
            match tag.as_str() {
                "PMID" => first(&mut raw.pmid, value),
                "TI" => first(&mut raw.title, value),
                "BTI" => first(&mut book_title, value),
                "AB" => raw.abstract_sections.push(value),
                "AU" => {
                    has_au = true;
                    raw.authors.push(value);
                }
                // A group author: it takes its place in the author order, as in the XML.
                "CN" => {
                    raw.authors.push(value.clone());
                    full_authors.push(value);
                }
                "FAU" => full_authors.push(match value.split_once(',') {
                    Some((last, fore)) => author_name(last.trim(), "", fore.trim()),
                    None => value,
                }),
                "TA" => first(&mut raw.iso_abbreviation, value),
                "JT" => first(&mut raw.journal_title, value),
                "DP" => raw.year = raw.year.or(year_of(&value)),
                "LID" => first(&mut lid_doi, doi_of(&value)),
                "AID" => first(&mut aid_doi, doi_of(&value)),
                "MH" => mesh.push(mesh_descriptor(&value)),
                "OT" => other_terms.push(value),
                "LA" => first(&mut raw.language, value),
                _ => {}
            }
        }
        // Some tools write only full names; short names are made from them then.
        if !has_au {
            raw.authors = full_authors;
        }
        raw.title = raw.title.or(book_title.clone());
        raw.journal_title = raw.journal_title.or(book_title);
        raw.doi = lid_doi.or(aid_doi);
        raw.keywords = mesh.into_iter().chain(other_terms).collect();
        raw.finish(self.line, "MEDLINE")
    }
}

fn first(slot: &mut Option<String>, value: impl Into<Option<String>>) {
    if slot.is_none() {
        *slot = value.into().filter(|v| !v.is_empty());
    }
}

/// `10.1016/j.x.2023.01.001 [doi]` → the DOI; other ids (`[pii]`) → none.
fn doi_of(value: &str) -> Option<String> {
    let (id, kind) = value.rsplit_once(' ')?;
    kind.eq_ignore_ascii_case("[doi]")
        .then(|| id.trim().to_string())
}

/// `*Peanut Hypersensitivity/diagnosis/immunology` → `Peanut Hypersensitivity`: the
/// descriptor without the major-topic star and the qualifiers, as the XML's DescriptorName.
fn mesh_descriptor(value: &str) -> String {
    let descriptor = value.split('/').next().unwrap_or(value);
    descriptor.trim().trim_start_matches('*').trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_lines() {
        assert_eq!(tag_of("PMID- 90000001"), Some(("PMID", "90000001")));
        assert_eq!(tag_of("TI  - A title"), Some(("TI", "A title")));
        assert_eq!(
            tag_of("FAU - Kim, Min-Jung"),
            Some(("FAU", "Kim, Min-Jung"))
        );
        assert_eq!(tag_of("AB  -"), Some(("AB", "")));
        assert_eq!(tag_of("      continued"), None);
        assert_eq!(tag_of("ti  - lower case"), None);
        assert_eq!(tag_of("Note: pasted"), None);
        assert_eq!(tag_of("한국어 - 줄"), None);
    }

    #[test]
    fn values_and_ids() {
        assert_eq!(
            doi_of("10.9999/fx.2023.001 [doi]").as_deref(),
            Some("10.9999/fx.2023.001")
        );
        assert_eq!(doi_of("S0091-6749(23)00001-1 [pii]"), None);
        assert_eq!(
            mesh_descriptor("*Peanut Hypersensitivity/diagnosis/*immunology"),
            "Peanut Hypersensitivity"
        );
        assert_eq!(mesh_descriptor("Humans"), "Humans");
    }

    #[test]
    fn crlf_and_full_names_only() {
        let text = "\r\nPMID- 90000200\r\nTI  - Sesame in\r\n      bakery products.\r\n\
                    FAU - Kim, Min-Jung\r\nCN  - Fixture Study Group\r\nDP  - 2021 Mar\r\n";
        let papers = parse_medline(text).unwrap();
        assert_eq!(papers[0].title, "Sesame in bakery products.");
        assert_eq!(papers[0].authors, vec!["Kim MJ", "Fixture Study Group"]);
        assert_eq!(papers[0].year, Some(2021));
    }

    #[test]
    fn a_continuation_before_any_tag_is_refused() {
        let err = parse_medline("\n      orphan text\nPMID- 1\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn a_record_without_title_is_refused_at_its_first_line() {
        let text = "PMID- 1\nTI  - One.\n\nPMID- 2\nAB  - No title here.\n";
        let err = parse_medline(text).unwrap_err();
        assert_eq!(err.line, 4);
        assert!(err.message.contains("제목"), "{err}");
    }
}
