package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;

/** Two nodes sharing one PostgreSQL split the work and run every job exactly once. */
class PostgresTwoNodesTest {

  private static final int JOBS = 20_000;

  private final PostgresNodes nodes = new PostgresNodes();
  private final Map<String, AtomicInteger> runsPerJob = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> runsPerNode = new ConcurrentHashMap<>();
  private final CountDownLatch completed = new CountDownLatch(JOBS);

  @AfterEach
  void close() throws Exception {
    nodes.close();
  }

  private ReportOrchestrator node(String name) {
    return nodes.closeLater(
        ReportOrchestrator.builder()
            .repository(nodes.openStore())
            .nodeId(name)
            .workerCount(8)
            .pollInterval(Duration.ofMillis(50))
            .register(
                "report",
                context -> {
                  runsPerJob
                      .computeIfAbsent(context.jobId().toString(), k -> new AtomicInteger())
                      .incrementAndGet();
                  runsPerNode.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
                  return ReportResult.empty();
                })
            .listener(
                transition -> {
                  if (transition.to() == JobState.COMPLETED) {
                    completed.countDown();
                  }
                })
            .build());
  }

  @Test
  void twentyThousandJobsOnTwoNodesEachRunAndCompleteExactlyOnce() throws Exception {
    ReportOrchestrator first = node("node-a");
    ReportOrchestrator second = node("node-b");
    first.start();
    second.start();

    List<JobId> ids = new ArrayList<>();
    List<ReportRequest> batch = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      batch.add(ReportRequest.of("report", Map.of("n", Integer.toString(i))));
      if (batch.size() == 1_000) {
        ids.addAll((i / 1_000) % 2 == 0 ? first.submitAll(batch) : second.submitAll(batch));
        batch.clear();
      }
    }

    assertThat(completed.await(5, TimeUnit.MINUTES)).as("all jobs completed").isTrue();
    assertThat(Set.copyOf(ids)).hasSize(JOBS);
    assertThat(runsPerJob).hasSize(JOBS);
    assertThat(runsPerJob.values()).allSatisfy(runs -> assertThat(runs).hasValue(1));
    assertThat(runsPerNode.get("node-a")).hasPositiveValue();
    assertThat(runsPerNode.get("node-b")).hasPositiveValue();
    assertThat(
            first.query(
                JobQuery.all().inStates(JobState.REQUESTED, JobState.RUNNING, JobState.FAILED)))
        .isEmpty();
  }
}
