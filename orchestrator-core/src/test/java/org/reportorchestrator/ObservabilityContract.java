package org.reportorchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.micrometer.MicrometerMetrics;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Statistics, health, meters and log lines, through the public API, run against each store. A
 * store's test subclasses this and supplies an empty repository.
 */
public abstract class ObservabilityContract extends OrchestratorFixture {

  /** The fixture's heartbeat interval: a third of its 10 minute lease. */
  private static final Duration HEARTBEAT = Duration.ofSeconds(200);

  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger orchestratorLogger =
      (Logger) LoggerFactory.getLogger("org.reportorchestrator");

  @BeforeEach
  void captureLogs() {
    logged.start();
    orchestratorLogger.addAppender(logged);
  }

  @AfterEach
  void stopCapturingLogs() {
    orchestratorLogger.detachAppender(logged);
  }

  // ---------------------------------------------------------------------------------------------
  // statistics

  @Test
  void statisticsCountTheWholeStoreOnANodeThatOnlySubmits() {
    ReportOrchestrator worker =
        unstarted(b -> b.register("sales", context -> ReportResult.empty()));
    worker.submit(ReportRequest.of("sales"));
    worker.submit(ReportRequest.of("sales"));
    worker.runDueJobs();
    ReportOrchestrator web = unstarted(b -> b.submitOnly("sales").submitOnly("stock"));
    web.submit(ReportRequest.of("stock"));
    web.submit(ReportRequest.builder("stock").startAfter(Duration.ofHours(1)).build());
    clock.advance(Duration.ofSeconds(30));

    QueueStatistics statistics = web.statistics();

    assertThat(statistics.readAt()).isEqualTo(START.plusSeconds(30));
    assertThat(statistics.count("sales", JobState.COMPLETED)).isEqualTo(2);
    assertThat(statistics.count("stock", JobState.REQUESTED)).isEqualTo(2);
    assertThat(statistics.count(JobState.REQUESTED)).isEqualTo(2);
    assertThat(statistics.due("stock")).isEqualTo(1);
    assertThat(statistics.due("sales")).isZero();
    assertThat(statistics.byType().get("stock").oldestDueRunAt()).isEqualTo(START);
    assertThat(statistics.lag("stock")).isEqualTo(Duration.ofSeconds(30));
    assertThat(statistics.lag()).isEqualTo(Duration.ofSeconds(30));
    assertThat(statistics.lag("sales")).isZero();
  }

  @Test
  void statisticsAreReadFromTheStoreAtMostOncePerInterval() {
    FaultyRepository faulty = new FaultyRepository(repository);
    ReportOrchestrator web =
        unstarted(
            b ->
                b.repository(faulty)
                    .statisticsInterval(Duration.ofSeconds(10))
                    .submitOnly("stock"));
    web.submit(ReportRequest.of("stock"));
    assertThat(web.statistics().due()).isEqualTo(1);
    web.submit(ReportRequest.of("stock"));
    clock.advance(Duration.ofSeconds(9));

    for (int i = 0; i < 100; i++) {
      assertThat(web.statistics().due()).isEqualTo(1);
    }
    assertThat(faulty.statisticsCalls).hasValue(1);

    clock.advance(Duration.ofSeconds(1));
    assertThat(web.statistics().due()).isEqualTo(2);
    assertThat(faulty.statisticsCalls).hasValue(2);
  }

  @Test
  void statisticsFallBackToTheLastReadingWhileTheStoreIsDownAndFailWithoutOne() {
    FaultyRepository faulty = new FaultyRepository(repository);
    ReportOrchestrator web = unstarted(b -> b.repository(faulty).submitOnly("stock"));
    faulty.down.set(true);

    assertThatThrownBy(web::statistics).isInstanceOf(StorageException.class);
    // a failed read is not tried again within the interval either
    assertThatThrownBy(web::statistics).isInstanceOf(StorageException.class);
    assertThat(faulty.statisticsCalls).hasValue(1);

    faulty.down.set(false);
    clock.advance(Duration.ofSeconds(10));
    QueueStatistics first = web.statistics();
    faulty.down.set(true);
    clock.advance(Duration.ofSeconds(10));

    assertThat(web.statistics()).isEqualTo(first);
  }

  // ---------------------------------------------------------------------------------------------
  // health

