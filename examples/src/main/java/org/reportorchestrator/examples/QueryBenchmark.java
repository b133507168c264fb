package org.reportorchestrator.examples;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobCursor;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobState;
import org.reportorchestrator.spi.JobRepository;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures how long the PostgreSQL store takes to answer a page of {@code query} for each filter
 * the API offers, in both orders, on the first page and on a page deep in the middle of the
 * matching jobs. The table is filled in one {@code INSERT ... SELECT} with a skewed mix: almost all
 * COMPLETED, 0.5 % FAILED, the newest 0.5 % REQUESTED or RUNNING, a handful CANCELLED; nine common
 * report types and one rare one.
 */
@Command(
    name = "query-benchmark",
    mixinStandardHelpOptions = true,
    description = "Measures query latency per filter on a large PostgreSQL jobs table.")
public final class QueryBenchmark implements Callable<Integer> {

  /** Microseconds since the epoch of 2030-01-01T00:00:00Z, when the generated jobs begin. */
  private static final long START_MICROS = 1_893_456_000_000_000L;

  @Option(
      names = "--jdbc-url",
      required = true,
      description = "JDBC URL of the PostgreSQL database")
  String jdbcUrl;

  @Option(
      names = "--rows",
      defaultValue = "1000000",
      description = "jobs in the table (default ${DEFAULT-VALUE})")
  int rows;

  @Option(
      names = "--queries",
      defaultValue = "100",
      description = "timed queries per filter and page (default ${DEFAULT-VALUE})")
  int queries;

  @Option(
      names = "--limit",
      defaultValue = "100",
      description = "page size (default ${DEFAULT-VALUE})")
  int limit;

  private final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  public static void main(String[] args) {
    System.exit(new CommandLine(new QueryBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    try (BenchmarkStores.Opened opened = BenchmarkStores.open("postgres", jdbcUrl)) {
      String jobs = opened.tablePrefix() + "jobs";
      long fillStart = System.nanoTime();
      fill(jobs);
      out.printf(
          Locale.ROOT,
          "rows=%d limit=%d queries=%d filled in %.1f s%n",
          rows,
          limit,
          queries,
          (System.nanoTime() - fillStart) / 1e9);
      JobQuery all = JobQuery.all().limit(limit);
      List<JobQuery> filters =
          List.of(
              all,
              all.inStates(JobState.FAILED),
              all.inStates(JobState.REQUESTED),
              all.inStates(JobState.CANCELLED),
              all.inStates(JobState.COMPLETED),
              all.inStates(JobState.REQUESTED, JobState.RUNNING),
              all.inStates(JobState.REQUESTED, JobState.RUNNING, JobState.FAILED),
              all.ofType("type-3"),
              all.ofType("type-rare"),
              all.ofType("type-3").inStates(JobState.FAILED),
              all.ofType("type-rare").inStates(JobState.COMPLETED),
              all.ofType("type-3").inStates(JobState.CANCELLED),
              all.ofType("type-rare").inStates(JobState.REQUESTED, JobState.RUNNING));
      for (JobQuery oldestFirst : filters) {
        JobCursor middle = middle(jobs, oldestFirst);
        for (JobQuery filter : List.of(oldestFirst, oldestFirst.newestFirst())) {
          String first = time(opened.repository(), filter);
          String deep =
              middle == null ? "(no jobs)" : time(opened.repository(), filter.after(middle));
          out.printf(
              Locale.ROOT, "%-62s first page %s   deep page %s%n", describe(filter), first, deep);
        }
      }
    }
    return 0;
  }

  private void fill(String jobs) throws SQLException {
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "INSERT INTO "
              + jobs
              + " (id, report_type, parameters, state, attempt, max_attempts, priority,"
              + " timeout_ms, created_at, updated_at, started_at, finished_at, run_at,"
              + " progress_percent, fencing_token, cancel_requested)"
              + " SELECT gen_random_uuid(),"
              + " CASE WHEN i % 10000 = 5 THEN 'type-rare' ELSE 'type-' || (i % 9) END,"
              + " '{\"region\":\"EMEA\"}',"
              // the newest 0.5 % are still queued or running; three jobs share each microsecond
              + " CASE WHEN i > 0.99901 * n THEN 'RUNNING' WHEN i > 0.995 * n THEN 'REQUESTED'"
              + " WHEN i % 100000 = 13 THEN 'CANCELLED' WHEN i % 200 = 7 THEN 'FAILED'"
              + " ELSE 'COMPLETED' END,"
              + " 1, 3, 0, 60000, c, c + 5000, c + 1000,"
              + " CASE WHEN i <= 0.995 * n THEN c + 5000 END, c, 100, 1, FALSE"
              + " FROM (SELECT i, "
              + rows
              + " AS n, "
              + START_MICROS
              + " + (i / 3) * 1000 AS c FROM generate_series(1, "
              + rows
              + ") AS i) AS g");
      statement.execute("VACUUM ANALYZE " + jobs);
    }
  }

