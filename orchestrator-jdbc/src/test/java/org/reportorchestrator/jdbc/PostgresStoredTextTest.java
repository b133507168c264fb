package org.reportorchestrator.jdbc;

import org.reportorchestrator.StoredTextContract;
import org.reportorchestrator.spi.JobRepository;

class PostgresStoredTextTest extends StoredTextContract {
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
