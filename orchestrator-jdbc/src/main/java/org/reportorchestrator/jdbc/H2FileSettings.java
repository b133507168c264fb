package org.reportorchestrator.jdbc;

import java.sql.SQLException;
import java.util.Locale;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings an embedded H2 file database needs to keep the store's promises: added to a URL the
 * store builds its own pool from, and checked on a host's database, whose settings the store cannot
 * change. Stateless.
 *
 * <ul>
 *   <li>{@code WRITE_DELAY=0}: by default H2 writes committed changes to its file up to 500 ms
 *       later, so a process killed right after {@code submit} returned loses jobs it acknowledged.
 *       With 0 every commit reaches the file (the operating system's cache, not the disk: a killed
 *       process loses nothing, a power cut may).
 *   <li>{@code DB_CLOSE_ON_EXIT=FALSE}: by default H2's own shutdown hook closes the database when
 *       the JVM begins to exit, while the orchestrator's shutdown grace period still wants to
 *       record the outcomes of running jobs. The store's {@code close()} closes its pool, and H2
 *       closes the database with its last connection.
 * </ul>
 *
 * <p>A setting the URL already names is left as it is.
 */
final class H2FileSettings {

  /** The store's logger: hosts look for, and set levels of, the store's warnings under its name. */
  private static final Logger LOG = LoggerFactory.getLogger(JdbcJobRepository.class);

  static final String WRITE_DELAY = "WRITE_DELAY";
  static final String DB_CLOSE_ON_EXIT = "DB_CLOSE_ON_EXIT";

  private H2FileSettings() {}

  /** Whether {@code url} opens an embedded H2 database kept in files. */
  static boolean isEmbeddedFile(String url) {
    if (!url.regionMatches(true, 0, "jdbc:h2:", 0, "jdbc:h2:".length())) {
      return false;
    }
    String rest = url.substring("jdbc:h2:".length()).toLowerCase(Locale.ROOT);
    return !rest.startsWith("mem:") && !rest.startsWith("tcp:") && !rest.startsWith("ssl:");
  }

  /** {@code url} with the store's settings added where it does not name them itself. */
  static String withStoreSettings(String url) {
    if (!isEmbeddedFile(url)) {
      return url;
    }
    String withSettings = url;
    if (!names(url, WRITE_DELAY)) {
      withSettings += ";" + WRITE_DELAY + "=0";
    }
    if (!names(url, DB_CLOSE_ON_EXIT)) {
      withSettings += ";" + DB_CLOSE_ON_EXIT + "=FALSE";
    }
    return withSettings;
  }

  private static boolean names(String url, String setting) {
    return url.toUpperCase(Locale.ROOT).contains(";" + setting + "=");
  }

  /**
   * Warns when the host's H2 file database delays writes: a process killed within the delay loses
   * jobs whose submit had returned.
   */
  static void warnIfWritesAreDelayed(Jdbi jdbi) throws SQLException {
    jdbi.useHandle(
        handle -> {
          String path = handle.createQuery("SELECT DATABASE_PATH()").mapTo(String.class).one();
          if (path == null) {
            return; // in memory: nothing outlives the process anyway
          }
          int delay =
              handle
                  .createQuery(
                      "SELECT CAST(SETTING_VALUE AS INT) FROM INFORMATION_SCHEMA.SETTINGS"
                          + " WHERE SETTING_NAME = 'WRITE_DELAY'")
                  .mapTo(Integer.class)
                  .findOne()
                  .orElse(0);
          if (delay > 0) {
            LOG.warn(
                "The H2 file database {} writes commits up to {} ms late (WRITE_DELAY), so a"
                    + " process killed in that time loses jobs whose submit had returned; add"
                    + " ;WRITE_DELAY=0 to the host DataSource's JDBC URL",
                path,
                delay);
          }
        });
  }
}
