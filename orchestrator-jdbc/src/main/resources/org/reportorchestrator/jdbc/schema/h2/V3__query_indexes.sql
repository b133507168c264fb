-- Report Orchestrator job store, schema version 3 (the query indexes), H2 2.x.
-- ${tablePrefix} is replaced by the configured table prefix (default "orchestrator_").
--
-- A page of jobs is one branch per requested state, each reading one of these indexes in
-- (created_at, id) order from the cursor and stopping after the page size, merged in order.
-- The old (created_at, id) index is no longer read and goes, so that a state transition updates
-- one index more than before rather than two.

-- listing by state (and all jobs: one branch per state)
CREATE INDEX IF NOT EXISTS ${tablePrefix}jobs_state_created_idx
  ON ${tablePrefix}jobs (state, created_at, id);

-- listing by report type, with or without states
CREATE INDEX IF NOT EXISTS ${tablePrefix}jobs_type_state_created_idx
  ON ${tablePrefix}jobs (report_type, state, created_at, id);

DROP INDEX IF EXISTS ${tablePrefix}jobs_created_idx;
