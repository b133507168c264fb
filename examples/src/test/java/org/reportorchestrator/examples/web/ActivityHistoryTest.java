package org.reportorchestrator.examples.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.JobState;
import org.reportorchestrator.QueueStatistics;

class ActivityHistoryTest {

  private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

  @Test
  void eachReadingAfterTheFirstGivesTheJobsFinishedSinceThePreviousOnePerMinute() {
    ActivityHistory history = new ActivityHistory(10);

    history.record(reading(T0, 100, 5, 3, Duration.ofSeconds(4)));
    history.record(reading(T0.plusSeconds(30), 130, 10, 0, Duration.ZERO));

    assertThat(history.samples())
        .containsExactly(
            new ActivityHistory.Sample(T0, null, 3, Duration.ofSeconds(4)),
            new ActivityHistory.Sample(T0.plusSeconds(30), 70.0, 0, Duration.ZERO));
  }

  @Test
  void theSameCachedReadingTwiceIsOneSample() {
    ActivityHistory history = new ActivityHistory(10);
    QueueStatistics reading = reading(T0, 1, 0, 0, Duration.ZERO);

    history.record(reading);
    history.record(reading);

    assertThat(history.samples()).hasSize(1);
  }

  @Test
  void anIntervalInWhichAPurgeLoweredTheCountsCountsAsNoneFinished() {
    ActivityHistory history = new ActivityHistory(10);

    history.record(reading(T0, 1_000, 0, 0, Duration.ZERO));
    history.record(reading(T0.plusSeconds(60), 200, 0, 0, Duration.ZERO));

    assertThat(history.samples().get(1).finishedPerMinute()).isZero();
  }

  @Test
  void itKeepsTheNewestSamplesUpToItsCapacity() {
    ActivityHistory history = new ActivityHistory(3);

    for (int i = 0; i < 5; i++) {
      history.record(reading(T0.plusSeconds(10L * i), i, 0, 0, Duration.ZERO));
    }

    assertThat(history.samples())
        .extracting(ActivityHistory.Sample::at)
        .containsExactly(T0.plusSeconds(20), T0.plusSeconds(30), T0.plusSeconds(40));
    assertThatThrownBy(() -> new ActivityHistory(1)).hasMessageContaining("capacity");
  }

  /** One type whose finished jobs are split over the three terminal states. */
  private static QueueStatistics reading(
      Instant at, long completed, long failed, long due, Duration lag) {
    Map<JobState, Long> counts =
        Map.of(
            JobState.COMPLETED, completed,
            JobState.FAILED, failed,
            JobState.CANCELLED, 0L,
            JobState.REQUESTED, due);
    Instant oldest = due == 0 ? null : at.minus(lag);
    return new QueueStatistics(
        at, Map.of("sales", new QueueStatistics.ForType(counts, due, oldest, lag)));
  }
}
