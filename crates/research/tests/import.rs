//! Import of the export files under `tests/fixtures/` (invented records, see its README):
//! what a whole file gives, and the exact line a damaged file is refused at.

use clinicdesk_research::{
    detect_format, parse_export, parse_medline, parse_pubmed_xml, Format, Paper,
};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn by_pmid<'a>(papers: &'a [Paper], pmid: &str) -> &'a Paper {
    papers
        .iter()
        .find(|p| p.pmid == pmid)
        .unwrap_or_else(|| panic!("no {pmid}"))
}

#[test]
fn pubmed_xml_export() {
    let text = fixture("pubmed_export.xml");
    assert_eq!(detect_format(&text), Some(Format::PubmedXml));
    let papers = parse_export(&text).unwrap();
    assert_eq!(
        papers.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        [
            "pubmed:90000001",
            "pubmed:90000002",
            "pubmed:90000003",
            "pubmed:90000004"
        ]
    );

    let p = by_pmid(&papers, "90000001");
    assert_eq!(
        p.title,
        "Undeclared peanut in processed foods: a market survey of hidden allergen sources in Seoul."
    );
    assert_eq!(
        p.authors,
        [
            "Kim MJ",
            "Park S",
            "ClinicDesk Test Fixture Allergy Consortium"
        ]
    );
    assert_eq!(p.journal, "Fixture J Allergy Clin Immunol");
    // The date, not the earlier electronic ArticleDate.
    assert_eq!(p.year, Some(2023));
    assert_eq!(p.doi.as_deref(), Some("10.99999/fixture.2023.0001"));
    assert!(p.abstract_text.starts_with(
        "BACKGROUND: Peanut is a leading cause of food-induced anaphylaxis, and precautionary \
         labels do not reliably show which products contain it. OBJECTIVE: To measure"
    ));
    assert!(p
        .abstract_text
        .ends_with("common hidden sources of peanut."));
    assert!(
        !p.abstract_text.contains("Test fixture"),
        "copyright is not abstract"
    );
    assert_eq!(
        p.keywords,
        [
            "Peanut Hypersensitivity",
            "Food Labeling",
            "Food Contamination",
            "Humans",
            "hidden allergens",
            "precautionary allergen labeling",
            "Peanut"
        ]
    );
    assert_eq!(p.language.as_deref(), Some("eng"));

    let p = by_pmid(&papers, "90000002");
    assert_eq!(p.year, Some(2022), "from MedlineDate 2022 Mar-Apr");
    assert_eq!(
        p.doi.as_deref(),
        Some("10.99999/fixture.2022.0002"),
        "from ArticleIdList"
    );
    assert!(p.abstract_text.contains("0.35 mg vs. 0.12 mg"));

    let p = by_pmid(&papers, "90000003");
    assert!(p.abstract_text.contains("(P < .001)"), "entity decoded");

    let p = by_pmid(&papers, "90000004");
    assert_eq!(
        p.title,
        "[Cross-reactivity between lupin and peanut: β-conglutin IgE binding in Korean adults]."
    );
    assert_eq!(p.authors, ["Müller K", "Yoon DE"]);
    assert_eq!(
        p.journal, "Fixture Korean Journal of Allergy",
        "no ISO abbreviation: full title"
    );
    assert_eq!(p.year, Some(2024));
    assert_eq!(p.language.as_deref(), Some("kor"));
    assert!(p
        .abstract_text
        .starts_with("Lupin (Lupinus angustifolius) is increasingly used"));
    assert_eq!(p.keywords, ["lupin", "cross-reactivity", "β-conglutin"]);
}

#[test]
fn medline_nbib_gives_the_same_papers_as_xml() {
    let nbib = fixture("medline_export.nbib");
    assert_eq!(detect_format(&nbib), Some(Format::Medline));
    let from_medline = parse_export(&nbib).unwrap();
    let from_xml = parse_pubmed_xml(&fixture("pubmed_export.xml")).unwrap();
    assert_eq!(from_medline.len(), 3);
    for p in &from_medline {
        assert_eq!(p, by_pmid(&from_xml, &p.pmid), "{}", p.pmid);
    }
}

