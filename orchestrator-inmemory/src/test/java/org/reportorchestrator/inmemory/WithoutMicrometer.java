package org.reportorchestrator.inmemory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.OrchestratorHealth;
import org.reportorchestrator.QueueStatistics;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;

/**
 * A host without Micrometer: runs a few jobs, reads the statistics and the health, and writes what
 * it saw to the file named by its argument. {@link NoMicrometerNeededTest} runs it in a JVM whose
 * class path has no Micrometer.
 */
public final class WithoutMicrometer {

  private WithoutMicrometer() {}

  public static void main(String[] args) throws Exception {
    StringBuilder report = new StringBuilder();
    try {
      Class.forName("io.micrometer.core.instrument.MeterRegistry");
      report.append("micrometer on the class path\n");
    } catch (ClassNotFoundException expected) {
      report.append("no micrometer\n");
    }
    try (ReportOrchestrator orchestrator =
        ReportOrchestrator.builder()
            .repository(new InMemoryJobRepository())
            .pollInterval(Duration.ofMillis(10))
            .register("report", context -> ReportResult.ofText("done", "text/plain"))
            .build()) {
      orchestrator.start();
      for (int i = 0; i < 3; i++) {
        JobId id = orchestrator.submit(ReportRequest.of("report"));
        JobSnapshot done = orchestrator.awaitCompletion(id, Duration.ofSeconds(60));
        report.append("job ").append(done.state()).append('\n');
      }
      QueueStatistics statistics = orchestrator.statistics();
      report.append("statistics ").append(statistics.byType().keySet()).append('\n');
      OrchestratorHealth health = orchestrator.health();
      report.append("health ").append(health.status()).append('\n');
    }
    Files.writeString(Path.of(args[0]), report.toString(), StandardCharsets.UTF_8);
  }
}
