package org.reportorchestrator.examples.spring;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The application on an in-memory H2 database of its own. */
class ReportsApplicationH2Test extends ReportsApplicationContract {

  private static final String URL = TestDatabases.h2Url();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry properties) {
    properties.add("spring.datasource.url", () -> URL);
  }
}
