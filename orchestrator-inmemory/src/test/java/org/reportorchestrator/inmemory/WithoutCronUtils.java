package org.reportorchestrator.inmemory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.Schedule;
import org.reportorchestrator.ScheduleSnapshot;
import org.reportorchestrator.spi.StoredSchedule;
import org.reportorchestrator.testing.SettableClock;

/**
 * A host without cron-utils: builds a cron schedule (which must fail, naming the library), fires an
 * interval schedule, lists a cron schedule another node stored and counts the warnings its firer
 * logs over three looks at it, and writes what it saw to the file named by its argument. {@link
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
    InMemoryJobRepository repository = new InMemoryJobRepository();
    // as a node with cron-utils would have stored it
    repository.upsertSchedule(
        new StoredSchedule(
            "nightly",
            "report",
            Map.of(),
            "cron UTC 0 2 * * *",
            Schedule.Overlap.SKIP,
            Schedule.CatchUp.ONE,
            false,
            Instant.parse("2026-11-03T02:00:00Z"),
            null,
            null,
            clock.instant()));
    try (ReportOrchestrator orchestrator =
        ReportOrchestrator.builder()
            .repository(repository)
            .clock(clock)
            .register("report", context -> ReportResult.empty())
            .schedule(Schedule.every("hourly", "report", Duration.ofHours(1)))
            .build()) {
      orchestrator.runDueJobs();
      clock.advance(Duration.ofHours(1));
      report.append("ran ").append(orchestrator.runDueJobs()).append('\n');
      report.append("jobs ").append(orchestrator.query(JobQuery.all()).size()).append('\n');
      for (ScheduleSnapshot listed : orchestrator.schedules()) {
        report.append("listed ").append(listed.schedule()).append('\n');
      }
      Schedule found = orchestrator.findSchedule("nightly").orElseThrow().schedule();
      report.append("found ").append(found.cronExpression()).append(" in ").append(found.zone());
      report.append('\n');
      clock.set(Instant.parse("2026-11-03T02:00:00Z"));
      for (int look = 0; look < 3; look++) {
        orchestrator.runDueJobs();
        clock.advance(Duration.ofMinutes(1));
      }
    }
    Files.writeString(Path.of(args[0]), report.toString(), StandardCharsets.UTF_8);
  }
}
