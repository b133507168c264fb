package org.reportorchestrator;

import java.util.Objects;
import java.util.UUID;

/**
 * The identity of one job, assigned by the orchestrator at submit time. Immutable and thread-safe.
 *
 * @param value the UUID behind this id
 */
public record JobId(UUID value) {

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

  @Override
  public String toString() {
    return value.toString();
  }
}
