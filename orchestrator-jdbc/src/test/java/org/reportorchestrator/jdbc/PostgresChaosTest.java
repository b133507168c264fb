package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.CancelOutcome;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.JobState;
import org.reportorchestrator.JobTransition;
import org.reportorchestrator.NonRetryableException;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.RetryPolicy;

/**
 * Two nodes on one PostgreSQL, tasks that fail once, fail for good or succeed, cancels fired from a
 * third client while the jobs run, and one node shut down and replaced midway: every job still ends
 * in exactly one terminal transition, none completes twice, none is left behind.
 */
class PostgresChaosTest {

  private static final int JOBS = 2_000;

  private final PostgresNodes nodes = new PostgresNodes();
  private final Map<JobId, List<JobState>> terminalTransitions = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> successfulRuns = new ConcurrentHashMap<>();

  @AfterEach
  void close() throws Exception {
    nodes.close();
  }

  private ReportOrchestrator node(String name) {
    return nodes.closeLater(
        ReportOrchestrator.builder()
            .repository(nodes.openStore())
            .nodeId(name)
            .workerCount(6)
            .pollInterval(Duration.ofMillis(20))
            .shutdownGracePeriod(Duration.ofMillis(200))
            .retryPolicy(new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(50), 2.0, 0.5))
            .register(
                "report",
                context -> {
                  String kind = context.parameter("kind");
                  if (kind.equals("permanent")) {
                    throw new NonRetryableException("bad input");
                  }
                  if (kind.equals("flaky") && context.attempt() == 1) {
                    throw new IllegalStateException("transient");
                  }
                  successfulRuns
                      .computeIfAbsent(context.jobId().toString(), k -> new AtomicInteger())
                      .incrementAndGet();
                  return ReportResult.ofText(kind, "text/plain");
                })
            .listener(this::record)
            .build());
  }

  private void record(JobTransition transition) {
    if (transition.to().isTerminal()) {
      terminalTransitions
          .computeIfAbsent(
              transition.jobId(), id -> new java.util.concurrent.CopyOnWriteArrayList<>())
          .add(transition.to());
    }
  }

  @Test
  void everyJobEndsInExactlyOneTerminalTransitionThroughFailuresCancelsAndAReplacedNode()
      throws Exception {
    ReportOrchestrator first = node("node-a");
    ReportOrchestrator second = node("node-b");
    ReportOrchestrator client = node("client");
    Random random = new Random(42);
    List<ReportRequest> requests = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      int roll = random.nextInt(100);
      String kind = roll < 10 ? "flaky" : roll < 15 ? "permanent" : "plain";
      requests.add(ReportRequest.of("report", Map.of("kind", kind)));
    }
    List<JobId> ids = client.submitAll(requests);
    first.start();
    second.start();

    Map<CancelOutcome, Integer> cancels = new EnumMap<>(CancelOutcome.class);
    for (int i = 0; i < JOBS; i += 10) {
      cancels.merge(client.cancel(ids.get(i)), 1, Integer::sum);
      if (i == JOBS / 2) {
        first.close();
        node("node-c").start();
      }
    }

    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                client
                    .query(JobQuery.all().inStates(JobState.REQUESTED, JobState.RUNNING))
                    .isEmpty());

    List<JobSnapshot> all = new ArrayList<>();
    JobQuery pages = JobQuery.all().limit(JobQuery.MAX_LIMIT);
    for (List<JobSnapshot> page = client.query(pages);
        !page.isEmpty();
        page = client.query(pages.after(page.get(page.size() - 1)))) {
      all.addAll(page);
    }
    assertThat(all).hasSize(JOBS);
    await().atMost(Duration.ofSeconds(30)).until(() -> terminalTransitions.size() == JOBS);
    for (JobSnapshot job : all) {
      assertThat(terminalTransitions.get(job.id()))
          .as("terminal transitions of %s", job.id())
          .containsExactly(job.state());
      String kind = job.parameters().get("kind");
      AtomicInteger runs = successfulRuns.get(job.id().toString());
      if (job.state() == JobState.COMPLETED) {
        assertThat(runs).as("successful runs of %s", job.id()).hasValue(1);
      }
      if (kind.equals("permanent")) {
        assertThat(job.state()).isIn(JobState.FAILED, JobState.CANCELLED);
      }
    }
    assertThat(cancels.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(JOBS / 10);
  }
}
