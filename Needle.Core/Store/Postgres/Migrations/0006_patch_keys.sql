-- Emergency patches by idempotency key: a retry finds the first patch's result in a column, not in audit text.
-- (SQLite's 0006 also copies keys out of older audit text; no PostgreSQL store predates this table.)
CREATE TABLE patch_keys (
  function TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  base_version BIGINT NOT NULL,
  version BIGINT NOT NULL,
  revision BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (function, idempotency_key)
);
