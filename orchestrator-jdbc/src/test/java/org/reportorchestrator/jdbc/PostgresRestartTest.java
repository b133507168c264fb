package org.reportorchestrator.jdbc;

class PostgresRestartTest extends RestartContract {

  private final String prefix = TablePrefixes.unique();

  @Override
  JdbcJobRepository openStore() {
    return JdbcJobRepository.builder().jdbcUrl(TestPostgres.jdbcUrl()).tablePrefix(prefix).build();
  }

  @Override
  void dropDatabase() {
    TestPostgres.dropTables(prefix);
  }
}
