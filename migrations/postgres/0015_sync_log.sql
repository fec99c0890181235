-- The central server's log of every op pushed to it (issue 9, docs/SYNC.md), in the order
-- pulls serve them. `seq` comes from the one counter row below, raised inside the push's
-- transaction: the row stays locked until commit, so sequence order is commit order and a
-- puller can never pass over a change that commits late.
CREATE TABLE sync_log (
    seq BIGINT PRIMARY KEY,
    op_id TEXT NOT NULL UNIQUE,
    device_id TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE sync_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO sync_head (id, seq) VALUES (1, 0);
