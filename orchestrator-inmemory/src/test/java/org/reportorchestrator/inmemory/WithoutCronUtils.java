package org.reportorchestrator.inmemory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.Schedule;
import org.reportorchestrator.testing.SettableClock;

/**
 * A host without cron-utils: builds a cron schedule (which must fail, naming the library), then
 * fires an interval schedule, and writes what it saw to the file named by its argument. {@link
 * NoCronUtilsNeededTest} runs it in a JVM whose class path has no cron-utils.
 */
public final class WithoutCronUtils {

  private WithoutCronUtils() {}

  public static void main(String[] args) throws Exception {
    StringBuilder report = new StringBuilder();
    try {
      Schedule.cron("nightly", "report", "0 2 * * *", ZoneOffset.UTC);
      report.append("cron schedule built\n");
    } catch (IllegalStateException expected) {
      report.append(expected.getMessage()).append('\n');
    }
    SettableClock clock = new SettableClock(Instant.parse("2026-11-02T09:00:00Z"));
    try (ReportOrchestrator orchestrator =
        ReportOrchestrator.builder()
            .repository(new InMemoryJobRepository())
            .clock(clock)
            .register("report", context -> ReportResult.empty())
            .schedule(Schedule.every("hourly", "report", Duration.ofHours(1)))
            .build()) {
      orchestrator.runDueJobs();
      clock.advance(Duration.ofHours(1));
      report.append("ran ").append(orchestrator.runDueJobs()).append('\n');
      report.append("jobs ").append(orchestrator.query(JobQuery.all()).size()).append('\n');
    }
    Files.writeString(Path.of(args[0]), report.toString(), StandardCharsets.UTF_8);
  }
}
