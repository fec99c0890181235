//! From a staff member's question to search terms, and from terms to query text for the two
//! databases. The library's abstracts are English while questions are often Korean, so
//! Korean words go through a small bundled glossary (`glossary.tsv`); English words pass
//! through. The query text is built here, not in SQL strings, so that what staff type can
//! never become query syntax: every FTS5 term is a quoted phrase, every tsquery word is
//! `[a-z0-9]+`.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const GLOSSARY_TSV: &str = include_str!("../glossary.tsv");

/// English words that say nothing about a paper's subject. `patient(s)` is here because
/// nearly every clinical abstract has it: as a search term it would match everything.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "before", "being", "between", "but", "by", "can", "could", "did", "do", "does", "during",
    "for", "from", "had", "has", "have", "how", "if", "in", "into", "is", "it", "its", "may", "me",
    "might", "more", "most", "must", "my", "no", "not", "of", "on", "or", "our", "over", "patient",
    "patients", "per", "should", "so", "some", "such", "than", "that", "the", "their", "them",
    "then", "there", "these", "they", "this", "those", "to", "under", "us", "via", "vs", "was",
    "we", "were", "what", "when", "where", "which", "who", "whom", "whose", "why", "will", "with",
    "would", "you", "your",
];

/// Korean particles and endings that may follow a one-syllable glossary word (콩을, 밀가).
const PARTICLES: &[&str] = &[
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "의",
    "에",
    "와",
    "과",
    "도",
    "만",
    "로",
    "으로",
    "에서",
    "에게",
    "한테",
    "랑",
    "이랑",
    "나",
    "이나",
    "부터",
    "까지",
    "보다",
    "처럼",
    "에는",
    "에서는",
    "으로는",
    "와의",
    "과의",
    "이란",
    "란",
    "인",
    "이다",
    "입니다",
    "요",
];

struct Glossary {
    map: HashMap<String, Vec<String>>,
    longest: usize,
}

fn glossary() -> &'static Glossary {
    static GLOSSARY: OnceLock<Glossary> = OnceLock::new();
    GLOSSARY.get_or_init(|| parse_glossary(GLOSSARY_TSV))
}

fn parse_glossary(tsv: &str) -> Glossary {
    let mut map = HashMap::new();
    for line in tsv.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((korean, english)) = line.split_once('\t') else {
            continue;
        };
        let terms: Vec<String> = english
            .split(',')
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        if !terms.is_empty() {
            map.insert(korean.trim().to_string(), terms);
        }
    }
    let longest = map.keys().map(|k| k.chars().count()).max().unwrap_or(0);
    Glossary { map, longest }
}

/// The terms to search for: the query's words (English words lower-cased, at least two
/// characters, stop words dropped; Korean words through the glossary, unknown ones
/// dropped) and then the `expansions` the caller adds — the allergen filter's English names
/// and those of cross-reactive allergens — each once, in that order.
pub fn search_terms(query: &str, expansions: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut add = |t: String, out: &mut Vec<String>| {
        if seen.insert(t.clone()) {
            out.push(t);
        }
    };
    for token in tokens(query) {
        match token {
            Token::Ascii(w) => {
                if w.len() >= 2 && !STOP_WORDS.contains(&w.as_str()) {
                    add(w, &mut out);
                }
            }
            Token::Hangul(w) => {
                for t in korean_terms(&w) {
                    add(t, &mut out);
                }
            }
        }
    }
    for e in expansions {
        let t = e
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if t.chars().any(char::is_alphanumeric) {
            add(t, &mut out);
        }
    }
    out
}

enum Token {
    Ascii(String),
    Hangul(String),
}

/// Runs of ASCII letters and digits, and runs of Hangul, so "IgE가" gives "ige" and "가".
fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_hangul = false;
    for c in text.chars() {
        let kind = if c.is_ascii_alphanumeric() {
            Some(false)
        } else if is_hangul(c) {
            Some(true)
        } else {
            None
        };
        if kind != Some(cur_hangul) && !cur.is_empty() {
            let word = std::mem::take(&mut cur);
            out.push(if cur_hangul {
                Token::Hangul(word)
            } else {
                Token::Ascii(word)
            });
        }
        if let Some(h) = kind {
            cur_hangul = h;
            cur.push(c.to_ascii_lowercase());
        }
    }
    if !cur.is_empty() {
        out.push(if cur_hangul {
            Token::Hangul(cur)
        } else {
            Token::Ascii(cur)
        });
    }
    out
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{ac00}'..='\u{d7a3}' | '\u{1100}'..='\u{11ff}' | '\u{3130}'..='\u{318f}')
}

