package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobHistoryEntry;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.spi.ClaimRequest;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.Transition;

/**
 * A database made by schema version 1, with jobs in it, upgrades to the current version when a
 * store opens on it: the jobs stay readable and claimable, and a purge removes jobs with their
 * results now that the foreign key is gone.
 */
class SchemaUpgradeTest {

  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  @Test
  void aVersionOneH2DatabaseUpgradesWithItsJobs() throws IOException {
    upgradesWithItsJobs(H2Databases.inMemoryUrl(), JdbcJobRepository.Dialect.H2);
  }

  @Test
  void aVersionOnePostgresDatabaseUpgradesWithItsJobs() throws IOException {
    String prefix = TablePrefixes.unique();
    try {
      upgradesWithItsJobs(TestPostgres.jdbcUrl(), JdbcJobRepository.Dialect.POSTGRESQL, prefix);
    } finally {
      TestPostgres.dropTables(prefix);
    }
  }

  private static void upgradesWithItsJobs(String url, JdbcJobRepository.Dialect dialect)
      throws IOException {
    upgradesWithItsJobs(url, dialect, TablePrefixes.unique());
  }

  private static void upgradesWithItsJobs(
      String url, JdbcJobRepository.Dialect dialect, String prefix) throws IOException {
    Jdbi jdbi = Jdbi.create(url);
    // what a release with only version 1 left behind: its tables, its version row, a finished job
    // with a result and a queued one
    jdbi.useHandle(
        handle -> {
          handle.execute(
              "CREATE TABLE "
                  + prefix
                  + "schema_version (version INTEGER NOT NULL PRIMARY KEY,"
                  + " script VARCHAR(200) NOT NULL,"
                  + " applied_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL)");
          for (String statement :
              SchemaMigrator.statements(SchemaMigrator.script(dialect, "V1__jobs.sql", prefix))) {
            handle.execute(statement);
          }
          handle.execute(
              "INSERT INTO "
                  + prefix
                  + "schema_version (version, script) VALUES (1, 'V1__jobs.sql')");
        });
    NewJob finished = job("report", T0);
    NewJob queued = job("report", T0.plusSeconds(1));
    insertAsVersionOne(jdbi, prefix, finished, queued);

    try (JdbcJobRepository store =
        JdbcJobRepository.builder().jdbcUrl(url).tablePrefix(prefix).build()) {
      assertThat(number(jdbi, "SELECT MAX(version) FROM " + prefix + "schema_version"))
          .isEqualTo(SchemaMigrator.MIGRATIONS.size());
      assertThat(
              number(
                  jdbi,
                  "SELECT COUNT(*) FROM information_schema.table_constraints"
                      + " WHERE UPPER(table_name) = UPPER(?) AND constraint_type = 'FOREIGN KEY'",
                  prefix + "job_results"))
          .as("foreign keys left on the results table")
          .isZero();
      assertThat(store.schedules()).as("version 6's schedules table, empty").isEmpty();
      assertThat(store.find(finished.id()).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
      try (InputStream content = store.openResult(finished.id()).orElseThrow()) {
        assertThat(content.readAllBytes()).containsExactly(1, 2, 3);
      }

      List<StoredJob> claimed =
          store.claim(
              new ClaimRequest(
                  "node-a", Set.of("report"), 8, T0.plusSeconds(5), T0.plusSeconds(35)));
      assertThat(claimed).extracting(StoredJob::id).containsExactly(queued.id());
      assertThat(
              store.apply(
                  List.of(
                      Transition.completed(
                          claimed.get(0).lease(),
                          T0.plusSeconds(6),
                          ReportResult.ofBytes(new byte[] {4, 5}, "application/octet-stream")))))
          .containsExactly(true);
      assertThat(store.history(finished.id()))
          .as("a job from before version 4 has no history of its earlier transitions")
          .contains(List.of());
      assertThat(store.history(queued.id()).orElseThrow())
          .extracting(JobHistoryEntry::from, JobHistoryEntry::to)
          .containsExactly(
              tuple(JobState.REQUESTED, JobState.RUNNING),
              tuple(JobState.RUNNING, JobState.COMPLETED));

      assertThat(store.purgeFinished(T0.plusSeconds(60), 10)).isEqualTo(2);
      assertThat(store.find(finished.id())).isEmpty();
      assertThat(store.find(queued.id())).isEmpty();
      assertThat(number(jdbi, "SELECT COUNT(*) FROM " + prefix + "job_results")).isZero();
    }
  }

  private static int number(Jdbi jdbi, String query, Object... arguments) {
    return jdbi.withHandle(h -> h.select(query, arguments).mapTo(Integer.class).one());
  }

  private static NewJob job(String type, Instant createdAt) {
    return new NewJob(
        new JobId(UUID.randomUUID()),
        type,
        Map.of("region", "EMEA"),
        null,
        0,
        createdAt,
        3,
        Duration.ofMinutes(5),
        createdAt);
  }

  /** Rows as version 1's store wrote them: micros since the epoch, a result row for content. */
  private static void insertAsVersionOne(Jdbi jdbi, String prefix, NewJob finished, NewJob queued) {
    long t0 = EpochMicros.of(T0);
    jdbi.useHandle(
        handle -> {
          for (NewJob job : List.of(finished, queued)) {
            boolean done = job == finished;
            handle
                .createUpdate(
                    "INSERT INTO "
                        + prefix
                        + "jobs (id, report_type, parameters, state, attempt, max_attempts,"
                        + " priority, timeout_ms, created_at, updated_at, started_at, finished_at,"
                        + " run_at, progress_percent, result_content_type, result_size)"
                        + " VALUES (:id, :type, '{\"region\":\"EMEA\"}', :state, :attempt, 3, 0,"
                        + " 300000, :at, :at, :started, :finished, :at, :percent, :contentType,"
                        + " :size)")
                .bind("id", job.id().value())
                .bind("type", job.reportType())
                .bind("state", done ? "COMPLETED" : "REQUESTED")
                .bind("attempt", done ? 1 : 0)
                .bind("at", EpochMicros.of(job.createdAt()))
                .bind("started", done ? Long.valueOf(t0) : null)
                .bind("finished", done ? Long.valueOf(t0) : null)
                .bind("percent", done ? 100 : 0)
                .bind("contentType", done ? "application/octet-stream" : null)
                .bind("size", done ? Long.valueOf(3) : null)
                .execute();
          }
          handle
              .createUpdate(
                  "INSERT INTO " + prefix + "job_results (job_id, content) VALUES (:id, :c)")
              .bind("id", finished.id().value())
              .bind("c", new byte[] {1, 2, 3})
              .execute();
        });
  }
}
