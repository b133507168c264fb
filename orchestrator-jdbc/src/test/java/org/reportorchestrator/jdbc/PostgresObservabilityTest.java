package org.reportorchestrator.jdbc;

import org.reportorchestrator.ObservabilityContract;
import org.reportorchestrator.spi.JobRepository;

class PostgresObservabilityTest extends ObservabilityContract {
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
