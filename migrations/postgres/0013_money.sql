-- Money (issue 8). A purchase is cancelled or refunded by a compensating event appended here,
-- never by editing or deleting the sale: the sessions already used stay in the history and the
-- package stops being usable. One per purchase.
CREATE TABLE purchase_cancellations (
    purchase_id TEXT PRIMARY KEY REFERENCES package_purchases(id),
    -- Required when cancelling; cleared when the customer is anonymised (it is free text).
    reason TEXT,
    refund_amount BIGINT NOT NULL CHECK (refund_amount >= 0),
    refund_method TEXT,
    cancelled_by TEXT,
    cancelled_at TEXT NOT NULL
);
CREATE INDEX purchase_cancellations_at ON purchase_cancellations (cancelled_at);

-- How a paid visit was paid (a visit a package pays for has none): receipts and the cash-up.
ALTER TABLE service_sessions ADD COLUMN payment_method TEXT;

-- The cash-up reads a day's sales and voids.
CREATE INDEX package_purchases_date ON package_purchases (purchase_date);
CREATE INDEX session_cancellations_at ON session_cancellations (cancelled_at);
