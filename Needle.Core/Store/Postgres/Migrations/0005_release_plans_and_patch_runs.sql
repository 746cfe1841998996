-- Needle.Rollback's durable state: progressive release plans and emergency patch runs, as in SQLite's 0005 (the
-- Rollback state store on PostgreSQL is a later step; the tables keep the numbering the same).
CREATE TABLE release_plans (
  id TEXT NOT NULL PRIMARY KEY,
  function TEXT NOT NULL,
  version BIGINT NOT NULL,
  steps TEXT NOT NULL,
  step_wait_ms BIGINT NOT NULL,
  step_index BIGINT NOT NULL,
  status TEXT NOT NULL,
  next_at TEXT NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NULL,
  detail TEXT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX ix_release_plans_function ON release_plans (function, status);

CREATE TABLE patch_runs (
  id TEXT NOT NULL PRIMARY KEY,
  function TEXT NOT NULL,
  kind TEXT NOT NULL,
  request TEXT NOT NULL,
  idempotency_key TEXT NULL,
  status TEXT NOT NULL,
  base_version BIGINT NOT NULL,
  base_error_ratio DOUBLE PRECISION NULL,
  version BIGINT NULL,
  watch_until TEXT NULL,
  steps TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX ix_patch_runs_function ON patch_runs (function, status);
CREATE UNIQUE INDEX ux_patch_runs_key ON patch_runs (function, idempotency_key) WHERE idempotency_key IS NOT NULL;
