package org.reportorchestrator.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.StorageException;

/**
 * The HikariCP pool a store builds for itself from a JDBC URL or a {@link HikariConfig}, and closes
 * with itself. Stateless.
 */
final class OwnedPool {

  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile("(?i)((?:password|pwd)=)[^&;]*");

  private OwnedPool() {}

  /**
   * Starts a pool from a copy of {@code config} if given, else from {@code jdbcUrl} with at most 10
   * connections and 5 seconds to wait for one.
   *
   * @throws IllegalArgumentException if no JDBC driver on the classpath accepts the URL
   * @throws StorageException if the pool cannot open
   */
  static HikariDataSource start(
      @Nullable HikariConfig hikariConfig,
      @Nullable String jdbcUrl,
      @Nullable String username,
      @Nullable String password) {
    HikariConfig config = new HikariConfig();
    if (hikariConfig != null) {
      hikariConfig.copyStateTo(config);
    } else {
      config.setJdbcUrl(jdbcUrl);
      config.setUsername(username);
      config.setPassword(password);
      config.setMaximumPoolSize(10);
      config.setConnectionTimeout(TimeUnit.SECONDS.toMillis(5));
    }
    if (config.getPoolName() == null) {
      config.setPoolName("orchestrator-jdbc");
    }
    if (config.getJdbcUrl() != null
        && config.getDriverClassName() == null
        && config.getDataSourceClassName() == null
        && config.getDataSource() == null) {
      requireDriverFor(config.getJdbcUrl());
    }
    if (config.getJdbcUrl() != null) {
      config.setJdbcUrl(H2FileSettings.withStoreSettings(config.getJdbcUrl()));
    }
    // HikariCP sets this on every new connection and restores it on any that come back changed,
    // so the store's own pool is READ COMMITTED whatever the server's default, at no cost.
    config.setTransactionIsolation(Connections.READ_COMMITTED);
    try {
      return new HikariDataSource(config);
    } catch (HikariPool.PoolInitializationException e) {
      throw new StorageException(
          "JDBC job store could not open its connection pool: " + e.getMessage(), e);
    }
  }

  /**
   * Refuses a URL no driver accepts before HikariCP does, since HikariCP reports it with a bare
   * {@code RuntimeException}; says which dependency is missing when the URL is one we speak.
   */
  private static void requireDriverFor(String url) {
    try {
      DriverManager.getDriver(url);
    } catch (SQLException noDriver) {
      String shown = withoutSecrets(url);
      if (url.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            "jdbcUrl '"
                + shown
                + "': the PostgreSQL JDBC driver is not on the classpath; add the Maven"
                + " dependency org.postgresql:postgresql",
            noDriver);
      }
      if (url.startsWith("jdbc:h2:")) {
        throw new IllegalArgumentException(
            "jdbcUrl '"
                + shown
                + "': the H2 JDBC driver is not on the classpath; add the Maven dependency"
                + " com.h2database:h2",
            noDriver);
      }
      throw new IllegalArgumentException(
          "jdbcUrl '"
              + shown
              + "' is accepted by no JDBC driver on the classpath; orchestrator-jdbc speaks"
              + " PostgreSQL (jdbc:postgresql://host/database) and H2 (jdbc:h2:...)",
          noDriver);
    }
  }

  /** A URL fit for an exception message: a password in its parameters is masked. */
  static String withoutSecrets(String url) {
    return PASSWORD_PARAMETER.matcher(url).replaceAll("$1***");
  }
}
