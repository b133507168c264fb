package org.reportorchestrator.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.JobRepositoryContract;

class H2FileContractTest extends JobRepositoryContract {
  @TempDir static Path folder;
  private final ScratchTables tables = ScratchTables.h2(() -> H2Databases.fileUrl(folder));

  @Override
  protected JobRepository newRepository() {
    return tables.open();
  }

  @Override
  protected void closeRepository(JobRepository repository) {
    tables.close(repository);
  }

  /** File mode proves durability; the in-memory and PostgreSQL runs hammer with more jobs. */
  @Override
  protected int hammerJobCount() {
    return 500;
  }
}
