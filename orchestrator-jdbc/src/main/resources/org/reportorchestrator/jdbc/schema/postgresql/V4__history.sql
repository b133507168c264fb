-- Report Orchestrator job store, schema version 4 (job history), PostgreSQL.
-- ${tablePrefix} is replaced by the configured table prefix (default "orchestrator_").
--
-- Each job's history is one JSON object per line, appended by the same statement that makes the
-- transition, so a transition and its entry commit together and a write that loses its fence
-- leaves none. It lives in the job's row rather than in a table of its own: an append adds no
-- heap tuple and no index entry to a write that already rewrites the row, and a purge takes the
-- history with its job. The column is not indexed, so progress and heartbeat updates stay HOT.
-- A constant default makes this ALTER a catalog change, not a table rewrite.
ALTER TABLE ${tablePrefix}jobs ADD COLUMN IF NOT EXISTS history TEXT NOT NULL DEFAULT '';
