package org.reportorchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.spi.JobRepository;
import org.slf4j.LoggerFactory;

/**
 * Recurring reports through the public API, run against each store that keeps schedules: fire times
 * from cron and intervals, daylight saving time, overlap and catch-up rules, pause and remove
 * shared by nodes, bad input refused, and three nodes racing for every fire time. Time moves only
 * when a test moves the {@link org.reportorchestrator.testing.SettableClock}; most tests fire and
 * run inline with {@link ReportOrchestrator#runDueJobs()}.
 */
public abstract class RecurringReportsContract extends OrchestratorFixture {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private final Map<String, AtomicInteger> runsPerJob = new ConcurrentHashMap<>();

  /**
   * Another store on the same data, as a second node would open it; the fixture's own store if the
   * store is shared in memory. Closed by the subclass after the test.
   */
  protected JobRepository anotherNodeStore() {
    return repository;
  }

  private ReportTask counting() {
    return context -> {
      runsPerJob
          .computeIfAbsent(context.jobId().toString(), k -> new AtomicInteger())
          .incrementAndGet();
      return ReportResult.ofText("done", "text/plain");
    };
  }

  private ReportOrchestrator node(Schedule... schedules) {
    return unstarted(
        b -> {
          b.register("nightly", counting());
          for (Schedule schedule : schedules) {
            b.schedule(schedule);
          }
        });
  }

  private List<String> scheduledKeys(ReportOrchestrator orchestrator) {
    List<String> keys = new ArrayList<>();
    for (JobSnapshot job : orchestrator.query(JobQuery.all().limit(1000))) {
      keys.add(job.idempotencyKey());
    }
    return keys;
  }

  private static String key(String schedule, String instant) {
    return "schedule:" + schedule + "@" + Instant.parse(instant);
  }

  @Test
  void aCronScheduleMakesOneJobPerFireTimeNamedByItsKey() {
    ReportOrchestrator node =
        node(
            Schedule.cron("sales", "nightly", "0 2 * * *", ZoneOffset.UTC)
                .withParameters(Map.of("region", "EMEA")));

    assertThat(node.runDueJobs()).isZero();
    assertThat(node.findSchedule("sales").orElseThrow().nextFireAt())
        .isEqualTo(Instant.parse("2026-11-03T02:00:00Z"));
    clock.set(Instant.parse("2026-11-03T02:00:00Z"));
    assertThat(node.runDueJobs()).isEqualTo(1);
    assertThat(node.runDueJobs()).isZero();
    clock.set(Instant.parse("2026-11-04T02:00:05Z"));
    assertThat(node.runDueJobs()).isEqualTo(1);

    List<JobSnapshot> jobs = node.query(JobQuery.all());
    assertThat(jobs)
        .extracting(JobSnapshot::idempotencyKey)
        .containsExactly(
            key("sales", "2026-11-03T02:00:00Z"), key("sales", "2026-11-04T02:00:00Z"));
    assertThat(jobs)
        .allSatisfy(job -> assertThat(job.parameters()).isEqualTo(Map.of("region", "EMEA")));
    assertThat(jobs).allSatisfy(job -> assertThat(job.state()).isEqualTo(JobState.COMPLETED));
    ScheduleSnapshot snapshot = node.findSchedule("sales").orElseThrow();
    assertThat(snapshot.lastFireAt()).isEqualTo(Instant.parse("2026-11-04T02:00:00Z"));
    assertThat(snapshot.lastJobId()).isEqualTo(jobs.get(1).id());
    assertThat(snapshot.nextFireAt()).isEqualTo(Instant.parse("2026-11-05T02:00:00Z"));
  }

  @Test
  void anIntervalScheduleStaysOnItsGridWhenFiredLate() {
    ReportOrchestrator node = node(Schedule.every("often", "nightly", Duration.ofMinutes(10)));
    node.runDueJobs();

    clock.set(START.plus(Duration.ofMinutes(10)).plusSeconds(7));
    assertThat(node.runDueJobs()).isEqualTo(1);

    assertThat(scheduledKeys(node)).containsExactly(key("often", "2026-11-02T09:10:00Z"));
    assertThat(node.findSchedule("often").orElseThrow().nextFireAt())
        .isEqualTo(START.plus(Duration.ofMinutes(20)));
  }

