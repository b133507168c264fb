-- Report Orchestrator job store, schema version 4 (job history), H2 2.x.
-- ${tablePrefix} is replaced by the configured table prefix (default "orchestrator_").
--
-- Each job's history is one JSON array per line ([from, to, at, attempt, node, errorType,
-- errorMessage]), appended by the same statement that makes the
-- transition, so a transition and its entry commit together and a write that loses its fence
-- leaves none. It lives in the job's row, so a purge takes it with its job. An entry is at most
-- about 800 characters (error messages are shortened to 500), and a job makes at most two per
-- attempt plus one per operator's retry: the length fits thousands of transitions.
ALTER TABLE ${tablePrefix}jobs ADD COLUMN IF NOT EXISTS history CHARACTER VARYING(1000000) DEFAULT '' NOT NULL;
