//! Search terms for fragment search. A name is indexed by its character bigrams and a phone
//! number by its digit trigrams, so "김영" or "5678" finds customers through an index instead
//! of scanning every name; the exact `LIKE` match then confirms each candidate, so results
//! are the same as a scan's.

/// Bits of each service type in a customer's `services_used` roll-up.
pub fn service_bit(service: crate::ServiceType) -> i64 {
    1 << crate::ServiceType::ALL
        .iter()
        .position(|s| *s == service)
        .unwrap_or(0)
}

fn grams(chars: &[char], n: usize, prefix: &str, out: &mut Vec<String>) {
    if chars.len() < n {
        return;
    }
    for w in chars.windows(n) {
        let term = format!("{prefix}{}", w.iter().collect::<String>());
        if !out.contains(&term) {
            out.push(term);
        }
    }
}

/// The terms a customer is indexed under: bigrams of the lower-cased name (the name itself
/// when it is one character) and trigrams of the phone digits.
pub fn customer_terms(name: &str, phone_digits: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    let name: Vec<char> = name
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if name.len() == 1 {
        out.push(format!("n:{}", name[0]));
    }
    grams(&name, 2, "n:", &mut out);
    if let Some(digits) = phone_digits {
        let digits: Vec<char> = digits.chars().filter(char::is_ascii_digit).collect();
        grams(&digits, 3, "p:", &mut out);
    }
    out
}

/// The terms every match of the query `q` must be indexed under, or `None` when the index
/// cannot answer it (a single character, or letters that may be part of an e-mail address)
/// and the search has to scan.
pub fn query_terms(q: &str) -> Option<Vec<String>> {
    let q = q.trim().to_lowercase();
    let is_phone = q
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
    let mut out = Vec::new();
    if is_phone {
        let digits: Vec<char> = q.chars().filter(char::is_ascii_digit).collect();
        grams(&digits, 3, "p:", &mut out);
    } else if !q
        .chars()
        .any(|c| c.is_ascii_alphanumeric() || c == '@' || c == '.' || c.is_whitespace())
    {
        let chars: Vec<char> = q.chars().collect();
        grams(&chars, 2, "n:", &mut out);
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServiceType;

    #[test]
    fn names_and_phones_become_terms() {
        assert_eq!(
            customer_terms("김영희", Some("01012345678")),
            vec![
                "n:김영", "n:영희", "p:010", "p:101", "p:012", "p:123", "p:234", "p:345", "p:456",
                "p:567", "p:678"
            ]
        );
        assert_eq!(customer_terms("이", None), vec!["n:이"]);
        assert_eq!(
            customer_terms("Kim Ann", None),
            vec!["n:ki", "n:im", "n:ma", "n:an", "n:nn"]
        );
        assert_eq!(
            customer_terms("영영영", None),
            vec!["n:영영"],
            "no duplicate terms"
        );
    }

    #[test]
    fn queries_use_the_index_only_when_it_can_answer() {
        assert_eq!(query_terms("김영"), Some(vec!["n:김영".to_string()]));
        assert_eq!(
            query_terms(" 김영희 "),
            Some(vec!["n:김영".to_string(), "n:영희".to_string()])
        );
        assert_eq!(
            query_terms("5678"),
            Some(vec!["p:567".to_string(), "p:678".to_string()])
        );
        assert_eq!(
            query_terms("010-1234"),
            Some(vec![
                "p:010".into(),
                "p:101".into(),
                "p:012".into(),
                "p:123".into(),
                "p:234".into()
            ])
        );
        assert_eq!(query_terms("김"), None, "one character: scan");
        assert_eq!(query_terms("56"), None, "two digits: scan");
        assert_eq!(query_terms("kim@"), None, "e-mail fragments: scan");
        assert_eq!(
            query_terms("kim"),
            None,
            "latin letters may be e-mail: scan"
        );
        assert_eq!(query_terms(""), None);
    }

    #[test]
    fn every_query_term_of_a_matching_name_is_among_its_terms() {
        for (name, q) in [
            ("김영희", "영희"),
            ("박서준", "박서"),
            ("남궁민수", "궁민수"),
        ] {
            let terms = customer_terms(name, None);
            for t in query_terms(q).unwrap() {
                assert!(terms.contains(&t), "{name} / {q}: {t}");
            }
        }
        let terms = customer_terms("김영희", Some("01055557777"));
        for t in query_terms("5577").unwrap() {
            assert!(terms.contains(&t));
        }
    }

    #[test]
    fn service_bits_are_distinct() {
        let bits: Vec<i64> = ServiceType::ALL.iter().map(|s| service_bit(*s)).collect();
        assert_eq!(bits, vec![1, 2, 4, 8, 16]);
    }
}
