package org.reportorchestrator.examples.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.RetryPolicy;
import org.reportorchestrator.TaskOptions;
import org.reportorchestrator.examples.InventoryExportTask;
import org.reportorchestrator.examples.SalesSummaryTask;
import org.reportorchestrator.jdbc.JdbcJobRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A web application that runs reports in its background: {@code POST /reports/{type}} answers 202
 * with a job id at once, and clients poll {@code GET /reports/{id}} and fetch {@code GET
 * /reports/{id}/result} when it is done. At {@code /} it serves a status page over that API. See
 * {@code docs/examples.md} for the whole API.
 */
@Command(
    name = "report-server",
    mixinStandardHelpOptions = true,
    description = "Serves an HTTP API that runs reports in the background of a web application.")
public final class ReportServer implements Callable<Integer> {

  static final String DEFAULT_JDBC_URL = "jdbc:h2:file:./data/web";
  static final String DEFAULT_HOST = "127.0.0.1";

  /** Where the status page's files are on the class path; served at {@code /}. */
  static final String STATUS_PAGE = "/status-page";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final Logger log = LoggerFactory.getLogger(ReportServer.class);

  @Option(
      names = "--port",
      defaultValue = "7070",
      description = "HTTP port, 0 for any free one (default: ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--host",
      defaultValue = DEFAULT_HOST,
      description = "address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE})")
  String host = DEFAULT_HOST;

  @Option(
      names = "--jdbc-url",
      defaultValue = DEFAULT_JDBC_URL,
      description = "the database to keep jobs in, H2 or PostgreSQL (default: ${DEFAULT-VALUE})")
  String jdbcUrl = DEFAULT_JDBC_URL;

  @Option(names = "--user", description = "database user, if the URL does not carry one")
  @Nullable String user;

  @Option(names = "--password", description = "database password, if the URL does not carry one")
  @Nullable String password;

  @Option(
      names = "--workers",
      defaultValue = "4",
      description = "worker threads (default: ${DEFAULT-VALUE})")
  int workers;

  @Option(
      names = "--sample-seconds",
      defaultValue = "10",
      description =
          "how often the status page's chart reads the store's statistics; it keeps an hour of"
              + " samples (default: ${DEFAULT-VALUE})")
  int sampleSeconds = 10;

  public static void main(String[] args) {
    int exitCode = new CommandLine(new ReportServer()).execute(args);
    if (exitCode != 0) {
      System.exit(exitCode);
    }
  }

