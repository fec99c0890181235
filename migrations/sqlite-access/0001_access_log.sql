-- The access log of an SQLite node: reads, refusals and failed logins (the `<node>:access`
-- audit chain), in a file of its own beside the main database. Every audited read commits an
-- event; in the main file each such commit would make every other connection drop its page
-- cache. The tables are those of the main database's audit trail (migration 0010).
CREATE TABLE audit_events (
    chain TEXT NOT NULL,
    seq BIGINT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    occurred_at TEXT NOT NULL,
    user_id TEXT,
    username TEXT,
    role TEXT,
    device_id TEXT,
    request_id TEXT,
    client_request_id TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    details TEXT NOT NULL,
    key_id TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (chain, seq)
);
CREATE INDEX audit_events_by_entity ON audit_events (entity_id, occurred_at);
CREATE INDEX audit_events_by_time ON audit_events (occurred_at);
CREATE INDEX audit_events_by_user ON audit_events (username, occurred_at);

-- The customers an event concerns beyond its own entity (the rows of a list page), so "who
-- saw this customer" finds list and search reads too.
CREATE TABLE audit_subjects (
    chain TEXT NOT NULL,
    seq BIGINT NOT NULL,
    customer_id TEXT NOT NULL,
    PRIMARY KEY (chain, seq, customer_id)
);
CREATE INDEX audit_subjects_customer ON audit_subjects (customer_id);

-- Each chain's newest event, MAC'd too: deleting the newest events leaves the head pointing
-- past the end. Claiming a chain's head row is also what serialises that chain's writers.
CREATE TABLE audit_heads (
    chain TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    key_id TEXT NOT NULL,
    mac TEXT NOT NULL
);

-- Which access log this file is. The main database keeps the same id (`access_log_id` in
-- app_settings): a missing or replaced file — and with it the loss of its events — shows as a
-- mismatch when the trail is verified, instead of passing as an empty, intact chain.
CREATE TABLE access_log_identity (
    id TEXT PRIMARY KEY
);
