-- Issue 9: a first pull into an empty node inserts millions of rows into the fact tables;
-- their secondary indexes are dropped for it and built once at its end (`sync_node::
-- defer_indexes`). Their definitions wait here, written in the same transaction as the
-- drop, so a node stopped mid-pull still builds them when the pull ends.
CREATE TABLE sync_deferred_indexes (
    name TEXT PRIMARY KEY,
    sql TEXT NOT NULL
);
