package org.reportorchestrator.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** H2 databases for tests: a fresh in-memory one, or a file one in a given folder. */
final class H2Databases {

  private H2Databases() {}

  static String inMemoryUrl() {
    return "jdbc:h2:mem:orchestrator-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  }

  static String fileUrl(Path folder) {
    return "jdbc:h2:file:" + folder.resolve("orchestrator").toAbsolutePath();
  }

  static void dropTables(String url, String prefix) {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      for (String table : new String[] {"schedules", "job_results", "jobs", "schema_version"}) {
        statement.execute("DROP TABLE IF EXISTS " + prefix + table);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop the tables of " + prefix, e);
    }
  }
}
