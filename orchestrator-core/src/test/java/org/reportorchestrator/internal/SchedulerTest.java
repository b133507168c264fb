package org.reportorchestrator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SchedulerTest {

  @Test
  void claimLimitsComeFromAFewSizesAndTakeAtLeastTwoThirdsOfTheRoom() {
    List<Integer> sizes = new ArrayList<>();
    for (int room = 1; room <= 600; room++) {
      int limit = Scheduler.roundedDown(room);
      assertThat(limit).as("room %d", room).isBetween(1, room);
      assertThat(limit * 3).as("room %d", room).isGreaterThanOrEqualTo(room * 2 - 1);
      if (!sizes.contains(limit)) {
        sizes.add(limit);
      }
    }
    assertThat(sizes)
        .containsExactly(1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512);
    assertThat(IntStream.of(1, 2, 3, 4, 6, 8, 12, 16).map(Scheduler::roundedDown))
        .containsExactly(1, 2, 3, 4, 6, 8, 12, 16);
  }
}
