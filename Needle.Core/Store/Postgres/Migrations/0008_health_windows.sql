-- Cluster health (#15): each node publishes its health counts per function version in short slices of time, and
-- when it last published (a node that stopped publishing is left out of the cluster's sums). Times are StoreTime text.
CREATE TABLE health_nodes (
  node_id TEXT NOT NULL PRIMARY KEY,
  published_at TEXT NOT NULL
);

CREATE TABLE health_windows (
  node_id TEXT NOT NULL,
  function TEXT NOT NULL,
  version BIGINT NOT NULL,
  from_at TEXT NOT NULL,
  to_at TEXT NOT NULL,
  requests BIGINT NOT NULL,
  errors BIGINT NOT NULL,
  cold_starts BIGINT NOT NULL,
  latency TEXT NOT NULL,
  PRIMARY KEY (node_id, function, version, to_at)
);

CREATE INDEX health_windows_to_at ON health_windows (to_at);
