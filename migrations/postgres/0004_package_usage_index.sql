-- Package usage (customer detail, the search page, recording a visit) counts a package's
-- visits per service. With the service type and the id in the index, the count reads the
-- index alone instead of one table row per visit.
CREATE INDEX service_sessions_package_service ON service_sessions (package_usage_id, service_type, id);
DROP INDEX service_sessions_package;
