package org.reportorchestrator.examples.spring;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The store outage on an embedded PostgreSQL that this class starts and stops. */
class PostgresStoreOutageTest extends StoreOutageContract {

  private static EmbeddedPostgres postgres;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry properties) {
    try {
      postgres = EmbeddedPostgres.builder().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
    }
    properties.add("spring.datasource.url", () -> postgres.getJdbcUrl("postgres", "postgres"));
  }

  @Override
  void stopDatabase() throws IOException {
    postgres.close();
  }
}
