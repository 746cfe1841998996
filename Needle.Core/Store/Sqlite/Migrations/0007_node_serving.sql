-- What each node serves, written with its heartbeat (updated_at): one entry per function, "name=stable[+canary][!]"
-- ("!": the kill switch is on), comma-separated. Empty for a node that reported before heartbeats existed.
ALTER TABLE nodes ADD COLUMN serving TEXT NOT NULL DEFAULT '';
