package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class PostgresTransactionalEnqueueTest extends TransactionalEnqueueContract {

  @Override
  protected String jdbcUrl() {
    return TestPostgres.jdbcUrl();
  }

  @Override
  protected void dropTables(String prefix) {
    TestPostgres.dropTables(prefix);
  }

  @Override
  protected void allowLongLockWaits(Connection connection) {
    // PostgreSQL waits for a row lock without limit unless lock_timeout is set
  }

  @Override
  protected long sessionId(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Override
  protected boolean waitsForALock(long session) throws SQLException {
    try (Connection observer = DriverManager.getConnection(jdbcUrl());
        PreparedStatement query =
            observer.prepareStatement(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = ?")) {
      query.setLong(1, session);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() && "Lock".equals(rows.getString(1));
      }
    }
  }

  @Test
  void connectionToAnotherKindOfDatabaseIsRejected() throws SQLException {
    JdbcJobRepository store =
        JdbcJobRepository.builder()
            .jdbcUrl(jdbcUrl())
            .tablePrefix(TablePrefixes.unique())
            .createSchema(false)
            .build();
    try (store;
        Connection h2 = DriverManager.getConnection(H2Databases.inMemoryUrl())) {
      h2.setAutoCommit(false);
      assertThatThrownBy(() -> store.transaction(h2, Runnable::run))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("H2")
          .hasMessageContaining("POSTGRESQL");
    }
    assertThat(store.dialect()).isEqualTo(JdbcJobRepository.Dialect.POSTGRESQL);
  }
}
