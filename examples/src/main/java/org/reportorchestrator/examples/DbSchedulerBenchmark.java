package org.reportorchestrator.examples;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerBuilder;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.SystemClock;
import com.github.kagkarlsson.scheduler.event.AbstractSchedulerListener;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Runs {@link Benchmark}'s workloads on db-scheduler, the closest embeddable, database-backed peer:
 * N one-time executions of a no-op (or sleeping) task scheduled for now with the client's batch
 * API, then a scheduler with 8 threads started and timed until all have completed; then one
 * execution at a time, scheduled and awaited, or executions scheduled at a steady rate and timed to
 * their start.
 *
 * <p>On PostgreSQL db-scheduler is configured as its README advises for high throughput: the {@code
 * lock-and-fetch} polling strategy ({@code SELECT ... FOR UPDATE SKIP LOCKED}) with limits 1.0 and
 * 4.0, the same 100 ms polling interval and pool size (10) as the orchestrator's run, and immediate
 * execution, its counterpart of the orchestrator waking its scheduler on a local submit. On H2,
 * which db-scheduler supports without lock-and-fetch, it polls with its default strategy, {@code
 * fetch-and-lock-on-execute}, with the same limits.
 */
@Command(
    name = "db-scheduler-benchmark",
    mixinStandardHelpOptions = true,
    description =
        "Measures db-scheduler's scheduling and drain throughput and latency on PostgreSQL or H2.")
public final class DbSchedulerBenchmark implements Callable<Integer> {

  private static final String LOCK_AND_FETCH = "lock-and-fetch";
  private static final String FETCH_AND_LOCK_ON_EXECUTE = "fetch-and-lock-on-execute";

  /**
   * db-scheduler's PostgreSQL table and indexes, as in its repository's {@code
   * db-scheduler/src/test/resources/postgresql_tables.sql} (Apache License 2.0), with the table
   * name as a placeholder so that each round gets a fresh table.
   */
  private static final String POSTGRESQL_DDL =
      """
      CREATE TABLE ${table} (
        task_name TEXT NOT NULL,
        task_instance TEXT NOT NULL,
        task_data BYTEA,
        execution_time TIMESTAMP WITH TIME ZONE NOT NULL,
        picked BOOLEAN NOT NULL,
        picked_by TEXT,
        last_success TIMESTAMP WITH TIME ZONE,
        last_failure TIMESTAMP WITH TIME ZONE,
        consecutive_failures INT,
        last_heartbeat TIMESTAMP WITH TIME ZONE,
        version BIGINT NOT NULL,
        priority SMALLINT,
        PRIMARY KEY (task_name, task_instance)
      );
      CREATE INDEX ${table}_execution_time_idx ON ${table} (execution_time);
      CREATE INDEX ${table}_last_heartbeat_idx ON ${table} (last_heartbeat);
      CREATE INDEX ${table}_priority_execution_time_idx
        ON ${table} (priority DESC, execution_time ASC);
      """;

  /**
   * db-scheduler's table for H2, as in its repository's {@code
   * db-scheduler/src/test/resources/hsql_tables.sql} (Apache License 2.0; it runs its H2-based
   * tests on that file) with {@code BOOLEAN} for {@code BIT}, {@code NOT NULL} where the PostgreSQL
   * table has it, and the PostgreSQL table's indexes, so that both engines poll indexed tables.
   */
  private static final String H2_DDL =
      """
      CREATE TABLE ${table} (
        task_name VARCHAR(100) NOT NULL,
        task_instance VARCHAR(100) NOT NULL,
        task_data BLOB,
        execution_time TIMESTAMP WITH TIME ZONE NOT NULL,
        picked BOOLEAN NOT NULL,
        picked_by VARCHAR(50),
        last_success TIMESTAMP WITH TIME ZONE,
        last_failure TIMESTAMP WITH TIME ZONE,
        consecutive_failures INT,
        last_heartbeat TIMESTAMP WITH TIME ZONE,
        version BIGINT NOT NULL,
        priority SMALLINT,
        PRIMARY KEY (task_name, task_instance)
      );
      CREATE INDEX ${table}_execution_time_idx ON ${table} (execution_time);
      CREATE INDEX ${table}_last_heartbeat_idx ON ${table} (last_heartbeat);
      CREATE INDEX ${table}_priority_execution_time_idx
        ON ${table} (priority DESC, execution_time ASC);
      """;

  @Option(
      names = "--jdbc-url",
      required = true,
      description =
          "JDBC URL of the PostgreSQL database, or of an H2 one (jdbc:h2:mem:...;DB_CLOSE_DELAY=-1)")
  String jdbcUrl;

  @Option(
      names = "--jobs",
      defaultValue = "20000",
      description = "executions per throughput run (default ${DEFAULT-VALUE})")
  int jobs;

