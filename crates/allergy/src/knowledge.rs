//! The knowledge document's types, and the document as JSON again (for publishing, storing and
//! hashing). Field names are the on-disk names of `knowledge/*.json`, so a document is the
//! files' content put side by side, and a published version is byte-for-byte what it says.

use crate::grades::GradeScale;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// One knowledge document: everything a prescription is made from.
#[derive(Debug, Clone, PartialEq)]
pub struct Knowledge {
    pub version: String,
    pub published_at: String,
    pub allergens: Vec<Allergen>,
    pub grades: GradeScale,
    pub emergency: Emergency,
    pub sources: Vec<Source>,
    /// Normalised code, names and aliases → position in `allergens` (validated unambiguous).
    pub(crate) names: BTreeMap<String, usize>,
    /// Code → position in `allergens`.
    pub(crate) codes: BTreeMap<String, usize>,
    /// Source id → position in `sources`.
    pub(crate) source_ids: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Food,
    Inhalant,
    Other,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Food => "food",
            Category::Inhalant => "inhalant",
            Category::Other => "other",
        }
    }

    pub fn label_ko(self) -> &'static str {
        match self {
            Category::Food => "식품",
            Category::Inhalant => "흡입 알레르겐",
            Category::Other => "기타",
        }
    }
}

/// How likely a reaction to the target is, given a reaction to the source allergen. Ordered so
/// that `High > Medium > Low` (the caution merge keeps the highest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Probability {
    Low,
    Medium,
    High,
}

impl Probability {
    pub fn as_str(self) -> &'static str {
        match self {
            Probability::High => "high",
            Probability::Medium => "medium",
            Probability::Low => "low",
        }
    }

    pub fn label_ko(self) -> &'static str {
        match self {
            Probability::High => "높음",
            Probability::Medium => "중간",
            Probability::Low => "낮음",
        }
    }
}

