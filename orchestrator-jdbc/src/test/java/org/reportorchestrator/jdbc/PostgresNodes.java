package org.reportorchestrator.jdbc;

import java.util.ArrayList;
import java.util.List;
import org.reportorchestrator.ReportOrchestrator;

/**
 * Several nodes on one PostgreSQL for a test: each gets a store with a pool of its own on one set
 * of tables, and everything is closed (newest first) and the tables dropped afterwards.
 */
final class PostgresNodes implements AutoCloseable {

  private final String prefix = TablePrefixes.unique();
  private final List<AutoCloseable> opened = new ArrayList<>();

  JdbcJobRepository openStore() {
    JdbcJobRepository store =
        JdbcJobRepository.builder().jdbcUrl(TestPostgres.jdbcUrl()).tablePrefix(prefix).build();
    opened.add(store);
    return store;
  }

  /** The table prefix every store of these nodes uses. */
  String prefix() {
    return prefix;
  }

  /** Closes {@code store} with the nodes. */
  JdbcJobRepository keep(JdbcJobRepository store) {
    opened.add(store);
    return store;
  }

  ReportOrchestrator closeLater(ReportOrchestrator orchestrator) {
    opened.add(orchestrator);
    return orchestrator;
  }

  @Override
  public void close() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    TestPostgres.dropTables(prefix);
  }
}
