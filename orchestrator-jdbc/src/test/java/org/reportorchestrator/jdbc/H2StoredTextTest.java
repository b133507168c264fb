package org.reportorchestrator.jdbc;

import org.reportorchestrator.StoredTextContract;
import org.reportorchestrator.spi.JobRepository;

class H2StoredTextTest extends StoredTextContract {

  private static final String URL = H2Databases.inMemoryUrl();
  private String prefix;

  @Override
  protected JobRepository newRepository() {
    prefix = TablePrefixes.unique();
    return JdbcJobRepository.builder().jdbcUrl(URL).tablePrefix(prefix).build();
  }

  @Override
  protected void closeRepository(JobRepository repository) {
    ((JdbcJobRepository) repository).close();
    H2Databases.dropTables(URL, prefix);
  }
}
