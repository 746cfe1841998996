-- A kill switch on a release: the fallback response (JSON) that answers instead of any version.
ALTER TABLE releases ADD COLUMN kill_switch TEXT NULL;

-- Recreated so that it carries the new column.
DROP VIEW current_releases;
CREATE VIEW current_releases AS
SELECT r.*
FROM releases r
JOIN functions f ON f.name = r.function
WHERE f.deleted_at IS NULL
  AND r.id = (SELECT MAX(x.id) FROM releases x WHERE x.function = f.name AND x.id > f.release_floor);
