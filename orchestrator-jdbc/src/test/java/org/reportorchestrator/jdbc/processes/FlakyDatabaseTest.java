package org.reportorchestrator.jdbc.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportContext;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.RetryPolicy;
import org.reportorchestrator.TaskOptions;
import org.reportorchestrator.jdbc.JdbcJobRepository;
import org.reportorchestrator.jdbc.TablePrefixes;
import org.reportorchestrator.jdbc.TestPostgres;
import org.reportorchestrator.jdbc.processes.ProcessTestDatabase.Execution;

/**
 * Two nodes whose database connections fail a fifth of their statements and commits (SQLState
 * 08006), half of them after the database did the work: every job still completes exactly once in
 * the store and is heard completing exactly once, its stored result comes from one of its own
 * executions, and the tasks ran at least once each. The nodes run in this JVM, each behind its own
 * {@link FlakyDataSource}; jobs are submitted through a connection that does not fail.
 */
class FlakyDatabaseTest {

  private static final int JOBS = 5_000;
  private static final double FAILURE_RATE = 0.2;
  private static final long SEED = 20_261_130L;

  /** Attempts are not what this test is about; lost claims each cost one. */
  private static final RetryPolicy RETRY =
      new RetryPolicy(10, Duration.ofMillis(10), Duration.ofMillis(200), 2.0, 0.2);

  private final List<AutoCloseable> opened = new ArrayList<>();
  private final List<TransitionLine> heard = Collections.synchronizedList(new ArrayList<>());
  private ProcessTestDatabase database;
  private HikariDataSource executions;

  @AfterEach
  void cleanUp() throws Exception {
    try {
      for (int i = opened.size() - 1; i >= 0; i--) {
        opened.get(i).close();
      }
    } finally {
      if (database != null) {
        database.close();
      }
    }
  }

  @Test
  void everyJobCompletesExactlyOnceThroughConnectionsThatFailBeforeAndAfterTheWork()
      throws Exception {
    database =
        new ProcessTestDatabase(
            TestPostgres.jdbcUrl(),
            TablePrefixes.unique(),
            TaskOptions.DEFAULTS.withRetryPolicy(RETRY));
    executions = pool("executions", 8);
    opened.add(executions);
    List<FlakyDataSource> flaky = new ArrayList<>();
    List<ReportOrchestrator> nodes = new ArrayList<>();
    for (String name : List.of("node-a", "node-b")) {
      FlakyDataSource faults =
          new FlakyDataSource(pool(name, 6), FAILURE_RATE, SEED + flaky.size());
      flaky.add(faults);
      JdbcJobRepository store =
          JdbcJobRepository.builder()
              .dataSource(faults.dataSource())
              .tablePrefix(database.prefix())
              .build();
      opened.add(store);
      ReportOrchestrator node =
          ReportOrchestrator.builder()
              .repository(store)
              .nodeId(name)
              .workerCount(4)
              .leaseDuration(Duration.ofSeconds(2))
              .pollInterval(Duration.ofMillis(50))
              .shutdownGracePeriod(Duration.ofSeconds(2))
              .register(
                  NodeMain.REPORT_TYPE,
                  context -> execute(name, context),
                  TaskOptions.DEFAULTS.withRetryPolicy(RETRY))
              .listener(transition -> heard.add(TransitionLine.of(transition)))
              .build();
      opened.add(node);
      nodes.add(node);
    }
    flaky.forEach(FlakyDataSource::enable);
    nodes.forEach(ReportOrchestrator::start);
    long started = System.nanoTime();
    database.submit(JOBS, 1_000);
    try {
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> database.unfinished() == 0);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("jobs left unfinished: " + database.describeUnfinished(), e);
    }
    Duration drain = Duration.ofNanos(System.nanoTime() - started);
    flaky.forEach(FlakyDataSource::disable);
    // closing drains each node's writer, so every line that will ever be heard has been
    nodes.forEach(ReportOrchestrator::close);

