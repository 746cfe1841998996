-- Release plans and emergency patch runs, as SQLite's 0001 (same number, PostgreSQL's types). These tables are
-- Needle.Rollback's alone on PostgreSQL (Core's PostgreSQL 0005 holds no change); IF NOT EXISTS keeps a database whose
-- Core 0005 created them (before 2026-12-02) as it is.
CREATE TABLE IF NOT EXISTS release_plans (
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
CREATE INDEX IF NOT EXISTS ix_release_plans_function ON release_plans (function, status);

CREATE TABLE IF NOT EXISTS patch_runs (
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
CREATE INDEX IF NOT EXISTS ix_patch_runs_function ON patch_runs (function, status);
CREATE UNIQUE INDEX IF NOT EXISTS ux_patch_runs_key ON patch_runs (function, idempotency_key) WHERE idempotency_key IS NOT NULL;
