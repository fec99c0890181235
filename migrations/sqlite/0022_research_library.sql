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
    imported_at TEXT NOT NULL
);

-- Each node's own full-text index (FTS5, Porter-stemmed English), kept by triggers so papers
-- that arrive by sync are searchable like imported ones.
CREATE VIRTUAL TABLE research_fts USING fts5(
    title, abstract, keywords,
    content = 'research_papers', content_rowid = 'rowid',
    tokenize = 'porter unicode61'
);
CREATE TRIGGER research_papers_indexed AFTER INSERT ON research_papers BEGIN
    INSERT INTO research_fts (rowid, title, abstract, keywords)
    VALUES (new.rowid, new.title, new.abstract, new.keywords);
END;
CREATE TRIGGER research_papers_unindexed AFTER DELETE ON research_papers BEGIN
    INSERT INTO research_fts (research_fts, rowid, title, abstract, keywords)
    VALUES ('delete', old.rowid, old.title, old.abstract, old.keywords);
END;
