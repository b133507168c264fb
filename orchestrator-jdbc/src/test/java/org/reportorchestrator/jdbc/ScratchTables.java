package org.reportorchestrator.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.reportorchestrator.spi.JobRepository;

/**
 * Stores on fresh tables for the suites that run on every store: each store opens under a new table
 * prefix, and closing it drops those tables. One per test class; not thread-safe.
 */
final class ScratchTables {

  private final Supplier<String> jdbcUrl;
  private final BiConsumer<String, String> dropTables;
  private String prefix;
  private final List<JdbcJobRepository> others = new ArrayList<>();

  private ScratchTables(Supplier<String> jdbcUrl, BiConsumer<String, String> dropTables) {
    this.jdbcUrl = jdbcUrl;
    this.dropTables = dropTables;
  }

  /** On the test PostgreSQL (see {@link TestPostgres}). */
  static ScratchTables postgres() {
    return new ScratchTables(
        TestPostgres::jdbcUrl, (url, prefix) -> TestPostgres.dropTables(prefix));
  }

  /** On the H2 database at the URL {@code jdbcUrl} gives when a store is opened. */
  static ScratchTables h2(Supplier<String> jdbcUrl) {
    return new ScratchTables(jdbcUrl, H2Databases::dropTables);
  }

  JdbcJobRepository open() {
    prefix = TablePrefixes.unique();
    return JdbcJobRepository.builder().jdbcUrl(jdbcUrl.get()).tablePrefix(prefix).build();
  }

  /** Another store on the tables of the last {@link #open()}, as a second node opens them. */
  JdbcJobRepository openAnother() {
    JdbcJobRepository another =
        JdbcJobRepository.builder().jdbcUrl(jdbcUrl.get()).tablePrefix(prefix).build();
    others.add(another);
    return another;
  }

  void close(JobRepository repository) {
    others.forEach(JdbcJobRepository::close);
    others.clear();
    ((JdbcJobRepository) repository).close();
    dropTables.accept(jdbcUrl.get(), prefix);
  }
}