  /** Steps the clock by a quarter of an hour from {@code from} to {@code to}, firing each time. */
  private void runQuarterHourly(ReportOrchestrator node, String from, String to) {
    clock.set(Instant.parse(from));
    node.runDueJobs();
    while (clock.instant().isBefore(Instant.parse(to))) {
      clock.advance(Duration.ofMinutes(15));
      node.runDueJobs();
    }
  }

  @Test
  void aDailyRunAtAWallClockTimeThatSpringForwardSkipsRunsOnceThatDayShiftedByTheGap() {
    clock.set(Instant.parse("2026-03-28T12:00:00Z"));
    ReportOrchestrator node = node(Schedule.cron("berlin", "nightly", "30 2 * * *", BERLIN));

    runQuarterHourly(node, "2026-03-28T12:00:00Z", "2026-03-30T12:00:00Z");

    // 29 March: 02:30 does not exist in Berlin; it runs at 03:30 CEST (01:30 UTC), once
    assertThat(scheduledKeys(node))
        .containsExactly(
            key("berlin", "2026-03-29T01:30:00Z"), key("berlin", "2026-03-30T00:30:00Z"));
  }

  @Test
  void aDailyRunAtAWallClockTimeThatFallBackRepeatsRunsOnceAtItsFirstOccurrence() {
    clock.set(Instant.parse("2026-10-24T12:00:00Z"));
    ReportOrchestrator node = node(Schedule.cron("berlin", "nightly", "30 2 * * *", BERLIN));

    runQuarterHourly(node, "2026-10-24T12:00:00Z", "2026-10-26T12:00:00Z");

    // 25 October: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET); it runs once
    assertThat(scheduledKeys(node))
        .containsExactly(
            key("berlin", "2026-10-25T00:30:00Z"), key("berlin", "2026-10-26T01:30:00Z"));
  }

  @Test
  void skipMakesNoJobWhileThePreviousOneHasNotFinished() {
    ReportOrchestrator node =
        unstarted(
            b ->
                b.register("other", counting())
                    .submitOnly("queued")
                    .schedule(Schedule.every("hourly", "queued", Duration.ofHours(1))));
    node.runDueJobs();
    clock.advance(Duration.ofHours(1));
    node.runDueJobs();
    JobId first = node.query(JobQuery.all()).get(0).id();

    clock.advance(Duration.ofHours(1));
    node.runDueJobs();
    assertThat(node.query(JobQuery.all())).hasSize(1);
    assertThat(node.findSchedule("hourly").orElseThrow().nextFireAt())
        .isEqualTo(START.plus(Duration.ofHours(3)));

    node.cancel(first);
    clock.advance(Duration.ofHours(1));
    node.runDueJobs();
    assertThat(scheduledKeys(node))
        .containsExactly(
            key("hourly", "2026-11-02T10:00:00Z"), key("hourly", "2026-11-02T12:00:00Z"));
  }

  @Test
  void queueMakesTheJobEvenWhileThePreviousOneHasNotFinished() {
    ReportOrchestrator node =
        unstarted(
            b ->
                b.register("other", counting())
                    .submitOnly("queued")
                    .schedule(
                        Schedule.every("hourly", "queued", Duration.ofHours(1))
                            .onOverlap(Schedule.Overlap.QUEUE)));
    node.runDueJobs();
    clock.advance(Duration.ofHours(1));
    node.runDueJobs();
    clock.advance(Duration.ofHours(1));
    node.runDueJobs();

    assertThat(node.query(JobQuery.all()))
        .extracting(JobSnapshot::state)
        .containsExactly(JobState.REQUESTED, JobState.REQUESTED);
  }

  @Test
  void afterDowntimeOneCatchUpRunStandsForEveryMissedFireTime() {
    ReportOrchestrator node = node(Schedule.every("hourly", "nightly", Duration.ofHours(1)));
    node.runDueJobs();

    clock.advance(Duration.ofHours(5).plusMinutes(30));
    assertThat(node.runDueJobs()).isEqualTo(1);

    assertThat(scheduledKeys(node)).containsExactly(key("hourly", "2026-11-02T10:00:00Z"));
    assertThat(node.findSchedule("hourly").orElseThrow().nextFireAt())
        .isEqualTo(START.plus(Duration.ofHours(6)));
  }

