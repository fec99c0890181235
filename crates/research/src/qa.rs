//! Extractive question answering over the passages the database ranked: the answer is only
//! sentences copied from abstracts, each with its citation, never generated or translated
//! text, so every word of it can be checked against a paper. When no sentence of any
//! passage contains a question term there is no answer, and the confidence says so (0).
//!
//! Terms come in two kinds. *Question terms* are what the question asks (from
//! [`crate::search_terms`] on the question alone); *expansion terms* are the allergen
//! filter's names and cross-reactive allergens the caller added for the search. A sentence
//! counts as evidence only if it contains a question term: a sentence that merely mentions
//! "tree nut" answers nothing about hidden peanut in foods. Expansion terms then add half
//! their weight to a sentence's score, and do not count for the confidence.

use crate::paper::Paper;
use crate::sentences::split_sentences;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One ranked search hit handed to [`answer`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    pub paper_id: String,
    pub title: String,
    /// The title, a line break, then the abstract ([`Passage::from_paper`] builds it so).
    pub text: String,
    /// The database's ranking score, higher is better: `-bm25(…)` from SQLite FTS5,
    /// `ts_rank_cd(…)` from PostgreSQL. Only its order and its share of the total matter.
    pub score: f64,
}

impl Passage {
    pub fn from_paper(paper: &Paper, score: f64) -> Passage {
        Passage {
            paper_id: paper.id.clone(),
            title: paper.title.clone(),
            text: format!("{}\n{}", paper.title, paper.abstract_text),
            score,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Citation {
    pub paper_id: String,
    pub title: String,
    /// The sentence(s) the answer took from this paper, at most 300 characters.
    pub excerpt: String,
}

/// One extracted sentence of the answer, with the 1-based index of its citation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerSentence {
    pub text: String,
    pub paper_id: String,
    pub score: f64,
    pub citation: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// `None` when nothing in the passages matches the question.
    pub answer: Option<String>,
    /// 0 when there is no answer, always below 0.95; how it is computed is written at
    /// `fn confidence` in this module.
    pub confidence: f64,
    pub citations: Vec<Citation>,
    pub sentences: Vec<AnswerSentence>,
}

impl Answer {
    fn none() -> Answer {
        Answer {
            answer: None,
            confidence: 0.0,
            citations: Vec::new(),
            sentences: Vec::new(),
        }
    }
}

/// How many sentences one paper may give: a second only when it names a term the first
/// does not, never more, so one long abstract cannot fill the answer.
const MAX_SENTENCES_PER_PAPER: usize = 2;
/// A paper's second sentence must score at least this share of its first.
const SECOND_SENTENCE_SHARE: f64 = 0.5;
/// Any quoted sentence must score at least this share of the best one: a paper matching
/// only the question's commonest words is evidence (it counts for the confidence) but not
/// worth quoting next to one that answers.
const QUOTE_FLOOR: f64 = 0.35;
/// Word-set overlap (Jaccard) from which two sentences say the same thing.
const NEAR_DUPLICATE: f64 = 0.8;
const EXCERPT_CHARS: usize = 300;
/// Sentences shorter than this are headings or fragments, not statements.
const MIN_SENTENCE_WORDS: usize = 3;

/// Answers with question terms only; see [`answer_with_expansions`].
pub fn answer(question_terms: &[String], passages: &[Passage], max_citations: usize) -> Answer {
    answer_with_expansions(question_terms, &[], passages, max_citations)
}

/// Picks the best sentences of `passages` for the question and cites their papers.
///
/// Scoring: each question term weighs `1 + ln((N + 1) / (df + 1))` (N passages, df of them
/// containing the term), so a term every passage has counts least; a sentence scores the
/// weights of the question terms it contains plus half those of the expansion terms, is
/// damped when longer than 40 words, halved when it is the paper's title (titles are dense
/// in terms but state no finding; one is quoted only when its abstract has nothing that
/// matches), and scaled by `0.75 + 0.25 × r`, `r` the passage's score placed between the
/// lowest (0) and highest (1) in the list. The best sentences are
/// taken in score order: at most two per paper (the second only if it names a term the
/// first does not), at most `max_citations` papers, none that nearly repeats one already
/// taken, none below 0.35 of the best. Ties go to the better-ranked passage and the earlier
/// sentence, so equal input gives equal output.
pub fn answer_with_expansions(
    question_terms: &[String],
    expansion_terms: &[String],
    passages: &[Passage],
    max_citations: usize,
) -> Answer {
    let question = term_words(question_terms, &[]);
    let expansions = term_words(expansion_terms, &question);
    // The same paper twice (the caller merged two result lists) would count as two papers
    // agreeing; the first, better-ranked copy stays.
    let mut seen = HashSet::new();
    let passages: Vec<&Passage> = passages
        .iter()
        .filter(|p| seen.insert(p.paper_id.as_str()))
        .collect();
    if question.is_empty() || passages.is_empty() || max_citations == 0 {
        return Answer::none();
    }

    let analysed: Vec<Vec<Sentence>> = passages.iter().map(|p| analyse(p)).collect();
    let n = passages.len() as f64;
    let idf = |term: &[String]| {
        let df = analysed
            .iter()
            .filter(|sentences| sentences.iter().any(|s| contains(&s.words, term)))
            .count() as f64;
        1.0 + ((n + 1.0) / (df + 1.0)).ln()
    };
    let q_idf: Vec<f64> = question.iter().map(|t| idf(t)).collect();
    let e_idf: Vec<f64> = expansions.iter().map(|t| idf(t)).collect();
    let rank = relative_scores(&passages);

    let mut candidates = Vec::new();
    for (pi, sentences) in analysed.iter().enumerate() {
        for (si, s) in sentences.iter().enumerate() {
            let matched: Vec<usize> = (0..question.len())
                .filter(|&q| contains(&s.words, &question[q]))
                .collect();
            if matched.is_empty() {
                continue;
            }
            let expanded: Vec<usize> = (0..expansions.len())
                .filter(|&e| contains(&s.words, &expansions[e]))
                .collect();
            let raw: f64 = matched.iter().map(|&q| q_idf[q]).sum::<f64>()
                + 0.5 * expanded.iter().map(|&e| e_idf[e]).sum::<f64>();
            let len = s.words.len() as f64;
            let length_damp = 1.0 / (1.0 + (len - 40.0).max(0.0) / 40.0);
            let title_damp = if s.is_title { 0.5 } else { 1.0 };
            candidates.push(Candidate {
                pi,
                si,
                score: raw * length_damp * title_damp * (0.75 + 0.25 * rank[pi]),
                matched,
                expanded,
            });
        }
    }
    if candidates.is_empty() {
        return Answer::none();
    }

    let confidence = confidence(&question, &candidates, &passages);
    // A title is quoted only for a paper whose abstract has nothing that matches; it still
    // counted above as evidence.
    let has_statement: HashSet<usize> = candidates
        .iter()
        .filter(|c| !analysed[c.pi][c.si].is_title)
        .map(|c| c.pi)
        .collect();
    candidates.retain(|c| !analysed[c.pi][c.si].is_title || !has_statement.contains(&c.pi));

    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.pi.cmp(&b.pi))
            .then(a.si.cmp(&b.si))
    });
    // Papers in the order they were first taken: their citation numbers.
    let mut cited: Vec<(usize, Vec<&Candidate>)> = Vec::new();
    let mut taken: Vec<&Candidate> = Vec::new();
    let floor = QUOTE_FLOOR * candidates[0].score;
    for c in candidates.iter().take_while(|c| c.score >= floor) {
        let words = &analysed[c.pi][c.si].word_set;
        if taken
            .iter()
            .any(|t| jaccard(words, &analysed[t.pi][t.si].word_set) >= NEAR_DUPLICATE)
        {
            continue;
        }
        match cited.iter_mut().find(|(pi, _)| *pi == c.pi) {
            Some((_, picks)) => {
                let adds_a_term = c.matched.iter().any(|q| !picks[0].matched.contains(q))
                    || c.expanded.iter().any(|e| !picks[0].expanded.contains(e));
                if picks.len() >= MAX_SENTENCES_PER_PAPER
                    || c.score < SECOND_SENTENCE_SHARE * picks[0].score
                    || !adds_a_term
                {
                    continue;
                }
                picks.push(c);
            }
            None => {
                if cited.len() >= max_citations {
                    continue;
                }
                cited.push((c.pi, vec![c]));
            }
        }
        taken.push(c);
    }

    let mut citations = Vec::new();
    let mut sentences = Vec::new();
    let mut lines = Vec::new();
    for (i, (pi, picks)) in cited.iter_mut().enumerate() {
        // Within a paper, its sentences read in the abstract's order.
        picks.sort_by_key(|c| c.si);
        let passage = passages[*pi];
        let texts: Vec<&str> = picks
            .iter()
            .map(|c| analysed[*pi][c.si].text.as_str())
            .collect();
        for (c, text) in picks.iter().zip(&texts) {
            lines.push(format!("{text} [{}]", i + 1));
            sentences.push(AnswerSentence {
                text: text.to_string(),
                paper_id: passage.paper_id.clone(),
                score: c.score,
                citation: i + 1,
            });
        }
        citations.push(Citation {
            paper_id: passage.paper_id.clone(),
            title: passage.title.clone(),
            excerpt: trim_excerpt(&texts.join(" "), EXCERPT_CHARS),
        });
    }
    let answer = format!(
        "문헌 {}편에서 찾은 관련 내용입니다:\n{}",
        citations.len(),
        lines.join("\n")
    );
    Answer {
        answer: Some(answer),
        confidence,
        citations,
        sentences,
    }
}

