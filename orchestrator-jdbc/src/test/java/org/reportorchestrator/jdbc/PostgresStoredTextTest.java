package org.reportorchestrator.jdbc;

import org.reportorchestrator.StoredTextContract;
import org.reportorchestrator.spi.JobRepository;

class PostgresStoredTextTest extends StoredTextContract {

  private String prefix;

  @Override
  protected JobRepository newRepository() {
    prefix = TablePrefixes.unique();
    return JdbcJobRepository.builder().jdbcUrl(TestPostgres.jdbcUrl()).tablePrefix(prefix).build();
  }

  @Override
  protected void closeRepository(JobRepository repository) {
    ((JdbcJobRepository) repository).close();
    TestPostgres.dropTables(prefix);
  }
}