  /** The place of the job halfway through those {@code filter} matches, found once by OFFSET. */
  private @Nullable JobCursor middle(String jobs, JobQuery filter) throws SQLException {
    StringBuilder where = new StringBuilder(" WHERE TRUE");
    if (!filter.states().isEmpty()) {
      where.append(" AND state = ANY (?)");
    }
    if (filter.reportType() != null) {
      where.append(" AND report_type = ?");
    }
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        PreparedStatement count =
            connection.prepareStatement("SELECT COUNT(*) FROM " + jobs + where);
        PreparedStatement middle =
            connection.prepareStatement(
                "SELECT created_at, id FROM "
                    + jobs
                    + where
                    + " ORDER BY created_at, id OFFSET ? LIMIT 1")) {
      int index = 1;
      if (!filter.states().isEmpty()) {
        java.sql.Array states =
            connection.createArrayOf(
                "varchar", filter.states().stream().map(JobState::name).toArray());
        count.setArray(index, states);
        middle.setArray(index, states);
        index++;
      }
      if (filter.reportType() != null) {
        count.setString(index, filter.reportType());
        middle.setString(index, filter.reportType());
        index++;
      }
      long matching;
      try (ResultSet rs = count.executeQuery()) {
        rs.next();
        matching = rs.getLong(1);
      }
      if (matching == 0) {
        return null;
      }
      middle.setLong(index, matching / 2);
      try (ResultSet rs = middle.executeQuery()) {
        rs.next();
        long micros = rs.getLong(1);
        return new JobCursor(
            Instant.ofEpochSecond(micros / 1_000_000, micros % 1_000_000 * 1_000),
            new JobId(rs.getObject(2, UUID.class)));
      }
    }
  }

  /** p50 and p99 of {@code queries} runs after as many warm-up runs. */
  private String time(JobRepository repository, JobQuery query) {
    for (int i = 0; i < queries; i++) {
      repository.query(query);
    }
    long[] micros = new long[queries];
    int size = 0;
    for (int i = 0; i < queries; i++) {
      long start = System.nanoTime();
      size = repository.query(query).size();
      micros[i] = (System.nanoTime() - start) / 1_000;
    }
    Arrays.sort(micros);
    return String.format(
        Locale.ROOT,
        "p50 %6.2f ms p99 %6.2f ms (%d rows)",
        micros[(int) Math.floor(0.50 * (queries - 1))] / 1e3,
        micros[(int) Math.floor(0.99 * (queries - 1))] / 1e3,
        size);
  }

  private static String describe(JobQuery query) {
    String states = query.states().isEmpty() ? "any state" : query.states().toString();
    return states
        + (query.reportType() == null ? "" : " type " + query.reportType())
        + (query.order() == JobQuery.Order.NEWEST_FIRST ? ", newest first" : "");
  }
}
