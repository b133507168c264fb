package org.reportorchestrator.spi;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobId;
import org.reportorchestrator.Schedule;

/**
 * A schedule as a {@link ScheduleRepository} keeps it. Its definition is the report type, the
 * parameters, the trigger text, the overlap and the catch-up rule; the rest is its state.
 *
 * @param name unique among the store's schedules
 * @param reportType the type of the jobs it makes
 * @param parameters their parameters
 * @param trigger when it fires, as core writes it ({@code every PT1H}, {@code cron Europe/Berlin 30
 *     2 * * *}); at most 500 characters
 * @param overlap what a fire time does while the previous job has not finished
 * @param catchUp what happens to missed fire times
 * @param paused whether it is paused
 * @param nextFireAt the fire time it waits for
 * @param lastFireAt the fire time of the last job it made
 * @param lastJobId the last job it made
 * @param updatedAt when it was last written
 */
public record StoredSchedule(
    String name,
    String reportType,
    Map<String, String> parameters,
    String trigger,
    Schedule.Overlap overlap,
    Schedule.CatchUp catchUp,
    boolean paused,
    Instant nextFireAt,
    @Nullable Instant lastFireAt,
    @Nullable JobId lastJobId,
    Instant updatedAt) {

  public StoredSchedule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(reportType, "reportType");
    parameters = Map.copyOf(parameters);
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(overlap, "overlap");
    Objects.requireNonNull(catchUp, "catchUp");
    Objects.requireNonNull(nextFireAt, "nextFireAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** Whether {@code other} has the same definition (name aside): state does not count. */
  public boolean sameDefinition(StoredSchedule other) {
    return reportType.equals(other.reportType)
        && parameters.equals(other.parameters)
        && trigger.equals(other.trigger)
        && overlap == other.overlap
        && catchUp == other.catchUp;
  }
}
