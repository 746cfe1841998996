-- PostgreSQL schema, written for it, with the same numbers as the SQLite migrations. Counters and version numbers are
-- BIGINT (identities for row ids); times are ISO-8601 UTC text with seven fractional digits, as in SQLite (see
-- StoreTime: it keeps ticks, which timestamptz does not, so both stores read back the same records).

-- Functions: one row per name ever deployed. A deleted function keeps its row (and its versions) so that
-- a redeploy continues the numbering.
CREATE TABLE functions (
  name TEXT NOT NULL PRIMARY KEY,
  created_at TEXT NOT NULL,
  deleted_at TEXT NULL,
  latest_version BIGINT NOT NULL DEFAULT 0,
  -- The highest release id when the function was last deleted: older release rows stay in the history
  -- but no longer count as current, so bringing a function back does not resurrect its old release.
  release_floor BIGINT NOT NULL DEFAULT 0
);

-- Versions are immutable: inserted once, never updated.
CREATE TABLE versions (
  function TEXT NOT NULL REFERENCES functions (name),
  number BIGINT NOT NULL,
  source TEXT NOT NULL,
  manifest_json TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  parent_number BIGINT NULL,
  PRIMARY KEY (function, number),
  FOREIGN KEY (function, parent_number) REFERENCES versions (function, number)
);

-- Release history: one row per change of what serves a function, never updated. The current release is
-- the row with the highest id.
CREATE TABLE releases (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  function TEXT NOT NULL REFERENCES functions (name),
  stable_version BIGINT NOT NULL,
  canary_version BIGINT NULL,
  canary_weight DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (canary_weight >= 0 AND canary_weight <= 100),
  action TEXT NOT NULL,
  revision BIGINT NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NULL,
  created_at TEXT NOT NULL,
  FOREIGN KEY (function, stable_version) REFERENCES versions (function, number),
  FOREIGN KEY (function, canary_version) REFERENCES versions (function, number)
);

CREATE INDEX ix_releases_function_id ON releases (function, id);

-- The store-wide revision: a single row, bumped by every change of what serves. Every write transaction locks it
-- first (SELECT ... FOR UPDATE), which serialises the writers of all nodes.
CREATE TABLE revision (
  id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  value BIGINT NOT NULL
);

INSERT INTO revision (id, value) VALUES (1, 0);

-- Audit events name functions that may never have existed (a failed first deploy), hence no foreign key.
CREATE TABLE audit (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  function TEXT NULL,
  version BIGINT NULL,
  revision BIGINT NULL,
  reason TEXT NULL,
  detail TEXT NULL
);

CREATE INDEX ix_audit_function_id ON audit (function, id);

CREATE TABLE nodes (
  node_id TEXT NOT NULL PRIMARY KEY,
  revision BIGINT NOT NULL,
  updated_at TEXT NOT NULL
);

-- The release that serves each function that is not deleted.
CREATE VIEW current_releases AS
SELECT r.*
FROM releases r
JOIN functions f ON f.name = r.function
WHERE f.deleted_at IS NULL
  AND r.id = (SELECT MAX(x.id) FROM releases x WHERE x.function = f.name AND x.id > f.release_floor);