  @Test
  void afterDowntimeNoneSkipsMissedFireTimesButRunsOnesNoticedInTime() {
    ReportOrchestrator node =
        node(
            Schedule.every("hourly", "nightly", Duration.ofHours(1))
                .afterDowntime(Schedule.CatchUp.NONE));
    node.runDueJobs();

    clock.advance(Duration.ofHours(5).plusMinutes(30));
    assertThat(node.runDueJobs()).isZero();
    assertThat(node.findSchedule("hourly").orElseThrow().nextFireAt())
        .isEqualTo(START.plus(Duration.ofHours(6)));

    clock.set(START.plus(Duration.ofHours(6)).plusSeconds(30));
    assertThat(node.runDueJobs()).isEqualTo(1);
    assertThat(scheduledKeys(node)).containsExactly(key("hourly", "2026-11-02T15:00:00Z"));
  }

  @Test
  void aPauseOnOneNodeHoldsOnAnotherAndResumeGoesOnFromTheNextFireTime() {
    Schedule hourly = Schedule.every("hourly", "nightly", Duration.ofHours(1));
    ReportOrchestrator declaring = node(hourly);
    ReportOrchestrator other =
        unstarted(b -> b.repository(anotherNodeStore()).register("nightly", counting()));
    declaring.runDueJobs();

    other.pauseSchedule("hourly");
    clock.advance(Duration.ofHours(2));
    assertThat(declaring.runDueJobs()).isZero();
    assertThat(declaring.findSchedule("hourly").orElseThrow().paused()).isTrue();

    other.resumeSchedule("hourly");
    assertThat(declaring.findSchedule("hourly").orElseThrow().nextFireAt())
        .isEqualTo(START.plus(Duration.ofHours(3)));
    assertThat(declaring.runDueJobs()).isZero();
    clock.advance(Duration.ofHours(1));
    assertThat(other.runDueJobs()).isEqualTo(1);
    assertThat(scheduledKeys(declaring)).containsExactly(key("hourly", "2026-11-02T12:00:00Z"));
  }

  @Test
  void aNodeDeclaringAnUnchangedScheduleKeepsItsStateAndAChangedOneReplacesIt() {
    Schedule hourly = Schedule.every("hourly", "nightly", Duration.ofHours(1));
    ReportOrchestrator first = node(hourly);
    first.runDueJobs();
    first.pauseSchedule("hourly");

    clock.advance(Duration.ofMinutes(30));
    node(hourly).runDueJobs();
    ScheduleSnapshot kept = first.findSchedule("hourly").orElseThrow();
    assertThat(kept.paused()).isTrue();
    assertThat(kept.nextFireAt()).isEqualTo(START.plus(Duration.ofHours(1)));

    Schedule changed = hourly.withParameters(Map.of("region", "APAC"));
    node(changed).runDueJobs();
    ScheduleSnapshot replaced = first.findSchedule("hourly").orElseThrow();
    assertThat(replaced.schedule()).isEqualTo(changed);
    assertThat(replaced.paused()).isTrue();
    assertThat(replaced.nextFireAt()).isEqualTo(START.plus(Duration.ofMinutes(90)));
  }

