-- Report Orchestrator job store, schema version 5 (cluster-wide running limits), PostgreSQL.
-- ${tablePrefix} is replaced by the configured table prefix (default "orchestrator_").
--
-- A claim of a report type with a running limit counts the running jobs of that type under the
-- type's advisory lock. This index holds only running rows, keyed by type, so the count reads as
-- many entries as jobs of the type run. A claim writes one more small entry into it (the row
-- becomes RUNNING); leaving RUNNING writes none (the new row version is outside its condition),
-- and a heartbeat, which changes neither state nor report_type, stays a HOT update.
CREATE INDEX IF NOT EXISTS ${tablePrefix}jobs_running_type_idx
  ON ${tablePrefix}jobs (report_type) WHERE state = 'RUNNING';
