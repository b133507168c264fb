package org.reportorchestrator.jdbc.processes;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.TaskOptions;
import org.reportorchestrator.jdbc.JdbcJobRepository;

/**
 * The tables of one process test on PostgreSQL and the test's view of them: the store's tables
 * (created here, before any node starts, so that nodes never race to create them), the {@code
 * <prefix>executions} table the node processes fill, a client that submits jobs, and the queries
 * the assertions need. {@link #close()} drops every table. Not thread-safe.
 */
final class ProcessTestDatabase implements AutoCloseable {

  /** One row of {@code <prefix>executions}: one run of a task. */
  record Execution(long id, String jobId, String node, int attempt, long startedAtMicros) {}

  /** One job as the store has it, in the columns the tests look at. */
  record StoredState(String jobId, JobState state, int attempt, String ownerNode) {}

  private final String jdbcUrl;
  private final String prefix;
  private final PGSimpleDataSource dataSource = new PGSimpleDataSource();
  private final JdbcJobRepository store;
  private final ReportOrchestrator client;

  /**
   * @param options the options the nodes register {@link NodeMain#REPORT_TYPE} with: a job's
   *     attempts are fixed when it is submitted
   */
  ProcessTestDatabase(String jdbcUrl, String prefix, TaskOptions options) throws SQLException {
    this.jdbcUrl = jdbcUrl;
    this.prefix = prefix;
    dataSource.setURL(jdbcUrl);
    this.store = JdbcJobRepository.builder().dataSource(dataSource).tablePrefix(prefix).build();
    this.client =
        ReportOrchestrator.builder()
            .repository(store)
            .nodeId("test-client")
            .submitOnly(NodeMain.REPORT_TYPE, options)
            .build();
    execute(
        "CREATE TABLE IF NOT EXISTS "
            + prefix
            + "executions (id BIGSERIAL PRIMARY KEY, job_id UUID NOT NULL,"
            + " node VARCHAR(100) NOT NULL, attempt INTEGER NOT NULL, started_at BIGINT NOT NULL)");
  }

  String jdbcUrl() {
    return jdbcUrl;
  }

  String prefix() {
    return prefix;
  }

  DataSource dataSource() {
    return dataSource;
  }

  /** Submits {@code count} jobs with {@code submitAll}, {@code batch} at a time. */
  List<JobId> submit(int count, int batch) {
    List<JobId> ids = new ArrayList<>(count);
    List<ReportRequest> requests = new ArrayList<>(batch);
    for (int i = 0; i < count; i++) {
      requests.add(ReportRequest.of(NodeMain.REPORT_TYPE, Map.of("n", Integer.toString(i))));
      if (requests.size() == batch || i == count - 1) {
        ids.addAll(client.submitAll(requests));
        requests.clear();
      }
    }
    return ids;
  }

