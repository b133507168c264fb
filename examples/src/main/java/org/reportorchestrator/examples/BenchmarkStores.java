package org.reportorchestrator.examples;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.inmemory.InMemoryJobRepository;
import org.reportorchestrator.jdbc.JdbcJobRepository;
import org.reportorchestrator.spi.JobRepository;

/** A fresh, empty store per benchmark round, dropped afterwards. */
final class BenchmarkStores {

  private BenchmarkStores() {}

  /**
   * A store for one round and the URL of its database, if it has one: PostgreSQL tables with the
   * prefix are dropped after it, an H2 database in memory is shut down.
   */
  record Opened(JobRepository repository, @Nullable String jdbcUrl, String tablePrefix)
      implements AutoCloseable {

    @Override
    public void close() throws SQLException {
      if (repository instanceof JdbcJobRepository jdbc) {
        jdbc.close();
      }
      if (jdbcUrl == null) {
        return;
      }
      if (jdbcUrl.startsWith("jdbc:h2:")) {
        // DB_CLOSE_DELAY=-1 keeps the database after the store's pool closed: without this, every
        // round's jobs stayed in the heap for the rest of the run
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
            Statement statement = connection.createStatement()) {
          statement.execute("SHUTDOWN");
        }
        return;
      }
      try (Connection connection = DriverManager.getConnection(jdbcUrl);
          Statement statement = connection.createStatement()) {
        for (String table : new String[] {"schedules", "job_results", "jobs", "schema_version"}) {
          statement.execute("DROP TABLE IF EXISTS " + tablePrefix + table + " CASCADE");
        }
      }
    }
  }

  static Opened open(String store, @Nullable String jdbcUrl) {
    return open(store, jdbcUrl, true);
  }

  /**
   * A store for one round; {@code notifications} is {@link
   * JdbcJobRepository.Builder#notifications(boolean)} on PostgreSQL.
   */
  static Opened open(String store, @Nullable String jdbcUrl, boolean notifications) {
    switch (store.toLowerCase(Locale.ROOT)) {
      case "memory":
        return new Opened(new InMemoryJobRepository(), null, "");
      case "h2":
        String h2Url = "jdbc:h2:mem:bench-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        return new Opened(JdbcJobRepository.builder().jdbcUrl(h2Url).build(), h2Url, "");
      case "postgres":
        if (jdbcUrl == null) {
          throw new IllegalArgumentException("--store postgres needs --jdbc-url");
        }
        String prefix = "bench_" + UUID.randomUUID().toString().substring(0, 8) + "_";
        return new Opened(
            JdbcJobRepository.builder()
                .jdbcUrl(jdbcUrl)
                .tablePrefix(prefix)
                .notifications(notifications)
                .build(),
            jdbcUrl,
            prefix);
      default:
        throw new IllegalArgumentException(
            "--store must be memory, h2 or postgres, not '" + store + "'");
    }
  }
}
