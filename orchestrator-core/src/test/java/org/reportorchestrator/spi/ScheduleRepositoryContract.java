package org.reportorchestrator.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobHistoryEntry;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;
import org.reportorchestrator.Schedule;

/**
 * The behaviour every {@link ScheduleRepository} must show; a store subclasses this and returns an
 * empty store that implements both {@link JobRepository} and {@link ScheduleRepository}. No test
 * reads a clock: every call gets {@link #T0} plus an offset.
 */
public abstract class ScheduleRepositoryContract {

  protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final Duration HOUR = Duration.ofHours(1);

  /** An empty store that keeps jobs and schedules. */
  protected abstract JobRepository newRepository();

  /** Releases what {@link #newRepository()} made; called after each test. */
  protected void closeRepository(JobRepository repository) throws Exception {
    if (repository instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }

  /** How many threads race for each fire time; a store with a small pool may lower it. */
  protected int racingThreads() {
    return 8;
  }

  private JobRepository jobs;
  private ScheduleRepository schedules;

  @BeforeEach
  void open() {
    jobs = newRepository();
    schedules = (ScheduleRepository) jobs;
  }

  @AfterEach
  void close() throws Exception {
    closeRepository(jobs);
  }

  private static StoredSchedule schedule(String name, Instant nextFireAt) {
    return new StoredSchedule(
        name,
        "report",
        Map.of("region", "EMEA", "format", "pdf"),
        "every PT1H",
        Schedule.Overlap.SKIP,
        Schedule.CatchUp.ONE,
        false,
        nextFireAt,
        null,
        null,
        T0);
  }

  private static NewJob job(String key, Instant at) {
    return new NewJob(
        new JobId(UUID.randomUUID()),
        "report",
        Map.of("region", "EMEA"),
        key,
        0,
        at,
        3,
        Duration.ofMinutes(5),
        at);
  }

  @Test
  void aNewScheduleIsStoredAsProposed() {
    StoredSchedule proposed = schedule("nightly", T0.plus(HOUR));

    assertThat(schedules.upsertSchedule(proposed)).isEqualTo(proposed);
    assertThat(schedules.findSchedule("nightly")).contains(proposed);
    assertThat(schedules.findSchedule("other")).isEmpty();
  }

  @Test
  void anUnchangedDefinitionKeepsItsNextFireTimeAndPausedFlag() {
    schedules.upsertSchedule(schedule("nightly", T0.plus(HOUR)));
    assertThat(schedules.pauseSchedule("nightly", T0.plusSeconds(1))).isTrue();

    StoredSchedule again =
        schedules.upsertSchedule(schedule("nightly", T0.plus(HOUR.multipliedBy(5))));

    assertThat(again.paused()).isTrue();
    assertThat(again.nextFireAt()).isEqualTo(T0.plus(HOUR));
    assertThat(schedules.findSchedule("nightly")).contains(again);
  }

  @Test
  void aChangedDefinitionReplacesItAndItsNextFireTimeAndStaysPaused() {
    schedules.upsertSchedule(schedule("nightly", T0.plus(HOUR)));
    schedules.pauseSchedule("nightly", T0.plusSeconds(1));
    StoredSchedule changed =
        new StoredSchedule(
            "nightly",
            "other-report",
            Map.of("region", "APAC"),
            "cron UTC 0 2 * * *",
            Schedule.Overlap.QUEUE,
            Schedule.CatchUp.NONE,
            false,
            T0.plus(HOUR.multipliedBy(2)),
            null,
            null,
            T0.plusSeconds(2));

    StoredSchedule stored = schedules.upsertSchedule(changed);

    assertThat(stored.sameDefinition(changed)).isTrue();
    assertThat(stored.paused()).isTrue();
    assertThat(stored.nextFireAt()).isEqualTo(T0.plus(HOUR.multipliedBy(2)));
    assertThat(schedules.findSchedule("nightly")).contains(stored);
  }

  @Test
  void dueSchedulesAreTheUnpausedOnesAtOrBeforeNowEarliestFirst() {
    schedules.upsertSchedule(schedule("late", T0.plusSeconds(30)));
    schedules.upsertSchedule(schedule("early", T0.plusSeconds(10)));
    schedules.upsertSchedule(schedule("exactly-now", T0.plusSeconds(60)));
    schedules.upsertSchedule(schedule("future", T0.plusSeconds(61)));
    schedules.upsertSchedule(schedule("paused", T0));
    schedules.pauseSchedule("paused", T0);

    assertThat(schedules.dueSchedules(T0.plusSeconds(60), Set.of("report"), 10))
        .extracting(StoredSchedule::name)
        .containsExactly("early", "late", "exactly-now");
    assertThat(schedules.dueSchedules(T0.plusSeconds(60), Set.of("report"), 2))
        .extracting(StoredSchedule::name)
        .containsExactly("early", "late");
    assertThat(schedules.schedules())
        .extracting(StoredSchedule::name)
        .containsExactly("early", "exactly-now", "future", "late", "paused");
  }

  @Test
  void dueSchedulesAreOnlyThoseOfTheAskedTypesAndOthersDoNotCountAgainstTheLimit() {
    for (int i = 0; i < 5; i++) {
      schedules.upsertSchedule(ofType("backlog-" + i, "elsewhere", T0.plusSeconds(i)));
    }
    schedules.upsertSchedule(ofType("mine", "report", T0.plusSeconds(30)));
    schedules.upsertSchedule(ofType("also-mine", "summary", T0.plusSeconds(40)));

    assertThat(schedules.dueSchedules(T0.plusSeconds(60), Set.of("report", "summary"), 2))
        .extracting(StoredSchedule::name)
        .containsExactly("mine", "also-mine");
    assertThat(schedules.dueSchedules(T0.plusSeconds(60), Set.of("report"), 1))
        .extracting(StoredSchedule::name)
        .containsExactly("mine");
    assertThat(schedules.dueSchedules(T0.plusSeconds(60), Set.of("elsewhere"), 2))
        .extracting(StoredSchedule::name)
        .containsExactly("backlog-0", "backlog-1");
    assertThat(schedules.dueSchedules(T0.plusSeconds(60), Set.of("unknown"), 10)).isEmpty();
  }

  private static StoredSchedule ofType(String name, String reportType, Instant nextFireAt) {
    return new StoredSchedule(
        name,
        reportType,
        Map.of(),
        "every PT1H",
        Schedule.Overlap.SKIP,
        Schedule.CatchUp.ONE,
        false,
        nextFireAt,
        null,
        null,
        T0);
  }

  @Test
  void aFiringMovesTheScheduleAndInsertsItsJobInOneUnit() {
    schedules.upsertSchedule(schedule("nightly", T0));
    NewJob job = job("schedule:nightly@" + T0, T0.plusSeconds(3));

    ScheduleRepository.FireResult result =
        schedules.fire(new ScheduleFiring("nightly", T0, T0.plus(HOUR), job, T0.plusSeconds(3)));

    assertThat(result.advanced()).isTrue();
    assertThat(result.job()).isEqualTo(new InsertResult(job.id(), true));
    StoredJob stored = jobs.find(job.id()).orElseThrow();
    assertThat(stored.state()).isEqualTo(JobState.REQUESTED);
    assertThat(stored.idempotencyKey()).isEqualTo("schedule:nightly@" + T0);
    assertThat(jobs.history(job.id()).orElseThrow())
        .extracting(JobHistoryEntry::from, JobHistoryEntry::to)
        .containsExactly(org.assertj.core.api.Assertions.tuple(null, JobState.REQUESTED));
    StoredSchedule after = schedules.findSchedule("nightly").orElseThrow();
    assertThat(after.nextFireAt()).isEqualTo(T0.plus(HOUR));
    assertThat(after.lastFireAt()).isEqualTo(T0);
    assertThat(after.lastJobId()).isEqualTo(job.id());
  }

  @Test
  void aSecondFiringOfTheSameFireTimeIsLostAndStoresNoJob() {
    schedules.upsertSchedule(schedule("nightly", T0));
    schedules.fire(
        new ScheduleFiring("nightly", T0, T0.plus(HOUR), job("first", T0), T0.plusSeconds(1)));
    NewJob second = job("second", T0);

    ScheduleRepository.FireResult result =
        schedules.fire(new ScheduleFiring("nightly", T0, T0.plus(HOUR), second, T0.plusSeconds(2)));

    assertThat(result).isEqualTo(ScheduleRepository.FireResult.lost());
    assertThat(jobs.find(second.id())).isEmpty();
    assertThat(schedules.findSchedule("nightly").orElseThrow().nextFireAt())
        .isEqualTo(T0.plus(HOUR));
  }

  @Test
  void aFiringWithoutAJobOnlyMovesTheSchedule() {
    schedules.upsertSchedule(schedule("nightly", T0));

    ScheduleRepository.FireResult result =
        schedules.fire(new ScheduleFiring("nightly", T0, T0.plus(HOUR), null, T0));

    assertThat(result).isEqualTo(new ScheduleRepository.FireResult(true, null));
    StoredSchedule after = schedules.findSchedule("nightly").orElseThrow();
    assertThat(after.nextFireAt()).isEqualTo(T0.plus(HOUR));
    assertThat(after.lastJobId()).isNull();
    assertThat(after.lastFireAt()).isNull();
  }

  @Test
  void aPausedOrRemovedScheduleIsNotFired() {
    schedules.upsertSchedule(schedule("paused", T0));
    schedules.upsertSchedule(schedule("removed", T0));
    schedules.pauseSchedule("paused", T0);
    assertThat(schedules.removeSchedule("removed")).isTrue();
    NewJob first = job("a", T0);
    NewJob second = job("b", T0);

    assertThat(schedules.fire(new ScheduleFiring("paused", T0, T0.plus(HOUR), first, T0)))
        .isEqualTo(ScheduleRepository.FireResult.lost());
    assertThat(schedules.fire(new ScheduleFiring("removed", T0, T0.plus(HOUR), second, T0)))
        .isEqualTo(ScheduleRepository.FireResult.lost());
    assertThat(jobs.find(first.id())).isEmpty();
    assertThat(jobs.find(second.id())).isEmpty();
    assertThat(schedules.findSchedule("paused").orElseThrow().nextFireAt()).isEqualTo(T0);
  }

  @Test
  void aFiringWhoseJobKeyIsTakenMovesOnAndNamesTheJobThatHoldsIt() {
    NewJob earlier = job("schedule:nightly@" + T0, T0);
    jobs.insert(List.of(earlier));
    schedules.upsertSchedule(schedule("nightly", T0));
    NewJob again = job("schedule:nightly@" + T0, T0.plusSeconds(1));

    ScheduleRepository.FireResult result =
        schedules.fire(new ScheduleFiring("nightly", T0, T0.plus(HOUR), again, T0.plusSeconds(1)));

    assertThat(result)
        .isEqualTo(new ScheduleRepository.FireResult(true, new InsertResult(earlier.id(), false)));
    assertThat(jobs.find(again.id())).isEmpty();
  }

  @Test
  void pauseResumeAndRemoveSayWhetherTheScheduleExists() {
    assertThat(schedules.pauseSchedule("missing", T0)).isFalse();
    assertThat(schedules.resumeSchedule("missing", T0, T0)).isFalse();
    assertThat(schedules.removeSchedule("missing")).isFalse();
    schedules.upsertSchedule(schedule("nightly", T0));
    schedules.pauseSchedule("nightly", T0);

    assertThat(
            schedules.resumeSchedule("nightly", T0.plus(HOUR.multipliedBy(3)), T0.plusSeconds(1)))
        .isTrue();

    StoredSchedule resumed = schedules.findSchedule("nightly").orElseThrow();
    assertThat(resumed.paused()).isFalse();
    assertThat(resumed.nextFireAt()).isEqualTo(T0.plus(HOUR.multipliedBy(3)));
    assertThat(schedules.removeSchedule("nightly")).isTrue();
    assertThat(schedules.schedules()).isEmpty();
  }

  @Test
  void threadsRacingForEveryFireTimeMakeExactlyOneJobEach() throws Exception {
    int fireTimes = 40;
    schedules.upsertSchedule(schedule("racing", T0));
    ConcurrentLinkedQueue<InsertResult> created = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Instant> advancedFrom = new ConcurrentLinkedQueue<>();
    ExecutorService threads = Executors.newFixedThreadPool(racingThreads());
    try {
      List<Future<?>> racers = new ArrayList<>();
      for (int t = 0; t < racingThreads(); t++) {
        racers.add(
            threads.submit(
                () -> {
                  // every racer tries every fire time in order; whoever moved the schedule to a
                  // fire time tries the next one too, so each fire time has a winner
                  for (int i = 0; i < fireTimes; i++) {
                    Instant fireAt = T0.plus(HOUR.multipliedBy(i));
                    ScheduleRepository.FireResult result =
                        schedules.fire(
                            new ScheduleFiring(
                                "racing",
                                fireAt,
                                fireAt.plus(HOUR),
                                job("schedule:racing@" + fireAt, fireAt),
                                fireAt));
                    if (result.advanced()) {
                      advancedFrom.add(fireAt);
                    }
                    InsertResult job = result.job();
                    if (job != null && job.created()) {
                      created.add(job);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> racer : racers) {
        racer.get(2, TimeUnit.MINUTES);
      }
    } finally {
      threads.shutdownNow();
    }

    assertThat(created).hasSize(fireTimes);
    assertThat(advancedFrom).hasSize(fireTimes).doesNotHaveDuplicates();
    Set<String> keys =
        created.stream()
            .map(result -> jobs.find(result.id()).orElseThrow().idempotencyKey())
            .collect(Collectors.toSet());
    assertThat(keys).hasSize(fireTimes);
    assertThat(schedules.findSchedule("racing").orElseThrow().nextFireAt())
        .isEqualTo(T0.plus(HOUR.multipliedBy(fireTimes)));
  }
}
