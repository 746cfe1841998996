-- Which process wrote a node's row last (a random id per process start): two processes beating with one node id
-- (Needle:NodeId set alike on every replica) see each other's instance at every heartbeat, and say so.
ALTER TABLE nodes ADD COLUMN instance TEXT NOT NULL DEFAULT '';
