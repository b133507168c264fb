package org.reportorchestrator.spi;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobState;

/**
 * The jobs of one report type in a store, as {@link JobRepository#statistics} counts them.
 * Immutable and thread-safe.
 *
 * @param counts how many jobs are in each state; states without jobs may be left out (they are
 *     dropped here, so that two equal counts compare equal however a store reports zeros)
 * @param due how many jobs are {@code REQUESTED} with {@code runAt <= now}
 * @param oldestDueRunAt the earliest {@code runAt} among the due jobs; {@code null} when none is
 *     due
 */
public record TypeStatistics(
    Map<JobState, Long> counts, long due, @Nullable Instant oldestDueRunAt) {

  public TypeStatistics {
    Map<JobState, Long> nonZero = new EnumMap<>(JobState.class);
    counts.forEach(
        (state, count) -> {
          Objects.requireNonNull(state, "state");
          if (count < 0) {
            throw new IllegalArgumentException("count of " + state + " is negative: " + count);
          }
          if (count > 0) {
            nonZero.put(state, count);
          }
        });
    counts = Map.copyOf(nonZero);
    if (due < 0 || due > count(counts, JobState.REQUESTED)) {
      throw new IllegalArgumentException(
          "due must be between 0 and the REQUESTED count " + counts + ": " + due);
    }
    if ((due == 0) != (oldestDueRunAt == null)) {
      throw new IllegalArgumentException(
          "oldestDueRunAt must be given exactly when jobs are due: due "
              + due
              + ", oldestDueRunAt "
              + oldestDueRunAt);
    }
  }

  /** How many jobs are in {@code state}; 0 if none. */
  public long count(JobState state) {
    return count(counts, state);
  }

  /** How many jobs of this type there are in all. */
  public long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  private static long count(Map<JobState, Long> counts, JobState state) {
    return counts.getOrDefault(state, 0L);
  }
}
