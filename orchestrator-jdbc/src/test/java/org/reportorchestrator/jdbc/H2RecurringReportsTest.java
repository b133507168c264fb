package org.reportorchestrator.jdbc;

import org.reportorchestrator.RecurringReportsContract;
import org.reportorchestrator.spi.JobRepository;

/** Recurring reports on H2; the racing nodes each open their own store on the same tables. */
class H2RecurringReportsTest extends RecurringReportsContract {
  private static final String URL = H2Databases.inMemoryUrl();
  private final ScratchTables tables = ScratchTables.h2(() -> URL);

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
