package org.reportorchestrator.examples;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobState;
import org.reportorchestrator.spi.ClaimRequest;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.NewJob;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Whether claiming and listing stay flat as the jobs table grows: for each size and each shape of
 * table, fresh PostgreSQL tables are filled with one {@code INSERT ... SELECT ... FROM
 * generate_series}, analysed, and then timed through the store's own {@code claim} (and, on the
 * table of finished jobs, {@code query}), one call at a time. The tables are dropped afterwards.
 */
@Command(
    name = "backlog-benchmark",
    mixinStandardHelpOptions = true,
    description =
        "Times claim and query on PostgreSQL tables of 10k to 1M jobs in four shapes and prints"
            + " p50/p99/max per shape and size.")
public final class BacklogBenchmark implements Callable<Integer> {

  /** How the table looks before the claims; {@code n} is the size being measured. */
  enum Shape {
    /** n finished jobs (completed, some failed or cancelled) and a small due backlog after them. */
    FINISHED,
    /** n due jobs. */
    DUE,
    /** n due jobs of ten types, and behind them a small backlog of the one type the node claims. */
    RARE_TYPE,
    /** n/5 jobs due in an hour at priority 10, and n due jobs at priority 0. */
    FUTURE_PRIORITY
  }

  @Option(
      names = "--jdbc-url",
      required = true,
      description = "JDBC URL of the PostgreSQL database")
  String jdbcUrl;

  @Option(
      names = "--sizes",
      split = ",",
      defaultValue = "10000,100000,1000000",
      description = "table sizes n (default ${DEFAULT-VALUE})")
  List<Integer> sizes;

  @Option(
      names = "--shapes",
      split = ",",
      defaultValue = "finished,due,rare_type,future_priority",
      description = "shapes to measure (default ${DEFAULT-VALUE})")
  List<Shape> shapes;

  @Option(
      names = "--claims",
      defaultValue = "200",
      description = "timed claims per shape and size, after 10 untimed (default ${DEFAULT-VALUE})")
  int claims;

  @Option(
      names = "--limit",
      defaultValue = "8",
      description = "jobs per claim (default ${DEFAULT-VALUE})")
  int limit;

  @Option(
      names = "--queries",
      defaultValue = "100",
      description =
          "timed queries per filter and size, on the table of finished jobs; 0 to skip"
              + " (default ${DEFAULT-VALUE})")
  int queries;

  private static final int UNTIMED_CLAIMS = 10;
  private static final int TYPES = 10;
  private static final String RARE = "rare";

  /** The list filters timed on the table of finished jobs, each for the first page of 100. */
  private static final Map<String, JobQuery> FILTERS = new LinkedHashMap<>();

  static {
    FILTERS.put("none", JobQuery.all());
    FILTERS.put("state FAILED", JobQuery.all().inStates(JobState.FAILED));
    FILTERS.put(
        "states REQUESTED,RUNNING", JobQuery.all().inStates(JobState.REQUESTED, JobState.RUNNING));
    FILTERS.put("type type-3", JobQuery.all().ofType("type-3"));
    FILTERS.put("COMPLETED + type-3", JobQuery.all().inStates(JobState.COMPLETED).ofType("type-3"));
  }

  private final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  public static void main(String[] args) {
    System.exit(
        new CommandLine(new BacklogBenchmark())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .execute(args));
  }

  /** The timings of one shape at one size. */
  private record Measured(
      Shape shape, int size, long rows, double fillSeconds, double claimedPerCall, long[] micros) {}

  /** The timings of one list filter at one size. */
  private record Listed(int size, String filter, int returned, long[] micros) {}

  @Override
  public Integer call() throws Exception {
    out.printf(
        Locale.ROOT,
        "backlog sizes=%s shapes=%s claims=%d limit=%d queries=%d cores=%d load=%.2f%n",
        sizes,
        shapes,
        claims,
        limit,
        queries,
        Runtime.getRuntime().availableProcessors(),
        Benchmark.loadAverage());
    List<Measured> measured = new ArrayList<>();
    List<Listed> listed = new ArrayList<>();
    for (int size : sizes) {
      for (Shape shape : shapes) {
        measured.add(measure(shape, size, listed));
      }
    }
    printSummary(measured, listed);
    out.printf(Locale.ROOT, "load %.2f at the end%n", Benchmark.loadAverage());
    return 0;
  }

