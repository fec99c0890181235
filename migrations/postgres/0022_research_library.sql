-- The research library (issue 10, seed 001 §4.3): papers imported from PubMed XML or MEDLINE
-- export files. A paper is a fact: imported once (by its PubMed id), synced to every node.
CREATE TABLE research_papers (
    id TEXT PRIMARY KEY,
    pmid TEXT NOT NULL,
    title TEXT NOT NULL,
    authors TEXT NOT NULL,
    journal TEXT NOT NULL,
    year BIGINT,
    abstract TEXT NOT NULL,
    doi TEXT,
    keywords TEXT NOT NULL,
    language TEXT,
    imported_by TEXT,
    imported_at TEXT NOT NULL,
    -- The full-text index's document: the title weighs most, then the keywords, then the
    -- abstract (English stemming, like the desktop's FTS5 Porter tokenizer).
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') ||
        setweight(to_tsvector('english', keywords), 'B') ||
        setweight(to_tsvector('english', abstract), 'C')
    ) STORED
);
CREATE INDEX research_papers_search ON research_papers USING GIN (search);
