-- Report Orchestrator job store, schema version 1, H2 2.x.
-- ${tablePrefix} is replaced by the configured table prefix (default "orchestrator_");
-- Flyway and Liquibase substitute the same ${tablePrefix} placeholder.
-- Every *_at column holds microseconds since 1970-01-01T00:00:00Z (UTC) as BIGINT.

CREATE TABLE IF NOT EXISTS ${tablePrefix}jobs (
  id                  UUID          NOT NULL PRIMARY KEY,
  report_type         VARCHAR(255)  NOT NULL,
  parameters          VARCHAR       NOT NULL,
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
  progress_percent    INTEGER       DEFAULT 0 NOT NULL,
  progress_message    VARCHAR(500),
  error_type          VARCHAR(1000),
  error_message       VARCHAR,
  error_stack         VARCHAR,
  result_content_type VARCHAR(255),
  result_file_name    VARCHAR(1000),
  result_size         BIGINT,
  result_metadata     VARCHAR,
  owner_node          VARCHAR(255),
  fencing_token       BIGINT        DEFAULT 0 NOT NULL,
  lease_expires_at    BIGINT,
  cancel_requested    BOOLEAN       DEFAULT FALSE NOT NULL
);

CREATE TABLE IF NOT EXISTS ${tablePrefix}job_results (
  job_id  UUID NOT NULL PRIMARY KEY,
  content BLOB NOT NULL,
  CONSTRAINT ${tablePrefix}job_results_job_fk FOREIGN KEY (job_id)
    REFERENCES ${tablePrefix}jobs (id) ON DELETE CASCADE
);

-- one job per idempotency key; a unique index in H2 admits many NULLs
CREATE UNIQUE INDEX IF NOT EXISTS ${tablePrefix}jobs_idempotency_key_uq
  ON ${tablePrefix}jobs (idempotency_key);

CREATE INDEX IF NOT EXISTS ${tablePrefix}jobs_due_idx
  ON ${tablePrefix}jobs (state, priority DESC, run_at, created_at, id);

CREATE INDEX IF NOT EXISTS ${tablePrefix}jobs_lease_idx
  ON ${tablePrefix}jobs (state, lease_expires_at);

CREATE INDEX IF NOT EXISTS ${tablePrefix}jobs_finished_idx
  ON ${tablePrefix}jobs (finished_at);

CREATE INDEX IF NOT EXISTS ${tablePrefix}jobs_created_idx
  ON ${tablePrefix}jobs (created_at, id);
