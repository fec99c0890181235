-- Issue 9: a synced record's field versions in one row, as one JSON object
-- `{field: {"value", "stamp", "base"}}` (`capture::store_versions`), instead of a row per
-- field. Change capture and the merge always read and write a record's versions whole, and a
-- first pull writes a hundred thousand customers of 29 fields each: 2.9 million index entries
-- became 100,000.
CREATE TABLE record_versions (
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    versions TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id)
);

INSERT INTO record_versions (entity, entity_id, versions)
SELECT entity, entity_id,
       json_group_object(field, json_object('value', value, 'stamp', stamp, 'base', base))
FROM field_versions
GROUP BY entity, entity_id;

DROP TABLE field_versions;
