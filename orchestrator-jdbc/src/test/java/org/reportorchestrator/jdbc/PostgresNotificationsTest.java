package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.reportorchestrator.CancelOutcome;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ReportResult;

/**
 * A node hears of submits and cancellations on another node through PostgreSQL's LISTEN/NOTIFY. The
 * worker node polls and renews leases only once an hour, so that within the tests' bounds the only
 * way it can start a job submitted elsewhere, or stop a job cancelled elsewhere, is a notification
 * (or the one poll and heartbeat that follow each (re)opening of its feed, which the tests account
 * for).
 */
class PostgresNotificationsTest {

  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final Duration NEVER = Duration.ofHours(1);

  private final PostgresNodes nodes = new PostgresNodes();
  private final Set<JobId> started = ConcurrentHashMap.newKeySet();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void close() throws Exception {
    release.countDown();
    nodes.close();
  }

  private ReportOrchestrator submitter() {
    return nodes.closeLater(
        ReportOrchestrator.builder()
            .repository(nodes.openStore())
            .nodeId("submitter")
            .submitOnly("report")
            .build());
  }

  /** A node that runs "report" jobs, each until released or cancelled, and looks only hourly. */
  private ReportOrchestrator worker(JdbcJobRepository store) {
    ReportOrchestrator worker =
        nodes.closeLater(
            ReportOrchestrator.builder()
                .repository(store)
                .nodeId("worker")
                .workerCount(8)
                .pollInterval(NEVER)
                .leaseDuration(NEVER)
                .register(
                    "report",
                    context -> {
                      started.add(context.jobId());
                      try {
                        release.await();
                      } catch (InterruptedException e) {
                        context.throwIfCancellationRequested();
                        throw e;
                      }
                      return ReportResult.empty();
                    })
                .build());
    worker.start();
    return worker;
  }

  /**
   * Three jobs submitted one after another, each once the one before started: the worker's first
   * poll and the poll after its feed opened can start at most the first two, so the third starts
   * only because a notification woke the worker.
   */
  @Test
  void jobSubmittedOnAnotherNodeStartsWithoutWaitingForThePoll() {
    ReportOrchestrator submitter = submitter();
    worker(nodes.openStore());

    for (int i = 0; i < 3; i++) {
      JobId id = submitter.submit(ReportRequest.of("report", Map.of()));
      await().atMost(BOUND).until(() -> started.contains(id));
    }
  }

  /**
   * Once the worker demonstrably hears notifications (a third job started), a cancel on the
   * submitter reaches the running task long before the worker's next heartbeat.
   */
  @Test
  void cancelOnAnotherNodeReachesTheRunningTaskWithoutWaitingForTheHeartbeat() {
    ReportOrchestrator submitter = submitter();
    worker(nodes.openStore());
    JobId last = null;
    for (int i = 0; i < 3; i++) {
      JobId id = submitter.submit(ReportRequest.of("report", Map.of()));
      await().atMost(BOUND).until(() -> started.contains(id));
      last = id;
    }
    JobId cancelled = last;

    assertThat(submitter.cancel(cancelled)).isEqualTo(CancelOutcome.CANCELLATION_REQUESTED);

    await()
        .atMost(BOUND)
        .until(
            () -> submitter.find(cancelled).map(JobSnapshot::state).orElseThrow(),
            state -> state == JobState.CANCELLED);
  }

  /**
   * The worker's listening connection is cut (its backend terminated) and cannot be had again for a
   * while; a job submitted meanwhile sends a notification nobody hears. Once connections come back
   * the worker listens again and looks at once, so that job starts without waiting an hour, and so
   * does one submitted after.
   */
  @Test
  void workerListensAgainAfterItsConnectionIsCutAndCatchesUpOnWhatItMissed() throws Exception {
    ReportOrchestrator submitter = submitter();
    GatedDataSource gate = new GatedDataSource(TestPostgres.dataSource());
    JdbcJobRepository workerStore =
        nodes.keep(
            JdbcJobRepository.builder().dataSource(gate).tablePrefix(nodes.prefix()).build());
    worker(workerStore);
    String channel = workerStore.eventChannel();
    int listener = await().atMost(BOUND).until(() -> listenerPid(channel), pid -> pid != 0);

    gate.closed.set(true);
    terminate(listener);
    // the worker noticed the cut and is trying to listen again, in vain
    await().atMost(BOUND).until(() -> gate.refused.get() >= 1);
    JobId whileDeaf = submitter.submit(ReportRequest.of("report", Map.of()));
    gate.closed.set(false);

    await().atMost(BOUND).until(() -> started.contains(whileDeaf));
    await().atMost(BOUND).until(() -> listenerPid(channel), pid -> pid != 0 && pid != listener);
    for (int i = 0; i < 2; i++) {
      JobId after = submitter.submit(ReportRequest.of("report", Map.of()));
      await().atMost(BOUND).until(() -> started.contains(after));
    }
  }

