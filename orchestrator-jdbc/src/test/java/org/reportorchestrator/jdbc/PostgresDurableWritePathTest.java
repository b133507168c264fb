package org.reportorchestrator.jdbc;

import org.reportorchestrator.DurableWritePathContract;
import org.reportorchestrator.spi.JobRepository;

class PostgresDurableWritePathTest extends DurableWritePathContract {
  private final ScratchTables tables = ScratchTables.postgres();

  @Override
  protected JobRepository newRepository() {
    return tables.open();
  }

  @Override
  protected void closeRepository(JobRepository repository) {
    tables.close(repository);
  }
}
