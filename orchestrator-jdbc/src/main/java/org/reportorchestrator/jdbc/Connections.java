package org.reportorchestrator.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.StorageException;

/**
 * How a store reaches its database: each call runs on a connection of the pool under READ
 * COMMITTED, a failure comes out as the {@link StorageException} core acts on, and the pool is
 * closed with the store only if the store built it. Thread-safe.
 */
final class Connections {

  /** The level every statement of the store is written for, as HikariCP names it. */
  static final String READ_COMMITTED = "TRANSACTION_READ_COMMITTED";

  private final Jdbi jdbi;
  private final @Nullable HikariDataSource ownedPool;
  private final boolean pinReadCommitted;
  private final String storeName;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Connections(
      Jdbi jdbi, @Nullable HikariDataSource ownedPool, boolean pinReadCommitted, String storeName) {
    this.jdbi = jdbi;
    this.ownedPool = ownedPool;
    this.pinReadCommitted = pinReadCommitted;
    this.storeName = storeName;
  }

  /**
   * Connections of the store's own pool, which {@link OwnedPool} configured for READ COMMITTED, and
   * which {@link #close()} closes.
   */
  static Connections ofOwnedPool(Jdbi jdbi, HikariDataSource pool, String storeName) {
    return new Connections(jdbi, pool, false, storeName);
  }

  /** Connections borrowed from a host's pool, which {@link #close()} leaves open. */
  static Connections borrowedFrom(Jdbi jdbi, DataSource hostPool, String storeName)
      throws SQLException {
    return new Connections(jdbi, null, !keepsReadCommitted(jdbi, hostPool), storeName);
  }

  /**
   * Whether every connection of the host's pool is READ COMMITTED when borrowed, so the store can
   * skip checking each one (a round trip on PostgreSQL): true of a HikariCP pool configured with
   * that level, or whose connections start with it, since HikariCP resets a connection that comes
   * back changed to the level its connections start with.
   */
  private static boolean keepsReadCommitted(Jdbi jdbi, DataSource hostPool) throws SQLException {
    if (!(hostPool instanceof HikariDataSource hikari)) {
      return false;
    }
    String configured = hikari.getTransactionIsolation();
    if (configured != null) {
      return configured.equals(READ_COMMITTED);
    }
    return jdbi.withHandle(handle -> handle.getConnection().getTransactionIsolation())
        == Connection.TRANSACTION_READ_COMMITTED;
  }

  /** Runs {@code callback} on one connection in autocommit: one statement needs no COMMIT. */
  <T> T withHandle(String action, HandleCallback<T, SQLException> callback) {
    checkOpen();
    try {
      return jdbi.withHandle(handle -> readCommitted(handle, callback));
    } catch (JdbiException | SQLException e) {
      throw failure(action, e);
    }
  }

  /** Runs {@code callback} in one transaction: all its writes or none. */
  <T> T inTransaction(String action, HandleCallback<T, SQLException> callback) {
    checkOpen();
    try {
      return jdbi.withHandle(
          handle -> readCommitted(handle, inHandle -> inHandle.inTransaction(callback)));
    } catch (JdbiException | SQLException e) {
      throw failure(action, e);
    }
  }

  /**
   * Runs {@code callback} under READ COMMITTED, the level every statement of this store is written
   * for: under REPEATABLE READ or SERIALIZABLE, PostgreSQL fails a claim or a fenced update that
   * meets a row changed since its snapshot, where READ COMMITTED re-reads the row and goes on. A
   * borrowed connection goes back to the host's pool with the level it came with.
   */
  private <T> T readCommitted(Handle handle, HandleCallback<T, SQLException> callback)
      throws SQLException {
    if (!pinReadCommitted) {
      return callback.withHandle(handle);
    }
    Connection connection = handle.getConnection();
    int hostLevel = connection.getTransactionIsolation();
    if (hostLevel == Connection.TRANSACTION_READ_COMMITTED) {
      return callback.withHandle(handle);
    }
    connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    T result;
    try {
      result = callback.withHandle(handle);
    } catch (SQLException | RuntimeException | Error e) {
      try {
        connection.setTransactionIsolation(hostLevel);
      } catch (SQLException restoreFailure) {
        e.addSuppressed(restoreFailure);
      }
      throw e;
    }
    connection.setTransactionIsolation(hostLevel);
    return result;
  }

  void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException(storeName + " is closed");
    }
  }

  /** Closes the pool if the store built it; a host's pool stays open. Idempotent. */
  void close() {
    if (closed.compareAndSet(false, true) && ownedPool != null) {
      ownedPool.close();
    }
  }

  static StorageException failure(String action, Exception e) {
    return SqlFailures.classify("JDBC job store could not " + action, e);
  }
}
