package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.TaskOptions;

/**
 * Three nodes on one PostgreSQL, each with more workers than the limit, never run more jobs of a
 * type than its cluster-wide limit at once, and run other types meanwhile.
 */
class PostgresRunningLimitTest {

  private static final int LIMIT = 2;
  private static final int EXPORTS = 12;
  private static final int QUICK = 60;
  private static final Duration PATIENCE = Duration.ofMinutes(2);

  private final PostgresNodes nodes = new PostgresNodes();

  /** Exports that run now, counted from their start to before their outcome is written. */
  private final AtomicInteger exportsRunning = new AtomicInteger();

  private final AtomicInteger mostExportsRunning = new AtomicInteger();
  private final AtomicInteger exportsFinished = new AtomicInteger();
  private final AtomicInteger quickFinished = new AtomicInteger();

  /** An export runs until the test hands it a permit. */
  private final Semaphore exportPermits = new Semaphore(0);

  @AfterEach
  void close() throws Exception {
    exportPermits.release(EXPORTS);
    nodes.close();
  }

  private ReportOrchestrator node(String name) {
    return nodes.closeLater(
        ReportOrchestrator.builder()
            .repository(nodes.openStore())
            .nodeId(name)
            .workerCount(4)
            .pollInterval(Duration.ofMillis(50))
            .register(
                "export",
                context -> {
                  mostExportsRunning.accumulateAndGet(exportsRunning.incrementAndGet(), Math::max);
                  try {
                    assertThat(exportPermits.tryAcquire(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                        .as("the test let the export finish")
                        .isTrue();
                  } finally {
                    exportsRunning.decrementAndGet();
                  }
                  exportsFinished.incrementAndGet();
                  return ReportResult.empty();
                },
                TaskOptions.DEFAULTS.withMaxRunningInCluster(LIMIT))
            .register(
                "quick",
                context -> {
                  quickFinished.incrementAndGet();
                  return ReportResult.empty();
                })
            .build());
  }

  @Test
  void threeNodesNeverRunMoreJobsOfALimitedTypeThanItsLimitAndRunOtherTypesMeanwhile() {
    List<ReportOrchestrator> cluster = List.of(node("node-a"), node("node-b"), node("node-c"));
    cluster.forEach(ReportOrchestrator::start);
    ReportOrchestrator first = cluster.get(0);

    first.submitAll(requests("export", EXPORTS));
    await("the limit's worth of exports running")
        .atMost(PATIENCE)
        .until(() -> exportsRunning.get() == LIMIT);
    assertThat(first.query(JobQuery.all().ofType("export").inStates(JobState.RUNNING)))
        .hasSize(LIMIT);

    // twelve workers, two of them busy: the other type runs while ten exports wait their turn
    cluster.get(1).submitAll(requests("quick", QUICK));
    await("every quick job done").atMost(PATIENCE).until(() -> quickFinished.get() == QUICK);
    assertThat(exportsFinished.get()).as("no export finished meanwhile").isZero();
    assertThat(exportsRunning.get()).isEqualTo(LIMIT);

    exportPermits.release(EXPORTS);
    await("every export done")
        .atMost(PATIENCE)
        .until(
            () ->
                first.query(JobQuery.all().ofType("export").inStates(JobState.COMPLETED)).size()
                    == EXPORTS);
    assertThat(mostExportsRunning.get()).isEqualTo(LIMIT);
  }

  private static List<ReportRequest> requests(String type, int count) {
    List<ReportRequest> requests = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      requests.add(ReportRequest.of(type, Map.of("n", Integer.toString(i))));
    }
    return requests;
  }
}
