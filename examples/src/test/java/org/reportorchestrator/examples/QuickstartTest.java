package org.reportorchestrator.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class QuickstartTest {

  @Test
  void quickstartTellsTheStoryOfItsFourReports() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    String url = "jdbc:h2:mem:quickstart-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

    int exitCode = new CommandLine(new Quickstart(out)).execute("--jdbc-url", url);

    String output = bytes.toString(StandardCharsets.UTF_8);
    assertThat(exitCode).as(output).isZero();
    assertThat(output)
        .containsPattern("succeeds with progress +\\S+ +sales-summary +COMPLETED +1/3")
        .containsPattern("fails once, then succeeds +\\S+ +inventory-export +COMPLETED +2/3")
        .containsPattern(
            "fails for good +\\S+ +inventory-export +FAILED +1/3 .*unknown warehouse 'atlantis'")
        .containsPattern("cancelled while running +\\S+ +sales-summary +CANCELLED")
        .contains("cancel(")
        .contains("progress")
        .contains("The store holds 4 jobs, 0 of them from earlier runs");
  }
}
