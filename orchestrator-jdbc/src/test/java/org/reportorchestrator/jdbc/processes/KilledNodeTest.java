package org.reportorchestrator.jdbc.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobState;
import org.reportorchestrator.jdbc.TestPostgres;
import org.reportorchestrator.jdbc.processes.ProcessTestDatabase.Execution;

/**
 * One of three node JVMs is killed with SIGKILL while its tasks run: the jobs it held are run again
 * by the others once its leases expire, every job completes, and no job it did not hold runs twice.
 */
class KilledNodeTest extends NodeProcessTestCase {

  private static final int JOBS = 600;
  private static final int WARM_UP = 24;
  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final String VICTIM = "node-b";

  @Test
  void jobsOfAKilledNodeRunAgainElsewhereAndNoOtherJobRunsTwice() throws Exception {
    List<NodeProcess> nodes =
        startNodes(
            TestPostgres.jdbcUrl(),
            "killed-node",
            List.of(options("node-a"), options(VICTIM), options("node-c")));
    NodeProcess victim = nodes.get(1);
    Set<String> warmUp = database.warmUp(WARM_UP);
    long started = System.nanoTime();
    database.submit(JOBS, 200);

    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                database.count(JobState.COMPLETED) >= WARM_UP + JOBS / 4
                    && !database.runningJobsOf(VICTIM).isEmpty());
    Map<String, Integer> heldBefore = database.runningJobsOf(VICTIM);
    Instant killedAt = Figures.now();
    victim.kill();
    await().atMost(Duration.ofSeconds(30)).until(() -> !database.busyIn(VICTIM));
    Map<String, Integer> held = database.runningJobsOf(VICTIM);
    int completedAtKill = database.count(JobState.COMPLETED);

    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> database.count(JobState.COMPLETED) == WARM_UP + JOBS);
    Duration total = Duration.ofNanos(System.nanoTime() - started);

    Map<String, List<Execution>> executions = database.executionsByJob();
    Map<String, Duration> rerunAfter = new HashMap<>();
    for (Map.Entry<String, Integer> job : held.entrySet()) {
      executions.getOrDefault(job.getKey(), List.of()).stream()
          .filter(e -> !e.node().equals(VICTIM) && e.attempt() > job.getValue())
          .findFirst()
          .ifPresent(
              e ->
                  rerunAfter.put(
                      job.getKey(),
                      Duration.between(killedAt, Figures.fromMicros(e.startedAtMicros()))));
    }
    Set<String> runTwice = new HashSet<>();
    executions.forEach(
        (job, runs) -> {
          // a warm-up job may have been rescued from a node that stalled while cold
          if (runs.size() > 1 && !warmUp.contains(job)) {
            runTwice.add(job);
          }
        });
    List<Duration> delays = new ArrayList<>(rerunAfter.values());
    Collections.sort(delays);
    Figures.print(
        "kill -9 of %s at %d of %d jobs completed (%d warm-up jobs first): it held %d jobs (%d just before the kill);"
            + " %d jobs ran more than once; kill to re-run: min %s, median %s, max %s (lease %s,"
            + " poll %s); all %d jobs done in %s",
        VICTIM,
        completedAtKill - WARM_UP,
        JOBS,
        WARM_UP,
        held.size(),
        heldBefore.size(),
        runTwice.size(),
        delays.isEmpty() ? "-" : Figures.seconds(delays.get(0)),
        delays.isEmpty() ? "-" : Figures.seconds(delays.get(delays.size() / 2)),
        delays.isEmpty() ? "-" : Figures.seconds(delays.get(delays.size() - 1)),
        LEASE,
        POLL,
        JOBS,
        Figures.seconds(total));

    assertThat(held).as("jobs the killed node held").isNotEmpty();
    assertThat(database.countByState())
        .containsExactly(Map.entry(JobState.COMPLETED, WARM_UP + JOBS));
    assertThat(executions).as("jobs executed at least once").hasSize(WARM_UP + JOBS);
    assertThat(held.keySet())
        .as("held jobs run again by a survivor")
        .isEqualTo(rerunAfter.keySet());
    assertThat(runTwice).as("jobs run more than once").isSubsetOf(held.keySet());
    assertThat(delays)
        .as("time from the kill to each re-run")
        .allSatisfy(delay -> assertThat(delay).isLessThan(LEASE.multipliedBy(2).plusSeconds(30)));
    assertThat(nodes.get(0).isAlive() && nodes.get(2).isAlive()).as("survivors alive").isTrue();

    // What the nodes heard. The victim may have died between a commit and printing its line, so
    // a job it ran may lack a line; no job may be heard completing twice.
    Set<String> ranOnVictim = new HashSet<>();
    executions.forEach(
        (job, runs) -> {
          if (runs.stream().anyMatch(e -> e.node().equals(VICTIM))) {
            ranOnVictim.add(job);
          }
        });
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                completedLines(processes.transitions()).size()
                    >= WARM_UP + JOBS - ranOnVictim.size());
    Map<String, Integer> completedLines = completedLines(processes.transitions());
    assertThat(completedLines.values()).as("COMPLETED heard per job").allMatch(n -> n == 1);
    Set<String> unheard = new HashSet<>(executions.keySet());
    unheard.removeAll(completedLines.keySet());
    assertThat(unheard).as("jobs whose completion nobody heard").isSubsetOf(ranOnVictim);
    // A job the victim claimed may lack its claim line too, even if it never got to run it.
    Set<String> touchedByVictim = new HashSet<>(ranOnVictim);
    touchedByVictim.addAll(held.keySet());
    touchedByVictim.addAll(heldBefore.keySet());
    List<TransitionLine> lines = processes.transitions();
    Map<String, TransitionPaths.Path> tolerant = TransitionPaths.ofWithUnheardClaims(lines);
    TransitionPaths.of(lines)
        .forEach(
            (job, path) -> {
              if (touchedByVictim.contains(job)) {
                assertThat(tolerant.get(job).problems()).as("path of %s", job).isEmpty();
              } else {
                assertThat(path.problems()).as("path of %s", job).isEmpty();
                assertThat(path.finalState()).isEqualTo(JobState.COMPLETED);
              }
            });
  }

  private static Map<String, Integer> completedLines(List<TransitionLine> lines) {
    Map<String, Integer> completed = new HashMap<>();
    for (TransitionLine line : lines) {
      if (line.to() == JobState.COMPLETED) {
        completed.merge(line.jobId(), 1, Integer::sum);
      }
    }
    return completed;
  }

  private static NodeOptions options(String node) {
    return NodeOptions.node(node).withLease(LEASE).withPoll(POLL).sleeping(50, 200);
  }
}
