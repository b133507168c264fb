package org.reportorchestrator.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.JobRepositoryContract;

class H2FileContractTest extends JobRepositoryContract {

  @TempDir static Path folder;
  private String prefix;

  @Override
  protected JobRepository newRepository() {
    prefix = TablePrefixes.unique();
    return JdbcJobRepository.builder()
        .jdbcUrl(H2Databases.fileUrl(folder))
        .tablePrefix(prefix)
        .build();
  }

  /** File mode proves durability; the in-memory and PostgreSQL runs hammer with more jobs. */
  @Override
  protected int hammerJobCount() {
    return 500;
  }

  @Override
  protected void closeRepository(JobRepository repository) {
    ((JdbcJobRepository) repository).close();
    H2Databases.dropTables(H2Databases.fileUrl(folder), prefix);
  }
}
