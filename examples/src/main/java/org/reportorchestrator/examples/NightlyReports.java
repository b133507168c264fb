package org.reportorchestrator.examples;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.Schedule;
import org.reportorchestrator.inmemory.InMemoryJobRepository;
import org.reportorchestrator.testing.SettableClock;

/**
 * A nightly report in Berlin through the week that clocks spring forward, in a second: the clock is
 * a {@link SettableClock} moved a quarter of an hour at a time, and {@link
 * ReportOrchestrator#runDueJobs()} fires and runs what became due. Prints each job's fire time.
 */
public final class NightlyReports {

  private NightlyReports() {}

  public static void main(String[] args) {
    run(new PrintStream(System.out, true, StandardCharsets.UTF_8));
  }

  static void run(PrintStream out) {
    SettableClock clock = new SettableClock(Instant.parse("2026-03-26T12:00:00Z"));
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    try (ReportOrchestrator orchestrator =
        ReportOrchestrator.builder()
            .repository(new InMemoryJobRepository())
            .clock(clock)
            .register("sales-summary", new SalesSummaryTask(0))
            .register("stock-check", context -> ReportResult.ofText("ok", "text/plain"))
            .schedule(
                Schedule.cron("nightly-sales", "sales-summary", "30 2 * * *", berlin)
                    .withParameters(Map.of("from", "2026-01", "months", "3")))
            .schedule(Schedule.every("stock-check", "stock-check", Duration.ofHours(6)))
            .build()) {
      Instant end = Instant.parse("2026-03-31T12:00:00Z");
      while (clock.instant().isBefore(end)) {
        orchestrator.runDueJobs();
        clock.advance(Duration.ofMinutes(15));
      }
      orchestrator.pauseSchedule("stock-check");
      for (JobSnapshot job : orchestrator.query(JobQuery.all().ofType("sales-summary"))) {
        // a scheduled job's key is schedule:<name>@<fire time>
        String key = Objects.requireNonNull(job.idempotencyKey());
        Instant fireTime = Instant.parse(key.substring(key.indexOf('@') + 1));
        out.printf(
            Locale.ROOT,
            "%s  %-9s  %s%n",
            fireTime.atZone(berlin).toOffsetDateTime(),
            job.state(),
            key);
      }
      orchestrator.schedules().forEach(schedule -> out.println(schedule));
    }
  }
}
