-- Regrades: a film imported again with another grade is announced ("Regraded: B → A-") to the
-- channels subscribed with `/subscribe … regrades:true`.
ALTER TABLE subscriptions ADD COLUMN regrades INTEGER NOT NULL DEFAULT 0 CHECK (regrades IN (0, 1));

-- A delivery announces a new review, or a regrade (`regraded_from` → `regraded_to`). A review
-- is announced as new once per channel but may be regraded many times, so the table is
-- rebuilt without its one-row-per-review-and-channel rule, which now holds for new reviews.
CREATE TABLE deliveries_next (
    id              INTEGER PRIMARY KEY,
    review_id       INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    channel_id      INTEGER NOT NULL,
    nonce           TEXT    NOT NULL UNIQUE,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dropped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_error      TEXT,
    message_id      INTEGER,
    created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    sent_at         TEXT,
    regraded_from   TEXT,
    regraded_to     TEXT,
    CHECK ((regraded_from IS NULL) = (regraded_to IS NULL))
);
INSERT INTO deliveries_next (id, review_id, subscription_id, channel_id, nonce, status, attempts,
                             next_attempt_at, last_error, message_id, created_at, sent_at)
SELECT id, review_id, subscription_id, channel_id, nonce, status, attempts,
       next_attempt_at, last_error, message_id, created_at, sent_at
FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_next RENAME TO deliveries;
CREATE UNIQUE INDEX deliveries_new_review ON deliveries (review_id, subscription_id)
    WHERE regraded_from IS NULL;
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_channel_pending ON deliveries (channel_id, id) WHERE status = 'pending';
