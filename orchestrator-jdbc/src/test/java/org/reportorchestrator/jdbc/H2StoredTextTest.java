package org.reportorchestrator.jdbc;

import org.reportorchestrator.StoredTextContract;
import org.reportorchestrator.spi.JobRepository;

class H2StoredTextTest extends StoredTextContract {
  private static final String URL = H2Databases.inMemoryUrl();
  private final ScratchTables tables = ScratchTables.h2(() -> URL);

  @Override
  protected JobRepository newRepository() {
    return tables.open();
  }

  @Override
  protected void closeRepository(JobRepository repository) {
    tables.close(repository);
  }
}
