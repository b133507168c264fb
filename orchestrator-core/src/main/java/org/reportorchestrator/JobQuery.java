package org.reportorchestrator;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which jobs to list and which page of them, oldest first (by creation time, then id). Immutable
 * and thread-safe.
 *
 * @param states the states to include; empty for all
 * @param reportType the report type to include, or {@code null} for all
 * @param offset how many matching jobs to skip
 * @param limit the most jobs to return, 1 to {@value #MAX_LIMIT}
 */
public record JobQuery(Set<JobState> states, @Nullable String reportType, int offset, int limit) {

  /** The largest page. */
  public static final int MAX_LIMIT = 1_000;

  public JobQuery {
    Objects.requireNonNull(states, "states");
    states = states.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(states));
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative: " + offset);
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ": " + limit);
    }
    if (reportType != null) {
      // a type no store can hold matches nothing; refused so that no store matches it loosely
      StoredText.require("reportType", reportType);
    }
  }

  /** The first 100 jobs of every state and type. */
  public static JobQuery all() {
    return new JobQuery(Set.of(), null, 0, 100);
  }

  public JobQuery inStates(JobState first, JobState... rest) {
    return new JobQuery(EnumSet.of(first, rest), reportType, offset, limit);
  }

  public JobQuery ofType(String type) {
    return new JobQuery(states, Objects.requireNonNull(type, "reportType"), offset, limit);
  }

  public JobQuery page(int newOffset, int newLimit) {
    return new JobQuery(states, reportType, newOffset, newLimit);
  }

  /** Whether {@code state} and {@code type} match this query's filters. */
  public boolean matches(JobState state, String type) {
    return (states.isEmpty() || states.contains(state))
        && (reportType == null || reportType.equals(type));
  }
}
