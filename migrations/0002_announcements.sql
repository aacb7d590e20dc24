-- Channels subscribed to announcements of new reviews, and the outbox of announcements to send.

CREATE TABLE subscriptions (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    channel_id     INTEGER NOT NULL UNIQUE,
    -- Announce reviews graded this or better: 0 = A+ … 12 = F (any grade).
    min_grade_rank INTEGER NOT NULL DEFAULT 12 CHECK (min_grade_rank BETWEEN 0 AND 12),
    created_by     INTEGER,
    created_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- NULL while active; why Discord refused the channel otherwise (403/404).
    disabled_at    TEXT,
    disabled_reason TEXT
);
CREATE INDEX subscriptions_guild ON subscriptions (guild_id);

-- One row per (new review, subscribed channel), written in the transaction that stores the
-- review, so no announcement is ever lost; sent with a nonce that Discord enforces, so a retry
-- after a crash never posts twice.
CREATE TABLE deliveries (
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
    UNIQUE (review_id, subscription_id)
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
