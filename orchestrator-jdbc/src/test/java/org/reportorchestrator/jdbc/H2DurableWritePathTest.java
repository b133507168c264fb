package org.reportorchestrator.jdbc;

import org.reportorchestrator.DurableWritePathContract;
import org.reportorchestrator.spi.JobRepository;

class H2DurableWritePathTest extends DurableWritePathContract {

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
