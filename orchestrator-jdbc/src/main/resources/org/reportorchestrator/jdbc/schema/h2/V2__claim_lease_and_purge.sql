-- Report Orchestrator job store, schema version 2, H2 2.x.

-- A purge deletes a job's result together with the job, so the foreign key's cascade goes, as on
-- PostgreSQL.
ALTER TABLE ${tablePrefix}job_results DROP CONSTRAINT IF EXISTS ${tablePrefix}job_results_job_fk;

-- Rescues read the running rows through the listing index on (state, created_at, id) of version 3;
-- an index on the lease would be rewritten by every claim, heartbeat and outcome.
DROP INDEX IF EXISTS ${tablePrefix}jobs_lease_idx;
