package org.reportorchestrator;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A schedule as stored now, shared by every node. Immutable.
 *
 * @param schedule its definition
 * @param paused whether it is paused (on every node)
 * @param nextFireAt the fire time it waits for
 * @param lastFireAt the fire time of the last job it made; {@code null} before the first
 * @param lastJobId the last job it made; {@code null} before the first
 */
public record ScheduleSnapshot(
    Schedule schedule,
    boolean paused,
    Instant nextFireAt,
    @Nullable Instant lastFireAt,
    @Nullable JobId lastJobId) {

  public ScheduleSnapshot {
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(nextFireAt, "nextFireAt");
  }

  /** The schedule's name. */
  public String name() {
    return schedule.name();
  }
}
