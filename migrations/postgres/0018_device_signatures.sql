-- Issue 9: a central server verifies the audit chains devices sealed offline. Each event of a
-- node's change chain also carries an Ed25519 signature (of its canonical bytes and its seal)
-- by a key derived from the node's audit key; a device tells the server the public halves as
-- it pushes, one per audit key id (docs/AUDIT.md).
ALTER TABLE audit_events ADD COLUMN signature TEXT;

CREATE TABLE device_audit_keys (
    chain TEXT NOT NULL,
    key_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    -- The device that first presented it.
    device_id TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    PRIMARY KEY (chain, key_id)
);
