package org.reportorchestrator.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned DDL resources ({@code schema/<dialect>/V<n>__<name>.sql}) that a database
 * has not seen yet, and records each in the {@code <prefix>schema_version} table.
 *
 * <p>Several nodes may start at once. On PostgreSQL the migration runs in one transaction that
 * first takes a transaction-scoped advisory lock, so the others wait and then find the work done.
 * H2 runs embedded in one JVM, where a JVM-wide lock does the same job; its DDL commits on its own,
 * which {@code IF NOT EXISTS} makes harmless.
 */
final class SchemaMigrator {

  /** The migrations in order; a new one is appended, never edited once released. */
  static final List<String> MIGRATIONS =
      List.of(
          "V1__jobs.sql",
          "V2__claim_lease_and_purge.sql",
          "V3__query_indexes.sql",
          "V4__history.sql",
          "V5__running_by_type.sql",
          "V6__schedules.sql",
          "V7__fewer_indexes.sql");

  /** Replaced in the resources by the validated table prefix. */
  static final String PREFIX_PLACEHOLDER = "${tablePrefix}";

  private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);
  private static final Object H2_LOCK = new Object();

  /** Mixed with the prefix's hash so stores with different prefixes do not wait on each other. */
  private static final long ADVISORY_LOCK_BASE = 0x5265_706f_7274_4f72L; // "ReportOr"

  private SchemaMigrator() {}

  static void migrate(Jdbi jdbi, JdbcJobRepository.Dialect dialect, String tablePrefix) {
    if (dialect == JdbcJobRepository.Dialect.H2) {
      synchronized (H2_LOCK) {
        jdbi.useTransaction(handle -> migrate(handle, dialect, tablePrefix));
      }
    } else {
      jdbi.useTransaction(handle -> migrate(handle, dialect, tablePrefix));
    }
  }

  private static void migrate(Handle handle, JdbcJobRepository.Dialect dialect, String prefix) {
    if (dialect == JdbcJobRepository.Dialect.POSTGRESQL) {
      handle
          .createQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(:key)) AS locked")
          .bind("key", ADVISORY_LOCK_BASE ^ prefix.hashCode())
          .mapTo(Integer.class)
          .one();
    }
    handle.execute(
        "CREATE TABLE IF NOT EXISTS "
            + prefix
            + "schema_version ("
            + " version INTEGER NOT NULL PRIMARY KEY,"
            + " script VARCHAR(200) NOT NULL,"
            + " applied_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL)");
    int current =
        handle
            .createQuery("SELECT COALESCE(MAX(version), 0) FROM " + prefix + "schema_version")
            .mapTo(Integer.class)
            .one();
    if (current > MIGRATIONS.size()) {
      LOG.warn(
          "Schema of tables '{}*' is at version {}, newer than this library's {}; using it as is",
          prefix,
          current,
          MIGRATIONS.size());
      return;
    }
    for (int version = current + 1; version <= MIGRATIONS.size(); version++) {
      String script = MIGRATIONS.get(version - 1);
      for (String statement : statements(script(dialect, script, prefix))) {
        handle.execute(statement);
      }
      handle
          .createUpdate(
              "INSERT INTO " + prefix + "schema_version (version, script) VALUES (:v, :s)")
          .bind("v", version)
          .bind("s", script)
          .execute();
      LOG.info("Applied {} to tables '{}*' ({})", script, prefix, dialect);
    }
  }

  /** The resource path of one migration script, with the placeholder unreplaced. */
  static String resourcePath(JdbcJobRepository.Dialect dialect, String script) {
    return "org/reportorchestrator/jdbc/schema/" + dialect.resourceFolder() + "/" + script;
  }

  /** One migration script with the prefix filled in. */
  static String script(JdbcJobRepository.Dialect dialect, String script, String prefix) {
    String path = resourcePath(dialect, script);
    try (InputStream in = SchemaMigrator.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("schema resource " + path + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace(PREFIX_PLACEHOLDER, prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schema resource " + path, e);
    }
  }

  /**
   * Splits a script into statements at semicolons that end a line, dropping {@code --} comment
   * lines. The scripts are ours and keep to that form.
   */
  static List<String> statements(String script) {
    StringBuilder withoutComments = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      if (!line.strip().startsWith("--")) {
        withoutComments.append(line).append('\n');
      }
    }
    List<String> statements = new ArrayList<>();
    for (String chunk : withoutComments.toString().split(";\\s*\n")) {
      if (!chunk.isBlank()) {
        statements.add(chunk.strip());
      }
    }
    return statements;
  }
}
