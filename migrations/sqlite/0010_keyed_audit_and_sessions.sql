-- Trust (issue 7). Secrets leave the database, refresh sessions get an absolute lifetime and
-- theft detection, and the audit trail becomes keyed chains, one per node and stream.

-- The token signing secret now lives in a key ring outside the database (a private file on a
-- server, the OS keyring on a desktop): a copy of this file must not be enough to forge tokens.
DELETE FROM app_settings WHERE key = 'jwt_secret';

-- A login session ends at `absolute_expires_at` however often it is refreshed; refreshing
-- moves only `expires_at` (the idle limit), never past it.
ALTER TABLE auth_sessions ADD COLUMN absolute_expires_at TEXT;
UPDATE auth_sessions SET absolute_expires_at = expires_at;

-- Refresh tokens a session has replaced. Presenting one again means it was copied: the
-- session is revoked.
CREATE TABLE rotated_refresh_tokens (
    refresh_token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES auth_sessions(id),
    rotated_at TEXT NOT NULL
);
CREATE INDEX rotated_refresh_tokens_session ON rotated_refresh_tokens (session_id);

-- Events recorded before the chains were keyed stay, as they were, for the record.
ALTER TABLE audit_events RENAME TO audit_events_unkeyed;
ALTER TABLE audit_head RENAME TO audit_head_unkeyed;

-- The audit trail: chains of events, each MAC'd (HMAC-SHA-256 under a key kept outside the
-- database, named by `key_id`) over its fields and the previous event's MAC. A chain belongs
-- to one node and one stream: `<node>` holds the events of changes, written in the same
-- transaction as the change; `<node>:access` holds reads, refusals and failed logins (on
-- SQLite in a file of its own beside this one, see `store::access_log`). See docs/AUDIT.md.
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
