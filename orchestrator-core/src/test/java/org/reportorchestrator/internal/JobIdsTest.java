package org.reportorchestrator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobId;

class JobIdsTest {

  @Test
  void idsMadeInTheSameMillisecondKeepTheirOrder() {
    Instant now = Instant.parse("2026-11-02T09:00:00Z");
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(JobIds.next(now).value());
    }
    assertThat(ids).isSortedAccordingTo(UUID::compareTo).doesNotHaveDuplicates();
    assertThat(ids)
        .allSatisfy(
            id -> {
              assertThat(id.version()).isEqualTo(7);
              assertThat(id.variant()).isEqualTo(2);
            });
  }

  @Test
  void idsCarryTheirMillisecondInTheHighBits() {
    Instant later = Instant.parse("2099-01-01T00:00:00Z");
    JobId id = JobIds.next(later);
    assertThat(id.value().getMostSignificantBits() >>> 16)
        .isGreaterThanOrEqualTo(later.toEpochMilli());
  }
}
