-- List and search run on an in-memory index of the customers (store::search_index). A
-- customer's search revision is raised in every transaction that changes what the index holds
-- about it (its record, its roll-up, its packages), so each search reads only what changed
-- since the revision it last saw, also when another process wrote the change.
ALTER TABLE customers ADD COLUMN search_revision BIGINT NOT NULL DEFAULT 0;
CREATE INDEX customers_search_revision ON customers (search_revision);

-- Replaced by the in-memory index.
DROP TABLE customer_search_terms;
DROP INDEX customers_membership;
DROP INDEX IF EXISTS customer_stats_last_visit_desc;