/// Whether a cross-reaction's tier rests on a published rate or on the wording of a source
/// (an editorial judgement that README/REVIEW say needs clinical sign-off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    PublishedRate,
    Qualitative,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allergen {
    /// Stable ascii snake_case code; diagnoses store it, so it never changes meaning.
    pub code: String,
    pub name_ko: String,
    pub name_en: String,
    pub aliases: Vec<String>,
    pub category: Category,
    /// On Korea's mandatory allergen labelling list (식품등의 표시기준).
    pub mfds_labelling: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfds_scope_ko: Option<String>,
    pub avoid_foods_ko: Vec<String>,
    pub hidden_sources_ko: Vec<String>,
    pub substitutes_ko: Vec<String>,
    pub symptoms_ko: Vec<String>,
    pub lifestyle_tips_ko: Vec<String>,
    #[serde(default)]
    pub mechanism: Option<String>,
    pub cross_reactivity: Vec<CrossReactivity>,
    /// Ids in `sources`.
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrossReactivity {
    /// Code of the allergen a reaction may also occur to.
    pub to: String,
    pub probability: Probability,
    /// The published rate as people read it (">90%", "30–40%"); only with a published rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<String>,
    /// A single published figure (for ">90%" its lower bound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_percent: Option<f64>,
    /// A published range `[low, high]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_range_percent: Option<[f64; 2]>,
    #[serde(default)]
    pub mechanism: Option<String>,
    /// Id in `sources`.
    pub source: String,
    pub basis: Basis,
    /// The source's own words for the rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub citation: String,
    pub url: String,
    /// What was read in it and what it supports.
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Emergency {
    pub emergency_number: EmergencyNumber,
    pub severity_levels: SeverityLevels,
    pub action_plan: ActionPlan,
    pub adrenaline_autoinjector: AdrenalineAutoinjector,
    pub after_reaction_ko: Vec<String>,
    pub after_reaction_sources: Vec<String>,
}

/// The sections of [`Emergency`] by their document names, in document order.
pub(crate) const EMERGENCY_SECTIONS: [&str; 6] = [
    "emergency_number",
    "severity_levels",
    "action_plan",
    "adrenaline_autoinjector",
    "after_reaction_ko",
    "after_reaction_sources",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmergencyNumber {
    pub number: String,
    pub label_ko: String,
    pub description_ko: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<RelatedNumber>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelatedNumber {
    pub number: String,
    pub description_ko: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityLevels {
    pub levels: Vec<SeverityLevel>,
    #[serde(default)]
    pub notes_ko: Vec<String>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanAction {
    MildModerate,
    Anaphylaxis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityLevel {
    pub level: String,
    pub name_ko: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro_ko: Option<String>,
    pub signs_ko: Vec<String>,
    /// Which list of steps in [`ActionPlan`] answers this level.
    pub action: PlanAction,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionPlan {
    pub mild_moderate_title_ko: String,
    pub anaphylaxis_title_ko: String,
    pub mild_moderate_steps_ko: Vec<String>,
    pub anaphylaxis_steps_ko: Vec<String>,
    pub always_ko: Vec<String>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdrenalineAutoinjector {
    pub about_ko: Vec<String>,
    pub prescription_required: bool,
    pub dose_bands: Vec<DoseBand>,
    /// For staff: where the bands come from and what is unverified.
    pub dose_bands_note: String,
    pub dose_notes_ko: Vec<String>,
    pub use_ko: Vec<String>,
    pub storage_ko: Vec<String>,
    pub for_health_professionals: ProfessionalNote,
    pub sources: Vec<String>,
}

/// One weight band of a published auto-injector dose table. A band starts at `weight_kg_min`
/// (inclusive) or `weight_kg_min_exclusive`, exactly one of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoseBand {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_kg_min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_kg_min_exclusive: Option<f64>,
    #[serde(default)]
    pub weight_kg_max: Option<f64>,
    pub dose_mcg: Vec<u32>,
    pub text_ko: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfessionalNote {
    pub text_ko: String,
    pub sources: Vec<String>,
}

impl Knowledge {
    /// The whole document, as published: `parse_document(&k.document())` gives `k` back.
    pub fn document(&self) -> Value {
        json!({
            "version": self.version,
            "published_at": self.published_at,
            "allergens": to_value(&self.allergens),
            "grades": to_value(&self.grades),
            "emergency": to_value(&self.emergency),
            "sources": to_value(&self.sources),
        })
    }

    /// SHA-256 (hex) of the document with object keys sorted, so the same content hashes the
    /// same whatever order a publisher wrote its keys in.
    pub fn content_hash(&self) -> String {
        let mut text = String::new();
        canonical_json(&self.document(), &mut text);
        hex::encode(Sha256::digest(text.as_bytes()))
    }

    /// The allergen with this exact code.
    pub fn allergen(&self, code: &str) -> Option<&Allergen> {
        self.codes.get(code).and_then(|&i| self.allergens.get(i))
    }

    /// The allergen's position in the document: the tie-break of every ordering, so output
    /// follows the file and not a hash.
    pub(crate) fn position(&self, code: &str) -> usize {
        self.codes.get(code).copied().unwrap_or(usize::MAX)
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.source_ids.get(id).and_then(|&i| self.sources.get(i))
    }

    /// `[{id, citation, url}]` for these ids, each once, in first-mention order.
    pub fn source_refs<'a>(&self, ids: impl IntoIterator<Item = &'a String>) -> Value {
        let mut seen = std::collections::BTreeSet::new();
        let refs: Vec<Value> = ids
            .into_iter()
            .filter(|id| seen.insert(id.as_str()))
            .filter_map(|id| self.source(id))
            .map(|s| json!({ "id": s.id, "citation": s.citation, "url": s.url }))
            .collect();
        Value::Array(refs)
    }
}

/// Our types serialise to JSON without failure (string keys, finite numbers after
/// validation); `Null` stands in rather than a panic should that ever change.
fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// Keys sorted at every level, no whitespace; strings and numbers as serde_json writes them.
pub(crate) fn canonical_json(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical_json(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}
