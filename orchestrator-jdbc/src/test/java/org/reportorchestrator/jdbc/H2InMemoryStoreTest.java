package org.reportorchestrator.jdbc;

class H2InMemoryStoreTest extends JdbcStoreBehaviourTest {

  private static final String URL = H2Databases.inMemoryUrl();

  @Override
  String jdbcUrl() {
    return URL;
  }

  @Override
  void dropTables(String tablePrefix) {
    H2Databases.dropTables(URL, tablePrefix);
  }
}
