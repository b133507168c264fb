package org.reportorchestrator.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.reportorchestrator.spi.JobEvent;
import org.reportorchestrator.spi.JobEventFeed;

/**
 * A PostgreSQL store's event feed: one connection that {@code LISTEN}s on the store's channel and
 * waits for notifications with the driver's {@link PGConnection#getNotifications(int)}. Used by one
 * thread; closing it closes (or gives back) its connection.
 *
 * <p>Waiting only reads the socket, so a connection that a firewall or NAT dropped without closing
 * it would just hear nothing, forever. After {@link #QUIET} without a notification the feed
 * therefore sends one {@code SELECT 1}; the connection's network timeout ({@link #PROBE_TIMEOUT})
 * bounds every wait for the server's answer, so a dead connection fails within it rather than TCP's
 * retransmission timeout, and core opens the feed again.
 */
final class PostgresEventFeed implements JobEventFeed {

  /** How long the feed may hear nothing before it checks that its connection still answers. */
  static final Duration QUIET = Duration.ofSeconds(30);

  /** The longest the connection waits for the server's answer to a statement. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

  private final Connection connection;
  private final PGConnection postgres;
  private final String channel;
  private final Duration quiet;

  /** The connection's network timeout before the feed set its own; given back with it. */
  private final int networkTimeout;

  /** The sum of the waits since the last notification or probe: how long the feed heard nothing. */
  private Duration quietFor = Duration.ZERO;

  private boolean closed;

  private PostgresEventFeed(
      Connection connection,
      PGConnection postgres,
      String channel,
      Duration quiet,
      int networkTimeout) {
    this.connection = connection;
    this.postgres = postgres;
    this.channel = channel;
    this.quiet = quiet;
    this.networkTimeout = networkTimeout;
  }

  /**
   * Starts listening on {@code connection}, which the feed then owns.
   *
   * @throws SQLException if the connection is not PostgreSQL's or LISTEN fails; the connection is
   *     closed
   */
  static PostgresEventFeed listen(Connection connection, String channel) throws SQLException {
    return listen(connection, channel, QUIET, PROBE_TIMEOUT);
  }

  /** As {@link #listen(Connection, String)}, with the probe's timings; for tests. */
  static PostgresEventFeed listen(
      Connection connection, String channel, Duration quiet, Duration probeTimeout)
      throws SQLException {
    try {
      PGConnection postgres = connection.unwrap(PGConnection.class);
      connection.setAutoCommit(true);
      int networkTimeout = connection.getNetworkTimeout();
      // pgjdbc does not use the executor; close() restores the old timeout
      connection.setNetworkTimeout(Runnable::run, (int) probeTimeout.toMillis());
      try (Statement statement = connection.createStatement()) {
        // the channel is [a-z0-9_] (EventPayloads.channel); quoted, LISTEN takes it as written
        statement.execute("LISTEN \"" + channel + "\"");
      }
      return new PostgresEventFeed(connection, postgres, channel, quiet, networkTimeout);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(connection, e);
      throw e;
    }
  }

  @Override
  public List<JobEvent> await(Duration timeout) {
    PGNotification @Nullable [] notifications;
    try {
      notifications = postgres.getNotifications((int) Math.max(1, timeout.toMillis()));
    } catch (SQLException e) {
      throw Connections.failure("wait for notifications on channel " + channel, e);
    }
    if (notifications == null || notifications.length == 0) {
      quietFor = quietFor.plus(timeout);
      if (quietFor.compareTo(quiet) >= 0) {
        quietFor = Duration.ZERO;
        probe();
      }
      return List.of();
    }
    quietFor = Duration.ZERO;
    List<JobEvent> events = new ArrayList<>(notifications.length);
    for (PGNotification notification : notifications) {
      if (channel.equals(notification.getName())) {
        JobEvent event = EventPayloads.parse(notification.getParameter());
        if (event != null) {
          events.add(event);
        }
      }
    }
    return events;
  }

  /**
   * One round trip, so that a connection dropped on the way fails here.
   *
   * @throws org.reportorchestrator.StorageException if it did
   */
  private void probe() {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SELECT 1");
    } catch (SQLException e) {
      throw Connections.failure(
          "check the connection listening on channel " + channel + " after a quiet spell", e);
    }
  }

  /** The backend process of the listening connection; for tests that cut it off. */
  int backendPid() {
    return postgres.getBackendPID();
  }

  /**
   * Stops listening and closes the connection. UNLISTEN first: a connection borrowed from a pool
   * goes back to it, and one still listening would pile up notifications nobody reads.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try (Statement statement = connection.createStatement()) {
      statement.execute("UNLISTEN *");
      // a host's pool may not reset it, and its next borrower may wait longer than the probe
      connection.setNetworkTimeout(Runnable::run, networkTimeout);
    } catch (SQLException e) {
      // the connection broke; the server dropped its LISTEN with it, and a pool evicts it
    }
    closeQuietly(connection, null);
  }

  private static void closeQuietly(Connection connection, @Nullable Exception failure) {
    try {
      connection.close();
    } catch (SQLException e) {
      // a connection that broke may fail to close too; the server drops its LISTEN with it
      if (failure != null) {
        failure.addSuppressed(e);
      }
    }
  }
}
