-- Report Orchestrator job store, schema version 2, PostgreSQL: cheaper heartbeats, claims that stay
-- flat behind large backlogs, purges without a per-row cascade, and autovacuum sized for a queue.

-- A heartbeat changes only lease_expires_at. With no index on that column and room left on each
-- page, PostgreSQL writes it as a HOT update, which touches no index at all. A queue table turns
-- over its rows all the time, so autovacuum runs after 2 % of the rows changed rather than 20 %.
ALTER TABLE ${tablePrefix}jobs SET (
  fillfactor = 80,
  autovacuum_vacuum_scale_factor = 0.02,
  autovacuum_vacuum_threshold = 1000,
  autovacuum_analyze_scale_factor = 0.02,
  autovacuum_analyze_threshold = 1000
);
ALTER TABLE ${tablePrefix}job_results SET (
  autovacuum_vacuum_scale_factor = 0.05,
  autovacuum_vacuum_threshold = 1000
);

-- The running rows. Rescuing expired leases reads all of them, and so does listing running jobs
-- (see version 3); there are only as many as workers run. A claim, which makes a row RUNNING,
-- writes this small index rather than the two large listing ones. It is keyed by id so that the
-- planner never prefers it to the primary key for a write that names its job: keyed by anything
-- else, a fenced update ("id = ? AND state = 'RUNNING'") scanned every running row.
DROP INDEX IF EXISTS ${tablePrefix}jobs_lease_idx;
CREATE INDEX IF NOT EXISTS ${tablePrefix}jobs_running_idx
  ON ${tablePrefix}jobs (id) WHERE state = 'RUNNING';

-- Claiming walks, for each of a node's report types, each priority level that has queued jobs
-- and reads the due ones of that level in order: a rare type or a mass of jobs due later at a
-- higher priority costs one index probe, not a scan.
DROP INDEX IF EXISTS ${tablePrefix}jobs_due_idx;
CREATE INDEX IF NOT EXISTS ${tablePrefix}jobs_due_idx
  ON ${tablePrefix}jobs (report_type, priority DESC, run_at, created_at, id)
  WHERE state = 'REQUESTED';

-- A purge deletes a job's result in the same statement as the job, so the foreign key's per-row
-- cascade (half the time of a large purge) goes. Its generated name depends on the prefix.
DO $$ DECLARE fk TEXT; BEGIN SELECT conname INTO fk FROM pg_constraint WHERE conrelid = '${tablePrefix}job_results'::regclass AND contype = 'f'; IF fk IS NOT NULL THEN EXECUTE format('ALTER TABLE ${tablePrefix}job_results DROP CONSTRAINT %I', fk); END IF; END $$;
