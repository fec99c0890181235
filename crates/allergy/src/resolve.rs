//! Finding an allergen by what a person or a lab report calls it: the code, either name or an
//! alias, blind to case, spaces, underscores, hyphens, dots, apostrophes and the middle dots
//! Korean text uses (·, ㆍ, ・), so `house dust mite`, `HOUSE-DUST-MITE` and `집먼지 진드기`
//! all land on `house_dust_mite`.

use crate::knowledge::{Allergen, Knowledge};
use serde_json::{json, Value};

/// The key a name is looked up by. Hangul typed on macOS arrives decomposed (NFD), so jamo are
/// recomposed first; without it `땅콩` from a Mac would be unknown.
pub fn normalise(name: &str) -> String {
    compose_hangul(name)
        .chars()
        .filter(|&c| !is_separator(c))
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '_' | '-' | '.' | '\'' | '\u{2010}'
                ..='\u{2015}' // hyphens and dashes
                | '\u{2018}' | '\u{2019}' // curly apostrophes
                | '\u{00B7}' | '\u{2022}' | '\u{2027}' | '\u{2219}' // middle dots, bullet
                | '\u{30FB}' | '\u{FF65}' // katakana middle dots
                | '\u{318D}' // ㆍ (arae-a, typed as a middle dot on Korean keyboards)
                | '\u{FF3F}' | '\u{FF0D}' // fullwidth underscore and hyphen
        )
}

/// Conjoining jamo (L V [T]) to precomposed syllables: the arithmetic of Unicode §3.12.
fn compose_hangul(s: &str) -> String {
    const S_BASE: u32 = 0xAC00;
    const L_BASE: u32 = 0x1100;
    const V_BASE: u32 = 0x1161;
    const T_BASE: u32 = 0x11A7;
    const L_COUNT: u32 = 19;
    const V_COUNT: u32 = 21;
    const T_COUNT: u32 = 28;
    let mut out: Vec<char> = Vec::with_capacity(s.len());
    for c in s.chars() {
        let code = c as u32;
        if let Some(&last) = out.last() {
            let last = last as u32;
            if (L_BASE..L_BASE + L_COUNT).contains(&last)
                && (V_BASE..V_BASE + V_COUNT).contains(&code)
            {
                let syllable = S_BASE + ((last - L_BASE) * V_COUNT + (code - V_BASE)) * T_COUNT;
                if let Some(ch) = char::from_u32(syllable) {
                    out.pop();
                    out.push(ch);
                    continue;
                }
            }
            let is_lv = (S_BASE..S_BASE + L_COUNT * V_COUNT * T_COUNT).contains(&last)
                && (last - S_BASE).is_multiple_of(T_COUNT);
            if is_lv && (T_BASE + 1..T_BASE + T_COUNT).contains(&code) {
                if let Some(ch) = char::from_u32(last + (code - T_BASE)) {
                    out.pop();
                    out.push(ch);
                    continue;
                }
            }
        }
        out.push(c);
    }
    out.into_iter().collect()
}

impl Knowledge {
    /// The allergen a name means: its code, Korean or English name, or an alias.
    pub fn resolve(&self, name: &str) -> Option<&Allergen> {
        let key = normalise(name);
        if key.is_empty() {
            return None;
        }
        self.names.get(&key).and_then(|&i| self.allergens.get(i))
    }

    /// `[{code, name_ko, name_en, aliases, category, mfds_labelling}]` in document order, for
    /// `GET /pro/allergens`.
    pub fn allergen_list(&self) -> Value {
        Value::Array(
            self.allergens
                .iter()
                .map(|a| {
                    json!({
                        "code": a.code,
                        "name_ko": a.name_ko,
                        "name_en": a.name_en,
                        "aliases": a.aliases,
                        "category": a.category.as_str(),
                        "mfds_labelling": a.mfds_labelling,
                    })
                })
                .collect(),
        )
    }
}

/// Every name an allergen answers to, with the document path it is written at (for the
/// validator's "this alias already means …" answer).
pub(crate) fn names_of(allergen: &Allergen, at: &str) -> Vec<(String, String)> {
    let mut names = vec![
        (allergen.code.clone(), format!("{at}.code")),
        (allergen.name_ko.clone(), format!("{at}.name_ko")),
        (allergen.name_en.clone(), format!("{at}.name_en")),
    ];
    for (i, alias) in allergen.aliases.iter().enumerate() {
        names.push((alias.clone(), format!("{at}.aliases[{i}]")));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::normalise;
    use crate::builtin;

    #[test]
    fn house_dust_mite_answers_to_every_spelling() {
        let k = builtin();
        for name in [
            "house dust mite",
            "house_dust_mite",
            "집먼지진드기",
            "집먼지 진드기",
            "Der p",
            "der-p",
            "HOUSE-DUST-MITE",
            "  House Dust Mite ",
            "D. pteronyssinus",
            "Der f 1",
        ] {
            assert_eq!(
                k.resolve(name).map(|a| a.code.as_str()),
                Some("house_dust_mite"),
                "{name:?}"
            );
        }
    }

    #[test]
    fn names_aliases_and_codes_resolve_and_nonsense_does_not() {
        let k = builtin();
        let table = [
            ("peanut", "peanut"),
            ("땅콩", "peanut"),
            ("Peanut", "peanut"),
            ("우유", "milk"),
            ("Cow's milk", "milk"),
            ("cows milk", "milk"),
            ("계란", "egg"),
            ("난류", "egg"),
            ("조개류(굴·전복·홍합 포함)", "mollusc_shellfish"),
            ("조개류(굴ㆍ전복ㆍ홍합 포함)", "mollusc_shellfish"),
            ("굴", "mollusc_shellfish"),
            ("환삼덩굴", "japanese_hop_pollen"),
            ("w22", "japanese_hop_pollen"),
            ("고양이", "cat"),
            ("Fel d 1", "cat"),
            ("pine nut", "pine_nut"),
            ("잣", "pine_nut"),
            ("latex", "latex"),
            ("Alternaria", "mould"),
            ("mold", "mould"),
        ];
        for (name, code) in table {
            assert_eq!(
                k.resolve(name).map(|a| a.code.as_str()),
                Some(code),
                "{name:?}"
            );
        }
        for name in ["", "   ", "-_-", "unobtainium", "shellfish", "pine", "들깨"] {
            assert!(k.resolve(name).is_none(), "{name:?} must not resolve");
        }
    }

    #[test]
    fn decomposed_hangul_is_the_same_name() {
        // 땅콩 as a Mac sends it: ㄸ ㅏ ㅇ ㅋ ㅗ ㅇ as conjoining jamo.
        let nfd = "\u{1104}\u{1161}\u{11BC}\u{110F}\u{1169}\u{11BC}";
        assert_eq!(normalise(nfd), "땅콩");
        assert_eq!(
            builtin().resolve(nfd).map(|a| a.code.as_str()),
            Some("peanut")
        );
        assert_eq!(normalise("Ara h 2"), "arah2");
        assert_eq!(normalise("돼지고기·소고기"), "돼지고기소고기");
    }

    #[test]
    fn the_list_for_professionals_has_every_allergen_in_order() {
        let k = builtin();
        let list = k.allergen_list();
        let items = list.as_array().expect("array");
        assert_eq!(items.len(), k.allergens.len());
        assert_eq!(items[0]["code"], "egg");
        for item in items {
            for key in ["code", "name_ko", "name_en", "aliases", "category"] {
                assert!(!item[key].is_null(), "{key} in {item}");
            }
        }
    }
}
