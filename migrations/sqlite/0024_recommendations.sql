-- Issue 11: recommendations (seed 000 §3). What was shown is kept where it was shown, so
-- feedback can name a recommendation by its id alone (the id is a hash of customer, kind,
-- item and day: it cannot be read back). Feedback is a fact: written once, synced to every
-- node, and read by the recommender there (a rejected item stops being offered everywhere).

-- Served on this node; not synced (each node resolves the ids it handed out).
CREATE TABLE recommendations_served (
    recommendation_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    item_code TEXT NOT NULL,
    item_name TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    -- KST day it was first shown.
    served_on TEXT NOT NULL
);
CREATE INDEX recommendations_served_customer ON recommendations_served (customer_id);

CREATE TABLE recommendation_feedback (
    id TEXT PRIMARY KEY,
    recommendation_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    item_code TEXT NOT NULL,
    item_name TEXT NOT NULL,
    -- accepted | rejected | ignored
    action TEXT NOT NULL,
    -- 1–5 when given
    feedback_score BIGINT,
    comment TEXT,
    -- KST day it was given: the recommender's feedback windows count days.
    given_on TEXT NOT NULL,
    created_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX recommendation_feedback_customer ON recommendation_feedback (customer_id);
