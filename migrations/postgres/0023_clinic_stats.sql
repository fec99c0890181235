-- Issue 11: clinic-wide roll-ups the managers' analytics read, so a dashboard over a year sums
-- a few thousand rows instead of scanning two million visits. Derived, never synced: each node
-- recomputes the rows a write or an applied sync touches (`clinic_stats.rs`), and a first pull
-- rebuilds them all.

-- Live (not cancelled) visits per day, service and hour.
CREATE TABLE daily_visit_stats (
    day TEXT NOT NULL,
    service_type TEXT NOT NULL,
    -- The KST hour (9–23) the visit was recorded, when it was recorded on its own day; -1
    -- when it was entered on another day (the hour then says nothing about the visit).
    hour BIGINT NOT NULL,
    visits BIGINT NOT NULL,
    package_visits BIGINT NOT NULL,
    -- KRW paid at the visit (a package session pays 0 here: its money is in the purchase).
    revenue BIGINT NOT NULL,
    rating_sum BIGINT NOT NULL,
    rating_count BIGINT NOT NULL,
    PRIMARY KEY (day, service_type, hour)
);

-- Package sales per day and package.
CREATE TABLE daily_purchase_stats (
    day TEXT NOT NULL,
    package_id TEXT NOT NULL,
    -- Sales not cancelled, and those cancelled since.
    purchases BIGINT NOT NULL,
    cancelled BIGINT NOT NULL,
    -- What the clinic kept: price paid less refunds, on the day of the sale (as the customers'
    -- own revenue counts it, so the two always add up to the same total).
    revenue BIGINT NOT NULL,
    PRIMARY KEY (day, package_id)
);

-- Each day a customer visited or bought, with the day they were last active before it. The
-- customers active in a range are the rows in it whose previous day is before it — each
-- customer once, without a DISTINCT over the visits.
CREATE TABLE customer_days (
    customer_id TEXT NOT NULL,
    day TEXT NOT NULL,
    -- '' for a customer's first day.
    prev_day TEXT NOT NULL,
    PRIMARY KEY (customer_id, day)
);

-- How many customers were active on `day` after last being active on `prev_day`: a year's
-- active, returning and previously active customers are sums over a few thousand of these
-- rows. Kept in step with `customer_days` by adding what a recompute inserts and subtracting
-- what it deletes.
CREATE TABLE day_transitions (
    day TEXT NOT NULL,
    prev_day TEXT NOT NULL,
    customers BIGINT NOT NULL,
    PRIMARY KEY (day, prev_day)
);

-- New customers in a period: those whose first visit falls in it.
CREATE INDEX customer_stats_first_visit ON customer_stats (first_visit_date);

INSERT INTO daily_visit_stats (day, service_type, hour, visits, package_visits, revenue, rating_sum, rating_count)
SELECT s.service_date, s.service_type,
       CASE WHEN SUBSTR(s.created_at, 1, 10) = s.service_date
                 AND CAST(SUBSTR(s.created_at, 12, 2) AS BIGINT) < 15
            THEN CAST(SUBSTR(s.created_at, 12, 2) AS BIGINT) + 9 ELSE -1 END,
       COUNT(*), COUNT(s.package_usage_id), CAST(COALESCE(SUM(s.amount), 0) AS BIGINT),
       CAST(COALESCE(SUM(s.satisfaction_rating), 0) AS BIGINT), COUNT(s.satisfaction_rating)
FROM service_sessions s
WHERE NOT EXISTS (SELECT 1 FROM session_cancellations x WHERE x.session_id = s.id)
GROUP BY 1, 2, 3;

INSERT INTO daily_purchase_stats (day, package_id, purchases, cancelled, revenue)
SELECT p.purchase_date, p.package_id, COUNT(*) - COUNT(x.purchase_id), COUNT(x.purchase_id),
       CAST(COALESCE(SUM(p.price_paid - COALESCE(x.refund_amount, 0)), 0) AS BIGINT)
FROM package_purchases p LEFT JOIN purchase_cancellations x ON x.purchase_id = p.id
GROUP BY 1, 2;

INSERT INTO customer_days (customer_id, day, prev_day)
SELECT a.customer_id, a.day,
       COALESCE(LAG(a.day) OVER (PARTITION BY a.customer_id ORDER BY a.day), '')
FROM (
    SELECT s.customer_id, s.service_date AS day
    FROM service_sessions s
    WHERE NOT EXISTS (SELECT 1 FROM session_cancellations x WHERE x.session_id = s.id)
    UNION
    SELECT p.customer_id, p.purchase_date FROM package_purchases p
) a;

INSERT INTO day_transitions (day, prev_day, customers)
SELECT day, prev_day, COUNT(*) FROM customer_days GROUP BY 1, 2;

-- Trained customer models (segments with personas, churn): one row per version, never
-- edited. The newest one that loads serves; an older one stays to compare with and to fall
-- back on. Synced like the knowledge versions, so every desktop scores customers with the
-- model the clinic trained.
CREATE TABLE customer_models (
    version TEXT PRIMARY KEY,
    trained_at TEXT NOT NULL,
    -- The artifact (`clinicdesk-models`), JSON, checked again whenever it is loaded.
    artifact TEXT NOT NULL,
    -- What training measured (held-out metrics), JSON.
    report TEXT NOT NULL,
    trained_by TEXT,
    created_at TEXT NOT NULL
);
