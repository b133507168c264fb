package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.ReportTask;
import org.reportorchestrator.testing.SettableClock;

/**
 * Jobs outlive the node that stored them: after a clean restart, and after a node that dies with
 * jobs in flight. Each "node" is an orchestrator with a pool of its own on one database.
 */
abstract class RestartContract {

  private final SettableClock clock = new SettableClock(Instant.parse("2026-11-02T09:00:00Z"));
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final CountDownLatch neverReleased = new CountDownLatch(1);

  /** A new store (with its own connection pool) on the test's one database. */
  abstract JdbcJobRepository openStore();

  /** Drops what the test created; called once after everything else is closed. */
  abstract void dropDatabase();

  @AfterEach
  void closeNodes() throws Exception {
    neverReleased.countDown();
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    dropDatabase();
  }

  private ReportOrchestrator node(String name, JdbcJobRepository store, ReportTask task) {
    ReportOrchestrator orchestrator =
        ReportOrchestrator.builder()
            .repository(store)
            .clock(clock)
            .nodeId(name)
            .workerCount(4)
            .pollInterval(Duration.ofMillis(20))
            .leaseDuration(Duration.ofSeconds(30))
            .shutdownGracePeriod(Duration.ofSeconds(5))
            .register("report", task)
            .build();
    toClose.add(orchestrator);
    return orchestrator;
  }

  private JdbcJobRepository store() {
    JdbcJobRepository store = openStore();
    toClose.add(store);
    return store;
  }

  @Test
  void submittedJobsSurviveARestartAndComplete() throws Exception {
    JdbcJobRepository firstStore = store();
    ReportOrchestrator first = node("first", firstStore, context -> ReportResult.empty());
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ids.add(first.submit(ReportRequest.of("report", Map.of("n", Integer.toString(i)))));
    }
    first.close();
    firstStore.close();

    ReportOrchestrator second =
        node(
            "second",
            store(),
            context -> ReportResult.ofText(context.parameter("n"), "text/plain"));
    second.start();

    for (JobId id : ids) {
      JobSnapshot done = second.awaitCompletion(id, Duration.ofSeconds(60));
      assertThat(done.state()).isEqualTo(JobState.COMPLETED);
      assertThat(done.attempt()).isEqualTo(1);
    }
  }

  @Test
  void jobsOfANodeThatDiedMidAttemptAreRescuedAndCompleteOnce() throws Exception {
    CountDownLatch claimedByDoomedNode = new CountDownLatch(3);
    Map<String, AtomicInteger> completedRuns = new ConcurrentHashMap<>();
    JdbcJobRepository doomedStore = store();
    ReportOrchestrator doomed =
        node(
            "doomed",
            doomedStore,
            context -> {
              claimedByDoomedNode.countDown();
              neverReleased.await();
              return ReportResult.empty();
            });
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(doomed.submit(ReportRequest.of("report")));
    }
    doomed.start();
    assertThat(claimedByDoomedNode.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    // The node dies: it never closes, and it can no longer reach the database.
    doomedStore.close();

    ReportOrchestrator survivor =
        node(
            "survivor",
            store(),
            context -> {
              completedRuns
                  .computeIfAbsent(context.jobId().toString(), k -> new AtomicInteger())
                  .incrementAndGet();
              return ReportResult.empty();
            });
    survivor.start();
    for (JobId id : ids) {
      assertThat(survivor.get(id).state()).isEqualTo(JobState.RUNNING);
      assertThat(survivor.get(id).ownerNode()).isEqualTo("doomed");
    }
    clock.advance(Duration.ofMinutes(1));

    for (JobId id : ids) {
      JobSnapshot done = survivor.awaitCompletion(id, Duration.ofSeconds(60));
      assertThat(done.state()).isEqualTo(JobState.COMPLETED);
      assertThat(done.attempt()).isEqualTo(2);
      assertThat(done.lastError().message()).contains("doomed");
    }
    assertThat(completedRuns).hasSize(3);
    assertThat(completedRuns.values()).allSatisfy(runs -> assertThat(runs).hasValue(1));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                survivor
                    .query(JobQuery.all().inStates(JobState.RUNNING, JobState.REQUESTED))
                    .isEmpty());
  }
}
