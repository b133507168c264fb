package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reportorchestrator.JobId;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.jdbc.JdbcJobRepository.Dialect;
import org.reportorchestrator.spi.NewJob;

class JdbcJobRepositoryBuilderTest {

  private final String url = H2Databases.inMemoryUrl();

  private static HikariDataSource hostPool(String url) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(2);
    return new HikariDataSource(config);
  }

  private static NewJob job() {
    Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
    return new NewJob(
        new JobId(UUID.randomUUID()), "sales", Map.of(), null, 0, t0, 1, Duration.ofMinutes(1), t0);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "1jobs_",
        "my-app_",
        "x; DROP TABLE users; --",
        "a.b",
        "ünïcode",
        "\"quoted\"",
        "a23456789012345678901234567890123456789012"
      })
  void tablePrefixThatIsNotAPlainIdentifierIsRefusedByName(String prefix) {
    assertThatThrownBy(() -> JdbcJobRepository.builder().jdbcUrl(url).tablePrefix(prefix).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tablePrefix");
    assertThatThrownBy(() -> JdbcJobRepository.schemaSql(Dialect.H2, prefix))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tablePrefix");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"_", "orchestrator_", "App2_", "a2345678901234567890123456789012345678901"})
  void plainIdentifiersUpTo41CharactersArePrefixes(String prefix) {
    try (JdbcJobRepository store =
        JdbcJobRepository.builder().jdbcUrl(url).tablePrefix(prefix).build()) {
      assertThat(store.tablePrefix()).isEqualTo(prefix);
      assertThat(store.insert(List.of(job()))).hasSize(1);
    }
  }

  @Test
  void exactlyOneConnectionSourceIsRequired() {
    assertThatThrownBy(() -> JdbcJobRepository.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dataSource, jdbcUrl and hikariConfig");
    try (HikariDataSource host = hostPool(url)) {
      assertThatThrownBy(() -> JdbcJobRepository.builder().dataSource(host).jdbcUrl(url).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("2 set");
      assertThatThrownBy(() -> JdbcJobRepository.builder().dataSource(host).username("sa").build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("username");
    }
  }

  @Test
  void maxResultBytesMustBePositive() {
    assertThatThrownBy(() -> JdbcJobRepository.builder().jdbcUrl(url).maxResultBytes(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxResultBytes");
  }

  @Test
  void databasesOtherThanPostgresqlAndH2AreRefusedByName() {
    assertThat(Dialect.of("PostgreSQL")).isEqualTo(Dialect.POSTGRESQL);
    assertThat(Dialect.of("H2")).isEqualTo(Dialect.H2);
    assertThatThrownBy(() -> Dialect.of("MySQL"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'MySQL'")
        .hasMessageContaining("PostgreSQL and H2");
  }

  @Test
  void dialectIsReadFromTheConnection() {
    try (JdbcJobRepository store = JdbcJobRepository.builder().jdbcUrl(url).build()) {
      assertThat(store.dialect()).isEqualTo(Dialect.H2);
      assertThat(store.tablePrefix()).isEqualTo(JdbcJobRepository.DEFAULT_TABLE_PREFIX);
    }
  }

  @Test
  void aHostDataSourceOutlivesTheStore() {
    try (HikariDataSource host = hostPool(url)) {
      JdbcJobRepository store = JdbcJobRepository.builder().dataSource(host).build();
      store.insert(List.of(job()));

      store.close();

      assertThat(host.isClosed()).isFalse();
    }
  }

  @Test
  void aHikariConfigIsCopiedNotSealed() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(3);

    try (JdbcJobRepository store = JdbcJobRepository.builder().hikariConfig(config).build()) {
      assertThat(store.insert(List.of(job()))).hasSize(1);
    }
    config.setMaximumPoolSize(4);
  }

  @Test
  void anUnreachableDatabaseIsAStorageException() {
    assertThatThrownBy(
            () ->
                JdbcJobRepository.builder()
                    .jdbcUrl("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2")
                    .username("nobody")
                    .password("nothing")
                    .build())
        .isInstanceOf(StorageException.class)
        .hasCauseInstanceOf(RuntimeException.class);
  }

  @Test
  void aDatabaseLostAfterStartIsAStorageExceptionWithTheCause() {
    HikariDataSource host = hostPool(url);
    JdbcJobRepository store = JdbcJobRepository.builder().dataSource(host).build();
    host.close();

    assertThatThrownBy(() -> store.find(new JobId(UUID.randomUUID())))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("find a job")
        .cause()
        .isNotNull();
  }

  @Test
  void withoutCreateSchemaTheHostAppliesTheShippedDdl() throws Exception {
    try (HikariDataSource host = hostPool(url)) {
      JdbcJobRepository store =
          JdbcJobRepository.builder()
              .dataSource(host)
              .tablePrefix("app_")
              .createSchema(false)
              .build();
      assertThatThrownBy(() -> store.insert(List.of(job()))).isInstanceOf(StorageException.class);

      try (Connection connection = host.getConnection();
          Statement statement = connection.createStatement()) {
        for (String ddl :
            SchemaMigrator.statements(JdbcJobRepository.schemaSql(Dialect.H2, "app_"))) {
          statement.execute(ddl);
        }
      }

      assertThat(store.insert(List.of(job()))).hasSize(1);
      store.close();
    }
  }

  @Test
  void schemaSqlFillsInThePrefixEverywhere() {
    for (Dialect dialect : Dialect.values()) {
      String ddl = JdbcJobRepository.schemaSql(dialect, "myapp_");

      assertThat(ddl).doesNotContain("${").contains("myapp_jobs").contains("myapp_job_results");
      String[] indexes = ddl.toLowerCase(java.util.Locale.ROOT).split("create (unique )?index");
      assertThat(List.of(indexes).subList(1, indexes.length))
          .hasSizeGreaterThanOrEqualTo(5)
          .allSatisfy(index -> assertThat(index.strip()).startsWith("if not exists myapp_"));
    }
  }

  @Test
  void theDdlShipsAtTheDocumentedResourcePaths() {
    for (String path :
        List.of(
            "org/reportorchestrator/jdbc/schema/postgresql/V1__jobs.sql",
            "org/reportorchestrator/jdbc/schema/h2/V1__jobs.sql")) {
      assertThat(getClass().getClassLoader().getResource(path)).as(path).isNotNull();
    }
  }

  @Test
  void startingTwiceAppliesEachMigrationOnce() {
    JdbcJobRepository.builder().jdbcUrl(url).tablePrefix("twice_").build().close();
    JdbcJobRepository.builder().jdbcUrl(url).tablePrefix("twice_").build().close();

    int versions =
        Jdbi.create(url)
            .withHandle(
                h ->
                    h.createQuery("SELECT COUNT(*) FROM twice_schema_version")
                        .mapTo(Integer.class)
                        .one());
    assertThat(versions).isEqualTo(SchemaMigrator.MIGRATIONS.size());
  }
}
