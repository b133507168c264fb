-- Report Orchestrator job store, schema version 7 (fewer indexes on the jobs table), PostgreSQL.
-- ${tablePrefix} is replaced by the configured table prefix (default "orchestrator_").
--
-- A claim makes a row RUNNING, which writes an entry into every index whose condition the new row
-- meets. Two indexes held only running rows: (id) and, since version 5, (report_type). The one on
-- (report_type) serves what the one on (id) did (expired leases and listing running jobs read all
-- running rows, as many as workers run), so a claim now writes one index entry fewer.
DROP INDEX IF EXISTS ${tablePrefix}jobs_running_idx;
