package org.reportorchestrator.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class H2FileRestartTest extends RestartContract {

  @TempDir Path folder;

  @Override
  JdbcJobRepository openStore() {
    return JdbcJobRepository.builder().jdbcUrl(H2Databases.fileUrl(folder)).build();
  }

  @Override
  void dropDatabase() {
    // the temporary folder goes, and the database file with it
  }
}