    Map<String, List<Execution>> runs = database.executionsByJob();
    Map<String, String> results = storedResults();
    Map<String, Integer> completionsHeard = new HashMap<>();
    Map<String, Integer> terminalsHeard = new HashMap<>();
    int maxAttempt = 0;
    synchronized (heard) {
      for (TransitionLine line : heard) {
        if (line.to() == JobState.COMPLETED) {
          completionsHeard.merge(line.jobId(), 1, Integer::sum);
        }
        if (line.to().isTerminal()) {
          terminalsHeard.merge(line.jobId(), 1, Integer::sum);
        }
        maxAttempt = Math.max(maxAttempt, line.attempt());
      }
    }
    int rows = runs.values().stream().mapToInt(List::size).sum();
    long rerunJobs = runs.values().stream().filter(r -> r.size() > 1).count();
    long unheard = results.keySet().stream().filter(id -> !terminalsHeard.containsKey(id)).count();
    long heardTwice = terminalsHeard.values().stream().filter(n -> n > 1).count();
    Figures.print(
        "flaky connections (%.0f %% of statements and commits fail, seed %d), %,d jobs on two"
            + " nodes: drained in %s; injected failures node-a %d before + %d after of %,d calls,"
            + " node-b %d before + %d after of %,d calls; %,d executions for %,d jobs: %d re-runs"
            + " over %d jobs; highest attempt %d; terminal transitions unheard %d, heard twice %d",
        FAILURE_RATE * 100,
        SEED,
        JOBS,
        Figures.seconds(drain),
        flaky.get(0).failedBefore(),
        flaky.get(0).failedAfter(),
        flaky.get(0).calls(),
        flaky.get(1).failedBefore(),
        flaky.get(1).failedAfter(),
        flaky.get(1).calls(),
        rows,
        JOBS,
        rows - runs.size(),
        rerunJobs,
        maxAttempt,
        unheard,
        heardTwice);

    assertThat(flaky.get(0).failedAfter() + flaky.get(1).failedAfter())
        .as("failures injected after the work was done")
        .isPositive();
    assertThat(database.countByState()).containsExactly(Map.entry(JobState.COMPLETED, JOBS));
    assertThat(runs).as("jobs executed at least once").hasSize(JOBS);
    assertThat(results)
        .as("each stored result comes from one of the job's own executions")
        .hasSize(JOBS)
        .allSatisfy(
            (job, execution) ->
                assertThat(runs.get(job))
                    .extracting(run -> Long.toString(run.id()))
                    .contains(execution));
    assertThat(terminalsHeard)
        .as("terminal transitions heard per job (jobs missing: %d)", unheard)
        .hasSize(JOBS)
        .allSatisfy((job, count) -> assertThat(count).as("heard for %s", job).isEqualTo(1));
    assertThat(completionsHeard).hasSize(JOBS);
    List<TransitionLine> lines;
    synchronized (heard) {
      lines = List.copyOf(heard);
    }
    // A claim whose answer was lost is never announced by its node; its rescue still is.
    assertThat(TransitionPaths.ofWithUnheardClaims(lines).values())
        .allSatisfy(path -> assertThat(path.problems()).as("path of %s", path.jobId()).isEmpty());
  }

  /** Records the execution (through a connection that does not fail); the result names its row. */
  private ReportResult execute(String node, ReportContext context) throws Exception {
    try (Connection connection = executions.getConnection();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO "
                    + database.prefix()
                    + "executions (job_id, node, attempt, started_at) VALUES (?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
      insert.setObject(1, UUID.fromString(context.jobId().toString()));
      insert.setString(2, node);
      insert.setInt(3, context.attempt());
      insert.setLong(4, Figures.micros(Figures.now()));
      insert.executeUpdate();
      try (ResultSet keys = insert.getGeneratedKeys()) {
        keys.next();
        return ReportResult.ofText(Long.toString(keys.getLong("id")), "text/plain");
      }
    }
  }

  private Map<String, String> storedResults() throws Exception {
    Map<String, String> results = new HashMap<>();
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT j.id, convert_from(r.content, 'UTF8') FROM "
                    + database.prefix()
                    + "jobs j JOIN "
                    + database.prefix()
                    + "job_results r ON r.job_id = j.id")) {
      while (rows.next()) {
        results.put(rows.getObject(1, UUID.class).toString(), rows.getString(2));
      }
    }
    return results;
  }

  private HikariDataSource pool(String name, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(database.jdbcUrl());
    config.setPoolName(name);
    config.setMaximumPoolSize(size);
    config.setConnectionTimeout(5_000);
    HikariDataSource pool = new HikariDataSource(config);
    opened.add(pool);
    return pool;
  }
}
