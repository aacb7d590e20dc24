-- As migrations/0010 for SQLite: reviews' addresses, and the state of the feeds followed.
ALTER TABLE reviews ADD COLUMN url TEXT;

CREATE TABLE feeds (
    url                  TEXT    PRIMARY KEY,
    etag                 TEXT,
    last_modified        TEXT,
    last_success_at      TEXT,
    last_attempt_at      TEXT,
    consecutive_failures BIGINT  NOT NULL DEFAULT 0,
    last_error           TEXT,
    next_poll_at         TEXT    NOT NULL
);

CREATE TABLE feed_items (
    feed_url      TEXT NOT NULL REFERENCES feeds (url) ON DELETE CASCADE,
    item_key      TEXT NOT NULL,
    link          TEXT,
    title         TEXT,
    digest        TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('imported', 'skipped')),
    reason        TEXT,
    first_seen_at TEXT NOT NULL,
    changed_at    TEXT NOT NULL,
    PRIMARY KEY (feed_url, item_key)
);
