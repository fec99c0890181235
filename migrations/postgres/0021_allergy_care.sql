-- Allergy care (issue 10, seed 001). A patient is a customer registered for allergy care: the
-- patient row shares the customer's id, so two desktops registering the same customer offline
-- write one record, not two.
CREATE TABLE patients (
    id TEXT PRIMARY KEY REFERENCES customers(id),
    patient_number TEXT NOT NULL,
    birth_date TEXT,
    assigned_doctor_id TEXT,
    consent_signed BIGINT NOT NULL DEFAULT 0,
    consent_signed_at TEXT,
    registered_by TEXT,
    registered_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
-- Not unique: numbers are leased in disjoint blocks (docs/ALLERGY.md), and a sync apply must
-- never fail on a constraint another node could not see.
CREATE INDEX patients_number ON patients (patient_number);

-- The knowledge documents that prescriptions are made from: immutable, one row per version,
-- the same row on every node (the built-in version has no publisher and a fixed date).
CREATE TABLE knowledge_versions (
    version TEXT PRIMARY KEY,
    document TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_by TEXT,
    published_by_name TEXT
);

-- A diagnosis and the prescription it produced, with the knowledge version that produced it:
-- inserted once, never changed, so an old guide reads exactly as it was given.
CREATE TABLE diagnoses (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    diagnosis_date TEXT NOT NULL,
    results TEXT NOT NULL,
    knowledge_version TEXT NOT NULL,
    prescription TEXT NOT NULL,
    kit_serial TEXT,
    high_risk_count BIGINT NOT NULL,
    max_grade BIGINT,
    total_tested BIGINT NOT NULL,
    created_by TEXT,
    created_by_name TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX diagnoses_patient ON diagnoses (patient_id, diagnosis_date);
CREATE INDEX diagnoses_kit ON diagnoses (kit_serial);
CREATE INDEX diagnoses_date ON diagnoses (diagnosis_date);

-- Test kits: issued in batches with a PIN (stored as an Argon2id hash), then a result is
-- entered (a diagnosis naming the serial), then the patient registers the kit. The status is
-- derived from those facts, never stored.
CREATE TABLE kits (
    serial TEXT PRIMARY KEY,
    pin_hash TEXT NOT NULL,
    batch TEXT NOT NULL,
    created_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX kits_batch ON kits (batch);

CREATE TABLE kit_registrations (
    serial TEXT PRIMARY KEY REFERENCES kits(serial),
    user_id TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    registered_at TEXT NOT NULL
);

-- A patient's own login (role 'patient') names the patient it may read.
ALTER TABLE users ADD COLUMN patient_id TEXT;
CREATE INDEX users_patient ON users (patient_id);

-- Patient numbers. Where numbers are issued (a central server, or a desktop with no server):
-- the next number of each year. On a node that syncs upstream: blocks the server leased to it.
-- Both are this node's own bookkeeping and never travel.
CREATE TABLE patient_number_counters (
    year BIGINT PRIMARY KEY,
    next_number BIGINT NOT NULL
);
CREATE TABLE patient_number_blocks (
    year BIGINT NOT NULL,
    first_number BIGINT NOT NULL,
    next_number BIGINT NOT NULL,
    last_number BIGINT NOT NULL,
    leased_at TEXT NOT NULL,
    PRIMARY KEY (year, first_number)
);
