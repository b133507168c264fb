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
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.RetryPolicy;
import org.reportorchestrator.examples.InventoryExportTask;
import org.reportorchestrator.examples.SalesSummaryTask;
import org.reportorchestrator.jdbc.JdbcJobRepository;
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

  /** The quickstart's two report types, with parameters that make each run a few seconds. */
  static List<ReportType> demoTypes() {
    return List.of(
        new ReportType(
            "sales-summary", new SalesSummaryTask(150), Map.of("from", "2026-01", "months", "12")),
        new ReportType("inventory-export", new InventoryExportTask(), Map.of("warehouse", "oslo")));
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
              .shutdownGracePeriod(Duration.ofSeconds(10));
      types.forEach(type -> builder.register(type.name(), type.task()));
      ReportOrchestrator orchestrator = builder.build();
      Javalin http = http(new ReportRoutes(orchestrator, types, new JsonViews(MAPPER)));
      running = new Running(http, orchestrator, store);
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
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Running(Javalin http, ReportOrchestrator orchestrator, JdbcJobRepository store) {
      this.http = http;
      this.orchestrator = orchestrator;
      this.store = store;
    }

    private void start(String host, int port) {
      try {
        orchestrator.start();
        http.start(host, port);
      } catch (RuntimeException e) {
        close();
        throw e;
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
