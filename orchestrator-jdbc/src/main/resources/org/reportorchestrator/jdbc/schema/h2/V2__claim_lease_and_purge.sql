-- Report Orchestrator job store, schema version 2, H2 2.x.

-- A purge deletes a job's result together with the job, so the foreign key's cascade goes, as on
-- PostgreSQL.
ALTER TABLE ${tablePrefix}job_results DROP CONSTRAINT IF EXISTS ${tablePrefix}job_results_job_fk;