/// A Korean word's terms: the longest glossary stem at its start, then the longest at the
/// end of that, and so on (compounds like 땅콩알레르기); the first unknown part ends the
/// word, which drops particles and endings (식품은, 피해야할) without a morphological
/// analyser.
fn korean_terms(word: &str) -> Vec<String> {
    let g = glossary();
    let chars: Vec<char> = word.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let mut found = None;
        for len in (1..=g.longest.min(chars.len() - i)).rev() {
            let stem: String = chars[i..i + len].iter().collect();
            if let Some(terms) = g.map.get(&stem) {
                let rest: String = chars[i + len..].iter().collect();
                if len == 1 && !(i == 0 && (rest.is_empty() || PARTICLES.contains(&rest.as_str())))
                {
                    continue;
                }
                found = Some((len, terms));
                break;
            }
        }
        let Some((len, terms)) = found else {
            break;
        };
        out.extend(terms.iter().cloned());
        i += len;
    }
    out
}

/// A SQLite FTS5 `MATCH` expression for any of the terms: each a double-quoted phrase
/// (inner quotes doubled), so FTS5 syntax in a term — `OR`, `NEAR`, `*`, `:`, `-` — is just
/// text. Terms without a letter or digit are skipped (an empty phrase is an error in some
/// FTS5 versions). `None` when nothing is left: the caller then has nothing to search for.
pub fn fts5_match(terms: &[String]) -> Option<String> {
    let mut seen = HashSet::new();
    let parts: Vec<String> = terms
        .iter()
        .map(|t| t.chars().filter(|c| !c.is_control()).collect::<String>())
        .map(|t| t.trim().to_string())
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .filter(|t| seen.insert(t.clone()))
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" OR "))
}

/// Text for PostgreSQL's `to_tsquery('english', $1)`: each term lower-cased and cut into
/// `[a-z0-9]+` words — one word as itself, several as a `<->` phrase — joined with `|`.
/// Nothing else reaches `to_tsquery`, so no input can be a syntax error there.
pub fn pg_tsquery(terms: &[String]) -> Option<String> {
    let mut seen = HashSet::new();
    let parts: Vec<String> = terms
        .iter()
        .filter_map(|t| {
            let lower = t.to_ascii_lowercase();
            let words: Vec<&str> = lower
                .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
                .filter(|w| !w.is_empty())
                .collect();
            match words.len() {
                0 => None,
                1 => Some(words[0].to_string()),
                _ => Some(format!("({})", words.join(" <-> "))),
            }
        })
        .filter(|p| seen.insert(p.clone()))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" | "))
}

