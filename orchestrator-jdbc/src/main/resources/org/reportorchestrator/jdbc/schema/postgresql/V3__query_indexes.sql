-- Report Orchestrator job store, schema version 3 (the query indexes), PostgreSQL.
-- ${tablePrefix} is replaced by the configured table prefix (default "orchestrator_").
--
-- A page of jobs is one branch per requested state, each reading one of these indexes in
-- (created_at, id) order from the cursor and stopping after the page size, merged in order.
-- Filtering the old (created_at, id) index instead walked every row before the first match of a
-- rare state or type. Running rows are left out of both: the running index of version 2 lists them,
-- so a claim writes no entry here; a row moves into these indexes only when it is queued and when
-- it finishes. The old index, now unused, goes.
-- On a large table, create the two indexes CONCURRENTLY by hand before upgrading; this script
-- runs in the migration's transaction, where CONCURRENTLY is not allowed.

-- listing by state (and all jobs: one branch per state)
CREATE INDEX IF NOT EXISTS ${tablePrefix}jobs_state_created_idx
  ON ${tablePrefix}jobs (state, created_at, id) WHERE state <> 'RUNNING';

-- listing by report type, with or without states
CREATE INDEX IF NOT EXISTS ${tablePrefix}jobs_type_state_created_idx
  ON ${tablePrefix}jobs (report_type, state, created_at, id) WHERE state <> 'RUNNING';

DROP INDEX IF EXISTS ${tablePrefix}jobs_created_idx;
