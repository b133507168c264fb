-- Report Orchestrator job store, schema version 7 (fewer indexes on the jobs table), H2 2.x.
-- ${tablePrefix} is replaced by the configured table prefix (default "orchestrator_").
--
-- H2 updates a row by taking it out of every index of its table and putting it back into every
-- one, whichever columns changed, and its commit visits each of those entries again: a claim and
-- an outcome cost about in proportion to the number of indexes. These two go; what read them
-- reads the listing index on (state, created_at, id) of version 3 instead.

-- Listing by report type reads each requested state's jobs in listing order and keeps the type's.
DROP INDEX IF EXISTS ${tablePrefix}jobs_type_state_created_idx;

-- The purge reads the terminal states' jobs in listing order and keeps those finished early enough.
DROP INDEX IF EXISTS ${tablePrefix}jobs_finished_idx;