  /**
   * The worker's listening connection goes dead without closing (a proxy stops forwarding on it, as
   * a firewall that forgot it would), so waiting for notifications just hears nothing, and a job
   * submitted then is not heard of. The worker checks its quiet connection, finds it dead, listens
   * again and looks at once, so that job starts without waiting an hour.
   */
  @Test
  void workerNoticesAListeningConnectionThatSilentlyStoppedAnsweringAndListensAgain()
      throws Exception {
    ReportOrchestrator submitter = submitter();
    PGSimpleDataSource server = new PGSimpleDataSource();
    server.setURL(TestPostgres.jdbcUrl());
    try (BlackHoleProxy proxy =
        new BlackHoleProxy(server.getServerNames()[0], server.getPortNumbers()[0])) {
      PGSimpleDataSource viaProxy = new PGSimpleDataSource();
      viaProxy.setURL(TestPostgres.jdbcUrl());
      viaProxy.setServerNames(new String[] {proxy.address().getHostString()});
      viaProxy.setPortNumbers(new int[] {proxy.address().getPort()});
      JdbcJobRepository workerStore =
          nodes.keep(
              JdbcJobRepository.builder()
                  .dataSource(viaProxy)
                  .tablePrefix(nodes.prefix())
                  .feedProbe(Duration.ofSeconds(1), Duration.ofSeconds(2))
                  .build());
      ReportOrchestrator worker = worker(workerStore);
      // the worker hears notifications: a third job starts only by one
      for (int i = 0; i < 3; i++) {
        JobId id = submitter.submit(ReportRequest.of("report", Map.of()));
        await().atMost(BOUND).until(() -> started.contains(id));
      }

      // the worker polls and renews hourly: the listening connection is the only one it holds
      proxy.blackHoleOpenConnections();
      JobId whileDeaf = submitter.submit(ReportRequest.of("report", Map.of()));

      await().atMost(BOUND).until(() -> started.contains(whileDeaf));
      JobId after = submitter.submit(ReportRequest.of("report", Map.of()));
      await().atMost(BOUND).until(() -> started.contains(after));
      release.countDown();
      worker.close();
    }
  }

  /** The backend that listens on {@code channel}, 0 if none does. */
  private static int listenerPid(String channel) throws SQLException {
    try (Connection connection = TestPostgres.dataSource().getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT pid FROM pg_stat_activity WHERE state = 'idle' AND query = ?")) {
      select.setString(1, "LISTEN \"" + channel + "\"");
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? rows.getInt(1) : 0;
      }
    }
  }

  private static void terminate(int pid) throws SQLException {
    try (Connection connection = TestPostgres.dataSource().getConnection();
        PreparedStatement terminate =
            connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
      terminate.setInt(1, pid);
      try (ResultSet rows = terminate.executeQuery()) {
        assertThat(rows.next() && rows.getBoolean(1)).as("terminated the listener").isTrue();
      }
    }
  }

  /** A data source that refuses new connections while closed, and counts what it refused. */
  private static final class GatedDataSource implements DataSource {

    final AtomicBoolean closed = new AtomicBoolean();
    final AtomicInteger refused = new AtomicInteger();
    private final DataSource delegate;

    GatedDataSource(DataSource delegate) {
      this.delegate = delegate;
    }

    @Override
    public Connection getConnection() throws SQLException {
      if (closed.get()) {
        refused.incrementAndGet();
        throw new SQLException("connections are refused for the test", "08001");
      }
      return delegate.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
      return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
      delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
      delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
      return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
      return false;
    }
  }
}
