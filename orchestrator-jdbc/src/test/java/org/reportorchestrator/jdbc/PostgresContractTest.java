package org.reportorchestrator.jdbc;

import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.spi.JobRepositoryContract;

class PostgresContractTest extends JobRepositoryContract {
  private final ScratchTables tables = ScratchTables.postgres();

  @Override
  protected JobRepository newRepository() {
    return tables.open();
  }

  @Override
  protected void closeRepository(JobRepository repository) {
    tables.close(repository);
  }

  @Override
  protected boolean claimsOnInsert() {
    return true;
  }
}
