package org.reportorchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdTest {

  @Test
  void idsAreOrderedAsTheirTextAndAsDatabasesOrderUuids() {
    Random random = new Random(20261130L);
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      ids.add(new JobId(new UUID(random.nextLong(), random.nextLong())));
    }
    // Halves with the top bit set: a signed comparison would put them first.
    ids.add(JobId.parse("ffffffff-ffff-ffff-0000-000000000000"));
    ids.add(JobId.parse("00000000-0000-0000-ffff-ffffffffffff"));

    List<JobId> byId = new ArrayList<>(ids);
    byId.sort(Comparator.naturalOrder());
    List<JobId> byText = new ArrayList<>(ids);
    byText.sort(Comparator.comparing(JobId::toString));

    assertThat(byId).isEqualTo(byText);
  }
}
