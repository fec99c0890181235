//! The Korean question from the seed over the fixture library, end to end through the pure
//! functions the API calls: question → terms → (a stand-in for the database's ranking) →
//! extracted answer with citations.

use clinicdesk_research::{
    answer_with_expansions, fts5_match, parse_export, pg_tsquery, search_terms, Paper, Passage,
};

fn library() -> Vec<Paper> {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut papers = Vec::new();
    for name in ["pubmed_export.xml", "medline_export.txt"] {
        let text = std::fs::read_to_string(format!("{dir}/{name}")).unwrap();
        papers.extend(parse_export(&text).unwrap());
    }
    papers
}

/// What the store does with FTS5 or tsquery, crudely: keep papers with any term, rank by
/// how many distinct terms they contain. Good enough to hand `answer` a ranked list.
fn rank(papers: &[Paper], terms: &[String]) -> Vec<Passage> {
    let mut hits: Vec<Passage> = papers
        .iter()
        .filter_map(|p| {
            let text = format!("{} {}", p.title, p.abstract_text).to_lowercase();
            let n = terms.iter().filter(|t| text.contains(t.as_str())).count();
            (n > 0).then(|| Passage::from_paper(p, n as f64))
        })
        .collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score));
    hits
}

const QUESTION: &str = "땅콩 알러지 환자가 피해야 할 숨겨진 식품은?";

fn peanut_expansions() -> Vec<String> {
    // The allergen filter's names and its cross-reactive allergens, as the API passes them.
    ["peanut", "groundnut", "arachis", "tree nut", "lupin"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

#[test]
fn the_seed_question_is_answered_from_the_fixture_library() {
    let expansions = peanut_expansions();
    let question_terms = search_terms(QUESTION, &[]);
    assert_eq!(
        question_terms,
        ["peanut", "allergy", "avoid", "hidden", "food"]
    );
    let all_terms = search_terms(QUESTION, &expansions);
    assert_eq!(
        fts5_match(&all_terms).unwrap(),
        "\"peanut\" OR \"allergy\" OR \"avoid\" OR \"hidden\" OR \"food\" OR \"groundnut\" \
         OR \"arachis\" OR \"tree nut\" OR \"lupin\""
    );
    assert_eq!(
        pg_tsquery(&all_terms).unwrap(),
        "peanut | allergy | avoid | hidden | food | groundnut | arachis | (tree <-> nut) | lupin"
    );

    let passages = rank(&library(), &all_terms);
    let a = answer_with_expansions(&question_terms, &expansions, &passages, 5);
    println!("{}", serde_json::to_string_pretty(&a).unwrap());

    let text = a.answer.as_deref().unwrap();
    assert!(text.starts_with("문헌 "), "{text}");
    // The conclusion naming what to avoid is the best evidence, and it is cited first.
    assert_eq!(a.citations[0].paper_id, "pubmed:90000001");
    assert!(a.citations[0]
        .excerpt
        .contains("should avoid chocolate confectionery"));
    // Every quoted sentence is in its paper's abstract word for word.
    let papers = library();
    for s in &a.sentences {
        let paper = papers.iter().find(|p| p.id == s.paper_id).unwrap();
        assert!(
            paper.abstract_text.contains(&s.text) || paper.title == s.text,
            "{}",
            s.text
        );
        assert!(text.contains(&format!("{} [{}]", s.text, s.citation)));
    }
    assert!(a.citations.len() <= 5);
    assert!(a.citations.iter().all(|c| c.excerpt.chars().count() <= 300));
    assert!(
        a.confidence > 0.5 && a.confidence < 0.95,
        "{}",
        a.confidence
    );
    // The baked-milk paper has none of the question's terms.
    assert!(a.citations.iter().all(|c| c.paper_id != "pubmed:90000006"));
}

#[test]
fn a_question_the_library_cannot_answer_says_so() {
    let question_terms = search_terms("아나필락시스 에피네프린 자가주사기 용량", &[]);
    let passages = rank(&library(), &question_terms);
    let a = answer_with_expansions(&question_terms, &[], &passages, 5);
    // "anaphylaxis" is in one background sentence; the rest of the question is not.
    assert!(a.confidence < 0.3, "{}", a.confidence);

    let question_terms = search_terms("라텍스 장갑", &[]);
    let passages = rank(&library(), &question_terms);
    assert!(passages.is_empty());
    let a = answer_with_expansions(&question_terms, &[], &passages, 5);
    assert_eq!(a.answer, None);
    assert_eq!(a.confidence, 0.0);
    assert!(a.citations.is_empty());
}

#[test]
fn confidence_never_falls_as_matching_papers_are_added() {
    let expansions = peanut_expansions();
    let question_terms = search_terms(QUESTION, &[]);
    let ranked = rank(&library(), &search_terms(QUESTION, &expansions));
    // Whatever order the papers arrive in, each one that matches adds evidence.
    let mut reversed = ranked.clone();
    reversed.reverse();
    for order in [ranked, reversed] {
        let mut last = 0.0;
        for n in 1..=order.len() {
            let a = answer_with_expansions(&question_terms, &expansions, &order[..n], 3);
            assert!(a.confidence >= last, "{n}: {} < {last}", a.confidence);
            last = a.confidence;
        }
    }
}
