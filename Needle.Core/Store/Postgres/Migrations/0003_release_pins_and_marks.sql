-- Pins: user keys that always get a release's canary, kept on the release row as a JSON array (text, as SQLite).
ALTER TABLE releases ADD COLUMN pins TEXT NULL;

-- Marks on versions (for example 'bad' after a rollback), kept apart so versions stay immutable.
CREATE TABLE version_marks (
  function TEXT NOT NULL,
  number BIGINT NOT NULL,
  mark TEXT NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (function, number, mark),
  FOREIGN KEY (function, number) REFERENCES versions (function, number)
);

-- Recreated so that it carries the new column (a view's r.* is expanded when it is created).
DROP VIEW current_releases;
CREATE VIEW current_releases AS
SELECT r.*
FROM releases r
JOIN functions f ON f.name = r.function
WHERE f.deleted_at IS NULL
  AND r.id = (SELECT MAX(x.id) FROM releases x WHERE x.function = f.name AND x.id > f.release_floor);
