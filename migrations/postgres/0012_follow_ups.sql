-- Follow-ups (issue 8). An interaction asks for a follow-up; what happens to it afterwards is
-- appended here: completed, rescheduled to a new date, or cancelled — with who and why.
CREATE TABLE follow_up_events (
    id TEXT PRIMARY KEY,
    follow_up_id TEXT NOT NULL REFERENCES interactions(id),
    kind TEXT NOT NULL CHECK (kind IN ('complete', 'reschedule', 'cancel')),
    new_due_date TEXT,
    note TEXT,
    user_id TEXT,
    username TEXT,
    staff_name TEXT,
    occurred_at TEXT NOT NULL
);
CREATE INDEX follow_up_events_follow_up ON follow_up_events (follow_up_id, occurred_at);

-- Derived: each follow-up's state and current due date, folded from the interaction and its
-- events (crates/domain/src/follow_up.rs) in the transaction that adds one, so the list across
-- customers filters by date without folding every follow-up per request.
CREATE TABLE follow_ups (
    id TEXT PRIMARY KEY REFERENCES interactions(id),
    customer_id TEXT NOT NULL,
    due_date TEXT NOT NULL,
    state TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX follow_ups_due ON follow_ups (state, due_date);
CREATE INDEX follow_ups_customer ON follow_ups (customer_id);

INSERT INTO follow_ups (id, customer_id, due_date, state)
SELECT id, customer_id, follow_up_date, 'open' FROM interactions
WHERE follow_up_required = 1 AND follow_up_date IS NOT NULL;

-- Today's visits across customers.
CREATE INDEX service_sessions_date ON service_sessions (service_date);
