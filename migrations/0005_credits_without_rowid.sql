-- Credits are written a dozen to a review, and at 100k reviews they were the importer's
-- largest cost. Keyed by their primary key alone (WITHOUT ROWID), each credit is one entry
-- in the table's own B-tree instead of a rowid row plus a separate primary-key index: one
-- B-tree fewer to write for every credit, and the same lookups.
CREATE TABLE credits_by_review (
    review_id INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    role      TEXT    NOT NULL CHECK (role IN ('director', 'writer', 'cinematographer',
                                              'editor', 'music', 'cast', 'producer')),
    position  INTEGER NOT NULL,  -- order within the role, as in the header
    person_id INTEGER NOT NULL REFERENCES people (id),
    character TEXT,              -- cast only
    PRIMARY KEY (review_id, role, position)
) WITHOUT ROWID;

INSERT INTO credits_by_review (review_id, role, position, person_id, character)
SELECT review_id, role, position, person_id, character FROM credits;

DROP TABLE credits;
ALTER TABLE credits_by_review RENAME TO credits;
CREATE INDEX credits_person_role ON credits (person_id, role, review_id);
