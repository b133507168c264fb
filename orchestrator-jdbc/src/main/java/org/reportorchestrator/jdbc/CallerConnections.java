package org.reportorchestrator.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import org.jdbi.v3.core.ConnectionFactory;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Jdbi handles on a host's own connections, which the store uses inside the host's transaction and
 * never commits, rolls back or closes. One {@link Jdbi} serves them all: building a Jdbi costs
 * milliseconds (its whole default configuration), several times the insert it would run. Its
 * connection factory hands out the connection that the opening thread passes in. Thread-safe.
 */
final class CallerConnections {

  private final ThreadLocal<Connection> opening = new ThreadLocal<>();
  private final Jdbi jdbi =
      Jdbi.create(
          new ConnectionFactory() {
            @Override
            public Connection openConnection() throws SQLException {
              Connection connection = opening.get();
              if (connection == null) {
                throw new SQLException("no caller's connection to open a handle on");
              }
              return connection;
            }

            @Override
            public void closeConnection(Connection connection) {
              // the host's: it ends the transaction and closes the connection
            }
          });

  /**
   * A handle on {@code connection}. Closing it leaves the connection open and its transaction
   * alone: Jdbi rolls back on close only a transaction the handle found not yet begun.
   */
  Handle open(Connection connection) {
    opening.set(connection);
    try {
      return jdbi.open();
    } finally {
      opening.remove();
    }
  }
}
