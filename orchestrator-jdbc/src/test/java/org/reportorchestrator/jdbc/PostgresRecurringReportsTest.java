package org.reportorchestrator.jdbc;

import org.reportorchestrator.RecurringReportsContract;
import org.reportorchestrator.spi.JobRepository;

/** Recurring reports on Postgres; the racing nodes each open their own store on the same tables. */
class PostgresRecurringReportsTest extends RecurringReportsContract {
  private final ScratchTables tables = ScratchTables.postgres();

  @Override
  protected JobRepository newRepository() {
    return tables.open();
  }

  @Override
  protected JobRepository anotherNodeStore() {
    return tables.openAnother();
  }

  @Override
  protected void closeRepository(JobRepository repository) {
    tables.close(repository);
  }
}