#[test]
fn medline_txt_as_pubmed_saves_it() {
    let text = fixture("medline_export.txt");
    assert!(
        text.starts_with('\n'),
        "PubMed's file begins with a blank line"
    );
    let papers = parse_export(&text).unwrap();
    assert_eq!(papers.len(), 3);

    let p = by_pmid(&papers, "90000005");
    assert_eq!(p.authors, ["Han SY", "Fixture Food Safety Study Group"]);
    assert_eq!(p.doi.as_deref(), Some("10.99999/fixture.2020.0005"));
    assert_eq!(p.year, Some(2020));
    assert_eq!(p.journal, "Fixture Food Chem Toxicol");
    assert_eq!(
        p.keywords,
        [
            "Sesamum",
            "Food Hypersensitivity",
            "Bread",
            "sesame",
            "hidden allergens"
        ]
    );

    let p = by_pmid(&papers, "90000006");
    assert_eq!(p.authors, ["Oh TM", "García L"]);
    assert!(p
        .abstract_text
        .contains("(p = 0.002). CONCLUSIONS: Regular"));
    assert!(p.keywords.contains(&"ω-casein".to_string()));

    let p = by_pmid(&papers, "90000007");
    assert_eq!(p.doi.as_deref(), Some("10.99999/fixture.2024.0007"));
    assert_eq!(p.year, Some(2024));
    assert_eq!(p.journal, "Fixture Allergy Asthma Immunol Res");
}

#[test]
fn windows_line_endings_read_the_same() {
    let lf = fixture("medline_export.txt");
    let crlf = lf.replace('\n', "\r\n");
    assert_eq!(parse_medline(&crlf).unwrap(), parse_medline(&lf).unwrap());
    let lf = fixture("pubmed_export.xml");
    let crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    assert_eq!(parse_export(&crlf).unwrap(), parse_export(&lf).unwrap());
}

#[test]
fn a_broken_xml_tag_refuses_the_file_at_its_line() {
    let err = parse_export(&fixture("broken_tag.xml")).unwrap_err();
    assert_eq!(err.line, 16, "{err}");
    assert!(err.message.contains("</ArticleTitl>"), "{err}");
    assert!(err.message.contains("<ArticleTitle>"), "{err}");
}

#[test]
fn an_xml_record_without_pmid_refuses_the_file_at_the_record() {
    let err = parse_export(&fixture("missing_pmid.xml")).unwrap_err();
    assert_eq!(err.line, 12, "{err}");
    assert!(err.message.contains("PMID"), "{err}");
}

#[test]
fn a_garbage_medline_line_refuses_the_file_at_that_line() {
    let err = parse_export(&fixture("garbage_line.nbib")).unwrap_err();
    assert_eq!(err.line, 10, "{err}");
    assert!(err.message.contains("Exported by RefTool"), "{err}");
    assert_eq!(err.to_string().split('행').next(), Some("10"));
}

#[test]
fn a_medline_record_without_pmid_refuses_the_file_at_its_first_line() {
    let err = parse_export(&fixture("missing_pmid.nbib")).unwrap_err();
    assert_eq!(err.line, 5, "{err}");
    assert!(err.message.contains("PMID"), "{err}");
}

#[test]
fn papers_serialise_with_the_api_field_names() {
    let papers = parse_export(&fixture("medline_export.txt")).unwrap();
    let json = serde_json::to_value(&papers[0]).unwrap();
    assert_eq!(json["id"], "pubmed:90000005");
    assert_eq!(json["year"], 2020);
    let back: Paper = serde_json::from_value(json).unwrap();
    assert_eq!(back, papers[0]);
}