  /**
   * Runs a few jobs through the nodes and waits until they are done, so that the nodes' code is
   * loaded and compiled before the measured jobs come; on a busy two-core machine a cold node can
   * stall past a short lease.
   *
   * @return the warm-up jobs' ids, for tests to tell them from their own
   */
  Set<String> warmUp(int count) {
    Set<String> ids = new HashSet<>();
    submit(count, count).forEach(id -> ids.add(id.toString()));
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> unfinished() == 0);
    return ids;
  }

  /** How many jobs are in each state (states with none are left out). */
  Map<JobState, Integer> countByState() throws SQLException {
    Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT state, COUNT(*) FROM " + prefix + "jobs GROUP BY state")) {
      while (rows.next()) {
        counts.put(JobState.valueOf(rows.getString(1)), rows.getInt(2));
      }
    }
    return counts;
  }

  int count(JobState state) throws SQLException {
    return countByState().getOrDefault(state, 0);
  }

  /**
   * Jobs still queued or running, read in one query: two separate counts could miss a job that
   * moved back from RUNNING to REQUESTED between them.
   */
  int unfinished() throws SQLException {
    Map<JobState, Integer> counts = countByState();
    return counts.getOrDefault(JobState.REQUESTED, 0) + counts.getOrDefault(JobState.RUNNING, 0);
  }

  /**
   * Whether a connection of {@code node} (its application name) is still running a statement in the
   * database. A node that was killed or frozen sends nothing new, but a commit it sent just before
   * may still be under way; once none is, the store holds still.
   */
  boolean busyIn(String node) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT COUNT(*) FROM pg_stat_activity"
                    + " WHERE application_name = ? AND state = 'active'")) {
      query.setString(1, node);
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getInt(1) > 0;
      }
    }
  }

  /** Every job: id, state, attempt, owner. */
  Map<String, StoredState> jobs() throws SQLException {
    Map<String, StoredState> jobs = new LinkedHashMap<>();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT id, state, attempt, owner_node FROM " + prefix + "jobs ORDER BY id")) {
      while (rows.next()) {
        String id = rows.getObject(1, UUID.class).toString();
        jobs.put(
            id,
            new StoredState(
                id, JobState.valueOf(rows.getString(2)), rows.getInt(3), rows.getString(4)));
      }
    }
    return jobs;
  }

  /** The jobs {@code node} holds now: {@code RUNNING} under its lease, by id, with attempt. */
  Map<String, Integer> runningJobsOf(String node) throws SQLException {
    Map<String, Integer> held = new HashMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT id, attempt FROM "
                    + prefix
                    + "jobs WHERE state = 'RUNNING' AND owner_node = ?")) {
      query.setString(1, node);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          held.put(rows.getObject(1, UUID.class).toString(), rows.getInt(2));
        }
      }
    }
    return held;
  }

  /** The greatest {@code finished_at} of any job, in microseconds; 0 if none finished. */
  long lastFinishedAtMicros() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery("SELECT MAX(finished_at) FROM " + prefix + "jobs")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /**
   * For a failure message: up to 10 unfinished jobs with their lease columns, and the sessions that
   * sit idle inside a transaction.
   */
  String describeUnfinished() throws SQLException {
    StringBuilder text = new StringBuilder("states " + countByState() + "; unfinished:");
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT id, state, attempt, owner_node, fencing_token, lease_expires_at, updated_at"
                  + " FROM "
                  + prefix
                  + "jobs WHERE state IN ('REQUESTED', 'RUNNING') ORDER BY id LIMIT 10")) {
        while (rows.next()) {
          text.append(
              String.format(
                  Locale.ROOT,
                  "%n  %s %s attempt %d owner %s token %d lease until %s updated %s",
                  rows.getString(1),
                  rows.getString(2),
                  rows.getInt(3),
                  rows.getString(4),
                  rows.getLong(5),
                  rows.getObject(6) == null ? "-" : Figures.fromMicros(rows.getLong(6)),
                  Figures.fromMicros(rows.getLong(7))));
        }
      }
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT pid, state, now() - xact_start, left(query, 120) FROM pg_stat_activity"
                  + " WHERE state LIKE 'idle in transaction%' AND query LIKE '%"
                  + prefix
                  + "%'")) {
        while (rows.next()) {
          text.append(
              String.format(
                  Locale.ROOT,
                  "%n  session %d %s for %s: %s",
                  rows.getInt(1),
                  rows.getString(2),
                  rows.getString(3),
                  rows.getString(4)));
        }
      }
    }
    return text.toString();
  }

  /** Every execution row, oldest first. */
  List<Execution> executions() throws SQLException {
    List<Execution> executions = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT id, job_id, node, attempt, started_at FROM "
                    + prefix
                    + "executions ORDER BY id")) {
      while (rows.next()) {
        executions.add(
            new Execution(
                rows.getLong(1),
                rows.getObject(2, UUID.class).toString(),
                rows.getString(3),
                rows.getInt(4),
                rows.getLong(5)));
      }
    }
    return executions;
  }

  /** The executions grouped by job, each job's oldest first. */
  Map<String, List<Execution>> executionsByJob() throws SQLException {
    Map<String, List<Execution>> byJob = new HashMap<>();
    for (Execution execution : executions()) {
      byJob.computeIfAbsent(execution.jobId(), id -> new ArrayList<>()).add(execution);
    }
    return byJob;
  }

  void execute(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** Closes the client and drops every table of the prefix. */
  @Override
  public void close() throws SQLException {
    client.close();
    store.close();
    for (String table :
        new String[] {"executions", "schedules", "job_results", "jobs", "schema_version"}) {
      execute("DROP TABLE IF EXISTS " + prefix.toLowerCase(Locale.ROOT) + table);
    }
  }
}
