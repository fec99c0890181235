-- Devices that sync with this server (issue 9). A device's secret is shown once, when it is
-- registered; only its SHA-256 is kept. Revoking keeps the row: who had access, and until when.
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    registered_by TEXT,
    registered_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT,
    last_seen_at TEXT
);