  /** Serves until the JVM is asked to stop (Ctrl-C, SIGTERM), then shuts down in order. */
  @Override
  public Integer call() throws InterruptedException {
    Running server = start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "report-server-shutdown"));
    new PrintStream(System.out, true, StandardCharsets.UTF_8)
        .printf(
            Locale.ROOT,
            "Report server: status page on http://%s:%d/, API under /reports (jobs in %s);"
                + " Ctrl-C stops it.%n",
            host,
            server.port(),
            jdbcUrl);
    server.awaitClosed();
    return 0;
  }

  /**
   * The quickstart's two report types, with parameters that make each run a few seconds. Each
   * declares the parameters its task cannot do without, so a request that lacks one is refused with
   * 400 at once instead of being stored as a job that can only fail.
   */
  static List<ReportType> demoTypes() {
    return List.of(
        new ReportType(
            "sales-summary",
            new SalesSummaryTask(150),
            TaskOptions.DEFAULTS.withRequiredParameters("from", "months"),
            Map.of("from", "2026-01", "months", "12")),
        new ReportType(
            "inventory-export",
            new InventoryExportTask(),
            TaskOptions.DEFAULTS.withRequiredParameters("warehouse"),
            Map.of("warehouse", "oslo")));
  }

  /** Opens the store, starts the orchestrator's workers, then starts serving HTTP. */
  Running start() {
    return start(demoTypes());
  }

  /** {@link #start()} with other report types: tests bring tasks they control. */
  Running start(List<ReportType> types) {
    JdbcJobRepository.Builder storeBuilder = JdbcJobRepository.builder().jdbcUrl(jdbcUrl);
    if (user != null) {
      storeBuilder.username(user);
    }
    if (password != null) {
      storeBuilder.password(password);
    }
    if (sampleSeconds < 1 || sampleSeconds > 600) {
      throw new IllegalArgumentException(
          "--sample-seconds must be between 1 and 600: " + sampleSeconds);
    }
    Duration sampleInterval = Duration.ofSeconds(sampleSeconds);
    JdbcJobRepository store = storeBuilder.build();
    Running running;
    try {
      ReportOrchestrator.Builder builder =
          ReportOrchestrator.builder()
              .repository(store)
              .workerCount(workers)
              .pollInterval(Duration.ofMillis(200))
              .retryPolicy(
                  new RetryPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(5), 2.0, 0.1))
              .shutdownGracePeriod(Duration.ofSeconds(10))
              .statisticsInterval(sampleInterval);
      types.forEach(type -> builder.register(type.name(), type.task(), type.options()));
      ReportOrchestrator orchestrator = builder.build();
      ActivityHistory activity =
          new ActivityHistory((int) (Duration.ofHours(1).toSeconds() / sampleSeconds));
      Javalin http = http(new ReportRoutes(orchestrator, types, new JsonViews(MAPPER), activity));
      running = new Running(http, orchestrator, store, activity, sampleInterval);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    running.start(host, port);
    return running;
  }

  /** The HTTP side, not yet started: the JSON API under {@code /reports} and the status page. */
  static Javalin http(ReportRoutes routes) {
    return Javalin.create(
        config -> {
          config.startup.showJavalinBanner = false;
          config.startup.showOldJavalinVersionWarning = false;
          config.jsonMapper(new JavalinJackson(MAPPER, false));
          config.http.prefer405over404 = true;
          // uPlot, the chart library, from its WebJar at /webjars/uplot/<version>/...
          config.staticFiles.enableWebjars();
          config.staticFiles.add(
              files -> {
                files.hostedPath = "/";
                files.directory = STATUS_PAGE;
                files.location = Location.CLASSPATH;
              });
          routes.register(config.routes);
        });
  }

  /** A started server. {@link #close()} is idempotent and thread-safe. */
  static final class Running implements AutoCloseable {

    private final Javalin http;
    private final ReportOrchestrator orchestrator;
    private final JdbcJobRepository store;
    private final ActivityHistory activity;
    private final Duration sampleInterval;
    private final ScheduledExecutorService sampler =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "report-server-activity");
              thread.setDaemon(true);
              return thread;
            });
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Running(
        Javalin http,
        ReportOrchestrator orchestrator,
        JdbcJobRepository store,
        ActivityHistory activity,
        Duration sampleInterval) {
      this.http = http;
      this.orchestrator = orchestrator;
      this.store = store;
      this.activity = activity;
      this.sampleInterval = sampleInterval;
    }

    private void start(String host, int port) {
      try {
        orchestrator.start();
        // Twice per statistics interval: a reading is taken a little after the tick that asked
        // for it, so at the same rate every other tick would find the cache still fresh.
        long millis = Math.max(1, sampleInterval.toMillis() / 2);
        sampler.scheduleAtFixedRate(this::sample, 0, millis, TimeUnit.MILLISECONDS);
        http.start(host, port);
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    /** One chart sample; a store that does not answer leaves a gap rather than a wrong point. */
    private void sample() {
      try {
        activity.record(orchestrator.statistics());
      } catch (RuntimeException e) {
        log.debug("no activity sample: the statistics could not be read", e);
      }
    }

    /** The port it listens on, the actual one if it was started on port 0. */
    int port() {
      return http.port();
    }

    /**
     * Stops taking requests, then closes the orchestrator (running reports get the grace period and
     * are then handed back to the queue), then the store.
     */
    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      sampler.shutdownNow();
      try {
        http.stop();
      } finally {
        try {
          orchestrator.close();
        } finally {
          store.close();
          stopped.countDown();
        }
      }
    }

    void awaitClosed() throws InterruptedException {
      stopped.await();
    }
  }
}
