package org.reportorchestrator.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NightlyReportsTest {

  @Test
  void theNightlyReportRunsOncePerNightAcrossSpringForward() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    NightlyReports.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    String output = bytes.toString(StandardCharsets.UTF_8);
    assertThat(output.lines().filter(line -> line.contains("schedule:nightly-sales@")))
        .containsExactly(
            "2026-03-27T02:30+01:00  COMPLETED  schedule:nightly-sales@2026-03-27T01:30:00Z",
            "2026-03-28T02:30+01:00  COMPLETED  schedule:nightly-sales@2026-03-28T01:30:00Z",
            "2026-03-29T03:30+02:00  COMPLETED  schedule:nightly-sales@2026-03-29T01:30:00Z",
            "2026-03-30T02:30+02:00  COMPLETED  schedule:nightly-sales@2026-03-30T00:30:00Z",
            "2026-03-31T02:30+02:00  COMPLETED  schedule:nightly-sales@2026-03-31T00:30:00Z");
    assertThat(output)
        .contains(
            "ScheduleSnapshot[schedule=Schedule[stock-check, stock-check, every PT6H, SKIP, catch up"
                + " ONE], paused=true");
  }
}