/// How far the evidence found supports an answer, in [0, 0.95):
///
/// `confidence = 0.95 × C × A × P`, rounded down to three decimals, where
/// - `C` (coverage) is the share of question terms that some matching sentence contains,
///   across all passages: a question half of whose terms appear nowhere is half answered;
/// - `A = 1 − 0.5^(M + 0.5)` (agreement) grows with `M`, the sum over matching papers of the
///   largest share of question terms one of its sentences holds: each independent paper
///   adds, a paper that matches every term adds a whole one, a paper matching one term of
///   five adds a fifth; one full match gives 0.65, two 0.82, three 0.91;
/// - `P = 0.7 + 0.3 × share` (search strength), `share` the part of the passages' total
///   (non-negative) score held by the passages that match: the answer rests on what the
///   search itself ranked relevant. With no positive scores, `P = 1`.
///
/// None of the three uses the term weights or which sentences were shown, so adding a
/// matching paper never lowers the confidence (C and M cannot shrink, and the matching
/// share `(a + s) / (b + s)` cannot fall), and covering fewer question terms lowers C and M.
/// The 0.95 cap keeps it below 1: an extract is never certain.
fn confidence(question: &[Vec<String>], candidates: &[Candidate], passages: &[&Passage]) -> f64 {
    let covered: HashSet<usize> = candidates
        .iter()
        .flat_map(|c| c.matched.iter().copied())
        .collect();
    let coverage = covered.len() as f64 / question.len() as f64;

    let mut best_share = vec![0.0f64; passages.len()];
    for c in candidates {
        let share = c.matched.len() as f64 / question.len() as f64;
        best_share[c.pi] = best_share[c.pi].max(share);
    }
    let mass: f64 = best_share.iter().sum();
    let agreement = 1.0 - 0.5f64.powf(mass + 0.5);

    let positive = |p: &Passage| {
        if p.score.is_finite() {
            p.score.max(0.0)
        } else {
            0.0
        }
    };
    let total: f64 = passages.iter().map(|p| positive(p)).sum();
    let matching: f64 = passages
        .iter()
        .zip(&best_share)
        .filter(|(_, share)| **share > 0.0)
        .map(|(p, _)| positive(p))
        .sum();
    let strength = if total > 0.0 {
        0.7 + 0.3 * (matching / total)
    } else {
        1.0
    };

    // Rounded down, so the cap holds after rounding too.
    let c = 0.95 * coverage * agreement * strength;
    (c * 1000.0).floor() / 1000.0
}