  @Test
  void healthOfANodeThatOnlySubmitsFollowsItsStoreCalls() {
    FaultyRepository faulty = new FaultyRepository(repository);
    ReportOrchestrator web =
        unstarted(
            b -> b.repository(faulty).submitOnly("stock").statisticsInterval(Duration.ofHours(1)));
    web.submit(ReportRequest.of("stock"));
    // read once now, so that no health() below starts a background read that could land late
    web.statistics();

    OrchestratorHealth up = web.health();
    assertThat(up.status()).isEqualTo(OrchestratorHealth.Status.UP);
    assertThat(up.problems()).isEmpty();
    assertThat(up.runsJobs()).isFalse();
    assertThat(up.schedulerAlive()).isFalse();
    assertThat(up.lastPollAt()).isNull();
    assertThat(up.workers()).isZero();
    assertThat(up.busyWorkers()).isZero();
    assertThat(up.lastStoreSuccessAt()).isEqualTo(START);
    assertThat(up.lastStoreError()).isNull();

    faulty.down.set(true);
    clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> web.submit(ReportRequest.of("stock")))
        .isInstanceOf(StorageException.class);
    OrchestratorHealth blip = web.health();
    assertThat(blip.status()).isEqualTo(OrchestratorHealth.Status.DEGRADED);
    assertThat(blip.lastStoreErrorAt()).isEqualTo(START.plusSeconds(1));
    assertThat(blip.lastStoreError()).contains("store is down");

    clock.advance(HEARTBEAT);
    assertThat(web.health().status()).isEqualTo(OrchestratorHealth.Status.DOWN);

