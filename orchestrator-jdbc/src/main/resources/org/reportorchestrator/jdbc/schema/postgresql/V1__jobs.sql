-- Report Orchestrator job store, schema version 1, PostgreSQL.
-- ${tablePrefix} is replaced by the configured table prefix (default "orchestrator_");
-- Flyway and Liquibase substitute the same ${tablePrefix} placeholder.
-- Every *_at column holds microseconds since 1970-01-01T00:00:00Z (UTC) as BIGINT.

CREATE TABLE IF NOT EXISTS ${tablePrefix}jobs (
  id                  UUID          NOT NULL PRIMARY KEY,
  report_type         VARCHAR(255)  NOT NULL,
  parameters          TEXT          NOT NULL,
  state               VARCHAR(16)   NOT NULL,
  attempt             INTEGER       NOT NULL,
  max_attempts        INTEGER       NOT NULL,
  priority            INTEGER       NOT NULL,
  idempotency_key     VARCHAR(255),
  timeout_ms          BIGINT        NOT NULL,
  created_at          BIGINT        NOT NULL,
  updated_at          BIGINT        NOT NULL,
  started_at          BIGINT,
  finished_at         BIGINT,
  run_at              BIGINT        NOT NULL,
  progress_percent    INTEGER       NOT NULL DEFAULT 0,
  progress_message    VARCHAR(500),
  error_type          VARCHAR(1000),
  error_message       TEXT,
  error_stack         TEXT,
  result_content_type VARCHAR(255),
  result_file_name    VARCHAR(1000),
  result_size         BIGINT,
  result_metadata     TEXT,
  owner_node          VARCHAR(255),
  fencing_token       BIGINT        NOT NULL DEFAULT 0,
  lease_expires_at    BIGINT,
  cancel_requested    BOOLEAN       NOT NULL DEFAULT FALSE
);

CREATE TABLE IF NOT EXISTS ${tablePrefix}job_results (
  job_id  UUID  NOT NULL PRIMARY KEY REFERENCES ${tablePrefix}jobs (id) ON DELETE CASCADE,
  content BYTEA NOT NULL
);

-- one job per idempotency key; jobs without a key are not constrained
CREATE UNIQUE INDEX IF NOT EXISTS ${tablePrefix}jobs_idempotency_key_uq
  ON ${tablePrefix}jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- claiming: only queued rows, in claim order, however many finished rows pile up
CREATE INDEX IF NOT EXISTS ${tablePrefix}jobs_due_idx
  ON ${tablePrefix}jobs (priority DESC, run_at, created_at, id) WHERE state = 'REQUESTED';

-- rescuing expired leases
CREATE INDEX IF NOT EXISTS ${tablePrefix}jobs_lease_idx
  ON ${tablePrefix}jobs (lease_expires_at) WHERE state = 'RUNNING';

-- purging old terminal jobs
CREATE INDEX IF NOT EXISTS ${tablePrefix}jobs_finished_idx
  ON ${tablePrefix}jobs (finished_at) WHERE state IN ('COMPLETED', 'FAILED', 'CANCELLED');

-- listing jobs oldest first
CREATE INDEX IF NOT EXISTS ${tablePrefix}jobs_created_idx
  ON ${tablePrefix}jobs (created_at, id);
