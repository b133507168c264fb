package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.DataRejectedException;
import org.reportorchestrator.StorageException;

/** A URL that cannot work fails the build with the documented exception and says what to do. */
class JdbcUrlProblemsTest {

  @Test
  void aUrlNoDriverAcceptsIsRefusedByName() {
    assertThatThrownBy(() -> JdbcJobRepository.builder().jdbcUrl("jdbc:nope:x").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbcUrl 'jdbc:nope:x'")
        .hasMessageContaining("PostgreSQL")
        .hasMessageContaining("H2");
  }

  @Test
  void aPasswordInARefusedUrlIsMasked() {
    assertThatThrownBy(
            () -> JdbcJobRepository.builder().jdbcUrl("jdbc:nope://h/db?password=s3cret").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void aDatabaseThatCannotBeReachedIsAStorageFailure() {
    assertThatThrownBy(
            () ->
                JdbcJobRepository.builder()
                    .jdbcUrl("jdbc:postgresql://127.0.0.1:1/nowhere?connectTimeout=2")
                    .build())
        .isInstanceOf(StorageException.class)
        .isNotInstanceOf(DataRejectedException.class);
  }

  @Test
  void aPostgresUrlWithoutThePostgresDriverNamesTheDependencyToAdd() throws Exception {
    List<String> outcome = buildWithout("postgresql-", "jdbc:postgresql://db.example/app");

    assertThat(outcome.get(0)).isEqualTo(IllegalArgumentException.class.getName());
    assertThat(outcome.get(1)).contains("org.postgresql:postgresql");
  }

  @Test
  void anH2UrlWithoutTheH2DriverNamesTheDependencyToAdd() throws Exception {
    List<String> outcome = buildWithout("h2-", "jdbc:h2:mem:nothing");

    assertThat(outcome.get(0)).isEqualTo(IllegalArgumentException.class.getName());
    assertThat(outcome.get(1)).contains("com.h2database:h2");
  }

  /** Builds a store in a child JVM whose classpath lacks the jar whose name starts so. */
  private static List<String> buildWithout(String jarPrefix, String url)
      throws IOException, InterruptedException {
    Process child =
        ChildJvm.start(
            BuildStoreMain.class,
            entry -> !Path.of(entry).getFileName().toString().startsWith(jarPrefix),
            url);
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out.lines().toList();
  }
}