  /** Fresh tables of one shape and size, filled, analysed, timed, dropped. */
  private Measured measure(Shape shape, int size, List<Listed> listed) throws Exception {
    try (BenchmarkStores.Opened opened = BenchmarkStores.open("postgres", jdbcUrl);
        Connection connection = DriverManager.getConnection(jdbcUrl);
        Statement statement = connection.createStatement()) {
      JobRepository repository = opened.repository();
      String table = opened.tablePrefix() + "jobs";
      long now = databaseNowMicros(statement);
      int backlog = (UNTIMED_CLAIMS + claims) * limit;

      long fillStart = System.nanoTime();
      long rows = 0;
      for (Rows part : rows(shape, size, backlog, now)) {
        rows += statement.executeUpdate(part.insertInto(table));
      }
      statement.execute("VACUUM ANALYZE " + table);
      double fillSeconds = (System.nanoTime() - fillStart) / 1e9;

      Set<String> types =
          shape == Shape.RARE_TYPE
              ? Set.of(RARE)
              : IntStream.range(0, TYPES).mapToObj(i -> "type-" + i).collect(Collectors.toSet());
      Instant claimNow = Instant.EPOCH.plusNanos(now * 1_000);
      ClaimRequest request =
          new ClaimRequest(
              "backlog-benchmark", types, limit, claimNow, claimNow.plus(Duration.ofMinutes(5)));
      long[] micros = new long[claims];
      long claimed = 0;
      for (int i = -UNTIMED_CLAIMS; i < claims; i++) {
        long start = System.nanoTime();
        int got = repository.claim(request).size();
        long elapsed = (System.nanoTime() - start) / 1_000;
        if (i >= 0) {
          micros[i] = elapsed;
          claimed += got;
        }
      }
      Arrays.sort(micros);
      Measured result =
          new Measured(shape, size, rows, fillSeconds, (double) claimed / claims, micros);
      out.printf(
          Locale.ROOT,
          "%-15s n=%,-10d rows %,10d  fill %6.1f s  claimed/call %4.1f  claim p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms%n",
          shape.name().toLowerCase(Locale.ROOT),
          size,
          rows,
          fillSeconds,
          result.claimedPerCall(),
          Benchmark.percentile(micros, 0.50) / 1e3,
          Benchmark.percentile(micros, 0.99) / 1e3,
          micros[micros.length - 1] / 1e3);
      timeSubmitsClaimedOnInsert(repository, shape, size, types, claimNow);
      if (shape == Shape.FINISHED && queries > 0) {
        for (Map.Entry<String, JobQuery> filter : FILTERS.entrySet()) {
          listed.add(list(repository, size, filter.getKey(), filter.getValue()));
        }
      }
      return result;
    }
  }

  /**
   * Times a node's own submit that claims its job as it stores it ({@link
   * JobRepository#insertAndClaim}), at priority 5: each first looks for a due job of the node's
   * types at that priority or above, which must cost a few index probes however large the table.
   * Each claimed job is left running, so the table grows by one row a call.
   */
  private void timeSubmitsClaimedOnInsert(
      JobRepository repository, Shape shape, int size, Set<String> types, Instant now) {
    String type = types.iterator().next();
    ClaimRequest request =
        new ClaimRequest("backlog-benchmark", types, 1, now, now.plus(Duration.ofMinutes(5)));
    long[] micros = new long[claims];
    int claimedAtOnce = 0;
    for (int i = -UNTIMED_CLAIMS; i < claims; i++) {
      NewJob job =
          new NewJob(
              new JobId(UUID.randomUUID()),
              type,
              Map.of(),
              null,
              5,
              now,
              1,
              Duration.ofMinutes(5),
              now);
      long start = System.nanoTime();
      boolean claimed = repository.insertAndClaim(job, request).isPresent();
      long elapsed = (System.nanoTime() - start) / 1_000;
      if (i >= 0) {
        micros[i] = elapsed;
        claimedAtOnce += claimed ? 1 : 0;
      }
    }
    Arrays.sort(micros);
    out.printf(
        Locale.ROOT,
        "  submit claimed on insert  n=%,-10d claimed %3d of %3d  p50 %7.2f ms  p99 %7.2f ms  (%s)%n",
        size,
        claimedAtOnce,
        claims,
        Benchmark.percentile(micros, 0.50) / 1e3,
        Benchmark.percentile(micros, 0.99) / 1e3,
        shape.name().toLowerCase(Locale.ROOT));
  }

  private Listed list(JobRepository repository, int size, String name, JobQuery query) {
    int returned = repository.query(query).size();
    long[] micros = new long[queries];
    for (int i = 0; i < queries; i++) {
      long start = System.nanoTime();
      repository.query(query);
      micros[i] = (System.nanoTime() - start) / 1_000;
    }
    Arrays.sort(micros);
    out.printf(
        Locale.ROOT,
        "  query %-26s n=%,-10d page %3d  p50 %7.2f ms  p99 %7.2f ms%n",
        name,
        size,
        returned,
        Benchmark.percentile(micros, 0.50) / 1e3,
        Benchmark.percentile(micros, 0.99) / 1e3);
    return new Listed(size, name, returned, micros);
  }