    faulty.down.set(false);
    web.submit(ReportRequest.of("stock"));
    OrchestratorHealth recovered = web.health();
    assertThat(recovered.status()).isEqualTo(OrchestratorHealth.Status.UP);
    assertThat(recovered.lastStoreSuccessAt()).isEqualTo(START.plusSeconds(1).plus(HEARTBEAT));
    assertThat(recovered.lastStoreErrorAt()).isEqualTo(START.plusSeconds(1));
  }

  @Test
  void healthOfAStartedNodeShowsItsWorkersAndAStoreOutageAsDownUntilTheStoreAnswers()
      throws Exception {
    FaultyRepository faulty = new FaultyRepository(repository);
    CountDownLatch release = gate();
    ReportOrchestrator node =
        started(
            b ->
                b.repository(faulty)
                    .register(
                        "slow",
                        context -> {
                          release.await();
                          return ReportResult.empty();
                        }));
    JobId id = node.submit(ReportRequest.of("slow"));
    eventually().until(() -> node.health().busyWorkers() == 1);
    OrchestratorHealth busy = node.health();
    assertThat(busy.status()).isEqualTo(OrchestratorHealth.Status.UP);
    assertThat(busy.runsJobs()).isTrue();
    assertThat(busy.schedulerAlive()).isTrue();
    assertThat(busy.lastPollAt()).isNotNull();
    assertThat(busy.workers()).isEqualTo(4);

    faulty.down.set(true);
    eventually().until(() -> node.health().status() == OrchestratorHealth.Status.DEGRADED);
    clock.advance(HEARTBEAT);
    eventually().until(() -> node.health().status() == OrchestratorHealth.Status.DOWN);
    assertThat(node.health().problems()).anyMatch(p -> p.contains("every store call has failed"));

    faulty.down.set(false);
    eventually().until(() -> node.health().status() == OrchestratorHealth.Status.UP);
    release.countDown();
    assertThat(node.awaitCompletion(id, Duration.ofSeconds(60)).state())
        .isEqualTo(JobState.COMPLETED);
  }

  @Test
  void healthOfAClosedNodeIsDown() {
    ReportOrchestrator node = started(b -> b.register("report", context -> ReportResult.empty()));
    node.close();

    OrchestratorHealth closed = node.health();

    assertThat(closed.status()).isEqualTo(OrchestratorHealth.Status.DOWN);
    assertThat(closed.runsJobs()).isFalse();
    assertThat(closed.problems()).containsExactly("the orchestrator is closed");
  }

  // ---------------------------------------------------------------------------------------------
  // meters

  @Test
  void metersCountTransitionsAttemptsAndStoreErrorsByReportType() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FaultyRepository faulty = new FaultyRepository(repository);
    AtomicInteger flakyRuns = new AtomicInteger();
    ReportOrchestrator node =
        started(
            b ->
                b.repository(faulty)
                    .metrics(new MicrometerMetrics(registry))
                    .register("ok", context -> ReportResult.empty())
                    .register(
                        "bad",
                        context -> {
                          throw new NonRetryableException("no such warehouse");
                        })
                    .register(
                        "flaky",
                        context -> {
                          if (flakyRuns.incrementAndGet() == 1) {
                            throw new IllegalStateException("first attempt fails");
                          }
                          return ReportResult.empty();
                        }));
    JobId ok = node.submit(ReportRequest.of("ok"));
    JobId bad = node.submit(ReportRequest.of("bad"));
    JobId flaky = node.submit(ReportRequest.of("flaky"));
    node.awaitCompletion(ok, Duration.ofSeconds(60));
    node.awaitCompletion(bad, Duration.ofSeconds(60));
    eventually()
        .until(
            () -> node.get(flaky).attempt() == 1 && node.get(flaky).state() == JobState.REQUESTED);
    clock.advance(Duration.ofSeconds(1));
    node.awaitCompletion(flaky, Duration.ofSeconds(60));

    assertThat(transitions(registry, "ok", "submitted")).isEqualTo(1);
    assertThat(transitions(registry, "ok", "claimed")).isEqualTo(1);
    assertThat(transitions(registry, "ok", "completed")).isEqualTo(1);
    assertThat(transitions(registry, "bad", "failed")).isEqualTo(1);
    assertThat(transitions(registry, "flaky", "claimed")).isEqualTo(2);
    assertThat(transitions(registry, "flaky", "retried")).isEqualTo(1);
    assertThat(transitions(registry, "flaky", "completed")).isEqualTo(1);
    assertThat(runs(registry, "ok", "success")).isEqualTo(1);
    assertThat(runs(registry, "bad", "failure")).isEqualTo(1);
    assertThat(runs(registry, "flaky", "failure")).isEqualTo(1);
    assertThat(runs(registry, "flaky", "success")).isEqualTo(1);
    assertThat(queueWaits(registry, "flaky")).isEqualTo(2);
    // the retry waited for its backoff, then was due at once
    assertThat(
            registry
                .get(MicrometerMetrics.QUEUE_WAIT)
                .tag(MicrometerMetrics.TAG_REPORT_TYPE, "flaky")
                .timer()
                .max(java.util.concurrent.TimeUnit.SECONDS))
        .isLessThan(1.0);
    eventually()
        .until(
            () ->
                registry
                        .get(MicrometerMetrics.RUNNING)
                        .tag(MicrometerMetrics.TAG_REPORT_TYPE, "flaky")
                        .gauge()
                        .value()
                    == 0.0);
    assertThat(registry.get(MicrometerMetrics.WORKERS_UTILIZATION).gauge().value()).isZero();
    assertThat(registry.find(MicrometerMetrics.STORE_ERRORS).counters()).isEmpty();

    faulty.down.set(true);
    assertThatThrownBy(() -> node.find(ok)).isInstanceOf(StorageException.class);
    assertThat(
            registry
                .get(MicrometerMetrics.STORE_ERRORS)
                .tag(MicrometerMetrics.TAG_OPERATION, "find")
                .counter()
                .count())
        .isEqualTo(1);
    faulty.down.set(false);
  }

  @Test
  void workerUtilizationAndRunningGaugesFollowTheTasksThatRun() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CountDownLatch release = gate();
    ReportOrchestrator node =
        started(
            b ->
                b.metrics(new MicrometerMetrics(registry))
                    .register(
                        "slow",
                        context -> {
                          release.await();
                          return ReportResult.empty();
                        }));
    node.submit(ReportRequest.of("slow"));
    node.submit(ReportRequest.of("slow"));

    eventually()
        .until(
            () ->
                registry
                        .get(MicrometerMetrics.RUNNING)
                        .tag(MicrometerMetrics.TAG_REPORT_TYPE, "slow")
                        .gauge()
                        .value()
                    == 2.0);
    assertThat(registry.get(MicrometerMetrics.WORKERS_UTILIZATION).gauge().value()).isEqualTo(0.5);
    release.countDown();
    eventually()
        .until(() -> registry.get(MicrometerMetrics.WORKERS_UTILIZATION).gauge().value() == 0.0);
  }

  @Test
  void dueAndLagGaugesReadTheStatisticsCacheWithoutAQueryPerScrape() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FaultyRepository faulty = new FaultyRepository(repository);
    ReportOrchestrator node =
        started(
            b ->
                b.repository(faulty)
                    .metrics(new MicrometerMetrics(registry))
                    .register("report", context -> ReportResult.empty())
                    .submitOnly("later"));
    node.submit(ReportRequest.of("later"));
    node.submit(ReportRequest.of("later"));
    clock.advance(Duration.ofSeconds(10));

    // a reading from before the clock moved has both jobs due but no lag yet; the next one has it
    eventually()
        .until(() -> due(registry, "later") == 2.0 && lagSeconds(registry, "later") == 10.0);
    assertThat(due(registry, "report")).isZero();
    int reads = faulty.statisticsCalls.get();
    for (int i = 0; i < 100; i++) {
      due(registry, "later");
      lagSeconds(registry, "later");
    }
    assertThat(faulty.statisticsCalls.get()).isLessThanOrEqualTo(reads + 1);
  }

  @Test
  void oneMicrometerMetricsServesOneOrchestrator() {
    MicrometerMetrics metrics = new MicrometerMetrics(new SimpleMeterRegistry());
    unstarted(b -> b.metrics(metrics).submitOnly("report"));

    assertThatThrownBy(() -> unstarted(b -> b.metrics(metrics).submitOnly("report")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closingTheOrchestratorRemovesItsMetersFromTheRegistry() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ReportOrchestrator node =
        started(
            b ->
                b.metrics(new MicrometerMetrics(registry))
                    .register("report", context -> ReportResult.empty()));
    node.awaitCompletion(node.submit(ReportRequest.of("report")), Duration.ofSeconds(60));
    assertThat(registry.find(MicrometerMetrics.TRANSITIONS).counters()).isNotEmpty();
    assertThat(registry.find(MicrometerMetrics.DUE).gauges()).isNotEmpty();

    node.close();

    assertThat(registry.getMeters()).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // logging

  @Test
  void eachRetryAndFailureIsOneLogLineWithJobTypeAndAttemptAndTheMdcHasThemToo() throws Exception {
    Map<Integer, Map<String, String>> mdcByAttempt = new ConcurrentHashMap<>();
    ReportOrchestrator node =
        started(
            b ->
                b.register(
                    "flaky",
                    context -> {
                      mdcByAttempt.put(context.attempt(), MDC.getCopyOfContextMap());
                      throw new IllegalStateException("attempt " + context.attempt() + " fails");
                    },
                    TaskOptions.DEFAULTS.withRetryPolicy(
                        new RetryPolicy(
                            2, Duration.ofSeconds(1), Duration.ofMinutes(1), 2.0, 0.0))));
    JobId id = node.submit(ReportRequest.of("flaky"));
    eventually()
        .until(() -> node.get(id).state() == JobState.REQUESTED && node.get(id).attempt() == 1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(node.awaitCompletion(id, Duration.ofSeconds(60)).state()).isEqualTo(JobState.FAILED);

    List<ILoggingEvent> aboutTheJob =
        logged.list.stream()
            .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
            .filter(e -> e.getFormattedMessage().contains(id.toString()))
            .toList();
    assertThat(aboutTheJob).hasSize(2);
    assertThat(aboutTheJob.get(0).getFormattedMessage())
        .contains("flaky", "attempt 1 of 2 failed, retrying", "attempt 1 fails");
    assertThat(aboutTheJob.get(1).getLevel()).isEqualTo(Level.WARN);
    assertThat(aboutTheJob.get(1).getFormattedMessage())
        .contains("flaky", "failed on attempt 2 of 2", "attempt 2 fails");
    assertThat(aboutTheJob.get(0).getMDCPropertyMap())
        .containsEntry("jobId", id.toString())
        .containsEntry("reportType", "flaky")
        .containsEntry("attempt", "1");
    assertThat(aboutTheJob.get(1).getMDCPropertyMap()).containsEntry("attempt", "2");
    assertThat(mdcByAttempt.get(1))
        .containsEntry("attempt", "1")
        .containsEntry("jobId", id.toString());
    assertThat(mdcByAttempt.get(2)).containsEntry("attempt", "2");
  }

  private static double transitions(MeterRegistry registry, String type, String outcome) {
    return registry
        .get(MicrometerMetrics.TRANSITIONS)
        .tag(MicrometerMetrics.TAG_REPORT_TYPE, type)
        .tag(MicrometerMetrics.TAG_OUTCOME, outcome)
        .counter()
        .count();
  }

  private static long runs(MeterRegistry registry, String type, String outcome) {
    return registry
        .get(MicrometerMetrics.RUN_DURATION)
        .tag(MicrometerMetrics.TAG_REPORT_TYPE, type)
        .tag(MicrometerMetrics.TAG_OUTCOME, outcome)
        .timer()
        .count();
  }

  private static long queueWaits(MeterRegistry registry, String type) {
    return registry
        .get(MicrometerMetrics.QUEUE_WAIT)
        .tag(MicrometerMetrics.TAG_REPORT_TYPE, type)
        .timer()
        .count();
  }

  private static double due(MeterRegistry registry, String type) {
    return registry
        .get(MicrometerMetrics.DUE)
        .tag(MicrometerMetrics.TAG_REPORT_TYPE, type)
        .gauge()
        .value();
  }

  private static double lagSeconds(MeterRegistry registry, String type) {
    return registry
        .get(MicrometerMetrics.LAG)
        .tag(MicrometerMetrics.TAG_REPORT_TYPE, type)
        .timeGauge()
        .value(java.util.concurrent.TimeUnit.SECONDS);
  }
}
