-- Report Orchestrator job store, schema version 6 (recurring schedules), H2 2.x.
-- ${tablePrefix} is replaced by the configured table prefix (default "orchestrator_").
-- Every *_at column holds microseconds since 1970-01-01T00:00:00Z (UTC) as BIGINT.
--
-- One row per schedule. A fire time is taken by a conditional UPDATE of next_fire_at in the same
-- transaction as the insert of its job, whose idempotency key (schedule name and fire time) is
-- unique in the jobs table: two nodes never both make the job of one fire time.
CREATE TABLE IF NOT EXISTS ${tablePrefix}schedules (
  name          VARCHAR(100)  NOT NULL PRIMARY KEY,
  report_type   VARCHAR(255)  NOT NULL,
  parameters    VARCHAR       NOT NULL,
  trigger_spec  VARCHAR(500)  NOT NULL,
  overlap       VARCHAR(16)   NOT NULL,
  catch_up      VARCHAR(16)   NOT NULL,
  paused        BOOLEAN       DEFAULT FALSE NOT NULL,
  next_fire_at  BIGINT        NOT NULL,
  last_fire_at  BIGINT,
  last_job_id   UUID,
  updated_at    BIGINT        NOT NULL
);

-- every poll of every node asks for the due schedules
CREATE INDEX IF NOT EXISTS ${tablePrefix}schedules_due_idx
  ON ${tablePrefix}schedules (paused, next_fire_at);