  private void printSummary(List<Measured> measured, List<Listed> listed) {
    out.println();
    out.println("claim, ms (one call at a time, " + limit + " jobs a call)");
    out.printf(
        Locale.ROOT,
        "%-16s %12s %10s %10s %10s %10s%n",
        "shape",
        "n",
        "p50",
        "p99",
        "max",
        "jobs/call");
    for (Measured m : measured) {
      out.printf(
          Locale.ROOT,
          "%-16s %,12d %10.2f %10.2f %10.2f %10.1f%n",
          m.shape().name().toLowerCase(Locale.ROOT),
          m.size(),
          Benchmark.percentile(m.micros(), 0.50) / 1e3,
          Benchmark.percentile(m.micros(), 0.99) / 1e3,
          m.micros()[m.micros().length - 1] / 1e3,
          m.claimedPerCall());
    }
    int smallest = sizes.stream().mapToInt(Integer::intValue).min().orElseThrow();
    int largest = sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
    if (smallest != largest) {
      out.println();
      for (Shape shape : shapes) {
        double small = p99(measured, shape, smallest);
        double large = p99(measured, shape, largest);
        out.printf(
            Locale.ROOT,
            "flat?  %-16s claim p99 %,d: %.2f ms, %,d: %.2f ms, ratio %.2f (target <= 2)%n",
            shape.name().toLowerCase(Locale.ROOT),
            smallest,
            small,
            largest,
            large,
            large / small);
      }
    }
    if (!listed.isEmpty()) {
      out.println();
      out.println("query, first page of 100, on the table of finished jobs, ms");
      out.printf(Locale.ROOT, "%-26s %12s %6s %10s %10s%n", "filter", "n", "page", "p50", "p99");
      for (Listed l : listed) {
        out.printf(
            Locale.ROOT,
            "%-26s %,12d %6d %10.2f %10.2f%n",
            l.filter(),
            l.size(),
            l.returned(),
            Benchmark.percentile(l.micros(), 0.50) / 1e3,
            Benchmark.percentile(l.micros(), 0.99) / 1e3);
      }
    }
  }

  private static double p99(List<Measured> measured, Shape shape, int size) {
    return measured.stream()
            .filter(m -> m.shape() == shape && m.size() == size)
            .mapToLong(m -> Benchmark.percentile(m.micros(), 0.99))
            .findFirst()
            .orElseThrow()
        / 1e3;
  }

  private static long databaseNowMicros(Statement statement) throws SQLException {
    try (ResultSet now =
        statement.executeQuery(
            "SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT")) {
      now.next();
      return now.getLong(1);
    }
  }

  /**
   * The rows of one shape, oldest first: jobs are created 1 ms apart, the last one 1 s before
   * {@code now}; due jobs are due from their creation.
   */
  private static List<Rows> rows(Shape shape, int n, int backlog, long now) {
    String tenTypes = "'type-' || (g % " + TYPES + ")";
    String finishedStates =
        "CASE WHEN g % 20 = 0 THEN 'FAILED' WHEN g % 20 = 1 THEN 'CANCELLED' ELSE 'COMPLETED' END";
    return switch (shape) {
      case FINISHED ->
          List.of(
              new Rows(n, tenTypes, finishedStates, 0, n + backlog, 0, now),
              new Rows(backlog, tenTypes, "'REQUESTED'", 0, backlog, 0, now));
      case DUE -> List.of(new Rows(n, tenTypes, "'REQUESTED'", 0, n, 0, now));
      case RARE_TYPE ->
          List.of(
              new Rows(n, tenTypes, "'REQUESTED'", 0, n + backlog, 0, now),
              new Rows(backlog, "'" + RARE + "'", "'REQUESTED'", 0, backlog, 0, now));
      case FUTURE_PRIORITY ->
          List.of(
              new Rows(n / 5, tenTypes, "'REQUESTED'", 10, n + n / 5, 3_600_000_000L, now),
              new Rows(n, tenTypes, "'REQUESTED'", 0, n, 0, now));
    };
  }

  /**
   * {@code count} rows for one {@code INSERT ... SELECT ... FROM generate_series}: the one place
   * that knows the jobs table's columns (those of schema V1 that matter here; every other column
   * keeps its default or NULL). Report type and state are SQL expressions of {@code g}, the row's
   * number from 1; row {@code g} is created {@code createdBefore - g + 1} ms before the last
   * second, and is due at its creation plus {@code dueAfterMicros}. Finished rows started 1 ms and
   * finished 2 ms after their creation.
   */
  private record Rows(
      long count,
      String reportType,
      String state,
      int priority,
      long createdBefore,
      long dueAfterMicros,
      long nowMicros) {

    private static final String COLUMNS =
        "id, report_type, parameters, state, attempt, max_attempts, priority, timeout_ms,"
            + " created_at, updated_at, started_at, finished_at, run_at";

    String insertInto(String table) {
      String created = "(" + (nowMicros - 1_000_000) + " - (" + createdBefore + " - g + 1) * 1000)";
      return "INSERT INTO "
          + table
          + " ("
          + COLUMNS
          + ") SELECT gen_random_uuid(), report_type, '{}', state,"
          + " CASE WHEN state = 'REQUESTED' THEN 0 ELSE 1 END, 3, "
          + priority
          + ", 3600000, created, created,"
          + " CASE WHEN state = 'REQUESTED' THEN NULL ELSE created + 1000 END,"
          + " CASE WHEN state = 'REQUESTED' THEN NULL ELSE created + 2000 END,"
          + " created + "
          + dueAfterMicros
          + " FROM (SELECT g, "
          + reportType
          + " AS report_type, "
          + state
          + " AS state, "
          + created
          + " AS created FROM generate_series(1, "
          + count
          + ") AS g) AS r";
    }
  }
}
