//! ClinicDesk's research library, the pure part: reading PubMed XML and MEDLINE (`.nbib`,
//! `.txt`) export files into [`Paper`]s — all or nothing, with the line of the first
//! problem — turning a (often Korean) question into English search terms and into safe
//! SQLite FTS5 / PostgreSQL tsquery text, and answering a question with sentences extracted
//! from the best-ranked passages, their citations and a confidence that reflects the
//! evidence. No IO and no clock: the store keeps the papers and their full-text index, the
//! API calls these functions around its queries.

mod medline;
mod paper;
mod qa;
mod sentences;
mod terms;
mod xml;

pub use medline::parse_medline;
pub use paper::{detect_format, parse_export, Format, ImportError, Paper};
pub use qa::{answer, answer_with_expansions, Answer, AnswerSentence, Citation, Passage};
pub use sentences::split_sentences;
pub use terms::{display_scores, fts5_match, pg_tsquery, search_terms};
pub use xml::parse_pubmed_xml;