  @Test
  void badInputFailsAtTheCallAndStoresNothing() {
    ReportOrchestrator node = node();

    assertThatThrownBy(() -> node.schedule(Schedule.every("x", "unknown", Duration.ofHours(1))))
        .isInstanceOf(UnknownReportTypeException.class)
        .hasMessageContaining("unknown");
    assertThatThrownBy(() -> Schedule.cron("x", "nightly", "61 * * * *", ZoneOffset.UTC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'61 * * * *'");
    assertThatThrownBy(() -> Schedule.cron("x", "nightly", "0 0 2 * * *", ZoneOffset.UTC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5 fields");
    assertThatThrownBy(() -> Schedule.cron("x", "nightly", "0 0 30 2 *", ZoneOffset.UTC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("never fires");
    assertThatThrownBy(() -> Schedule.every(" ", "nightly", Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schedule name");
    assertThatThrownBy(() -> Schedule.every("x", "nightly", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("interval");
    Map<String, String> huge = new HashMap<>();
    huge.put("blob", "x".repeat(ReportRequest.MAX_PARAMETERS_BYTES + 1));
    assertThatThrownBy(
            () -> Schedule.every("x", "nightly", Duration.ofHours(1)).withParameters(huge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bytes");
    assertThatThrownBy(
            () ->
                builder()
                    .register("nightly", counting())
                    .schedule(Schedule.every("x", "elsewhere", Duration.ofHours(1)))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'elsewhere'");
    assertThatThrownBy(() -> node.pauseSchedule("missing"))
        .isInstanceOf(ScheduleNotFoundException.class);
    assertThatThrownBy(() -> node.resumeSchedule("missing"))
        .isInstanceOf(ScheduleNotFoundException.class);
    assertThatThrownBy(() -> node.removeSchedule("missing"))
        .isInstanceOf(ScheduleNotFoundException.class);

    assertThat(node.schedules()).isEmpty();
  }

  @Test
  void aScheduleLackingARequiredParameterIsRefusedAndNothingIsStored() {
    TaskOptions needsFrom = TaskOptions.DEFAULTS.withRequiredParameters("from");
    ReportOrchestrator node = unstarted(b -> b.register("ranged", counting(), needsFrom));

    assertThatThrownBy(() -> node.schedule(Schedule.every("daily", "ranged", Duration.ofDays(1))))
        .isInstanceOf(ReportParameterException.class)
        .hasMessageContaining("'daily'")
        .hasMessageContaining("'ranged'")
        .hasMessageContaining("'from'");
    assertThatThrownBy(
            () ->
                node.schedule(
                    Schedule.every("daily", "ranged", Duration.ofDays(1))
                        .withParameters(Map.of("from", " "))))
        .isInstanceOf(ReportParameterException.class)
        .hasMessageContaining("'from'");
    assertThatThrownBy(
            () ->
                builder()
                    .register("ranged", counting(), needsFrom)
                    .schedule(Schedule.every("declared", "ranged", Duration.ofDays(1)))
                    .build())
        .isInstanceOf(ReportParameterException.class)
        .hasMessageContaining("'declared'")
        .hasMessageContaining("'ranged'")
        .hasMessageContaining("'from'");
    assertThat(node.schedules()).isEmpty();

    node.schedule(
        Schedule.every("daily", "ranged", Duration.ofDays(1))
            .withParameters(Map.of("from", "2026-01-01")));
    assertThat(node.schedules()).extracting(ScheduleSnapshot::name).containsExactly("daily");
  }

  @Test
  void aStoredScheduleLackingARequiredParameterIsNotFiredAndIsWarnedAboutOnce() {
    ReportOrchestrator lax = unstarted(b -> b.register("ranged", counting()));
    ReportOrchestrator strict =
        unstarted(
            b ->
                b.repository(anotherNodeStore())
                    .register(
                        "ranged", counting(), TaskOptions.DEFAULTS.withRequiredParameters("from")));
    lax.schedule(Schedule.every("hourly", "ranged", Duration.ofHours(1)));
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Logger firerLogger =
        (Logger) LoggerFactory.getLogger("org.reportorchestrator.internal.ScheduleFirer");
    logged.start();
    firerLogger.addAppender(logged);
    try {
      for (int hour = 0; hour < 3; hour++) {
        clock.advance(Duration.ofHours(1));
        assertThat(strict.runDueJobs()).isZero();
      }
    } finally {
      firerLogger.detachAppender(logged);
    }

    assertThat(strict.query(JobQuery.all())).isEmpty();
    assertThat(logged.list)
        .filteredOn(event -> event.getLevel() == Level.WARN)
        .singleElement()
        .satisfies(
            event ->
                assertThat(event.getFormattedMessage()).contains("'hourly'", "'ranged'", "'from'"));
  }

  @Test
  void resumingAScheduleThatIsNotPausedChangesNothing() {
    ReportOrchestrator node =
        node(
            Schedule.every("hourly", "nightly", Duration.ofHours(1))
                .afterDowntime(Schedule.CatchUp.ONE));
    node.runDueJobs();
    clock.advance(Duration.ofHours(3));

    node.resumeSchedule("hourly");

    assertThat(node.findSchedule("hourly").orElseThrow().nextFireAt())
        .isEqualTo(START.plus(Duration.ofHours(1)));
    assertThat(node.runDueJobs()).isEqualTo(1);
    assertThat(scheduledKeys(node)).containsExactly(key("hourly", "2026-11-02T10:00:00Z"));
  }

  @Test
  void overdueSchedulesOfATypeThisNodeDoesNotRunDoNotHideTheOnesItDoes() {
    ReportOrchestrator otherKind = unstarted(b -> b.register("other", counting()));
    // more than the firer's batch of 100, all due before this node's one schedule
    for (int i = 0; i < 150; i++) {
      otherKind.schedule(Schedule.every("other-" + i, "other", Duration.ofHours(1)));
    }
    clock.advance(Duration.ofMinutes(1));
    ReportOrchestrator node =
        unstarted(b -> b.repository(anotherNodeStore()).register("nightly", counting()));
    node.schedule(Schedule.every("mine", "nightly", Duration.ofHours(1)));

    clock.advance(Duration.ofHours(2));

    assertThat(node.runDueJobs()).isEqualTo(1);
    assertThat(scheduledKeys(node)).containsExactly(key("mine", "2026-11-02T10:01:00Z"));
  }

  @Test
  void aRemovedScheduleMakesNoMoreJobs() {
    ReportOrchestrator node = node();
    node.schedule(Schedule.every("hourly", "nightly", Duration.ofHours(1)));
    assertThat(node.schedules()).extracting(ScheduleSnapshot::name).containsExactly("hourly");

    node.removeSchedule("hourly");
    clock.advance(Duration.ofHours(3));

    assertThat(node.runDueJobs()).isZero();
    assertThat(node.schedules()).isEmpty();
  }

  @Test
  void aStartedNodeFiresOnItsSchedulerPoll() {
    ReportOrchestrator node =
        started(
            b ->
                b.register("nightly", counting())
                    .schedule(Schedule.every("hourly", "nightly", Duration.ofHours(1))));
    eventually().until(() -> node.findSchedule("hourly").isPresent());

    clock.advance(Duration.ofHours(1));

    eventually()
        .until(
            () ->
                node.query(JobQuery.all()).stream()
                    .anyMatch(job -> job.state() == JobState.COMPLETED));
    assertThat(scheduledKeys(node)).containsExactly(key("hourly", "2026-11-02T10:00:00Z"));
  }

  /** How many fire times the racing nodes share; a slow store may lower it. */
  protected int racedFireTimes() {
    return 100;
  }

  @Test
  void threeNodesRacingForEveryFireTimeMakeExactlyOneJobEach() throws Exception {
    Schedule everyMinute =
        Schedule.every("minutely", "nightly", Duration.ofMinutes(1))
            .onOverlap(Schedule.Overlap.QUEUE);
    List<ReportOrchestrator> nodes =
        List.of(
            node(everyMinute),
            unstarted(
                b ->
                    b.repository(anotherNodeStore())
                        .register("nightly", counting())
                        .schedule(everyMinute)),
            unstarted(
                b ->
                    b.repository(anotherNodeStore())
                        .register("nightly", counting())
                        .schedule(everyMinute)));
    // the first node stores the schedule now, so its first fire time is a minute from START
    nodes.get(0).runDueJobs();
    CyclicBarrier together = new CyclicBarrier(nodes.size());
    ExecutorService threads = Executors.newFixedThreadPool(nodes.size());
    AtomicInteger ranAttempts = new AtomicInteger();
    try {
      for (int i = 0; i < racedFireTimes(); i++) {
        clock.advance(Duration.ofMinutes(1));
        List<Future<?>> racing = new ArrayList<>();
        for (ReportOrchestrator node : nodes) {
          racing.add(
              threads.submit(
                  () -> {
                    together.await(1, TimeUnit.MINUTES);
                    ranAttempts.addAndGet(node.runDueJobs());
                    return null;
                  }));
        }
        for (Future<?> racer : racing) {
          racer.get(2, TimeUnit.MINUTES);
        }
      }
    } finally {
      threads.shutdownNow();
    }

    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= racedFireTimes(); i++) {
      expected.add("schedule:minutely@" + START.plus(Duration.ofMinutes(i)));
    }
    List<JobSnapshot> jobs = nodes.get(0).query(JobQuery.all().limit(1000));
    assertThat(jobs).extracting(JobSnapshot::idempotencyKey).containsExactlyElementsOf(expected);
    assertThat(jobs).allSatisfy(job -> assertThat(job.state()).isEqualTo(JobState.COMPLETED));
    assertThat(runsPerJob).hasSize(racedFireTimes());
    assertThat(runsPerJob.values()).allSatisfy(runs -> assertThat(runs).hasValue(1));
    assertThat(ranAttempts).hasValue(racedFireTimes());
  }
}
