-- Emergency patches by idempotency key: a retry finds the first patch's result in a column, not in audit text.
CREATE TABLE patch_keys (
  function TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  base_version INTEGER NOT NULL,
  version INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (function, idempotency_key)
);

-- Patches recorded before this table existed: their key and result were written into the audit detail as
-- "kind=K base=B version=V revision=R key=X". The newest patch per key wins, as the audit lookup had it.
INSERT OR REPLACE INTO patch_keys (function, idempotency_key, kind, base_version, version, revision, created_at)
SELECT function,
       substr(detail, instr(detail, ' key=') + 5),
       substr(detail, 6, instr(detail, ' base=') - 6),
       CAST(substr(detail, instr(detail, ' base=') + 6, instr(detail, ' version=') - instr(detail, ' base=') - 6) AS INTEGER),
       CAST(substr(detail, instr(detail, ' version=') + 9, instr(detail, ' revision=') - instr(detail, ' version=') - 9) AS INTEGER),
       CAST(substr(detail, instr(detail, ' revision=') + 10, instr(detail, ' key=') - instr(detail, ' revision=') - 10) AS INTEGER),
       at
FROM audit
WHERE action = 'patch' AND function IS NOT NULL AND detail LIKE 'kind=% base=% version=% revision=% key=%'
ORDER BY id;
