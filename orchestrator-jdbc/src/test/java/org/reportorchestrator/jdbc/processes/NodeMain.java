package org.reportorchestrator.jdbc.processes;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobTransition;
import org.reportorchestrator.ReportContext;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.RetryPolicy;
import org.reportorchestrator.jdbc.JdbcJobRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One orchestrator node in a JVM of its own, started by {@link NodeProcesses}. It runs jobs of type
 * {@value #REPORT_TYPE} from a {@link JdbcJobRepository} built from a JDBC URL and table prefix,
 * records every execution of a task as a row of {@code <prefix>executions}, and talks to its
 * harness through stdout, one line each:
 *
 * <ul>
 *   <li>{@code READY <node> <pid>} once started;
 *   <li>{@code T <jobId> <from> <to> <attempt> <atMicros> <node>} for every transition it wrote
 *       (see {@link TransitionLine});
 *   <li>{@code LOST <jobId> <attempt>} when a task it runs is told to stop (a lost lease);
 *   <li>{@code SUBMITTED <count>} after it submitted jobs itself ({@code --submit-jobs});
 *   <li>{@code CLOSED <node>} after a clean shutdown.
 * </ul>
 *
 * <p>It shuts down cleanly on SIGTERM or when its stdin closes (so it never outlives a harness that
 * died). Options, each {@code --name=value}: {@code jdbc-url}, {@code table-prefix}, {@code node},
 * {@code workers}, {@code lease-ms}, {@code poll-ms}, {@code grace-ms}, {@code max-attempts},
 * {@code task} ({@code noop} or {@code sleep}), {@code sleep-min-ms}, {@code sleep-max-ms}, {@code
 * submit-jobs}. Its log goes where {@code -Dnode.log.file} says.
 */
@SuppressForbidden
public final class NodeMain {

  static final String REPORT_TYPE = "report";

  private static final Logger LOG = LoggerFactory.getLogger(NodeMain.class);
  private static final Duration RECORD_PATIENCE = Duration.ofSeconds(60);

  private final Map<String, String> options;
  private final String node;
  private final String prefix;
  private final PrintStream out;

  /** The database URL, naming this node as the application of every connection it opens. */
  private final String jdbcUrl;

  private final Clock clock = Figures.wallClock();
  private final HikariDataSource executions;

  private NodeMain(Map<String, String> options, PrintStream out) {
    this.options = options;
    this.node = required("node");
    this.prefix = required("table-prefix");
    this.out = out;
    String url = required("jdbc-url");
    this.jdbcUrl = url + (url.contains("?") ? "&" : "?") + "ApplicationName=" + node;
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setPoolName("executions-" + node);
    int size = Math.min(number("workers", 4) + 1, 8);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(size);
    config.setConnectionTimeout(TimeUnit.SECONDS.toMillis(5));
    // the harness's own bookkeeping; a crash of a node (not of the server) loses nothing with it
    config.setConnectionInitSql("SET synchronous_commit TO off");
    this.executions = new HikariDataSource(config);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (String arg : args) {
      int equals = arg.indexOf('=');
      if (!arg.startsWith("--") || equals < 0) {
        throw new IllegalArgumentException("options are --name=value, got '" + arg + "'");
      }
      options.put(arg.substring(2, equals), arg.substring(equals + 1));
    }
    new NodeMain(options, System.out).run();
  }

  private void run() throws Exception {
    JdbcJobRepository store =
        JdbcJobRepository.builder().jdbcUrl(jdbcUrl).tablePrefix(prefix).build();
    warmUp(store);
    RetryPolicy retry =
        new RetryPolicy(
            number("max-attempts", RetryPolicy.DEFAULT.maxAttempts()),
            Duration.ofMillis(100),
            Duration.ofSeconds(1),
            2.0,
            0.2);
    ReportOrchestrator orchestrator =
        ReportOrchestrator.builder()
            .repository(store)
            .nodeId(node)
            .workerCount(number("workers", 4))
            .leaseDuration(Duration.ofMillis(number("lease-ms", 3_000)))
            .pollInterval(Duration.ofMillis(number("poll-ms", 200)))
            .shutdownGracePeriod(Duration.ofMillis(number("grace-ms", 2_000)))
            .retryPolicy(retry)
            .register(REPORT_TYPE, this::execute)
            .listener(this::heard)
            .build();
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("node {} shutting down", node);
                  orchestrator.close();
                  store.close();
                  executions.close();
                  out.println("CLOSED " + node);
                  out.flush();
                  closed.countDown();
                },
                "node-shutdown"));
    orchestrator.start();
    LOG.info("node {} started, pid {}, options {}", node, ProcessHandle.current().pid(), options);
    out.println("READY " + node + " " + ProcessHandle.current().pid());
    out.flush();
    watchStdin();
    int toSubmit = number("submit-jobs", 0);
    if (toSubmit > 0) {
      submit(orchestrator, toSubmit);
    }
    closed.await();
  }

  /**
   * Opens the connections of both pools and loads the store's read path before the node claims
   * anything: on a busy machine a cold JVM that opens connections one by one while it already holds
   * leases can stall past a short lease, which these tests would then see as a rescue.
   */
  private void warmUp(JdbcJobRepository store) throws SQLException, InterruptedException {
    List<Connection> held = new ArrayList<>();
    try {
      for (int i = 0; i < executions.getMaximumPoolSize(); i++) {
        held.add(executions.getConnection());
      }
    } finally {
      for (Connection connection : held) {
        connection.close();
      }
    }
    List<Thread> readers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Thread reader =
          new Thread(
              () -> {
                for (int round = 0; round < 5; round++) {
                  store.find(new JobId(UUID.randomUUID()));
                }
              },
              "warm-up-" + i);
      reader.start();
      readers.add(reader);
    }
    for (Thread reader : readers) {
      reader.join();
    }
  }

  private void submit(ReportOrchestrator orchestrator, int count) {
    List<ReportRequest> batch = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      batch.add(ReportRequest.of(REPORT_TYPE));
      if (batch.size() == 1_000 || i == count - 1) {
        orchestrator.submitAll(batch);
        batch.clear();
      }
    }
    out.println("SUBMITTED " + count);
    out.flush();
  }

  /** The harness holds our stdin open; when it closes (or the harness dies), we exit cleanly. */
  private void watchStdin() {
    Thread watcher =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() >= 0) {
                  // nothing is sent; we only wait for the end of the stream
                }
              } catch (IOException e) {
                LOG.warn("reading stdin failed; shutting down", e);
              }
              LOG.info("stdin closed; shutting down");
              System.exit(0);
            },
            "stdin-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }

  private ReportResult execute(ReportContext context) throws Exception {
    record(context);
    if (required("task").equals("sleep")) {
      int min = number("sleep-min-ms", 50);
      int max = number("sleep-max-ms", 200);
      try {
        Thread.sleep(ThreadLocalRandom.current().nextInt(min, max + 1));
      } catch (InterruptedException e) {
        if (context.isCancellationRequested()) {
          out.println("LOST " + context.jobId() + " " + context.attempt());
          out.flush();
        }
        throw e;
      }
    } else if (!required("task").equals("noop")) {
      throw new IllegalArgumentException("unknown --task=" + required("task"));
    }
    return ReportResult.empty();
  }

  /**
   * Inserts this execution's row, retrying for a while: the row is the test's evidence that the
   * task ran, so a database outage must not make the task itself fail.
   */
  private void record(ReportContext context) throws InterruptedException, SQLException {
    long started = Figures.micros(clock.instant());
    long giveUp = System.nanoTime() + RECORD_PATIENCE.toNanos();
    while (true) {
      try (Connection connection = executions.getConnection();
          PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO "
                      + prefix
                      + "executions (job_id, node, attempt, started_at) VALUES (?, ?, ?, ?)")) {
        insert.setObject(1, UUID.fromString(context.jobId().toString()));
        insert.setString(2, node);
        insert.setInt(3, context.attempt());
        insert.setLong(4, started);
        insert.executeUpdate();
        return;
      } catch (SQLException e) {
        if (System.nanoTime() > giveUp) {
          throw e;
        }
        LOG.debug(
            "recording the execution of {} failed, retrying: {}", context.jobId(), e.toString());
        Thread.sleep(200);
      }
    }
  }

  private void heard(JobTransition transition) {
    out.println(TransitionLine.of(transition).format());
    out.flush();
  }

  private String required(String name) {
    String value = options.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("missing option --" + name);
    }
    return value;
  }

  private int number(String name, int fallback) {
    String value = options.get(name);
    return value == null ? fallback : Integer.parseInt(value);
  }
}
