package org.reportorchestrator.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.ReportContext;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.jdbc.JdbcJobRepository;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Saves an order and queues its invoice report in one database transaction, with plain JDBC: the
 * first order commits, so the order and its invoice job exist together and the invoice runs; the
 * second fails after both were written, the transaction rolls back, and neither exists.
 */
@Command(
    name = "transactional-orders",
    mixinStandardHelpOptions = true,
    description = "Saves orders and queues their invoices atomically; one order rolls back.")
public final class TransactionalOrders implements Callable<Integer> {

  @Option(
      names = "--jdbc-url",
      defaultValue = "jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1",
      description = "the application's database, H2 or PostgreSQL (default: ${DEFAULT-VALUE})")
  String jdbcUrl;

  @Option(names = "--user", description = "database user, if the URL does not carry one")
  String user;

  @Option(names = "--password", description = "database password, if the URL does not carry one")
  String password;

  private final PrintStream out;

  TransactionalOrders(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    TransactionalOrders example =
        new TransactionalOrders(new PrintStream(System.out, true, StandardCharsets.UTF_8));
    System.exit(new CommandLine(example).execute(args));
  }

  /** The application's own work in one transaction; what it queues joins the transaction. */
  @FunctionalInterface
  interface TransactionWork<T> {
    T run(Connection connection, Consumer<Runnable> afterCommit) throws SQLException;
  }

  /**
   * How a plain JDBC application runs a transaction: commit, then run what waited for the commit;
   * or roll back, and what waited never runs.
   */
  static <T> T inTransaction(DataSource pool, TransactionWork<T> work) throws SQLException {
    try (Connection connection = pool.getConnection()) {
      connection.setAutoCommit(false);
      List<Runnable> afterCommit = new ArrayList<>();
      T result;
      try {
        result = work.run(connection, afterCommit::add);
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
      afterCommit.forEach(Runnable::run);
      return result;
    }
  }

  @Override
  public Integer call() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    if (user != null) {
      config.setUsername(user);
    }
    if (password != null) {
      config.setPassword(password);
    }
    // one pool for the application and the job store, as a host usually has
    try (HikariDataSource pool = new HikariDataSource(config);
        JdbcJobRepository store = JdbcJobRepository.builder().dataSource(pool).build();
        ReportOrchestrator orchestrator =
            ReportOrchestrator.builder()
                .repository(store)
                .workerCount(2)
                .pollInterval(Duration.ofMillis(200))
                .register("invoice", TransactionalOrders::invoice)
                .listener(
                    t ->
                        out.printf(
                            Locale.ROOT, "  listener: invoice job %s is %s%n", t.jobId(), t.to()))
                .build()) {
      createOrdersTable(pool);
      orchestrator.start();

      out.println("order A-1001: save it and queue its invoice, then commit");
      JobId invoice =
          inTransaction(
              pool,
              (connection, afterCommit) -> {
                saveOrder(connection, "A-1001", "42.00");
                JobId id =
                    orchestrator.submit(
                        invoiceFor("A-1001"), store.transaction(connection, afterCommit));
                out.printf(Locale.ROOT, "  queued invoice job %s (not visible until commit)%n", id);
                return id;
              });
      JobSnapshot done = orchestrator.awaitCompletion(invoice, Duration.ofMinutes(1));
      out.printf(
          Locale.ROOT,
          "  invoice job %s: %s, %s%n",
          invoice,
          done.state(),
          text(orchestrator, invoice));

      out.println("order A-1002: save it and queue its invoice, then the payment fails");
      List<JobId> queued = new ArrayList<>();
      try {
        inTransaction(
            pool,
            (connection, afterCommit) -> {
              saveOrder(connection, "A-1002", "17.50");
              queued.add(
                  orchestrator.submit(
                      invoiceFor("A-1002"), store.transaction(connection, afterCommit)));
              out.printf(Locale.ROOT, "  queued invoice job %s%n", queued.get(0));
              throw new IllegalStateException("payment declined");
            });
      } catch (IllegalStateException e) {
        out.printf(Locale.ROOT, "  rolled back: %s%n", e.getMessage());
      }
      out.printf(
          Locale.ROOT,
          "  invoice job %s exists: %s; order A-1002 exists: %s%n",
          queued.get(0),
          orchestrator.find(queued.get(0)).isPresent(),
          orderExists(pool, "A-1002"));
      out.printf(Locale.ROOT, "orders stored: %s%n", orders(pool));
    }
    return 0;
  }

  private static ReportRequest invoiceFor(String order) {
    // the key makes a retried request queue no second invoice for the same order
    return ReportRequest.builder("invoice")
        .parameter("order", order)
        .idempotencyKey("invoice-" + order)
        .build();
  }

  private static ReportResult invoice(ReportContext context) {
    String order = context.parameters().get("order");
    return ReportResult.ofText("Invoice for order " + order + "\n", "text/plain")
        .withFileName("invoice-" + order + ".txt");
  }

  private static String text(ReportOrchestrator orchestrator, JobId id) throws Exception {
    Optional<InputStream> content = orchestrator.openResult(id);
    if (content.isEmpty()) {
      return "no result";
    }
    try (InputStream in = content.get()) {
      return "'" + new String(in.readAllBytes(), StandardCharsets.UTF_8).strip() + "'";
    }
  }

  private static void createOrdersTable(DataSource pool) throws SQLException {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS shop_orders (id VARCHAR(20) PRIMARY KEY, total VARCHAR(20))");
    }
  }

  private static void saveOrder(Connection connection, String id, String total)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO shop_orders (id, total) VALUES (?, ?)")) {
      insert.setString(1, id);
      insert.setString(2, total);
      insert.executeUpdate();
    }
  }

  private static boolean orderExists(DataSource pool, String id) throws SQLException {
    return orders(pool).contains(id);
  }

  private static List<String> orders(DataSource pool) throws SQLException {
    List<String> ids = new ArrayList<>();
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT id FROM shop_orders ORDER BY id")) {
      while (rows.next()) {
        ids.add(rows.getString(1));
      }
    }
    return ids;
  }
}