/// Each passage's score placed between the lowest (0) and the highest (1); all 1 when they
/// are equal or not numbers, so scoring then rests on the terms alone.
fn relative_scores(passages: &[&Passage]) -> Vec<f64> {
    let finite = passages.iter().map(|p| p.score).filter(|s| s.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
        (lo.min(s), hi.max(s))
    });
    passages
        .iter()
        .map(|p| {
            if hi > lo {
                if p.score.is_finite() {
                    (p.score - lo) / (hi - lo)
                } else {
                    0.0
                }
            } else {
                1.0
            }
        })
        .collect()
}

struct Candidate {
    pi: usize,
    si: usize,
    score: f64,
    /// Indices of the question terms the sentence contains.
    matched: Vec<usize>,
    /// Indices of the expansion terms it contains.
    expanded: Vec<usize>,
}

struct Sentence {
    /// The sentence as shown: without a leading section label.
    text: String,
    words: Vec<String>,
    word_set: HashSet<String>,
    is_title: bool,
}

fn analyse(p: &Passage) -> Vec<Sentence> {
    let title_words = words(&p.title);
    split_sentences(&p.text)
        .into_iter()
        .filter_map(|s| {
            let text = strip_label(&s).to_string();
            let words = words(&text);
            if words.len() < MIN_SENTENCE_WORDS {
                return None;
            }
            let is_title = !title_words.is_empty() && words == title_words;
            Some(Sentence {
                word_set: words.iter().cloned().collect(),
                text,
                words,
                is_title,
            })
        })
        .collect()
}

