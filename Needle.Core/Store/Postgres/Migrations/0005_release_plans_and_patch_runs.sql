-- SQLite's 0005 creates Needle.Rollback's tables (release_plans, patch_runs) in the Needle store, from before Rollback
-- had migrations of its own. On PostgreSQL those tables are Rollback's alone (Needle.Rollback's State/Postgres
-- migration 0001), so this number holds no change: it keeps the two dialects' numbering the same.
SELECT 1;
