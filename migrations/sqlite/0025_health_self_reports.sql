-- Issue 11: what a customer says of their own health (stress, sleep, focus, pain, fatigue on
-- 1–10), recorded by a doctor or an admin, so the customer's analytics can show before and
-- after (seed 000 §2.1 healthMetrics). Health data: recorded only with the customer's
-- health-data consent and read only by roles that read health data. Facts, synced; a
-- mistaken entry is corrected by a newer report of the same day (the latest counts).
CREATE TABLE health_self_reports (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    reported_on TEXT NOT NULL,
    -- stress_level | sleep_quality | focus_level | pain_level | fatigue_level
    metric TEXT NOT NULL,
    value BIGINT NOT NULL,
    recorded_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX health_self_reports_customer ON health_self_reports (customer_id, reported_on);
