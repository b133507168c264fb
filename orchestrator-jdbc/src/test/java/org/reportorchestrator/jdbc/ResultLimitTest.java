package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.ResultTooLargeException;

class ResultLimitTest {

  private static final String URL = H2Databases.inMemoryUrl();
  private final String prefix = TablePrefixes.unique();
  private final JdbcJobRepository store =
      JdbcJobRepository.builder().jdbcUrl(URL).tablePrefix(prefix).maxResultBytes(100).build();

  @AfterEach
  void close() {
    store.close();
    H2Databases.dropTables(URL, prefix);
  }

  @Test
  void aResultOverTheStoresLimitFailsItsJobWithoutRetry() throws Exception {
    try (ReportOrchestrator orchestrator =
        ReportOrchestrator.builder()
            .repository(store)
            .pollInterval(Duration.ofMillis(20))
            .register("big", context -> ReportResult.ofText("x".repeat(101), "text/plain"))
            .register("small", context -> ReportResult.ofText("x".repeat(100), "text/plain"))
            .build()) {
      orchestrator.start();
      JobId big = orchestrator.submit(ReportRequest.of("big"));
      JobId small = orchestrator.submit(ReportRequest.of("small"));

      JobSnapshot failed = orchestrator.awaitCompletion(big, Duration.ofSeconds(60));
      assertThat(failed.state()).isEqualTo(JobState.FAILED);
      assertThat(failed.attempt()).isEqualTo(1);
      assertThat(failed.lastError().type()).isEqualTo(ResultTooLargeException.class.getName());
      assertThat(failed.lastError().message()).contains("101 bytes").contains("limit of 100 bytes");
      assertThat(orchestrator.openResult(big)).isEmpty();

      assertThat(orchestrator.awaitCompletion(small, Duration.ofSeconds(60)).state())
          .isEqualTo(JobState.COMPLETED);
    }
  }
}
