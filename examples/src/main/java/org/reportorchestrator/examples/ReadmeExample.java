package org.reportorchestrator.examples;

import java.time.Duration;
import java.util.Map;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.jdbc.JdbcJobRepository;

/**
 * The README's quick start and the program its quickstart command runs. The README shows the lines
 * between the {@code readme} tags, and ReadmeTest checks that it shows them as they are here.
 */
public final class ReadmeExample {

  private ReadmeExample() {}

  public static void main(String[] args) throws InterruptedException {
    // tag::readme[]
    try (JdbcJobRepository store =
            JdbcJobRepository.builder().jdbcUrl("jdbc:h2:./data/reports").build();
        ReportOrchestrator orchestrator =
            ReportOrchestrator.builder()
                .repository(store)
                .register(
                    "sales-summary",
                    context -> {
                      context.progress(50, "aggregating " + context.parameter("month"));
                      return ReportResult.ofText("month,revenue\n2026-10,1200\n", "text/csv");
                    })
                .build()) {
      orchestrator.start();
      JobId id = orchestrator.submit(ReportRequest.of("sales-summary", Map.of("month", "2026-10")));
      JobSnapshot done = orchestrator.awaitCompletion(id, Duration.ofMinutes(1));
      System.out.println(done.state() + " " + done.result());
    }
    // end::readme[]
  }
}