/// Each term as its sequence of stemmed words, once, leaving out those in `except`.
fn term_words(terms: &[String], except: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for t in terms {
        let w = words(t);
        if !w.is_empty() && !out.contains(&w) && !except.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// Whether `words` holds the term's words in a row ("tree nut", "cross-reactivity").
fn contains(words: &[String], term: &[String]) -> bool {
    !term.is_empty() && words.windows(term.len()).any(|w| w == term)
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 1.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// `RESULTS: Peanut was…` → `Peanut was…`: the structured abstract's label is not part of
/// the statement.
fn strip_label(s: &str) -> &str {
    if let Some((label, rest)) = s.split_once(": ") {
        let letters = label.chars().filter(|c| c.is_ascii_uppercase()).count();
        let label_like = label
            .chars()
            .all(|c| c.is_ascii_uppercase() || matches!(c, ' ' | '&' | '/' | '-'));
        if letters >= 3 && label_like && !rest.trim().is_empty() {
            return rest.trim_start();
        }
    }
    s
}

/// Lower-cased, stemmed words of a text.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(stem)
        .collect()
}

/// A light English stemmer, enough that a question's "allergy", "avoid" and "food" meet an
/// abstract's "allergic", "avoidance" and "foods". Both sides go through it, so where it is
/// crude it is crude the same way.
fn stem(word: &str) -> String {
    let mut w = word.to_lowercase();
    if !w.is_ascii() {
        return w;
    }
    let cut = |w: &mut String, suffix: &str, with: &str| -> bool {
        if w.len() >= suffix.len() + 4 && w.ends_with(suffix) {
            w.truncate(w.len() - suffix.len());
            w.push_str(with);
            true
        } else {
            false
        }
    };
    // Plurals.
    if !cut(&mut w, "ies", "y")
        && !cut(&mut w, "sses", "ss")
        && !cut(&mut w, "xes", "x")
        && !cut(&mut w, "ches", "ch")
        && !cut(&mut w, "shes", "sh")
        && w.len() > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
    {
        w.pop();
    }
    // allergic → allergy; then one derivational or inflectional ending.
    cut(&mut w, "ic", "y");
    let _ = ["ation", "ance", "ence", "ment", "ity", "ing", "ed"]
        .iter()
        .any(|s| cut(&mut w, s, ""));
    if w.len() > 4 && w.ends_with('e') {
        w.pop();
    }
    w
}

/// At most `max` characters, cut at a word boundary with an ellipsis when it had to be cut.
fn trim_excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max.saturating_sub(1)).collect();
    let cut = head
        .rfind(char::is_whitespace)
        .map_or(head.as_str(), |i| &head[..i]);
    let cut = cut.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':'));
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn passage(id: &str, title: &str, abstract_text: &str, score: f64) -> Passage {
        Passage {
            paper_id: id.to_string(),
            title: title.to_string(),
            text: format!("{title}\n{abstract_text}"),
            score,
        }
    }

    fn library() -> Vec<Passage> {
        vec![
            passage(
                "pubmed:1",
                "Undeclared peanut in processed foods.",
                "BACKGROUND: Labels are often incomplete. RESULTS: Hidden peanut was found in \
                 chocolate, sauces and baked foods, which allergic patients should avoid. \
                 Sampling took place in 2021 across five cities.",
                9.0,
            ),
            passage(
                "pubmed:2",
                "Restaurant meals and peanut exposure.",
                "Cross-contact in restaurant kitchens was a hidden source of peanut in foods. \
                 Staff training reduced errors.",
                6.0,
            ),
            passage(
                "pubmed:3",
                "Oral immunotherapy for peanut allergy in children.",
                "Oral immunotherapy raised the tolerated dose of peanut protein in children \
                 with allergy. Adverse events were mild.",
                4.0,
            ),
        ]
    }

    fn question() -> Vec<String> {
        terms(&["peanut", "allergy", "avoid", "hidden", "food"])
    }

    #[test]
    fn stems_meet_across_forms() {
        for (a, b) in [
            ("allergy", "allergic"),
            ("allergy", "allergies"),
            ("avoid", "avoidance"),
            ("avoid", "avoided"),
            ("food", "foods"),
            ("treatment", "treated"),
            ("reactivity", "reactive"),
            ("sources", "source"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        assert_ne!(stem("allergen"), stem("allergy"));
        assert_eq!(stem("need"), "need");
        assert_eq!(stem("땅콩"), "땅콩");
    }

    #[test]
    fn the_best_sentence_is_chosen_and_cited_first() {
        let a = answer(&question(), &library(), 5);
        let text = a.answer.as_deref().unwrap();
        assert!(
            text.starts_with("문헌 2편에서 찾은 관련 내용입니다:\n"),
            "{text}"
        );
        // The immunotherapy paper has only "peanut allergy": evidence, not worth quoting.
        assert!(a.citations.iter().all(|c| c.paper_id != "pubmed:3"));
        assert_eq!(a.citations[0].paper_id, "pubmed:1");
        assert_eq!(
            a.sentences[0].text,
            "Hidden peanut was found in chocolate, sauces and baked foods, which allergic \
             patients should avoid."
        );
        assert!(text.contains("should avoid. [1]"), "{text}");
        // The sentence without any question term is not taken.
        assert!(!text.contains("Sampling took place"), "{text}");
        // Labels are not part of what is quoted.
        assert!(!text.contains("RESULTS:"), "{text}");
        assert!(
            a.confidence > 0.5 && a.confidence < 0.95,
            "{}",
            a.confidence
        );
    }

    #[test]
    fn citations_are_limited() {
        let a = answer(&question(), &library(), 2);
        assert_eq!(a.citations.len(), 2);
        assert!(a.answer.unwrap().starts_with("문헌 2편"));
        assert!(a.sentences.iter().all(|s| s.citation <= 2));
        let per_paper = |id: &str| a.sentences.iter().filter(|s| s.paper_id == id).count();
        assert!(per_paper("pubmed:1") <= MAX_SENTENCES_PER_PAPER);
    }

    #[test]
    fn no_match_means_no_answer() {
        let a = answer(&terms(&["anaphylaxis", "epinephrine"]), &library(), 5);
        assert_eq!(a, Answer::none());
        assert_eq!(answer(&[], &library(), 5), Answer::none());
        assert_eq!(answer(&question(), &[], 5), Answer::none());
        assert_eq!(answer(&question(), &library(), 0), Answer::none());
    }

    #[test]
    fn expansion_terms_alone_are_not_evidence() {
        let p = vec![passage(
            "pubmed:9",
            "Walnut and cashew cross-reactivity.",
            "Tree nut sensitisation was common among the adults tested in the cohort.",
            1.0,
        )];
        let a = answer_with_expansions(&terms(&["hidden", "food"]), &terms(&["tree nut"]), &p, 5);
        assert_eq!(a.answer, None);
        assert_eq!(a.confidence, 0.0);
    }

    #[test]
    fn expansion_terms_raise_a_sentence_that_also_answers() {
        let p = vec![
            passage(
                "pubmed:1",
                "A.",
                "Hidden milk was found in many foods sold.",
                1.0,
            ),
            passage(
                "pubmed:2",
                "B.",
                "Hidden peanut was found in many foods sold.",
                1.0,
            ),
        ];
        let q = terms(&["hidden", "food"]);
        let plain = answer(&q, &p, 1);
        let expanded = answer_with_expansions(&q, &terms(&["peanut"]), &p, 1);
        assert_eq!(plain.citations[0].paper_id, "pubmed:1");
        assert_eq!(expanded.citations[0].paper_id, "pubmed:2");
        assert_eq!(plain.confidence, expanded.confidence);
    }

    #[test]
    fn more_matching_papers_never_lower_confidence() {
        let lib = library();
        let mut last = 0.0;
        for n in 1..=lib.len() {
            let c = answer(&question(), &lib[..n], 5).confidence;
            assert!(c >= last, "{n} papers: {c} < {last}");
            last = c;
        }
        // Also past the citation limit, and with a better-ranked newcomer.
        let mut more = lib.clone();
        more.push(passage(
            "pubmed:4",
            "Peanut in spice mixes.",
            "Hidden peanut flour was detected in cumin and paprika foods.",
            20.0,
        ));
        assert!(
            answer(&question(), &more, 2).confidence >= answer(&question(), &lib, 2).confidence
        );
        // A passage that does not match lowers the search-strength share, as it should.
        let mut noise = lib.clone();
        noise.push(passage(
            "pubmed:5",
            "Latex gloves.",
            "Gloves were tested in clinics here.",
            9.0,
        ));
        assert!(
            answer(&question(), &noise, 5).confidence < answer(&question(), &lib, 5).confidence
        );
    }

    #[test]
    fn confidence_stays_below_one_however_much_agrees() {
        let many: Vec<Passage> = (0..50)
            .map(|i| {
                passage(
                    &format!("pubmed:{i}"),
                    "T.",
                    &format!("Study {i}: patients with peanut allergy avoid hidden food sources."),
                    1.0,
                )
            })
            .collect();
        let a = answer(&question(), &many, 5);
        assert!(
            a.confidence > 0.9 && a.confidence < 0.95,
            "{}",
            a.confidence
        );
        assert_eq!(a.citations.len(), 1, "the other 49 say the same words");
    }

    #[test]
    fn fewer_terms_covered_means_lower_confidence() {
        let lib = library();
        let all = answer(&question(), &lib, 5).confidence;
        // The same question plus terms no passage has: a smaller share is covered.
        let mut harder = question();
        harder.push("sesame".into());
        let less = answer(&harder, &lib, 5).confidence;
        harder.push("labeling".into());
        let least = answer(&harder, &lib, 5).confidence;
        assert!(all > less && less > least, "{all} {less} {least}");
        assert!(least > 0.0);
    }

    #[test]
    fn the_same_input_gives_the_same_answer() {
        let a = answer(&question(), &library(), 3);
        for _ in 0..5 {
            assert_eq!(answer(&question(), &library(), 3), a);
        }
        // Equal scores and equal sentences: the better-ranked (earlier) passage wins.
        let p = vec![
            passage("pubmed:7", "X.", "Hidden peanut appears in foods.", 1.0),
            passage("pubmed:8", "Y.", "Hidden peanut appears in foods.", 1.0),
        ];
        let a = answer(&question(), &p, 5);
        assert_eq!(a.citations.len(), 1, "the repeat is a near-duplicate");
        assert_eq!(a.citations[0].paper_id, "pubmed:7");
    }

    #[test]
    fn a_paper_given_twice_counts_once() {
        let lib = library();
        let mut twice = lib.clone();
        twice.push(lib[0].clone());
        assert_eq!(answer(&question(), &twice, 5), answer(&question(), &lib, 5));
    }

    #[test]
    fn titles_count_half() {
        let p = vec![passage(
            "pubmed:1",
            "Hidden peanut allergens in processed foods to avoid",
            "We surveyed 300 products. Peanut was hidden in sauces.",
            1.0,
        )];
        let a = answer(&terms(&["hidden", "peanut"]), &p, 5);
        assert_eq!(a.sentences[0].text, "Peanut was hidden in sauces.");
    }

    #[test]
    fn excerpts_are_cut_on_a_word_boundary() {
        let long = "word ".repeat(100);
        let e = trim_excerpt(long.trim(), 300);
        assert!(e.chars().count() <= 300);
        assert!(e.ends_with("word…"), "{e}");
        assert_eq!(trim_excerpt("short one.", 300), "short one.");
        let korean = "가나다 ".repeat(100);
        assert!(trim_excerpt(&korean, 300).chars().count() <= 300);
    }

    #[test]
    fn labels_are_stripped_only_when_they_are_labels() {
        assert_eq!(
            strip_label("RESULTS: Peanut was found."),
            "Peanut was found."
        );
        assert_eq!(strip_label("METHODS AND RESULTS: We ran."), "We ran.");
        assert_eq!(strip_label("IgE: a review."), "IgE: a review.");
        assert_eq!(strip_label("Ratio was 3: 1."), "Ratio was 3: 1.");
    }
}
