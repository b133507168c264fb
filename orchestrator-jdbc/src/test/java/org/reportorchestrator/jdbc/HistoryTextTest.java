package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobHistoryEntry;
import org.reportorchestrator.JobState;

class HistoryTextTest {

  @Test
  void aDamagedLineIsLeftOutAndTheRestOfTheHistoryIsRead() {
    String history =
        "[null, \"REQUESTED\", 1893456000000000, 0, null, null, null]\n"
            + "{\"not\": \"an entry\"}\n"
            + "[\"REQUESTED\", \"RUNNING\", 99999999999999999999, 1, \"node-a\", null, null]\n"
            + "[\"REQUESTED\", \"RUNNING\", 1893456001000000, 1, \"node-a\", null, null]\n";

    assertThat(HistoryText.read(history))
        .extracting(JobHistoryEntry::to, JobHistoryEntry::nodeId)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(JobState.REQUESTED, null),
            org.assertj.core.groups.Tuple.tuple(JobState.RUNNING, "node-a"));
  }
}
