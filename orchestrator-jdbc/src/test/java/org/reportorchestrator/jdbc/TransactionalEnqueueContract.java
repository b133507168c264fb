package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobHistoryEntry;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobState;
import org.reportorchestrator.JobTransition;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.UnknownReportTypeException;
import org.reportorchestrator.spi.EnqueueTransaction;
import org.reportorchestrator.testing.SettableClock;

/**
 * Submitting inside the host's own transaction, on a real database: the host's order row and its
 * invoice job commit or vanish together, no node sees or claims the job before the commit, and the
 * listeners hear of it only after the commit. One subclass per database.
 */
abstract class TransactionalEnqueueContract {

  private static final String INVOICE = "invoice";

  private final SettableClock clock = new SettableClock(Instant.parse("2026-11-30T12:00:00Z"));
  private final List<JobTransition> heard = new CopyOnWriteArrayList<>();
  private final List<String> invoiced = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private String prefix;
  private String orders;
  private JdbcJobRepository store;
  private ReportOrchestrator web;
  private ReportOrchestrator worker;

  /** A JDBC URL (credentials in it) of the database the test's tables go in. */
  protected abstract String jdbcUrl();

  protected abstract void dropTables(String prefix);

  @BeforeEach
  void openStoresAndOrders() throws SQLException {
    prefix = TablePrefixes.unique();
    orders = prefix + "orders";
    store = openStore();
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE " + orders + " (id VARCHAR(40) PRIMARY KEY, invoice_job VARCHAR(36))");
    }
    web =
        closeLater(
            ReportOrchestrator.builder()
                .repository(store)
                .clock(clock)
                .nodeId("web")
                .submitOnly(INVOICE)
                .listener(heard::add)
                .build());
    // another node, on its own pool: it sees only what other transactions committed
    worker =
        closeLater(
            ReportOrchestrator.builder()
                .repository(closeLater(openStore()))
                .clock(clock)
                .nodeId("worker")
                .register(
                    INVOICE,
                    context -> {
                      invoiced.add(context.parameters().get("order"));
                      return ReportResult.empty();
                    })
                .build());
  }

  @AfterEach
  void closeAndDrop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    store.close();
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + orders);
    }
    dropTables(prefix);
  }

  private JdbcJobRepository openStore() {
    return JdbcJobRepository.builder().jdbcUrl(jdbcUrl()).tablePrefix(prefix).build();
  }

  private <T extends AutoCloseable> T closeLater(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl());
  }

  /** A host connection in a transaction; the test commits or rolls back. */
  private Connection begin() throws SQLException {
    Connection connection = closeLater(connect());
    connection.setAutoCommit(false);
    return connection;
  }

  private static ReportRequest invoiceFor(String order) {
    return ReportRequest.of(INVOICE, Map.of("order", order));
  }

  private static ReportRequest keyedInvoiceFor(String order) {
    return ReportRequest.builder(INVOICE)
        .parameter("order", order)
        .idempotencyKey("invoice-" + order)
        .build();
  }

  private void saveOrder(Connection connection, String order, JobId invoiceJob)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO " + orders + " VALUES (?, ?)")) {
      insert.setString(1, order);
      insert.setString(2, invoiceJob.toString());
      insert.executeUpdate();
    }
  }

  private List<String> committedOrders() throws SQLException {
    List<String> ids = new ArrayList<>();
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT id FROM " + orders + " ORDER BY id")) {
      while (rows.next()) {
        ids.add(rows.getString(1));
      }
    }
    return ids;
  }

  private List<JobId> storedJobs() {
    return web.query(JobQuery.all()).stream().map(job -> job.id()).toList();
  }

  @Test
  void jobIsNeitherSeenNorClaimedByAnotherNodeUntilTheHostCommits() throws SQLException {
    Connection connection = begin();
    List<Runnable> afterCommit = new ArrayList<>();
    JobId id = web.submit(invoiceFor("order-1"), store.transaction(connection, afterCommit::add));
    saveOrder(connection, "order-1", id);

    assertThat(worker.find(id)).isEmpty();
    assertThat(worker.runDueJobs()).isZero();
    assertThat(invoiced).isEmpty();
    assertThat(heard).isEmpty();
    assertThat(afterCommit).hasSize(1);

    connection.commit();
    afterCommit.forEach(Runnable::run);

    assertThat(heard)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.jobId()).isEqualTo(id);
              assertThat(event.from()).isNull();
              assertThat(event.to()).isEqualTo(JobState.REQUESTED);
            });
    assertThat(committedOrders()).containsExactly("order-1");
    assertThat(worker.runDueJobs()).isEqualTo(1);
    assertThat(invoiced).containsExactly("order-1");
    assertThat(web.get(id).state()).isEqualTo(JobState.COMPLETED);
    assertThat(web.history(id))
        .extracting(JobHistoryEntry::from, JobHistoryEntry::to)
        .containsExactly(
            tuple(null, JobState.REQUESTED),
            tuple(JobState.REQUESTED, JobState.RUNNING),
            tuple(JobState.RUNNING, JobState.COMPLETED));
  }

  @Test
  void rollbackLeavesNeitherOrderNorJobNorHistoryNorEvent() throws SQLException {
    Connection connection = begin();
    List<Runnable> afterCommit = new ArrayList<>();
    EnqueueTransaction transaction = store.transaction(connection, afterCommit::add);
    List<JobId> ids =
        web.submitAll(List.of(invoiceFor("order-1"), invoiceFor("order-2")), transaction);
    saveOrder(connection, "order-1", ids.get(0));
    saveOrder(connection, "order-2", ids.get(1));

    connection.rollback();
    // a host runs its after-commit actions only after a commit; these never run

    assertThat(committedOrders()).isEmpty();
    assertThat(storedJobs()).isEmpty();
    assertThat(ids).allSatisfy(id -> assertThat(store.history(id)).isEmpty());
    assertThat(worker.runDueJobs()).isZero();
    assertThat(heard).isEmpty();
  }

  @Test
  void severalJobsCommitWithTheOrderAndAreAnnouncedOnce() throws SQLException {
    Connection connection = begin();
    List<Runnable> afterCommit = new ArrayList<>();
    List<JobId> ids =
        web.submitAll(
            List.of(invoiceFor("order-1"), invoiceFor("order-2")),
            store.transaction(connection, afterCommit::add));
    saveOrder(connection, "order-1", ids.get(0));
    connection.commit();
    afterCommit.forEach(Runnable::run);

    assertThat(storedJobs()).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(heard).extracting(JobTransition::jobId).containsExactlyElementsOf(ids);
    assertThat(worker.runDueJobs()).isEqualTo(2);
    assertThat(invoiced).containsExactlyInAnyOrder("order-1", "order-2");
  }

  @Test
  void autocommitConnectionIsRejectedAndNothingIsStored() throws SQLException {
    Connection connection = closeLater(connect());
    connection.setAutoCommit(true);

    assertThatThrownBy(() -> store.transaction(connection, Runnable::run))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("autocommit");
    assertThat(storedJobs()).isEmpty();
  }

  @Test
  void connectionSwitchedToAutocommitAfterJoiningIsRejectedAtSubmit() throws SQLException {
    Connection connection = begin();
    EnqueueTransaction transaction = store.transaction(connection, Runnable::run);
    connection.setAutoCommit(true);

    assertThatThrownBy(() -> web.submit(invoiceFor("order-1"), transaction))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("autocommit");
    assertThat(storedJobs()).isEmpty();
    assertThat(heard).isEmpty();
  }

  @Test
  void unknownReportTypeIsRefusedBeforeAnythingIsWrittenAndTheHostGoesOn() throws SQLException {
    Connection connection = begin();
    List<Runnable> afterCommit = new ArrayList<>();
    EnqueueTransaction transaction = store.transaction(connection, afterCommit::add);

    assertThatThrownBy(
            () ->
                web.submitAll(
                    List.of(invoiceFor("order-1"), ReportRequest.of("no-such-report", Map.of())),
                    transaction))
        .isInstanceOf(UnknownReportTypeException.class)
        .hasMessageContaining("no-such-report");

    // the host's transaction is untouched and still usable
    saveOrder(connection, "order-1", web.submit(invoiceFor("order-1"), transaction));
    connection.commit();
    afterCommit.forEach(Runnable::run);
    assertThat(committedOrders()).containsExactly("order-1");
    assertThat(storedJobs()).hasSize(1);
    assertThat(heard).hasSize(1);
  }

  @Test
  void keyAlreadyStoredNamesTheEarlierJobAndAnnouncesNothing() throws SQLException {
    JobId earlier = web.submit(keyedInvoiceFor("order-1"));
    heard.clear();

    Connection connection = begin();
    List<Runnable> afterCommit = new ArrayList<>();
    JobId again =
        web.submit(keyedInvoiceFor("order-1"), store.transaction(connection, afterCommit::add));
    saveOrder(connection, "order-1", again);
    connection.commit();
    afterCommit.forEach(Runnable::run);

    assertThat(again).isEqualTo(earlier);
    assertThat(storedJobs()).containsExactly(earlier);
    assertThat(heard).isEmpty();
    assertThat(committedOrders()).containsExactly("order-1");
  }

  @Test
  void keyTakenByAConcurrentTransactionWaitsForItsCommitAndKeepsTheHostTransactionAlive()
      throws Exception {
    Connection first = begin();
    Connection second = begin();
    allowLongLockWaits(second);
    long secondSession = sessionId(second);
    List<Runnable> firstAfterCommit = new ArrayList<>();
    List<Runnable> secondAfterCommit = new ArrayList<>();
    ReportRequest request = keyedInvoiceFor("order-1");
    JobId firstId = web.submit(request, store.transaction(first, firstAfterCommit::add));

    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      Future<JobId> secondId =
          other.submit(
              () -> web.submit(request, store.transaction(second, secondAfterCommit::add)));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> secondId.isDone() || waitsForALock(secondSession));
      assertThat(secondId).isNotDone();

      saveOrder(first, "order-1", firstId);
      first.commit();
      firstAfterCommit.forEach(Runnable::run);

      assertThat(secondId.get(30, TimeUnit.SECONDS)).isEqualTo(firstId);
    } finally {
      other.shutdownNow();
    }
    // the second host's transaction was not aborted by the taken key: it goes on and commits
    saveOrder(second, "order-2", firstId);
    second.commit();
    secondAfterCommit.forEach(Runnable::run);

    assertThat(committedOrders()).containsExactly("order-1", "order-2");
    assertThat(storedJobs()).containsExactly(firstId);
    assertThat(heard).extracting(JobTransition::jobId).containsExactly(firstId);
  }

  /** Lets {@code connection} wait for another transaction's row lock longer than the test does. */
  protected abstract void allowLongLockWaits(Connection connection) throws SQLException;

  /** The database's id of the session of {@code connection}. */
  protected abstract long sessionId(Connection connection) throws SQLException;

  /** Whether the session is waiting for a lock another one holds; asked on another connection. */
  protected abstract boolean waitsForALock(long session) throws SQLException;

  @Test
  void jdbiTransactionCommitsTheJobWithTheOrderAndAnnouncesAfterward() throws SQLException {
    Jdbi host = Jdbi.create(jdbcUrl());
    List<Integer> heardInsideTransaction = new ArrayList<>();
    JobId id =
        host.inTransaction(
            handle -> {
              JobId submitted = web.submit(invoiceFor("order-1"), store.transaction(handle));
              handle.execute(
                  "INSERT INTO " + orders + " VALUES (?, ?)", "order-1", submitted.toString());
              heardInsideTransaction.add(heard.size());
              return submitted;
            });

    assertThat(heardInsideTransaction).containsExactly(0);
    assertThat(heard).extracting(JobTransition::jobId).containsExactly(id);
    assertThat(committedOrders()).containsExactly("order-1");
    assertThat(worker.runDueJobs()).isEqualTo(1);
  }

  @Test
  void jdbiTransactionThatFailsLeavesNothingAndAnnouncesNothing() throws SQLException {
    Jdbi host = Jdbi.create(jdbcUrl());
    assertThatThrownBy(
            () ->
                host.useTransaction(
                    handle -> {
                      JobId submitted =
                          web.submit(invoiceFor("order-1"), store.transaction(handle));
                      handle.execute(
                          "INSERT INTO " + orders + " VALUES (?, ?)",
                          "order-1",
                          submitted.toString());
                      throw new IllegalStateException("payment declined");
                    }))
        .hasMessage("payment declined");

    assertThat(committedOrders()).isEmpty();
    assertThat(storedJobs()).isEmpty();
    assertThat(heard).isEmpty();
    assertThat(worker.runDueJobs()).isZero();
  }

  @Test
  void jdbiHandleOutsideATransactionIsRejected() {
    try (Handle handle = Jdbi.open(jdbcUrl())) {
      assertThatThrownBy(() -> store.transaction(handle))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("autocommit");
    }
    assertThat(storedJobs()).isEmpty();
  }
}
