package org.reportorchestrator.examples.spring;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The application on a PostgreSQL schema of its own, dropped when the class is done. */
@DirtiesContext
class ReportsApplicationPostgresTest extends ReportsApplicationContract {

  private static TestDatabases.ScratchSchema schema;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry properties) {
    schema = TestDatabases.postgresSchema();
    properties.add("spring.datasource.url", schema::jdbcUrl);
  }

  @TestConfiguration(proxyBeanMethods = false)
  static class DropSchema {

    @Bean
    SmartLifecycle scratchSchemaDropper() {
      return TestDatabases.dropOnStop(() -> schema);
    }
  }
}
