-- The access log's events share the change chain's row shape (`audit::insert`); reads are
-- never signed (they stay on the node), so the column stays empty here.
ALTER TABLE audit_events ADD COLUMN signature TEXT;
