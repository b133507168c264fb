package org.reportorchestrator.jdbc.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;
import org.reportorchestrator.jdbc.TestPostgres;

/**
 * Three node JVMs on one PostgreSQL drain 20,000 no-op jobs: every job completes, and the
 * executions table shows each job run exactly once.
 */
class ThreeNodeProcessesTest extends NodeProcessTestCase {

  private static final int JOBS = 20_000;

  /**
   * Leases far longer than any stall of a busy two-core machine: this test is about claiming and
   * completing each job once, not about rescue (see {@link KilledNodeTest}, {@link
   * FrozenNodeTest}).
   */
  private static NodeOptions options(String node) {
    return NodeOptions.node(node)
        .withLease(Duration.ofSeconds(30))
        .withPoll(Duration.ofMillis(100));
  }

  @Test
  void threeNodeJvmsRunTwentyThousandJobsEachExactlyOnce() throws Exception {
    startNodes(
        TestPostgres.jdbcUrl(),
        "three-nodes",
        List.of(options("node-a"), options("node-b"), options("node-c")));

    Instant submitStart = Figures.now();
    long started = System.nanoTime();
    List<JobId> ids = database.submit(JOBS, 1_000);
    Duration submitting = Duration.ofNanos(System.nanoTime() - started);
    await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> database.count(JobState.COMPLETED) == JOBS);
    Duration drain = Duration.ofNanos(System.nanoTime() - started);
    Duration storeDrain =
        Duration.between(submitStart, Figures.fromMicros(database.lastFinishedAtMicros()));

    List<ProcessTestDatabase.Execution> executions = database.executions();
    Map<String, Integer> perNode = new HashMap<>();
    executions.forEach(e -> perNode.merge(e.node(), 1, Integer::sum));
    Figures.print(
        "three node JVMs, %,d no-op jobs: submitAll %s, drain %s (last finished_at %s after the"
            + " first submit), %,.0f jobs/s; executions per node %s",
        JOBS,
        Figures.seconds(submitting),
        Figures.seconds(drain),
        Figures.seconds(storeDrain),
        JOBS / (storeDrain.toNanos() / 1e9),
        new java.util.TreeMap<>(perNode));

    assertThat(database.countByState()).containsExactly(Map.entry(JobState.COMPLETED, JOBS));
    assertThat(executions).hasSize(JOBS);
    Set<String> executed = new HashSet<>();
    executions.forEach(e -> executed.add(e.jobId()));
    Set<String> submitted = new HashSet<>();
    ids.forEach(id -> submitted.add(id.toString()));
    assertThat(executed).as("jobs executed, each once").hasSize(JOBS).isEqualTo(submitted);
    assertThat(perNode).as("every node took part").hasSize(3);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                processes.transitions().stream().filter(t -> t.to() == JobState.COMPLETED).count()
                    >= JOBS);
    Map<String, TransitionPaths.Path> paths = TransitionPaths.of(processes.transitions());
    assertThat(paths).hasSize(JOBS);
    assertThat(paths.values())
        .allSatisfy(
            path -> {
              assertThat(path.problems()).as("path of %s", path.jobId()).isEmpty();
              assertThat(path.finalState()).isEqualTo(JobState.COMPLETED);
            });
  }
}
