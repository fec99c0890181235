//! Sentence splitting for English abstracts. A full stop ends a sentence only when a space
//! and a sentence start follow it, and not after the abbreviations abstracts are full of
//! (`e.g.`, `i.e.`, `et al.`, `vs.`, `Fig.`, initials); decimals never split because no
//! space follows their point. A line break always ends a sentence: callers put the title on
//! its own line.

/// Words that end in a full stop without ending the sentence (lower case, without the stop).
const ABBREVIATIONS: &[&str] = &[
    "al", "approx", "ca", "cf", "co", "dr", "eq", "fig", "figs", "inc", "jr", "ltd", "mr", "mrs",
    "ms", "no", "nos", "prof", "ref", "refs", "resp", "sp", "spp", "sr", "st", "vol", "vs",
];

/// The sentences of `text`, trimmed, in order; empty ones dropped.
pub fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for block in text.split('\n') {
        split_block(block, &mut out);
    }
    out
}

fn split_block(block: &str, out: &mut Vec<String>) {
    let chars: Vec<(usize, char)> = block.char_indices().collect();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if !matches!(c, '.' | '?' | '!') {
            i += 1;
            continue;
        }
        // Closing quotes and brackets, and "...", belong to the sentence they end.
        let mut j = i + 1;
        while j < chars.len()
            && matches!(
                chars[j].1,
                '.' | '?' | '!' | '"' | '\'' | ')' | ']' | '\u{201d}' | '\u{2019}'
            )
        {
            j += 1;
        }
        if j == chars.len() || !chars[j].1.is_whitespace() {
            i = j;
            continue;
        }
        let mut k = j;
        while k < chars.len() && chars[k].1.is_whitespace() {
            k += 1;
        }
        if k == chars.len() {
            break;
        }
        // A lower-case word after the stop continues the sentence ("approx. three").
        let starts_sentence = !chars[k].1.is_lowercase();
        let abbreviation = c == '.' && is_abbreviation(&block[start..pos]);
        if starts_sentence && !abbreviation {
            let end = chars[j].0;
            push(out, &block[start..end]);
            start = chars[k].0;
        }
        i = k;
    }
    push(out, &block[start..]);
}

/// Whether the word before a full stop is one that the stop merely abbreviates.
fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or("")
        .trim_start_matches(['(', '[', '"', '\'', '\u{201c}']);
    if word.is_empty() {
        return false;
    }
    // "e.g", "i.e", "U.S": a dotted abbreviation (letters and dots only, so ".001)" is not);
    // a single letter: an initial ("Smith J.").
    let dotted = word.contains('.') && word.chars().all(|c| c.is_alphabetic() || c == '.');
    if dotted || (word.chars().count() == 1 && word.chars().all(char::is_alphabetic)) {
        return true;
    }
    let lower = word.to_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
}

fn push(out: &mut Vec<String>, s: &str) {
    let s = s.trim();
    if !s.is_empty() {
        out.push(s.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_sentence_ends() {
        assert_eq!(
            split_sentences("Peanut is a legume. Tree nuts are not! Are they related? Yes."),
            vec![
                "Peanut is a legume.",
                "Tree nuts are not!",
                "Are they related?",
                "Yes."
            ]
        );
    }

    #[test]
    fn abbreviations_and_decimals_do_not_split() {
        let text = "Hidden sources, e.g. sauces and i.e. satay, were found by Kim et al. in \
                    2021. The median dose was 0.35 mg vs. 0.12 mg (Fig. 2). Approx. three \
                    patients reacted, cf. Table 1. Smith J. Park reported it.";
        assert_eq!(
            split_sentences(text),
            vec![
                "Hidden sources, e.g. sauces and i.e. satay, were found by Kim et al. in 2021.",
                "The median dose was 0.35 mg vs. 0.12 mg (Fig. 2).",
                "Approx. three patients reacted, cf. Table 1.",
                "Smith J. Park reported it.",
            ]
        );
        assert_eq!(
            split_sentences("Tolerance was higher (P < .001). Adverse events were mild."),
            vec![
                "Tolerance was higher (P < .001).",
                "Adverse events were mild."
            ]
        );
        assert_eq!(
            split_sentences("Foods sold in the U.S. Market data were used."),
            vec!["Foods sold in the U.S. Market data were used."]
        );
    }

    #[test]
    fn line_breaks_and_closing_marks() {
        assert_eq!(
            split_sentences(
                "A title without a stop\nBACKGROUND: It was \"common.\" (See below.) Next"
            ),
            vec![
                "A title without a stop",
                "BACKGROUND: It was \"common.\"",
                "(See below.)",
                "Next"
            ]
        );
    }

    #[test]
    fn lower_case_after_a_stop_continues() {
        assert_eq!(
            split_sentences("Doses were 1 mg. and more. Then it ended."),
            vec!["Doses were 1 mg. and more.", "Then it ended."]
        );
    }

    #[test]
    fn empty_and_unicode() {
        assert!(split_sentences("  \n ").is_empty());
        assert_eq!(
            split_sentences("β-conglutin binds IgE. 땅콩은 콩과이다."),
            vec!["β-conglutin binds IgE.", "땅콩은 콩과이다."]
        );
    }
}
