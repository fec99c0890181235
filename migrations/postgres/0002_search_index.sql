-- Fast search at clinic scale (100k customers, 2M visits).

-- Which services a customer has used (non-cancelled visits), one bit per service in
-- catalogue order: brain 1, pulse 2, lymph 4, red 8, ai_bike 16. Part of the roll-up, so the
-- service filter is a bit test instead of a probe into the visits per customer.
ALTER TABLE customer_stats ADD COLUMN services_used BIGINT NOT NULL DEFAULT 0;
UPDATE customer_stats SET services_used = COALESCE((
    SELECT SUM(DISTINCT CASE s.service_type
        WHEN 'brain' THEN 1 WHEN 'pulse' THEN 2 WHEN 'lymph' THEN 4 WHEN 'red' THEN 8 WHEN 'ai_bike' THEN 16 END)
    FROM service_sessions s
    WHERE s.customer_id = customer_stats.customer_id
      AND NOT EXISTS (SELECT 1 FROM session_cancellations x WHERE x.session_id = s.id)
), 0);

-- Name bigrams and phone-digit trigrams per customer (domain::search): fragment search finds
-- candidates here, then confirms them with LIKE. Filled by the application (terms are
-- computed in Rust), also for databases created before this migration.
CREATE TABLE customer_search_terms (
    term TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    PRIMARY KEY (term, customer_id)
);
CREATE INDEX customer_search_terms_customer ON customer_search_terms (customer_id);

-- Package-status filters select purchases by expiry date; the index covers the filter.
CREATE INDEX purchase_stats_expiry ON purchase_stats (expiry_date, remaining_sessions, total_sessions, customer_id);
CREATE INDEX customers_membership ON customers (membership_level);
-- "Latest visit first" with never-visited customers last: PostgreSQL's btree serves
-- DESC NULLS LAST only from an index built that way (SQLite's reverse scan already does).
CREATE INDEX customer_stats_last_visit_desc ON customer_stats (last_visit_date DESC NULLS LAST);
