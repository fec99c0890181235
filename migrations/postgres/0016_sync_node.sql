-- Sync on every database (issue 9, docs/SYNC.md).

-- The version of every field of a synced record row: its value as text, the stamp of the
-- write that set it and the stamp that write replaced. Change capture compares the row with
-- these to find what a write changed; the merge rule compares incoming versions with them.
CREATE TABLE field_versions (
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT,
    stamp TEXT NOT NULL,
    base TEXT,
    PRIMARY KEY (entity, entity_id, field)
);

-- The changes this node made that the central server does not hold yet, in the order made.
-- (The foundation's outbox held change notes of another shape and never left the machine:
-- a node's first sync sends a snapshot of its rows instead.)
DROP TABLE outbox;
CREATE TABLE outbox (
    seq BIGSERIAL PRIMARY KEY,
    op_id TEXT NOT NULL UNIQUE,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX outbox_entity ON outbox (entity, entity_id);
CREATE INDEX sync_log_entity ON sync_log (entity, entity_id);

-- This database as a sync node: the central server it syncs with (none on the central server
-- itself), the device id it was registered as, the last cursor it applied, and how the last
-- round went. One row.
CREATE TABLE sync_state (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    upstream_url TEXT,
    device_id TEXT,
    cursor BIGINT NOT NULL,
    snapshot_sent BIGINT NOT NULL,
    last_sync_at TEXT,
    last_attempt_at TEXT,
    last_error TEXT,
    pull_head BIGINT
);
INSERT INTO sync_state (id, cursor, snapshot_sent) VALUES (1, 0, 0);

-- Concurrent edits of one field: the value kept (the later stamp, on every node alike) and
-- the one that lost. Found independently, with the same id, on every node that holds both;
-- open while the field still holds the kept version.
CREATE TABLE sync_conflicts (
    id TEXT PRIMARY KEY,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field TEXT NOT NULL,
    kept_value TEXT,
    kept_stamp TEXT NOT NULL,
    lost_value TEXT,
    lost_stamp TEXT NOT NULL,
    detected_at TEXT NOT NULL
);
CREATE INDEX sync_conflicts_entity ON sync_conflicts (entity, entity_id, field);

-- Customers created on two nodes with the same name and phone: flagged for a person to
-- merge, never merged silently.
CREATE TABLE merge_candidates (
    id TEXT PRIMARY KEY,
    customer_a TEXT NOT NULL,
    customer_b TEXT NOT NULL,
    detected_at TEXT NOT NULL
);
