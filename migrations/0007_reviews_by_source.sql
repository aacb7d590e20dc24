-- `marquee remove PATH` (and, later, a watched folder losing a file) finds the reviews imported
-- from a file without reading the whole table.
CREATE INDEX reviews_source ON reviews (source_path);
