package org.reportorchestrator.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class H2FileStoreTest extends JdbcStoreBehaviourTest {

  @TempDir static Path folder;

  @Override
  String jdbcUrl() {
    return H2Databases.fileUrl(folder);
  }

  @Override
  void dropTables(String tablePrefix) {
    H2Databases.dropTables(jdbcUrl(), tablePrefix);
  }
}
