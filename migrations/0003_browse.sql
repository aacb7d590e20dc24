-- Browsing the archive by person, by grade and by words.

-- A person's films and their counts per job, read from the index alone.
DROP INDEX credits_person;
CREATE INDEX credits_person_role ON credits (person_id, role, review_id);

-- The best films first, most recently reviewed first among equals (undated reviews last),
-- straight from an index: `/top` without a filter reads ten entries, not the table.
CREATE INDEX reviews_best ON reviews (grade_rank, ifnull(reviewed_on, '') DESC, id DESC);
-- A year or a decade: its films in best-first order, and their grade counts, without
-- reading the table (whose rows hold whole reviews).
CREATE INDEX reviews_year ON reviews (year, grade_rank, reviewed_on);

-- The other titles a film is known by, in one column for full-text search (the rows of
-- `alt_titles`, joined by ` / `). The importer writes both in the same statement.
ALTER TABLE reviews ADD COLUMN other_titles TEXT;
UPDATE reviews SET other_titles =
    (SELECT group_concat(a.title, ' / ') FROM alt_titles a WHERE a.review_id = reviews.id);

-- Full-text search over the reviews, an external-content FTS5 index: the text stays in
-- `reviews` and only the index is stored here. Case and accents fold (`cafe` finds café).
CREATE VIRTUAL TABLE reviews_fts USING fts5(
    title, other_titles, pull_quote, body, tagline,
    content = 'reviews', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The triggers keep the index in step with `reviews` inside the transaction that changes
-- them, whoever writes. An external-content index must be told the old values to forget.
CREATE TRIGGER reviews_fts_insert AFTER INSERT ON reviews BEGIN
    INSERT INTO reviews_fts (rowid, title, other_titles, pull_quote, body, tagline)
    VALUES (NEW.id, NEW.title, NEW.other_titles, NEW.pull_quote, NEW.body, NEW.tagline);
END;

CREATE TRIGGER reviews_fts_delete AFTER DELETE ON reviews BEGIN
    INSERT INTO reviews_fts (reviews_fts, rowid, title, other_titles, pull_quote, body, tagline)
    VALUES ('delete', OLD.id, OLD.title, OLD.other_titles, OLD.pull_quote, OLD.body, OLD.tagline);
END;

CREATE TRIGGER reviews_fts_update AFTER UPDATE OF title, other_titles, pull_quote, body, tagline
ON reviews BEGIN
    INSERT INTO reviews_fts (reviews_fts, rowid, title, other_titles, pull_quote, body, tagline)
    VALUES ('delete', OLD.id, OLD.title, OLD.other_titles, OLD.pull_quote, OLD.body, OLD.tagline);
    INSERT INTO reviews_fts (rowid, title, other_titles, pull_quote, body, tagline)
    VALUES (NEW.id, NEW.title, NEW.other_titles, NEW.pull_quote, NEW.body, NEW.tagline);
END;

-- Relevance: bm25 with the titles weighted highest, then the pull quote, the tagline and
-- the body. `ORDER BY rank` uses it, and lets FTS5 sort before any snippet is made.
INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('rank', 'bm25(10.0, 8.0, 3.0, 1.0, 2.0)');

-- An archive imported before this migration is indexed now.
INSERT INTO reviews_fts (reviews_fts) VALUES ('rebuild');
