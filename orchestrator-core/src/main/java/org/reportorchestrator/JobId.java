package org.reportorchestrator;

import java.util.Objects;
import java.util.UUID;

/**
 * The identity of one job, assigned by the orchestrator at submit time. Immutable and thread-safe.
 * Ids are ordered as databases order UUID columns, as unsigned 128-bit numbers, which is also the
 * order of their text form.
 *
 * @param value the UUID behind this id
 */
public record JobId(UUID value) implements Comparable<JobId> {

  public JobId {
    Objects.requireNonNull(value, "value");
  }

  /**
   * Parses the form produced by {@link #toString()}.
   *
   * @throws IllegalArgumentException if {@code text} is not a UUID
   */
  public static JobId parse(String text) {
    Objects.requireNonNull(text, "text");
    try {
      return new JobId(UUID.fromString(text));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a job id: '" + text + "'", e);
    }
  }

  /** Unsigned, unlike {@link UUID#compareTo}, which compares the two halves as signed longs. */
  @Override
  public int compareTo(JobId other) {
    int high =
        Long.compareUnsigned(value.getMostSignificantBits(), other.value.getMostSignificantBits());
    return high != 0
        ? high
        : Long.compareUnsigned(
            value.getLeastSignificantBits(), other.value.getLeastSignificantBits());
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
