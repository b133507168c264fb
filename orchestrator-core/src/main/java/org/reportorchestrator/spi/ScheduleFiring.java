package org.reportorchestrator.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One fire time of a schedule, as core decided it: move the schedule from {@code fireAt} to {@code
 * nextFireAt} and, if there is one, insert {@code job}, all in one unit and only if the schedule is
 * still unpaused at {@code fireAt}.
 *
 * @param name the schedule
 * @param fireAt the fire time core read; the condition of the write
 * @param nextFireAt the fire time after it
 * @param job the job to insert (with its idempotency key set), or {@code null} to only move on
 * @param now when core decided it
 */
public record ScheduleFiring(
    String name, Instant fireAt, Instant nextFireAt, @Nullable NewJob job, Instant now) {

  public ScheduleFiring {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(fireAt, "fireAt");
    Objects.requireNonNull(nextFireAt, "nextFireAt");
    Objects.requireNonNull(now, "now");
    if (!nextFireAt.isAfter(fireAt)) {
      throw new IllegalArgumentException("nextFireAt must be after fireAt");
    }
  }
}
