package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobError;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;
import org.reportorchestrator.spi.ClaimRequest;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.Transition;

/**
 * H2's purge reads the ids of finished jobs first and deletes them after, without locks between: a
 * job an operator retried in that gap must stay.
 */
class H2PurgeTest {

  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  @Test
  void aJobRetriedAfterThePurgeReadItsIdIsNotDeleted() {
    String url = H2Databases.inMemoryUrl();
    String prefix = TablePrefixes.unique();
    try (JdbcJobRepository store =
        JdbcJobRepository.builder().jdbcUrl(url).tablePrefix(prefix).build()) {
      NewJob job =
          new NewJob(
              new JobId(UUID.randomUUID()),
              "report",
              Map.of(),
              null,
              0,
              T0,
              3,
              Duration.ofMinutes(5),
              T0);
      store.insert(List.of(job));
      StoredJob running =
          store
              .claim(new ClaimRequest("node-a", Set.of("report"), 1, T0, T0.plusSeconds(30)))
              .get(0);
      store.apply(
          List.of(
              Transition.failed(
                  running.lease(), T0.plusSeconds(1), new JobError("x.Broken", "no", "trace"))));
      long before = EpochMicros.of(T0.plusSeconds(60));
      // the purge has read the failed job's id; then the operator's retry commits
      assertThat(store.requeue(job.id(), T0.plusSeconds(2))).isTrue();

      int deleted =
          Jdbi.create(url)
              .withHandle(
                  handle ->
                      new H2Statements(prefix)
                          .deletePurgeable(handle, List.of(job.id().value()), before));

      assertThat(deleted).isZero();
      assertThat(store.find(job.id()).orElseThrow().state()).isEqualTo(JobState.REQUESTED);
    }
  }
}
