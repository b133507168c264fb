package org.reportorchestrator.jdbc.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobState;
import org.reportorchestrator.jdbc.processes.ProcessTestDatabase.Execution;

/**
 * The database goes away for ten seconds under load and comes back: two node JVMs ride it out
 * without a restart, and every job completes, none failed or lost for it. The test owns the
 * database, an embedded PostgreSQL on a fixed port and a data directory it keeps across the stop
 * and the start; the shared test server is never touched.
 */
class DatabaseOutageTest extends NodeProcessTestCase {

  private static final int JOBS = 1_000;
  private static final int WARM_UP = 16;
  private static final Duration OUTAGE = Duration.ofSeconds(10);
  private static final Path DATA =
      Path.of("target", "process-nodes", "database-outage", "pgdata").toAbsolutePath();

  private EmbeddedPostgres postgres;

  @AfterEach
  void cleanUp() throws Exception {
    try {
      // Before the database goes: the nodes and tables live in it.
      stopNodesAndDropTables();
    } finally {
      if (postgres != null) {
        postgres.close();
      }
      deleteData();
    }
  }

  @Test
  void nodesRideOutATenSecondDatabaseOutageAndLoseNoJob() throws Exception {
    deleteData();
    int port = freePort();
    postgres = startPostgres(port);
    String url = "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres";
    List<NodeProcess> nodes =
        startNodes(url, "database-outage", List.of(options("node-a"), options("node-b")));
    Set<String> warmUp = database.warmUp(WARM_UP);
    long started = System.nanoTime();
    database.submit(JOBS, 500);

    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> database.count(JobState.COMPLETED) >= WARM_UP + JOBS / 5);
    int completedBefore = database.count(JobState.COMPLETED) - WARM_UP;
    Instant stopping = Figures.now();
    postgres.close();
    Instant stopped = Figures.now();
    await()
        .pollDelay(OUTAGE.minus(Duration.between(stopping, Figures.now())))
        .atMost(OUTAGE.plusSeconds(5))
        .until(() -> true);
    Instant restarting = Figures.now();
    postgres = startPostgres(port);
    Instant restarted = Figures.now();

    try {
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> database.unfinished() == 0);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("jobs left unfinished: " + database.describeUnfinished(), e);
    }
    Duration total = Duration.ofNanos(System.nanoTime() - started);
    Instant lastFinished = Figures.fromMicros(database.lastFinishedAtMicros());

    List<TransitionLine> lines = processes.transitions();
    Instant firstCompletionAfter =
        lines.stream()
            .filter(line -> line.to() == JobState.COMPLETED && !line.at().isBefore(restarted))
            .map(TransitionLine::at)
            .min(Comparator.naturalOrder())
            .orElse(null);
    long heardDuringOutage =
        lines.stream()
            .filter(line -> line.at().isAfter(stopped) && line.at().isBefore(restarting))
            .count();
    Map<String, Integer> completionsHeard = new HashMap<>();
    lines.stream()
        .filter(line -> line.to() == JobState.COMPLETED)
        .forEach(line -> completionsHeard.merge(line.jobId(), 1, Integer::sum));
    Map<String, List<Execution>> executions = database.executionsByJob();
    long rerun =
        executions.entrySet().stream()
            .filter(e -> e.getValue().size() > 1 && !warmUp.contains(e.getKey()))
            .count();
    Figures.print(
        "database stopped for %s (stop took %s, start took %s) at %d of %d jobs completed; transitions"
            + " stamped during the outage (written after it) %d; first completion %s after the restart; all"
            + " done %s after the restart (%s in all); %d jobs ran more than once; completions"
            + " heard %d of %d",
        Figures.seconds(Duration.between(stopping, restarted)),
        Figures.seconds(Duration.between(stopping, stopped)),
        Figures.seconds(Duration.between(restarting, restarted)),
        completedBefore,
        JOBS,
        heardDuringOutage,
        firstCompletionAfter == null
            ? "never"
            : Figures.seconds(Duration.between(restarted, firstCompletionAfter)),
        Figures.seconds(Duration.between(restarted, lastFinished)),
        Figures.seconds(total),
        rerun,
        completionsHeard.size(),
        WARM_UP + JOBS);

    assertThat(nodes)
        .as("nodes alive, never restarted")
        .allSatisfy(
            node -> {
              assertThat(node.isAlive()).as("%s alive", node).isTrue();
              assertThat(node.lines("CLOSED")).as("%s closed", node).isEmpty();
            });
    assertThat(database.countByState())
        .as("no job failed or left behind")
        .containsExactly(Map.entry(JobState.COMPLETED, WARM_UP + JOBS));
    assertThat(executions).as("jobs executed at least once").hasSize(WARM_UP + JOBS);
    assertThat(completionsHeard.values()).as("completions heard per job").allMatch(n -> n == 1);
    assertThat(firstCompletionAfter).as("a completion after the restart").isNotNull();
  }

  private static NodeOptions options(String node) {
    return NodeOptions.node(node).withLease(Duration.ofSeconds(3)).sleeping(50, 50);
  }

  private static EmbeddedPostgres startPostgres(int port) throws IOException {
    return EmbeddedPostgres.builder()
        .setDataDirectory(DATA.toFile())
        .setCleanDataDirectory(false)
        .setPort(port)
        .setPGStartupWait(Duration.ofSeconds(60))
        .start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void deleteData() throws IOException {
    if (!Files.exists(DATA)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(DATA)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
