-- The critic's archive: one row per film reviewed, the people credited on it, the other titles
-- it is known by, and a log of every import.

CREATE TABLE reviews (
    id              INTEGER PRIMARY KEY,
    title           TEXT    NOT NULL,
    -- The normalised title (search::normalize): with `year`, the identity of a film.
    title_key       TEXT    NOT NULL,
    year            INTEGER,
    release_note    TEXT,
    layout          TEXT    NOT NULL CHECK (layout IN ('modern', 'short')),
    runtime_minutes INTEGER,
    mpaa_rating     TEXT,
    studio          TEXT,
    pull_quote      TEXT,
    body            TEXT    NOT NULL,
    tagline         TEXT,
    critic          TEXT,
    reviewed_on     TEXT,   -- YYYY-MM-DD
    grade           TEXT    NOT NULL,
    -- 0 = A+ … 12 = F, so that "at least A-" is `grade_rank <= 2`.
    grade_rank      INTEGER NOT NULL CHECK (grade_rank BETWEEN 0 AND 12),
    source_path     TEXT,
    raw_text        TEXT    NOT NULL,
    created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- A film without a year still has one identity: NULL years compare equal here.
CREATE UNIQUE INDEX reviews_identity ON reviews (title_key, ifnull(year, -1));
CREATE INDEX reviews_grade_year ON reviews (grade_rank, year);

CREATE TABLE people (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE credits (
    review_id INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    role      TEXT    NOT NULL CHECK (role IN ('director', 'writer', 'cinematographer',
                                              'editor', 'music', 'cast', 'producer')),
    position  INTEGER NOT NULL,  -- order within the role, as in the header
    person_id INTEGER NOT NULL REFERENCES people (id),
    character TEXT,              -- cast only
    PRIMARY KEY (review_id, role, position)
);
CREATE INDEX credits_person ON credits (person_id);

CREATE TABLE alt_titles (
    review_id INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    title     TEXT    NOT NULL,
    PRIMARY KEY (review_id, title)
);

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at TEXT,
    added       INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE import_files (
    import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    path      TEXT    NOT NULL,
    outcome   TEXT    NOT NULL CHECK (outcome IN ('added', 'updated', 'unchanged', 'failed')),
    review_id INTEGER REFERENCES reviews (id) ON DELETE SET NULL,
    line      INTEGER,
    error     TEXT
);
CREATE INDEX import_files_import ON import_files (import_id);
