-- Compiled images of functions (C#: a PE assembly), keyed by the runtime's image key, so that a restart or
-- another node loads a version without compiling it again. Rows are immutable: the same key always means the
-- same image, so a second save of a key is ignored.
CREATE TABLE artifacts (
  content_hash TEXT NOT NULL PRIMARY KEY,
  runtime TEXT NOT NULL,
  image BYTEA NOT NULL,
  created_at TEXT NOT NULL
);
