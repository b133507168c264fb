package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reportorchestrator.JobId;

/** An embedded H2 file database keeps the store's promises across real process deaths. */
class H2FileProcessTest {

  private static final int JOBS = 2_000;

  @TempDir Path folder;

  @Test
  void everyAcknowledgedSubmitSurvivesAProcessHaltedRightAfter() throws Exception {
    String url = H2Databases.fileUrl(folder);
    Process child =
        ChildJvm.start(H2FileChildMain.class, entry -> true, "submit-then-halt", url, "" + JOBS);
    List<JobId> acknowledged = new ArrayList<>();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("ack ")) {
          acknowledged.add(JobId.parse(line.substring("ack ".length())));
        }
      }
    }
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(acknowledged).hasSize(JOBS);

    try (JdbcJobRepository reopened = JdbcJobRepository.builder().jdbcUrl(url).build()) {
      List<JobId> lost = acknowledged.stream().filter(id -> reopened.find(id).isEmpty()).toList();
      assertThat(lost).as("acknowledged jobs lost to the halt").isEmpty();
    }
  }

  @Test
  void aHostDataSourceOnAnH2FileThatDelaysWritesIsStillUsedWithAWarning() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(H2Databases.fileUrl(folder));
    try (HikariDataSource host = new HikariDataSource(config);
        JdbcJobRepository store = JdbcJobRepository.builder().dataSource(host).build()) {
      assertThat(store.dialect()).isEqualTo(JdbcJobRepository.Dialect.H2);
      assertThat(config.getJdbcUrl()).doesNotContain("WRITE_DELAY");
    }
  }

  @Test
  void closingTheStoreClosesTheDatabaseWhileItsJvmLivesOn() throws Exception {
    String url = H2Databases.fileUrl(folder);
    Process child = ChildJvm.start(H2FileChildMain.class, entry -> true, "close-then-wait", url);
    try {
      BufferedReader lines =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line = lines.readLine();
      while (line != null && !line.equals("closed")) {
        line = lines.readLine();
      }
      assertThat(line).as("the child's report").isEqualTo("closed");

      // H2 locks the file of an open database: this fails while the child still holds it open
      try (Connection connection = DriverManager.getConnection(url)) {
        assertThat(connection.isValid(5)).isTrue();
      }
    } finally {
      child.getOutputStream().close();
      child.waitFor(60, TimeUnit.SECONDS);
      child.destroy();
    }
  }
}
