package org.reportorchestrator.examples.web;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobState;
import org.reportorchestrator.QueueStatistics;

/**
 * The recent activity of the whole cluster, for the status page's chart: one sample per reading of
 * {@link QueueStatistics}, each with the jobs that finished since the previous reading (per
 * minute), the due jobs and the lag, the oldest sample dropped once there are {@code capacity}.
 * Readings come from the store, so every node that runs this page draws the same chart; the samples
 * live in this process and start afresh with it. Thread-safe.
 */
final class ActivityHistory {

  /**
   * One reading.
   *
   * @param finishedPerMinute the jobs that reached a terminal state since the previous sample, per
   *     minute; {@code null} for the first sample. A purge between two readings lowers the counts,
   *     and such an interval counts as zero rather than less than that.
   */
  record Sample(Instant at, @Nullable Double finishedPerMinute, long due, Duration lag) {}

  private final int capacity;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private @Nullable QueueStatistics previous;

  ActivityHistory(int capacity) {
    if (capacity < 2) {
      throw new IllegalArgumentException("capacity must be at least 2: " + capacity);
    }
    this.capacity = capacity;
  }

  /** Adds a sample for {@code statistics}, unless it is the reading the last sample came from. */
  synchronized void record(QueueStatistics statistics) {
    QueueStatistics last = previous;
    if (last != null && !statistics.readAt().isAfter(last.readAt())) {
      return; // the orchestrator's cache answered with the same reading
    }
    Double perMinute = null;
    if (last != null) {
      long finished = Math.max(0, finished(statistics) - finished(last));
      double minutes = Duration.between(last.readAt(), statistics.readAt()).toNanos() / 60e9;
      perMinute = finished / minutes;
    }
    samples.addLast(new Sample(statistics.readAt(), perMinute, statistics.due(), statistics.lag()));
    while (samples.size() > capacity) {
      samples.removeFirst();
    }
    previous = statistics;
  }

  /** The samples, oldest first. */
  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  private static long finished(QueueStatistics statistics) {
    long finished = 0;
    for (JobState state : JobState.terminalStates()) {
      finished += statistics.count(state);
    }
    return finished;
  }
}