/// Scores for display (the API's `score`): each relative to the best hit, in (0, 1], two
/// decimals. Raw ranks are not comparable between FTS5's bm25 and PostgreSQL's ts_rank,
/// so only their relation to the best is shown.
///
/// In a small library a term found in most papers has an inverse document frequency near
/// zero, and FTS5's bm25 then scores every hit at or below zero: the hits are still ranked,
/// so they are spread over [0.05, 1] by their distance from the best instead of all reading 0.
/// A score that is not a number gives 0.
pub fn display_scores(raw: &[f64]) -> Vec<f64> {
    let finite = || raw.iter().copied().filter(|s| s.is_finite());
    let best = finite().fold(f64::NEG_INFINITY, f64::max);
    let worst = finite().fold(f64::INFINITY, f64::min);
    let round = |x: f64| (x * 100.0).round() / 100.0;
    raw.iter()
        .map(|&s| {
            if !s.is_finite() {
                0.0
            } else if best > 0.0 && worst >= 0.0 {
                round(s / best)
            } else if best > worst {
                round(0.05 + 0.95 * (s - worst) / (best - worst))
            } else {
                1.0
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn korean_question_becomes_english_terms() {
        assert_eq!(
            search_terms("땅콩 알러지 환자가 피해야 할 숨겨진 식품은?", &[]),
            s(&["peanut", "allergy", "avoid", "hidden", "food"])
        );
        assert_eq!(
            search_terms(
                "소아 땅콩알레르기의 경구면역요법 치료 효과와 교차반응은?",
                &[]
            ),
            s(&[
                "children",
                "peanut",
                "allergy",
                "oral",
                "immunotherapy",
                "treatment",
                "efficacy",
                "cross-reactivity"
            ])
        );
        assert_eq!(
            search_terms("아나필락시스 증상", &[]),
            s(&["anaphylaxis", "symptom"])
        );
    }

    #[test]
    fn english_words_stop_words_and_mixed_scripts() {
        assert_eq!(
            search_terms(
                "What are the hidden sources of Peanut in foods for patients?",
                &[]
            ),
            s(&["hidden", "sources", "peanut", "foods"])
        );
        assert_eq!(search_terms("IgE가 높은 a x", &[]), s(&["ige"]));
        assert!(search_terms("   ?! 그리고 ", &[]).is_empty());
    }

    #[test]
    fn expansions_follow_the_query_once_each() {
        assert_eq!(
            search_terms(
                "peanut allergy treatment",
                &s(&["Peanut", "groundnut", "Tree  Nut", " ", "lupin"])
            ),
            s(&[
                "peanut",
                "allergy",
                "treatment",
                "groundnut",
                "tree nut",
                "lupin"
            ])
        );
    }

    #[test]
    fn one_syllable_stems_need_a_whole_word() {
        assert_eq!(search_terms("밀 콩을", &[]), s(&["wheat", "soy"]));
        // 비밀 (secret) is not 밀 (wheat); 땅콩 is not 콩.
        assert_eq!(search_terms("비밀 땅콩", &[]), s(&["peanut"]));
        assert_eq!(search_terms("아이스크림", &[]), s(&["ice cream"]));
    }

    #[test]
    fn the_bundled_glossary_is_well_formed() {
        let g = glossary();
        assert!(g.map.len() > 100);
        for line in GLOSSARY_TSV.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) = line.split_once('\t').expect("korean<TAB>english");
            assert!(k.chars().all(is_hangul), "{line}");
            assert!(
                v.chars().all(|c| c.is_ascii() && !c.is_ascii_uppercase()),
                "{line}"
            );
        }
    }

    #[test]
    fn fts5_terms_are_quoted_phrases() {
        assert_eq!(
            fts5_match(&s(&[
                "peanut", "tree nut", "OR", "NEAR", "5\" tube", "a*b:c", "peanut"
            ])),
            Some(
                "\"peanut\" OR \"tree nut\" OR \"OR\" OR \"NEAR\" OR \"5\"\" tube\" OR \"a*b:c\""
                    .to_string()
            )
        );
        assert_eq!(fts5_match(&s(&["\"", "  ", "-"])), None);
        assert_eq!(fts5_match(&[]), None);
        assert_eq!(fts5_match(&s(&["땅콩\u{0}"])), Some("\"땅콩\"".to_string()));
    }

    #[test]
    fn tsquery_words_are_sanitised() {
        assert_eq!(
            pg_tsquery(&s(&[
                "Peanut",
                "tree nut",
                "cross-reactivity",
                "a&b|c",
                "'; drop",
                "β"
            ])),
            Some(
                "peanut | (tree <-> nut) | (cross <-> reactivity) | (a <-> b <-> c) | drop"
                    .to_string()
            )
        );
        assert_eq!(pg_tsquery(&s(&["!:*", "땅콩"])), None);
        assert_eq!(pg_tsquery(&s(&["IgE", "ige"])), Some("ige".to_string()));
    }

    #[test]
    fn display_scores_are_relative_to_the_best() {
        assert_eq!(display_scores(&[8.0, 4.0, 1.0]), vec![1.0, 0.5, 0.13]);
        // Hits scored at or below zero (a term in most papers) are still told apart.
        assert_eq!(display_scores(&[-0.5, -1.0, -2.5]), vec![1.0, 0.76, 0.05]);
        assert_eq!(display_scores(&[3.0, -1.0]), vec![1.0, 0.05]);
        assert_eq!(display_scores(&[0.0, 0.0]), vec![1.0, 1.0]);
        assert_eq!(display_scores(&[2.0, f64::NAN]), vec![1.0, 0.0]);
        assert!(display_scores(&[]).is_empty());
    }
}
