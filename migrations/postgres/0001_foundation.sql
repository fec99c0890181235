-- ClinicDesk foundation schema. Portable subset: TEXT ids (UUIDv7 made by the writer),
-- ISO-8601 text dates, BIGINT integers, JSON as text. Facts (visits, cancellations,
-- interactions, purchases, audit events) are only ever inserted; derived figures are
-- recomputed from them into the *_stats roll-ups inside the same transaction.

CREATE TABLE app_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'doctor', 'staff', 'patient')),
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row per login: the refresh token is stored hashed; revoking the row ends the session
-- for its access tokens too.
CREATE TABLE auth_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    refresh_token_hash TEXT NOT NULL UNIQUE,
    device_id TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    phone TEXT,
    phone_digits TEXT,
    email TEXT,
    birth_year BIGINT,
    gender TEXT,
    address TEXT,
    emergency_contact TEXT,
    occupation TEXT,
    membership_level TEXT NOT NULL,
    customer_status TEXT NOT NULL,
    health_goals TEXT,
    health_interests TEXT NOT NULL DEFAULT '[]',
    preferred_intensity TEXT,
    preferred_time_slots TEXT NOT NULL DEFAULT '[]',
    preferred_services TEXT NOT NULL DEFAULT '[]',
    assigned_staff TEXT,
    memo TEXT,
    preferred_channels TEXT NOT NULL DEFAULT '[]',
    contact_time TEXT,
    consent_privacy BIGINT NOT NULL DEFAULT 0,
    consent_marketing BIGINT NOT NULL DEFAULT 0,
    consent_health_data BIGINT NOT NULL DEFAULT 0,
    consent_updated_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    anonymized_at TEXT,
    -- Tombstone: a deleted customer keeps its id so sync can propagate the deletion.
    deleted_at TEXT
);
CREATE INDEX customers_name ON customers (name);
CREATE INDEX customers_phone_digits ON customers (phone_digits);
CREATE INDEX customers_identity ON customers (name, phone);

-- Derived from visits and purchases; recomputed for one customer whenever one of its facts
-- is written. Never edited on its own.
CREATE TABLE customer_stats (
    customer_id TEXT PRIMARY KEY REFERENCES customers(id),
    total_visits BIGINT NOT NULL,
    first_visit_date TEXT,
    last_visit_date TEXT,
    -- last visit, or the registration day for a customer who never visited (risk level)
    last_activity_date TEXT NOT NULL,
    total_revenue BIGINT NOT NULL,
    satisfaction_sum BIGINT NOT NULL,
    satisfaction_count BIGINT NOT NULL,
    last_interaction_at TEXT,
    interaction_count BIGINT NOT NULL
);
CREATE INDEX customer_stats_last_visit ON customer_stats (last_visit_date);
CREATE INDEX customer_stats_last_activity ON customer_stats (last_activity_date);
CREATE INDEX customer_stats_visits ON customer_stats (total_visits);
CREATE INDEX customer_stats_revenue ON customer_stats (total_revenue);

CREATE TABLE package_templates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    price BIGINT NOT NULL,
    validity_days BIGINT NOT NULL,
    sessions TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

-- A purchase copies the template's sessions and validity at the time of sale.
CREATE TABLE package_purchases (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    package_id TEXT NOT NULL REFERENCES package_templates(id),
    package_name TEXT NOT NULL,
    purchase_date TEXT NOT NULL,
    expiry_date TEXT NOT NULL,
    price_paid BIGINT NOT NULL,
    payment_method TEXT,
    notes TEXT,
    sessions TEXT NOT NULL,
    total_sessions BIGINT NOT NULL,
    created_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX package_purchases_customer ON package_purchases (customer_id, purchase_date);

-- Derived per purchase from the visits that consumed it (for filters and summaries).
CREATE TABLE purchase_stats (
    purchase_id TEXT PRIMARY KEY REFERENCES package_purchases(id),
    customer_id TEXT NOT NULL,
    expiry_date TEXT NOT NULL,
    total_sessions BIGINT NOT NULL,
    used_sessions BIGINT NOT NULL,
    remaining_sessions BIGINT NOT NULL,
    overdrawn_sessions BIGINT NOT NULL
);
CREATE INDEX purchase_stats_customer ON purchase_stats (customer_id, expiry_date);

CREATE TABLE service_sessions (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    service_type TEXT NOT NULL CHECK (service_type IN ('brain', 'pulse', 'lymph', 'red', 'ai_bike')),
    service_date TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    satisfaction_rating BIGINT,
    session_notes TEXT,
    staff_name TEXT,
    package_usage_id TEXT REFERENCES package_purchases(id),
    amount BIGINT NOT NULL,
    created_by TEXT,
    device_id TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX service_sessions_customer ON service_sessions (customer_id, service_date);
CREATE INDEX service_sessions_customer_service ON service_sessions (customer_id, service_type);
CREATE INDEX service_sessions_package ON service_sessions (package_usage_id);

-- The compensating event for a visit. One per visit: a second cancel is a no-op.
CREATE TABLE session_cancellations (
    session_id TEXT PRIMARY KEY REFERENCES service_sessions(id),
    reason TEXT,
    cancelled_by TEXT,
    cancelled_at TEXT NOT NULL
);

CREATE TABLE interactions (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    interaction_type TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    duration_minutes BIGINT,
    notes TEXT,
    outcome TEXT,
    staff_name TEXT,
    follow_up_required BIGINT NOT NULL DEFAULT 0,
    follow_up_date TEXT,
    follow_up_type TEXT,
    follow_up_notes TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX interactions_customer ON interactions (customer_id, occurred_at);

-- Tamper-evident audit trail: each event's hash covers the previous event's hash.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    occurred_at TEXT NOT NULL,
    user_id TEXT,
    username TEXT,
    role TEXT,
    device_id TEXT,
    request_id TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_entity ON audit_events (entity, entity_id);

-- The head of the audit chain. Every write transaction updates this row first, which also
-- serialises writers (SQLite takes its write lock, PostgreSQL a row lock) before they read.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Local changes waiting to be pushed to the server (the sync issue consumes this).
CREATE TABLE outbox (
    op_id TEXT PRIMARY KEY,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
);
