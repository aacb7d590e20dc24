-- The critic's archive as he publishes it: a review may come from a page of many (a letter
-- page's capsules share its path in `source_path`), and from his site, where it has an address.
-- NULL for a review imported from a text file.
ALTER TABLE reviews ADD COLUMN url TEXT;

-- The feeds `serve --feed` follows and the sites `marquee import URL` backfilled: what to send
-- for a conditional GET, how the last polls went, and when the next one is due. Timestamps are
-- ISO 8601 UTC text, as everywhere else.
CREATE TABLE feeds (
    url                  TEXT    PRIMARY KEY,
    etag                 TEXT,
    last_modified        TEXT,
    -- NULL until the first successful poll: that poll records what the feed holds and
    -- announces none of it.
    last_success_at      TEXT,
    last_attempt_at      TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error           TEXT,
    -- When the next poll is due. A process claims a poll by moving this on in one UPDATE,
    -- so several `serve` processes on one database poll each feed once per interval.
    next_poll_at         TEXT    NOT NULL
);

-- Every item a feed has shown, by the key it is known by (guid, else link, else title and
-- date), with a digest of what it held: an item whose digest is unchanged is not read again.
CREATE TABLE feed_items (
    feed_url     TEXT NOT NULL REFERENCES feeds (url) ON DELETE CASCADE,
    item_key     TEXT NOT NULL,
    link         TEXT,
    title        TEXT,
    digest       TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('imported', 'skipped')),
    -- Why an item was skipped (it is not a review).
    reason       TEXT,
    first_seen_at TEXT NOT NULL,
    changed_at   TEXT NOT NULL,
    PRIMARY KEY (feed_url, item_key)
);
