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
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobState;
import org.reportorchestrator.jdbc.TestPostgres;
import org.reportorchestrator.jdbc.processes.ProcessTestDatabase.Execution;

/**
 * One of three node JVMs is frozen with SIGSTOP for three times its lease, then thawed: the others
 * rescue the jobs it held, the outcomes it then tries to write for them are fenced off, and it
 * notices, logs it and goes on taking work. Across all nodes every job ends in exactly one terminal
 * transition along a legal path.
 */
class FrozenNodeTest extends NodeProcessTestCase {

  private static final int JOBS = 1_200;
  private static final int WARM_UP = 24;
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration FREEZE = Duration.ofSeconds(6);
  private static final String FROZEN = "node-b";

  /** A warning of the woken node about a job it no longer owns; the wording is core's. */
  private static final Pattern LOST_LEASE =
      Pattern.compile("(?i)(lost the lease|taken over|lease.*lost|fenc|stale)");

  @Test
  void aNodeFrozenPastItsLeaseIsFencedOffAndGoesOnAfterwards() throws Exception {
    List<NodeProcess> nodes =
        startNodes(
            TestPostgres.jdbcUrl(),
            "frozen-node",
            List.of(options("node-a"), options(FROZEN), options("node-c")));
    NodeProcess frozen = nodes.get(1);
    Set<String> warmUp = database.warmUp(WARM_UP);
    long started = System.nanoTime();
    database.submit(JOBS, 300);

    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                database.count(JobState.COMPLETED) >= WARM_UP + JOBS / 8
                    && !database.runningJobsOf(FROZEN).isEmpty());
    Instant frozenAt = Figures.now();
    long frozenNanos = System.nanoTime();
    frozen.freeze();
    await().atMost(Duration.ofSeconds(30)).until(() -> !database.busyIn(FROZEN));
    Map<String, Integer> held = database.runningJobsOf(FROZEN);
    int completedAtFreeze = database.count(JobState.COMPLETED);
    await()
        .pollDelay(FREEZE.minusNanos(System.nanoTime() - frozenNanos))
        .atMost(FREEZE.plusSeconds(5))
        .until(() -> true);
    Instant thawedAt = Figures.now();
    frozen.thaw();

    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> database.unfinished() == 0);
    Duration total = Duration.ofNanos(System.nanoTime() - started);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> jobsWithATerminalLine(processes.transitions()) >= WARM_UP + JOBS);

    List<TransitionLine> lines = processes.transitions();
    Map<String, TransitionPaths.Path> paths = TransitionPaths.of(lines);
    Map<String, Duration> rescuedAfter = new HashMap<>();
    for (TransitionLine line : lines) {
      Integer attempt = held.get(line.jobId());
      if (attempt != null
          && line.isRequeue()
          && line.attempt() == attempt
          && !line.node().equals(FROZEN)) {
        rescuedAfter.put(line.jobId(), Duration.between(frozenAt, line.at()));
      }
    }
    List<String> lostLeaseWarnings = new ArrayList<>();
    for (String logLine : frozen.log().split("\n", -1)) {
      if (logLine.contains(" WARN ") && LOST_LEASE.matcher(logLine).find()) {
        lostLeaseWarnings.add(logLine);
      }
    }
    Set<String> warnedAbout = new HashSet<>();
    for (String job : held.keySet()) {
      if (lostLeaseWarnings.stream().anyMatch(line -> line.contains(job))) {
        warnedAbout.add(job);
      }
    }
    Set<String> claimedAfterThaw = new HashSet<>();
    Set<String> completedAfterThaw = new HashSet<>();
    for (TransitionLine line : frozen.transitions()) {
      if (line.at().isAfter(thawedAt)) {
        if (line.isClaim()) {
          claimedAfterThaw.add(line.jobId());
        } else if (line.to() == JobState.COMPLETED && claimedAfterThaw.contains(line.jobId())) {
          completedAfterThaw.add(line.jobId());
        }
      }
    }
    Map<String, List<Execution>> executions = database.executionsByJob();
    long runMoreThanOnce =
        executions.entrySet().stream()
            .filter(e -> e.getValue().size() > 1 && !warmUp.contains(e.getKey()))
            .count();
    List<Duration> delays = new ArrayList<>(rescuedAfter.values());
    Collections.sort(delays);
    Figures.print(
        "SIGSTOP of %s for %s (lease %s) at %d of %d jobs completed (%d warm-up jobs first): it held %d jobs; rescued by"
            + " the others %d, freeze to rescue: min %s, max %s; after SIGCONT it logged %d"
            + " lost-lease warnings (%d of its held jobs named) and claimed and completed %d"
            + " new jobs; %d jobs ran more than once; all done in %s",
        FROZEN,
        FREEZE,
        LEASE,
        completedAtFreeze - WARM_UP,
        JOBS,
        WARM_UP,
        held.size(),
        rescuedAfter.size(),
        delays.isEmpty() ? "-" : Figures.seconds(delays.get(0)),
        delays.isEmpty() ? "-" : Figures.seconds(delays.get(delays.size() - 1)),
        lostLeaseWarnings.size(),
        warnedAbout.size(),
        completedAfterThaw.size(),
        runMoreThanOnce,
        Figures.seconds(total));

    assertThat(held).as("jobs the frozen node held").isNotEmpty();
    assertThat(database.countByState())
        .containsExactly(Map.entry(JobState.COMPLETED, WARM_UP + JOBS));
    assertThat(paths).as("jobs heard of").hasSize(WARM_UP + JOBS);
    assertThat(paths.values())
        .as("one legal path per job, ending COMPLETED")
        .allSatisfy(
            path -> {
              assertThat(path.problems()).as("path of %s", path.jobId()).isEmpty();
              assertThat(path.finalState())
                  .as("end of %s", path.jobId())
                  .isEqualTo(JobState.COMPLETED);
            });
    assertThat(rescuedAfter.keySet())
        .as("held jobs rescued by the others")
        .isEqualTo(held.keySet());
    assertThat(
            frozen.transitions(
                line ->
                    held.containsKey(line.jobId())
                        && line.from() == JobState.RUNNING
                        && line.attempt() == held.get(line.jobId())))
        .as("outcomes of the frozen node's stale attempts that were applied")
        .isEmpty();
    assertThat(frozen.isAlive()).as("the frozen node lives on").isTrue();
    assertThat(warnedAbout)
        .as("held jobs the woken node logged as lost (log %s)", frozen.logFile())
        .isEqualTo(held.keySet());
    assertThat(completedAfterThaw).as("jobs it claimed and completed after SIGCONT").isNotEmpty();
  }

  private static long jobsWithATerminalLine(List<TransitionLine> lines) {
    return lines.stream()
        .filter(line -> line.to().isTerminal())
        .map(TransitionLine::jobId)
        .distinct()
        .count();
  }

  private static NodeOptions options(String node) {
    return NodeOptions.node(node).withLease(LEASE).withPoll(POLL).sleeping(50, 200);
  }
}
