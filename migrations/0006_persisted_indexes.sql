-- The title index of a 100k-review archive took a one-shot `marquee lookup` a second to
-- build. It is now persisted here, keyed by the archive's version: a number that every
-- change to what the index is made of (reviews' titles, years and grades, alternative
-- titles) moves on, whoever makes it, so a persisted index is used only while it is current.

CREATE TABLE archive_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO archive_version (id, version) VALUES (1, 0);

CREATE TRIGGER reviews_version_insert AFTER INSERT ON reviews BEGIN
    UPDATE archive_version SET version = version + 1;
END;
CREATE TRIGGER reviews_version_delete AFTER DELETE ON reviews BEGIN
    UPDATE archive_version SET version = version + 1;
END;
CREATE TRIGGER reviews_version_update AFTER UPDATE OF title, year, grade, grade_rank
ON reviews BEGIN
    UPDATE archive_version SET version = version + 1;
END;
CREATE TRIGGER alt_titles_version_insert AFTER INSERT ON alt_titles BEGIN
    UPDATE archive_version SET version = version + 1;
END;
CREATE TRIGGER alt_titles_version_delete AFTER DELETE ON alt_titles BEGIN
    UPDATE archive_version SET version = version + 1;
END;
CREATE TRIGGER alt_titles_version_update AFTER UPDATE ON alt_titles BEGIN
    UPDATE archive_version SET version = version + 1;
END;

-- An index as the build that made it encodes it (`format` names that build's search code),
-- and the archive version it was built from.
CREATE TABLE search_indexes (
    name    TEXT    PRIMARY KEY,
    format  TEXT    NOT NULL,
    version INTEGER NOT NULL,
    data    BLOB    NOT NULL
);

-- What the title index is built from, read from an index instead of the table (whose rows
-- hold whole reviews): 5 MB instead of 500 MB at 100k reviews.
CREATE INDEX reviews_titles ON reviews (id, title, year, grade_rank);
