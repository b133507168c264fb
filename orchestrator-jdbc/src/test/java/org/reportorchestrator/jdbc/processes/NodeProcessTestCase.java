package org.reportorchestrator.jdbc.processes;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.reportorchestrator.TaskOptions;
import org.reportorchestrator.jdbc.TablePrefixes;

/**
 * What the tests with node JVMs share: a fresh set of tables, the nodes started on them, and the
 * clean-up of both (nodes first, then the tables), however the test ended.
 */
abstract class NodeProcessTestCase {

  protected ProcessTestDatabase database;
  protected NodeProcesses processes;

  /** Makes fresh tables in the database at {@code jdbcUrl} and starts {@code nodes} on them. */
  protected final List<NodeProcess> startNodes(
      String jdbcUrl, String testName, List<NodeOptions> nodes) throws Exception {
    database = new ProcessTestDatabase(jdbcUrl, TablePrefixes.unique(), TaskOptions.DEFAULTS);
    processes = new NodeProcesses(database.jdbcUrl(), database.prefix(), testName);
    return processes.startAll(nodes);
  }

  /** Stops the nodes and drops the tables; does nothing the second time. */
  @AfterEach
  protected final void stopNodesAndDropTables() throws Exception {
    try {
      if (processes != null) {
        processes.close();
        processes = null;
      }
    } finally {
      if (database != null) {
        database.close();
        database = null;
      }
    }
  }
}
