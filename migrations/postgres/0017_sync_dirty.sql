-- Rows whose derived state (roll-ups, follow-up states, scrubbing) waits for the end of a long
-- pull (docs/SYNC.md): a node catching up applies pages without recomputing a customer's
-- roll-up once per page, and recomputes each once at the end. Kept in the page's transaction,
-- so a node killed mid-pull recomputes them at the end of its next round.
CREATE TABLE sync_dirty (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
