package org.reportorchestrator.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

class H2TransactionalEnqueueTest extends TransactionalEnqueueContract {

  private static final String URL = H2Databases.inMemoryUrl();

  @Override
  protected String jdbcUrl() {
    return URL;
  }

  @Override
  protected void dropTables(String prefix) {
    H2Databases.dropTables(URL, prefix);
  }

  @Override
  protected void allowLongLockWaits(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET LOCK_TIMEOUT 120000");
    }
  }

  @Override
  protected long sessionId(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT SESSION_ID()")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /**
   * H2 names no blocker for a wait on a unique index entry, but shows the statement the session is
   * running: an insert that stays running while the other transaction holds the key waits for it.
   */
  @Override
  protected boolean waitsForALock(long session) throws SQLException {
    try (Connection observer = DriverManager.getConnection(URL);
        PreparedStatement query =
            observer.prepareStatement(
                "SELECT EXECUTING_STATEMENT FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID = ?")) {
      query.setLong(1, session);
      try (ResultSet rows = query.executeQuery()) {
        if (!rows.next()) {
          return false;
        }
        String statement = rows.getString(1);
        return statement != null && statement.startsWith("INSERT INTO");
      }
    }
  }
}