  @Option(
      names = {"--threads", "--workers"},
      defaultValue = "8",
      description = "executor threads (default ${DEFAULT-VALUE})")
  int threads;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description =
          "measured rounds after one warm-up, 0 to skip the throughput rounds (default ${DEFAULT-VALUE})")
  int rounds;

  @Option(
      names = "--warm-up-submits",
      defaultValue = "" + SteadyRateLatency.DEFAULT_WARM_UP_BURST,
      description =
          "with --rate: executions scheduled one at a time and run, unmeasured, before the steady"
              + " rate begins, so that the schedule and fetch paths run compiled (default"
              + " ${DEFAULT-VALUE})")
  int warmUpSubmits;

  @Option(
      names = "--latency-samples",
      defaultValue = "300",
      description = "executions in the latency run, 0 to skip it (default ${DEFAULT-VALUE})")
  int latencySamples;

  @Option(
      names = "--task-millis",
      defaultValue = "0",
      description =
          "each execution sleeps this long, for an io-bound workload; the drain is then also printed"
              + " as a share of the ideal rate threads * 1000 / task-millis (default ${DEFAULT-VALUE})")
  int taskMillis;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description =
          "executions scheduled per second in the latency run, measured from schedule to the task's"
              + " start; 0 for one at a time, measured to completion (default ${DEFAULT-VALUE})")
  int rate;

  @Option(
      names = "--polling",
      description =
          "lock-and-fetch or fetch-and-lock-on-execute; default lock-and-fetch on PostgreSQL and"
              + " fetch-and-lock-on-execute elsewhere (db-scheduler has no lock-and-fetch for H2)")
  @Nullable String polling;

  @Option(
      names = "--lower-limit",
      defaultValue = "1.0",
      description = "polling lowerLimitFractionOfThreads (default ${DEFAULT-VALUE})")
  double lowerLimit;

  @Option(
      names = "--upper-limit",
      defaultValue = "4.0",
      description = "polling upperLimitFractionOfThreads (default ${DEFAULT-VALUE})")
  double upperLimit;

  private final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  /** db-scheduler's own clock: executions are scheduled for the instant its scheduler calls now. */
  private final SystemClock clock = new SystemClock();

  private final OneTimeTask<Void> noop =
      Tasks.oneTime("noop").execute((instance, context) -> sleep(taskMillis));

  /** The steady-rate latency run under way, if any; its executions' ids are their indexes. */
  private volatile @Nullable SteadyRateLatency latency;

  private final OneTimeTask<Void> probe =
      Tasks.oneTime("probe")
          .execute(
              (instance, context) -> {
                SteadyRateLatency running = latency;
                if (running != null) {
                  running.started(Integer.parseInt(instance.getId()));
                }
              });

  @Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DbSchedulerBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (polling == null) {
      polling = isH2() ? FETCH_AND_LOCK_ON_EXECUTE : LOCK_AND_FETCH;
    } else if (!polling.equals(LOCK_AND_FETCH) && !polling.equals(FETCH_AND_LOCK_ON_EXECUTE)) {
      throw new ParameterException(
          spec.commandLine(),
          "--polling must be "
              + LOCK_AND_FETCH
              + " or "
              + FETCH_AND_LOCK_ON_EXECUTE
              + ", not '"
              + polling
              + "'");
    }
    out.printf(
        Locale.ROOT,
        "engine=db-scheduler database=%s jobs=%d threads=%d task-millis=%d %s=(%s, %s) rounds=%d cores=%d java=%s load=%.2f%n",
        isH2() ? "h2" : "postgres",
        jobs,
        threads,
        taskMillis,
        polling,
        lowerLimit,
        upperLimit,
        rounds,
        Runtime.getRuntime().availableProcessors(),
        Runtime.version(),
        Benchmark.loadAverage());
    if (rounds > 0) {
      Benchmark.runRounds(
          out,
          rounds,
          "scheduleBatch",
          Benchmark.idealRate(taskMillis, threads),
          this::throughputRound);
    }
    if (latencySamples > 0) {
      if (rate > 0) {
        steadyRateLatencyRun();
      } else {
        latencyRun();
      }
    }
    out.printf(Locale.ROOT, "load     %.2f at the end%n", Benchmark.loadAverage());
    return 0;
  }

  private boolean isH2() {
    return jdbcUrl.startsWith("jdbc:h2:");
  }

  private static void sleep(int millis) {
    try {
      Benchmark.work(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Schedules at a steady rate, each for now; the probe task records when it started. */
  private void steadyRateLatencyRun() throws Exception {
    SteadyRateLatency running = new SteadyRateLatency(rate, warmUpSubmits, latencySamples);
    List<TaskInstance<Void>> instances = new ArrayList<>();
    for (int i = 0; i < running.jobCount(); i++) {
      instances.add(probe.instance(Integer.toString(i)));
    }
    latency = running;
    try (FreshTable table = new FreshTable()) {
      Scheduler scheduler = scheduler(table, () -> {});
      scheduler.start();
      try {
        running.run(out, "schedule", i -> scheduler.schedule(instances.get(i), clock.now()));
      } finally {
        scheduler.stop();
      }
    } finally {
      latency = null;
    }
  }

  /** Schedules {@code jobs} executions in batches, then starts a scheduler and times the drain. */
  private double[] throughputRound() throws Exception {
    CountDownLatch completed = new CountDownLatch(jobs);
    try (FreshTable table = new FreshTable()) {
      SchedulerClient client =
          SchedulerClient.Builder.create(table.dataSource, noop, probe)
              .tableName(table.name)
              .build();
      long scheduleStart = System.nanoTime();
      List<TaskInstance<?>> batch = new ArrayList<>(1_000);
      for (int i = 0; i < jobs; i++) {
        batch.add(noop.instance("job-" + i));
        if (batch.size() == 1_000) {
          client.scheduleBatch(batch, clock.now());
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        client.scheduleBatch(batch, clock.now());
      }
      double scheduleSeconds = (System.nanoTime() - scheduleStart) / 1e9;

      Scheduler scheduler = scheduler(table, completed::countDown);
      long drainStart = System.nanoTime();
      scheduler.start();
      try {
        if (!completed.await(10, TimeUnit.MINUTES)) {
          throw new IllegalStateException(
              completed.getCount() + " executions did not complete in 10 minutes");
        }
      } finally {
        scheduler.stop();
      }
      double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
      return new double[] {jobs / scheduleSeconds, jobs / drainSeconds};
    }
  }

  /** One execution at a time: schedule for now, wait until it completed, repeat. */
  private void latencyRun() throws Exception {
    Semaphore completed = new Semaphore(0);
    try (FreshTable table = new FreshTable()) {
      Scheduler scheduler = scheduler(table, completed::release);
      scheduler.start();
      try {
        long[] micros = new long[latencySamples];
        for (int i = -50; i < latencySamples; i++) {
          long start = System.nanoTime();
          scheduler.schedule(noop.instance("latency-" + i), clock.now());
          if (!completed.tryAcquire(1, TimeUnit.MINUTES)) {
            throw new IllegalStateException("execution latency-" + i + " did not complete");
          }
          if (i >= 0) {
            micros[i] = (System.nanoTime() - start) / 1_000;
          }
        }
        Arrays.sort(micros);
        out.printf(
            Locale.ROOT,
            "latency  schedule -> completed (listener), %d executions one at a time: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms%n",
            latencySamples,
            Benchmark.percentile(micros, 0.50) / 1e3,
            Benchmark.percentile(micros, 0.90) / 1e3,
            Benchmark.percentile(micros, 0.99) / 1e3);
      } finally {
        scheduler.stop();
      }
    }
  }

  /**
   * A scheduler on {@code table} that calls {@code onSuccess} once an execution has completed:
   * db-scheduler tells its listeners after it deleted the one-time execution's row.
   */
  private Scheduler scheduler(FreshTable table, Runnable onSuccess) {
    SchedulerBuilder builder =
        Scheduler.create(table.dataSource, noop, probe)
            .tableName(table.name)
            .schedulerName(new SchedulerName.Fixed("benchmark"))
            .threads(threads)
            .pollingInterval(Duration.ofMillis(100));
    if (LOCK_AND_FETCH.equals(polling)) {
      builder.pollUsingLockAndFetch(lowerLimit, upperLimit);
    } else {
      builder.pollUsingFetchAndLockOnExecute(lowerLimit, upperLimit);
    }
    return builder
        .enableImmediateExecution()
        .addSchedulerListener(
            new AbstractSchedulerListener() {
              @Override
              public void onExecutionComplete(ExecutionComplete complete) {
                if (complete.getResult() == ExecutionComplete.Result.OK) {
                  onSuccess.run();
                } else {
                  out.println("unexpected failure: " + complete.getExecution());
                }
              }
            })
        .build();
  }

  /** A pool of 10 connections and a table of its own for one run, dropped afterwards. */
  private final class FreshTable implements AutoCloseable {
    final String name = "bench_dbs_" + UUID.randomUUID().toString().substring(0, 8);
    final HikariDataSource dataSource;

    FreshTable() throws SQLException {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(jdbcUrl);
      config.setMaximumPoolSize(10);
      config.setConnectionTimeout(5_000);
      dataSource = new HikariDataSource(config);
      String ddl = isH2() ? H2_DDL : POSTGRESQL_DDL;
      for (String statement : ddl.replace("${table}", name).split(";")) {
        if (!statement.isBlank()) {
          execute(statement);
        }
      }
    }

    private void execute(String sql) throws SQLException {
      try (Connection connection = dataSource.getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute(sql);
      }
    }

    @Override
    public void close() throws SQLException {
      try {
        execute("DROP TABLE IF EXISTS " + name);
      } finally {
        dataSource.close();
      }
    }
  }
}
